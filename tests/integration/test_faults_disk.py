#!/usr/bin/env python3
"""A real full disk: the database lives on a small tmpfs (mounted on the gateway's var/), which a
filler file then fills to the last byte. The daemon must refuse new work with one clear log line,
keep running, delete nothing from the SIM it could not commit, and resume by itself once the
filler is removed (tests/fault/storefault.py has the scenario). Needs root for the mount: skipped
(exit 0) without it."""
import errno
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))
import faultlib as fl  # noqa: E402
import storefault  # noqa: E402
from faultlib import check  # noqa: E402

SIZE_MB = 24  # the template database with every area is ~10 MB; its WAL grows a few MB


def fill(path):
    """Writes path until the disk is full; returns the bytes written."""
    n = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                n += f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    break
                chunk = chunk[:len(chunk) // 2]
    return n


def main():
    if os.geteuid() != 0:
        print("skipped: mounting a tmpfs needs root")
        return
    mounted = []

    def mount(gw):
        var = os.path.dirname(gw.db)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % SIZE_MB, "tmpfs", var],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("skipped: cannot mount a tmpfs: %s" % r.stderr.strip())
            sys.exit(0)
        mounted.append(var)

    gw = None
    try:
        gw, phone = storefault.new_gateway("kt-fault-disk", before_db=mount)
        filler = os.path.join(os.path.dirname(gw.db), "filler")
        gw.start()
        fl.poll(lambda: gw.ctl("status")["modems"][0]["state"] == "ready", 20, "the modem ready")
        sizes = {}

        def on():
            sizes["filler"] = fill(filler)

        took = storefault.run(gw, phone, on, lambda: os.unlink(filler), "full-disk")
        log = open(gw.log, errors="replace").read()
        check("full" in log, "the log says the disk is full")
        rc = gw.stop()
        check(rc == 0, "the daemon stopped cleanly after the full disk: %s" % rc)
        print("ok  full disk (%d MB tmpfs, filler %.1f MB): refused, nothing deleted, resumed %.1fs after "
              "space was freed" % (SIZE_MB, sizes["filler"] / 1e6, took))
    finally:
        if gw is not None:
            if gw.proc is not None:
                gw.kill9()
        for var in mounted:
            subprocess.run(["umount", "-l", var])
        if gw is not None:
            gw.cleanup()
        fl.cleanup_template()
    print("all ok")


if __name__ == "__main__":
    main()
