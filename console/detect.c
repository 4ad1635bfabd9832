/*
 * detect — `kentongan modems detect [--json] [--timeout S] [--connection C] [GLOB…]`: finds the
 * GSM modems plugged into this machine and prints ready [modem NAME] sections. Works without the
 * daemon and without a configuration.
 *
 * The console never links libGammu: each port is probed by `kentongand --probe PORT` (the modem
 * worker's probe mode, so exactly the code that will drive the modem later), one process per
 * port, all at once, each killed at its deadline (a diagnostic or GPS port never answers). Ports
 * a running kentongand, ModemManager or another modem program (port_users) holds open are
 * listed and not touched. The ports of one
 * stick share an IMEI; the first of them (in name order) whose SMS memory answers is the one to
 * use. A port is named by a stable symlink when one matched (/dev/serial/by-id/… first), else by
 * the glob that found it, with `imei =` to pick the stick out again after re-plugging.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/devuse.h"
#include "common/fs.h"
#include "common/ini.h"
#include "common/proto.h"
#include "common/str.h"
#include "common/table.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "console/console.h"
#include "parsers/balance.h"
#include "paths.h"	/* MODEM_CONFIGS_DIR, from PREFIX */

#define DETECT_PARALLEL		32	/* probes running at once */
#define DETECT_TIMEOUT_S	10	/* a real stick connects in 3-5 s */

/* Programs that keep a modem port open to use it: probing would disturb them (an old gammu-smsd
 * or smstools setup, a dial-up, a terminal someone is typing AT commands in). */
static const char *port_users[] = { "kentongand", "ModemManager", "gammu-smsd", "gammu", "smsd", "bearerbox",
	"pppd", "wvdial", "minicom", "picocom", "screen", "cu", "socat", NULL };

static const char *default_globs[] = { "/dev/ttyUSB*", "/dev/ttyACM*", "/dev/serial/by-id/*", NULL };

struct profile {
	char	*path;
	char	*usb;		/* comma list of vvvv:pppp */
	char	*models;	/* comma list of AT+CGMM substrings */
};

struct port {
	char		*real;		/* the device, resolved */
	char		*stable;	/* a symlink that matched, NULL none */
	char		*first;		/* the first name that matched */
	char		*glob;		/* the pattern that found it */
	char		 usb[16];	/* vvvv:pppp of the USB device, "" unknown */
	const char	*state;
	char		 holder[96];	/* in use by … */
	/* the probe */
	pid_t		 pid;
	int		 fd;
	uint8_t		*buf;
	size_t		 len;
	double		 deadline;
	int		 running;
	uint32_t	 outcome;
	char		*error, *manu, *model, *fw, *imei, *imsi, *net, *mccmnc, *smserr;
	int64_t		 sig, reg, sms, simused, simsize, phused, phsize, locked;
	/* the verdict */
	int		 stick;		/* index of the first port of the same modem, -1 none */
	int		 use;
	const struct profile *profile;
	const char	*op;		/* operators.conf section */
	char		*name;		/* [modem NAME] */
	char		*section;
};

static const char *
shown(const struct port *p)
{
	return p->stable ? p->stable : p->first;
}

const char *
console_daemon_path(void)
{
	static char	 path[PATH_MAX + 16];
	char		 self[PATH_MAX];
	ssize_t		 n;
	const char	*env = getenv("KENTONGAND");

	if (env && *env)
		return env;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(path, sizeof(path), "%s/kentongand", self);
		if (access(path, X_OK) == 0)
			return path;
	}
	return "kentongand";	/* from PATH */
}

static void	ports_free(struct port *, int);

/* ---- profiles: the [kentongan] section of each modem-configs/NAME.gammurc ---- */

/* usb = and models = of the [kentongan] section; its other keys are for libGammu. */
static int
profile_key_cb(const struct ini_line *l, void *arg)
{
	struct profile	*p = arg;
	char		**to = !strcmp(l->key, "usb") ? &p->usb : !strcmp(l->key, "models") ? &p->models : NULL;

	if (to != NULL) {
		free(*to);
		*to = xstrdup(l->value);
	}
	return 0;
}

