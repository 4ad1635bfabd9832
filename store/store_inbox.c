/*
 * store_inbox — the inbox, inbox_parts and inbox_seen_parts tables: received messages, single
 * ones straight into inbox, parts of long messages into inbox_parts until their group is complete
 * (or too old, then stored incomplete), dedup keys so a re-read or re-delivered message is stored
 * once; the router's view of a row (read it, mark what was done, find unrouted rows) and the
 * console's listing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store-internal.h"
#include "store/store_inbox.h"

#define SEEN_KEEP_S	(7 * 86400)

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
fnv1a_str(uint64_t h, const char *s)
{
	h = fnv1a(h, s ? s : "", s ? strlen(s) : 0);
	return fnv1a(h, "\0", 1);	/* field separator: "ab"+"c" differs from "a"+"bc" */
}

#define FNV_INIT 0xcbf29ce484222325ULL

void
store_sms_dedup(const struct store_sms *m, char out[40])
{
	uint64_t	 h = FNV_INIT;
	char		 t[32];

	snprintf(t, sizeof(t), "%lld", (long long)m->smsc_at);
	h = fnv1a_str(h, m->sender);
	h = fnv1a_str(h, t);
	h = fnv1a_str(h, m->coding);
	h = fnv1a_str(h, m->udh);
	h = fnv1a_str(h, m->text);
	snprintf(out, 40, "%016llx", (unsigned long long)h);
}

static int
is_concat(const struct store_sms *m)
{
	return m->concat_ref >= 0 && m->total > 1 && m->seq >= 1 && m->seq <= m->total;
}

static enum store_status
inbox_insert(struct store *st, const char *modem, const char *sender, time_t smsc_at, const char *text,
    const char *coding, int parts, const char *flags, const char *dedup, time_t received_at, int64_t *id)
{
	sqlite3_stmt		*stmt;
	enum store_status	 s;

	*id = 0;
	stmt = st_prep(st, "INSERT INTO inbox (modem, sender, smsc_at, text, coding, parts, flags, dedup, "
	    "received_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) "
	    "ON CONFLICT (dedup) DO NOTHING");
	if (stmt == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, modem);
	st_bind_text(stmt, 2, sender);
	sqlite3_bind_int64(stmt, 3, smsc_at);
	st_bind_text(stmt, 4, text);
	st_bind_text(stmt, 5, coding);
	sqlite3_bind_int(stmt, 6, parts);
	st_bind_text(stmt, 7, flags);
	st_bind_text(stmt, 8, dedup);
	sqlite3_bind_int64(stmt, 9, received_at);
	sqlite3_bind_int64(stmt, 10, st_now());
	if ((s = st_exec(st, stmt, "storing a received message")) != STORE_OK)
		return s;
	if (sqlite3_changes(st->db) == 0)
		return STORE_DUP;
	*id = sqlite3_last_insert_rowid(st->db);
	return st_stamp_clock(st, "inbox", *id);
}

