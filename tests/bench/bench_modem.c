/*
 * bench_modem — figures for the modem path (printed, never asserted):
 *   ingest: 1,000 SMS (10% two-part, 10% UCS-2) waiting on a Gammu dummy phone → all in the
 *           inbox, deleted from the phone and handed to the router; against a bare libGammu loop
 *           that only reads and deletes them (the floor)
 *   idle:   CPU of the daemon side and of the worker over a quiet period
 *   send:   1,000 single-part messages through a dummy phone, against a bare GSM_SendSMS loop;
 *           our overhead per message
 *   sim:    with modemsim answering each send after 2 s, our rate against a bare GSM_SendSMS
 *           loop on the same simulated modem (BENCH_SIM=0 skips; BENCH_SIM_N messages, 8)
 * usage: bench_modem            all of the above
 *        bench_modem gen DIR N  write N messages into the dummy phone DIR (for other benches)
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <gammu.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/utf8.h"
#include "gateway/gateway.h"
#include "gateway/ingest.h"
#include "gateway/modem/modem.h"
#include "gateway/modem/modem_worker.h"
#include "store/store.h"
#include "tests/unit/gateway_spy.h"
#include "tests/unit/modem_fixture.h"

#include "tests/unit/clock.h"

static struct modem	*M;
static int		 send_total, send_issued;
static char		 send_text[200];

static void send_next(void);

/* the hooks (nrouted, nsent_all, nsent_ok): each send result starts the next send */
static void on_sent(const struct modem_sent *s) { send_next(); }

static void
hexucs2(const char *utf8, char *out)
{
	unsigned char	 u[1024];
	size_t		 n = utf8_to_ucs2(utf8, u, sizeof(u) / 2), i;

	for (i = 0; i < 2 * n; i++)
		sprintf(out + 2 * i, "%02X", u[i]);
	out[4 * n] = '\0';
}

static void
put(const char *dir, int loc, const char *num, const char *coding, const char *text, const char *udh)
{
	char	 p[512], t[512], hex[2048];
	FILE	*f;

	hexucs2(text, hex);
	snprintf(t, sizeof(t), "%s/sms/1/.%d", dir, loc);
	snprintf(p, sizeof(p), "%s/sms/1/%d", dir, loc);
	if ((f = fopen(t, "w")) == NULL) {
		perror(t);
		exit(1);
	}
	fprintf(f, "[SMSBackup000]\nSMSC = \"+6281100000\"\nPDU = Deliver\nState = UnRead\nNumber = \"%s\"\n"
	    "Coding = %s\nDateTime = 20261127T120000\n", num, coding);
	for (size_t i = 0; i * 200 < strlen(hex); i++)
		fprintf(f, "Text%02zu = %.200s\n", i, hex + i * 200);
	if (udh)
		fprintf(f, "UDH = %s\n", udh);
	fclose(f);
	rename(t, p);
}

/* n messages: every 10th two parts, every 10th (offset 5) UCS-2. Returns the parts written. */
static int
gen(const char *dir, int n)
{
	char	 p[512], num[32], text[400], udh[32];
	int	 i, loc = 1;

	for (i = 1; i <= 5; i++) {
		snprintf(p, sizeof(p), "%s/sms/%d", dir, i);
		mkdir(dir, 0755);
		snprintf(p, sizeof(p), "%s/sms", dir);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/sms/%d", dir, i);
		mkdir(p, 0755);
	}
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "+62812%07d", i);
		if (i % 10 == 0) {
			snprintf(udh, sizeof(udh), "050003%02X0201", i / 10 % 256);
			snprintf(text, sizeof(text), "LAPOR jalan desa rusak di RT %d, mohon segera diperbaiki sebelum "
			    "musim hujan karena banyak anak sekolah lewat sana setiap pagi dan sore hari ini", i);
			put(dir, loc++, num, "Default_No_Compression", text, udh);
			snprintf(udh, sizeof(udh), "050003%02X0202", i / 10 % 256);
			put(dir, loc++, num, "Default_No_Compression", " -- bagian kedua", udh);
		} else if (i % 10 == 5) {
			snprintf(text, sizeof(text), "Info \xe2\x80\x94 terima kasih \xf0\x9f\x99\x8f nomor %d", i);
			put(dir, loc++, num, "Unicode_No_Compression", text, NULL);
		} else {
			snprintf(text, sizeof(text), "DAFTAR SUKAMAJU %d", i);
			put(dir, loc++, num, "Default_No_Compression", text, NULL);
		}
	}
	return loc - 1;
}

/* ---- bare libGammu ---- */

static int	 bare_done, bare_mr;
static void bare_send_cb(GSM_StateMachine *s, int st, int mr, void *u) { bare_done = 1; bare_mr = mr; }

