/* help — `kentongan help [COMMAND…]`: one command's usage and text, from common/usage.c. */
#include <stdio.h>
#include <string.h>

#include "common/usage.h"
#include "console/console.h"

int
console_help(int argc, char **argv)
{
	const struct usage_cmd	*u;
	char			 word[128];

	if (argc < 2) {
		fprintf(stdout, "commands:");
		for (u = usage_cmds; u->name; u++) {
			const struct usage_cmd	*v;
			size_t			 n = strcspn(u->name, " ");

			for (v = usage_cmds; v != u; v++)	/* each first word once */
				if (strcspn(v->name, " ") == n && !strncmp(v->name, u->name, n))
					break;
			if (v == u)
				fprintf(stdout, " %.*s", (int)n, u->name);
		}
		fprintf(stdout, "\n'kentongan help COMMAND' for one; 'kentongan --help' for all.\n");
		return 0;
	}
	/* "help subscriber add" names one row; "help subscriber" every subscriber(s) row */
	snprintf(word, sizeof(word), "%s%s%s", argv[1], argc > 2 ? " " : "", argc > 2 ? argv[2] : "");
	return usage_print_help(stdout, word);
}
