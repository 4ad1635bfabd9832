#!/usr/bin/env python3
"""Storage faults through the failing SQLite VFS (store/store_fault.c, KT_FAULT_VFS): while the
store's writes (or fsyncs, or truncates) fail, the daemon refuses new work with one clear log line,
keeps running, deletes nothing from a modem it could not commit, and resumes by itself when the
fault clears (tests/fault/storefault.py has the scenario). Also: a store that fails from the first
write makes the daemon refuse to start with a message, and a malformed KT_FAULT_VFS is reported.

KT_FAULT_OPS: the operations to fail, one phase each (default "write"; make torture: all three).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))
import faultlib as fl  # noqa: E402
import storefault  # noqa: E402
from faultlib import check  # noqa: E402


def startup_refused():
    gw = fl.kt.Gateway(name="kt-fault-start")
    try:
        gw.start(env={"KT_FAULT_VFS": "write"}, wait=False)
        rc = gw.wait_exit(20)
        log = open(gw.log, errors="replace").read()
        check(rc == 1, "a store that cannot be written: the daemon exits 1, not %s" % rc)
        check("kentongand:" in log and ("disk I/O error" in log or "I/O" in log),
              "the start-up failure names the store error: %r" % log[-400:])
        print("ok  start-up on an unwritable store refused: %s" % [l for l in log.splitlines()
                                                                    if l.startswith("kentongand:")][-1])
    finally:
        gw.cleanup()


def main():
    ops = os.environ.get("KT_FAULT_OPS", "write").split()
    try:
        startup_refused()
        for op in ops:
            gw, phone = storefault.new_gateway("kt-fault-vfs-" + op)
            flag = os.path.join(gw.dir, "fault-on")
            try:
                gw.start(env={"KT_FAULT_VFS": "%s:while=%s" % (op, flag)})
                fl.poll(lambda: gw.ctl("status")["modems"][0]["state"] == "ready", 20, "the modem ready")
                took = storefault.run(gw, phone, lambda: open(flag, "w").close(), lambda: os.unlink(flag),
                                      "vfs-" + op)
                check("fault: vfs op=%s injected" % op in open(gw.log).read(), "the fault was injected")
                rc = gw.stop()
                check(rc == 0, "the daemon stopped cleanly after the fault: %s" % rc)
                print("ok  %s faults: refused, nothing deleted, resumed %.1fs after the fault cleared" % (op, took))
            finally:
                gw.cleanup()
    finally:
        fl.cleanup_template()
    print("all ok")


if __name__ == "__main__":
    main()