static int
profiles_load(const char *dir, struct profile **out)
{
	glob_t	 g;
	char	 pat[PATH_MAX];
	int	 n = 0;

	*out = NULL;
	snprintf(pat, sizeof(pat), "%s/*.gammurc", dir);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char			 err[200], *text;
		struct profile		 p = { NULL, NULL, NULL };
		struct ini_section	 kentongan = { "kentongan", profile_key_cb, &p, 0 };

		if ((text = fs_read_text(g.gl_pathv[i], 1 << 16, "profile", err, sizeof(err))) == NULL)
			continue;
		(void)ini_parse(text, 0, ini_section_cb, &kentongan);
		free(text);
		p.path = xstrdup(g.gl_pathv[i]);
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n++] = p;
	}
	globfree(&g);
	return n;
}

/* Whether item (case-insensitively) is one of the comma list, or with sub: inside value. */
static int
list_has(const char *list, const char *value, int sub)
{
	char	*copy, *tok, *save = NULL;
	int	 hit = 0;

	if (list == NULL || value == NULL || *value == '\0')
		return 0;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok && !hit; tok = strtok_r(NULL, ",", &save)) {
		char *t = str_trim(tok);

		if (*t == '\0')
			continue;
		hit = sub ? strcasestr(value, t) != NULL : !strcasecmp(value, t);
	}
	free(copy);
	return hit;
}

/* Both the USB ids and the model first (two sticks may share ids), then the model, then the ids. */
static const struct profile *
profile_match(const struct profile *ps, int n, const struct port *p)
{
	for (int i = 0; i < n; i++)
		if (*p->usb && list_has(ps[i].usb, p->usb, 0) && list_has(ps[i].models, p->model, 1))
			return &ps[i];
	for (int i = 0; i < n; i++)
		if (list_has(ps[i].models, p->model, 1))
			return &ps[i];
	for (int i = 0; i < n; i++)
		if (*p->usb && list_has(ps[i].usb, p->usb, 0))
			return &ps[i];
	return NULL;
}

/* The USB vendor:product above a tty in sysfs, "" for anything else (a pty, a UART). */
static void
usb_ids(const char *real, char *out, size_t len)
{
	char	 path[PATH_MAX + 32], dev[PATH_MAX], v[16] = "", p[16] = "";
	FILE	*f;

	*out = '\0';
	snprintf(path, sizeof(path), "/sys/class/tty/%s/device", strrchr(real, '/') + 1);
	if (realpath(path, dev) == NULL)
		return;
	for (int up = 0; up < 6 && strlen(dev) > 5; up++) {
		snprintf(path, sizeof(path), "%s/idVendor", dev);
		if ((f = fopen(path, "r")) != NULL) {
			if (fgets(v, sizeof(v), f) == NULL)
				v[0] = '\0';
			fclose(f);
			snprintf(path, sizeof(path), "%s/idProduct", dev);
			if ((f = fopen(path, "r")) != NULL) {
				if (fgets(p, sizeof(p), f) == NULL)
					p[0] = '\0';
				fclose(f);
			}
			v[strcspn(v, "\n")] = p[strcspn(p, "\n")] = '\0';
			snprintf(out, len, "%s:%s", v, p);
			return;
		}
		*strrchr(dev, '/') = '\0';
	}
}

/* ---- candidates ---- */

static int
port_cmp(const void *a, const void *b)
{
	return strcmp(shown(a), shown(b));
}

static int
is_stable_name(const char *s)
{
	return strstr(s, "/by-id/") != NULL || strstr(s, "/by-path/") != NULL;
}

