/*
 * router — what to do with a received SMS (see router.h).
 *
 * One message, one transaction: read the inbox row, parse it, act through the store, queue the
 * reply, write the audit record and set the row's action, then commit. A row whose action is
 * set is never routed again, so routing is idempotent and a crash before the commit simply
 * routes the row again at start-up (router_catch_up). SIAR too: its broadcast is queued in the
 * same transaction (broadcast_queue), so a crash neither loses nor repeats it.
 *
 * Replies:
 *   sender alphanumeric / short code / in the deny list  -> nothing is done, nothing replied
 *   more than reply_limit automatic replies in an hour   -> acted on, reply dropped ("reply capped")
 *   unknown text                                         -> the help, at most once a day
 *   STOP confirmations are 'confirm' rows (sent even though the number is now stopped), only
 *   when the stop changed something: the first, and at most one more per number per hour
 *   more than reply_budget automatic replies in an hour, all senders -> reply dropped ("reply
 *   budget spent"); alerts, broadcasts and KIM messages are not replies
 *
 * Area arguments (SPEC §3): a code, or names tried as norm_area_split() candidates inside the
 * served areas; a qualifier must name the district or regency of the match. Several matches ->
 * a numbered choice (pending_choices, a day) answered by "1", "2"…; none -> suggestions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/areacode.h"
#include "common/conf.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/msisdn.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "gateway/areas.h"
#include "gateway/broadcast.h"
#include "gateway/gateway.h"
#include "gateway/router.h"
#include "gateway/templates.h"
#include "parsers/gsm7.h"
#include "parsers/norm.h"
#include "parsers/parse.h"
#include "store/store.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_field.h"
#include "store/store_choices.h"
#include "store/store_inbox.h"
#include "store/store_posts.h"
#include "store/store_roles.h"

#define ROUTER_RETRY_S		30	/* catch-up after a store failure */
#define ROUTER_BATCH		25	/* rows per catch-up tick (each one fsyncs) */
#define CHOICE_TTL_S		86400
#define REPLY_TTL_S		86400	/* a reply that could not go out in a day is stale */
#define INFO_MAX_SEGMENTS	2
#define INFO_MAX_ITEMS		10
#define FIND_MAX		64
#define SUGGEST_MAX		3
#define KEYWORDS_MAX_BYTES	(1024 * 1024)

struct router {
	struct gateway		*gw;
	struct parse_table	*pt;
	struct templates	*tpl;
	struct event		*tick;		/* catch-up: next batch, or retry after a failure */
	int64_t			 after;		/* catch-up position */
	int			 catching_up;
	struct parse_result	 res;
	struct pin_hold		*held;		/* SIAR texts masked before the commit (router_mask_pin) */
	int			 nheld;
	long			 budget_dropped;	/* replies dropped by reply_budget since start */
	time_t			 budget_logged_at;
};

/*
 * A SIAR text as received, kept in memory only, between ingest (which stores it masked) and
 * routing. Lost in a crash: the message is then refused with "send again", never checked against
 * a PIN it does not have.
 */
struct pin_hold {
	char		 sender[32];
	char		*masked;	/* as stored (the start of the row's text for a long SMS) */
	char		*orig;
	time_t		 at;
};
#define PIN_HOLD_MAX	32
#define PIN_HOLD_S	86400

/* One message being routed. */
struct route {
	struct router			*r;
	struct store			*st;
	const struct store_inbox_row	*row;
	const struct parse_result	*res;
	const char			*from;
	char				 actor[48];
	time_t				 now;
	char				 action[256];
	char				 reply[1024];
	int				 budget_hit;	/* a reply was dropped by reply_budget */
	enum outbox_kind		 kind;
	int				 queued;	/* rows other than the reply were queued */
	char				 area[16];	/* for the log line */
};

static void	tick_cb(evutil_socket_t, short, void *);

/* ---- helpers ---- */

/* Appends src to dst (size len), truncating; glibc before 2.38 has no strlcat. */
static void
append(char *dst, const char *src, size_t len)
{
	size_t l = strlen(dst);

	if (l + 1 < len)
		snprintf(dst + l, len - l, "%s", src);
}

static int
denied(const struct conf *conf, const char *from)
{
	const char	*p = conf->deny, *e;
	char		 one[64], num[MSISDN_MAX];
	const char	*why;

	while (p && *p) {
		size_t n;

		/* comma list; spaces inside an entry are part of how people write numbers */
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ",");
		for (e = p + n; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (e > p && (size_t)(e - p) < sizeof(one)) {
			snprintf(one, sizeof(one), "%.*s", (int)(e - p), p);
			if (strcmp(one, from) == 0 ||
			    (msisdn_normalise(one, conf->country, num, &why) == 0 && strcmp(num, from) == 0))
				return 1;
		}
		p += n;
	}
	return 0;
}

/* ---- replies ---- */

static void
reply(struct route *rt, const char *key, const char *const *vars)
{
	templates_render(rt->r->tpl, key, rt->reply, sizeof(rt->reply), vars);
	rt->kind = OUTBOX_REPLY;
}

/* Whether the gateway-wide hourly budget of automatic replies has room for one more. */
static int
budget_left(struct route *rt)
{
	struct router	*r = rt->r;
	long		 budget = r->gw->conf->reply_budget;

	if (budget <= 0 || store_outbox_auto_replies_since(rt->st, rt->now - 3600) < budget)
		return 1;
	rt->budget_hit = 1;
	r->budget_dropped++;
	if (rt->now - r->budget_logged_at >= 3600) {
		r->budget_logged_at = rt->now;
		log_warnx("router: the reply budget of %ld automatic replies an hour is spent; further replies "
		    "are dropped (messages are still acted on; reply_budget in [gateway])", budget);
	}
	return 0;
}

/* Whether one more automatic reply may go to the sender this hour. */
static int
reply_allowed(struct route *rt)
{
	long limit = rt->r->gw->conf->reply_limit;

	return store_outbox_replies_since(rt->st, rt->from, rt->now - 3600) < limit && budget_left(rt);
}

/* Stop confirmations per number per hour: the first, and one more (stopping two areas one after
 * the other is confirmed twice; alternating DAFTAR and BERHENTI no longer gets a reply each). */
#define CONFIRMS_PER_HOUR	2

static int
confirm_allowed(struct route *rt)
{
	return store_outbox_confirms_since(rt->st, rt->from, rt->now - 3600) < CONFIRMS_PER_HOUR &&
	    budget_left(rt);
}

static size_t
sms_segments(const char *text)
{
	struct gsm7_count c;

	gsm7_count(text, strlen(text), &c);
	return c.segments;
}

static void
set_action(struct route *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_action(struct route *rt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rt->action, sizeof(rt->action), fmt, ap);
	va_end(ap);
}

