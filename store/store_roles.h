/*
 * store_roles — the roles table: KIM leaders and officials, with the officials' hashed SIAR PINs
 * and lockout counters. Used by the SMS router, USSD and the KIM console commands, in the daemon.
 * Every writer here works inside the caller's transaction when one is open.
 */
#ifndef STORE_STORE_ROLES_H
#define STORE_STORE_ROLES_H
#include <stdint.h>
#include <time.h>

#include "store/store.h"

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

#endif
