/* fs — file-system helpers (see fs.h). */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>

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
