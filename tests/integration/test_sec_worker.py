#!/usr/bin/env python3
"""Security review finding 9 against the real daemon on modemsim: once connected, a modem worker
started as root runs as the unprivileged user (kentongan, else nobody) under a seccomp filter
(/proc shows Seccomp 2 and NoNewPrivs), still receives and sends; a forbidden system call kills it
(KT_WORKER_FORBIDDEN=exec:FILE, debug builds: the next worker calls execve(2) once) and the daemon
says so and respawns it, and the modem works again."""
import os
import pwd

from kt import Gateway, ModemSim, check, poll, run


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def worker_pid(gw):
    """The daemon's child that is a modem worker (not socat, which is the worker's child)."""
    kids = [int(p) for p in run(["pgrep", "-P", str(gw.proc.pid)]).stdout.split()]
    return kids[0] if kids else None


def main():
    with Gateway(name="sec-worker", areas="16") as gw:
        sim = ModemSim(gw.dir, "m1")
        flag = os.path.join(gw.dir, "forbidden-once")
        try:
            gw.write_conf(modems=sim.section())
            gw.import_areas()
            gw.start()
            poll(lambda: gw.ctl("status")["modems"][0]["state"] == "ready", 30, "the modem ready")
            pid = poll(lambda: worker_pid(gw), 10, "the worker process")
            st = poll(lambda: proc_status(pid) if proc_status(pid).get("Seccomp") == "2" else None, 10,
                      "the worker confined")
            check(st.get("NoNewPrivs") == "1", "no_new_privs set: %r" % st.get("NoNewPrivs"))
            if os.geteuid() == 0:
                try:
                    want = pwd.getpwnam("kentongan").pw_uid
                except KeyError:
                    want = pwd.getpwnam("nobody").pw_uid
                uids = st["Uid"].split()
                check(all(int(u) == want for u in uids), "the worker dropped root: Uid %r, want %d" % (uids, want))
                check(st["CapEff"] == "0000000000000000", "no capabilities left: %r" % st["CapEff"])
                print("ok: worker pid %d runs as uid %d under seccomp" % (pid, want))
            else:
                print("ok: worker pid %d under seccomp (not root: no user to drop to)" % pid)

            # a confined worker still receives and sends
            sim.ctl("sms", "+6281234567890", "DAFTAR 1671081001")
            poll(lambda: any(m.get("action") for m in gw.ctl("inbox")), 30, "the SMS received and routed")
            poll(lambda: sim.sent(), 30, "the reply sent through the confined worker")
            gw.stop()

            # a forbidden call kills the worker; the daemon reports it and respawns a working one
            open(flag, "w").close()
            gw.start(env={"KT_WORKER_FORBIDDEN": "exec:" + flag})
            m = poll(lambda: [x for x in gw.ctl("status")["modems"] if x["restarts"] >= 1
                              and x["state"] == "ready"], 40, "the worker killed and respawned")[0]
            check(not os.path.exists(flag), "the knob was used")
            with open(gw.log) as f:
                log = f.read()
            check("event=worker-seccomp" in log, "the daemon says why the worker died:\n%s" % gw.logtail())
            check("worker-lost" in log and ("signal=31" in log or "event=worker-seccomp" in log),
                  "the loss is logged:\n%s" % gw.logtail())
            check(m["restarts"] >= 1, "status counts the restart: %r" % m)
            before = len(sim.sent())
            sim.ctl("sms", "+6281234567891", "DAFTAR 1671081001")
            poll(lambda: len(sim.sent()) > before, 30, "the respawned worker sends again")
            print("ok")
        finally:
            sim.stop()


main()
