/*
 * log — one line per event, key=value, to syslog or (with -d) stderr.
 * Phone numbers are masked at info level with log_msisdn(); debug level shows them whole. Every
 * line is made display-safe (str_visible): control characters cannot forge lines or drive a terminal.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG, LOG_LVL_TRACE };

void	log_init(const char *ident, int to_stderr, int level);
void	log_setlevel(int level);
int	log_getlevel(void);
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_trace(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* appends strerror(errno) */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	log_vlog(int level, const char *, va_list);
/* The system clock now as strftime's fmt in local time (or UTC), then ".mmm" milliseconds, into
 * buf: the stamp of log lines on stderr ("14:00:05.123") and of modemsim's event log. Returns buf. */
char	*log_time_ms(const char *fmt, int utc, char *buf, size_t len);
/* Connects to syslog now (if logging there), for a process that may not create sockets later. */
void	log_open_now(void);

/* Masks every digit of a number but the last 4 unless debug logging is on: +*********7890 (any
 * length). A sender id that is not a number is shown made display-safe. Returns buf. */
const char *log_msisdn(const char *number, char buf[40]);

#endif
