/*
 * web_pages — the console's pages: dashboard, compose (area tree and search, live preview,
 * confirmation, dry run), announcements (progress, reach per village as a table and an SVG
 * chart, CSV, cancel), posts, subscribers, inbox/outbox, audit and accounts. Every value that
 * came from outside goes through wout's %s (escaped). Sends use the console's own path
 * (broadcast_create), so the web and `kentongan broadcast` cannot drift apart.
 *
 * The field features go through the console's own functions too: approval (broadcast_approve,
 * as `announcement approve`), corrections (broadcast_create with corrects, as `broadcast
 * --correct`), cancelling (broadcast_cancel) and the reach per village
 * (store_announcement_reach, as `announcement ID --by-village`). A web user asks and approves as
 * "web:NAME", so the two-person rule tells two web users apart.
 *
 * On a hub the dashboard lists the boxes below (store_list_boxes, as `kentongan boxes`), the posts
 * page names the box each report came from, and approve/reject/reply go through post_review and
 * post_reply (gateway/posts.c, as `post approve|reject|reply`), which send the decision down to
 * that box; the compose preview adds the counts the boxes reported and says how many boxes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "common/areacode.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/msisdn.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/areas.h"
#include "gateway/broadcast.h"
#include "gateway/gateway.h"
#include "gateway/modem/modem.h"
#include "gateway/posts.h"
#include "gateway/web/web-internal.h"
#include "parsers/gsm7.h"
#include "store/store.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_posts.h"
#include "store/store_field.h"
#include "store/store_web.h"
#include "store/store_uplink.h"

#define LIST_MAX	100	/* rows a search page shows */

static void
store_failed(struct wreq *r, const char *what)
{
	log_warnx("web: %s: %s", what, store_errmsg(r->gw->store));
	w_error(r, 503, "err.store", store_errmsg(r->gw->store));
}

/* ---- dashboard ---- */

static void
card(struct wreq *r, const char *id, long value, const char *key)
{
	wout(r, "<div class=\"card\"><b id=\"%S\">%ld</b><small>%t</small></div>", id, value, key);
}

/* "["3201","3202"]" (a JSON array of area codes, as store_list_boxes gives it) → "3201, 3202". */
static void
areas_text(const char *json, char *out, size_t len)
{
	size_t n = 0;

	for (; *json && n + 3 < len; json++) {
		if (*json == '[' || *json == ']' || *json == '"')
			continue;
		if (*json == ',') {
			out[n++] = ',';
			out[n++] = ' ';
		} else
			out[n++] = *json;
	}
	out[n] = '\0';
}

/* The uplink roles, as `kentongan status` shows them: on a box with [uplink] the link to its
 * hub; on a hub ([hub]) the boxes below, the rows of `kentongan boxes` (store_list_boxes). */
static void
dash_uplink(struct wreq *r, struct rows *boxes)
{
	const struct gateway_link	*l = &r->gw->up;
	char				 areas[256], since[40] = "–", ack[40] = "–";
	int				 i;

	if (l->enabled) {
		if (!l->online && l->offline_since)
			timefmt_local(l->offline_since, since, sizeof(since));
		if (l->last_ack_at)
			timefmt_local(l->last_ack_at, ack, sizeof(ack));
		wout(r, "<h2>%t</h2><table id=\"uplink\"><tr><th>%t</th><th>%t</th><th>%t</th><th class=\"n\">%t</th>"
		    "<th>%t</th></tr><tr><td>%s</td><td id=\"up-state\" class=\"%S\">%t</td><td>%s</td>"
		    "<td class=\"n\" id=\"up-backlog\">%ld</td><td>%s</td></tr></table>", "dash.uplink", "col.box",
		    "col.state", "col.offline_since", "col.backlog", "col.last_ack", l->id, l->online ? "ok" : "bad",
		    l->online ? "dash.online" : "dash.offline", since, l->backlog, ack);
		if (l->refused)
			wout(r, "<p class=\"warn\" id=\"up-refused\">%ld %t</p>", l->refused, "dash.refused");
	}
	if (!r->gw->conf->hub_enabled)
		return;
	l = &r->gw->down;
	wout(r, "<h2>%t</h2><p class=\"note\" id=\"hub-state\">%s: %t · <b id=\"d-boxes-online\">%ld</b> / %ld %t · "
	    "%ld %t</p>", "dash.boxes", l->id, l->online ? "dash.broker_ok" : "dash.broker_bad", l->boxes_online,
	    l->boxes, "dash.boxes_online", l->backlog, "dash.down_waiting");
	wout(r, "<table id=\"boxes\"><tr><th>%t</th><th>%t</th><th>%t</th><th>%t</th><th class=\"n\">%t</th>"
	    "<th class=\"n\">%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th></tr>", "col.box", "col.areas",
	    "col.state", "col.last_seen", "col.up_pending", "col.down_pending", "col.modems_ready",
	    "col.subscribers");
	for (i = 0; i < boxes->n; i++) {
		const char *box = rows_get(boxes, i, "box"), *state = rows_get(boxes, i, "state");

		areas_text(rows_get(boxes, i, "areas"), areas, sizeof(areas));
		wout(r, "<tr id=\"box-%s\"><td>%s</td><td>%s</td><td class=\"%S\">%t</td><td>%s</td>"
		    "<td class=\"n\">%ld</td><td class=\"n\">%ld</td><td class=\"n\">%ld / %ld</td>"
		    "<td class=\"n\">%ld</td></tr>", box, box, areas, !strcmp(state, "online") ? "ok" : "bad",
		    !strcmp(state, "online") ? "dash.online" : "dash.offline", rows_get(boxes, i, "last_seen"),
		    rows_long(boxes, i, "up_pending"), rows_long(boxes, i, "down_pending"),
		    rows_long(boxes, i, "modems_ready"), rows_long(boxes, i, "modems"),
		    rows_long(boxes, i, "subscribers"));
	}
	if (boxes->n == 0)
		wout(r, "<tr><td colspan=\"8\">%t</td></tr>", "dash.no_boxes");
	wout(r, "</table>");
}

/* Alerts held for a second official (alert_approval = 2): each links to its page, where an
 * official other than the one who asked approves it. */
static void
dash_pending(struct wreq *r, const struct rows *pend)
{
	int i;

	wout(r, "<h2>%t</h2><table id=\"pending\"><tr><th class=\"n\">#</th><th>%t</th><th>%t</th><th>%t</th>"
	    "<th class=\"n\">%t</th><th>%t</th></tr>", "dash.pending_title", "col.created", "col.text",
	    "col.requested_by", "col.recipients", "col.approve_by");
	for (i = 0; i < pend->n; i++) {
		const char *id = rows_get(pend, i, "id");

		wout(r, "<tr id=\"pending-%s\"><td class=\"n\"><a href=\"/console/announcement?id=%s\">%s</a></td>"
		    "<td>%s</td><td class=\"msg\">%s</td><td>%s</td><td class=\"n\">%s</td><td>%s</td></tr>", id, id, id,
		    rows_get(pend, i, "created"), rows_get(pend, i, "text"), rows_get(pend, i, "requested_by"),
		    rows_get(pend, i, "recipients"), rows_get(pend, i, "approve_by"));
	}
	wout(r, "</table>");
}

/* The dashboard's table of modems. */
static void
dash_modems(struct wreq *r)
{
	struct modem_snapshot	 s;
	int			 i;

	wout(r, "<h2>%t</h2><table id=\"modems\"><tr><th>%t</th><th>%t</th><th>%t</th><th class=\"n\">%t</th>"
	    "<th>%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th><th>%t</th></tr>", "dash.modems", "col.modem",
	    "col.state", "col.operator", "col.signal", "col.balance", "col.sent_today", "col.received_today",
	    "col.last_error");
	modem_snapshot(r->gw, &s);
	for (i = 0; i < s.n; i++) {
		const struct modem_info *mi = &s.m[i].info;

		wout(r, "<tr><td>%s</td><td class=\"%S\">%s</td><td>%s</td>", mi->name, s.m[i].up ? "ok" : "bad",
		    modem_state_str(mi->state), mi->operator_name);
		if (mi->signal >= 0)
			wout(r, "<td class=\"n\">%d%%</td>", mi->signal);
		else
			wout(r, "<td class=\"n\">–</td>");
		wout(r, "<td>%s%S</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td><td>%s</td></tr>",
		    mi->balance[0] ? mi->balance : "–", mi->low_credit ? " <span class=\"bad\">!</span>" : "",
		    mi->sent, mi->received, mi->last_error);
	}
	if (s.n == 0)
		wout(r, "<tr><td colspan=\"8\">%t</td></tr>", "dash.no_modems");
	wout(r, "</table>");
	modem_snapshot_free(&s);
}

