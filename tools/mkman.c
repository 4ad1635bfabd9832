/*
 * mkman — builds the man pages from the man/ templates at build time (not installed).
 *
 *   mkman [-D NAME=VALUE]… TEMPLATE OUTPUT
 *
 * Copies TEMPLATE to OUTPUT replacing @NAME@ by VALUE, a line "@COMMANDS@" by every console
 * command of common/usage.c and a line "@KEYS@" by every configuration key of common/conf.c, so
 * kentongan(1) and kentongan.conf(5) say what `kentongan --help`, `kentongan help CMD` and
 * `kentongand --config-help` say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/usage.h"

#define MAX_DEFS	16

static const char	*def_name[MAX_DEFS], *def_value[MAX_DEFS];
static int		 ndefs;

/* Writes s as roff text: backslashes escaped, option dashes as \-, a leading . or ' guarded,
 * the few non-ASCII characters the tables use as named glyphs. */
static void
roff(FILE *out, const char *s)
{
	const char	*start = s;

	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-' && (s == start || strchr(" [(|-", s[-1]) || s[1] == '-'))
			fputs("\\-", out);
		else if (!strncmp(s, "\xe2\x80\xa6", 3)) {	/* … */
			fputs("\\&...", out);
			s += 2;
		} else if (!strncmp(s, "\xe2\x80\x94", 3)) {	/* — */
			fputs("\\(em", out);
			s += 2;
		} else if (*s == '\n') {
			fputc('\n', out);
			if (s[1] == '.' || s[1] == '\'')
				fputs("\\&", out);
			start = s + 1;
		} else
			fputc(*s, out);
	}
}

static void
commands(FILE *out)
{
	const struct usage_cmd	*u, *v;

	for (u = usage_cmds; u->name; u++) {
		for (v = usage_cmds; v != u && strcmp(v->group, u->group); v++)
			;
		if (v != u)
			continue;
		fprintf(out, ".SS %s\n", u->group);
		for (v = u; v->name; v++) {
			if (strcmp(v->group, u->group))
				continue;
			fputs(".TP\n\\fB", out);
			roff(out, v->name);
			fputs("\\fR", out);
			if (*v->args) {
				fputc(' ', out);
				roff(out, v->args);
			}
			fputc('\n', out);
			roff(out, v->summary);
			fputs(".\n", out);
			if (*v->help) {
				roff(out, v->help);
				fputc('\n', out);
			}
		}
	}
}

static void
keys(FILE *out)
{
	const char	*section, *name, *type, *def, *help, *last = "";
	int		 i;

	for (i = 0; conf_key_doc(i, &section, &name, &type, &def, &help) == 0; i++) {
		if (strcmp(section, last))
			fprintf(out, ".SS [%s%s]\n", section, !strcmp(section, "modem") ? " NAME" : "");
		last = section;
		fprintf(out, ".TP\n\\fB%s\\fR (%s", name, type);
		if (def == NULL)
			fputs(", passed to libGammu", out);
		else if (*def) {
			fputs(", default ", out);
			roff(out, def);
		}
		fputs(")\n", out);
		roff(out, help);
		fputs(".\n", out);
	}
}

int
main(int argc, char *argv[])
{
	FILE	*in, *out;
	char	 line[4096], *p, *at, *eq;
	int	 i;

	for (i = 1; i + 1 < argc && !strcmp(argv[i], "-D"); i += 2) {
		if (ndefs == MAX_DEFS || (eq = strchr(argv[i + 1], '=')) == NULL) {
			fprintf(stderr, "mkman: bad -D %s\n", argv[i + 1]);
			return 1;
		}
		*eq = '\0';
		def_name[ndefs] = argv[i + 1];
		def_value[ndefs++] = eq + 1;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: mkman [-D NAME=VALUE]… TEMPLATE OUTPUT\n");
		return 1;
	}
	if ((in = fopen(argv[i], "r")) == NULL || (out = fopen(argv[i + 1], "w")) == NULL) {
		perror("mkman");
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		if (!strcmp(line, "@COMMANDS@\n")) {
			commands(out);
			continue;
		}
		if (!strcmp(line, "@KEYS@\n")) {
			keys(out);
			continue;
		}
		for (p = line; (at = strchr(p, '@')) != NULL; p = at) {
			size_t	 n = strcspn(at + 1, "@\n");
			int	 d;

			for (d = 0; d < ndefs; d++)
				if (at[1 + n] == '@' && strlen(def_name[d]) == n &&
				    !strncmp(at + 1, def_name[d], n))
					break;
			fwrite(p, 1, at - p, out);
			if (d < ndefs) {
				fputs(def_value[d], out);
				at += n + 2;
			} else {
				fputc('@', out);
				at++;
			}
		}
		fputs(p, out);
	}
	fclose(in);
	if (fclose(out) == EOF) {
		perror("mkman");
		return 1;
	}
	return 0;
}
