/*
 * timer — the daemon's periodic work (expiry sweeps, watchdog ticks, the uplink's pumps): one
 * persistent libevent timer that calls back every interval until it is freed with event_free().
 */
#ifndef GATEWAY_TIMER_H
#define GATEWAY_TIMER_H
#include <event2/event.h>

/* A new timer on base calling cb(-1, EV_TIMEOUT, arg) every ms milliseconds, already armed. */
struct event	*timer_every_ms(struct event_base *, long ms, event_callback_fn cb, void *arg);
#endif
