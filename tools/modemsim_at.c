/*
 * tools/modemsim_at.c: modemsim's AT command interpreter (3GPP TS 27.005/27.007, PDU mode only): one table
 * of extended commands, the basic-command parser, PDU prompts and the input state machine.
 */
#include "tools/modemsim.h"

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
void __attribute__((format(printf, 2, 3)))
info(struct sbuf *r, const char *fmt, ...)
{
	va_list	 ap;

	if (r->len == 0)
		sb_add(r, "\r\n", 2);
	va_start(ap, fmt);
	sb_vprintf(r, fmt, ap);
	va_end(ap);
	sb_add(r, "\r\n", 2);
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

int
reg_stat(struct sim *sim)
{
	return sim->dereg || sim->cfun == 0 ? 0 : 1;
}

static int
at_cops(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
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
		if (parse_ints(arg, v, 2, 0) < 1) {
			final_cme(sim, r, 50);
			return 0;
		}
		if (v[0] == 3 && v[1] >= 0 && v[1] <= 2)
			sim->cops_format = v[1];
	}
	final_ok(r);
	return 0;
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
		if (parse_ints(arg, &v, 1, 0) != 1 || v < 0 || v > 2) {
			final_cme(sim, r, 50);
			return;
		}
		*n = v;
	}
	final_ok(r);
}

static int
at_cpms(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	int	 used = sim->storage_full ? sim->storage : slots_used(sim), i, n;
	char	*argv[3];

	if (sim->read_error && op != 't') {
		final_cms(sim, r, 500);
		return 0;
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
				return 0;
			}
		info(r, "+CPMS: %d,%d,%d,%d,%d,%d", used, sim->storage, used, sim->storage, used,
		    sim->storage);
	} else {
		final_error(r);
		return 0;
	}
	final_ok(r);
	return 0;
}

/* One +CMGL or +CMGR entry: the header line, then the PDU on its own line. */
static void
list_entry(struct sim *sim, struct sbuf *r, int cmgl, int i)
{
	struct slot	*sl = &sim->slots[i];
	char		 hex[2 * sizeof(sl->pdu) + 1];

	hex_encode_upper(sl->pdu, sl->len, hex);
	if (cmgl)
		info(r, "+CMGL: %d,%d,,%zu", i + 1, sl->stat, tpdu_len(sl->pdu, sl->len));
	else
		info(r, "+CMGR: %d,,%zu", sl->stat, tpdu_len(sl->pdu, sl->len));
	/* The PDU line follows without a blank line. */
	sb_add(r, hex, strlen(hex));
	sb_add(r, "\r\n", 2);
}

