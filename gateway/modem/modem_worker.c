/*
 * modem_worker — one process per modem, the only <gammu.h> user in gateway/. It connects
 * (trying each device a glob names until the IMEI/IMSI fit), then loops: poll() the socketpair
 * with the poll interval as timeout, run the daemon's commands one at a time (send, USSD, ack →
 * delete), and between them look for new messages. libGammu may block for seconds; that is why
 * this is a process the daemon can kill (modem.c's watchdog) rather than code on the loop.
 *
 * Receiving: a full GetNextSMS pass is expensive on some drivers (dummy: ~0.13 s even when
 * empty), so a pass runs only when something may have changed: a +CMTI notification, the
 * dummy's sms/ folders changed, GSM_GetSMSStatus shows messages, an unacked batch is due again,
 * or once a minute anyway. Parts go to the daemon in batches (SMS_IN); they are deleted only when
 * the daemon acks the batch, after its commit.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gammu.h>

#include "common/conf.h"
#include "common/env.h"
#include "common/timefmt.h"
#include "common/crash.h"
#include "common/hex.h"
#include "common/ini.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "gateway/modem/modem.h"
#include "gateway/modem/modem_worker.h"
#include "gateway/modem/modem_worker-internal.h"
#include "gateway/modem/worker_confine.h"
#include "parsers/gsm7.h"

#define PASS_EVERY_S	60	/* a pass at least this often, whatever the hints say */
#define STATUS_EVERY_S	30
#define OFFNET_STATUS_S	5	/* while not registered */
#define USSD_WAIT_S	30

struct loc {
	int	 folder;
	int	 location;
	int	 raw;		/* an undecodable part: libGammu cannot delete it (see w_at_delete) */
};

struct pend {
	uint64_t	 batch;
	double		 sent_at;
	struct loc	*locs;
	int		 nlocs;
};

struct worker {
	int			 fd;
	const struct conf_modem	*cm;
	const char		*name;
	GSM_StateMachine	*s;
	char			 device[256];
	int			 dummy;
	int			 notify;
	char			 dummydir[512];
	struct timespec		 dummy_mtime[6];
	volatile int		 incoming;	/* set by the incoming-SMS callback */
	double			 next_pass;
	double			 next_status;
	double			 next_clock;
	double			 last_pass;
	int			 kept;		/* messages the last pass left on the modem */
	long			 poll_ms;
	int			 timeouts;	/* consecutive libGammu timeouts */

	struct pend		*pend;
	int			 npend;
	uint64_t		 next_batch;
	uint64_t		*acked;		/* batches to delete */
	int			 nacked;

	/* the batch being built */
	struct pbuf		 batch;
	int			 batch_n;
	struct loc		*batch_locs;

	/* send status callback */
	int			 send_done;
	int			 send_status;
	int			 send_mr;
	GSM_SMSC		 smsc;
	int			 have_smsc;
	int			 fast;		/* AT+CMMS on */

	/* USSD callback */
	int			 ussd_done;
	int			 ussd_status;
	char			 ussd_reply[4096];

	/* direct delivery reports (+CDS) and messages (+CMT) seen in callbacks */
	struct pbuf		 reports;
	int			 nreports;

	int			 wait_s;	/* how long to wait for a send or USSD reply */
	const struct mw_plan	*plan;		/* careful reading and the locations to leave alone */
	int			 proxy;		/* connection = proxy…: libGammu runs the device as a child */
	int			 read_errors;	/* consecutive failed reads of the device */
	int			 unread;	/* occupied slots the last careful pass skipped */
	int			 careful_passes;
	int			 offnet;	/* the last look at the network found no registration */

	/* slots libGammu fails to decode whose raw PDU could not be read either: left on the
	 * SIM, skipped until retry_at (crashes are the daemon's business: struct mw_plan) */
	struct {
		int	 folder, location;
		double	 retry_at;
	}			 undec[MW_QUARANTINE_MAX];
	int			 nundec;
	/* what the current pass found (SIMSTATE) */
	int			 pass_found, pass_last, pass_other, pass_cleared, pass_failed;
	struct loc		*other;		/* sent copies and drafts seen (clear_other) */
	int			 nother;
	int			 failed_passes;	/* consecutive passes that could not read */
	int			 listing_failing;	/* the last pass could not list (read slot by slot) */
	char			 read_error[160];
	/* the device as libGammu opened it (a tty, or the pipes to its proxy helper): our own
	 * AT commands for what libGammu cannot do, between its calls (w_at) */
	int			 at_rfd, at_wfd;
};

static struct worker *W;	/* for the libGammu callbacks that lack a user pointer we trust */

/* ---- text helpers (pure) ---- */

/* The network's name (from the modem, else libGammu's table of MCC+MNC) and its MCC+MNC without
 * the space libGammu puts between them. */
static void
network_names(const GSM_NetworkInfo *ni, char *netname, size_t nlen, char *mccmnc, size_t mlen)
{
	size_t	 o = 0;

	ucs2_to_utf8(ni->NetworkName, netname, nlen);
	for (const char *p = ni->NetworkCode; *p && o + 1 < mlen; p++)
		if (*p != ' ')
			mccmnc[o++] = *p;
	mccmnc[o] = '\0';
	if (*netname == '\0' && *ni->NetworkCode)
		ucs2_to_utf8(GSM_GetNetworkName(ni->NetworkCode), netname, nlen);
}

size_t
mw_raw_pdu_from_log(const char *log, char *out, size_t outlen)
{
	const char	*p = log;
	size_t		 found = 0;
	int		 want = 0;

	if (outlen)
		*out = '\0';
	while (p && *p) {
		const char	*eol = strchr(p, '\n'), *q = p, *a, *b;
		size_t		 n, i;

		if (eol == NULL)
			eol = p + strlen(p);
		/* libGammu's reply lines: `N "text"` */
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		a = q;
		while (q < eol && *q >= '0' && *q <= '9')
			q++;
		b = eol;
		while (b > q && (b[-1] == '\r' || b[-1] == ' '))
			b--;
		if (q == a || q + 2 >= b || q[0] != ' ' || q[1] != '"' || b[-1] != '"') {
			want = 0;
			p = *eol ? eol + 1 : eol;
			continue;
		}
		a = q + 2;
		n = (size_t)(b - 1 - a);
		if (n >= 6 && (!strncmp(a, "+CMGR:", 6) || !strncmp(a, "+CMGL:", 6)))
			want = 1;
		else if (want) {
			for (i = 0; i < n; i++)
				if (!((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f') ||
				    (a[i] >= 'A' && a[i] <= 'F')))
					break;
			if (i == n && n >= 2 && n % 2 == 0 && n < outlen) {
				for (i = 0; i < n; i++)
					out[i] = (char)(a[i] >= 'a' ? a[i] - 32 : a[i]);
				out[n] = '\0';
				found = n;
			}
			want = 0;
		}
		p = *eol ? eol + 1 : eol;
	}
	return found;
}

int
mw_cms_permanent(int cms)
{
	switch (cms) {
	case 1:		/* unassigned (unallocated) number */
	case 8:		/* operator determined barring */
	case 10:	/* call barred */
	case 21:	/* short message transfer rejected */
	case 28:	/* unidentified subscriber */
	case 29:	/* facility rejected */
	case 30:	/* unknown subscriber */
	case 50:	/* requested facility not subscribed */
	case 69:	/* requested facility not implemented */
	case 96:	/* invalid mandatory information */
	case 97:	/* message type non-existent */
	case 98:	/* message not compatible with the protocol state */
	case 99:	/* information element non-existent */
	case 111:	/* protocol error, unspecified */
	case 127:	/* interworking, unspecified */
	case 304:	/* invalid PDU mode parameter */
	case 305:	/* invalid text mode parameter */
		return 1;
	}
	return 0;
}

/* ---- frames ---- */

static void
w_write(struct worker *w, uint16_t type, uint64_t reqid, struct pbuf *b)
{
	if (proto_write(w->fd, type, reqid, b ? b->buf : NULL, b ? b->len : 0) == -1) {
		/* the daemon is gone: nothing to do but leave */
		_exit(MW_EXIT_QUIT);
	}
}

static void
status_payload(struct pbuf *b, enum modem_state st, int signal, const char *net, const char *mccmnc,
    const char *err, int registered)
{
	pbuf_init(b);
	pbuf_u32(b, st);
	pbuf_i64(b, signal);
	pbuf_str(b, net);
	pbuf_str(b, mccmnc);
	pbuf_str(b, err);
	pbuf_i64(b, registered);
}

static void
w_status(struct worker *w, enum modem_state st, int signal, const char *net, const char *mccmnc, const char *err)
{
	struct pbuf b;

	status_payload(&b, st, signal, net, mccmnc, err, -1);
	w_write(w, PROTO_W_STATUS, 0, &b);
	pbuf_free(&b);
}

/* ---- libGammu callbacks ---- */

static void	batch_add(struct worker *, GSM_SMSMessage *);
static void	batch_flush(struct worker *);

/* Report status octet (TS 23.040 9.2.3.15) -> 1 delivered, 0 failed, -1 pending. */
static int
report_outcome(unsigned char st)
{
	if (st < 0x20)
		return 1;
	if (st < 0x40)
		return -1;
	return 0;
}

static void
w_queue_report(struct worker *w, GSM_SMSMessage *sms)
{
	char	 number[200], status[32];

	ucs2_to_utf8(sms->Number, number, sizeof(number));
	snprintf(status, sizeof(status), "0x%02x", sms->DeliveryStatus);
	pbuf_str(&w->reports, number);
	pbuf_i64(&w->reports, sms->MessageReference);
	pbuf_i64(&w->reports, sms->SMSCTime.Year ? (int64_t)Fill_Time_T(sms->SMSCTime) : (int64_t)time(NULL));
	pbuf_i64(&w->reports, report_outcome(sms->DeliveryStatus));
	pbuf_str(&w->reports, status);
	w->nreports++;
}

static void
incoming_sms_cb(GSM_StateMachine *s, GSM_SMSMessage *sms, void *arg)
{
	struct worker *w = arg;

	/* +CDS: a report delivered directly, nothing stored */
	if (sms->PDU == SMS_Status_Report && sms->Number[0] + sms->Number[1] != 0) {
		w_queue_report(w, sms);
		return;
	}
	/* +CMT: the modem routed the message to us without storing it (atgen_setcnmi with mt=2);
	 * it goes to the daemon like a stored part, with nothing to delete afterwards */
	if (sms->PDU == SMS_Deliver && sms->Number[0] + sms->Number[1] != 0 && sms->Location == 0) {
		batch_add(w, sms);
		return;
	}
	/* +CMTI: a message was stored; look at the memory */
	w->incoming = 1;
}

static void
send_status_cb(GSM_StateMachine *s, int status, int mr, void *arg)
{
	struct worker *w = arg;

	w->send_done = 1;
	w->send_status = status;
	w->send_mr = mr;
}

static void
ussd_cb(GSM_StateMachine *s, GSM_USSDMessage *u, void *arg)
{
	struct worker *w = arg;

	w->ussd_done = 1;
	w->ussd_status = u->Status;
	ucs2_to_utf8(u->Text, w->ussd_reply, sizeof(w->ussd_reply));
}

/* ---- losing the device ---- */

/*
 * With connection = proxyat libGammu talks to a helper process (socat) over pipes. When the
 * modem goes away the helper exits; libGammu then reads EOF as "no data" and, once it writes,
 * spins for ever in its proxy write (EPIPE is retried as if it were EAGAIN): the worker would
 * hang until the daemon's watchdog (command_timeout plus up to one ping interval, 15-70 s).
 * So the helper's exit itself ends the worker: noticed on the loop when idle, and if a
 * libGammu call is stuck on the dead pipe, SIGALRM ends the worker PROXY_GRACE_S later.
 */
#define PROXY_GRACE_S	1

static volatile sig_atomic_t proxy_exited;
static int	 gone_fd = -1;		/* what sigalrm_cb tells the daemon, built beforehand */
static uint8_t	*gone_frame;
static size_t	 gone_len;

static void
sigchld_cb(int sig)
{
	(void)sig;
	proxy_exited = 1;
	alarm(PROXY_GRACE_S);
}

static void
sigalrm_cb(int sig)
{
	(void)sig;
	/* stuck in libGammu on the dead pipe: say so (write is async-signal-safe) and leave */
	if (gone_frame) {
		ssize_t n = write(gone_fd, gone_frame, gone_len);

		(void)n;	/* nothing more to do if the daemon is gone too */
	}
	_exit(MW_EXIT_LOST);
}

/* After a proxy connection: children of devices tried before (killed by libGammu, not waited
 * for) are reaped now, then any child that exits is the helper of the connected device. */
static void
w_watch_proxy(struct worker *w)
{
	struct sigaction sa;
	struct pbuf	 b;

	if (!w->proxy)
		return;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	status_payload(&b, MODEM_FAILED, -1, "", "", "the device helper exited and libGammu hung on it: "
	    "the modem is gone", -1);
	gone_frame = proto_frame(PROTO_W_STATUS, 0, b.buf, b.len, &gone_len);
	gone_fd = w->fd;
	pbuf_free(&b);
	proxy_exited = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = sigalrm_cb;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = sigchld_cb;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
}

/*
 * A serial device that hangs up while libGammu waits for a reply (a USB stick unplugged or
 * reset mid-command) is not noticed by libGammu: reads of a hung-up tty return 0 bytes, which
 * it takes for "no answer yet", and it waits out its own timeout (40 s for AT+CREG=2) before
 * the next write fails; the daemon's watchdog would come first only after command_timeout.
 * A thread blocked in poll() on the device ends the worker the moment the device hangs up;
 * the daemon sees MW_EXIT_LOST and respawns it. Started before worker_confine(), whose filter
 * then covers it too (SCMP_FLTATR_CTL_TSYNC).
 */
static void *
hangup_watch(void *arg)
{
	struct worker	*w = arg;
	struct pollfd	 pfd = { .fd = w->at_rfd, .events = 0 };
	sigset_t	 all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);	/* the worker's signals stay the main thread's */
	for (;;) {
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (pfd.revents & (POLLHUP | POLLERR)) {
			log_warnx("modem=%s event=lost error=\"the device hung up\"", w->name);
			_exit(MW_EXIT_LOST);
		}
		return NULL;	/* POLLNVAL: libGammu closed it, the worker is ending */
	}
}

