/* csv — one RFC 4180 record at a time from a buffer, into caller-sized storage. Pure. */
#ifndef COMMON_CSV_H
#define COMMON_CSV_H
#include <stddef.h>

enum {
	CSV_END = -1,		/* no more data */
	CSV_TOO_LONG = -2,	/* the record does not fit buf, or has more than maxf fields */
	CSV_BAD_QUOTE = -3,	/* a quoted field is never closed (the rest of the data is used up) */
};

/*
 * Reads one record from *p (up to end): fields are written NUL-terminated into buf (buflen bytes)
 * and pointed to by f[0..maxf-1]. Returns the field count, or CSV_END, or an error. On every
 * return but CSV_END, *p is past the record (a bad record is skipped whole, newlines inside
 * quotes included), so a caller reports it and reads on. Never writes outside buf or f.
 */
int	csv_record(const char **p, const char *end, char *buf, size_t buflen, char **f, int maxf);
#endif
