/* timefmt — times as users type and read them: ISO 8601 in local time, epoch seconds inside. */
#ifndef COMMON_TIMEFMT_H
#define COMMON_TIMEFMT_H
#include <time.h>
/* "2026-11-27 14:00", "2026-11-27T14:00:00", "14:00" (today, or tomorrow if past), "+10m", "-1h", "now". -1 bad. */
int	 timefmt_parse(const char *, time_t now, time_t *out);
/* Local time as "2026-11-27 14:00:05" into buf (20+ bytes). */
char	*timefmt_local(time_t, char *buf, size_t len);
/* The local day of a time as "2026-11-27" into buf (TIMEFMT_DAY_LEN+ bytes): the key of the
 * per-day counters (modem totals, send limits). "" when buf is too small. */
#define TIMEFMT_DAY_LEN	11
char	*timefmt_day(time_t, char *buf, size_t len);
/* A duration of s >= 0 seconds for people: "45 s", "12 min", "2.5 h". */
char	*timefmt_duration(double s, char *buf, size_t len);
/* Wall-clock seconds, shifted by KT_TIME_OFFSET seconds when set (tests of expiry and day limits)
 * and by the correction below. Everything that schedules, expires or limits by time uses this. */
time_t	 clock_now(void);
/* The correction added to the system clock when it is known to be wrong (the daemon sets it from
 * the GSM network's time; 0 = the system clock is trusted), and the system clock alone. */
void	 clock_set_correction(long seconds);
long	 clock_correction(void);
time_t	 clock_system(void);
/* Monotonic seconds (for intervals and deadlines; never jumps with the wall clock). */
double	 clock_mono(void);
#endif