static void
w_watch_hangup(struct worker *w)
{
	pthread_attr_t	 attr;
	pthread_t	 t;
	int		 rc;

	/* proxy… has its own watch (w_watch_proxy); dummy has no device */
	if (w->proxy || w->dummy || w->at_rfd == -1)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);	/* log_vlog alone takes 10 KB */
	if ((rc = pthread_create(&t, &attr, hangup_watch, w)) != 0)
		log_warnx("modem=%s event=no-hangup-watch error=\"%s\"", w->name, strerror(rc));
	pthread_attr_destroy(&attr);
}

/* Called before the worker touches the modem: ends it if the device is gone. */
static void
w_check_device(struct worker *w)
{
	int	 status;
	pid_t	 r;
	char	 err[160];

	if (!proxy_exited)
		return;
	r = waitpid(-1, &status, WNOHANG);
	if (r > 0 && WIFEXITED(status))
		snprintf(err, sizeof(err), "the device helper exited (status %d): the modem is gone",
		    WEXITSTATUS(status));
	else if (r > 0 && WIFSIGNALED(status))
		snprintf(err, sizeof(err), "the device helper was killed (signal %d): the modem is gone",
		    WTERMSIG(status));
	else
		snprintf(err, sizeof(err), "the device helper exited: the modem is gone");
	w_status(w, MODEM_FAILED, -1, "", "", err);
	log_warnx("modem=%s event=lost error=\"%s\"", w->name, err);
	_exit(MW_EXIT_LOST);
}

/* A serial device that disappears (USB modem unplugged) fails reads with EIO. */
static void
w_read_device(struct worker *w)
{
	if (GSM_ReadDevice(w->s, FALSE) >= 0) {
		w->read_errors = 0;
		return;
	}
	if (++w->read_errors >= 3) {
		w_status(w, MODEM_FAILED, -1, "", "", "reading the device failed: the modem is gone");
		log_warnx("modem=%s event=lost error=\"reading the device failed\"", w->name);
		_exit(MW_EXIT_LOST);
	}
}

/* ---- connecting ---- */

static int
lost_error(GSM_Error e)
{
	switch (e) {
	case ERR_DEVICENOTEXIST:
	case ERR_DEVICEOPENERROR:
	case ERR_DEVICEREADERROR:
	case ERR_DEVICEWRITEERROR:
	case ERR_DEVICEBUSY:
	case ERR_DEVICELOCKED:
	case ERR_DEVICENODRIVER:
	case ERR_NOTCONNECTED:
		return 1;
	default:
		return 0;
	}
}

/* Watches the outcome of a libGammu call: too many timeouts or a dead device end the worker. */
static void
w_check(struct worker *w, GSM_Error e, const char *what)
{
	if (e == ERR_TIMEOUT) {
		if (++w->timeouts >= 3) {
			w_status(w, MODEM_FAILED, -1, "", "", "the modem stopped answering");
			log_warnx("modem=%s event=lost why=timeouts during=%s", w->name, what);
			_exit(MW_EXIT_LOST);
		}
		return;
	}
	if (e == ERR_NONE || e == ERR_EMPTY)
		w->timeouts = 0;
	if (lost_error(e)) {
		char err[200];

		snprintf(err, sizeof(err), "%s: %s", what, GSM_ErrorString(e));
		w_status(w, MODEM_FAILED, -1, "", "", err);
		log_warnx("modem=%s event=lost during=%s error=\"%s\"", w->name, what, GSM_ErrorString(e));
		_exit(MW_EXIT_LOST);
	}
}

struct kvl {
	char	**k, **v;
	int	  n;
};

static void
kvl_set(struct kvl *l, const char *k, const char *v)
{
	int	 i;

	for (i = 0; i < l->n; i++)
		if (!strcasecmp(l->k[i], k)) {
			free(l->v[i]);
			l->v[i] = xstrdup(v);
			return;
		}
	l->k = xreallocarray(l->k, l->n + 1, sizeof(char *));
	l->v = xreallocarray(l->v, l->n + 1, sizeof(char *));
	l->k[l->n] = xstrdup(k);
	l->v[l->n] = xstrdup(v);
	l->n++;
}

static int
profile_key_cb(const struct ini_line *l, void *kvl)
{
	kvl_set(kvl, l->key, l->value);
	return 0;
}

/* The [gammu] section of a gammurc-format profile. */
static int
read_profile(const char *path, struct kvl *l, char *err, size_t errlen)
{
	struct ini_section	 gammu = { "gammu", profile_key_cb, l, 0 };

	/* as before the one reader, a read error (a directory) reads as an empty profile */
	if (ini_parse_file(path, 0, ini_section_cb, &gammu) == INI_EOPEN) {
		snprintf(err, errlen, "profile %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The descriptors open now, as a bitmap of fds below 8 * len. */
static void
fds_open(unsigned char *bits, size_t len)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*de;

	memset(bits, 0, len);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && fd >= 0 && (size_t)fd < 8 * len &&
		    fd != dirfd(d))
			bits[fd / 8] |= (unsigned char)(1 << (fd % 8));
	}
	closedir(d);
}

/*
 * Finds the descriptors GSM_InitConnection opened for the device: one read-write tty (or
 * socket), or for connection = proxy… a write pipe and a read pipe to the helper. Anything else
 * (a log or lock file) is not the modem. at_rfd/at_wfd stay -1 when it is not clear.
 */
static void
w_find_device_fds(struct worker *w, const unsigned char *before, size_t len)
{
	unsigned char	 now[128];
	int		 rfd = -1, wfd = -1, nrw = 0;

	w->at_rfd = w->at_wfd = -1;
	if (len > sizeof(now))
		len = sizeof(now);
	fds_open(now, len);
	for (int fd = 0; (size_t)fd < 8 * len; fd++) {
		struct stat	 sb;
		int		 fl;

		if (!(now[fd / 8] & (1 << (fd % 8))) || (before[fd / 8] & (1 << (fd % 8))))
			continue;
		if (fstat(fd, &sb) == -1 || S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode) ||
		    (fl = fcntl(fd, F_GETFL)) == -1)
			continue;
		if ((fl & O_ACCMODE) == O_RDWR && (S_ISCHR(sb.st_mode) || S_ISSOCK(sb.st_mode))) {
			rfd = wfd = fd;
			nrw++;
		} else if ((fl & O_ACCMODE) == O_WRONLY && S_ISFIFO(sb.st_mode))
			wfd = fd;
		else if ((fl & O_ACCMODE) == O_RDONLY && S_ISFIFO(sb.st_mode))
			rfd = fd;
	}
	if (nrw <= 1 && rfd != -1 && wfd != -1) {
		w->at_rfd = rfd;
		w->at_wfd = wfd;
	}
	log_debug("modem=%s event=device-fds read=%d write=%d", w->name, w->at_rfd, w->at_wfd);
}

