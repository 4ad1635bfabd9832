/*
 * ussd — the USSD menu state machine (see ussd.h).
 *
 * A request carries the whole input history (`text` = "1*sukamaju*2"). The screen is rebuilt by
 * running the inputs through the machine from the main menu, so the answer depends only on the
 * text, the menu and the store:
 *
 *   MENU --item--> MENU (submenu) | SUB_PROMPT | NEWS | REPORT | STOP | END (text.KEY) | MENU (lang)
 *   SUB_PROMPT --name--> SUB_LIST (found: numbered areas; none: suggestions; neither: asks again)
 *   SUB_LIST --number--> subscribe, END;  --other text--> SUB_LIST of that name;  --0--> next page
 *   NEWS --0--> next page;  REPORT --the rest of the text, '*' kept--> store the post, END
 *   STOP --1--> stop everything, END;  --2--> END (cancelled)
 *   any screen --00 or #--> previous page, else the previous screen
 *
 * A side effect (subscribe, report, stop) runs in one transaction with its audit record and its
 * END screen is remembered in the session under the text prefix that triggered it; replaying that
 * prefix shows the remembered screen instead of acting again. A screen never exceeds
 * USSD_SCREEN_CHARS characters: fixed texts are checked when the menu is loaded, lists and news
 * are paged, and every screen is cut at the limit as a last resort. The menu file's reader and
 * checker are gateway/ussd_menu.c.
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/env.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/msisdn.h"
#include "common/str.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/areas.h"
#include "gateway/gateway.h"
#include "gateway/timer.h"
#include "gateway/http/ussd.h"
#include "gateway/http/ussd-internal.h"
#include "parsers/norm.h"
#include "store/store.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_choices.h"
#include "store/store_posts.h"
#include "store/store_roles.h"

#define DONE_MAX	4	/* side effects remembered per session */
#define STACK_MAX	8
#define FIND_MAX	AREAS_FIND_MAX	/* areas listed for one name */
#define SUGGEST_MAX	9
#define NEWS_MAX	5
#define LINES_MAX	256
#define PAGES_MAX	128
#define HASH_SIZE	16384
#define ENDED_GRACE_S	30	/* an ended session answers retries this long */
#define SEARCH_CACHE	512	/* village searches remembered (direct-mapped by name) */
#define SEARCH_TTL_S	60

/* ---- sessions ---- */

struct done {
	char		*prefix;
	char		*screen;
};

struct session {
	char			 id[USSD_ID_MAX + 1];
	char			 number[MSISDN_MAX];
	time_t			 last_at;
	int			 ended;
	char			*last_text;
	char			*last_screen;
	struct done		 done[DONE_MAX];
	int			 ndone;
	struct session		*hnext;
	TAILQ_ENTRY(session)	 lru;
};
TAILQ_HEAD(session_list, session);

struct ussd {
	struct gateway		*gw;
	struct ussd_menu	*menu;
	char			*menu_text;	/* what it was parsed from: a reload compares */
	int			 lang;		/* default language */
	long			 idle_s;
	struct event		*sweep;
	struct session		*hash[HASH_SIZE];
	struct session_list	 lru;		/* least recently used first */
	long			 nsessions, nended;
	struct ussd_stats	 st;
	struct sublist		*cache[SEARCH_CACHE];
};

/* ---- sessions ---- */

static unsigned
hash_id(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % HASH_SIZE;
}

