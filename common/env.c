/* env — numbers from the KT_* environment knobs, with the built-in value as the fallback. */
#include <stdlib.h>

#include "common/env.h"

/* The knob's text; NULL when it is unset or empty. */
static const char *
knob(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

long
env_long(const char *name, long dflt)
{
	const char	*v = knob(name);
	char		*end;
	long		 n;

	if (v == NULL || (n = strtol(v, &end, 10)) <= 0 || *end != '\0')
		return dflt;
	return n;
}

double
env_double(const char *name, double dflt)
{
	const char	*v = knob(name);
	char		*end;
	double		 d;

	if (v == NULL || !((d = strtod(v, &end)) >= 0) || *end != '\0')
		return dflt;
	return d;
}