/* Opens one device; 0 connected (identity checked), -1 with err. */
static int
w_try_connect(struct worker *w, struct kvl *kv, const char *device, char *err, size_t errlen)
{
	char		 path[] = "/tmp/kt-gammurc-XXXXXX";
	FILE		*f;
	int		 fd, i;
	INI_Section	*ini = NULL;
	GSM_Config	*cfg;
	GSM_Error	 e;
	char		 imei[GSM_MAX_IMEI_LENGTH + 1] = "", imsi[GSM_MAX_INFO_LENGTH] = "";
	unsigned char	 before[128];

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "cannot write a gammurc: %s", strerror(errno));
		return -1;
	}
	fprintf(f, "[gammu]\n");
	for (i = 0; i < kv->n; i++)
		if (strcasecmp(kv->k[i], "device"))
			fprintf(f, "%s = %s\n", kv->k[i], kv->v[i]);
	fprintf(f, "device = %s\n", device);
	fclose(f);
	e = INI_ReadFile(path, FALSE, &ini);
	unlink(path);
	if (e != ERR_NONE) {
		snprintf(err, errlen, "gammurc: %s", GSM_ErrorString(e));
		return -1;
	}
	w->s = GSM_AllocStateMachine();
	cfg = GSM_GetConfig(w->s, 0);
	e = GSM_ReadConfig(ini, cfg, 0);
	INI_Free(ini);
	if (e != ERR_NONE) {
		snprintf(err, errlen, "gammu configuration: %s", GSM_ErrorString(e));
		goto fail;
	}
	GSM_SetConfigNum(w->s, 1);
	/* libGammu's own chatter only behind the trace flag */
	if (log_getlevel() >= LOG_LVL_TRACE) {
		GSM_SetDebugFileDescriptor(stderr, FALSE, GSM_GetDebug(w->s));
		GSM_SetDebugLevel("textall", GSM_GetDebug(w->s));
	}
	GSM_SetSendSMSStatusCallback(w->s, send_status_cb, w);
	fds_open(before, sizeof(before));
	e = GSM_InitConnection(w->s, 2);
	if (e == ERR_NONE)
		w_find_device_fds(w, before, sizeof(before));
	if (e != ERR_NONE) {
		snprintf(err, errlen, "cannot connect to %s: %s", device, GSM_ErrorString(e));
		goto fail;
	}
	GSM_GetIMEI(w->s, imei);
	GSM_GetSIMIMSI(w->s, imsi);
	if (*w->cm->imei && strcmp(imei, w->cm->imei)) {
		snprintf(err, errlen, "%s has IMEI %s, not %s", device, imei, w->cm->imei);
		goto fail_conn;
	}
	if (*w->cm->imsi && strcmp(imsi, w->cm->imsi)) {
		snprintf(err, errlen, "%s has IMSI %s, not %s", device, imsi, w->cm->imsi);
		goto fail_conn;
	}
	snprintf(w->device, sizeof(w->device), "%s", device);
	return 0;
fail_conn:
	GSM_TerminateConnection(w->s);
fail:
	GSM_FreeStateMachine(w->s);
	w->s = NULL;
	return -1;
}

static int
has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void
w_connect(struct worker *w)
{
	struct kvl	 kv = { NULL, NULL, 0 };
	char		 err[300] = "no device";
	const char	*dev, *model, *conn;
	int		 i, ok = -1;
	struct pbuf	 b;
	char		 manu[GSM_MAX_MANUFACTURER_LENGTH + 1] = "", model_s[GSM_MAX_MODEL_LENGTH + 1] = "";
	char		 imei[GSM_MAX_IMEI_LENGTH + 1] = "", imsi[GSM_MAX_INFO_LENGTH] = "";
	char		 netname[100] = "", mccmnc[16] = "";
	GSM_NetworkInfo	 ni;

	if (w->cm->profile && *w->cm->profile && read_profile(w->cm->profile, &kv, err, sizeof(err)) == -1)
		goto fail;
	for (i = 0; i < w->cm->ngammu; i++)
		kvl_set(&kv, w->cm->gammu[i].key, w->cm->gammu[i].value);
	dev = "";
	model = conn = "";
	for (i = 0; i < kv.n; i++) {
		if (!strcasecmp(kv.k[i], "device"))
			dev = kv.v[i];
		else if (!strcasecmp(kv.k[i], "model"))
			model = kv.v[i];
		else if (!strcasecmp(kv.k[i], "connection"))
			conn = kv.v[i];
	}
	w->dummy = !strcasecmp(model, "dummy") || !strcasecmp(conn, "none");
	w->proxy = !strncasecmp(conn, "proxy", 5);
	if (has_glob(dev)) {
		glob_t g;

		/* re-plugged modems come back under another name: try each, the identity decides */
		if (glob(dev, 0, NULL, &g) == 0) {
			for (size_t j = 0; j < g.gl_pathc && ok == -1; j++)
				ok = w_try_connect(w, &kv, g.gl_pathv[j], err, sizeof(err));
			globfree(&g);
		} else
			snprintf(err, sizeof(err), "no device matches %s", dev);
	} else
		ok = w_try_connect(w, &kv, dev, err, sizeof(err));
	if (ok == -1)
		goto fail;

	w_watch_proxy(w);
	w_watch_hangup(w);
	if (w->dummy)
		snprintf(w->dummydir, sizeof(w->dummydir), "%s", w->device);
	/* after GSM_InitConnection, which clears the callbacks (dummy crashes without this one) */
	GSM_SetSendSMSStatusCallback(w->s, send_status_cb, w);
	GSM_SetIncomingSMSCallback(w->s, incoming_sms_cb, w);
	w->notify = !w->dummy && GSM_SetIncomingSMS(w->s, TRUE) == ERR_NONE;
	GSM_SetIncomingUSSDCallback(w->s, ussd_cb, w);
	GSM_SetIncomingUSSD(w->s, TRUE);
	memset(&w->smsc, 0, sizeof(w->smsc));
	w->smsc.Location = 1;
	w->have_smsc = GSM_GetSMSC(w->s, &w->smsc) == ERR_NONE && (w->smsc.Number[0] || w->smsc.Number[1]);

	GSM_GetManufacturer(w->s, manu);
	GSM_GetModel(w->s, model_s);
	GSM_GetIMEI(w->s, imei);
	GSM_GetSIMIMSI(w->s, imsi);
	memset(&ni, 0, sizeof(ni));
	if (GSM_GetNetworkInfo(w->s, &ni) == ERR_NONE) {
		network_names(&ni, netname, sizeof(netname), mccmnc, sizeof(mccmnc));
	}
	pbuf_init(&b);
	pbuf_str(&b, manu);
	pbuf_str(&b, model_s);
	pbuf_str(&b, imei);
	pbuf_str(&b, imsi);
	pbuf_str(&b, netname);
	pbuf_str(&b, mccmnc);
	pbuf_str(&b, w->device);
	pbuf_u32(&b, (w->notify ? MW_CAP_NOTIFY : 0) | (w->dummy ? MW_CAP_DUMMY : 0));
	w_write(w, PROTO_W_HELLO, 0, &b);
	pbuf_free(&b);
	log_info("modem=%s event=connected device=%s manufacturer=\"%s\" model=\"%s\" network=\"%s\" notify=%d",
	    w->name, w->device, manu, model_s, netname, w->notify);
	for (i = 0; i < kv.n; i++) {
		free(kv.k[i]);
		free(kv.v[i]);
	}
	free(kv.k);
	free(kv.v);
	return;
fail:
	log_warnx("modem=%s event=connect-failed error=\"%s\"", w->name, err);
	w_status(w, MODEM_FAILED, -1, "", "", err);
	_exit(MW_EXIT_CONNECT);
}

/* ---- receiving ---- */

static void	w_delete_acked(struct worker *);
static int	w_command(struct worker *);

/* Runs the commands already waiting if they are acks or pings; stops at anything else. */
static void
w_take_acks(struct worker *w)
{
	struct pollfd		 pfd = { .fd = w->fd, .events = POLLIN };
	struct proto_hdr	 h;

	while (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		if (recv(w->fd, &h, sizeof(h), MSG_PEEK | MSG_DONTWAIT) != (ssize_t)sizeof(h))
			break;
		if (h.type != PROTO_W_SMS_ACK && h.type != PROTO_W_PING)
			break;
		w_command(w);
	}
	w_delete_acked(w);
}

static int
is_pending(struct worker *w, int folder, int location)
{
	int	 i, j;

	for (i = 0; i < w->npend; i++)
		for (j = 0; j < w->pend[i].nlocs; j++)
			if (w->pend[i].locs[j].folder == folder && w->pend[i].locs[j].location == location)
				return 1;
	return 0;
}

static void
batch_flush(struct worker *w)
{
	struct pbuf	 frame;
	struct pend	*p;

	if (w->batch_n == 0)
		return;
	CRASH_POINT("modem-read");
	pbuf_init(&frame);
	pbuf_u32(&frame, (uint32_t)w->batch_n);
	/* the parts were built separately so the count can come first */
	if (w->batch.len) {
		size_t need = frame.len + w->batch.len;

		frame.buf = xrealloc(frame.buf, need);
		memcpy(frame.buf + frame.len, w->batch.buf, w->batch.len);
		frame.len = frame.cap = need;
	}
	w->pend = xreallocarray(w->pend, w->npend + 1, sizeof(*w->pend));
	p = &w->pend[w->npend++];
	p->batch = ++w->next_batch;
	p->sent_at = clock_mono();
	p->locs = w->batch_locs;
	p->nlocs = w->batch_n;
	w->batch_locs = NULL;
	w_write(w, PROTO_W_SMS_IN, p->batch, &frame);
	log_debug("modem=%s event=batch id=%llu parts=%d", w->name, (unsigned long long)p->batch, w->batch_n);
	pbuf_free(&frame);
	pbuf_free(&w->batch);
	w->batch_n = 0;
}

/* Parses the concatenation element of a UDH (IEI 0x00 or 0x08). */
void
mw_udh_concat(const unsigned char *u, int len, int *ref, int *total, int *seq)
{
	int	 i;

	*ref = -1;
	*total = *seq = 1;
	if (len < 1)
		return;
	for (i = 1; i + 1 < len && i < 1 + u[0];) {
		int iei = u[i], l = u[i + 1];

		if (i + 2 + l > len)
			break;
		if (iei == 0x00 && l == 3) {
			*ref = u[i + 2];
			*total = u[i + 3];
			*seq = u[i + 4];
		} else if (iei == 0x08 && l == 4) {
			*ref = u[i + 2] << 8 | u[i + 3];
			*total = u[i + 4];
			*seq = u[i + 5];
		}
		i += 2 + l;
	}
	if (*total < 1 || *seq < 1 || *seq > *total) {
		*ref = -1;
		*total = *seq = 1;
	}
}

static void	batch_push(struct worker *, int, int, int);

