/*
 * usage — the table of console commands (see usage.h) and the two ways the console prints it.
 * The daemon prints one row's synopsis on a usage error; tools/mkman.c turns the table into the
 * COMMANDS section of kentongan(1). Keep `args` in the notation of the man page: CAPS for values,
 * [optional], a|b for alternatives, … for repetition.
 */
#include <stdio.h>
#include <string.h>

#include "common/usage.h"

const struct usage_cmd usage_cmds[] = {
	{ "status", "", "Gateway", "modems, queue depth, store health",
	  "Modems (state, operator, signal, sent and received today, credit, last error), the outgoing\n"
	  "queue by state, and the store's health. Modem states:\n"
	  "  connecting  to the modem, or the modem to the network ('not registered on the network'\n"
	  "              while it searches: its messages go to other SIMs meanwhile)\n"
	  "  ready, sending\n"
	  "  failed      the worker is restarted with back-off; last error says why\n"
	  "  disabled    enabled = no, or rested after repeated send failures\n"
	  "  degraded    ready, but its messages cannot be read (passes keep failing); last error\n"
	  "              says why, and /health reports it\n"
	  "'quarantined' counts messages left on the SIM, unread: they crash libGammu, or it cannot decode\n"
	  "them and their raw PDU cannot be read either (tried again hourly); delete them there.\n"
	  "'undecodable' counts messages libGammu could not decode: kept raw in the inbox (flags\n"
	  "undecodable; kentongan inbox ID shows the PDU), then deleted from the SIM. 'other_on_sim'\n"
	  "counts sent copies and drafts stored on the SIM (clear_other = yes deletes them).\n"
	  "A 'warning: ModemManager is running' line: it probes modem ports and fights Kentongan for them;\n"
	  "the line says what to do (the udev rule, or systemctl disable --now ModemManager).\n"
	  "Also: the clock (WRONG when the system clock is off and the GSM network's time is used),\n"
	  "the last backup and the next scheduled one (FAILING and why), and what retention deleted." },
	{ "check", "[FILE]", "Gateway", "verify the database or a backup copy; works offline",
	  "Runs SQLite's integrity check on the database; prints 'ok' or the problems. Works while the\n"
	  "daemon is stopped. With FILE, checks a backup copy without changing it: a Kentongan schema\n"
	  "this program knows, an integrity check, and its row counts." },
	{ "backup", "FILE|DIRECTORY", "Gateway", "write a consistent copy of the database while the daemon runs",
	  "SQLite's online backup, a few pages at a time, while the daemon keeps receiving and sending.\n"
	  "A DIRECTORY gets kentongan-YYYYmmdd-HHMMSS.db. The copy appears under its name only when\n"
	  "complete. Restore: stop the daemon, copy the file over the database (remove DATABASE-wal and\n"
	  "DATABASE-shm), start it. Scheduled backups: backup_dir, backup_interval and backup_keep in\n"
	  "kentongan.conf; 'kentongan status' shows the last one and failures.\n"
	  "Example: kentongan backup /media/usb/kentongan.db; kentongan check /media/usb/kentongan.db" },
	{ "ussd", "MODEM CODE", "Gateway", "run a USSD code (balance, bundles) on a modem",
	  "Prints the network's reply. Example: kentongan ussd telkomsel-1 '*888#'" },
	{ "audit", "[--limit N]", "Gateway", "the latest changes, who made them and how",
	  "Changes made by console, SMS or HTTP commands, newest first." },
	{ "modems detect", "[--json] [--timeout SECONDS] [--connection CONN] [GLOB…]", "Gateway",
	  "find the modems plugged in, print [modem] sections; offline",
	  "Finds the GSM modems plugged in (default globs /dev/ttyUSB*, /dev/ttyACM*, /dev/serial/by-id/*):\n"
	  "probes every port at once through libGammu (kentongand --probe), each for at most SECONDS\n"
	  "(default 10), and shows for each whether it answers AT, the modem, IMEI, IMSI, network,\n"
	  "signal and SMS memory, and which port of a stick to use. Prints a ready [modem NAME]\n"
	  "section per modem (by-id path or glob, imei, profile from modem-configs/, operator and\n"
	  "balance code). Ports a running kentongand or ModemManager holds are listed, not touched.\n"
	  "Works without the daemon. Exit status 0 when a usable modem was found.\n"
	  "Example: kentongan modems detect; kentongan modems detect --json '/dev/serial/by-id/*'" },
	{ "setup", "[--force] [--area NAME|CODE]… [--all-areas] [--database PATH] [--control PATH] "
	  "[--areas-data DIR] [--language id|en] [--http ADDRESS:PORT | --no-http] [--no-modems] "
	  "[--modem-glob GLOB]… [--timeout SECONDS]", "Gateway",
	  "write a working configuration (asks on a terminal); offline",
	  "Writes a working configuration: the served areas, found by name as an SMS would find them\n"
	  "('Lamongan', 'Kec Babat', 'Kota Palembang', or a code), the modems 'modems detect' finds,\n"
	  "the database and socket paths, the reply language and, with --http, an [http] section with\n"
	  "a new random token. On a terminal it asks for what the options do not say; otherwise it never\n"
	  "asks (no --area: every area). The areas are loaded into the new database first when it has\n"
	  "none: from --areas-data DIR, else $KT_WILAYAH, PREFIX/share/kentongan/wilayah, ./data/wilayah.\n"
	  "FILE (-c): PREFIX/etc/kentongan/kentongan.conf for the installed kentongan (/etc/kentongan/\n"
	  "when PREFIX is /usr; database in /var/lib/kentongan, socket in /run/kentongan), else\n"
	  "./kentongan.conf with var/ beside it. An existing file is kept unless --force; the result must\n"
	  "pass 'kentongand -n' before it is put in place.\n"
	  "Example: kentongan -c /etc/kentongan/kentongan.conf setup --area 3524 --area 'Kec Babat'" },

	{ "areas", "[--parent CODE | --all]", "Areas", "list areas (provinces by default)",
	  "Lists the provinces, the children of CODE, or every area." },
	{ "areas import", "[DIR]", "Areas", "load the Kemendagri area CSVs; works offline",
	  "Loads provinces.csv, cities.csv, districts.csv and villages.csv from DIR (idempotent; works\n"
	  "while the daemon is stopped). Without DIR, the areas shipped with Kentongan: the installed\n"
	  "copy under share/kentongan/wilayah, or data/wilayah of the source tree when the console runs\n"
	  "from its build folder. Example: kentongan areas import; kentongan areas --parent 1671" },

	{ "subscribers", "[--area CODE]", "Subscribers", "list subscribers (of an area and every area inside it)",
	  "" },
	{ "subscriber add", "NUMBER --area CODE [--area CODE…] [--name NAME]", "Subscribers",
	  "subscribe a number to one or more areas", "NUMBER as 0812…, 62812… or +62812…." },
	{ "subscriber remove", "NUMBER (--area CODE | --all)", "Subscribers",
	  "unsubscribe a number from an area or from everything", "" },
	{ "subscribers import", "FILE", "Subscribers", "load a CSV of number,area[,name]; works offline",
	  "Idempotent; rejected lines are reported with their line numbers; works while the daemon is\n"
	  "stopped." },

	{ "inbox", "[ID] [--raw] [--since TIME] [--limit N]", "Messages",
	  "every received SMS and what was done with it",
	  "TIME: '2026-11-27 08:00', 08:00, -1h. A message the modem could not decode is kept with its\n"
	  "raw PDU (flags undecodable); --raw, or inbox ID for one message, shows that PDU as hex." },
	{ "outbox", "[--status S] [--limit N]", "Messages", "every outgoing SMS",
	  "S is queued, sending, sent, delivered, failed, expired or cancelled." },
	{ "broadcast", "[--area CODE]… [--priority alert|normal] [--at TIME] [--expires DURATION] "
	  "[--dry-run] [--wait] [--code] [--correct ID] TEXT", "Messages", "send an announcement to every subscriber of the areas",
	  "Queues TEXT for every subscriber of the areas (and of every area inside them), each number\n"
	  "once. --dry-run shows recipients, segments, encoding and the time it would take; --wait shows\n"
	  "progress until done (Ctrl-C stops watching, not the broadcast). Alerts overtake normal\n"
	  "messages. Example: kentongan broadcast --area 1671 --priority alert --expires 6h\n"
	  "\"Banjir: warga diminta mengungsi\"\n"
	  "Every announcement gets a verification code (shown as code=): villagers text CEK CODE to\n"
	  "check it; --code (or append_code = yes) ends the text with \"Kode: CODE\".\n"
	  "--correct ID sends \"RALAT: TEXT\" to exactly the numbers announcement ID was sent to, except\n"
	  "those who have stopped since (no --area). With alert_approval = 2 an alert waits as pending\n"
	  "until a second, different official approves it (kentongan announcement approve ID, or SMS\n"
	  "SETUJU ID PIN) and expires unsent after approval_timeout." },
	{ "announcements", "[--limit N]", "Messages", "broadcasts with their delivery counts",
	  "Each with its state (active, pending, cancelled, expired), code and corrections (corrects,\n"
	  "corrected_by)." },
	{ "announcement", "ID [--progress | --by-village | --undelivered]", "Messages",
	  "one broadcast: counts per state and per area, or its reach per village",
	  "--by-village: for each village the recipients targeted, delivered (delivery reports), sent (no\n"
	  "report yet), failed, expired, queued, cancelled and escalated, worst village first, then the\n"
	  "totals per district and per regency. A recipient counts under their subscription; one who\n"
	  "has stopped since counts under \"(no longer subscribed)\". --undelivered: the numbers (masked)\n"
	  "not delivered yet. Both take --json and --csv.\n"
	  "Example: kentongan --csv announcement 12 --by-village > reach.csv" },
	{ "announcement approve", "ID", "Messages", "release an alert held by the two-person rule",
	  "The official who asked for the alert cannot approve it (alert_approval = 2)." },
	{ "announcement cancel", "ID", "Messages", "stop an announcement: its queued messages are cancelled",
	  "A pending alert is never sent; a broadcast still going out stops: its queued messages are\n"
	  "cancelled (those already on a modem or sent stay)." },

	{ "posts", "[--status pending|published|rejected]", "KIM", "reports sent in by SMS (LAPOR)",
	  "Reports from registered KIM leaders are published at once; others wait for approval." },
	{ "post approve", "ID", "KIM", "publish a pending report", "" },
	{ "post reject", "ID", "KIM", "reject a pending report", "" },
	{ "post reply", "ID TEXT", "KIM", "answer a report by SMS (through the box that got it)",
	  "Sends TEXT by SMS to the reporter. On a hub, posts have the box that received them, and\n"
	  "approve, reject and reply go down to that box." },
	{ "leader add", "NUMBER --kim NAME --area CODE", "KIM", "register a KIM leader",
	  "Their LAPOR reports are published at once and they may send KIM group messages (to the\n"
	  "subscribers of the KIM's area and every area inside it)." },
	{ "leader remove", "NUMBER", "KIM", "remove a KIM leader", "" },
	{ "official add", "NUMBER", "KIM", "allow SIAR broadcasts by SMS from this number",
	  "The PIN (6-12 digits) is read from the terminal, or from the first line of standard input,\n"
	  "never from the command line; only its yescrypt hash is stored. Five wrong PINs lock SIAR for\n"
	  "an hour; adding the number again sets a new PIN and clears the lock. With alert_approval = 2\n"
	  "an official also approves\n"
	  "held alerts by SMS: SETUJU ID PIN (same PIN, same lock; not their own)." },
	{ "official remove", "NUMBER", "KIM", "withdraw an official's SIAR right", "" },
	{ "roles", "", "KIM", "KIM leaders and officials", "" },

	{ "user add", "NAME --role viewer|operator|official|admin", "Web console",
	  "add a web console account or set its password; works offline",
	  "Accounts of the web console (/console/ on the [http] listener). The password is read from\n"
	  "the terminal twice, or as the first line of stdin; only its yescrypt hash is stored. Adding a\n"
	  "user again sets a new password and role, ends their sessions and clears a login lock. Roles:\n"
	  "viewer reads (numbers masked); operator sends normal broadcasts and moderates reports;\n"
	  "official also sends alerts; admin also manages the accounts (also in the web console).\n"
	  "Example: kentongan user add budi --role official" },
	{ "user remove", "NAME", "Web console", "remove a web console account; works offline", "" },
	{ "users", "", "Web console", "list the web console accounts; works offline", "" },

	{ "boxes", "", "Uplink", "on a hub: the boxes below it, online or not, backlog",
	  "On a hub ([hub] section): every box that reported to it, with its areas, state\n"
	  "(online/offline), last_seen, up_pending (records the box still holds for the hub),\n"
	  "down_pending (commands waiting for the box), subscribers, modems_ready and modems. See\n"
	  "docs/uplink.md." },
	{ "hub export", "[--after ID] [--limit N]", "Uplink", "on a hub: posts, SMS and reach as JSON lines",
	  "What the boxes reported (posts, received SMS, reach of announcements) as JSON lines, one\n"
	  "object per line with OpenDK-like names (id, jenis, box, kode_desa, judul, pesan, pengirim,\n"
	  "nama_pengirim, status, diterima). Read with a cursor: --after the last id you have." },
	{ "box import", "BOX FILE", "Uplink", "on a hub: send a number,area[,name] CSV to a box",
	  "Sends the subscribers in FILE (an absolute path the daemon reads) to box BOX in chunks of\n"
	  "500 on the command lane; alerts overtake them. The box checks every row (number, an area it\n"
	  "serves) and subscribes the good ones." },

	{ "help", "[COMMAND]", "Console", "explain one command, or list them", "" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const char *usage_head =
"usage: kentongan [-c FILE] [--json | --csv] COMMAND [ARGUMENTS]\n"
"\n"
"The console of the Kentongan SMS gateway. It talks to the running daemon (kentongand) over\n"
"the control socket named in the configuration.\n"
"\n"
"Options:\n"
"  -c, --config FILE   configuration file (default: $KENTONGAN_CONF, else\n"
"                      %s)\n"
"      --json          print listings as a JSON array of objects\n"
"      --csv           print listings as CSV with a header line\n"
"  -h, --help          this help; 'kentongan help COMMAND' for one command\n"
"      --version       print the version\n";

static const char *usage_tail =
"\n"
"TIME is '2026-11-27 14:00', '14:00', '+30m' or '-1h'. Exit status: 0 success, 1 a user error\n"
"(the message says what to change), 2 the daemon is not reachable.\n";

const struct usage_cmd *
usage_find(const char *name)
{
	const struct usage_cmd	*u;

	for (u = usage_cmds; u->name; u++)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

int
usage_matches(const struct usage_cmd *u, const char *word)
{
	size_t	 n = strcspn(u->name, " "), wl = strlen(word);

	if (!strcmp(u->name, word))
		return 1;
	if (strchr(word, ' ') != NULL)	/* "help subscriber add": that row only */
		return 0;
	return (n == wl && !strncmp(u->name, word, n)) ||
	    (n == wl + 1 && u->name[wl] == 's' && !strncmp(u->name, word, wl)) ||
	    (n + 1 == wl && word[n] == 's' && !strncmp(u->name, word, n));
}

int
usage_print_one(FILE *fp, const char *name)
{
	const struct usage_cmd	*u;

	if ((u = usage_find(name)) != NULL)
		fprintf(fp, "usage: kentongan %s%s%s\n", u->name, *u->args ? " " : "", u->args);
	else
		fprintf(fp, "usage: kentongan %s …\n", name);
	return 1;
}

/* Prints "  line" broken before column 79 at spaces outside [ ] and ( ), continuation lines
 * indented by indent. */
static void
print_wrapped(FILE *fp, const char *line, size_t indent)
{
	size_t	 col = 2, w;
	int	 depth;

	fputs("  ", fp);
	while (*line) {
		for (w = 0, depth = 0; line[w] && (line[w] != ' ' || depth > 0); w++)
			depth += (line[w] == '[' || line[w] == '(') - (line[w] == ']' || line[w] == ')');
		if (col > indent && col + 1 + w > 78) {
			fprintf(fp, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > 2) {
			fputc(' ', fp);
			col++;
		}
		fwrite(line, 1, w, fp);
		col += w;
		line += w;
		while (*line == ' ')
			line++;
	}
	fputc('\n', fp);
}

void
usage_print_all(FILE *fp, const char *default_conf)
{
	const struct usage_cmd	*u, *v;
	char			 line[256];

	fprintf(fp, usage_head, default_conf);
	for (u = usage_cmds; u->name; u++) {
		for (v = usage_cmds; v != u && strcmp(v->group, u->group); v++)
			;
		if (v != u)	/* group already printed */
			continue;
		fprintf(fp, "\n%s:\n", u->group);
		for (v = u; v->name; v++) {
			if (strcmp(v->group, u->group))
				continue;
			snprintf(line, sizeof(line), "%s%s%s", v->name, *v->args ? " " : "", v->args);
			if (strlen(line) <= 36)
				fprintf(fp, "  %-36s  %s\n", line, v->summary);
			else {
				print_wrapped(fp, line, strlen(v->name) + 3);
				fprintf(fp, "  %-36s  %s\n", "", v->summary);
			}
		}
	}
	fputs(usage_tail, fp);
}

int
usage_print_help(FILE *fp, const char *word)
{
	const struct usage_cmd	*u;
	int			 n = 0;

	for (u = usage_cmds; u->name; u++)
		if (usage_matches(u, word)) {
			fprintf(fp, "kentongan %s%s%s\n", u->name, *u->args ? " " : "", u->args);
			n++;
		}
	if (n == 0) {
		fprintf(stderr, "kentongan: no command '%s'; see kentongan --help\n", word);
		return 1;
	}
	for (u = usage_cmds; u->name; u++)
		if (usage_matches(u, word))
			fprintf(fp, "\n%s: %s.%s%s\n", u->name, u->summary, *u->help ? "\n" : "", u->help);
	return 0;
}
