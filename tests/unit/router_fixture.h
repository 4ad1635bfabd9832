/*
 * router_fixture — shared by test_router.c and test_areas_resolve.c: a gateway context with a
 * real store in a temp file, a configuration file, the real areas of the provinces named in
 * `areas` loaded from data/wilayah, the gateway_* hooks (tests/unit/gateway_spy.h: an inbox id
 * goes to the router) and helpers to inject an SMS and route it.
 */
#ifndef TESTS_ROUTER_FIXTURE_H
#define TESTS_ROUTER_FIXTURE_H
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "gateway/gateway.h"
#include "gateway/router.h"
#include "parsers/norm.h"
#include "store/store.h"
#include "store/store_inbox.h"
#include "store/store_outbox.h"
#include "store/store_roles.h"
#include "tests/unit/gateway_spy.h"

#define WILAYAH	"data/wilayah"

struct fixture {
	struct gateway	 gw;
	char		 dir[64];
	long		 smsc;
};

static struct fixture *fx;

/* One CSV line "code,parent,name" or "code,name", names maybe quoted. Returns the field count. */
static int
fx_csv(char *line, char **f, int max)
{
	int	 n = 0;
	char	*p = line, *o;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		if (*p == '"') {
			f[n++] = o = ++p;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				*o++ = *p++;
			}
			if (*p == '"')
				p++;
			*o = '\0';
			if (*p == ',')
				*p++ = '\0';
			else
				break;
		} else {
			f[n++] = p;
			p += strcspn(p, ",");
			if (*p == ',')
				*p++ = '\0';
			else
				break;
		}
	}
	return n;
}

/* As the console's area import: regency names are keyed without KABUPATEN/KOTA. */
static void
fx_norm(const char *name, char *out, size_t len)
{
	norm_area_key(name, out, len);
}

/* Loads the areas whose codes start with one of the comma-listed provinces. */
static void
fx_load_areas(struct store *st, const char *provinces)
{
	static const char *files[] = { "provinces.csv", "cities.csv", "districts.csv", "villages.csv" };
	char	 path[256], line[1024], *f[4], norm[NORM_NAME_MAX];
	size_t	 i;
	long	 n = 0;

	assert_int_equal(store_begin(st), STORE_OK);
	for (i = 0; i < 4; i++) {
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s", WILAYAH, files[i]);
		if ((fp = fopen(path, "r")) == NULL)
			fail_msg("cannot read %s (run the tests from the repository root: the project's data/wilayah)",
			    path);
		while (fgets(line, sizeof(line), fp)) {
			int		 nf = fx_csv(line, f, 4);
			const char	*code = f[0], *name = f[nf - 1], *parent = nf == 3 ? f[1] : NULL;
			char		 pv[3];

			if (nf < 2)
				continue;
			snprintf(pv, sizeof(pv), "%.2s", code);
			if (strstr(provinces, pv) == NULL)
				continue;
			fx_norm(name, norm, sizeof(norm));
			assert_int_equal(store_area_put(st, code, name, norm, parent), STORE_OK);
			n++;
		}
		fclose(fp);
	}
	assert_int_equal(store_commit(st), STORE_OK);
	assert_true(n > 100);
}