void
page_dashboard(struct wreq *r)
{
	struct gateway			*gw = r->gw;
	struct store_queue_counts	 q;
	struct rows			 posts = { 0 }, ann = { 0 }, pend = { 0 }, boxes = { 0 };
	long				 rin = 0, rout = 0;
	time_t				 now = clock_now(), midnight;
	struct tm			 tm;
	int				 i;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	midnight = mktime(&tm);
	memset(&q, 0, sizeof(q));
	if (store_queue_counts(gw->store, &q) != STORE_OK || store_traffic_since(gw->store, midnight, &rin, &rout) !=
	    STORE_OK || store_list_posts(gw->store, "pending", rows_cb, &posts) != STORE_OK ||
	    store_list_announcements(gw->store, 5, rows_cb, &ann) != STORE_OK ||
	    store_announcements_pending(gw->store, rows_cb, &pend) != STORE_OK ||
	    (gw->conf->hub_enabled && store_list_boxes(gw->store, rows_cb, &boxes) != STORE_OK)) {
		rows_free(&posts);
		rows_free(&ann);
		rows_free(&pend);
		rows_free(&boxes);
		store_failed(r, "dashboard");
		return;
	}
	w_begin(r, "nav.dashboard");
	wout(r, "<div class=\"cards\">");
	card(r, "d-queue", q.queued + q.sending, "dash.queue");
	card(r, "d-alerts", q.queued_alert, "dash.queue_alert");
	card(r, "d-sent", rout, "dash.sent_today");
	card(r, "d-received", rin, "dash.received_today");
	card(r, "d-subscribers", store_subscriber_count(gw->store), "dash.subscribers");
	card(r, "d-posts", posts.n, "dash.posts_pending");
	card(r, "d-pending", pend.n, "dash.pending");
	wout(r, "<div class=\"card\"><b id=\"d-store\" class=\"%S\">%t</b><small>%t</small></div></div>",
	    gw->store_ok ? "ok" : "bad", gw->store_ok ? "dash.store_ok" : "dash.store_bad", "dash.store");
	dash_modems(r);
	if (posts.n > 0)
		wout(r, "<p class=\"note\"><a href=\"/console/posts?status=pending\">%ld %t</a></p>", (long)posts.n,
		    "dash.posts_waiting");
	if (pend.n > 0)
		dash_pending(r, &pend);
	dash_uplink(r, &boxes);
	wout(r, "<h2>%t</h2><table><tr><th class=\"n\">#</th><th>%t</th><th>%t</th><th class=\"n\">%t</th>"
	    "<th>%t</th></tr>", "dash.latest", "col.created", "col.text", "col.recipients", "col.progress");
	for (i = 0; i < ann.n; i++) {
		long rec = rows_long(&ann, i, "recipients");
		long done = rows_long(&ann, i, "sent") + rows_long(&ann, i, "delivered") + rows_long(&ann, i, "failed");

		wout(r, "<tr><td class=\"n\"><a href=\"/console/announcement?id=%s\">%s</a></td><td>%s</td>"
		    "<td class=\"msg\">%s</td><td class=\"n\">%ld</td><td>", rows_get(&ann, i, "id"),
		    rows_get(&ann, i, "id"), rows_get(&ann, i, "created"), rows_get(&ann, i, "text"), rec);
		w_svg_bar(r, NULL, done, rec, 120);
		wout(r, "</td></tr>");
	}
	wout(r, "</table>");
	rows_free(&posts);
	rows_free(&ann);
	rows_free(&pend);
	rows_free(&boxes);
	w_end(r, 200);
}

/* ---- compose ---- */

struct compose {
	const char	*text, *priority, *at, *expires, *q, *parent, *step;
	const char	*areas[BROADCAST_MAX_AREAS];
	int		 nareas;
};

static void
compose_read(struct wreq *r, struct compose *c)
{
	const struct web_form	*f = r->post ? &r->f : &r->q;
	const char		*all[BROADCAST_MAX_AREAS];
	int			 i, j, n;

	memset(c, 0, sizeof(*c));
	c->text = web_form_get(f, "text");
	c->priority = web_form_get(f, "priority");
	c->at = web_form_get(f, "at");
	c->expires = web_form_get(f, "expires");
	c->q = web_form_get(f, "q");
	/* a browse button names the area to open; otherwise the one open stays open */
	if ((c->parent = web_form_get(f, "parent")) == NULL)
		c->parent = web_form_get(f, "open");
	c->step = web_form_get(f, "step");
	n = web_form_all(f, "area", all, BROADCAST_MAX_AREAS);
	for (i = 0; i < n; i++) {
		for (j = 0; j < c->nareas && strcmp(c->areas[j], all[i]); j++)
			;
		if (j == c->nareas && all[i][0] != '\0')
			c->areas[c->nareas++] = all[i];
	}
}

/* Fills a broadcast request from the form; -1 with *err_key (and detail) when a field is wrong. */
static int
compose_req(struct wreq *r, const struct compose *c, struct broadcast_req *br, const char **err_key)
{
	long	 exp_s;
	int	 i;

	memset(br, 0, sizeof(*br));
	br->text = c->text ? c->text : "";
	br->source = r->actor;
	br->requested_by = r->actor;	/* the two-person rule applies per web user */
	br->priority = c->priority && !strcmp(c->priority, "alert") ? OUTBOX_ALERT : OUTBOX_NORMAL;
	for (i = 0; i < c->nareas; i++)
		br->areas[br->nareas++] = c->areas[i];
	if (br->priority == OUTBOX_ALERT && r->role < ROLE_OFFICIAL) {
		*err_key = "compose.alert_role";
		return -1;
	}
	if (c->at && *c->at && timefmt_parse(c->at, clock_now(), &br->at) == -1) {
		*err_key = "compose.bad_at";
		return -1;
	}
	if (c->expires && *c->expires) {
		if (conf_parse_duration(c->expires, &exp_s) == -1 || exp_s <= 0) {
			*err_key = "compose.bad_expires";
			return -1;
		}
		br->expires_at = (br->at ? br->at : clock_now()) + exp_s;
	}
	return 0;
}

static void
area_label(struct wreq *r, const char *code, char *out, size_t len)
{
	struct store_area a;

	if (store_area_get(r->gw->store, code, &a) == STORE_OK)
		areas_label(r->gw->store, &a, out, len);
	else
		snprintf(out, len, "%s", code);
}

static int
selected(const struct compose *c, const char *code)
{
	int i;

	for (i = 0; i < c->nareas; i++)
		if (!strcmp(c->areas[i], code))
			return 1;
	return 0;
}

static void
area_choice(struct wreq *r, const struct compose *c, const char *code, const char *label, int level)
{
	if (selected(c, code))
		return;
	wout(r, "<li><label class=\"pick\"><input type=\"checkbox\" name=\"area\" "
	    "value=\"%s\" id=\"a-%s\"> %s <span class=\"muted\">%s</span></label>", code, code, label, code);
	if (level < 4)
		wout(r, " <button type=\"submit\" class=\"link\" name=\"parent\" value=\"%s\" id=\"open-%s\" "
		    "title=\"%t\">›</button>", code, code, "compose.open");
	wout(r, "</li>");
}

static void
compose_areas(struct wreq *r, const struct compose *c)
{
	struct gateway		*gw = r->gw;
	struct rows		 kids = { 0 };
	char			 label[200];
	int			 i;

	wout(r, "<div class=\"box\"><h2>%t</h2>", "compose.areas");
	if (c->nareas == 0)
		wout(r, "<p class=\"muted\" id=\"all-areas\">%t (%s)</p>", "compose.all_areas",
		    gw->conf->areas && *gw->conf->areas ? gw->conf->areas : "*");
	else {
		wout(r, "<ul class=\"tree\" id=\"selected\">");
		for (i = 0; i < c->nareas; i++) {
			area_label(r, c->areas[i], label, sizeof(label));
			wout(r, "<li><label class=\"pick\"><input type=\"checkbox\" name=\"area\" value=\"%s\" "
			    "checked> %s <span class=\"muted\">%s</span></label></li>", c->areas[i], label, c->areas[i]);
		}
		wout(r, "</ul>");
	}
	/* search with the resolver villagers' SMS go through */
	wout(r, "<label for=\"q\">%t</label><input type=\"search\" id=\"q\" name=\"q\" value=\"%s\"> "
	    "<button type=\"submit\" class=\"alt\" name=\"step\" value=\"search\" id=\"search\">%t</button>",
	    "compose.search", c->q ? c->q : "", "compose.search_go");
	if (c->step && !strcmp(c->step, "search") && c->q && *c->q) {
		struct areas_match	*m = xcalloc(1, sizeof(*m));
		enum areas_result	 res = areas_resolve(gw->store, gw->conf->areas ? gw->conf->areas : "", c->q,
		    NULL, AREAS_SUGGEST_MAX, m);

		wout(r, "<ul class=\"tree\" id=\"found\">");
		if (res == AREAS_FOUND) {
			areas_label(gw->store, &m->area, label, sizeof(label));
			area_choice(r, c, m->area.code, label, m->area.level);
		} else if (res == AREAS_CHOICE || res == AREAS_NOTFOUND) {
			if (res == AREAS_NOTFOUND)
				wout(r, "<li class=\"muted\">%t</li>", m->nopts ? "compose.suggest" : "compose.nothing");
			for (i = 0; i < m->nopts; i++) {
				areas_label(gw->store, &m->opts[i], label, sizeof(label));
				area_choice(r, c, m->opts[i].code, label, m->opts[i].level);
			}
		}
		wout(r, "</ul>");
		free(m);
	}
	/* the tree: the served areas, then the children of the one opened */
	wout(r, "<p class=\"crumbs\">%t: ", "compose.browse");
	if (c->parent && *c->parent) {
		struct store_area a;

		wout(r, "<button type=\"submit\" class=\"link\" name=\"parent\" value=\"\">%t</button>", "compose.top");
		struct store_area	 up[4];
		int			 nup = 0;

		/* the way up from the opened area to the ones served */
		if (store_area_get(gw->store, c->parent, &a) == STORE_OK)
			while (a.parent[0] && nup < 4 && areacode_in_list(a.parent, gw->conf->areas ?
			    gw->conf->areas : "") && store_area_get(gw->store, a.parent, &up[nup]) == STORE_OK)
				a = up[nup++];
		while (nup-- > 0)
			wout(r, " › <button type=\"submit\" class=\"link\" name=\"parent\" value=\"%s\">%s</button>",
			    up[nup].code, up[nup].name);
		area_label(r, c->parent, label, sizeof(label));
		wout(r, " › <b>%s</b>", label);
		store_list_areas(gw->store, c->parent, rows_cb, &kids);
	}
	wout(r, "</p><input type=\"hidden\" name=\"open\" value=\"%s\"><ul class=\"tree\" id=\"tree\">",
	    c->parent ? c->parent : "");
	if (c->parent && *c->parent) {
		for (i = 0; i < kids.n; i++)
			area_choice(r, c, rows_get(&kids, i, "code"), rows_get(&kids, i, "name"),
			    (int)rows_long(&kids, i, "level"));
	} else {
		const char *p = gw->conf->areas ? gw->conf->areas : "";

		if (*p == '\0')
			store_list_areas(gw->store, NULL, rows_cb, &kids);
		for (i = 0; i < kids.n; i++)
			area_choice(r, c, rows_get(&kids, i, "code"), rows_get(&kids, i, "name"), 1);
		while (*p) {
			char	 code[16];
			size_t	 n;

			p += strspn(p, ", ");
			n = strcspn(p, ", ");
			if (n > 0 && n < sizeof(code)) {
				struct store_area a;

				snprintf(code, sizeof(code), "%.*s", (int)n, p);
				if (store_area_get(gw->store, code, &a) == STORE_OK) {
					areas_label(gw->store, &a, label, sizeof(label));
					area_choice(r, c, code, label, a.level);
				}
			}
			p += n;
		}
	}
	wout(r, "</ul></div>");
	rows_free(&kids);
}

