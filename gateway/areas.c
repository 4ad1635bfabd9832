/*
 * areas — finding the place a villager means, shared by the SMS router and the USSD menu (SPEC
 * §3): by code, by name, or by name with its district or regency, inside the served areas;
 * several matches are a choice, none give the nearest names as suggestions.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/areacode.h"
#include "gateway/areas.h"
#include "parsers/norm.h"
#include "store/store.h"

/*
 * Whether qual names an area enclosing a (its district, regency or province): exactly, or with
 * `prefix` as the start of the name ("BABAT" for Babat Supat), as villagers shorten names.
 */
int
areas_qualifier_matches(struct store *st, const struct store_area *a, const char *qual, int prefix)
{
	struct store_area	 p;
	char			 key[NORM_NAME_MAX], full[NORM_NAME_MAX];
	char			 code[16];
	size_t			 ql = strlen(qual);
	int			 depth;

	snprintf(code, sizeof(code), "%s", a->parent);
	for (depth = 0; depth < 3 && code[0] != '\0'; depth++) {
		if (store_area_get(st, code, &p) != STORE_OK)
			return 0;
		norm_area_key(p.name, key, sizeof(key));
		norm_name(p.name, strlen(p.name), full, sizeof(full));
		if (!prefix && (strcmp(key, qual) == 0 || strcmp(full, qual) == 0))
			return 1;
		if (prefix && ql >= 4 && strncmp(key, qual, ql) == 0)
			return 1;
		snprintf(code, sizeof(code), "%s", p.parent);
	}
	return 0;
}

