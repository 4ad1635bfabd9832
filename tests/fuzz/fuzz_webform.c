/*
 * fuzz_webform — the web console's form parser (bodies and query strings), cookie look-up and
 * HTML escaper on arbitrary bytes. Invariants: parsing never crashes or leaks; a parsed form
 * holds only UTF-8 without NUL or control characters in names; escaping leaves none of < > " '
 * and reports the length it wrote.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "gateway/web/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_form	 f;
	const char	*why;
	char		*s = malloc(size + 1), out[256], *esc;
	size_t		 need;
	int		 i;

	memcpy(s, data, size);
	s[size] = '\0';
	if (web_form_parse(s, size, &f, &why) == 0) {
		for (i = 0; i < f.n; i++) {
			if (!utf8_valid(f.names[i], strlen(f.names[i])) ||
			    !utf8_valid(f.values[i], strlen(f.values[i])))
				abort();
			for (const char *p = f.names[i]; *p; p++)
				if ((unsigned char)*p < 0x20)
					abort();
			need = html_escape(f.values[i], NULL, 0);
			esc = malloc(need + 1);
			if (html_escape(f.values[i], esc, need + 1) != need || strlen(esc) != need ||
			    strpbrk(esc, "<>\"'") != NULL)
				abort();
			free(esc);
		}
		web_form_free(&f);
	} else if (why == NULL || f.n != 0)
		abort();
	web_cookie(s, "kt_session", out, sizeof(out));
	html_escape(s, out, sizeof(out));
	free(s);
	return 0;
}
