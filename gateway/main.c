/*
 * kentongand — the gateway daemon: configuration, the database lock, the store, the libevent
 * loop and its signals, and the hooks that tie modules together (gateway.h). Single-threaded;
 * modem I/O happens in worker processes (modem.c).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/conf.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/backup.h"
#include "gateway/control.h"
#include "gateway/gateway.h"
#include "gateway/http.h"
#include "gateway/ingest.h"
#include "gateway/modem.h"
#include "gateway/netclock.h"
#include "gateway/retention.h"
#include "gateway/router.h"
#include "gateway/sched.h"
#include "gateway/ussd.h"
#include "store/store.h"
#include "store/store_inbox.h"

static struct gateway	 gw;
static int		 lock_fd = -1;
static const char	*conf_path = "kentongan.conf";

static void
usage(FILE *f)
{
	fprintf(f,
"usage: kentongand [-dnv] [-c FILE]\n"
"\n"
"The Kentongan SMS/USSD gateway daemon: drives the GSM modems named in the configuration,\n"
"stores every received SMS, acts on keyword SMS, sends announcements and replies, and serves\n"
"the console (kentongan) on a Unix socket.\n"
"\n"
"  -c, --config FILE   configuration file (default: kentongan.conf)\n"
"  -d, --debug         stay in the foreground and log to standard error\n"
"  -n, --check         check the configuration, print the reason if it is wrong, exit 0 or 1\n"
"  -v, --verbose       more log detail (twice: libGammu/libevent trace); with -n, print\n"
"                      the effective configuration\n"
"      --config-help   list every configuration key with its type, default and meaning\n"
"      --version       print the version and exit\n"
"  -h, --help          this help\n"
"\n"
"Signals: SIGTERM/SIGINT stop gracefully; SIGHUP reloads the configuration, the keywords\n"
"         file, the reply templates and the USSD menu (all or nothing).\n"
"Environment: KT_CRASH=POINT aborts at a named crash point (tests, debug builds).\n"
"             KT_USSD_IDLE_S=SECONDS forgets idle USSD sessions sooner (default 180; tests).\n"
"             KT_QUARANTINE_RETRY_S=SECONDS retries a slot whose message crashed libGammu\n"
"             sooner (default 3600; tests).\n"
"             Tests: KT_TIME_OFFSET=SECONDS fakes the system clock; KT_CLOCK_CHECK_S (network\n"
"             time read, default 3600), KT_RETENTION_S (retention pass, 300),\n"
"             KT_RETENTION_BATCH (rows per delete, 500), KT_BACKUP_PAGES (pages per backup\n"
"             step, 1024).\n"
"See kentongan.conf.sample for the configuration reference.\n");
}

static int
take_lock(const char *path, char *err, size_t errlen)
{
	char	 buf[32];
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1) {
		snprintf(err, errlen, "cannot open the lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "another kentongand (pid %s) is running on this database (lock %s)",
		    *buf ? buf : "?", path);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

		if (write(fd, buf, (size_t)n) != n)
			log_warn("writing the pid to %s", path);
	}
	return fd;
}

static void
start_modems(void)
{
	int	 i;

	gw.modems = xcalloc(gw.conf->nmodems ? gw.conf->nmodems : 1, sizeof(*gw.modems));
	gw.nmodems = 0;
	for (i = 0; i < gw.conf->nmodems; i++)
		gw.modems[gw.nmodems++] = modem_new(&gw, &gw.conf->modems[i]);
}

static void
stop_modems(void)
{
	/* last first, each out of the list before it is freed: freeing a modem reports its
	 * in-flight sends to the scheduler, which looks at the other modems still listed */
	while (gw.nmodems > 0)
		modem_free(gw.modems[--gw.nmodems]);
	free(gw.modems);
	gw.modems = NULL;
	gw.nmodems = 0;
}

static void
sig_cb(evutil_socket_t sig, short ev, void *arg)
{
	char		 err[512];
	struct conf	*nc;
	int		 http_changed;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("daemon: stopping signal=%s", sig == SIGTERM ? "TERM" : "INT");
		event_base_loopexit(gw.base, NULL);
		break;
	case SIGHUP:
		if ((nc = conf_load(conf_path, err, sizeof(err))) == NULL) {
			log_warnx("daemon: reload refused, keeping the running configuration: %s", err);
			break;
		}
		/* the files it names first: an edited one that does not load refuses it all */
		if ((nc->http_enabled && ussd_menu_check(nc->http_menu, err, sizeof(err)) == -1) ||
		    router_reload(gw.router, nc, err, sizeof(err)) == -1) {
			log_warnx("daemon: reload refused, keeping the running configuration: %s", err);
			conf_free(nc);
			break;
		}
		if (strcmp(nc->database, gw.conf->database) || strcmp(nc->control, gw.conf->control))
			log_warnx("daemon: database and control changes need a restart; ignored");
		http_changed = http_conf_changed(gw.conf, nc);
		/* modems are restarted with the new sections; queued work stays in the store */
		stop_modems();
		{
			struct conf *old = gw.conf;
			char *db = xstrdup(old->database), *ctl = xstrdup(old->control);

			free(nc->database);
			nc->database = db;
			free(nc->control);
			nc->control = ctl;
			gw.conf = nc;
			conf_free(old);
		}
		start_modems();
		if (http_changed) {
			/* the [http] section changed: a new server (USSD sessions in progress are lost) */
			http_free(gw.http);
			gw.http = NULL;
			if (gw.conf->http_enabled && (gw.http = http_new(&gw, err, sizeof(err))) == NULL)
				log_warnx("daemon: the HTTP endpoint is off until the next reload: %s", err);
		} else if (gw.http != NULL) {
			switch (http_reload_menu(gw.http, err, sizeof(err))) {
			case 1:
				log_info("daemon: USSD menu reloaded; sessions in progress ended");
				break;
			case -1:
				log_warnx("daemon: keeping the running USSD menu: %s", err);
				break;
			}
		}
		log_info("daemon: configuration reloaded path=%s modems=%d", conf_path, gw.nmodems);
		backup_reconfigure(gw.backup);
		sched_kick(gw.sched);
		break;
	}
}

