/*
 * balance — operator USSD balance replies → credit and validity, with the per-operator PCRE2
 * patterns handed in as data (see balance.h for the format). Pure; no I/O.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/ini.h"
#include "common/xmalloc.h"
#include "parsers/balance.h"

#define BAL_MAX_RE	8

struct balance_op {
	char		 name[32];
	char		 display[48];
	char		 mccmnc[96];
	char		 ussd[32];
	long		 low;
	pcre2_code	*credit[BAL_MAX_RE];
	int		 ncredit;
	pcre2_code	*validity[BAL_MAX_RE];
	int		 nvalidity;
};

struct balance_table {
	struct balance_op	*ops;
	int			 nops;
};

static pcre2_code *
compile(const char *re, char *err, size_t errlen, int line)
{
	int		 ec;
	PCRE2_SIZE	 off;
	pcre2_code	*c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS | PCRE2_UTF,
	    &ec, &off, NULL);

	if (c == NULL) {
		PCRE2_UCHAR msg[120];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "%d: bad pattern at offset %zu: %s", line, (size_t)off, (char *)msg);
	}
	return c;
}

/* balance_table_parse's state while the lines go by. */
struct balance_reader {
	struct balance_table	*t;
	struct balance_op	*op;		/* the current [operator NAME] */
	char			*err;
	size_t			 errlen;
};

/* "[operator NAME]" (text after the ']' is ignored). */
static int
operator_line(struct balance_reader *r, const struct ini_line *l)
{
	const char		*name;
	struct balance_op	*op;

	if (l->name == NULL || strncmp(l->text, "[operator", 9) != 0) {
		snprintf(r->err, r->errlen, "%d: expected [operator NAME]", l->lineno);
		return -1;
	}
	name = l->name + 8;
	while (isspace((unsigned char)*name))
		name++;
	if (*name == '\0' || strlen(name) >= sizeof(op->name)) {
		snprintf(r->err, r->errlen, "%d: bad operator name", l->lineno);
		return -1;
	}
	r->t->ops = xreallocarray(r->t->ops, r->t->nops + 1, sizeof(*r->t->ops));
	op = r->op = &r->t->ops[r->t->nops++];
	memset(op, 0, sizeof(*op));
	snprintf(op->name, sizeof(op->name), "%s", name);
	snprintf(op->display, sizeof(op->display), "%s", name);
	return 0;
}

