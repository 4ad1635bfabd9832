/*
 * store_inbox — the receive side of the store: inbox rows, parts of long messages waiting for
 * their siblings (inbox_parts, they survive a restart) and duplicate detection, called by
 * gateway/ingest.c in the daemon, always inside the caller's transaction where it says so; and the
 * router's view of a row (read it, mark what was done, find unrouted rows).
 */
#ifndef STORE_STORE_INBOX_H
#define STORE_STORE_INBOX_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store/store.h"

struct store_sms {
	const char	*modem;
	const char	*sender;	/* E.164 when it is a number, else as received */
	time_t		 smsc_at;
	const char	*text;		/* UTF-8; hex for binary (8-bit) messages */
	const char	*coding;	/* gsm7, ucs2, 8bit */
	const char	*udh;		/* hex, "" none */
	int		 concat_ref;	/* -1: not concatenated */
	int		 total;		/* parts of the whole message (1 = single) */
	int		 seq;		/* this part, 1-based */
	time_t		 received_at;
};

/* The dedup key of a single message or of one part (hex FNV-1a 64 over its identity). */
void	store_sms_dedup(const struct store_sms *, char out[40]);

/*
 * Stores one received message part inside the caller's transaction. A single-part message
 * becomes an inbox row (*id set); a part of a long message is kept in inbox_parts and, when it
 * completes its group, the group becomes one inbox row (*id set) and its parts are removed.
 * *id is 0 when nothing new is complete yet. STORE_DUP when it was already stored.
 */
enum store_status store_inbox_add(struct store *, const struct store_sms *, int64_t *id);

/*
 * Stores a message the modem worker could not decode, inside the caller's transaction: an inbox
 * row with coding "pdu", the raw PDU (SMSC + TPDU) as hex in text, flags "undecodable", no
 * sender, and action "undecodable" so it is never routed. STORE_DUP when that PDU is stored.
 */
enum store_status store_inbox_add_undecodable(struct store *, const char *modem, const char *hex,
		    time_t received_at, int64_t *id);

/*
 * Stores groups whose newest part arrived before `older_than` with what arrived (flags
 * "incomplete"), inside the caller's transaction. Writes at most max new inbox ids to ids and
 * sets *n. Also forgets seen-part keys older than a week.
 */
enum store_status store_inbox_expire(struct store *, time_t older_than, int64_t *ids, int max, int *n);
/* The modem an inbox row came in on, into buf ("" when unknown). */
enum store_status store_inbox_modem(struct store *, int64_t id, char *buf, size_t len);
/* Parts waiting for siblings (tests, status). */
long	store_inbox_parts_waiting(struct store *);

/* ---- the router's view of a row ---- */
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
#endif
