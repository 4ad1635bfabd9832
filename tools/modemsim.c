/*
 * modemsim — a simulated GSM modem on a pseudo-terminal, for tests, demos and training.
 *
 * It owns the pty (master side plus its own slave fd, kept open in raw mode so clients never see
 * EIO), the AT command interpreter (3GPP TS 27.005/27.007, PDU mode only), the simulated SIM
 * storage, the "network" side (incoming SMS, USSD, the JSON log of sent messages), a control
 * socket (one command per line; "OK …" / "ERR …" replies) and the fault injector (latency,
 * +CMS ERROR, hang, disconnect/re-enumerate, storage full, deregistration, noise).
 * PDUs are built and parsed with libGammu's own encoder and decoder, so what libGammu's AT
 * driver reads is what it would read from a real modem. One process, one poll() loop.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <gammu.h>

#include "common/xmalloc.h"

#define MS_LINE_MAX	4096		/* longest AT command line */
#define MS_PDU_MAX	(2 * 200)	/* hex chars of one SMSC+TPDU */
#define MS_OUT_MAX	(256 * 1024)	/* pty output kept when nobody reads */
#define MS_CTL_MAX	16384		/* longest control line */
#define MS_MAX_PARTS	GSM_MAX_MULTI_SMS

/* One SIM storage location. */
struct slot {
	int		 used;
	int		 stat;			/* 0 REC UNREAD, 1 REC READ, 2 STO UNSENT, 3 STO SENT */
	unsigned char	 pdu[200];		/* SMSC + TPDU, as on the wire */
	size_t		 len;
	int		 unreadable;		/* AT+CMGR fails on it (+CMS ERROR: 500); listed */
};

/* A message part held by the "network" until the SIM can take it. */
struct held {
	unsigned char	 pdu[200];
	size_t		 len;
	int		 store_only;
	struct held	*next;
};

/* An SMS-STATUS-REPORT due at a given time. */
struct report {
	int64_t		 due;
	unsigned char	 pdu[64];
	size_t		 len;
	struct report	*next;
};

struct ussd_entry {
	char		*code;
	char		*text;			/* UTF-8; NULL = no reply at all */
	int		 status;		/* +CUSD m: 0 done, 1 menu, 2 terminated, 4 unsupported */
	struct ussd_entry *next;
};

struct ctl_conn {
	int		 fd;
	char		 buf[MS_CTL_MAX];
	size_t		 len;
	struct ctl_conn	*next;
};

struct strlist {
	char		*s;
	struct strlist	*next;
};

struct sim {
	/* the network's time (AT+CCLK?, SMSC time stamps): the host clock plus clock_skew seconds;
	 * clock_unset: the modem never got NITZ (AT+CCLK? answers 2000-01-01) */
	long		 clock_skew;
	int		 clock_unset;
	/* configuration */
	char		*link;			/* stable symlink to the current pty */
	char		*ctl_path;
	char		*sent_log;
	char		*log_path;
	char		*pidfile;
	FILE		*logf;
	char		 imei[32];
	char		 imsi[32];
	char		 opname[64];
	char		 mccmnc[8];
	char		 smsc[32];
	int		 signal;
	int		 storage;
	char		 manufacturer[64];	/* AT+CGMI */
	char		 model[64];		/* AT+CGMM */
	int		 decoy;			/* never answers: a stick's diagnostic or GPS port */
	int		 no_sms;		/* answers AT but refuses every SMS command */
	int		 pin_locked;		/* the SIM waits for its PIN: AT+CPIN? says SIM PIN */

	/* pty */
	int		 mfd;			/* master; -1 while unplugged */
	int		 sfd;			/* our own slave fd */
	char		 ptyname[128];
	int		 spare_mfd;		/* next pty, opened at unplug time so its name differs */
	int		 spare_sfd;
	char		 spare_name[128];
	char		*new_link;		/* extra link name after re-enumeration */
	int64_t		 replug_at;		/* 0 = not unplugged */
	char		*out;			/* pending output to the master */
	size_t		 outlen;

	/* AT state */
	char		 line[MS_LINE_MAX];
	size_t		 linelen;
	char		*held_in;		/* input received while a command is still executing */
	size_t		 held_inlen;
	int		 echo;
	int		 cmee;
	int		 creg_n;
	int		 cgreg_n;
	int		 cops_format;
	char		 cscs[16];
	int		 cnmi[5];
	int		 cmms;
	int		 csms;
	int		 clip;
	int		 cfun;
	int		 cusd_n;
	int		 pdu_mode;		/* 0 none, 1 CMGS, 2 CMGW */
	int		 pdu_expect;		/* <length> of AT+CMGS= */
	int		 pdu_stat;		/* <stat> of AT+CMGW= */
	char		 pdu_hex[MS_PDU_MAX + 64];
	size_t		 pdu_hexlen;
	int		 busy;			/* a reply is being delayed (latency) */
	int64_t		 busy_until;
	char		*busy_reply;
	struct strlist	*urcs;			/* unsolicited lines waiting for an idle moment */
	int64_t		 last_rx;

	/* SIM and network */
	struct slot	*slots;
	struct held	*held;
	unsigned	 mr;
	unsigned	 nsent;
	unsigned	 nsends;		/* send attempts, for --fraction */
	struct strlist	*sent, **sent_tail;
	struct ussd_entry *ussd;
	struct strlist	*ussd_due;		/* +CUSD lines waiting for their moment */
	int64_t		 ussd_due_at;
	struct report	*reports;		/* status reports the network will send */
	int		 report_status;		/* TP-ST of reports; -1 = never send reports */
	int		 report_delay_ms;

	/* faults */
	int		 latency_ms;
	int		 hang;
	int		 storage_full;
	int		 dereg;
	int		 noise;
	int		 read_error;		/* fault read-error: message reads fail */
	int		 list_error;		/* fault list-error: AT+CMGL fails, AT+CMGR works */
	int		 next_stat;		/* for the next part stored by ctl pdu (--stat) */
	int		 next_unreadable;	/* the same, --unreadable */
	int64_t		 noise_at;
	unsigned	 noise_seq;
	int		 cms_code;
	int		 cms_count;		/* -1 = by fraction */
	double		 cms_fraction;

	/* control */
	int		 lfd;
	struct ctl_conn	*conns;
};

static volatile sig_atomic_t quit;
static sigset_t	 loop_sigmask;	/* what ppoll unblocks: a signal between the check of quit and
				   the wait would otherwise be noticed only at the next event */

/* Operator presets: name, MCC/MNC, IMSI prefix, SMSC, balance code. */
static const struct preset {
	const char	*key;
	const char	*name;
	const char	*mccmnc;
	const char	*smsc;
	const char	*balance_code;
} presets[] = {
	{ "telkomsel", "Telkomsel", "51010", "+6281100000", "*888#" },
	{ "indosat", "Indosat Ooredoo", "51001", "+62816124", "*555#" },
	{ "xl", "XL Axiata", "51011", "+62818445009", "*123#" },
	{ "axis", "Axis", "51008", "+62818445009", "*888#" },
	{ "tri", "Tri", "51089", "+6289644000001", "*111#" },
	{ "smartfren", "Smartfren", "51028", "+628881000000", "*999#" },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* ---------------------------------------------------------------- utilities */

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
iso_now(char *buf, size_t len)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%.20s.%03dZ", t, (int)(ts.tv_nsec / 1000000) % 1000);
}

/* Appends to the --log file: one timestamped line per event, with control chars made visible. */
static void
sim_log(struct sim *sim, const char *dir, const char *data, size_t len)
{
	char	 ts[40];
	size_t	 i;

	if (sim->logf == NULL)
		return;
	iso_now(ts, sizeof(ts));
	fprintf(sim->logf, "%s %s ", ts, dir);
	for (i = 0; i < len; i++) {
		unsigned char c = data[i];
		if (c == '\r')
			fputs("\\r", sim->logf);
		else if (c == '\n')
			fputs("\\n", sim->logf);
		else if (c < 0x20 || c == 0x7f)
			fprintf(sim->logf, "\\x%02x", c);
		else
			fputc(c, sim->logf);
	}
	fputc('\n', sim->logf);
	fflush(sim->logf);
}

static void __attribute__((format(printf, 2, 3)))
sim_event(struct sim *sim, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sim_log(sim, "*", buf, strlen(buf));
}

struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char	*p;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	sb_add(b, p, n);
	free(p);
}

static void
strlist_push(struct strlist **head, const char *s)
{
	struct strlist	*e = xcalloc(1, sizeof(*e)), **pp;

	e->s = xstrdup(s);
	for (pp = head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = e;
}

static void
strlist_free(struct strlist **head)
{
	struct strlist	*e, *n;

	for (e = *head; e != NULL; e = n) {
		n = e->next;
		free(e->s);
		free(e);
	}
	*head = NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex text to bytes. Returns the byte count or -1 when it is not hex. */
static ssize_t
hex_decode(const char *hex, size_t hexlen, unsigned char *out, size_t outmax)
{
	size_t	 i;

	if (hexlen % 2 != 0 || hexlen / 2 > outmax)
		return -1;
	for (i = 0; i < hexlen / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return hexlen / 2;
}

static void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t	 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* UTF-8 to Gammu's unicode (UCS-2BE/UTF-16BE, two NUL bytes at the end). Returns code units. */
static size_t
utf8_to_ucs2(const char *s, unsigned char *out, size_t max_units)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 n = 0;

	while (*p != '\0' && n + 2 < max_units) {
		uint32_t cp;
		int	 more;

		if (*p < 0x80) {
			cp = *p++;
			more = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p++ & 0x1f;
			more = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p++ & 0x0f;
			more = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p++ & 0x07;
			more = 3;
		} else {
			p++;
			cp = '?';
			more = 0;
		}
		while (more-- > 0 && (*p & 0xc0) == 0x80)
			cp = cp << 6 | (*p++ & 0x3f);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			out[2 * n] = (0xd800 | (cp >> 10)) >> 8;
			out[2 * n + 1] = (0xd800 | (cp >> 10)) & 0xff;
			n++;
			cp = 0xdc00 | (cp & 0x3ff);
		}
		out[2 * n] = cp >> 8;
		out[2 * n + 1] = cp & 0xff;
		n++;
	}
	out[2 * n] = out[2 * n + 1] = 0;
	return n;
}

/* UCS-2BE/UTF-16BE (units code units) to UTF-8 in out. */
static void
ucs2_to_utf8(const unsigned char *u, size_t units, char *out, size_t outlen)
{
	size_t	 i, o = 0;

	for (i = 0; i < units && o + 5 < outlen; i++) {
		uint32_t cp = u[2 * i] << 8 | u[2 * i + 1];

		if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < units) {
			uint32_t lo = u[2 * i + 2] << 8 | u[2 * i + 3];
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (cp < 0x80)
			out[o++] = cp;
		else if (cp < 0x800) {
			out[o++] = 0xc0 | cp >> 6;
			out[o++] = 0x80 | (cp & 0x3f);
		} else if (cp < 0x10000) {
			out[o++] = 0xe0 | cp >> 12;
			out[o++] = 0x80 | ((cp >> 6) & 0x3f);
			out[o++] = 0x80 | (cp & 0x3f);
		} else {
			out[o++] = 0xf0 | cp >> 18;
			out[o++] = 0x80 | ((cp >> 12) & 0x3f);
			out[o++] = 0x80 | ((cp >> 6) & 0x3f);
			out[o++] = 0x80 | (cp & 0x3f);
		}
	}
	out[o] = '\0';
}

static size_t
ucs2_len(const unsigned char *u)
{
	size_t	 n = 0;

	while (u[2 * n] != 0 || u[2 * n + 1] != 0)
		n++;
	return n;
}

static void
json_str(struct sbuf *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = *s;
		if (c == '"' || c == '\\') {
			sb_add(b, "\\", 1);
			sb_add(b, (const char *)&c, 1);
		} else if (c == '\n')
			sb_add(b, "\\n", 2);
		else if (c == '\r')
			sb_add(b, "\\r", 2);
		else if (c == '\t')
			sb_add(b, "\\t", 2);
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_add(b, (const char *)&c, 1);
	}
	sb_add(b, "\"", 1);
}

/* Text in the current +CSCS character set, for strings inside replies. */
static char *
cs_encode(struct sim *sim, const char *utf8)
{
	struct sbuf	 b = { 0 };
	const char	*p;

	if (strcmp(sim->cscs, "UCS2") == 0) {
		size_t		 cap = strlen(utf8) + 2;
		unsigned char	*u = xmalloc(2 * cap + 2);
		size_t		 n = utf8_to_ucs2(utf8, u, cap);
		char		*hex = xmalloc(4 * n + 1);

		hex_encode(u, 2 * n, hex);
		free(u);
		return hex;
	}
	sb_add(&b, "", 0);
	for (p = utf8; *p != '\0'; p++) {
		unsigned char c = *p;
		if (c == '"')
			c = '\'';
		else if (c >= 0x80) {
			/* One '?' per UTF-8 sequence: GSM/IRA have no such character here. */
			while ((p[1] & 0xc0) == 0x80)
				p++;
			c = '?';
		} else if (c < 0x20 && c != '\n')
			c = ' ';
		sb_add(&b, (const char *)&c, 1);
	}
	return b.s;
}

/* A string argument from the client, decoded from the current +CSCS character set. */
static char *
cs_decode(struct sim *sim, const char *s)
{
	size_t	 len = strlen(s);

	if (strcmp(sim->cscs, "UCS2") == 0 && len > 0 && len % 4 == 0) {
		unsigned char	*u = xmalloc(len / 2 + 2);
		ssize_t		 n = hex_decode(s, len, u, len / 2);
		char		*out;

		if (n >= 0) {
			out = xmalloc(2 * len + 8);
			ucs2_to_utf8(u, n / 2, out, 2 * len + 8);
			free(u);
			return out;
		}
		free(u);
	}
	return xstrdup(s);
}

/* ---------------------------------------------------------------- pty */

