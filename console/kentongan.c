/*
 * kentongan — the console for officials and operators. Sends one command to the daemon over its
 * control socket and prints the reply; exit status 0 success, 1 user error, 2 daemon unreachable.
 * `areas import`, `subscribers import` and `check` run here against the database, so they work
 * while the daemon is stopped.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/table.h"
#include "common/usage.h"
#include "common/xmalloc.h"
#include "console/console.h"
#include "console/import.h"
#include "console/users.h"
#include "store/store.h"
#include "paths.h"	/* WILAYAH_DIR, CONF_PATH: from PREFIX, SYSCONFDIR */
#include "store/store_backup.h"

static void
usage(FILE *f)
{
	usage_print_all(f, CONF_PATH);
}

static int
connect_daemon(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { 300, 0 };
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "the daemon is not reachable at %s: %s (is kentongand running? "
		    "start it with: kentongand -c CONF)", path, strerror(errno));
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

int
console_request(struct console *con, int argc, char **argv, FILE *out, FILE *errf)
{
	struct pbuf		 b;
	struct proto_hdr	 hdr;
	void			*payload;
	char			 err[512];
	int			 fd, i, status = -1;
	static uint64_t		 reqid;

	if (con->fd == -1 && (con->fd = connect_daemon(con->conf->control, err, sizeof(err))) == -1) {
		fprintf(stderr, "kentongan: %s\n", err);
		return 2;
	}
	fd = con->fd;
	pbuf_init(&b);
	pbuf_str(&b, con->fmt == TABLE_JSON ? "json" : con->fmt == TABLE_CSV ? "csv" : "text");
	pbuf_u32(&b, (uint32_t)argc);
	for (i = 0; i < argc; i++)
		pbuf_str(&b, argv[i]);
	if (proto_write(fd, PROTO_CTL_REQ, ++reqid, b.buf, b.len) == -1) {
		pbuf_free(&b);
		fprintf(stderr, "kentongan: cannot send to the daemon: %s\n", strerror(errno));
		return 2;
	}
	pbuf_free(&b);
	while (status < 0) {
		struct pbuf	 r;
		const char	*chunk;
		size_t		 len;

		if (proto_read(fd, &hdr, &payload) == -1) {
			fprintf(stderr, "kentongan: the daemon closed the connection%s%s\n", errno ? ": " : "",
			    errno ? strerror(errno) : "");
			return 2;
		}
		pbuf_reader(&r, payload, hdr.len);
		switch (hdr.type) {
		case PROTO_CTL_OUT:
		case PROTO_CTL_ERR:
			chunk = pbuf_get_bytes(&r, &len);
			if (chunk && len)
				fwrite(chunk, 1, len, hdr.type == PROTO_CTL_OUT ? out : errf);
			break;
		case PROTO_CTL_DONE:
			status = (int)pbuf_get_u32(&r);
			break;
		default:
			fprintf(stderr, "kentongan: unexpected reply type %u from the daemon\n", hdr.type);
			status = 2;
		}
		free(payload);
	}
	fflush(out);
	return status;
}

static struct store *
open_store(struct console *con)
{
	char		 err[1024];
	struct store	*st;

	fs_mkdir_parent(con->conf->database);
	if ((st = store_open(con->conf->database, 0, err, sizeof(err))) == NULL)
		fprintf(stderr, "kentongan: %s\n", err);
	return st;
}

/*
 * The area data `areas import` loads when no DIR is given: the tree's data/wilayah when this
 * binary runs from a build folder of the source tree (BUILD/kentongan, so ../data/wilayah beside
 * it), else the installed copy under PREFIX.
 */
static void
areas_default_dir(char *dir, size_t len)
{
	char	 exe[PATH_MAX], *slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(dir, len, "%s/../data/wilayah", exe) < len &&
			    access(dir, R_OK) == 0)
				return;
		}
	}
	snprintf(dir, len, "%s", WILAYAH_DIR);
}

static int
print_line(void *arg, const struct table_row *r)
{
	printf("%s\n", r->values[0] ? r->values[0] : "");
	return 0;
}

/* `kentongan check FILE`: a backup copy, read without changing it (no migration, no -wal). */
static int
check_file(struct console *con, const char *path)
{
	struct store_check	 c;
	char			 err[1024];
	enum store_status	 s;

	s = store_check_file(path, &c, err, sizeof(err));
	if (s != STORE_OK) {
		fprintf(stderr, "kentongan: %s\n", err);
		return 1;
	}
	if (con->fmt == TABLE_JSON) {
		fputs("{\"file\":", stdout);
		json_string(stdout, path);
		printf(",\"ok\":true,\"version\":%d,\"inbox\":%lld,\"outbox\":%lld,\"announcements\":%lld,"
		    "\"subscribers\":%lld}\n", c.version, c.inbox, c.outbox, c.announcements, c.subscribers);
	} else
		printf("ok: %s is a sound Kentongan database (schema version %d%s; %lld received, %lld "
		    "outgoing, %lld announcements, %lld active subscribers)\n", path, c.version,
		    c.version < store_latest_version() ? ", migrated when a daemon opens it" : "", c.inbox,
		    c.outbox, c.announcements, c.subscribers);
	return 0;
}

