/*
 * store_web — what the web console keeps and asks for: accounts (name, role, yescrypt hash),
 * sessions (only the SHA-256 of the cookie is stored), failed logins per account and address,
 * and the listings its pages need beyond the console's (subscriber counts per area, today's
 * traffic, a report's sender; the reach per village is store_announcement_reach). Runs in the daemon; the
 * account commands also run in the console (`kentongan user add` works while the daemon is stopped).
 * A password is hashed by store_user_hash (yescrypt, as store_roles does PINs) before it comes
 * here: only the hash is kept.
 */
#ifndef STORE_STORE_WEB_H
#define STORE_STORE_WEB_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store/store.h"

#define STORE_USER_NAME_MAX	32
#define STORE_HASH_MAX		256

struct store_user {
	int64_t	 id;
	char	 name[STORE_USER_NAME_MAX + 1];
	char	 role[16];		/* viewer, operator, official, admin */
	char	 hash[STORE_HASH_MAX];
};

/* STORE_INVALID (store_errmsg says why) unless name (1-32 of a-z 0-9 . _ -) and role are good. */
enum store_status store_user_valid(struct store *, const char *name, const char *role);
/* The yescrypt crypt(3) string of password with a fresh salt into out (len bytes), for
 * `kentongan user add` and the console's password page alike. 0, or -1 (errno may say why). */
int		 store_user_hash(const char *password, char *out, size_t len);
/* Whether password matches hash, a crypt(3) string from store_user_hash (or a PIN's from
 * store_roles), compared in constant time; 0 for a NULL or empty hash. */
int		 store_user_check(const char *password, const char *hash);
/* Adds an account or replaces its role and hash (which also clears its failed logins and ends its
 * sessions). STORE_INVALID for a bad name (1-32 of a-z 0-9 . _ -) or role. *created: 1 new. */
enum store_status store_user_put(struct store *, const char *name, const char *role, const char *hash,
		    int *created);
/* Removes an account and its sessions; STORE_NOTFOUND when there is none. */
enum store_status store_user_remove(struct store *, const char *name);
enum store_status store_user_get(struct store *, const char *name, struct store_user *);
/* Listing: name, role, sessions, created (never the hash). */
enum store_status store_list_users(struct store *, store_row_cb, void *);

/* ---- sessions ---- */
struct store_session {
	struct store_user	 user;		/* hash left empty */
	char			 csrf[65];
	time_t			 expires_at;
};
enum store_status store_session_add(struct store *, const char *id, int64_t user_id, const char *csrf,
		    const char *address, time_t now, time_t expires_at);
/* The session `id` if it is still valid at now (absolute expiry, and seen within idle_s); its seen
 * time is moved to now. STORE_NOTFOUND when unknown or expired (an expired row is deleted). */
enum store_status store_session_get(struct store *, const char *id, time_t now, long idle_s,
		    struct store_session *);
enum store_status store_session_remove(struct store *, const char *id);
/* Deletes every session expired at now, and failed logins a day old that hold no lock. */
enum store_status store_sessions_prune(struct store *, time_t now, long idle_s);

/* ---- failed logins ---- */
/* Whether name may try a password from address at now: STORE_OK yes, STORE_INVALID no, with the
 * lock's end in *until (a lock per account and address, or for the account from everywhere once
 * account_max failures are counted in the last lock_s seconds). */
enum store_status store_login_allowed(struct store *, const char *name, const char *address, time_t now,
		    int account_max, long lock_s, time_t *until);
/* Counts a wrong password; after max in a row from one address that pair is locked for lock_s.
 * *locked: 1 when this failure set the lock. */
enum store_status store_login_failed(struct store *, const char *name, const char *address, time_t now,
		    int max, long lock_s, int *locked);
/* A right password: forgets that pair's failures. */
enum store_status store_login_ok(struct store *, const char *name, const char *address);

/* ---- what the pages show ---- */
/* Active subscribers per child area of parent (parent NULL or "": per province): area, name,
 * subscribers — children without subscribers are left out. */
enum store_status store_subscriber_counts(struct store *, const char *parent, store_row_cb, void *);
/* Messages received into the inbox and handed to modems since `since` (epoch seconds). */
enum store_status store_traffic_since(struct store *, time_t since, long *received, long *sent);
/* The sender of a report; STORE_NOTFOUND when no such report. */
#endif
