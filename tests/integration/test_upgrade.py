#!/usr/bin/env python3
"""Upgrades keep data. For every schema version before the latest, a database is built here from
store/migrations/*.sql (the SQL of that version, nothing from the program), two rows are put in
every table it has, and the real daemon is started on it: it migrates to the latest version and
every row is still there with the values it had (columns the migrations kept), the console lists
them, and the integrity check passes. Known, documented losses are listed in DROPPED.
Then a full disk during the migration (KT_FAULT_VFS write faults with SQLITE_FULL after N writes,
for several N): the daemon refuses to start with a message naming the disk, the database is left
at its old version, sound and complete, and the next start without the fault migrates it."""
import glob
import os
import re
import sqlite3
import time

from kt import TOP, Gateway, check, poll, run, KENTONGAN

NOW = int(time.time())
MIGRATIONS = sorted(glob.glob(os.path.join(TOP, "store", "migrations", "*.sql")))
# (version, table): rows a migration drops by design. 0003 re-created inbox_parts with a new
# de-duplication key; parts of a long message still waiting for a sibling at that upgrade are lost
# (they were already deleted from the SIM). Shipped before this test; noted in the README.
DROPPED = {(3, "inbox_parts")}

# values for columns with rules (CHECKs, JSON, references); other columns get generic values
KNOWN = {
    "areas": {"code": ["16", "1671"], "name": ["SUMATERA SELATAN", "KOTA PALEMBANG"],
              "norm": ["sumateraselatan", "kotapalembang"], "level": [1, 2], "parent": [None, "16"]},
    "subscribers": {"id": [1, 2], "number": ["+6281200000001", "+6281200000002"], "status": ["active", "stopped"]},
    "subscriptions": {"area": ["1671", "1671"], "subscriber_id": [1, 2]},
    "roles": {"number": ["+6281200000001", "+6281200000009"], "role": ["leader", "official"]},
    "posts": {"status": ["pending", "published"]},
    "inbox": {"action": ["unknown: help sent", "report pending #1"]},   # routed: start-up leaves them
    "outbox": {"kind": ["announcement", "reply"], "status": ["sent", "queued"], "announcement_id": [1, None],
               "number": ["+6281200000001", "+6281200000001"], "not_before": [0, 0], "expires_at": [0, 0]},
    "announcements": {"id": [1, 2], "areas": ['["1671"]', '["16"]'], "priority": [1, 0], "expires_at": [0, 0],
                      "not_before": [0, 0], "state": ["active", "active"], "corrects": [None, None],
                      "approve_by": [0, 0]},
    "web_users": {"id": [1, 2], "role": ["viewer", "admin"]},
    "web_sessions": {"user_id": [1, 2]},
    "announcement_reach": {"announcement_id": [1, 2]},
}


def version_of(path):
    return int(re.match(r"0*(\d+)-", os.path.basename(path)).group(1))


def value(table, col, ctype, i):
    k = KNOWN.get(table, {})
    if col in k:
        return k[col][i]
    if "INT" in ctype.upper():
        # times: now (start-up sweeps expire old choices and long-message parts, and that is
        # not an upgrade's doing); "until" times: a day ahead
        if col.endswith("_at") or col in ("at", "since"):
            return NOW - 60 + i if col != "expires_at" else NOW + 86400
        return i + 1
    return "%s-%s-%d" % (table, col, i)


def build(path, upto):
    db = sqlite3.connect(path)
    for m in MIGRATIONS:
        if version_of(m) <= upto:
            db.executescript(open(m).read())
    db.execute("PRAGMA user_version = %d" % upto)
    seeded = {}
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY rootpage")]
    order = ["areas", "subscribers", "announcements"]   # referenced ones first
    tables.sort(key=lambda t: order.index(t) if t in order else len(order))
    for t in tables:
        cols = [(c[1], c[2]) for c in db.execute("PRAGMA table_info(%s)" % t)]
        have = db.execute("SELECT * FROM %s" % t).fetchall()
        if have:
            # rows the migrations (or their triggers) made: those must be kept as they are
            seeded[t] = [dict(zip([c for c, _ in cols], r)) for r in have]
            continue
        rows = []
        for i in range(2):
            row = {c: value(t, c, ty, i) for c, ty in cols}
            db.execute("INSERT INTO %s (%s) VALUES (%s)" % (t, ", ".join(row), ", ".join("?" * len(row))),
                       list(row.values()))
            rows.append(row)
        seeded[t] = rows
    db.commit()
    db.close()
    return seeded