static void
batch_add(struct worker *w, GSM_SMSMessage *m)
{
	static char	 text[4 * GSM_MAX_SMS_LENGTH + 16];
	char		 sender[200], smsc[200], udh[2 * GSM_MAX_UDH_LENGTH + 1] = "";
	const char	*coding;
	int		 ref = -1, total = 1, seq = 1;
	time_t		 at;

	if (w->batch_n == 0)
		pbuf_init(&w->batch);
	ucs2_to_utf8(m->Number, sender, sizeof(sender));
	ucs2_to_utf8(m->SMSC.Number, smsc, sizeof(smsc));
	if (m->UDH.Type != UDH_NoUDH && m->UDH.Length > 0) {
		/* libGammu takes the UDH length from the PDU (up to 256) but has room for
		 * GSM_MAX_UDH_LENGTH: a crafted SMS overflowed udh[] here (found by tests/fuzz/fuzz_pdu) */
		int ulen = m->UDH.Length > GSM_MAX_UDH_LENGTH ? GSM_MAX_UDH_LENGTH : m->UDH.Length;

		hex_encode_upper(m->UDH.Text, (size_t)ulen, udh);
		mw_udh_concat(m->UDH.Text, ulen, &ref, &total, &seq);
	}
	switch (m->Coding) {
	case SMS_Coding_Unicode_No_Compression:
	case SMS_Coding_Unicode_Compression:
		coding = "ucs2";
		/* by its length: a U+0000 inside must not cut the text (the SIM copy is deleted) */
		ucs2n_to_utf8(m->Text, m->Length > 0 && m->Length <= GSM_MAX_SMS_LENGTH ? (size_t)m->Length :
		    0, text, sizeof(text));
		break;
	case SMS_Coding_Default_No_Compression:
	case SMS_Coding_Default_Compression:
		coding = "gsm7";
		ucs2_to_utf8(m->Text, text, sizeof(text));
		break;
	default:
		coding = "8bit";
		hex_encode_upper(m->Text, m->Length > 0 && m->Length <= GSM_MAX_SMS_LENGTH ? (size_t)m->Length : 0, text);
		break;
	}
	at = m->DateTime.Year ? Fill_Time_T(m->DateTime) : 0;
	pbuf_u32(&w->batch, m->PDU == SMS_Status_Report ? MW_PART_REPORT : MW_PART_SMS);
	pbuf_i64(&w->batch, m->Folder);
	pbuf_i64(&w->batch, m->Location);
	pbuf_str(&w->batch, sender);
	pbuf_str(&w->batch, smsc);
	pbuf_i64(&w->batch, at);
	pbuf_str(&w->batch, coding);
	pbuf_str(&w->batch, m->PDU == SMS_Status_Report ? "" : text);
	pbuf_str(&w->batch, udh);
	pbuf_i64(&w->batch, ref);
	pbuf_u32(&w->batch, (uint32_t)total);
	pbuf_u32(&w->batch, (uint32_t)seq);
	if (m->PDU == SMS_Status_Report) {
		char st[16];

		snprintf(st, sizeof(st), "0x%02x", m->DeliveryStatus);
		pbuf_i64(&w->batch, m->MessageReference);
		pbuf_i64(&w->batch, report_outcome(m->DeliveryStatus));
		pbuf_str(&w->batch, st);
	} else {
		pbuf_i64(&w->batch, -1);
		pbuf_i64(&w->batch, -1);
		pbuf_str(&w->batch, "");
	}
	batch_push(w, m->Folder, m->Location, 0);
}

/* Ends a part just written to the batch: remembers its location, flushes a full batch. */
static void
batch_push(struct worker *w, int folder, int location, int raw)
{
	w->batch_locs = xreallocarray(w->batch_locs, w->batch_n + 1, sizeof(struct loc));
	w->batch_locs[w->batch_n].folder = folder;
	w->batch_locs[w->batch_n].location = location;
	w->batch_locs[w->batch_n].raw = raw;
	w->batch_n++;
	if (w->batch_n >= MW_BATCH_MAX) {
		batch_flush(w);
		/* the dummy driver walks locations in order: acked messages behind the walk can go
		 * now, so a big backlog is gone when the pass ends (the AT driver lists first, but
		 * real modems renumber nothing either; still, keep them for after the pass) */
		if (w->dummy)
			w_take_acks(w);
	}
}

/* Tells the daemon what is being read: MW_READING_PASS (a GetNextSMS pass), a location, or
 * MW_READING_DONE with the slots in use; if libGammu's decoder kills the worker meanwhile, the
 * daemon knows which message did it (see struct mw_plan). */
static void
w_reading(struct worker *w, int folder, int location)
{
	struct pbuf b;

	pbuf_init(&b);
	pbuf_i64(&b, folder);
	pbuf_i64(&b, location);
	w_write(w, PROTO_W_READING, 0, &b);
	pbuf_free(&b);
}

static int
is_quarantined(const struct worker *w, int folder, int location)
{
	for (int i = 0; w->plan && i < w->plan->nskip; i++)
		if (w->plan->skip[i].folder == folder && w->plan->skip[i].location == location)
			return 1;
	return 0;
}

/* Takes one decoded message of a pass; returns whether it stays on the modem. */
static int
w_take(struct worker *w, GSM_SMSMessage *m)
{
	if (m->PDU != SMS_Deliver && m->PDU != SMS_Status_Report) {
		/* drafts and sent copies are not ours to take: counted, and deleted if asked to */
		w->pass_other++;
		if (w->cm->clear_other) {
			w->other = xreallocarray(w->other, w->nother + 1, sizeof(*w->other));
			w->other[w->nother].folder = m->Folder;
			w->other[w->nother].location = m->Location;
			w->other[w->nother].raw = 0;
			w->nother++;
		}
		return 1;
	}
	if (is_pending(w, m->Folder, m->Location))
		return 1;
	batch_add(w, m);
	return 0;
}

/* ---- messages libGammu cannot decode ---- */

static double
undec_retry_s(void)
{
	return env_double("KT_QUARANTINE_RETRY_S", MW_QUARANTINE_RETRY_S);
}

static int
undec_find(const struct worker *w, int folder, int location)
{
	for (int i = 0; i < w->nundec; i++)
		if (w->undec[i].folder == folder && w->undec[i].location == location)
			return i;
	return -1;
}

static void
undec_forget(struct worker *w, int i)
{
	if (i >= 0)
		w->undec[i] = w->undec[--w->nundec];
}

/* A part that could not be decoded: its raw PDU (SMSC + TPDU) as hex (SMS_IN, MW_PART_RAW). */
static void
batch_add_raw(struct worker *w, int folder, int location, const char *hex)
{
	if (w->batch_n == 0)
		pbuf_init(&w->batch);
	pbuf_u32(&w->batch, MW_PART_RAW);
	pbuf_i64(&w->batch, folder);
	pbuf_i64(&w->batch, location);
	pbuf_str(&w->batch, "");
	pbuf_str(&w->batch, "");
	pbuf_i64(&w->batch, 0);
	pbuf_str(&w->batch, "pdu");
	pbuf_str(&w->batch, hex);
	pbuf_str(&w->batch, "");
	pbuf_i64(&w->batch, -1);
	pbuf_u32(&w->batch, 1);
	pbuf_u32(&w->batch, 1);
	pbuf_i64(&w->batch, -1);
	pbuf_i64(&w->batch, -1);
	pbuf_str(&w->batch, "");
	batch_push(w, folder, location, 1);
}

/* batch_add() for the fuzz target: one message, a worker of its own (modem_worker-internal.h). */
int
mw_part_of_sms(GSM_SMSMessage *m, struct pbuf *out)
{
	struct worker	 w;

	memset(&w, 0, sizeof(w));
	w.name = "fuzz";
	batch_add(&w, m);
	*out = w.batch;
	free(w.batch_locs);
	return w.batch_n;
}

/* batch_add_raw() for the fuzz target (modem_worker-internal.h). */
int
mw_part_of_raw(int folder, int location, const char *hex, struct pbuf *out, int *raw)
{
	struct worker	 w;

	memset(&w, 0, sizeof(w));
	w.name = "fuzz";
	batch_add_raw(&w, folder, location, hex);
	*out = w.batch;
	*raw = w.batch_n > 0 && w.batch_locs[0].raw;
	free(w.batch_locs);
	return w.batch_n;
}

/*
 * Reads one slot with libGammu's reply lines captured, for the raw PDU of a message its decoder
 * refuses (hex into hex, "" when the modem returned none). libGammu offers no raw AT command to
 * its users: its own AT+CMGR is the read, and its text debug log, sent to memory for this one
 * call, is where the reply survives the failed decode. The dummy driver has no PDU to give.
 */
static GSM_Error
w_get_raw(struct worker *w, GSM_MultiSMSMessage *sms, int folder, int location, char *hex, size_t hexlen)
{
	GSM_Debug_Info	*di = GSM_GetDebug(w->s);
	FILE		*f = NULL;
	char		*buf = NULL;
	size_t		 len = 0;
	GSM_Error	 e;

	*hex = '\0';
	memset(sms, 0, sizeof(*sms));
	sms->Number = 1;
	sms->SMS[0].Folder = folder;
	sms->SMS[0].Location = location;
	if (!w->dummy && (f = open_memstream(&buf, &len)) != NULL) {
		GSM_SetDebugGlobal(FALSE, di);
		GSM_SetDebugFileDescriptor(f, FALSE, di);
		GSM_SetDebugLevel("text", di);
	}
	e = GSM_GetSMS(w->s, sms);
	if (f != NULL) {
		GSM_Config	*cfg = GSM_GetConfig(w->s, 0);
		FILE		*own = NULL;

		/* back as it was: the modem's own libGammu log (logfile, logformat: appended to, as
		 * GSM_SetDebugFile would truncate it), the trace to stderr, or silent */
		if (cfg != NULL && cfg->DebugFile != NULL && *cfg->DebugFile &&
		    (own = fopen(cfg->DebugFile, "a")) != NULL) {
			GSM_SetDebugFileDescriptor(own, TRUE, di);
			GSM_SetDebugLevel(*cfg->DebugLevel ? cfg->DebugLevel : "text", di);
		} else if (log_getlevel() >= LOG_LVL_TRACE) {
			GSM_SetDebugFileDescriptor(stderr, FALSE, di);
			GSM_SetDebugLevel("textall", di);
		} else {
			GSM_SetDebugLevel("nothing", di);
			GSM_SetDebugFileDescriptor(NULL, FALSE, di);
		}
		fclose(f);
		if (buf != NULL)
			mw_raw_pdu_from_log(buf, hex, hexlen);
		free(buf);
	}
	return e;
}

/*
 * A slot libGammu failed to read with error e (not a lost modem). Its raw PDU goes to the daemon
 * as an undecodable part (committed, then deleted like any other); when not even that can be
 * read, the slot stays on the SIM, skipped until retried after MW_QUARANTINE_RETRY_S. Returns
 * whether the slot stays on the modem.
 */
