/*
 * tools/modemsim.h — the parts of modemsim share these types and functions (tools/modemsim*.c only).
 *
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
#ifndef KT_TOOLS_MODEMSIM_H
#define KT_TOOLS_MODEMSIM_H

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

#include "common/hex.h"
#include "common/log.h"
#include "common/str.h"
#include "common/utf8.h"
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

struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

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

/* utilities (modemsim_util.c) */
int64_t	now_ms(void);
void	iso_now(char *buf, size_t len);
void	sim_log(struct sim *sim, const char *dir, const char *data, size_t len);
void	sim_event(struct sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	sb_add(struct sbuf *b, const char *s, size_t n);
void	sb_vprintf(struct sbuf *b, const char *fmt, va_list ap);
void	sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	strlist_push(struct strlist **head, const char *s);
void	strlist_free(struct strlist **head);
void	json_str(struct sbuf *b, const char *s);
char	*cs_encode(struct sim *sim, const char *utf8);
char	*cs_decode(struct sim *sim, const char *s);
/* Up to max comma-separated integers of s into v; the count, -1 when malformed. AT syntax (strict
 * 0): spaces around them, empty fields (left as they are) and more than max fields (ignored) are
 * allowed. Strict (the control socket): no empty fields, nothing after a number but a comma, at
 * most max fields. */
int	parse_ints(const char *s, int *v, int max, int strict);

/* pty (modemsim_pty.c) */
int	pty_open(char *name, size_t namelen, int *sfdp);
int	link_set(const char *path, const char *target);
void	out_raw(struct sim *sim, const char *s, size_t len);
void	out_str(struct sim *sim, const char *s);
void	out_flush(struct sim *sim);
void	urc(struct sim *sim, const char *line);
int	sim_idle(struct sim *sim);
void	urc_flush(struct sim *sim);
void	pty_unplug(struct sim *sim, int seconds, const char *new_link);
void	pty_replug(struct sim *sim);

/* SMS, network side (modemsim_net.c) */
int	slot_free(struct sim *sim);
int	slots_used(struct sim *sim);
size_t	tpdu_len(const unsigned char *pdu, size_t len);
int	deliver_part(struct sim *sim, const unsigned char *pdu, size_t len, int store_only, int keep);
void	deliver_held(struct sim *sim);
time_t	net_now(const struct sim *sim);
int	parse_smsc_time(const char *s, GSM_DateTime *dt);
int	sms_incoming(struct sim *sim, const char *from, const char *text, struct sms_opts *o, char *err, size_t errlen, int *nparts, int *nheld);
int	pdu_decode(const unsigned char *pdu, size_t len, GSM_SMSMessage *sms);
void	sms_text_utf8(GSM_SMSMessage *sms, char *out, size_t outlen);
int	phone_number_ok(const char *s);
void	report_deliver(struct sim *sim, struct report *r);
int	sms_submitted(struct sim *sim, const unsigned char *pdu, size_t len, char *err, size_t errlen);
int	send_fault(struct sim *sim);

/* AT interpreter (modemsim_at.c) */
void	info(struct sbuf *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	reg_stat(struct sim *sim);
void	noise_line(struct sim *sim, char *buf, size_t len);
void	busy_done(struct sim *sim);
void	pty_read(struct sim *sim);

/* control socket (modemsim_ctl.c) */
void	ctl_conn_close(struct sim *sim, struct ctl_conn *c);
void	ctl_read(struct sim *sim, struct ctl_conn *c);
int	ctl_listen(const char *path);
int	ctl_client(int argc, char **argv);

/* main (modemsim.c) */
void	usage(FILE *f);

#endif /* KT_TOOLS_MODEMSIM_H */