static void
compose_confirm(struct wreq *r, const struct compose *c, const struct broadcast_res *res)
{
	char			 eta[64], once[33];
	struct gsm7_count	 cnt;

	gsm7_count(c->text, strlen(c->text), &cnt);
	broadcast_eta_str(res->eta_s, T(r, "compose.eta_unknown"), eta, sizeof(eta));
	wout(r, "<div class=\"note\" id=\"confirm\"><p>%t <b id=\"c-recipients\">%ld</b> %t, <b id=\"c-segments\">%d"
	    "</b> %t (<span id=\"c-encoding\">%s</span>, %ld %t), <b id=\"c-total\">%ld</b> %t. %t %s.</p>",
	    "compose.will_send", res->recipients, "compose.recipients", res->segments, "compose.sms_each",
	    !strcmp(res->encoding, "gsm7") ? "GSM-7" : "UCS-2", (long)cnt.chars, "compose.chars",
	    res->recipients * res->segments, "compose.sms_total", "compose.eta", eta);
	if (cnt.transliterated && cnt.encoding == GSM7_ENC_GSM7) {
		char tl[1100];

		gsm7_translit(c->text, strlen(c->text), tl, sizeof(tl), NULL);
		wout(r, "<p>%t</p><p class=\"msg box\" id=\"c-translit\">%s</p>", "compose.translit", tl);
	}
	if (r->gw->conf->hub_enabled)	/* as `broadcast --dry-run` on a hub: boxes' counts included */
		wout(r, "<p id=\"c-hub\">%t <b id=\"c-box-recipients\">%ld</b> %t <b id=\"c-boxes\">%ld</b> %t</p>",
		    "compose.hub_of_them", res->box_recipients, "compose.hub_through", res->boxes, "compose.hub_boxes");
	if (res->warnings[0])
		wout(r, "<div class=\"warn msg\" id=\"c-warnings\">%s</div>", res->warnings);
	if (res->recipients == 0)
		wout(r, "<p class=\"bad\">%t</p>", "compose.nobody");
	if (c->priority && !strcmp(c->priority, "alert") && r->gw->conf->alert_approval >= 2)
		wout(r, "<p class=\"warn\" id=\"c-held\">%t</p>", "compose.held");
	w_random_hex(once, 16);
	wout(r, "<input type=\"hidden\" name=\"once\" value=\"%s\">", once);
	wout(r, "<input type=\"hidden\" name=\"confirm\" value=\"%ld\">"
	    "<p><button type=\"submit\" name=\"step\" value=\"send\" id=\"send\"%S>%t</button> "
	    "<button type=\"submit\" class=\"alt\" name=\"step\" value=\"edit\">%t</button></p></div>",
	    res->recipients, res->recipients == 0 ? " disabled" : "", "compose.send", "compose.edit");
}

/* The announcement a confirmation form (its one-time token) already made, or 0. */
static int64_t
sent_once_find(struct wreq *r, const char *once)
{
	int i;

	for (i = 0; once != NULL && i < r->w->nsent; i++)
		if (!strcmp(r->w->sent[i].once, once))
			return r->w->sent[i].id;
	return 0;
}

static void
sent_once_add(struct wreq *r, const char *once, int64_t id)
{
	struct sent_once *so = &r->w->sent[r->w->sent_next];

	r->w->sent_next = (r->w->sent_next + 1) % SENT_ONCE_MAX;
	if (r->w->nsent < SENT_ONCE_MAX)
		r->w->nsent++;
	snprintf(so->once, sizeof(so->once), "%s", once);
	so->id = id;
}

void
page_compose(struct wreq *r)
{
	struct compose		 c;
	struct broadcast_req	 br;
	struct broadcast_res	 res;
	const char		*err_key = NULL, *once = r->post ? web_form_get(&r->f, "once") : NULL;
	char			 err[512] = "";
	int			 confirm = 0, rc;

	compose_read(r, &c);
	if (r->post && c.step && !strcmp(c.step, "send") && once != NULL) {
		int64_t first = sent_once_find(r, once);

		/* the same confirmation sent twice (a double click): show the first */
		if (first > 0) {
			char path[64];

			snprintf(path, sizeof(path), "/announcement?id=%lld", (long long)first);
			w_redirect(r, path);
			return;
		}
	}
	if (r->post && c.step && (!strcmp(c.step, "preview") || !strcmp(c.step, "send"))) {
		if (compose_req(r, &c, &br, &err_key) == 0) {
			/* sending needs the confirmation step first: the numbers were shown */
			br.dry_run = strcmp(c.step, "send") != 0 || web_form_get(&r->f, "confirm") == NULL ||
			    once == NULL || strlen(once) != 32;
			rc = broadcast_create(r->gw, &br, &res, err, sizeof(err));
			if (rc == -2) {
				w_error(r, 503, "err.store", err);
				return;
			}
			if (rc == 0 && !br.dry_run) {
				char path[64];

				sent_once_add(r, once, res.id);
				log_info("web: broadcast id=%lld by %s", (long long)res.id, r->se.user.name);
				snprintf(path, sizeof(path), "/announcement?id=%lld&new=1", (long long)res.id);
				w_redirect(r, path);
				return;
			}
			if (rc == 0)
				confirm = 1;
		}
	}
	w_begin(r, "nav.compose");
	if (err_key)
		wout(r, "<div class=\"err\" id=\"error\">%t</div>", err_key);
	else if (err[0])
		wout(r, "<div class=\"err\" id=\"error\">%s</div>", err);
	wout(r, "<form id=\"compose\" method=\"post\" action=\"/console/compose\" "
	    "data-preview=\"/console/api/preview\">");
	w_csrf(r);
	if (confirm)
		compose_confirm(r, &c, &res);
	wout(r, "<div class=\"grid\"><div><label for=\"text\">%t</label><textarea id=\"text\" name=\"text\" "
	    "maxlength=\"1000\" required>%s</textarea>", "compose.text", c.text ? c.text : "");
	wout(r, "<div id=\"live\" class=\"note\" hidden>%t <b id=\"live-recipients\"></b> · %t <b id=\"live-segments\">"
	    "</b> · <b id=\"live-encoding\"></b> (<span id=\"live-chars\"></span> %t) · %t <b id=\"live-total\"></b>"
	    "%S", "compose.recipients_cap", "compose.sms_each_cap", "compose.chars", "compose.sms_total_cap",
	    r->gw->conf->hub_enabled ? "" : "<div id=\"live-warnings\" class=\"msg\"></div></div>");
	if (r->gw->conf->hub_enabled)
		wout(r, " · <b id=\"live-boxes\"></b> %t<div id=\"live-warnings\" class=\"msg\"></div></div>",
		    "compose.live_boxes");
	wout(r, "<label for=\"priority\">%t</label><select id=\"priority\" name=\"priority\">"
	    "<option value=\"normal\">%t</option>", "compose.priority", "compose.normal");
	if (r->role >= ROLE_OFFICIAL)
		wout(r, "<option value=\"alert\"%S>%t</option>", c.priority && !strcmp(c.priority, "alert") ?
		    " selected" : "", "compose.alert");
	wout(r, "</select><label for=\"at\">%t</label><input type=\"text\" id=\"at\" name=\"at\" value=\"%s\" "
	    "placeholder=\"2026-11-28 07:00, +30m\"><label for=\"expires\">%t</label><input type=\"text\" "
	    "id=\"expires\" name=\"expires\" value=\"%s\" placeholder=\"6h, 2d\">"
	    "<p><button type=\"submit\" name=\"step\" value=\"preview\" id=\"preview\">%t</button></p>"
	    "<p class=\"muted\">%t</p></div>", "compose.at", c.at ? c.at : "", "compose.expires",
	    c.expires ? c.expires : "", "compose.preview", "compose.preview_help");
	compose_areas(r, &c);
	wout(r, "</div></form>");
	w_end(r, 200);
}

