#!/usr/bin/env python3
"""Uplink, box → hub, against a real mosquitto on loopback.

Test 1: N SMS (1,000; KT_UPLINK_N overrides) received while the broker is down reach the hub
exactly once each, in seq order, once it is back; the box drops them only after the hub's ack,
and numbers leave the box masked.
Test 7: with the link down the box keeps receiving, answering and broadcasting locally; its
status shows the uplink offline with a backlog, and nothing waits on the link."""
import os
import shutil
import urllib.request

from kt import DummyPhone, Uplink, check, poll, sql

N = int(os.environ.get("KT_UPLINK_N", "1000"))
VILLAGE = "1671011001"
BOX = VILLAGE + "-1"


def main():
    with Uplink("kt-uplink-") as up:
        broker = up.broker        # not started yet: the link is down from the beginning
        hub = up.hub(areas="16")
        hub.import_areas()
        hub.start()
        phone = DummyPhone(up.root)
        box = up.box(BOX, VILLAGE, modems=phone.section("dummy"))
        http_port = box.listen("tok")
        box.import_areas()
        box.start()

        # --- test 7: the link is down; the box works as if there were none ---
        st = box.ctl("status")
        check(st["uplink"] is not None and st["uplink"]["state"] == "offline",
              "status shows the uplink offline: %r" % st["uplink"])
        phone.inject("+6281234560001", "DAFTAR " + VILLAGE)
        poll(lambda: any(s["number"] == "+6281234560001" for s in box.ctl("subscribers")), timeout=30,
             what="the box to subscribe a villager while offline")
        poll(lambda: any(o["to"] == "+6281234560001" and o["status"] == "sent" for o in box.ctl("outbox")),
             timeout=30, what="the confirmation SMS to go out while offline")
        b = box.ctl("broadcast", "--area", VILLAGE, "Kerja bakti hari Minggu")
        check(b["recipients"] == 1, "a local broadcast while offline: %r" % b)
        poll(lambda: box.ctl("announcement", b["id"])["sent"] == 1, timeout=30,
             what="the local broadcast to be sent while offline")

        # --- test 1: N SMS while the broker is down ---
        for i in range(N):
            phone.inject("+62812999%05d" % (i % 50), "pesan warga nomor %d" % i, location=1000 + i)
        poll(lambda: sql(box.db, "SELECT count(*) FROM inbox WHERE action IS NOT NULL")[0][0] >= N + 1,
             timeout=300, what="the box to store and route %d SMS" % N)
        poll(lambda: sql(box.db, "SELECT count(*) FROM uplink_out WHERE kind = 'sms'")[0][0] >= N + 1,
             timeout=30, what="the box to queue every SMS for the hub")
        poll(lambda: box.ctl("status")["uplink"]["backlog"] >= N, what="status to show the backlog")
        st = box.ctl("status")
        check(st["uplink"]["state"] == "offline" and st["uplink"]["offline_since"],
              "offline since a time: %r" % st["uplink"])
        check(sql(hub.db, "SELECT count(*) FROM hub_records")[0][0] == 0, "nothing at the hub yet")

        broker.start()
        want = N + 2   # the DAFTAR and the N messages are SMS; the local broadcast is not a record
        poll(lambda: sql(hub.db, "SELECT count(*) FROM hub_records WHERE kind = 'sms'")[0][0] >= want - 1,
             timeout=120, what="the hub to get every record")
        rows = sql(hub.db, "SELECT seq, body FROM hub_records WHERE box = ? AND lane = 'bulk' ORDER BY id", (BOX,))
        seqs = [r[0] for r in rows]
        check(seqs == list(range(1, len(seqs) + 1)), "records arrive once each, in seq order (first %r)" % seqs[:10])
        texts = [r[1] for r in rows if "pesan warga nomor" in r[1]]
        check(len(texts) == N, "exactly %d SMS records at the hub, got %d" % (N, len(texts)))
        check(all("****" in t and "+62812999" not in t for t in texts), "numbers leave the box masked")
        poll(lambda: sql(box.db, "SELECT count(*) FROM uplink_out")[0][0] == 0, timeout=30,
             what="the box to drop what the hub acknowledged")
        poll(lambda: box.ctl("status")["uplink"]["state"] == "online", what="status to show the uplink online")
        def metrics():
            return urllib.request.urlopen(urllib.request.Request(
                "http://127.0.0.1:%d/metrics" % http_port, headers={"Authorization": "Bearer tok"}),
                timeout=10).read().decode()
        poll(lambda: "\nkentongan_uplink_up 1\n" in metrics() and "\nkentongan_uplink_backlog 0\n" in metrics(),
             what="/metrics to show the uplink up with no backlog")
        bx = poll(lambda: hub.box_at_hub(BOX), what="the box in 'kentongan boxes'")
        check(bx["state"] == "online" and bx["areas"] == [VILLAGE] and bx["subscribers"] == 1, "boxes: %r" % bx)
        # a restart of the box sends nothing twice
        box.stop()
        box.start()
        poll(lambda: box.ctl("status")["uplink"]["state"] == "online", what="the box to reconnect")
        n = sql(hub.db, "SELECT count(*) FROM hub_records")[0][0]
        check(n == len(rows), "no record twice after a restart (%d vs %d)" % (n, len(rows)))

        # a box restored from a backup must not reuse numbers the hub already has
        box.stop()
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(box.db + ext):
                shutil.copy(box.db + ext, os.path.join(up.root, "backup.db" + ext))
        box.start()
        for i in range(3):
            phone.inject("+6281377700%02d" % i, "setelah cadangan %d" % i, location=5000 + i)
        poll(lambda: sql(hub.db, "SELECT count(*) FROM hub_records WHERE body LIKE '%setelah cadangan%'")[0][0] == 3,
             timeout=60, what="3 more records at the hub")
        box.stop()
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(box.db + ext):
                os.unlink(box.db + ext)
            if os.path.exists(os.path.join(up.root, "backup.db" + ext)):
                shutil.copy(os.path.join(up.root, "backup.db" + ext), box.db + ext)
        box.start()
        for i in range(2):
            phone.inject("+6281388800%02d" % i, "sesudah pemulihan %d" % i, location=6000 + i)
        poll(lambda: sql(hub.db, "SELECT count(*) FROM hub_records WHERE body LIKE '%sesudah pemulihan%'")[0][0] == 2,
             timeout=60, what="records made after a restore to reach the hub (new epoch)")
        check(len(set(r[0] for r in sql(hub.db, "SELECT epoch FROM hub_records WHERE box = ?", (BOX,)))) == 2,
              "the restored box started a new epoch")
        print("ok: %d SMS at the hub exactly once, in order; box worked offline; restore starts a new epoch" % N)


if __name__ == "__main__":
    main()
