/*
 * kentongand — the gateway daemon: configuration, the database lock, the store, the libevent
 * loop and its signals, and the hooks that tie modules together (gateway.h). Single-threaded;
 * modem I/O happens in worker processes (modem.c).
 */
#include <sys/resource.h>
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
#ifdef KT_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "common/conf.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "gateway/backup.h"
#include "gateway/control/control.h"
#include "gateway/gateway.h"
#include "gateway/http/http.h"
#include "gateway/ingest.h"
#include "gateway/modem/modem.h"
#include "gateway/helper.h"
#include "gateway/mmwatch.h"
#include "gateway/netclock.h"
#include "gateway/retention.h"
#include "gateway/router.h"
#include "gateway/sched.h"
#include "gateway/http/ussd.h"
#include "store/store.h"
#include "store/store_inbox.h"
#include "uplink/uplink.h"
#include "paths.h"	/* CONF_PATH */

static struct gateway	 gw;
static int		 lock_fd = -1;
static const char	*conf_path = CONF_PATH;	/* SYSCONFDIR/kentongan/kentongan.conf */

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
"  -c, --config FILE   configuration file (default: " CONF_PATH ")\n"
"  -d, --debug         stay in the foreground and log to standard error\n"
"  -n, --check         check the configuration, print the reason if it is wrong, exit 0 or 1\n"
"  -v, --verbose       more log detail (twice: libGammu/libevent trace); with -n, print\n"
"                      the effective configuration\n"
"      --config-help   list every configuration key with its type, default and meaning\n"
"      --probe DEVICE  identify the modem on DEVICE and write the result to standard output\n"
"                      as one framed message (used by 'kentongan modems detect'); with\n"
"                      --probe-connection CONN (default at115200)\n"
"      --find-area DATABASE TEXT\n"
"                      resolve TEXT to areas as an SMS would (used by 'kentongan setup'):\n"
"                      lines of RESULT<tab>CODE<tab>LEVEL<tab>LABEL, RESULT one of found,\n"
"                      choice, suggestion, none\n"
"      --version       print the version and exit\n"
"  -h, --help          this help\n"
"\n"
"Signals: SIGTERM/SIGINT stop gracefully; SIGHUP reloads the configuration, the keywords\n"
"         file, the reply templates and the USSD menu (all or nothing).\n"
"Environment: KT_CRASH=POINT aborts at a named crash point (tests, debug builds).\n"
"             KT_USSD_IDLE_S=SECONDS forgets idle USSD sessions sooner (default 180; tests).\n"
"             KT_QUARANTINE_RETRY_S=SECONDS retries a slot whose message crashed libGammu\n"
"             sooner (default 3600; tests).\n"
"             KT_MMWATCH_S=SECONDS looks for ModemManager more often (default 10; tests).\n"
"             KT_SCHED_REST_S=SECONDS rests a modem after 3 failed sends in a row for that\n"
"             long (default 300; tests).\n"
"             Tests: KT_TIME_OFFSET=SECONDS fakes the system clock; KT_CLOCK_CHECK_S (network\n"
"             time read, default 3600), KT_RETENTION_S (retention pass, 300),\n"
"             KT_RETENTION_BATCH (rows per delete, 500), KT_BACKUP_PAGES (pages per backup\n"
"             step, 1024).\n"
"             NOTIFY_SOCKET (set by systemd, Type=notify): stay in the foreground and\n"
"             report readiness, reloads and stopping.\n"
"See kentongand(8), kentongan.conf(5) and kentongan.conf.sample.\n");
}

/* Files an older version (or another umask) left readable by others lose that at start. */
static void
private_files(void)
{
	char	*paths[4];
	int	 i;

	xasprintf(&paths[0], "%s", gw.conf->database);
	xasprintf(&paths[1], "%s-wal", gw.conf->database);
	xasprintf(&paths[2], "%s-shm", gw.conf->database);
	xasprintf(&paths[3], "%s", gw.conf->lockfile);
	for (i = 0; i < 4; i++) {
		switch (fs_private(paths[i])) {
		case 1:
			log_info("daemon: %s was readable by other users; no longer", paths[i]);
			break;
		case -1:
			log_warn("daemon: taking others' access to %s away", paths[i]);
			break;
		}
		free(paths[i]);
	}
}

/* Whether s is what a lock file holds: nothing, or a pid and perhaps a newline. */
static int
pid_text(const char *s)
{
	size_t d = strspn(s, "0123456789");

	return s[d] == '\0' || (d > 0 && s[d] == '\n' && s[d + 1] == '\0');
}

