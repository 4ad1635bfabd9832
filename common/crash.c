/* crash points: see crash.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crash.h"
#include "common/env.h"
#include "common/log.h"

#ifdef KT_CRASHPOINTS
void
crash_point(const char *name)
{
	static long	 hits = -1;
	const char	*want = getenv("KT_CRASH");

	if (want == NULL || strcmp(want, name) != 0)
		return;
	if (hits < 0)
		hits = env_long("KT_CRASH_AFTER", 0);
	if (hits-- > 0)
		return;
	log_warnx("crash point=%s pid=%d: aborting as asked by KT_CRASH", name, (int)getpid());
	abort();
}
#endif
