/* timer — periodic libevent timers (see timer.h). */
#include <sys/time.h>

#include <event2/event.h>

#include "gateway/timer.h"

struct event *
timer_every_ms(struct event_base *base, long ms, event_callback_fn cb, void *arg)
{
	struct event	*ev = event_new(base, -1, EV_PERSIST, cb, arg);
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(ev, &tv);
	return ev;
}
