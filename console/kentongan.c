/*
 * kentongan — the console for officials and operators. Sends one command to the daemon over its
 * control socket and prints the reply; exit status 0 success, 1 user error, 2 daemon unreachable.
 * `areas import`, `subscribers import` and `check` run here against the database, so they work
 * while the daemon is stopped.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/table.h"
#include "common/xmalloc.h"
#include "console/console.h"
#include "console/import.h"
#include "store/store.h"
#include "store/store_backup.h"

static const char *usage_text =
"usage: kentongan [-c FILE] [--json | --csv] COMMAND [ARGUMENTS]\n"
"\n"
"The console of the Kentongan SMS gateway. It talks to the running daemon (kentongand) over\n"
"the control socket named in the configuration.\n"
"\n"
"Options:\n"
"  -c, --config FILE   configuration file (default: $KENTONGAN_CONF, else ./kentongan.conf)\n"
"      --json          print listings as a JSON array of objects\n"
"      --csv           print listings as CSV with a header line\n"
"  -h, --help          this help; 'kentongan help COMMAND' for one command\n"
"      --version       print the version\n"
"\n"
"Gateway:\n"
"  status                          modems, queue depth, store health\n"
"  check [FILE]                    verify the database or a backup copy; works offline\n"
"  backup FILE|DIR                 write a consistent copy while the daemon runs\n"
"  ussd MODEM CODE                 run a USSD code (balance, bundles) on a modem\n"
"  audit [--limit N]               the latest changes, who made them and how\n"
"\n"
"Areas:\n"
"  areas import DIR                load provinces/cities/districts/villages CSVs; works offline\n"
"  areas [--parent CODE | --all]   list areas (provinces by default)\n"
"\n"
"Subscribers:\n"
"  subscribers [--area CODE]       list subscribers (of an area and every area inside it)\n"
"  subscriber add NUMBER --area CODE [--name NAME]\n"
"  subscriber remove NUMBER (--area CODE | --all)\n"
"  subscribers import FILE         load a CSV of number,area[,name]; idempotent; works offline\n"
"\n"
"Messages:\n"
"  inbox [--since TIME] [--limit N]      every received SMS and what was done with it\n"
"  outbox [--status S] [--limit N]       every outgoing SMS\n"
"  broadcast [--area CODE]… [--priority alert|normal] [--at TIME] [--expires DURATION]\n"
"            [--dry-run] [--wait] TEXT   send an announcement to every subscriber of the areas\n"
"  announcements / announcement ID       broadcasts and their delivery counts\n"
"\n"
"KIM:\n"
"  posts [--status pending|published|rejected]   reports sent in by SMS (LAPOR)\n"
"  post approve|reject ID\n"
"  leader add NUMBER --kim NAME --area CODE      register a KIM leader\n"
"  leader remove NUMBER\n"
"  official add NUMBER --pin PIN                 allow SIAR broadcasts by SMS from this number\n"
"  official remove NUMBER\n"
"  roles                                         KIM leaders and officials\n"
"\n"
"TIME is '2026-11-27 14:00', '14:00', '+30m' or '-1h'. Exit status: 0 success, 1 a user error\n"
"(the message says what to change), 2 the daemon is not reachable.\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
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
		if (argc != 3) {
			fprintf(stderr, "usage: kentongan areas import DIR\n");
			return 1;
		}
		if ((st = open_store(con)) == NULL)
			return 1;
		rc = import_areas(st, argv[2], isatty(2), con->fmt);
		store_close(st);
		return rc;
	}
	if (argc >= 2 && !strcmp(argv[0], "subscribers") && !strcmp(argv[1], "import")) {
		if (argc != 3) {
			fprintf(stderr, "usage: kentongan subscribers import FILE\n");
			return 1;
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
			fprintf(stderr, "usage: kentongan check [FILE]\n");
			return 1;
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
	*handled = 0;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct console	 con;
	char		 err[1024];
	const char	*conf_path = getenv("KENTONGAN_CONF");
	int		 i, nargs = 0, handled, rc;

	memset(&con, 0, sizeof(con));
	con.fd = -1;
	con.fmt = TABLE_TEXT;
	log_init("kentongan", 1, LOG_LVL_WARN);
	signal(SIGPIPE, SIG_IGN);
	char		*args[argc + 1];

	/* --json/--csv may stand anywhere; -c only before the command */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			con.fmt = TABLE_JSON;
		else if (!strcmp(argv[i], "--csv"))
			con.fmt = TABLE_CSV;
		else if (nargs == 0 && (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config"))) {
			if (++i == argc) {
				fprintf(stderr, "kentongan: -c needs a file\n");
				return 1;
			}
			conf_path = argv[i];
		} else if (nargs == 0 && !strncmp(argv[i], "--config=", 9))
			conf_path = argv[i] + 9;
		else if (nargs == 0 && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
			usage(stdout);
			return 0;
		} else if (nargs == 0 && !strcmp(argv[i], "--version")) {
			printf("kentongan %s\n", KT_VERSION);
			return 0;
		} else if (nargs == 0 && argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "kentongan: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 1;
		} else
			args[nargs++] = argv[i];
	}
	if (nargs == 0) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(args[0], "help")) {
		return console_help(nargs > 1 ? args[1] : NULL);
	}
	if (conf_path == NULL)
		conf_path = "kentongan.conf";
	if ((con.conf = conf_load(conf_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kentongan: %s\n", err);
		return 1;
	}
	rc = offline_command(&con, nargs, args, &handled);
	if (!handled) {
		if (nargs >= 1 && !strcmp(args[0], "broadcast"))
			rc = console_broadcast(&con, nargs, args);
		else if (nargs >= 1 && !strcmp(args[0], "backup"))
			rc = console_backup(&con, nargs, args);
		else
			rc = console_request(&con, nargs, args, stdout, stderr);
	}
	if (con.fd != -1)
		close(con.fd);
	conf_free(con.conf);
	return rc;
}
