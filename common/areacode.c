/* areacode — Kemendagri code shapes and containment (see areacode.h). */
#include <string.h>

#include "common/areacode.h"
#include "common/str.h"

int
areacode_level(const char *code)
{
	size_t	 n = strlen(code);

	if (!str_digits_n(code, n))
		return 0;
	switch (n) {
	case 2:  return 1;
	case 4:  return 2;
	case 6:  return 3;
	case 10: return 4;
	default: return 0;
	}
}

/* Calls match(code, prefix, len) for each prefix of the list; returns 1 at the first match. */
static int
each_prefix(const char *code, const char *prefixes, int both_ways)
{
	const char	*p = prefixes;
	size_t		 clen = strlen(code);

	if (prefixes == NULL || prefixes[strspn(prefixes, ", ")] == '\0')
		return 1;
	while (*p) {
		size_t n;

		p += strspn(p, ", ");
		n = strcspn(p, ", ");
		if (n > 0 && strncmp(code, p, n) == 0)
			return 1;
		if (both_ways && n > clen && strncmp(code, p, clen) == 0)
			return 1;
		p += n;
	}
	return 0;
}

int
areacode_in_list(const char *code, const char *prefixes)
{
	return each_prefix(code, prefixes, 0);
}

int
areacode_overlaps_list(const char *code, const char *prefixes)
{
	return each_prefix(code, prefixes, 1);
}

int
areacode_listed(const char *code, const char *list)
{
	const char	*p = list;
	size_t		 l = strlen(code);

	if (l == 0 || list == NULL)
		return 0;
	for (; (p = strstr(p, code)) != NULL; p += l)
		if ((p == list || p[-1] == ',') && (p[l] == ',' || p[l] == '\0'))
			return 1;
	return 0;
}
