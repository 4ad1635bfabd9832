/* fs — small file-system helpers shared by the daemon and the console. */
#ifndef COMMON_FS_H
#define COMMON_FS_H
/* Creates the directory that will hold path (one level, mode 0750) if missing. 0 ok, -1 errno. */
int	fs_mkdir_parent(const char *path);
#endif
