/* envelope — the signed down message {"c": command, "s": signature} (see uplink-internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/table.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_uplink.h"
#include "uplink/uplink-internal.h"

char *
uplink_envelope(const char *cmd, const char *sig)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream");
	fputs("{\"c\":", f);
	json_string(f, cmd);
	fprintf(f, ",\"s\":\"%s\"}", sig);
	fclose(f);
	return buf;
}

int
uplink_open_envelope(struct store *st, const char *payload, char **cmd, char **sig)
{
	static const char *const paths[] = { "$.c", "$.s" };
	char	*v[2];

	*cmd = *sig = NULL;
	if (store_json_get(st, payload, paths, 2, v) != STORE_OK)
		return -1;
	if (v[0] == NULL || v[1] == NULL) {
		free(v[0]);
		free(v[1]);
		return -1;
	}
	*cmd = v[0];
	*sig = v[1];
	return 0;
}

int
uplink_cmd_parse(struct store *st, const char *cmd, struct uplink_cmd *c)
{
	static const char *const paths[] = { "$.hub", "$.epoch", "$.box", "$.lane", "$.seq", "$.kind", "$.body",
	    "$.id" };
	char	*v[8];

	memset(c, 0, sizeof(*c));
	if (store_json_get(st, cmd, paths, 8, v) != STORE_OK)
		return -1;
	c->hub = v[0];
	c->epoch = v[1];
	c->box = v[2];
	c->lane = v[3];
	c->seq = v[4];
	c->kind = v[5];
	c->body = v[6];
	c->id = v[7];		/* optional: an older hub sends none */
	if (!c->hub || !c->epoch || !c->box || !c->lane || !c->seq || !c->kind || !c->body)
		return -1;
	if (c->id != NULL && (*c->id == '\0' || strlen(c->id) >= UPLINK_ID_LEN))
		return -1;	/* the box keeps ids whole, to tell commands apart by them */
	return 0;
}

int
uplink_ack_parse(struct store *st, const char *json, const char *epoch, char *lane, size_t lanelen, int64_t *seq,
    int64_t *reused)
{
	static const char *const paths[] = { "$.epoch", "$.lane", "$.seq", "$.reused" };
	char	*v[4];
	int	 i, rc = -1;

	if (store_json_get(st, json, paths, 4, v) != STORE_OK)
		return -1;
	if (v[0] && v[1] && v[2] && !strcmp(v[0], epoch)) {
		snprintf(lane, lanelen, "%s", v[1]);
		*seq = atoll(v[2]);
		if (reused != NULL)
			*reused = v[3] ? atoll(v[3]) : 0;
		rc = 0;
	}
	for (i = 0; i < 4; i++)
		free(v[i]);
	return rc;
}

void
uplink_cmd_clear(struct uplink_cmd *c)
{
	free(c->hub);
	free(c->epoch);
	free(c->box);
	free(c->lane);
	free(c->seq);
	free(c->kind);
	free(c->body);
	free(c->id);
	memset(c, 0, sizeof(*c));
}
