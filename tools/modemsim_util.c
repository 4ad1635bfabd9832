/*
 * tools/modemsim_util.c: modemsim's small helpers — clock, logs, growable buffers, string lists, hex,
 * UCS-2 and the AT character sets (+CSCS), JSON strings.
 */
#include "tools/modemsim.h"

int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
iso_now(char *buf, size_t len)
{
	char	 t[40];

	snprintf(buf, len, "%sZ", log_time_ms("%Y-%m-%dT%H:%M:%S", 1, t, sizeof(t)));
}

/* Appends to the --log file: one timestamped line per event, with control chars made visible. */
void
sim_log(struct sim *sim, const char *dir, const char *data, size_t len)
{
	char	 ts[40];
	size_t	 i;

	if (sim->logf == NULL)
		return;
	iso_now(ts, sizeof(ts));
	fprintf(sim->logf, "%s %s ", ts, dir);
	for (i = 0; i < len; i++) {
		unsigned char c = data[i];
		if (c == '\r')
			fputs("\\r", sim->logf);
		else if (c == '\n')
			fputs("\\n", sim->logf);
		else if (c < 0x20 || c == 0x7f)
			fprintf(sim->logf, "\\x%02x", c);
		else
			fputc(c, sim->logf);
	}
	fputc('\n', sim->logf);
	fflush(sim->logf);
}

void __attribute__((format(printf, 2, 3)))
sim_event(struct sim *sim, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sim_log(sim, "*", buf, strlen(buf));
}

void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	char	*p;
	int	 n;

	n = vasprintf(&p, fmt, ap);
	if (n < 0)
		abort();
	sb_add(b, p, n);
	free(p);
}

void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void
strlist_push(struct strlist **head, const char *s)
{
	struct strlist	*e = xcalloc(1, sizeof(*e)), **pp;

	e->s = xstrdup(s);
	for (pp = head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = e;
}

void
strlist_free(struct strlist **head)
{
	struct strlist	*e, *n;

	for (e = *head; e != NULL; e = n) {
		n = e->next;
		free(e->s);
		free(e);
	}
	*head = NULL;
}

void
json_str(struct sbuf *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = *s;
		if (c == '"' || c == '\\') {
			sb_add(b, "\\", 1);
			sb_add(b, (const char *)&c, 1);
		} else if (c == '\n')
			sb_add(b, "\\n", 2);
		else if (c == '\r')
			sb_add(b, "\\r", 2);
		else if (c == '\t')
			sb_add(b, "\\t", 2);
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_add(b, (const char *)&c, 1);
	}
	sb_add(b, "\"", 1);
}

/* Text in the current +CSCS character set, for strings inside replies. */
char *
cs_encode(struct sim *sim, const char *utf8)
{
	struct sbuf	 b = { 0 };
	const char	*p;

	if (strcmp(sim->cscs, "UCS2") == 0) {
		size_t		 cap = strlen(utf8) + 2;
		unsigned char	*u = xmalloc(2 * cap + 2);
		size_t		 n = utf8_to_ucs2(utf8, u, cap);
		char		*hex = xmalloc(4 * n + 1);

		hex_encode_upper(u, 2 * n, hex);
		free(u);
		return hex;
	}
	sb_add(&b, "", 0);
	for (p = utf8; *p != '\0'; p++) {
		unsigned char c = *p;
		if (c == '"')
			c = '\'';
		else if (c >= 0x80) {
			/* One '?' per UTF-8 sequence: GSM/IRA have no such character here. */
			while ((p[1] & 0xc0) == 0x80)
				p++;
			c = '?';
		} else if (c < 0x20 && c != '\n')
			c = ' ';
		sb_add(&b, (const char *)&c, 1);
	}
	return b.s;
}

/* A string argument from the client, decoded from the current +CSCS character set. */
char *
cs_decode(struct sim *sim, const char *s)
{
	size_t	 len = strlen(s);

	if (strcmp(sim->cscs, "UCS2") == 0 && len > 0 && len % 4 == 0) {
		unsigned char	*u = xmalloc(len / 2 + 2);
		ssize_t		 n = hex_decode_n(s, len, u, len / 2);
		char		*out;

		if (n >= 0) {
			out = xmalloc(2 * len + 8);
			ucs2n_to_utf8(u, n / 2, out, 2 * len + 8);
			free(u);
			return out;
		}
		free(u);
	}
	return xstrdup(s);
}

int
parse_ints(const char *s, int *v, int max, int strict)
{
	int	 n = 0;

	while (*s != '\0' && n < max) {
		char	*end;
		long	 x;

		while (!strict && *s == ' ')
			s++;
		if (!strict && *s == ',') {
			n++;
			s++;
			continue;
		}
		x = strtol(s, &end, 10);
		if (end == s)
			return -1;
		v[n++] = x;
		s = end;
		while (!strict && *s == ' ')
			s++;
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -1;
	}
	return strict && *s != '\0' ? -1 : n;
}
