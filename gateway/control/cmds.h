/* cmds — the console command handlers, one group per cmd_*.c file; the table is cmd_table.c. */
#ifndef GATEWAY_CMDS_H
#define GATEWAY_CMDS_H
struct ctl_req;
#define CMD(name) int name(struct ctl_req *, int, char **)
CMD(cmd_status);
CMD(cmd_areas);
CMD(cmd_subscribers);
CMD(cmd_subscriber_add);
CMD(cmd_subscriber_remove);
CMD(cmd_inbox);
CMD(cmd_outbox);
CMD(cmd_audit);
CMD(cmd_broadcast);
CMD(cmd_announcements);
CMD(cmd_announcement);
CMD(cmd_ussd);
CMD(cmd_announcement_approve);
CMD(cmd_announcement_cancel);
/* cmd_upkeep.c */
CMD(cmd_backup);
/* cmd_kim.c */
CMD(cmd_posts);
CMD(cmd_post_approve);
CMD(cmd_post_reject);
CMD(cmd_leader_add);
CMD(cmd_leader_remove);
CMD(cmd_official_add);
CMD(cmd_official_remove);
CMD(cmd_roles);
/* cmd_uplink.c */
CMD(cmd_boxes);
CMD(cmd_post_reply);
CMD(cmd_hub_export);
CMD(cmd_box_import);
#undef CMD
#endif
