#!/usr/bin/env python3
"""kill -9 during a 2,000-recipient broadcast on two dummy phones, then restart: every recipient is
served, and only messages that were on a modem at the instant of the crash may have been handed
over twice (the scheduler keeps at most 2 in flight per modem). The outbox's `attempts` column
counts hand-overs to a modem, the only way a message leaves, so it bounds duplicates."""
import os
import sqlite3

import collections

from kt import DummyPhone, Gateway, ModemSim, WILAYAH, check, poll

N = 2000
INFLIGHT_PER_MODEM = 2


def on_modemsim(n=int(os.environ.get("KT_CRASH_RECIPIENTS", "120")), k=4):
    """The same on k simulated modems, whose JSON logs show what really left: every recipient at
    least once, and at most one duplicate per modem (the message on it at the crash)."""
    with Gateway(name="kt-bcrash-ms", areas="16") as g:
        sims = [ModemSim(g.dir, "m%d" % i) for i in range(k)]
        g.write_conf(modems="".join(s.section() for s in sims))
        g.import_areas()
        g.import_subscribers(("0812%08d" % (40000000 + i), "1671011001") for i in range(n))
        g.start()
        g.wait_ready(what="modems ready")
        text = "Simulasi kill -9 saat siaran."
        a = g.ctl("broadcast", "--area", "1671", text)

        def sent_parts():
            return [p for s in sims for p in s.sent() if p["text"] == text]
        poll(lambda: len(sent_parts()) >= n // 3, timeout=120, what="a third sent")
        g.kill9()
        at_crash = len(sent_parts())
        g.start()
        poll(lambda: len({p["to"] for p in sent_parts()}) == n, timeout=240, what="every recipient served")
        poll(lambda: g.ctl("announcement", a["id"])["sent"] == n, timeout=30, what="the store to agree")
        counts = collections.Counter(p["to"] for p in sent_parts())
        dups = sum(c - 1 for c in counts.values())
        print("modemsim: %d of %d sent at the crash; duplicates after restart: %d (at most %d allowed)" % (
            at_crash, n, dups, k))
        check(dups <= k, "%d duplicates: more than one per modem" % dups)
        for s in sims:
            s.stop()
        g.stop()


def main():
    on_modemsim()
    with Gateway(name="kt-bcrash", areas="16") as g:
        p1, p2 = DummyPhone(g.dir, "p1"), DummyPhone(g.dir, "p2")
        g.write_conf(modems=p1.section("d1") + p2.section("d2"))
        g.import_areas()
        import csv
        villages = [r[0] for r in csv.reader(open(os.path.join(WILAYAH, "villages.csv"))) if r[0].startswith("1671")]
        res = g.import_subscribers(("0812%08d" % (30000000 + i), villages[i % len(villages)]) for i in range(N))
        check(res["imported"] == N and res["rejected"] == 0, "import: %r" % res)
        g.start()
        g.wait_ready(20, "modems ready")
        a = g.ctl("broadcast", "--area", "1671", "Latihan evakuasi tsunami besok pagi.")
        check(a["recipients"] == N, "recipients: %r" % a)

        def progress():
            p = g.ctl("announcement", a["id"], "--progress", fmt="text")
            return dict(kv.split("=") for kv in p.split())
        # crash while it is going out
        poll(lambda: int(progress()["sent"]) >= N // 4, timeout=60, what="a quarter sent")
        g.kill9()
        db = sqlite3.connect(g.db)
        mid = dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
        db.close()
        check(mid.get("sent", 0) < N, "the crash came mid-broadcast: %r" % mid)
        g.start()
        poll(lambda: int(progress()["sent"]) == N, timeout=120, what="every recipient served after restart")
        db = sqlite3.connect(g.db)
        twice = db.execute("SELECT count(*) FROM outbox WHERE attempts > 1").fetchone()[0]
        never = db.execute("SELECT count(*) FROM outbox WHERE status <> 'sent'").fetchone()[0]
        nums = db.execute("SELECT count(DISTINCT number), count(*) FROM outbox").fetchone()
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
        print("at the crash: %r; handed over twice: %d" % (mid, twice))
        check(never == 0, "%d recipients not served" % never)
        check(nums == (N, N), "one row per recipient: %r" % (nums,))
        check(twice <= 2 * INFLIGHT_PER_MODEM, "%d messages handed over twice (at most %d were in flight)" %
              (twice, 2 * INFLIGHT_PER_MODEM))
        check(twice == mid.get("sending", 0), "exactly the rows that were 'sending' at the crash were retried "
              "(%d vs %d)" % (twice, mid.get("sending", 0)))
        check(ok == "ok", "integrity: %s" % ok)
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
