/* fs — small file-system helpers shared by the daemon and the console. */
#ifndef COMMON_FS_H
#define COMMON_FS_H
#include <stddef.h>

/* Creates the directory that will hold path (one level, mode 0750) if missing. 0 ok, -1 errno. */
int	fs_mkdir_parent(const char *path);
/* A whole text file of at most max bytes, NUL-terminated and xmalloc'd; NULL with
 * "WHAT PATH: reason" in err when it cannot be opened or read, is larger, or holds a NUL byte. */
char	*fs_read_text(const char *path, size_t max, const char *what, char *err, size_t errlen);
/* Takes every permission of others away from path if it has any (files from before umask 027):
 * 1 changed, 0 nothing to do or no such file, -1 errno. */
int	fs_private(const char *path);
/* Whether path exists and others may read it. */
int	fs_others_can_read(const char *path);
#endif
