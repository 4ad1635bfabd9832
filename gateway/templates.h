/*
 * templates — the texts of automatic replies (SPEC §4): built-in Indonesian (default) and
 * English, each overridable by a file named after the template key in the `templates`
 * directory of the configuration (e.g. templates/help). Placeholders {name} are filled by
 * templates_render(); an unknown placeholder is left as written. Each built-in text fits one
 * GSM-7 SMS with typical values. Runs in the daemon; files are read once, at start-up.
 */
#ifndef GATEWAY_TEMPLATES_H
#define GATEWAY_TEMPLATES_H
#include <stddef.h>

#define TEMPLATE_MAX	480	/* bytes of one template (three SMS at most) */

struct templates;

/* lang "id" or "en" (anything else: "id"); dir NULL or "" for none. Returns NULL with err set when
 * a file of dir cannot be read or is too long. Unknown file names in dir are warned about. */
struct templates	*templates_new(const char *lang, const char *dir, char *err, size_t errlen);
void			 templates_free(struct templates *);	/* accepts NULL */
/* The raw text of key; fatalx on a key that does not exist (a programming error). */
const char		*templates_get(const struct templates *, const char *key);
/* Renders key into out (at most outlen-1 bytes plus NUL, cut at a character boundary) replacing
 * {k} by v for the NULL-terminated pairs vars = { k1, v1, k2, v2, …, NULL }. Returns the length. */
size_t			 templates_render(const struct templates *, const char *key, char *out, size_t outlen,
			    const char *const *vars);
/* The keys, NULL-terminated (tests, documentation). */
extern const char *const templates_keys[];
#endif
