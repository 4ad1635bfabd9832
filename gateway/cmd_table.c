/* cmd_table — every console command the daemon serves, with its usage line. */
#include <stddef.h>

#include "gateway/cmds.h"
#include "gateway/control.h"

const struct ctl_command ctl_commands[] = {
	{ "status", cmd_status, "status" },
	{ "areas", cmd_areas, "areas [--parent CODE | --all]" },
	{ "subscribers", cmd_subscribers, "subscribers [--area CODE]" },
	{ "subscriber add", cmd_subscriber_add, "subscriber add NUMBER --area CODE [--area CODE…] [--name NAME]" },
	{ "subscriber remove", cmd_subscriber_remove, "subscriber remove NUMBER (--area CODE | --all)" },
	{ "inbox", cmd_inbox, "inbox [--since TIME] [--limit N]" },
	{ "outbox", cmd_outbox, "outbox [--status queued|sending|sent|delivered|failed|expired|cancelled] [--limit N]" },
	{ "audit", cmd_audit, "audit [--limit N]" },
	{ "broadcast", cmd_broadcast, "broadcast [--area CODE]… [--priority alert|normal] [--at TIME] "
	  "[--expires DURATION] [--dry-run] [--wait] TEXT" },
	{ "announcements", cmd_announcements, "announcements [--limit N]" },
	{ "announcement", cmd_announcement, "announcement ID [--progress]" },
	{ "ussd", cmd_ussd, "ussd MODEM CODE" },
	{ "posts", cmd_posts, "posts [--status pending|published|rejected]" },
	{ "post approve", cmd_post_approve, "post approve ID" },
	{ "post reject", cmd_post_reject, "post reject ID" },
	{ "leader add", cmd_leader_add, "leader add NUMBER --kim NAME --area CODE" },
	{ "leader remove", cmd_leader_remove, "leader remove NUMBER" },
	{ "official add", cmd_official_add, "official add NUMBER --pin PIN" },
	{ "official remove", cmd_official_remove, "official remove NUMBER" },
	{ "roles", cmd_roles, "roles" },
	{ "backup", cmd_backup, "backup FILE|DIRECTORY" },
	{ NULL, NULL, NULL },
};
