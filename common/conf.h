/*
 * conf — kentongan.conf (INI). One table of keys (conf.c: name, type, default, bounds, help)
 * parses, validates and prints the configuration; kentongan.conf.sample is checked against it.
 * Unknown sections and keys and bad values are errors naming the file and line.
 * Relative paths are taken relative to the directory of the configuration file.
 */
#ifndef COMMON_CONF_H
#define COMMON_CONF_H
#include <stdio.h>

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
	long		 incomplete_timeout_s;
	char		*lockfile;
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
};

/* Reads path. Returns NULL and fills err (one line: "FILE:LINE: reason") on any error. */
struct conf	*conf_load(const char *path, char *err, size_t errlen);
void		 conf_free(struct conf *);	/* accepts NULL */
/* Prints the effective configuration, every key with its value, in INI form. */
void		 conf_dump(const struct conf *, FILE *);
/* Prints the table of keys (section, key, type, default, help): `kentongand --config-help`. */
void		 conf_help(FILE *);
/* Whether key is a known key of section kind ("gateway", "modem", "http"). */
int		 conf_known(const char *section, const char *key);
/* The i-th key of the table (0-based); -1 past the end. */
int		 conf_key_at(int i, const char **section, const char **name);
/* Value of a gammurc key of a modem, or NULL. */
const char	*conf_modem_gammu(const struct conf_modem *, const char *key);
/* Parses "10/min", "1/s", "600/h", "0" (unlimited). 0 ok, -1 bad. */
int		 conf_parse_rate(const char *, struct conf_rate *);
/* Parses "90", "90s", "10m", "6h", "2d" into seconds. 0 ok, -1 bad. */
int		 conf_parse_duration(const char *, long *);
#endif