def still_there(path, seeded, upto):
    db = sqlite3.connect(path)
    missing = []
    for t, rows in seeded.items():
        if any(v > upto and tt == t for v, tt in DROPPED):
            continue
        now = {c[1] for c in db.execute("PRAGMA table_info(%s)" % t)}
        for row in rows:
            keep = {c: v for c, v in row.items() if c in now}
            where = " AND ".join("%s IS ?" % c for c in keep)
            n = db.execute("SELECT count(*) FROM %s WHERE %s" % (t, where), list(keep.values())).fetchone()[0]
            if n != 1:
                missing.append((t, row))
    ok = db.execute("PRAGMA integrity_check").fetchone()[0]
    ver = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    return missing, ok, ver


def main():
    versions = [version_of(m) for m in MIGRATIONS]
    latest = versions[-1]
    for v in versions[:-1]:
        with Gateway(name="kt-upgrade-%d" % v) as g:
            os.makedirs(os.path.dirname(g.db))
            seeded = build(g.db, v)
            g.start()
            missing, ok, ver = still_there(g.db, seeded, v)
            check(ver == latest, "from version %d: migrated to %d, want %d" % (v, ver, latest))
            check(not missing, "from version %d: rows lost: %r" % (v, missing[:3]))
            check(ok == "ok", "from version %d: integrity %s" % (v, ok))
            inbox = g.ctl("inbox")
            check(len(inbox) == 2 and inbox[0]["text"] == "inbox-text-0", "from %d: inbox listing %r" % (v, inbox))
            ann = {a["id"]: a for a in g.ctl("announcements")}
            check(ann[1]["sent"] == 1 and ann[2]["queued"] == 0, "from %d: announcements %r" % (v, ann))
            check(len(g.ctl("subscribers")) == 2, "from %d: subscribers" % v)
            check(g.stop() == 0, "clean stop")
            print("ok  from version %d: %d tables, %d rows kept" % (v, len(seeded), 2 * len(seeded)))

    # a full disk in the middle of the migrations
    first = versions[0]
    results = []
    for after in (0, 3, 10, 30, 100):
        with Gateway(name="kt-upgrade-full") as g:
            os.makedirs(os.path.dirname(g.db))
            seeded = build(g.db, first)
            g.start(env={"KT_FAULT_VFS": "write:after=%d:err=full" % after}, wait=False)
            poll(lambda: g.proc.poll() is not None or "daemon: ready" in open(g.log).read(), timeout=60,
                 what="the daemon to refuse or start")
            if g.proc.poll() is None:   # the fault came after the migrations
                g.kill9()
                results.append((after, "past the migrations"))
                continue
            rc = g.wait_exit(10)    # (it has already stopped)
            missing, ok, ver = still_there(g.db, seeded, first)
            log = open(g.log).read()
            check(rc != 0 and ("full" in log or "disk" in log), "after %d writes: refused with a reason: rc=%s\n%s"
                  % (after, rc, log[-600:]))
            check(ver in versions and ver < latest, "after %d writes: left at a version it had: %d" % (after, ver))
            check(not missing and ok == "ok", "after %d writes: the old database is intact: %r %s" % (after, missing, ok))
            left = ver
            g.start()
            missing, ok, ver = still_there(g.db, seeded, first)
            check(ver == latest and not missing and ok == "ok", "after %d writes: migrated on the next start" % after)
            check(g.stop() == 0, "clean stop")
            r = run([KENTONGAN, "-c", g.conf, "check"])
            check(r.returncode == 0, "after %d writes: 'kentongan check' passes: %r" % (after, r.stderr))
            results.append((after, "refused, left at version %d; migrated on the next start" % left))
    for after, what in results:
        print("ok  full disk after %d writes: %s" % (after, what))
    check(any("refused" in w for _, w in results), "a full disk hit at least one migration")
    print("ok")


if __name__ == "__main__":
    main()