enum store_status
store_inbox_add_undecodable(struct store *st, const char *modem, const char *hex, time_t received_at,
    int64_t *id)
{
	struct store_sms	 m;
	sqlite3_stmt		*stmt;
	enum store_status	 s;
	char			 dedup[40];

	memset(&m, 0, sizeof(m));
	m.modem = modem;
	m.sender = "";
	m.text = hex;
	m.coding = "pdu";
	m.udh = "";
	m.concat_ref = -1;
	m.total = m.seq = 1;
	store_sms_dedup(&m, dedup);
	if ((s = inbox_insert(st, modem, "", 0, hex, "pdu", 1, "undecodable", dedup, received_at, id)) != STORE_OK)
		return s;
	/* nothing in it can be answered: never routed */
	if ((stmt = st_prep(st, "UPDATE inbox SET action = 'undecodable' WHERE id = ?1")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, *id);
	return st_exec(st, stmt, "marking a message undecodable");
}

struct part_row {
	int64_t	 id;
	int	 seq;
	char	*text;
	char	*coding;
	char	*dedup;
	time_t	 smsc_at;
	time_t	 received_at;
};

/* Turns the parts of one group into an inbox row (*id, 0 on dup) and forgets them. */
static enum store_status
group_assemble(struct store *st, const char *modem, const char *sender, int ref, int total, int incomplete,
    int64_t *id)
{
	sqlite3_stmt		*stmt;
	struct part_row		*rows = NULL;
	int			 nrows = 0, i, rc, used = 0, lastseq = -1, binary = 0, ucs2 = 0;
	size_t			 tlen = 0;
	char			*text = NULL, dedup[40], flags[32];
	uint64_t		 h = FNV_INIT;
	enum store_status	 s = STORE_OK;
	time_t			 smsc_at = 0, received_at = 0;

	*id = 0;
	stmt = st_prep(st, "SELECT id, seq, text, coding, dedup, smsc_at, received_at FROM inbox_parts "
	    "WHERE modem = ?1 AND sender = ?2 AND concat_ref = ?3 AND total = ?4 ORDER BY seq, id");
	if (stmt == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, modem);
	st_bind_text(stmt, 2, sender);
	sqlite3_bind_int(stmt, 3, ref);
	sqlite3_bind_int(stmt, 4, total);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct part_row *r;
		int seq = sqlite3_column_int(stmt, 1);

		if (seq == lastseq)	/* a second part with this number: it belongs to another group */
			continue;
		lastseq = seq;
		rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
		r = &rows[nrows++];
		r->id = sqlite3_column_int64(stmt, 0);
		r->seq = seq;
		r->text = xstrdup((const char *)sqlite3_column_text(stmt, 2));
		r->coding = xstrdup((const char *)sqlite3_column_text(stmt, 3));
		r->dedup = xstrdup((const char *)sqlite3_column_text(stmt, 4));
		r->smsc_at = sqlite3_column_int64(stmt, 5);
		r->received_at = sqlite3_column_int64(stmt, 6);
		tlen += strlen(r->text);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		s = st_fail(st, rc, "reading message parts");
		goto out;
	}
	if (nrows == 0)
		goto out;
	text = xmalloc(tlen + 1);
	text[0] = '\0';
	tlen = 0;
	h = fnv1a_str(h, sender);
	for (i = 0; i < nrows; i++) {
		size_t l = strlen(rows[i].text);

		memcpy(text + tlen, rows[i].text, l + 1);
		tlen += l;
		h = fnv1a_str(h, rows[i].dedup);
		if (!strcmp(rows[i].coding, "8bit"))
			binary = 1;
		else if (!strcmp(rows[i].coding, "ucs2"))
			ucs2 = 1;
		if (i == 0 || rows[i].received_at > received_at)
			received_at = rows[i].received_at;
		used++;
	}
	smsc_at = rows[0].smsc_at;
	snprintf(dedup, sizeof(dedup), "%016llx", (unsigned long long)h);
	snprintf(flags, sizeof(flags), "%s%s%s", incomplete ? "incomplete" : "", incomplete && binary ? "," : "",
	    binary ? "binary" : "");
	s = inbox_insert(st, modem, sender, smsc_at, text, binary ? "8bit" : ucs2 ? "ucs2" : "gsm7", used, flags,
	    dedup, received_at, id);
	if (s != STORE_OK && s != STORE_DUP)
		goto out;
	for (i = 0; i < nrows; i++) {
		enum store_status s2;

		stmt = st_prep(st, "INSERT INTO inbox_seen_parts (dedup, inbox_id, seen_at) VALUES (?1, ?2, ?3) "
		    "ON CONFLICT (dedup) DO NOTHING");
		if (stmt == NULL) {
			s = STORE_ERROR;
			goto out;
		}
		st_bind_text(stmt, 1, rows[i].dedup);
		sqlite3_bind_int64(stmt, 2, *id);
		sqlite3_bind_int64(stmt, 3, st_now());
		if ((s2 = st_exec(st, stmt, "remembering a message part")) != STORE_OK) {
			s = s2;
			goto out;
		}
		stmt = st_prep(st, "DELETE FROM inbox_parts WHERE id = ?1");
		if (stmt == NULL) {
			s = STORE_ERROR;
			goto out;
		}
		sqlite3_bind_int64(stmt, 1, rows[i].id);
		if ((s2 = st_exec(st, stmt, "removing a message part")) != STORE_OK) {
			s = s2;
			goto out;
		}
	}
out:
	for (i = 0; i < nrows; i++) {
		free(rows[i].text);
		free(rows[i].coding);
		free(rows[i].dedup);
	}
	free(rows);
	free(text);
	return s;
}

