/* test_devuse — finding who holds a device open and whether a program runs, from /proc: a child
 * renamed with prctl(PR_SET_NAME) holds a pty open; the scan finds it by path and name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/prctl.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/devuse.h"

static pid_t
holder(const char *name, const char *path)
{
	int	 p[2];
	pid_t	 pid;
	char	 c;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		int fd = open(path, O_RDWR | O_NOCTTY);

		prctl(PR_SET_NAME, name);
		if (write(p[1], fd == -1 ? "n" : "y", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	close(p[0]);
	close(p[1]);
	return pid;
}

static void
test_scan(void **state)
{
	int			 master, n;
	char			 pts[64];
	pid_t			 pid;
	struct devuse		*list;
	const struct devuse	*u;

	(void)state;
	assert_true((master = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	snprintf(pts, sizeof(pts), "%s", ptsname(master));
	pid = holder("kt-devuse-test", pts);

	assert_int_equal(devuse_running("kt-devuse-test"), pid);
	assert_int_equal(devuse_running("kt-no-such-prog"), 0);
	n = devuse_scan(&list);
	assert_true(n > 0);
	u = devuse_holder(list, n, pts, NULL);
	assert_non_null(u);
	assert_int_equal(u->pid, pid);
	assert_string_equal(u->comm, "kt-devuse-test");
	assert_non_null(devuse_holder(list, n, pts, "kt-devuse-test"));
	assert_null(devuse_holder(list, n, pts, "ModemManager"));
	/* our own descriptors are not listed: the master side is ours */
	for (int i = 0; i < n; i++)
		assert_int_not_equal(list[i].pid, getpid());
	free(list);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(devuse_running("kt-devuse-test"), 0);
	n = devuse_scan(&list);
	assert_null(devuse_holder(list, n, pts, NULL));
	free(list);
	close(master);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