static enum store_status
audit(struct route *rt, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum store_status
audit(struct route *rt, const char *what, const char *fmt, ...)
{
	char	 detail[4096];
	va_list	 ap;
	int	 n;

	n = snprintf(detail, sizeof(detail), "{\"inbox\":%lld,", (long long)rt->row->id);
	va_start(ap, fmt);
	vsnprintf(detail + n, sizeof(detail) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	append(detail, "}", sizeof(detail));
	return store_audit(rt->st, rt->actor, what, detail);
}

/* The numbered list of options, as many as fit one SMS; stores the pending choice. */
static enum store_status
ask_choice(struct route *rt, const char *action, struct areas_match *rv)
{
	char		 lines[TEMPLATE_MAX], label[200], line[220];
	const char	*codes[STORE_CHOICE_MAX];
	char		 total[16];
	const char	*vars[] = { "name", rv->name, "choices", lines, NULL };
	const char	*mvars[] = { "name", rv->name, "choices", lines, "total", total, NULL };
	size_t		 off = 0;
	int		 i, n = 0;

	lines[0] = '\0';
	for (i = 0; i < rv->nopts && n < STORE_CHOICE_MAX; i++) {
		areas_label(rt->st, &rv->opts[i], label, sizeof(label));
		snprintf(line, sizeof(line), "%s%d %s", n ? "\n" : "", n + 1, label);
		if (off + strlen(line) >= sizeof(lines))
			break;
		memcpy(lines + off, line, strlen(line) + 1);
		reply(rt, "choose", vars);
		if (n > 0 && sms_segments(rt->reply) > 1) {
			lines[off] = '\0';
			break;
		}
		off += strlen(line);
		codes[n++] = rv->opts[i].code;
	}
	if (n < rv->nopts) {
		/* not all fit: say how many there are and how to name the district instead */
		snprintf(total, sizeof(total), "%d", rv->nopts);
		for (;;) {
			reply(rt, "choose_more", mvars);
			if (n <= 1 || sms_segments(rt->reply) <= 1)
				break;
			n--;
			lines[0] = '\0';
			for (i = 0, off = 0; i < n; i++) {
				areas_label(rt->st, &rv->opts[i], label, sizeof(label));
				off += (size_t)snprintf(lines + off, sizeof(lines) - off, "%s%d %s", i ? "\n" : "",
				    i + 1, label);
			}
		}
	} else
		reply(rt, "choose", vars);
	set_action(rt, "choice asked %d of %d options", n, rv->nopts);
	return store_choice_put(rt->st, rt->from, action, codes, n, rt->now + CHOICE_TTL_S);
}

static void
reply_not_found(struct route *rt, struct areas_match *rv)
{
	char		 sugg[300] = "", label[200];
	const char	*vars[] = { "name", rv->name, "suggestions", sugg, NULL };
	size_t		 keep;
	int		 i;

	/* as many suggestions as fit one SMS: places with their district, or bare names */
	for (i = 0; i < rv->nopts; i++) {
		if (rv->opts[i].code[0] != '\0')
			areas_label(rt->st, &rv->opts[i], label, sizeof(label));
		else
			snprintf(label, sizeof(label), "%s", rv->opts[i].name);
		if (strlen(sugg) + strlen(label) + 3 >= sizeof(sugg))
			break;
		keep = strlen(sugg);
		if (i > 0)
			append(sugg, ", ", sizeof(sugg));
		append(sugg, label, sizeof(sugg));
		reply(rt, "not_found", vars);
		if (sms_segments(rt->reply) > 1) {
			sugg[keep] = '\0';
			break;
		}
	}
	reply(rt, sugg[0] ? "not_found" : "not_found_none", vars);
}

/* ---- actions ---- */

static enum store_status
do_subscribe_code(struct route *rt, const struct store_area *a)
{
	char			 label[200];
	const char		*vars[] = { "area", label, NULL };
	int			 created;
	enum store_status	 s;

	snprintf(rt->area, sizeof(rt->area), "%s", a->code);
	if ((s = store_subscribe(rt->st, rt->from, a->code, NULL, &created)) != STORE_OK)
		return s;
	areas_label(rt->st, a, label, sizeof(label));
	if (!created) {
		set_action(rt, "already subscribed %s", a->code);
		reply(rt, "already_subscribed", vars);
		return STORE_OK;
	}
	set_action(rt, "subscribed %s", a->code);
	reply(rt, "subscribed", vars);
	if (sms_segments(rt->reply) > 1) {
		snprintf(label, sizeof(label), "%s", a->name);
		reply(rt, "subscribed", vars);
	}
	return audit(rt, "subscribe", "\"number\":\"%s\",\"area\":\"%s\"", rt->from, a->code);
}

static enum store_status
do_unsubscribe_code(struct route *rt, const struct store_area *a)
{
	char			 label[200];
	const char		*vars[] = { "area", label, NULL };
	int			 removed = 0;
	enum store_status	 s;

	snprintf(rt->area, sizeof(rt->area), "%s", a->code);
	areas_label(rt->st, a, label, sizeof(label));
	s = store_unsubscribe(rt->st, rt->from, a->code, &removed);
	if (s == STORE_NOTFOUND || (s == STORE_OK && removed == 0)) {
		set_action(rt, "stop %s: not subscribed", a->code);
		reply(rt, "not_subscribed_area", vars);
		return STORE_OK;
	}
	if (s != STORE_OK)
		return s;
	set_action(rt, "stopped %s%s", a->code, store_subscriber_active(rt->st, rt->from) ? "" : ", no area left");
	reply(rt, "stopped_area", vars);
	rt->kind = OUTBOX_CONFIRM;
	return audit(rt, "unsubscribe", "\"number\":\"%s\",\"area\":\"%s\"", rt->from, a->code);
}

static enum store_status
do_stop_all(struct route *rt, const char *why)
{
	int			 removed = 0;
	enum store_status	 s;

	if ((s = store_choice_clear(rt->st, rt->from)) != STORE_OK)
		return s;
	s = store_unsubscribe(rt->st, rt->from, NULL, &removed);
	if (s == STORE_NOTFOUND) {
		set_action(rt, "stop: not subscribed%s", why);
		reply(rt, "not_subscribed", NULL);
		return STORE_OK;
	}
	if (s != STORE_OK)
		return s;
	if (removed == 0) {
		/* confirmed once already: a robot answering our confirmation gets nothing */
		set_action(rt, "stop: already stopped%s", why);
		return STORE_OK;
	}
	set_action(rt, "stopped all%s", why);
	reply(rt, "stopped_all", NULL);
	rt->kind = OUTBOX_CONFIRM;
	return audit(rt, "unsubscribe", "\"number\":\"%s\",\"area\":null", rt->from);
}

static enum store_status
act_subscribe(struct route *rt)
{
	struct areas_match	*rv = xmalloc(sizeof(*rv));
	enum store_status s = STORE_OK;

	switch (areas_resolve(rt->st, rt->r->gw->conf->areas, rt->res->area, NULL, SUGGEST_MAX, rv)) {
	case AREAS_NONE:
		set_action(rt, "subscribe: no area, asked");
		reply(rt, "need_area", NULL);
		break;
	case AREAS_FOUND:
		s = do_subscribe_code(rt, &rv->area);
		break;
	case AREAS_CHOICE:
		s = ask_choice(rt, "subscribe", rv);
		break;
	case AREAS_NOTFOUND:
		set_action(rt, "subscribe: area not found, %d suggestions", rv->nopts);
		reply_not_found(rt, rv);
		break;
	case AREAS_ERROR:
		s = STORE_ERROR;
		break;
	}
	free(rv);
	return s;
}

static enum store_status
act_unsubscribe(struct route *rt)
{
	struct areas_match		*rv;
	char			 mine[1024], why[160];
	enum store_status	 s = STORE_OK;

	if (rt->res->area[0] == '\0')
		return do_stop_all(rt, "");
	/* not (or no longer) subscribed anywhere: the answer does not depend on the area */
	if (store_subscriber_areas(rt->st, rt->from, mine, sizeof(mine)) == 0)
		return do_stop_all(rt, "");
	rv = xmalloc(sizeof(*rv));
	switch (areas_resolve(rt->st, rt->r->gw->conf->areas, rt->res->area, mine, SUGGEST_MAX, rv)) {
	case AREAS_FOUND:
		s = do_unsubscribe_code(rt, &rv->area);
		break;
	case AREAS_CHOICE:
		if (!areacode_listed(rv->opts[0].code, mine)) {
			/* several places of that name, none of them the sender's */
			const char *vars[] = { "area", rv->name, NULL };

			set_action(rt, "stop: not subscribed to any %d places of that name", rv->nopts);
			reply(rt, "not_subscribed_area", vars);
			break;
		}
		s = ask_choice(rt, "unsubscribe", rv);
		break;
	case AREAS_NONE:
	case AREAS_NOTFOUND:
		/* "STOP KIRIM SMS": whatever follows, stop means stop */
		snprintf(why, sizeof(why), " ('%.100s' is no area)", rt->res->area);
		s = do_stop_all(rt, why);
		break;
	case AREAS_ERROR:
		s = STORE_ERROR;
		break;
	}
	free(rv);
	return s;
}

static enum store_status
act_choice(struct route *rt, int *unknown)
{
	struct store_choice	 c;
	struct store_area	 a;
	char			 n[16], max[16];
	const char		*vars[] = { "n", n, "max", max, NULL };
	enum store_status	 s;

	s = store_choice_get(rt->st, rt->from, rt->now, &c);
	if (s == STORE_NOTFOUND) {
		*unknown = 1;
		return STORE_OK;
	}
	if (s != STORE_OK)
		return s;
	if (rt->res->choice < 1 || (int)rt->res->choice > c.n) {
		snprintf(n, sizeof(n), "%u", rt->res->choice);
		snprintf(max, sizeof(max), "%d", c.n);
		set_action(rt, "choice %u: out of range 1-%d", rt->res->choice, c.n);
		reply(rt, "choice_invalid", vars);
		return STORE_OK;
	}
	if ((s = store_area_get(rt->st, c.codes[rt->res->choice - 1], &a)) != STORE_OK)
		return s;
	if ((s = store_choice_clear(rt->st, rt->from)) != STORE_OK)
		return s;
	if (strcmp(c.action, "unsubscribe") == 0)
		s = do_unsubscribe_code(rt, &a);
	else
		s = do_subscribe_code(rt, &a);
	if (s == STORE_OK) {
		size_t l = strlen(rt->action);

		snprintf(rt->action + l, sizeof(rt->action) - l, " (choice %u)", rt->res->choice);
	}
	return s;
}

struct info_acc {
	char	 text[1024];
	int	 n;
	int	 full;
};

static int
info_row_cb(void *arg, const struct table_row *row)
{
	struct info_acc	*acc = arg;
	const char	*t = NULL;
	char		 one[1024], trial[2048 + 8];
	size_t		 len;
	int		 i;

	for (i = 0; i < row->n; i++)
		if (strcmp(row->names[i], "text") == 0)
			t = row->values[i];
	if (t == NULL || acc->full)
		return 0;
	gsm7_translit(t, strlen(t), one, sizeof(one), NULL);
	snprintf(trial, sizeof(trial), "%s%s%s", acc->text, acc->n ? "\n--\n" : "", one);
	if (sms_segments(trial) <= INFO_MAX_SEGMENTS) {
		snprintf(acc->text, sizeof(acc->text), "%s", trial);
		acc->n++;
		return 0;
	}
	if (acc->n == 0) {
		/* the newest alone is too long: its start, cut at a character */
		len = strlen(trial);
		while (len > 0) {
			len = utf8_cut(trial, len, len - 1);
			memcpy(trial + len, "...", 4);
			if (sms_segments(trial) <= INFO_MAX_SEGMENTS)
				break;
		}
		snprintf(acc->text, sizeof(acc->text), "%s", trial);
		acc->n++;
	}
	acc->full = 1;
	return 1;
}

/*
 * INFO AREA: the latest announcements for that area (announced to it, around it or inside it) when
 * the sender is subscribed to it (or near it), or to anyone with public_info. A word that names no
 * area ("INFO TERBARU") is the plain INFO. Returns 1 when it answered.
 */
static int
pull_area(struct route *rt, enum store_status *sp)
{
	struct areas_match	*rv;
	struct info_acc		 acc;
	char			 mine[1024], label[200];
	const char		*vars[] = { "area", label, "name", rt->res->area, NULL };
	int			 done = 1;

	*sp = STORE_OK;
	store_subscriber_areas(rt->st, rt->from, mine, sizeof(mine));
	rv = xmalloc(sizeof(*rv));
	switch (areas_resolve(rt->st, rt->r->gw->conf->areas, rt->res->area, mine, SUGGEST_MAX, rv)) {
	case AREAS_FOUND:
		break;
	case AREAS_CHOICE:
		/* several places of that name: the one the sender follows, if any */
		rv->area = rv->opts[0];
		if (store_subscribed_near(rt->st, rt->from, rv->area.code))
			break;
		snprintf(label, sizeof(label), "%s", rv->name);
		set_action(rt, "info %s: ambiguous, not subscribed", rt->res->area);
		reply(rt, "info_area_not_subscribed", vars);
		goto out;
	case AREAS_ERROR:
		*sp = STORE_ERROR;
		goto out;
	default:
		done = 0;
		goto out;
	}
	snprintf(rt->area, sizeof(rt->area), "%s", rv->area.code);
	areas_label(rt->st, &rv->area, label, sizeof(label));
	if (!rt->r->gw->conf->public_info && !store_subscribed_near(rt->st, rt->from, rv->area.code)) {
		set_action(rt, "info %s: not subscribed", rv->area.code);
		reply(rt, "info_area_not_subscribed", vars);
		goto out;
	}
	memset(&acc, 0, sizeof(acc));
	if ((*sp = store_latest_for_area(rt->st, rv->area.code, INFO_MAX_ITEMS, info_row_cb, &acc)) != STORE_OK)
		goto out;
	if (acc.n == 0) {
		set_action(rt, "info %s: none", rv->area.code);
		reply(rt, "info_area_none", vars);
		goto out;
	}
	set_action(rt, "info %s: %d announcement%s", rv->area.code, acc.n, acc.n == 1 ? "" : "s");
	snprintf(rt->reply, sizeof(rt->reply), "%s", acc.text);
	rt->kind = OUTBOX_REPLY;
out:
	free(rv);
	return done;
}

static enum store_status
act_pull(struct route *rt)
{
	struct info_acc		 acc;
	enum store_status	 s;

	if (rt->res->area[0] != '\0' && pull_area(rt, &s))
		return s;
	if (!store_subscriber_active(rt->st, rt->from)) {
		set_action(rt, "info: not subscribed");
		reply(rt, "info_not_subscribed", NULL);
		return STORE_OK;
	}
	memset(&acc, 0, sizeof(acc));
	if ((s = store_latest_for(rt->st, rt->from, INFO_MAX_ITEMS, info_row_cb, &acc)) != STORE_OK)
		return s;
	if (acc.n == 0) {
		set_action(rt, "info: none");
		reply(rt, "info_none", NULL);
		return STORE_OK;
	}
	set_action(rt, "info: %d announcement%s", acc.n, acc.n == 1 ? "" : "s");
	snprintf(rt->reply, sizeof(rt->reply), "%s", acc.text);
	rt->kind = OUTBOX_REPLY;
	return STORE_OK;
}

static enum store_status
act_report(struct route *rt)
{
	struct store_leader	 l;
	char			 areas[256], idbuf[24], esc[600];
	const char		*vars[] = { "id", idbuf, NULL };
	int64_t			 id;
	int			 leader;
	enum store_status	 s;

	if (rt->res->text[0] == '\0') {
		set_action(rt, "report: empty, asked");
		reply(rt, "report_empty", NULL);
		return STORE_OK;
	}
	s = store_leader_get(rt->st, rt->from, &l);
	if (s != STORE_OK && s != STORE_NOTFOUND)
		return s;
	leader = s == STORE_OK;
	if (!leader) {
		/* the sender's first area tells the reviewer where it comes from */
		store_subscriber_areas(rt->st, rt->from, areas, sizeof(areas));
		areas[strcspn(areas, ",")] = '\0';
	}
	if ((s = store_post_add(rt->st, rt->from, leader ? l.kim : NULL, leader ? l.area : areas, rt->res->text,
	    leader, rt->row->id, &id)) != STORE_OK)
		return s;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	snprintf(rt->area, sizeof(rt->area), "%.15s", leader ? l.area : areas);
	set_action(rt, "report %s #%lld", leader ? "published" : "pending", (long long)id);
	reply(rt, leader ? "report_published" : "report_pending", vars);
	return audit(rt, "report", "\"post\":%lld,\"status\":\"%s\",\"text\":\"%s\"", (long long)id,
	    leader ? "published" : "pending", json_escape(rt->res->text, esc, sizeof(esc)));
}

static enum store_status
act_group(struct route *rt)
{
	struct store_leader	 l;
	char			 nbuf[24], *text;
	const char		*vars[] = { "n", nbuf, "kim", l.kim, NULL };
	long			 n;
	enum store_status	 s;

	s = store_leader_get(rt->st, rt->from, &l);
	if (s == STORE_NOTFOUND) {
		set_action(rt, "kim refused: not a leader");
		reply(rt, "kim_not_leader", NULL);
		return STORE_OK;
	}
	if (s != STORE_OK)
		return s;
	if (rt->res->text[0] == '\0') {
		set_action(rt, "kim: empty, asked");
		reply(rt, "kim_empty", NULL);
		return STORE_OK;
	}
	snprintf(rt->area, sizeof(rt->area), "%s", l.area);
	/* members see which KIM speaks */
	xasprintf(&text, "KIM %s: %s", l.kim, rt->res->text);
	s = store_kim_queue(rt->st, l.area, rt->from, text, rt->row->id, &n);
	free(text);
	if (s != STORE_OK)
		return s;
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	set_action(rt, "kim to %ld members", n);
	reply(rt, "kim_sent", vars);
	rt->queued = n > 0;
	return audit(rt, "kim", "\"area\":\"%s\",\"members\":%ld", l.area, n);
}

/* Queues an official's SIAR broadcast to area and sets the reply. */
static enum store_status
siar_queue(struct route *rt, const struct store_area *area)
{
	struct broadcast_req	 req;
	struct broadcast_res	 res;
	char			 err[256], idbuf[24], nbuf[24];
	const char		*vars[] = { "id", idbuf, "n", nbuf, "code", res.code, NULL };
	const char		*rvars[] = { "reason", err, NULL };
	int			 rc;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.text = rt->res->text;
	req.areas[0] = area->code;
	req.nareas = 1;
	/* DARURAT (and ALERT) is SIAR with alert priority: it overtakes, and with alert_approval = 2
	 * it waits for a second official */
	req.priority = !strcmp(rt->res->alias, "DARURAT") || !strcmp(rt->res->alias, "ALERT") ? OUTBOX_ALERT :
	    OUTBOX_NORMAL;
	req.source = rt->from;
	rc = broadcast_queue(rt->r->gw, &req, &res, err, sizeof(err));
	if (rc == -2)
		return STORE_ERROR;	/* the whole message is rolled back and routed again later */
	if (rc == 0) {
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)res.id);
		snprintf(nbuf, sizeof(nbuf), "%ld", res.recipients);
		if (res.pending) {
			set_action(rt, "siar #%lld pending approval", (long long)res.id);
			reply(rt, "siar_pending", vars);
			return STORE_OK;
		}
		set_action(rt, "siar #%lld to %ld recipients", (long long)res.id, res.recipients);
		reply(rt, "siar_sent", vars);
		rt->queued = 1;
		return STORE_OK;
	}
	set_action(rt, "siar refused: %s", err);
	reply(rt, "siar_refused", rvars);
	if (sms_segments(rt->reply) > 1) {
		snprintf(err, sizeof(err), "%s", "periksa teks dan wilayah");
		reply(rt, "siar_refused", rvars);
	}
	return STORE_OK;
}