static int
candidates(char **globs, int nglobs, struct port **out)
{
	struct port	*ps = NULL;
	int		 n = 0;

	for (int gi = 0; gi < nglobs; gi++) {
		glob_t g;

		if (glob(globs[gi], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char	*name = g.gl_pathv[i];
			char		 real[PATH_MAX];
			struct stat	 sb, lsb;
			int		 k;

			if (realpath(name, real) == NULL || stat(real, &sb) == -1 || !S_ISCHR(sb.st_mode) ||
			    lstat(name, &lsb) == -1)
				continue;
			for (k = 0; k < n && strcmp(ps[k].real, real); k++)
				;
			if (k == n) {
				ps = xreallocarray(ps, n + 1, sizeof(*ps));
				memset(&ps[n], 0, sizeof(ps[n]));
				ps[n].real = xstrdup(real);
				ps[n].first = xstrdup(name);
				ps[n].glob = xstrdup(globs[gi]);
				ps[n].fd = -1;
				ps[n].stick = -1;
				usb_ids(real, ps[n].usb, sizeof(ps[n].usb));
				n++;
			}
			/* a symlink is a stable name; by-id and by-path ones are the best */
			if (S_ISLNK(lsb.st_mode) && (ps[k].stable == NULL ||
			    (!is_stable_name(ps[k].stable) && is_stable_name(name)))) {
				free(ps[k].stable);
				ps[k].stable = xstrdup(name);
				free(ps[k].glob);
				ps[k].glob = xstrdup(globs[gi]);
			}
		}
		globfree(&g);
	}
	if (n > 1)
		qsort(ps, (size_t)n, sizeof(*ps), port_cmp);
	*out = ps;
	return n;
}

/* ---- probing ---- */

static void
probe_start(struct port *p, const char *daemon, const char *connection, int timeout_s)
{
	int	 fds[2];
	pid_t	 pid;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		p->state = "cannot-open";
		xasprintf(&p->error, "pipe: %s", strerror(errno));
		return;
	}
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		p->state = "cannot-open";
		xasprintf(&p->error, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		/* the probe talks to the port only: not to the terminal setup asks questions on */
		dup2(fds[1], STDOUT_FILENO);
		if (devnull != -1) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execlp(daemon, "kentongand", "--probe", p->real, "--probe-connection", connection, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	p->pid = pid;
	p->fd = fds[0];
	p->running = 1;
	p->deadline = clock_mono() + timeout_s;
}

static char *
get_str(struct pbuf *r)
{
	const char *s = pbuf_get_str(r);

	return xstrdup(s ? s : "");
}

static void
probe_parse(struct port *p)
{
	struct proto_hdr	 h;
	struct pbuf		 r;

	if (proto_check(p->buf, p->len, &h) != PROTO_FRAME_OK || h.type != PROTO_W_PROBE) {
		p->state = "no-answer";
		if (p->error == NULL)
			xasprintf(&p->error, "the probe (kentongand --probe) gave no result");
		return;
	}
	pbuf_reader(&r, p->buf + sizeof(h), h.len);
	p->outcome = pbuf_get_u32(&r);
	p->error = get_str(&r);
	p->manu = get_str(&r);
	p->model = get_str(&r);
	p->fw = get_str(&r);
	p->imei = get_str(&r);
	p->imsi = get_str(&r);
	p->net = get_str(&r);
	p->mccmnc = get_str(&r);
	p->sig = pbuf_get_i64(&r);
	p->reg = pbuf_get_i64(&r);
	p->sms = pbuf_get_i64(&r);
	p->simused = pbuf_get_i64(&r);
	p->simsize = pbuf_get_i64(&r);
	p->phused = pbuf_get_i64(&r);
	p->phsize = pbuf_get_i64(&r);
	p->smserr = get_str(&r);
	p->locked = pbuf_get_i64(&r);
	if (r.err) {
		p->state = "no-answer";
		free(p->error);
		xasprintf(&p->error, "the probe's result is malformed (kentongand and kentongan of "
		    "different versions?)");
		return;
	}
	switch (p->outcome) {
	case PROTO_PROBE_OPEN_FAILED:
		p->state = "cannot-open";
		break;
	case PROTO_PROBE_NO_ANSWER:
		p->state = "no-answer";
		break;
	default:
		p->state = p->locked ? "sim-locked" : p->sms ? "ok" : "no-sms";
		if (!p->sms && *p->error == '\0') {
			free(p->error);
			xasprintf(&p->error, "answers AT but refuses SMS commands (%s)", p->smserr);
		}
	}
}

static void
probe_end(struct port *p, int killed, int timeout_s)
{
	int	 status;

	if (killed)
		kill(p->pid, SIGKILL);
	while (waitpid(p->pid, &status, 0) == -1 && errno == EINTR)
		;
	close(p->fd);
	p->fd = -1;
	p->running = 0;
	if (killed) {
		p->state = "no-answer";
		xasprintf(&p->error, "no answer to AT within %ds (a diagnostic or GPS port, or not a modem)",
		    timeout_s);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && p->len == 0) {
		p->state = "no-answer";
		xasprintf(&p->error, "cannot run %s --probe", console_daemon_path());
	} else
		probe_parse(p);
	free(p->buf);
	p->buf = NULL;
}

static void
probe_all(struct port *ps, int n, const char *connection, int timeout_s)
{
	const char	*daemon = console_daemon_path();
	int		 next = 0, running = 0;

	for (;;) {
		struct pollfd	 pfd[DETECT_PARALLEL];
		struct port	*who[DETECT_PARALLEL];
		int		 np = 0, wait_ms = 1000;
		double		 now;

		while (running < DETECT_PARALLEL && next < n) {
			if (ps[next].state == NULL) {
				probe_start(&ps[next], daemon, connection, timeout_s);
				running += ps[next].running;
			}
			next++;
		}
		if (running == 0 && next >= n)
			break;
		now = clock_mono();
		for (int i = 0; i < n; i++) {
			if (!ps[i].running)
				continue;
			if (now >= ps[i].deadline) {
				probe_end(&ps[i], 1, timeout_s);
				running--;
				continue;
			}
			if ((ps[i].deadline - now) * 1000 + 1 < wait_ms)
				wait_ms = (int)((ps[i].deadline - now) * 1000) + 1;
			pfd[np].fd = ps[i].fd;
			pfd[np].events = POLLIN;
			who[np++] = &ps[i];
		}
		if (np == 0)
			continue;
		if (poll(pfd, (nfds_t)np, wait_ms) == -1 && errno != EINTR)
			break;
		for (int i = 0; i < np; i++) {
			uint8_t	 chunk[4096];
			ssize_t	 r;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(pfd[i].fd, chunk, sizeof(chunk));
			if (r > 0 && who[i]->len < 65536) {
				who[i]->buf = xrealloc(who[i]->buf, who[i]->len + (size_t)r);
				memcpy(who[i]->buf + who[i]->len, chunk, (size_t)r);
				who[i]->len += (size_t)r;
			} else if (r == 0 || (r == -1 && errno != EINTR && errno != EAGAIN)) {
				probe_end(who[i], 0, timeout_s);
				running--;
			}
		}
	}
}

/* ---- verdict ---- */

static void
choose(struct port *ps, int n, const struct profile *profs, int nprofs, struct balance_table *ops,
    const char *connection)
{
	for (int i = 0; i < n; i++) {
		struct port *p = &ps[i];

		if (p->outcome != PROTO_PROBE_ANSWERED || p->state == NULL || strcmp(p->state, "ok") != 0 ||
		    p->imei == NULL)
			continue;
		/* the ports of one stick share its IMEI; the first that does SMS is the one */
		for (int j = 0; j < i; j++)
			if (ps[j].imei && *p->imei && !strcmp(ps[j].imei, p->imei) &&
			    ps[j].state && !strcmp(ps[j].state, "ok")) {
				p->stick = ps[j].stick;
				break;
			}
		if (p->stick == -1) {
			p->stick = i;
			p->use = 1;
		}
	}
	/* a port of a stick that answers AT but is not the one to use */
	for (int i = 0; i < n; i++)
		for (int j = 0; ps[i].outcome == PROTO_PROBE_ANSWERED && ps[i].stick == -1 && ps[i].imei &&
		    *ps[i].imei && j < n; j++)
			if (ps[j].use && !strcmp(ps[j].imei, ps[i].imei))
				ps[i].stick = j;
	for (int i = 0; i < n; i++) {
		struct port	*p = &ps[i];
		const char	*opkey = "modem", *ussd = NULL, *disp = NULL;
		int		 count = 1;
		FILE		*f;
		size_t		 len;
		char		*buf = NULL;

		if (p->outcome != PROTO_PROBE_ANSWERED)
			continue;
		p->profile = profile_match(profs, nprofs, p);
		if (ops && p->mccmnc && *p->mccmnc)
			p->op = balance_operator(ops, p->mccmnc);
		if (!p->use)
			continue;
		if (p->op) {
			opkey = p->op;
			ussd = balance_ussd(ops, p->op);
			disp = balance_display(ops, p->op);
		}
		for (int j = 0; j < i; j++)
			if (ps[j].use && ps[j].name && !strncmp(ps[j].name, opkey, strlen(opkey)) &&
			    ps[j].name[strlen(opkey)] == '-')
				count++;
		xasprintf(&p->name, "%s-%d", opkey, count);
		f = open_memstream(&buf, &len);
		fprintf(f, "; %s %s, IMEI %s", p->manu, p->model, p->imei);
		if (*p->net || *p->mccmnc)
			fprintf(f, ", %s (%s)", disp ? disp : p->net, p->mccmnc);
		if (p->sig >= 0)
			fprintf(f, ", signal %d%%", (int)p->sig);
		fprintf(f, ", SIM %d/%d messages\n", (int)p->simused, (int)p->simsize);
		fprintf(f, "[modem %s]\n", p->name);
		if (p->profile)
			fprintf(f, "profile      = %s\n", p->profile->path);
		else
			fprintf(f, "connection   = %s\nmodel        = at\n", connection);
		if (p->stable)
			fprintf(f, "device       = %s\n", p->stable);
		else if (strpbrk(p->glob, "*?["))
			fprintf(f, "device       = %s\n", p->glob);
		else
			fprintf(f, "device       = %s\n", p->first);
		if (*p->imei)
			fprintf(f, "imei         = %s\n", p->imei);
		if (p->op)
			fprintf(f, "operator     = %s\n", p->op);
		if (ussd)
			fprintf(f, "balance_ussd = %s\n", ussd);
		fclose(f);
		p->section = buf;
	}
}

/* ---- output ---- */

static void
json_kv(FILE *f, const char *k, const char *v)
{
	fputc(',', f);
	json_string(f, k);
	fputc(':', f);
	if (v == NULL || *v == '\0')
		fputs("null", f);
	else
		json_string(f, v);
}

static void
print_json(FILE *f, const struct port *ps, int n)
{
	fputc('[', f);
	for (int i = 0; i < n; i++) {
		const struct port *p = &ps[i];

		fputs(i ? ",\n{" : "{", f);
		json_string(f, "port");
		fputc(':', f);
		json_string(f, shown(p));
		json_kv(f, "device", p->real);
		json_kv(f, "stable", p->stable);
		json_kv(f, "state", p->state);
		fprintf(f, ",\"answers_at\":%s", p->outcome == PROTO_PROBE_ANSWERED ? "true" : "false");
		json_kv(f, "error", p->error);
		json_kv(f, "in_use_by", p->holder);
		json_kv(f, "usb", p->usb);
		json_kv(f, "manufacturer", p->manu);
		json_kv(f, "model", p->model);
		json_kv(f, "firmware", p->fw);
		json_kv(f, "imei", p->imei);
		json_kv(f, "imsi", p->imsi);
		json_kv(f, "network", p->net);
		json_kv(f, "mccmnc", p->mccmnc);
		json_kv(f, "operator", p->op);
		if (p->outcome == PROTO_PROBE_ANSWERED && p->sig >= 0)
			fprintf(f, ",\"signal\":%d", (int)p->sig);
		else
			fputs(",\"signal\":null", f);
		if (p->outcome == PROTO_PROBE_ANSWERED && p->sms)
			fprintf(f, ",\"sms\":{\"sim_used\":%d,\"sim_size\":%d,\"phone_used\":%d,\"phone_size\":%d}",
			    (int)p->simused, (int)p->simsize, (int)p->phused, (int)p->phsize);
		else
			fputs(",\"sms\":null", f);
		fprintf(f, ",\"use\":%s", p->use ? "true" : "false");
		json_kv(f, "same_modem_as", p->stick >= 0 && !p->use ? shown(&ps[p->stick]) : NULL);
		json_kv(f, "profile", p->profile ? p->profile->path : NULL);
		json_kv(f, "name", p->name);
		json_kv(f, "section", p->section);
		fputc('}', f);
	}
	fputs("]\n", f);
}

static void
print_text(FILE *f, const struct port *ps, int n)
{
	static const char *names[] = { "port", "state", "modem", "imei", "imsi", "network", "signal", "sms",
	    "use" };
	struct table	*t = table_new(f, TABLE_TEXT);
	int		 nuse = 0;

	for (int i = 0; i < n; i++) {
		const struct port	*p = &ps[i];
		char			 modem[160] = "", sig[16] = "", sms[32] = "", use[200] = "";
		const char		*vals[9];

		if (p->outcome == PROTO_PROBE_ANSWERED) {
			snprintf(modem, sizeof(modem), "%s %s", p->manu, p->model);
			if (p->sig >= 0)
				snprintf(sig, sizeof(sig), "%d%%", (int)p->sig);
			if (p->sms)
				snprintf(sms, sizeof(sms), "SIM %d/%d", (int)p->simused, (int)p->simsize);
			else
				snprintf(sms, sizeof(sms), "refused");
		}
		if (p->use)
			snprintf(use, sizeof(use), "yes: [modem %s]", p->name);
		else if (p->stick >= 0)
			snprintf(use, sizeof(use), "no: same modem as %s%s", shown(&ps[p->stick]),
			    p->sms ? "" : "; no SMS on this port");
		else if (*p->holder)
			snprintf(use, sizeof(use), "no: in use by %s", p->holder);
		else if (p->error)
			snprintf(use, sizeof(use), "no: %s", p->error);
		else
			snprintf(use, sizeof(use), "no");
		vals[0] = shown(p);
		vals[1] = p->state;
		vals[2] = modem;
		vals[3] = p->imei ? p->imei : "";
		vals[4] = p->imsi ? p->imsi : "";
		vals[5] = p->net ? p->net : "";
		vals[6] = sig;
		vals[7] = sms;
		vals[8] = use;
		table_rowv(t, 9, names, vals);
	}
	table_end(t);
	for (int i = 0; i < n; i++)
		if (ps[i].use) {
			if (nuse++ == 0)
				fprintf(f, "\nReady sections for kentongan.conf (or run 'kentongan setup'):\n");
			fprintf(f, "\n%s", ps[i].section);
		}
}

/* Whether a daemon holds the configuration's lock (it runs on that database). */
static int
daemon_running(const struct conf *c)
{
	int	 fd, held = 0;

	/* a lock we may not read belongs to a daemon of another user: assume it runs */
	if ((fd = open(c->lockfile, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == EACCES;
	if (flock(fd, LOCK_SH | LOCK_NB) == -1)
		held = errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* The ports the running daemon of this configuration may open, also while a worker is between
 * two attempts (then /proc shows no holder): they are not touched either. */
static void
mark_configured(const struct conf *c, struct port *ps, int n)
{
	if (c == NULL || !daemon_running(c))
		return;
	for (int i = 0; i < c->nmodems; i++) {
		const char	*dev = conf_modem_gammu(&c->modems[i], "device");
		glob_t		 g;

		if (!c->modems[i].enabled || dev == NULL || *dev != '/' || glob(dev, 0, NULL, &g) != 0)
			continue;
		for (size_t j = 0; j < g.gl_pathc; j++) {
			char real[PATH_MAX];

			if (realpath(g.gl_pathv[j], real) == NULL)
				continue;
			for (int k = 0; k < n; k++)
				if (!strcmp(ps[k].real, real) && ps[k].state == NULL) {
					snprintf(ps[k].holder, sizeof(ps[k].holder), "kentongand (modem %s)",
					    c->modems[i].name);
					ps[k].state = "in-use";
				}
		}
		globfree(&g);
	}
}

static void
usage_detect(FILE *f)
{
	fprintf(f, "usage: kentongan modems detect [--json] [--timeout SECONDS] [--connection CONN] [GLOB…]\n");
}

int
console_detect_run(const struct conf *conf, char **globs_in, int nglobs, int timeout_s, const char *connection,
    enum table_format fmt, FILE *out, char **sections)
{
	char		**globs = NULL;
	int		  n, nprofs, nuse = 0, nheld;
	const char	 *dir;
	struct port	 *ps;
	struct profile	 *profs;
	struct devuse	 *held;
	struct balance_table *ops = NULL;
	char		  path[PATH_MAX], err[200], *text;
	pid_t		  mm;

	for (int i = 0; i < nglobs; i++) {
		globs = xreallocarray(globs, i + 1, sizeof(*globs));
		globs[i] = globs_in[i];
	}
	if (nglobs == 0)
		for (int i = 0; default_globs[i]; i++) {
			globs = xreallocarray(globs, nglobs + 1, sizeof(*globs));
			globs[nglobs++] = (char *)default_globs[i];
		}
	dir = conf_modem_configs(conf, MODEM_CONFIGS_DIR);
	nprofs = profiles_load(dir, &profs);
	snprintf(path, sizeof(path), "%s/operators.conf", dir);
	if ((text = fs_read_text(path, 1 << 20, "operators", err, sizeof(err))) != NULL) {
		ops = balance_table_parse(text, err, sizeof(err));
		free(text);
	}

	n = candidates(globs, nglobs, &ps);
	free(globs);
	/* what a running kentongand or ModemManager holds open is not touched */
	mark_configured(conf, ps, n);
	nheld = devuse_scan(&held);
	for (int i = 0; i < n; i++) {
		const struct devuse *u = NULL;

		for (int k = 0; ps[i].state == NULL && u == NULL && port_users[k] != NULL; k++)
			u = devuse_holder(held, nheld, ps[i].real, port_users[k]);
		if (u != NULL) {
			snprintf(ps[i].holder, sizeof(ps[i].holder), "%s (pid %d)", u->comm, (int)u->pid);
			ps[i].state = "in-use";
		}
	}
	free(held);
	if (geteuid() != 0 && fmt != TABLE_JSON)
		fprintf(stderr, "kentongan: note: not root, so ports that other users' programs hold open cannot "
		    "be seen (and may be probed); a daemon's own ports are known from its configuration (-c)\n");
	if ((mm = devuse_running("ModemManager")) != 0)
		fprintf(stderr, "kentongan: warning: ModemManager is running (pid %d): it probes and holds modem "
		    "ports and fights Kentongan for them. Install Kentongan's udev rule (make install does; "
		    "see modem-configs/README.md) or stop it: systemctl disable --now ModemManager\n", (int)mm);
	probe_all(ps, n, connection, timeout_s);
	choose(ps, n, profs, nprofs, ops, connection);
	for (int i = 0; i < n; i++)
		nuse += ps[i].use;
	if (out != NULL && fmt == TABLE_JSON)
		print_json(out, ps, n);
	else if (out != NULL && n > 0)
		print_text(out, ps, n);
	if (n == 0 && fmt != TABLE_JSON)
		fprintf(stderr, "kentongan: no serial port matches %s: is the modem plugged in? A stick that "
		    "shows up as a USB CD-ROM needs usb-modeswitch (see modem-configs/README.md)\n",
		    globs_in && nglobs ? "the given globs" : "/dev/ttyUSB*, /dev/ttyACM* or /dev/serial/by-id/*");
	else if (nuse == 0 && fmt != TABLE_JSON)
		fprintf(stderr, "kentongan: no usable modem found\n");
	if (sections != NULL) {
		size_t	 len;
		FILE	*f = open_memstream(sections, &len);

		for (int i = 0; i < n; i++)
			if (ps[i].use)
				fprintf(f, "\n%s", ps[i].section);
		fclose(f);
	}
	ports_free(ps, n);
	for (int i = 0; i < nprofs; i++) {
		free(profs[i].path);
		free(profs[i].usb);
		free(profs[i].models);
	}
	free(profs);
	balance_table_free(ops);
	return nuse;
}

int
console_detect(struct console *con, int argc, char **argv)
{
	char		**globs = NULL;
	int		  nglobs = 0, timeout_s = DETECT_TIMEOUT_S, nuse;
	const char	 *connection = "at115200";

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			char *end;

			timeout_s = (int)strtol(argv[++i], &end, 10);
			if (*end || timeout_s < 1 || timeout_s > 600) {
				fprintf(stderr, "kentongan: --timeout wants 1-600 seconds\n");
				free(globs);
				return 1;
			}
		} else if (!strcmp(argv[i], "--connection") && i + 1 < argc)
			connection = argv[++i];
		else if (argv[i][0] == '-') {
			usage_detect(stderr);
			free(globs);
			return 1;
		} else {
			globs = xreallocarray(globs, nglobs + 1, sizeof(*globs));
			globs[nglobs++] = argv[i];
		}
	}
	nuse = console_detect_run(con->conf, globs, nglobs, timeout_s, connection, con->fmt, stdout, NULL);
	free(globs);
	return nuse > 0 ? 0 : 1;
}

static void
ports_free(struct port *ps, int n)
{
	for (int i = 0; i < n; i++) {
		struct port *p = &ps[i];

		free(p->real);
		free(p->stable);
		free(p->first);
		free(p->glob);
		free(p->buf);
		free(p->error);
		free(p->manu);
		free(p->model);
		free(p->fw);
		free(p->imei);
		free(p->imsi);
		free(p->net);
		free(p->mccmnc);
		free(p->smserr);
		free(p->name);
		free(p->section);
	}
	free(ps);
}