enum store_status
store_inbox_add(struct store *st, const struct store_sms *m, int64_t *id)
{
	sqlite3_stmt		*stmt;
	enum store_status	 s;
	char			 dedup[40];
	int			 have, rc;

	*id = 0;
	store_sms_dedup(m, dedup);
	if (!is_concat(m))
		return inbox_insert(st, m->modem, m->sender, m->smsc_at, m->text, m->coding, 1,
		    !strcmp(m->coding, "8bit") ? "binary" : "", dedup, m->received_at, id);

	/* a part of a message already assembled (re-read after a crash before the delete) */
	if ((stmt = st_prep(st, "SELECT 1 FROM inbox_seen_parts WHERE dedup = ?1")) == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, dedup);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return STORE_DUP;
	if (rc != SQLITE_DONE)
		return st_fail(st, rc, "looking up a message part");

	stmt = st_prep(st, "INSERT INTO inbox_parts (modem, sender, smsc_at, concat_ref, total, seq, text, "
	    "coding, udh, dedup, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (dedup) DO NOTHING");
	if (stmt == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, m->modem);
	st_bind_text(stmt, 2, m->sender);
	sqlite3_bind_int64(stmt, 3, m->smsc_at);
	sqlite3_bind_int(stmt, 4, m->concat_ref);
	sqlite3_bind_int(stmt, 5, m->total);
	sqlite3_bind_int(stmt, 6, m->seq);
	st_bind_text(stmt, 7, m->text);
	st_bind_text(stmt, 8, m->coding);
	st_bind_text(stmt, 9, m->udh ? m->udh : "");
	st_bind_text(stmt, 10, dedup);
	sqlite3_bind_int64(stmt, 11, m->received_at);
	if ((s = st_exec(st, stmt, "storing a message part")) != STORE_OK)
		return s;
	if (sqlite3_changes(st->db) == 0)
		return STORE_DUP;

	stmt = st_prep(st, "SELECT count(DISTINCT seq) FROM inbox_parts WHERE modem = ?1 AND sender = ?2 "
	    "AND concat_ref = ?3 AND total = ?4");
	if (stmt == NULL)
		return STORE_ERROR;
	st_bind_text(stmt, 1, m->modem);
	st_bind_text(stmt, 2, m->sender);
	sqlite3_bind_int(stmt, 3, m->concat_ref);
	sqlite3_bind_int(stmt, 4, m->total);
	rc = sqlite3_step(stmt);
	have = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return st_fail(st, rc, "counting message parts");
	if (have < m->total)
		return STORE_OK;
	s = group_assemble(st, m->modem, m->sender, m->concat_ref, m->total, 0, id);
	return s == STORE_DUP ? STORE_OK : s;
}

enum store_status
store_inbox_expire(struct store *st, time_t older_than, int64_t *ids, int max, int *n)
{
	sqlite3_stmt		*stmt;
	enum store_status	 s = STORE_OK;
	struct grp { char *modem, *sender; int ref, total; } *g = NULL;
	int			 ng = 0, i, rc;

	*n = 0;
	stmt = st_prep(st, "SELECT modem, sender, concat_ref, total FROM inbox_parts "
	    "GROUP BY modem, sender, concat_ref, total HAVING max(received_at) < ?1 LIMIT ?2");
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, older_than);
	sqlite3_bind_int(stmt, 2, max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		g = xreallocarray(g, ng + 1, sizeof(*g));
		g[ng].modem = xstrdup((const char *)sqlite3_column_text(stmt, 0));
		g[ng].sender = xstrdup((const char *)sqlite3_column_text(stmt, 1));
		g[ng].ref = sqlite3_column_int(stmt, 2);
		g[ng].total = sqlite3_column_int(stmt, 3);
		ng++;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		s = st_fail(st, rc, "finding incomplete messages");
		goto out;
	}
	for (i = 0; i < ng; i++) {
		int64_t id;

		s = group_assemble(st, g[i].modem, g[i].sender, g[i].ref, g[i].total, 1, &id);
		if (s == STORE_DUP)
			s = STORE_OK;
		if (s != STORE_OK)
			goto out;
		if (id > 0 && *n < max)
			ids[(*n)++] = id;
	}
	if ((stmt = st_prep(st, "DELETE FROM inbox_seen_parts WHERE seen_at < ?1")) == NULL) {
		s = STORE_ERROR;
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, st_now() - SEEN_KEEP_S);
	s = st_exec(st, stmt, "forgetting old message parts");