static int
pty_open(char *name, size_t namelen, int *sfdp)
{
	struct termios	 tio;
	int		 mfd, sfd;
	const char	*pn;

	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	if (mfd == -1)
		return -1;
	if (grantpt(mfd) == -1 || unlockpt(mfd) == -1 || (pn = ptsname(mfd)) == NULL) {
		close(mfd);
		return -1;
	}
	snprintf(name, namelen, "%s", pn);
	/* Our own slave fd, raw, open before any client: clients then never read EIO. */
	sfd = open(name, O_RDWR | O_NOCTTY);
	if (sfd == -1) {
		close(mfd);
		return -1;
	}
	if (tcgetattr(sfd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(sfd, TCSANOW, &tio);
	}
	fcntl(mfd, F_SETFL, fcntl(mfd, F_GETFL) | O_NONBLOCK);
	fcntl(mfd, F_SETFD, FD_CLOEXEC);
	fcntl(sfd, F_SETFD, FD_CLOEXEC);
	*sfdp = sfd;
	return mfd;
}

/* Points path at target, replacing whatever symlink was there. */
static int
link_set(const char *path, const char *target)
{
	char	*tmp;
	int	 rc;

	xasprintf(&tmp, "%s.tmp%ld", path, (long)getpid());
	unlink(tmp);
	if (symlink(target, tmp) == -1) {
		free(tmp);
		return -1;
	}
	rc = rename(tmp, path);
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	return rc;
}

static void
out_raw(struct sim *sim, const char *s, size_t len)
{
	if (sim->mfd == -1 || len == 0)
		return;
	if (sim->outlen + len > MS_OUT_MAX) {
		/* Nobody reads: drop, as a modem's UART buffer would. */
		sim->outlen = 0;
	}
	sim->out = xrealloc(sim->out, sim->outlen + len);
	memcpy(sim->out + sim->outlen, s, len);
	sim->outlen += len;
}

static void
out_write(struct sim *sim, const char *s, size_t len)
{
	if (sim->mfd == -1 || len == 0)
		return;
	sim_log(sim, ">", s, len);
	out_raw(sim, s, len);
}

static void
out_str(struct sim *sim, const char *s)
{
	out_write(sim, s, strlen(s));
}

static void
out_flush(struct sim *sim)
{
	ssize_t	 n;

	while (sim->mfd != -1 && sim->outlen > 0) {
		n = write(sim->mfd, sim->out, sim->outlen);
		if (n <= 0)
			return;
		memmove(sim->out, sim->out + n, sim->outlen - n);
		sim->outlen -= n;
	}
}

/* Queues an unsolicited line; it goes out when no command is executing. */
static void
urc(struct sim *sim, const char *line)
{
	if (sim->mfd == -1)
		return;
	strlist_push(&sim->urcs, line);
}

static int
sim_idle(struct sim *sim)
{
	return !sim->busy && sim->pdu_mode == 0 && !sim->hang && sim->mfd != -1;
}

static void
urc_flush(struct sim *sim)
{
	struct strlist	*e;

	if (!sim_idle(sim) || sim->linelen > 0)
		return;
	while ((e = sim->urcs) != NULL) {
		sim->urcs = e->next;
		out_str(sim, "\r\n");
		out_str(sim, e->s);
		out_str(sim, "\r\n");
		free(e->s);
		free(e);
	}
}

static void
pty_unplug(struct sim *sim, int seconds, const char *new_link)
{
	if (sim->mfd == -1)
		return;
	/* Reserve the next pty before freeing this one, so its number differs (re-enumeration). */
	sim->spare_mfd = pty_open(sim->spare_name, sizeof(sim->spare_name), &sim->spare_sfd);
	close(sim->mfd);
	close(sim->sfd);
	sim->mfd = sim->sfd = -1;
	if (sim->link != NULL)
		unlink(sim->link);
	if (sim->new_link != NULL)
		unlink(sim->new_link);
	free(sim->new_link);
	sim->new_link = new_link != NULL ? xstrdup(new_link) : NULL;
	sim->outlen = 0;
	sim->linelen = 0;
	sim->pdu_mode = 0;
	sim->busy = 0;
	free(sim->busy_reply);
	sim->busy_reply = NULL;
	sim->held_inlen = 0;
	strlist_free(&sim->urcs);
	strlist_free(&sim->ussd_due);
	sim->replug_at = now_ms() + (int64_t)seconds * 1000;
	sim_event(sim, "unplugged %s for %d s", sim->ptyname, seconds);
}

static void
pty_replug(struct sim *sim)
{
	if (sim->spare_mfd == -1)
		sim->spare_mfd = pty_open(sim->spare_name, sizeof(sim->spare_name), &sim->spare_sfd);
	if (sim->spare_mfd == -1) {
		/* Try again later rather than die: a test may be holding many ptys. */
		sim->replug_at = now_ms() + 1000;
		return;
	}
	sim->mfd = sim->spare_mfd;
	sim->sfd = sim->spare_sfd;
	snprintf(sim->ptyname, sizeof(sim->ptyname), "%s", sim->spare_name);
	sim->spare_mfd = sim->spare_sfd = -1;
	sim->replug_at = 0;
	/* A re-enumerated modem comes back reset. */
	sim->echo = 1;
	sim->cnmi[0] = sim->cnmi[1] = sim->cnmi[2] = sim->cnmi[3] = sim->cnmi[4] = 0;
	snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
	if (sim->link != NULL && link_set(sim->link, sim->ptyname) == -1)
		fprintf(stderr, "modemsim: cannot link %s -> %s: %s\n", sim->link, sim->ptyname,
		    strerror(errno));
	if (sim->new_link != NULL && link_set(sim->new_link, sim->ptyname) == -1)
		fprintf(stderr, "modemsim: cannot link %s -> %s: %s\n", sim->new_link,
		    sim->ptyname, strerror(errno));
	sim_event(sim, "plugged in as %s", sim->ptyname);
	printf("%s\n", sim->ptyname);
	fflush(stdout);
	urc(sim, "^BOOT:20382058,0,0,0,6");
}

/* ---------------------------------------------------------------- SMS: network side */

static int
slot_free(struct sim *sim)
{
	int	 i;

	if (sim->storage_full)
		return -1;
	for (i = 0; i < sim->storage; i++)
		if (!sim->slots[i].used)
			return i;
	return -1;
}

static int
slots_used(struct sim *sim)
{
	int	 i, n = 0;

	for (i = 0; i < sim->storage; i++)
		n += sim->slots[i].used;
	return n;
}

/* TPDU length of a stored PDU (the length the AT commands report). A malformed PDU whose SMSC
 * length byte runs past its end (a real modem reports what it stored) counts as all TPDU. */
static size_t
tpdu_len(const unsigned char *pdu, size_t len)
{
	if (len == 0 || (size_t)pdu[0] + 1 > len)
		return len;
	return len - (pdu[0] + 1);
}

/*
 * Hands one part to the SIM: stores it and announces it (+CMTI) as AT+CNMI asks, or sends it
 * straight up (+CMT) when AT+CNMI=…,2 routes messages to the terminal. Returns 0 delivered,
 * 1 held back by the network (no service or no room), in which case it is kept for later.
 */
static int
deliver_part(struct sim *sim, const unsigned char *pdu, size_t len, int store_only, int keep)
{
	char	 line[64];
	int	 i;

	if (sim->dereg || sim->cfun == 0 || (slot_free(sim) < 0 && !(sim->cnmi[1] == 2 &&
	    !store_only && sim->mfd != -1))) {
		if (keep) {
			struct held *h = xcalloc(1, sizeof(*h)), **pp;

			memcpy(h->pdu, pdu, len);
			h->len = len;
			h->store_only = store_only;
			for (pp = &sim->held; *pp != NULL; pp = &(*pp)->next)
				;
			*pp = h;
		}
		return 1;
	}
	if (!store_only && sim->cnmi[1] == 2 && sim->mfd != -1) {
		char	 hex[2 * sizeof(((struct slot *)0)->pdu) + 1];
		char	*l;

		hex_encode(pdu, len, hex);
		xasprintf(&l, "+CMT: ,%zu\r\n%s", tpdu_len(pdu, len), hex);
		urc(sim, l);
		free(l);
		return 0;
	}
	i = slot_free(sim);
	sim->slots[i].used = 1;
	sim->slots[i].stat = sim->next_stat;
	sim->slots[i].unreadable = sim->next_unreadable;
	sim->next_stat = sim->next_unreadable = 0;
	memcpy(sim->slots[i].pdu, pdu, len);
	sim->slots[i].len = len;
	if (!store_only && (sim->cnmi[1] == 1 || sim->cnmi[1] == 3) && sim->cnmi[0] != 0) {
		snprintf(line, sizeof(line), "+CMTI: \"SM\",%d", i + 1);
		urc(sim, line);
	}
	sim_event(sim, "stored message at SM %d", i + 1);
	return 0;
}

/* Delivers what the network held back, now that there is service and room. */
static void
deliver_held(struct sim *sim)
{
	struct held	*h;

	while ((h = sim->held) != NULL) {
		if (deliver_part(sim, h->pdu, h->len, h->store_only, 0) != 0)
			return;
		sim->held = h->next;
		free(h);
	}
}

/*
 * Compacts libGammu's fixed-layout SMS-DELIVER frame into the wire format (SMSC + TPDU).
 * Returns the length, or 0 when a field does not fit its place (out holds outmax bytes).
 */
static size_t
deliver_compact(const unsigned char *b, int len, unsigned char *out, size_t outmax)
{
	GSM_SMSMessageLayout L = PHONE_SMSDeliver;
	size_t	 n, olen, udlen = len > L.Text ? (size_t)(len - L.Text) : 0;

	n = b[L.SMSCNumber] + 1;
	olen = 2 + (b[L.Number] + 1) / 2;
	if (n > (size_t)(L.firstbyte - L.SMSCNumber) || olen > (size_t)(L.DateTime - L.Number) ||
	    n + 1 + olen + 2 + 7 + 1 + udlen > outmax)
		return 0;
	memcpy(out, b + L.SMSCNumber, n);
	out[n++] = b[L.firstbyte];
	memcpy(out + n, b + L.Number, olen);
	n += olen;
	out[n++] = b[L.TPPID];
	out[n++] = b[L.TPDCS];
	memcpy(out + n, b + L.DateTime, 7);
	n += 7;
	out[n++] = b[L.TPUDL];
	memcpy(out + n, b + L.Text, udlen);
	return n + udlen;
}

static time_t
net_now(const struct sim *sim)
{
	return time(NULL) + sim->clock_skew;
}

/* The network's time now as a Gammu date in UTC (Gammu's SCTS encoder writes zone +00 whatever
 * the date says, so a local date would be off by the host's zone). */
static void
net_datetime(const struct sim *sim, GSM_DateTime *dt)
{
	time_t		 t = net_now(sim);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	memset(dt, 0, sizeof(*dt));
	dt->Year = tm.tm_year + 1900;
	dt->Month = tm.tm_mon + 1;
	dt->Day = tm.tm_mday;
	dt->Hour = tm.tm_hour;
	dt->Minute = tm.tm_min;
	dt->Second = tm.tm_sec;
	dt->Timezone = 0;
}

/* Parses "2026-11-27 14:00:05" / "2026-11-27T14:00" (local time of the network: WIB, +07). */
static int
parse_smsc_time(const char *s, GSM_DateTime *dt)
{
	int	 y, mo, d, h = 0, mi = 0, sec = 0, n;

	n = sscanf(s, "%d-%d-%d%*[T ]%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
	if (n < 3 || y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 59)
		return -1;
	memset(dt, 0, sizeof(*dt));
	dt->Year = y;
	dt->Month = mo;
	dt->Day = d;
	dt->Hour = h;
	dt->Minute = mi;
	dt->Second = sec;
	dt->Timezone = 7 * 3600;
	return 0;
}

struct sms_opts {
	int		 ucs2;
	int		 store_only;
	int		 order[MS_MAX_PARTS];
	int		 norder;
	int		 drop[MS_MAX_PARTS];
	int		 ndrop;
	int		 has_time;
	GSM_DateTime	 time;
	int		 class0;
};

/* Encodes TEXT from FROM into SMS-DELIVER parts and delivers them. Errors go to err. */
static int
sms_incoming(struct sim *sim, const char *from, const char *text, struct sms_opts *o,
    char *err, size_t errlen, int *nparts, int *nheld)
{
	GSM_MultiPartSMSInfo	 info;
	GSM_MultiSMSMessage	*multi;
	unsigned char		*ubuf;
	size_t			 cap = strlen(text) + 2;
	int			 i, k, idx, rc = -1;

	multi = xcalloc(1, sizeof(*multi));
	ubuf = xcalloc(2, cap + 2);
	utf8_to_ucs2(text, ubuf, cap + 1);
	GSM_ClearMultiPartSMSInfo(&info);
	info.Entries[0].ID = o->ucs2 ? SMS_ConcatenatedTextLong : SMS_ConcatenatedAutoTextLong;
	info.Entries[0].Buffer = ubuf;
	info.EntriesNum = 1;
	info.UnicodeCoding = o->ucs2 ? TRUE : FALSE;
	info.Class = o->class0 ? 0 : -1;
	if (GSM_EncodeMultiPartSMS(NULL, &info, multi) != ERR_NONE || multi->Number < 1) {
		snprintf(err, errlen, "cannot encode the text (too long? at most %d parts)",
		    MS_MAX_PARTS);
		goto out;
	}
	*nparts = multi->Number;
	*nheld = 0;
	for (i = 0; i < o->norder; i++)
		if (o->order[i] < 1 || o->order[i] > multi->Number) {
			snprintf(err, errlen, "--parts-order names part %d of a %d-part message",
			    o->order[i], multi->Number);
			goto out;
		}
	for (k = 0; k < (o->norder > 0 ? o->norder : multi->Number); k++) {
		GSM_SMSMessage	*sms;
		unsigned char	 frame[1000], wire[200];
		int		 flen = 0, j, dropped = 0;
		size_t		 wlen;

		idx = o->norder > 0 ? o->order[k] - 1 : k;
		for (j = 0; j < o->ndrop; j++)
			dropped |= o->drop[j] == idx + 1;
		if (dropped)
			continue;
		sms = &multi->SMS[idx];
		sms->PDU = SMS_Deliver;
		sms->Class = o->class0 ? 0 : -1;
		utf8_to_ucs2(from, sms->Number, GSM_MAX_NUMBER_LENGTH);
		utf8_to_ucs2(sim->smsc, sms->SMSC.Number, GSM_MAX_NUMBER_LENGTH);
		if (o->has_time)
			sms->DateTime = o->time;
		else
			net_datetime(sim, &sms->DateTime);
		memset(frame, 0, sizeof(frame));
		if (GSM_EncodeSMSFrame(NULL, sms, frame, PHONE_SMSDeliver, &flen, TRUE) !=
		    ERR_NONE) {
			snprintf(err, errlen, "libGammu cannot encode part %d", idx + 1);
			goto out;
		}
		if ((wlen = deliver_compact(frame, flen, wire, sizeof(wire))) == 0) {
			snprintf(err, errlen, "part %d does not fit an SMS (sender or SMSC number "
			    "too long?)", idx + 1);
			goto out;
		}
		*nheld += deliver_part(sim, wire, wlen, o->store_only, 1);
	}
	rc = 0;
out:
	free(ubuf);
	free(multi);
	return rc;
}

/* Decodes a wire PDU (SMSC + TPDU) with libGammu. 0 ok. */
static int
pdu_decode(const unsigned char *pdu, size_t len, GSM_SMSMessage *sms)
{
	size_t	 pos = 0;

	memset(sms, 0, sizeof(*sms));
	GSM_SetDefaultReceivedSMSData(sms);
	if (GSM_DecodePDUFrame(NULL, sms, pdu, len, &pos, TRUE) != ERR_NONE)
		return -1;
	return 0;
}

/* Text of a decoded message as UTF-8 (8-bit data as hex). */
static void
sms_text_utf8(GSM_SMSMessage *sms, char *out, size_t outlen)
{
	if (sms->Coding == SMS_Coding_8bit) {
		size_t n = (size_t)sms->Length < outlen / 2 ? (size_t)sms->Length : outlen / 2 - 1;
		hex_encode(sms->Text, n, out);
	} else
		ucs2_to_utf8(sms->Text, ucs2_len(sms->Text), out, outlen);
}

static const char *
coding_name(GSM_Coding_Type c)
{
	switch (c) {
	case SMS_Coding_Unicode_No_Compression:
	case SMS_Coding_Unicode_Compression:
		return "ucs2";
	case SMS_Coding_8bit:
		return "8bit";
	default:
		return "gsm7";
	}
}

/* An SMSC or sender number: optional '+', 1 to 20 digits. */
static int
phone_number_ok(const char *s)
{
	size_t	 n = 0;

	if (*s == '+')
		s++;
	for (; *s != '\0'; s++, n++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return n >= 1 && n <= 20;
}

static unsigned char
bcd_swapped(int v)
{
	return (v % 10) << 4 | (v / 10) % 10;
}

/* TP address (length in digits, type, swapped semi-octets). Returns bytes, 0 if not a number. */
static size_t
addr_encode(const char *num, unsigned char *out, size_t outmax)
{
	int	 intl = num[0] == '+';
	size_t	 nd, i;

	if (!phone_number_ok(num))
		return 0;
	num += intl;
	nd = strlen(num);
	if (2 + (nd + 1) / 2 > outmax)
		return 0;
	out[0] = nd;
	out[1] = intl ? 0x91 : 0x81;
	for (i = 0; i < nd; i++) {
		int d = num[i] - '0';
		if (i % 2 == 0)
			out[2 + i / 2] = 0xf0 | d;
		else
			out[2 + i / 2] = (out[2 + i / 2] & 0x0f) | d << 4;
	}
	return 2 + (nd + 1) / 2;
}

/* Service-centre time stamp of t in WIB (+07), as 7 swapped semi-octets. */
static void
scts_encode(time_t t, unsigned char *out)
{
	struct tm	 tm;

	t += 7 * 3600;
	gmtime_r(&t, &tm);
	out[0] = bcd_swapped(tm.tm_year % 100);
	out[1] = bcd_swapped(tm.tm_mon + 1);
	out[2] = bcd_swapped(tm.tm_mday);
	out[3] = bcd_swapped(tm.tm_hour);
	out[4] = bcd_swapped(tm.tm_min);
	out[5] = bcd_swapped(tm.tm_sec);
	out[6] = bcd_swapped(7 * 4);		/* quarter hours east of UTC */
}

/* Queues the SMS-STATUS-REPORT the network sends for a part that asked for one (TP-SRR). */
static void
report_queue(struct sim *sim, const char *to, int mr, time_t submitted)
{
	struct report	*r, **pp;
	unsigned char	 smsc[16];
	size_t		 n = 0, k;

	if (sim->report_status < 0)
		return;
	r = xcalloc(1, sizeof(*r));
	if ((k = addr_encode(sim->smsc, smsc, sizeof(smsc))) == 0) {
		r->pdu[n++] = 0;
	} else {
		/* The SMSC field counts octets, not digits. */
		r->pdu[n++] = k - 1;
		memcpy(r->pdu + n, smsc + 1, k - 1);
		n += k - 1;
	}
	r->pdu[n++] = 0x06;			/* SMS-STATUS-REPORT, no more messages */
	r->pdu[n++] = mr;
	if ((k = addr_encode(to, r->pdu + n, 14)) == 0) {
		free(r);
		return;				/* alphanumeric recipient: no report */
	}
	n += k;
	scts_encode(submitted, r->pdu + n);
	n += 7;
	scts_encode(net_now(sim), r->pdu + n);
	n += 7;
	r->pdu[n++] = sim->report_status;
	r->len = n;
	r->due = now_ms() + sim->report_delay_ms;
	for (pp = &sim->reports; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = r;
}

/*
 * Hands a due status report to the terminal as AT+CNMI's <ds> asks: 1 sends +CDS with the PDU,
 * 2 stores it and announces +CDSI, 0 drops it (as modems do when nobody asked for reports).
 */
static void
report_deliver(struct sim *sim, struct report *r)
{
	char	 hex[2 * sizeof(r->pdu) + 1], *l;
	int	 i;

	hex_encode(r->pdu, r->len, hex);
	if (sim->cnmi[3] == 1 && sim->mfd != -1) {
		xasprintf(&l, "+CDS: %zu\r\n%s", tpdu_len(r->pdu, r->len), hex);
		urc(sim, l);
		free(l);
	} else if (sim->cnmi[3] == 2 && (i = slot_free(sim)) >= 0) {
		sim->slots[i].used = 1;
		sim->slots[i].stat = 0;
		memcpy(sim->slots[i].pdu, r->pdu, r->len);
		sim->slots[i].len = r->len;
		xasprintf(&l, "+CDSI: \"SM\",%d", i + 1);
		urc(sim, l);
		free(l);
	} else {
		sim_event(sim, "status report dropped (AT+CNMI ds=%d)", sim->cnmi[3]);
		return;
	}
	sim_event(sim, "status report mr=%d st=0x%02x", r->pdu[r->pdu[0] + 2], sim->report_status);
}

/* The "network" took a submitted part: decode it and append it to the sent log. mr returned. */
static int
sms_submitted(struct sim *sim, const unsigned char *pdu, size_t len, char *err, size_t errlen)
{
	GSM_SMSMessage	 sms;
	struct sbuf	 b = { 0 };
	char		 to[128], text[4 * (GSM_MAX_SMS_LENGTH + 1)], udh[2 * GSM_MAX_UDH_LENGTH + 1];
	char		 smsc[128], ts[40];
	int		 mr, parts = 1, part = 1, ref = -1;
	int		 srr = len > (size_t)pdu[0] + 1 && (pdu[pdu[0] + 1] & 0x20) != 0;

	if (pdu_decode(pdu, len, &sms) != 0 || sms.PDU != SMS_Submit) {
		snprintf(err, errlen, "not an SMS-SUBMIT PDU");
		return -1;
	}
	mr = sim->mr;
	sim->mr = (sim->mr + 1) % 256;
	ucs2_to_utf8(sms.Number, ucs2_len(sms.Number), to, sizeof(to));
	ucs2_to_utf8(sms.SMSC.Number, ucs2_len(sms.SMSC.Number), smsc, sizeof(smsc));
	sms_text_utf8(&sms, text, sizeof(text));
	udh[0] = '\0';
	if (sms.UDH.Type != UDH_NoUDH && sms.UDH.Length > 0) {
		hex_encode(sms.UDH.Text, sms.UDH.Length, udh);
		if (sms.UDH.AllParts > 0) {
			parts = sms.UDH.AllParts;
			part = sms.UDH.PartNumber;
			ref = sms.UDH.ID16bit >= 0 ? sms.UDH.ID16bit : sms.UDH.ID8bit;
		}
	}
	iso_now(ts, sizeof(ts));
	sb_add(&b, "{\"to\":", 6);
	json_str(&b, to);
	sb_add(&b, ",\"text\":", 8);
	json_str(&b, text);
	sb_printf(&b, ",\"parts\":%d,\"part\":%d,\"concat_ref\":%d,\"udh\":", parts, part, ref);
	json_str(&b, udh);
	sb_printf(&b, ",\"reference\":%d,\"coding\":\"%s\",\"smsc\":", mr, coding_name(sms.Coding));
	json_str(&b, smsc);
	sb_printf(&b, ",\"status_report\":%s", srr ? "true" : "false");
	sb_add(&b, ",\"time\":", 8);
	json_str(&b, ts);
	sb_add(&b, "}", 1);
	if (sim->sent_log != NULL) {
		FILE *f = fopen(sim->sent_log, "a");
		if (f != NULL) {
			fprintf(f, "%s\n", b.s);
			fclose(f);
		} else
			fprintf(stderr, "modemsim: cannot append to %s: %s\n", sim->sent_log,
			    strerror(errno));
	}
	{
		struct strlist *e = xcalloc(1, sizeof(*e));
		e->s = b.s;
		*sim->sent_tail = e;
		sim->sent_tail = &e->next;
	}
	sim->nsent++;
	sim_event(sim, "sent part %d/%d mr=%d%s", part, parts, mr, srr ? " report requested" : "");
	if (srr)
		report_queue(sim, to, mr, net_now(sim));
	return mr;
}

/* Whether this send attempt fails with the configured +CMS ERROR. */
static int
send_fault(struct sim *sim)
{
	unsigned	 n = sim->nsends++;

	if (sim->cms_code == 0)
		return 0;
	if (sim->cms_count > 0) {
		if (--sim->cms_count == 0) {
			int code = sim->cms_code;
			sim->cms_code = 0;
			return code;
		}
		return sim->cms_code;
	}
	if (sim->cms_count < 0) {
		/* Deterministic: exactly floor(n * fraction) of the first n sends fail. */
		if ((unsigned)((n + 1) * sim->cms_fraction) > (unsigned)(n * sim->cms_fraction))
			return sim->cms_code;
	}
	return 0;
}

/* ---------------------------------------------------------------- AT interpreter */

static void
final_ok(struct sbuf *r)
{
	sb_add(r, "\r\nOK\r\n", 6);
}

static void
final_error(struct sbuf *r)
{
	sb_add(r, "\r\nERROR\r\n", 9);
}

static void
final_cme(struct sim *sim, struct sbuf *r, int code)
{
	if (sim->cmee == 0)
		final_error(r);
	else
		sb_printf(r, "\r\n+CME ERROR: %d\r\n", code);
}

static void
final_cms(struct sim *sim, struct sbuf *r, int code)
{
	if (sim->cmee == 0)
		final_error(r);
	else
		sb_printf(r, "\r\n+CMS ERROR: %d\r\n", code);
}

/* An information line: "\r\n" before the first one, "\r\n" after each. */
static void __attribute__((format(printf, 2, 3)))
info(struct sbuf *r, const char *fmt, ...)
{
	char	*p;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (r->len == 0)
		sb_add(r, "\r\n", 2);
	sb_add(r, p, n);
	sb_add(r, "\r\n", 2);
	free(p);
}

/* Parses up to max comma-separated integers; missing ones stay as they are. Returns count. */
static int
parse_ints(const char *s, int *v, int max)
{
	int	 n = 0;

	while (*s != '\0' && n < max) {
		char	*end;
		long	 x;

		while (*s == ' ')
			s++;
		if (*s == ',') {
			n++;
			s++;
			continue;
		}
		x = strtol(s, &end, 10);
		if (end == s)
			return -1;
		v[n++] = x;
		s = end;
		while (*s == ' ')
			s++;
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -1;
	}
	return n;
}

/* Splits a quoted/unquoted argument list in place. Returns the number of arguments. */
static int
split_args(char *s, char **argv, int max)
{
	int	 n = 0;

	while (*s != '\0' && n < max) {
		while (*s == ' ')
			s++;
		if (*s == '"') {
			argv[n++] = ++s;
			while (*s != '\0' && *s != '"')
				s++;
			if (*s == '"')
				*s++ = '\0';
			while (*s == ' ')
				s++;
			if (*s == ',')
				s++;
		} else {
			argv[n++] = s;
			while (*s != '\0' && *s != ',')
				s++;
			if (*s == ',')
				*s++ = '\0';
		}
	}
	return n;
}

static int
reg_stat(struct sim *sim)
{
	return sim->dereg || sim->cfun == 0 ? 0 : 1;
}

static void
cmd_cops(struct sim *sim, struct sbuf *r, char op, char *arg)
{
	if (op == '?') {
		if (reg_stat(sim) == 0)
			info(r, "+COPS: 0");
		else if (sim->cops_format == 2)
			info(r, "+COPS: 0,2,\"%s\",2", sim->mccmnc);
		else {
			char *n = cs_encode(sim, sim->opname);
			info(r, "+COPS: 0,%d,\"%s\",2", sim->cops_format, n);
			free(n);
		}
	} else if (op == 't') {
		char *n = cs_encode(sim, sim->opname);
		info(r, "+COPS: (2,\"%s\",\"%s\",\"%s\",2),,(0-4),(0-2)", n, n, sim->mccmnc);
		free(n);
	} else if (op == '=') {
		int v[2] = { 0, -1 };
		if (parse_ints(arg, v, 2) < 1) {
			final_cme(sim, r, 50);
			return;
		}
		if (v[0] == 3 && v[1] >= 0 && v[1] <= 2)
			sim->cops_format = v[1];
	}
	final_ok(r);
}

static void
cmd_creg(struct sim *sim, struct sbuf *r, char op, char *arg, const char *name, int *n)
{
	if (op == '?') {
		if (*n == 2 && reg_stat(sim) == 1)
			info(r, "+%s: %d,%d,\"1A2B\",\"00C3D4\"", name, *n, reg_stat(sim));
		else
			info(r, "+%s: %d,%d", name, *n, reg_stat(sim));
	} else if (op == 't')
		info(r, "+%s: (0-2)", name);
	else if (op == '=') {
		int v = 0;
		if (parse_ints(arg, &v, 1) != 1 || v < 0 || v > 2) {
			final_cme(sim, r, 50);
			return;
		}
		*n = v;
	}
	final_ok(r);
}

static void
cmd_cpms(struct sim *sim, struct sbuf *r, char op, char *arg)
{
	int	 used = sim->storage_full ? sim->storage : slots_used(sim), i, n;
	char	*argv[3];

	if (sim->read_error && op != 't') {
		final_cms(sim, r, 500);
		return;
	}
	if (op == 't') {
		info(r, "+CPMS: (\"SM\"),(\"SM\"),(\"SM\")");
	} else if (op == '?') {
		info(r, "+CPMS: \"SM\",%d,%d,\"SM\",%d,%d,\"SM\",%d,%d", used, sim->storage, used,
		    sim->storage, used, sim->storage);
	} else if (op == '=') {
		n = split_args(arg, argv, 3);
		for (i = 0; i < n; i++)
			if (strcasecmp(argv[i], "SM") != 0) {
				final_cms(sim, r, 302);
				return;
			}
		info(r, "+CPMS: %d,%d,%d,%d,%d,%d", used, sim->storage, used, sim->storage, used,
		    sim->storage);
	} else {
		final_error(r);
		return;
	}
	final_ok(r);
}

/* One +CMGL or +CMGR entry: the header line, then the PDU on its own line. */
static void
list_entry(struct sim *sim, struct sbuf *r, int cmgl, int i)
{
	struct slot	*sl = &sim->slots[i];
	char		 hex[2 * sizeof(sl->pdu) + 1];

	hex_encode(sl->pdu, sl->len, hex);
	if (cmgl)
		info(r, "+CMGL: %d,%d,,%zu", i + 1, sl->stat, tpdu_len(sl->pdu, sl->len));
	else
		info(r, "+CMGR: %d,,%zu", sl->stat, tpdu_len(sl->pdu, sl->len));
	/* The PDU line follows without a blank line. */
	sb_add(r, hex, strlen(hex));
	sb_add(r, "\r\n", 2);
}

static void
cmd_cmgl(struct sim *sim, struct sbuf *r, char op, char *arg)
{
	int	 stat = 0, i;

	if (op == 't') {
		info(r, "+CMGL: (0-4)");
		final_ok(r);
		return;
	}
	if (sim->read_error || sim->list_error) {
		final_cms(sim, r, 500);
		return;
	}
	if (op == '=' && (parse_ints(arg, &stat, 1) != 1 || stat < 0 || stat > 4)) {
		final_cms(sim, r, 304);
		return;
	}
	for (i = 0; i < sim->storage; i++) {
		struct slot *sl = &sim->slots[i];
		if (!sl->used || (stat != 4 && sl->stat != stat))
			continue;
		list_entry(sim, r, 1, i);
		if (sl->stat == 0)
			sl->stat = 1;
	}
	final_ok(r);
}

static void
cmd_cmgr(struct sim *sim, struct sbuf *r, char op, char *arg)
{
	int	 idx = 0;

	if (op == 't') {
		final_ok(r);
		return;
	}
	if (op != '=' || parse_ints(arg, &idx, 1) != 1) {
		final_cms(sim, r, 304);
		return;
	}
	if (idx < 1 || idx > sim->storage) {
		final_cms(sim, r, 321);
		return;
	}
	if (!sim->slots[idx - 1].used) {
		final_cms(sim, r, 321);
		return;
	}
	/* a slot the modem itself cannot read (it lists it all the same), or every read failing */
	if (sim->slots[idx - 1].unreadable || sim->read_error) {
		final_cms(sim, r, 500);
		return;
	}
	list_entry(sim, r, 0, idx - 1);
	if (sim->slots[idx - 1].stat == 0)
		sim->slots[idx - 1].stat = 1;
	final_ok(r);
}

static void
cmd_cmgd(struct sim *sim, struct sbuf *r, char op, char *arg)
{
	int	 v[2] = { 0, 0 }, i;

	if (op == 't') {
		info(r, "+CMGD: (1-%d),(0-4)", sim->storage);
		final_ok(r);
		return;
	}
	if (op != '=' || parse_ints(arg, v, 2) < 1 || v[1] < 0 || v[1] > 4) {
		final_cms(sim, r, 304);
		return;
	}
	if (v[1] == 0) {
		if (v[0] < 1 || v[0] > sim->storage) {
			final_cms(sim, r, 321);
			return;
		}
		sim->slots[v[0] - 1].used = 0;
	} else {
		for (i = 0; i < sim->storage; i++) {
			int st = sim->slots[i].stat;
			if ((v[1] == 1 && st == 1) || (v[1] == 2 && (st == 1 || st == 3)) ||
			    (v[1] == 3 && st != 0) || v[1] == 4)
				sim->slots[i].used = 0;
		}
	}
	final_ok(r);
	deliver_held(sim);
}

static void
cmd_cusd(struct sim *sim, struct sbuf *r, char op, char *arg)
{
	char			*argv[3], *code;
	int			 n, mode;
	struct ussd_entry	*e;
	char			*line;

	if (op == 't') {
		info(r, "+CUSD: (0-2)");
		final_ok(r);
		return;
	}
	if (op == '?') {
		info(r, "+CUSD: %d", sim->cusd_n);
		final_ok(r);
		return;
	}
	if (op != '=') {
		final_ok(r);
		return;
	}
	n = split_args(arg, argv, 3);
	mode = n > 0 && *argv[0] != '\0' ? atoi(argv[0]) : 0;
	if (mode < 0 || mode > 2) {
		final_cme(sim, r, 50);
		return;
	}
	if (mode != 2)
		sim->cusd_n = mode;
	if (n < 2 || *argv[1] == '\0' || mode == 2) {
		final_ok(r);
		return;
	}
	if (reg_stat(sim) == 0) {
		final_cme(sim, r, 30);		/* no network service */
		return;
	}
	code = cs_decode(sim, argv[1]);
	sim_event(sim, "ussd request %s", code);
	for (e = sim->ussd; e != NULL; e = e->next)
		if (strcmp(e->code, code) == 0)
			break;
	final_ok(r);
	if (e != NULL && e->text == NULL) {
		free(code);
		return;				/* the network never answers */
	}
	if (e == NULL)
		line = xstrdup("+CUSD: 0,\"UNKNOWN APPLICATION\",15");
	else if (e->status == 4)
		line = xstrdup("+CUSD: 4");
	else {
		char *t = cs_encode(sim, e->text);
		xasprintf(&line, "+CUSD: %d,\"%s\",%d", e->status, t,
		    strcmp(sim->cscs, "UCS2") == 0 ? 72 : 15);
		free(t);
	}
	/* The network answers a moment later, as an unsolicited result. */
	strlist_push(&sim->ussd_due, line);
	sim->ussd_due_at = now_ms() + 100;
	free(line);
	free(code);
}

/* Finishes AT+CMGS / AT+CMGW after the PDU and Ctrl-Z. */
static void
pdu_done(struct sim *sim, struct sbuf *r)
{
	unsigned char	 pdu[MS_PDU_MAX / 2 + 8];
	ssize_t		 n;
	char		 err[128];
	int		 code, mr, i;

	n = hex_decode(sim->pdu_hex, sim->pdu_hexlen, pdu, sizeof(((struct slot *)0)->pdu));
	if (n < 2 || pdu[0] + 1 >= n || (int)tpdu_len(pdu, n) != sim->pdu_expect) {
		sim_event(sim, "bad PDU: %zd bytes, length %d announced", n, sim->pdu_expect);
		final_cms(sim, r, 304);
		return;
	}
	if (sim->pdu_mode == 2) {
		if ((i = slot_free(sim)) < 0) {
			final_cms(sim, r, 322);		/* memory full */
			return;
		}
		sim->slots[i].used = 1;
		sim->slots[i].stat = sim->pdu_stat;
		memcpy(sim->slots[i].pdu, pdu, n);
		sim->slots[i].len = n;
		info(r, "+CMGW: %d", i + 1);
		final_ok(r);
		return;
	}
	if (reg_stat(sim) == 0) {
		final_cms(sim, r, 331);			/* no network service */
		return;
	}
	if ((code = send_fault(sim)) != 0) {
		sim_event(sim, "send fails with +CMS ERROR: %d (fault)", code);
		final_cms(sim, r, code);
		return;
	}
	if ((mr = sms_submitted(sim, pdu, n, err, sizeof(err))) < 0) {
		sim_event(sim, "bad PDU: %s", err);
		final_cms(sim, r, 304);
		return;
	}
	info(r, "+CMGS: %d", mr);
	final_ok(r);
}

static void
cmd_cmss(struct sim *sim, struct sbuf *r, char op, char *arg)
{
	char	 err[128];
	int	 idx = 0, mr, code;

	if (op == 't') {
		final_ok(r);
		return;
	}
	if (op != '=' || parse_ints(arg, &idx, 1) < 1) {
		final_cms(sim, r, 304);
		return;
	}
	if (idx < 1 || idx > sim->storage || !sim->slots[idx - 1].used) {
		final_cms(sim, r, 321);
		return;
	}
	if (reg_stat(sim) == 0) {
		final_cms(sim, r, 331);
		return;
	}
	if ((code = send_fault(sim)) != 0) {
		final_cms(sim, r, code);
		return;
	}
	mr = sms_submitted(sim, sim->slots[idx - 1].pdu, sim->slots[idx - 1].len, err,
	    sizeof(err));
	if (mr < 0) {
		final_cms(sim, r, 304);
		return;
	}
	sim->slots[idx - 1].stat = 3;
	info(r, "+CMSS: %d", mr);
	final_ok(r);
}

/* Simple settings that only need to be remembered and read back. */
static void
cmd_setting(struct sim *sim, struct sbuf *r, char op, char *arg, const char *name, int *val,
    const char *range, int lo, int hi)
{
	if (op == '?')
		info(r, "+%s: %d", name, *val);
	else if (op == 't')
		info(r, "+%s: %s", name, range);
	else if (op == '=') {
		int v = 0;
		if (parse_ints(arg, &v, 1) < 1 || v < lo || v > hi) {
			final_cme(sim, r, 50);
			return;
		}
		*val = v;
	}
	final_ok(r);
}

/* Runs one extended command (name without "+", op: 0 exec, '?' read, 't' test, '=' set). */
static int
run_extended(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	char	*argv[4], *s;
	int	 n;

	static const char *const sms_cmds[] = { "CPMS", "CMGF", "CMGL", "CMGR", "CMGD", "CMGS", "CMGW",
		"CMSS", "CSMS", "CNMI", "CSCA", "CMMS", "CSDH", "CNMA", NULL };

	/* --no-sms: a port (or firmware) that answers AT but has no SMS service */
	for (int i = 0; (sim->no_sms || sim->pin_locked) && sms_cmds[i] != NULL; i++)
		if (!strcmp(name, sms_cmds[i])) {
			if (sim->pin_locked)
				final_cme(sim, r, 11);	/* SIM PIN required */
			else
				final_error(r);
			return 0;
		}
	if (!strcmp(name, "CMEE"))
		cmd_setting(sim, r, op, arg, "CMEE", &sim->cmee, "(0-2)", 0, 2);
	else if (!strcmp(name, "CGMI") || !strcmp(name, "GMI")) {
		info(r, "%s", sim->manufacturer);
		final_ok(r);
	} else if (!strcmp(name, "CGMM") || !strcmp(name, "GMM")) {
		info(r, "%s", sim->model);
		final_ok(r);
	} else if (!strcmp(name, "CGMR") || !strcmp(name, "GMR")) {
		info(r, "modemsim %s", KT_VERSION);
		final_ok(r);
	} else if (!strcmp(name, "CGSN") || !strcmp(name, "GSN")) {
		info(r, "%s", sim->imei);
		final_ok(r);
	} else if (!strcmp(name, "CIMI")) {
		info(r, "%s", sim->imsi);
		final_ok(r);
	} else if (!strcmp(name, "GCAP")) {
		info(r, "+GCAP: +CGSM");
		final_ok(r);
	} else if (!strcmp(name, "CPIN")) {
		if (op == '?')
			info(r, "+CPIN: %s", sim->pin_locked ? "SIM PIN" : "READY");
		final_ok(r);
	} else if (!strcmp(name, "CSQ")) {
		if (op == 't')
			info(r, "+CSQ: (0-31,99),(0-7,99)");
		else
			info(r, "+CSQ: %d,99", reg_stat(sim) ? sim->signal : 99);
		final_ok(r);
	} else if (!strcmp(name, "CREG"))
		cmd_creg(sim, r, op, arg, "CREG", &sim->creg_n);
	else if (!strcmp(name, "CGREG"))
		cmd_creg(sim, r, op, arg, "CGREG", &sim->cgreg_n);
	else if (!strcmp(name, "COPS"))
		cmd_cops(sim, r, op, arg);
	else if (!strcmp(name, "CGATT")) {
		if (op == '?')
			info(r, "+CGATT: %d", reg_stat(sim));
		else if (op == 't')
			info(r, "+CGATT: (0,1)");
		final_ok(r);
	}
	else if (!strcmp(name, "CSCS")) {
		if (op == '?')
			info(r, "+CSCS: \"%s\"", sim->cscs);
		else if (op == 't')
			info(r, "+CSCS: (\"GSM\",\"IRA\",\"UCS2\")");
		else if (op == '=') {
			n = split_args(arg, argv, 1);
			if (n != 1 || (strcmp(argv[0], "GSM") && strcmp(argv[0], "IRA") &&
			    strcmp(argv[0], "UCS2"))) {
				final_cme(sim, r, 50);
				return 0;
			}
			snprintf(sim->cscs, sizeof(sim->cscs), "%s", argv[0]);
		}
		final_ok(r);
	} else if (!strcmp(name, "CSCA")) {
		if (op == '?') {
			s = cs_encode(sim, sim->smsc);
			info(r, "+CSCA: \"%s\",%d", s, sim->smsc[0] == '+' ? 145 : 129);
			free(s);
		} else if (op == '=') {
			n = split_args(arg, argv, 2);
			if (n < 1 || *argv[0] == '\0') {
				final_cms(sim, r, 304);
				return 0;
			}
			s = cs_decode(sim, argv[0]);
			if (!phone_number_ok(s)) {
				free(s);
				final_cms(sim, r, 304);
				return 0;
			}
			snprintf(sim->smsc, sizeof(sim->smsc), "%s", s);
			free(s);
		}
		final_ok(r);
	} else if (!strcmp(name, "CMGF")) {
		/* PDU mode only: text mode is refused, so clients fall back to PDU. */
		if (op == '=' && strcmp(arg, "0") != 0) {
			final_error(r);
			return 0;
		}
		if (op == '?')
			info(r, "+CMGF: 0");
		else if (op == 't')
			info(r, "+CMGF: (0)");
		final_ok(r);
	} else if (!strcmp(name, "CPMS"))
		cmd_cpms(sim, r, op, arg);
	else if (!strcmp(name, "CNMI")) {
		if (op == '?')
			info(r, "+CNMI: %d,%d,%d,%d,%d", sim->cnmi[0], sim->cnmi[1], sim->cnmi[2],
			    sim->cnmi[3], sim->cnmi[4]);
		else if (op == 't')
			info(r, "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)");
		else if (op == '=') {
			int v[5];
			memcpy(v, sim->cnmi, sizeof(v));
			n = parse_ints(arg, v, 5);
			if (n < 1 || v[0] < 0 || v[0] > 3 || v[1] < 0 || v[1] > 3) {
				final_cms(sim, r, 303);
				return 0;
			}
			memcpy(sim->cnmi, v, sizeof(v));
		}
		final_ok(r);
	} else if (!strcmp(name, "CMGL"))
		cmd_cmgl(sim, r, op, arg);
	else if (!strcmp(name, "CMGR"))
		cmd_cmgr(sim, r, op, arg);
	else if (!strcmp(name, "CMGD"))
		cmd_cmgd(sim, r, op, arg);
	else if (!strcmp(name, "CMGS") || !strcmp(name, "CMGW")) {
		int v[2] = { 0, 2 };
		if (op == 't') {
			final_ok(r);
			return 0;
		}
		if (op != '=' || parse_ints(arg, v, 2) < 1 || v[0] < 7 || v[0] > 180 ||
		    v[1] < 0 || v[1] > 3) {
			final_cms(sim, r, 304);
			return 0;
		}
		sim->pdu_mode = name[3] == 'S' ? 1 : 2;
		sim->pdu_expect = v[0];
		sim->pdu_stat = v[1];
		sim->pdu_hexlen = 0;
		sb_add(r, "\r\n> ", 4);
		return 1;
	} else if (!strcmp(name, "CMSS"))
		cmd_cmss(sim, r, op, arg);
	else if (!strcmp(name, "CSMS")) {
		if (op == '?')
			info(r, "+CSMS: %d,1,1,1", sim->csms);
		else if (op == 't')
			info(r, "+CSMS: (0,1)");
		else if (op == '=') {
			int v = 0;
			if (parse_ints(arg, &v, 1) != 1 || v < 0 || v > 1) {
				final_cms(sim, r, 303);
				return 0;
			}
			sim->csms = v;
			info(r, "+CSMS: 1,1,1");
		}
		final_ok(r);
	} else if (!strcmp(name, "CMMS"))
		cmd_setting(sim, r, op, arg, "CMMS", &sim->cmms, "(0-2)", 0, 2);
	else if (!strcmp(name, "CUSD"))
		cmd_cusd(sim, r, op, arg);
	else if (!strcmp(name, "CLIP")) {
		if (op == '?') {
			info(r, "+CLIP: %d,1", sim->clip);
			final_ok(r);
		} else
			cmd_setting(sim, r, op, arg, "CLIP", &sim->clip, "(0,1)", 0, 1);
	} else if (!strcmp(name, "CFUN")) {
		int v[2] = { 1, 0 };
		if (op == '=') {
			if (parse_ints(arg, v, 2) < 1 || (v[0] != 0 && v[0] != 1 && v[0] != 4)) {
				final_cme(sim, r, 50);
				return 0;
			}
			sim->cfun = v[0] == 1;
			final_ok(r);
			if (sim->cfun)
				deliver_held(sim);
		} else
			cmd_setting(sim, r, op, arg, "CFUN", &sim->cfun, "(0,1,4),(0,1)", 0, 1);
	} else if (!strcmp(name, "CCLK") && op == '?') {
		time_t	 t = net_now(sim) + 7 * 3600;
		struct tm tm;
		char	 b[32];

		gmtime_r(&t, &tm);
		strftime(b, sizeof(b), "%y/%m/%d,%H:%M:%S", &tm);
		if (sim->clock_unset)
			info(r, "+CCLK: \"00/01/01,00:00:00+00\"");
		else
			info(r, "+CCLK: \"%s+28\"", b);
		final_ok(r);
	} else if (!strcmp(name, "CNUM")) {
		final_ok(r);
	} else if (!strcmp(name, "CSDH") || !strcmp(name, "CSCB") || !strcmp(name, "CNMA")) {
		final_ok(r);
	} else
		final_error(r);
	return 0;
}

/*
 * Runs one command line. Basic commands (E, Z, I, V, Q, &F, S…) may be chained; extended ones
 * (+X, ^X) are separated by ';'. Returns 1 when the line left us at the "> " prompt.
 */
static int
run_line(struct sim *sim, struct sbuf *r, char *line)
{
	char	*p = line + 2;

	if (*p == '\0') {
		final_ok(r);
		return 0;
	}
	while (*p != '\0') {
		int c = toupper((unsigned char)*p);

		if (c == '+' || c == '^') {
			char	 name[32], op = 0, *arg = (char *)"", *end;
			size_t	 n = 0;

			p++;
			while (*p != '\0' && *p != '=' && *p != '?' && *p != ';' && n + 1 <
			    sizeof(name))
				name[n++] = toupper((unsigned char)*p++);
			name[n] = '\0';
			if (c == '^')
				return final_error(r), 0;
			if (*p == '?') {
				op = '?';
				p++;
			} else if (*p == '=' && p[1] == '?') {
				op = 't';
				p += 2;
			} else if (*p == '=') {
				op = '=';
				arg = ++p;
				/* The argument runs to ';' outside quotes. */
				for (end = p; *end != '\0'; end++) {
					if (*end == '"') {
						end = strchr(end + 1, '"');
						if (end == NULL) {
							end = p + strlen(p);
							break;
						}
					} else if (*end == ';')
						break;
				}
				p = end;
			}
			if (*p == ';')
				*p++ = '\0';
			if (*p != '\0') {
				/* More commands follow: run this one, keep only its info lines. */
				struct sbuf sub = { 0 };
				if (run_extended(sim, &sub, name, op, arg)) {
					free(sub.s);
					return final_error(r), 0;
				}
				if (sub.len >= 6 && strcmp(sub.s + sub.len - 6, "\r\nOK\r\n") == 0) {
					sb_add(r, sub.s, sub.len - 6);
					free(sub.s);
					continue;
				}
				sb_add(r, sub.s, sub.len);
				free(sub.s);
				return 0;
			}
			return run_extended(sim, r, name, op, arg);
		}
		p++;
		switch (c) {
		case ' ':
			break;
		case 'E':
			sim->echo = *p == '1';
			if (isdigit((unsigned char)*p))
				p++;
			break;
		case 'Z':
			sim->echo = 1;
			sim->cmee = 0;
			sim->cnmi[0] = sim->cnmi[1] = sim->cnmi[2] = sim->cnmi[3] = sim->cnmi[4] = 0;
			snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
			while (isdigit((unsigned char)*p))
				p++;
			break;
		case 'I':
			info(r, "Manufacturer: %s", sim->manufacturer);
			info(r, "Model: %s", sim->model);
			info(r, "Revision: modemsim %s", KT_VERSION);
			info(r, "IMEI: %s", sim->imei);
			info(r, "+GCAP: +CGSM");
			while (isdigit((unsigned char)*p))
				p++;
			break;
		case '&':
			c = toupper((unsigned char)*p);
			if (c == '\0')
				return final_error(r), 0;
			p++;
			if (c == 'F') {
				sim->echo = 1;
				sim->cmee = 0;
				snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
			}
			while (isdigit((unsigned char)*p))
				p++;
			break;
		case 'V': case 'Q': case 'X': case 'L': case 'M': case 'H':
			while (isdigit((unsigned char)*p))
				p++;
			break;
		case 'S':
			while (isdigit((unsigned char)*p))
				p++;
			if (*p == '?') {
				info(r, "000");
				p++;
			} else if (*p == '=') {
				p++;
				while (isdigit((unsigned char)*p))
					p++;
			}
			break;
		default:
			return final_error(r), 0;
		}
	}
	final_ok(r);
	return 0;
}

static void
noise_line(struct sim *sim, char *buf, size_t len)
{
	switch (sim->noise_seq++ % 4) {
	case 0:
		snprintf(buf, len, "RING");
		break;
	case 1:
		snprintf(buf, len, "^RSSI: %d", sim->signal);
		break;
	case 2:
		snprintf(buf, len, "^BOOT:20382058,0,0,0,6");
		break;
	default:
		snprintf(buf, len, "^MODE: 5,4");
		break;
	}
}

/* Sends a command's reply, with a noise line interleaved when noise is on. */
static void
reply_send(struct sim *sim, const char *reply)
{
	char	 nl[64];

	if (sim->noise && reply[0] != '\0' && strcmp(reply, "\r\n> ") != 0) {
		noise_line(sim, nl, sizeof(nl));
		out_str(sim, "\r\n");
		out_str(sim, nl);
		out_str(sim, "\r\n");
	}
	out_str(sim, reply);
}

static void input_bytes(struct sim *, const char *, size_t);

static void
command_line(struct sim *sim)
{
	struct sbuf	 r = { 0 };
	char		*line = sim->line;
	int		 prompt, delay = 0;

	sim->line[sim->linelen] = '\0';
	sim->linelen = 0;
	sim_log(sim, "<", line, strlen(line));
	while (*line == ' ')
		line++;
	if (strncasecmp(line, "AT", 2) != 0)
		return;			/* not a command: a modem ignores it */
	sb_add(&r, "", 0);
	prompt = run_line(sim, &r, line);
	if (prompt) {
		out_str(sim, r.s);
		free(r.s);
		return;
	}
	if (strncasecmp(line, "AT+CMSS", 7) == 0 && strstr(r.s, "+CMSS:") != NULL)
		delay = sim->latency_ms;
	if (delay > 0) {
		sim->busy = 1;
		sim->busy_until = now_ms() + delay;
		sim->busy_reply = r.s;
		return;
	}
	reply_send(sim, r.s);
	free(r.s);
}

/* Ctrl-Z ended a PDU: the reply may be delayed by the send latency. */
static void
pdu_line(struct sim *sim)
{
	struct sbuf	 r = { 0 };
	int		 was = sim->pdu_mode;

	sim->pdu_hex[sim->pdu_hexlen] = '\0';
	sim_log(sim, "<", sim->pdu_hex, sim->pdu_hexlen);
	sb_add(&r, "", 0);
	pdu_done(sim, &r);
	sim->pdu_mode = 0;
	if (was == 1 && sim->latency_ms > 0) {
		sim->busy = 1;
		sim->busy_until = now_ms() + sim->latency_ms;
		sim->busy_reply = r.s;
		return;
	}
	reply_send(sim, r.s);
	free(r.s);
}

static void
input_bytes(struct sim *sim, const char *buf, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (sim->mfd == -1)
			return;
		if (sim->hang || sim->decoy) {
			sim_log(sim, sim->decoy ? "< (decoy, ignored)" : "< (hung, ignored)", buf + i, n - i);
			return;
		}
		if (sim->busy) {
			/* Still executing: keep the rest for when the command finishes. */
			sim->held_in = xrealloc(sim->held_in, sim->held_inlen + n - i);
			memcpy(sim->held_in + sim->held_inlen, buf + i, n - i);
			sim->held_inlen += n - i;
			return;
		}
		if (sim->pdu_mode) {
			if (sim->echo)
				out_raw(sim, &c, 1);	/* echo is not logged: '<' shows it */
			if (c == 0x1a)
				pdu_line(sim);
			else if (c == 0x1b) {
				sim_log(sim, "< (PDU cancelled)", "", 0);
				sim->pdu_mode = 0;
				out_str(sim, "\r\nOK\r\n");
			} else if (isxdigit((unsigned char)c) && sim->pdu_hexlen < MS_PDU_MAX + 2)
				sim->pdu_hex[sim->pdu_hexlen++] = c;
			continue;
		}
		if (sim->echo && c != 0x1b)
			out_raw(sim, &c, 1);
		if (c == '\r') {
			if (sim->linelen > 0)
				command_line(sim);
		} else if (c == '\n' || c == 0x1b || c == 0x1a)
			;
		else if (c == 0x08 || c == 0x7f) {
			if (sim->linelen > 0)
				sim->linelen--;
		} else if (sim->linelen + 1 < sizeof(sim->line))
			sim->line[sim->linelen++] = c;
	}
}

/* The delayed reply of a send is due. */
static void
busy_done(struct sim *sim)
{
	char	*held = sim->held_in;
	size_t	 n = sim->held_inlen;

	sim->busy = 0;
	/* A modem that hung meanwhile never answers. */
	if (sim->busy_reply != NULL && !sim->hang)
		reply_send(sim, sim->busy_reply);
	free(sim->busy_reply);
	sim->busy_reply = NULL;
	sim->held_in = NULL;
	sim->held_inlen = 0;
	if (held != NULL) {
		input_bytes(sim, held, n);
		free(held);
	}
}

static void
pty_read(struct sim *sim)
{
	char	 buf[4096];
	ssize_t	 n;

	n = read(sim->mfd, buf, sizeof(buf));
	if (n <= 0)
		return;
	sim->last_rx = now_ms();
	input_bytes(sim, buf, n);
}

/* ---------------------------------------------------------------- control socket */

static void __attribute__((format(printf, 2, 3)))
ctl_reply(struct sbuf *out, const char *fmt, ...)
{
	char	*p;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	sb_add(out, p, n);
	sb_add(out, "\n", 1);
	free(p);
}

/* Unescapes \n, \t and \\ in a control-line text, in place. */
static void
unescape(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* Next space-separated word of *sp, or NULL. */
static char *
word(char **sp)
{
	char	*s = *sp, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		*sp = s;
		return NULL;
	}
	w = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*sp = s;
	return w;
}

/* Whether the next word starts with "--", without consuming it. */
static int
next_is_option(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s[0] == '-' && s[1] == '-';
}

/* Whether the next word looks like HH:MM[:SS]. */
static int
next_is_time(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return isdigit((unsigned char)s[0]) && (s[1] == ':' || (isdigit((unsigned char)s[1]) &&
	    s[2] == ':'));
}

static int
parse_list(const char *s, int *v, int max)
{
	int	 n = 0;

	while (*s != '\0' && n < max) {
		char *end;
		long x = strtol(s, &end, 10);
		if (end == s)
			return -1;
		v[n++] = x;
		s = end;
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -1;
	}
	return *s == '\0' ? n : -1;
}

static int
on_off(const char *w, int *v)
{
	if (w == NULL)
		return -1;
	if (!strcmp(w, "on") || !strcmp(w, "1"))
		*v = 1;
	else if (!strcmp(w, "off") || !strcmp(w, "0"))
		*v = 0;
	else
		return -1;
	return 0;
}

static void
ctl_sms(struct sim *sim, char *rest, struct sbuf *out)
{
	struct sms_opts	 o;
	char		*w, *from, err[160];
	int		 nparts = 0, nheld = 0;

	memset(&o, 0, sizeof(o));
	while (next_is_option(rest)) {
		w = word(&rest);
		if (!strcmp(w, "--ucs2"))
			o.ucs2 = 1;
		else if (!strcmp(w, "--store-only"))
			o.store_only = 1;
		else if (!strcmp(w, "--flash"))
			o.class0 = 1;
		else if (!strcmp(w, "--parts-order")) {
			w = word(&rest);
			if (w == NULL || (o.norder = parse_list(w, o.order, MS_MAX_PARTS)) < 1) {
				ctl_reply(out, "ERR --parts-order wants a list such as 2,1,3");
				return;
			}
		} else if (!strcmp(w, "--drop-part")) {
			w = word(&rest);
			if (w == NULL || (o.ndrop = parse_list(w, o.drop, MS_MAX_PARTS)) < 1) {
				ctl_reply(out, "ERR --drop-part wants a part number such as 2");
				return;
			}
		} else if (!strcmp(w, "--smsc-time")) {
			char *d = word(&rest), *t;
			char buf[64];
			if (d == NULL) {
				ctl_reply(out, "ERR --smsc-time wants YYYY-MM-DD[THH:MM:SS]");
				return;
			}
			snprintf(buf, sizeof(buf), "%s", d);
			/* Allow "2026-11-27 14:00:00" as two words. */
			if (strchr(d, 'T') == NULL && strchr(d, ':') == NULL && next_is_time(rest)) {
				t = word(&rest);
				snprintf(buf, sizeof(buf), "%s %s", d, t);
			}
			if (parse_smsc_time(buf, &o.time) != 0) {
				ctl_reply(out, "ERR bad --smsc-time '%s': use YYYY-MM-DD[THH:MM:SS]",
				    buf);
				return;
			}
			o.has_time = 1;
		} else {
			ctl_reply(out, "ERR unknown sms option %s (try: --ucs2 --store-only "
			    "--flash --parts-order L --drop-part N --smsc-time T)", w);
			return;
		}
	}
	from = word(&rest);
	while (*rest == ' ')
		rest++;
	if (from == NULL || *rest == '\0') {
		ctl_reply(out, "ERR usage: sms [OPTIONS] FROM TEXT");
		return;
	}
	if (!phone_number_ok(from) && (strlen(from) > 11 || from[0] == '+')) {
		ctl_reply(out, "ERR bad sender '%s': a number (+62812…, up to 20 digits) or an "
		    "alphanumeric name of at most 11 characters", from);
		return;
	}
	unescape(rest);
	if (sms_incoming(sim, from, rest, &o, err, sizeof(err), &nparts, &nheld) != 0) {
		ctl_reply(out, "ERR %s", err);
		return;
	}
	sim_event(sim, "incoming sms from %s, %d part(s), %d held", from, nparts, nheld);
	if (nheld > 0)
		ctl_reply(out, "OK parts=%d held=%d (%s)", nparts, nheld,
		    sim->dereg || !sim->cfun ? "not registered" : "SIM storage full");
	else
		ctl_reply(out, "OK parts=%d", nparts);
}

/* pdu [--store-only] [--stat N] [--unreadable] HEX: a part exactly as the network would deliver it
 * (SMSC + TPDU), whatever it holds: for malformed messages a real modem may hand over. --stat
 * stores it with that <stat> (2 STO UNSENT, 3 STO SENT: a stored SUBMIT, no +CMTI); --unreadable
 * makes AT+CMGR of its slot fail (the listing still shows it). */
static void
ctl_pdu(struct sim *sim, char *rest, struct sbuf *out)
{
	unsigned char	 pdu[sizeof(((struct slot *)0)->pdu)];
	int		 store_only = 0, stat = 0, unreadable = 0;
	ssize_t		 n;
	char		*w;

	while (next_is_option(rest)) {
		w = word(&rest);
		if (!strcmp(w, "--store-only"))
			store_only = 1;
		else if (!strcmp(w, "--unreadable"))
			unreadable = 1;
		else if (!strcmp(w, "--stat") && (w = word(&rest)) != NULL && *w >= '0' && *w <= '3' &&
		    w[1] == '\0') {
			stat = *w - '0';
			store_only |= stat >= 2;
		} else {
			ctl_reply(out, "ERR bad option %s (pdu [--store-only] [--stat 0-3] [--unreadable] HEX)",
			    w ? w : "--stat");
			return;
		}
	}
	w = word(&rest);
	if (w == NULL || (n = hex_decode(w, strlen(w), pdu, sizeof(pdu))) < 2) {
		ctl_reply(out, "ERR pdu wants the SMSC and TPDU as hex, at most %zu bytes", sizeof(pdu));
		return;
	}
	sim->next_stat = stat;
	sim->next_unreadable = unreadable;
	if (deliver_part(sim, pdu, (size_t)n, store_only, 1))
		ctl_reply(out, "OK parts=1 held=1 (%s)", sim->dereg || !sim->cfun ? "not registered" :
		    "SIM storage full");
	else
		ctl_reply(out, "OK parts=1");
	sim->next_stat = sim->next_unreadable = 0;	/* held back: stored plain later */
	sim_event(sim, "incoming raw pdu, %zd bytes", n);
}

static void
ctl_list(struct sim *sim, struct sbuf *out)
{
	static const char *stats[] = { "unread", "read", "unsent", "sent" };
	struct held	*h;
	int		 i, n = 0, nheld = 0;

	for (i = 0; i < sim->storage; i++) {
		GSM_SMSMessage	 sms;
		char		 num[128], text[4 * (GSM_MAX_SMS_LENGTH + 1)];
		struct sbuf	 line = { 0 };

		if (!sim->slots[i].used)
			continue;
		n++;
		/* an SMSC address longer than 12 octets crashes libGammu's decoder (a test's poison) */
		if (sim->slots[i].pdu[0] > 11 || pdu_decode(sim->slots[i].pdu, sim->slots[i].len, &sms) != 0) {
			ctl_reply(out, "%d %s ? undecodable", i + 1, stats[sim->slots[i].stat]);
			continue;
		}
		ucs2_to_utf8(sms.Number, ucs2_len(sms.Number), num, sizeof(num));
		sms_text_utf8(&sms, text, sizeof(text));
		if (sms.PDU == SMS_Status_Report)
			sb_printf(&line, "%d %s %s report mr=%d ", i + 1, stats[sim->slots[i].stat],
			    num, sms.MessageReference);
		else
			sb_printf(&line, "%d %s %s %d/%d ", i + 1, stats[sim->slots[i].stat], num,
			    sms.UDH.AllParts > 0 ? sms.UDH.PartNumber : 1,
			    sms.UDH.AllParts > 0 ? sms.UDH.AllParts : 1);
		json_str(&line, text);
		ctl_reply(out, "%s", line.s);
		free(line.s);
	}
	for (h = sim->held; h != NULL; h = h->next)
		nheld++;
	ctl_reply(out, "OK %d stored, %d held by the network", n, nheld);
}

static void
ctl_status(struct sim *sim, struct sbuf *out)
{
	int	 h = 0;
	struct held *e;
	char	 cms[64];

	for (e = sim->held; e != NULL; e = e->next)
		h++;
	if (sim->cms_code == 0)
		snprintf(cms, sizeof(cms), "off");
	else if (sim->cms_count < 0)
		snprintf(cms, sizeof(cms), "%d/fraction=%g", sim->cms_code, sim->cms_fraction);
	else
		snprintf(cms, sizeof(cms), "%d/count=%d", sim->cms_code, sim->cms_count);
	ctl_reply(out, "OK pty=%s link=%s plugged=%s mccmnc=%s imei=%s imsi=%s "
	    "signal=%d registered=%d stored=%d/%d held=%d sent=%u echo=%d cscs=%s "
	    "cnmi=%d,%d,%d,%d,%d latency_ms=%d cms_error=%s hang=%s storage_full=%s "
	    "deregistered=%s noise=%s reports=%d operator=\"%s\"",
	    sim->mfd != -1 ? sim->ptyname : "-", sim->link ? sim->link : "-",
	    sim->mfd != -1 ? "yes" : "no", sim->mccmnc, sim->imei, sim->imsi,
	    sim->signal, reg_stat(sim), slots_used(sim), sim->storage, h, sim->nsent, sim->echo,
	    sim->cscs, sim->cnmi[0], sim->cnmi[1], sim->cnmi[2], sim->cnmi[3], sim->cnmi[4],
	    sim->latency_ms, cms, sim->hang ? "on" : "off", sim->storage_full ? "on" : "off",
	    sim->dereg ? "on" : "off", sim->noise ? "on" : "off", sim->report_status,
	    sim->opname);
}

static void
ctl_fault(struct sim *sim, char *rest, struct sbuf *out)
{
	char	*what = word(&rest), *w;
	int	 v;

	if (what == NULL) {
		ctl_reply(out, "ERR usage: fault latency MS | cms-error CODE [COUNT|--fraction F] | "
		    "cms-error off | hang on|off | disconnect SECONDS [NEW-LINK] | "
		    "storage-full on|off | deregister on|off | noise on|off | read-error on|off | "
		    "list-error on|off | clear");
		return;
	}
	w = word(&rest);
	if (!strcmp(what, "latency")) {
		if (w == NULL || (v = atoi(w)) < 0 || v > 600000 || !isdigit((unsigned char)*w)) {
			ctl_reply(out, "ERR fault latency wants milliseconds, 0 to 600000");
			return;
		}
		sim->latency_ms = v;
	} else if (!strcmp(what, "cms-error")) {
		if (w != NULL && !strcmp(w, "off")) {
			sim->cms_code = 0;
		} else {
			char *c = word(&rest);
			if (w == NULL || (v = atoi(w)) <= 0 || v > 555) {
				ctl_reply(out, "ERR fault cms-error wants a code, e.g. 500 or 38");
				return;
			}
			sim->cms_code = v;
			sim->cms_count = 1;
			if (c != NULL && !strcmp(c, "--fraction")) {
				char *f = word(&rest);
				double x = f != NULL ? atof(f) : -1;
				if (x <= 0 || x > 1) {
					ctl_reply(out, "ERR --fraction wants a number in (0, 1]");
					return;
				}
				sim->cms_count = -1;
				sim->cms_fraction = x;
				sim->nsends = 0;
			} else if (c != NULL) {
				if ((sim->cms_count = atoi(c)) <= 0) {
					ctl_reply(out, "ERR fault cms-error COUNT must be 1 or more");
					sim->cms_code = 0;
					return;
				}
			}
		}
	} else if (!strcmp(what, "hang")) {
		if (on_off(w, &sim->hang) != 0) {
			ctl_reply(out, "ERR fault hang on|off");
			return;
		}
		if (!sim->hang)
			sim->linelen = 0;
	} else if (!strcmp(what, "disconnect")) {
		char *nl = word(&rest);
		if (w == NULL || (v = atoi(w)) < 0 || v > 3600 || !isdigit((unsigned char)*w)) {
			ctl_reply(out, "ERR fault disconnect wants SECONDS (0 to 3600) [NEW-LINK]");
			return;
		}
		if (sim->mfd == -1) {
			ctl_reply(out, "ERR already unplugged");
			return;
		}
		pty_unplug(sim, v, nl);
	} else if (!strcmp(what, "storage-full")) {
		if (on_off(w, &sim->storage_full) != 0) {
			ctl_reply(out, "ERR fault storage-full on|off");
			return;
		}
		if (!sim->storage_full)
			deliver_held(sim);
	} else if (!strcmp(what, "deregister")) {
		int was = sim->dereg;
		if (on_off(w, &sim->dereg) != 0) {
			ctl_reply(out, "ERR fault deregister on|off");
			return;
		}
		if (was != sim->dereg && sim->creg_n > 0) {
			char l[32];
			snprintf(l, sizeof(l), "+CREG: %d", reg_stat(sim));
			urc(sim, l);
		}
		if (!sim->dereg)
			deliver_held(sim);
	} else if (!strcmp(what, "read-error")) {
		if (on_off(w, &sim->read_error) != 0) {
			ctl_reply(out, "ERR fault read-error on|off");
			return;
		}
	} else if (!strcmp(what, "list-error")) {
		if (on_off(w, &sim->list_error) != 0) {
			ctl_reply(out, "ERR fault list-error on|off");
			return;
		}
	} else if (!strcmp(what, "noise")) {
		if (on_off(w, &sim->noise) != 0) {
			ctl_reply(out, "ERR fault noise on|off");
			return;
		}
		sim->noise_at = now_ms() + 200;
	} else if (!strcmp(what, "clear")) {
		sim->latency_ms = 0;
		sim->cms_code = 0;
		sim->hang = 0;
		sim->storage_full = 0;
		sim->dereg = 0;
		sim->noise = 0;
		sim->read_error = 0;
		sim->list_error = 0;
		deliver_held(sim);
	} else {
		ctl_reply(out, "ERR unknown fault '%s' (latency, cms-error, hang, disconnect, "
		    "storage-full, deregister, noise, read-error, list-error, clear)", what);
		return;
	}
	sim_event(sim, "fault %s %s", what, w ? w : "");
	ctl_reply(out, "OK");
}

static void
ctl_ussd_reply(struct sim *sim, char *rest, struct sbuf *out)
{
	struct ussd_entry	*e, **pp;
	char			*w, *code;
	int			 status = 0, none = 0;

	while (next_is_option(rest)) {
		w = word(&rest);
		if (!strcmp(w, "--menu"))
			status = 1;
		else if (!strcmp(w, "--unsupported"))
			status = 4;
		else if (!strcmp(w, "--no-reply"))
			none = 1;
		else {
			ctl_reply(out, "ERR unknown option %s (--menu, --unsupported, --no-reply)",
			    w);
			return;
		}
	}
	code = word(&rest);
	while (*rest == ' ')
		rest++;
	if (code == NULL || (*rest == '\0' && status != 4 && !none)) {
		ctl_reply(out, "ERR usage: ussd-reply [--menu|--unsupported|--no-reply] CODE TEXT");
		return;
	}
	unescape(rest);
	for (pp = &sim->ussd; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->code, code) == 0)
			break;
	if ((e = *pp) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->code = xstrdup(code);
		*pp = e;
	}
	free(e->text);
	e->text = none ? NULL : xstrdup(rest);
	e->status = status;
	ctl_reply(out, "OK");
}

static void
ctl_ussd_push(struct sim *sim, char *rest, struct sbuf *out)
{
	char	*t, *line;
	int	 status = 0;

	if (next_is_option(rest)) {
		if (strcmp(word(&rest), "--menu") != 0) {
			ctl_reply(out, "ERR usage: ussd-push [--menu] TEXT");
			return;
		}
		status = 1;
	}
	while (*rest == ' ')
		rest++;
	if (*rest == '\0') {
		ctl_reply(out, "ERR usage: ussd-push [--menu] TEXT");
		return;
	}
	if (sim->mfd == -1) {
		ctl_reply(out, "ERR the modem is unplugged");
		return;
	}
	unescape(rest);
	t = cs_encode(sim, rest);
	xasprintf(&line, "+CUSD: %d,\"%s\",%d", status, t, strcmp(sim->cscs, "UCS2") == 0 ? 72 : 15);
	urc(sim, line);
	free(line);
	free(t);
	ctl_reply(out, "OK");
}

/* clock: the network's time (UTC); clock skew SECONDS | clock set 'YYYY-MM-DD HH:MM:SS' (UTC) |
 * clock unset (no NITZ: AT+CCLK? answers 2000-01-01) | clock real */
static void
ctl_clock(struct sim *sim, char *rest, struct sbuf *out)
{
	char		*w = word(&rest), *end = NULL, b[32];
	struct tm	 tm;
	time_t		 t;
	long		 v;

	if (w == NULL) {
		;
	} else if (!strcmp(w, "skew") && (w = word(&rest)) != NULL && (v = strtol(w, &end, 10), *end == '\0')) {
		sim->clock_skew = v;
		sim->clock_unset = 0;
	} else if (!strcmp(w, "set")) {
		while (*rest == ' ')
			rest++;
		unescape(rest);
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(rest, "%Y-%m-%d %H:%M:%S", &tm)) == NULL || *end != '\0') {
			ctl_reply(out, "ERR usage: clock set 'YYYY-MM-DD HH:MM:SS' (UTC)");
			return;
		}
		sim->clock_skew = (long)(timegm(&tm) - time(NULL));
		sim->clock_unset = 0;
	} else if (!strcmp(w, "unset"))
		sim->clock_unset = 1;
	else if (!strcmp(w, "real"))
		sim->clock_skew = sim->clock_unset = 0;
	else {
		ctl_reply(out, "ERR usage: clock [skew SECONDS | set 'YYYY-MM-DD HH:MM:SS' | unset | real]");
		return;
	}
	t = net_now(sim);
	gmtime_r(&t, &tm);
	strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
	ctl_reply(out, "OK network=%s UTC skew=%ld%s", b, sim->clock_skew, sim->clock_unset ? " unset" : "");
}

