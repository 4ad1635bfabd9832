/*
 * modem_worker — the child process that owns one modem's GSM_StateMachine (the only libGammu
 * user in gateway/). modem.c forks it with one end of a socketpair; it speaks PROTO_W_* frames
 * (common/proto.h) whose payloads (pbuf fields, in this order) are:
 *
 *   worker -> daemon
 *   HELLO       str manufacturer, str model, str imei, str imsi, str network name, str mccmnc,
 *               str device (the one actually opened), u32 caps (MW_CAP_*)
 *   STATUS      u32 state (enum modem_state), i64 signal percent (-1 unknown), str network name,
 *               str mccmnc, str error ("" none), i64 registered (1 yes, 0 no: searching or
 *               denied, -1 unknown)
 *   SMS_IN      reqid = batch id; u32 n; n times: u32 kind (MW_PART_*), i64 folder, i64 location,
 *               str sender, str smsc, i64 smsc_at, str coding (gsm7|ucs2|8bit), str text (UTF-8,
 *               hex for 8bit), str udh (hex), i64 concat_ref (-1 none), u32 total, u32 seq,
 *               i64 report reference, i64 report delivered (1/0/-1), str report status
 *   SENT        reqid = outbox id; u64 outbox id, u32 result (enum send_result, or
 *               MW_SEND_STARTED when the message is being handed to the modem), u32 segments,
 *               str refs, u32 cms error, str error
 *   USSD_REPLY  reqid echoed; u32 ok, str reply, str why
 *   PONG        reqid echoed; no payload
 *   REPORT      str number, i64 reference, i64 at, i64 delivered (1/0/-1), str status
 *               (a delivery report the modem delivered directly, +CDS: nothing to delete)
 *   READING     i64 folder, i64 location: about to read that message (careful pass only);
 *               folder MW_READING_PASS: a GetNextSMS pass begins, or (careful pass) libGammu has
 *               returned the message and the worker's own code runs; MW_READING_DONE: the pass
 *               is over, location = occupied slots a careful pass did not read (-1 unknown
 *               or an ordinary pass)
 *   SIMSTATE    after each pass: u32 n; n times: i64 folder, i64 location (slots libGammu cannot
 *               decode whose raw PDU could not be read either: left on the SIM, retried after
 *               MW_QUARANTINE_RETRY_S); u32 found (undecodable slots met for the first time in
 *               this pass, stored raw or left), i64 last (location of the latest, -1 none),
 *               u32 other (messages on the SIM that are not received ones: sent copies,
 *               drafts), u32 cleared (of those, deleted now: clear_other), u32 failed
 *               (consecutive passes that could not read the memory at all), str error (why)
 *
 *   CLOCK       i64 network time (epoch seconds; 0 = the modem has none), i64 the worker's
 *               clock_mono() in ms when it was read: at start and every MW_CLOCK_S
 *
 *   daemon -> worker
 *   SMS_ACK     reqid = batch id: committed; delete those messages from the modem
 *   SEND        reqid = outbox id; u64 outbox id, str to, str text (UTF-8), u32 want_report
 *   USSD        reqid = request id; str code
 *   PING        reqid = anything; answered by PONG
 *   QUIT        finish the current command and exit
 *
 * The worker sends a batch of parts at most once per MW_RESEND_S: until the daemon acks it,
 * later polls skip those locations, so a lost or refused ack never loops tightly.
 */
#ifndef GATEWAY_MODEM_WORKER_H
#define GATEWAY_MODEM_WORKER_H

struct conf_modem;

#define MW_CLOCK_S	3600	/* network time read this often (KT_CLOCK_CHECK_S overrides it; tests) */
#define MW_BATCH_MAX	100	/* parts per SMS_IN frame */
#define MW_RESEND_S	10	/* an unacked batch is read and sent again after this (how soon receiving
				   resumes after a storage fault clears) */

