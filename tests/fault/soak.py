#!/usr/bin/env python3
"""soak — make soak (not in CI): SOAK_MINUTES (default 30) of mixed load on a gateway with two
modemsim modems, with about 1% of seconds bringing a random modem fault (a temporary send error,
a 10 s hang, a 2 s disconnect, 10 s of line noise). The daemon's RSS and open file descriptors are
sampled every SOAK_SAMPLE_S (default 60) seconds and must stay flat after the first sample (RSS
within max(2 MB, 15%), fds within 2); at the end the gateway must drain and the invariants of
faultlib hold. Prints one line per sample and a one-line verdict with the figures; exits 1 on a
failed verdict."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from faultlib import kt  # noqa: E402

rss_kb = kt.proc_kb


def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def workers(pid):
    return [c for c, (pp, _cmd) in kt.procs().items() if pp == pid and "kentongand" in _cmd]


def main():
    minutes = kt.knob("SOAK_MINUTES", 30.0)
    sample_s = kt.knob("SOAK_SAMPLE_S", 60.0)
    fault_p = kt.knob("SOAK_FAULT_RATE", 0.01)
    seed, rng = kt.seeded("SOAK_SEED")
    print("soak: %.0f min, sample every %.0fs, fault rate %.2f%%/s, seed %d" % (minutes, sample_s,
                                                                                fault_p * 100, seed))
    sc = fl.Scenario(nsubs=10, name="kt-soak", modem_extra="command_timeout = 5\n")
    samples, faults, cleared = [], {}, []
    ok, why = True, []
    t0 = time.monotonic()
    try:
        sc.start()
        sc.wait_ready()
        pid = sc.gw.proc.pid
        next_sample = t0
        next_bcast = t0 + 5
        while time.monotonic() - t0 < minutes * 60:
            now = time.monotonic()
            if now >= next_sample:
                ws = workers(pid)
                s = (round((now - t0) / 60, 1), rss_kb(pid), nfds(pid), sum(rss_kb(w) for w in ws if os.path.exists(
                    "/proc/%d" % w)))
                samples.append(s)
                print("  t=%5.1f min  daemon rss=%6d kB  fds=%3d  workers rss=%6d kB  inbox=%d  faults=%d" % (
                    s[0], s[1], s[2], s[3], len(sc.injected), sum(faults.values())), flush=True)
                next_sample += sample_s
            # load: an SMS every ~2 s, a broadcast every ~minute
            sc.round += 1
            if rng.random() < 0.5:
                sc.inject(1, tag="s%d" % sc.round)
            if now >= next_bcast:
                sc.broadcast("Siaran soak %d: jadwal posyandu" % sc.round)
                next_bcast = now + 60
            # faults, then clear the timed ones
            for when, sim, what in list(cleared):
                if now >= when:
                    sim.ctl("fault", what, "off")
                    cleared.remove((when, sim, what))
            if rng.random() < fault_p:
                sim = rng.choice(sc.sims)
                kind = rng.choice(["cms-error", "hang", "disconnect", "noise"])
                if any(c[1] is sim for c in cleared):
                    kind = "cms-error"
                if kind == "cms-error":
                    sim.ctl("fault", "cms-error", "500", "1")
                elif kind == "hang":
                    sim.ctl("fault", "hang", "on")
                    cleared.append((now + 10, sim, "hang"))
                    sc.crashes += 1
                elif kind == "disconnect":
                    sim.ctl("fault", "disconnect", "2")
                    sc.crashes += 1
                else:
                    sim.ctl("fault", "noise", "on")
                    cleared.append((now + 10, sim, "noise"))
                faults[kind] = faults.get(kind, 0) + 1
            time.sleep(1.0)  # the load's pace (an SMS every ~2 s), not a wait for a condition
        for _when, sim, what in cleared:
            sim.ctl("fault", what, "off")
        if sc.gw.proc.poll() is not None:
            ok = False
            why.append("the daemon died (exit %s)" % sc.gw.proc.returncode)
        else:
            drain = sc.wait_quiet(600)
            res = sc.check("soak")
            base = samples[1] if len(samples) > 2 else samples[0]
            last = samples[-1]
            rss_growth = last[1] - base[1]
            if rss_growth > max(2048, base[1] * 0.15):
                ok = False
                why.append("RSS grew %d kB" % rss_growth)
            if last[2] - base[2] > 2:
                ok = False
                why.append("fds grew %d" % (last[2] - base[2]))
            sc.stop()
    except SystemExit:
        ok = False
        why.append("a check failed (above)")
        raise
    finally:
        sc.cleanup()
        fl.cleanup_template()
        if samples:
            base = samples[1] if len(samples) > 2 else samples[0]
            print("soak: %s  %.0f min, %d SMS in, %s, faults %s; daemon RSS %.1f -> %.1f MB (max %.1f), fds %d -> %d "
                  "(max %d), workers RSS %.1f -> %.1f MB%s" % (
                      "PASS" if ok else "FAIL", (time.monotonic() - t0) / 60, len(sc.injected),
                      "%d out (%d duplicates), drained in %.0fs" % (res["outbox"], res["duplicates"], drain)
                      if ok else "-", dict(faults) or "none",
                      base[1] / 1024, samples[-1][1] / 1024, max(s[1] for s in samples) / 1024,
                      base[2], samples[-1][2], max(s[2] for s in samples), base[3] / 1024, samples[-1][3] / 1024,
                      "" if ok else "  (" + "; ".join(why) + ")"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
