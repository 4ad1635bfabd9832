/* str — string helpers shared by the config reader and the data-file readers. Pure. */
#ifndef COMMON_STR_H
#define COMMON_STR_H
/* Cuts leading and trailing white space in place; returns the first non-space character. */
char	*str_trim(char *);
#endif
