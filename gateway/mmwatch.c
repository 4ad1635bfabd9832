/*
 * mmwatch — the ModemManager look-out (see mmwatch.h): a timer, a /proc walk (common/devuse.c)
 * and a warning whenever what it sees changes.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/devuse.h"
#include "common/env.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/mmwatch.h"
#include "gateway/timer.h"

struct mmwatch {
	struct gateway		*gw;
	struct event		*ev;
	struct mmwatch_state	 st;
};

static void
held_add(struct mmwatch_state *st, const char *modem, const char *device)
{
	if (st->nheld >= MMWATCH_MAX)
		return;
	snprintf(st->held[st->nheld].modem, sizeof(st->held[0].modem), "%s", modem);
	snprintf(st->held[st->nheld].device, sizeof(st->held[0].device), "%s", device);
	st->nheld++;
}

void
mmwatch_check(struct mmwatch *w)
{
	struct mmwatch_state	 st;
	struct devuse		*list = NULL;
	int			 n = 0, changed;

	memset(&st, 0, sizeof(st));
	st.pid = devuse_running("ModemManager");
	if (st.pid != 0)
		n = devuse_scan(&list);
	for (int i = 0; st.pid && i < w->gw->conf->nmodems; i++) {
		const struct conf_modem	*m = &w->gw->conf->modems[i];
		const char		*dev = conf_modem_gammu(m, "device");
		glob_t			 g;

		if (dev == NULL || *dev != '/')
			continue;	/* a dummy directory, a proxy command */
		if (glob(dev, 0, NULL, &g) != 0)
			continue;
		for (size_t j = 0; j < g.gl_pathc; j++)
			if (devuse_holder(list, n, g.gl_pathv[j], "ModemManager"))
				held_add(&st, m->name, g.gl_pathv[j]);
		globfree(&g);
	}
	free(list);
	changed = st.pid != w->st.pid || st.nheld != w->st.nheld ||
	    memcmp(st.held, w->st.held, sizeof(st.held[0]) * (size_t)st.nheld) != 0;
	if (changed) {
		for (int i = 0; i < st.nheld; i++)
			log_warnx("modem=%s event=modemmanager pid=%d device=%s: ModemManager holds this modem's "
			    "port and fights libGammu for it; %s", st.held[i].modem, (int)st.pid, st.held[i].device,
			    MMWATCH_ADVICE);
		if (st.pid && st.nheld == 0 && w->st.pid == 0)
			log_warnx("daemon: ModemManager is running (pid %d): it probes modem ports when they are "
			    "plugged in; %s", (int)st.pid, MMWATCH_ADVICE);
		if (!st.pid && w->st.pid)
			log_info("daemon: ModemManager stopped");
		else if (st.pid && st.nheld == 0 && w->st.nheld)
			log_info("daemon: ModemManager let go of the modem ports");
	}
	w->st = st;
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	mmwatch_check(arg);
}

struct mmwatch *
mmwatch_new(struct gateway *gw)
{
	struct mmwatch	*w = xcalloc(1, sizeof(*w));

	w->gw = gw;
	w->ev = timer_every_ms(gw->base, env_long("KT_MMWATCH_S", MMWATCH_EVERY_S) * 1000, tick_cb, w);
	mmwatch_check(w);
	return w;
}

void
mmwatch_free(struct mmwatch *w)
{
	if (w == NULL)
		return;
	event_free(w->ev);
	free(w);
}

const struct mmwatch_state *
mmwatch_state(const struct mmwatch *w)
{
	return &w->st;
}