static struct session *
session_find(struct ussd *u, const char *id)
{
	struct session *s;

	for (s = u->hash[hash_id(id)]; s != NULL; s = s->hnext)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

static void
session_forget(struct session *s)
{
	int i;

	free(s->last_text);
	free(s->last_screen);
	s->last_text = s->last_screen = NULL;
	for (i = 0; i < s->ndone; i++) {
		free(s->done[i].prefix);
		free(s->done[i].screen);
	}
	s->ndone = 0;
}

static void
session_drop(struct ussd *u, struct session *s)
{
	struct session **pp;

	for (pp = &u->hash[hash_id(s->id)]; *pp != s; pp = &(*pp)->hnext)
		;
	*pp = s->hnext;
	TAILQ_REMOVE(&u->lru, s, lru);
	u->nsessions--;
	if (s->ended)
		u->nended--;
	session_forget(s);
	free(s);
}

static struct session *
session_new(struct ussd *u, const char *id, const char *number, time_t now)
{
	struct session	*s;
	unsigned	 h = hash_id(id);

	while (u->nsessions >= USSD_MAX_SESSIONS) {
		session_drop(u, TAILQ_FIRST(&u->lru));
		u->st.evicted++;
	}
	s = xcalloc(1, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", id);
	snprintf(s->number, sizeof(s->number), "%s", number);
	s->last_at = now;
	s->hnext = u->hash[h];
	u->hash[h] = s;
	TAILQ_INSERT_TAIL(&u->lru, s, lru);
	u->nsessions++;
	u->st.total++;
	return s;
}

static void
session_set_ended(struct ussd *u, struct session *s, int ended)
{
	if (s->ended != ended)
		u->nended += ended ? 1 : -1;
	s->ended = ended;
}

void
ussd_sweep(struct ussd *u, time_t now)
{
	struct session	*s, *next;
	long		 grace = u->idle_s < ENDED_GRACE_S ? u->idle_s : ENDED_GRACE_S;

	for (s = TAILQ_FIRST(&u->lru); s != NULL; s = next) {
		next = TAILQ_NEXT(s, lru);
		if (s->last_at + u->idle_s <= now) {
			if (!s->ended)
				u->st.expired++;
			session_drop(u, s);
		} else if (s->ended && s->last_at + grace <= now)
			session_drop(u, s);
	}
}

static void
sweep_cb(evutil_socket_t fd, short ev, void *arg)
{
	ussd_sweep(arg, clock_now());
}

void
ussd_stats(const struct ussd *u, struct ussd_stats *out)
{
	*out = u->st;
	out->active = u->nsessions - u->nended;
}

/* ---- one request ---- */

enum scr { S_MENU, S_SUB_PROMPT, S_SUB_LIST, S_NEWS, S_REPORT, S_STOP };

struct state {
	enum scr	 scr;
	int		 menu;
	int		 page;
	const char	*query;		/* S_SUB_LIST: the name typed */
};

struct lines {
	char		*v[LINES_MAX];
	int		 n;
};

enum list_kind { L_FOUND, L_SUGGEST, L_NONE };

/* The areas for one typed name, kept in the search cache (struct ussd) for SEARCH_TTL_S: areas
 * change only on an import, and a cached list keeps busy menus off the disk. */
struct sublist {
	char			*query;
	char			*prefixes;	/* the gateway's areas when it was made */
	time_t			 at;		/* 0: do not reuse (the store failed) */
	enum list_kind		 kind;
	struct store_area	 areas[FIND_MAX];
	int			 n;
	struct lines		 lines;
};

struct rq {
	struct ussd		*u;
	struct session		*s;
	struct store		*st;
	const struct lang	*L;
	const char		*text;
	char			*buf;		/* text split at '*' */
	const char		*in[USSD_MAX_INPUTS];
	size_t			 start[USSD_MAX_INPUTS], end[USSD_MAX_INPUTS];
	int			 nin;
	char			*out;
	struct lines		*news;		/* NULL until read */
	int			 news_end;	/* news is an END screen (none, not subscribed) */
	int			 news_msg;
	int			 finished;	/* out holds the final screen */
	int			 failed;	/* the store failed: a retry should try again */
};

static void
lines_add(struct lines *l, const char *s, size_t len)
{
	if (l->n < LINES_MAX)
		l->v[l->n++] = xstrndup(s, len);
}

static void
lines_clear(struct lines *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/* Adds s as lines of at most budget characters, cut at spaces where it can. */
static void
lines_add_wrapped(struct lines *l, const char *s, size_t budget)
{
	while (*s) {
		size_t	 cut = ussd_chars_bytes(s, budget), sp;

		if (s[cut] == '\0') {
			lines_add(l, s, cut);
			return;
		}
		for (sp = cut; sp > 0 && s[sp] != ' '; sp--)
			;
		if (sp == 0)
			sp = cut;
		lines_add(l, s, sp);
		s += sp;
		while (*s == ' ')
			s++;
	}
}

/* Page starts of l for a budget of characters per page; returns the page count (>= 1). */
static int
paginate(const struct lines *l, size_t budget, int *starts)
{
	size_t	 used = 0;
	int	 i, np = 1;

	starts[0] = 0;
	for (i = 0; i < l->n; i++) {
		size_t c = ussd_chars(l->v[i]) + (used ? 1 : 0);

		if (used > 0 && used + c > budget && np < PAGES_MAX) {
			starts[np++] = i;
			used = ussd_chars(l->v[i]);
		} else
			used += c;
	}
	starts[np] = l->n;
	return np;
}

static void
end_screen(struct rq *r, int msg, const char *const *vars)
{
	char body[USSD_SCREEN_MAX - 8];

	ussd_fill(r->L->msg[msg], vars, body, sizeof(body));
	snprintf(r->out, USSD_SCREEN_MAX, "END %s", body);
	ussd_clamp(r->out);
	r->finished = 1;
}

/* Characters of the list decoration: "CON ", invalid + "\n", header + "\n", "\n" next, "\n" back. */
static size_t
list_budget(const struct rq *r, const char *header)
{
	size_t deco = 4 + ussd_chars(r->L->msg[M_INVALID]) + 1 + ussd_chars(header) + 1 +
	    1 + ussd_chars(r->L->msg[M_NEXT]) + 1 + ussd_chars(r->L->msg[M_BACK]);

	return deco + 20 < USSD_SCREEN_CHARS ? USSD_SCREEN_CHARS - deco : 20;
}

static void
render_list(struct rq *r, const char *header, const struct lines *l, int page, int invalid)
{
	int	 starts[PAGES_MAX + 1], np, i;
	size_t	 o;

	np = paginate(l, list_budget(r, header), starts);
	if (page >= np)
		page = np - 1;
	o = (size_t)snprintf(r->out, USSD_SCREEN_MAX, "CON %s%s%s", invalid ? r->L->msg[M_INVALID] : "",
	    invalid ? "\n" : "", header);
	for (i = starts[page]; i < starts[page + 1] && o < USSD_SCREEN_MAX; i++)
		o += (size_t)snprintf(r->out + o, USSD_SCREEN_MAX - o, "\n%s", l->v[i]);
	if (page + 1 < np && o < USSD_SCREEN_MAX)
		o += (size_t)snprintf(r->out + o, USSD_SCREEN_MAX - o, "\n%s", r->L->msg[M_NEXT]);
	if (o < USSD_SCREEN_MAX)
		snprintf(r->out + o, USSD_SCREEN_MAX - o, "\n%s", r->L->msg[M_BACK]);
	ussd_clamp(r->out);
}

static int
list_pages(struct rq *r, const char *header, const struct lines *l)
{
	int starts[PAGES_MAX + 1];

	return paginate(l, list_budget(r, header), starts);
}

/* ---- areas ---- */

static void
sublist_free(struct sublist *sl)
{
	if (sl == NULL)
		return;
	lines_clear(&sl->lines);
	free(sl->query);
	free(sl->prefixes);
	free(sl);
}

/*
 * The areas for a typed name, from the search cache or the store. The list stays valid until the
 * next sub_list() call (it may take the same cache slot).
 */
static struct sublist *
sub_list(struct rq *r, const char *query)
{
	const char		*prefixes = r->u->gw->conf->areas ? r->u->gw->conf->areas : "";
	unsigned		 slot = hash_id(query) % SEARCH_CACHE;
	struct sublist		*sl = r->u->cache[slot];
	time_t			 now = clock_now();
	struct areas_match	*m;
	char			 label[160], line[200];
	int			 i;

	if (sl != NULL && sl->at != 0 && now - sl->at < SEARCH_TTL_S && now >= sl->at &&
	    strcmp(sl->query, query) == 0 && strcmp(sl->prefixes, prefixes) == 0)
		return sl;
	sublist_free(sl);
	sl = r->u->cache[slot] = xcalloc(1, sizeof(*sl));
	sl->query = xstrdup(query);
	sl->prefixes = xstrdup(prefixes);
	sl->at = now;
	sl->kind = L_NONE;
	/* the same resolution as an SMS: a choice or a single place is a list to pick from; a
	 * name not found gives the nearest names, also to pick from */
	m = xmalloc(sizeof(*m));
	switch (areas_resolve(r->st, prefixes, query, NULL, SUGGEST_MAX, m)) {
	case AREAS_FOUND:
		sl->areas[0] = m->area;
		sl->n = 1;
		sl->kind = L_FOUND;
		break;
	case AREAS_CHOICE:
		memcpy(sl->areas, m->opts, sizeof(sl->areas[0]) * (size_t)m->nopts);
		sl->n = m->nopts;
		sl->kind = L_FOUND;
		break;
	case AREAS_NOTFOUND:
		memcpy(sl->areas, m->opts, sizeof(sl->areas[0]) * (size_t)m->nopts);
		sl->n = m->nopts;
		sl->kind = sl->n > 0 ? L_SUGGEST : L_NONE;
		break;
	case AREAS_ERROR:
		sl->at = 0;	/* do not cache a store failure */
		break;
	case AREAS_NONE:
		break;
	}
	free(m);
	if (sl->kind == L_NONE && sl->n > 0)
		sl->kind = L_FOUND;
	for (i = 0; i < sl->n; i++) {
		areas_label(r->st, &sl->areas[i], label, sizeof(label));
		snprintf(line, sizeof(line), "%d %s", i + 1, label);
		lines_add(&sl->lines, line, strlen(line));
	}
	return sl;
}

/* The typed name as repeated on a screen: at most NAME_SHOWN characters, invalid UTF-8 as '?'. */
static void
shown_name(const char *query, char *out, size_t len)
{
	const unsigned char	*p = (const unsigned char *)query;
	size_t			 o = 0, n, rest = strlen(query), chars = 0;

	while (rest > 0 && chars < NAME_SHOWN) {
		if (norm_utf8_next(p, rest, &n) == NORM_CP_INVALID) {
			if (o + 2 > len)
				break;
			out[o++] = '?';
			n = n ? n : 1;
		} else {
			if (o + n + 1 > len)
				break;
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		rest -= n;
		chars++;
	}
	out[o] = '\0';
}

static void
sub_header(struct rq *r, const struct sublist *sl, char *out, size_t len)
{
	char		 name[NAME_SHOWN * 4 + 1];
	const char	*vars[] = { "name", name, NULL };

	shown_name(sl->query, name, sizeof(name));
	ussd_fill(r->L->msg[sl->kind == L_SUGGEST ? M_SUB_SUGGEST : M_SUB_CHOOSE], vars, out, len);
}

/* ---- news ---- */

static int
news_row_cb(void *arg, const struct table_row *row)
{
	struct lines	*l = arg;
	int		 i;

	for (i = 0; i < row->n; i++)
		if (strcmp(row->names[i], "text") == 0 && row->values[i] != NULL && l->n < LINES_MAX) {
			char *t = xstrdup(row->values[i]), *p;

			for (p = t; *p; p++)
				if (*p == '\n' || *p == '\r' || *p == '\t')
					*p = ' ';
			l->v[l->n++] = t;
		}
	return 0;
}

/* Reads the caller's news into r->news (wrapped to the page budget), or sets news_end. */
static void
news_load(struct rq *r)
{
	struct lines	 items;
	size_t		 budget = list_budget(r, r->L->msg[M_NEWS_TITLE]);
	int		 i;

	if (r->news != NULL || r->news_end)
		return;
	if (!store_subscriber_active(r->st, r->s->number)) {
		r->news_end = 1;
		r->news_msg = M_NEWS_NOT_SUBSCRIBED;
		return;
	}
	memset(&items, 0, sizeof(items));
	if (store_latest_for(r->st, r->s->number, NEWS_MAX, news_row_cb, &items) != STORE_OK) {
		lines_clear(&items);
		r->news_end = 1;
		r->news_msg = M_ERROR;
		return;
	}
	if (items.n == 0) {
		r->news_end = 1;
		r->news_msg = M_NEWS_NONE;
		return;
	}
	r->news = xcalloc(1, sizeof(*r->news));
	for (i = 0; i < items.n; i++) {
		char *one;

		xasprintf(&one, "%d) %s", i + 1, items.v[i]);
		lines_add_wrapped(r->news, one, budget);
		free(one);
	}
	lines_clear(&items);
}

/* Whether the whole news fits one END screen. */
static int
news_fits(struct rq *r)
{
	size_t	 n = 4 + ussd_chars(r->L->msg[M_NEWS_TITLE]);
	int	 i;

	for (i = 0; i < r->news->n; i++)
		n += 1 + ussd_chars(r->news->v[i]);
	return n <= USSD_SCREEN_CHARS;
}

/* ---- actions ---- */

static int
done_find(struct rq *r, size_t prefix)
{
	struct session	*s = r->s;
	int		 i;

	for (i = 0; i < s->ndone; i++)
		if (strlen(s->done[i].prefix) == prefix && strncmp(s->done[i].prefix, r->text, prefix) == 0) {
			snprintf(r->out, USSD_SCREEN_MAX, "%s", s->done[i].screen);
			r->finished = 1;
			return 1;
		}
	return 0;
}

static void
done_record(struct rq *r, size_t prefix)
{
	struct session *s = r->s;

	if (s->ndone == DONE_MAX) {
		free(s->done[0].prefix);
		free(s->done[0].screen);
		memmove(&s->done[0], &s->done[1], sizeof(s->done[0]) * (DONE_MAX - 1));
		s->ndone--;
	}
	s->done[s->ndone].prefix = xstrndup(r->text, prefix);
	s->done[s->ndone++].screen = xstrdup(r->out);
	r->u->st.actions++;
}

/* An action committed: the store works again, and a confirming SMS (sms) waits in the outbox. */
static void
committed(struct rq *r, int sms)
{
	gateway_store_recovered(r->u->gw);
	if (sms)
		gateway_queue_changed(r->u->gw);
}

static void
store_trouble(struct rq *r, const char *what)
{
	char nb[40];

	/* the failure itself is reported once, by the store-failed hook; the session goes to debug */
	log_debug("ussd session=%s from=%s: %s failed", r->s->id, log_msisdn(r->s->number, nb), what);
	store_rollback(r->st);
	gateway_store_failed(r->u->gw, what);
	end_screen(r, M_ERROR, NULL);
	r->failed = 1;
}

/*
 * The SMS confirmation of a USSD action (the screen vanishes; the SMS stays), inside the action's
 * transaction, with the SMS keyword's reply template. It is an automatic reply like any other: it
 * counts against the sender's reply_limit and is dropped when that is reached. 1 when queued.
 */
static int
confirm_sms(struct rq *r, const char *key, const char *const *vars, enum outbox_kind kind)
{
	struct gateway		*gw = r->u->gw;
	struct store_outbox_new	 m;
	char			 text[480];
	time_t			 now = clock_now();

	if (gw->router == NULL || !msisdn_replyable(r->s->number) ||
	    store_outbox_replies_since(r->st, r->s->number, now - 3600) >= gw->conf->reply_limit)
		return 0;
	gateway_render(gw, key, text, sizeof(text), vars);
	memset(&m, 0, sizeof(m));
	m.number = r->s->number;
	m.text = text;
	m.kind = kind;
	m.priority = OUTBOX_NORMAL;
	m.expires_at = now + 86400;
	return store_outbox_add(r->st, &m, NULL) == STORE_OK ? 1 : -1;
}

static void
act_subscribe(struct rq *r, const struct store_area *a, size_t prefix)
{
	char		 label[160], detail[256], actor[48], nb[40];
	const char	*vars[] = { "area", label, NULL };
	int		 created = 0, sms = 0;

	if (done_find(r, prefix))
		return;
	areas_label(r->st, a, label, sizeof(label));
	snprintf(actor, sizeof(actor), "ussd:%s", r->s->number);
	snprintf(detail, sizeof(detail), "{\"number\":\"%s\",\"area\":\"%s\",\"via\":\"ussd\"}", r->s->number,
	    a->code);
	if (store_begin(r->st) != STORE_OK) {
		store_trouble(r, "subscribing");
		return;
	}
	if (store_subscribe(r->st, r->s->number, a->code, NULL, &created) != STORE_OK ||
	    (created && store_audit(r->st, actor, "subscribe", detail) != STORE_OK) ||
	    (sms = confirm_sms(r, created ? "subscribed" : "already_subscribed", vars, OUTBOX_REPLY)) < 0 ||
	    store_commit(r->st) != STORE_OK) {
		store_trouble(r, "subscribing");
		return;
	}
	committed(r, sms);
	log_info("ussd session=%s from=%s action=subscribe area=%s result=%s", r->s->id,
	    log_msisdn(r->s->number, nb), a->code, created ? "subscribed" : "already subscribed");
	end_screen(r, created ? M_SUB_DONE : M_SUB_ALREADY, vars);
	done_record(r, prefix);
}

static void
act_stop(struct rq *r, size_t prefix)
{
	char			 detail[128], actor[48], nb[40];
	int			 removed = 0, sms = 0;
	enum store_status	 s;

	if (done_find(r, prefix))
		return;
	snprintf(actor, sizeof(actor), "ussd:%s", r->s->number);
	if (store_begin(r->st) != STORE_OK || store_choice_clear(r->st, r->s->number) != STORE_OK) {
		store_trouble(r, "stopping");
		return;
	}
	s = store_unsubscribe(r->st, r->s->number, NULL, &removed);
	if (s != STORE_OK && s != STORE_NOTFOUND) {
		store_trouble(r, "stopping");
		return;
	}
	snprintf(detail, sizeof(detail), "{\"number\":\"%s\",\"area\":null,\"via\":\"ussd\"}", r->s->number);
	if ((removed > 0 && store_audit(r->st, actor, "unsubscribe", detail) != STORE_OK) ||
	    (removed > 0 && (sms = confirm_sms(r, "stopped_all", NULL, OUTBOX_CONFIRM)) < 0) ||
	    store_commit(r->st) != STORE_OK) {
		store_trouble(r, "stopping");
		return;
	}
	committed(r, sms);
	log_info("ussd session=%s from=%s action=stop result=%s", r->s->id, log_msisdn(r->s->number, nb),
	    removed > 0 ? "stopped all" : "not subscribed");
	end_screen(r, removed > 0 ? M_STOP_DONE : M_STOP_NOT_SUBSCRIBED, NULL);
	done_record(r, prefix);
}

static void
act_report(struct rq *r, const char *report, size_t prefix)
{
	struct store_leader	 l;
	char			 areas[256], idbuf[24], actor[48], nb[40], *detail, *esc;
	const char		*vars[] = { "id", idbuf, NULL };
	size_t			 len;
	int64_t			 id = 0;
	int			 leader, sms = 0;
	enum store_status	 s;

	if (done_find(r, prefix))
		return;
	snprintf(actor, sizeof(actor), "ussd:%s", r->s->number);
	if (store_begin(r->st) != STORE_OK) {
		store_trouble(r, "storing a report");
		return;
	}
	/* as LAPOR by SMS: a KIM leader's report is published at once, anyone else's is reviewed */
	s = store_leader_get(r->st, r->s->number, &l);
	if (s != STORE_OK && s != STORE_NOTFOUND) {
		store_trouble(r, "storing a report");
		return;
	}
	leader = s == STORE_OK;
	if (!leader) {
		store_subscriber_areas(r->st, r->s->number, areas, sizeof(areas));
		areas[strcspn(areas, ",")] = '\0';
	}
	if (store_post_add(r->st, r->s->number, leader ? l.kim : NULL, leader ? l.area : areas, report, leader,
	    0, &id) != STORE_OK) {
		store_trouble(r, "storing a report");
		return;
	}
	/* the audit detail is JSON: escape the text */
	len = strlen(report) * 6 + 16;
	esc = xmalloc(len);
	json_escape(report, esc, len);
	xasprintf(&detail, "{\"post\":%lld,\"status\":\"%s\",\"via\":\"ussd\",\"text\":\"%s\"}", (long long)id,
	    leader ? "published" : "pending", esc);
	free(esc);
	s = store_audit(r->st, actor, "report", detail);
	free(detail);
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	if (s != STORE_OK || (sms = confirm_sms(r, leader ? "report_published" : "report_pending", vars,
	    OUTBOX_REPLY)) < 0 || store_commit(r->st) != STORE_OK) {
		store_trouble(r, "storing a report");
		return;
	}
	committed(r, sms);
	log_info("ussd session=%s from=%s action=report result=\"report %s #%lld\"", r->s->id,
	    log_msisdn(r->s->number, nb), leader ? "published" : "pending", (long long)id);
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	end_screen(r, leader ? M_REPORT_PUBLISHED : M_REPORT_PENDING, vars);
	done_record(r, prefix);
}

/* ---- the machine ---- */

static int
is_back(const char *in)
{
	return strcmp(in, "00") == 0 || strcmp(in, "#") == 0;
}

static void
push(struct state *st, int *sp, struct state s)
{
	if (*sp + 1 < STACK_MAX)
		(*sp)++;
	st[*sp] = s;
}

static void
render(struct rq *r, const struct state *c, int invalid)
{
	char		 header[USSD_SCREEN_MAX], name[NAME_SHOWN * 4 + 1], body[USSD_SCREEN_MAX / 2];
	const char	*vars[] = { "name", name, NULL };

	switch (c->scr) {
	case S_MENU:
		ussd_render_menu(r->L, &r->L->menus[c->menu], invalid, r->out, USSD_SCREEN_MAX);
		break;
	case S_SUB_PROMPT:
	case S_REPORT:
	case S_STOP:
		snprintf(r->out, USSD_SCREEN_MAX, "CON %s%s%s", invalid ? r->L->msg[M_INVALID] : "",
		    invalid ? "\n" : "", r->L->msg[c->scr == S_SUB_PROMPT ? M_SUB_PROMPT :
		    c->scr == S_REPORT ? (invalid ? M_REPORT_EMPTY : M_REPORT_PROMPT) : M_STOP_CONFIRM]);
		if (c->scr == S_REPORT && invalid)	/* "report.empty" says it already */
			snprintf(r->out, USSD_SCREEN_MAX, "CON %s", r->L->msg[M_REPORT_EMPTY]);
		break;
	case S_SUB_LIST: {
		struct sublist *sl = sub_list(r, c->query);

		if (sl->kind == L_NONE) {
			shown_name(c->query, name, sizeof(name));
			ussd_fill(r->L->msg[M_SUB_NONE], vars, body, sizeof(body));
			snprintf(r->out, USSD_SCREEN_MAX, "CON %s%s%s", invalid ? r->L->msg[M_INVALID] : "",
			    invalid ? "\n" : "", body);
			break;
		}
		sub_header(r, sl, header, sizeof(header));
		render_list(r, header, &sl->lines, c->page, invalid);
		break;
	}
	case S_NEWS:
		news_load(r);
		if (r->news_end) {
			end_screen(r, r->news_msg, NULL);
			return;
		}
		if (c->page == 0 && !invalid && news_fits(r)) {
			size_t	 o = (size_t)snprintf(r->out, USSD_SCREEN_MAX, "END %s", r->L->msg[M_NEWS_TITLE]);
			int	 i;

			for (i = 0; i < r->news->n && o < USSD_SCREEN_MAX; i++)
				o += (size_t)snprintf(r->out + o, USSD_SCREEN_MAX - o, "\n%s", r->news->v[i]);
			break;
		}
		render_list(r, r->L->msg[M_NEWS_TITLE], r->news, c->page, invalid);
		break;
	}
	ussd_clamp(r->out);
}

/* The screens walked so far; st[sp] is the one shown. */
struct machine {
	struct state	 st[STACK_MAX];
	int		 sp;
};

/* What one input did to the machine. */
enum step {
	STEP_NEXT,	/* on to the next input */
	STEP_INVALID,	/* not understood: the screen is shown again, saying so */
	STEP_HALT,	/* as STEP_INVALID, and the inputs after it are not read */
	STEP_DONE	/* r->out holds the answer */
};

static void
machine_home(struct rq *r, struct machine *mc)
{
	mc->sp = 0;
	mc->st[0].scr = S_MENU;
	mc->st[0].menu = r->L->main;
	mc->st[0].page = 0;
}

static enum step
step_menu(struct rq *r, struct machine *mc, const char *in)
{
	const struct menu	*m = &r->L->menus[mc->st[mc->sp].menu];
	const struct item	*it = NULL;
	struct state		 n;
	int			 k;

	for (k = 0; k < m->nitems; k++)
		if (in[0] - '0' == m->items[k].key && in[1] == '\0')
			it = &m->items[k];
	if (it == NULL)
		return STEP_INVALID;
	memset(&n, 0, sizeof(n));
	switch (it->t) {
	case T_MENU:
		n.scr = S_MENU;
		n.menu = it->idx;
		break;
	case T_SUBSCRIBE:
		n.scr = S_SUB_PROMPT;
		break;
	case T_NEWS:
		n.scr = S_NEWS;
		break;
	case T_REPORT:
		n.scr = S_REPORT;
		break;
	case T_STOP:
		n.scr = S_STOP;
		break;
	case T_TEXT:
		snprintf(r->out, USSD_SCREEN_MAX, "END %s", r->L->texts[it->idx].val);
		ussd_clamp(r->out);
		r->finished = 1;
		return STEP_DONE;
	case T_LANG:
		r->L = &r->u->menu->langs[it->idx];
		machine_home(r, mc);
		return STEP_NEXT;
	}
	push(mc->st, &mc->sp, n);
	return STEP_NEXT;
}

/* The areas found for a name: a number picks one, "0" pages, anything else is another name. */
static enum step
step_sub_list(struct rq *r, struct state *c, const char *in, size_t end)
{
	struct sublist	*sl = sub_list(r, c->query);
	char		 header[USSD_SCREEN_MAX];

	if (sl->kind == L_NONE || (!str_is_digits(in) && !ussd_is_blank(in))) {
		if (ussd_is_blank(in))
			return STEP_INVALID;
		/* another name: search again on the same screen */
		c->query = in;
		c->page = 0;
		return STEP_NEXT;
	}
	sub_header(r, sl, header, sizeof(header));
	if (strcmp(in, "0") == 0) {
		if (c->page + 1 < list_pages(r, header, &sl->lines)) {
			c->page++;
			return STEP_NEXT;
		}
		return STEP_INVALID;
	}
	if (str_is_digits(in) && strlen(in) <= 3 && atoi(in) >= 1 && atoi(in) <= sl->n) {
		act_subscribe(r, &sl->areas[atoi(in) - 1], end);
		return STEP_DONE;
	}
	return STEP_INVALID;
}

static enum step
step_news(struct rq *r, struct state *c, const char *in)
{
	news_load(r);
	if (r->news_end)
		return STEP_NEXT;	/* an END screen: nothing more to do */
	if (strcmp(in, "0") == 0 && c->page + 1 < list_pages(r, r->L->msg[M_NEWS_TITLE], r->news)) {
		c->page++;
		return STEP_NEXT;
	}
	return STEP_INVALID;
}

static enum step
step_stop(struct rq *r, const char *in, size_t end)
{
	if (strcmp(in, "1") == 0) {
		act_stop(r, end);
		return STEP_DONE;
	}
	if (strcmp(in, "2") == 0) {
		end_screen(r, M_STOP_CANCELLED, NULL);
		return STEP_DONE;
	}
	return STEP_INVALID;
}

/* Input i on the screen st[sp]. */
static enum step
step(struct rq *r, struct machine *mc, int i)
{
	struct state	*c = &mc->st[mc->sp];
	const char	*in = r->in[i];
	struct state	 n = { S_SUB_LIST, 0, 0, NULL };

	if (c->scr == S_REPORT && !is_back(in)) {
		/* the report is the rest of the text: a '*' in it is the caller's */
		const char *report = r->text + r->start[i];

		if (ussd_is_blank(report))
			return STEP_HALT;
		act_report(r, report, strlen(r->text));
		return STEP_DONE;
	}
	if (is_back(in)) {
		if (c->page > 0)
			c->page--;
		else if (mc->sp > 0)
			mc->sp--;
		return STEP_NEXT;
	}
	switch (c->scr) {
	case S_MENU:
		return step_menu(r, mc, in);
	case S_SUB_PROMPT:
		if (ussd_is_blank(in))
			return STEP_INVALID;
		n.query = in;
		push(mc->st, &mc->sp, n);
		return STEP_NEXT;
	case S_SUB_LIST:
		return step_sub_list(r, c, in, r->end[i]);
	case S_NEWS:
		return step_news(r, c, in);
	case S_STOP:
		return step_stop(r, in, r->end[i]);
	case S_REPORT:
		break;
	}
	return STEP_NEXT;
}

static void
run(struct rq *r)
{
	struct machine	 mc;
	enum step	 s;
	int		 i, invalid = 0;

	memset(&mc, 0, sizeof(mc));
	machine_home(r, &mc);
	for (i = 0; i < r->nin && !r->finished; i++) {
		if ((s = step(r, &mc, i)) == STEP_DONE)
			return;
		invalid = s != STEP_NEXT;
		if (s == STEP_HALT)
			break;
	}
	if (!r->finished)
		render(r, &mc.st[mc.sp], invalid);
}

/* Splits r->text into r->in; -1 when there are too many inputs. */
static int
split(struct rq *r)
{
	char	*p;
	size_t	 off = 0;

	r->buf = xstrdup(r->text);
	r->nin = 0;
	if (*r->text == '\0')
		return 0;
	for (p = r->buf;; ) {
		size_t n = strcspn(p, "*");

		if (r->nin == USSD_MAX_INPUTS)
			return -1;
		r->in[r->nin] = p;
		r->start[r->nin] = off;
		r->end[r->nin] = off + n;
		r->nin++;
		if (p[n] == '\0')
			break;
		p[n] = '\0';
		p += n + 1;
		off += n + 1;
	}
	return 0;
}

void
ussd_answer(struct ussd *u, const char *session_id, const char *number, const char *text, char *out)
{
	struct rq	 r;
	struct session	*s;
	char		 num[MSISDN_MAX];
	const char	*why;
	time_t		 now = clock_now();

	u->st.requests++;
	memset(&r, 0, sizeof(r));
	r.u = u;
	r.st = u->gw->store;
	r.L = &u->menu->langs[u->lang];
	r.text = text;
	r.out = out;
	if (msisdn_normalise(number, u->gw->conf->country, num, &why) == -1) {
		end_screen(&r, M_BAD_NUMBER, NULL);
		return;
	}
	s = session_find(u, session_id);
	if (s != NULL && (strcmp(s->number, num) != 0 || (s->ended && *text == '\0'))) {
		/* another caller, or a new dialogue under an old id: start afresh */
		session_drop(u, s);
		s = NULL;
	}
	if (s != NULL) {
		s->last_at = now;
		TAILQ_REMOVE(&u->lru, s, lru);
		TAILQ_INSERT_TAIL(&u->lru, s, lru);
		if (s->last_text != NULL && strcmp(s->last_text, text) == 0) {
			/* an aggregator's retry: the same screen, nothing done again */
			snprintf(out, USSD_SCREEN_MAX, "%s", s->last_screen);
			return;
		}
	} else
		s = session_new(u, session_id, num, now);
	r.s = s;
	if (split(&r) == -1)
		end_screen(&r, M_ERROR, NULL);
	else
		run(&r);
	free(r.buf);
	if (r.news != NULL) {
		lines_clear(r.news);
		free(r.news);
	}
	free(s->last_text);
	free(s->last_screen);
	s->last_text = r.failed || r.news_msg == M_ERROR ? NULL : xstrdup(text);
	s->last_screen = s->last_text ? xstrdup(out) : NULL;
	session_set_ended(u, s, strncmp(out, "END", 3) == 0);
	log_debug("ussd session=%s text=\"%s\" screen=\"%.40s…\"", s->id, text, out);
}

/* ---- the module ---- */

struct ussd *
ussd_new(struct gateway *gw, const char *menu_path, char *err, size_t errlen)
{
	struct ussd	*u = xcalloc(1, sizeof(*u));
	const char	*lang = gw->conf->language;
	int		 i;

	u->gw = gw;
	TAILQ_INIT(&u->lru);
	if ((u->menu = ussd_menu_read(menu_path, &u->menu_text, err, errlen)) == NULL) {
		free(u);
		return NULL;
	}
	for (i = 0; i < u->menu->nlangs; i++)
		if (lang != NULL && strcmp(u->menu->langs[i].code, lang) == 0)
			u->lang = i;
	u->idle_s = env_long("KT_USSD_IDLE_S", USSD_IDLE_S);
	if (gw->base != NULL)
		u->sweep = timer_every_ms(gw->base, (u->idle_s >= 60 ? 15 : (u->idle_s + 1) / 2) * 1000, sweep_cb, u);
	return u;
}

void
ussd_free(struct ussd *u)
{
	int i;

	if (u == NULL)
		return;
	if (u->sweep != NULL)
		event_free(u->sweep);
	while (!TAILQ_EMPTY(&u->lru))
		session_drop(u, TAILQ_FIRST(&u->lru));
	for (i = 0; i < SEARCH_CACHE; i++)
		sublist_free(u->cache[i]);
	ussd_menu_free(u->menu);
	free(u->menu_text);
	free(u);
}

int
ussd_reload(struct ussd *u, const char *menu_path, char *err, size_t errlen)
{
	struct ussd_menu	*mm;
	char			*text = NULL;
	const char		*lang = u->gw->conf->language;
	int			 i;

	if ((mm = ussd_menu_read(menu_path, &text, err, errlen)) == NULL)
		return -1;
	if (strcmp(text, u->menu_text) == 0) {
		ussd_menu_free(mm);
		free(text);
		return 0;
	}
	/* sessions point into the old menu: they end (a caller dials again) */
	while (!TAILQ_EMPTY(&u->lru))
		session_drop(u, TAILQ_FIRST(&u->lru));
	for (i = 0; i < SEARCH_CACHE; i++) {
		sublist_free(u->cache[i]);
		u->cache[i] = NULL;
	}
	ussd_menu_free(u->menu);
	free(u->menu_text);
	u->menu = mm;
	u->menu_text = text;
	u->lang = 0;
	for (i = 0; i < u->menu->nlangs; i++)
		if (lang != NULL && strcmp(u->menu->langs[i].code, lang) == 0)
			u->lang = i;
	return 1;
}
