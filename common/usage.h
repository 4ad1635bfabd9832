/*
 * usage — the one description of every console command: `kentongan --help`, `kentongan help
 * CMD`, the daemon's "usage: kentongan …" replies and the kentongan(1) man page all come from
 * usage_cmds[] (usage.c), so they cannot drift apart. A new command adds one row there.
 */
#ifndef COMMON_USAGE_H
#define COMMON_USAGE_H
#include <stdio.h>

struct usage_cmd {
	const char	*name;		/* the command words: "status", "subscriber add" */
	const char	*args;		/* what follows them: "NUMBER --area CODE [--name NAME]"; "" if none */
	const char	*group;		/* heading in --help and the man page: "Gateway", "Areas", … */
	const char	*summary;	/* one line, lower case, no full stop */
	const char	*help;		/* more for `help CMD` and the man page (sentences, \n breaks); "" if none */
};

/* The table, in --help order; ends with a row whose name is NULL. */
extern const struct usage_cmd usage_cmds[];

/* The row named name exactly ("subscriber add"), or NULL. */
const struct usage_cmd	*usage_find(const char *name);
/* Whether the row belongs to `help word`: its first word is word, or word with or without a
 * trailing 's' ("post" → posts, post approve, post reject). */
int			 usage_matches(const struct usage_cmd *, const char *word);
/* Prints "usage: kentongan NAME ARGS" for the row named name (a usage error). Returns 1, the
 * exit status of a user error. */
int			 usage_print_one(FILE *, const char *name);
/* Prints `kentongan --help`: the synopsis, options (with the console's default configuration
 * file, from the build) and every command by group. */
void			 usage_print_all(FILE *, const char *default_conf);
/* Prints `kentongan help word`: the synopses of the matching rows, then their text. 0, or 1 with
 * a message on stderr when no row matches. */
int			 usage_print_help(FILE *, const char *word);
#endif