/* A gateway with a fresh store; extra is appended to the [gateway] section. */
static int
fx_setup(const char *areas, const char *extra)
{
	char		 path[256], err[512];
	FILE		*f;

	fx = calloc(1, sizeof(*fx));
	queue_changed = store_failed = 0;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kt-router-%d", (int)getpid());
	snprintf(path, sizeof(path), "rm -rf %s && mkdir -p %s", fx->dir, fx->dir);
	if (system(path) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/kentongan.conf", fx->dir);
	f = fopen(path, "w");
	fprintf(f, "[gateway]\ndatabase = %s/kt.db\ncontrol = %s/kt.sock\ncountry = 62\nareas = %s\n%s\n",
	    fx->dir, fx->dir, areas, extra ? extra : "");
	fclose(f);
	if ((fx->gw.conf = conf_load(path, err, sizeof(err))) == NULL)
		fail_msg("conf: %s", err);
	if ((fx->gw.store = store_open(fx->gw.conf->database, 0, err, sizeof(err))) == NULL)
		fail_msg("store: %s", err);
	fx->gw.store_ok = 1;
	fx_load_areas(fx->gw.store, areas);
	if ((fx->gw.router = router_new(&fx->gw, err, sizeof(err))) == NULL)
		fail_msg("router: %s", err);
	return 0;
}

static int
fx_teardown(void)
{
	char cmd[128];

	router_free(fx->gw.router);
	store_close(fx->gw.store);
	conf_free(fx->gw.conf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	fx = NULL;
	return 0;
}

/* Stores an SMS without routing it. Returns the inbox id. */
static int64_t
fx_store(const char *from, const char *text)
{
	struct store_sms	 m;
	int64_t			 id = 0;

	memset(&m, 0, sizeof(m));
	m.modem = "dummy1";
	m.sender = from;
	m.smsc_at = 1700000000 + ++fx->smsc;
	m.text = text;
	m.coding = "gsm7";
	m.udh = "";
	m.concat_ref = -1;
	m.total = 1;
	m.seq = 1;
	m.received_at = clock_now();
	assert_int_equal(store_begin(fx->gw.store), STORE_OK);
	assert_int_equal(store_inbox_add(fx->gw.store, &m, &id), STORE_OK);
	assert_int_equal(store_commit(fx->gw.store), STORE_OK);
	assert_true(id > 0);
	return id;
}

/* Stores and routes an SMS. Returns the inbox id. */
static int64_t
fx_sms(const char *from, const char *text)
{
	int64_t id = fx_store(from, text);

	gateway_inbox_stored(&fx->gw, id);
	return id;
}

/* ---- reading results back through the listings ---- */
struct fx_rows {
	char	 want[32];	/* column */
	char	 match_col[32];
	char	 match_val[64];
	char	 vals[64][1024];
	int	 n;
};

static int
fx_rows_cb(void *arg, const struct table_row *r)
{
	struct fx_rows	*rows = arg;
	const char	*v = NULL;
	int		 i, ok = rows->match_col[0] == '\0';

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->names[i], rows->want) == 0)
			v = r->values[i];
		if (rows->match_col[0] && strcmp(r->names[i], rows->match_col) == 0 && r->values[i] &&
		    strcmp(r->values[i], rows->match_val) == 0)
			ok = 1;
	}
	if (ok && rows->n < 64)
		snprintf(rows->vals[rows->n++], sizeof(rows->vals[0]), "%s", v ? v : "");
	return 0;
}

/* The action recorded on an inbox row. */
static const char *
fx_action(int64_t id)
{
	static char		 buf[1024];
	struct fx_rows		*rows = calloc(1, sizeof(*rows));

	snprintf(rows->want, sizeof(rows->want), "action");
	snprintf(rows->match_col, sizeof(rows->match_col), "id");
	snprintf(rows->match_val, sizeof(rows->match_val), "%lld", (long long)id);
	assert_int_equal(store_list_inbox(fx->gw.store, 0, 0, fx_rows_cb, rows), STORE_OK);
	assert_int_equal(rows->n, 1);
	snprintf(buf, sizeof(buf), "%s", rows->vals[0]);
	free(rows);
	return buf;
}

/* Texts of outbox rows to `to` (newest last); returns how many, the last in *last (static). */
static int
fx_outbox_to(const char *to, const char **last)
{
	static struct fx_rows	 rows;

	memset(&rows, 0, sizeof(rows));
	snprintf(rows.want, sizeof(rows.want), "text");
	snprintf(rows.match_col, sizeof(rows.match_col), "to");
	snprintf(rows.match_val, sizeof(rows.match_val), "%s", to);
	assert_int_equal(store_list_outbox(fx->gw.store, NULL, 0, fx_rows_cb, &rows), STORE_OK);
	/* the listing is oldest first */
	if (last)
		*last = rows.n ? rows.vals[rows.n - 1] : "";
	return rows.n;
}

/* How many outbox rows have column col = val. */
static int __attribute__((unused))
fx_outbox_count(const char *col, const char *val)
{
	static struct fx_rows	 rows;

	memset(&rows, 0, sizeof(rows));
	snprintf(rows.want, sizeof(rows.want), "id");
	snprintf(rows.match_col, sizeof(rows.match_col), "%s", col);
	snprintf(rows.match_val, sizeof(rows.match_val), "%s", val);
	assert_int_equal(store_list_outbox(fx->gw.store, NULL, 0, fx_rows_cb, &rows), STORE_OK);
	return rows.n;
}

#define assert_action_prefix(id, prefix) do {						\
	const char *a_ = fx_action(id);							\
	if (strncmp(a_, (prefix), strlen(prefix)) != 0)					\
		fail_msg("inbox %lld: action '%s', expected '%s…'", (long long)(id), a_, (prefix)); \
} while (0)
#endif
