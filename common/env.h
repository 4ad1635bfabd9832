/* env — the KT_* environment knobs tests use to shorten the daemon's intervals and limits. */
#ifndef COMMON_ENV_H
#define COMMON_ENV_H

/* The positive whole number in environment variable name; dflt when it is unset, empty, not a
 * number (trailing characters included), zero or negative. */
long	 env_long(const char *name, long dflt);
/* The number (decimals allowed) in name when it is zero or more; dflt otherwise, as above. */
double	 env_double(const char *name, double dflt);
#endif
