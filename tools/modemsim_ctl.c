/*
 * tools/modemsim_ctl.c: modemsim's control socket — one command per line, a table of commands, "OK …" /
 * "ERR …" replies — and the client side (modemsim ctl …).
 */
#include "common/str.h"
#include "tools/modemsim.h"

static void __attribute__((format(printf, 2, 3)))
ctl_reply(struct sbuf *out, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	sb_vprintf(out, fmt, ap);
	va_end(ap);
	sb_add(out, "\n", 1);
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
		w = str_word(&rest);
		if (!strcmp(w, "--ucs2"))
			o.ucs2 = 1;
		else if (!strcmp(w, "--store-only"))
			o.store_only = 1;
		else if (!strcmp(w, "--flash"))
			o.class0 = 1;
		else if (!strcmp(w, "--parts-order")) {
			w = str_word(&rest);
			if (w == NULL || (o.norder = parse_ints(w, o.order, MS_MAX_PARTS, 1)) < 1) {
				ctl_reply(out, "ERR --parts-order wants a list such as 2,1,3");
				return;
			}
		} else if (!strcmp(w, "--drop-part")) {
			w = str_word(&rest);
			if (w == NULL || (o.ndrop = parse_ints(w, o.drop, MS_MAX_PARTS, 1)) < 1) {
				ctl_reply(out, "ERR --drop-part wants a part number such as 2");
				return;
			}
		} else if (!strcmp(w, "--smsc-time")) {
			char *d = str_word(&rest), *t;
			char buf[64];
			if (d == NULL) {
				ctl_reply(out, "ERR --smsc-time wants YYYY-MM-DD[THH:MM:SS]");
				return;
			}
			snprintf(buf, sizeof(buf), "%s", d);
			/* Allow "2026-11-27 14:00:00" as two words. */
			if (strchr(d, 'T') == NULL && strchr(d, ':') == NULL && next_is_time(rest)) {
				t = str_word(&rest);
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
	from = str_word(&rest);
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
		w = str_word(&rest);
		if (!strcmp(w, "--store-only"))
			store_only = 1;
		else if (!strcmp(w, "--unreadable"))
			unreadable = 1;
		else if (!strcmp(w, "--stat") && (w = str_word(&rest)) != NULL && *w >= '0' && *w <= '3' &&
		    w[1] == '\0') {
			stat = *w - '0';
			store_only |= stat >= 2;
		} else {
			ctl_reply(out, "ERR bad option %s (pdu [--store-only] [--stat 0-3] [--unreadable] HEX)",
			    w ? w : "--stat");
			return;
		}
	}
	w = str_word(&rest);
	if (w == NULL || (n = hex_decode_n(w, strlen(w), pdu, sizeof(pdu))) < 2) {
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
ctl_list(struct sim *sim, char *rest, struct sbuf *out)
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
		ucs2_to_utf8(sms.Number, num, sizeof(num));
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
ctl_status(struct sim *sim, char *rest, struct sbuf *out)
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

/*
 * The faults of "fault WHAT [ARGS]" that take a value: each takes the first argument w (NULL if
 * none) and the rest of the line, replies "ERR …" and returns -1 when the arguments are bad, else
 * sets the fault and returns 0.
 */
static int
fault_latency(struct sim *sim, char *w, char *rest, struct sbuf *out)
{
	int	 v;

	if (w == NULL || (v = atoi(w)) < 0 || v > 600000 || !isdigit((unsigned char)*w)) {
		ctl_reply(out, "ERR fault latency wants milliseconds, 0 to 600000");
		return -1;
	}
	sim->latency_ms = v;
	return 0;
}

static int
fault_cms_error(struct sim *sim, char *w, char *rest, struct sbuf *out)
{
	char	*c, *f;
	double	 x;
	int	 v;

	if (w != NULL && !strcmp(w, "off")) {
		sim->cms_code = 0;
		return 0;
	}
	c = str_word(&rest);
	if (w == NULL || (v = atoi(w)) <= 0 || v > 555) {
		ctl_reply(out, "ERR fault cms-error wants a code, e.g. 500 or 38");
		return -1;
	}
	sim->cms_code = v;
	sim->cms_count = 1;
	if (c != NULL && !strcmp(c, "--fraction")) {
		f = str_word(&rest);
		x = f != NULL ? atof(f) : -1;
		if (x <= 0 || x > 1) {
			ctl_reply(out, "ERR --fraction wants a number in (0, 1]");
			return -1;
		}
		sim->cms_count = -1;
		sim->cms_fraction = x;
		sim->nsends = 0;
	} else if (c != NULL) {
		if ((sim->cms_count = atoi(c)) <= 0) {
			ctl_reply(out, "ERR fault cms-error COUNT must be 1 or more");
			sim->cms_code = 0;
			return -1;
		}
	}
	return 0;
}

static int
fault_disconnect(struct sim *sim, char *w, char *rest, struct sbuf *out)
{
	char	*nl = str_word(&rest);
	int	 v;

	if (w == NULL || (v = atoi(w)) < 0 || v > 3600 || !isdigit((unsigned char)*w)) {
		ctl_reply(out, "ERR fault disconnect wants SECONDS (0 to 3600) [NEW-LINK]");
		return -1;
	}
	if (sim->mfd == -1) {
		ctl_reply(out, "ERR already unplugged");
		return -1;
	}
	pty_unplug(sim, v, nl);
	return 0;
}

/* What follows the change of an on|off fault (was: the flag before). */
static void
hang_changed(struct sim *sim, int was)
{
	if (!sim->hang)
		sim->linelen = 0;
}

static void
storage_full_changed(struct sim *sim, int was)
{
	if (!sim->storage_full)
		deliver_held(sim);
}

static void
deregister_changed(struct sim *sim, int was)
{
	char	 l[32];

	if (was != sim->dereg && sim->creg_n > 0) {
		snprintf(l, sizeof(l), "+CREG: %d", reg_stat(sim));
		urc(sim, l);
	}
	if (!sim->dereg)
		deliver_held(sim);
}

static void
noise_changed(struct sim *sim, int was)
{
	sim->noise_at = now_ms() + 200;
}

static int
fault_clear(struct sim *sim, char *w, char *rest, struct sbuf *out)
{
	sim->latency_ms = 0;
	sim->cms_code = 0;
	sim->hang = 0;
	sim->storage_full = 0;
	sim->dereg = 0;
	sim->noise = 0;
	sim->read_error = 0;
	sim->list_error = 0;
	deliver_held(sim);
	return 0;
}

/* The faults: an on|off one names its flag in struct sim (and what follows a change), the others set. */
static const struct fault_cmd {
	const char	*name;
	int		(*set)(struct sim *, char *w, char *rest, struct sbuf *out);
	size_t		 flag;
	void		(*changed)(struct sim *, int was);
} fault_cmds[] = {
	{ "latency", fault_latency, 0, NULL },
	{ "cms-error", fault_cms_error, 0, NULL },
	{ "hang", NULL, offsetof(struct sim, hang), hang_changed },
	{ "disconnect", fault_disconnect, 0, NULL },
	{ "storage-full", NULL, offsetof(struct sim, storage_full), storage_full_changed },
	{ "deregister", NULL, offsetof(struct sim, dereg), deregister_changed },
	{ "read-error", NULL, offsetof(struct sim, read_error), NULL },
	{ "list-error", NULL, offsetof(struct sim, list_error), NULL },
	{ "noise", NULL, offsetof(struct sim, noise), noise_changed },
	{ "clear", fault_clear, 0, NULL },
	{ NULL, NULL, 0, NULL }
};

static void
ctl_fault(struct sim *sim, char *rest, struct sbuf *out)
{
	const struct fault_cmd	*f;
	char			*what = str_word(&rest), *w;

	if (what == NULL) {
		ctl_reply(out, "ERR usage: fault latency MS | cms-error CODE [COUNT|--fraction F] | "
		    "cms-error off | hang on|off | disconnect SECONDS [NEW-LINK] | "
		    "storage-full on|off | deregister on|off | noise on|off | read-error on|off | "
		    "list-error on|off | clear");
		return;
	}
	w = str_word(&rest);
	for (f = fault_cmds; f->name != NULL; f++)
		if (!strcmp(what, f->name))
			break;
	if (f->name == NULL) {
		ctl_reply(out, "ERR unknown fault '%s' (latency, cms-error, hang, disconnect, "
		    "storage-full, deregister, noise, read-error, list-error, clear)", what);
		return;
	}
	if (f->set == NULL) {
		int *flag = (int *)((char *)sim + f->flag), was = *flag;

		if (on_off(w, flag) != 0) {
			ctl_reply(out, "ERR fault %s on|off", f->name);
			return;
		}
		if (f->changed != NULL)
			f->changed(sim, was);
	} else if (f->set(sim, w, rest, out) != 0)
		return;
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
		w = str_word(&rest);
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
	code = str_word(&rest);
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
		if (strcmp(str_word(&rest), "--menu") != 0) {
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
	char		*w = str_word(&rest), *end = NULL, b[32];
	struct tm	 tm;
	time_t		 t;
	long		 v;

	if (w == NULL) {
		;
	} else if (!strcmp(w, "skew") && (w = str_word(&rest)) != NULL && (v = strtol(w, &end, 10), *end == '\0')) {
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
ctl_sent(struct sim *sim, char *rest, struct sbuf *out)
{
	struct strlist *e;
	int n = 0;
	char *w = str_word(&rest);

	if (w != NULL && !strcmp(w, "--clear")) {
		strlist_free(&sim->sent);
		sim->sent_tail = &sim->sent;
		ctl_reply(out, "OK cleared");
		return;
	}
	for (e = sim->sent; e != NULL; e = e->next, n++)
		ctl_reply(out, "%s", e->s);
	ctl_reply(out, "OK %d sent", n);
}

static void
ctl_reports(struct sim *sim, char *rest, struct sbuf *out)
{
	char *w = str_word(&rest), *end = NULL;
	long v = 0;

	if (w != NULL && !strcmp(w, "on"))
		sim->report_status = 0;
	else if (w != NULL && !strcmp(w, "off"))
		sim->report_status = -1;
	else if (w != NULL && !strcmp(w, "status") && (w = str_word(&rest)) != NULL &&
	    (v = strtol(w, &end, 0), *end == '\0') && v >= 0 && v <= 255)
		sim->report_status = v;
	else if (w != NULL && !strcmp(w, "delay") && (w = str_word(&rest)) != NULL &&
	    (v = strtol(w, &end, 10), *end == '\0') && v >= 0 && v <= 3600000)
		sim->report_delay_ms = v;
	else {
		ctl_reply(out, "ERR usage: reports on | off | status TP-ST (0x00 delivered, "
		    "0x41 incompatible destination, 0x45 failed…) | delay MS");
		return;
	}
	ctl_reply(out, "OK");
}

static void
ctl_signal(struct sim *sim, char *rest, struct sbuf *out)
{
	char *w = str_word(&rest);
	int v = w ? atoi(w) : -1;

	if (w == NULL || v < 0 || v > 31 || !isdigit((unsigned char)*w)) {
		ctl_reply(out, "ERR signal wants 0 to 31");
		return;
	}
	sim->signal = v;
	ctl_reply(out, "OK");
}

static void
ctl_unreadable(struct sim *sim, char *rest, struct sbuf *out)
{
	char	*a = str_word(&rest), *b = str_word(&rest);
	int	 idx = a ? atoi(a) : 0, v;

	if (idx < 1 || idx > sim->storage || !sim->slots[idx - 1].used || on_off(b, &v) != 0)
		ctl_reply(out, "ERR unreadable SLOT on|off (an occupied slot)");
	else {
		sim->slots[idx - 1].unreadable = v;
		ctl_reply(out, "OK");
	}
}

static void
ctl_clear(struct sim *sim, char *rest, struct sbuf *out)
{
	int i;

	for (i = 0; i < sim->storage; i++)
		sim->slots[i].used = 0;
	ctl_reply(out, "OK");
}

static void
ctl_ping(struct sim *sim, char *rest, struct sbuf *out)
{
	ctl_reply(out, "OK pong");
}

static void
ctl_help(struct sim *sim, char *rest, struct sbuf *out)
{
	ctl_reply(out, "OK commands: sms, list, clear, sent, ussd-reply, ussd-push, fault, "
	    "signal, clock, status, ping (see modemsim --help)");
}

/* The control commands; their usage is in modemsim --help (usage() in modemsim.c). */
static const struct ctl_cmd {
	const char	*name;
	void		(*run)(struct sim *, char *rest, struct sbuf *out);
} ctl_cmds[] = {
	{ "sms", ctl_sms },
	{ "pdu", ctl_pdu },
	{ "list", ctl_list },
	{ "sent", ctl_sent },
	{ "ussd-reply", ctl_ussd_reply },
	{ "ussd-push", ctl_ussd_push },
	{ "fault", ctl_fault },
	{ "status", ctl_status },
	{ "reports", ctl_reports },
	{ "signal", ctl_signal },
	{ "unreadable", ctl_unreadable },
	{ "clock", ctl_clock },
	{ "clear", ctl_clear },
	{ "ping", ctl_ping },
	{ "help", ctl_help },
	{ NULL, NULL }
};

static void
ctl_command(struct sim *sim, char *line, struct sbuf *out)
{
	const struct ctl_cmd *c;
	char	*rest = line, *cmd;

	while (*line != '\0' && (line[strlen(line) - 1] == '\r' || line[strlen(line) - 1] == ' '))
		line[strlen(line) - 1] = '\0';
	sim_log(sim, "ctl<", line, strlen(line));
	cmd = str_word(&rest);
	if (cmd == NULL) {
		ctl_reply(out, "ERR empty command; try 'help'");
		return;
	}
	for (c = ctl_cmds; c->name != NULL; c++)
		if (!strcmp(cmd, c->name)) {
			c->run(sim, rest, out);
			return;
		}
	ctl_reply(out, "ERR unknown command '%s'; try 'help'", cmd);
}

void
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

void
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

int
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
int
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
