/* cmd_table — every console command the daemon serves; its usage is in common/usage.c. */
#include <stddef.h>

#include "gateway/control/cmds.h"
#include "gateway/control/control.h"

const struct ctl_command ctl_commands[] = {
	{ "status", cmd_status },
	{ "areas", cmd_areas },
	{ "subscribers", cmd_subscribers },
	{ "subscriber add", cmd_subscriber_add },
	{ "subscriber remove", cmd_subscriber_remove },
	{ "inbox", cmd_inbox },
	{ "outbox", cmd_outbox },
	{ "audit", cmd_audit },
	{ "broadcast", cmd_broadcast },
	{ "announcements", cmd_announcements },
	{ "announcement", cmd_announcement },
	{ "announcement approve", cmd_announcement_approve },
	{ "announcement cancel", cmd_announcement_cancel },
	{ "ussd", cmd_ussd },
	{ "posts", cmd_posts },
	{ "post approve", cmd_post_approve },
	{ "post reject", cmd_post_reject },
	{ "leader add", cmd_leader_add },
	{ "leader remove", cmd_leader_remove },
	{ "official add", cmd_official_add },
	{ "official remove", cmd_official_remove },
	{ "roles", cmd_roles },
	{ "boxes", cmd_boxes },
	{ "post reply", cmd_post_reply },
	{ "hub export", cmd_hub_export },
	{ "box import", cmd_box_import },
	{ "backup", cmd_backup },
	{ NULL, NULL },
};
