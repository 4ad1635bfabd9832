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
	enum store_status	 s;

	*id = 0;
	if ((s = st_run(st, "storing a received message", "INSERT INTO inbox (modem, sender, smsc_at, text, coding, "
	    "parts, flags, dedup, received_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?10) ON CONFLICT (dedup) DO NOTHING", "ttIttittII", modem, sender, (int64_t)smsc_at, text, coding,
	    parts, flags, dedup, (int64_t)received_at, (int64_t)st_now())) != STORE_OK)
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
	return st_run(st, "marking a message undecodable", "UPDATE inbox SET action = 'undecodable' WHERE id = ?1",
	    "I", *id);
}

/* Parts come in seq order: a second part with the number just seen belongs to another group. */
static int
part_dup(const struct st_rows *p, int i)
{
	return i > 0 && st_rows_int(p, i, 1) == st_rows_int(p, i - 1, 1);
}

/* Turns the parts of one group into an inbox row (*id, 0 on dup) and forgets them. */
static enum store_status
group_assemble(struct store *st, const char *modem, const char *sender, int ref, int total, int incomplete,
    int64_t *id)
{
	sqlite3_stmt		*stmt;
	struct st_rows		 p;
	int			 i, used = 0, binary = 0, ucs2 = 0;
	size_t			 tlen = 0;
	char			*text = NULL, dedup[40], flags[32];
	uint64_t		 h = FNV_INIT;
	enum store_status	 s, s2;
	time_t			 received_at = 0;

	*id = 0;
	stmt = st_prepf(st, "SELECT id, seq, text, coding, dedup, smsc_at, received_at FROM inbox_parts "
	    "WHERE modem = ?1 AND sender = ?2 AND concat_ref = ?3 AND total = ?4 ORDER BY seq, id", "ttii", modem,
	    sender, ref, total);
	/* read to the end first: the parts are deleted below */
	if ((s = st_rows(st, stmt, "reading message parts", &p)) != STORE_OK || p.n == 0)
		goto out;
	for (i = 0; i < p.n; i++)
		if (!part_dup(&p, i))
			tlen += strlen(st_rows_text(&p, i, 2));
	text = xmalloc(tlen + 1);
	text[0] = '\0';
	tlen = 0;
	h = fnv1a_str(h, sender);
	for (i = 0; i < p.n; i++) {
		const char	*t = st_rows_text(&p, i, 2), *coding = st_rows_text(&p, i, 3);
		size_t		 l = strlen(t);

		if (part_dup(&p, i))
			continue;
		memcpy(text + tlen, t, l + 1);
		tlen += l;
		h = fnv1a_str(h, st_rows_text(&p, i, 4));
		if (!strcmp(coding, "8bit"))
			binary = 1;
		else if (!strcmp(coding, "ucs2"))
			ucs2 = 1;
		if (used == 0 || st_rows_int(&p, i, 6) > received_at)
			received_at = st_rows_int(&p, i, 6);
		used++;
	}
	snprintf(dedup, sizeof(dedup), "%016llx", (unsigned long long)h);
	snprintf(flags, sizeof(flags), "%s%s%s", incomplete ? "incomplete" : "", incomplete && binary ? "," : "",
	    binary ? "binary" : "");
	s = inbox_insert(st, modem, sender, st_rows_int(&p, 0, 5), text, binary ? "8bit" : ucs2 ? "ucs2" : "gsm7",
	    used, flags, dedup, received_at, id);
	if (s != STORE_OK && s != STORE_DUP)
		goto out;
	for (i = 0; i < p.n; i++) {
		if (part_dup(&p, i))
			continue;
		if ((s2 = st_run(st, "remembering a message part", "INSERT INTO inbox_seen_parts (dedup, inbox_id, "
		    "seen_at) VALUES (?1, ?2, ?3) ON CONFLICT (dedup) DO NOTHING", "tII", st_rows_text(&p, i, 4), *id,
		    (int64_t)st_now())) != STORE_OK ||
		    (s2 = st_run(st, "removing a message part", "DELETE FROM inbox_parts WHERE id = ?1", "I",
		    st_rows_int(&p, i, 0))) != STORE_OK) {
			s = s2;
			goto out;
		}
	}
out:
	st_rows_free(&p);
	free(text);
	return s;
}

enum store_status
store_inbox_add(struct store *st, const struct store_sms *m, int64_t *id)
{
	sqlite3_stmt		*stmt;
	enum store_status	 s;
	char			 dedup[40];
	int			 have;

	*id = 0;
	store_sms_dedup(m, dedup);
	if (!is_concat(m))
		return inbox_insert(st, m->modem, m->sender, m->smsc_at, m->text, m->coding, 1,
		    !strcmp(m->coding, "8bit") ? "binary" : "", dedup, m->received_at, id);

	/* a part of a message already assembled (re-read after a crash before the delete) */
	stmt = st_prepf(st, "SELECT 1 FROM inbox_seen_parts WHERE dedup = ?1", "t", dedup);
	if ((s = st_row(st, stmt, "looking up a message part")) == STORE_OK) {
		sqlite3_reset(stmt);
		return STORE_DUP;
	}
	if (s != STORE_NOTFOUND)
		return s;

	if ((s = st_run(st, "storing a message part", "INSERT INTO inbox_parts (modem, sender, smsc_at, concat_ref, "
	    "total, seq, text, coding, udh, dedup, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (dedup) DO NOTHING", "ttIiiittttI", m->modem, m->sender, (int64_t)m->smsc_at, m->concat_ref,
	    m->total, m->seq, m->text, m->coding, m->udh ? m->udh : "", dedup, (int64_t)m->received_at)) != STORE_OK)
		return s;
	if (sqlite3_changes(st->db) == 0)
		return STORE_DUP;

	stmt = st_prepf(st, "SELECT count(DISTINCT seq) FROM inbox_parts WHERE modem = ?1 AND sender = ?2 "
	    "AND concat_ref = ?3 AND total = ?4", "ttii", m->modem, m->sender, m->concat_ref, m->total);
	if ((s = st_row(st, stmt, "counting message parts")) != STORE_OK)
		return s;
	have = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	if (have < m->total)
		return STORE_OK;
	s = group_assemble(st, m->modem, m->sender, m->concat_ref, m->total, 0, id);
	return s == STORE_DUP ? STORE_OK : s;
}

