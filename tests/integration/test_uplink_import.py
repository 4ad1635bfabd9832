#!/usr/bin/env python3
"""Uplink test 4: an alert overtakes a big subscriber import in the downlink. The hub queues
100,000 subscribers (KT_IMPORT_N) for a box in chunks on the cmd lane, then an alert on the alert
lane: the alert's SMS goes out while most of the import still waits, and afterwards every
imported number is subscribed exactly once."""
import os
import time

from kt import Uplink, check, poll, sql

N = int(os.environ.get("KT_IMPORT_N", "100000"))
DISTRICT, V1, V2 = "167101", "1671011001", "1671011002"
BOX = "palembang-1"


def main():
    with Uplink("kt-ulimport-") as up:
        hub, sim, box = up.start_hub_and_box(BOX, DISTRICT)
        box.join_hub(hub, BOX, "081299990001", V2)
        csv = os.path.join(up.root, "members.csv")
        with open(csv, "w") as f:
            f.write("number,area,name\n")
            for i in range(N):
                f.write("+62857%07d,%s,Warga %d\n" % (i, V1, i))
        # the box is offline while the hub queues both: on a fast machine an online box could apply the
        # whole import before the alert is even made; offline, both lanes wait and the alert must go first
        box.stop()
        t0 = time.monotonic()
        out = hub.ctl("box", "import", BOX, csv, fmt="text")
        chunks = (N + 499) // 500
        check("%d subscribers queued in %d commands" % (N, chunks) in out, "import queued: %r" % out)
        b = hub.ctl("broadcast", "--area", V2, "--priority", "alert", "AWAS: angin kencang malam ini")
        check(b["boxes"] == 1, "the alert goes to the box: %r" % b)
        box.start()
        # the cmd lane's progress at the moment the alert's announcement exists at the box
        seen = {}

        def alert_applied():
            rows = sql(box.db, "SELECT (SELECT count(*) FROM announcements), "
                       "(SELECT applied FROM downlink_lanes WHERE lane = 'cmd')")
            if rows[0][0] > 0:
                seen["applied"] = rows[0][1]
                return True
            return False
        poll(alert_applied, timeout=60, what="the alert applied at the box", interval=0.02)
        poll(lambda: [p for p in sim.sent(cut_ok=True) if "angin kencang" in p.get("text", "")], timeout=60,
             what="the alert's SMS")
        t_alert = time.monotonic() - t0
        applied = seen["applied"]
        check(applied < chunks, "the alert overtook the import (%d of %d chunks applied before it)" % (applied, chunks))
        poll(lambda: sql(box.db, "SELECT applied FROM downlink_lanes WHERE lane = 'cmd'")[0][0] == chunks,
             timeout=600, what="the whole import to be applied")
        t_all = time.monotonic() - t0
        n = sql(box.db, "SELECT count(*) FROM subscriptions WHERE area = ?", (V1,))[0][0]
        check(n == N, "every imported number subscribed once: %d of %d" % (n, N))
        poll(lambda: sql(hub.db, "SELECT count(*) FROM hub_down_out")[0][0] == 0, timeout=30,
             what="the hub to drop the acknowledged commands")
        print("ok: alert sent after %.1fs with %d of %d chunks applied; %d subscribers in %.1fs" % (
            t_alert, applied, chunks, N, t_all))


if __name__ == "__main__":
    main()
