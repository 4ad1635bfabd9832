/* broadcast — checks and commits an announcement with its recipients (see broadcast.h). */
#include <sys/random.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/areacode.h"
#include "common/conf.h"
#include "common/crash.h"
#include "common/log.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "gateway/broadcast.h"
#include "gateway/gateway.h"
#include "gateway/modem/modem.h"
#include "parsers/gsm7.h"
#include "store/store.h"
#include "store/store_field.h"
#include "store/store_announcements.h"
#include "store/store_outbox.h"
#include "store/store_uplink.h"

#define BROADCAST_MAX_SEGMENTS	6	/* 918 GSM-7 characters; longer is a letter, not an SMS */
#define MODEM_DEFAULT_PER_MIN	16.0	/* a real modem with libGammu: ~3.7 s per message */

static void
warn(struct broadcast_res *res, const char *msg)
{
	size_t	 len = strlen(res->warnings);

	snprintf(res->warnings + len, sizeof(res->warnings) - len, "%s\n", msg);
}

/* What Indonesian operators filter on person-to-person SMS: links and long digit runs. */
static void
check_filters(const char *text, struct broadcast_res *res)
{
	const char	*p;
	int		 run = 0, maxrun = 0;
	char		 lower[2048];
	size_t		 i;

	for (i = 0; text[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)text[i]);
	lower[i] = '\0';
	if (strstr(lower, "http://") || strstr(lower, "https://") || strstr(lower, "www.") ||
	    strstr(lower, "bit.ly") || strstr(lower, ".com/") || strstr(lower, ".id/") || strstr(lower, ".go.id"))
		warn(res, "warning: the text contains a link; operators often filter links in person-to-person SMS");
	for (p = text; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (++run > maxrun)
				maxrun = run;
		} else if (*p != ' ' && *p != '-' && *p != '.')
			run = 0;
	}
	if (maxrun >= 10)
		warn(res, "warning: the text contains a long run of digits (phone or account number?); operators "
		    "often filter those in bulk SMS");
}

/* A fresh verification code: BROADCAST_CODE_LEN characters of BROADCAST_CODE_CHARS from the
 * kernel's random source (20^5 = 3.2 million codes: hard to guess within the reply cap), unused. */
static int
new_code(struct store *st, char code[8], char *err, size_t errlen)
{
	static const char	 chars[] = BROADCAST_CODE_CHARS;
	unsigned char		 rnd[BROADCAST_CODE_LEN];
	int			 tries, i, used;

	for (tries = 0; tries < 20; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			snprintf(err, errlen, "no random numbers for the verification code");
			return -1;
		}
		for (i = 0; i < BROADCAST_CODE_LEN; i++)
			/* 256 % 20 = 16: a bias of 1/16 on 16 letters, harmless for a lookup key */
			code[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		code[i] = '\0';
		if ((used = store_announcement_code_used(st, code)) == 0)
			return 0;
		if (used < 0) {
			snprintf(err, errlen, "checking the verification code: %s", store_errmsg(st));
			return -1;
		}
	}
	snprintf(err, errlen, "no free verification code after 20 tries");
	return -1;
}

/* The checked request: areas expanded (an empty list = what the gateway serves), the estimate. */
struct prepared {
	char		 text[4096];	/* as sent: RALAT prefix and code suffix added */
	const char	*areas[BROADCAST_MAX_AREAS];
	char		 served[BROADCAST_MAX_AREAS][16];
	int		 nareas;
	double		 per_s;		/* estimated send rate of the ready modems */
};

/* An estimate from the ready modems' rate limits. */
static void
estimate(struct gateway *gw, struct broadcast_res *res, struct prepared *pp)
{
	struct modem_snapshot	 s;
	int			 i, j;

	modem_snapshot(gw, &s);
	for (i = 0; i < s.n; i++) {
		if (!s.m[i].up)
			continue;
		res->ready_modems++;
		for (j = 0; j < gw->conf->nmodems; j++)
			if (!strcmp(gw->conf->modems[j].name, s.m[i].info.name)) {
				const struct conf_rate	*r = &gw->conf->modems[j].rate;
				double			 mr = MODEM_DEFAULT_PER_MIN / 60.0;

				if (r->per_s > 0 && r->count > 0 && (double)r->count / r->per_s < mr)
					mr = (double)r->count / r->per_s;
				pp->per_s += mr;
			}
	}
	modem_snapshot_free(&s);
}