void
gateway_inbox_stored(struct gateway *g, int64_t inbox_id)
{
	router_handle(g->router, inbox_id);
}

void
gateway_queue_changed(struct gateway *g)
{
	sched_kick(g->sched);
}

void
gateway_modem_changed(struct gateway *g, struct modem *m)
{
	sched_kick(g->sched);
}

void
gateway_modem_sent(struct gateway *g, struct modem *m, const struct modem_sent *s)
{
	sched_sent(g->sched, m, s);
}

void
gateway_modem_report(struct gateway *g, struct modem *m, const struct modem_report *r)
{
	char	 nbuf[40];

	if (store_outbox_delivery(g->store, modem_info(m)->name, r->number, r->reference, r->at,
	    r->delivered, NULL) == STORE_OK)
		log_info("report modem=%s to=%s ref=%d status=%s", modem_info(m)->name,
		    log_msisdn(r->number, nbuf), r->reference, r->status);
}

void
gateway_store_failed(struct gateway *g, const char *what)
{
	if (g->store_ok) {
		log_warnx("store: %s failed: %s; refusing new work until the store recovers", what,
		    store_errmsg(g->store));
		g->store_ok = 0;
	}
}

void
gateway_store_recovered(struct gateway *g)
{
	if (!g->store_ok) {
		log_info("store: recovered; taking work again");
		g->store_ok = 1;
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "config-help", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	char		 err[1024];
	int		 ch, debug = 0, check = 0, verbose = 0;
	struct event	*ev_term, *ev_int, *ev_hup;

	while ((ch = getopt_long(argc, argv, "c:dnvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'd': debug = 1; break;
		case 'n': check = 1; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("kentongand %s\n", KT_VERSION); return 0;
		case 'C': conf_help(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kentongand: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	log_init("kentongand", debug || check, LOG_LVL_INFO + verbose);
	if ((gw.conf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kentongand: %s\n", err);
		return 1;
	}
	if (check) {
		if (verbose)
			conf_dump(gw.conf, stdout);
		else
			printf("kentongand: configuration %s is valid (%d modem%s)\n", conf_path,
			    gw.conf->nmodems, gw.conf->nmodems == 1 ? "" : "s");
		conf_free(gw.conf);
		return 0;
	}
	if (!debug && daemon(1, 0) == -1)
		fatal("daemon");
	signal(SIGPIPE, SIG_IGN);
	if (fs_mkdir_parent(gw.conf->database) == -1 || fs_mkdir_parent(gw.conf->control) == -1)
		log_warn("daemon: creating the directory of the database or socket");
	if ((lock_fd = take_lock(gw.conf->lockfile, err, sizeof(err))) == -1) {
		log_warnx("daemon: %s", err);
		fprintf(stderr, "kentongand: %s\n", err);
		return 1;
	}
	if ((gw.store = store_open(gw.conf->database, 0, err, sizeof(err))) == NULL) {
		log_warnx("daemon: %s", err);
		fprintf(stderr, "kentongand: %s\n", err);
		return 1;
	}
	gw.store_ok = 1;
	gw.started_at = clock_now();
	if ((gw.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((gw.ctl = ctl_new(&gw, gw.conf->control, err, sizeof(err))) == NULL ||
	    (gw.router = router_new(&gw, err, sizeof(err))) == NULL ||
	    (gw.sched = sched_new(&gw, err, sizeof(err))) == NULL ||
	    (gw.ingest = ingest_new(&gw)) == NULL ||
	    (gw.backup = backup_new(&gw)) == NULL ||
	    (gw.retention = retention_new(&gw)) == NULL ||
	    (gw.netclock = netclock_new(&gw)) == NULL ||
	    (gw.conf->http_enabled && (gw.http = http_new(&gw, err, sizeof(err))) == NULL)) {
		log_warnx("daemon: %s", err);
		fprintf(stderr, "kentongand: %s\n", err);
		return 1;
	}
	ev_term = evsignal_new(gw.base, SIGTERM, sig_cb, NULL);
	ev_int = evsignal_new(gw.base, SIGINT, sig_cb, NULL);
	ev_hup = evsignal_new(gw.base, SIGHUP, sig_cb, NULL);
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evsignal_add(ev_hup, NULL);
	start_modems();
	router_catch_up(gw.router);
	log_info("daemon: ready version=%s pid=%d database=%s control=%s modems=%d", KT_VERSION,
	    (int)getpid(), gw.conf->database, gw.conf->control, gw.nmodems);

	event_base_dispatch(gw.base);

	/* graceful stop: workers first (in-flight sends come back as results or stay 'sending',
	 * which start-up re-queues), then the socket, then the store */
	stop_modems();
	http_free(gw.http);
	backup_free(gw.backup);
	retention_free(gw.retention);
	netclock_free(gw.netclock);
	gw.netclock = NULL;
	ingest_free(gw.ingest);
	sched_free(gw.sched);
	router_free(gw.router);
	ctl_free(gw.ctl);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_base_free(gw.base);
	store_close(gw.store);
	close(lock_fd);
	log_info("daemon: stopped");
	conf_free(gw.conf);
	return 0;
}