/*
 * SIAR: checks number, PIN and area, then queues the broadcast through the console's path
 * (broadcast_queue), all inside the message's transaction.
 */
/*
 * The PIN check that SIAR and SETUJU share: 1 when the sender is an official and the PIN is right;
 * else 0 with the refusal set, replied and audited (*s says whether that was stored).
 */
static int
official_pin_ok(struct route *rt, const char *what, enum store_status *s)
{
	char		 nbuf[16], nb[40];
	const char	*vars[] = { "n", nbuf, NULL };
	int		 tries;
	time_t		 until;

	*s = STORE_OK;
	switch (store_official_check_pin(rt->st, rt->from, rt->res->pin[0] ? rt->res->pin : "", rt->now, &tries,
	    &until)) {
	case STORE_PIN_OK:
		return 1;
	case STORE_PIN_NOT_OFFICIAL:
		set_action(rt, "%s refused: not an official", what);
		reply(rt, "siar_not_official", NULL);
		break;
	case STORE_PIN_ERROR:
		*s = STORE_ERROR;
		break;
	case STORE_PIN_LOCKED:
		set_action(rt, "%s refused: locked", what);
		reply(rt, "siar_locked", NULL);
		break;
	case STORE_PIN_LOCKED_NOW:
		log_warnx("%s: %d wrong PINs from=%s: locked for an hour", what, STORE_PIN_TRIES,
		    log_msisdn(rt->from, nb));
		set_action(rt, "%s refused: wrong pin, locked", what);
		reply(rt, "siar_locked", NULL);
		*s = audit(rt, "siar locked", "\"number\":\"%s\",\"until\":%lld", rt->from, (long long)until);
		break;
	case STORE_PIN_WRONG:
		snprintf(nbuf, sizeof(nbuf), "%d", tries);
		set_action(rt, "%s refused: wrong pin", what);
		reply(rt, "siar_wrong_pin", vars);
		*s = audit(rt, "siar wrong pin", "\"number\":\"%s\",\"tries_left\":%d", rt->from, tries);
		break;
	}
	return 0;
}

