/*
 * users — `kentongan user add|remove`, `kentongan users`: the web console's accounts. They open the
 * store directly (like the imports), so the first account can be made before the daemon runs.
 * The password is read from the terminal (twice, without echo) or, when stdin is not a terminal,
 * as its first line; it is hashed with yescrypt (store_user_hash, as the web console's own password
 * page does) and only the hash is stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/table.h"
#include "console/users.h"
#include "store/store.h"
#include "store/store_web.h"

#define PASSWORD_MIN	8
#define PASSWORD_MAX	256

/* One line from f without its newline; -1 at EOF or when too long. */
static int
read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, f) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == len - 1)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int
prompt(FILE *tty, const char *what, char *buf, size_t len)
{
	struct termios	 old, quiet;
	int		 rc, fd = fileno(tty);

	fputs(what, stderr);
	fflush(stderr);
	if (tcgetattr(fd, &old) == -1)
		return read_line(tty, buf, len);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line(tty, buf, len);
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

static int
read_password(char *pw, size_t len)
{
	char	 again[PASSWORD_MAX + 2];
	FILE	*tty;

	if (!isatty(0)) {
		if (read_line(stdin, pw, len) == -1) {
			fprintf(stderr, "kentongan: no password on stdin (one line, at most %d bytes)\n", PASSWORD_MAX);
			return -1;
		}
	} else {
		if ((tty = fopen("/dev/tty", "r+")) == NULL)
			tty = stdin;
		if (prompt(tty, "password: ", pw, len) == -1 || prompt(tty, "again: ", again, sizeof(again)) == -1) {
			fprintf(stderr, "kentongan: no password read\n");
			if (tty != stdin)
				fclose(tty);
			return -1;
		}
		if (tty != stdin)
			fclose(tty);
		if (strcmp(pw, again) != 0) {
			explicit_bzero(again, sizeof(again));
			fprintf(stderr, "kentongan: the two passwords differ; nothing changed\n");
			return -1;
		}
		explicit_bzero(again, sizeof(again));
	}
	if (strlen(pw) < PASSWORD_MIN) {
		fprintf(stderr, "kentongan: the password is too short (at least %d characters)\n", PASSWORD_MIN);
		return -1;
	}
	return 0;
}

int
users_command(struct store *st, int argc, char **argv, enum table_format fmt)
{
	char			 pw[PASSWORD_MAX + 2], hash[STORE_HASH_MAX];
	const char		*role = NULL, *name = NULL, *actor = getenv("SUDO_USER");
	char			 detail[160];
	enum store_status	 s;
	int			 i, created;

	if (!strcmp(argv[0], "users")) {
		struct table *t = table_new(stdout, fmt);

		s = store_list_users(st, table_row, t);
		table_end(t);
		if (s != STORE_OK)
			fprintf(stderr, "kentongan: %s\n", store_errmsg(st));
		return s == STORE_OK ? 0 : 1;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else if (!strncmp(argv[i], "--role=", 7))
			role = argv[i] + 7;
		else if (argv[i][0] != '-' && name == NULL)
			name = argv[i];
		else
			name = NULL, i = argc + 1;
	}
	if (!strcmp(argv[1], "remove")) {
		if (name == NULL || role != NULL || argc != 3) {
			fprintf(stderr, "usage: kentongan user remove NAME\n");
			return 1;
		}
		s = store_user_remove(st, name);
		if (s == STORE_NOTFOUND) {
			fprintf(stderr, "kentongan: no user '%s' (see 'kentongan users')\n", name);
			return 1;
		}
		snprintf(detail, sizeof(detail), "{\"user\":\"%s\"}", name);
		if (s == STORE_OK)
			s = store_audit(st, actor ? actor : "console", "user remove", detail);
		if (s != STORE_OK) {
			fprintf(stderr, "kentongan: %s\n", store_errmsg(st));
			return 1;
		}
		printf("user %s removed (their sessions ended)\n", name);
		return 0;
	}
	if (name == NULL || role == NULL || i > argc) {
		fprintf(stderr, "usage: kentongan user add NAME --role viewer|operator|official|admin\n");
		return 1;
	}
	/* check name and role before asking for a password */
	if (store_user_valid(st, name, role) != STORE_OK) {
		fprintf(stderr, "kentongan: %s\n", store_errmsg(st));
		return 1;
	}
	if (read_password(pw, sizeof(pw)) == -1)
		return 1;
	if (store_user_hash(pw, hash, sizeof(hash)) == -1) {
		explicit_bzero(pw, sizeof(pw));
		fprintf(stderr, "kentongan: hashing the password failed: %s\n", strerror(errno));
		return 1;
	}
	explicit_bzero(pw, sizeof(pw));
	snprintf(detail, sizeof(detail), "{\"user\":\"%s\",\"role\":\"%s\"}", name, role);
	if ((s = store_begin(st)) == STORE_OK && (s = store_user_put(st, name, role, hash, &created)) == STORE_OK &&
	    (s = store_audit(st, actor ? actor : "console", created ? "user add" : "user update", detail)) == STORE_OK)
		s = store_commit(st);
	if (s != STORE_OK) {
		fprintf(stderr, "kentongan: %s\n", store_errmsg(st));
		store_rollback(st);
		return 1;
	}
	printf("user %s %s with role %s\n", name, created ? "added" : "updated (password set, sessions ended)", role);
	return 0;
}
