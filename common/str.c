/* str — string helpers (see str.h). */
#include <ctype.h>
#include <string.h>

#include "common/str.h"

char *
str_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}
