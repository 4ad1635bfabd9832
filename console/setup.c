/*
 * setup — `kentongan setup`: writes a working kentongan.conf for this machine. On a terminal it
 * asks (served areas by name, modems, language, HTTP endpoint); every answer is also an option,
 * so scripts never get a question. The served areas are resolved by the SMS resolver itself
 * (`kentongand --find-area`: the console does not link the router), against the database the
 * new configuration names, loaded from the Kemendagri CSVs first when it holds no areas. The
 * modems come from `modems detect`. The file is written next to its final name, checked with
 * `kentongand -n`, and only then renamed into place; an existing file is kept unless --force.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/str.h"
#include "common/xmalloc.h"
#include "console/console.h"
#include "console/import.h"
#include "paths.h"	/* MODEM_CONFIGS_DIR, from PREFIX */
#include "store/store.h"

#define SETUP_AREAS_MAX	32
#define SETUP_OPTS_MAX	16

struct setup {
	const char	*path;		/* the configuration to write */
	char		*database;	/* as written in the file (relative to it, or absolute) */
	char		*dbpath;	/* as the daemon will open it */
	char		*control;
	char		*areas_data;
	const char	*language;
	const char	*http;		/* listen address, NULL no [http] */
	int		 no_http;
	int		 force;
	int		 all_areas;	/* --all-areas: no area asked */
	int		 lang_set;	/* --language given: not asked */
	int		 http_set;	/* --http or --no-http given: not asked */
	int		 interactive;
	int		 no_modems;
	int		 timeout_s;
	char		*globs[16];
	int		 nglobs;
	char		*area_args[SETUP_AREAS_MAX];
	int		 narea_args;
	/* chosen */
	char		 codes[SETUP_AREAS_MAX][16];
	char		 labels[SETUP_AREAS_MAX][200];
	int		 nareas;
	char		*modems;	/* ready [modem] sections */
	int		 nmodems;
};

struct place {
	char	 code[16];
	int	 level;
	char	 label[200];
};

/* ---- prompts ---- */

/* Asks on the terminal; the answer (trimmed) in buf, def when empty. -1 at end of input. */
static int
ask(const char *prompt, const char *def, char *buf, size_t len)
{
	char *p;

	printf("%s%s%s%s: ", prompt, def && *def ? " [" : "", def && *def ? def : "", def && *def ? "]" : "");
	fflush(stdout);
	if (fgets(buf, (int)len, stdin) == NULL) {
		printf("\n");
		return -1;
	}
	p = str_trim(buf);
	memmove(buf, p, strlen(p) + 1);
	if (*buf == '\0' && def)
		snprintf(buf, len, "%s", def);
	return 0;
}

static int
ask_yes(const char *prompt, int def)
{
	char buf[32];

	for (;;) {
		if (ask(prompt, def ? "Y/n" : "y/N", buf, sizeof(buf)) == -1)
			return -1;
		if (!strcasecmp(buf, "Y/n") || !strcasecmp(buf, "y/N"))
			return def;
		if (!strcasecmp(buf, "y") || !strcasecmp(buf, "yes") || !strcasecmp(buf, "ya"))
			return 1;
		if (!strcasecmp(buf, "n") || !strcasecmp(buf, "no") || !strcasecmp(buf, "tidak"))
			return 0;
		printf("  y or n, please\n");
	}
}

/* ---- running kentongand ---- */

