#!/usr/bin/env python3
"""
test_modemsim — drives build/modemsim with the gammu command-line tool (connection = at) and with
libGammu directly (build/tests/helpers/gammu_client over connection = proxyat, which connects
in ~0.1 s): identify, sending 1- and 3-part messages (checked in the JSON sent log), receiving
stored and +CMTI-announced messages including concatenated ones, USSD, and every fault mode as
a client sees it. Slow client-side waits (gammu getussd waits 10 s after an answer; a hung modem
takes libGammu ~20 s to give up) run on their own modemsim instances in parallel threads.
Never sleeps to synchronise: every wait polls a condition with a deadline.
"""
import errno
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import tty
import time

GAMMU = shutil.which("gammu")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kt  # noqa: E402
from kt import MODEMSIM, check, fail  # noqa: E402

CLIENT = os.path.join(kt.BUILD, "tests", "helpers", "gammu_client")

failures = []
T0 = time.monotonic()


def mark(what):
    print("  %5.1f s  %s" % (time.monotonic() - T0, what), flush=True)


class Sim(kt.ModemSim):
    """kt.ModemSim checked more strictly: its link points at its pty, its AT commands have gammurc
    files (connection = at, and proxyat for libGammu's fast connect), and stop() fails on a
    crash, a sanitizer report or a leak."""

    def __init__(self, tmp, name, operator="telkomsel", extra=()):
        self.err_path = os.path.join(tmp, name + "-stderr.log")
        self.err = open(self.err_path, "w")
        super().__init__(tmp, name, operator=operator, extra=extra, stderr=self.err)
        self.dir = tmp
        self.at_log = os.path.join(tmp, name + "-at.log")
        check(os.path.realpath(self.link) == self.pty, "link %s does not point at %s" % (self.link, self.pty))
        self.rc_at = self.gammurc(name + "-at.rc", "device = %s\nconnection = at\n" % self.link)
        self.rc_proxy = self.gammurc(name + "-proxy.rc", "device = socat - %s,rawer\n"
                                     "connection = proxyat\n" % self.link)

    def gammurc(self, fname, body):
        path = os.path.join(self.dir, fname)
        with open(path, "w") as f:
            f.write("[gammu]\n" + body + "model = at\n")
        return path

    def status(self):
        line = self.ctl("status").strip().splitlines()[-1]
        out = {}
        for kv in line.split()[1:]:
            if "=" in kv:
                k, v = kv.split("=", 1)
                out[k] = v
        return out

    def log_count(self, text):
        with open(self.at_log) as f:
            return f.read().count(text)

    def stop(self):
        """Stops modemsim; fails on a crash, a sanitizer report or a leak."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("modemsim did not exit on SIGTERM")
        self.err.close()
        with open(self.err_path) as f:
            err = f.read()
        if "Sanitizer" in err or "runtime error" in err:
            fail("modemsim sanitizer report:\n" + err[-3000:])
        check(self.proc.returncode == 0, "modemsim exited with %s: %s"
              % (self.proc.returncode, err[-2000:]))


def ctl_at(sock, *words):
    """modemsim ctl on a socket that no Sim owns (a --daemon modemsim)."""
    p = kt.run([MODEMSIM, "ctl", sock] + list(words), timeout=10)
    check(p.returncode == 0, "modemsim ctl %s: %s%s" % (" ".join(words), p.stdout, p.stderr))
    return p.stdout


def gammu(rc, *args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([GAMMU, "-c", rc] + list(args), capture_output=True, text=True,
                       timeout=timeout)
    print("  gammu %s: %.1f s" % (args[0], time.monotonic() - t0), flush=True)
    return p.returncode, p.stdout + p.stderr


class Client:
    """build/tests/helpers/gammu_client: one libGammu connection, one command per line."""

    def __init__(self, rc):
        self.proc = subprocess.Popen([CLIENT, rc], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.buf = b""
        first = self.read_line(30)
        check(first.startswith("OK connected"), "libGammu could not connect: %s" % first)

    def read_line(self, timeout):
        # Own buffer over the raw fd: select() cannot see lines a TextIOWrapper has buffered.
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            r, _, _ = select.select([fd], [], [], max(left, 0))
            if not r:
                fail("gammu_client said nothing within %.0f s" % timeout)
            chunk = os.read(fd, 4096)
            if not chunk:
                fail("gammu_client exited")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def send_cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def result(self, timeout=30):
        """Data lines, then the final OK/ERR line."""
        data = []
        while True:
            line = self.read_line(timeout)
            if line.startswith("OK") or line.startswith("ERR"):
                return data, line
            data.append(line)

    def cmd(self, line, timeout=30, expect_ok=True):
        self.send_cmd(line)
        data, final = self.result(timeout)
        if expect_ok and not final.startswith("OK"):
            fail("gammu_client %r: %s" % (line, final))
        return data, final

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send_cmd("quit")
                self.proc.wait(10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def sms_lines(data):
    return [json.loads(l[4:]) for l in data if l.startswith("SMS ")]


class Tty:
    """The pty opened directly, raw."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        self.buf = b""

    def until(self, token, timeout=5):
        deadline = time.monotonic() + timeout
        while token not in self.buf:
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.fd], [], [], max(left, 0))
            if not r:
                fail("pty: no %r within %.0f s; got %r" % (token, timeout, self.buf))
            self.buf += os.read(self.fd, 4096)
        out, self.buf = self.buf.split(token, 1)
        return (out + token).decode("latin-1")

    def at(self, cmd, final=b"OK\r\n"):
        os.write(self.fd, cmd.encode() + b"\r")
        return self.until(final)

    def close(self):
        os.close(self.fd)