/* `kentongan backup FILE`: the daemon runs elsewhere, so a relative FILE is made absolute here. */
static int
console_backup(struct console *con, int argc, char **argv)
{
	char	 cwd[4096], *abs = NULL, *args[2];
	int	 rc;

	if (argc != 2) {
		fprintf(stderr, "usage: kentongan backup FILE|DIRECTORY\n");
		return 1;
	}
	if (argv[1][0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			fprintf(stderr, "kentongan: the current directory: %s\n", strerror(errno));
			return 1;
		}
		xasprintf(&abs, "%s/%s", cwd, argv[1]);
	}
	args[0] = argv[0];
	args[1] = abs ? abs : argv[1];
	rc = console_request(con, 2, args, stdout, stderr);
	free(abs);
	return rc;
}

static int
offline_command(struct console *con, int argc, char **argv, int *handled)
{
	struct store	*st;
	int		 rc;

	*handled = 1;
	if (argc >= 2 && !strcmp(argv[0], "areas") && !strcmp(argv[1], "import")) {
		char	 dir[PATH_MAX];

		if (argc > 3) {
			return usage_print_one(stderr, "areas import");
		}
		if (argc == 3)
			snprintf(dir, sizeof(dir), "%s", argv[2]);
		else
			areas_default_dir(dir, sizeof(dir));
		if ((st = open_store(con)) == NULL)
			return 1;
		rc = import_areas(st, dir, isatty(2), con->fmt);
		store_close(st);
		return rc;
	}
	if (argc >= 2 && !strcmp(argv[0], "subscribers") && !strcmp(argv[1], "import")) {
		if (argc != 3) {
			return usage_print_one(stderr, "subscribers import");
		}
		if ((st = open_store(con)) == NULL)
			return 1;
		rc = import_subscribers(st, argv[2], con->conf->country, isatty(2), con->fmt);
		store_close(st);
		return rc;
	}
	if (argc == 2 && !strcmp(argv[0], "check"))
		return check_file(con, argv[1]);
	if (argc >= 1 && !strcmp(argv[0], "check")) {
		struct table		*t;
		enum store_status	 s;

		if (argc != 1) {
			return usage_print_one(stderr, "check");
		}
		if ((st = open_store(con)) == NULL)
			return 1;
		if (con->fmt == TABLE_TEXT)
			s = store_integrity(st, print_line, NULL);
		else {
			t = table_new(stdout, con->fmt);
			s = store_integrity(st, table_row, t);
			table_end(t);
		}
		if (s != STORE_OK)
			fprintf(stderr, "kentongan: %s\n", store_errmsg(st));
		store_close(st);
		return s == STORE_OK ? 0 : 1;
	}
	if (argc >= 1 && (!strcmp(argv[0], "users") || (argc >= 2 && !strcmp(argv[0], "user") &&
	    (!strcmp(argv[1], "add") || !strcmp(argv[1], "remove"))))) {
		if ((st = open_store(con)) == NULL)
			return 1;
		rc = users_command(st, argc, argv, con->fmt);
		store_close(st);
		return rc;
	}
	*handled = 0;
	return 0;
}

/*
 * `official add NUMBER`: the PIN comes from the terminal (asked twice, not echoed) or one line of
 * standard input, never from the command line, where ps and the shell history show it. It goes
 * to the daemon inside the control request. 0 ok (pin filled), 1 error (printed).
 */
static int
read_pin(const char *number, char *pin, size_t len)
{
	char		 again[64];
	FILE		*tty;
	struct termios	 old, noecho;
	int		 rc = 1, i;

	if (!isatty(STDIN_FILENO)) {
		if (fgets(pin, (int)len, stdin) == NULL) {
			fprintf(stderr, "kentongan: official add: give the PIN on standard input (one line)\n");
			return 1;
		}
		pin[strcspn(pin, "\r\n")] = '\0';
		return 0;
	}
	if ((tty = fopen("/dev/tty", "r+")) == NULL) {
		fprintf(stderr, "kentongan: official add: cannot open the terminal: %s\n", strerror(errno));
		return 1;
	}
	if (tcgetattr(fileno(tty), &old) == -1) {
		fclose(tty);
		return 1;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &noecho);
	for (i = 0; i < 2; i++) {
		char *buf = i == 0 ? pin : again;

		fprintf(tty, i == 0 ? "SIAR PIN for %s (6 to 12 digits): " : "The same PIN again: ", number);
		fflush(tty);
		if (fgets(buf, (int)(i == 0 ? len : sizeof(again)), tty) == NULL)
			goto out;
		buf[strcspn(buf, "\r\n")] = '\0';
		fputc('\n', tty);
	}
	if (strcmp(pin, again) != 0)
		fprintf(stderr, "kentongan: official add: the two PINs differ; nothing changed\n");
	else
		rc = 0;
out:
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	explicit_bzero(again, sizeof(again));
	fclose(tty);
	return rc;
}

