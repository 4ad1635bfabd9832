/*
 * devuse — /proc walks: the descriptors of each process (readlink of /proc/PID/fd/N) and the
 * program names (/proc/PID/comm). A process may exit during the walk: whatever vanishes is
 * skipped.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/devuse.h"
#include "common/str.h"
#include "common/xmalloc.h"

static int
read_comm(const char *pid, char *out, size_t len)
{
	char	 path[64];
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(out, (int)len, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int
devuse_scan(struct devuse **out)
{
	DIR		*proc, *fds;
	struct dirent	*p, *f;
	struct devuse	*list = NULL;
	int		 n = 0;
	pid_t		 self = getpid();

	*out = NULL;
	if ((proc = opendir("/proc")) == NULL)
		return 0;
	while ((p = readdir(proc)) != NULL) {
		char	 dir[300], comm[32];

		if (!str_is_digits(p->d_name) || atoi(p->d_name) == (int)self)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s/fd", p->d_name);
		if ((fds = opendir(dir)) == NULL)
			continue;	/* not ours to look at, or gone */
		if (read_comm(p->d_name, comm, sizeof(comm)) == -1)
			comm[0] = '\0';
		while ((f = readdir(fds)) != NULL) {
			char	 link[600], target[256];
			ssize_t	 len;

			if (!str_is_digits(f->d_name))
				continue;
			snprintf(link, sizeof(link), "%s/%s", dir, f->d_name);
			if ((len = readlink(link, target, sizeof(target) - 1)) <= 0)
				continue;
			target[len] = '\0';
			if (strncmp(target, "/dev/", 5) != 0)
				continue;
			list = xreallocarray(list, n + 1, sizeof(*list));
			list[n].pid = (pid_t)atoi(p->d_name);
			snprintf(list[n].comm, sizeof(list[n].comm), "%s", comm);
			snprintf(list[n].path, sizeof(list[n].path), "%s", target);
			n++;
		}
		closedir(fds);
	}
	closedir(proc);
	*out = list;
	return n;
}

const struct devuse *
devuse_holder(const struct devuse *list, int n, const char *device, const char *comm)
{
	char	 real[PATH_MAX];
	int	 i;

	if (realpath(device, real) == NULL)
		snprintf(real, sizeof(real), "%s", device);
	for (i = 0; i < n; i++)
		if (!strcmp(list[i].path, real) && (comm == NULL || !strcmp(list[i].comm, comm)))
			return &list[i];
	return NULL;
}

pid_t
devuse_running(const char *comm)
{
	DIR		*proc;
	struct dirent	*p;
	pid_t		 found = 0;

	if ((proc = opendir("/proc")) == NULL)
		return 0;
	while (found == 0 && (p = readdir(proc)) != NULL) {
		char c[32];

		if (str_is_digits(p->d_name) && read_comm(p->d_name, c, sizeof(c)) == 0 && !strcmp(c, comm))
			found = (pid_t)atoi(p->d_name);
	}
	closedir(proc);
	return found;
}