def raw_at(sim):
    t = Tty(sim.link)
    try:
        out = t.at("ATE0")
        check(out.startswith("ATE0\r"), "echo should be on after reset: %r" % out)
        check(t.at("AT") == "\r\nOK\r\n", "AT with echo off")
        check("ERROR" in t.at("AT+CFOO", b"ERROR\r\n"), "unknown command")
        check("ERROR" in t.at("AT+CMGF=1", b"ERROR\r\n"), "text mode must be refused")
        out = t.at("AT+CMEE=1;+CSQ")
        check("+CSQ: 25,99" in out, "chained +CMEE;+CSQ: %r" % out)
        check('+CPMS: "SM",0,10' in t.at("AT+CPMS?"), "CPMS")
        check("+CREG: 0,1" in t.at("AT+CREG?"), "CREG")
        check("IMEI: 358240051111110" in t.at("ATI"), "ATI")
        check('+COPS: 0,0,"Indosat Ooredoo"' in t.at("AT+COPS?"), "COPS")
        t.at("AT+COPS=3,2")
        check('+COPS: 0,2,"51001"' in t.at("AT+COPS?"), "numeric COPS")
        check("> " in t.at("AT+CMGS=10", b"> "), "CMGS prompt")
        os.write(t.fd, b"0011\x1a")
        check("+CMS ERROR: 304" in t.until(b"304\r\n"), "a short PDU must be refused")
        # +CMT routes the message to the terminal, +CMTI stores and announces it.
        t.at("AT+CNMI=2,2,0,0,0")
        sim.ctl("sms", "+6281311119999", "langsung")
        line = t.until(b"\r\n", 5) + t.until(b"\r\n", 5)
        check("+CMT: ," in line, "+CMT expected: %r" % line)
        n = int(line.split("+CMT: ,")[1].split("\r\n")[0])
        pdu = t.until(b"\r\n").strip()
        check(len(pdu) == 2 * (n + 1 + int(pdu[:2], 16)), "+CMT length %d vs PDU %s" % (n, pdu))
        t.at("AT+CNMI=2,1,0,0,0")
        sim.ctl("sms", "+6281311119999", "disimpan")
        check('+CMTI: "SM",1' in t.until(b"\r\n", 5) + t.until(b"\r\n", 5), "+CMTI expected")
        out = t.at("AT+CMGR=1")
        check("+CMGR: 0,," in out, "CMGR of an unread message: %r" % out)
        check("+CMS ERROR: 321" in t.at("AT+CMGR=2", b"321\r\n"), "empty location")
        # USSD in the IRA character set: plain text, dcs 15.
        t.at('AT+CUSD=1,"*555#",15')
        out = t.until(b",15\r\n")
        check('+CUSD: 0,"Sisa pulsa' in out, "USSD in IRA: %r" % out)
        t.at("ATE1")
    finally:
        t.close()


