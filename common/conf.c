/*
 * conf — what the configuration's lines mean (common/ini.c reads them) and the table of keys.
 * Adding a key: one row in conf_keys[], a field in struct conf or struct conf_modem, and a
 * commented line in kentongan.conf.sample (a unit test checks that the sample and the table agree).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/ini.h"
#include "common/str.h"
#include "common/msisdn.h"
#include "common/xmalloc.h"

enum conf_type { CT_STR, CT_PATH, CT_INT, CT_BOOL, CT_RATE, CT_DURATION, CT_LIST, CT_ADDR, CT_GAMMU };

struct conf_key {
	const char	*section;
	const char	*name;
	enum conf_type	 type;
	const char	*def;
	long		 min, max;
	size_t		 off;
	const char	*help;
};

#define G(f) offsetof(struct conf, f)
#define M(f) offsetof(struct conf_modem, f)

static const struct conf_key conf_keys[] = {
	{ "gateway", "database", CT_PATH, "var/kentongan.db", 0, 0, G(database),
	  "SQLite file; created and migrated on start" },
	{ "gateway", "control", CT_PATH, "var/kentongan.sock", 0, 0, G(control),
	  "console socket (mode 0660)" },
	{ "gateway", "country", CT_STR, MSISDN_COUNTRY_DEFAULT, 0, 0, G(country),
	  "country calling code used to store numbers in E.164" },
	{ "gateway", "areas", CT_LIST, "", 0, 0, G(areas),
	  "Kemendagri code prefixes this gateway serves (comma list); empty = all" },
	{ "gateway", "language", CT_STR, "id", 0, 0, G(language),
	  "reply templates: id (Indonesian) or en" },
	{ "gateway", "keywords", CT_PATH, "", 0, 0, G(keywords),
	  "optional file of extra keyword aliases and patterns" },
	{ "gateway", "templates", CT_PATH, "", 0, 0, G(templates),
	  "optional directory of reply templates overriding the built-in ones" },
	{ "gateway", "deny", CT_LIST, "", 0, 0, G(deny),
	  "numbers never sent an automatic reply (comma list)" },
	{ "gateway", "reply_limit", CT_INT, "3", 0, 100, G(reply_limit),
	  "automatic replies per sender per hour" },
	{ "gateway", "reply_budget", CT_INT, "200", 0, 1000000, G(reply_budget),
	  "automatic replies per hour for the whole gateway (alerts and broadcasts are not replies); 0 = none" },
	{ "gateway", "incomplete_timeout", CT_DURATION, "10m", 10, 7 * 86400, G(incomplete_timeout_s),
	  "how long parts of a long SMS wait for their siblings before it is stored incomplete" },
	{ "gateway", "worker_user", CT_STR, "kentongan", 0, 0, G(worker_user),
	  "started as root, modem workers drop to this user once connected (kentongan, else nobody); root = keep root" },
	{ "gateway", "worker_seccomp", CT_BOOL, "yes", 0, 0, G(worker_seccomp),
	  "confine modem workers with a seccomp filter once connected (no exec, no sockets, no new files)" },
	{ "gateway", "lockfile", CT_PATH, "", 0, 0, G(lockfile),
	  "lock file preventing two daemons on one database; default: DATABASE.lock" },
	{ "gateway", "alert_approval", CT_INT, "1", 1, 2, G(alert_approval),
	  "officials needed for an alert broadcast: 2 holds it until a second, different one approves" },
	{ "gateway", "approval_timeout", CT_DURATION, "1h", 1, 7 * 86400, G(approval_timeout_s),
	  "an alert waiting for approval expires unsent after this" },
	{ "gateway", "append_code", CT_BOOL, "no", 0, 0, G(append_code),
	  "append the verification code (Kode: K7QX) to every announcement" },
	{ "gateway", "leader_summary", CT_BOOL, "no", 0, 0, G(leader_summary),
	  "send each village's KIM leader one reach summary SMS when an announcement finishes" },
	{ "gateway", "leader_summary_after", CT_DURATION, "10m", 1, 86400, G(leader_summary_after_s),
	  "wait this long after the last copy went out (for delivery reports) before the summary" },
	{ "gateway", "escalate_after", CT_DURATION, "0", 0, 7 * 86400, G(escalate_after_s),
	  "resend an undelivered announcement copy once through another operator's SIM after this; 0 = never" },
	{ "gateway", "public_info", CT_BOOL, "no", 0, 0, G(public_info),
	  "INFO AREA answers anyone, not only the area's subscribers" },
	{ "gateway", "backup_dir", CT_PATH, "", 0, 0, G(backup_dir),
	  "directory for scheduled backups (e.g. a USB stick); empty = none; never created" },
	{ "gateway", "backup_interval", CT_DURATION, "1d", 10, 365 * 86400, G(backup_interval_s),
	  "how often a scheduled backup is written to backup_dir" },
	{ "gateway", "backup_keep", CT_INT, "7", 1, 1000, G(backup_keep),
	  "how many scheduled backups are kept in backup_dir (older ones are deleted)" },
	{ "gateway", "keep_inbox", CT_DURATION, "180d", 0, 36500 * 86400L, G(keep_inbox_s),
	  "received SMS older than this are deleted (posts stay); 0 = keep forever" },
	{ "gateway", "keep_outbox", CT_DURATION, "90d", 0, 36500 * 86400L, G(keep_outbox_s),
	  "finished outgoing SMS older than this are deleted (per-area reach counts stay); 0 = forever" },
	{ "gateway", "clock_tolerance", CT_DURATION, "5m", 1, 86400, G(clock_tolerance_s),
	  "the network's time is used when the system clock is off by more than this" },
	{ "gateway", "set_clock", CT_BOOL, "no", 0, 0, G(set_clock),
	  "set the system clock from the network's time when it is off (needs CAP_SYS_TIME)" },
	{ "gateway", "keep_audit", CT_DURATION, "730d", 0, 36500 * 86400L, G(keep_audit_s),
	  "audit records older than this are deleted; 0 = keep forever" },

	{ "modem", "connection", CT_GAMMU, NULL, 0, 0, 0, "libGammu connection: at, none (dummy), proxyat, …" },
	{ "modem", "device", CT_GAMMU, NULL, 0, 0, 0, "libGammu device: /dev/ttyUSB0, a pty, a directory for dummy" },
	{ "modem", "model", CT_GAMMU, NULL, 0, 0, 0, "libGammu model: at, dummy, …" },
	{ "modem", "logfile", CT_GAMMU, NULL, 0, 0, 0, "libGammu debug log file" },
	{ "modem", "logformat", CT_GAMMU, NULL, 0, 0, 0, "libGammu debug log format: nothing, text, textall, errors" },
	{ "modem", "features", CT_GAMMU, NULL, 0, 0, 0, "libGammu feature overrides for this phone" },
	{ "modem", "use_locking", CT_GAMMU, NULL, 0, 0, 0, "libGammu serial port locking (yes/no)" },
	{ "modem", "synchronizetime", CT_GAMMU, NULL, 0, 0, 0, "libGammu: set the phone's clock on connect" },
	{ "modem", "atgen_setcnmi", CT_GAMMU, NULL, 0, 0, 0, "libGammu: AT+CNMI parameters for this modem" },
	{ "modem", "profile", CT_PATH, "", 0, 0, M(profile),
	  "a modem-configs/ file whose [gammu] keys apply first" },
	{ "modem", "operator", CT_STR, "", 0, 0, M(operator_name),
	  "telkomsel, indosat, xl, tri, smartfren, axis; detected from the network when empty" },
	{ "modem", "rate", CT_RATE, "10/min", 0, 0, M(rate),
	  "send rate limit of this SIM: N/s, N/min, N/h; 0 = unlimited" },
	{ "modem", "daily_limit", CT_INT, "0", 0, 1000000, M(daily_limit),
	  "cap on messages sent per day; 0 = none" },
	{ "modem", "balance_ussd", CT_STR, "", 0, 0, M(balance_ussd),
	  "USSD code checked periodically for the remaining credit, e.g. *888#" },
	{ "modem", "balance_interval", CT_DURATION, "6h", 60, 30 * 86400, M(balance_interval_s),
	  "how often balance_ussd runs" },
	{ "modem", "balance_every_sent", CT_INT, "200", 0, 1000000, M(balance_every_sent),
	  "also check the balance after this many messages sent; 0 = never" },
	{ "modem", "imei", CT_STR, "", 0, 0, M(imei),
	  "IMEI this modem must have; with a device glob, used to find it again after re-plugging" },
	{ "modem", "imsi", CT_STR, "", 0, 0, M(imsi),
	  "IMSI (SIM) this modem must have" },
	{ "modem", "delivery_reports", CT_BOOL, "no", 0, 0, M(delivery_reports),
	  "ask the network for a delivery report per message" },
	{ "modem", "poll", CT_DURATION, "1", 1, 3600, M(poll_ms),
	  "how often the modem is polled for new messages (seconds)" },
	{ "modem", "command_timeout", CT_DURATION, "60", 5, 3600, M(command_timeout_s),
	  "a modem command taking longer than this gets the worker killed and respawned" },
	{ "modem", "enabled", CT_BOOL, "yes", 0, 0, M(enabled),
	  "set to no to keep the section but not use the modem" },
	{ "modem", "clear_other", CT_BOOL, "no", 0, 0, M(clear_other),
	  "delete messages on the SIM that are not received ones (sent copies, drafts)" },

	{ "http", "listen", CT_ADDR, "127.0.0.1:8080", 0, 0, G(http_listen),
	  "address:port of the USSD/metrics endpoint; a non-loopback address needs a token" },
	{ "http", "token", CT_STR, "", 0, 0, G(http_token),
	  "bearer token required on every request except /health and /console/ (own accounts)" },
	{ "http", "menu", CT_PATH, "", 0, 0, G(http_menu),
	  "USSD menu file overriding the built-in menu" },
	{ "http", "max_body", CT_INT, "8192", 256, 1 << 20, G(http_max_body),
	  "largest request body accepted, in bytes" },
	{ "http", "timeout", CT_DURATION, "10", 1, 600, G(http_timeout_s),
	  "seconds a client may take to send its request" },
	{ "http", "cert", CT_PATH, "", 0, 0, G(http_cert),
	  "PEM certificate (chain): with key, the listener speaks HTTPS only" },
	{ "http", "key", CT_PATH, "", 0, 0, G(http_key),
	  "PEM private key of cert" },

	{ "uplink", "broker", CT_STR, "", 0, 0, G(uplink_broker),
	  "MQTT broker of the hub: mqtt://HOST:PORT, or mqtts://HOST:PORT for TLS" },
	{ "uplink", "box", CT_STR, "", 0, 0, G(uplink_box),
	  "this box's id (letters, digits, - and _); default: the first served area code + \"-1\"" },
	{ "uplink", "username", CT_STR, "", 0, 0, G(uplink_username),
	  "MQTT user name; default: the box id" },
	{ "uplink", "password_file", CT_PATH, "", 0, 0, G(uplink_password_file),
	  "file holding the MQTT password (one line)" },
	{ "uplink", "ca_file", CT_PATH, "", 0, 0, G(uplink_ca_file),
	  "CA certificate checking the broker (mqtts://)" },
	{ "uplink", "cert_file", CT_PATH, "", 0, 0, G(uplink_cert_file),
	  "client certificate (optional, mqtts://)" },
	{ "uplink", "key_file", CT_PATH, "", 0, 0, G(uplink_key_file),
	  "client certificate's key (optional, mqtts://)" },
	{ "uplink", "hub_key", CT_PATH, "", 0, 0, G(uplink_hub_key),
	  "the hub's Ed25519 public key (PEM); commands not signed with it are refused" },
	{ "uplink", "share_numbers", CT_BOOL, "no", 0, 0, G(uplink_share_numbers),
	  "send villagers' numbers to the hub in full (default: only the last 4 digits)" },
	{ "uplink", "keepalive", CT_DURATION, "60", 5, 3600, G(uplink_keepalive_s),
	  "MQTT keepalive: a dead link is noticed after about 1.5 times this" },

	{ "hub", "broker", CT_STR, "", 0, 0, G(hub_broker),
	  "MQTT broker the boxes report to: mqtt://HOST:PORT or mqtts://HOST:PORT" },
	{ "hub", "name", CT_STR, "hub", 0, 0, G(hub_name),
	  "this hub's name, written into every command it signs" },
	{ "hub", "username", CT_STR, "", 0, 0, G(hub_username),
	  "MQTT user name of the hub (the broker's ACL lets it read and write kim/v1/#)" },
	{ "hub", "password_file", CT_PATH, "", 0, 0, G(hub_password_file),
	  "file holding the MQTT password (one line)" },
	{ "hub", "ca_file", CT_PATH, "", 0, 0, G(hub_ca_file),
	  "CA certificate checking the broker (mqtts://)" },
	{ "hub", "cert_file", CT_PATH, "", 0, 0, G(hub_cert_file),
	  "client certificate (optional, mqtts://)" },
	{ "hub", "key_file", CT_PATH, "", 0, 0, G(hub_key_file),
	  "client certificate's key (optional, mqtts://)" },
	{ "hub", "signing_key", CT_PATH, "", 0, 0, G(hub_signing_key),
	  "Ed25519 private key (PEM) signing every command; boxes hold its public key as hub_key" },
	{ "hub", "keepalive", CT_DURATION, "60", 5, 3600, G(hub_keepalive_s),
	  "MQTT keepalive: a dead link is noticed after about 1.5 times this" },
	{ "http", "max_connections", CT_INT, "256", 1, 100000, G(http_max_connections),
	  "HTTP connections open at once; more are closed at once (kept well below the fd limit)" },
	{ "http", "session_idle", CT_DURATION, "30m", 1, 7 * 86400, G(web_idle_s),
	  "a web console session ends after this long without a request" },
	{ "http", "session_max", CT_DURATION, "12h", 1, 30 * 86400, G(web_life_s),
	  "a web console session ends this long after the login, however busy" },
	{ "http", "login_attempts", CT_INT, "5", 1, 1000, G(web_lock_after),
	  "wrong passwords from one address that lock the account there (four times as many lock it everywhere)" },
	{ "http", "login_lock", CT_DURATION, "15m", 1, 7 * 86400, G(web_lock_s),
	  "how long a locked web console account stays locked" },
	{ NULL, NULL, 0, NULL, 0, 0, 0, NULL },
};

static const char *conf_typename[] = {
	"string", "path", "integer", "yes/no", "rate", "duration", "list", "address", "gammu"
};

int
conf_parse_rate(const char *s, struct conf_rate *r)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || errno || n < 0 || n > 100000)
		return -1;
	r->count = (int)n;
	if (*end == '\0' && n == 0) {
		r->per_s = 0;
		return 0;
	}
	if (*end != '/')
		return -1;
	end++;
	if (!strcmp(end, "s") || !strcmp(end, "sec"))
		r->per_s = 1;
	else if (!strcmp(end, "min") || !strcmp(end, "m"))
		r->per_s = 60;
	else if (!strcmp(end, "h") || !strcmp(end, "hour"))
		r->per_s = 3600;
	else if (!strcmp(end, "day") || !strcmp(end, "d"))
		r->per_s = 86400;
	else
		return -1;
	if (n == 0)
		r->per_s = 0;
	return 0;
}

int
conf_parse_duration(const char *s, long *out)
{
	char	*end;
	long	 n, mul = 1;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || errno || n < 0)
		return -1;
	if (*end == '\0' || !strcmp(end, "s"))
		mul = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60;
	else if (!strcmp(end, "h"))
		mul = 3600;
	else if (!strcmp(end, "d"))
		mul = 86400;
	else
		return -1;
	if (n > LONG_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

static const struct conf_key *
conf_find(const char *section, const char *key)
{
	const struct conf_key	*k;

	for (k = conf_keys; k->section; k++)
		if (!strcmp(k->section, section) && !strcmp(k->name, key))
			return k;
	return NULL;
}

int
conf_key_at(int i, const char **section, const char **name)
{
	if (i < 0 || i >= (int)(sizeof(conf_keys) / sizeof(conf_keys[0])) - 1)
		return -1;
	*section = conf_keys[i].section;
	*name = conf_keys[i].name;
	return 0;
}

const char *
conf_modem_configs(const struct conf *c, const char *installed)
{
	static char	 dir[PATH_MAX + 32];
	const char	*env = getenv("KT_MODEM_CONFIGS");
	char		 self[PATH_MAX];
	ssize_t		 n;
	struct stat	 sb;

	if (env && *env)
		return env;
	if (c != NULL && c->dir != NULL) {
		snprintf(dir, sizeof(dir), "%s/modem-configs", c->dir);
		if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
			return dir;
	}
	if (stat("modem-configs", &sb) == 0 && S_ISDIR(sb.st_mode) && realpath("modem-configs", self))
		return snprintf(dir, sizeof(dir), "%s", self), dir;
	/* the build tree: build/kentongan next to modem-configs/ */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(dir, sizeof(dir), "%s/../modem-configs/operators.conf", self);
		if (access(dir, R_OK) == 0) {
			snprintf(dir, sizeof(dir), "%s/../modem-configs", self);
			if (realpath(dir, self))
				return snprintf(dir, sizeof(dir), "%s", self), dir;
		}
	}
	return installed;
}

