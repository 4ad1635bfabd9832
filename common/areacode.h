/*
 * areacode — Kemendagri area codes as text: 2 digits province, 4 regency/city, 6 district,
 * 10 village. An area contains every area whose code starts with its code. Pure.
 */
#ifndef COMMON_AREACODE_H
#define COMMON_AREACODE_H
/* 1 province, 2 regency/city, 3 district, 4 village; 0 when code is not shaped like a code. */
int	areacode_level(const char *code);
/* Whether code lies inside one of the comma-separated prefixes (an empty list = everywhere). */
int	areacode_in_list(const char *code, const char *prefixes);
/* Whether code and one of the prefixes overlap: code inside a prefix, or a prefix inside code
 * (a broadcast to a province reaches the served regency inside it). */
int	areacode_overlaps_list(const char *code, const char *prefixes);
/* Whether code is exactly one entry of the comma list. */
int	areacode_listed(const char *code, const char *list);
#endif