# ---------------------------------------------------------------- parallel slow checks

def slow_getussd(tmp):
    """gammu getussd on its own modemsim (gammu waits 10 s after an answer before exiting)."""
    sim = Sim(tmp, "ussd", "telkomsel")
    try:
        sim.ctl("ussd-reply", "*123#", "Paket SMS 1000 aktif s/d 31-12-2026")
        rc, out = gammu(sim.rc_at, "getussd", "*123#")
        check(rc == 0, "gammu getussd failed (%d): %s" % (rc, out))
        check("Paket SMS 1000 aktif" in out, "getussd reply not shown: %s" % out)
        # The same faults as the gammu command line shows them.
        sim.ctl("fault", "cms-error", "38")
        rc, out = gammu(sim.rc_at, "sendsms", "TEXT", "+6281234567890", "-text", "gagal")
        check(rc != 0 and "error 38" in out, "gammu sendsms should show CMS error 38: %s" % out)
        sim.ctl("fault", "deregister", "on")
        rc, out = gammu(sim.rc_at, "networkinfo")
        check("not logged into network" in out and "GPRS                 : detached" in out,
              "gammu networkinfo while deregistered: %s" % out)
        mark("gammu CLI thread done")
    finally:
        sim.stop()


def slow_hang(tmp):
    """A hung modem: libGammu times out; after 'fault hang off' the same connection works."""
    sim = Sim(tmp, "hang")
    cl = Client(sim.rc_proxy)
    try:
        cl.cmd("signal")
        sim.ctl("fault", "hang", "on")
        t0 = time.monotonic()
        _, final = cl.cmd("signal", timeout=60, expect_ok=False)
        check("TIMEOUT" in final, "hung modem: expected a libGammu timeout, got %s" % final)
        sim.ctl("fault", "hang", "off")
        _, final = cl.cmd("signal", expect_ok=False)
        if not final.startswith("OK"):
            # The first command after a hang may meet the stale reply; the next one must work.
            cl.cmd("signal")
        with open(sim.at_log) as f:
            check("hung, ignored" in f.read(), "AT log does not show input dropped while hung")
        print("  hang: libGammu gave up after %.1f s" % (time.monotonic() - t0))
        mark("hang thread done")
    finally:
        cl.close()
        sim.stop()


def run_thread(fn, tmp):
    def body():
        try:
            fn(tmp)
        except (Exception, kt.Failed) as e:  # reported by the main thread
            failures.append("%s: %s" % (fn.__name__, e))
    t = threading.Thread(target=body)
    t.start()
    return t


# ---------------------------------------------------------------- main scenario

