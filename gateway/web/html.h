/*
 * html — the web console's pure helpers: HTML escaping, the application/x-www-form-urlencoded
 * parser (bodies and query strings), cookie look-up and number masking. libc only, no I/O, any
 * bytes accepted (a fuzz target runs the parser); unit tests in tests/unit/test_web_html.c.
 */
#ifndef GATEWAY_WEB_HTML_H
#define GATEWAY_WEB_HTML_H
#include <stddef.h>

/* the bytes html_escape replaces */
#define HTML_SPECIAL	"&<>\"'"

/* The entity for c ("&amp;" …) when c is one of HTML_SPECIAL, else NULL. */
const char	*html_entity(unsigned char c);
/* s with & < > " ' replaced by entities, into out (len > 0 bytes, always terminated, never cut
 * inside an entity). Returns the length the whole result needs (>= len: out holds its start).
 * Safe in element content and in quoted attribute values. */
size_t		 html_escape(const char *s, char *out, size_t len);

#define WEB_FORM_MAX		128	/* fields */
#define WEB_FORM_VALUE_MAX	8192	/* bytes of one decoded value */

struct web_form {
	int	 n;
	char	*names[WEB_FORM_MAX];
	char	*values[WEB_FORM_MAX];
};

/*
 * Parses name=value&… (+ is a space, %XX a byte) from s[0..len) into f (which it initialises).
 * Refused, with *why set to a message and f left empty: a bad %-escape, a NUL byte (raw or
 * escaped), a name or value that is not UTF-8 or holds control characters other than tab, CR and
 * LF (values only), a value over WEB_FORM_VALUE_MAX, more than WEB_FORM_MAX fields. Empty pairs
 * ("&&") are skipped. Returns 0 or -1. web_form_free releases what it allocated.
 */
int		 web_form_parse(const char *s, size_t len, struct web_form *f, const char **why);
void		 web_form_free(struct web_form *);
/* The first value of name, or NULL. */
const char	*web_form_get(const struct web_form *, const char *name);
/* Every value of name (a repeated field, e.g. checkboxes) into out[0..max); returns how many. */
int		 web_form_all(const struct web_form *, const char *name, const char **out, int max);

/* The value of cookie `name` in a Cookie header into out; 0 found, -1 not (or too long). */
int		 web_cookie(const char *header, const char *name, char *out, size_t len);
/* A phone number with its middle hidden for viewers: "+62812****890". */
void		 web_mask_number(const char *number, char *out, size_t len);
#endif
