/*
 * store — the only module that speaks SQL. An opaque struct store over one SQLite file in WAL mode
 * with synchronous=FULL; migrations (store/migrations/NNNN-*.sql) are applied at open. Every
 * state change is one transaction. Listings stream rows to a callback (struct table_row) whose
 * column names are the console's JSON field names (SPEC §5).
 * Runs in the daemon and in the console (offline commands); never in a modem worker.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/table.h"

struct store;

enum store_status {
	STORE_OK = 0,
	STORE_DUP,		/* already stored: not an error */
	STORE_TEMPFAIL,		/* busy / disk full / I/O: retry later */
	STORE_NOTFOUND,
	STORE_INVALID,		/* the input broke a rule; store_errmsg() says which */
	STORE_ERROR,		/* anything else; store_errmsg() says what */
};

/* Listings stream rows (common/table.h) whose column names are the console's JSON fields. */
typedef table_row_cb store_row_cb;

#define STORE_RDONLY		0x01	/* no migrations, no writes */
#define STORE_NO_MIGRATE	0x02	/* tests: leave the schema as found */

/* Opens (creating) the database and migrates it. NULL on error with the reason in err. */
struct store	*store_open(const char *path, int flags, char *err, size_t errlen);
void		 store_close(struct store *);	/* accepts NULL */
const char	*store_errmsg(struct store *);	/* the last error, for logs and replies */
int		 store_version(struct store *);	/* schema version (PRAGMA user_version) */
int		 store_latest_version(void);
/* Applies migrations up to `version` (tests: build a version-1 database). */
enum store_status store_migrate(struct store *, int version);

enum store_status store_begin(struct store *);
enum store_status store_commit(struct store *);
void		 store_rollback(struct store *);

/* PRAGMA integrity_check: one row per message ("ok" when sound). Returns STORE_OK when ok. */
enum store_status store_integrity(struct store *, store_row_cb, void *);
/* Appends an audit record (inside the caller's transaction if one is open). */
enum store_status store_audit(struct store *, const char *actor, const char *action, const char *detail_json);
enum store_status store_list_audit(struct store *, long limit, store_row_cb, void *);

/* ---- areas (store_areas.c) ---- */
struct store_area {
	char	code[16];
	char	name[128];
	int	level;			/* 1 province, 2 regency/city, 3 district, 4 village */
	char	parent[16];
};
/* Inserts or updates one area (call inside a transaction for bulk loads). level from code length. */
enum store_status store_area_put(struct store *, const char *code, const char *name, const char *norm,
		    const char *parent);
enum store_status store_area_get(struct store *, const char *code, struct store_area *);
long		 store_area_count(struct store *);
/* Areas whose normalised name is `norm`, restricted to codes starting with one of `prefixes`
 * (comma list; "" = all), at most `max` of them. Returns how many were written to out. */
int		 store_area_find(struct store *, const char *norm, const char *prefixes,
		    struct store_area *out, int max);
/* Areas whose normalised name starts with or resembles `norm` (suggestions). */
int		 store_area_suggest(struct store *, const char *norm, const char *prefixes,
		    struct store_area *out, int max);
/* Calls cb(arg, norm, name) once per distinct normalised name of the areas inside the served
 * prefixes (comma list; "" = all); cb returns non-zero to stop. */
enum store_status store_area_names(struct store *, const char *prefixes,
		    int (*cb)(void *, const char *norm, const char *name), void *arg);
/* Listing: code, name, level, parent. parent NULL = provinces; "" = all. */
enum store_status store_list_areas(struct store *, const char *parent, store_row_cb, void *);

/* ---- subscribers (store_subscribers.c) ---- */
/* Subscribes number to area; reactivates a stopped number. *created: 1 new subscription. */
enum store_status store_subscribe(struct store *, const char *number, const char *area,
		    const char *name, int *created);
/* Unsubscribes from one area, or from everything when area is NULL (status becomes stopped).
 * *removed: how many subscriptions ended. */
enum store_status store_unsubscribe(struct store *, const char *number, const char *area, int *removed);
/* 1 active subscriber, 0 stopped or unknown. */
int		 store_subscriber_active(struct store *, const char *number);
/* Areas of a subscriber, comma list into buf. Returns count. */
int		 store_subscriber_areas(struct store *, const char *number, char *buf, size_t len);
/* Listing: number, areas[], status, since. area: only subscribers in that area or inside it. */
enum store_status store_list_subscribers(struct store *, const char *area, store_row_cb, void *);
long		 store_subscriber_count(struct store *);

/* ---- inbox / outbox listings (store_inbox.c, store_outbox.c) ---- */
/* Listing: id, modem, from, text, received, action. since: epoch seconds (0 = all). */
enum store_status store_list_inbox(struct store *, time_t since, long limit, store_row_cb, void *);
/* The same with the options of `kentongan inbox`: raw shows an undecodable row's hex PDU as its
 * text (the plain list says what it is instead); id > 0 lists that one row. */
enum store_status store_list_inbox_opts(struct store *, time_t since, long limit, int raw, int64_t id,
		    store_row_cb, void *);
/* Listing: id, to, text, status, modem, attempts, announcement, last_error. status NULL = all. */
enum store_status store_list_outbox(struct store *, const char *status, long limit, store_row_cb, void *);
/* Outbox counts by status: queued, sending, sent, delivered, failed (+ expired, cancelled). */
struct store_queue_counts {
	long	queued, queued_alert, sending, sent, delivered, failed, expired, cancelled;
};
enum store_status store_queue_counts(struct store *, struct store_queue_counts *);

#endif