enum mw_part_kind {
	MW_PART_SMS = 0,
	MW_PART_REPORT = 1,	/* a status report stored on the modem */
	MW_PART_RAW = 2,	/* a message libGammu cannot decode: text = its raw PDU (SMSC + TPDU) as
				   hex, coding "pdu", the other fields empty */
};

#define MW_SEND_STARTED	100	/* SENT result: handed to the modem, the outcome follows */

#define MW_CAP_NOTIFY	0x01	/* the modem announces new messages (+CMTI) */
#define MW_CAP_DUMMY	0x02	/* Gammu's dummy driver */

#define MW_READING_PASS	(-1)
#define MW_READING_DONE	0

/*
 * Handed to a worker at fork. libGammu's PDU decoder crashes on some malformed messages (an
 * SMSC address longer than its buffer smashes the stack): a worker reading such a message dies
 * on every pass and the modem never receives again. When a worker dies of a crash signal inside
 * a pass, the daemon sets careful: the next workers read location by location, saying which
 * (READING), and a location a worker died on is skipped (retried after MW_QUARANTINE_RETRY_S,
 * in case the slot was freed and reused). A careful pass that leaves no occupied slot unread
 * ends careful mode.
 */
#define MW_QUARANTINE_MAX	16
#define MW_QUARANTINE_RETRY_S	3600	/* KT_QUARANTINE_RETRY_S overrides it (tests) */

struct mw_plan {
	int	 careful;
	double	 retry_at;	/* clock_mono(): from then on a careful pass reads skipped slots again */
	int	 nskip;
	struct {
		int	 folder;
		int	 location;
	}	 skip[MW_QUARANTINE_MAX];
};

#define MW_DEGRADED_PASSES	2	/* consecutive passes that cannot read: the modem is degraded */

/* Worker exit statuses. */
#define MW_EXIT_QUIT		0
#define MW_EXIT_CONNECT		2	/* could not connect, or the wrong modem (IMEI/IMSI) */
#define MW_EXIT_LOST		3	/* the connection broke */
#define MW_EXIT_PROTO		4	/* malformed frame from the daemon */

/*
 * Runs the worker on fd until QUIT or EOF; never returns (calls _exit). Runs in the forked
 * child only: it must not touch the daemon's event base or store.
 */
void	modem_worker_main(int fd, const struct conf_modem *, const struct mw_plan *) __attribute__((noreturn));

/*
 * Probe mode, for `kentongan modems detect` (which runs `kentongand --probe DEVICE`, one process
 * per port, and kills it at its deadline): connects to the one device of cm without identity
 * checks, reads identity, network, signal and SMS storage, writes one PROTO_W_PROBE frame to fd,
 * disconnects. Reads and deletes no message. Returns the exit status (0 the frame was written).
 *
 *   PROBE  u32 outcome (enum proto_probe), str error ("" none), str manufacturer, str model,
 *          str firmware, str imei, str imsi, str network name, str mccmnc, i64 signal percent (-1
 *          unknown), i64 registered (1/0/-1), i64 sms (1 the SMS memory answers, 0 refused),
 *          i64 SIM used, i64 SIM size, i64 phone used, i64 phone size, str SMS error, i64 SIM
 *          locked (1 it asks for a PIN/PUK, 0 not)
 */
int	modem_worker_probe(int fd, const struct conf_modem *);

/* Helpers shared with tests (pure). */
/*
 * Finds the PDU of an AT+CMGR (or +CMGL) reply in libGammu's text debug log (its numbered reply
 * lines: `2 "+CMGR: 0,,39"` then `3 "0791…"`): the hex after the last +CMGR/+CMGL header line,
 * upper-cased into out. Returns its length in hex digits, 0 when there is none (pure).
 */
size_t	mw_raw_pdu_from_log(const char *log, char *out, size_t outlen);
/* Classifies a +CMS ERROR code: 1 permanent, 0 temporary. */
int	 mw_cms_permanent(int cms);
#endif