/* Runs argv, its standard output into *out (xmalloc'd). Returns the exit status, -1 not run. */
static int
run_capture(char *const argv[], char **out)
{
	int	 fds[2], status;
	pid_t	 pid;
	size_t	 len = 0;
	FILE	*mem = open_memstream(out, &len);
	char	 buf[4096];
	ssize_t	 n;

	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		fclose(mem);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "kentongan: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n == -1 && errno == EINTR))
		if (n > 0)
			fwrite(buf, 1, (size_t)n, mem);
	close(fds[0]);
	fclose(mem);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- paths of this system ---- */

/* Whether this kentongan is the installed one (PREFIX/bin), and PREFIX. */
static int
installed(char *prefix, size_t len)
{
	char		 self[PATH_MAX], bin[PATH_MAX + 8];
	const char	*tail = "/share/kentongan/modem-configs";
	size_t		 pl = strlen(MODEM_CONFIGS_DIR) - strlen(tail);
	ssize_t		 n;

	snprintf(prefix, len, "%.*s", (int)pl, MODEM_CONFIGS_DIR);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return 0;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(bin, sizeof(bin), "%s/bin", prefix);
	return strcmp(self, bin) == 0;
}

static char *
areas_data_dir(void)
{
	char		 prefix[PATH_MAX], self[PATH_MAX], cand[PATH_MAX + 64];
	ssize_t		 n;
	const char	*env = getenv("KT_WILAYAH");

	if (env && *env)
		return xstrdup(env);
	installed(prefix, sizeof(prefix));
	snprintf(cand, sizeof(cand), "%s/share/kentongan/wilayah/provinces.csv", prefix);
	if (access(cand, R_OK) == 0)
		return *strrchr(cand, '/') = '\0', xstrdup(cand);
	if (access("data/wilayah/provinces.csv", R_OK) == 0)
		return xstrdup("data/wilayah");
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(cand, sizeof(cand), "%s/../data/wilayah/provinces.csv", self);
		if (access(cand, R_OK) == 0)
			return *strrchr(cand, '/') = '\0', xstrdup(cand);
	}
	return NULL;
}

/* A path of the configuration as the daemon will read it: relative to the file's directory. */
static char *
conf_relative(const char *confpath, const char *p)
{
	char	*dup, *d, *out;

	if (*p == '/')
		return xstrdup(p);
	dup = xstrdup(confpath);
	d = strrchr(dup, '/') ? (*strrchr(dup, '/') = '\0', dup) : (char *)".";
	xasprintf(&out, "%s/%s", d, p);
	free(dup);
	return out;
}

/* Creates the directories that will hold path (mode 0750 where new). 0 ok, -1 errno. */
static int
mkdir_parents(const char *path)
{
	char	*dup = xstrdup(path), *p;
	int	 rc = 0;

	if ((p = strrchr(dup, '/')) == NULL || p == dup) {
		free(dup);
		return 0;
	}
	*p = '\0';
	for (p = dup + 1; rc == 0; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dup, 0750) == -1 && errno != EEXIST)
			rc = -1;
		*p = c;
		if (c == '\0')
			break;
	}
	free(dup);
	return rc;
}

/* ---- areas ---- */

/* "Kabupaten X", "Kab. X", "Kota X", "Provinsi X": the resolver knows names, not these words;
 * strip the word and keep the level (and name prefix) it asks for. */
static const char *
area_kind(const char *text, int *level, const char **prefix)
{
	static const struct {
		const char	*word;
		int		 level;
		const char	*prefix;
	} kinds[] = { { "kabupaten", 2, "KABUPATEN" }, { "kab.", 2, "KABUPATEN" }, { "kab", 2, "KABUPATEN" },
	    { "kota", 2, "KOTA" }, { "provinsi", 1, NULL }, { "prov.", 1, NULL }, { "prov", 1, NULL } };

	*level = 0;
	*prefix = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t l = strlen(kinds[i].word);

		if (!strncasecmp(text, kinds[i].word, l) && text[l] == ' ' && text[l + 1] != '\0') {
			*level = kinds[i].level;
			*prefix = kinds[i].prefix;
			return text + l + 1;
		}
	}
	return text;
}

/* Resolves one text; the places in out. Returns 1 found (out[0]), 0 a choice or suggestions
 * (*suggest set for the latter), -1 error (printed). */
