/* fs — file-system helpers (see fs.h). */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/xmalloc.h"

int
fs_mkdir_parent(const char *path)
{
	char	*d = xstrdup(path);
	int	 rc = 0;

	if (mkdir(dirname(d), 0750) == -1 && errno != EEXIST)
		rc = -1;
	free(d);
	return rc;
}

char *
fs_read_text(const char *path, size_t max, const char *what, char *err, size_t errlen)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(max + 1);
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		if (ferror(f))
			snprintf(err, errlen, "%s %s: read error", what, path);
		else if (max >= 1024 * 1024 && max % (1024 * 1024) == 0)
			snprintf(err, errlen, "%s %s: larger than %zu MB", what, path, max / (1024 * 1024));
		else if (max >= 1024 && max % 1024 == 0)
			snprintf(err, errlen, "%s %s: larger than %zu KB", what, path, max / 1024);
		else
			snprintf(err, errlen, "%s %s: larger than %zu bytes", what, path, max);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s %s: contains NUL bytes", what, path);
		free(buf);
		return NULL;
	}
	return buf;
}

int
fs_private(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((st.st_mode & 0007) == 0)
		return 0;
	if (chmod(path, st.st_mode & 07770) == -1)
		return -1;
	return 1;
}

int
fs_others_can_read(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && (st.st_mode & S_IROTH) != 0;
}
