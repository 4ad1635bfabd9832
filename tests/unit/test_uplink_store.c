/* test_uplink_store — the uplink's durable rules in store_uplink.c: a box's outbox and acks, the
 * hub's idempotent in-order ingest, the downlink's once-in-order check, and a new epoch after a
 * restore renumbering what waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "store/store_uplink.h"
#include "tests/unit/fixture.h"

#define DB "build/test-uplink-store.db"

static struct store *
open_db(void)
{
	char		 err[256];
	struct store	*st;

	fx_db_unlink(DB);
	st = store_open(DB, 0, err, sizeof(err));
	if (st == NULL)
		fail_msg("%s", err);
	return st;
}

static void
enqueue(struct store *st, const char *lane, int n)
{
	int	 i;
	char	 body[64];

	for (i = 0; i < n; i++) {
		snprintf(body, sizeof(body), "{\"id\":%d,\"text\":\"r%d\"}", i, i);
		assert_int_equal(store_uplink_enqueue(st, lane, "sms", body, NULL), STORE_OK);
	}
}

/* box side: batches from the ack, acks delete, an ack beyond what was sent is refused */
static void
test_outbox(void **state)
{
	struct store		*st = open_db();
	struct store_uplink_lane l;
	char			*json;
	int64_t			 last;
	int			 n;

	enqueue(st, "bulk", 5);
	assert_int_equal(store_uplink_batch(st, "b-1", "bulk", 0, 3, &json, &last, &n), STORE_OK);
	assert_non_null(json);
	assert_int_equal(n, 3);
	assert_int_equal(last, 3);
	assert_non_null(strstr(json, "\"lane\":\"bulk\""));
	assert_non_null(strstr(json, "\"seq\":1"));
	free(json);
	assert_int_equal(store_uplink_acked(st, "bulk", 2), STORE_OK);
	assert_int_equal(store_uplink_lane(st, "bulk", &l), STORE_OK);
	assert_int_equal(l.acked, 2);
	assert_int_equal(l.pending, 3);
	assert_int_equal(store_uplink_acked(st, "bulk", 1), STORE_OK);	/* an old ack changes nothing */
	assert_int_equal(store_uplink_lane(st, "bulk", &l), STORE_OK);
	assert_int_equal(l.acked, 2);
	assert_int_equal(store_uplink_acked(st, "bulk", 9), STORE_INVALID);	/* never sent: a restore */
	store_close(st);
}

