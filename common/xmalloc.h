/* xmalloc — allocation that dies on out-of-memory; the callers never check for NULL. */
#ifndef COMMON_XMALLOC_H
#define COMMON_XMALLOC_H
#include <stddef.h>
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);		/* xstrdup(NULL) returns NULL */
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
#endif
