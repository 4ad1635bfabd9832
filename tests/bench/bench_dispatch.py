#!/usr/bin/env python3
"""Dispatch-efficiency benchmark (issue 7; printed, never asserted).

For K = 1, 4 and 8 simulated modems (modemsim, 0.5 s per send, all Telkomsel) and N single-part
messages per modem (K x N subscribers, 0812... numbers, one broadcast):
  t1        one modem's per-message time when a bare libGammu loop (build/bench/gammu_send_loop)
            sends back to back on a modemsim with the same latency and the same connection as the
            daemon's (proxyat through socat, model = at); measured just before each K, best of 3
  ideal     N x t1: the makespan of K x N messages on K modems at the bare loop's rate
  makespan  from the console's return of `kentongan broadcast` ("accepted") to the last sent part
            in the modemsims' --sent-log (the PDU's arrival, ISO UTC with ms)
  eff       ideal / makespan (target >= 98%). The sent-log stamps a part when its PDU reaches the
            modem, ~0.5 s before that send completes, so this flatters by about (t1 - bare first) / ideal;
            "eff (same clock)" compares with the bare loop's own timeline instead: its N-th PDU would
            reach the modem at bare first + (N - 1) x t1 after it started
  first     from "accepted" to the first sent part; "bare first" is the same for the bare loop
            (from the start of its first GSM_SendSMS to that PDU's arrival): the driver's floor
  gap       mean interval between consecutive parts on one modem in the daemon run, against t1
            (steady-state efficiency, free of start/end effects)
Environment: BENCH_PER_MODEM=N (default 100), BENCH_K="1,4,8", BENCH_LATENCY_MS=500.
About (0.5 s + libGammu's own ~0.6 s sleeps) x N per K: ~2 minutes each at the defaults."""
import datetime
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from kt import BUILD, Gateway, ModemSim, check, poll  # noqa: E402

N = int(os.environ.get("BENCH_PER_MODEM", "100"))
KS = [int(k) for k in os.environ.get("BENCH_K", "1,4,8").split(",") if k.strip()]
LATENCY = int(os.environ.get("BENCH_LATENCY_MS", "500"))
LOOP = os.path.join(BUILD, "bench", "gammu_send_loop")
TEXT = "Posyandu Melati buka Kamis besok pukul 08.00-11.00 di Balai Dusun II. Bawa buku KIA."
VILLAGES = ["1671011001", "1671011002", "1671011003"]


def ts(iso):
    """modemsim's "time" (ISO UTC with ms) -> epoch seconds."""
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def measure_t1(root, n=8, reps=3):
    """Best per-message time of the bare loop over `reps` runs of n messages, and its best
    first-send latency (start of the first GSM_SendSMS to that PDU at the modem)."""
    sim = ModemSim(root, "bare", latency_ms=LATENCY)
    rc = os.path.join(root, "bare.gammurc")
    with open(rc, "w") as f:
        f.write("[gammu]\nconnection = proxyat\ndevice = socat - %s,rawer\nmodel = at\n" % sim.link)
    best, first = None, None
    try:
        for _ in range(reps):
            before = len(sim.sent())
            p = subprocess.Popen([LOOP, rc, str(n), "+6281200000001", TEXT], stdout=subprocess.PIPE, text=True)
            line = p.stdout.readline()      # "connect_s …": the loop starts now
            t0 = time.time()
            out = line + p.stdout.read()
            p.wait()
            summary = [x for x in out.splitlines() if x.startswith("loop ")]
            check(p.returncode == 0 and summary, "gammu_send_loop failed: %r" % out[-500:])
            f = dict(kv.split("=") for kv in summary[0].split()[1:])
            per = float(f["per_msg_s"])
            best = per if best is None else min(best, per)
            sent = sim.sent()[before:]
            if sent:
                d = ts(sent[0]["time"]) - t0
                first = d if first is None else min(first, d)
    finally:
        sim.stop()
    return best, first


def daemon_run(k, n):
    with Gateway(name="kt-bench-dispatch", areas="1671") as g:
        t1, bare_first = measure_t1(g.dir)
        sims = [ModemSim(g.dir, "tsel%d" % i, operator="telkomsel", latency_ms=LATENCY) for i in range(k)]
        try:
            g.write_conf(modems="".join(s.section(rate="0") for s in sims))
            g.import_areas()
            subs = os.path.join(g.dir, "subs.csv")
            with open(subs, "w") as f:
                for i in range(k * n):
                    f.write("0812%08d,%s\n" % (i + 1, VILLAGES[i % len(VILLAGES)]))
            r = g.console("subscribers", "import", subs)
            check(r.returncode == 0, "subscribers import: %s%s" % (r.stdout, r.stderr))
            g.start()
            poll(lambda: [m["state"] for m in g.ctl("status")["modems"]] == ["ready"] * k, timeout=60,
                 what="%d modems ready" % k)
            r = g.console("broadcast", "--area", "1671", TEXT)
            accepted = time.time()
            check(r.returncode == 0, "broadcast: %s%s" % (r.stdout, r.stderr))
            total = k * n
            poll(lambda: sum(len(s.sent()) for s in sims) >= total, timeout=n * (t1 or 1.2) * 2 + 60,
                 what="%d parts sent" % total, interval=0.25)
            per = [sorted(ts(p["time"]) for p in s.sent()) for s in sims]
            g.stop()
        finally:
            for s in sims:
                s.stop()
    times = sorted(t for p in per for t in p)
    makespan = times[-1] - accepted
    first = times[0] - accepted
    gaps = [(p[-1] - p[0]) / (len(p) - 1) for p in per if len(p) > 1]
    gap = sum(gaps) / len(gaps) if gaps else 0
    ideal = n * t1
    same_clock = (bare_first or 0) + (n - 1) * t1
    print("dispatch K=%d N=%d/modem (%d msgs): t1 %.3f s, ideal %.1f s, makespan %.1f s, eff %.1f%% "
          "(same clock %.1f%%); first send %.3f s after accepted (bare first %.3f s); "
          "gap %.3f s/msg = %.1f%% of t1; per modem %s" % (
              k, n, total, t1, ideal, makespan, 100 * ideal / makespan, 100 * same_clock / makespan, first,
              bare_first or 0, gap, 100 * t1 / gap if gap else 0, "/".join(str(len(p)) for p in per)),
          flush=True)


def main():
    if not os.path.exists(LOOP):
        print("dispatch skipped: %s not built (make bench builds it)" % LOOP)
        return
    for k in KS:
        daemon_run(k, N)


if __name__ == "__main__":
    main()
