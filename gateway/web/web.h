/*
 * web — the web console for officials, served by the [http] listener under /console/ (http.c
 * hands it every request whose path starts there). Server-rendered HTML in Indonesian (English
 * by a switch), one stylesheet and one small script compiled in, no other origin. Accounts and
 * sessions are in the store (store_web.h); the [http] token is not used here: a session cookie
 * (HttpOnly, SameSite=Strict, Secure behind TLS) and a CSRF token on every form are.
 * Runs in the daemon, on its loop; nothing here blocks but the yescrypt check of a login.
 */
#ifndef GATEWAY_WEB_WEB_H
#define GATEWAY_WEB_WEB_H

struct gateway;
struct web;
struct evhttp_request;

struct web	*web_new(struct gateway *);
void		 web_free(struct web *);	/* accepts NULL */
/* Answers one request whose path is /console or below (query: the raw query string or NULL;
 * tls: the connection is HTTPS). Returns the status code sent. */
int		 web_handle(struct web *, struct evhttp_request *, const char *path, const char *query, int tls);
#endif
