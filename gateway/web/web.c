/*
 * web — the console's request handling: routing under /console/, sessions and logins, CSRF, the
 * HTML writer and layout, error pages, static assets and the language switch (see web.h). The
 * pages themselves are in web_pages.c.
 *
 * Session: a 256-bit random cookie (kt_session, HttpOnly, SameSite=Strict, Path=/console/, Secure
 * over TLS); the store keeps only its SHA-256 with the user, a CSRF token, the idle and the
 * absolute expiry. Every POST must carry the session's CSRF token (the login form carries one
 * bound to a pre-login cookie instead) and, when the browser sends Origin, come from this host.
 * Logins: yescrypt through libcrypt; wrong passwords are counted per account and address in the
 * store and lock that pair (and the account, after many from anywhere) for a while.
 */
#include <sys/queue.h>
#include <sys/random.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/hex.h"
#include "common/sha256.h"
#include "common/str.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/web/web-internal.h"
#include "gateway/web/web.h"
#include "store/store.h"

struct web_asset {
	const char	*name;
	const char	*data;
};
#include "web_assets.h"

#define COOKIE_SESSION	"kt_session"
#define COOKIE_PRE	"kt_pre"
#define COOKIE_LANG	"kt_lang"

/* Content-Security-Policy: nothing inline may run, nothing from another origin loads. */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

struct web *
web_new(struct gateway *gw)
{
	struct web *w = xcalloc(1, sizeof(*w));

	w->gw = gw;
	return w;
}

void
web_free(struct web *w)
{
	free(w);
}

/* ---- the writer ---- */

static void
put_escaped(struct evbuffer *b, const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, HTML_SPECIAL);

		evbuffer_add(b, s, n);
		s += n;
		if (*s) {
			const char *e = html_entity((unsigned char)*s);

			evbuffer_add(b, e, strlen(e));
			s++;
		}
	}
}

const char *
T(struct wreq *r, const char *key)
{
	return web_phrase(key, r->lang);
}

void
wout(struct wreq *r, const char *fmt, ...)
{
	va_list		 ap;
	const char	*p = fmt;

	va_start(ap, fmt);
	while (*p) {
		const char	*pct = strchr(p, '%');
		char		 spec[16];
		size_t		 n;
		int		 longs = 0;

		if (pct == NULL) {
			evbuffer_add(r->b, p, strlen(p));
			break;
		}
		evbuffer_add(r->b, p, (size_t)(pct - p));
		p = pct + 1;
		if (*p == 's') {
			put_escaped(r->b, va_arg(ap, const char *));
			p++;
			continue;
		}
		if (*p == 'S') {
			const char *s = va_arg(ap, const char *);

			if (s)
				evbuffer_add(r->b, s, strlen(s));
			p++;
			continue;
		}
		if (*p == 't') {
			put_escaped(r->b, T(r, va_arg(ap, const char *)));
			p++;
			continue;
		}
		if (*p == '%') {
			evbuffer_add(r->b, "%", 1);
			p++;
			continue;
		}
		/* flags, width, precision and length, then the conversion */
		n = strspn(p, "-+ #0123456789.");
		while (p[n] == 'l' && longs < 2) {
			longs++;
			n++;
		}
		if (p[n] == 'z')
			n++, longs = 3;
		if (n + 2 >= sizeof(spec) || p[n] == '\0')
			break;
		spec[0] = '%';
		memcpy(spec + 1, p, n + 1);
		spec[n + 2] = '\0';
		switch (p[n]) {
		case 'd': case 'i': case 'u': case 'x':
			if (longs == 0)
				evbuffer_add_printf(r->b, spec, va_arg(ap, int));
			else if (longs == 1)
				evbuffer_add_printf(r->b, spec, va_arg(ap, long));
			else if (longs == 2)
				evbuffer_add_printf(r->b, spec, va_arg(ap, long long));
			else
				evbuffer_add_printf(r->b, spec, va_arg(ap, size_t));
			break;
		case 'c':
			evbuffer_add_printf(r->b, spec, va_arg(ap, int));
			break;
		case 'f':
			evbuffer_add_printf(r->b, spec, va_arg(ap, double));
			break;
		default:
			fatalx("wout: unsupported conversion in \"%s\"", fmt);
		}
		p += n + 1;
	}
	va_end(ap);
}

