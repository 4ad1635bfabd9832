#!/usr/bin/env python3
"""Bytes written to disk per SMS (issue 17; printed, never asserted). An SD card wears out by
what is written to it, so this counts the daemon's own write_bytes from /proc/PID/io (the page
cache pages it dirtied: WAL frames, checkpoints into the database, the lock file; not its modem
workers, and its log goes to /dev/null) across:
  received  BENCH_IN SMS from a short code (stored, routed, no reply), one every BENCH_PACE
            seconds (0.1) spread over the modems, divided by BENCH_IN
  sent      a broadcast to BENCH_OUT subscribers on 4 simulated modems, divided by BENCH_OUT
Also printed: write() calls per SMS, and the WAL's size at the end. Runs that are short against
the WAL's checkpoint interval (1000 pages by default) under-count checkpoints, so the defaults
cover several checkpoints. Environment: BENCH_IN (400), BENCH_OUT (400)."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from kt import Gateway, ModemSim, poll  # noqa: E402

N_IN = int(os.environ.get("BENCH_IN", "400"))
N_OUT = int(os.environ.get("BENCH_OUT", "400"))
PACE = float(os.environ.get("BENCH_PACE", "0.1"))


def io(pid):
    with open("/proc/%d/io" % pid) as f:
        return {k: int(v) for k, v in (line.split(":") for line in f)}


def ctl_lines(path, lines):
    """Sends modemsim control commands over one connection, waiting for each answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    f = s.makefile("rw")
    for line in lines:
        f.write(line + "\n")
        f.flush()
        while True:
            r = f.readline()
            if not r or r.startswith("OK") or r.startswith("ERR"):
                break
    s.close()


def main():
    with Gateway(name="kt-bench-writes", areas="16") as g:
        sims = [ModemSim(g.dir, "w%d" % i) for i in range(4)]
        g.write_conf(modems="".join(s.section() for s in sims))
        g.import_areas()
        g.import_subscribers(("0812%08d" % (70000000 + i), "1671011001") for i in range(N_OUT))
        g.log = "/dev/null"
        g.start()
        pid = g.proc.pid
        g.wait_ready(what="modems")
        time.sleep(2)   # start-up writes settle (a measurement's quiet start, not a wait for a condition)
        a = io(pid)
        t0 = time.monotonic()
        for i in range(N_IN):   # one at a time, as a modem receives them
            ctl_lines(sims[i % 4].ctlsock, ["sms 3636 Info tagihan nomor %d bulan ini" % i])
            time.sleep(PACE)    # the load's pace
        poll(lambda: len(g.ctl("inbox", "--limit", str(N_IN + 1))) >= N_IN, timeout=600, what="all received",
             interval=1)
        poll(lambda: all(m["action"] for m in g.ctl("inbox", "--limit", str(N_IN + 1))), timeout=60,
             what="all routed", interval=1)
        b = io(pid)
        t1 = time.monotonic()
        r = g.ctl("broadcast", "--area", "1671", "Posyandu Melati buka Kamis pukul 08.00 di Balai Dusun II.")
        poll(lambda: g.ctl("announcement", r["id"])["sent"] == N_OUT, timeout=900, what="all sent", interval=1)
        c = io(pid)
        t2 = time.monotonic()
        wal = os.path.getsize(g.db + "-wal") if os.path.exists(g.db + "-wal") else 0
        print("   received: %7.0f bytes written per SMS (%d SMS, %.1f write calls each, %.0f s)" % (
            (b["write_bytes"] - a["write_bytes"]) / N_IN, N_IN, (b["syscw"] - a["syscw"]) / N_IN, t1 - t0))
        print("   sent:     %7.0f bytes written per SMS (%d recipients, %.1f write calls each, %.0f s)" % (
            (c["write_bytes"] - b["write_bytes"]) / N_OUT, N_OUT, (c["syscw"] - b["syscw"]) / N_OUT, t2 - t1))
        print("   WAL at the end: %.1f MB; database %.1f MB" % (wal / 1e6, os.path.getsize(g.db) / 1e6))
        g.stop()
        for s in sims:
            s.stop()


if __name__ == "__main__":
    main()