static int
area_find(struct setup *su, const char *text, struct place *out, int *nout, int *suggest)
{
	char		*argv[5], *res = NULL, *line, *save = NULL;
	const char	*name, *prefix;
	int		 rc, level, n = 0, found = 0, low = 0;

	*nout = 0;
	*suggest = 0;
	name = area_kind(text, &level, &prefix);
	argv[0] = (char *)console_daemon_path();
	argv[1] = (char *)"--find-area";
	argv[2] = su->dbpath;
	argv[3] = (char *)name;
	argv[4] = NULL;
	if ((rc = run_capture(argv, &res)) != 0) {
		fprintf(stderr, "kentongan: %s --find-area failed (status %d)\n", argv[0], rc);
		free(res);
		return -1;
	}
	for (line = strtok_r(res, "\n", &save); line && n < SETUP_OPTS_MAX; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *p = line;

		for (int i = 0; i < 4; i++) {
			f[i] = p;
			if (i < 3 && (p = strchr(p, '\t')) == NULL)
				break;
			if (i < 3)
				*p++ = '\0';
		}
		if (p == NULL || !strcmp(f[0], "none"))
			continue;
		if (level && (atoi(f[2]) != level || (prefix && strncasecmp(f[3], prefix, strlen(prefix)))))
			continue;
		found |= !strcmp(f[0], "found");
		*suggest |= !strcmp(f[0], "suggestion");
		snprintf(out[n].code, sizeof(out[n].code), "%s", f[1]);
		out[n].level = atoi(f[2]);
		snprintf(out[n].label, sizeof(out[n].label), "%s", f[3]);
		n++;
	}
	free(res);
	/* a gateway serves provinces, regencies and districts: villages only when nothing else fits */
	for (int i = 0; i < n; i++)
		low += out[i].level <= 3;
	if (low && low < n) {
		int k = 0;

		for (int i = 0; i < n; i++)
			if (out[i].level <= 3)
				out[k++] = out[i];
		n = k;
	}
	*nout = n;
	if (n == 1 && !*suggest)
		return 1;
	return found && n == 1;
}

static const char *
level_name(int level)
{
	switch (level) {
	case 1: return "province";
	case 2: return "regency/city";
	case 3: return "district";
	default: return "village";
	}
}

/* Adds a place; one inside a place already served adds nothing, one around places replaces them
 * (areas = is a list of code prefixes). */
static void
area_take(struct setup *su, const struct place *p)
{
	int k = 0;

	for (int i = 0; i < su->nareas; i++)
		if (!strncmp(p->code, su->codes[i], strlen(su->codes[i]))) {
			if (su->interactive && strcmp(p->code, su->codes[i]))
				printf("  %s is inside %s already\n", p->label, su->labels[i]);
			return;
		}
	for (int i = 0; i < su->nareas; i++)
		if (strncmp(su->codes[i], p->code, strlen(p->code))) {
			memmove(su->codes[k], su->codes[i], sizeof(su->codes[0]));
			memmove(su->labels[k], su->labels[i], sizeof(su->labels[0]));
			k++;
		}
	su->nareas = k;
	if (su->nareas >= SETUP_AREAS_MAX)
		return;
	snprintf(su->codes[su->nareas], sizeof(su->codes[0]), "%s", p->code);
	snprintf(su->labels[su->nareas], sizeof(su->labels[0]), "%s", p->label);
	su->nareas++;
}

/* One area text: 0 taken, 1 not (asked again on a terminal), -1 error. */
static int
area_one(struct setup *su, const char *text)
{
	struct place	 opts[SETUP_OPTS_MAX];
	int		 n, suggest, r;
	char		 buf[64];

	if ((r = area_find(su, text, opts, &n, &suggest)) == -1)
		return -1;
	if (r == 1) {
		area_take(su, &opts[0]);
		if (su->interactive)
			printf("  %s: %s (%s %s)\n", text, opts[0].label, level_name(opts[0].level), opts[0].code);
		return 0;
	}
	if (!su->interactive) {
		fprintf(stderr, "kentongan: --area '%s': %s", text, n == 0 ? "no such place" :
		    suggest ? "no such place; did you mean" : "several places; give the code of one");
		for (int i = 0; i < n; i++)
			fprintf(stderr, "%s %s %s", i ? "," : ":", opts[i].code, opts[i].label);
		fprintf(stderr, "\n");
		return 1;
	}
	if (n == 0) {
		printf("  '%s': no such place\n", text);
		return 1;
	}
	printf("  '%s' %s:\n", text, suggest ? "is not known; did you mean" : "could be");
	for (int i = 0; i < n; i++)
		printf("    %d) %s (%s %s)\n", i + 1, opts[i].label, level_name(opts[i].level), opts[i].code);
	for (;;) {
		char *end;
		long k;

		if (ask("  Which one? number, or empty for none", NULL, buf, sizeof(buf)) == -1)
			return -1;
		if (*buf == '\0')
			return 1;
		k = strtol(buf, &end, 10);
		if (*end == '\0' && k >= 1 && k <= n) {
			area_take(su, &opts[k - 1]);
			return 0;
		}
		printf("  a number from 1 to %d, please\n", n);
	}
}

