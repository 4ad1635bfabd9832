/*
 * import — the console's offline bulk loads, run against the database directly (they work while
 * the daemon is stopped, and never stall its loop when it runs): areas from the Kemendagri CSVs,
 * subscribers from a CSV of number,area[,name].
 */
#ifndef CONSOLE_IMPORT_H
#define CONSOLE_IMPORT_H
#include "common/table.h"

struct store;

/* Reads one CSV record (RFC 4180 quoting) from *p; fields written NUL-terminated into buf and
 * pointed to by f[]. Advances *p past the record. Returns the field count, -1 at end, -2 bad quote. */
int	csv_record(const char **p, const char *end, char *buf, size_t buflen, char **f, int maxf);

/* Loads provinces.csv, cities.csv, districts.csv, villages.csv from dir. 0 ok, 1 error (printed). */
int	import_areas(struct store *, const char *dir, int progress, enum table_format);
/* Loads subscribers; rejected lines go to stderr with their line numbers. 0 ok (even with
 * rejections), 1 when the file cannot be read. */
int	import_subscribers(struct store *, const char *file, const char *country, int progress,
	    enum table_format);
#endif
