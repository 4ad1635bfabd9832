/* table — text/JSON/CSV output of rows (see table.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "common/table.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

struct table {
	FILE		*out;
	enum table_format fmt;
	long		 rows;
	/* text: buffered cells */
	int		 ncols;
	char		**names;
	char		**cells;	/* rows * ncols */
	size_t		 ncells, capcells;
};

struct table *
table_new(FILE *out, enum table_format fmt)
{
	struct table	*t = xcalloc(1, sizeof(*t));

	t->out = out;
	t->fmt = fmt;
	if (fmt == TABLE_JSON)
		fputc('[', out);
	return t;
}

int
table_parse_format(const char *s, enum table_format *f)
{
	if (!strcmp(s, "json"))
		*f = TABLE_JSON;
	else if (!strcmp(s, "csv"))
		*f = TABLE_CSV;
	else if (!strcmp(s, "text"))
		*f = TABLE_TEXT;
	else
		return -1;
	return 0;
}

void
json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

const char *
json_escape(const char *s, char *out, size_t len)
{
	size_t	 o = 0;

	for (; *s && o + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0xC0 && o + 12 >= len)
			break;	/* no room for the whole character */
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20)
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* A cell a spreadsheet would run as a formula (OWASP "CSV injection"): starts with = + - @, TAB or
 * CR, and is not simply a number (+6281234567890 and -5 stay as they are). */
static int
csv_formula(const char *s)
{
	const char	*p = s;

	if (strchr("=+-@\t\r", *s) == NULL || *s == '\0')
		return 0;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p); p++)
			;
	return *p != '\0';
}

static void
csv_field(FILE *f, const char *s)
{
	char	*vis = NULL;
	int	 formula = csv_formula(s);

	if (!str_is_visible(s, STR_VIS_WS_KEEP)) {
		size_t len = STR_VIS_MAX(strlen(s));

		vis = xmalloc(len);
		str_visible(s, STR_VIS_WS_KEEP, vis, len);
		s = vis;
	}
	if (formula) {
		fputs("\"'", f);
		goto quoted;
	}
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		free(vis);
		return;
	}
	fputc('"', f);
quoted:
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
	free(vis);
}

/* A one-line, display-safe copy of a cell for the text table (xmalloc'd). */
static char *
text_cell(const char *s)
{
	size_t	 len = STR_VIS_MAX(strlen(s));
	char	*v = xmalloc(len);

	str_visible(s, STR_VIS_WS_SPACE, v, len);
	return v;
}

/* A JSON array of strings ["a","b"] flattened to a;b for CSV and text. */
static char *
flatten_json_array(const char *v)
{
	char		*out = xmalloc(strlen(v) + 1), *o = out;
	const char	*p = v;
	int		 instr = 0, first = 1;

	if (*p != '[') {
		strcpy(out, v);
		return out;
	}
	for (p++; *p && !(*p == ']' && !instr); p++) {
		if (*p == '"' && p[-1] != '\\') {
			instr = !instr;
			continue;
		}
		if (!instr && *p == ',') {
			*o++ = ';';
			continue;
		}
		if (!instr && isspace((unsigned char)*p))
			continue;
		if (*p == '\\' && instr && p[1]) {
			p++;
		}
		*o++ = *p;
		first = 0;
	}
	(void)first;
	*o = '\0';
	return out;
}