static int
pattern_line(struct balance_reader *r, const struct ini_line *l)
{
	struct balance_op	*op = r->op;
	int			 isc = !strcmp(l->key, "credit");
	int			*n = isc ? &op->ncredit : &op->nvalidity;
	pcre2_code		**arr = isc ? op->credit : op->validity;

	if (*n == BAL_MAX_RE) {
		snprintf(r->err, r->errlen, "%d: at most %d %s patterns", l->lineno, BAL_MAX_RE, l->key);
		return -1;
	}
	if ((arr[*n] = compile(l->value, r->err, r->errlen, l->lineno)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
balance_line_cb(const struct ini_line *l, void *arg)
{
	struct balance_reader	*r = arg;
	struct balance_op	*op = r->op;
	const char		*k = l->key, *v = l->value;

	if (l->kind == INI_SECTION || l->kind == INI_BAD_SECTION)
		return operator_line(r, l);
	if (l->kind != INI_KEY || op == NULL) {
		snprintf(r->err, r->errlen, "%d: expected KEY = VALUE inside an [operator NAME] section", l->lineno);
		return -1;
	}
	if (!strcmp(k, "display"))
		snprintf(op->display, sizeof(op->display), "%s", v);
	else if (!strcmp(k, "mccmnc"))
		snprintf(op->mccmnc, sizeof(op->mccmnc), "%s", v);
	else if (!strcmp(k, "low"))
		op->low = strtol(v, NULL, 10);
	else if (!strcmp(k, "ussd"))
		snprintf(op->ussd, sizeof(op->ussd), "%s", v);
	else if (!strcmp(k, "credit") || !strcmp(k, "validity"))
		return pattern_line(r, l);
	else {
		snprintf(r->err, r->errlen, "%d: unknown key '%s'", l->lineno, k);
		return -1;
	}
	return 0;
}

struct balance_table *
balance_table_parse(const char *text, char *err, size_t errlen)
{
	struct balance_reader	 r = { xcalloc(1, sizeof(*r.t)), NULL, err, errlen };

	if (ini_parse(text, 0, balance_line_cb, &r) != 0) {
		balance_table_free(r.t);
		return NULL;
	}
	return r.t;
}

void
balance_table_free(struct balance_table *t)
{
	int	 i, j;

	if (t == NULL)
		return;
	for (i = 0; i < t->nops; i++) {
		for (j = 0; j < t->ops[i].ncredit; j++)
			pcre2_code_free(t->ops[i].credit[j]);
		for (j = 0; j < t->ops[i].nvalidity; j++)
			pcre2_code_free(t->ops[i].validity[j]);
	}
	free(t->ops);
	free(t);
}

static const struct balance_op *
find(const struct balance_table *t, const char *op)
{
	int	 i;

	for (i = 0; t && op && i < t->nops; i++)
		if (!strcasecmp(t->ops[i].name, op))
			return &t->ops[i];
	return NULL;
}

const char *
balance_operator(const struct balance_table *t, const char *s)
{
	char	 digits[16];
	size_t	 n = 0;
	int	 i;

	if (t == NULL || s == NULL || *s == '\0')
		return NULL;
	for (i = 0; i < t->nops; i++)
		if (!strcasecmp(t->ops[i].name, s) || !strcasecmp(t->ops[i].display, s))
			return t->ops[i].name;
	for (const char *p = s; *p && n < sizeof(digits) - 1; p++) {
		if (isdigit((unsigned char)*p))
			digits[n++] = *p;
		else if (*p != ' ' && *p != '-')
			return NULL;
	}
	digits[n] = '\0';
	if (n < 5)
		return NULL;
	for (i = 0; i < t->nops; i++) {
		char	 list[96], *tok, *sv = NULL;

		snprintf(list, sizeof(list), "%s", t->ops[i].mccmnc);
		for (tok = strtok_r(list, ", ", &sv); tok; tok = strtok_r(NULL, ", ", &sv))
			if (!strcmp(tok, digits))
				return t->ops[i].name;
	}
	return NULL;
}

const char *
balance_display(const struct balance_table *t, const char *op)
{
	const struct balance_op *o = find(t, op);

	return o ? o->display : NULL;
}

const char *
balance_ussd(const struct balance_table *t, const char *op)
{
	const struct balance_op *o = find(t, op);

	return o && *o->ussd ? o->ussd : NULL;
}

/* Group 1 of the first pattern that matches, into out. */
static int
first_match(pcre2_code *const *res, int n, const char *s, char *out, size_t outlen)
{
	int	 i;

	for (i = 0; i < n; i++) {
		pcre2_match_data	*md = pcre2_match_data_create_from_pattern(res[i], NULL);
		int			 rc = pcre2_match(res[i], (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);

		if (rc >= 2) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			size_t l = ov[3] - ov[2];

			if (l >= outlen)
				l = outlen - 1;
			memcpy(out, s + ov[2], l);
			out[l] = '\0';
			pcre2_match_data_free(md);
			return 0;
		}
		pcre2_match_data_free(md);
	}
	return -1;
}

/* "12.500", "12,500.00", "12.500,00", "1.234.567" -> whole rupiah. */
static long
parse_amount(const char *s)
{
	char	 d[32];
	size_t	 n = 0;
	const char *last_sep = NULL, *p;

	for (p = s; *p; p++)
		if (*p == '.' || *p == ',')
			last_sep = p;
	/* a separator followed by exactly two digits at the end is a decimal part */
	if (last_sep && isdigit((unsigned char)last_sep[1]) && isdigit((unsigned char)last_sep[2]) &&
	    !isdigit((unsigned char)last_sep[3]))
		;
	else
		last_sep = NULL;
	for (p = s; *p && (last_sep == NULL || p < last_sep) && n < sizeof(d) - 1; p++)
		if (isdigit((unsigned char)*p))
			d[n++] = *p;
	d[n] = '\0';
	return n ? strtol(d, NULL, 10) : -1;
}

static int
month_of(const char *s)
{
	static const char *names[][3] = {
		{ "jan", NULL, NULL }, { "feb", "peb", NULL }, { "mar", NULL, NULL }, { "apr", NULL, NULL },
		{ "mei", "may", NULL }, { "jun", NULL, NULL }, { "jul", NULL, NULL }, { "agu", "agt", "aug" },
		{ "sep", NULL, NULL }, { "okt", "oct", NULL }, { "nov", "nop", NULL }, { "des", "dec", NULL },
	};
	int	 i, j;

	for (i = 0; i < 12; i++)
		for (j = 0; j < 3 && names[i][j]; j++)
			if (!strncasecmp(s, names[i][j], 3))
				return i + 1;
	return 0;
}

/* Dates as operators write them -> YYYY-MM-DD; -1 when not understood. */
static int
parse_date(const char *s, char out[16])
{
	int	 a = 0, b = 0, c = 0, y, mo, d;
	char	 mname[16];

	if (sscanf(s, "%4d-%2d-%2d", &a, &b, &c) == 3 && a > 1900) {
		y = a; mo = b; d = c;
	} else if (sscanf(s, "%2d%*[-/.]%2d%*[-/.]%4d", &a, &b, &c) == 3) {
		d = a; mo = b; y = c;
	} else if (sscanf(s, "%2d%*[ -/.]%15[A-Za-z]%*[ -/.]%4d", &a, mname, &c) == 3 && month_of(mname)) {
		d = a; mo = month_of(mname); y = c;
	} else
		return -1;
	if (y < 100)
		y += 2000;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 2000 || y > 2200)
		return -1;
	snprintf(out, 16, "%04d-%02d-%02d", y, mo, d);
	return 0;
}

int
balance_parse(const struct balance_table *t, const char *opname, const char *reply, struct balance_result *r)
{
	const struct balance_op	*op = find(t, opname);
	char			 buf[64];

	memset(r, 0, sizeof(*r));
	r->credit = -1;
	if (op == NULL || reply == NULL)
		return -1;
	if (first_match(op->credit, op->ncredit, reply, buf, sizeof(buf)) == 0)
		r->credit = parse_amount(buf);
	if (first_match(op->validity, op->nvalidity, reply, buf, sizeof(buf)) == 0 &&
	    parse_date(buf, r->validity) == -1)
		r->validity[0] = '\0';
	if (r->credit < 0)
		return -1;
	r->low = op->low > 0 && r->credit < op->low;
	return 0;
}

void
balance_format(const struct balance_result *r, char *buf, size_t len)
{
	char	 num[32], grouped[48];
	size_t	 n, i, o = 0;

	if (r->credit < 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(num, sizeof(num), "%ld", r->credit);
	n = strlen(num);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[o++] = '.';
		grouped[o++] = num[i];
	}
	grouped[o] = '\0';
	if (*r->validity)
		snprintf(buf, len, "Rp %s (until %s)%s", grouped, r->validity, r->low ? " LOW" : "");
	else
		snprintf(buf, len, "Rp %s%s", grouped, r->low ? " LOW" : "");
}
