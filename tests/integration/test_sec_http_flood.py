#!/usr/bin/env python3
"""Security review finding 2: 1,100 idle TCP connections to the [http] port of a daemon limited to
1,024 open files (so it cannot raise the limit) must not take it down. Before: accept() failed with
EMFILE in a busy loop (93% CPU, hundreds of MB of log) and the control socket went unanswered. Now
connections beyond max_connections are closed at once, `kentongan status` answers during the flood
and shows it, a modem keeps receiving, the log stays small, the daemon idles, and once the flood ends HTTP answers again.
Everything is on loopback; the count and the time are bounded."""
import os
import resource
import socket
import time
import urllib.request

from kt import Gateway, DummyPhone, check, poll

N = 1100
TOKEN = "flood-test-token-0123456789"


def limit_1024():
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def health(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=3) as r:
            return r.status in (200, 503)
    except urllib.error.HTTPError as e:
        return e.code == 503
    except OSError:
        return False


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < N + 100:
        print("skipped: this process may open only %d files" % hard)
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096, hard))
    with Gateway(name="sec-flood") as gw:
        port = gw.listen(TOKEN)
        ph = DummyPhone(gw.dir)
        gw.write_conf(modems=ph.section("d1"))
        gw.start(preexec_fn=limit_1024)
        check(health(port), "HTTP answers before the flood")
        socks = []
        try:
            deadline = time.monotonic() + 30
            for i in range(N):
                if time.monotonic() > deadline:
                    break
                s = socket.socket()
                s.settimeout(5)
                try:
                    s.connect(("127.0.0.1", port))
                except OSError:
                    s.close()
                    continue
                socks.append(s)
            print("ok: %d idle connections opened" % len(socks))
            check(len(socks) >= 1000, "the flood opened only %d connections" % len(socks))

            # the control socket keeps working and shows the flood
            t0 = time.monotonic()
            st = poll(lambda: gw.ctl("status"), 20, "kentongan status during the flood")
            print("ok: status answered in %.2fs during the flood" % (time.monotonic() - t0))
            poll(lambda: gw.ctl("status")["http"]["connections_refused"] > 0, 20, "refused connections counted")
            st = gw.ctl("status")
            check(st["http"]["connections"] <= 256, "at most max_connections open: %r" % st["http"])
            txt = gw.ctl("status", fmt="text")
            check("flooded" in txt, "status text says so: %r" % txt)

            # the modem keeps receiving and the router keeps answering
            ph.inject("+6281234567890", "BANTUAN")
            poll(lambda: [m for m in gw.ctl("inbox") if m.get("action")], 30, "an SMS routed during the flood")
            poll(lambda: not ph.pending(), 30, "the SMS deleted from the modem during the flood")

            # the daemon idles while the connections sit there
            c0 = cpu_s(gw.proc.pid)
            time.sleep(2.0)  # a measurement window, not a wait for a condition
            used = cpu_s(gw.proc.pid) - c0
            print("ok: daemon used %.2fs of CPU in 2s under the flood" % used)
            check(used < 0.6, "the daemon spins under the flood: %.2fs CPU in 2s" % used)
        finally:
            for s in socks:
                s.close()
        # the flood is over: HTTP answers again (closed connections are noticed)
        poll(lambda: health(port), 20, "HTTP answering after the flood")

        # out of descriptors below max_connections (the limit lowered under the running daemon):
        # accepting pauses instead of spinning, and resumes once descriptors are free again
        pid = gw.proc.pid
        nfd = len(os.listdir("/proc/%d/fd" % pid))
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (nfd + 4, 1024))
        socks = []
        try:
            for i in range(40):
                s = socket.socket()
                s.settimeout(5)
                s.connect(("127.0.0.1", port))  # the kernel's backlog takes them
                socks.append(s)
            poll(lambda: "accept paused" in open(gw.log).read(), 20, "accept paused for lack of descriptors")
            c0 = cpu_s(pid)
            time.sleep(2.0)  # a measurement window, not a wait for a condition
            used = cpu_s(pid) - c0
            print("ok: daemon used %.2fs of CPU in 2s out of descriptors" % used)
            check(used < 0.6, "the daemon spins out of descriptors: %.2fs CPU in 2s" % used)
        finally:
            for s in socks:
                s.close()
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (1024, 1024))
        poll(lambda: health(port), 20, "HTTP answering once descriptors are free")
        st = gw.ctl("status")
        check(st["http"]["accept_pauses"] > 0, "status counts the pauses: %r" % st["http"])
        size = os.path.getsize(gw.log)
        print("ok: daemon log %d bytes" % size)
        check(size < 200000, "the log grew to %d bytes" % size)
        with open(gw.log) as f:
            log = f.read()
        check(log.count("too many connections") <= 2, "the flood line is rate-limited:\n%s" % gw.logtail())
        check("Too many open files" not in log, "accept ran out of descriptors:\n%s" % gw.logtail())
        print("ok")


main()
