/* router — placeholder until the keyword router lands: records every message as stored. */
#include <stdlib.h>

#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/router.h"

struct router {
	struct gateway	*gw;
};

struct router *
router_new(struct gateway *gw, char *err, size_t errlen)
{
	struct router *r = xcalloc(1, sizeof(*r));

	r->gw = gw;
	return r;
}

void
router_free(struct router *r)
{
	free(r);
}

void
router_handle(struct router *r, int64_t inbox_id)
{
}

void
router_catch_up(struct router *r)
{
}
