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
#include "tools/modemsim.h"

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

void
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
	size_t	 n = strlen(s);

	return n >= min && n <= max && str_digits_n(s, n);
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

/* What the command line chose beyond struct sim: the operator and the identity that follows from it. */
struct cmdline {
	const struct preset	*pr;
	const char		*opname, *mccmnc, *imsi, *smsc;
	int			 daemonize;
};

static void
sim_defaults(struct sim *sim)
{
	*sim = (struct sim){
		.mfd = -1, .sfd = -1, .spare_mfd = -1, .spare_sfd = -1, .lfd = -1,
		.signal = 20, .storage = 30, .echo = 1, .cfun = 1, .mr = 1,
		.report_delay_ms = 500,
	};
	sim->sent_tail = &sim->sent;
	snprintf(sim->imei, sizeof(sim->imei), "356938035643809");
	snprintf(sim->manufacturer, sizeof(sim->manufacturer), "Kentongan");
	snprintf(sim->model, sizeof(sim->model), "modemsim");
	snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
}

/* The identity options (--imei, --imsi, --manufacturer, --model): 0, or 2 after saying why. */
static int
opt_identity(struct sim *sim, struct cmdline *cl, int ch, const char *arg)
{
	switch (ch) {
	case 'i':
		if (!all_digits(arg, 14, 17)) {
			fprintf(stderr, "modemsim: --imei wants 15 digits, not '%s'\n", arg);
			return 2;
		}
		snprintf(sim->imei, sizeof(sim->imei), "%s", arg);
		break;
	case 'I':
		if (!all_digits(arg, 6, 15)) {
			fprintf(stderr, "modemsim: --imsi wants up to 15 digits, not '%s'\n",
			    arg);
			return 2;
		}
		cl->imsi = arg;
		break;
	case 'M':
	case 'G':
		if (*arg == '\0' || strlen(arg) >= sizeof(sim->model) || strpbrk(arg, "\r\n\"")) {
			fprintf(stderr, "modemsim: --%s wants 1-63 characters on one line, not '%s'\n",
			    ch == 'M' ? "manufacturer" : "model", arg);
			return 2;
		}
		snprintf(ch == 'M' ? sim->manufacturer : sim->model, sizeof(sim->model), "%s", arg);
		break;
	}
	return 0;
}

/* The network options (--operator, --operator-name, --mccmnc, --smsc): 0, or 2 after saying why. */
static int
opt_network(struct cmdline *cl, int ch, const char *arg)
{
	switch (ch) {
	case 'o':
		for (cl->pr = presets; cl->pr->key != NULL; cl->pr++)
			if (strcasecmp(cl->pr->key, arg) == 0)
				break;
		if (cl->pr->key == NULL) {
			fprintf(stderr, "modemsim: unknown --operator '%s'; use telkomsel, "
			    "indosat, xl, axis, tri or smartfren (or --operator-name and "
			    "--mccmnc)\n", arg);
			return 2;
		}
		break;
	case 'N':
		cl->opname = arg;
		break;
	case 'm':
		if (!all_digits(arg, 5, 6)) {
			fprintf(stderr, "modemsim: --mccmnc wants 5 or 6 digits such as 51010, "
			    "not '%s'\n", arg);
			return 2;
		}
		cl->mccmnc = arg;
		break;
	case 'S':
		if (!phone_number_ok(arg)) {
			fprintf(stderr, "modemsim: --smsc wants a number such as +6281100000, "
			    "not '%s'\n", arg);
			return 2;
		}
		cl->smsc = arg;
		break;
	}
	return 0;
}

/* Reads a decimal integer from min to max into *v: 0, or -1 if arg is not one. */
static int
opt_int(const char *arg, int *v, int min, int max)
{
	char	*end;

	*v = strtol(arg, &end, 10);
	return *end != '\0' || *v < min || *v > max ? -1 : 0;
}

/* The numeric options (--signal, --storage, --send-latency): 0, or 2 after saying why. */
static int
opt_number(struct sim *sim, int ch, const char *arg)
{
	switch (ch) {
	case 'q':
		if (opt_int(arg, &sim->signal, 0, 99) != 0 || (sim->signal > 31 && sim->signal != 99)) {
			fprintf(stderr, "modemsim: --signal wants 0-31 (or 99), not '%s'\n", arg);
			return 2;
		}
		break;
	case 'n':
		if (opt_int(arg, &sim->storage, 1, 255) != 0) {
			fprintf(stderr, "modemsim: --storage wants 1-255 slots, not '%s'\n", arg);
			return 2;
		}
		break;
	case 'd':
		if (opt_int(arg, &sim->latency_ms, 0, 600000) != 0) {
			fprintf(stderr, "modemsim: --send-latency wants milliseconds, not '%s'\n", arg);
			return 2;
		}
		break;
	}
	return 0;
}