void
page_preview_json(struct wreq *r)
{
	struct compose		 c;
	struct broadcast_req	 br;
	struct broadcast_res	 res;
	struct gsm7_count	 cnt;
	const char		*err_key = NULL;
	char			 err[512] = "", esc[2048];
	int			 rc = -1;

	compose_read(r, &c);
	memset(&res, 0, sizeof(res));
	if (compose_req(r, &c, &br, &err_key) == 0) {
		br.dry_run = 1;
		if (br.text[strspn(br.text, " \t\r\n")] == '\0')
			br.text = ".";	/* count recipients before anything is typed */
		rc = broadcast_create(r->gw, &br, &res, err, sizeof(err));
	} else
		snprintf(err, sizeof(err), "%s", T(r, err_key));
	gsm7_count(c.text ? c.text : "", c.text ? strlen(c.text) : 0, &cnt);
	evbuffer_add_printf(r->b, "{\"recipients\":%ld,\"segments\":%zu,\"encoding\":\"%s\",\"chars\":%zu,"
	    "\"total\":%ld,\"warnings\":\"%s\",", rc == 0 ? res.recipients : 0, cnt.segments,
	    cnt.encoding == GSM7_ENC_GSM7 ? "GSM-7" : "UCS-2", cnt.chars,
	    rc == 0 ? res.recipients * (long)cnt.segments : 0, json_escape(rc == 0 ? res.warnings : "", esc, sizeof(esc)));
	if (r->gw->conf->hub_enabled)
		evbuffer_add_printf(r->b, "\"boxes\":%ld,\"box_recipients\":%ld,", rc == 0 ? res.boxes : 0,
		    rc == 0 ? res.box_recipients : 0);
	evbuffer_add_printf(r->b, "\"error\":\"%s\"}\n", json_escape(rc == 0 ? "" : err, esc, sizeof(esc)));
	w_send(r, 200, "application/json", NULL);
}

/* ---- announcements ---- */

void
page_announcements(struct wreq *r)
{
	struct rows	 a = { 0 };
	int		 i;

	if (store_list_announcements(r->gw->store, 100, rows_cb, &a) != STORE_OK) {
		rows_free(&a);
		store_failed(r, "announcements");
		return;
	}
	w_begin(r, "nav.announcements");
	wout(r, "<table id=\"announcements\"><tr><th class=\"n\">#</th><th>%t</th><th>%t</th><th>%t</th>"
	    "<th class=\"n\">%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th><th>%t</th>"
	    "</tr>", "col.created", "col.priority", "col.text", "col.recipients", "col.sent", "col.delivered",
	    "col.failed", "col.progress");
	for (i = 0; i < a.n; i++) {
		long rec = rows_long(&a, i, "recipients");
		long done = rows_long(&a, i, "sent") + rows_long(&a, i, "delivered") + rows_long(&a, i, "failed");
		int active = !strcmp(rows_get(&a, i, "state"), "active");
		char state[32];

		snprintf(state, sizeof(state), "state.%s", rows_get(&a, i, "state"));
		wout(r, "<tr><td class=\"n\"><a href=\"/console/announcement?id=%s\">%s</a></td><td>%s</td>"
		    "<td class=\"%S\">%t%S%t%S</td><td class=\"msg\">%s</td><td class=\"n\">%ld</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td class=\"n\">%s</td><td>", rows_get(&a, i, "id"), rows_get(&a, i, "id"),
		    rows_get(&a, i, "created"), !strcmp(rows_get(&a, i, "priority"), "alert") ? "bad" : "",
		    !strcmp(rows_get(&a, i, "priority"), "alert") ? "compose.alert" : "compose.normal",
		    active ? "" : "<br><span class=\"muted\">", active ? "" : state, active ? "" : "</span>",
		    rows_get(&a, i, "text"), rec, rows_get(&a, i, "sent"), rows_get(&a, i, "delivered"),
		    rows_get(&a, i, "failed"));
		w_svg_bar(r, NULL, done, rec, 120);
		wout(r, "</td></tr>");
	}
	if (a.n == 0)
		wout(r, "<tr><td colspan=\"9\">%t</td></tr>", "list.empty");
	wout(r, "</table>");
	rows_free(&a);
	w_end(r, 200);
}

static int
announcement_id(struct wreq *r, long long *id)
{
	if (w_qint(r, "id", 0, id) != 1 || *id <= 0) {
		w_error(r, 400, "err.id", NULL);
		return -1;
	}
	return 0;
}

/* The reach per village (store_announcement_reach, the rows of `announcement ID --by-village`):
 * villages first, worst first, then the district and regency roll-ups. The page shows at most
 * VILLAGES_MAX villages (a regency-wide alert has hundreds; the page stays light) and the chart
 * the CHART_MAX worst; the CSV has them all. */
#define VILLAGES_MAX	200
#define CHART_MAX	30

static const char *
reach_name(struct wreq *r, const struct rows *v, int i)
{
	/* those who stopped since count under no village */
	return rows_get(v, i, "code")[0] ? rows_get(v, i, "name") : T(r, "ann.no_longer");
}

/* Horizontal bars over the subscribers targeted: delivered, sent without a report yet, then
 * failed or expired. */
static void
village_chart(struct wreq *r, const struct rows *v, int nv)
{
	long	 max = 1;
	int	 i, n = nv < CHART_MAX ? nv : CHART_MAX, h = 22, lw = 190, bw = 360;

	for (i = 0; i < n; i++)
		if (rows_long(v, i, "targeted") > max)
			max = rows_long(v, i, "targeted");
	wout(r, "<svg id=\"chart\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%t\">", lw + bw + 70,
	    n * h + 4, "ann.chart");
	for (i = 0; i < n; i++) {
		long	 rec = rows_long(v, i, "targeted"), del = rows_long(v, i, "delivered");
		long	 sent = rows_long(v, i, "sent");
		long	 bad = rows_long(v, i, "failed") + rows_long(v, i, "expired");
		int	 y = i * h + 2;
		char	 name[48];

		snprintf(name, sizeof(name), "%.40s", reach_name(r, v, i));
		wout(r, "<text x=\"0\" y=\"%d\">%s</text><rect class=\"bg\" x=\"%d\" y=\"%d\" width=\"%ld\" height=\"16\"/>"
		    "<rect class=\"fill\" x=\"%d\" y=\"%d\" width=\"%ld\" height=\"16\"/>"
		    "<rect class=\"sent\" x=\"%ld\" y=\"%d\" width=\"%ld\" height=\"16\"/>"
		    "<rect class=\"fail\" x=\"%ld\" y=\"%d\" width=\"%ld\" height=\"16\"/>"
		    "<text x=\"%ld\" y=\"%d\">%ld/%ld</text>", y + 13, name, lw, y, rec * bw / max, lw, y, del * bw / max,
		    lw + del * bw / max, y, sent * bw / max, lw + (del + sent) * bw / max, y, bad * bw / max,
		    lw + rec * bw / max + 6, y + 13, del, rec);
	}
	wout(r, "</svg>");
}

static void
reach_head(struct wreq *r)
{
	wout(r, "<th>%t</th><th>%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th>"
	    "<th class=\"n\">%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th><th class=\"n\">%t</th></tr>",
	    "col.code", "col.area", "col.targeted", "col.delivered", "col.sent_noreport", "col.failed", "col.expired",
	    "col.queued", "col.escalated");
}

static void
reach_cells(struct wreq *r, const struct rows *v, int i)
{
	wout(r, "<td>%s</td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
	    "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>",
	    rows_get(v, i, "code"), reach_name(r, v, i), rows_get(v, i, "targeted"), rows_get(v, i, "delivered"),
	    rows_get(v, i, "sent"), rows_get(v, i, "failed"), rows_get(v, i, "expired"), rows_get(v, i, "queued"),
	    rows_get(v, i, "escalated"));
}

static void
reach_tables(struct wreq *r, const struct rows *v)
{
	int i, nv;

	for (nv = 0; nv < v->n && !strcmp(rows_get(v, nv, "level"), "village"); nv++)
		;
	wout(r, "<h2>%t</h2>", "ann.villages");
	if (nv > 0)
		village_chart(r, v, nv);
	wout(r, "<table id=\"villages\"><tr>");
	reach_head(r);
	for (i = 0; i < nv && i < VILLAGES_MAX; i++) {
		wout(r, "<tr class=\"village\">");
		reach_cells(r, v, i);
	}
	if (nv > VILLAGES_MAX)
		wout(r, "<tr><td colspan=\"9\" class=\"muted\">%d %t</td></tr>", nv - VILLAGES_MAX, "ann.more_in_csv");
	if (nv == 0)
		wout(r, "<tr><td colspan=\"9\">%t</td></tr>", "list.empty");
	wout(r, "</table>");
	if (nv < v->n) {
		wout(r, "<h2>%t</h2><table id=\"rollups\"><tr><th>%t</th>", "ann.rollups", "col.level");
		reach_head(r);
		for (i = nv; i < v->n; i++) {
			const char *level = rows_get(v, i, "level");

			wout(r, "<tr class=\"%s\"><td>%t</td>", level, !strcmp(level, "district") ? "level.district" :
			    "level.regency");
			reach_cells(r, v, i);
		}
		wout(r, "</table>");
	}
}