static int
w_undecodable(struct worker *w, int folder, int location, GSM_Error e)
{
	GSM_MultiSMSMessage	*sms;
	GSM_Error		 e2;
	char			 hex[2 * 400 + 1];
	int			 q = undec_find(w, folder, location), kept = 1, i;

	if (is_pending(w, folder, location))
		return 1;	/* its raw PDU waits in a batch for the daemon's commit */
	if (q >= 0 && clock_mono() < w->undec[q].retry_at)
		return 1;	/* left alone until its retry */
	sms = xcalloc(1, sizeof(*sms));
	e2 = w_get_raw(w, sms, folder, location, hex, sizeof(hex));
	w_check(w, e2, "reading a message");
	if (e2 == ERR_NONE) {
		/* readable now (a bad copy in the listing, or the slot was freed and reused) */
		undec_forget(w, q);
		for (i = 0; i < sms->Number; i++)
			if (w_take(w, &sms->SMS[i]) == 0)
				kept = 0;
		free(sms);
		return kept;
	}
	/* an error (even "empty": some modems answer a read they cannot do with +CMS ERROR: 500,
	 * which libGammu takes for an empty slot) right after the listing showed the message: it
	 * is there, and cannot be read */
	free(sms);
	if (e2 == ERR_TIMEOUT)
		return 1;	/* the modem's fault, not the message's: the next pass tries again */
	if (q < 0) {
		w->pass_found++;
		w->pass_last = location;
	}
	if (*hex) {
		log_warnx("modem=%s event=undecodable folder=%d location=%d error=\"%s\" bytes=%zu: slot %d: "
		    "cannot decode; stored raw, then deleted from the modem", w->name, folder, location,
		    GSM_ErrorString(e), strlen(hex) / 2, location);
		undec_forget(w, q);
		batch_add_raw(w, folder, location, hex);
		return 0;
	}
	if (q < 0 && w->nundec < MW_QUARANTINE_MAX) {
		q = w->nundec++;
		w->undec[q].folder = folder;
		w->undec[q].location = location;
	}
	if (q >= 0)
		w->undec[q].retry_at = clock_mono() + undec_retry_s();
	log_warnx("modem=%s event=quarantine-undecodable folder=%d location=%d error=\"%s\": slot %d: cannot "
	    "decode, and its raw PDU cannot be read either; left on the modem, tried again in %.0fs", w->name,
	    folder, location, GSM_ErrorString(e2), location, undec_retry_s());
	return 1;
}

/* Deletes the sent copies and drafts a pass found (clear_other = yes). */
static void
w_clear_other(struct worker *w)
{
	for (int i = 0; i < w->nother; i++) {
		GSM_SMSMessage	 m;
		GSM_Error	 e;

		memset(&m, 0, sizeof(m));
		m.Folder = w->other[i].folder;
		m.Location = w->other[i].location;
		if ((e = GSM_DeleteSMS(w->s, &m)) != ERR_NONE) {
			m.Folder = 0;
			e = GSM_DeleteSMS(w->s, &m);
		}
		if (e == ERR_NONE || e == ERR_EMPTY) {
			w->pass_cleared++;
			log_info("modem=%s event=cleared-other folder=%d location=%d", w->name, w->other[i].folder,
			    w->other[i].location);
		} else
			w_check(w, e, "deleting a stored message");
	}
	w->nother = 0;
}

static void
w_pass_begin(struct worker *w)
{
	w->pass_found = w->pass_other = w->pass_cleared = w->pass_failed = 0;
	w->pass_last = -1;
	w->nother = 0;
}

/* Tells the daemon what the pass left on the SIM (SIMSTATE). */
static void
w_pass_end(struct worker *w)
{
	struct pbuf	 b;

	if (w->nother)
		w_clear_other(w);
	if (w->pass_failed)
		w->failed_passes++;
	else {
		w->failed_passes = 0;
		w->read_error[0] = '\0';
	}
	pbuf_init(&b);
	pbuf_u32(&b, (uint32_t)w->nundec);
	for (int i = 0; i < w->nundec; i++) {
		pbuf_i64(&b, w->undec[i].folder);
		pbuf_i64(&b, w->undec[i].location);
	}
	pbuf_u32(&b, (uint32_t)w->pass_found);
	pbuf_i64(&b, w->pass_last);
	pbuf_u32(&b, (uint32_t)(w->pass_other - w->pass_cleared));
	pbuf_u32(&b, (uint32_t)w->pass_cleared);
	pbuf_u32(&b, (uint32_t)w->failed_passes);
	pbuf_str(&b, w->read_error);
	w_write(w, PROTO_W_SIMSTATE, 0, &b);
	pbuf_free(&b);
}

/* A pass that could not read the memory at all (the listing and the reads fail). */
static void
w_pass_failed(struct worker *w, const char *what, GSM_Error e)
{
	w->pass_failed = 1;
	snprintf(w->read_error, sizeof(w->read_error), "%s: %s", what, GSM_ErrorString(e));
}

/*
 * The careful pass, after a worker died inside an ordinary one: every location of the SIM (and
 * of the phone memory) is read on its own, announced first, and those a worker died on are
 * skipped until plan->retry_at — they stay on the modem, unread, until someone deletes them (a
 * retry reads what a freed slot holds now, or crashes once more). Slower (one AT+CMGR per slot)
 * but a poisoned message no longer stops the modem from receiving. The pass ends by telling
 * how many occupied slots it did not read (0: nothing poisoned is left; -1: unknown).
 */
static void
w_pass_careful(struct worker *w)
{
	GSM_MultiSMSMessage	*sms = xcalloc(1, sizeof(*sms));
	GSM_SMSMemoryStatus	 ms, ms2;
	GSM_Error		 e;
	int			 n = 0, readable = 0, counted, retry, nerr = 0;
	GSM_Error		 last_err = ERR_NONE;
	struct {
		int	 folder, size;
	} mem[2];

	w_pass_begin(w);
	memset(&ms, 0, sizeof(ms));
	e = GSM_GetSMSStatus(w->s, &ms);
	w_check(w, e, "checking for messages");
	counted = e == ERR_NONE;
	if (!counted)
		w_pass_failed(w, "counting messages", e);
	/* a new worker first reads around the skipped slots: each crash of a retry gets the rest in */
	retry = w->careful_passes++ > 0 && w->unread && w->plan && clock_mono() >= w->plan->retry_at;
	mem[0].folder = 1;		/* SIM inbox */
	mem[0].size = counted ? ms.SIMSize : 0;
	mem[1].folder = 3;		/* phone memory inbox */
	mem[1].size = counted ? ms.PhoneSize : 0;
	for (int k = 0; k < 2; k++) {
		for (int loc = 1; loc <= mem[k].size && loc <= 10000; loc++) {
			if (!retry && is_quarantined(w, mem[k].folder, loc))
				continue;
			memset(sms, 0, sizeof(*sms));
			sms->Number = 1;
			sms->SMS[0].Folder = mem[k].folder;
			sms->SMS[0].Location = loc;
			w_reading(w, mem[k].folder, loc);
			e = GSM_GetSMS(w->s, sms);
			/* out of libGammu's decoder: a crash from here on is not this slot's doing */
			w_reading(w, MW_READING_PASS, 0);
			if (e == ERR_NONE || e == ERR_EMPTY || e == ERR_INVALIDLOCATION)
				undec_forget(w, undec_find(w, mem[k].folder, loc));
			if (e == ERR_EMPTY || e == ERR_INVALIDLOCATION)
				continue;
			if (e != ERR_NONE) {
				w_check(w, e, "reading messages");
				nerr++;
				last_err = e;
				if (e == ERR_TIMEOUT) {
					w_pass_failed(w, "reading messages", e);
					continue;
				}
				/* the decoder refused it: its raw PDU, or quarantine (announced: the
				 * re-read is libGammu's decoder again) */
				w_reading(w, mem[k].folder, loc);
				if (!w_undecodable(w, mem[k].folder, loc, e)) {
					readable++;
					n++;
				}
				w_reading(w, MW_READING_PASS, 0);
				continue;
			}
			w->timeouts = 0;
			readable++;
			for (int i = 0; i < sms->Number; i++)
				if (!w_take(w, &sms->SMS[i]))
					n++;
		}
	}
	batch_flush(w);
	free(sms);
	memset(&ms2, 0, sizeof(ms2));
	/* the slots in use before and after agree: nothing arrived meanwhile to blur the count */
	if (counted && GSM_GetSMSStatus(w->s, &ms2) == ERR_NONE &&
	    ms2.SIMUsed + ms2.PhoneUsed == ms.SIMUsed + ms.PhoneUsed) {
		int unread = ms.SIMUsed + ms.PhoneUsed - readable;

		w->kept = ms.SIMUsed + ms.PhoneUsed - n;
		w->unread = unread > 0 ? unread : 0;
		w_reading(w, MW_READING_DONE, w->unread);
	} else {
		w->kept = counted ? ms.SIMUsed + ms.PhoneUsed - n : 0;
		w->unread = 1;
		w_reading(w, MW_READING_DONE, -1);
	}
	if (counted && readable == 0 && nerr > 0)
		w_pass_failed(w, "reading messages", last_err);
	w_pass_end(w);
	if (n)
		log_debug("modem=%s event=pass careful=1 new=%d kept=%d", w->name, n, w->kept);
}

/* What a listing pass met: the messages libGammu could not decode, what it took and what it kept. */
struct pass_list {
	struct loc	 bad[MW_BATCH_MAX];
	GSM_Error	 bad_e[MW_BATCH_MAX];
	int		 nbad, n, kept;
};

/*
 * How many slots are in use (-1: unknown): when AT+CMGL fails, libGammu reads location after
 * location up to 99999 looking for the next message, and after one it could not decode it never
 * counts the memory done (100,000 AT+CMGR, hours on a real modem): stop once all were met.
 */
static int
w_slots_used(struct worker *w)
{
	GSM_SMSMemoryStatus	 ms;

	if (w->dummy)
		return -1;
	memset(&ms, 0, sizeof(ms));
	if (GSM_GetSMSStatus(w->s, &ms) == ERR_NONE)
		return ms.SIMUsed + ms.PhoneUsed;
	return -1;
}

/*
 * A listing step failed on folder/loc with e. Returns 1 when libGammu named the location it
 * failed on: that message is noted in pl, to skip it and go on after it (looked at again once
 * the listing is done). Else the pass ends: returns 0, with *listing_failed set when the listing
 * failed at its start.
 */
static int
w_list_failed(struct worker *w, struct pass_list *pl, int folder, int loc, GSM_Error e,
    gboolean start, int *listing_failed)
{
	w_check(w, e, "reading messages");
	if (e != ERR_TIMEOUT && loc > 0 && pl->nbad < MW_BATCH_MAX && (pl->nbad == 0 ||
	    pl->bad[pl->nbad - 1].location != loc || pl->bad[pl->nbad - 1].folder != folder)) {
		pl->bad[pl->nbad].folder = folder;
		pl->bad[pl->nbad].location = loc;
		pl->bad[pl->nbad].raw = 0;
		pl->bad_e[pl->nbad] = e;
		pl->nbad++;
		return 1;
	}
	/* once, not every pass: status shows it (degraded) while it lasts */
	if (w->failed_passes == 0 && !w->listing_failing)
		log_warnx("modem=%s event=read-failed error=\"%s\"", w->name, GSM_ErrorString(e));
	else
		log_debug("modem=%s event=read-failed error=\"%s\"", w->name, GSM_ErrorString(e));
	if (start && e != ERR_TIMEOUT && !w->dummy)
		*listing_failed = 1;
	else
		w_pass_failed(w, "reading messages", e);
	return 0;
}