static const char *
role_name(enum web_role role)
{
	static const char *names[] = { "viewer", "operator", "official", "admin" };

	return role >= ROLE_VIEWER && role <= ROLE_ADMIN ? names[role] : "-";
}

static enum web_role
role_of(const char *s)
{
	if (!strcmp(s, "viewer"))
		return ROLE_VIEWER;
	if (!strcmp(s, "operator"))
		return ROLE_OPERATOR;
	if (!strcmp(s, "official"))
		return ROLE_OFFICIAL;
	if (!strcmp(s, "admin"))
		return ROLE_ADMIN;
	return ROLE_NONE;
}

void
w_csrf(struct wreq *r)
{
	wout(r, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->se.csrf);
}

const char *
w_number(struct wreq *r, const char *number, char *buf, size_t len)
{
	if (number == NULL)
		number = "";
	if (r->role >= ROLE_OPERATOR || number[0] != '+')
		snprintf(buf, len, "%s", number);
	else
		web_mask_number(number, buf, len);
	return buf;
}

void
w_svg_bar(struct wreq *r, const char *id, long value, long max, int width)
{
	long fill = max > 0 ? value * width / max : 0;

	if (fill > width)
		fill = width;
	wout(r, "<svg class=\"bar\" width=\"%d\" height=\"14\" role=\"img\" aria-label=\"%ld/%ld\">"
	    "<rect class=\"bg\" width=\"%d\" height=\"14\"/><rect class=\"fill\"%S%s%S width=\"%ld\" height=\"14\"/>"
	    "</svg>", width, value, max, width, id ? " id=\"" : "", id ? id : "", id ? "\"" : "", fill);
}

void
w_audit(struct wreq *r, const char *action, const char *detail)
{
	if (store_audit(r->gw->store, r->actor, action, detail) != STORE_OK)
		log_warnx("web: audit %s by %s: %s", action, r->actor, store_errmsg(r->gw->store));
}

int
w_qint(struct wreq *r, const char *name, long long dflt, long long *out)
{
	const char	*v = web_form_get(r->post ? &r->f : &r->q, name);
	char		*end;

	if (v == NULL && r->post)
		v = web_form_get(&r->q, name);
	*out = dflt;
	if (v == NULL || *v == '\0')
		return v == NULL ? 0 : -1;
	*out = strtoll(v, &end, 10);
	return *end ? -1 : 1;
}

/* ---- rows ---- */

int
rows_cb(void *arg, const struct table_row *row)
{
	struct rows	*rs = arg;
	int		 i;

	if (rs->ncol == 0) {
		rs->ncol = row->n;
		rs->names = xcalloc((size_t)row->n, sizeof(char *));
		for (i = 0; i < row->n; i++)
			rs->names[i] = xstrdup(row->names[i]);
	}
	if (row->n != rs->ncol)
		return 1;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->vals = xreallocarray(rs->vals, (size_t)rs->cap * (size_t)rs->ncol, sizeof(char *));
	}
	for (i = 0; i < row->n; i++)
		rs->vals[rs->n * rs->ncol + i] = row->values[i] ? xstrdup(row->values[i]) : NULL;
	rs->n++;
	return rs->n >= 5000;	/* a page never shows more */
}

const char *
rows_get(const struct rows *rs, int i, const char *name)
{
	int c;

	for (c = 0; c < rs->ncol; c++)
		if (!strcmp(rs->names[c], name)) {
			const char *v = rs->vals[i * rs->ncol + c];

			return v ? v : "";
		}
	return "";
}

long
rows_long(const struct rows *rs, int i, const char *name)
{
	return atol(rows_get(rs, i, name));
}

void
rows_free(struct rows *rs)
{
	int i;

	for (i = 0; i < rs->n * rs->ncol; i++)
		free(rs->vals[i]);
	for (i = 0; i < rs->ncol; i++)
		free(rs->names[i]);
	free(rs->vals);
	free(rs->names);
	memset(rs, 0, sizeof(*rs));
}

/* ---- sending ---- */

static void
common_headers(struct wreq *r, const char *type)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(r->req);

	evhttp_add_header(oh, "Content-Type", type);
	evhttp_add_header(oh, "Content-Security-Policy", csp);
	evhttp_add_header(oh, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(oh, "X-Frame-Options", "DENY");
	evhttp_add_header(oh, "Referrer-Policy", "same-origin");
}

