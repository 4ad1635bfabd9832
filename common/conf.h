/*
 * conf — kentongan.conf (INI). One table of keys (conf.c: name, type, default, bounds, help)
 * parses, validates and prints the configuration; kentongan.conf.sample is checked against it.
 * Unknown sections and keys and bad values are errors naming the file and line.
 * Relative paths are taken relative to the directory of the configuration file.
 */
#ifndef COMMON_CONF_H
#define COMMON_CONF_H
#include <stdio.h>

/* [gateway] incomplete_timeout when no configuration is loaded (unit tests); the key table's
 * default ("10m") says the same. */
#define CONF_INCOMPLETE_TIMEOUT_S	600

struct conf_rate {
	int	 count;		/* messages … */
	int	 per_s;		/* … per this many seconds; 0 = unlimited */
};

struct conf_kv {
	char	*key;
	char	*value;
};

struct conf_modem {
	char		*name;
	int		 line;
	/* gammurc keys, handed to libGammu unchanged (connection, device, model, …) */
	struct conf_kv	*gammu;
	int		 ngammu;
	char		*profile;	/* modem-configs/ file whose [gammu] keys come first */
	char		*operator_name;	/* telkomsel, indosat, xl, tri, smartfren, axis; "" = detect */
	struct conf_rate rate;
	long		 daily_limit;	/* 0 = none */
	char		*balance_ussd;
	long		 balance_interval_s;
	long		 balance_every_sent;
	char		*imei;		/* find the modem again by identity after re-plugging */
	char		*imsi;
	int		 delivery_reports;
	long		 poll_ms;
	long		 command_timeout_s;
	int		 enabled;
	int		 clear_other;	/* delete sent copies and drafts found on the SIM */
};

struct conf {
	char		*path;
	char		*dir;		/* directory of path, for relative paths */
	/* [gateway] */
	char		*database;
	char		*control;
	char		*country;
	char		*areas;		/* comma list of code prefixes, as written */
	char		*language;
	char		*keywords;
	char		*templates;
	char		*deny;		/* comma list of numbers never replied to */
	long		 reply_limit;	/* automatic replies per sender per hour */
	long		 reply_budget;	/* automatic replies per hour, all senders; 0 = no budget */
	long		 incomplete_timeout_s;	/* default CONF_INCOMPLETE_TIMEOUT_S */
	char		*lockfile;
	/* issue 15: field features */
	long		 alert_approval;	/* 2 = two-person rule for alerts */
	long		 approval_timeout_s;
	int		 append_code;
	int		 leader_summary;
	long		 leader_summary_after_s;
	long		 escalate_after_s;	/* 0 = off */
	int		 public_info;
	char		*worker_user;	/* modem workers drop to it when started as root */
	int		 worker_seccomp;
	char		*backup_dir;	/* "" = no scheduled backups */
	long		 backup_interval_s;
	long		 backup_keep;
	long		 keep_inbox_s;	/* retention; 0 = forever */
	long		 keep_outbox_s;
	long		 keep_audit_s;
	long		 clock_tolerance_s;
	int		 set_clock;
	/* [modem NAME] */
	struct conf_modem *modems;
	int		 nmodems;
	/* [http] */
	int		 http_enabled;
	char		*http_listen;
	char		*http_token;
	char		*http_menu;
	long		 http_max_body;
	long		 http_timeout_s;
	char		*http_cert;	/* HTTPS when both are set */
	char		*http_key;
	/* [uplink]: this daemon reports to a hub (docs/uplink.md) */
	int		 uplink_enabled;
	char		*uplink_broker;
	char		*uplink_box;
	char		*uplink_username;
	char		*uplink_password_file;
	char		*uplink_ca_file;
	char		*uplink_cert_file;
	char		*uplink_key_file;
	char		*uplink_hub_key;
	int		 uplink_share_numbers;
	long		 uplink_keepalive_s;
	/* [hub]: boxes report to this daemon */
	int		 hub_enabled;
	char		*hub_broker;
	char		*hub_name;
	char		*hub_username;
	char		*hub_password_file;
	char		*hub_ca_file;
	char		*hub_cert_file;
	char		*hub_key_file;
	char		*hub_signing_key;
	long		 hub_keepalive_s;
	long		 http_max_connections;
	/* the web console's sessions and login lock ([http]; gateway/web/web.c) */
	long		 web_idle_s;
	long		 web_life_s;
	long		 web_lock_after;
	long		 web_lock_s;
};

/* Reads path. Returns NULL and fills err (one line: "FILE:LINE: reason") on any error. */
struct conf	*conf_load(const char *path, char *err, size_t errlen);
void		 conf_free(struct conf *);	/* accepts NULL */
/* Prints the effective configuration, every key with its value, in INI form. */
void		 conf_dump(const struct conf *, FILE *);
/* Prints the table of keys (section, key, type, default, help): `kentongand --config-help`. */
void		 conf_help(FILE *);
/* A token fit for an [http] listen off the loopback: at least CONF_TOKEN_MIN characters and not
 * the sample's old placeholder "change-me". */
#define CONF_TOKEN_MIN	16
int		 conf_token_strong(const char *token);
/* Whether key is a known key of section kind ("gateway", "modem", "http"). */
/* modem-configs/ (profiles, operators.conf): $KT_MODEM_CONFIGS, beside the configuration file,
 * ./modem-configs, the build tree's (beside the running program's build/), else installed. */
const char	*conf_modem_configs(const struct conf *, const char *installed);
/* The i-th key of the table (0-based); -1 past the end. */
int		 conf_key_at(int i, const char **section, const char **name);
/* The same with its type name, default (NULL: none) and help: for the kentongan.conf(5) page. */
int		 conf_key_doc(int i, const char **section, const char **name, const char **type,
		    const char **def, const char **help);
/* Value of a gammurc key of a modem, or NULL. */
const char	*conf_modem_gammu(const struct conf_modem *, const char *key);
/* Parses "10/min", "1/s", "600/h", "0" (unlimited). 0 ok, -1 bad. */
int		 conf_parse_rate(const char *, struct conf_rate *);
/* Parses "90", "90s", "10m", "6h", "2d" into seconds. 0 ok, -1 bad. */
int		 conf_parse_duration(const char *, long *);
#endif
