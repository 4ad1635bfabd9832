#!/usr/bin/env python3
"""File modes: under a permissive umask (022) the daemon and the console still create the
database, its -wal/-shm, the lock file and its folder unreadable by others (umask 027); files
an older version left world-readable lose that at start; the daemon warns when its configuration
(which may hold the HTTP token) is readable by others, and not when it is not."""
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(__file__))
from kt import DummyPhone, Gateway, check, poll  # noqa: E402


def others(path):
    return stat.S_IMODE(os.stat(path).st_mode) & 0o007


def main():
    os.umask(0o022)
    with Gateway(name="modes") as g:
        phone = DummyPhone(g.dir)
        g.write_conf(modems=phone.section("d1"))
        os.chmod(g.conf, 0o640)

        # the console creates the database while the daemon is stopped
        g.import_areas()
        for f in (g.db, os.path.dirname(g.db)):
            check(others(f) == 0, "%s made by the console: mode %o" % (f, os.stat(f).st_mode))

        g.start()
        phone.inject("+6281234567001", "DAFTAR 1671081001")
        poll(lambda: len(g.ctl("inbox")) == 1, timeout=20, what="the SMS to be stored")
        files = [g.db, g.db + "-wal", g.db + "-shm", g.db + ".lock", os.path.dirname(g.db)]
        for f in files:
            check(os.path.exists(f), "%s exists" % f)
            check(others(f) == 0, "%s: mode %o, readable by others" % (f, stat.S_IMODE(os.stat(f).st_mode)))
        with open(g.log) as f:
            log = f.read()
        check("readable by other users" not in log, "no warning for a 0640 config:\n" + log)
        g.stop()

        # an old world-readable database, and a world-readable config with a token
        for f in (g.db, g.db + ".lock"):
            os.chmod(f, 0o644)
        os.chmod(g.conf, 0o644)
        g.start()
        for f in (g.db, g.db + ".lock", g.db + "-wal", g.db + "-shm"):
            if os.path.exists(f):
                check(others(f) == 0, "%s tightened at start: mode %o" % (f, stat.S_IMODE(os.stat(f).st_mode)))
        with open(g.log) as f:
            log = f.read()
        check("kentongan.conf is readable by other users" in log, "warning for a 0644 config:\n" + log)
        g.stop()
    print("ok")


if __name__ == "__main__":
    main()