static const char *
reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void
send_buf(struct wreq *r, int code)
{
	struct evbuffer *ob = evhttp_request_get_output_buffer(r->req);

	if (evhttp_request_get_command(r->req) != EVHTTP_REQ_HEAD)
		evbuffer_add_buffer(ob, r->b);
	evhttp_send_reply(r->req, code, reason(code), NULL);
	r->code = code;
}

void
w_send(struct wreq *r, int code, const char *type, const char *filename)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(r->req);

	common_headers(r, type);
	evhttp_add_header(oh, "Cache-Control", "no-store");
	if (filename != NULL) {
		char cd[128];

		snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", filename);
		evhttp_add_header(oh, "Content-Disposition", cd);
	}
	send_buf(r, code);
}

static void
set_cookie(struct wreq *r, const char *name, const char *value, long max_age)
{
	char c[256];

	snprintf(c, sizeof(c), "%s=%s; Path=/console/; HttpOnly; SameSite=Strict%s%s", name, value,
	    r->tls ? "; Secure" : "", max_age > 0 ? "" : "; Max-Age=0");
	if (max_age > 0 && strcmp(name, COOKIE_LANG) == 0)
		snprintf(c + strlen(c), sizeof(c) - strlen(c), "; Max-Age=%ld", max_age);
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Set-Cookie", c);
}

void
w_redirect(struct wreq *r, const char *path)
{
	char loc[512];

	snprintf(loc, sizeof(loc), "/console%s", path);
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", loc);
	w_send(r, 303, "text/html; charset=utf-8", NULL);
}

/* ---- layout ---- */

static const struct {
	const char	*path, *key;
	enum web_role	 min;
} menu[] = {
	{ "/", "nav.dashboard", ROLE_VIEWER },
	{ "/compose", "nav.compose", ROLE_OPERATOR },
	{ "/announcements", "nav.announcements", ROLE_VIEWER },
	{ "/posts", "nav.posts", ROLE_VIEWER },
	{ "/subscribers", "nav.subscribers", ROLE_VIEWER },
	{ "/messages", "nav.messages", ROLE_VIEWER },
	{ "/audit", "nav.audit", ROLE_VIEWER },
	{ "/users", "nav.users", ROLE_ADMIN },
};

void
w_begin(struct wreq *r, const char *title)
{
	size_t i;

	wout(r, "<!doctype html>\n<html lang=\"%S\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	    "<title>%t — Kentongan</title><link rel=\"icon\" href=\"data:,\">"
	    "<link rel=\"stylesheet\" href=\"/console/static/style.css\">"
	    "<script src=\"/console/static/app.js\" defer></script></head>\n<body>"
	    "<header><span class=\"brand\">Kentongan</span>", r->lang ? "en" : "id", title);
	if (r->authed) {
		wout(r, "<nav>");
		for (i = 0; i < sizeof(menu) / sizeof(menu[0]); i++)
			if (r->role >= menu[i].min)
				wout(r, "<a href=\"/console%S\"%S>%t</a>", menu[i].path,
				    r->nav && !strcmp(r->nav, menu[i].path) ? " class=\"on\"" : "", menu[i].key);
		wout(r, "</nav><span class=\"who\"><span>%s (%t)</span>", r->se.user.name, role_name(r->role));
	} else
		wout(r, "<nav></nav><span class=\"who\">");
	wout(r, "<a href=\"/console/lang?to=%S\">%S</a>", r->lang ? "id" : "en", r->lang ? "Bahasa Indonesia" : "English");
	if (r->authed) {
		wout(r, "<form method=\"post\" action=\"/console/logout\">");
		w_csrf(r);
		wout(r, "<button type=\"submit\" id=\"logout\">%t</button></form>", "nav.logout");
	}
	wout(r, "</span></header>\n<main><h1>%t</h1>\n", title);
}

void
w_end(struct wreq *r, int code)
{
	wout(r, "</main></body></html>\n");
	w_send(r, code, "text/html; charset=utf-8", NULL);
}

void
w_error(struct wreq *r, int code, const char *msg, const char *detail)
{
	const char *title = code == 403 ? "err.403" : code == 404 ? "err.404" : code == 405 ? "err.405" :
	    code == 409 ? "err.409" : code == 429 ? "err.429" : code >= 500 ? "err.500" : "err.400";

	evbuffer_drain(r->b, evbuffer_get_length(r->b));
	w_begin(r, title);
	wout(r, "<div class=\"err\" id=\"error\"><p>%t</p>", msg);
	if (detail != NULL && *detail)
		wout(r, "<p class=\"msg\">%s</p>", detail);
	wout(r, "</div><p><a href=\"/console/\">%t</a></p>", "err.home");
	w_end(r, code);
}