const char *
conf_modem_gammu(const struct conf_modem *m, const char *key)
{
	int	 i;

	for (i = 0; i < m->ngammu; i++)
		if (!strcmp(m->gammu[i].key, key))
			return m->gammu[i].value;
	return NULL;
}

static char *
conf_path(const struct conf *c, const char *v)
{
	char	*p;

	if (*v == '\0' || *v == '/' || c->dir == NULL)
		return xstrdup(v);
	xasprintf(&p, "%s/%s", c->dir, v);
	return p;
}

/* Sets one key; returns NULL or a static reason. */
static const char *
conf_set(struct conf *c, void *base, const struct conf_key *k, const char *v)
{
	char	**sp = (char **)((char *)base + k->off);
	long	 *lp = (long *)((char *)base + k->off);
	int	 *ip = (int *)((char *)base + k->off);
	char	 *end;
	long	  n;

	switch (k->type) {
	case CT_STR:
	case CT_LIST:
		free(*sp);
		*sp = xstrdup(v);
		break;
	case CT_PATH:
		free(*sp);
		*sp = conf_path(c, v);
		break;
	case CT_ADDR:
		if (*v && strrchr(v, ':') == NULL)
			return "expected ADDRESS:PORT, e.g. 127.0.0.1:8080";
		if (*v) {
			n = strtol(strrchr(v, ':') + 1, &end, 10);
			if (*end || n < 1 || n > 65535)
				return "the port must be a number from 1 to 65535";
		}
		free(*sp);
		*sp = xstrdup(v);
		break;
	case CT_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (end == v || *end || errno)
			return "expected a whole number";
		if (n < k->min || n > k->max)
			return "out of range";
		*lp = n;
		break;
	case CT_DURATION:
		if (conf_parse_duration(v, &n) == -1)
			return "expected a duration such as 90, 90s, 10m, 6h or 2d";
		if (n < k->min || n > k->max)
			return "out of range";
		*lp = n;
		break;
	case CT_BOOL:
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
			*ip = 1;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
		    !strcasecmp(v, "off"))
			*ip = 0;
		else
			return "expected yes or no";
		break;
	case CT_RATE:
		if (conf_parse_rate(v, (struct conf_rate *)((char *)base + k->off)) == -1)
			return "expected a rate such as 10/min, 1/s or 600/h (0 = unlimited)";
		break;
	case CT_GAMMU: {
		struct conf_modem *m = base;
		int i;

		for (i = 0; i < m->ngammu; i++)
			if (!strcmp(m->gammu[i].key, k->name)) {
				free(m->gammu[i].value);
				m->gammu[i].value = xstrdup(v);
				return NULL;
			}
		m->gammu = xreallocarray(m->gammu, m->ngammu + 1, sizeof(*m->gammu));
		m->gammu[m->ngammu].key = xstrdup(k->name);
		m->gammu[m->ngammu].value = xstrdup(v);
		m->ngammu++;
		break;
	}
	}
	return NULL;
}