/* a restored box: a new epoch and what waits renumbered from 1 */
static void
test_new_epoch(void **state)
{
	struct store		*st = open_db();
	struct store_uplink_lane l;
	char			 e1[UPLINK_EPOCH_LEN], e2[UPLINK_EPOCH_LEN], *json;
	int64_t			 last;
	int			 n;

	enqueue(st, "prio", 6);
	assert_int_equal(store_uplink_acked(st, "prio", 4), STORE_OK);
	assert_int_equal(store_uplink_epoch(st, e1), STORE_OK);
	assert_int_equal(strlen(e1), 16);
	assert_int_equal(store_uplink_new_epoch(st, e2), STORE_OK);
	assert_string_not_equal(e1, e2);
	assert_int_equal(store_uplink_lane(st, "prio", &l), STORE_OK);
	assert_int_equal(l.acked, 0);
	assert_int_equal(l.next_seq, 3);
	assert_int_equal(store_uplink_batch(st, "b-1", "prio", 0, 10, &json, &last, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(last, 2);
	assert_non_null(strstr(json, "\"text\":\"r4\""));	/* the 5th record is now seq 1 */
	free(json);
	store_close(st);
}

static char *
batch(const char *box, const char *epoch, const char *lane, const int *seqs, int n)
{
	char	*buf = malloc(4096);
	size_t	 len;
	int	 i;

	len = (size_t)snprintf(buf, 4096, "{\"v\":1,\"box\":\"%s\",\"epoch\":\"%s\",\"lane\":\"%s\",\"recs\":[", box,
	    epoch, lane);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, 4096 - len, "%s{\"seq\":%d,\"kind\":\"post\",\"body\":{\"id\":%d,"
		    "\"from\":\"****1234\",\"text\":\"p%d\",\"status\":\"pending\"}}", i ? "," : "", seqs[i], seqs[i],
		    seqs[i]);
	snprintf(buf + len, 4096 - len, "]}");
	return buf;
}

/* hub side: in order, once, a gap stops, a replay adds nothing, the box must match the topic */
static void
test_ingest(void **state)
{
	struct store	*st = open_db();
	char		 epoch[UPLINK_EPOCH_LEN], lane[8], *b;
	int64_t		 acked;
	long		 added;
	static const int first[] = { 1, 2, 3 }, gap[] = { 4, 6, 7 }, again[] = { 1, 2, 3, 4, 5 };

	b = batch("b-1", "e1", "prio", first, 3);
	assert_int_equal(store_hub_ingest(st, "b-1", b, epoch, lane, &acked, &added), STORE_OK);
	assert_int_equal(acked, 3);
	assert_int_equal(added, 3);
	assert_string_equal(lane, "prio");
	free(b);
	b = batch("b-1", "e1", "prio", gap, 3);
	assert_int_equal(store_hub_ingest(st, "b-1", b, epoch, lane, &acked, &added), STORE_OK);
	assert_int_equal(acked, 4);
	assert_int_equal(added, 1);
	free(b);
	b = batch("b-1", "e1", "prio", again, 5);
	assert_int_equal(store_hub_ingest(st, "b-1", b, epoch, lane, &acked, &added), STORE_OK);
	assert_int_equal(acked, 5);
	assert_int_equal(added, 1);
	free(b);
	assert_int_equal(fx_q1(DB, "SELECT count(*) FROM hub_records"), 5);
	assert_int_equal(fx_q1(DB, "SELECT count(*) FROM posts WHERE box = 'b-1' AND via = 'b-1'"), 5);
	/* another epoch of the same box starts at 1 again */
	b = batch("b-1", "e2", "prio", first, 1);
	assert_int_equal(store_hub_ingest(st, "b-1", b, epoch, lane, &acked, &added), STORE_OK);
	assert_int_equal(acked, 1);
	free(b);
	b = batch("b-2", "e1", "prio", first, 1);	/* says b-2 but came on b-1's topic */
	assert_int_equal(store_hub_ingest(st, "b-1", b, epoch, lane, &acked, &added), STORE_INVALID);
	free(b);
	assert_int_equal(store_hub_ingest(st, "b-1", "not json", epoch, lane, &acked, &added) == STORE_OK, 0);
	store_close(st);
}

/* box side of the downlink: the next seq applies, older ones are old, later ones wait */
static void
test_downlink_check(void **state)
{
	struct store	*st = open_db();
	int64_t		 applied;

	assert_int_equal(store_downlink_check(st, "alert", "h1", 2, &applied), DOWNLINK_GAP);
	assert_int_equal(store_downlink_check(st, "alert", "h1", 1, &applied), DOWNLINK_APPLY);
	assert_int_equal(store_downlink_applied(st, "alert", "h1", 1, NULL), STORE_OK);
	assert_int_equal(store_downlink_check(st, "alert", "h1", 1, &applied), DOWNLINK_OLD);
	assert_int_equal(store_downlink_check(st, "alert", "h1", 3, &applied), DOWNLINK_GAP);
	assert_int_equal(store_downlink_check(st, "alert", "h1", 2, &applied), DOWNLINK_APPLY);
	assert_int_equal(store_downlink_check(st, "alert", "h2", 5, &applied), DOWNLINK_GAP);	/* a new hub db */
	assert_int_equal(store_downlink_check(st, "alert", "h2", 1, &applied), DOWNLINK_APPLY);
	assert_int_equal(store_downlink_check(st, "cmd", "h1", 1, &applied), DOWNLINK_APPLY);	/* lanes apart */
	assert_int_equal(store_downlink_check(st, "nope", "h1", 1, &applied), DOWNLINK_ERROR);
	store_close(st);
}

/* the hub's queue per box: forwarding by overlapping areas, acks drop */
static void
test_forward(void **state)
{
	struct store	*st = open_db();
	const char	*areas[] = { "167101" };
	long		 nboxes;
	int64_t		 acked;
	long		 pending;

	assert_int_equal(store_hub_box_seen(st, "desa-1", "online", "{\"box\":\"desa-1\",\"areas\":\"1671011001\"}"),
	    STORE_OK);
	assert_int_equal(store_hub_box_seen(st, "kota-2", "online", "{\"box\":\"kota-2\",\"areas\":\"1672\"}"),
	    STORE_OK);
	assert_int_equal(store_hub_box_seen(st, "mute-3", "online", "{\"box\":\"mute-3\"}"), STORE_OK);
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_hub_forward(st, "hub", "e", 7, "Siaga", areas, 1, 0, 0, &nboxes), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(nboxes, 1);	/* only the box inside 167101; a box without areas gets nothing */
	assert_int_equal(store_hub_lane(st, "desa-1", "alert", &acked, &pending), STORE_OK);
	assert_int_equal(pending, 1);
	assert_int_equal(fx_q1(DB, "SELECT json_extract(cmd, '$.body.id') FROM hub_down_out WHERE box = 'desa-1'"), 7);
	assert_int_equal(store_hub_acked(st, "desa-1", "alert", 1), STORE_OK);
	assert_int_equal(store_hub_lane(st, "desa-1", "alert", &acked, &pending), STORE_OK);
	assert_int_equal(acked, 1);
	assert_int_equal(pending, 0);
	store_close(st);
	fx_db_unlink(DB);
}

/* the box remembers which command (id) it applied under which number */
static void
test_downlink_ids(void **state)
{
	struct store	*st = open_db();
	char		 id[UPLINK_ID_LEN];

	assert_int_equal(store_downlink_applied(st, "alert", "h1", 1, "aa11"), STORE_OK);
	assert_int_equal(store_downlink_applied(st, "alert", "h1", 2, ""), STORE_OK);	/* an older hub */
	assert_int_equal(store_downlink_id_at(st, "alert", "h1", 1, id), STORE_OK);
	assert_string_equal(id, "aa11");
	assert_int_equal(store_downlink_id_at(st, "alert", "h1", 2, id), STORE_NOTFOUND);
	assert_int_equal(store_downlink_id_at(st, "alert", "h2", 1, id), STORE_NOTFOUND);	/* another epoch */
	assert_true(store_downlink_seen(st, "aa11"));
	assert_false(store_downlink_seen(st, "bb22"));
	assert_false(store_downlink_seen(st, NULL));
	assert_false(store_downlink_seen(st, ""));
	/* ids older than DOWNLINK_IDS_KEEP_S go when the next is recorded */
	fx_q1(DB, "UPDATE downlink_applied SET at = at - 91 * 86400");
	assert_int_equal(store_downlink_applied(st, "alert", "h1", 3, "cc33"), STORE_OK);
	assert_false(store_downlink_seen(st, "aa11"));
	assert_true(store_downlink_seen(st, "cc33"));
	store_close(st);
	fx_db_unlink(DB);
}

/* a restored hub: a box ahead of what it numbered is refused as an ack; what waits is numbered on */
static void
test_hub_rebase(void **state)
{
	struct store	*st = open_db();
	const char	*areas[] = { "1671011001" };
	long		 nboxes, n;
	int64_t		 acked;
	long		 pending;
	int		 i;

	assert_int_equal(store_hub_box_seen(st, "desa-1", "online", "{\"box\":\"desa-1\",\"areas\":\"1671011001\"}"),
	    STORE_OK);
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_begin(st), STORE_OK);
		assert_int_equal(store_hub_forward(st, "hub", "e", 10 + i, "Siaga", areas, 1, 0, 0, &nboxes), STORE_OK);
		assert_int_equal(store_commit(st), STORE_OK);
	}
	assert_int_equal(fx_q1(DB, "SELECT count(DISTINCT json_extract(cmd, '$.id')) FROM hub_down_out"), 3);
	assert_int_equal(store_hub_acked(st, "desa-1", "alert", 1), STORE_OK);
	/* the box applied up to 7 with commands of the database before the restore */
	assert_int_equal(store_hub_acked(st, "desa-1", "alert", 7), STORE_INVALID);
	assert_int_equal(fx_q1(DB, "SELECT count(*) FROM hub_down_out"), 2);	/* nothing dropped */
	assert_int_equal(store_hub_rebase(st, "desa-1", "alert", 7, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_hub_lane(st, "desa-1", "alert", &acked, &pending), STORE_OK);
	assert_int_equal(acked, 7);
	assert_int_equal(pending, 2);
	/* in their order, the command text says the new number */
	assert_int_equal(fx_q1(DB, "SELECT json_extract(cmd, '$.body.id') FROM hub_down_out WHERE seq = 8"), 11);
	assert_int_equal(fx_q1(DB, "SELECT json_extract(cmd, '$.body.id') FROM hub_down_out WHERE seq = 9"), 12);
	assert_int_equal(fx_q1(DB, "SELECT count(*) FROM hub_down_out WHERE json_extract(cmd, '$.seq') = seq"), 2);
	/* the next command follows them; an old answer changes nothing */
	assert_int_equal(store_begin(st), STORE_OK);
	assert_int_equal(store_hub_forward(st, "hub", "e", 13, "Siaga", areas, 1, 0, 0, &nboxes), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(fx_q1(DB, "SELECT max(seq) FROM hub_down_out"), 10);
	assert_int_equal(store_hub_rebase(st, "desa-1", "alert", 5, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(fx_q1(DB, "SELECT min(seq) FROM hub_down_out"), 8);
	assert_int_equal(store_hub_acked(st, "desa-1", "alert", 9), STORE_OK);
	assert_int_equal(fx_q1(DB, "SELECT count(*) FROM hub_down_out"), 1);
	store_close(st);
	fx_db_unlink(DB);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbox),
		cmocka_unit_test(test_new_epoch),
		cmocka_unit_test(test_ingest),
		cmocka_unit_test(test_downlink_check),
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_downlink_ids),
		cmocka_unit_test(test_hub_rebase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
