/* operator — number prefix → operator, and operator name folding (see operator.h). */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "parsers/operator.h"

static const struct {
	const char	*prefix;	/* after +62 */
	const char	*op;
} prefixes[] = {
	{ "811", "telkomsel" }, { "812", "telkomsel" }, { "813", "telkomsel" }, { "821", "telkomsel" },
	{ "822", "telkomsel" }, { "823", "telkomsel" }, { "851", "telkomsel" }, { "852", "telkomsel" },
	{ "853", "telkomsel" },
	{ "814", "indosat" }, { "815", "indosat" }, { "816", "indosat" }, { "855", "indosat" },
	{ "856", "indosat" }, { "857", "indosat" }, { "858", "indosat" },
	{ "817", "xl" }, { "818", "xl" }, { "819", "xl" }, { "859", "xl" }, { "877", "xl" }, { "878", "xl" },
	{ "831", "axis" }, { "832", "axis" }, { "833", "axis" }, { "838", "axis" },
	{ "895", "tri" }, { "896", "tri" }, { "897", "tri" }, { "898", "tri" }, { "899", "tri" },
	{ "881", "smartfren" }, { "882", "smartfren" }, { "883", "smartfren" }, { "884", "smartfren" },
	{ "885", "smartfren" }, { "886", "smartfren" }, { "887", "smartfren" }, { "888", "smartfren" },
	{ "889", "smartfren" },
};

const char *
operator_of(const char *n)
{
	size_t	 i;

	if (n == NULL || strncmp(n, "+62", 3) != 0)
		return NULL;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(n + 3, prefixes[i].prefix, 3) == 0)
			return prefixes[i].op;
	return NULL;
}

static const struct {
	const char	*name;		/* lowercase, letters and digits only */
	const char	*op;
} names[] = {
	{ "telkomsel", "telkomsel" }, { "tsel", "telkomsel" }, { "simpati", "telkomsel" }, { "51010", "telkomsel" },
	{ "indosat", "indosat" }, { "indosatooredoo", "indosat" }, { "im3", "indosat" }, { "ooredoo", "indosat" },
	{ "51001", "indosat" }, { "51021", "indosat" },
	{ "xl", "xl" }, { "xlaxiata", "xl" }, { "51011", "xl" },
	{ "axis", "axis" }, { "51008", "axis" },
	{ "tri", "tri" }, { "3", "tri" }, { "three", "tri" }, { "51089", "tri" },
	{ "smartfren", "smartfren" }, { "51028", "smartfren" }, { "51009", "smartfren" },
};

const char *
operator_canonical(const char *in)
{
	char	 buf[32];
	size_t	 i, o = 0;

	if (in == NULL)
		return NULL;
	for (i = 0; in[i] && o < sizeof(buf) - 1; i++)
		if (isalnum((unsigned char)in[i]))
			buf[o++] = (char)tolower((unsigned char)in[i]);
	buf[o] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(buf, names[i].name))
			return names[i].op;
	/* "Telkomsel Indonesia", "XL Axiata Tbk": match on the start */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) >= 4 && !strncmp(buf, names[i].name, strlen(names[i].name)))
			return names[i].op;
	return NULL;
}
