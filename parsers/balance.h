/*
 * balance — reads the remaining credit and its validity date out of an operator's USSD reply.
 * Pure: the per-operator patterns are data (modem-configs/operators.conf, read by the caller and
 * handed over as text), compiled with PCRE2; no I/O here.
 *
 * The data is INI: one [operator NAME] section per operator with
 *   display  = Telkomsel                  ; shown in status
 *   mccmnc   = 51010                      ; comma list, to detect the operator from the network
 *   ussd     = *888#                      ; the usual balance code (documentation; config decides)
 *   credit   = PCRE2 pattern; group 1 is the amount ("Rp 12.500", "12,500.00")
 *   validity = PCRE2 pattern; group 1 is the date (dd-mm-yyyy, dd/mm/yy, dd.mm.yyyy,
 *              yyyy-mm-dd, "12 Des 2026", "12 December 2026")
 *   low      = 5000                       ; credit below this is low
 * Patterns match case-insensitively; credit and validity may repeat (tried in order).
 */
#ifndef PARSERS_BALANCE_H
#define PARSERS_BALANCE_H
#include <stddef.h>

struct balance_table;

struct balance_result {
	long	 credit;		/* whole rupiah; -1 not found */
	char	 validity[16];		/* YYYY-MM-DD, "" not found */
	int	 low;			/* credit below the operator's threshold */
};

/* Parses the data. NULL with err ("LINE: reason") on a bad line or pattern. */
struct balance_table	*balance_table_parse(const char *text, char *err, size_t errlen);
void			 balance_table_free(struct balance_table *);	/* accepts NULL */
/* The operator's section name for a name ("Telkomsel", "telkomsel") or an MCC+MNC ("51010",
 * "510 10"); NULL when unknown. */
const char		*balance_operator(const struct balance_table *, const char *name_or_mccmnc);
/* The display name of an operator section, or NULL. */
const char		*balance_display(const struct balance_table *, const char *op);
/* The operator's usual balance code (its `ussd` line, e.g. "*888#"), or NULL. */
const char		*balance_ussd(const struct balance_table *, const char *op);
/* Parses a reply. 0 when the credit was found, -1 otherwise (r->credit -1). */
int			 balance_parse(const struct balance_table *, const char *op, const char *reply,
			    struct balance_result *r);
/* Formats a result for status: "Rp 12.500 (until 2026-12-31)". */
void			 balance_format(const struct balance_result *, char *buf, size_t len);
#endif
