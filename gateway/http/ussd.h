/*
 * ussd — the USSD menu villagers dial through an aggregator's short code (served by http.c's
 * POST /ussd). The menu itself is data (gateway/http/ussd-menu.conf, compiled in; [http] menu = FILE
 * overrides it); the actions are the SMS keywords' (subscribe + audit, stop everything, latest
 * news, report), through the same store functions, each in one transaction.
 *
 * Sessions are kept in memory, keyed by the aggregator's sessionId, capped at USSD_MAX_SESSIONS
 * (the least recently used is evicted), forgotten after USSD_IDLE_S idle (KT_USSD_IDLE_S in the
 * environment overrides it, for tests) or shortly after their END. Every screen is rebuilt from
 * the whole `text` (the `*`-joined inputs so far), so a retried request gets the same screen and
 * a lost session costs nothing but the memory of what was done: the side effects are recorded
 * per session by input prefix and never repeated on a retry. Runs on the daemon's loop.
 */
#ifndef GATEWAY_USSD_H
#define GATEWAY_USSD_H
#include <stddef.h>
#include <time.h>

struct gateway;
struct ussd;
struct ussd_menu;

#define USSD_SCREEN_CHARS	182	/* characters of one screen, "CON "/"END " included */
#define USSD_SCREEN_MAX		1024	/* bytes of a screen buffer (UTF-8) */
#define USSD_ID_MAX		128	/* bytes of a sessionId */
#define USSD_MAX_SESSIONS	10000
#define USSD_IDLE_S		180
#define USSD_MAX_INPUTS		64	/* inputs in one `text` */
#define USSD_TEXT_MAX		2048	/* bytes of `text` (sessions keep it: bounded memory) */

struct ussd_stats {
	long	 active;	/* sessions in memory that have not ended */
	long	 total;		/* sessions started */
	long	 expired;	/* forgotten after the idle time */
	long	 evicted;	/* dropped to stay under USSD_MAX_SESSIONS */
	long	 requests;
	long	 actions;	/* subscribe/stop/report done (retries not counted) */
};

/*
 * Menus. ussd_menu_load_text parses a menu file's text (path names it in errors); NULL with
 * "FILE:LINE: reason" in err on any error: syntax, unknown or missing key, bad target, a fixed
 * screen longer than USSD_SCREEN_CHARS.
 */
struct ussd_menu *ussd_menu_load_text(const char *text, const char *path, char *err, size_t errlen);
void		 ussd_menu_free(struct ussd_menu *);	/* accepts NULL */
/* The built-in menu (gateway/http/ussd-menu.conf as compiled). */
const char	*ussd_menu_builtin(void);

/* Loads the menu (path NULL or "": the built-in one) and, when gw->base is set, starts the
 * expiry timer. The language is gw->conf->language's. NULL with err set on a bad menu. */
struct ussd	*ussd_new(struct gateway *, const char *menu_path, char *err, size_t errlen);
void		 ussd_free(struct ussd *);	/* accepts NULL */
/* Whether the menu at path (NULL or "": the built-in one) loads; -1 with err set. */
int		 ussd_menu_check(const char *path, char *err, size_t errlen);
/* Reads the menu again (SIGHUP): 0 unchanged, 1 replaced (sessions in progress end), -1 with err
 * set and the running menu kept. */
int		 ussd_reload(struct ussd *, const char *menu_path, char *err, size_t errlen);
/*
 * Answers one aggregator request. number is the caller's number as sent (normalised here with
 * the gateway's country code; an invalid one gets an END screen). Writes "CON …" or "END …"
 * (at most USSD_SCREEN_CHARS characters) into out, which must hold USSD_SCREEN_MAX bytes.
 */
void		 ussd_answer(struct ussd *, const char *session_id, const char *number, const char *text,
		    char *out);
/* Forgets sessions idle since before now - idle (and ended ones after a short grace). */
void		 ussd_sweep(struct ussd *, time_t now);
void		 ussd_stats(const struct ussd *, struct ussd_stats *);
/* Characters (UTF-8 code points) of s. */
size_t		 ussd_chars(const char *s);
#endif