/* The command line, read by parse_args (usage() says what each does). */
static const struct option long_opts[] = {
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

/* Reads the command line into sim and cl: -1 to carry on, else the exit code. */
static int
parse_args(int argc, char **argv, struct sim *sim, struct cmdline *cl)
{
	int	 ch;

	while ((ch = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			sim->link = optarg;
			break;
		case 'c':
			sim->ctl_path = optarg;
			break;
		case 's':
			sim->sent_log = optarg;
			break;
		case 'L':
			sim->log_path = optarg;
			break;
		case 'i': case 'I': case 'M': case 'G':
			if (opt_identity(sim, cl, ch, optarg) != 0)
				return 2;
			break;
		case 'o': case 'N': case 'm': case 'S':
			if (opt_network(cl, ch, optarg) != 0)
				return 2;
			break;
		case 'q': case 'n': case 'd':
			if (opt_number(sim, ch, optarg) != 0)
				return 2;
			break;
		case 'Y':
			sim->decoy = 1;
			break;
		case 'Z':
			sim->no_sms = 1;
			break;
		case 'K':
			sim->pin_locked = 1;
			break;
		case 'D':
			cl->daemonize = 1;
			break;
		case 'f':
			cl->daemonize = 0;
			break;
		case 'p':
			sim->pidfile = optarg;
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
	return -1;
}

/* Fills in the operator, the IMSI, the balance USSD reply and the SIM storage. */
static void
sim_identity(struct sim *sim, const struct cmdline *cl)
{
	const struct preset	*pr = cl->pr;
	struct ussd_entry	*e;

	snprintf(sim->opname, sizeof(sim->opname), "%s", cl->opname ? cl->opname : pr->name);
	snprintf(sim->mccmnc, sizeof(sim->mccmnc), "%s", cl->mccmnc ? cl->mccmnc : pr->mccmnc);
	snprintf(sim->smsc, sizeof(sim->smsc), "%s", cl->smsc ? cl->smsc : pr->smsc);
	if (cl->imsi != NULL)
		snprintf(sim->imsi, sizeof(sim->imsi), "%s", cl->imsi);
	else
		snprintf(sim->imsi, sizeof(sim->imsi), "%s%0*d", sim->mccmnc,
		    15 - (int)strlen(sim->mccmnc), 1);
	e = xcalloc(1, sizeof(*e));
	e->code = xstrdup(pr->balance_code);
	e->text = xstrdup("Sisa pulsa Anda Rp 25.000. Aktif s/d 31-12-2026. "
	    "Paket SMS 500 SMS s/d 31-12-2026.");
	sim->ussd = e;
	sim->slots = xcalloc(sim->storage, sizeof(*sim->slots));
}

/* Opens the log and checks the sent log can be written: 0, or 1 after saying why. */
static int
open_logs(struct sim *sim)
{
	FILE	*f;

	if (sim->log_path != NULL) {
		if (strcmp(sim->log_path, "-") == 0)
			sim->logf = stderr;
		else if ((sim->logf = fopen(sim->log_path, "a")) == NULL) {
			fprintf(stderr, "modemsim: cannot open log %s: %s\n", sim->log_path,
			    strerror(errno));
			return 1;
		}
	}
	if (sim->sent_log != NULL) {
		f = fopen(sim->sent_log, "a");
		if (f == NULL) {
			fprintf(stderr, "modemsim: cannot write the sent log %s: %s\n",
			    sim->sent_log, strerror(errno));
			return 1;
		}
		fclose(f);
	}
	return 0;
}

static void
setup_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &loop_sigmask);	/* delivered only inside ppoll */
}

/* Opens the pty, its link and the control socket: 0, or 1 after saying why. */
static int
sim_open(struct sim *sim)
{
	sim->mfd = pty_open(sim->ptyname, sizeof(sim->ptyname), &sim->sfd);
	if (sim->mfd == -1) {
		fprintf(stderr, "modemsim: cannot open a pseudo-terminal: %s\n", strerror(errno));
		return 1;
	}
	if (sim->link != NULL && link_set(sim->link, sim->ptyname) == -1) {
		fprintf(stderr, "modemsim: cannot create the link %s -> %s: %s\n", sim->link,
		    sim->ptyname, strerror(errno));
		return 1;
	}
	if (sim->ctl_path != NULL && (sim->lfd = ctl_listen(sim->ctl_path)) == -1) {
		sim_cleanup(sim);
		return 1;
	}
	return 0;
}

/*
 * Goes to the background: the parent prints the pty's name and exits once the child has its
 * pidfile (scripts may read it at once). Returns 0 in the child, 1 if it cannot fork.
 */
static int
detach(struct sim *sim)
{
	int	 ready[2], fd;
	char	 c;
	pid_t	 pid;

	if (pipe(ready) == -1 || (pid = fork()) == -1) {
		fprintf(stderr, "modemsim: cannot detach: %s\n", strerror(errno));
		sim_cleanup(sim);
		return 1;
	}
	if (pid > 0) {
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1)
			_exit(1);	/* the child said why on stderr */
		printf("%s\n", sim->ptyname);
		fflush(stdout);
		_exit(0);
	}
	close(ready[0]);
	setsid();
	if (write_pidfile(sim) != 0)
		_exit(1);
	fd = open("/dev/null", O_RDWR);
	if (fd != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (sim->logf != stderr)
			dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (write(ready[1], "1", 1) != 1)
		_exit(1);
	close(ready[1]);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sim	 sim;
	struct cmdline	 cl = { presets, NULL, NULL, NULL, NULL, 0 };
	int		 rc;

	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return ctl_client(argc - 2, argv + 2);

	sim_defaults(&sim);
	if ((rc = parse_args(argc, argv, &sim, &cl)) != -1)
		return rc;
	sim_identity(&sim, &cl);
	if (open_logs(&sim) != 0)
		return 1;
	setup_signals();
	if (sim_open(&sim) != 0)
		return 1;
	sim_event(&sim, "ready on %s operator=%s mccmnc=%s", sim.ptyname, sim.opname, sim.mccmnc);
	if (cl.daemonize) {
		if (detach(&sim) != 0)
			return 1;
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