static GSM_StateMachine *
bare_connect(const char *model, const char *conn, const char *dev)
{
	char		 rc[] = "/tmp/kt-bench-rc-XXXXXX";
	int		 fd = mkstemp(rc);
	FILE		*f = fdopen(fd, "w");
	INI_Section	*ini;
	GSM_StateMachine *s = GSM_AllocStateMachine();

	fprintf(f, "[gammu]\nmodel = %s\nconnection = %s\ndevice = %s\n", model, conn, dev);
	fclose(f);
	INI_ReadFile(rc, FALSE, &ini);
	GSM_ReadConfig(ini, GSM_GetConfig(s, 0), 0);
	INI_Free(ini);
	unlink(rc);
	GSM_SetConfigNum(s, 1);
	if (GSM_InitConnection(s, 2) != ERR_NONE) {
		fprintf(stderr, "bare: cannot connect to %s\n", dev);
		exit(1);
	}
	GSM_SetSendSMSStatusCallback(s, bare_send_cb, NULL);
	return s;
}

static double
bare_ingest(const char *dir, int *nparts)
{
	double			 t0 = mono_now();
	GSM_StateMachine	*s = bare_connect("dummy", "none", dir);
	GSM_MultiSMSMessage	*sms = calloc(1, sizeof(*sms));
	int			*locs = NULL, n = 0, i;
	gboolean		 start = TRUE;

	for (;;) {
		if (GSM_GetNextSMS(s, sms, start) != ERR_NONE)
			break;
		start = FALSE;
		for (i = 0; i < sms->Number; i++) {
			locs = realloc(locs, sizeof(int) * (n + 1));
			locs[n++] = sms->SMS[i].Location;
		}
	}
	for (i = 0; i < n; i++) {
		GSM_SMSMessage m;

		memset(&m, 0, sizeof(m));
		m.Folder = 0;
		m.Location = locs[i];
		GSM_DeleteSMS(s, &m);
	}
	GSM_TerminateConnection(s);
	GSM_FreeStateMachine(s);
	free(sms);
	free(locs);
	*nparts = n;
	return mono_now() - t0;
}

static double
bare_send(const char *model, const char *conn, const char *dev, int n, double *connect_s)
{
	double			 t0 = mono_now(), t1;
	GSM_StateMachine	*s = bare_connect(model, conn, dev);
	GSM_MultiPartSMSInfo	 info;
	GSM_MultiSMSMessage	*ms = calloc(1, sizeof(*ms));
	unsigned char		 buf[1024];
	int			 i;

	t1 = mono_now();
	*connect_s = t1 - t0;
	for (i = 0; i < n; i++) {
		char text[200];

		snprintf(text, sizeof(text), "Pengumuman %d: kerja bakti hari Minggu jam 7 pagi di balai desa.", i);
		EncodeUnicode(buf, text, strlen(text));
		GSM_ClearMultiPartSMSInfo(&info);
		info.Class = -1;
		info.EntriesNum = 1;
		info.Entries[0].ID = SMS_ConcatenatedTextLong;
		info.Entries[0].Buffer = buf;
		GSM_EncodeMultiPartSMS(GSM_GetDebug(s), &info, ms);
		ms->SMS[0].SMSC.Location = 1;
		EncodeUnicode(ms->SMS[0].Number, "+6281234567890", 14);
		ms->SMS[0].PDU = SMS_Submit;
		bare_done = 0;
		GSM_SendSMS(s, &ms->SMS[0]);
		while (!bare_done)
			GSM_ReadDevice(s, TRUE);
	}
	t1 = mono_now() - t1;
	GSM_TerminateConnection(s);
	GSM_FreeStateMachine(s);
	free(ms);
	return t1;
}

/* ---- ours ---- */

static struct gateway	 gw;
static struct conf	 conf;
static struct conf_modem cm;
static struct conf_kv	 kv[3];
static char		 tmpd[256];

static void tick_cb(evutil_socket_t fd, short w, void *a) { }

static long	 tick_us = 2000;

static int
run_until(int (*cond)(void), double secs)
{
	double		 t0 = mono_now();
	struct event	*ev = event_new(gw.base, -1, EV_PERSIST, tick_cb, NULL);
	struct timeval	 tv = { tick_us / 1000000, tick_us % 1000000 };
	int		 ok = 0;

	event_add(ev, &tv);
	while (!(ok = cond()) && mono_now() - t0 < secs)
		event_base_loop(gw.base, EVLOOP_ONCE);
	event_free(ev);
	return ok;
}

