/*
 * posts — reviewing and answering LAPOR reports, the one path for the console (`post approve|
 * reject|reply`) and the web console. Each is one transaction with its audit record. On a hub, a
 * report a box below received is decided here and the decision (or the reply) is queued down to
 * that box (relay_post), so a reply reaches the reporter through the box that received the report.
 */
#ifndef GATEWAY_POSTS_H
#define GATEWAY_POSTS_H
#include <stddef.h>
#include <stdint.h>

struct gateway;

#define POST_REPLY_MAX	918	/* bytes of a reply: 6 SMS */

/* Results: 0 done (*relayed = 1 when it went down to a box), 1 no such report, 2 refused (err
 * says why, for the user: already reviewed, empty or long text), -1 the store failed (err). */
int	posts_review(struct gateway *, const char *actor, int64_t id, int approve, int *relayed, char *err,
	    size_t errlen);
int	posts_reply(struct gateway *, const char *actor, int64_t id, const char *text, int *relayed, char *err,
	    size_t errlen);
#endif