static void
conf_defaults(struct conf *c, const char *section, void *base)
{
	const struct conf_key	*k;

	for (k = conf_keys; k->section; k++)
		if (!strcmp(k->section, section) && k->def != NULL)
			(void)conf_set(c, base, k, k->def);
}

static int
broker_ok(const char *b)
{
	const char	*p = str_after_scheme(b, "mqtt");

	return p != NULL && *p != '\0' && *p != ':';
}

/* [uplink]/[hub] cross-key checks and the box id default; returns a reason or NULL. */
static const char *
conf_uplink_check(struct conf *c)
{
	static char	 why[256];
	const char	*p;

	if (c->uplink_enabled) {
		if (!broker_ok(c->uplink_broker))
			return "[uplink] broker = must be mqtt://HOST:PORT or mqtts://HOST:PORT";
		if (*c->uplink_box == '\0') {
			size_t n = strcspn(c->areas, ", ");

			if (n == 0)
				return "[uplink] needs box = ID (or areas = in [gateway] to derive it)";
			free(c->uplink_box);
			xasprintf(&c->uplink_box, "%.*s-1", (int)n, c->areas);
		}
		for (p = c->uplink_box; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
				break;
		if (*p || strlen(c->uplink_box) > 48) {
			snprintf(why, sizeof(why), "[uplink] box = %s: use 1-48 letters, digits, - or _ "
			    "(it is an MQTT topic level)", c->uplink_box);
			return why;
		}
		if (*c->uplink_hub_key == '\0')
			return "[uplink] needs hub_key = PATH (the hub's Ed25519 public key): commands "
			    "are refused without it";
	}
	if (c->hub_enabled) {
		if (!broker_ok(c->hub_broker))
			return "[hub] broker = must be mqtt://HOST:PORT or mqtts://HOST:PORT";
		if (*c->hub_signing_key == '\0')
			return "[hub] needs signing_key = PATH (an Ed25519 private key, PEM; make one with "
			    "openssl genpkey -algorithm ed25519)";
		for (p = c->hub_name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
				break;
		if (*p || !*c->hub_name)
			return "[hub] name = use letters, digits, - or _";
	}
	return NULL;
}

int
conf_token_strong(const char *token)
{
	return token != NULL && strlen(token) >= CONF_TOKEN_MIN && strcasecmp(token, "change-me") != 0;
}

/* Whether an [http] listen address is the loopback by its text (127.x.y.z, [::1], localhost); a
 * name is checked again by the daemon once bound. */
static int
listen_loopback(const char *listen)
{
	if (listen == NULL)
		return 0;
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "[::1]:", 6) == 0 ||
	    strncasecmp(listen, "localhost:", 10) == 0;
}

/* One file the daemon writes or reads, for the collision check. */
struct conf_file {
	const char	*key;		/* the config key (or what the file is) */
	char		 canon[PATH_MAX];
	struct stat	 sb;
	int		 exists;
	int		 written;	/* created, truncated or unlinked by the daemon */
};

/* path with its directory resolved (symbolic links, ., ..), the file itself not followed. */
static void
canon_path(const char *path, char *out, size_t len)
{
	char	*d = xstrdup(path), *b = xstrdup(path), real[PATH_MAX];
	char	*dn = dirname(d), *bn = basename(b);

	if (realpath(dn, real) == NULL ||
	    (size_t)snprintf(out, len, "%s/%s", strcmp(real, "/") ? real : "", bn) >= len)
		snprintf(out, len, "%s", path);
	free(d);
	free(b);
}

static void
conf_file_add(struct conf_file *f, int *n, const char *key, const char *path, int written)
{
	struct conf_file *e;

	if (path == NULL || *path == '\0')
		return;
	e = &f[(*n)++];
	e->key = key;
	e->written = written;
	canon_path(path, e->canon, sizeof(e->canon));
	e->exists = lstat(path, &e->sb) == 0;
}

/*
 * The database (with its -wal, -shm and -journal), the control socket and the lock file must be
 * different files, and none of them the configuration or a file it names: the daemon removes a
 * stale socket, truncates the lock file and rewrites the database. Compared by resolved path and,
 * for files that exist, by device and inode (hard and symbolic links).
 */
static int
conf_check_paths(const struct conf *c, char *err, size_t errlen)
{
	struct conf_file	 f[12];
	char			*wal, *shm, *jnl;
	int			 n = 0, i, j, rc = 0;

	xasprintf(&wal, "%s-wal", c->database);
	xasprintf(&shm, "%s-shm", c->database);
	xasprintf(&jnl, "%s-journal", c->database);
	conf_file_add(f, &n, "database", c->database, 1);
	conf_file_add(f, &n, "control", c->control, 1);
	conf_file_add(f, &n, "lockfile", c->lockfile, 1);
	conf_file_add(f, &n, "the database's -wal file", wal, 1);
	conf_file_add(f, &n, "the database's -shm file", shm, 1);
	conf_file_add(f, &n, "the database's -journal file", jnl, 1);
	conf_file_add(f, &n, "the configuration file", c->path, 0);
	conf_file_add(f, &n, "keywords", c->keywords, 0);
	conf_file_add(f, &n, "templates", c->templates, 0);
	conf_file_add(f, &n, "menu", c->http_menu, 0);
	for (i = 0; i < n && rc == 0; i++)
		for (j = i + 1; j < n && rc == 0; j++) {
			if (!f[i].written && !f[j].written)
				continue;
			if (strcmp(f[i].canon, f[j].canon) == 0 || (f[i].exists && f[j].exists &&
			    f[i].sb.st_dev == f[j].sb.st_dev && f[i].sb.st_ino == f[j].sb.st_ino)) {
				snprintf(err, errlen, "%s: %s and %s are the same file (%s): give each its own path",
				    c->path, f[i].key, f[j].key, f[i].canon);
				rc = -1;
			}
		}
	free(wal);
	free(shm);
	free(jnl);
	return rc;
}

/* The sections besides [modem NAME], each at most once; all but [gateway] switch their part on. */
static const struct conf_section {
	const char	*name;
	size_t		 on;		/* offset of the int in struct conf set by the section; 0: none */
} conf_sections[] = {
	{ "gateway", 0 },
	{ "http", G(http_enabled) },
	{ "uplink", G(uplink_enabled) },
	{ "hub", G(hub_enabled) },
};
#define NSECTIONS	(sizeof(conf_sections) / sizeof(conf_sections[0]))

/* conf_load's state while the lines go by. */
struct conf_reader {
	struct conf	*c;
	char		*err;
	size_t		 errlen;
	const char	*section;	/* the key table's name of the current section ("modem", …) */
	void		*base;		/* where its keys go: c or the current struct conf_modem */
	unsigned	 seen;		/* bit i: conf_sections[i] was read */
};

static int
line_err(struct conf_reader *r, const struct ini_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "FILE:LINE: reason" into r->err; returns -1 (stops the reader). */
static int
line_err(struct conf_reader *r, const struct ini_line *l, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(r->err, r->errlen, "%s:%d: ", r->c->path, l->lineno);
	if (n >= 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
conf_modem_section(struct conf_reader *r, const struct ini_line *l, const char *mname)
{
	struct conf		*c = r->c;
	struct conf_modem	*m;
	int			 i;

	if (*mname == '\0' || strlen(mname) > 64 || strpbrk(mname, " \t/\"'") != NULL)
		return line_err(r, l, "a modem name must be 1-64 characters without spaces, quotes or slashes");
	for (i = 0; i < c->nmodems; i++)
		if (!strcmp(c->modems[i].name, mname))
			return line_err(r, l, "[modem %s] appears twice (first at line %d)", mname,
			    c->modems[i].line);
	c->modems = xreallocarray(c->modems, c->nmodems + 1, sizeof(*c->modems));
	m = &c->modems[c->nmodems++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(mname);
	m->line = l->lineno;
	conf_defaults(c, "modem", m);
	m->poll_ms *= 1000;	/* the table holds seconds */
	r->section = "modem";
	r->base = m;
	return 0;
}

static int
conf_section_line(struct conf_reader *r, const struct ini_line *l)
{
	size_t	 i;

	for (i = 0; i < NSECTIONS; i++) {
		const struct conf_section *s = &conf_sections[i];

		if (strcmp(l->name, s->name))
			continue;
		if (r->seen & (1u << i))
			return line_err(r, l, "[%s] appears twice", s->name);
		r->seen |= 1u << i;
		r->section = s->name;
		r->base = r->c;
		if (s->on) {
			*(int *)((char *)r->c + s->on) = 1;
			conf_defaults(r->c, s->name, r->c);
		}
		return 0;
	}
	if (!strncmp(l->name, "modem", 5) && isspace((unsigned char)l->name[5]))
		return conf_modem_section(r, l, str_trim(l->name + 5));
	return line_err(r, l, "unknown section [%s] (expected [gateway], [modem NAME], [http], [uplink] or "
	    "[hub])", l->name);
}

static int
conf_key_line(struct conf_reader *r, const struct ini_line *l)
{
	const struct conf_key	*k;
	const char		*why;

	if (r->section == NULL)
		return line_err(r, l, "key '%s' outside a section", l->key);
	if ((k = conf_find(r->section, l->key)) == NULL)
		return line_err(r, l, "unknown key '%s' in [%s]", l->key, r->section);
	if ((why = conf_set(r->c, r->base, k, l->value)) != NULL)
		return line_err(r, l, "%s = %s: %s", l->key, l->value, why);
	if (!strcmp(r->section, "modem") && !strcmp(l->key, "poll"))
		((struct conf_modem *)r->base)->poll_ms *= 1000;
	return 0;
}

static int
conf_line_cb(const struct ini_line *l, void *arg)
{
	struct conf_reader	*r = arg;

	switch (l->kind) {
	case INI_SECTION:
		return conf_section_line(r, l);
	case INI_KEY:
		return conf_key_line(r, l);
	default:
		return line_err(r, l, "%s", ini_why(l->kind));
	}
}

/* The checks across keys, once the whole file is read; 0 or -1 with err. */
static int
conf_check(struct conf *c, char *err, size_t errlen)
{
	const char	*path = c->path;
	int		 i;

	if (strcmp(c->language, "id") && strcmp(c->language, "en")) {
		snprintf(err, errlen, "%s: language = %s: expected id or en", path, c->language);
		return -1;
	}
	if (!str_is_digits(c->country) || strlen(c->country) > 3) {
		snprintf(err, errlen, "%s: country = %s: expected a calling code such as 62", path, c->country);
		return -1;
	}
	for (i = 0; i < c->nmodems; i++) {
		struct conf_modem *m = &c->modems[i];

		if (conf_modem_gammu(m, "connection") == NULL && *m->profile == '\0') {
			snprintf(err, errlen, "%s:%d: [modem %s] needs connection = (at, none, …) or profile =",
			    path, m->line, m->name);
			return -1;
		}
	}
	if (c->uplink_enabled || c->hub_enabled) {
		const char *why = conf_uplink_check(c);

		if (why != NULL) {
			snprintf(err, errlen, "%s: %s", path, why);
			return -1;
		}
	}
	if (*c->lockfile == '\0') {
		free(c->lockfile);
		xasprintf(&c->lockfile, "%s.lock", c->database);
	}
	if (conf_check_paths(c, err, errlen) == -1)
		return -1;
	if (c->http_enabled && !listen_loopback(c->http_listen) && !conf_token_strong(c->http_token)) {
		snprintf(err, errlen, "%s: [http] listen = %s is not the loopback: token must be a long random "
		    "string (at least %d characters, not change-me; e.g. openssl rand -hex 24)", path,
		    c->http_listen, CONF_TOKEN_MIN);
		return -1;
	}
	return 0;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf		*c = xcalloc(1, sizeof(*c));
	struct conf_reader	 r = { c, err, errlen, NULL, NULL, 0 };
	char			*dup = xstrdup(path);

	c->path = xstrdup(path);
	c->dir = xstrdup(dirname(dup));
	free(dup);
	conf_defaults(c, "gateway", c);
	switch (ini_parse_file(path, INI_QUOTES | INI_COMMENTS | INI_LINE_LIMIT, conf_line_cb, &r)) {
	case 0:
		break;
	case INI_EOPEN:
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	case INI_EREAD:
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	default:
		goto fail;	/* err is set */
	}
	if (conf_check(c, err, errlen) == -1)
		goto fail;
	return c;
fail:
	conf_free(c);
	return NULL;
}

/* Frees the strings of base: the [modem] keys' (modem) or the other sections'. */
static void
conf_free_strings(void *base, int modem)
{
	const struct conf_key	*k;

	for (k = conf_keys; k->section; k++)
		if ((strcmp(k->section, "modem") == 0) == modem && (k->type == CT_STR || k->type == CT_PATH ||
		    k->type == CT_LIST || k->type == CT_ADDR))
			free(*(char **)((char *)base + k->off));
}

void
conf_free(struct conf *c)
{
	int	 i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nmodems; i++) {
		struct conf_modem *m = &c->modems[i];

		conf_free_strings(m, 1);
		for (j = 0; j < m->ngammu; j++) {
			free(m->gammu[j].key);
			free(m->gammu[j].value);
		}
		free(m->gammu);
		free(m->name);
	}
	free(c->modems);
	conf_free_strings(c, 0);
	free(c->path);
	free(c->dir);
	free(c);
}

static void
conf_dump_key(const struct conf_key *k, const void *base, FILE *fp)
{
	const char	*s;

	switch (k->type) {
	case CT_STR: case CT_PATH: case CT_LIST: case CT_ADDR:
		s = *(char *const *)((const char *)base + k->off);
		fprintf(fp, "%-18s = %s\n", k->name, s ? s : "");
		break;
	case CT_INT:
		fprintf(fp, "%-18s = %ld\n", k->name, *(const long *)((const char *)base + k->off));
		break;
	case CT_DURATION: {
		long v = *(const long *)((const char *)base + k->off);

		if (!strcmp(k->name, "poll"))
			v /= 1000;
		fprintf(fp, "%-18s = %lds\n", k->name, v);
		break;
	}
	case CT_BOOL:
		fprintf(fp, "%-18s = %s\n", k->name, *(const int *)((const char *)base + k->off) ? "yes" : "no");
		break;
	case CT_RATE: {
		const struct conf_rate *r = (const void *)((const char *)base + k->off);

		if (r->per_s == 0)
			fprintf(fp, "%-18s = 0\n", k->name);
		else
			fprintf(fp, "%-18s = %d/%s\n", k->name, r->count,
			    r->per_s == 1 ? "s" : r->per_s == 60 ? "min" : r->per_s == 3600 ? "h" : "day");
		break;
	}
	case CT_GAMMU: {
		const char *v = conf_modem_gammu(base, k->name);

		if (v)
			fprintf(fp, "%-18s = %s\n", k->name, v);
		break;
	}
	}
}

static void
conf_dump_section(const char *section, const void *base, FILE *fp)
{
	const struct conf_key	*k;

	for (k = conf_keys; k->section; k++)
		if (!strcmp(k->section, section))
			conf_dump_key(k, base, fp);
}

void
conf_dump(const struct conf *c, FILE *fp)
{
	size_t	 i;
	int	 m;

	fprintf(fp, "; effective configuration of %s\n[gateway]\n", c->path);
	conf_dump_section("gateway", c, fp);
	for (m = 0; m < c->nmodems; m++) {
		fprintf(fp, "\n[modem %s]\n", c->modems[m].name);
		conf_dump_section("modem", &c->modems[m], fp);
	}
	for (i = 0; i < NSECTIONS; i++)
		if (conf_sections[i].on && *(const int *)((const char *)c + conf_sections[i].on)) {
			fprintf(fp, "\n[%s]\n", conf_sections[i].name);
			conf_dump_section(conf_sections[i].name, c, fp);
		}
}

void
conf_help(FILE *fp)
{
	const struct conf_key	*k;
	const char		*last = "";

	for (k = conf_keys; k->section; k++) {
		if (strcmp(last, k->section))
			fprintf(fp, "%s[%s%s]\n", *last ? "\n" : "", k->section,
			    !strcmp(k->section, "modem") ? " NAME" : "");
		last = k->section;
		fprintf(fp, "  %-18s %-9s %-16s %s\n", k->name, conf_typename[k->type],
		    k->def ? (*k->def ? k->def : "\"\"") : "-", k->help);
	}
}

int
conf_key_doc(int i, const char **section, const char **name, const char **type, const char **def,
    const char **help)
{
	if (conf_key_at(i, section, name) == -1)
		return -1;
	*type = conf_typename[conf_keys[i].type];
	*def = conf_keys[i].def;
	*help = conf_keys[i].help;
	return 0;
}