/* ---- sessions ---- */

void
w_random_hex(char *out, size_t nbytes)
{
	uint8_t	 buf[32];
	size_t	 got = 0;

	if (nbytes > sizeof(buf))
		fatalx("random_hex: %zu bytes", nbytes);
	while (got < nbytes) {
		ssize_t n = getrandom(buf + got, nbytes - got, 0);

		if (n <= 0)
			fatal("getrandom");
		got += (size_t)n;
	}
	hex_encode(buf, nbytes, out);
	explicit_bzero(buf, sizeof(buf));
}

static void
session_key(const char *cookie, char out[65])
{
	uint8_t h[SHA256_LEN];

	sha256(cookie, strlen(cookie), h);
	hex_encode(h, SHA256_LEN, out);
}

static int
token_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la == lb && la > 0 && ct_memcmp(a, b, la) == 0;
}

static void
load_session(struct wreq *r)
{
	const char	*ch = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Cookie");
	char		 v[80];
	time_t		 now = clock_now();

	r->role = ROLE_NONE;
	if (web_cookie(ch, COOKIE_LANG, v, sizeof(v)) == 0)
		r->lang = !strcmp(v, "en");
	else
		r->lang = r->gw->conf->language && !strcmp(r->gw->conf->language, "en");
	if (now - r->w->pruned_at > 600) {
		r->w->pruned_at = now;
		store_sessions_prune(r->gw->store, now, r->gw->conf->web_idle_s);
	}
	if (web_cookie(ch, COOKIE_SESSION, v, sizeof(v)) == -1 || strlen(v) != 64)
		return;
	session_key(v, r->sid);
	if (store_session_get(r->gw->store, r->sid, now, r->gw->conf->web_idle_s, &r->se) != STORE_OK)
		return;
	r->authed = 1;
	r->role = role_of(r->se.user.role);
	snprintf(r->actor, sizeof(r->actor), "web:%s", r->se.user.name);
}

/* The address of the client; behind a proxy on this host, the one it names. */
static void
client_address(struct wreq *r)
{
	struct evhttp_connection	*c = evhttp_request_get_connection(r->req);
	const char			*ip = NULL, *fwd;
	uint16_t			 port;

	if (c != NULL)
		evhttp_connection_get_peer(c, (char **)&ip, &port);
	snprintf(r->addr, sizeof(r->addr), "%s", ip ? ip : "-");
	fwd = evhttp_find_header(evhttp_request_get_input_headers(r->req), "X-Forwarded-For");
	if (fwd != NULL && (!strcmp(r->addr, "127.0.0.1") || !strcmp(r->addr, "::1"))) {
		size_t n = strcspn(fwd, ", ");

		/* only an address goes into logs, the audit log's JSON and the lock table */
		if (n > 0 && n < sizeof(r->addr) && strspn(fwd, "0123456789abcdefABCDEF.:") >= n)
			snprintf(r->addr, sizeof(r->addr), "%.*s", (int)n, fwd);
	}
}

/* ---- login and logout ---- */