static int
prepare(struct gateway *gw, const struct broadcast_req *req, struct broadcast_res *res, struct prepared *pp,
    char *err, size_t errlen)
{
	struct store		*st = gw->store;
	struct gsm7_count	 cnt;
	int			 i;

	memset(res, 0, sizeof(*res));
	memset(pp, 0, sizeof(*pp));
	if (req->text == NULL || req->text[strspn(req->text, " \t\r\n")] == '\0') {
		snprintf(err, errlen, "the announcement text is empty");
		return -1;
	}
	if (req->corrects) {
		struct store_ann_brief	 b;
		enum store_status	 s = store_announcement_brief(st, req->corrects, &b);

		if (s == STORE_NOTFOUND) {
			snprintf(err, errlen, "no announcement %lld to correct (see 'kentongan announcements')",
			    (long long)req->corrects);
			return -1;
		}
		if (s != STORE_OK) {
			snprintf(err, errlen, "reading announcement %lld: %s", (long long)req->corrects,
			    store_errmsg(st));
			return -2;
		}
		if (strcmp(b.state, "pending") == 0 || strcmp(b.state, "expired") == 0) {
			snprintf(err, errlen, "announcement %lld was never sent (it is %s): nothing to correct",
			    (long long)req->corrects, b.state);
			return -1;
		}
	}
	if (new_code(st, res->code, err, errlen) != 0)
		return -2;
	snprintf(pp->text, sizeof(pp->text), "%s%s", req->corrects ? "RALAT: " : "", req->text);
	if (req->append_code || gw->conf->append_code) {
		size_t l = strlen(pp->text);

		snprintf(pp->text + l, sizeof(pp->text) - l, "%sKode: %s",
		    l > 0 && strchr(" \n", pp->text[l - 1]) ? "" : " ", res->code);
	}
	gsm7_count(pp->text, strlen(pp->text), &cnt);
	res->segments = (int)cnt.segments;
	res->encoding = cnt.encoding == GSM7_ENC_GSM7 ? "gsm7" : "ucs2";
	if (cnt.segments > BROADCAST_MAX_SEGMENTS) {
		snprintf(err, errlen, "the text needs %zu SMS per recipient (at most %d): shorten it", cnt.segments,
		    BROADCAST_MAX_SEGMENTS);
		return -1;
	}
	if (cnt.encoding == GSM7_ENC_UCS2)
		warn(res, "warning: the text has characters outside the GSM alphabet (emoji, non-Latin script), so "
		    "it is sent as UCS-2: 70 characters per SMS instead of 160");
	if (cnt.segments > 1) {
		char w[160];

		snprintf(w, sizeof(w), "warning: the text is %zu characters and goes out as %zu SMS per recipient",
		    cnt.chars, cnt.segments);
		warn(res, w);
	}
	check_filters(pp->text, res);
	if (req->expires_at && req->expires_at <= (req->at ? req->at : clock_now())) {
		snprintf(err, errlen, "the announcement would expire before it is sent");
		return -1;
	}
	if (req->nareas == 0) {
		/* every area this gateway serves */
		const char *p = gw->conf->areas;

		while (p && *p && pp->nareas < BROADCAST_MAX_AREAS) {
			size_t n;

			p += strspn(p, ", ");
			n = strcspn(p, ", ");
			if (n > 0 && n < sizeof(pp->served[0])) {
				snprintf(pp->served[pp->nareas], sizeof(pp->served[0]), "%.*s", (int)n, p);
				pp->areas[pp->nareas] = pp->served[pp->nareas];
				pp->nareas++;
			}
			p += n;
		}
		if (pp->nareas == 0)
			pp->areas[pp->nareas++] = "";	/* the whole country */
	} else {
		for (i = 0; i < req->nareas; i++) {
			struct store_area	 ar;
			enum store_status	 s = store_area_get(st, req->areas[i], &ar);

			if (s == STORE_NOTFOUND) {
				snprintf(err, errlen, "unknown area code '%s' (see 'kentongan areas')", req->areas[i]);
				return -1;
			}
			if (s != STORE_OK) {
				snprintf(err, errlen, "reading areas: %s", store_errmsg(st));
				return -2;
			}
			if (!areacode_overlaps_list(req->areas[i], gw->conf->areas)) {
				snprintf(err, errlen, "area %s (%s) is outside the areas this gateway serves (%s)",
				    req->areas[i], ar.name, gw->conf->areas);
				return -1;
			}
			pp->areas[pp->nareas++] = req->areas[i];
		}
	}
	estimate(gw, res, pp);
	return 0;
}

