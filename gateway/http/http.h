/*
 * http — the optional HTTP endpoint ([http] section): an evhttp server on the daemon's loop serving
 *   POST /ussd     the aggregator USSD callback (form: sessionId, serviceCode, phoneNumber, text),
 *                  answered in text/plain "CON …" or "END …" by ussd.c
 *   GET  /health   200 "ok" when the store is writable and a modem is ready, else 503 and why
 *   GET  /metrics  Prometheus text format, names prefixed kentongan_
 *   /console/…     the web console for officials (web/web.h): its own accounts and sessions
 * Every request but /health and /console/ needs the token (Authorization: Bearer, or a `token`
 * parameter), compared in constant time. With [http] cert and key the listener speaks HTTPS only
 * (libevent's OpenSSL bufferevents, TLS 1.2 or later). Bodies, headers and the time a client may take are bounded; bad
 * requests get a 4xx and are counted. Listening off the loopback needs a token (and is logged).
 */
#ifndef GATEWAY_HTTP_H
#define GATEWAY_HTTP_H
#include <stddef.h>

struct gateway;
struct conf;
struct http;

#define HTTP_MAX_HEADERS	64	/* header lines per request */
#define HTTP_MAX_HEADERS_SIZE	8192	/* bytes of the request line and headers */

struct http_stats {
	long	 requests;	/* answered by the handlers */
	long	 ok;		/* 2xx */
	long	 client_errors;	/* 4xx */
	long	 unavailable;	/* 503 from /health */
	long	 unauthorized;	/* 401 */
	long	 ussd;		/* /ussd requests answered with a screen */
	long	 ussd_active;	/* USSD sessions in progress */
	long	 ussd_sessions;	/* USSD sessions started */
	long	 connections;	/* open now (as last counted) */
	long	 refused;	/* closed at once: max_connections reached */
	long	 accept_pauses;	/* accept paused for lack of file descriptors */
};

/* Starts the server on conf->http_listen (the caller checks conf->http_enabled). NULL with err set
 * when the address cannot be bound, a non-loopback address has no token, or the menu is bad. */
struct http	*http_new(struct gateway *, char *err, size_t errlen);
void		 http_free(struct http *);	/* closes the socket, forgets USSD sessions; accepts NULL */
/* Reads the USSD menu file again (gw->conf's): see ussd_reload. */
int		 http_reload_menu(struct http *, char *err, size_t errlen);
/* The bound address, "127.0.0.1:8080". */
const char	*http_address(const struct http *);
void		 http_stats(const struct http *, struct http_stats *);
/* Whether the [http] settings of a and b differ (SIGHUP: the server is re-created only then). */
int		 http_conf_changed(const struct conf *a, const struct conf *b);
#endif
