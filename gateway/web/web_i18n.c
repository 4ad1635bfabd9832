/* web_i18n — the console's phrases in Indonesian and English, from gateway/web/strings.tsv. */
#include <stddef.h>
#include <string.h>

#include "gateway/web/web-internal.h"

struct web_phrase_row {
	const char	*key, *id, *en;
};
#include "web_strings.h"

const char *
web_phrase(const char *key, int lang)
{
	const struct web_phrase_row *p;

	for (p = web_phrases; p->key != NULL; p++)
		if (!strcmp(p->key, key))
			return lang ? p->en : p->id;
	return key;
}

int
web_phrase_known(const char *key)
{
	const struct web_phrase_row *p;

	for (p = web_phrases; p->key != NULL; p++)
		if (!strcmp(p->key, key))
			return 1;
	return 0;
}