/* Loads the areas into the new database when it has none. 0 ok, -1 error (printed). */
static int
areas_ready(struct setup *su)
{
	char		 err[1024];
	struct store	*st;
	long		 n;
	int		 rc = 0;

	if (mkdir_parents(su->dbpath) == -1) {
		fprintf(stderr, "kentongan: cannot create the directory of %s: %s\n", su->dbpath, strerror(errno));
		return -1;
	}
	if ((st = store_open(su->dbpath, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kentongan: %s\n", err);
		return -1;
	}
	n = store_area_count(st);
	if (n <= 0) {
		if (su->areas_data == NULL)
			su->areas_data = areas_data_dir();
		if (su->areas_data == NULL) {
			fprintf(stderr, "kentongan: the database has no areas and no area data was found: "
			    "give --areas-data DIR (provinces.csv, cities.csv, districts.csv, villages.csv)\n");
			rc = -1;
		} else {
			printf("Loading the areas from %s into %s …\n", su->areas_data, su->dbpath);
			fflush(stdout);
			rc = import_areas(st, su->areas_data, 0, TABLE_TEXT) == 0 ? 0 : -1;
		}
	}
	store_close(st);
	return rc;
}

static int
choose_areas(struct setup *su)
{
	char	 buf[1024];

	for (int i = 0; i < su->narea_args; i++) {
		int r = area_one(su, su->area_args[i]);

		if (r == -1 || (r == 1 && !su->interactive))
			return -1;
	}
	if (!su->interactive || su->narea_args > 0)
		return 0;
	printf("\nServed areas: the province, regency (kabupaten/kota) or district (kecamatan) names this\n"
	    "gateway serves, separated by commas; empty for all of Indonesia.\n");
	for (;;) {
		char *tok, *save = NULL;
		int again = 0;

		if (ask("Areas (e.g. Lamongan, Kec Babat)", NULL, buf, sizeof(buf)) == -1)
			return -1;
		if (*buf == '\0')
			break;
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char	*t = str_trim(tok);
			int	 r;

			if (*t == '\0')
				continue;
			if ((r = area_one(su, t)) == -1)
				return -1;
			again |= r;
		}
		if (su->nareas > 0 && !again)
			break;
		if (su->nareas > 0) {
			int r = ask_yes("More areas?", 0);

			if (r == -1)
				return -1;
			if (!r)
				break;
		}
	}
	return 0;
}

/* ---- the file ---- */

static void
token_new(char *out, size_t len)
{
	unsigned char	 rnd[20];
	size_t		 got = 0;

	while (got < sizeof(rnd)) {
		ssize_t n = getrandom(rnd + got, sizeof(rnd) - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			break;
	}
	for (size_t i = 0; i < sizeof(rnd) && 2 * i + 2 < len; i++)
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
}

static int
write_conf(struct setup *su, const char *tmp)
{
	FILE		*f;
	int		 fd;
	time_t		 now = time(NULL);
	char		 when[32], token[64] = "";

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&now));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "kentongan: cannot write %s: %s\n", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	fprintf(f, "; kentongan.conf, written by 'kentongan setup' on %s.\n"
	    "; Every key: kentongan.conf.sample and 'kentongand --config-help'. After editing, check it\n"
	    "; with 'kentongand -n -c %s'; 'kill -HUP' the daemon to reload.\n\n", when, su->path);
	fprintf(f, "[gateway]\ndatabase = %s\ncontrol  = %s\n", su->database, su->control);
	for (int i = 0; i < su->nareas; i++)
		fprintf(f, "%s %s %s", i ? "," : "; served:", su->codes[i], su->labels[i]);
	if (su->nareas)
		fprintf(f, "\n");
	fprintf(f, "areas    =");
	for (int i = 0; i < su->nareas; i++)
		fprintf(f, "%s%s", i ? "," : " ", su->codes[i]);
	fprintf(f, "%s\nlanguage = %s\n", su->nareas ? "" : "                ; empty: every area", su->language);
	if (su->nmodems)
		fputs(su->modems, f);
	else
		fprintf(f, "\n; No modem yet: plug one in, run 'kentongan modems detect' and paste its section here.\n");
	if (su->http) {
		token_new(token, sizeof(token));
		fprintf(f, "\n; USSD aggregators call POST /ussd; GET /health needs no token, the rest does.\n"
		    "[http]\nlisten = %s\ntoken  = %s\n", su->http, token);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "kentongan: writing %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static void
usage_setup(FILE *f)
{
	fprintf(f, "usage: kentongan [-c FILE] setup [--force] [--area NAME|CODE]… [--all-areas]\n"
	    "         [--database PATH] [--control PATH] [--areas-data DIR] [--language id|en]\n"
	    "         [--http ADDRESS:PORT | --no-http] [--no-modems] [--modem-glob GLOB]… [--timeout S]\n");
}

/* The command line into su; -1 after the usage or an error said. */
static int
setup_args(struct setup *su, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--force"))
			su->force = 1;
		else if (!strcmp(a, "--all-areas"))
			su->all_areas = 1;
		else if (!strcmp(a, "--no-http"))
			su->no_http = su->http_set = 1;
		else if (!strcmp(a, "--no-modems"))
			su->no_modems = 1;
		else if (v == NULL) {
			usage_setup(stderr);
			return -1;
		} else if (!strcmp(a, "--area") && su->narea_args < SETUP_AREAS_MAX)
			su->area_args[su->narea_args++] = argv[++i];
		else if (!strcmp(a, "--database"))
			su->database = xstrdup(argv[++i]);
		else if (!strcmp(a, "--control"))
			su->control = xstrdup(argv[++i]);
		else if (!strcmp(a, "--areas-data"))
			su->areas_data = xstrdup(argv[++i]);
		else if (!strcmp(a, "--language")) {
			su->language = argv[++i];
			su->lang_set = 1;
		} else if (!strcmp(a, "--http")) {
			su->http = argv[++i];
			su->http_set = 1;
		} else if (!strcmp(a, "--modem-glob") && su->nglobs < 16)
			su->globs[su->nglobs++] = argv[++i];
		else if (!strcmp(a, "--timeout"))
			su->timeout_s = atoi(argv[++i]);
		else {
			usage_setup(stderr);
			return -1;
		}
	}
	if (strcmp(su->language, "id") && strcmp(su->language, "en")) {
		fprintf(stderr, "kentongan: --language is id or en\n");
		return -1;
	}
	if (su->timeout_s < 1 || su->timeout_s > 600) {
		fprintf(stderr, "kentongan: --timeout wants 1-600 seconds\n");
		return -1;
	}
	return 0;
}

/* The installed layout when this is the installed kentongan, else the working directory. */
static void
setup_paths(struct setup *su, const char *conf_path)
{
	static char	 p[PATH_MAX + 32];
	char		 prefix[PATH_MAX];
	int		 inst;

	inst = installed(prefix, sizeof(prefix));
	if (conf_path == NULL) {
		if (inst && !strcmp(prefix, "/usr"))
			conf_path = "/etc/kentongan/kentongan.conf";
		else if (inst) {
			snprintf(p, sizeof(p), "%s/etc/kentongan/kentongan.conf", prefix);
			conf_path = p;
		} else
			conf_path = "kentongan.conf";
	}
	su->path = conf_path;
	if (su->database == NULL)
		su->database = xstrdup(inst ? "/var/lib/kentongan/kentongan.db" : "var/kentongan.db");
	if (su->control == NULL)
		su->control = xstrdup(inst ? "/run/kentongan/kentongan.sock" : "var/kentongan.sock");
}

/* The modems found, and on a terminal whether to use them; -1 at the end of input. */
static int
choose_modems(struct setup *su)
{
	int	 r;

	if (su->interactive)
		printf("\nLooking for modems (up to %d s) …\n", su->timeout_s);
	fflush(stdout);
	su->nmodems = console_detect_run(NULL, su->globs, su->nglobs, su->timeout_s, "at115200", TABLE_TEXT,
	    su->interactive ? stdout : NULL, &su->modems);
	if (su->interactive && su->nmodems > 0) {
		printf("\n");
		if ((r = ask_yes("Use these modems?", 1)) == -1)
			return -1;
		if (!r)
			su->nmodems = 0;
	}
	if (!su->interactive)
		printf("modems: %d found\n", su->nmodems);
	return 0;
}

/* On a terminal, the reply language and the HTTP endpoint unless given; -1 at the end of input. */
static int
ask_language_http(struct setup *su)
{
	static char	 listen[128];
	char		 buf[256];
	int		 r;

	if (su->interactive && !su->lang_set) {
		for (;;) {
			if (ask("\nReply language for villagers: id (Indonesian) or en", "id", buf, sizeof(buf)) == -1)
				return -1;
			if (!strcmp(buf, "id") || !strcmp(buf, "en"))
				break;
			printf("  id or en, please\n");
		}
		su->language = strcmp(buf, "en") ? "id" : "en";
	}
	if (su->interactive && !su->http_set) {
		if ((r = ask_yes("HTTP endpoint (USSD aggregator, /health, /metrics)?", 0)) == -1)
			return -1;
		if (r) {
			if (ask("  Listen on", "127.0.0.1:8080", listen, sizeof(listen)) == -1)
				return -1;
			su->http = listen;
		}
	}
	return 0;
}

/* Written beside the final name, checked with the daemon, then put in place; -1 when not. */
static int
install_conf(struct setup *su)
{
	char	*tmp = NULL, *out = NULL, *check_argv[5];
	int	 r, rc = -1;

	xasprintf(&tmp, "%s.setup-%d", su->path, (int)getpid());
	if (write_conf(su, tmp) == -1)
		goto out;
	check_argv[0] = (char *)console_daemon_path();
	check_argv[1] = (char *)"-n";
	check_argv[2] = (char *)"-c";
	check_argv[3] = tmp;
	check_argv[4] = NULL;
	if ((r = run_capture(check_argv, &out)) != 0) {
		fprintf(stderr, "kentongan: the written configuration does not pass kentongand -n (status %d); "
		    "nothing written\n", r);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, su->path) == -1) {
		fprintf(stderr, "kentongan: cannot rename %s to %s: %s\n", tmp, su->path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(out);
	return rc;
}

/* Everything asked and chosen, then the file; -1 when nothing was written. */
static int
setup_run(struct setup *su)
{
	struct stat	 sb;

	if (stat(su->path, &sb) == 0 && !su->force) {
		fprintf(stderr, "kentongan: %s exists; not overwritten (--force replaces it)\n", su->path);
		return -1;
	}
	if (su->interactive)
		printf("Kentongan setup: writes %s\n(Ctrl-C stops without writing anything.)\n", su->path);

	if (mkdir_parents(su->path) == -1) {
		fprintf(stderr, "kentongan: cannot create the directory of %s: %s\n", su->path, strerror(errno));
		return -1;
	}
	/* the areas, resolved in the database the configuration names */
	su->dbpath = conf_relative(su->path, su->database);
	if (!su->all_areas && (su->narea_args > 0 || su->interactive)) {
		if (areas_ready(su) == -1 || choose_areas(su) == -1)
			return -1;
	}
	if (!su->no_modems && choose_modems(su) == -1)
		return -1;
	if (ask_language_http(su) == -1)
		return -1;
	if (su->no_http)
		su->http = NULL;
	if (su->nareas == 0)
		printf("areas: every area (areas = empty; narrow it later with areas = CODE,…)\n");
	if (install_conf(su) == -1)
		return -1;
	printf("%swrote %s: %d area%s, %d modem%s, http %s; kentongand -n: ok\n", su->interactive ? "\n" : "",
	    su->path, su->nareas, su->nareas == 1 ? "" : "s", su->nmodems, su->nmodems == 1 ? "" : "s",
	    su->http ? su->http : "off");
	printf("Start it: kentongand -c %s   (or: systemctl start kentongan)\n"
	    "Then:     kentongan -c %s status\n", su->path, su->path);
	return 0;
}

int
console_setup(const char *conf_path, int argc, char **argv)
{
	struct setup	 su;
	int		 rc = 1;

	memset(&su, 0, sizeof(su));
	su.language = "id";
	su.timeout_s = 10;
	if (setup_args(&su, argc, argv) == 0) {
		su.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
		setup_paths(&su, conf_path);
		rc = setup_run(&su) == -1 ? 1 : 0;
	}
	free(su.database);
	free(su.dbpath);
	free(su.control);
	free(su.areas_data);
	free(su.modems);
	return rc;
}
