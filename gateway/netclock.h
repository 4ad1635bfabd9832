/*
 * netclock — time from the GSM network for a box without a real-time clock or internet. Modem
 * workers read the network's time (AT+CCLK?, which modems set from NITZ) at start and hourly
 * (PROTO_W_CLOCK); received SMS carry their SMSC time stamp, which the network's time can only
 * be later than. When the system clock is off by more than clock_tolerance (or before the build
 * date), the daemon's clock (clock_now) is corrected to the network's time, carried forward by
 * the monotonic clock, so scheduling, expiry, reply windows and daily limits stay right; with
 * set_clock = yes the system clock itself is set (it needs CAP_SYS_TIME). `status`, /metrics and
 * an hourly log line say so. Runs on the daemon's event loop.
 */
#ifndef GATEWAY_NETCLOCK_H
#define GATEWAY_NETCLOCK_H
#include <time.h>

struct gateway;

struct netclock_info {
	const char	*source;	/* "system", "network" (clock corrected), "smsc" (corrected from an SMS) */
	long		 offset_s;	/* network minus system at the last reading */
	long		 correction_s;	/* what clock_now() adds now */
	int		 ok;		/* 1 the system clock is within tolerance */
	time_t		 checked_at;	/* the last network reading (corrected clock); 0 none */
	const char	*modem;		/* the modem it came from */
	int		 before_build;	/* the system clock is earlier than this program's build */
	const char	*set_error;	/* set_clock = yes failed: why ("" none) */
	long		 readings;
};

struct netclock	*netclock_new(struct gateway *);
void		 netclock_free(struct netclock *);	/* accepts NULL */
/* A worker read the network's time: at (epoch seconds, 0 = the modem had none) at mono_at
 * (clock_mono() seconds in the worker when it was read). */
void		 netclock_reading(struct netclock *, const char *modem, time_t at, double mono_at);
/* A received SMS's SMSC time stamp: the network's time is at least that. */
void		 netclock_smsc(struct netclock *, const char *modem, time_t smsc_at);
void		 netclock_get_info(struct netclock *, struct netclock_info *);
#endif
