#!/usr/bin/env python3
"""Crash points (issue 5, SPEC §6): for each named point the daemon (or a modem worker) aborts
right after that step while a small scenario runs on two modemsim modems — SMS arriving, a
broadcast fanning out, replies and announcements being sent. The daemon is then restarted
without the crash and, once quiet, the store and modemsim's logs are checked: no received SMS lost
or stored twice, every recipient served, duplicates only within the in-flight bound,
PRAGMA integrity_check ok. A worker crash must leave the daemon running (it respawns the worker);
the test then cuts the power (kill -9) to also cover a crash of both.

Migration: the daemon aborts inside each migration's transaction in turn; the restart finishes
the schema. KT_CRASH_POINTS=a,b limits the points (tools/torture.sh runs each several times).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))
import faultlib as fl  # noqa: E402
from faultlib import check, poll  # noqa: E402

# point -> (process, KT_CRASH_AFTER): skip a few hits so the crash lands mid-work
POINTS = [
    ("modem-read", "worker", 0),
    ("inbox-commit", "daemon", 1),
    ("sim-delete", "worker", 0),
    ("sched-claim", "daemon", 3),
    ("send-handover", "worker", 2),
    ("send-reference", "daemon", 2),
    ("broadcast-fanout", "daemon", 0),
]


def crash_at(point, proc, after):
    t0 = time.monotonic()
    sc = fl.Scenario(name="kt-crash-" + point)
    try:
        sc.start(env={"KT_CRASH": point, "KT_CRASH_AFTER": str(after)})
        sc.wait_ready()
        sc.round += 1
        # the broadcast first: the daemon may die under the SMS that follow
        sc.broadcast(expect_ok=False)
        sc.inject(4)
        if proc == "daemon":
            rc = sc.crashed(30)
            check(rc != 0, "%s: the daemon exited %s, expected an abort" % (point, rc))
        else:
            poll(lambda: sc.crash_lines(point) > 0, 30, "the worker to crash at %s" % point)
            # a worker crash is a libGammu crash: the daemon lives on and answers
            check(sc.gw.proc.poll() is None, "%s: the daemon died with its worker" % point)
            check(sc.gw.ctl_rc("status") == 0, "%s: the daemon does not answer after a worker crash" % point)
            sc.kill9()
            # each worker crash also interrupted what that worker had in flight
            sc.crashes += sc.crash_lines(point)
        check(sc.crash_lines(point) > 0, "%s: no 'crash point=%s' line in the log" % (point, point))
        sc.start()
        sc.resolve()
        # 120 s, not 60: a helper (socat) of a worker of the crashed daemon can still hold the modem's
        # pty for a moment and eat the first replies to the new worker, whose connect then waits out
        # libGammu's timeout (~50 s) and is retried; the invariants below are what is asserted
        took = sc.wait_quiet(120)
        res = sc.check("crash at %s" % point)
        print("ok  %-16s %-6s after=%d  recovered in %.1fs  inbox=%d outbox=%d duplicates=%d  (%.1fs)" % (
            point, proc, after, took, res["inbox"], res["outbox"], res["duplicates"], time.monotonic() - t0))
        sc.stop()
    finally:
        sc.cleanup()


def migrations():
    """Aborts inside each migration in turn (KT_CRASH_AFTER=k for k = 0, 1, … until the daemon
    starts without reaching the point): each crash leaves the schema at a complete earlier
    version, and every restart finishes it. The count comes from the binary, not the source tree."""
    gw = fl.kt.Gateway(name="kt-crash-migration")
    try:
        def fresh():
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(gw.db + suffix)
                except FileNotFoundError:
                    pass
        fresh()
        gw.start()
        latest = fl.db_query(gw.db, "PRAGMA user_version")[0][0]
        gw.stop()
        check(latest > 0, "a fresh database is migrated (user_version %d)" % latest)
        prev, k = 0, 0
        while True:
            fresh()
            gw.start(env={"KT_CRASH": "migration", "KT_CRASH_AFTER": str(k)}, wait=False)
            fl.poll(lambda: gw.proc.poll() is not None or gw.ctl_rc("status") == 0, 30,
                    "the daemon to crash in migration %d or start" % (k + 1))
            if gw.proc.poll() is None:
                gw.stop()
                break  # past the last migration
            gw.wait_exit(10)    # (it has already crashed)
            got = fl.db_query(gw.db, "PRAGMA user_version")[0][0]
            check(got < latest and (k == 0 and got == 0 or got > prev),
                  "after a crash in migration %d the schema is at %d (previous crash: %d, latest %d)" % (
                      k + 1, got, prev, latest))
            prev = got
            gw.start()
            got = fl.db_query(gw.db, "PRAGMA user_version")[0][0]
            check(got == latest, "after the restart the schema is at %d, want %d" % (got, latest))
            check(fl.db_query(gw.db, "PRAGMA integrity_check") == [("ok",)], "integrity after migration crash")
            check(gw.ctl_rc("status") == 0, "the daemon answers after a crash in migration %d" % (k + 1))
            gw.stop()
            k += 1
            check(k < 50, "the migration crash point keeps firing")
        check(k > 0, "the migration crash point never fired")
        print("ok  migration: a crash inside each of %d migrations, each restart completed the schema (v%d)" %
              (k, latest))
    finally:
        gw.cleanup()


def main():
    want = [p for p in os.environ.get("KT_CRASH_POINTS", "").split(",") if p]
    t0 = time.monotonic()
    try:
        for point, proc, after in POINTS:
            if not want or point in want:
                crash_at(point, proc, after)
        if not want or "migration" in want:
            migrations()
    finally:
        fl.cleanup_template()
    print("all ok (%.1fs)" % (time.monotonic() - t0))


if __name__ == "__main__":
    main()
