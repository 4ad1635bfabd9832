/* store_areas — Kemendagri areas: bulk upsert, lookup by code and by normalised name, listing. */
#include <stdio.h>
#include <string.h>

#include "common/areacode.h"
#include "store/store-internal.h"

enum store_status
store_area_put(struct store *st, const char *code, const char *name, const char *norm, const char *parent)
{
	int	 level = areacode_level(code);

	if (level == 0) {
		snprintf(st->errmsg, sizeof(st->errmsg), "area code '%s' is not 2, 4, 6 or 10 digits", code);
		return STORE_INVALID;
	}
	return st_run(st, "storing an area", "INSERT INTO areas (code, name, norm, level, parent, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
	    "norm = excluded.norm, level = excluded.level, parent = excluded.parent, updated_at = excluded.updated_at "
	    "WHERE name IS NOT excluded.name OR norm IS NOT excluded.norm OR parent IS NOT excluded.parent",
	    "tttitI", code, name, norm, level, parent && *parent ? parent : NULL, (int64_t)st_now());
}

static void
area_from_row(sqlite3_stmt *stmt, struct store_area *a)
{
	const char *p;

	snprintf(a->code, sizeof(a->code), "%s", (const char *)sqlite3_column_text(stmt, 0));
	snprintf(a->name, sizeof(a->name), "%s", (const char *)sqlite3_column_text(stmt, 1));
	a->level = sqlite3_column_int(stmt, 2);
	p = (const char *)sqlite3_column_text(stmt, 3);
	snprintf(a->parent, sizeof(a->parent), "%s", p ? p : "");
}

enum store_status
store_area_get(struct store *st, const char *code, struct store_area *a)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT code, name, level, parent FROM areas WHERE code = ?1",
	    "t", code);
	enum store_status	 s;

	if ((s = st_row(st, stmt, "reading an area")) != STORE_OK)
		return s;
	area_from_row(stmt, a);
	sqlite3_reset(stmt);
	return STORE_OK;
}

long
store_area_count(struct store *st)
{
	return (long)st_value(st, -1, -1, "SELECT count(*) FROM areas", "");
}

/* Up to max rows of stmt (code, name, level, parent) whose code is inside prefixes, into out;
 * resets stmt. Returns how many. */
static int
areas_served(sqlite3_stmt *stmt, const char *prefixes, struct store_area *out, int max)
{
	int	 n = 0;

	while (n < max && sqlite3_step(stmt) == SQLITE_ROW) {
		if (!areacode_in_list((const char *)sqlite3_column_text(stmt, 0), prefixes))
			continue;
		area_from_row(stmt, &out[n++]);
	}
	sqlite3_reset(stmt);
	return n;
}

int
store_area_find(struct store *st, const char *norm, const char *prefixes, struct store_area *out, int max)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT code, name, level, parent FROM areas WHERE norm = ?1 "
	    "ORDER BY level DESC, code", "t", norm);

	return stmt == NULL ? -1 : areas_served(stmt, prefixes, out, max);
}

int
store_area_suggest(struct store *st, const char *norm, const char *prefixes, struct store_area *out, int max)
{
	/* names sharing the first letters, nearest in length first; the served-area filter runs on
	 * every candidate (a LIMIT before it would miss the served ones among many outside) */
	sqlite3_stmt	*stmt;
	char		 prefix[8];
	size_t		 len = strlen(norm);

	if (len == 0)
		return 0;
	snprintf(prefix, sizeof(prefix), "%.*s", len >= 4 ? 4 : (int)len, norm);
	stmt = st_prepf(st, "SELECT code, name, level, parent FROM areas "
	    "WHERE norm >= ?1 AND norm < ?1 || 'ZZZZ' ORDER BY abs(length(norm) - ?2), level DESC", "ti", prefix,
	    (int)len);
	return stmt == NULL ? 0 : areas_served(stmt, prefixes, out, max);
}

/* the listing's columns, level in words */
#define AREA_LISTING "SELECT code, name, CASE level WHEN 1 THEN 'province' WHEN 2 THEN 'regency' " \
	"WHEN 3 THEN 'district' ELSE 'village' END AS level, parent FROM areas "

enum store_status
store_list_areas(struct store *st, const char *parent, store_row_cb cb, void *arg)
{
	if (parent == NULL)
		return st_list(st, AREA_LISTING "WHERE level = 1 ORDER BY code", NULL, cb, arg, "");
	if (*parent == '\0')
		return st_list(st, AREA_LISTING "ORDER BY code", NULL, cb, arg, "");
	return st_list(st, AREA_LISTING "WHERE parent = ?1 ORDER BY code", NULL, cb, arg, "t", parent);
}

enum store_status
store_area_names(struct store *st, const char *prefixes, int (*cb)(void *, const char *, const char *),
    void *arg)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT norm, min(name) FROM areas WHERE code >= ?1 AND "
	    "code < ?1 || ':' GROUP BY norm");
	const char	*p = prefixes ? prefixes : "";
	char		 one[16];
	int		 rc = SQLITE_DONE, stop = 0, any = 0;

	if (stmt == NULL)
		return STORE_ERROR;
	while (!stop && (*p || !any)) {
		size_t n;

		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ", ");
		if (n == 0 && any)
			break;
		any = 1;
		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
		p += n;
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, one, -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			if (cb(arg, (const char *)sqlite3_column_text(stmt, 0),
			    (const char *)sqlite3_column_text(stmt, 1)) != 0) {
				stop = 1;
				rc = SQLITE_DONE;
				break;
			}
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? STORE_OK : st_fail(st, rc, "listing area names");
}