/* Lists the messages (up to `used' of them, if known) and takes them. Returns 1 if the listing failed. */
static int
w_pass_list(struct worker *w, GSM_MultiSMSMessage *sms, int used, struct pass_list *pl)
{
	GSM_Error	 e;
	gboolean	 start = TRUE;
	int		 i, guard = 0, seen = 0, listing_failed = 0;

	for (;;) {
		int	 f0 = start ? 0 : sms->SMS[0].Folder, l0 = start ? 0 : sms->SMS[0].Location;

		if (used >= 0 && seen >= used)
			break;
		/* a clean message each time: libGammu's decoder reads fields it did not set, and what
		 * the previous message left there decided whether a PDU with data coding 0x39 decoded
		 * (as garbage) or not */
		memset(sms, 0, sizeof(*sms));
		sms->SMS[0].Folder = f0;
		sms->SMS[0].Location = l0;
		e = GSM_GetNextSMS(w->s, sms, start);
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE) {
			int	 folder = sms->SMS[0].Folder, loc = sms->SMS[0].Location;

			if (!w_list_failed(w, pl, folder, loc, e, start, &listing_failed))
				break;
			seen++;
			start = FALSE;
			sms->SMS[0].Folder = folder;
			sms->SMS[0].Location = loc;
			if (++guard > 100000)
				break;
			continue;
		}
		w->timeouts = 0;
		start = FALSE;
		seen += sms->Number > 0 ? sms->Number : 1;
		for (i = 0; i < sms->Number; i++) {
			if (w_take(w, &sms->SMS[i]))
				pl->kept++;
			else
				pl->n++;
		}
		if (++guard > 100000)
			break;
	}
	return listing_failed;
}

/* A quarantined slot the listing no longer fails on was freed (deleted by hand) or reused. */
static void
w_undec_forget_freed(struct worker *w, const struct pass_list *pl)
{
	int	 i, j;

	for (i = 0; !w->pass_failed && i < w->nundec; i++) {
		for (j = 0; j < pl->nbad; j++)
			if (pl->bad[j].folder == w->undec[i].folder &&
			    pl->bad[j].location == w->undec[i].location)
				break;
		if (j == pl->nbad)
			undec_forget(w, i--);
	}
}

static void
w_pass(struct worker *w)
{
	GSM_MultiSMSMessage	*sms;
	struct pass_list	 pl;
	int			 i, used;

	w->last_pass = clock_mono();
	if (w->plan && w->plan->careful && !w->dummy) {
		w_pass_careful(w);
		return;
	}
	sms = xcalloc(1, sizeof(*sms));
	w_pass_begin(w);
	pl.nbad = pl.n = pl.kept = 0;
	used = w_slots_used(w);
	w_reading(w, MW_READING_PASS, 0);
	w->listing_failing = w_pass_list(w, sms, used, &pl);
	if (w->listing_failing) {
		/* nothing to go on from: read the memory slot by slot this time */
		w_reading(w, MW_READING_DONE, -1);
		free(sms);
		w_pass_careful(w);
		return;
	}
	w_undec_forget_freed(w, &pl);
	/* the messages libGammu could not decode: their raw PDU, or quarantine */
	for (i = 0; i < pl.nbad; i++) {
		if (w_undecodable(w, pl.bad[i].folder, pl.bad[i].location, pl.bad_e[i]))
			pl.kept++;
		else
			pl.n++;
	}
	w_reading(w, MW_READING_DONE, -1);
	batch_flush(w);
	free(sms);
	w_pass_end(w);
	/* what stays behind (sent copies, batches awaiting their ack) does not call for a pass */
	w->kept = pl.kept;
	if (pl.n)
		log_debug("modem=%s event=pass new=%d kept=%d", w->name, pl.n, pl.kept);
}

static int
dummy_changed(struct worker *w)
{
	int	 i, changed = 0;

	for (i = 1; i <= 5; i++) {
		char		 p[600];
		struct stat	 sb;

		snprintf(p, sizeof(p), "%s/sms/%d", w->dummydir, i);
		if (stat(p, &sb) == -1)
			continue;
		if (sb.st_mtim.tv_sec != w->dummy_mtime[i].tv_sec || sb.st_mtim.tv_nsec != w->dummy_mtime[i].tv_nsec)
			changed = 1;
		w->dummy_mtime[i] = sb.st_mtim;
	}
	return changed;
}

/* Whether a pass is worth its cost now. */
static int
w_pass_due(struct worker *w, double now)
{
	int	 i, due = 0;

	/* an unacked batch is read again after MW_RESEND_S (the ack was refused or lost) */
	for (i = 0; i < w->npend; i++)
		if (now - w->pend[i].sent_at >= MW_RESEND_S) {
			free(w->pend[i].locs);
			w->pend[i] = w->pend[--w->npend];
			i--;
			due = 1;
		}
	if (w->incoming) {
		w->incoming = 0;
		return 1;
	}
	if (now < w->next_pass)
		return due;
	/* with +CMTI the poll is only a safety net */
	w->next_pass = now + (w->notify && w->poll_ms < 5000 ? 5.0 : w->poll_ms / 1000.0);
	if (due || now - w->last_pass >= PASS_EVERY_S)
		return 1;
	/* skipped slots are due to be read again (struct mw_plan) */
	if (w->plan && w->plan->careful && w->unread && now >= w->plan->retry_at && w->last_pass < w->plan->retry_at)
		return 1;
	/* so are slots left on the modem because not even their raw PDU could be read */
	for (i = 0; i < w->nundec; i++)
		if (now >= w->undec[i].retry_at && w->last_pass < w->undec[i].retry_at)
			return 1;
	if (w->dummy) {
		return dummy_changed(w);
	} else {
		GSM_SMSMemoryStatus	 ms;
		GSM_Error		 e;

		memset(&ms, 0, sizeof(ms));
		e = GSM_GetSMSStatus(w->s, &ms);
		w_check(w, e, "checking for messages");
		if (e != ERR_NONE)
			return 1;
		/* more than the last pass left behind: something new (acked deletes lower it) */
		if (ms.SIMUsed + ms.PhoneUsed < w->kept)
			w->kept = ms.SIMUsed + ms.PhoneUsed;
		return ms.SIMUsed + ms.PhoneUsed > w->kept;
	}
}

/*
 * Runs one AT command of our own on the device, between libGammu's calls (it reads the device
 * only inside them): writes cmd and a CR, reads up to the final result. Unsolicited lines met
 * meanwhile are not lost: a +CMTI asks for a pass. Returns 0 on OK, -1 otherwise (ERROR, +CMS
 * ERROR, no answer within timeout_ms, or no device known).
 */
static int
w_at(struct worker *w, const char *cmd, int timeout_ms)
{
	char	 buf[1024], line[256];
	size_t	 ll = 0;
	double	 end = clock_mono() + timeout_ms / 1000.0;
	int	 r = -1;

	if (w->at_rfd == -1 || w->at_wfd == -1 || w->dummy)
		return -1;
	snprintf(buf, sizeof(buf), "%s\r", cmd);
	if (write(w->at_wfd, buf, strlen(buf)) != (ssize_t)strlen(buf))
		return -1;
	for (;;) {
		struct pollfd	 pfd = { .fd = w->at_rfd, .events = POLLIN };
		int		 ms = (int)((end - clock_mono()) * 1000);
		ssize_t		 n;

		if (ms <= 0 || poll(&pfd, 1, ms) != 1)
			break;
		if ((n = read(w->at_rfd, buf, sizeof(buf))) <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n' && buf[i] != '\r') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			if (ll == 0)
				continue;
			ll = 0;
			if (!strncmp(line, "+CMTI:", 6))
				w->incoming = 1;
			if (!strcmp(line, "OK")) {
				r = 0;
				goto done;
			}
			if (!strcmp(line, "ERROR") || !strncmp(line, "+CMS ERROR", 10) ||
			    !strncmp(line, "+CME ERROR", 10))
				goto done;
		}
	}
done:
	log_debug("modem=%s event=at cmd=\"%s\" ok=%d", w->name, cmd, r == 0);
	return r;
}

/* Deletes a message libGammu cannot delete: GSM_DeleteSMS reads it first, and that read fails
 * for a message it cannot decode. Its own read has selected the memory; AT+CMGD does the rest. */
static int
w_at_delete(struct worker *w, int location)
{
	char	 cmd[32];

	if (location <= 0 || location >= 100000)
		return -1;	/* not in the first memory: libGammu's flat numbering */
	snprintf(cmd, sizeof(cmd), "AT+CMGD=%d", location);
	return w_at(w, cmd, 5000);
}

static void
w_delete_acked(struct worker *w)
{
	int	 a, i, j;

	for (a = 0; a < w->nacked; a++) {
		for (i = 0; i < w->npend; i++)
			if (w->pend[i].batch == w->acked[a])
				break;
		if (i == w->npend)
			continue;	/* an old batch, read again since: its successor's ack deletes */
		CRASH_POINT("sim-delete");
		for (j = 0; j < w->pend[i].nlocs; j++) {
			GSM_SMSMessage	 m;
			GSM_Error	 e;

			if (w->pend[i].locs[j].location <= 0)
				continue;
			memset(&m, 0, sizeof(m));
			m.Folder = w->pend[i].locs[j].folder;
			m.Location = w->pend[i].locs[j].location;
			e = GSM_DeleteSMS(w->s, &m);
			if (e == ERR_NONE || e == ERR_EMPTY)
				continue;
			/* try the dummy's way (folder 0, full location) before giving up */
			m.Folder = 0;
			if (GSM_DeleteSMS(w->s, &m) == ERR_NONE)
				continue;
			/* committed, so ours to delete even when libGammu's read before its delete
			 * fails (always for an undecodable part; sometimes for a part its decoder
			 * took once and refuses now) */
			if (w_at_delete(w, w->pend[i].locs[j].location) == 0) {
				if (!w->pend[i].locs[j].raw)
					log_info("modem=%s event=deleted-by-at location=%d", w->name,
					    w->pend[i].locs[j].location);
				continue;
			}
			log_warnx("modem=%s event=delete-failed folder=%d location=%d error=\"%s\"", w->name,
			    w->pend[i].locs[j].folder, w->pend[i].locs[j].location, GSM_ErrorString(e));
			w_check(w, e, "deleting a message");
		}
		log_debug("modem=%s event=deleted batch=%llu n=%d", w->name, (unsigned long long)w->acked[a],
		    w->pend[i].nlocs);
		free(w->pend[i].locs);
		w->pend[i] = w->pend[--w->npend];
	}
	w->nacked = 0;
}

static void
w_flush_reports(struct worker *w)
{
	struct pbuf	 r;
	const char	*num, *st;
	int64_t		 ref, at, del;

	if (w->nreports == 0)
		return;
	pbuf_reader(&r, w->reports.buf, w->reports.len);
	while (w->nreports-- > 0) {
		struct pbuf b;

		num = pbuf_get_str(&r);
		ref = pbuf_get_i64(&r);
		at = pbuf_get_i64(&r);
		del = pbuf_get_i64(&r);
		st = pbuf_get_str(&r);
		pbuf_init(&b);
		pbuf_str(&b, num);
		pbuf_i64(&b, ref);
		pbuf_i64(&b, at);
		pbuf_i64(&b, del);
		pbuf_str(&b, st);
		w_write(w, PROTO_W_REPORT, 0, &b);
		pbuf_free(&b);
	}
	w->nreports = 0;
	pbuf_free(&w->reports);
	pbuf_init(&w->reports);
}

