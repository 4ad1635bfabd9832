/*
 * broadcast — `kentongan broadcast`: queues the announcement through the daemon, and with --wait
 * polls its progress once a second and redraws one line (queued/sent/delivered/failed, rate,
 * ETA) until nothing is left to send. Ctrl-C stops watching; the broadcast goes on.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "common/timefmt.h"
#include "console/console.h"

static volatile sig_atomic_t stop_watching;

static void
on_int(int sig)
{
	stop_watching = 1;
}

/* Reads "key=value" integers from the daemon's progress line. */
static long
field(const char *line, const char *key)
{
	char		 pat[64];
	const char	*p;

	snprintf(pat, sizeof(pat), "%s=", key);
	for (p = line; (p = strstr(p, pat)) != NULL; p++)
		if (p == line || p[-1] == ' ')
			return atol(p + strlen(pat));
	return -1;
}

int
console_broadcast(struct console *con, int argc, char **argv)
{
	char		**args, *buf = NULL, idbuf[32];
	size_t		 len = 0;
	FILE		*mem;
	int		 i, n = 0, wait = 0, rc, tty = isatty(1), held;
	long		 id, first_sent = -1;
	double		 t0;

	args = xcalloc((size_t)argc + 1, sizeof(char *));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait = 1;
		else
			args[n++] = argv[i];
	}
	if (!wait) {
		rc = console_request(con, n, args, stdout, stderr);
		free(args);
		return rc;
	}
	/* the daemon's reply tells the id; show it as the user asked for it */
	mem = open_memstream(&buf, &len);
	rc = console_request(con, n, args, mem, stderr);
	fclose(mem);
	fputs(buf, stdout);
	free(args);
	if (rc != 0 || (id = field(buf, "id")) <= 0) {
		char *p = strstr(buf, "\"id\":");

		id = p ? atol(p + 5) : -1;
	}
	/* an alert held for a second official's approval: nothing goes out until then */
	held = rc == 0 && (strstr(buf, "held for approval") || strstr(buf, "\"state\":\"pending\""));
	free(buf);
	if (rc != 0)
		return rc;
	if (id <= 0 || held)
		return 0;	/* a dry run, or nothing to watch yet */
	signal(SIGINT, on_int);
	snprintf(idbuf, sizeof(idbuf), "%ld", id);
	t0 = clock_mono();
	for (;;) {
		char	*pargs[] = { "announcement", idbuf, "--progress", NULL };
		char	*line = NULL;
		size_t	 llen = 0;
		long	 queued, sending, sent, delivered, failed, expired, total, done;
		double	 el, rate;

		mem = open_memstream(&line, &llen);
		rc = console_request(con, 3, pargs, mem, stderr);
		fclose(mem);
		if (rc != 0) {
			free(line);
			return rc;
		}
		queued = field(line, "queued");
		sending = field(line, "sending");
		sent = field(line, "sent");
		delivered = field(line, "delivered");
		failed = field(line, "failed");
		expired = field(line, "expired");
		total = field(line, "recipients");
		free(line);
		done = sent + delivered + failed + expired;
		el = clock_mono() - t0;
		if (first_sent < 0)
			first_sent = sent + delivered;
		rate = el > 0.5 ? (double)(sent + delivered - first_sent) / el : 0;
		printf("%s%ld/%ld done: %ld queued, %ld sending, %ld sent, %ld delivered, %ld failed, %ld expired; "
		    "%.1f msg/min", tty ? "\r\033[K" : "", done, total, queued, sending, sent, delivered, failed,
		    expired, rate * 60);
		if (rate > 0 && queued + sending > 0)
			printf(", ETA %.0f s", (double)(queued + sending) / rate);
		if (!tty)
			putchar('\n');
		fflush(stdout);
		if (queued + sending == 0) {
			if (tty)
				putchar('\n');
			return failed > 0 ? 1 : 0;
		}
		if (stop_watching) {
			printf("%sstopped watching; broadcast %ld goes on (kentongan announcement %ld)\n",
			    tty ? "\n" : "", id, id);
			return 0;
		}
		sleep(1);
	}
}