static void
login_form(struct wreq *r, int code, const char *msg, const char *detail, const char *name)
{
	char pre[65];

	w_random_hex(pre, 32);
	set_cookie(r, COOKIE_PRE, pre, 1);
	w_begin(r, "login.title");
	wout(r, "<div class=\"login box\">");
	if (msg != NULL) {
		wout(r, "<div class=\"err\" id=\"error\">%t", msg);
		if (detail)
			wout(r, " %s", detail);
		wout(r, "</div>");
	}
	wout(r, "<form method=\"post\" action=\"/console/login\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<label for=\"name\">%t</label><input type=\"text\" id=\"name\" name=\"name\" value=\"%s\" "
	    "autocomplete=\"username\" autofocus required>"
	    "<label for=\"password\">%t</label><input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required>"
	    "<p><button type=\"submit\" id=\"login\">%t</button></p></form></div>",
	    pre, "login.name", name ? name : "", "login.password", "login.submit");
	w_end(r, code);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Takes a token from b (capacity cap, refill per_s); 0 when there is none. */
static int
bucket_take(struct login_bucket *b, double cap, double per_s, int64_t now)
{
	if (b->at_ms == 0)
		b->tokens = cap;
	else
		b->tokens += (double)(now - b->at_ms) / 1000.0 * per_s;
	if (b->tokens > cap)
		b->tokens = cap;
	b->at_ms = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

/* Whether a login from addr may be checked now (see LOGIN_BURST): the password check is the one
 * slow thing on the loop, so a flood of logins must not starve the modems. */
static int
login_may_try(struct web *w, const char *addr)
{
	struct login_bucket	*b = NULL, *oldest = &w->buckets[0];
	int64_t			 now = mono_ms();
	int			 i;

	for (i = 0; i < LOGIN_SLOTS; i++) {
		if (!strcmp(w->buckets[i].addr, addr)) {
			b = &w->buckets[i];
			break;
		}
		if (w->buckets[i].at_ms < oldest->at_ms)
			oldest = &w->buckets[i];
	}
	if (b == NULL) {
		b = oldest;
		memset(b, 0, sizeof(*b));
		snprintf(b->addr, sizeof(b->addr), "%s", addr);
	}
	if (!bucket_take(b, LOGIN_BURST, LOGIN_PER_S, now))
		return 0;
	return bucket_take(&w->all, LOGIN_ALL_PER_S, LOGIN_ALL_PER_S, now);
}

/* A crypt(3) string to check unknown names against, so they take as long as known ones. */
static const char *
dummy_hash(void)
{
	static char h[STORE_HASH_MAX];

	if (h[0] == '\0' && store_user_hash("not a password", h, sizeof(h)) == -1)
		h[0] = '\0';
	return h;
}

static void
login(struct wreq *r)
{
	struct store		*st = r->gw->store;
	const struct conf	*c = r->gw->conf;	/* [http] login_attempts, login_lock, session_max */
	const char		*ch = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Cookie");
	const char		*name = web_form_get(&r->f, "name"), *pw = web_form_get(&r->f, "password");
	const char		*csrf = web_form_get(&r->f, "csrf");
	char			 pre[80], cookie[65], key[65], csrf_new[65], until_s[32], detail[160];
	struct store_user	 u;
	enum store_status	 s;
	time_t			 now = clock_now(), until;
	int			 locked;

	if (web_cookie(ch, COOKIE_PRE, pre, sizeof(pre)) == -1 || csrf == NULL || !token_eq(csrf, pre)) {
		login_form(r, 403, "err.csrf", NULL, name);
		return;
	}
	if (name == NULL || pw == NULL || *name == '\0' || *pw == '\0') {
		login_form(r, 400, "login.missing", NULL, NULL);
		return;
	}
	if (!login_may_try(r->w, r->addr)) {
		log_info("web: login attempts from %s come too fast: refused for now", r->addr);
		login_form(r, 429, "login.slow", NULL, NULL);
		return;
	}
	if (store_user_valid(st, name, "viewer") != STORE_OK) {
		/* no such account can exist: nothing to count, and the name never reaches the logs */
		login_form(r, 403, "login.wrong", NULL, NULL);
		return;
	}
	snprintf(r->actor, sizeof(r->actor), "web:%s", name);
	if (store_login_allowed(st, name, r->addr, now, c->web_lock_after * 4, c->web_lock_s, &until) != STORE_OK) {
		struct tm tm;

		localtime_r(&until, &tm);
		strftime(until_s, sizeof(until_s), "%H:%M", &tm);
		log_info("web: login refused user=%s from=%s: locked until %s", name, r->addr, until_s);
		login_form(r, 429, "login.locked", until_s, name);
		return;
	}
	s = store_user_get(st, name, &u);
	if (s != STORE_OK && s != STORE_NOTFOUND) {
		login_form(r, 503, "err.store", NULL, name);
		return;
	}
	if (!store_user_check(pw, s == STORE_OK ? u.hash : dummy_hash()) || s != STORE_OK) {
		store_login_failed(st, name, r->addr, now, c->web_lock_after, c->web_lock_s, &locked);
		snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"locked\":%s}", r->addr, locked ? "true" : "false");
		w_audit(r, "login failed", detail);
		log_info("web: wrong password user=%s from=%s%s", name, r->addr, locked ? " (now locked)" : "");
		login_form(r, locked ? 429 : 403, locked ? "login.locked_now" : "login.wrong", NULL, name);
		return;
	}
	store_login_ok(st, name, r->addr);
	w_random_hex(cookie, 32);
	w_random_hex(csrf_new, 32);
	session_key(cookie, key);
	if (store_session_add(st, key, u.id, csrf_new, r->addr, now, now + c->web_life_s) != STORE_OK) {
		login_form(r, 503, "err.store", NULL, name);
		return;
	}
	snprintf(detail, sizeof(detail), "{\"from\":\"%s\"}", r->addr);
	w_audit(r, "login", detail);
	log_info("web: login user=%s role=%s from=%s", u.name, u.role, r->addr);
	set_cookie(r, COOKIE_PRE, "", 0);
	set_cookie(r, COOKIE_SESSION, cookie, 1);
	explicit_bzero(cookie, sizeof(cookie));
	w_redirect(r, "/");
}

static void
logout(struct wreq *r)
{
	store_session_remove(r->gw->store, r->sid);
	w_audit(r, "logout", NULL);
	set_cookie(r, COOKIE_SESSION, "", 0);
	r->authed = 0;
	w_redirect(r, "/login");
}

/* ---- static files and the language switch ---- */

static void
asset(struct wreq *r, const char *name)
{
	const struct web_asset	*a;
	const char		*dot = strrchr(name, '.');
	struct evkeyvalq	*oh = evhttp_request_get_output_headers(r->req);

	for (a = web_assets; a->name != NULL; a++)
		if (!strcmp(a->name, name))
			break;
	if (a->name == NULL) {
		w_error(r, 404, "err.notfound", NULL);
		return;
	}
	evbuffer_add(r->b, a->data, strlen(a->data));
	common_headers(r, dot && !strcmp(dot, ".css") ? "text/css; charset=utf-8" :
	    dot && !strcmp(dot, ".js") ? "text/javascript; charset=utf-8" : "text/plain; charset=utf-8");
	/* compiled in: a day of caching; a new version has a new daemon start anyway */
	evhttp_add_header(oh, "Cache-Control", "public, max-age=86400");
	send_buf(r, 200);
}

static void
language(struct wreq *r)
{
	const char *to = web_form_get(&r->q, "to");

	set_cookie(r, COOKIE_LANG, to && !strcmp(to, "en") ? "en" : "id", 365L * 86400);
	w_redirect(r, "/");
}

/* ---- dispatch ---- */

/* Whether a POST comes from a page of this host (the browser says so in Origin when it sends it). */
static int
same_origin(struct wreq *r)
{
	struct evkeyvalq	*ih = evhttp_request_get_input_headers(r->req);
	const char		*origin = evhttp_find_header(ih, "Origin"), *host = evhttp_find_header(ih, "Host");
	const char		*o;

	if (origin == NULL)
		return 1;
	if (host == NULL)
		return 0;
	return (o = str_after_scheme(origin, "http")) != NULL && strcasecmp(o, host) == 0;
}

static const struct route {
	const char	*path;
	int		 post;		/* 1 POST, 0 GET (and HEAD) */
	enum web_role	 min;
	void		(*fn)(struct wreq *);
	const char	*nav;
} routes[] = {
	{ "/", 0, ROLE_VIEWER, page_dashboard, "/" },
	{ "/compose", 0, ROLE_OPERATOR, page_compose, "/compose" },
	{ "/compose", 1, ROLE_OPERATOR, page_compose, "/compose" },
	{ "/api/preview", 0, ROLE_OPERATOR, page_preview_json, NULL },
	{ "/announcements", 0, ROLE_VIEWER, page_announcements, "/announcements" },
	{ "/announcement", 0, ROLE_VIEWER, page_announcement, "/announcements" },
	{ "/announcement.csv", 0, ROLE_VIEWER, page_announcement_csv, NULL },
	{ "/api/progress", 0, ROLE_VIEWER, page_progress_json, NULL },
	{ "/announcement/cancel", 1, ROLE_OPERATOR, page_cancel, "/announcements" },
	{ "/announcement/approve", 1, ROLE_OFFICIAL, page_approve, "/announcements" },
	{ "/announcement/correct", 1, ROLE_OPERATOR, page_correct, "/announcements" },
	{ "/posts", 0, ROLE_VIEWER, page_posts, "/posts" },
	{ "/post", 1, ROLE_OPERATOR, page_post_action, "/posts" },
	{ "/subscribers", 0, ROLE_VIEWER, page_subscribers, "/subscribers" },
	{ "/messages", 0, ROLE_VIEWER, page_messages, "/messages" },
	{ "/audit", 0, ROLE_VIEWER, page_audit, "/audit" },
	{ "/users", 0, ROLE_ADMIN, page_users, "/users" },
	{ "/users", 1, ROLE_ADMIN, page_user_action, "/users" },
};

static void
dispatch(struct wreq *r, enum evhttp_cmd_type m)
{
	size_t		 i;
	int		 known = 0;

	if (!strncmp(r->path, "/static/", 8)) {
		if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD)
			w_error(r, 405, "err.method", NULL);
		else
			asset(r, r->path + 8);
		return;
	}
	if (!strcmp(r->path, "/lang")) {
		language(r);
		return;
	}
	if (!strcmp(r->path, "/login")) {
		if (r->post)
			login(r);
		else if (r->authed)
			w_redirect(r, "/");
		else
			login_form(r, 200, NULL, NULL, NULL);
		return;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(routes[i].path, r->path))
			known = 1;
	if (!known && strcmp(r->path, "/logout")) {
		w_error(r, 404, "err.notfound", NULL);
		return;
	}
	if (!r->authed) {
		if (r->post || !strncmp(r->path, "/api/", 5))
			w_error(r, 403, "err.login", NULL);
		else
			w_redirect(r, "/login");
		return;
	}
	if (r->post && !token_eq(web_form_get(&r->f, "csrf") ? web_form_get(&r->f, "csrf") : "", r->se.csrf)) {
		log_info("web: form without a valid CSRF token refused user=%s path=%s", r->se.user.name, r->path);
		w_error(r, 403, "err.csrf", NULL);
		return;
	}
	if (!strcmp(r->path, "/logout")) {
		if (r->post)
			logout(r);
		else
			w_error(r, 405, "err.method", NULL);
		return;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(routes[i].path, r->path) && routes[i].post == r->post) {
			if (r->role < routes[i].min) {
				w_error(r, 403, "err.role", NULL);
				return;
			}
			r->nav = routes[i].nav;
			routes[i].fn(r);
			return;
		}
	w_error(r, 405, "err.method", NULL);
}

