/* csv — the CSV record reader of the bulk imports (see csv.h). Input comes from outside (member
 * lists, area files): every write is bounded by buflen and maxf. */
#include "common/csv.h"

/* Past the end of the current record from p, honouring quotes (quoted: inside a quoted field). */
static const char *
skip_record(const char *p, const char *end, int quoted)
{
	for (; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '\n')
			return p + 1;
	}
	return end;
}

int
csv_record(const char **pp, const char *end, char *buf, size_t buflen, char **f, int maxf)
{
	const char	*p = *pp;
	size_t		 o = 0;
	int		 n = 0, quoted = 0;

	if (p >= end)
		return CSV_END;
	for (;;) {
		quoted = 0;
		if (n == maxf || o >= buflen)
			goto too_long;
		f[n++] = buf + o;
		if (p < end && *p == '"') {
			quoted = 1;
			p++;
		}
		for (; p < end; p++) {
			if (quoted) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						p++;
					} else {
						quoted = 0;
						continue;
					}
				}
			} else if (*p == ',' || *p == '\n' || *p == '\r')
				break;
			if (o + 1 >= buflen)	/* keep room for the terminator */
				goto too_long;
			buf[o++] = *p;
		}
		if (quoted) {
			*pp = end;
			return CSV_BAD_QUOTE;
		}
		buf[o++] = '\0';	/* o < buflen: checked above */
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		/* end of record: \n, \r\n or end of data */
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		break;
	}
	*pp = p;
	return n;
too_long:
	*pp = skip_record(p, end, quoted);
	return CSV_TOO_LONG;
}
