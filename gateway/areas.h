/*
 * areas — resolving what a villager typed to an area (SMS router and USSD menu share it).
 * Runs in the daemon; reads the store.
 */
#ifndef GATEWAY_AREAS_H
#define GATEWAY_AREAS_H
#include <stddef.h>

#include "parsers/norm.h"
#include "store/store.h"

#define AREAS_FIND_MAX		64	/* places sharing one name */
#define AREAS_SUGGEST_MAX	9

enum areas_result {
	AREAS_NONE,		/* nothing was typed */
	AREAS_FOUND,		/* area is the one place meant */
	AREAS_CHOICE,		/* opts[0..nopts) are the places it could be */
	AREAS_NOTFOUND,		/* opts[0..nopts) are suggestions (maybe none) */
	AREAS_ERROR,		/* the store failed */
};

struct areas_match {
	struct store_area	 area;
	struct store_area	 opts[AREAS_FIND_MAX];
	int			 nopts;
	char			 name[NORM_NAME_MAX + 8];	/* what was typed, for replies */
};

/*
 * Resolves arg (a code, "NAME", "NAME DISTRICT", "KEC NAME", …) inside the comma list of served
 * prefixes. With `mine` (a comma list of the sender's own areas, for STOP), the sender's places
 * win over the others. At most nsuggest suggestions (≤ AREAS_SUGGEST_MAX).
 */
enum areas_result areas_resolve(struct store *, const char *prefixes, const char *arg, const char *mine,
		    int nsuggest, struct areas_match *out);
/* "Sukamaju (Babat)" for a village, "Kec. Babat (Lamongan)" for a district, else the name. */
void		 areas_label(struct store *, const struct store_area *, char *out, size_t len);
/* Whether qual names an area enclosing a: exactly, or (prefix) as the start of its name. */
int		 areas_qualifier_matches(struct store *, const struct store_area *, const char *qual, int prefix);
#endif