int
web_handle(struct web *w, struct evhttp_request *req, const char *path, const char *query, int tls)
{
	struct wreq		 r;
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	const char		*why = NULL;

	memset(&r, 0, sizeof(r));
	r.w = w;
	r.gw = w->gw;
	r.req = req;
	r.tls = tls || (evhttp_find_header(evhttp_request_get_input_headers(req), "X-Forwarded-Proto") &&
	    !strcmp(evhttp_find_header(evhttp_request_get_input_headers(req), "X-Forwarded-Proto"), "https"));
	r.b = evbuffer_new();
	if (r.b == NULL)
		fatalx("web: evbuffer_new");
	r.path = path + strlen("/console");
	if (*r.path == '\0') {
		r.path = "/";
		evhttp_add_header(evhttp_request_get_output_headers(req), "Location", "/console/");
		r.code = 301;
		evhttp_send_reply(req, 301, "Moved Permanently", NULL);
		goto out;
	}
	client_address(&r);
	load_session(&r);
	if (query != NULL && web_form_parse(query, strlen(query), &r.q, &why) == -1) {
		w_error(&r, 400, "err.query", why);
		goto out;
	}
	if (m == EVHTTP_REQ_POST) {
		struct evbuffer	*in = evhttp_request_get_input_buffer(req);
		const char	*ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
		size_t		 len = evbuffer_get_length(in);
		char		*body;

		r.post = 1;
		if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
			w_error(&r, 415, "err.type", NULL);
			goto out;
		}
		if (!same_origin(&r)) {
			w_error(&r, 403, "err.origin", NULL);
			goto out;
		}
		body = xmalloc(len + 1);
		evbuffer_copyout(in, body, len);
		body[len] = '\0';
		if (web_form_parse(body, len, &r.f, &why) == -1) {
			free(body);
			w_error(&r, 400, "err.form", why);
			goto out;
		}
		free(body);
	} else if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD, POST");
		w_error(&r, 405, "err.method", NULL);
		goto out;
	}
	dispatch(&r, m);
out:
	web_form_free(&r.q);
	web_form_free(&r.f);
	evbuffer_free(r.b);
	explicit_bzero(&r.se, sizeof(r.se));
	return r.code;
}
