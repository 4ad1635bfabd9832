#!/usr/bin/env python3
"""Retention through the real daemon: a broadcast to two villages, received SMS (one a LAPOR post)
and console changes age past keep_inbox/keep_outbox/keep_audit (the daemon is restarted with its
clock KT_TIME_OFFSET days ahead); the old rows are deleted in small batches (KT_RETENTION_BATCH=3)
while the announcement's counts and its per-area reach stay exactly as they were, posts stay, new
rows stay, and queued rows are never touched. Until new traffic arrives after the jump nothing is
deleted: the cut never passes the newest row's time (a clock that leapt years ahead must not empty
the database)."""
import sqlite3

from kt import Gateway, ModemSim, check, poll

V1, V2 = "1671011001", "1671011002"
N1, N2 = 7, 5
DAY = 86400


def counts(db):
    c = sqlite3.connect(db)
    r = {t: c.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
         for t in ("inbox", "outbox", "audit", "posts", "announcement_reach")}
    c.close()
    return r


def main():
    with Gateway(name="kt-retention", areas="16") as g:
        sims = [ModemSim(g.dir, "k%d" % i) for i in range(2)]
        g.write_conf(modems="".join(s.section() for s in sims),
                     extra="keep_inbox = 30d\nkeep_outbox = 30d\nkeep_audit = 60d\n")
        g.import_areas()
        g.import_subscribers([("0812%08d" % (60000000 + i), V1) for i in range(N1)] +
                             [("0812%08d" % (61000000 + i), V2) for i in range(N2)])
        g.start()
        g.wait_ready(what="modems ready")
        a = g.ctl("broadcast", "--area", V1, "--area", V2, "Posyandu besok jam 8.")
        sims[0].ctl("sms", "+6281277770001", "LAPOR lampu jalan mati")
        sims[1].ctl("sms", "+6281277770002", "halo")
        g.ctl("subscriber", "add", "081277770003", "--area", V1, fmt="text")
        poll(lambda: (lambda x: x if x["queued"] == 0 and x["sending"] == 0 else None)(
            g.ctl("announcement", a["id"])), timeout=60, what="the broadcast to finish")
        poll(lambda: len(g.ctl("inbox")) == 2 and all(m["action"] for m in g.ctl("inbox")), timeout=20,
             what="both SMS routed")
        # a far-future scheduled broadcast stays queued: never deleted
        later = g.ctl("broadcast", "--area", V2, "--at", "+365d", "Rapat tahunan.")
        before = g.ctl("announcement", a["id"])
        check(before["sent"] + before["delivered"] == N1 + N2, "sent before: %r" % before)
        per_area_before = {x["area"]: (x["recipients"], x["sent"] + x["delivered"]) for x in before["per_area"]}
        posts_before = g.ctl("posts")
        check(g.stop() == 0, "clean stop")
        old = counts(g.db)
        check(old["outbox"] >= N1 + N2 + N2 and old["audit"] > 0 and old["posts"] == 1, "before: %r" % old)

        # 100 days later
        env = {"KT_TIME_OFFSET": str(100 * DAY), "KT_RETENTION_S": "1", "KT_RETENTION_BATCH": "3"}
        for s in sims:   # the network agrees (else the daemon would take the network's time)
            s.ctl("clock", "skew", str(100 * DAY))
        g.start(env=env)
        poll(lambda: g.ctl("status")["retention"]["last_pass"], timeout=20, what="a first retention pass")
        st = g.ctl("status")["retention"]
        check(st["deleted_inbox"] == st["deleted_outbox"] == st["deleted_audit"] == 0,
              "nothing deleted before new rows show the clock is real: %r" % st)
        # new traffic at the new time
        sims[0].ctl("sms", "+6281277770004", "INFO")
        g.ctl("subscriber", "add", "081277770005", "--area", V2, fmt="text")
        poll(lambda: counts(g.db)["inbox"] == 1, timeout=30, what="old inbox rows deleted")
        poll(lambda: counts(g.db)["audit"] <= 2, timeout=30, what="old audit rows deleted")
        poll(lambda: g.ctl("status")["retention"]["deleted_outbox"] >= N1 + N2, timeout=30,
             what="old outbox rows deleted")
        st = g.ctl("status")["retention"]
        check(st["batches"] > 5, "deleted in small batches: %r" % st)
        now = counts(g.db)
        print("before: %r; after: %r; status: %r" % (old, now, st))
        after = g.ctl("announcement", a["id"])
        for k in ("recipients", "sent", "delivered", "failed", "queued"):
            check(after[k] == before[k], "announcement %s kept: %r -> %r" % (k, before[k], after[k]))
        per_area_after = {x["area"]: (x["recipients"], x["sent"] + x["delivered"]) for x in after["per_area"]}
        check(per_area_after == per_area_before, "per-area reach kept: %r -> %r" % (per_area_before, per_area_after))
        lst = {x["id"]: x for x in g.ctl("announcements")}
        check(lst[a["id"]]["sent"] + lst[a["id"]]["delivered"] == N1 + N2, "listing counts kept: %r" % lst[a["id"]])
        check(g.ctl("posts") == posts_before, "posts kept")
        check([m["text"] for m in g.ctl("inbox")] == ["INFO"], "the new SMS stays: %r" % g.ctl("inbox"))
        queued = g.ctl("outbox", "--status", "queued")
        check(len(queued) == N2 and all(q["announcement"] == later["id"] for q in queued),
              "the scheduled broadcast's queued rows stay: %d" % len(queued))
        r = g.console("status")
        check("retention: inbox 30d, outbox 30d, audit 60d" in r.stdout, "text status: %r" % r.stdout)
        check(g.stop() == 0, "clean stop")
        for s in sims:
            s.stop()
    print("ok")


if __name__ == "__main__":
    main()