enum store_status
store_inbox_expire(struct store *st, time_t older_than, int64_t *ids, int max, int *n)
{
	sqlite3_stmt		*stmt;
	struct st_rows		 g;
	enum store_status	 s;
	int			 i;

	*n = 0;
	stmt = st_prepf(st, "SELECT modem, sender, concat_ref, total FROM inbox_parts "
	    "GROUP BY modem, sender, concat_ref, total HAVING max(received_at) < ?1 LIMIT ?2", "Ii",
	    (int64_t)older_than, max);
	/* read to the end first: assembling a group deletes its parts */
	if ((s = st_rows(st, stmt, "finding incomplete messages", &g)) != STORE_OK)
		goto out;
	for (i = 0; i < g.n; i++) {
		int64_t id;

		s = group_assemble(st, st_rows_text(&g, i, 0), st_rows_text(&g, i, 1), (int)st_rows_int(&g, i, 2),
		    (int)st_rows_int(&g, i, 3), 1, &id);
		if (s == STORE_DUP)
			s = STORE_OK;
		if (s != STORE_OK)
			goto out;
		if (id > 0 && *n < max)
			ids[(*n)++] = id;
	}
	s = st_run(st, "forgetting old message parts", "DELETE FROM inbox_seen_parts WHERE seen_at < ?1", "I",
	    (int64_t)(st_now() - SEEN_KEEP_S));
out:
	st_rows_free(&g);
	return s;
}

enum store_status
store_inbox_modem(struct store *st, int64_t id, char *buf, size_t len)
{
	return st_get(st, st_prepf(st, "SELECT modem FROM inbox WHERE id = ?1", "I", id), "reading an inbox row", "t", buf,
	    len);
}

long
store_inbox_parts_waiting(struct store *st)
{
	return (long)st_value(st, -1, -1, "SELECT count(*) FROM inbox_parts", "");
}

enum store_status
store_inbox_get(struct store *st, int64_t id, struct store_inbox_row *r)
{
	sqlite3_stmt		*stmt = st_prepf(st, "SELECT id, modem, sender, text, flags, action IS NOT NULL, "
	    "received_at FROM inbox WHERE id = ?1", "I", id);
	enum store_status	 s;

	memset(r, 0, sizeof(*r));
	if ((s = st_get(st, stmt, "reading an inbox row", "IttdtiT", &r->id, r->modem, sizeof(r->modem), r->sender,
	    sizeof(r->sender), &r->text, r->flags, sizeof(r->flags), &r->routed, &r->received_at)) != STORE_OK)
		return s;
	if (r->text == NULL)
		r->text = xstrdup("");
	return STORE_OK;
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
	return st_run(st, "recording what was done with a message", "UPDATE inbox SET action = ?2, updated_at = ?3 "
	    "WHERE id = ?1", "ItI", id, action, (int64_t)st_now());
}

enum store_status
store_inbox_set_text(struct store *st, int64_t id, const char *text)
{
	return st_run(st, "masking a message", "UPDATE inbox SET text = ?2, updated_at = ?3 WHERE id = ?1", "ItI", id,
	    text, (int64_t)st_now());
}

int
store_inbox_unrouted(struct store *st, int64_t after, int64_t *ids, int max)
{
	sqlite3_stmt	*stmt = st_prepf(st, "SELECT id FROM inbox WHERE action IS NULL AND id > ?1 "
	    "ORDER BY id LIMIT ?2", "Ii", after, max);
	enum store_status s;
	int		 n = 0;

	while ((s = st_row(st, stmt, "finding unrouted messages")) == STORE_OK)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	return s == STORE_NOTFOUND ? n : -1;
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
	return st_list(st, "SELECT id, modem, CASE WHEN ?3 = 0 AND sender = '' AND "
	    "instr(flags, 'undecodable') THEN '?' ELSE sender END AS \"from\", "
	    "CASE WHEN ?3 = 0 AND instr(flags, 'undecodable') THEN printf('[undecodable: %d-byte PDU; "
	    "kentongan inbox %d shows it]', length(text) / 2, id) ELSE text END AS text, "
	    "datetime(received_at, 'unixepoch', 'localtime') AS received, action, coding, parts, flags "
	    "FROM inbox WHERE received_at >= ?1 AND (?4 = 0 OR id = ?4) ORDER BY id LIMIT ?2", NULL, cb, arg,
	    "IIiI", (int64_t)since, (int64_t)(limit > 0 ? limit : -1), raw, id);
}
