/*
 * sched — hands queued outbox messages to ready modems: alerts first, then oldest first; each
 * modem's rate and daily limit; recipients' opt-out checked at hand-over; retries with backoff.
 * Owns the outbox state machine: queued → sending → sent → delivered / failed.
 */
#ifndef GATEWAY_SCHED_H
#define GATEWAY_SCHED_H
#include <stddef.h>

struct gateway;
struct sched;
struct modem;
struct modem_sent;

struct sched	*sched_new(struct gateway *, char *err, size_t errlen);
void		 sched_free(struct sched *);	/* accepts NULL */
/* Something changed (new rows, a modem became ready): dispatch soon, on the loop. */
void		 sched_kick(struct sched *);
void		 sched_sent(struct sched *, struct modem *, const struct modem_sent *);
#endif
