/*
 * ingest — the daemon side of receiving. A batch of parts read by a modem worker is committed to
 * the store in one transaction (single messages into the inbox, parts of long messages into
 * inbox_parts until complete, duplicates recognised and skipped, delivery reports matched to
 * the outbox); only then is the worker told it may delete them (modem_sms_committed), and each
 * new complete message is handed to the router (gateway_inbox_stored). A timer stores long
 * messages still incomplete after conf->incomplete_timeout_s with what arrived.
 * Runs on the daemon's event loop.
 */
#ifndef GATEWAY_INGEST_H
#define GATEWAY_INGEST_H
#include <stdint.h>
#include <time.h>

struct gateway;
struct modem;
struct modem_report;

struct ingest_part {
	int		 kind;		/* MW_PART_SMS, MW_PART_REPORT, MW_PART_RAW (text = hex PDU) */
	int64_t		 folder, location;
	const char	*sender;
	const char	*smsc;
	time_t		 smsc_at;
	const char	*coding;	/* gsm7, ucs2, 8bit */
	const char	*text;		/* UTF-8, or hex for 8bit */
	const char	*udh;		/* hex */
	int		 concat_ref;	/* -1 none */
	int		 total, seq;
	int		 report_ref;	/* status reports */
	int		 report_delivered;
	const char	*report_status;
};

struct ingest_stats {
	long	batches, parts, stored, dups, reports, failures, incomplete;
	long	undecodable;	/* raw PDUs stored as undecodable inbox rows */
};

struct ingest	*ingest_new(struct gateway *);
void		 ingest_free(struct ingest *);	/* accepts NULL */
/*
 * Commits one batch from modem `m` (named modem_name). On success acks the batch to the modem
 * (m may be NULL in tests: no ack) and routes the new messages; returns 0. On a store failure
 * nothing is acked (the worker offers the batch again later) and gateway_store_failed() is
 * called; returns -1.
 */
int		 ingest_batch(struct ingest *, struct modem *m, const char *modem_name, uint64_t batch,
		    const struct ingest_part *, int n);
/*
 * Applies one delivery report to the outbox row it answers (store_outbox_delivery): the one home
 * of delivery reports, whether a worker passed it on live (gateway_modem_report; in_batch 0: a
 * matched report is logged) or it was stored on the SIM (ingest_batch; in_batch 1: inside the
 * batch's transaction, counted in its stats once that commits). A report that matches no sent
 * message changes nothing. 0, or -1 when the store failed.
 */
int		 ingest_report(struct ingest *, const char *modem_name, const struct modem_report *,
		    int in_batch);
/* Stores groups incomplete for longer than the timeout (also run by the ingest's own timer). */
int		 ingest_expire(struct ingest *);
const struct ingest_stats *ingest_stats(const struct ingest *);
#endif