static enum store_status
act_broadcast(struct route *rt)
{
	struct areas_match		*rv;
	char			 reason[200];
	const char		*rvars[] = { "reason", reason, NULL };
	enum store_status	 s = STORE_OK;

	if (!official_pin_ok(rt, "siar", &s))
		return s;
	if (rt->res->area[0] == '\0' || rt->res->text[0] == '\0') {
		set_action(rt, "siar refused: incomplete");
		reply(rt, "siar_usage", NULL);
		return STORE_OK;
	}
	rv = xmalloc(sizeof(*rv));
	switch (areas_resolve(rt->st, rt->r->gw->conf->areas, rt->res->area, NULL, SUGGEST_MAX, rv)) {
	case AREAS_FOUND:
		snprintf(rt->area, sizeof(rt->area), "%s", rv->area.code);
		s = siar_queue(rt, &rv->area);
		break;
	case AREAS_CHOICE:
		snprintf(reason, sizeof(reason), "%s ada di %d tempat, pakai kode wilayah", rv->name, rv->nopts);
		set_action(rt, "siar refused: area ambiguous");
		reply(rt, "siar_refused", rvars);
		break;
	case AREAS_NONE:
	case AREAS_NOTFOUND:
		snprintf(reason, sizeof(reason), "wilayah %s tidak dikenal", rv->name);
		set_action(rt, "siar refused: area not found");
		reply(rt, "siar_refused", rvars);
		break;
	case AREAS_ERROR:
		s = STORE_ERROR;
		break;
	}
	free(rv);
	return s;
}