static void
ctl_command(struct sim *sim, char *line, struct sbuf *out)
{
	char	*rest = line, *cmd;

	while (*line != '\0' && (line[strlen(line) - 1] == '\r' || line[strlen(line) - 1] == ' '))
		line[strlen(line) - 1] = '\0';
	sim_log(sim, "ctl<", line, strlen(line));
	cmd = word(&rest);
	if (cmd == NULL)
		ctl_reply(out, "ERR empty command; try 'help'");
	else if (!strcmp(cmd, "sms"))
		ctl_sms(sim, rest, out);
	else if (!strcmp(cmd, "pdu"))
		ctl_pdu(sim, rest, out);
	else if (!strcmp(cmd, "list"))
		ctl_list(sim, out);
	else if (!strcmp(cmd, "sent")) {
		struct strlist *e;
		int n = 0;
		char *w = word(&rest);
		if (w != NULL && !strcmp(w, "--clear")) {
			strlist_free(&sim->sent);
			sim->sent_tail = &sim->sent;
			ctl_reply(out, "OK cleared");
			return;
		}
		for (e = sim->sent; e != NULL; e = e->next, n++)
			ctl_reply(out, "%s", e->s);
		ctl_reply(out, "OK %d sent", n);
	} else if (!strcmp(cmd, "ussd-reply"))
		ctl_ussd_reply(sim, rest, out);
	else if (!strcmp(cmd, "ussd-push"))
		ctl_ussd_push(sim, rest, out);
	else if (!strcmp(cmd, "fault"))
		ctl_fault(sim, rest, out);
	else if (!strcmp(cmd, "status"))
		ctl_status(sim, out);
	else if (!strcmp(cmd, "reports")) {
		char *w = word(&rest), *end = NULL;
		long v = 0;
		if (w != NULL && !strcmp(w, "on"))
			sim->report_status = 0;
		else if (w != NULL && !strcmp(w, "off"))
			sim->report_status = -1;
		else if (w != NULL && !strcmp(w, "status") && (w = word(&rest)) != NULL &&
		    (v = strtol(w, &end, 0), *end == '\0') && v >= 0 && v <= 255)
			sim->report_status = v;
		else if (w != NULL && !strcmp(w, "delay") && (w = word(&rest)) != NULL &&
		    (v = strtol(w, &end, 10), *end == '\0') && v >= 0 && v <= 3600000)
			sim->report_delay_ms = v;
		else {
			ctl_reply(out, "ERR usage: reports on | off | status TP-ST (0x00 delivered, "
			    "0x41 incompatible destination, 0x45 failed…) | delay MS");
			return;
		}
		ctl_reply(out, "OK");
	} else if (!strcmp(cmd, "signal")) {
		char *w = word(&rest);
		int v = w ? atoi(w) : -1;
		if (w == NULL || v < 0 || v > 31 || !isdigit((unsigned char)*w)) {
			ctl_reply(out, "ERR signal wants 0 to 31");
			return;
		}
		sim->signal = v;
		ctl_reply(out, "OK");
	} else if (!strcmp(cmd, "unreadable")) {
		char	*a = word(&rest), *b = word(&rest);
		int	 idx = a ? atoi(a) : 0, v;

		if (idx < 1 || idx > sim->storage || !sim->slots[idx - 1].used || on_off(b, &v) != 0)
			ctl_reply(out, "ERR unreadable SLOT on|off (an occupied slot)");
		else {
			sim->slots[idx - 1].unreadable = v;
			ctl_reply(out, "OK");
		}
	} else if (!strcmp(cmd, "clock"))
		ctl_clock(sim, rest, out);
	else if (!strcmp(cmd, "clear")) {
		int i;
		for (i = 0; i < sim->storage; i++)
			sim->slots[i].used = 0;
		ctl_reply(out, "OK");
	} else if (!strcmp(cmd, "ping"))
		ctl_reply(out, "OK pong");
	else if (!strcmp(cmd, "help"))
		ctl_reply(out, "OK commands: sms, list, clear, sent, ussd-reply, ussd-push, fault, "
		    "signal, clock, status, ping (see modemsim --help)");
	else
		ctl_reply(out, "ERR unknown command '%s'; try 'help'", cmd);
}

