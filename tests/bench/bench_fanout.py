#!/usr/bin/env python3
"""Fan-out benchmark: 1,000,000 subscribers spread over every village of data/wilayah,
imported with `kentongan subscribers import`; then a broadcast to one province and one to the whole
country. Prints the import time, the time to "accepted" and peak RSS of daemon and console.
Targets (not asserted): import well under 60 s; accepted <= 10 s for 1,000,000 rows; RSS <= 64 MB.
BENCH_SUBSCRIBERS=N changes the size."""
import csv
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from kt import KENTONGAN, WILAYAH, Gateway, proc_kb  # noqa: E402

N = int(os.environ.get("BENCH_SUBSCRIBERS", "1000000"))


def timed(args, cwd):
    t0 = time.monotonic()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, capture_output=True, text=True, cwd=cwd)
    dt = time.monotonic() - t0
    rss_kb = int(r.stderr.strip().splitlines()[-1]) if r.stderr.strip() else 0
    return r, dt, rss_kb


def hwm(pid):
    return proc_kb(pid, "VmHWM")


def main():
    with Gateway(name="kt-bench-fanout", areas="") as g:
        g.import_areas()
        villages = [r[0] for r in csv.reader(open(os.path.join(WILAYAH, "villages.csv")))]
        path = os.path.join(g.dir, "subs.csv")
        with open(path, "w") as f:
            for i in range(N):
                f.write("08%d%09d,%s\n" % (12 + i % 8, i, villages[(i * 7919) % len(villages)]))
        r, dt, rss = timed([KENTONGAN, "-c", g.conf, "subscribers", "import", path], g.dir)
        print("subscribers import: %d rows in %.1f s (%.0f rows/s), console peak RSS %.1f MB  [%s]" % (
            N, dt, N / dt, rss / 1024, r.stdout.strip()))
        g.start()
        base = hwm(g.proc.pid)
        for label, args in (("province 16 (Sumatera Selatan)", ["--area", "16"]),
                            ("whole country", [])):
            r, dt, crss = timed([KENTONGAN, "-c", g.conf, "broadcast"] + args + ["Uji siaran nasional."], g.dir)
            print("broadcast to %-32s %s  accepted in %.2f s; console peak RSS %.1f MB" % (
                label + ":", r.stdout.strip().split(":", 1)[-1].strip()[:60], dt, crss / 1024))
        print("daemon peak RSS %.1f MB (%.1f MB at start)" % (hwm(g.proc.pid) / 1024, base / 1024))
        g.stop()


if __name__ == "__main__":
    main()