/* Who sent an announcement, for a villager: the console's officials by name, an official's
 * number with its middle masked. */
static void
source_label(struct route *rt, const char *source, char *out, size_t len)
{
	size_t	 n = strlen(source);

	if (source[0] != '+' || n < 9)
		templates_render(rt->r->tpl, "source_console", out, len, NULL);
	else
		snprintf(out, len, "%.6s****%s", source, source + n - 4);
}

static void
reply_brief(struct route *rt, const char *key, const struct store_ann_brief *b)
{
	char		 idbuf[24], cbuf[24], src[80];
	const char	*vars[] = { "code", b->code, "id", idbuf, "source", src, "created", b->created,
	    "corrects", cbuf, NULL };

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)b->id);
	snprintf(cbuf, sizeof(cbuf), "%lld", (long long)b->corrects);
	source_label(rt, b->source, src, sizeof(src));
	if (!strcmp(b->state, "cancelled"))
		key = "cek_cancelled";
	else if (b->corrects && !strcmp(key, "cek_found"))
		key = "cek_found_ralat";
	reply(rt, key, vars);
}

struct cek_match {
	const char	*fwd;		/* the forwarded text, normalised */
	size_t		 fwdlen;
	int64_t		 id;
};

static int
cek_row_cb(void *arg, const struct table_row *row)
{
	struct cek_match	*cm = arg;
	const char		*t = NULL, *id = NULL;
	char			 norm[PARSE_NORM_MAX];
	size_t			 n;
	int			 trunc, i;

	for (i = 0; i < row->n; i++) {
		if (!strcmp(row->names[i], "text"))
			t = row->values[i];
		else if (!strcmp(row->names[i], "id"))
			id = row->values[i];
	}
	if (t == NULL || id == NULL)
		return 0;
	n = norm_text(t, strlen(t), norm, sizeof(norm), NULL, NULL, &trunc);
	/* the whole announcement inside what was forwarded (with "Fwd:", a greeting…), or a long
	 * enough forwarded piece inside the announcement (cut by a phone or a chat app) */
	if (n == 0 || (!strstr(cm->fwd, norm) && (cm->fwdlen < 20 || !strstr(norm, cm->fwd))))
		return 0;
	cm->id = atoll(id);
	return 1;
}

/* A code as villagers type it: 4-6 letters and digits, upper-cased. 1 when text is one. */
static int
cek_code(const char *text, char *out, size_t len)
{
	size_t	 i, n = strcspn(text, " \t\r\n");

	if (n < 4 || n > 6 || text[n + strspn(text + n, " \t\r\n.!?")] != '\0' || n >= len)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)text[i]))
			return 0;
		out[i] = (char)toupper((unsigned char)text[i]);
	}
	out[n] = '\0';
	return 1;
}

/*
 * CEK CODE: who sent the announcement with that code and when, or a hoax warning. CEK followed by
 * a forwarded text: a code written in it ("Kode: K7QX") or the text itself matched against the
 * announcements of the last 30 days. Replies are ordinary replies: they count against the cap.
 */
