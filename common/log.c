/*
 * log — syslog or stderr, one line per event. Owns the process-wide log level.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "common/log.h"
#include "common/str.h"

static int	 log_stderr = 1;
static int	 log_level = LOG_LVL_INFO;
static const char *log_ident = "kentongan";

void
log_init(const char *ident, int to_stderr, int level)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_level = level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

char *
log_time_ms(const char *fmt, int utc, char *buf, size_t len)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (utc)
		gmtime_r(&ts.tv_sec, &tm);
	else
		localtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), fmt, &tm);
	snprintf(buf, len, "%s.%03d", t, (int)(ts.tv_nsec / 1000000) % 1000);
	return buf;
}

static const char *lvlname[] = { "error", "warn", "info", "debug", "trace" };
static const int lvlprio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG };

void
log_vlog(int level, const char *fmt, va_list ap)
{
	char	 raw[2048], msg[STR_VIS_MAX(2048)];

	if (level > log_level)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* one event, one line: nothing from an SMS or a request can start a line or drive a terminal */
	str_visible(raw, STR_VIS_WS_MARK, msg, sizeof(msg));
	if (log_stderr) {
		char	 tbuf[40];

		fprintf(stderr, "%s %s: %s\n", log_time_ms("%H:%M:%S", 0, tbuf, sizeof(tbuf)), lvlname[level],
		    msg);
		fflush(stderr);
	} else
		syslog(lvlprio[level], "%s: %s", lvlname[level], msg);
}

#define LOGFN(name, lvl) \
void name(const char *fmt, ...) { va_list ap; va_start(ap, fmt); log_vlog(lvl, fmt, ap); va_end(ap); }
LOGFN(log_trace, LOG_LVL_TRACE)
LOGFN(log_debug, LOG_LVL_DEBUG)
LOGFN(log_info, LOG_LVL_INFO)
LOGFN(log_warnx, LOG_LVL_WARN)

/* fmt, then error="strerror(saved)", into buf (ERRNO_LINE bytes). */
#define ERRNO_MSG	1024
#define ERRNO_LINE	(ERRNO_MSG + 160)
static void
errno_line(char *buf, int saved, const char *fmt, va_list ap)
{
	int	 n = vsnprintf(buf, ERRNO_MSG, fmt, ap);

	if (n < 0)
		n = 0;
	else if (n >= ERRNO_MSG)
		n = ERRNO_MSG - 1;
	snprintf(buf + n, ERRNO_LINE - (size_t)n, " error=\"%s\"", strerror(saved));
}

/* log_warn and fatal: the message with errno's reason, through log_warnx and fatalx */
#define ERRNOFN(name, then) \
void name(const char *fmt, ...) { char buf[ERRNO_LINE]; int saved = errno; va_list ap; \
	va_start(ap, fmt); errno_line(buf, saved, fmt, ap); va_end(ap); then("%s", buf); }
ERRNOFN(log_warn, log_warnx)
ERRNOFN(fatal, fatalx)

void
fatalx(const char *fmt, ...)
{
	char	 raw[1024], buf[STR_VIS_MAX(1024)];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	str_visible(raw, STR_VIS_WS_MARK, buf, sizeof(buf));
	if (log_stderr)
		fprintf(stderr, "%s: fatal: %s\n", log_ident, buf);
	else
		syslog(LOG_CRIT, "fatal: %s", buf);
	exit(1);
}

void
log_open_now(void)
{
	if (!log_stderr)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

const char *
log_msisdn(const char *number, char buf[40])
{
	size_t	 n, digits = 0, i, o = 0;

	if (number == NULL)
		return "-";
	n = strlen(number);
	if (log_level >= LOG_LVL_DEBUG) {
		str_visible(number, STR_VIS_WS_MARK, buf, 40);
		return buf;
	}
	for (i = 0; i < n; i++)
		if (number[i] >= '0' && number[i] <= '9')
			digits++;
	if (digits == 0 || digits != n - (number[0] == '+')) {
		/* an alphanumeric sender id: shown (it names a service, not a person), made safe */
		str_visible(number, STR_VIS_WS_MARK, buf, 40);
		return buf;
	}
	/* every digit but the last 4, whatever the length: short numbers are people too */
	for (i = 0; i < n && o + 1 < 40; i++) {
		if (number[i] == '+')
			buf[o++] = '+';
		else
			buf[o++] = digits-- > 4 ? '*' : number[i];
	}
	buf[o] = '\0';
	return buf;
}