static void
ours_open(const char *model, const char *conn, const char *dev)
{
	char	 db[300], err[256];

	snprintf(db, sizeof(db), "%s/bench-%d.db", tmpd, (int)getpid());
	unlink(db);
	if (mf_gateway_open(&gw, &conf, db, 1, err, sizeof(err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	gw.ingest = ingest_new(&gw);
	mf_modem_conf(&cm, kv, "bench", model, conn, dev);
	cm.command_timeout_s = 60;
	nrouted = nsent = nsent_all = nsent_ok = 0;
	spy_on_sent = on_sent;
}

static void
ours_close(void)
{
	char db[300];

	modem_free(M);
	M = NULL;
	mf_gateway_close(&gw);
	snprintf(db, sizeof(db), "%s/bench-%d.db", tmpd, (int)getpid());
	unlink(db);
	strcat(db, "-wal");
	unlink(db);
	db[strlen(db) - 4] = '\0';
	strcat(db, "-shm");
	unlink(db);
}

static long	 want_routed;
static const char *ingest_dir;
static int ingest_done(void) { return nrouted >= want_routed && mf_files_in(ingest_dir, 1) == 0; }
static int is_ready(void) { return modem_info(M)->state == MODEM_READY; }
static int sends_done(void) { return nsent_all >= send_total; }

static void
send_next(void)
{
	struct modem_send_req r;

	while (M && send_issued < send_total && modem_send_slots(M) > 0) {
		memset(&r, 0, sizeof(r));
		r.outbox_id = (uint64_t)++send_issued;
		r.to = "+6281234567890";
		snprintf(send_text, sizeof(send_text), "Pengumuman %d: kerja bakti hari Minggu jam 7 pagi di balai desa.",
		    send_issued);
		r.text = send_text;
		if (modem_send(M, &r) != 0)
			break;
	}
}

static long
cpu_ticks(pid_t pid)
{
	char	 p[64], buf[1024], *s;
	long	 ut = 0, st = 0;
	FILE	*f;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if ((f = fopen(p, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (s = strrchr(buf, ')')) != NULL)
		sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st);
	fclose(f);
	return ut + st;
}

static int never(void) { return 0; }

#define LATENCY_N	8

static void
bench_ingest(int n)
{
	char	 d1[300], d2[300];
	int	 parts, bparts;
	double	 tb, to, t0;
	long	 hz = sysconf(_SC_CLK_TCK), c0, w0, c1, w1;
	pid_t	 wp;

	/* best of 3 for both: the machine is shared, the figures are noisy */
	tb = to = 1e9;
	for (int round = 0; round < 3; round++) {
		double b, o;

		snprintf(d1, sizeof(d1), "%s/phone-bare%d", tmpd, round);
		snprintf(d2, sizeof(d2), "%s/phone-ours%d", tmpd, round);
		parts = gen(d1, n);
		gen(d2, n);
		b = bare_ingest(d1, &bparts);
		if (round > 0)
			ours_close();
		ours_open("dummy", "none", d2);
		want_routed = n;
		ingest_dir = d2;
		t0 = mono_now();
		M = modem_new(&gw, &cm);
		if (!run_until(ingest_done, 60))
			printf("ingest  ours: TIMEOUT routed=%ld left=%d\n", nrouted, mf_files_in(d2, 1));
		o = mono_now() - t0;
		printf("ingest  round %d: bare %.3f s, kentongan %.3f s\n", round + 1, b, o);
		if (b < tb)
			tb = b;
		if (o < to)
			to = o;
	}
	printf("ingest  bare libGammu read+delete: %d parts in %.3f s (the floor; best of 3)\n", bparts, tb);
	printf("ingest  kentongan: %d messages (%d parts) committed, deleted, routed in %.3f s = %.2fx the floor\n",
	    n, parts, to, to / tb);
	printf("ingest  per message: %.3f ms (floor %.3f ms)\n", to * 1000 / n, tb * 1000 / n);

	/* idle: nothing arrives for 20 s (after 3 s to settle); the bench's own tick is slow now */
	tick_us = 1000000;
	run_until(never, 3);
	wp = modem_worker_pid(M);
	c0 = cpu_ticks(getpid());
	w0 = cpu_ticks(wp);
	t0 = mono_now();
	run_until(never, 20);
	tick_us = 2000;
	c1 = cpu_ticks(getpid());
	w1 = cpu_ticks(wp);
	printf("idle    daemon side %.2f%% of a core, worker %.2f%% over %.0f s\n",
	    100.0 * (c1 - c0) / hz / (mono_now() - t0), 100.0 * (w1 - w0) / hz / (mono_now() - t0), mono_now() - t0);

	/* latency: one message put on the idle phone at a time, until it is routed (SPEC: < 2 s) */
	{
		double	 lat[LATENCY_N], sum = 0, worst = 0;

		for (int i = 0; i < LATENCY_N; i++) {
			char text[32];

			run_until(never, 0.3 + 0.17 * i);	/* not in step with the poll */
			snprintf(text, sizeof(text), "INFO %d", i);	/* not a duplicate of the one before */
			want_routed = nrouted + 1;
			t0 = mono_now();
			put(d2, 5000 + i, "+6281200000001", "Default_No_Compression", text, NULL);
			if (!run_until(ingest_done, 10))
				printf("latency TIMEOUT on message %d\n", i + 1);
			lat[i] = mono_now() - t0;
			sum += lat[i];
			if (lat[i] > worst)
				worst = lat[i];
		}
		printf("latency a message on the phone is stored and routed after %.2f s on average, %.2f s at worst "
		    "(%d messages, poll = %ld ms; target < 2 s)\n", sum / LATENCY_N, worst, LATENCY_N,
		    cm.poll_ms > 0 ? cm.poll_ms : 1000);
	}
	ours_close();
}

/* Our modem on model/conn/dev sends n messages one after the other; returns the seconds taken once
 * it is ready (at most ready_s to get there, done_s to send). Leaves the modem open. */
static double
ours_send(const char *model, const char *conn, const char *dev, int n, double ready_s, double done_s)
{
	double	 t0;

	ours_open(model, conn, dev);
	M = modem_new(&gw, &cm);
	run_until(is_ready, ready_s);
	send_total = n;
	send_issued = 0;
	t0 = mono_now();
	send_next();
	run_until(sends_done, done_s);
	return mono_now() - t0;
}

static void
bench_send(int n)
{
	char	 d[300];
	double	 tb, to, conn;

	snprintf(d, sizeof(d), "%s/phone-send", tmpd);
	gen(d, 0);
	tb = bare_send("dummy", "none", d, n, &conn);
	printf("send    bare GSM_SendSMS loop (dummy): %d messages in %.3f s (%.3f ms each)\n", n, tb, tb * 1000 / n);
	to = ours_send("dummy", "none", d, n, 20, 120);
	printf("send    kentongan (dummy): %ld/%d sent OK in %.3f s (%.3f ms each); overhead %.3f ms per message\n",
	    nsent_ok, n, to, to * 1000 / n, (to - tb) * 1000 / n);
	ours_close();
}

static pid_t
start_sim(const char *link, int latency_ms)
{
	pid_t	 pid;
	char	 lat[16], bin[300];
	const char *b = getenv("BUILD");
	int	 i;

	snprintf(bin, sizeof(bin), "%s/modemsim", b ? b : "build");
	if (access(bin, X_OK) != 0)
		return -1;
	snprintf(lat, sizeof(lat), "%d", latency_ms);
	unlink(link);
	if ((pid = fork()) == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(bin, "modemsim", "--link", link, "--send-latency", lat, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 250 && access(link, F_OK) != 0; i++)
		usleep(20000);
	usleep(100000);
	return pid;
}

static void
bench_sim(int n)
{
	char	 link[300];
	pid_t	 sp;
	double	 tb, to, conn;
	int	 st;

	snprintf(link, sizeof(link), "%s/sim-tty", tmpd);
	if ((sp = start_sim(link, 2000)) < 0) {
		printf("sim     skipped: modemsim not built\n");
		return;
	}
	tb = bare_send("at", "at", link, n, &conn);
	printf("sim     bare GSM_SendSMS loop (modemsim, 2 s per send): %d in %.2f s = %.3f msg/s\n", n, tb, n / tb);
	kill(sp, SIGTERM);
	waitpid(sp, &st, 0);
	sp = start_sim(link, 2000);
	to = ours_send("at", "at", link, n, 30, 60.0 + n * 10);
	printf("sim     kentongan (modemsim, 2 s per send): %ld/%d in %.2f s = %.3f msg/s = %.1f%% of the bare loop\n",
	    nsent_ok, n, to, n / to, 100.0 * tb / to);
	ours_close();
	kill(sp, SIGTERM);
	waitpid(sp, &st, 0);
}

int
main(int argc, char **argv)
{
	char	 cmd[300];
	const char *e;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "gen")) {
		printf("%d\n", gen(argv[2], atoi(argv[3])));
		return 0;
	}
	log_init("bench_modem", 1, getenv("KT_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	snprintf(tmpd, sizeof(tmpd), "/tmp/kt-bench-modem-XXXXXX");
	if (mkdtemp(tmpd) == NULL)
		return 1;
	bench_ingest(1000);
	bench_send(1000);
	if ((e = getenv("BENCH_SIM")) == NULL || strcmp(e, "0"))
		bench_sim((e = getenv("BENCH_SIM_N")) ? atoi(e) : 8);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpd);
	return system(cmd) == 0 ? 0 : 1;
}