static enum store_status
act_verify(struct route *rt)
{
	struct store_ann_brief	 b;
	struct cek_match	 cm;
	char			 code[16], norm[PARSE_NORM_MAX];
	const char		*vars[] = { "code", code, NULL };
	const char		*k;
	int			 trunc;
	enum store_status	 s;

	if (rt->res->text[0] == '\0') {
		set_action(rt, "cek: empty, asked");
		reply(rt, "cek_usage", NULL);
		return STORE_OK;
	}
	if (cek_code(rt->res->text, code, sizeof(code))) {
		s = store_announcement_by_code(rt->st, code, &b);
		if (s == STORE_NOTFOUND || (s == STORE_OK && (!strcmp(b.state, "pending") ||
		    !strcmp(b.state, "expired")))) {
			set_action(rt, "cek %s: not found", code);
			reply(rt, "cek_unknown", vars);
			return STORE_OK;
		}
		if (s != STORE_OK)
			return s;
		set_action(rt, "cek %s: #%lld", code, (long long)b.id);
		reply_brief(rt, "cek_found", &b);
		return STORE_OK;
	}
	memset(&cm, 0, sizeof(cm));
	cm.fwdlen = norm_text(rt->res->text, strlen(rt->res->text), norm, sizeof(norm), NULL, NULL, &trunc);
	cm.fwd = norm;
	/* a forwarded announcement that carries its code */
	if ((k = strstr(norm, "KODE ")) != NULL && cek_code(k + 5, code, sizeof(code)) &&
	    store_announcement_by_code(rt->st, code, &b) == STORE_OK && !strcmp(b.state, "active")) {
		set_action(rt, "cek text (code %s): #%lld", code, (long long)b.id);
		reply_brief(rt, "cek_text_found", &b);
		return STORE_OK;
	}
	if ((s = store_announcements_since(rt->st, rt->now - 30 * 86400, 500, cek_row_cb, &cm)) != STORE_OK)
		return s;
	if (cm.id == 0 || (s = store_announcement_brief(rt->st, cm.id, &b)) == STORE_NOTFOUND) {
		set_action(rt, "cek text: not found");
		reply(rt, "cek_text_unknown", NULL);
		return STORE_OK;
	}
	if (s != STORE_OK)
		return s;
	set_action(rt, "cek text: #%lld", (long long)b.id);
	reply_brief(rt, "cek_text_found", &b);
	return STORE_OK;
}

/*
 * SETUJU ID PIN: a registered official approves an alert held by the two-person rule, inside the
 * message's transaction (the fan-out commits with the inbox row's action). The PIN is checked by
 * the same function as SIAR's, with the same lockout.
 */
static enum store_status
act_approve(struct route *rt)
{
	char			 idbuf[24], nbuf[24], reason[200], err[512];
	const char		*vars[] = { "id", idbuf, "n", nbuf, "reason", reason, NULL };
	long			 n;
	enum store_status	 s;

	snprintf(idbuf, sizeof(idbuf), "%lld", rt->res->ref);
	if (!official_pin_ok(rt, "approve", &s))
		return s;
	if (rt->res->ref <= 0) {
		set_action(rt, "approve refused: no id");
		reply(rt, "approve_usage", NULL);
		return STORE_OK;
	}
	switch (broadcast_approve(rt->r->gw, rt->res->ref, rt->from, 1, &n, err, sizeof(err))) {
	case 0:
		snprintf(nbuf, sizeof(nbuf), "%ld", n);
		set_action(rt, "approved #%lld to %ld recipients", rt->res->ref, n);
		reply(rt, "approve_ok", vars);
		rt->queued = 1;
		return STORE_OK;
	case -1:
		if (strstr(err, "different official"))
			snprintf(reason, sizeof(reason), "petugas yg mengirim tidak boleh menyetujui sendiri");
		else if (strstr(err, "expired"))
			snprintf(reason, sizeof(reason), "sudah kedaluwarsa");
		else if (strstr(err, "no announcement"))
			snprintf(reason, sizeof(reason), "siaran tidak ada");
		else
			snprintf(reason, sizeof(reason), "tidak menunggu persetujuan");
		if (!strcmp(rt->r->gw->conf->language, "en"))
			snprintf(reason, sizeof(reason), "%.190s", err);
		set_action(rt, "approve #%lld refused: %.180s", rt->res->ref, err);
		reply(rt, "approve_refused", vars);
		return audit(rt, "approve refused", "\"id\":%lld", rt->res->ref);
	default:
		return STORE_ERROR;
	}
}

/* A SIAR or SETUJU whose PIN is gone: the daemon restarted between storing and checking it, and
 * PINs are kept in memory only. what: "siar" or "approve", for the action. */
static void
refuse_pin_lost(struct route *rt, const char *what)
{
	const char *vars[] = { "reason", "PIN hilang saat gateway mulai ulang, kirim lagi", NULL };

	set_action(rt, "%s refused: pin not kept over a restart", what);
	reply(rt, "siar_refused", vars);
}

static enum store_status
act_unknown(struct route *rt, const char *what)
{
	if (store_unknown_replies_since(rt->st, rt->from, rt->now - 86400) > 0) {
		set_action(rt, "unknown%s: help already sent today", what);
		return STORE_OK;
	}
	if (!reply_allowed(rt)) {
		set_action(rt, "unknown%s: %s", what, rt->budget_hit ? "reply budget spent" : "reply capped");
		return STORE_OK;
	}
	set_action(rt, "unknown%s: help sent", what);
	reply(rt, "unknown", NULL);
	return STORE_OK;
}

/*
 * The SIAR PIN must not stay in clear in the inbox (the console lists it): the PIN token, where
 * the parser found it in the original text (with any zero-width or fullwidth characters in it),
 * becomes asterisks. Returns 1 and sets *out (xmalloc'd) when there was a PIN.
 */
static int
mask_pin(const char *text, const struct parse_result *res, char **out)
{
	size_t	 len = strlen(text), n = strlen(res->pin);

	if (res->pin_len == 0 || res->pin_off + res->pin_len > len)
		return 0;
	if (n < 4)
		n = 4;
	if (n > 12)
		n = 12;
	*out = xmalloc(len - res->pin_len + n + 1);
	memcpy(*out, text, res->pin_off);
	memset(*out + res->pin_off, '*', n);
	memcpy(*out + res->pin_off + n, text + res->pin_off + res->pin_len, len - res->pin_off - res->pin_len + 1);
	return 1;
}

/* Whether a stored SIAR or SETUJU text had its PIN masked before it was committed: "SIAR ****…",
 * "SETUJU 12 ****" (words before the PIN: skip). */
