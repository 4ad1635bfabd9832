/* timefmt — parse and print user-facing times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/timefmt.h"

/* The dated forms timefmt_parse() accepts, tried in order; a bare date means its midnight. */
static const struct timefmt_form {
	const char	*fmt;
	int		 midnight;
} forms[] = {
	{ "%Y-%m-%d %H:%M:%S", 0 },
	{ "%Y-%m-%dT%H:%M:%S", 0 },
	{ "%Y-%m-%d %H:%M", 0 },
	{ "%Y-%m-%dT%H:%M", 0 },
	{ "%Y-%m-%d", 1 },
};

int
timefmt_parse(const char *s, time_t now, time_t *out)
{
	const struct timefmt_form	*f;
	struct tm			 tm;
	const char			*end;
	long				 d;

	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (*s == '+' || *s == '-') {
		if (conf_parse_duration(s + 1, &d) == -1)
			return -1;
		*out = *s == '+' ? now + d : now - d;
		return 0;
	}
	for (f = forms; f < forms + sizeof(forms) / sizeof(forms[0]); f++) {
		localtime_r(&now, &tm);
		tm.tm_sec = 0;
		if (f->midnight)
			tm.tm_min = tm.tm_hour = 0;
		if ((end = strptime(s, f->fmt, &tm)) && *end == '\0')
			goto ok;
	}
	localtime_r(&now, &tm);
	tm.tm_sec = 0;
	if ((end = strptime(s, "%H:%M", &tm)) && *end == '\0') {
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		if (*out < now)
			*out += 86400;
		return 0;
	}
	return -1;
ok:
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

char *
timefmt_local(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

char *
timefmt_day(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	localtime_r(&t, &tm);
	if (strftime(buf, len, "%Y-%m-%d", &tm) == 0 && len > 0)
		buf[0] = '\0';
	return buf;
}

char *
timefmt_duration(double s, char *buf, size_t len)
{
	if (s < 90)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 5400)
		snprintf(buf, len, "%.0f min", s / 60);
	else
		snprintf(buf, len, "%.1f h", s / 3600);
	return buf;
}

static long	 clock_corr;

time_t
clock_system(void)
{
	static int	 init;
	static long	 offset;

	if (!init) {
		const char *o = getenv("KT_TIME_OFFSET");

		offset = o ? atol(o) : 0;
		init = 1;
	}
	return time(NULL) + offset;
}

time_t
clock_now(void)
{
	return clock_system() + clock_corr;
}

void
clock_set_correction(long s)
{
	clock_corr = s;
}

long
clock_correction(void)
{
	return clock_corr;
}

double
clock_mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
