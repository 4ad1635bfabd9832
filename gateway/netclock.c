/*
 * netclock — see netclock.h. The correction is one number (network minus system clock) given to
 * common/timefmt's clock_set_correction(); it is recomputed at each reading, so once the system
 * clock is right (NTP came back, or set_clock set it) the correction returns to 0. An SMSC time
 * stamp only raises the clock (a message can wait at the SMSC for hours, so a stamp never lowers
 * it), and only when it is ahead by more than the tolerance.
 */
#include <linux/capability.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/netclock.h"
#include "gateway/timer.h"

#define WARN_EVERY_S	3600

struct netclock {
	struct gateway		*gw;
	struct event		*ev_warn;
	const char		*source;
	long			 offset_s;
	time_t			 checked_at;
	char			 modem[64];
	char			 set_error[160];
	long			 readings;
	time_t			 build_at;
};

static time_t
build_time(void)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(__DATE__, "%b %d %Y", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

static int
ok_now(struct netclock *nc)
{
	long	 tol = nc->gw->conf->clock_tolerance_s;

	return labs(nc->offset_s) <= tol && clock_system() >= nc->build_at;
}

static void
warn(struct netclock *nc)
{
	char	 sys[32], net[32];

	if (ok_now(nc) && nc->offset_s == 0 && clock_system() >= nc->build_at)
		return;
	if (nc->checked_at == 0 && clock_system() < nc->build_at) {
		log_warnx("clock: the system clock (%s) is earlier than this program's build; no network "
		    "time yet: schedules and expiry are wrong until a modem reads it",
		    timefmt_local(clock_system(), sys, sizeof(sys)));
		return;
	}
	if (!ok_now(nc))
		log_warnx("clock: the system clock %s is off by %+lds from the network's time %s (modem %s); "
		    "using the network's time%s%s", timefmt_local(clock_system(), sys, sizeof(sys)), nc->offset_s,
		    timefmt_local(clock_now(), net, sizeof(net)), nc->modem,
		    nc->set_error[0] ? "; setting the system clock failed: " : "", nc->set_error);
}

static void
warn_cb(evutil_socket_t fd, short ev, void *arg)
{
	warn(arg);
}

/* Whether this process holds CAP_SYS_TIME (the CapEff mask of /proc/self/status). */
static int
have_sys_time(void)
{
	FILE			*f = fopen("/proc/self/status", "r");
	char			 line[256];
	unsigned long long	 eff = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> CAP_SYS_TIME) & 1;
}

/* set_clock = yes: set the system clock to the network's time. */
static int
set_system_clock(struct netclock *nc, time_t net)
{
	struct timespec		 ts = { net, 0 };

	if (!have_sys_time()) {
		snprintf(nc->set_error, sizeof(nc->set_error), "set_clock = yes needs CAP_SYS_TIME (run as "
		    "root or add AmbientCapabilities=CAP_SYS_TIME to the service)");
		return -1;
	}
	if (getenv("KT_TIME_OFFSET") != NULL) {
		/* tests fake the clock: never touch the real one */
		snprintf(nc->set_error, sizeof(nc->set_error), "not set: KT_TIME_OFFSET fakes the clock");
		return -1;
	}
	if (clock_settime(CLOCK_REALTIME, &ts) == -1) {
		snprintf(nc->set_error, sizeof(nc->set_error), "clock_settime: %s", strerror(errno));
		return -1;
	}
	nc->set_error[0] = '\0';
	log_info("clock: system clock set to the network's time (was off by %+lds)", nc->offset_s);
	return 0;
}

static void
apply(struct netclock *nc, time_t net, const char *source)
{
	long	 was = clock_correction();
	int	 bad;

	nc->offset_s = (long)(net - clock_system());
	bad = !ok_now(nc);
	if (bad && nc->gw->conf->set_clock && set_system_clock(nc, net) == 0)
		nc->offset_s = (long)(net - clock_system());
	if (!ok_now(nc)) {
		clock_set_correction(nc->offset_s);
		nc->source = source;
	} else {
		clock_set_correction(0);
		nc->source = "system";
	}
	nc->gw->started_at += clock_correction() - was;	/* uptime does not jump with the clock */
	if ((was == 0) != (clock_correction() == 0) || labs(was - clock_correction()) > 60) {
		if (clock_correction() != 0)
			warn(nc);
		else
			log_info("clock: the system clock agrees with the network's time (off by %+lds); "
			    "using it", nc->offset_s);
		gateway_queue_changed(nc->gw);	/* due times may have moved */
	}
}

void
netclock_reading(struct netclock *nc, const char *modem, time_t at, double mono_at)
{
	time_t	 net;

	/* no network time (no NITZ), or a stale modem clock: the network is not older than this
	 * program */
	if (at == 0 || (nc->build_at && at < nc->build_at))
		return;
	net = at + (time_t)(clock_mono() - mono_at + 0.5);
	nc->readings++;
	snprintf(nc->modem, sizeof(nc->modem), "%s", modem);
	log_debug("clock: modem=%s network=%lld system=%lld", modem, (long long)net, (long long)clock_system());
	apply(nc, net, "network");
	nc->checked_at = clock_now();
}

void
netclock_smsc(struct netclock *nc, const char *modem, time_t smsc_at)
{
	if (smsc_at <= 0 || smsc_at <= clock_now() + nc->gw->conf->clock_tolerance_s)
		return;
	snprintf(nc->modem, sizeof(nc->modem), "%s", modem);
	apply(nc, smsc_at, "smsc");
	nc->checked_at = clock_now();
}

struct netclock *
netclock_new(struct gateway *gw)
{
	struct netclock	*nc = xcalloc(1, sizeof(*nc));

	nc->gw = gw;
	nc->source = "system";
	nc->build_at = build_time();
	nc->ev_warn = timer_every_ms(gw->base, WARN_EVERY_S * 1000L, warn_cb, nc);
	warn(nc);
	return nc;
}

void
netclock_free(struct netclock *nc)
{
	if (nc == NULL)
		return;
	event_free(nc->ev_warn);
	clock_set_correction(0);
	free(nc);
}

void
netclock_get_info(struct netclock *nc, struct netclock_info *i)
{
	memset(i, 0, sizeof(*i));
	i->source = nc->source;
	i->offset_s = nc->offset_s;
	i->correction_s = clock_correction();
	i->ok = ok_now(nc);
	i->checked_at = nc->checked_at;
	i->modem = nc->modem[0] ? nc->modem : NULL;
	i->before_build = clock_system() < nc->build_at;
	i->set_error = nc->set_error;
	i->readings = nc->readings;
}