/* Queues the announcement, its recipients and the audit record inside the open transaction. */
static int
queue_rows(struct gateway *gw, const struct broadcast_req *req, struct broadcast_res *res,
    const struct prepared *pp, char *err, size_t errlen)
{
	struct store			*st = gw->store;
	struct store_announcement_new	 a;
	char				 detail[768], rq[128];

	memset(&a, 0, sizeof(a));
	a.text = pp->text;
	a.areas = pp->areas;
	a.nareas = pp->nareas;
	a.priority = req->priority;
	a.source = req->source ? req->source : "console";
	a.not_before = req->at;
	a.expires_at = req->expires_at;
	a.segments = res->segments;
	a.encoding = res->encoding;
	a.code = res->code;
	a.corrects = req->corrects;
	a.requested_by = req->requested_by ? req->requested_by : a.source;
	/* two-person rule: an alert waits for a second, different official */
	if (req->priority == OUTBOX_ALERT && gw->conf->alert_approval >= 2) {
		a.pending = 1;
		a.approve_by = clock_now() + gw->conf->approval_timeout_s;
		res->pending = 1;
		res->approve_by = a.approve_by;
	}
	if (store_announcement_add(st, &a, &res->id, &res->recipients) != STORE_OK)
		goto fail;
	snprintf(detail, sizeof(detail), "{\"id\":%lld,\"recipients\":%ld,\"priority\":\"%s\",\"areas\":%d,"
	    "\"code\":\"%s\",\"requested_by\":\"%s\"%s", (long long)res->id, res->recipients,
	    req->priority == OUTBOX_ALERT ? "alert" : "normal", pp->nareas, res->code,
	    json_escape(a.requested_by, rq, sizeof(rq)), res->pending ? ",\"state\":\"pending\"" : "");
	if (req->corrects) {
		size_t l = strlen(detail);

		snprintf(detail + l, sizeof(detail) - l, ",\"corrects\":%lld", (long long)req->corrects);
	}
	strncat(detail, "}", sizeof(detail) - strlen(detail) - 1);
	if (store_audit(st, a.source, req->corrects ? "correction" : "broadcast", detail) != STORE_OK)
		goto fail;
	if (gw->conf->hub_enabled) {
		/* a hub forwards it to every box below whose served areas overlap, in the same commit */
		char epoch[UPLINK_EPOCH_LEN];

		if (store_uplink_epoch(st, epoch) != STORE_OK || store_hub_forward(st, gw->conf->hub_name, epoch,
		    res->id, req->text, pp->areas, pp->nareas, req->priority, req->expires_at, &res->boxes) != STORE_OK)
			goto fail;
	}
	CRASH_POINT("broadcast-fanout");
	res->eta_s = pp->per_s > 0 ? (double)res->recipients / pp->per_s : -1;
	return 0;
fail:
	snprintf(err, errlen, "nothing was queued: %s", store_errmsg(st));
	res->id = 0;
	return -2;
}

int
broadcast_approve(struct gateway *gw, int64_t id, const char *approver, int in_tx, long *recipients, char *err,
    size_t errlen)
{
	struct store		*st = gw->store;
	struct store_ann_brief	 b;
	enum store_status	 s;
	char			 detail[384], ap[128], rq[128];

	if (!in_tx && store_begin(st) != STORE_OK) {
		snprintf(err, errlen, "%s", store_errmsg(st));
		gateway_store_failed(gw, "approving an announcement");
		return -2;
	}
	s = store_announcement_approve(st, id, approver, clock_now(), recipients);
	if (s == STORE_OK)
		s = store_announcement_brief(st, id, &b);
	if (s == STORE_OK) {
		/* one record names both people: who asked and who approved */
		snprintf(detail, sizeof(detail), "{\"id\":%lld,\"recipients\":%ld,\"requested_by\":\"%s\","
		    "\"approved_by\":\"%s\"}", (long long)id, *recipients, json_escape(b.requested_by, rq, sizeof(rq)),
		    json_escape(approver, ap, sizeof(ap)));
		s = store_audit(st, approver, "approve", detail);
	}
	if (s == STORE_NOTFOUND || s == STORE_INVALID) {
		snprintf(err, errlen, "%s", store_errmsg(st));
		if (!in_tx)
			store_rollback(st);
		return -1;
	}
	if (s != STORE_OK || (!in_tx && store_commit(st) != STORE_OK)) {
		snprintf(err, errlen, "%s", store_errmsg(st));
		if (!in_tx) {
			store_rollback(st);
			gateway_store_failed(gw, "approving an announcement");
		}
		return -2;
	}
	log_info("broadcast id=%lld approved recipients=%ld", (long long)id, *recipients);
	if (!in_tx)
		gateway_queue_changed(gw);
	return 0;
}