/* Who asked, who approved, and the links between a correction (RALAT) and what it corrects. */
static void
ann_people(struct wreq *r, const struct rows *a)
{
	const char	*corrects = rows_get(a, 0, "corrects"), *by = rows_get(a, 0, "corrected_by");
	const char	*approved = rows_get(a, 0, "approved_by");

	wout(r, "<tr><th>%t</th><td id=\"requested-by\">%s</td><th>%t</th><td id=\"approved-by\">%s</td><th>%t</th>"
	    "<td id=\"links\">", "col.requested_by", rows_get(a, 0, "requested_by")[0] ? rows_get(a, 0, "requested_by") :
	    rows_get(a, 0, "source"), "col.approved_by", approved[0] ? approved : "–", "col.links");
	if (corrects[0])
		wout(r, "<span id=\"corrects\">%t <a href=\"/console/announcement?id=%s\">#%s</a></span> ",
		    "ann.corrects", corrects, corrects);
	if (by[0]) {
		char	 list[256], *p, *save = NULL;
		int	 first = 1;

		snprintf(list, sizeof(list), "%s", by);
		wout(r, "<span id=\"corrected-by\">%t", "ann.corrected_by");
		for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save), first = 0)
			wout(r, "%S <a href=\"/console/announcement?id=%s\">#%s</a>", first ? "" : ",", p, p);
		wout(r, "</span>");
	}
	if (!corrects[0] && !by[0])
		wout(r, "–");
	wout(r, "</td></tr>");
}

/* A pending alert: who asked, until when; the approve button for an official who did not ask. */
static void
ann_pending(struct wreq *r, const struct rows *a, long long id)
{
	const char *asked = rows_get(a, 0, "requested_by")[0] ? rows_get(a, 0, "requested_by") :
	    rows_get(a, 0, "source");

	wout(r, "<div class=\"warn\" id=\"pending\"><p>%t <b>%s</b>; %t %s.</p>", "ann.pending", asked,
	    "ann.approve_before", rows_get(a, 0, "approve_by")[0] ? rows_get(a, 0, "approve_by") : "–");
	if (r->role >= ROLE_OFFICIAL && strcmp(asked, r->actor)) {
		wout(r, "<form method=\"post\" action=\"/console/announcement/approve\" class=\"inline\">");
		w_csrf(r);
		wout(r, "<input type=\"hidden\" name=\"id\" value=\"%lld\"><button type=\"submit\" id=\"approve\">%t"
		    "</button> <span class=\"muted\">%t</span></form>", id, "ann.approve", "ann.approve_help");
	} else if (r->role >= ROLE_OFFICIAL)
		wout(r, "<p id=\"self-approve\">%t</p>", "err.self_approve");
	else
		wout(r, "<p class=\"muted\" id=\"approve-role\">%t</p>", "ann.approve_role");
	wout(r, "</div>");
}

/* The correction form: RALAT goes to exactly those the announcement was sent to. */
static void
correct_form(struct wreq *r, long long id, const char *text, const char *priority)
{
	wout(r, "<label for=\"c-text\">%t</label><textarea id=\"c-text\" name=\"text\" maxlength=\"1000\" required>%s"
	    "</textarea>", "ann.correct_text", text ? text : "");
	if (r->role >= ROLE_OFFICIAL)
		wout(r, "<label for=\"c-priority\">%t</label><select id=\"c-priority\" name=\"priority\"><option "
		    "value=\"normal\">%t</option><option value=\"alert\"%S>%t</option></select>", "compose.priority",
		    "compose.normal", priority && !strcmp(priority, "alert") ? " selected" : "", "compose.alert");
	wout(r, "<p><button type=\"submit\" name=\"step\" value=\"preview\" id=\"correct-preview\">%t</button> "
	    "<span class=\"muted\">%t #%lld.</span></p>", "ann.correct_preview", "ann.correct_help", id);
}

void
page_announcement(struct wreq *r)
{
	struct store		*st = r->gw->store;
	struct rows		 a = { 0 }, v = { 0 };
	struct store_progress	 p;
	long long		 id;
	long			 done, pct;
	const char		*state, *q;
	char			 key[32];

	if (announcement_id(r, &id) == -1)
		return;
	if (store_announcement_get(st, id, rows_cb, &a) != STORE_OK || store_announcement_progress(st, id, &p) ==
	    STORE_ERROR) {
		rows_free(&a);
		store_failed(r, "announcement");
		return;
	}
	if (a.n == 0) {
		w_error(r, 404, "err.no_announcement", NULL);
		return;
	}
	if (store_announcement_reach(st, id, rows_cb, &v) != STORE_OK) {
		rows_free(&a);
		rows_free(&v);
		store_failed(r, "reach per village");
		return;
	}
	state = rows_get(&a, 0, "state");
	done = p.sent + p.delivered + p.failed + p.expired + p.cancelled;
	pct = p.recipients > 0 ? done * 100 / p.recipients : 100;
	w_begin(r, "ann.title");
	if (web_form_get(&r->q, "new"))
		wout(r, "<p class=\"note\" id=\"accepted\">%t</p>", !strcmp(state, "pending") ? "ann.held" : "ann.accepted");
	if ((q = web_form_get(&r->q, "approved")) != NULL)
		wout(r, "<p class=\"note\" id=\"approved\">%t %s %t</p>", "ann.approved", q, "compose.recipients");
	if (web_form_get(&r->q, "cancelled"))
		wout(r, "<p class=\"note\" id=\"cancelled\">%s %t</p>", web_form_get(&r->q, "cancelled"), "ann.cancelled");
	snprintf(key, sizeof(key), "state.%s", state);
	wout(r, "<p class=\"msg box\" id=\"text\">%s</p><table><tr><th>#</th><td>%s</td><th>%t</th><td>%s</td>"
	    "<th>%t</th><td class=\"%S\">%t</td></tr><tr><th>%t</th><td>%s</td><th>%t</th><td>%s %s</td><th>%t</th>"
	    "<td>%s</td></tr>", rows_get(&a, 0, "text"), rows_get(&a, 0, "id"), "col.created",
	    rows_get(&a, 0, "created"), "col.priority", !strcmp(rows_get(&a, 0, "priority"), "alert") ? "bad" : "",
	    !strcmp(rows_get(&a, 0, "priority"), "alert") ? "compose.alert" : "compose.normal", "col.source",
	    rows_get(&a, 0, "source"), "col.segments", rows_get(&a, 0, "segments"), rows_get(&a, 0, "encoding"),
	    "col.schedule", rows_get(&a, 0, "at")[0] ? rows_get(&a, 0, "at") : "–");
	wout(r, "<tr><th>%t</th><td id=\"state\" class=\"%S\">%t</td><th>%t</th><td><b id=\"code\">%s</b> "
	    "<span class=\"muted\">%t CEK %s</span></td><th>%t</th><td>%s</td></tr>", "col.state",
	    !strcmp(state, "active") ? "ok" : "bad", key, "col.cek", rows_get(&a, 0, "code"), "ann.cek_help",
	    rows_get(&a, 0, "code"), "col.expires", rows_get(&a, 0, "expires")[0] ? rows_get(&a, 0, "expires") : "–");
	ann_people(r, &a);
	wout(r, "</table>");
	if (!strcmp(state, "pending"))
		ann_pending(r, &a, id);
	else
		wout(r, "<h2>%t</h2><div id=\"progress\" data-src=\"/console/api/progress?id=%lld\">"
		    "<svg class=\"bar\" width=\"400\" height=\"18\"><rect class=\"bg\" width=\"400\" height=\"18\"/>"
		    "<rect class=\"fill\" id=\"p-fill\" width=\"%ld\" height=\"18\"/></svg>"
		    "<p><b id=\"p-pct\">%ld%%</b> · %t <span id=\"p-recipients\">%ld</span> · %t <span id=\"p-queued\">"
		    "%ld</span> · %t <span id=\"p-sent\">%ld</span> · %t <span id=\"p-delivered\">%ld</span> · %t "
		    "<span id=\"p-failed\">%ld</span></p></div>", "col.progress", id, pct * 4, pct, "col.recipients",
		    p.recipients, "col.queued", p.queued + p.sending, "col.sent", p.sent, "col.delivered", p.delivered,
		    "col.failed", p.failed + p.expired + p.cancelled);
	if ((p.queued > 0 || !strcmp(state, "pending")) && r->role >= ROLE_OPERATOR) {
		wout(r, "<form method=\"post\" action=\"/console/announcement/cancel\" class=\"inline\">");
		w_csrf(r);
		wout(r, "<input type=\"hidden\" name=\"id\" value=\"%lld\"><button type=\"submit\" class=\"danger\" "
		    "id=\"cancel\">%t</button> <span class=\"muted\">%s</span></form>", id, !strcmp(state, "pending") ?
		    "ann.cancel_pending" : "ann.cancel", !strcmp(state, "pending") ? "" : T(r, "ann.cancel_help"));
	}
	if (strcmp(state, "pending") != 0)
		reach_tables(r, &v);
	wout(r, "<p><a class=\"btn\" id=\"csv\" href=\"/console/announcement.csv?id=%lld\">%t</a></p>", id, "ann.csv");
	if (r->role >= ROLE_OPERATOR && (!strcmp(state, "active") || !strcmp(state, "cancelled"))) {
		wout(r, "<h2>%t</h2><form method=\"post\" action=\"/console/announcement/correct\" class=\"box\" "
		    "id=\"correct\">", "ann.correct_title");
		w_csrf(r);
		wout(r, "<input type=\"hidden\" name=\"id\" value=\"%lld\">", id);
		correct_form(r, id, NULL, NULL);
		wout(r, "</form>");
	}
	rows_free(&a);
	rows_free(&v);
	w_end(r, 200);
}

