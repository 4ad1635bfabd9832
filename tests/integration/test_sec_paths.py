#!/usr/bin/env python3
"""Security review finding 5: a config typo must not destroy the database or other files.
`control` or `lockfile` naming the database (directly, through a symbolic link to its directory,
or its -wal file) is refused by `kentongand -n` and at start; `control` naming an existing file
that is not a socket, and a `lockfile` that is a symbolic link or holds anything but a pid, are
refused at start; each file is left exactly as it was."""
import hashlib
import os
import subprocess

from kt import KENTONGAND, Gateway, check, run

BASE = "[gateway]\ndatabase = var/kentongan.db\nareas = 1671\n"


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    with Gateway(name="sec-paths") as gw:
        gw.start()
        gw.ctl("subscriber", "add", "081234567890", "--area", "1671", ok=False)
        gw.stop()
        db = gw.db
        before = digest(db)
        os.symlink("var", os.path.join(gw.dir, "alias"))
        notes = os.path.join(gw.dir, "notes.txt")
        with open(notes, "w") as f:
            f.write("catatan rapat\n")

        def conf(extra):
            with open(gw.conf, "w") as f:
                f.write(BASE + extra)

        def start():
            return subprocess.run([KENTONGAND, "-d", "-c", gw.conf], capture_output=True, text=True,
                                  cwd=gw.dir, timeout=30)

        # collisions: refused by -n and at start
        for extra, what in (("control = var/kentongan.db\n", "control and database"),
                            ("control = var/kentongan.sock\nlockfile = var/kentongan.db\n", "lockfile and database"),
                            ("control = alias/kentongan.db\n", "control and database through a link"),
                            ("control = var/kentongan.db-wal\n", "control and the -wal file"),
                            ("control = kentongan.conf\n", "control and the config"),
                            ("control = var/x.sock\nlockfile = var/x.sock\n", "control and lockfile")):
            conf(extra)
            r = run([KENTONGAND, "-n", "-c", gw.conf])
            check(r.returncode == 1 and "same file" in r.stderr, "-n accepts %s: %r %r" % (what, r.stdout, r.stderr))
            if "kentongan.conf" not in extra:
                r = start()
                check(r.returncode == 1 and "same file" in r.stderr, "start accepts %s: %r" % (what, r.stderr))
            check(digest(db) == before, "the database changed (%s)" % what)
        print("ok: colliding paths refused by -n and at start")

        # a control path naming an ordinary file: not removed
        conf("control = notes.txt\n")
        r = start()
        check(r.returncode == 1 and "not a socket" in r.stderr, "control = a file: %r" % r.stderr)
        check(open(notes).read() == "catatan rapat\n", "notes.txt was touched")

        # lock files that are not ours: a text, a symbolic link
        conf("control = var/kentongan.sock\nlockfile = notes.txt\n")
        r = start()
        check(r.returncode == 1 and "lockfile" in r.stderr, "lockfile = a text file: %r" % r.stderr)
        check(open(notes).read() == "catatan rapat\n", "notes.txt was truncated")
        os.symlink("notes.txt", os.path.join(gw.dir, "link.lock"))
        conf("control = var/kentongan.sock\nlockfile = link.lock\n")
        r = start()
        check(r.returncode == 1 and "symbolic link" in r.stderr, "lockfile = a link: %r" % r.stderr)
        check(open(notes).read() == "catatan rapat\n", "notes.txt was truncated through the link")
        check(digest(db) == before, "the database changed")

        # the ordinary case still works: a stale lock holding a pid and a stale socket are reused
        gw.write_conf()
        with open(db + ".lock", "w") as f:
            f.write("99999\n")
        gw.start()
        check(gw.ctl("status") is not None, "the daemon starts with a stale lock file")
        gw.kill9()
        gw.start()
        check(gw.ctl("status") is not None, "the daemon starts over its stale socket")
        gw.stop()
        print("ok")


main()