int
broadcast_cancel(struct gateway *gw, int64_t id, const char *actor, const char *by, long *n, char *err,
    size_t errlen)
{
	struct store		*st = gw->store;
	enum store_status	 s;
	char			 detail[192], b[96];

	*n = 0;
	if ((s = store_begin(st)) == STORE_OK && (s = store_announcement_cancel(st, id, n)) == STORE_OK) {
		snprintf(detail, sizeof(detail), "{\"id\":%lld,\"cancelled\":%ld,\"by\":\"%s\"}", (long long)id, *n,
		    json_escape(by, b, sizeof(b)));
		if ((s = store_audit(st, actor, "cancel", detail)) == STORE_OK)
			s = store_commit(st);
	}
	if (s == STORE_OK)
		return 0;
	if (s == STORE_NOTFOUND)
		snprintf(err, errlen, "no announcement %lld", (long long)id);
	else
		snprintf(err, errlen, "%s", store_errmsg(st));
	store_rollback(st);
	return s == STORE_NOTFOUND || s == STORE_INVALID ? -1 : -2;
}

static void
log_accepted(const struct broadcast_req *req, const struct broadcast_res *res)
{
	const char	*source = req->source ? req->source : "console";
	char		 nb[40];

	log_info("broadcast id=%lld source=%s priority=%s recipients=%ld segments=%d encoding=%s code=%s "
	    "boxes=%ld%s", (long long)res->id, source[0] == '+' ? log_msisdn(source, nb) : source,
	    req->priority == OUTBOX_ALERT ? "alert" : "normal", res->recipients, res->segments, res->encoding,
	    res->code, res->boxes, res->pending ? " state=pending" : "");
}

int
broadcast_queue(struct gateway *gw, const struct broadcast_req *req, struct broadcast_res *res, char *err,
    size_t errlen)
{
	struct prepared	 pp;
	int		 rc;

	if ((rc = prepare(gw, req, res, &pp, err, errlen)) != 0)
		return rc;
	if ((rc = queue_rows(gw, req, res, &pp, err, errlen)) == 0)
		log_accepted(req, res);
	return rc;
}

int
broadcast_create(struct gateway *gw, const struct broadcast_req *req, struct broadcast_res *res, char *err,
    size_t errlen)
{
	struct store	*st = gw->store;
	struct prepared	 pp;
	int		 rc;

	if ((rc = prepare(gw, req, res, &pp, err, errlen)) != 0)
		return rc;
	if (req->dry_run) {
		/* a correction goes to those the corrected one was sent to, not to its areas */
		res->recipients = req->corrects ? store_correction_count(st, req->corrects) :
		    store_recipients_count(st, pp.areas, pp.nareas);
		if (res->recipients >= 0 && gw->conf->hub_enabled && !req->corrects) {
			/* on a hub, the per-village counts the boxes reported */
			res->box_recipients = store_hub_recipients(st, pp.areas, pp.nareas);
			res->boxes = store_hub_boxes_for(st, pp.areas, pp.nareas);
			if (res->box_recipients < 0 || res->boxes < 0)
				res->recipients = -1;
			else
				res->recipients += res->box_recipients;
		}
		if (res->recipients < 0) {
			snprintf(err, errlen, "counting recipients: %s", store_errmsg(st));
			return -2;
		}
		res->eta_s = pp.per_s > 0 ? (double)res->recipients / pp.per_s : -1;
		return 0;
	}
	if (store_begin(st) != STORE_OK) {
		snprintf(err, errlen, "nothing was queued: %s", store_errmsg(st));
		gateway_store_failed(gw, "queueing a broadcast");
		return -2;
	}
	if ((rc = queue_rows(gw, req, res, &pp, err, errlen)) != 0 || store_commit(st) != STORE_OK) {
		if (rc == 0)
			snprintf(err, errlen, "nothing was queued: %s", store_errmsg(st));
		store_rollback(st);
		gateway_store_failed(gw, "queueing a broadcast");
		res->id = 0;
		return -2;
	}
	gateway_store_recovered(gw);
	log_accepted(req, res);
	gateway_queue_changed(gw);
	if (res->boxes > 0 && gw->uplink_kick)
		gw->uplink_kick(gw);
	return 0;
}

void
broadcast_eta_str(double s, const char *unknown, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "%s", unknown);
	else
		timefmt_duration(s, buf, len);
}