static void
ctl_conn_close(struct sim *sim, struct ctl_conn *c)
{
	struct ctl_conn	**pp;

	for (pp = &sim->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	close(c->fd);
	free(c);
}

static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

static void
ctl_read(struct sim *sim, struct ctl_conn *c)
{
	ssize_t	 n;
	char	*nl;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0) {
		ctl_conn_close(sim, c);
		return;
	}
	c->len += n;
	c->buf[c->len] = '\0';
	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		struct sbuf	 out = { 0 };
		size_t		 used = nl - c->buf + 1;

		*nl = '\0';
		sb_add(&out, "", 0);
		ctl_command(sim, c->buf, &out);
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		c->buf[c->len] = '\0';
		/* Replies are small; the client reads them at once. */
		if (write_all(c->fd, out.s, out.len) != 0) {
			free(out.s);
			ctl_conn_close(sim, c);
			return;
		}
		free(out.s);
	}
	if (c->len == sizeof(c->buf) - 1) {
		const char *e = "ERR line too long\n";
		write_all(c->fd, e, strlen(e));
		ctl_conn_close(sim, c);
	}
}

static int
ctl_listen(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "modemsim: control socket path too long: %s\n", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || listen(fd, 16) == -1) {
		fprintf(stderr, "modemsim: cannot listen on %s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* modemsim ctl SOCKET COMMAND…: one command, prints the reply, exit 0 on OK, 1 ERR, 2 no sim. */
static int
ctl_client(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct sbuf		 line = { 0 };
	char			 buf[4096], *last;
	size_t			 got = 0;
	char			*all = NULL;
	int			 fd, i;
	ssize_t			 n;

	if (argc < 2) {
		fprintf(stderr, "usage: modemsim ctl SOCKET COMMAND [ARGS…]\n");
		return 2;
	}
	if (strlen(argv[0]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "modemsim: socket path too long: %s\n", argv[0]);
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[0]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "modemsim: cannot connect to %s: %s (is modemsim running with "
		    "--ctl %s?)\n", argv[0], strerror(errno), argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (i > 1)
			sb_add(&line, " ", 1);
		sb_add(&line, argv[i], strlen(argv[i]));
	}
	sb_add(&line, "\n", 1);
	if (write_all(fd, line.s, line.len) != 0) {
		fprintf(stderr, "modemsim: cannot send to %s: %s\n", argv[0], strerror(errno));
		return 2;
	}
	free(line.s);
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		all = xrealloc(all, got + n + 1);
		memcpy(all + got, buf, n);
		got += n;
		all[got] = '\0';
	}
	close(fd);
	if (all == NULL) {
		fprintf(stderr, "modemsim: no reply from %s\n", argv[0]);
		return 2;
	}
	fputs(all, stdout);
	/* The verdict is on the last line. */
	if (got > 0 && all[got - 1] == '\n')
		all[--got] = '\0';
	last = strrchr(all, '\n');
	last = last != NULL ? last + 1 : all;
	i = strncmp(last, "OK", 2) == 0 ? 0 : 1;
	free(all);
	return i;
}

/* ---------------------------------------------------------------- main */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: modemsim [OPTIONS]             run a simulated GSM modem on a pseudo-terminal\n"
"       modemsim ctl SOCKET COMMAND…   send one control command to a running modemsim\n"
"\n"
"modemsim opens a pty and answers AT commands (3GPP TS 27.005/27.007, PDU mode) like a\n"
"USB GSM modem, well enough for libGammu's AT driver (connection = at, model = at). The pty\n"
"path is the first line on standard output once it is ready.\n"
"\n"
"Options:\n"
"  --link PATH          keep a symlink PATH -> current pty (survives re-enumeration)\n"
"  --ctl SOCKET         control socket (Unix stream, one command per line)\n"
"  --sent-log FILE      append every sent part as a JSON line: to, text, parts, part,\n"
"                       concat_ref, udh (hex), reference (TP-MR), coding, smsc,\n"
"                       status_report (TP-SRR set), time\n"
"  --log FILE           log every byte line received and sent, with UTC timestamps\n"
"                       ('<' from the client, '>' to it, '*' events); '-' is stderr\n"
"  --operator NAME      preset: telkomsel (510 10), indosat (510 01), xl (510 11),\n"
"                       axis (510 08), tri (510 89), smartfren (510 28); sets network name,\n"
"                       MCC/MNC, IMSI prefix, SMSC and balance USSD code (default telkomsel)\n"
"  --operator-name NAME network name shown by AT+COPS? (overrides the preset)\n"
"  --mccmnc N           MCC+MNC, e.g. 51010 (overrides the preset)\n"
"  --imei N             15 digits (default 356938035643809)\n"
"  --imsi N             15 digits (default MCC+MNC+0000000001)\n"
"  --manufacturer NAME  AT+CGMI answer (default Kentongan)\n"
"  --model NAME         AT+CGMM answer (default modemsim)\n"
"  --decoy              never answer anything (a stick's diagnostic or GPS port)\n"
"  --no-sms             answer AT but refuse every SMS command with ERROR (a port or\n"
"                       firmware without SMS service)\n"
"  --sim-pin            the SIM waits for its PIN: AT+CPIN? answers SIM PIN, SMS commands\n"
"                       +CME ERROR: 11\n"
"  --smsc NUMBER        SMS centre number reported by AT+CSCA?\n"
"  --signal 0-31        AT+CSQ level (default 20)\n"
"  --storage N          SIM message slots (default 30, 1-255)\n"
"  --send-latency MS    delay before each +CMGS/+CMSS answer (a real modem: 2000-10000)\n"
"  --foreground         stay in the foreground (default)\n"
"  --daemon             detach after printing the pty path\n"
"  --pidfile FILE       write the process id\n"
"  --help, --version\n"
"\n"
"AT commands: AT ATE0/1 ATZ ATI AT&F ATV/Q/S (accepted) +CMEE +CGMI +CGMM +CGMR +CGSN\n"
"  +CIMI +GCAP +CPIN? +CSQ +CREG +CGREG +COPS +CSCS (GSM, IRA, UCS2) +CSCA +CMGF (0 only)\n"
"  +CPMS (SM) +CNMI +CMGL +CMGR +CMGD +CMGS +CMGW +CMSS +CSMS +CMMS +CUSD +CLIP +CFUN\n"
"  +CCLK? +CNUM +CSDH +CSCB +CNMA; anything else answers ERROR. Echo is on after reset.\n"
"  Incoming messages: AT+CNMI=x,1 -> +CMTI: \"SM\",n; x,2 -> +CMT: ,len + PDU; x,0 -> silent.\n"
"\n"
"Control commands (reply: zero or more data lines, then \"OK …\" or \"ERR reason\"):\n"
"  sms [--ucs2] [--store-only] [--flash] [--parts-order 2,1,3] [--drop-part 2]\n"
"      [--smsc-time 'YYYY-MM-DD HH:MM:SS'] FROM TEXT\n"
"                       deliver TEXT from FROM (\\n in TEXT is a newline); long texts are\n"
"                       split into real concatenated parts; --store-only skips +CMTI;\n"
"                       FROM is a number (+62812…, 3636) or a name of up to 11 characters\n"
"  pdu [--store-only] [--stat 0-3] [--unreadable] HEX   deliver one part exactly as given\n"
"                       (SMSC + TPDU in hex), even a malformed one; --stat 2|3 stores it as\n"
"                       a draft or sent copy; --unreadable: AT+CMGR of its slot fails\n"
"  unreadable SLOT on|off   AT+CMGR of that slot fails (+CMS ERROR: 500), or no longer\n"
"  list                 stored messages: INDEX STATE FROM PART/PARTS \"TEXT\"\n"
"  clear                empty the SIM\n"
"  sent [--clear]       the JSON lines of sent parts (as in --sent-log)\n"
"  ussd-reply [--menu|--unsupported|--no-reply] CODE [TEXT]\n"
"                       set the network's answer to a USSD code (default: operator's\n"
"                       balance code answers a balance text; others UNKNOWN APPLICATION)\n"
"  ussd-push [--menu] TEXT   network-initiated USSD (+CUSD: 0|1,\"…\",dcs)\n"
"  signal N             set the AT+CSQ level\n"
"  clock [skew SECONDS | set 'YYYY-MM-DD HH:MM:SS' | unset | real]\n"
"                       the network's time (UTC) for AT+CCLK? and SMSC time stamps; unset: no NITZ\n"
"  reports on|off|status TP-ST|delay MS   status reports for parts sent with TP-SRR:\n"
"                       after MS (default 500) a report with TP-ST (default 0x00,\n"
"                       delivered) comes as +CDS (AT+CNMI x,x,x,1) or +CDSI (x,x,x,2)\n"
"  fault latency MS     delay each send answer by MS\n"
"  fault cms-error CODE [COUNT]         the next COUNT sends (default 1) get +CMS ERROR: CODE\n"
"  fault cms-error CODE --fraction F    a fraction F (0-1] of sends fail, deterministically\n"
"  fault cms-error off\n"
"  fault hang on|off    stop answering (input is read and dropped)\n"
"  fault disconnect SECONDS [NEW-LINK]  close the pty (clients get EIO/hang-up), come back\n"
"                       after SECONDS on a new pty behind --link and, if given, NEW-LINK\n"
"  fault storage-full on|off   SIM full: no +CMTI, the network holds incoming messages,\n"
"                       AT+CMGW gets +CMS ERROR: 322; held messages arrive when room is made\n"
"  fault deregister on|off     not registered: +CREG: x,0, +COPS: 0, sends get\n"
"                       +CMS ERROR: 331, USSD +CME ERROR: 30, incoming messages are held\n"
"  fault noise on|off   unsolicited RING, ^RSSI, ^BOOT, ^MODE lines between and inside replies\n"
"  fault read-error on|off     AT+CPMS, AT+CMGL and AT+CMGR get +CMS ERROR: 500 (reads fail)\n"
"  fault list-error on|off     AT+CMGL gets +CMS ERROR: 500 (reading slot by slot works)\n"
"  fault clear          all faults off\n"
"  status               one line: pty, link, registration, storage, faults\n"
"  ping, help\n"
"\n"
"Example:\n"
"  modemsim --link /tmp/ttyUSB0 --ctl /tmp/ms.sock --sent-log /tmp/sent.jsonl &\n"
"  printf '[gammu]\\ndevice = /tmp/ttyUSB0\\nconnection = at\\nmodel = at\\n' > rc\n"
"  gammu -c rc identify\n"
"  modemsim ctl /tmp/ms.sock sms +6281234567890 'REG SUKAMAJU'\n"
"  gammu -c rc getallsms\n");
}

