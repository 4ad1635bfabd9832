/*
 * clock.h — seconds on the monotonic clock, for the deadlines of the unit tests and the timings of
 * the benches and test helpers (header-only, libc only).
 */
#ifndef TESTS_UNIT_CLOCK_H
#define TESTS_UNIT_CLOCK_H
#include <time.h>

static inline double
mono_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
#endif