/* ---- sending ---- */

static void
w_sent(struct worker *w, uint64_t outbox_id, uint32_t result, int segments, const char *refs, int cms,
    const char *err)
{
	struct pbuf b;

	pbuf_init(&b);
	pbuf_u64(&b, outbox_id);
	pbuf_u32(&b, result);
	pbuf_u32(&b, (uint32_t)segments);
	pbuf_str(&b, refs);
	pbuf_u32(&b, (uint32_t)cms);
	pbuf_str(&b, err);
	w_write(w, PROTO_W_SENT, outbox_id, &b);
	pbuf_free(&b);
}

/* Whether another SEND is already waiting on the socket (keeps AT+CMMS on across a run). */
static int
w_more_waiting(struct worker *w)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/*
 * The text to send: typography first, so a 160-character text stays one GSM 7-bit SMS; UCS-2 (of
 * the original) only when the transliteration is not all GSM-7 or is longer. Sets *unicode then.
 */
static char *
w_send_text(const char *text, int *unicode)
{
	struct gsm7_count	 cnt;
	size_t			 len = strlen(text), cap, need;
	char			*t;

	gsm7_count(text, len, &cnt);
	*unicode = cnt.encoding != GSM7_ENC_GSM7;
	if (*unicode)
		return xstrdup(text);
	cap = len * 3 + 16;
	t = xmalloc(cap);
	if ((need = gsm7_translit(text, len, t, cap, NULL)) >= cap) {
		t = xrealloc(t, need + 1);
		gsm7_translit(text, len, t, need + 1, NULL);
	}
	return t;
}

/* Encodes t into ms as a concatenated text; *ucs gets its UCS-2 copy, for the caller to free. */
static GSM_Error
w_send_encode(struct worker *w, const char *t, int unicode, unsigned char **ucs,
    GSM_MultiSMSMessage *ms)
{
	GSM_MultiPartSMSInfo	 info;
	size_t			 len = strlen(t);

	*ucs = xcalloc(len + 2, 4);
	utf8_to_ucs2(t, *ucs, len * 2 + 2);
	GSM_ClearMultiPartSMSInfo(&info);
	info.Class = -1;
	info.EntriesNum = 1;
	info.UnicodeCoding = unicode;
	info.Entries[0].ID = SMS_ConcatenatedTextLong;
	info.Entries[0].Buffer = *ucs;
	return GSM_EncodeMultiPartSMS(GSM_GetDebug(w->s), &info, ms);
}

/*
 * Sends one part to `to' and waits for its message reference (w->send_mr). Returns SEND_OK, or
 * the failure with *cms (0 if none) and err set.
 */
static uint32_t
w_send_part(struct worker *w, GSM_SMSMessage *m, const char *to, int want_report, int *cms,
    char *err, size_t errsz)
{
	GSM_Error	 e;
	double		 start;

	if (w->have_smsc) {
		m->SMSC = w->smsc;
		m->SMSC.Location = 0;
	} else
		m->SMSC.Location = 1;
	EncodeUnicode(m->Number, to, strlen(to));
	m->PDU = want_report ? SMS_Status_Report : SMS_Submit;
	w->send_done = 0;
	w->send_status = -1;
	w->send_mr = -1;
	e = GSM_SendSMS(w->s, m);
	if (e != ERR_NONE && !w->send_done) {
		if (e == ERR_TIMEOUT)
			snprintf(err, errsz, "the modem did not answer");
		else
			snprintf(err, errsz, "%s", GSM_ErrorString(e));
		w_check(w, e, "sending");
		return e == ERR_TIMEOUT ? SEND_UNKNOWN : SEND_TEMPFAIL;
	}
	start = clock_mono();
	while (!w->send_done && clock_mono() - start < w->wait_s)
		GSM_ReadDevice(w->s, TRUE);
	if (!w->send_done) {
		snprintf(err, errsz, "no message reference within %ds", w->wait_s);
		return SEND_UNKNOWN;
	}
	if (w->send_status != 0) {
		*cms = w->send_status > 0 ? w->send_status : 0;
		/* "no network service": tell the daemon now, not at the next status look */
		if (*cms == MODEM_CMS_NO_NETWORK)
			w->next_status = 0;
		if (*cms)
			snprintf(err, errsz, "+CMS ERROR: %d", *cms);
		else
			snprintf(err, errsz, "the modem refused the message: %s", GSM_ErrorString(e));
		return *cms && mw_cms_permanent(*cms) ? SEND_PERMFAIL : SEND_TEMPFAIL;
	}
	return SEND_OK;
}

static void
w_send(struct worker *w, struct pbuf *in)
{
	uint64_t		 outbox_id = pbuf_get_u64(in);
	const char		*to = pbuf_get_str(in);
	const char		*text = pbuf_get_str(in);
	int			 want_report = (int)pbuf_get_u32(in);
	char			*t = NULL, refs[64] = "", err[160] = "";
	unsigned char		*ucs = NULL;
	GSM_MultiSMSMessage	*ms = NULL;
	GSM_Error		 e;
	int			 i, cms = 0, segs = 0, unicode;
	uint32_t		 result = SEND_OK;
	double			 t0 = clock_mono();

	if (in->err) {
		log_warnx("modem=%s event=protocol-error what=SEND", w->name);
		_exit(MW_EXIT_PROTO);
	}
	t = w_send_text(text, &unicode);
	ms = xcalloc(1, sizeof(*ms));
	e = w_send_encode(w, t, unicode, &ucs, ms);
	if (e != ERR_NONE || ms->Number < 1) {
		snprintf(err, sizeof(err), "cannot encode the text: %s", GSM_ErrorString(e));
		result = SEND_PERMFAIL;
		goto done;
	}
	segs = ms->Number;
	w_sent(w, outbox_id, MW_SEND_STARTED, segs, "", 0, "");
	if (segs > 1 || w_more_waiting(w)) {
		if (!w->fast && GSM_SetFastSMSSending(w->s, TRUE) == ERR_NONE)
			w->fast = 1;
	}
	for (i = 0; i < ms->Number; i++) {
		result = w_send_part(w, &ms->SMS[i], to, want_report, &cms, err, sizeof(err));
		if (result != SEND_OK)
			break;
		w->timeouts = 0;
		snprintf(refs + strlen(refs), sizeof(refs) - strlen(refs), "%s%d", *refs ? "," : "", w->send_mr);
	}
	if (w->fast && !w_more_waiting(w)) {
		GSM_SetFastSMSSending(w->s, FALSE);
		w->fast = 0;
	}
	if (result == SEND_OK)
		CRASH_POINT("send-handover");
done:
	log_debug("modem=%s event=send outbox=%llu result=%u segments=%d refs=%s ms=%.1f", w->name,
	    (unsigned long long)outbox_id, result, segs, refs, (clock_mono() - t0) * 1000);
	w_sent(w, outbox_id, result, segs, refs, cms, err);
	free(ms);
	free(ucs);
	free(t);
}

/* ---- USSD, status ---- */

static void
w_ussd(struct worker *w, uint64_t reqid, struct pbuf *in)
{
	char		 code[200];
	const char	*c = pbuf_get_str(in);
	struct pbuf	 b;
	GSM_Error	 e;
	double		 start;
	char		 why[160] = "";
	int		 ok = 0;

	if (in->err) {
		log_warnx("modem=%s event=protocol-error what=USSD", w->name);
		_exit(MW_EXIT_PROTO);
	}
	snprintf(code, sizeof(code), "%s", c);
	w->ussd_done = 0;
	w->ussd_reply[0] = '\0';
	e = GSM_DialService(w->s, code);
	if (e != ERR_NONE) {
		snprintf(why, sizeof(why), "%s", GSM_ErrorString(e));
		w_check(w, e, "USSD");
	} else {
		start = clock_mono();
		while (!w->ussd_done && clock_mono() - start < USSD_WAIT_S)
			GSM_ReadDevice(w->s, TRUE);
		if (!w->ussd_done)
			snprintf(why, sizeof(why), "no reply within %ds", USSD_WAIT_S);
		else if (w->ussd_status == USSD_NotSupported)
			snprintf(why, sizeof(why), "the network does not support this code");
		else if (w->ussd_status == USSD_Timeout)
			snprintf(why, sizeof(why), "the network timed out");
		else
			ok = 1;
	}
	pbuf_init(&b);
	pbuf_u32(&b, (uint32_t)ok);
	pbuf_str(&b, ok ? w->ussd_reply : "");
	pbuf_str(&b, why);
	w_write(w, PROTO_W_USSD_REPLY, reqid, &b);
	pbuf_free(&b);
	log_info("modem=%s event=ussd code=%s ok=%d", w->name, code, ok);
}

static void
w_report_status(struct worker *w)
{
	GSM_SignalQuality	 sq;
	GSM_NetworkInfo		 ni;
	GSM_Error		 e;
	char			 netname[100] = "", mccmnc[16] = "";
	int			 sig = -1, reg = -1;
	struct pbuf		 b;

	memset(&sq, 0, sizeof(sq));
	memset(&ni, 0, sizeof(ni));
	e = GSM_GetSignalQuality(w->s, &sq);
	w_check(w, e, "reading the signal");
	if (e == ERR_NONE)
		sig = sq.SignalPercent;
	e = GSM_GetNetworkInfo(w->s, &ni);
	w_check(w, e, "reading the network");
	if (e == ERR_NONE) {
		network_names(&ni, netname, sizeof(netname), mccmnc, sizeof(mccmnc));
		switch (ni.State) {
		case GSM_HomeNetwork:
		case GSM_RoamingNetwork:
			reg = 1;
			break;
		case GSM_NoNetwork:
		case GSM_RegistrationDenied:
		case GSM_RequestingNetwork:
			reg = 0;
			break;
		default:
			break;
		}
	}
	if (reg == 0 && !w->offnet)
		log_warnx("modem=%s event=no-network: not registered (%s)", w->name,
		    ni.State == GSM_RegistrationDenied ? "registration denied" : "searching");
	else if (reg == 1 && w->offnet)
		log_info("modem=%s event=network-back network=\"%s\"", w->name, netname);
	w->offnet = reg == 0;
	status_payload(&b, MODEM_READY, sig, netname, mccmnc, "", reg);
	w_write(w, PROTO_W_STATUS, 0, &b);
	pbuf_free(&b);
}

/* ---- the loop ---- */

