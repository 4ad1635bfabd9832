/*
 * operator — which Indonesian operator a mobile number belongs to, from its prefix (data below,
 * Kemkominfo numbering as used in 2026; numbers ported between operators are rare in Indonesia).
 * Pure. Used by the scheduler to send from a SIM of the recipient's own operator (cheaper, and
 * less filtered).
 */
#ifndef PARSERS_OPERATOR_H
#define PARSERS_OPERATOR_H
/* "telkomsel", "indosat", "xl", "axis", "tri", "smartfren", or NULL when unknown/foreign. */
const char	*operator_of(const char *e164);
/* Folds operator names as users and networks write them ("TELKOMSEL", "Indosat Ooredoo",
 * "IM3", "XL Axiata", "3", "51010") to the names above; NULL if unknown. */
const char	*operator_canonical(const char *name);
#endif
