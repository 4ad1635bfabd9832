/*
 * router — what to do with a received SMS: parse it (parsers/), act on it through the store
 * (subscribe, stop, report, …), queue the reply, and record the action on the inbox row, all in
 * one transaction. Runs on the daemon's loop, after ingest committed the message.
 */
#ifndef GATEWAY_ROUTER_H
#define GATEWAY_ROUTER_H
#include <stdint.h>

struct conf;
struct gateway;
struct router;

struct router	*router_new(struct gateway *, char *err, size_t errlen);
void		 router_free(struct router *);	/* accepts NULL */
/* Reads the keywords file and reply templates c names (SIGHUP): all or nothing; -1 with err set
 * leaves the running ones in place. */
int		 router_reload(struct router *, const struct conf *c, char *err, size_t errlen);
/* Handles one committed inbox row (no-op if it already has an action). When the store fails the
 * row is left unrouted (action NULL), gateway_store_failed() is called, and the router runs a
 * catch-up by itself 30 s later (and again until the store recovers); no caller action needed. */
void		 router_handle(struct router *, int64_t inbox_id);
/* Routes rows left unrouted by a crash or a store failure, oldest first, in batches of 25 per
 * loop turn (all at once when the gateway has no event base: tests). Call at start-up. */
void		 router_catch_up(struct router *);
/* Renders a reply template (the router owns the loaded templates; see templates_render). */
size_t		 router_render(struct router *, const char *key, char *out, size_t outlen, const char *const *vars);
/* Automatic replies dropped since start because reply_budget was spent (status, /metrics). */
long		 router_budget_dropped(const struct router *);
/* Called by ingest before a received text is first committed: when it is a SIAR, *masked gets
 * the text with its PIN token as asterisks (xmalloc'd; store that instead) and 1 is returned; the
 * text as received stays in memory only, for router_handle. Else 0 and *masked is NULL. */
int		 router_mask_pin(struct router *, const char *sender, const char *text, char **masked);
#endif