/*
 * The options before the command (--json/--csv anywhere) and the command's words into args;
 * -1 to go on, else the exit code (--help, --version, a bad option).
 */
static int
parse_args(struct console *con, int argc, char *argv[], char **args, int *nargs, const char **conf_path)
{
	int	 i;

	/* --json/--csv may stand anywhere; -c only before the command */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			con->fmt = TABLE_JSON;
		else if (!strcmp(argv[i], "--csv"))
			con->fmt = TABLE_CSV;
		else if (*nargs == 0 && (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config"))) {
			if (++i == argc) {
				fprintf(stderr, "kentongan: -c needs a file\n");
				return 1;
			}
			*conf_path = argv[i];
		} else if (*nargs == 0 && !strncmp(argv[i], "--config=", 9))
			*conf_path = argv[i] + 9;
		else if (*nargs == 0 && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
			usage(stdout);
			return 0;
		} else if (*nargs == 0 && !strcmp(argv[i], "--version")) {
			printf("kentongan %s\n", KT_VERSION);
			return 0;
		} else if (*nargs == 0 && argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "kentongan: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 1;
		} else
			args[(*nargs)++] = argv[i];
	}
	if (*nargs == 0) {
		usage(stderr);
		return 1;
	}
	return -1;
}

/* `modems detect` needs no configuration (it uses one when there is one). */
static int
modems_detect(struct console *con, const char *conf_path, int nargs, char **args)
{
	char	 err[1024];
	int	 rc;

	if (access(conf_path, F_OK) == 0 && (con->conf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kentongan: %s\n", err);
		return 1;
	}
	rc = console_detect(con, nargs - 2, args + 2);
	conf_free(con->conf);
	return rc;
}

/* `official add NUMBER`: the request with the PIN read_pin() asked for appended as --pin. */
static int
official_add(struct console *con, int nargs, char **args)
{
	char	 pin[64];
	char	*pargs[nargs + 3];
	int	 i, rc;

	for (i = 0; i < nargs; i++) {
		if (!strcmp(args[i], "--pin") || !strncmp(args[i], "--pin=", 6)) {
			fprintf(stderr, "kentongan: official add: the PIN is read from the terminal or "
			    "standard input, never the command line (ps shows it):\n"
			    "  kentongan official add NUMBER            (asks for it)\n"
			    "  echo PIN | kentongan official add NUMBER\n");
			return 1;
		}
		pargs[i] = args[i];
	}
	if (nargs != 3) {
		fprintf(stderr, "usage: kentongan official add NUMBER (the PIN on the terminal or "
		    "standard input)\n");
		rc = 1;
	} else if ((rc = read_pin(args[2], pin, sizeof(pin))) == 0) {
		pargs[nargs] = (char *)"--pin";
		pargs[nargs + 1] = pin;
		rc = console_request(con, nargs + 2, pargs, stdout, stderr);
	}
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

/* A command with the configuration loaded: run here, or sent to the daemon. */
static int
command(struct console *con, int nargs, char **args)
{
	int	 handled, rc;

	rc = offline_command(con, nargs, args, &handled);
	if (handled)
		return rc;
	if (nargs >= 1 && !strcmp(args[0], "broadcast"))
		return console_broadcast(con, nargs, args);
	if (nargs >= 2 && !strcmp(args[0], "official") && !strcmp(args[1], "add"))
		return official_add(con, nargs, args);
	if (nargs >= 1 && !strcmp(args[0], "backup"))
		return console_backup(con, nargs, args);
	return console_request(con, nargs, args, stdout, stderr);
}

int
main(int argc, char *argv[])
{
	struct console	 con;
	char		 err[1024];
	const char	*conf_path = getenv("KENTONGAN_CONF");
	int		 nargs = 0, rc;

	memset(&con, 0, sizeof(con));
	con.fd = -1;
	con.fmt = TABLE_TEXT;
	umask(027);	/* a database the offline commands create is not for other users */
	log_init("kentongan", 1, LOG_LVL_WARN);
	signal(SIGPIPE, SIG_IGN);
	char		*args[argc + 1];

	if ((rc = parse_args(&con, argc, argv, args, &nargs, &conf_path)) != -1)
		return rc;
	if (!strcmp(args[0], "help")) {
		return console_help(nargs, args);
	}
	/* setup writes the configuration: -c (or $KENTONGAN_CONF) names it, else this system's default */
	if (!strcmp(args[0], "setup"))
		return console_setup(conf_path, nargs - 1, args + 1);
	if (conf_path == NULL)
		conf_path = CONF_PATH;
	if (!strcmp(args[0], "modems") && (nargs < 2 || strcmp(args[1], "detect"))) {
		usage_print_one(stderr, "modems detect");
		return 1;
	}
	if (nargs >= 2 && !strcmp(args[0], "modems") && !strcmp(args[1], "detect"))
		return modems_detect(&con, conf_path, nargs, args);
	if ((con.conf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kentongan: %s\n", err);
		return 1;
	}
	rc = command(&con, nargs, args);
	if (con.fd != -1)
		close(con.fd);
	conf_free(con.conf);
	return rc;
}