static int
take_lock(const char *path, char *err, size_t errlen)
{
	char		 buf[32];
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;

	/* never through a link, never anything but a small file holding a pid (or nothing): a typo
	 * such as lockfile = the database must not truncate it */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0640)) == -1) {
		snprintf(err, errlen, "cannot open the lock file %s: %s%s", path, strerror(errno),
		    errno == ELOOP ? " (it is a symbolic link; remove it)" : "");
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size >= (off_t)sizeof(buf)) {
		snprintf(err, errlen, "lockfile = %s is not a kentongand lock file (%s); refusing to overwrite it: "
		    "check the path", path, S_ISREG(sb.st_mode) ? "too large" : "not a regular file");
		close(fd);
		return -1;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	if (n < 0 || !pid_text(buf)) {
		snprintf(err, errlen, "lockfile = %s holds something other than a pid; refusing to overwrite it: "
		    "check the path", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "another kentongand (pid %s) is running on this database (lock %s)",
		    *buf ? buf : "?", path);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

		if (pwrite(fd, buf, (size_t)len, 0) != len)
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

/*
 * Tells systemd (Type=notify) how the daemon is doing: READY=1 once it serves, RELOADING=1 and
 * READY=1 around a SIGHUP reload, STOPPING=1. Nothing when not started by systemd or built
 * without libsystemd.
 */
static void
notify(const char *state)
{
#ifdef KT_SYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

/* The uplink roles run with the settings they started with: a reload keeps them (a change of
 * [uplink] or [hub] needs a restart; the log says so). */
static void
keep_uplink_conf(struct conf *old, struct conf *nc)
{
	char	**keep[][2] = {
		{ &old->uplink_broker, &nc->uplink_broker }, { &old->uplink_box, &nc->uplink_box },
		{ &old->uplink_hub_key, &nc->uplink_hub_key }, { &old->hub_broker, &nc->hub_broker },
		{ &old->hub_name, &nc->hub_name }, { &old->hub_signing_key, &nc->hub_signing_key },
	};
	size_t	 i;
	int	 changed = old->uplink_enabled != nc->uplink_enabled || old->hub_enabled != nc->hub_enabled ||
	    old->uplink_share_numbers != nc->uplink_share_numbers;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		char *t = *keep[i][0];

		if (strcmp(t ? t : "", *keep[i][1] ? *keep[i][1] : ""))
			changed = 1;
		*keep[i][0] = *keep[i][1];	/* swapped: the old conf frees the new values */
		*keep[i][1] = t;
	}
	nc->uplink_enabled = old->uplink_enabled;
	nc->hub_enabled = old->hub_enabled;
	nc->uplink_share_numbers = old->uplink_share_numbers;
	if (changed)
		log_warnx("daemon: [uplink] and [hub] changes need a restart; the running ones are kept");
}

static void
sig_cb(evutil_socket_t sig, short ev, void *arg)
{
	char		 err[512];
	struct conf	*nc;
	int		 http_changed;

	if (sig == SIGHUP)
		notify("RELOADING=1");
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		notify("STOPPING=1");
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
		keep_uplink_conf(gw.conf, nc);
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
		if (gw.mmwatch)
			mmwatch_check(gw.mmwatch);
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
	if (sig == SIGHUP)
		notify("READY=1");
}

static void
uplink_kick_cb(struct gateway *g)
{
	uplink_kick(g->uplink);
	hub_kick(g->hub);
}

/* The soft limit of open files up to the hard one: the HTTP cap, the store and the modems then
 * have room (systemd and shells often start daemons with 1024). */
static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("daemon: raising the limit of open files");
}

struct opts {
	int		 debug;
	int		 check;
	int		 verbose;
	const char	*probe;
	const char	*probe_conn;
	const char	*find_area_db;
};

/* The command line into o; -1 to go on, else the exit code (--help, --version, a bad option). */
static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "config-help", no_argument, NULL, 'C' },
		{ "probe", required_argument, NULL, 'P' },
		{ "probe-connection", required_argument, NULL, 'Q' },
		{ "find-area", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->probe_conn = "at115200";
	while ((ch = getopt_long(argc, argv, "c:dnvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'd': o->debug = 1; break;
		case 'n': o->check = 1; break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("kentongand %s\n", KT_VERSION); return 0;
		case 'C': conf_help(stdout); return 0;
		case 'P': o->probe = optarg; break;
		case 'Q': o->probe_conn = optarg; break;
		case 'F': o->find_area_db = optarg; break;
		default: usage(stderr); return 1;
		}
	}
	return -1;
}

/* A start-up step failed: said in the log and on stderr; the exit code. */
static int
start_failed(const char *err)
{
	log_warnx("daemon: %s", err);
	fprintf(stderr, "kentongand: %s\n", err);
	return 1;
}

/* --check: the configuration loaded; say so (or dump it with -v). */
static int
check_conf(int verbose)
{
	if (verbose)
		conf_dump(gw.conf, stdout);
	else
		printf("kentongand: configuration %s is valid (%d modem%s)\n", conf_path,
		    gw.conf->nmodems, gw.conf->nmodems == 1 ? "" : "s");
	conf_free(gw.conf);
	return 0;
}

/* The lock, then the store; -1 with err set. */
static int
open_store(char *err, size_t errlen)
{
	if ((lock_fd = take_lock(gw.conf->lockfile, err, errlen)) == -1)
		return -1;
	private_files();
	if ((gw.store = store_open(gw.conf->database, 0, err, errlen)) == NULL)
		return -1;
	gw.store_ok = 1;
	gw.started_at = clock_now();
	return 0;
}

/* The event loop and every part hanging on it; -1 with err set. */
static int
start_parts(char *err, size_t errlen)
{
	if ((gw.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((gw.ctl = ctl_new(&gw, gw.conf->control, err, errlen)) == NULL ||
	    (gw.router = router_new(&gw, err, errlen)) == NULL ||
	    (gw.sched = sched_new(&gw, err, errlen)) == NULL ||
	    (gw.ingest = ingest_new(&gw)) == NULL ||
	    (gw.backup = backup_new(&gw)) == NULL ||
	    (gw.retention = retention_new(&gw)) == NULL ||
	    (gw.netclock = netclock_new(&gw)) == NULL ||
	    (gw.conf->http_enabled && (gw.http = http_new(&gw, err, errlen)) == NULL))
		return -1;
	/* the uplink roles: SMS service never waits on them (they only read and write the store) */
	if ((gw.conf->hub_enabled && (gw.hub = hub_new(&gw, err, errlen)) == NULL) ||
	    (gw.conf->uplink_enabled && (gw.uplink = uplink_new(&gw, err, errlen)) == NULL))
		return -1;
	if (gw.hub || gw.uplink)
		gw.uplink_kick = uplink_kick_cb;
	return 0;
}

/* graceful stop: workers first (in-flight sends come back as results or stay 'sending',
 * which start-up re-queues), then the socket, then the store */
static void
stop_parts(struct event **ev_sig, int nsig)
{
	int	 i;

	mmwatch_free(gw.mmwatch);
	stop_modems();
	uplink_free(gw.uplink);
	hub_free(gw.hub);
	http_free(gw.http);
	backup_free(gw.backup);
	retention_free(gw.retention);
	netclock_free(gw.netclock);
	gw.netclock = NULL;
	ingest_free(gw.ingest);
	sched_free(gw.sched);
	router_free(gw.router);
	ctl_free(gw.ctl);
	for (i = 0; i < nsig; i++)
		event_free(ev_sig[i]);
	event_base_free(gw.base);
	store_close(gw.store);
	close(lock_fd);
}

#define NSIGS	3	/* TERM, INT, HUP */

/* Signals, modems, ready; runs until a stop signal, then stops everything. */
static void
serve(void)
{
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct event		*ev_sig[NSIGS];
	int			 i;

	for (i = 0; i < NSIGS; i++)
		ev_sig[i] = evsignal_new(gw.base, sigs[i], sig_cb, NULL);
	for (i = 0; i < NSIGS; i++)
		evsignal_add(ev_sig[i], NULL);
	start_modems();
	gw.mmwatch = mmwatch_new(&gw);
	router_catch_up(gw.router);
	log_info("daemon: ready version=%s pid=%d database=%s control=%s modems=%d", KT_VERSION,
	    (int)getpid(), gw.conf->database, gw.conf->control, gw.nmodems);
	notify("READY=1");

	event_base_dispatch(gw.base);

	stop_parts(ev_sig, NSIGS);
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	char		 err[1024];
	int		 rc;

	if ((rc = parse_opts(argc, argv, &o)) != -1)
		return rc;
	if (o.find_area_db != NULL) {
		if (optind + 1 != argc) {
			fprintf(stderr, "usage: kentongand --find-area DATABASE TEXT\n");
			return 1;
		}
		log_init("kentongand", 1, LOG_LVL_WARN);
		return helper_find_area(o.find_area_db, argv[optind]);
	}
	if (optind != argc) {
		fprintf(stderr, "kentongand: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	/* the database, its -wal/-shm, the lock and any log hold villagers' names and numbers */
	umask(027);
	if (o.probe != NULL) {
		log_init("kentongand", 1, LOG_LVL_WARN + o.verbose);
		return helper_probe(o.probe, o.probe_conn);
	}
	log_init("kentongand", o.debug || o.check, LOG_LVL_INFO + o.verbose);
	if ((gw.conf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kentongand: %s\n", err);
		return 1;
	}
	if (fs_others_can_read(conf_path))
		log_warnx("config: %s is readable by other users; it may hold the HTTP token "
		    "(chmod o-r %s)", conf_path, conf_path);
	if (o.check)
		return check_conf(o.verbose);
	/* under systemd (Type=notify) stay in the foreground: it supervises and keeps the log */
	if (!o.debug && getenv("NOTIFY_SOCKET") == NULL && daemon(1, 0) == -1)
		fatal("daemon");
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (fs_mkdir_parent(gw.conf->database) == -1 || fs_mkdir_parent(gw.conf->control) == -1)
		log_warn("daemon: creating the directory of the database or socket");
	if (open_store(err, sizeof(err)) == -1 || start_parts(err, sizeof(err)) == -1)
		return start_failed(err);
	serve();
	log_info("daemon: stopped");
	conf_free(gw.conf);
	return 0;
}
