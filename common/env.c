/* env — numbers from the KT_* environment knobs, with the built-in value as the fallback. */
#include <stdlib.h>

#include "common/env.h"

long
env_long(const char *name, long dflt)
{
	const char	*v = getenv(name);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0')
		return dflt;
	n = strtol(v, &end, 10);
	return *end || n <= 0 ? dflt : n;
}

double
env_double(const char *name, double dflt)
{
	const char	*v = getenv(name);
	char		*end;
	double		 d;

	if (v == NULL || *v == '\0')
		return dflt;
	d = strtod(v, &end);
	return *end || !(d >= 0) ? dflt : d;
}