static void
on_signal(int sig)
{
	quit = sig;
}

static void
sim_cleanup(struct sim *sim)
{
	if (sim->link != NULL)
		unlink(sim->link);
	if (sim->new_link != NULL)
		unlink(sim->new_link);
	if (sim->ctl_path != NULL && sim->lfd != -1)
		unlink(sim->ctl_path);
	if (sim->pidfile != NULL)
		unlink(sim->pidfile);
}

static int
write_pidfile(struct sim *sim)
{
	FILE	*f;

	if (sim->pidfile == NULL)
		return 0;
	if ((f = fopen(sim->pidfile, "w")) == NULL) {
		fprintf(stderr, "modemsim: cannot write the pidfile %s: %s\n", sim->pidfile,
		    strerror(errno));
		sim->pidfile = NULL;
		sim_cleanup(sim);
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	return 0;
}

/* Frees everything, so a sanitizer run shows real leaks only. */
static void
sim_free(struct sim *sim)
{
	struct held		*h;
	struct ussd_entry	*u;

	while ((h = sim->held) != NULL) {
		sim->held = h->next;
		free(h);
	}
	while (sim->reports != NULL) {
		struct report *r = sim->reports;
		sim->reports = r->next;
		free(r);
	}
	while ((u = sim->ussd) != NULL) {
		sim->ussd = u->next;
		free(u->code);
		free(u->text);
		free(u);
	}
	while (sim->conns != NULL)
		ctl_conn_close(sim, sim->conns);
	strlist_free(&sim->sent);
	strlist_free(&sim->urcs);
	strlist_free(&sim->ussd_due);
	free(sim->slots);
	free(sim->out);
	free(sim->held_in);
	free(sim->busy_reply);
	free(sim->new_link);
	if (sim->mfd != -1)
		close(sim->mfd);
	if (sim->sfd != -1)
		close(sim->sfd);
	if (sim->spare_mfd != -1)
		close(sim->spare_mfd);
	if (sim->spare_sfd != -1)
		close(sim->spare_sfd);
	if (sim->lfd != -1)
		close(sim->lfd);
	if (sim->logf != NULL && sim->logf != stderr)
		fclose(sim->logf);
}

static int
all_digits(const char *s, size_t min, size_t max)
{
	size_t	 n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
sim_loop(struct sim *sim)
{
	while (!quit) {
		struct pollfd	 pfd[64];
		struct ctl_conn	*c, *next;
		int		 n = 0, i, timeout = -1, pty_i = -1, l_i = -1;
		int64_t		 now = now_ms(), due;

		urc_flush(sim);
		out_flush(sim);
		/* Timers. */
		due = INT64_MAX;
		if (sim->busy)
			due = sim->busy_until;
		if (sim->replug_at != 0 && sim->replug_at < due)
			due = sim->replug_at;
		if (sim->ussd_due != NULL && sim->ussd_due_at < due)
			due = sim->ussd_due_at;
		if (sim->noise && sim->mfd != -1 && sim->noise_at < due)
			due = sim->noise_at;
		if (sim->reports != NULL && sim->reports->due < due)
			due = sim->reports->due;
		if (due != INT64_MAX)
			timeout = due <= now ? 0 : (int)(due - now);
		if (sim->mfd != -1) {
			pty_i = n;
			pfd[n].fd = sim->mfd;
			pfd[n].events = POLLIN | (sim->outlen > 0 ? POLLOUT : 0);
			n++;
		}
		if (sim->lfd != -1) {
			l_i = n;
			pfd[n].fd = sim->lfd;
			pfd[n].events = POLLIN;
			n++;
		}
		for (c = sim->conns; c != NULL && n < 64; c = c->next) {
			pfd[n].fd = c->fd;
			pfd[n].events = POLLIN;
			n++;
		}
		struct timespec	 ts = { timeout / 1000, (long)(timeout % 1000) * 1000000 };

		if (ppoll(pfd, n, timeout < 0 ? NULL : &ts, &loop_sigmask) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "modemsim: poll: %s\n", strerror(errno));
			return 1;
		}
		now = now_ms();
		if (sim->busy && now >= sim->busy_until)
			busy_done(sim);
		if (sim->replug_at != 0 && now >= sim->replug_at)
			pty_replug(sim);
		if (sim->ussd_due != NULL && now >= sim->ussd_due_at && sim_idle(sim) &&
		    sim->linelen == 0) {
			struct strlist *e;
			for (e = sim->ussd_due; e != NULL; e = e->next)
				urc(sim, e->s);
			strlist_free(&sim->ussd_due);
		}
		while (sim->reports != NULL && now >= sim->reports->due) {
			struct report *r = sim->reports;
			sim->reports = r->next;
			report_deliver(sim, r);
			free(r);
		}
		if (sim->noise && sim->mfd != -1 && now >= sim->noise_at) {
			/* Only while someone is talking to us: an unread pty just fills up. */
			if (now - sim->last_rx < 5000 && sim_idle(sim) && sim->linelen == 0) {
				char nl[64];
				noise_line(sim, nl, sizeof(nl));
				urc(sim, nl);
			}
			sim->noise_at = now + 300;
		}
		if (pty_i >= 0 && sim->mfd != -1 && pfd[pty_i].fd == sim->mfd) {
			if (pfd[pty_i].revents & POLLIN)
				pty_read(sim);
			if (sim->mfd != -1 && (pfd[pty_i].revents & POLLOUT))
				out_flush(sim);
		}
		/* Connections: handle the ones poll reported (they are in list order). */
		i = l_i >= 0 ? l_i + 1 : (pty_i >= 0 ? pty_i + 1 : 0);
		for (c = sim->conns; c != NULL && i < n; c = next, i++) {
			next = c->next;
			if (pfd[i].fd == c->fd && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				ctl_read(sim, c);
		}
		if (l_i >= 0 && (pfd[l_i].revents & POLLIN)) {
			int fd = accept4(sim->lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd != -1) {
				c = xcalloc(1, sizeof(*c));
				c->fd = fd;
				c->next = sim->conns;
				sim->conns = c;
			}
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, 'l' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "sent-log", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'L' },
		{ "imei", required_argument, NULL, 'i' },
		{ "imsi", required_argument, NULL, 'I' },
		{ "manufacturer", required_argument, NULL, 'M' },
		{ "model", required_argument, NULL, 'G' },
		{ "decoy", no_argument, NULL, 'Y' },
		{ "no-sms", no_argument, NULL, 'Z' },
		{ "sim-pin", no_argument, NULL, 'K' },
		{ "operator", required_argument, NULL, 'o' },
		{ "operator-name", required_argument, NULL, 'N' },
		{ "mccmnc", required_argument, NULL, 'm' },
		{ "smsc", required_argument, NULL, 'S' },
		{ "signal", required_argument, NULL, 'q' },
		{ "storage", required_argument, NULL, 'n' },
		{ "send-latency", required_argument, NULL, 'd' },
		{ "daemon", no_argument, NULL, 'D' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sim		 sim;
	const struct preset	*pr = &presets[0];
	const char		*opname = NULL, *mccmnc = NULL, *imsi = NULL, *smsc = NULL;
	struct sigaction	 sa;
	int			 ch, daemonize = 0, rc, i;
	char			*end;

	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return ctl_client(argc - 2, argv + 2);

	memset(&sim, 0, sizeof(sim));
	sim.mfd = sim.sfd = sim.spare_mfd = sim.spare_sfd = sim.lfd = -1;
	sim.signal = 20;
	sim.storage = 30;
	sim.echo = 1;
	sim.cfun = 1;
	sim.mr = 1;
	sim.report_delay_ms = 500;
	sim.sent_tail = &sim.sent;
	snprintf(sim.imei, sizeof(sim.imei), "356938035643809");
	snprintf(sim.manufacturer, sizeof(sim.manufacturer), "Kentongan");
	snprintf(sim.model, sizeof(sim.model), "modemsim");
	snprintf(sim.cscs, sizeof(sim.cscs), "IRA");

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			sim.link = optarg;
			break;
		case 'c':
			sim.ctl_path = optarg;
			break;
		case 's':
			sim.sent_log = optarg;
			break;
		case 'L':
			sim.log_path = optarg;
			break;
		case 'i':
			if (!all_digits(optarg, 14, 17)) {
				fprintf(stderr, "modemsim: --imei wants 15 digits, not '%s'\n", optarg);
				return 2;
			}
			snprintf(sim.imei, sizeof(sim.imei), "%s", optarg);
			break;
		case 'I':
			if (!all_digits(optarg, 6, 15)) {
				fprintf(stderr, "modemsim: --imsi wants up to 15 digits, not '%s'\n",
				    optarg);
				return 2;
			}
			imsi = optarg;
			break;
		case 'M':
		case 'G':
			if (*optarg == '\0' || strlen(optarg) >= sizeof(sim.model) || strpbrk(optarg, "\r\n\"")) {
				fprintf(stderr, "modemsim: --%s wants 1-63 characters on one line, not '%s'\n",
				    ch == 'M' ? "manufacturer" : "model", optarg);
				return 2;
			}
			snprintf(ch == 'M' ? sim.manufacturer : sim.model, sizeof(sim.model), "%s", optarg);
			break;
		case 'Y':
			sim.decoy = 1;
			break;
		case 'Z':
			sim.no_sms = 1;
			break;
		case 'K':
			sim.pin_locked = 1;
			break;
		case 'o':
			for (pr = presets; pr->key != NULL; pr++)
				if (strcasecmp(pr->key, optarg) == 0)
					break;
			if (pr->key == NULL) {
				fprintf(stderr, "modemsim: unknown --operator '%s'; use telkomsel, "
				    "indosat, xl, axis, tri or smartfren (or --operator-name and "
				    "--mccmnc)\n", optarg);
				return 2;
			}
			break;
		case 'N':
			opname = optarg;
			break;
		case 'm':
			if (!all_digits(optarg, 5, 6)) {
				fprintf(stderr, "modemsim: --mccmnc wants 5 or 6 digits such as 51010, "
				    "not '%s'\n", optarg);
				return 2;
			}
			mccmnc = optarg;
			break;
		case 'S':
			if (!phone_number_ok(optarg)) {
				fprintf(stderr, "modemsim: --smsc wants a number such as +6281100000, "
				    "not '%s'\n", optarg);
				return 2;
			}
			smsc = optarg;
			break;
		case 'q':
			sim.signal = strtol(optarg, &end, 10);
			if (*end != '\0' || sim.signal < 0 || (sim.signal > 31 && sim.signal != 99)) {
				fprintf(stderr, "modemsim: --signal wants 0-31 (or 99), not '%s'\n",
				    optarg);
				return 2;
			}
			break;
		case 'n':
			sim.storage = strtol(optarg, &end, 10);
			if (*end != '\0' || sim.storage < 1 || sim.storage > 255) {
				fprintf(stderr, "modemsim: --storage wants 1-255 slots, not '%s'\n",
				    optarg);
				return 2;
			}
			break;
		case 'd':
			sim.latency_ms = strtol(optarg, &end, 10);
			if (*end != '\0' || sim.latency_ms < 0 || sim.latency_ms > 600000) {
				fprintf(stderr, "modemsim: --send-latency wants milliseconds, not "
				    "'%s'\n", optarg);
				return 2;
			}
			break;
		case 'D':
			daemonize = 1;
			break;
		case 'f':
			daemonize = 0;
			break;
		case 'p':
			sim.pidfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("modemsim %s\n", KT_VERSION);
			return 0;
		default:
			fprintf(stderr, "modemsim: see modemsim --help\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "modemsim: unexpected argument '%s'; see modemsim --help\n",
		    argv[optind]);
		return 2;
	}
	snprintf(sim.opname, sizeof(sim.opname), "%s", opname ? opname : pr->name);
	snprintf(sim.mccmnc, sizeof(sim.mccmnc), "%s", mccmnc ? mccmnc : pr->mccmnc);
	snprintf(sim.smsc, sizeof(sim.smsc), "%s", smsc ? smsc : pr->smsc);
	if (imsi != NULL)
		snprintf(sim.imsi, sizeof(sim.imsi), "%s", imsi);
	else
		snprintf(sim.imsi, sizeof(sim.imsi), "%s%0*d", sim.mccmnc,
		    15 - (int)strlen(sim.mccmnc), 1);
	{
		struct ussd_entry *e = xcalloc(1, sizeof(*e));
		e->code = xstrdup(pr->balance_code);
		e->text = xstrdup("Sisa pulsa Anda Rp 25.000. Aktif s/d 31-12-2026. "
		    "Paket SMS 500 SMS s/d 31-12-2026.");
		sim.ussd = e;
	}
	sim.slots = xcalloc(sim.storage, sizeof(*sim.slots));

	if (sim.log_path != NULL) {
		if (strcmp(sim.log_path, "-") == 0)
			sim.logf = stderr;
		else if ((sim.logf = fopen(sim.log_path, "a")) == NULL) {
			fprintf(stderr, "modemsim: cannot open log %s: %s\n", sim.log_path,
			    strerror(errno));
			return 1;
		}
	}
	if (sim.sent_log != NULL) {
		FILE *f = fopen(sim.sent_log, "a");
		if (f == NULL) {
			fprintf(stderr, "modemsim: cannot write the sent log %s: %s\n",
			    sim.sent_log, strerror(errno));
			return 1;
		}
		fclose(f);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	{
		sigset_t block;

		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &loop_sigmask);	/* delivered only inside ppoll */
	}

	sim.mfd = pty_open(sim.ptyname, sizeof(sim.ptyname), &sim.sfd);
	if (sim.mfd == -1) {
		fprintf(stderr, "modemsim: cannot open a pseudo-terminal: %s\n", strerror(errno));
		return 1;
	}
	if (sim.link != NULL && link_set(sim.link, sim.ptyname) == -1) {
		fprintf(stderr, "modemsim: cannot create the link %s -> %s: %s\n", sim.link,
		    sim.ptyname, strerror(errno));
		return 1;
	}
	if (sim.ctl_path != NULL && (sim.lfd = ctl_listen(sim.ctl_path)) == -1) {
		sim_cleanup(&sim);
		return 1;
	}
	sim_event(&sim, "ready on %s operator=%s mccmnc=%s", sim.ptyname, sim.opname, sim.mccmnc);
	if (daemonize) {
		int	 ready[2];
		char	 c;
		pid_t	 pid;

		/* The parent exits only once the child has its pidfile: scripts may read it at once. */
		if (pipe(ready) == -1 || (pid = fork()) == -1) {
			fprintf(stderr, "modemsim: cannot detach: %s\n", strerror(errno));
			sim_cleanup(&sim);
			return 1;
		}
		if (pid > 0) {
			close(ready[1]);
			if (read(ready[0], &c, 1) != 1)
				_exit(1);	/* the child said why on stderr */
			printf("%s\n", sim.ptyname);
			fflush(stdout);
			_exit(0);
		}
		close(ready[0]);
		setsid();
		if (write_pidfile(&sim) != 0)
			_exit(1);
		i = open("/dev/null", O_RDWR);
		if (i != -1) {
			dup2(i, 0);
			dup2(i, 1);
			if (sim.logf != stderr)
				dup2(i, 2);
			if (i > 2)
				close(i);
		}
		if (write(ready[1], "1", 1) != 1)
			_exit(1);
		close(ready[1]);
	} else {
		if (write_pidfile(&sim) != 0)
			return 1;
		printf("%s\n", sim.ptyname);
		fflush(stdout);
	}
	rc = sim_loop(&sim);
	sim_event(&sim, "exiting on signal %d", (int)quit);
	sim_cleanup(&sim);
	sim_free(&sim);
	return rc;
}