int
table_row(void *arg, const struct table_row *r)
{
	struct table	*t = arg;
	int		 i;

	switch (t->fmt) {
	case TABLE_JSON:
		fputs(t->rows ? ",\n{" : "\n{", t->out);
		for (i = 0; i < r->n; i++) {
			if (i)
				fputc(',', t->out);
			json_string(t->out, r->names[i]);
			fputc(':', t->out);
			if (r->values[i] == NULL)
				fputs("null", t->out);
			else if (r->types[i] == TABLE_COL_INT || r->types[i] == TABLE_COL_JSON)
				fputs(r->values[i], t->out);
			else
				json_string(t->out, r->values[i]);
		}
		fputc('}', t->out);
		break;
	case TABLE_CSV:
		if (t->rows == 0) {
			for (i = 0; i < r->n; i++) {
				if (i)
					fputc(',', t->out);
				csv_field(t->out, r->names[i]);
			}
			fputs("\r\n", t->out);
		}
		for (i = 0; i < r->n; i++) {
			if (i)
				fputc(',', t->out);
			if (r->values[i] == NULL)
				continue;
			if (r->types[i] == TABLE_COL_JSON) {
				char *flat = flatten_json_array(r->values[i]);

				csv_field(t->out, flat);
				free(flat);
			} else
				csv_field(t->out, r->values[i]);
		}
		fputs("\r\n", t->out);
		break;
	case TABLE_TEXT:
		if (t->rows == 0) {
			t->ncols = r->n;
			t->names = xcalloc(r->n, sizeof(char *));
			for (i = 0; i < r->n; i++)
				t->names[i] = xstrdup(r->names[i]);
		}
		for (i = 0; i < t->ncols && i < r->n; i++) {
			char *v;

			if (r->values[i] == NULL)
				v = xstrdup("-");
			else if (r->types[i] == TABLE_COL_JSON) {
				char *flat = flatten_json_array(r->values[i]);

				v = text_cell(flat);
				free(flat);
			} else
				/* one line per row, and nothing a terminal would obey */
				v = text_cell(r->values[i]);
			if (t->ncells == t->capcells) {
				t->capcells = t->capcells ? t->capcells * 2 : 64;
				t->cells = xreallocarray(t->cells, t->capcells, sizeof(char *));
			}
			t->cells[t->ncells++] = v;
		}
		for (; i < t->ncols; i++) {
			if (t->ncells == t->capcells) {
				t->capcells = t->capcells ? t->capcells * 2 : 64;
				t->cells = xreallocarray(t->cells, t->capcells, sizeof(char *));
			}
			t->cells[t->ncells++] = xstrdup("");
		}
		break;
	}
	t->rows++;
	return ferror(t->out) ? -1 : 0;
}

void
table_rowv(struct table *t, int n, const char *const *names, const char *const *values)
{
	int			 types[64], i;
	struct table_row	 r;

	for (i = 0; i < n && i < 64; i++) {
		const char *p = values[i];

		types[i] = TABLE_COL_TEXT;
		if (p && *p) {
			if (*p == '-')
				p++;
			while (*p && isdigit((unsigned char)*p))
				p++;
			if (*p == '\0' && (values[i][0] != '-' || values[i][1]) &&
			    !(values[i][0] == '0' && values[i][1]) && strlen(values[i]) < 16)
				types[i] = TABLE_COL_INT;
		}
	}
	r.n = n;
	r.names = names;
	r.values = values;
	r.types = types;
	table_row(t, &r);
}

long
table_end(struct table *t)
{
	long	 rows = t->rows;
	size_t	 i, r, nrows;

	switch (t->fmt) {
	case TABLE_JSON:
		fputs(t->rows ? "\n]\n" : "]\n", t->out);
		break;
	case TABLE_CSV:
		break;
	case TABLE_TEXT:
		if (t->ncols == 0)
			break;
		nrows = t->ncells / t->ncols;
		{
			size_t *w = xcalloc(t->ncols, sizeof(size_t));

			for (i = 0; i < (size_t)t->ncols; i++) {
				w[i] = utf8_chars(t->names[i]);
				for (r = 0; r < nrows; r++) {
					size_t l = utf8_chars(t->cells[r * t->ncols + i]);

					if (l > w[i])
						w[i] = l > 60 ? 60 : l;
				}
			}
			for (i = 0; i < (size_t)t->ncols; i++)
				fprintf(t->out, "%s%-*s", i ? "  " : "", i + 1 == (size_t)t->ncols ? 0 : (int)w[i],
				    t->names[i]);
			fputc('\n', t->out);
			for (r = 0; r < nrows; r++) {
				for (i = 0; i < (size_t)t->ncols; i++) {
					const char	*c = t->cells[r * t->ncols + i];
					size_t		 cw = utf8_chars(c);
					int		 pad = cw < w[i] ? (int)(w[i] - cw) : 0;

					fputs(i ? "  " : "", t->out);
					if (cw > w[i] && i + 1 < (size_t)t->ncols) {
						/* a long cell is cut to its column, with an ellipsis */
						fwrite(c, 1, utf8_prefix(c, w[i] - 1), t->out);
						fputs("\u2026", t->out);
					} else
						fputs(c, t->out);
					fprintf(t->out, "%*s", i + 1 == (size_t)t->ncols ? 0 : pad, "");
				}
				fputc('\n', t->out);
			}
			free(w);
		}
		for (i = 0; i < (size_t)t->ncols; i++)
			free(t->names[i]);
		for (i = 0; i < t->ncells; i++)
			free(t->cells[i]);
		free(t->names);
		free(t->cells);
		break;
	}
	free(t);
	return rows;
}
