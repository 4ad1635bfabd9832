#!/usr/bin/env python3
"""Uplink figures (printed, never asserted): a box 24 h offline catches up with the hub on loopback.

The box's uplink outbox is filled directly (the daemon stopped) with 10,000 records shaped like
received SMS and posts and 100,000 small delivery updates, as a day offline would leave it; then
the broker comes up and we time until the hub has acknowledged everything. Bytes on the wire are
what the box handed to the broker (batches of 200, zlib). Then: hub broadcast → first SMS on a
connected box (modemsim), the median of a few. Goals: catch-up ≤60 s, ≤40 bytes per record, ≤2 s."""
import os
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from kt import Mosquitto, Uplink, poll, sql  # noqa: E402

RECORDS = int(os.environ.get("KT_BENCH_RECORDS", "10000"))
UPDATES = int(os.environ.get("KT_BENCH_UPDATES", "100000"))
VILLAGE = "1671011001"
BOX = VILLAGE + "-1"


def main():
    with Uplink("kt-bench-uplink-", broker=Mosquitto) as up:
        broker = up.broker
        hub = up.hub()
        sim, box = up.box_on_sim(BOX, VILLAGE)
        for g in (hub, box):
            g.import_areas()
        box.start()
        box.stop()
        con = sqlite3.connect(box.db)
        now = int(time.time())
        rows = []
        for i in range(RECORDS):
            if i % 10 == 0:
                rows.append(("prio", "post", '{"id":%d,"from":"****%04d","kim":"KIM Sukamaju","area":"%s",'
                             '"text":"LAPOR jalan rusak di RT %d","status":"pending","received":%d}' % (
                                 i, i % 10000, VILLAGE, i % 20, now - 86400 + i)))
            else:
                rows.append(("bulk", "sms", '{"id":%d,"from":"****%04d","modem":"tsel-1","text":"DAFTAR SUKAMAJU",'
                             '"received":%d,"action":"subscribed"}' % (i, i % 10000, now - 86400 + i)))
        for i in range(UPDATES):
            rows.append(("bulk", "delivery", '{"outbox":%d,"status":"delivered","at":%d}' % (100000 + i, now - 80000 + i)))
        seq = {"prio": 0, "bulk": 0}
        data = []
        for lane, kind, body in rows:
            seq[lane] += 1
            data.append((lane, seq[lane], kind, body, now))
        con.executemany("INSERT INTO uplink_out (lane, seq, kind, body, created_at) VALUES (?, ?, ?, ?, ?)", data)
        for lane in seq:
            con.execute("UPDATE uplink_lanes SET next_seq = ? WHERE lane = ?", (seq[lane] + 1, lane))
        con.commit()
        con.close()
        total = len(rows)
        json_bytes = sum(len(r[2]) for r in rows)
        hub.start()
        box.start()
        t0 = time.monotonic()
        broker.start()
        poll(lambda: sql(box.db, "SELECT count(*) FROM uplink_out")[0][0] == 0, timeout=600,
             what="the catch-up", interval=0.05)
        dt = time.monotonic() - t0
        wire = poll(lambda: box.ctl("status")["uplink"]["bytes_out"], what="bytes out")
        at_hub = sql(hub.db, "SELECT count(*) FROM hub_records")[0][0]
        print("catch-up of %d records (%d posts/SMS + %d delivery updates) on loopback: %.1f s "
              "(%.0f records/s); %d at the hub" % (total, RECORDS, UPDATES, dt, total / dt, at_hub))
        print("bytes on the wire per record: %.1f (batches of 200, zlib; the records' JSON alone is %.1f)" % (
            wire / total, json_bytes / total))

        box.join_hub(hub, BOX, "081200000001", VILLAGE, "the box's status at the hub")
        lat = []
        for i in range(5):
            n0 = len(sim.sent(cut_ok=True))
            t = time.monotonic()
            hub.ctl("broadcast", "--area", VILLAGE, "--priority", "alert", "Uji latensi %d" % i)
            poll(lambda: len(sim.sent(cut_ok=True)) > n0, timeout=60, what="the SMS", interval=0.005)
            lat.append(time.monotonic() - t)
        print("hub broadcast -> first SMS on a connected box (modemsim): median %.2f s, max %.2f s (of %d)" % (
            statistics.median(lat), max(lat), len(lat)))


if __name__ == "__main__":
    main()