def main():
    for path, what in ((MODEMSIM, "make"), (CLIENT, "make build/tests/helpers/gammu_client")):
        if not os.access(path, os.X_OK):
            print("FAIL: %s is missing; run `%s` first" % (path, what))
            return 1
    if GAMMU is None or shutil.which("socat") is None:
        print("FAIL: the gammu and socat commands are needed (apt-get install gammu socat)")
        return 1
    t_start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="modemsim-test-")
    sims, clients, threads = [], [], []
    try:
        # --help documents the whole control grammar.
        h = subprocess.run([MODEMSIM, "--help"], capture_output=True, text=True).stdout
        for word in ("--link", "--ctl", "--sent-log", "--operator", "--send-latency", "sms ",
                     "--parts-order", "--drop-part", "ussd-reply", "ussd-push", "fault latency",
                     "cms-error", "hang", "disconnect", "storage-full", "deregister", "noise",
                     "status", "list", "sent"):
            check(word in h, "--help does not mention %r" % word)
        p = subprocess.run([MODEMSIM, "--operator", "nokia"], capture_output=True, text=True)
        check(p.returncode != 0 and "telkomsel" in p.stderr, "bad --operator: %s" % p.stderr)

        # --daemon: the pty is printed and the pidfile written before the parent exits.
        d_link, d_sock, d_pid = (os.path.join(tmp, n) for n in ("d-tty", "d.sock", "d.pid"))
        p = subprocess.run([MODEMSIM, "--daemon", "--pidfile", d_pid, "--link", d_link, "--ctl",
                            d_sock, "--operator", "smartfren"], capture_output=True, text=True,
                           timeout=10)
        check(p.returncode == 0 and p.stdout.startswith("/dev/pts/"), "--daemon: %s" % p)
        with open(d_pid) as f:
            d_pidnum = int(f.read())
        try:
            check("mccmnc=51028" in ctl_at(d_sock, "status"), "daemon status")
            r = subprocess.run([MODEMSIM, "ctl", d_sock, "no-such-command"], capture_output=True,
                               text=True)
            check(r.returncode == 1 and r.stdout.startswith("ERR"), "bad command: %s" % r)
            r = subprocess.run([MODEMSIM, "ctl", d_sock + ".missing", "status"],
                               capture_output=True, text=True)
            check(r.returncode == 2 and "cannot connect" in r.stderr, "no socket: %s" % r)
        finally:
            os.kill(d_pidnum, 15)
        kt.poll(lambda: not os.path.lexists(d_link) and not os.path.exists(d_pid), 10,
                 "the daemon to remove its link and pidfile on SIGTERM")

        threads.append(run_thread(slow_getussd, tmp))
        threads.append(run_thread(slow_hang, tmp))

        sim = Sim(tmp, "a", "indosat", ["--imei", "358240051111110", "--storage", "10", "--signal", "25"])
        sims.append(sim)
        st = sim.status()
        check(st["mccmnc"] == "51001" and st["imsi"].startswith("51001"), "indosat preset: %s" % st)

        mark("gammu CLI over connection = at")
        # --- raw AT on the pty, as a terminal program would see it
        raw_at(sim)
        sim.ctl("clear")

        # --- gammu CLI over connection = at
        rc, out = gammu(sim.rc_at, "identify")
        check(rc == 0, "gammu identify failed: %s" % out)
        for want in ("358240051111110", "510010000000001", "Kentongan", "modemsim"):
            check(want in out, "identify output lacks %s:\n%s" % (want, out))

        rc, out = gammu(sim.rc_at, "sendsms", "TEXT", "+6281234567890", "-text",
                        "Rapat KIM Sukamaju jam 19.00")
        check(rc == 0, "gammu sendsms failed: %s" % out)
        sent = sim.sent()
        check(len(sent) == 1, "expected 1 sent part, log has %d" % len(sent))
        s = sent[0]
        check(s["to"] == "+6281234567890" and s["text"] == "Rapat KIM Sukamaju jam 19.00"
              and s["parts"] == 1 and s["udh"] == "", "1-part send logged wrongly: %s" % s)
        check(isinstance(s["reference"], int) and s["time"], "reference/time missing: %s" % s)
        check("reference=%d" % s["reference"] in out, "gammu saw another reference: %s" % out)

        long_text = " ".join("Pengumuman %d: kerja bakti di balai desa." % i for i in range(10))
        check(306 < len(long_text) <= 459, "test text should need 3 parts")
        rc, out = gammu(sim.rc_at, "sendsms", "TEXT", "+6281298765432", "-len",
                        str(len(long_text)), "-text", long_text)
        check(rc == 0, "gammu sendsms (3 parts) failed: %s" % out)
        parts = sim.sent()[1:]
        check(len(parts) == 3, "expected 3 parts, log has %d: %s" % (len(parts), parts))
        check({p["parts"] for p in parts} == {3} and [p["part"] for p in parts] == [1, 2, 3],
              "parts numbered wrongly: %s" % parts)
        check(len({p["concat_ref"] for p in parts}) == 1 and all(p["udh"] for p in parts),
              "parts do not share one concatenation header: %s" % parts)
        check("".join(p["text"] for p in parts) == long_text, "3-part text does not join back")
        check(len({p["reference"] for p in parts}) == 3, "each part needs its own reference")
        ctl_sent = [l for l in sim.ctl("sent").splitlines() if l.startswith("{")]
        check(len(ctl_sent) == 4, "ctl sent lists %d parts, expected 4" % len(ctl_sent))

        mark("Stored (silent) messages")
        # Stored (silent) messages, GSM-7, UCS-2, out of order and with a missing part, read
        # with getallsms while the modem sprinkles RING/^RSSI/^BOOT into its replies.
        sim.ctl("sms", "--store-only", "+6281311110001", "REG#SUKAMAJU")
        sim.ctl("sms", "--ucs2", "--store-only", "+6281311110002", "Banjir di RT 03 – tolong!")
        report = " ".join("Laporan %d jalan desa rusak berat." % i for i in range(8))
        out = sim.ctl("sms", "--store-only", "--parts-order", "2,1", "+6281311110003", report)
        check("parts=2" in out, "expected a 2-part message: %s" % out)
        out = sim.ctl("sms", "--store-only", "--drop-part", "2", "--smsc-time",
                      "2026-11-27 08:30:00", "+6281311110004", long_text)
        check("parts=3" in out, "expected a 3-part message: %s" % out)
        listing = sim.ctl("list")
        check("OK 6 stored" in listing, "expected 6 stored parts:\n%s" % listing)
        sim.ctl("fault", "noise", "on")
        rc, out = gammu(sim.rc_at, "getallsms")
        sim.ctl("fault", "noise", "off")
        check(rc == 0, "gammu getallsms failed with noise on: %s" % out)
        check("6 SMS parts" in out, "getallsms should see 6 parts:\n%s" % out)
        for want in ("REG#SUKAMAJU", "Banjir di RT 03 – tolong!", "Unicode", "part 2 of 2",
                     "part 1 of 2", "part 3 of 3", "+6281311110004"):
            check(want in out, "getallsms output lacks %r:\n%s" % (want, out))
        check("part 2 of 3" not in out, "dropped part 2 of 3 was delivered")
        with open(sim.at_log) as f:
            log = f.read()
        check("> RING\n" in log and "> ^RSSI: 25\n" in log, "noise not seen in the AT log")
        check("< AT+CMGL=4" in log, "AT log lacks the received commands")

        rc, out = gammu(sim.rc_at, "deletesms", "1", "1", "2")
        check(rc == 0, "gammu deletesms failed: %s" % out)
        listing = sim.ctl("list")
        check("OK 4 stored" in listing and "REG#SUKAMAJU" not in listing,
              "deletesms 1 1 2 should leave 4 parts:\n%s" % listing)
        sim.ctl("clear")

        mark("libGammu directly")
        # --- libGammu directly (proxyat: fast connect)
        cl = Client(sim.rc_proxy)
        clients.append(cl)
        _, final = cl.cmd("identify")
        check("imei=358240051111110" in final, "libGammu identify: %s" % final)
        _, final = cl.cmd("netinfo")
        check("code=510 01" in final, "network code: %s" % final)
        _, final = cl.cmd("signal")
        check("percent=" in final, "signal: %s" % final)

        mark("+CMTI-announced messages")
        # +CMTI-announced messages, including a concatenated one delivered out of order.
        cl.cmd("drain")
        at_mark = os.path.getsize(sim.at_log)
        cl.send_cmd("wait-sms 10")
        # the AT+CNMI=x,1 of this wait-sms, not the modem's earlier setting: a +CMTI that comes
        # while libGammu is still enabling notifications is not handed to its callback
        kt.poll(lambda: sim.status()["cnmi"].split(",")[1] in ("1", "3") and
                 b"< AT+CNMI=2,1" in open(sim.at_log, "rb").read()[at_mark:], 10,
                 "libGammu to enable +CMTI with AT+CNMI")
        sim.ctl("sms", "+6281311110005", "INFO")
        _, final = cl.result()
        check(final.startswith("OK location="), "no +CMTI seen by libGammu: %s" % final)
        data, _ = cl.cmd("get " + final.split("=")[1])
        m = sms_lines(data)
        check(m and m[0]["text"] == "INFO" and m[0]["from"] == "+6281311110005",
              "CMTI message read back wrongly: %s" % data)
        cl.cmd("drain")
        cl.send_cmd("wait-sms 10")
        sim.ctl("sms", "--parts-order", "2,1", "+6281311110006", report)
        _, final = cl.result()
        check(final.startswith("OK location="), "no +CMTI for a concatenated message: %s" % final)
        data, _ = cl.cmd("getall")
        m = [x for x in sms_lines(data) if x["from"] == "+6281311110006"]
        check(sorted(x["part"] for x in m) == [1, 2] and len({x["ref"] for x in m}) == 1,
              "concatenated parts wrong: %s" % m)
        check("".join(x["text"] for x in sorted(m, key=lambda x: x["part"])) == report,
              "concatenated text does not join back")
        for x in sms_lines(data):
            cl.cmd("delete %d" % x["location"])

        mark("USSD")
        # USSD: a reply set from the control socket, an unsupported code, a network push.
        sim.ctl("ussd-reply", "*555#", "Sisa pulsa Rp 7.500 – aktif s/d 1-1-2027")
        data, _ = cl.cmd("ussd 10 *555#")
        u = json.loads(data[0][5:])
        check(u["text"] == "Sisa pulsa Rp 7.500 – aktif s/d 1-1-2027", "USSD text: %s" % u)
        sim.ctl("ussd-reply", "--unsupported", "*999#")
        data, _ = cl.cmd("ussd 10 *999#")
        check(json.loads(data[0][5:])["status"] == 6, "unsupported USSD: %s" % data)
        enables = sim.log_count("< AT+CUSD=1\n")
        cl.send_cmd("wait-ussd 10")
        kt.poll(lambda: sim.log_count("< AT+CUSD=1\n") > enables, 10,
                 "libGammu to enable USSD notifications (AT+CUSD=1)")
        sim.ctl("ussd-push", "Promo: 100 SMS Rp 5.000")
        data, _ = cl.result()
        check(data and "Promo: 100 SMS" in data[0], "pushed USSD not seen: %s" % data)

        mark("Status reports")
        # Status reports: a part sent with TP-SRR gets an SMS-STATUS-REPORT (+CDSI with
        # AT+CNMI=…,2 as libGammu sets it), first "delivered", then a permanent failure.
        cl.cmd("drain")
        check(sim.status()["cnmi"].split(",")[3] == "2", "libGammu should set AT+CNMI ds=2")
        sim.ctl("reports", "delay", "50")
        _, final = cl.cmd("send-report +6281200000009 tolong konfirmasi")
        mr = int(final.split("mr=")[1])
        check(sim.sent()[-1]["status_report"] is True, "TP-SRR not seen in the sent log")
        _, final = cl.cmd("wait-sms 10")
        check(final.startswith("OK location="), "no +CDSI for a status report: %s" % final)
        data, _ = cl.cmd("get " + final.split("=")[1])
        r = sms_lines(data)[0]
        check(r["report"] and r["mr"] == mr and r["delivery_status"] == 0,
              "status report should say mr %d delivered: %s" % (mr, r))
        cl.cmd("delete %d" % r["location"])
        sim.ctl("reports", "status", "0x45")
        cl.cmd("drain")
        cl.cmd("send-report +6281200000009 gagal")
        _, final = cl.cmd("wait-sms 10")
        data, _ = cl.cmd("get " + final.split("=")[1])
        check(sms_lines(data)[0]["delivery_status"] == 0x45, "failed report: %s" % data)
        cl.cmd("delete %d" % sms_lines(data)[0]["location"])
        sim.ctl("reports", "off")

        mark("Send latency")
        # Send latency.
        sim.ctl("fault", "latency", "1500")
        t0 = time.monotonic()
        cl.cmd("send +6281200000001 latency test")
        took = time.monotonic() - t0
        check(took >= 1.5, "send with 1500 ms latency took only %.2f s" % took)
        sim.ctl("fault", "latency", "0")

        mark("+CMS ERROR for the next send")
        # +CMS ERROR for the next send, then for a fraction of sends.
        sim.ctl("fault", "cms-error", "38", "1")
        _, final = cl.cmd("send +6281200000002 fails once", expect_ok=False)
        check("status=38" in final, "expected +CMS ERROR 38 seen by libGammu: %s" % final)
        cl.cmd("send +6281200000002 works again")
        sim.ctl("fault", "cms-error", "500", "--fraction", "0.5")
        results = [cl.cmd("send +6281200000003 half %d" % i, expect_ok=False)[1]
                   for i in range(2)]
        check(results[0].startswith("OK") and "status=500" in results[1],
              "fraction 0.5 should fail every second send: %s" % results)
        sim.ctl("fault", "cms-error", "off")

        mark("SIM storage full")
        # SIM storage full: no +CMTI, CMGW refused with 322; the message arrives once room is made.
        sim.ctl("fault", "storage-full", "on")
        _, final = cl.cmd("smsstatus")
        check("sim_used=10 sim_size=10" in final, "storage full not reported: %s" % final)
        out = sim.ctl("sms", "+6281311110007", "penuh")
        check("held=1" in out, "message should be held while the SIM is full: %s" % out)
        _, final = cl.cmd("save +6281200000004 draft", expect_ok=False)
        check(final.startswith("ERR"), "saving to a full SIM should fail: %s" % final)
        with open(sim.at_log) as f:
            log = f.read()
        check("+CMS ERROR: 322" in log or "FULL" in final,
              "saving to a full SIM should meet CMS 322: %s" % final)
        check("+CMTI" not in log.split("ctl< sms +6281311110007")[1],
              "+CMTI sent although the SIM is full")
        cl.cmd("drain")
        cl.send_cmd("wait-sms 10")
        kt.poll(lambda: sim.status()["cnmi"].split(",")[1] in ("1", "3"), 10, "AT+CNMI")
        sim.ctl("fault", "storage-full", "off")
        _, final = cl.result()
        check(final.startswith("OK location="), "held message not announced: %s" % final)
        check("CMTI" in open(sim.at_log).read(), "no +CMTI in the AT log")

        mark("Deregistration")
        # Deregistration: CREG/COPS say so, sends fail with 331, incoming messages wait.
        sim.ctl("fault", "deregister", "on")
        _, final = cl.cmd("netinfo")
        check("state=1 " not in final, "deregistered modem still reports home network: %s"
              % final)
        _, final = cl.cmd("send +6281200000005 no network", expect_ok=False)
        check("status=331" in final, "send while deregistered: %s" % final)
        sim.ctl("fault", "deregister", "off")
        _, final = cl.cmd("netinfo")
        check("state=1 " in final, "re-registered modem: %s" % final)

        mark("Disconnect")
        # Disconnect: the pty goes away and comes back as a new one behind the link, plus a
        # new name (ttyUSB0 -> ttyUSB1).
        old_pty = sim.pty
        new_link = os.path.join(tmp, "a-ttyUSB1")
        fd = os.open(sim.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        sim.ctl("fault", "disconnect", "1", new_link)
        check(not os.path.lexists(sim.link), "link should vanish while unplugged")
        # What a client holding the old device sees: hang-up (EIO or end of file), at once.
        select.select([fd], [], [], 5)
        try:
            got = os.read(fd, 100)
            check(got == b"", "read on an unplugged pty returned data: %r" % got)
        except OSError as e:
            check(e.errno == errno.EIO, "read on an unplugged pty: %s" % e)
        os.close(fd)
        kt.poll(lambda: os.path.exists(sim.link) and os.path.exists(new_link), 10,
                 "the modem to come back")
        back = os.path.realpath(sim.link)
        check(back != old_pty and back == os.path.realpath(new_link),
              "re-enumerated pty: link %s, new link %s, old %s" % (back,
                                                                   os.path.realpath(new_link),
                                                                   old_pty))
        mark("re-plugged")
        _, final = cl.cmd("reconnect")
        mark("reconnected")
        _, final = cl.cmd("identify")
        check("imei=358240051111110" in final, "identify after re-plug: %s" % final)
        cl.close()
        sims.remove(sim)
        sim.stop()
        mark("main scenario done")

        for t in threads:
            t.join(90)
        if failures:
            fail("; ".join(failures))
        print("ok: %.1f s" % (time.monotonic() - t_start))
        return 0
    except kt.Failed:    # (its message is printed)
        for s in sims:
            if os.path.exists(s.at_log):
                print("---- tail of", s.at_log)
                with open(s.at_log) as f:
                    print("".join(f.readlines()[-25:]))
        return 1
    finally:
        for c in clients:
            c.close()
        for s in sims:
            s.stop()
        for t in threads:
            t.join(90)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
