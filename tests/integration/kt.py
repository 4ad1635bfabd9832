"""kt — helpers for integration tests that run the real binaries.

A Gateway owns a temporary directory with a config, a database and a control socket; it starts
build/kentongand in the foreground, talks to it through build/kentongan, and stops it. Waiting is
always "poll a condition until a deadline", never a bare sleep.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(TOP, os.environ.get("BUILD", "build"))
KENTONGAND = os.path.join(BUILD, "kentongand")
KENTONGAN = os.path.join(BUILD, "kentongan")
MODEMSIM = os.path.join(BUILD, "modemsim")
WILAYAH = os.path.abspath(os.path.join(TOP, "..", "shared", "data", "wilayah"))
VALGRIND = os.environ.get("KT_VALGRIND")  # "1": run the daemon under valgrind


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def poll(cond, timeout=10.0, what="condition", interval=0.02):
    """Calls cond() until it returns a true value or the deadline passes (then fails)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = cond()
        except Exception as e:  # a condition may read something not there yet
            last = None
            err = e
        if last:
            return last
        if time.monotonic() > deadline:
            fail("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)
        interval = min(interval * 1.5, 0.25)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


class Gateway:
    def __init__(self, modems="", gateway_extra="", http="", areas="1671", name="kt"):
        self.dir = tempfile.mkdtemp(prefix=name + "-")
        self.conf = os.path.join(self.dir, "kentongan.conf")
        self.log = os.path.join(self.dir, "daemon.log")
        self.proc = None
        self.modems = modems
        self.gateway_extra = gateway_extra
        self.http = http
        self.areas = areas
        self.write_conf()

    def write_conf(self, modems=None, extra=None):
        if modems is not None:
            self.modems = modems
        if extra is not None:
            self.gateway_extra = extra
        with open(self.conf + ".tmp", "w") as f:
            f.write("[gateway]\ndatabase = var/kentongan.db\ncontrol = var/kentongan.sock\n")
            f.write("areas = %s\n%s\n" % (self.areas, self.gateway_extra))
            f.write(self.modems)
            if self.http:
                f.write("\n[http]\n" + self.http)
        os.rename(self.conf + ".tmp", self.conf)

    @property
    def sock(self):
        return os.path.join(self.dir, "var", "kentongan.sock")

    @property
    def db(self):
        return os.path.join(self.dir, "var", "kentongan.db")

    def start(self, env=None, wait=True, wrap=()):
        """wrap: a command the daemon runs under (e.g. setpriv dropping a capability)."""
        e = dict(os.environ)
        if env:
            e.update(env)
        cmd = list(wrap) + [KENTONGAND, "-d", "-c", self.conf]
        if VALGRIND:
            cmd = ["valgrind", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite",
                   "--trace-children=no", "-q"] + cmd
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT, env=e, cwd=self.dir)
        if wait:
            poll(lambda: self.proc.poll() is not None or self.ctl_rc("status") == 0,
                 timeout=60 if VALGRIND else 15, what="the daemon to answer")
            if self.proc.poll() is not None:
                fail("the daemon exited with %s:\n%s" % (self.proc.returncode, self.logtail()))
        return self

    def logtail(self, n=40):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def console(self, *args, input=None):
        return run([KENTONGAN, "-c", self.conf] + [str(a) for a in args], input=input, cwd=self.dir)

    def ctl_rc(self, *args):
        return self.console(*args).returncode

    def ctl(self, *args, fmt="json", ok=True):
        """Runs a console command with --json and returns the parsed output."""
        extra = ["--json"] if fmt == "json" else (["--csv"] if fmt == "csv" else [])
        r = self.console(*(list(args) + extra))
        if ok and r.returncode != 0:
            fail("kentongan %s: exit %d: %s%s\n--- daemon log ---\n%s" % (
                " ".join(map(str, args)), r.returncode, r.stdout, r.stderr, self.logtail()))
        if fmt == "json":
            try:
                return json.loads(r.stdout) if r.stdout.strip() else None
            except json.JSONDecodeError as e:
                fail("kentongan %s: bad JSON (%s): %r" % (" ".join(map(str, args)), e, r.stdout[:500]))
        return r.stdout

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("the daemon did not stop within %ds after signal %d:\n%s" % (timeout, sig, self.logtail()))
        self.proc = None
        self.logf.close()
        return rc

    def kill9(self):
        """kill -9 the daemon and its modem workers (a power cut)."""
        if self.proc is None:
            return
        pid = self.proc.pid
        kids = run(["pgrep", "-P", str(pid)]).stdout.split()
        os.kill(pid, signal.SIGKILL)
        for k in kids:
            try:
                os.kill(int(k), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        self.proc.wait()
        self.proc = None
        self.logf.close()

    def import_areas(self, dirpath=WILAYAH):
        r = self.console("areas", "import", dirpath)
        if r.returncode != 0:
            fail("areas import: %s%s" % (r.stdout, r.stderr))
        return r

    def cleanup(self):
        if self.proc is not None:
            self.kill9()
        if not os.environ.get("KT_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.cleanup()


class DummyPhone:
    """Gammu's dummy driver: a directory; incoming SMS are files in sms/1 (SIM inbox)."""

    def __init__(self, root, name="phone"):
        self.dir = os.path.join(root, name)
        os.makedirs(os.path.join(self.dir, "sms", "1"), exist_ok=True)
        self.next = 1

    def section(self, name):
        return "\n[modem %s]\nconnection = none\nmodel = dummy\ndevice = %s\nrate = 0\npoll = 1\n" % (name, self.dir)

    def inject(self, sender, text, udh=None, ucs2=True, when="20261127T120000", location=None, folder=1):
        loc = location or self.next
        self.next = max(self.next, loc) + 1
        hexs = text.encode("utf-16-be").hex().upper()
        lines = ["[SMSBackup000]", 'SMSC = "+6281100000"', "PDU = Deliver", "State = UnRead",
                 'Number = "%s"' % sender,
                 "Coding = %s" % ("Unicode_No_Compression" if ucs2 else "Default_No_Compression"),
                 "DateTime = %s" % when]
        for i in range(0, len(hexs), 200):
            lines.append("Text%02d = %s" % (i // 200, hexs[i:i + 200]))
        if udh:
            lines.append("UDH = %s" % udh)
        d = os.path.join(self.dir, "sms", str(folder))
        os.makedirs(d, exist_ok=True)
        tmp = os.path.join(d, ".tmp%d" % loc)
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(tmp, os.path.join(d, str(loc)))
        return loc

    def pending(self, folder=1):
        d = os.path.join(self.dir, "sms", str(folder))
        return sorted(x for x in os.listdir(d) if not x.startswith("."))


def raw_request(sock_path, payload_bytes, version=1, type_=1, length=None):
    """Sends one hand-made frame to the control socket and returns what came back."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sock_path)
    n = len(payload_bytes) if length is None else length
    s.sendall(struct.pack("=HHIQ", version, type_, n, 7) + payload_bytes)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\x04\x00" in data[-20:] and len(data) >= 16:  # PROTO_CTL_DONE seen
                break
    except socket.timeout:
        pass
    s.close()
    return data


def pbuf_str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("=I", len(b)) + b + b"\0"


def ctl_payload(fmt, args):
    return pbuf_str(fmt) + struct.pack("=I", len(args)) + b"".join(pbuf_str(a) for a in args)


class ModemSim:
    """A simulated AT modem (build/modemsim) with a control socket and a JSON log of sent parts.
    fast=True connects libGammu through socat (connection = proxyat, ~0.1 s) instead of the
    plain AT connect (~3.4 s); the protocol after connecting is the same."""

    def __init__(self, root, name, operator="telkomsel", latency_ms=0, extra=(), fast=True, stderr=None):
        self.root = root
        self.name = name
        self.link = os.path.join(root, name + ".tty")
        self.ctlsock = os.path.join(root, name + ".ctl")
        self.sentlog = os.path.join(root, name + "-sent.jsonl")
        self.fast = fast
        self.operator = operator
        args = [MODEMSIM, "--operator", operator, "--link", self.link, "--ctl", self.ctlsock,
                "--sent-log", self.sentlog, "--log", os.path.join(root, name + "-at.log")]
        if latency_ms:
            args += ["--send-latency", str(latency_ms)]
        args += list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr or subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        check(line.startswith("/dev/pts/"), "modemsim %s did not start: %r" % (name, line))
        poll(lambda: os.path.exists(self.ctlsock), what="modemsim control socket")

    def section(self, rate="0", extra=""):
        if self.fast:
            conn = "connection = proxyat\ndevice = socat - %s,rawer\n" % self.link
        else:
            conn = "connection = at\ndevice = %s\n" % self.link
        return "\n[modem %s]\n%smodel = at\noperator = %s\nrate = %s\npoll = 1\n%s" % (
            self.name, conn, self.operator, rate, extra)

    def ctl(self, *args):
        r = run([MODEMSIM, "ctl", self.ctlsock] + [str(a) for a in args])
        lines = r.stdout.strip().splitlines()
        if r.returncode != 0 or not lines or lines[-1].startswith("ERR"):
            fail("modemsim ctl %s: %r %r" % (" ".join(map(str, args)), r.stdout, r.stderr))
        return r.stdout

    def sent(self, cut_ok=False):
        """The parts this modem sent, as dicts. cut_ok: skip a line a kill -9 cut short."""
        out = []
        try:
            with open(self.sentlog) as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        if not cut_ok:
                            raise
        except FileNotFoundError:
            pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