/* The same columns and rows as `kentongan --csv announcement ID --by-village`. */
void
page_announcement_csv(struct wreq *r)
{
	struct table		*t;
	char			*buf = NULL, name[64];
	size_t			 len = 0;
	FILE			*mem;
	long long		 id;
	enum store_status	 s;

	if (announcement_id(r, &id) == -1)
		return;
	if ((mem = open_memstream(&buf, &len)) == NULL) {
		w_error(r, 500, "err.500", NULL);
		return;
	}
	t = table_new(mem, TABLE_CSV);
	s = store_announcement_reach(r->gw->store, id, table_row, t);
	table_end(t);
	fclose(mem);
	if (s != STORE_OK) {
		free(buf);
		if (s == STORE_NOTFOUND)
			w_error(r, 404, "err.no_announcement", NULL);
		else
			store_failed(r, "reach per village");
		return;
	}
	evbuffer_add(r->b, buf, len);
	free(buf);
	snprintf(name, sizeof(name), "announcement-%lld-villages.csv", id);
	w_send(r, 200, "text/csv; charset=utf-8", name);
}

void
page_progress_json(struct wreq *r)
{
	struct store_progress	 p;
	long long		 id;
	long			 done;
	enum store_status	 s;

	if (w_qint(r, "id", 0, &id) != 1 || id <= 0) {
		evbuffer_add_printf(r->b, "{\"error\":\"id\"}\n");
		w_send(r, 400, "application/json", NULL);
		return;
	}
	if ((s = store_announcement_progress(r->gw->store, id, &p)) != STORE_OK) {
		evbuffer_add_printf(r->b, "{\"error\":\"%s\"}\n", s == STORE_NOTFOUND ? "not found" : "store");
		w_send(r, s == STORE_NOTFOUND ? 404 : 503, "application/json", NULL);
		return;
	}
	done = p.sent + p.delivered + p.failed + p.expired + p.cancelled;
	evbuffer_add_printf(r->b, "{\"id\":%lld,\"recipients\":%ld,\"queued\":%ld,\"sending\":%ld,\"sent\":%ld,"
	    "\"delivered\":%ld,\"failed\":%ld,\"percent\":%ld}\n", id, p.recipients, p.queued + p.sending, p.sending,
	    p.sent, p.delivered, p.failed + p.expired + p.cancelled, p.recipients > 0 ? done * 100 / p.recipients : 100);
	w_send(r, 200, "application/json", NULL);
}

/* Cancels what is not sent yet, as `kentongan announcement cancel ID` (with its audit record, in
 * one transaction). One already finished says so instead. */
void
page_cancel(struct wreq *r)
{
	struct store		*st = r->gw->store;
	struct store_progress	 p;
	long long		 id;
	long			 n;
	char			 state[16], key[32], path[96], msg[512];
	enum store_status	 s;

	if (announcement_id(r, &id) == -1)
		return;
	if ((s = store_announcement_state(st, id, state)) == STORE_NOTFOUND) {
		w_error(r, 404, "err.no_announcement", NULL);
		return;
	}
	if (s != STORE_OK || (!strcmp(state, "active") && store_announcement_progress(st, id, &p) != STORE_OK)) {
		store_failed(r, "cancel");
		return;
	}
	if (strcmp(state, "active") && strcmp(state, "pending")) {
		/* already cancelled, or expired unapproved */
		snprintf(key, sizeof(key), "state.%s", state);
		w_error(r, 409, "err.cancel_finished", T(r, key));
		return;
	}
	if (!strcmp(state, "active") && p.queued == 0) {
		/* everything is on a modem or out already: nothing left to stop */
		w_error(r, 409, "err.cancel_nothing", NULL);
		return;
	}
	switch (broadcast_cancel(r->gw, id, r->actor, r->se.user.name, &n, msg, sizeof(msg))) {
	case 0:
		break;
	case -1:
		w_error(r, 409, "err.cancel_finished", msg);
		return;
	default:
		log_warnx("web: cancel: %s", msg);
		w_error(r, 503, "err.store", msg);
		return;
	}
	log_info("web: announcement id=%lld cancelled by %s: %ld messages", id, r->se.user.name, n);
	snprintf(path, sizeof(path), "/announcement?id=%lld&cancelled=%ld", id, n);
	w_redirect(r, path);
}

/* Approves a pending alert as this user, as `kentongan announcement approve ID`
 * (broadcast_approve: the two-person rule, the fan-out and the audit record naming both). */
