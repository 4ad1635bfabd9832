/*
 * web-internal — shared by the web console's files only: the request context, the HTML writer
 * (whose %s escapes), the row collector over store listings, translations and the page handlers.
 */
#ifndef GATEWAY_WEB_INTERNAL_H
#define GATEWAY_WEB_INTERNAL_H
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

#include "common/table.h"
#include "gateway/web/html.h"
#include "store/store_web.h"

struct evbuffer;
struct evhttp_request;
struct gateway;

enum web_role { ROLE_NONE = -1, ROLE_VIEWER, ROLE_OPERATOR, ROLE_OFFICIAL, ROLE_ADMIN };

/* Logins a client address may start: a bucket of LOGIN_BURST refilled at LOGIN_PER_S; all
 * addresses together get LOGIN_ALL_PER_S (each check costs ~20 ms of yescrypt on the loop). */
#define LOGIN_BURST		10
#define LOGIN_PER_S		1.0
#define LOGIN_ALL_PER_S		20.0
#define LOGIN_SLOTS		128

struct login_bucket {
	char		 addr[64];
	double		 tokens;
	int64_t		 at_ms;
};

/* Sends already made from a confirmation form, by the form's one-time token: a second click on
 * a slow link finds the first announcement instead of making another. */
#define SENT_ONCE_MAX		64

struct sent_once {
	char		 once[33];
	int64_t		 id;
};

struct web {
	struct gateway	*gw;
	struct sent_once sent[SENT_ONCE_MAX];
	int		 nsent;			/* filled slots */
	int		 sent_next;		/* the slot the next send overwrites */
	struct login_bucket buckets[LOGIN_SLOTS];
	struct login_bucket all;
	time_t		 pruned_at;
};

struct wreq {
	struct web		*w;
	struct gateway		*gw;
	struct evhttp_request	*req;
	struct evbuffer		*b;		/* the page body */
	const char		*path;		/* below /console, e.g. "/posts" */
	struct web_form		 q;		/* the query string */
	struct web_form		 f;		/* the form body of a POST */
	int			 post;
	int			 tls;
	int			 lang;		/* 0 Indonesian, 1 English */
	int			 authed;
	struct store_session	 se;
	char			 sid[65];	/* the session id as stored (SHA-256 hex of the cookie) */
	enum web_role		 role;
	char			 addr[64];	/* the client's address */
	char			 actor[48];	/* "web:NAME", for the audit log */
	const char		*nav;		/* which menu entry is lit */
	int			 code;		/* status sent */
};

/* ---- writer (web.c) ---- */
/* printf into the page, where %s is HTML-escaped text, %S raw (trusted) HTML, %t a translated
 * phrase key (escaped); %d %ld %lld %u %c %f and %% as usual. */
void		 wout(struct wreq *, const char *fmt, ...);
/* Phrase key → text in the request's language (the key itself when unknown). */
const char	*T(struct wreq *, const char *key);
/* The hidden CSRF field of a form. */
void		 w_csrf(struct wreq *);
/* Layout: page head and menu / foot; then sends with status code. */
void		 w_begin(struct wreq *, const char *title_key);
void		 w_end(struct wreq *, int code);
/* A whole error page. */
void		 w_error(struct wreq *, int code, const char *msg_key, const char *detail);
/* 303 See Other to a path below /console/. */
void		 w_redirect(struct wreq *, const char *path);
/* Sends a body already in r->b with the content type (JSON, CSV). */
void		 w_send(struct wreq *, int code, const char *type, const char *filename);
/* A number as shown to this user (masked for viewers). */
const char	*w_number(struct wreq *, const char *number, char *buf, size_t len);
/* The bar of an SVG chart: width px for value out of max. */
void		 w_svg_bar(struct wreq *, const char *id, long value, long max, int width);
/* Audit record with the user's name. */
void		 w_audit(struct wreq *, const char *action, const char *detail_json);
int		 w_qint(struct wreq *, const char *name, long long dflt, long long *out);
/* nbytes (<= 32) random bytes as lowercase hex into out (2 * nbytes + 1). */
void		 w_random_hex(char *out, size_t nbytes);

/* ---- rows collected from a store listing ---- */
struct rows {
	int	  n, ncol, cap;
	char	**names;		/* ncol */
	char	**vals;			/* n * ncol, NULL for SQL NULL */
};
int		 rows_cb(void *arg, const struct table_row *);	/* a store_row_cb */
const char	*rows_get(const struct rows *, int i, const char *name);	/* "" when absent or NULL */
long		 rows_long(const struct rows *, int i, const char *name);
void		 rows_free(struct rows *);

/* ---- translations (web_i18n.c) ---- */
const char	*web_phrase(const char *key, int lang);
int		 web_phrase_known(const char *key);	/* tests */

/* ---- pages (web_pages.c) ---- */
void		 page_dashboard(struct wreq *);
void		 page_compose(struct wreq *);
void		 page_preview_json(struct wreq *);
void		 page_announcements(struct wreq *);
void		 page_announcement(struct wreq *);
void		 page_announcement_csv(struct wreq *);
void		 page_progress_json(struct wreq *);
void		 page_cancel(struct wreq *);
void		 page_approve(struct wreq *);
void		 page_correct(struct wreq *);
void		 page_posts(struct wreq *);
void		 page_post_action(struct wreq *);
void		 page_subscribers(struct wreq *);
void		 page_messages(struct wreq *);
void		 page_audit(struct wreq *);
void		 page_users(struct wreq *);
void		 page_user_action(struct wreq *);
#endif
