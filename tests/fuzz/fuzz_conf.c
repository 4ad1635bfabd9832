/*
 * fuzz_conf — libFuzzer target for the configuration reader (common/conf.c). conf_load() reads a
 * file, so each input is written to a memfd and loaded through /proc/self/fd/N. Checks: a failed
 * load always says why, in "FILE:LINE: reason" or "FILE: reason" form naming the file; a loaded
 * configuration can be printed (conf_dump) and its modems' gammu keys looked up; nothing leaks.
 * Seeds: tests/fuzz/conf-seeds and kentongan.conf.sample as it is (fuzz.mk copies it into the
 * build); dictionary conf.dict.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 fd = -1;
	static char	 path[64];
	static FILE	*devnull;
	struct conf	*c;
	char		 err[1024];
	int		 i;

	if (fd == -1) {
		if ((fd = memfd_create("fuzz.conf", 0)) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		devnull = fopen("/dev/null", "w");
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = '\0';
	if ((c = conf_load(path, err, sizeof(err))) == NULL) {
		/* the error names the file and says something */
		if (strncmp(err, path, strlen(path)) != 0 || strlen(err) <= strlen(path) + 2)
			abort();
		return 0;
	}
	if (c->database == NULL || c->control == NULL || c->nmodems < 0)
		abort();
	for (i = 0; i < c->nmodems; i++) {
		if (c->modems[i].name == NULL)
			abort();
		(void)conf_modem_gammu(&c->modems[i], "connection");
		(void)conf_modem_gammu(&c->modems[i], "device");
	}
	conf_dump(c, devnull);
	conf_free(c);
	return 0;
}
