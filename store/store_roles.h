/*
 * store_roles — what the SMS router and the KIM console commands keep: roles (KIM leaders and
 * officials, with the officials' hashed SIAR PINs and lockout counters), posts (LAPOR reports),
 * pending numbered choices (ambiguous area names), and the router's view of the inbox (read a
 * row, mark what was done, find unrouted rows). Runs in the daemon. Every writer here works
 * inside the caller's transaction when one is open.
 */
#ifndef STORE_STORE_ROLES_H
#define STORE_STORE_ROLES_H
#include <stdint.h>
#include <time.h>

#include "store/store.h"

/* ---- the router's view of the inbox ---- */
struct store_inbox_row {
	int64_t		 id;
	char		 modem[72];
	char		 sender[40];
	char		*text;		/* xmalloc'd; store_inbox_row_clear frees */
	char		 flags[64];
	int		 routed;	/* the action is already set */
	time_t		 received_at;
};
enum store_status store_inbox_get(struct store *, int64_t id, struct store_inbox_row *);
void		 store_inbox_row_clear(struct store_inbox_row *);
/* Sets the row's action (what was done with it). */
enum store_status store_inbox_set_action(struct store *, int64_t id, const char *action);
/* Replaces the row's text (the router masks SIAR PINs, which must not be kept in clear). */
enum store_status store_inbox_set_text(struct store *, int64_t id, const char *text);
/* Up to max ids of rows without an action, after `after`, in id order. Returns the count, -1 on error. */
int		 store_inbox_unrouted(struct store *, int64_t after, int64_t *ids, int max);
/* Replies queued to number since `since` answering messages whose action starts with "unknown"
 * (the one-help-per-day rule). */
long		 store_unknown_replies_since(struct store *, const char *number, time_t since);

/* ---- roles ---- */
struct store_leader {
	char	 number[24];
	char	 kim[128];
	char	 area[16];
};
/* Adds or updates a KIM leader. *created: 1 new. */
enum store_status store_leader_add(struct store *, const char *number, const char *kim, const char *area,
		    int *created);
/* STORE_NOTFOUND when number is no leader. */
enum store_status store_leader_get(struct store *, const char *number, struct store_leader *);
/* Removes a role ("leader" or "official"); STORE_NOTFOUND when the number had none. */
enum store_status store_role_remove(struct store *, const char *number, const char *role);
/* Listing: number, role, kim, area, locked_until, created (never the PIN hash). */
enum store_status store_list_roles(struct store *, store_row_cb, void *);

#define STORE_PIN_MIN		6	/* a new PIN */
#define STORE_PIN_MIN_OLD	4	/* PINs set before the minimum was 6 still work */
#define STORE_PIN_MAX		12
#define STORE_PIN_TRIES		5	/* wrong PINs in a row before the lock */
#define STORE_PIN_LOCK_S	3600
/* Adds an official, or sets a new PIN (which also clears the lock). The PIN (STORE_PIN_MIN to
 * STORE_PIN_MAX digits, else STORE_INVALID) is stored as a yescrypt hash (crypt_r). */
enum store_status store_official_add(struct store *, const char *number, const char *pin, int *created);

enum store_pin {
	STORE_PIN_OK = 0,
	STORE_PIN_WRONG,	/* counted; *tries_left says how many remain */
	STORE_PIN_LOCKED_NOW,	/* this wrong PIN locked SIAR for STORE_PIN_LOCK_S */
	STORE_PIN_LOCKED,	/* still locked (the PIN was not even checked); *locked_until set */
	STORE_PIN_NOT_OFFICIAL,
	STORE_PIN_ERROR,	/* the store failed */
};
/* Checks an official's PIN at `now` and updates the counters (a right PIN resets them). */
enum store_pin	 store_official_check_pin(struct store *, const char *number, const char *pin, time_t now,
		    int *tries_left, time_t *locked_until);

/* ---- posts ---- */
enum store_status store_post_add(struct store *, const char *sender, const char *kim, const char *area,
		    const char *text, int published, int64_t inbox_id, int64_t *id);
/* pending → published (approve = 1) or rejected. STORE_NOTFOUND no such post; STORE_INVALID it
 * was already reviewed (store_errmsg says how). */
enum store_status store_post_review(struct store *, int64_t id, int approve);
/* Listing: id, from, kim, area, text, status, received, box (the box that received it, on a hub;
 * null here). status NULL = all. */
enum store_status store_list_posts(struct store *, const char *status, store_row_cb, void *);
/* The number that sent post id, into number (len bytes). STORE_NOTFOUND no such post. */
enum store_status store_post_sender(struct store *, int64_t id, char *number, size_t len);

/* ---- pending choices ---- */
#define STORE_CHOICE_MAX	9
struct store_choice {
	char	 action[32];			/* subscribe, unsubscribe */
	char	 codes[STORE_CHOICE_MAX][16];
	int	 n;
};
/* Replaces number's pending choice. */
enum store_status store_choice_put(struct store *, const char *number, const char *action,
		    const char *const *codes, int n, time_t expires_at);
/* The pending choice of number still open at `now`; STORE_NOTFOUND none. */
enum store_status store_choice_get(struct store *, const char *number, time_t now, struct store_choice *);
enum store_status store_choice_clear(struct store *, const char *number);

/* ---- area names for suggestions ---- */
/* Calls cb(arg, norm, name) once per distinct normalised name of the areas inside the served
 * prefixes (comma list; "" = all); cb returns non-zero to stop. */
enum store_status store_area_names(struct store *, const char *prefixes,
		    int (*cb)(void *, const char *norm, const char *name), void *arg);

/* ---- KIM group messages ---- */
/* Queues one 'kim' outbox row with text for each active subscriber of area (and of every area
 * inside it), except `except`. *n = rows queued. */
enum store_status store_kim_queue(struct store *, const char *area, const char *except, const char *text,
		    int64_t inbox_id, long *n);
#endif
