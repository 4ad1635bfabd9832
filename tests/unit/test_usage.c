/*
 * test_usage — the one table of console commands (common/usage.c): every command the daemon
 * serves (the names in gateway/control/cmd_table.c, read as text so this test needs no daemon) has a row,
 * so its usage errors, --help, help CMD and kentongan(1) cover it; rows are well formed and
 * unique; `help WORD` picks the right rows. Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/usage.h"
#include "common/fs.h"

/* the commands the console runs itself (console/kentongan.c, console/help.c) */
static const char *console_only[] = { "areas import", "subscribers import", "check", "help", "modems detect",
	"setup", "user add", "user remove", "users" };

#define MAX_CMDS	128

static char	*daemon_cmds[MAX_CMDS];
static int	 ndaemon_cmds;

/* The quoted names of the rows of ctl_commands[] in gateway/cmd_table.c. */
static void
read_cmd_table(void)
{
	char	 err[256], *text, *p, *q;

	if ((text = fs_read_text("gateway/control/cmd_table.c", 1 << 20, "command table", err, sizeof(err))) == NULL)
		fail_msg("%s (run from the repository root)", err);
	if ((p = strstr(text, "ctl_commands[] = {")) == NULL)
		fail_msg("no ctl_commands[] in gateway/control/cmd_table.c");
	while ((p = strstr(p, "{ \"")) != NULL && ndaemon_cmds < MAX_CMDS) {
		p += 3;
		if ((q = strchr(p, '"')) == NULL)
			break;
		daemon_cmds[ndaemon_cmds++] = strndup(p, q - p);
		p = q;
	}
	free(text);
	assert_true(ndaemon_cmds >= 20);
}

static void
test_daemon_commands_have_rows(void **state)
{
	int	 i;

	read_cmd_table();
	for (i = 0; i < ndaemon_cmds; i++)
		if (usage_find(daemon_cmds[i]) == NULL)
			fail_msg("daemon command '%s' has no row in common/usage.c", daemon_cmds[i]);
}

static void
test_rows_are_served(void **state)
{
	const struct usage_cmd	*u, *v;
	size_t			 i;
	int			 j;

	for (u = usage_cmds; u->name; u++) {
		int found = 0;

		assert_non_null(u->args);
		assert_non_null(u->group);
		assert_non_null(u->help);
		assert_true(u->summary && *u->summary && u->summary[strlen(u->summary) - 1] != '.');
		for (j = 0; j < ndaemon_cmds; j++)
			found |= !strcmp(daemon_cmds[j], u->name);
		for (i = 0; i < sizeof(console_only) / sizeof(console_only[0]); i++)
			found |= !strcmp(console_only[i], u->name);
		if (!found)
			fail_msg("usage row '%s' is neither a daemon nor a console command", u->name);
		for (v = usage_cmds; v != u; v++)
			if (!strcmp(v->name, u->name))
				fail_msg("usage row '%s' twice", u->name);
	}
}

static void
test_matches(void **state)
{
	static const struct {
		const char	*row, *word;
		int		 match;
	} cases[] = {
		{ "subscribers", "subscriber", 1 },
		{ "subscriber add", "subscriber", 1 },
		{ "subscriber add", "subscribers", 1 },
		{ "subscribers import", "subscribers", 1 },
		{ "subscriber add", "subscriber add", 1 },
		{ "subscriber remove", "subscriber add", 0 },
		{ "post approve", "posts", 1 },
		{ "announcement", "announcements", 1 },
		{ "areas", "area", 1 },
		{ "areas import", "areas", 1 },
		{ "status", "stat", 0 },
		{ "inbox", "inboxes", 0 },
		{ "roles", "role", 1 },
		{ "audit", "areas", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct usage_cmd *u = usage_find(cases[i].row);

		assert_non_null(u);
		if (usage_matches(u, cases[i].word) != cases[i].match)
			fail_msg("'%s' vs help '%s': expected %d", cases[i].row, cases[i].word, cases[i].match);
	}
}

static void
test_print(void **state)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_int_equal(usage_print_help(fp, "subscriber"), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "kentongan subscriber add NUMBER --area CODE [--area CODE…] [--name NAME]\n"));
	assert_non_null(strstr(buf, "kentongan subscribers import FILE\n"));
	assert_null(strstr(buf, "kentongan status"));
	free(buf);

	fp = open_memstream(&buf, &len);
	usage_print_all(fp, "/etc/kentongan/kentongan.conf");
	fclose(fp);
	assert_non_null(strstr(buf, "usage: kentongan"));
	assert_non_null(strstr(buf, "/etc/kentongan/kentongan.conf)"));
	assert_non_null(strstr(buf, "\nKIM:\n"));
	assert_non_null(strstr(buf, "  roles "));
	free(buf);

	fp = open_memstream(&buf, &len);
	assert_int_equal(usage_print_one(fp, "leader add"), 1);
	fclose(fp);
	assert_string_equal(buf, "usage: kentongan leader add NUMBER --kim NAME --area CODE\n");
	free(buf);

	fp = fopen("/dev/null", "w");
	assert_int_equal(usage_print_help(fp, "nosuch"), 1);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_commands_have_rows),
		cmocka_unit_test(test_rows_are_served),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