static int
pin_masked(const char *text, int skip)
{
	const char	*p = text;
	size_t		 n;

	while (*p && *p != ' ' && *p != '*')
		p++;
	p += strspn(p, " ");
	while (skip-- > 0 && *p && *p != '*') {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	n = strspn(p, "*");
	return n >= 4 && (p[n] == ' ' || p[n] == '\0');
}

static void
hold_free(struct pin_hold *h)
{
	explicit_bzero(h->orig, strlen(h->orig));
	free(h->orig);
	free(h->masked);
}

long
router_budget_dropped(const struct router *r)
{
	return r->budget_dropped;
}

int
router_mask_pin(struct router *r, const char *sender, const char *text, char **masked)
{
	struct parse_result	*res = xmalloc(sizeof(*res));
	struct pin_hold		*h;
	int			 i;

	*masked = NULL;
	parse_message(r->pt, text, strlen(text), res);
	if ((res->action != PARSE_BROADCAST && res->action != PARSE_APPROVE) || !mask_pin(text, res, masked)) {
		free(res);
		return 0;
	}
	explicit_bzero(res, sizeof(*res));
	free(res);
	if (r->held == NULL)
		r->held = xcalloc(PIN_HOLD_MAX, sizeof(*r->held));
	/* the oldest goes when full, and any older than a day */
	for (i = 0; i < r->nheld; )
		if (r->nheld == PIN_HOLD_MAX || clock_now() - r->held[i].at > PIN_HOLD_S) {
			hold_free(&r->held[i]);
			memmove(&r->held[i], &r->held[i + 1], sizeof(*r->held) * (size_t)(r->nheld - i - 1));
			r->nheld--;
		} else
			i++;
	h = &r->held[r->nheld++];
	snprintf(h->sender, sizeof(h->sender), "%s", sender);
	h->masked = xstrdup(*masked);
	h->orig = xstrdup(text);
	h->at = clock_now();
	return 1;
}

/* The text as received for a row masked at ingest (xmalloc'd; the hold is forgotten), or NULL. */
static char *
hold_take(struct router *r, const char *sender, const char *text)
{
	int i;

	for (i = 0; i < r->nheld; i++) {
		struct pin_hold	*h = &r->held[i];
		size_t		 ml = strlen(h->masked);
		char		*orig;

		if (strcmp(h->sender, sender) != 0 || strncmp(text, h->masked, ml) != 0)
			continue;
		xasprintf(&orig, "%s%s", h->orig, text + ml);
		hold_free(h);
		memmove(h, h + 1, sizeof(*h) * (size_t)(r->nheld - i - 1));
		r->nheld--;
		return orig;
	}
	return NULL;
}

/* Queues the reply (if any and allowed) and records the action. */
static enum store_status
finish(struct route *rt)
{
	struct store_outbox_new	 m;
	enum store_status	 s;
	size_t			 l;

	if (rt->reply[0] != '\0') {
		if ((rt->kind == OUTBOX_REPLY && !reply_allowed(rt)) ||
		    (rt->kind == OUTBOX_CONFIRM && !confirm_allowed(rt))) {
			l = strlen(rt->action);
			snprintf(rt->action + l, sizeof(rt->action) - l, rt->budget_hit ? ", reply budget spent" :
			    rt->kind == OUTBOX_CONFIRM ? ", confirmation capped" : ", reply capped");
			rt->reply[0] = '\0';
		} else {
			memset(&m, 0, sizeof(m));
			m.number = rt->from;
			m.text = rt->reply;
			m.kind = rt->kind;
			m.priority = OUTBOX_NORMAL;
			m.inbox_id = rt->row->id;
			m.expires_at = rt->kind == OUTBOX_REPLY ? rt->now + REPLY_TTL_S : 0;
			if ((s = store_outbox_add(rt->st, &m, NULL)) != STORE_OK)
				return s;
			rt->queued = 1;
		}
	}
	return store_inbox_set_action(rt->st, rt->row->id, rt->action);
}

static void
log_route(struct route *rt)
{
	char nb[40];

	log_info("in id=%lld modem=%s from=%s kw=%s area=%s result=\"%s\"%s", (long long)rt->row->id,
	    rt->row->modem, log_msisdn(rt->from, nb),
	    rt->res->alias[0] ? rt->res->alias : (rt->res->action == PARSE_CHOICE ? "choice" : "-"),
	    rt->area[0] ? rt->area : "-", rt->action, rt->reply[0] ? " reply=queued" : "");
}

/* The actions that need nothing but the message; the rest are in act(). */
static enum store_status (*const acts[PARSE_NACTIONS])(struct route *) = {
	[PARSE_SUBSCRIBE] = act_subscribe,
	[PARSE_UNSUBSCRIBE] = act_unsubscribe,
	[PARSE_PULL] = act_pull,
	[PARSE_REPORT] = act_report,
	[PARSE_GROUP] = act_group,
	[PARSE_BROADCAST] = act_broadcast,
	[PARSE_VERIFY] = act_verify,
	[PARSE_APPROVE] = act_approve,
};

/* Does what the message asks, from an allowed sender. */
static enum store_status
act(struct route *rt)
{
	enum parse_action	 a = rt->res->action;
	enum store_status	 s;
	int			 unknown = 0;

	switch (a) {
	case PARSE_HELP:
		set_action(rt, "help");
		reply(rt, "help", NULL);
		return STORE_OK;
	case PARSE_CHOICE:
		s = act_choice(rt, &unknown);
		if (s == STORE_OK && unknown)
			s = act_unknown(rt, " (a number, no question pending)");
		return s;
	case PARSE_UNKNOWN:
		return act_unknown(rt, "");
	default:
		if (acts[a] == NULL)
			fatalx("router: no handler for action %d", (int)a);
		return acts[a](rt);
	}
}

/* Everything for one message in one transaction; SIAR's broadcast after it. */
static enum store_status
route_one(struct router *r, const struct store_inbox_row *row)
{
	struct gateway		*gw = r->gw;
	struct route		 rt;
	int			 stored_masked = 0, pin_lost = 0;
	enum store_status	 s;
	char			*orig;

	memset(&rt, 0, sizeof(rt));
	rt.r = r;
	rt.st = gw->store;
	rt.row = row;
	rt.res = &r->res;
	rt.from = row->sender;
	rt.now = clock_now();
	snprintf(rt.actor, sizeof(rt.actor), "sms:%s", row->sender);
	/* a SIAR stored masked is parsed as it was received; its PIN is never written anywhere */
	orig = hold_take(r, row->sender, row->text);
	parse_message(r->pt, orig ? orig : row->text, strlen(orig ? orig : row->text), &r->res);
	if (orig != NULL) {
		explicit_bzero(orig, strlen(orig));
		free(orig);
		stored_masked = 1;
	} else if ((r->res.action == PARSE_BROADCAST && pin_masked(row->text, 0)) ||
	    (r->res.action == PARSE_APPROVE && pin_masked(row->text, 1)))
		pin_lost = 1;

	if ((s = store_begin(rt.st)) != STORE_OK)
		return s;
	if (strstr(row->flags, "binary") != NULL)
		set_action(&rt, "binary: ignored");
	else if (!msisdn_replyable(rt.from))
		set_action(&rt, "ignored: %s from a sender that cannot receive SMS",
		    parse_action_name(r->res.action));
	else if (denied(gw->conf, rt.from) && r->res.action == PARSE_UNSUBSCRIBE) {
		/* stop means stop, even for a number we never answer */
		s = act_unsubscribe(&rt);
		if (s == STORE_OK) {
			size_t l = strlen(rt.action);

			snprintf(rt.action + l, sizeof(rt.action) - l, ", no reply (denied number)");
			rt.reply[0] = '\0';
		}
	} else if (denied(gw->conf, rt.from))
		set_action(&rt, "ignored: %s from a denied number", parse_action_name(r->res.action));
	else if (pin_lost)
		refuse_pin_lost(&rt, r->res.action == PARSE_BROADCAST ? "siar" : "approve");
	else
		s = act(&rt);
	if (s == STORE_OK && (r->res.action == PARSE_BROADCAST || r->res.action == PARSE_APPROVE) &&
	    !stored_masked && !pin_lost) {
		char *masked;

		/* a row stored before masking at ingest existed (or by a test): mask it now */
		if (mask_pin(row->text, &r->res, &masked)) {
			s = store_inbox_set_text(rt.st, row->id, masked);
			free(masked);
		}
	}
	if (s == STORE_OK)
		s = finish(&rt);
	if (s != STORE_OK) {
		store_rollback(rt.st);
		return s;
	}
	if ((s = store_commit(rt.st)) != STORE_OK)
		return s;
	gateway_store_recovered(gw);
	log_route(&rt);
	if (rt.queued)
		gateway_queue_changed(gw);
	return STORE_OK;
}

/* ---- the module ---- */

/* The keyword table and the reply templates a configuration names; 0, or -1 with err set. */
static int
load_tables(const struct conf *c, struct parse_table **ptp, struct templates **tplp, char *err, size_t errlen)
{
	struct parse_table	*pt = parse_table_new();
	const char		*kw = c->keywords;
	char			 perr[256];

	if (kw != NULL && *kw != '\0') {
		char *text = fs_read_text(kw, KEYWORDS_MAX_BYTES, "keywords file", err, errlen);

		if (text == NULL)
			goto fail;
		if (parse_table_load_text(pt, text, perr, sizeof(perr)) == -1) {
			snprintf(err, errlen, "keywords file %s: %s", kw, perr);
			free(text);
			goto fail;
		}
		free(text);
	}
	if ((*tplp = templates_new(c->language, c->templates, err, errlen)) == NULL)
		goto fail;
	*ptp = pt;
	return 0;
fail:
	parse_table_free(pt);
	return -1;
}

struct router *
router_new(struct gateway *gw, char *err, size_t errlen)
{
	struct router	*r = xcalloc(1, sizeof(*r));

	r->gw = gw;
	if (load_tables(gw->conf, &r->pt, &r->tpl, err, errlen) == -1) {
		free(r);
		return NULL;
	}
	if (gw->base != NULL)
		r->tick = evtimer_new(gw->base, tick_cb, r);
	return r;
}

int
router_reload(struct router *r, const struct conf *c, char *err, size_t errlen)
{
	struct parse_table	*pt;
	struct templates	*tpl;

	if (load_tables(c, &pt, &tpl, err, errlen) == -1)
		return -1;
	parse_table_free(r->pt);
	templates_free(r->tpl);
	r->pt = pt;
	r->tpl = tpl;
	return 0;
}

void
router_free(struct router *r)
{
	if (r == NULL)
		return;
	if (r->tick)
		event_free(r->tick);
	parse_table_free(r->pt);
	templates_free(r->tpl);
	while (r->nheld > 0)
		hold_free(&r->held[--r->nheld]);
	free(r->held);
	free(r);
}

static void
schedule(struct router *r, int secs)
{
	struct timeval tv = { secs, 0 };

	if (r->tick != NULL && !evtimer_pending(r->tick, NULL))
		evtimer_add(r->tick, &tv);
}

/* 0 handled (or nothing to do), -1 the store failed and the row is left for a retry. */
static int
handle(struct router *r, int64_t inbox_id)
{
	struct store_inbox_row	 row;
	enum store_status	 s;
	char			 action[200];

	s = store_inbox_get(r->gw->store, inbox_id, &row);
	if (s == STORE_NOTFOUND) {
		log_warnx("in id=%lld: no such inbox row", (long long)inbox_id);
		return 0;
	}
	if (s != STORE_OK)
		goto fail;
	if (row.routed) {
		store_inbox_row_clear(&row);
		return 0;
	}
	s = route_one(r, &row);
	explicit_bzero(r->res.pin, sizeof(r->res.pin));
	explicit_bzero(r->res.norm, sizeof(r->res.norm));
	store_inbox_row_clear(&row);
	if (s == STORE_OK)
		return 0;
fail:
	if (s == STORE_TEMPFAIL) {
		gateway_store_failed(r->gw, "routing a message");
		return -1;
	}
	/* not a passing failure: record it, so the message is not retried for ever */
	log_warnx("in id=%lld: routing failed: %s", (long long)inbox_id, store_errmsg(r->gw->store));
	snprintf(action, sizeof(action), "failed: %.180s", store_errmsg(r->gw->store));
	if (store_inbox_set_action(r->gw->store, inbox_id, action) != STORE_OK) {
		gateway_store_failed(r->gw, "routing a message");
		return -1;
	}
	return 0;
}

void
router_handle(struct router *r, int64_t inbox_id)
{
	if (handle(r, inbox_id) == -1)
		schedule(r, ROUTER_RETRY_S);
}

/* One batch of unrouted rows; 1 when there may be more, 0 done, -1 failed. */
static int
catch_up_batch(struct router *r)
{
	int64_t	 ids[ROUTER_BATCH];
	int	 n, i;

	n = store_inbox_unrouted(r->gw->store, r->after, ids, ROUTER_BATCH);
	if (n < 0) {
		gateway_store_failed(r->gw, "finding unrouted messages");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (handle(r, ids[i]) == -1)
			return -1;
		r->after = ids[i];
	}
	return n == ROUTER_BATCH;
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct router	*r = arg;
	int		 rc;

	if (!r->catching_up) {
		r->catching_up = 1;
		r->after = 0;
	}
	rc = catch_up_batch(r);
	if (rc == 1) {
		schedule(r, 0);	/* the next batch on the next loop turn */
		return;
	}
	if (rc == -1) {
		/* start again from the first unrouted row in a while */
		r->catching_up = 0;
		schedule(r, ROUTER_RETRY_S);
		return;
	}
	r->catching_up = 0;
}

size_t
router_render(struct router *r, const char *key, char *out, size_t outlen, const char *const *vars)
{
	return templates_render(r->tpl, key, out, outlen, vars);
}

void
router_catch_up(struct router *r)
{
	if (r->tick == NULL) {
		/* no loop (tests): all at once */
		r->after = 0;
		while (catch_up_batch(r) == 1)
			;
		return;
	}
	if (!r->catching_up)
		r->after = 0;
	r->catching_up = 1;
	tick_cb(-1, 0, r);
}
