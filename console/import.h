/*
 * import — the console's offline bulk loads, run against the database directly (they work while
 * the daemon is stopped, and never stall its loop when it runs): areas from the Kemendagri CSVs,
 * subscribers from a CSV of number,area[,name].
 */
#ifndef CONSOLE_IMPORT_H
#define CONSOLE_IMPORT_H
#include "common/table.h"

struct store;


/* Loads provinces.csv, cities.csv, districts.csv, villages.csv from dir. 0 ok, 1 error (printed). */
int	import_areas(struct store *, const char *dir, int progress, enum table_format);
/* Loads subscribers; rejected lines go to stderr with their line numbers. 0 ok (even with
 * rejections), 1 when the file cannot be read. */
int	import_subscribers(struct store *, const char *file, const char *country, int progress,
	    enum table_format);
#endif