out:
	for (i = 0; i < ng; i++) {
		free(g[i].modem);
		free(g[i].sender);
	}
	free(g);
	return s;
}

enum store_status
store_inbox_modem(struct store *st, int64_t id, char *buf, size_t len)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT modem FROM inbox WHERE id = ?1");
	int		 rc;

	if (len)
		buf[0] = '\0';
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && len)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return rc == SQLITE_ROW ? STORE_OK : st_fail(st, rc, "reading an inbox row");
}

long
store_inbox_parts_waiting(struct store *st)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT count(*) FROM inbox_parts");
	long		 n = -1;

	if (stmt == NULL)
		return -1;
	n = st_scalar(st, stmt, n);
	return n;
}

enum store_status
store_inbox_get(struct store *st, int64_t id, struct store_inbox_row *r)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT id, modem, sender, text, flags, action IS NOT NULL, "
	    "received_at FROM inbox WHERE id = ?1");
	int		 rc;

	memset(r, 0, sizeof(*r));
	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(stmt, 0);
		st_col_copy(r->modem, sizeof(r->modem), stmt, 1);
		st_col_copy(r->sender, sizeof(r->sender), stmt, 2);
		r->text = xstrdup((const char *)sqlite3_column_text(stmt, 3));
		if (r->text == NULL)
			r->text = xstrdup("");
		st_col_copy(r->flags, sizeof(r->flags), stmt, 4);
		r->routed = sqlite3_column_int(stmt, 5);
		r->received_at = sqlite3_column_int64(stmt, 6);
		sqlite3_reset(stmt);
		return STORE_OK;
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return st_fail(st, rc, "reading an inbox row");
}

void
store_inbox_row_clear(struct store_inbox_row *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

enum store_status
store_inbox_set_action(struct store *st, int64_t id, const char *action)
{
	sqlite3_stmt *stmt = st_prep(st, "UPDATE inbox SET action = ?2, updated_at = ?3 WHERE id = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, st_now());
	return st_exec(st, stmt, "recording what was done with a message");
}

enum store_status
store_inbox_set_text(struct store *st, int64_t id, const char *text)
{
	sqlite3_stmt *stmt = st_prep(st, "UPDATE inbox SET text = ?2, updated_at = ?3 WHERE id = ?1");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, st_now());
	return st_exec(st, stmt, "masking a message");
}

int
store_inbox_unrouted(struct store *st, int64_t after, int64_t *ids, int max)
{
	sqlite3_stmt	*stmt = st_prep(st, "SELECT id FROM inbox WHERE action IS NULL AND id > ?1 "
	    "ORDER BY id LIMIT ?2");
	int		 n = 0, rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int(stmt, 2, max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		st_fail(st, rc, "finding unrouted messages");
		return -1;
	}
	return n;
}

enum store_status
store_list_inbox(struct store *st, time_t since, long limit, store_row_cb cb, void *arg)
{
	return store_list_inbox_opts(st, since, limit, 0, 0, cb, arg);
}

enum store_status
store_list_inbox_opts(struct store *st, time_t since, long limit, int raw, int64_t id, store_row_cb cb,
    void *arg)
{
	/* a message the modem could not decode holds its raw PDU as hex: said plainly unless asked */
	sqlite3_stmt *stmt = st_prep(st, "SELECT id, modem, CASE WHEN ?3 = 0 AND sender = '' AND "
	    "instr(flags, 'undecodable') THEN '?' ELSE sender END AS \"from\", "
	    "CASE WHEN ?3 = 0 AND instr(flags, 'undecodable') THEN printf('[undecodable: %d-byte PDU; "
	    "kentongan inbox %d shows it]', length(text) / 2, id) ELSE text END AS text, "
	    "datetime(received_at, 'unixepoch', 'localtime') AS received, action, coding, parts, flags "
	    "FROM inbox WHERE received_at >= ?1 AND (?4 = 0 OR id = ?4) ORDER BY id LIMIT ?2");

	if (stmt == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, since);
	sqlite3_bind_int64(stmt, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int(stmt, 3, raw);
	sqlite3_bind_int64(stmt, 4, id);
	return st_emit(st, stmt, NULL, cb, arg);
}
