/*
 * crash points — debug builds abort() right after a named step when the environment variable
 * KT_CRASH names it ("inbox-commit", "sim-delete", …). Optionally KT_CRASH_AFTER=N skips the
 * first N hits. Release builds (RELEASE=1) compile them away. Used by tests/fault.
 */
#ifndef COMMON_CRASH_H
#define COMMON_CRASH_H
#ifdef KT_CRASHPOINTS
void	crash_point(const char *name);
#define CRASH_POINT(name) crash_point(name)
#else
#define CRASH_POINT(name) do { } while (0)
#endif
#endif