void
page_approve(struct wreq *r)
{
	struct store_ann_brief	 b;
	long long		 id;
	long			 n;
	char			 err[512], path[96];
	enum store_status	 s;

	if (announcement_id(r, &id) == -1)
		return;
	if ((s = store_announcement_brief(r->gw->store, id, &b)) == STORE_NOTFOUND) {
		w_error(r, 404, "err.no_announcement", NULL);
		return;
	}
	if (s != STORE_OK) {
		store_failed(r, "approve");
		return;
	}
	if (!strcmp(b.requested_by, r->actor)) {
		/* broadcast_approve refuses it too; this says so in the user's language */
		log_info("web: self-approval of announcement id=%lld refused user=%s", id, r->se.user.name);
		w_error(r, 403, "err.self_approve", NULL);
		return;
	}
	switch (broadcast_approve(r->gw, id, r->actor, 0, &n, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		w_error(r, 409, "err.approve", err);
		return;
	default:
		w_error(r, 503, "err.store", err);
		return;
	}
	log_info("web: announcement id=%lld approved by %s: %ld recipients", id, r->se.user.name, n);
	snprintf(path, sizeof(path), "/announcement?id=%lld&approved=%ld", id, n);
	w_redirect(r, path);
}

/* A correction (RALAT) of an announcement, as `kentongan broadcast --correct ID TEXT`: a preview
 * (dry run) that repeats how many it reaches, then the send from that confirmation. */
void
page_correct(struct wreq *r)
{
	struct broadcast_req	 br;
	struct broadcast_res	 res;
	const char		*text = web_form_get(&r->f, "text"), *prio = web_form_get(&r->f, "priority");
	const char		*step = web_form_get(&r->f, "step"), *once = web_form_get(&r->f, "once");
	long long		 id;
	int64_t			 first;
	char			 err[512] = "", path[96], fresh[33];
	int			 rc = -1, send, preview;

	if (announcement_id(r, &id) == -1)
		return;
	send = step && !strcmp(step, "send") && web_form_get(&r->f, "confirm") != NULL && once && strlen(once) == 32;
	preview = step && !strcmp(step, "preview");
	if (send && (first = sent_once_find(r, once)) > 0) {
		/* the same confirmation twice (a double click): the first correction */
		snprintf(path, sizeof(path), "/announcement?id=%lld", (long long)first);
		w_redirect(r, path);
		return;
	}
	memset(&br, 0, sizeof(br));
	memset(&res, 0, sizeof(res));
	br.text = text ? text : "";
	br.source = r->actor;
	br.requested_by = r->actor;
	br.corrects = id;
	br.priority = prio && !strcmp(prio, "alert") ? OUTBOX_ALERT : OUTBOX_NORMAL;
	if (br.priority == OUTBOX_ALERT && r->role < ROLE_OFFICIAL) {
		w_error(r, 403, "compose.alert_role", NULL);
		return;
	}
	if (send || preview) {
		br.dry_run = !send;
		rc = broadcast_create(r->gw, &br, &res, err, sizeof(err));
		if (rc == -2) {
			w_error(r, 503, "err.store", err);
			return;
		}
		if (rc == 0 && send) {
			sent_once_add(r, once, res.id);
			log_info("web: correction id=%lld of id=%lld by %s", (long long)res.id, id, r->se.user.name);
			snprintf(path, sizeof(path), "/announcement?id=%lld&new=1", (long long)res.id);
			w_redirect(r, path);
			return;
		}
	}
	w_begin(r, "ann.correct_title");
	wout(r, "<p><a href=\"/console/announcement?id=%lld\">‹ %t #%lld</a></p>", id, "ann.title", id);
	if (rc == -1 && err[0])
		wout(r, "<div class=\"err\" id=\"error\">%s</div>", err);
	wout(r, "<form method=\"post\" action=\"/console/announcement/correct\" class=\"box\" id=\"correct\">");
	w_csrf(r);
	wout(r, "<input type=\"hidden\" name=\"id\" value=\"%lld\">", id);
	if (rc == 0) {
		/* the confirmation: the numbers again, the text as it goes out, then send or change */
		w_random_hex(fresh, 16);
		wout(r, "<div class=\"note\" id=\"confirm\"><p>%t <b id=\"c-recipients\">%ld</b> %t #%lld, "
		    "<b id=\"c-segments\">%d</b> %t (%s), <b id=\"c-total\">%ld</b> %t.</p>"
		    "<p class=\"msg box\" id=\"c-text-out\">RALAT: %s</p>", "compose.will_send", res.recipients,
		    "ann.correct_who", id, res.segments, "compose.sms_each", !strcmp(res.encoding, "gsm7") ? "GSM-7" :
		    "UCS-2", res.recipients * res.segments, "compose.sms_total", br.text);
		if (res.warnings[0])
			wout(r, "<div class=\"warn msg\" id=\"c-warnings\">%s</div>", res.warnings);
		if (res.recipients == 0)
			wout(r, "<p class=\"bad\">%t</p>", "ann.correct_nobody");
		wout(r, "<input type=\"hidden\" name=\"text\" value=\"%s\"><input type=\"hidden\" name=\"priority\" "
		    "value=\"%S\"><input type=\"hidden\" name=\"once\" value=\"%s\"><input type=\"hidden\" "
		    "name=\"confirm\" value=\"%ld\"><p><button type=\"submit\" name=\"step\" value=\"send\" id=\"send\"%S>"
		    "%t</button> <button type=\"submit\" class=\"alt\" name=\"step\" value=\"edit\" id=\"edit\">%t</button>"
		    "</p></div>", br.text, br.priority == OUTBOX_ALERT ? "alert" : "normal", fresh, res.recipients,
		    res.recipients == 0 ? " disabled" : "", "compose.send", "compose.edit");
	} else
		correct_form(r, id, text, prio);
	wout(r, "</form>");
	w_end(r, 200);
}

/* ---- posts ---- */

void
page_posts(struct wreq *r)
{
	const char	*status = web_form_get(&r->q, "status"), *done = web_form_get(&r->q, "done");
	static const char *tabs[] = { "pending", "published", "rejected", "all" };
	struct rows	 p = { 0 };
	char		 num[48];
	size_t		 k;
	int		 i, hub = r->gw->conf->hub_enabled;

	if (status == NULL)
		status = "pending";
	for (k = 0; k < 4 && strcmp(tabs[k], status); k++)
		;
	if (k == 4)
		status = "pending";
	if (store_list_posts(r->gw->store, strcmp(status, "all") ? status : NULL, rows_cb, &p) != STORE_OK) {
		rows_free(&p);
		store_failed(r, "posts");
		return;
	}
	w_begin(r, "nav.posts");
	if (done)
		wout(r, "<p class=\"note\" id=\"done\">%t%S%t</p>", !strcmp(done, "approve") ? "posts.approved" :
		    !strcmp(done, "reject") ? "posts.rejected" : "posts.replied", web_form_get(&r->q, "box") ? " " : "",
		    web_form_get(&r->q, "box") ? "posts.to_box" : "");
	wout(r, "<p class=\"pager\">");
	for (k = 0; k < 4; k++)
		wout(r, "<a href=\"/console/posts?status=%S\"%S>%t</a>", tabs[k], !strcmp(tabs[k], status) ?
		    " class=\"on\"" : "", tabs[k]);
	wout(r, "</p><table id=\"posts\"><tr><th class=\"n\">#</th><th>%t</th><th>%t</th>", "col.received",
	    "col.from");
	if (hub)
		wout(r, "<th>%t</th>", "col.box");
	wout(r, "<th>%t</th><th>%t</th><th>%t</th></tr>", "col.text", "col.status", "col.actions");
	for (i = p.n - 1; i >= 0; i--) {
		const char *id = rows_get(&p, i, "id");

		wout(r, "<tr id=\"post-%s\"><td class=\"n\">%s</td><td>%s</td><td>%s<br><span class=\"muted\">%s %s</span>"
		    "</td>", id, id, rows_get(&p, i, "received"), w_number(r, rows_get(&p, i, "from"), num, sizeof(num)),
		    rows_get(&p, i, "kim"), rows_get(&p, i, "area"));
		if (hub)	/* the box that received it ("–": this hub's own modems) */
			wout(r, "<td class=\"via\">%s</td>", *rows_get(&p, i, "box") ? rows_get(&p, i, "box") : "–");
		wout(r, "<td class=\"msg\">%s</td><td>%t</td><td>", rows_get(&p, i, "text"), rows_get(&p, i, "status"));
		if (r->role >= ROLE_OPERATOR) {
			if (!strcmp(rows_get(&p, i, "status"), "pending")) {
				wout(r, "<form method=\"post\" action=\"/console/post\" class=\"inline\">");
				w_csrf(r);
				wout(r, "<input type=\"hidden\" name=\"id\" value=\"%s\"><button type=\"submit\" name=\"do\" "
				    "value=\"approve\" id=\"approve-%s\">%t</button> <button type=\"submit\" class=\"alt\" "
				    "name=\"do\" value=\"reject\" id=\"reject-%s\">%t</button></form>", id, id,
				    "posts.approve", id, "posts.reject");
			}
			wout(r, "<form method=\"post\" action=\"/console/post\">");
			w_csrf(r);
			wout(r, "<input type=\"hidden\" name=\"id\" value=\"%s\"><input type=\"text\" name=\"text\" "
			    "maxlength=\"300\" placeholder=\"%t\" aria-label=\"%t\"> <button type=\"submit\" name=\"do\" "
			    "value=\"reply\" class=\"alt\">%t</button></form>", id, "posts.reply_ph", "posts.reply",
			    "posts.reply");
		}
		wout(r, "</td></tr>");
	}
	if (p.n == 0)
		wout(r, "<tr><td colspan=\"%d\">%t</td></tr>", hub ? 7 : 6, "list.empty");
	wout(r, "</table>");
	rows_free(&p);
	w_end(r, 200);
}

void
page_post_action(struct wreq *r)
{
	const char	*what = web_form_get(&r->f, "do"), *text = web_form_get(&r->f, "text");
	long long	 id;
	char		 path[80], err[256];
	int		 rc, relayed = 0;

	if (w_qint(r, "id", 0, &id) != 1 || id <= 0 || what == NULL) {
		w_error(r, 400, "err.id", NULL);
		return;
	}
	/* the console's own path (post approve|reject|reply): on a hub the decision or the reply goes
	 * down to the box that received the report */
	if (!strcmp(what, "approve") || !strcmp(what, "reject"))
		rc = posts_review(r->gw, r->actor, id, !strcmp(what, "approve"), &relayed, err, sizeof(err));
	else if (!strcmp(what, "reply")) {
		if (text == NULL || text[strspn(text, " \t\r\n")] == '\0' || strlen(text) > 300) {
			w_error(r, 400, "err.reply", NULL);
			return;
		}
		rc = posts_reply(r->gw, r->actor, id, text, &relayed, err, sizeof(err));
	} else {
		w_error(r, 400, "err.form", NULL);
		return;
	}
	if (rc == 1) {
		w_error(r, 404, "err.no_post", NULL);
		return;
	}
	if (rc == 2) {
		w_error(r, 400, !strcmp(what, "reply") ? "err.reply" : "err.reviewed", err);
		return;
	}
	if (rc < 0) {
		log_warnx("web: post %s: %s", what, err);
		gateway_store_failed(r->gw, "a post action from the web");
		w_error(r, 503, "err.store", err);
		return;
	}
	log_info("web: post id=%lld %s by %s%s", id, what, r->se.user.name, relayed ? " (to its box)" : "");
	snprintf(path, sizeof(path), "/posts?status=pending&done=%s%s", what, relayed ? "&box=1" : "");
	w_redirect(r, path);
}

/* ---- subscribers ---- */

void
page_subscribers(struct wreq *r)
{
	struct store	*st = r->gw->store;
	const char	*area = web_form_get(&r->q, "area"), *q = web_form_get(&r->q, "q");
	struct rows	 c = { 0 }, s = { 0 };
	char		 digits[32], num[48], label[200];
	size_t		 o = 0;
	int		 i, shown = 0;

	if (store_subscriber_counts(st, area, rows_cb, &c) != STORE_OK) {
		rows_free(&c);
		store_failed(r, "subscriber counts");
		return;
	}
	w_begin(r, "nav.subscribers");
	wout(r, "<div class=\"cards\">");
	card(r, "s-total", store_subscriber_count(st), "dash.subscribers");
	wout(r, "</div><form method=\"get\" action=\"/console/subscribers\"><label for=\"q\">%t</label>"
	    "<input type=\"search\" id=\"q\" name=\"q\" value=\"%s\" inputmode=\"tel\"> <button type=\"submit\">%t"
	    "</button></form>", "subs.search", q ? q : "", "compose.search_go");
	if (q && *q) {
		for (i = 0; q[i] && o + 1 < sizeof(digits); i++)
			if (q[i] >= '0' && q[i] <= '9')
				digits[o++] = q[i];
		digits[o] = '\0';
		/* 0812… as typed locally matches +62812… */
		if (digits[0] == '0')
			memmove(digits, digits + 1, o);
		if (store_list_subscribers(st, NULL, rows_cb, &s) != STORE_OK) {
			rows_free(&c);
			rows_free(&s);
			store_failed(r, "subscribers");
			return;
		}
		wout(r, "<table id=\"found\"><tr><th>%t</th><th>%t</th><th>%t</th><th>%t</th></tr>", "col.number",
		    "col.areas", "col.status", "col.since");
		for (i = 0; i < s.n && shown < LIST_MAX; i++) {
			if (digits[0] == '\0' || strstr(rows_get(&s, i, "number"), digits) == NULL)
				continue;
			shown++;
			wout(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
			    w_number(r, rows_get(&s, i, "number"), num, sizeof(num)), rows_get(&s, i, "areas"),
			    rows_get(&s, i, "status"), rows_get(&s, i, "since"));
		}
		if (shown == 0)
			wout(r, "<tr><td colspan=\"4\">%t</td></tr>", "list.empty");
		wout(r, "</table>");
	}
	wout(r, "<h2>%t</h2><p class=\"crumbs\"><a href=\"/console/subscribers\">%t</a>", "subs.per_area",
	    "subs.top");
	if (area && *area) {
		area_label(r, area, label, sizeof(label));
		wout(r, " › %s", label);
	}
	wout(r, "</p><table id=\"counts\"><tr><th>%t</th><th>%t</th><th class=\"n\">%t</th></tr>", "col.code",
	    "col.area", "col.subscribers");
	for (i = 0; i < c.n; i++) {
		const char *code = rows_get(&c, i, "area");

		if (strlen(code) < 10)
			wout(r, "<tr><td><a href=\"/console/subscribers?area=%s\">%s</a></td>", code, code);
		else
			wout(r, "<tr><td>%s</td>", code);
		wout(r, "<td>%s</td><td class=\"n\">%s</td></tr>", rows_get(&c, i, "name"), rows_get(&c, i, "subscribers"));
	}
	if (c.n == 0)
		wout(r, "<tr><td colspan=\"3\">%t</td></tr>", "list.empty");
	wout(r, "</table>");
	rows_free(&c);
	rows_free(&s);
	w_end(r, 200);
}

/* ---- inbox / outbox ---- */

static int
matches(const char *hay, const char *needle)
{
	return needle == NULL || *needle == '\0' || strcasestr(hay, needle) != NULL;
}

void
page_messages(struct wreq *r)
{
	struct store	*st = r->gw->store;
	const char	*box = web_form_get(&r->q, "box"), *q = web_form_get(&r->q, "q");
	int		 out = box && !strcmp(box, "outbox"), i, shown = 0;
	struct rows	 m = { 0 };
	char		 num[48];
	enum store_status s;

	s = out ? store_list_outbox(st, NULL, 2000, rows_cb, &m) : store_list_inbox(st, 0, 2000, rows_cb, &m);
	if (s != STORE_OK) {
		rows_free(&m);
		store_failed(r, "messages");
		return;
	}
	w_begin(r, "nav.messages");
	wout(r, "<p class=\"pager\"><a href=\"/console/messages?box=inbox\"%S>%t</a><a href=\"/console/messages?"
	    "box=outbox\"%S>%t</a></p><form method=\"get\" action=\"/console/messages\"><input type=\"hidden\" "
	    "name=\"box\" value=\"%S\"><input type=\"search\" name=\"q\" value=\"%s\" aria-label=\"%t\"> "
	    "<button type=\"submit\">%t</button></form>", out ? "" : " class=\"on\"", "msg.inbox",
	    out ? " class=\"on\"" : "", "msg.outbox", out ? "outbox" : "inbox", q ? q : "", "compose.search",
	    "compose.search_go");
	if (out)
		wout(r, "<table id=\"messages\"><tr><th class=\"n\">#</th><th>%t</th><th>%t</th><th>%t</th><th>%t</th>"
		    "<th>%t</th><th>%t</th></tr>", "col.created", "col.to", "col.text", "col.status", "col.modem",
		    "col.last_error");
	else
		wout(r, "<table id=\"messages\"><tr><th class=\"n\">#</th><th>%t</th><th>%t</th><th>%t</th><th>%t</th>"
		    "<th>%t</th></tr>", "col.received", "col.from", "col.text", "col.action", "col.modem");
	for (i = 0; i < m.n && shown < LIST_MAX; i++) {
		const char *who = rows_get(&m, i, out ? "to" : "from");

		if (!matches(rows_get(&m, i, "text"), q) && !matches(who, q))
			continue;
		shown++;
		if (out)
			wout(r, "<tr><td class=\"n\">%s</td><td>%s</td><td>%s</td><td class=\"msg\">%s</td><td>%s</td>"
			    "<td>%s</td><td>%s</td></tr>", rows_get(&m, i, "id"), rows_get(&m, i, "created"),
			    w_number(r, who, num, sizeof(num)), rows_get(&m, i, "text"), rows_get(&m, i, "status"),
			    rows_get(&m, i, "modem"), rows_get(&m, i, "last_error"));
		else
			wout(r, "<tr><td class=\"n\">%s</td><td>%s</td><td>%s</td><td class=\"msg\">%s</td><td>%s</td>"
			    "<td>%s</td></tr>", rows_get(&m, i, "id"), rows_get(&m, i, "received"),
			    w_number(r, who, num, sizeof(num)), rows_get(&m, i, "text"), rows_get(&m, i, "action"),
			    rows_get(&m, i, "modem"));
	}
	if (shown == 0)
		wout(r, "<tr><td colspan=\"7\">%t</td></tr>", "list.empty");
	wout(r, "</table>");
	rows_free(&m);
	w_end(r, 200);
}

/* ---- audit and accounts ---- */

void
page_audit(struct wreq *r)
{
	struct rows	 a = { 0 };
	int		 i;

	if (store_list_audit(r->gw->store, 200, rows_cb, &a) != STORE_OK) {
		rows_free(&a);
		store_failed(r, "audit");
		return;
	}
	w_begin(r, "nav.audit");
	wout(r, "<table id=\"audit\"><tr><th class=\"n\">#</th><th>%t</th><th>%t</th><th>%t</th><th>%t</th></tr>",
	    "col.at", "col.actor", "col.action", "col.detail");
	for (i = 0; i < a.n; i++)
		wout(r, "<tr><td class=\"n\">%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"msg\">%s</td></tr>",
		    rows_get(&a, i, "id"), rows_get(&a, i, "at"), rows_get(&a, i, "actor"), rows_get(&a, i, "action"),
		    r->role >= ROLE_OPERATOR ? rows_get(&a, i, "detail") : "…");
	wout(r, "</table>");
	rows_free(&a);
	w_end(r, 200);
}

void
page_users(struct wreq *r)
{
	const char	*done = web_form_get(&r->q, "done");
	static const char *roles[] = { "viewer", "operator", "official", "admin" };
	struct rows	 u = { 0 };
	size_t		 k;
	int		 i;

	if (store_list_users(r->gw->store, rows_cb, &u) != STORE_OK) {
		rows_free(&u);
		store_failed(r, "users");
		return;
	}
	w_begin(r, "nav.users");
	if (done)
		wout(r, "<p class=\"note\" id=\"done\">%t</p>", !strcmp(done, "remove") ? "users.removed" : "users.saved");
	wout(r, "<table id=\"users\"><tr><th>%t</th><th>%t</th><th class=\"n\">%t</th><th>%t</th><th></th></tr>",
	    "login.name", "col.role", "col.sessions", "col.created");
	for (i = 0; i < u.n; i++) {
		const char *name = rows_get(&u, i, "name");

		wout(r, "<tr><td>%s</td><td>%t</td><td class=\"n\">%s</td><td>%s</td><td>", name,
		    rows_get(&u, i, "role"), rows_get(&u, i, "sessions"), rows_get(&u, i, "created"));
		if (strcmp(name, r->se.user.name)) {
			wout(r, "<form method=\"post\" action=\"/console/users\" class=\"inline\">");
			w_csrf(r);
			wout(r, "<input type=\"hidden\" name=\"name\" value=\"%s\"><button type=\"submit\" class=\"danger\" "
			    "name=\"do\" value=\"remove\" id=\"remove-%s\">%t</button></form>", name, name, "users.remove");
		}
		wout(r, "</td></tr>");
	}
	wout(r, "</table><h2>%t</h2><form method=\"post\" action=\"/console/users\" class=\"box\">", "users.add");
	w_csrf(r);
	wout(r, "<label for=\"uname\">%t</label><input type=\"text\" id=\"uname\" name=\"name\" required "
	    "maxlength=\"32\"><label for=\"urole\">%t</label><select id=\"urole\" name=\"role\">",
	    "login.name", "col.role");
	for (k = 0; k < 4; k++)
		wout(r, "<option value=\"%S\">%t</option>", roles[k], roles[k]);
	wout(r, "</select><label for=\"upw\">%t</label><input type=\"password\" id=\"upw\" name=\"password\" "
	    "autocomplete=\"new-password\" minlength=\"8\" required><label for=\"upw2\">%t</label>"
	    "<input type=\"password\" id=\"upw2\" name=\"password2\" autocomplete=\"new-password\" required>"
	    "<p><button type=\"submit\" name=\"do\" value=\"add\" id=\"add\">%t</button></p><p class=\"muted\">%t</p>"
	    "</form>", "login.password", "users.again", "users.save", "users.help");
	rows_free(&u);
	w_end(r, 200);
}

void
page_user_action(struct wreq *r)
{
	struct store		*st = r->gw->store;
	const char		*what = web_form_get(&r->f, "do"), *name = web_form_get(&r->f, "name");
	const char		*role = web_form_get(&r->f, "role"), *pw = web_form_get(&r->f, "password");
	const char		*pw2 = web_form_get(&r->f, "password2");
	char			 hash[STORE_HASH_MAX], detail[128];
	enum store_status	 s;
	int			 created;

	if (what == NULL || name == NULL || store_user_valid(st, name, role && !strcmp(what, "add") ? role :
	    "viewer") != STORE_OK) {
		w_error(r, 400, "err.user", store_errmsg(st));
		return;
	}
	if (!strcmp(what, "remove")) {
		if (!strcmp(name, r->se.user.name)) {
			w_error(r, 400, "err.self", NULL);
			return;
		}
		if ((s = store_user_remove(st, name)) == STORE_NOTFOUND) {
			w_error(r, 404, "err.no_user", NULL);
			return;
		}
		if (s != STORE_OK) {
			store_failed(r, "removing a user");
			return;
		}
		snprintf(detail, sizeof(detail), "{\"user\":\"%s\"}", name);
		w_audit(r, "user remove", detail);
	} else if (!strcmp(what, "add")) {
		if (pw == NULL || pw2 == NULL || strlen(pw) < 8 || strcmp(pw, pw2)) {
			w_error(r, 400, "err.password", NULL);
			return;
		}
		if (store_user_hash(pw, hash, sizeof(hash)) == -1) {
			w_error(r, 500, "err.500", NULL);
			return;
		}
		if ((s = store_user_put(st, name, role, hash, &created)) != STORE_OK) {
			store_failed(r, "adding a user");
			return;
		}
		snprintf(detail, sizeof(detail), "{\"user\":\"%s\",\"role\":\"%s\"}", name, role);
		w_audit(r, created ? "user add" : "user update", detail);
	} else {
		w_error(r, 400, "err.form", NULL);
		return;
	}
	log_info("web: user %s %s by %s", name, what, r->se.user.name);
	w_redirect(r, !strcmp(what, "remove") ? "/users?done=remove" : "/users?done=add");
}
