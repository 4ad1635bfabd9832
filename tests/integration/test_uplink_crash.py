#!/usr/bin/env python3
"""Uplink test 3: kill -9 of the box, the hub or the broker at random instants while records go
up and broadcasts come down. Afterwards no record is lost or doubled at the hub (seqs contiguous,
one SMS record per inbox row of the box) and no SMS went out twice beyond what was on a modem at
a box crash (the store's existing guarantee).

KT_UPLINK_ROUNDS rounds (default 6 in make check; `make uplink-torture` runs 25 against each broker), seed
KT_SEED (printed, so a failure can be replayed). KT_BROKER=nats runs it against nats-server's
MQTT listener instead of mosquitto (test 8)."""
import collections
import os
import time

from kt import Uplink, check, knob, poll, seeded, sql

ROUNDS = knob("KT_UPLINK_ROUNDS", 6)
SEED, RND = seeded("KT_SEED")
VILLAGE = "1671011001"
BOX = VILLAGE + "-1"
SUBS = ["+628127777%04d" % i for i in range(4)]


def main():
    print("seed=%d rounds=%d broker=%s (KT_SEED=%d to replay)" % (SEED, ROUNDS, os.environ.get("KT_BROKER", "mosquitto"),
                                                                SEED))
    rnd = RND
    box_kills = 0
    with Uplink("kt-ulcrash-") as up:
        hub, sim, box = up.start_hub_and_box(BOX, VILLAGE)
        broker = up.broker
        for n in SUBS:
            box.ctl("subscriber", "add", n, "--area", VILLAGE, fmt="text")
        poll(lambda: hub.box_at_hub(BOX).get("state") == "online", timeout=60,
             what="the box at the hub")
        texts = []
        k = 0
        for r in range(ROUNDS):
            for i in range(5):
                sim.ctl("sms", "+62813888%05d" % k, "laporan cuaca %d" % k)
                k += 1
            if hub.proc is not None:
                t = "Pengumuman putaran %d" % r
                hub.ctl("broadcast", "--area", VILLAGE, t)
                texts.append(t)
            time.sleep(rnd.uniform(0, 1.5))     # a random instant for the kill: the behaviour under test
            victim = rnd.choice(["box", "hub", "broker"])
            print("round %d: kill -9 %s" % (r, victim))
            if victim == "box":
                box.kill9()
                box_kills += 1
                box.start()
            elif victim == "hub":
                hub.kill9()
                hub.start()
            else:
                broker.kill9()
                time.sleep(rnd.uniform(0, 1.0))     # the broker down for a random while
                broker.start()

        # everything settles: all records acknowledged, all commands applied, all SMS sent
        poll(lambda: sql(box.db, "SELECT count(*) FROM inbox WHERE action IS NULL")[0][0] == 0 and
             sql(box.db, "SELECT count(*) FROM inbox")[0][0] >= k, timeout=120, what="the box to store every SMS")
        poll(lambda: sql(box.db, "SELECT count(*) FROM uplink_out")[0][0] == 0 and
             sql(box.db, "SELECT inbox_cursor FROM uplink_meta")[0][0] == sql(box.db, "SELECT max(id) FROM inbox")[0][0],
             timeout=180, what="the hub to acknowledge every record")
        poll(lambda: sql(hub.db, "SELECT count(*) FROM hub_down_out")[0][0] == 0, timeout=180,
             what="the box to apply every command")
        poll(lambda: sql(box.db, "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')")[0][0] == 0,
             timeout=180, what="the box to send everything")

        lanes = collections.defaultdict(list)
        for (lane, seq) in sql(hub.db, "SELECT lane, seq FROM hub_records WHERE box = ? ORDER BY lane, seq", (BOX,)):
            lanes[lane].append(seq)
        for lane, seqs in lanes.items():
            check(seqs == list(range(1, len(seqs) + 1)), "lane %s: seqs contiguous, none twice" % lane)
            nxt = sql(box.db, "SELECT next_seq FROM uplink_lanes WHERE lane = ?", (lane,))[0][0]
            check(len(seqs) == nxt - 1, "lane %s: every record the box made is at the hub (%d of %d)" %
                  (lane, len(seqs), nxt - 1))
        inbox = sql(box.db, "SELECT count(*) FROM inbox")[0][0]
        smsrec = sql(hub.db, "SELECT count(*) FROM hub_records WHERE kind = 'sms'")[0][0]
        check(smsrec == inbox, "one SMS record per inbox row: %d at the hub, %d at the box" % (smsrec, inbox))
        sent = collections.Counter((p.get("to"), p.get("text")) for p in sim.sent(cut_ok=True)
                                   if "Pengumuman putaran" in p.get("text", ""))
        for t in texts:
            for n in SUBS:
                check(sent[(n, t)] >= 1, "%r reached %s" % (t, n))
        extra = sum(c - 1 for c in sent.values())
        check(extra <= box_kills, "SMS sent twice: %d, more than the %d box crashes allow" % (extra, box_kills))
        print("ok: %d rounds, %d SMS records, %d broadcasts, %d duplicates (box crashes %d)" % (
            ROUNDS, smsrec, len(texts), extra, box_kills))


if __name__ == "__main__":
    main()