static int
edit_distance(const char *a, const char *b)
{
	int	 row[NORM_NAME_MAX + 1], i, j, la = (int)strlen(a), lb = (int)strlen(b), prev, tmp;

	if (la > NORM_NAME_MAX || lb > NORM_NAME_MAX)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

struct suggest_acc {
	const char		*norm;
	int			 maxd;
	int			 max;
	struct store_area	*out;
	char			 keys[AREAS_SUGGEST_MAX][NORM_NAME_MAX];
	int			 dist[AREAS_SUGGEST_MAX];
	int			 n;
};

static int
suggest_cb(void *arg, const char *norm, const char *name)
{
	struct suggest_acc	*acc = arg;
	int			 d, k, j;
	int			 ln = (int)strlen(norm), lw = (int)strlen(acc->norm);

	if (ln - lw > acc->maxd || lw - ln > acc->maxd)
		return 0;	/* cheap: lengths too far apart */
	d = edit_distance(norm, acc->norm);
	if (d > acc->maxd)
		return 0;
	for (k = acc->n; k > 0 && acc->dist[k - 1] > d; k--)
		;
	if (k >= acc->max)
		return 0;
	for (j = acc->n < acc->max ? acc->n : acc->max - 1; j > k; j--) {
		acc->out[j] = acc->out[j - 1];
		memcpy(acc->keys[j], acc->keys[j - 1], sizeof(acc->keys[j]));
		acc->dist[j] = acc->dist[j - 1];
	}
	memset(&acc->out[k], 0, sizeof(acc->out[k]));
	snprintf(acc->out[k].name, sizeof(acc->out[k].name), "%s", name);
	snprintf(acc->keys[k], sizeof(acc->keys[k]), "%s", norm);
	acc->dist[k] = d;
	if (acc->n < acc->max)
		acc->n++;
	return 0;
}

/* Up to max areas with distinct names within a few typos of `norm`, nearest first (for each name,
 * its first place inside the served areas). */
static int
suggest(struct store *st, const char *norm, const char *prefixes, struct store_area *out, int max)
{
	struct suggest_acc	 acc;
	size_t			 len = strlen(norm);
	int			 i;

	memset(&acc, 0, sizeof(acc));
	acc.norm = norm;
	acc.out = out;
	acc.max = max < 1 ? 1 : max > AREAS_SUGGEST_MAX ? AREAS_SUGGEST_MAX : max;
	/* one typo in a short name, up to three in a long one */
	acc.maxd = len < 5 ? 1 : len < 9 ? 2 : 3;
	if (store_area_names(st, prefixes, suggest_cb, &acc) != STORE_OK)
		return 0;
	for (i = 0; i < acc.n; i++) {
		char name[sizeof(out[i].name)];

		/* the place itself, keeping the spelling of the name chosen above */
		snprintf(name, sizeof(name), "%s", out[i].name);
		if (store_area_find(st, acc.keys[i], prefixes, &out[i], 1) == 1)
			snprintf(out[i].name, sizeof(out[i].name), "%s", name);
	}
	return acc.n;
}

/* "Sukamaju (Babat)" for a village, "Kec. Babat (Lamongan)" for a district, else the name. */
void
areas_label(struct store *st, const struct store_area *a, char *out, size_t len)
{
	struct store_area p;

	if (a->level >= 3 && a->parent[0] && store_area_get(st, a->parent, &p) == STORE_OK) {
		if (a->level == 4)
			snprintf(out, len, "%.60s (%.60s)", a->name, p.name);
		else	/* "KABUPATEN LAMONGAN" reads as "LAMONGAN" here */
			snprintf(out, len, "Kec. %.60s (%.60s)", a->name, norm_area_plain(p.name));
	} else
		snprintf(out, len, "%s", a->name);
}

/* The level a leading marker word asks for: KEC… 3, DESA/KEL… 4, else 0. */
static int
marker_level(const char *arg)
{
	static const struct {
		const char	*word;
		int		 level;
	} markers[] = { { "KEC", 3 }, { "KECAMATAN", 3 }, { "DESA", 4 }, { "DS", 4 }, { "KEL", 4 },
	    { "KELURAHAN", 4 } };
	char	 w[16];
	size_t	 i, n;

	while (*arg == ' ')
		arg++;
	n = strcspn(arg, " ");
	if (n == 0 || n >= sizeof(w) || arg[n] == '\0')
		return 0;
	for (i = 0; i < n; i++)
		w[i] = (char)toupper((unsigned char)arg[i]);
	w[n] = '\0';
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
		if (strcmp(markers[i].word, w) == 0)
			return markers[i].level;
	return 0;
}

/*
 * Resolves an area argument inside the served prefixes. With `mine` (a comma list of the
 * sender's areas, for STOP), matches the sender is subscribed to win over the others.
 */
enum areas_result
areas_resolve(struct store *st, const char *prefixes, const char *arg, const char *mine, int nsuggest,
    struct areas_match *out)
{
	struct norm_area	 na;
	struct store_area	 found[AREAS_FIND_MAX];
	unsigned		 c;
	int			 n, i, pass, want;

	memset(out, 0, sizeof(*out));
	switch (norm_area_split(arg, strlen(arg), &na)) {
	case NORM_AREA_NONE:
		return AREAS_NONE;
	case NORM_AREA_CODE:
		snprintf(out->name, sizeof(out->name), "%s", na.code);
		switch (store_area_get(st, na.code, &out->area)) {
		case STORE_OK:
			return areacode_in_list(na.code, prefixes) ? AREAS_FOUND : AREAS_NOTFOUND;
		case STORE_NOTFOUND:
			return AREAS_NOTFOUND;
		default:
			return AREAS_ERROR;
		}
	case NORM_AREA_NUMBER:
		snprintf(out->name, sizeof(out->name), "%s", na.code);
		return AREAS_NOTFOUND;
	case NORM_AREA_NAME:
		break;
	}
	snprintf(out->name, sizeof(out->name), "%s", arg);
	/* exact qualifiers first, over every candidate; then qualifiers as name prefixes */
	for (pass = 0; pass < 2 && out->nopts == 0; pass++) {
		for (c = 0; c < na.ncand; c++) {
			if (pass == 1 && na.cand[c].qualifier[0] == '\0')
				continue;
			n = store_area_find(st, na.cand[c].name, prefixes, found, AREAS_FIND_MAX);
			if (n < 0)
				return AREAS_ERROR;
			out->nopts = 0;
			for (i = 0; i < n; i++)
				if (na.cand[c].qualifier[0] == '\0' ||
				    areas_qualifier_matches(st, &found[i], na.cand[c].qualifier, pass))
					out->opts[out->nopts++] = found[i];
			if (out->nopts > 0)
				break;
		}
	}
	if (out->nopts == 0) {
		/* a known name with a qualifier enclosing none of them: those places are the suggestions */
		for (c = 0; c < na.ncand && out->nopts == 0; c++) {
			if (na.cand[c].qualifier[0] == '\0')
				continue;
			n = store_area_find(st, na.cand[c].name, prefixes, out->opts, nsuggest);
			out->nopts = n > 0 ? n : 0;
		}
		if (out->nopts == 0)
			out->nopts = suggest(st, na.cand[0].name, prefixes, out->opts, nsuggest);
		return AREAS_NOTFOUND;
	}
	/* "KEC SAKO" is the district, "DESA SAKO" the village, when both exist */
	if ((want = marker_level(arg)) != 0) {
		int keep = 0;

		for (i = 0; i < out->nopts; i++)
			if (out->opts[i].level == want)
				out->opts[keep++] = out->opts[i];
		if (keep > 0)
			out->nopts = keep;
	}
	if (mine != NULL && out->nopts > 1) {
		int keep = 0;

		for (i = 0; i < out->nopts; i++)
			if (areacode_listed(out->opts[i].code, mine))
				out->opts[keep++] = out->opts[i];
		if (keep > 0)
			out->nopts = keep;
	}
	if (out->nopts == 1) {
		out->area = out->opts[0];
		return AREAS_FOUND;
	}
	return AREAS_CHOICE;
}

