/*
 * table — rows of named columns printed as an aligned text table, a JSON array of objects, or
 * CSV (RFC 4180). The store emits rows in this shape; the daemon formats console replies with
 * it. Text tables are buffered to align columns; JSON and CSV stream.
 */
#ifndef COMMON_TABLE_H
#define COMMON_TABLE_H
#include <stdio.h>

enum table_coltype { TABLE_COL_NULL, TABLE_COL_TEXT, TABLE_COL_INT, TABLE_COL_JSON };

struct table_row {
	int			 n;
	const char *const	*names;
	const char *const	*values;	/* NULL for null */
	const int		*types;		/* enum table_coltype */
};
/* Returns 0 to go on, non-zero to stop. */
typedef int (*table_row_cb)(void *arg, const struct table_row *);

enum table_format { TABLE_TEXT, TABLE_JSON, TABLE_CSV };

struct table;
struct table	*table_new(FILE *out, enum table_format);
int		 table_row(void *table, const struct table_row *);	/* a table_row_cb */
/* Convenience: a row from parallel arrays of names and values, all text (or int if numeric). */
void		 table_rowv(struct table *, int n, const char *const *names, const char *const *values);
/* Ends the output (closing bracket, text alignment) and frees the table. Returns rows printed. */
long		 table_end(struct table *);
/* Writes s as a JSON string literal (with quotes). */
void		 json_string(FILE *, const char *s);
/* The body of a JSON string for s (no quotes) into out (len bytes), cut at a character boundary
 * when full. Returns out. */
const char	*json_escape(const char *s, char *out, size_t len);
int		 table_parse_format(const char *, enum table_format *);
#endif