/* Runs one command from the daemon; returns 1 when it was quick (ack, ping). */
static int
w_command(struct worker *w)
{
	int			 quick = 0;
	struct proto_hdr	 h;
	void			*payload;
	struct pbuf		 in;

	if (proto_read(w->fd, &h, &payload) == -1) {
		if (errno == 0) {
			log_debug("modem=%s event=eof", w->name);
			_exit(MW_EXIT_QUIT);
		}
		log_warn("modem=%s event=protocol-error", w->name);
		_exit(MW_EXIT_PROTO);
	}
	pbuf_reader(&in, payload, h.len);
	switch (h.type) {
	case PROTO_W_SMS_ACK:
		w->acked = xreallocarray(w->acked, w->nacked + 1, sizeof(*w->acked));
		w->acked[w->nacked++] = h.reqid;
		quick = 1;
		break;
	case PROTO_W_SEND:
		w_delete_acked(w);	/* keep the SIM from filling up during a long send run */
		w_send(w, &in);
		break;
	case PROTO_W_USSD:
		w_ussd(w, h.reqid, &in);
		break;
	case PROTO_W_PING:
		w_write(w, PROTO_W_PONG, h.reqid, NULL);
		quick = 1;
		break;
	case PROTO_W_QUIT:
		free(payload);
		w_delete_acked(w);
		if (w->s) {
			GSM_TerminateConnection(w->s);
			GSM_FreeStateMachine(w->s);
		}
		_exit(MW_EXIT_QUIT);
	default:
		log_warnx("modem=%s event=protocol-error type=%u", w->name, h.type);
		_exit(MW_EXIT_PROTO);
	}
	free(payload);
	return quick;
}

/* The network's time as the modem keeps it (AT+CCLK?; modems set it from NITZ), for the daemon's
 * clock (gateway/netclock.c). A modem whose clock was never set (a year before 2020) sends 0. */
static void
w_read_clock(struct worker *w)
{
	GSM_DateTime	 dt;
	struct pbuf	 b;
	int64_t		 at = 0;

	memset(&dt, 0, sizeof(dt));
	if (GSM_GetDateTime(w->s, &dt) == ERR_NONE && dt.Year >= 2020)
		at = (int64_t)Fill_Time_T(dt);	/* honours the zone +CCLK names */
	pbuf_init(&b);
	pbuf_i64(&b, at);
	pbuf_i64(&b, (int64_t)(clock_mono() * 1000));
	w_write(w, PROTO_W_CLOCK, 0, &b);
	pbuf_free(&b);
}

void
modem_worker_main(int fd, const struct conf_modem *cm, const struct mw_plan *plan)
{
	struct worker	 w;
	double		 now;

	memset(&w, 0, sizeof(w));
	W = &w;
	w.at_rfd = w.at_wfd = -1;
	w.fd = fd;
	w.cm = cm;
	w.plan = plan;
	w.name = cm->name;
	w.poll_ms = cm->poll_ms > 0 ? cm->poll_ms : 1000;
	w.wait_s = cm->command_timeout_s > 6 ? (int)(cm->command_timeout_s * 2 / 3) : 4;
	pbuf_init(&w.reports);
	signal(SIGPIPE, SIG_IGN);

	w_connect(&w);
	{
		char err[300];

		/* connected: from here on, nothing worth stealing (gateway/modem/worker_confine.c) */
		if (worker_confine(w.dummy, err, sizeof(err)) == -1) {
			log_warnx("modem=%s event=confine-failed error=\"%s\"", w.name, err);
			w_status(&w, MODEM_FAILED, -1, "", "", err);
			_exit(MW_EXIT_CONNECT);
		}
	}
	now = clock_mono();
	w.next_pass = 0;
	w.last_pass = now;
	w.next_status = now;	/* after the first pass: messages waiting come first */
	for (;;) {
		struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
		int		 timeout, r;

		now = clock_mono();
		timeout = (int)((w.next_pass - now) * 1000);
		if (timeout < 0)
			timeout = 0;
		/* an AT modem's unsolicited lines (+CMTI, +CDS) are read between commands */
		if (!w.dummy && timeout > 200)
			timeout = 200;
		if (w.nacked)
			timeout = 0;
		r = poll(&pfd, 1, timeout);
		if (r == -1 && errno != EINTR)
			_exit(MW_EXIT_LOST);
		w_check_device(&w);
		if (r > 0 && (pfd.revents & POLLIN)) {
			/* drain quick commands (acks, pings) before touching the modem again; after a
			 * send or USSD, look at the modem so a send run never starves receiving */
			if (w_command(&w))
				continue;
		} else if (r > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			_exit(MW_EXIT_QUIT);
		w_delete_acked(&w);
		/* GSM_ReadDevice waits up to 50 ms in select() even with FALSE: not while the next
		 * command already waits (a send run: 4% of a 1.2 s send measured); the send's own
		 * reads take the unsolicited lines meanwhile, and w_pass_due() below still runs */
		if (!w.dummy && !w_more_waiting(&w))
			w_read_device(&w);
		batch_flush(&w);	/* messages the modem handed over directly (+CMT) */
		w_flush_reports(&w);
		now = clock_mono();
		if (w_pass_due(&w, now))
			w_pass(&w);
		if (now >= w.next_clock && !w.dummy) {
			w_read_clock(&w);
			w.next_clock = clock_mono() + env_long("KT_CLOCK_CHECK_S", MW_CLOCK_S);
		}
		if (now >= w.next_status) {
			w_report_status(&w);
			/* off the network: look again soon, to be back in service soon */
			w.next_status = clock_mono() + (w.offnet ? OFFNET_STATUS_S : STATUS_EVERY_S);
		}
	}
}

/* ---- probe mode (kentongan modems detect) ---- */

/* The network's name and MCC+MNC; returns 1 registered, 0 not, -1 unknown. */
static int
probe_network(GSM_StateMachine *s, char *netname, size_t nlen, char *mccmnc, size_t mlen)
{
	GSM_NetworkInfo	 ni;

	*netname = *mccmnc = '\0';
	memset(&ni, 0, sizeof(ni));
	if (GSM_GetNetworkInfo(s, &ni) != ERR_NONE)
		return -1;
	network_names(&ni, netname, nlen, mccmnc, mlen);
	switch (ni.State) {
	case GSM_HomeNetwork:
	case GSM_RoamingNetwork:
		return 1;
	case GSM_NoNetwork:
	case GSM_RegistrationDenied:
	case GSM_RequestingNetwork:
		return 0;
	default:
		return -1;
	}
}

int
modem_worker_probe(int fd, const struct conf_modem *cm)
{
	struct worker		 w;
	struct kvl		 kv = { NULL, NULL, 0 };
	struct pbuf		 b;
	const char		*dev = "";
	char			 err[300] = "", smserr[160] = "";
	char			 manu[GSM_MAX_MANUFACTURER_LENGTH + 1] = "", model[GSM_MAX_MODEL_LENGTH + 1] = "";
	char			 fw[GSM_MAX_VERSION_LENGTH + 1] = "", fwdate[GSM_MAX_VERSION_DATE_LENGTH + 1] = "";
	char			 imei[GSM_MAX_IMEI_LENGTH + 1] = "", imsi[GSM_MAX_INFO_LENGTH] = "";
	char			 netname[100] = "", mccmnc[16] = "";
	double			 fwnum = 0;
	uint32_t		 outcome = PROTO_PROBE_ANSWERED;
	int			 i, tfd, sig = -1, reg = -1, sms = 0;
	GSM_SignalQuality	 sq;
	GSM_SMSMemoryStatus	 ms;
	GSM_SecurityCodeType	 sec = SEC_None;
	GSM_Error		 e;

	memset(&w, 0, sizeof(w));
	memset(&ms, 0, sizeof(ms));
	W = &w;
	w.fd = fd;
	w.cm = cm;
	w.name = cm->name;
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < cm->ngammu; i++) {
		kvl_set(&kv, cm->gammu[i].key, cm->gammu[i].value);
		if (!strcasecmp(cm->gammu[i].key, "device"))
			dev = cm->gammu[i].value;
	}
	/* an open that fails is told apart from a port that opens but never speaks AT */
	if ((tfd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, sizeof(err), "cannot open %s: %s%s", dev, strerror(errno), errno == EACCES ?
		    " (run as root, or as a member of the device's group: ls -l the device)" : "");
		outcome = PROTO_PROBE_OPEN_FAILED;
	} else {
		close(tfd);
		if (w_try_connect(&w, &kv, dev, err, sizeof(err)) == -1)
			outcome = PROTO_PROBE_NO_ANSWER;
	}
	if (outcome == PROTO_PROBE_ANSWERED) {
		GSM_GetManufacturer(w.s, manu);
		GSM_GetModel(w.s, model);
		if (GSM_GetFirmware(w.s, fw, fwdate, &fwnum) != ERR_NONE)
			*fw = '\0';
		GSM_GetIMEI(w.s, imei);
		GSM_GetSIMIMSI(w.s, imsi);
		reg = probe_network(w.s, netname, sizeof(netname), mccmnc, sizeof(mccmnc));
		memset(&sq, 0, sizeof(sq));
		if (GSM_GetSignalQuality(w.s, &sq) == ERR_NONE)
			sig = sq.SignalPercent;
		/* a SIM locked by its PIN: the rest fails, say why */
		if (GSM_GetSecurityStatus(w.s, &sec) == ERR_NONE && sec != SEC_None)
			snprintf(err, sizeof(err), "the SIM asks for its %s: unlock it once in a phone (or "
			    "remove the PIN request there)", sec == SEC_Pin ? "PIN" : sec == SEC_Puk ? "PUK" :
			    "security code");
		if ((e = GSM_GetSMSStatus(w.s, &ms)) == ERR_NONE)
			sms = 1;
		else {
			snprintf(smserr, sizeof(smserr), "%s", GSM_ErrorString(e));
			memset(&ms, 0, sizeof(ms));
		}
		GSM_TerminateConnection(w.s);
		GSM_FreeStateMachine(w.s);
		w.s = NULL;
	}
	pbuf_init(&b);
	pbuf_u32(&b, outcome);
	pbuf_str(&b, err);
	pbuf_str(&b, manu);
	pbuf_str(&b, model);
	pbuf_str(&b, fw);
	pbuf_str(&b, imei);
	pbuf_str(&b, imsi);
	pbuf_str(&b, netname);
	pbuf_str(&b, mccmnc);
	pbuf_i64(&b, sig);
	pbuf_i64(&b, reg);
	pbuf_i64(&b, sms);
	pbuf_i64(&b, ms.SIMUsed);
	pbuf_i64(&b, ms.SIMSize);
	pbuf_i64(&b, ms.PhoneUsed);
	pbuf_i64(&b, ms.PhoneSize);
	pbuf_str(&b, smserr);
	pbuf_i64(&b, sec != SEC_None);
	i = proto_write(fd, PROTO_W_PROBE, 0, b.buf, b.len);
	pbuf_free(&b);
	for (int k = 0; k < kv.n; k++) {
		free(kv.k[k]);
		free(kv.v[k]);
	}
	free(kv.k);
	free(kv.v);
	return i == 0 ? 0 : 1;
}
