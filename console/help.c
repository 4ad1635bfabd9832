/* help — `kentongan help COMMAND`: one command's usage, arguments and an example. */
#include <stdio.h>
#include <string.h>

#include "console/console.h"

static const struct {
	const char	*name;
	const char	*text;
} helps[] = {
	{ "status", "kentongan status [--json]\n\n"
	  "Modems (state, operator, signal, sent and received today, credit, last error), the outgoing\n"
	  "queue by state, and the store's health. Modem states:\n"
	  "  connecting  to the modem, or the modem to the network ('not registered on the network'\n"
	  "              while it searches: its messages go to other SIMs meanwhile)\n"
	  "  ready, sending\n"
	  "  failed      the worker is restarted with back-off; last error says why\n"
	  "  disabled    enabled = no, or rested after repeated send failures\n"
	  "'quarantined' counts messages left on the SIM because they crash libGammu: delete them there.\n"
	  "Also: the clock (WRONG when the system clock is off and the GSM network's time is used),\n"
	  "the last backup and the next scheduled one (FAILING and why), and what retention deleted.\n" },
	{ "check", "kentongan check [FILE]\n\nRuns SQLite's integrity check on the database; prints 'ok' or the "
	  "problems. Works while the daemon is stopped.\nWith FILE, checks a backup copy without changing it: "
	  "a Kentongan schema this program knows,\nan integrity check, and its row counts.\n" },
	{ "backup", "kentongan backup FILE|DIRECTORY\n\nWrites a consistent copy of the database while the "
	  "daemon keeps receiving and sending\n(SQLite's online backup, a few pages at a time). A DIRECTORY "
	  "gets kentongan-YYYYmmdd-HHMMSS.db.\nThe copy appears under its name only when complete. Restore: "
	  "stop the daemon, copy the file\nover the database (remove DATABASE-wal and DATABASE-shm), start "
	  "it. Scheduled backups: backup_dir,\nbackup_interval and backup_keep in kentongan.conf; 'kentongan "
	  "status' shows the last one and failures.\nExample: kentongan backup /media/usb/kentongan.db; "
	  "kentongan check /media/usb/kentongan.db\n" },
	{ "areas", "kentongan areas [--parent CODE | --all]\nkentongan areas import DIR\n\nLists areas (the "
	  "provinces, the children of CODE, or all), or loads provinces.csv, cities.csv,\ndistricts.csv and "
	  "villages.csv from DIR (idempotent; works while the daemon is stopped).\nExample: kentongan areas "
	  "import ../shared/data/wilayah; kentongan areas --parent 1671\n" },
	{ "subscribers", "kentongan subscribers [--area CODE]\nkentongan subscribers import FILE\n\nLists "
	  "subscribers (of CODE and every area inside it), or loads a CSV of number,area[,name]\n(idempotent; "
	  "rejected lines are reported with their line numbers; works while the daemon is stopped).\n" },
	{ "subscriber", "kentongan subscriber add NUMBER --area CODE [--area CODE…] [--name NAME]\n"
	  "kentongan subscriber remove NUMBER (--area CODE | --all)\n\nNUMBER as 0812…, 62812… or +62812….\n" },
	{ "inbox", "kentongan inbox [--since TIME] [--limit N]\n\nEvery received SMS with what was done with "
	  "it (action). TIME: '2026-11-27 08:00', 08:00, -1h.\n" },
	{ "outbox", "kentongan outbox [--status S] [--limit N]\n\nEvery outgoing SMS; S is queued, sending, "
	  "sent, delivered, failed, expired or cancelled.\n" },
	{ "broadcast", "kentongan broadcast [--area CODE]… [--priority alert|normal] [--at TIME]\n"
	  "                    [--expires DURATION] [--dry-run] [--wait] TEXT\n\nQueues TEXT for every "
	  "subscriber of the areas (and of every area inside them), each number once.\n--dry-run shows "
	  "recipients, segments, encoding and the time it would take; --wait shows\nprogress until done "
	  "(Ctrl-C stops watching, not the broadcast). Alerts overtake normal messages.\nExample: kentongan "
	  "broadcast --area 1671 --priority alert --expires 6h \"Banjir: warga diminta mengungsi\"\n" },
	{ "announcements", "kentongan announcements\nkentongan announcement ID\n\nBroadcasts with their "
	  "delivery counts; one in detail with counts per state and per area.\n" },
	{ "posts", "kentongan posts [--status pending|published|rejected]\nkentongan post approve|reject ID\n\n"
	  "Reports sent by SMS (LAPOR). Reports from registered KIM leaders are published at once.\n" },
	{ "leader", "kentongan leader add NUMBER --kim NAME --area CODE\nkentongan leader remove NUMBER\n\n"
	  "Registers a KIM leader: their LAPOR reports are published at once and they may send KIM group "
	  "messages\n(to the subscribers of the KIM's area and every area inside it). 'kentongan roles' "
	  "lists leaders and officials.\n" },
	{ "official", "kentongan official add NUMBER --pin PIN\nkentongan official remove NUMBER\n\n"
	  "Allows SIAR broadcasts by SMS from NUMBER with PIN (4-8 digits, stored hashed). Five wrong PINs "
	  "lock SIAR for an hour;\nadding the number again sets a new PIN and clears the lock.\n" },
	{ "ussd", "kentongan ussd MODEM CODE\n\nRuns a USSD code on a modem and prints the reply. Example: "
	  "kentongan ussd telkomsel-1 '*888#'\n" },
	{ "audit", "kentongan audit [--limit N]\n\nThe latest changes made by console, SMS or HTTP commands.\n" },
};

int
console_help(const char *command)
{
	size_t	 i;

	if (command == NULL) {
		fprintf(stdout, "commands:");
		for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
			fprintf(stdout, " %s", helps[i].name);
		fprintf(stdout, "\n'kentongan help COMMAND' for one; 'kentongan --help' for all.\n");
		return 0;
	}
	for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (!strcmp(helps[i].name, command) ||
		    (!strcmp(command, "announcement") && !strcmp(helps[i].name, "announcements")) ||
		    (!strcmp(command, "post") && !strcmp(helps[i].name, "posts"))) {
			fputs(helps[i].text, stdout);
			return 0;
		}
	fprintf(stderr, "kentongan: no command '%s'; see kentongan --help\n", command);
	return 1;
}