static int
at_cmgl(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	int	 stat = 0, i;

	if (op == 't') {
		info(r, "+CMGL: (0-4)");
		final_ok(r);
		return 0;
	}
	if (sim->read_error || sim->list_error) {
		final_cms(sim, r, 500);
		return 0;
	}
	if (op == '=' && (parse_ints(arg, &stat, 1, 0) != 1 || stat < 0 || stat > 4)) {
		final_cms(sim, r, 304);
		return 0;
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
	return 0;
}

static int
at_cmgr(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	int	 idx = 0;

	if (op == 't') {
		final_ok(r);
		return 0;
	}
	if (op != '=' || parse_ints(arg, &idx, 1, 0) != 1) {
		final_cms(sim, r, 304);
		return 0;
	}
	if (idx < 1 || idx > sim->storage) {
		final_cms(sim, r, 321);
		return 0;
	}
	if (!sim->slots[idx - 1].used) {
		final_cms(sim, r, 321);
		return 0;
	}
	/* a slot the modem itself cannot read (it lists it all the same), or every read failing */
	if (sim->slots[idx - 1].unreadable || sim->read_error) {
		final_cms(sim, r, 500);
		return 0;
	}
	list_entry(sim, r, 0, idx - 1);
	if (sim->slots[idx - 1].stat == 0)
		sim->slots[idx - 1].stat = 1;
	final_ok(r);
	return 0;
}

static int
at_cmgd(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	int	 v[2] = { 0, 0 }, i;

	if (op == 't') {
		info(r, "+CMGD: (1-%d),(0-4)", sim->storage);
		final_ok(r);
		return 0;
	}
	if (op != '=' || parse_ints(arg, v, 2, 0) < 1 || v[1] < 0 || v[1] > 4) {
		final_cms(sim, r, 304);
		return 0;
	}
	if (v[1] == 0) {
		if (v[0] < 1 || v[0] > sim->storage) {
			final_cms(sim, r, 321);
			return 0;
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
	return 0;
}

static int
at_cusd(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	char			*argv[3], *code;
	int			 n, mode;
	struct ussd_entry	*e;
	char			*line;

	if (op == 't') {
		info(r, "+CUSD: (0-2)");
		final_ok(r);
		return 0;
	}
	if (op == '?') {
		info(r, "+CUSD: %d", sim->cusd_n);
		final_ok(r);
		return 0;
	}
	if (op != '=') {
		final_ok(r);
		return 0;
	}
	n = split_args(arg, argv, 3);
	mode = n > 0 && *argv[0] != '\0' ? atoi(argv[0]) : 0;
	if (mode < 0 || mode > 2) {
		final_cme(sim, r, 50);
		return 0;
	}
	if (mode != 2)
		sim->cusd_n = mode;
	if (n < 2 || *argv[1] == '\0' || mode == 2) {
		final_ok(r);
		return 0;
	}
	if (reg_stat(sim) == 0) {
		final_cme(sim, r, 30);		/* no network service */
		return 0;
	}
	code = cs_decode(sim, argv[1]);
	sim_event(sim, "ussd request %s", code);
	for (e = sim->ussd; e != NULL; e = e->next)
		if (strcmp(e->code, code) == 0)
			break;
	final_ok(r);
	if (e != NULL && e->text == NULL) {
		free(code);
		return 0;				/* the network never answers */
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
	return 0;
}

/* Finishes AT+CMGS / AT+CMGW after the PDU and Ctrl-Z. */
static void
pdu_done(struct sim *sim, struct sbuf *r)
{
	unsigned char	 pdu[MS_PDU_MAX / 2 + 8];
	ssize_t		 n;
	char		 err[128];
	int		 code, mr, i;

	n = hex_decode_n(sim->pdu_hex, sim->pdu_hexlen, pdu, sizeof(((struct slot *)0)->pdu));
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

static int
at_cmss(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	char	 err[128];
	int	 idx = 0, mr, code;

	if (op == 't') {
		final_ok(r);
		return 0;
	}
	if (op != '=' || parse_ints(arg, &idx, 1, 0) < 1) {
		final_cms(sim, r, 304);
		return 0;
	}
	if (idx < 1 || idx > sim->storage || !sim->slots[idx - 1].used) {
		final_cms(sim, r, 321);
		return 0;
	}
	if (reg_stat(sim) == 0) {
		final_cms(sim, r, 331);
		return 0;
	}
	if ((code = send_fault(sim)) != 0) {
		final_cms(sim, r, code);
		return 0;
	}
	mr = sms_submitted(sim, sim->slots[idx - 1].pdu, sim->slots[idx - 1].len, err,
	    sizeof(err));
	if (mr < 0) {
		final_cms(sim, r, 304);
		return 0;
	}
	sim->slots[idx - 1].stat = 3;
	info(r, "+CMSS: %d", mr);
	final_ok(r);
	return 0;
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
		if (parse_ints(arg, &v, 1, 0) < 1 || v < lo || v > hi) {
			final_cme(sim, r, 50);
			return;
		}
		*val = v;
	}
	final_ok(r);
}

/*
 * The extended commands, one handler each (name without "+", op: 0 exec, '?' read, 't' test,
 * '=' set). A handler returns 1 when it left the line at the "> " prompt, else 0.
 */
static int
at_cmee(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	cmd_setting(sim, r, op, arg, "CMEE", &sim->cmee, "(0-2)", 0, 2);
	return 0;
}

/* One identity line: AT+CGMI / +CGMM / +CGMR / +CGSN / +CIMI / +GCAP and their V.25ter aliases. */
static int
at_ident(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	const char *n = name[0] == 'C' && name[1] == 'G' ? name + 1 : name;

	if (!strcmp(n, "GMI"))
		info(r, "%s", sim->manufacturer);
	else if (!strcmp(n, "GMM"))
		info(r, "%s", sim->model);
	else if (!strcmp(n, "GMR"))
		info(r, "modemsim %s", KT_VERSION);
	else if (!strcmp(n, "GSN"))
		info(r, "%s", sim->imei);
	else if (!strcmp(n, "CIMI"))
		info(r, "%s", sim->imsi);
	else
		info(r, "+GCAP: +CGSM");
	final_ok(r);
	return 0;
}

static int
at_cpin(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	if (op == '?')
		info(r, "+CPIN: %s", sim->pin_locked ? "SIM PIN" : "READY");
	final_ok(r);
	return 0;
}

static int
at_csq(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	if (op == 't')
		info(r, "+CSQ: (0-31,99),(0-7,99)");
	else
		info(r, "+CSQ: %d,99", reg_stat(sim) ? sim->signal : 99);
	final_ok(r);
	return 0;
}

static int
at_creg(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	cmd_creg(sim, r, op, arg, name, !strcmp(name, "CREG") ? &sim->creg_n : &sim->cgreg_n);
	return 0;
}

static int
at_cgatt(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	if (op == '?')
		info(r, "+CGATT: %d", reg_stat(sim));
	else if (op == 't')
		info(r, "+CGATT: (0,1)");
	final_ok(r);
	return 0;
}

static int
at_cscs(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	char	*argv[4];
	int	 n;

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
	return 0;
}

static int
at_csca(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	char	*argv[4], *s;
	int	 n;

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
	return 0;
}

/* PDU mode only: text mode is refused, so clients fall back to PDU. */
static int
at_cmgf(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	if (op == '=' && strcmp(arg, "0") != 0) {
		final_error(r);
		return 0;
	}
	if (op == '?')
		info(r, "+CMGF: 0");
	else if (op == 't')
		info(r, "+CMGF: (0)");
	final_ok(r);
	return 0;
}

static int
at_cnmi(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	if (op == '?')
		info(r, "+CNMI: %d,%d,%d,%d,%d", sim->cnmi[0], sim->cnmi[1], sim->cnmi[2],
		    sim->cnmi[3], sim->cnmi[4]);
	else if (op == 't')
		info(r, "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)");
	else if (op == '=') {
		int v[5], n;
		memcpy(v, sim->cnmi, sizeof(v));
		n = parse_ints(arg, v, 5, 0);
		if (n < 1 || v[0] < 0 || v[0] > 3 || v[1] < 0 || v[1] > 3) {
			final_cms(sim, r, 303);
			return 0;
		}
		memcpy(sim->cnmi, v, sizeof(v));
	}
	final_ok(r);
	return 0;
}

/* AT+CMGS / AT+CMGW: waits for the PDU at the "> " prompt. */
static int
at_cmgs(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	int v[2] = { 0, 2 };

	if (op == 't') {
		final_ok(r);
		return 0;
	}
	if (op != '=' || parse_ints(arg, v, 2, 0) < 1 || v[0] < 7 || v[0] > 180 ||
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
}

static int
at_csms(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	if (op == '?')
		info(r, "+CSMS: %d,1,1,1", sim->csms);
	else if (op == 't')
		info(r, "+CSMS: (0,1)");
	else if (op == '=') {
		int v = 0;
		if (parse_ints(arg, &v, 1, 0) != 1 || v < 0 || v > 1) {
			final_cms(sim, r, 303);
			return 0;
		}
		sim->csms = v;
		info(r, "+CSMS: 1,1,1");
	}
	final_ok(r);
	return 0;
}

static int
at_cmms(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	cmd_setting(sim, r, op, arg, "CMMS", &sim->cmms, "(0-2)", 0, 2);
	return 0;
}

static int
at_clip(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	if (op == '?') {
		info(r, "+CLIP: %d,1", sim->clip);
		final_ok(r);
	} else
		cmd_setting(sim, r, op, arg, "CLIP", &sim->clip, "(0,1)", 0, 1);
	return 0;
}

static int
at_cfun(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	int v[2] = { 1, 0 };

	if (op == '=') {
		if (parse_ints(arg, v, 2, 0) < 1 || (v[0] != 0 && v[0] != 1 && v[0] != 4)) {
			final_cme(sim, r, 50);
			return 0;
		}
		sim->cfun = v[0] == 1;
		final_ok(r);
		if (sim->cfun)
			deliver_held(sim);
	} else
		cmd_setting(sim, r, op, arg, "CFUN", &sim->cfun, "(0,1,4),(0,1)", 0, 1);
	return 0;
}

/* AT+CCLK? only: the network's local time (WIB, +28 quarter hours). */
static int
at_cclk(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	time_t	 t = net_now(sim) + 7 * 3600;
	struct tm tm;
	char	 b[32];

	if (op != '?') {
		final_error(r);
		return 0;
	}
	gmtime_r(&t, &tm);
	strftime(b, sizeof(b), "%y/%m/%d,%H:%M:%S", &tm);
	if (sim->clock_unset)
		info(r, "+CCLK: \"00/01/01,00:00:00+00\"");
	else
		info(r, "+CCLK: \"%s+28\"", b);
	final_ok(r);
	return 0;
}

/* Accepted and ignored: AT+CNUM (no own number), +CSDH, +CSCB, +CNMA. */
static int
at_ok(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	final_ok(r);
	return 0;
}

static const struct at_command {
	const char	*name;
	int		 sms;		/* refused by --no-sms ports and while the SIM waits for its PIN */
	int		(*run)(struct sim *, struct sbuf *, const char *, char, char *);
} at_commands[] = {
	{ "CMEE", 0, at_cmee },
	{ "CGMI", 0, at_ident }, { "GMI", 0, at_ident },
	{ "CGMM", 0, at_ident }, { "GMM", 0, at_ident },
	{ "CGMR", 0, at_ident }, { "GMR", 0, at_ident },
	{ "CGSN", 0, at_ident }, { "GSN", 0, at_ident },
	{ "CIMI", 0, at_ident },
	{ "GCAP", 0, at_ident },
	{ "CPIN", 0, at_cpin },
	{ "CSQ", 0, at_csq },
	{ "CREG", 0, at_creg },
	{ "CGREG", 0, at_creg },
	{ "COPS", 0, at_cops },
	{ "CGATT", 0, at_cgatt },
	{ "CSCS", 0, at_cscs },
	{ "CSCA", 1, at_csca },
	{ "CMGF", 1, at_cmgf },
	{ "CPMS", 1, at_cpms },
	{ "CNMI", 1, at_cnmi },
	{ "CMGL", 1, at_cmgl },
	{ "CMGR", 1, at_cmgr },
	{ "CMGD", 1, at_cmgd },
	{ "CMGS", 1, at_cmgs },
	{ "CMGW", 1, at_cmgs },
	{ "CMSS", 1, at_cmss },
	{ "CSMS", 1, at_csms },
	{ "CMMS", 1, at_cmms },
	{ "CUSD", 0, at_cusd },
	{ "CLIP", 0, at_clip },
	{ "CFUN", 0, at_cfun },
	{ "CCLK", 0, at_cclk },
	{ "CNUM", 0, at_ok },
	{ "CSDH", 1, at_ok },
	{ "CSCB", 0, at_ok },
	{ "CNMA", 1, at_ok },
	{ NULL, 0, NULL }
};

/* Runs one extended command (name without "+", op: 0 exec, '?' read, 't' test, '=' set). */
static int
run_extended(struct sim *sim, struct sbuf *r, const char *name, char op, char *arg)
{
	const struct at_command *c;

	for (c = at_commands; c->name != NULL; c++)
		if (!strcmp(name, c->name))
			break;
	if (c->name == NULL) {
		final_error(r);
		return 0;
	}
	/* --no-sms: a port (or firmware) that answers AT but has no SMS service */
	if (c->sms && (sim->no_sms || sim->pin_locked)) {
		if (sim->pin_locked)
			final_cme(sim, r, 11);	/* SIM PIN required */
		else
			final_error(r);
		return 0;
	}
	return c->run(sim, r, name, op, arg);
}

/*
 * Reads an extended command at *pp (just past its '+' or '^'): its name (upper-cased), its
 * operator (0 exec, '?' read, 't' test, '=' set) and argument, which runs to ';' outside quotes.
 * Leaves *pp after the ';' that ends it, or on the line's end.
 */
static void
parse_extended(char **pp, char *name, size_t namesz, char *op, char **arg)
{
	char	*p = *pp, *end;
	size_t	 n = 0;

	while (*p != '\0' && *p != '=' && *p != '?' && *p != ';' && n + 1 < namesz)
		name[n++] = toupper((unsigned char)*p++);
	name[n] = '\0';
	*op = 0;
	*arg = (char *)"";
	if (*p == '?') {
		*op = '?';
		p++;
	} else if (*p == '=' && p[1] == '?') {
		*op = 't';
		p += 2;
	} else if (*p == '=') {
		*op = '=';
		*arg = ++p;
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
	*pp = p;
}

/*
 * Runs the extended command at *pp (just past its prefix c, '+' or '^'). Returns -1 when it
 * succeeded and more commands follow on the line, else what run_line returns.
 */
static int
run_extended_at(struct sim *sim, struct sbuf *r, char **pp, int c)
{
	struct sbuf	 sub = { 0 };
	char		 name[32], op, *arg;

	parse_extended(pp, name, sizeof(name), &op, &arg);
	if (c == '^')
		return final_error(r), 0;
	if (**pp == '\0')
		return run_extended(sim, r, name, op, arg);
	/* More commands follow: run this one, keep only its info lines. */
	if (run_extended(sim, &sub, name, op, arg)) {
		free(sub.s);
		return final_error(r), 0;
	}
	if (sub.len >= 6 && strcmp(sub.s + sub.len - 6, "\r\nOK\r\n") == 0) {
		sb_add(r, sub.s, sub.len - 6);
		free(sub.s);
		return -1;
	}
	sb_add(r, sub.s, sub.len);
	free(sub.s);
	return 0;
}

static void
skip_digits(char **pp)
{
	while (isdigit((unsigned char)**pp))
		(*pp)++;
}

/*
 * Runs the basic command c (E, Z, I, V, Q, &F, S…) whose arguments start at *pp and leaves *pp
 * after them. Returns -1 after an ERROR reply, else 0.
 */
static int
run_basic(struct sim *sim, struct sbuf *r, int c, char **pp)
{
	switch (c) {
	case ' ':
		break;
	case 'E':
		sim->echo = **pp == '1';
		if (isdigit((unsigned char)**pp))
			(*pp)++;
		break;
	case 'Z':
		sim->echo = 1;
		sim->cmee = 0;
		sim->cnmi[0] = sim->cnmi[1] = sim->cnmi[2] = sim->cnmi[3] = sim->cnmi[4] = 0;
		snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
		skip_digits(pp);
		break;
	case 'I':
		info(r, "Manufacturer: %s", sim->manufacturer);
		info(r, "Model: %s", sim->model);
		info(r, "Revision: modemsim %s", KT_VERSION);
		info(r, "IMEI: %s", sim->imei);
		info(r, "+GCAP: +CGSM");
		skip_digits(pp);
		break;
	case '&':
		c = toupper((unsigned char)**pp);
		if (c == '\0')
			return final_error(r), -1;
		(*pp)++;
		if (c == 'F') {
			sim->echo = 1;
			sim->cmee = 0;
			snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
		}
		skip_digits(pp);
		break;
	case 'V': case 'Q': case 'X': case 'L': case 'M': case 'H':
		skip_digits(pp);
		break;
	case 'S':
		skip_digits(pp);
		if (**pp == '?') {
			info(r, "000");
			(*pp)++;
		} else if (**pp == '=') {
			(*pp)++;
			skip_digits(pp);
		}
		break;
	default:
		return final_error(r), -1;
	}
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
	int	 c, rv;

	if (*p == '\0') {
		final_ok(r);
		return 0;
	}
	while (*p != '\0') {
		c = toupper((unsigned char)*p++);
		if (c == '+' || c == '^') {
			if ((rv = run_extended_at(sim, r, &p, c)) != -1)
				return rv;
			continue;
		}
		if (run_basic(sim, r, c, &p) != 0)
			return 0;
	}
	final_ok(r);
	return 0;
}

void
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
void
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

void
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
