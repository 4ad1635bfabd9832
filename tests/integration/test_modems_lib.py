"""Helpers for the modem integration tests (tests/integration/test_modems_*.py): start the real
kentongand on Gammu dummy phones or modemsim, ask kentongan for JSON, inject messages into
dummy phones as files (written to a dot-name, then renamed), poll conditions with deadlines."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(TOP, os.environ.get("BUILD", "build"))
DAEMON = os.path.join(BUILD, "kentongand")
CONSOLE = os.path.join(BUILD, "kentongan")
MODEMSIM = os.path.join(BUILD, "modemsim")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kt  # noqa: E402,F401  (its exit guard stops whatever a failing test left running)


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg, flush=True)


def wait_for(fn, timeout, what):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
        except Exception as e:  # the daemon may be restarting
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.05)
    fail("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))


def ucs2_hex(text):
    return text.encode("utf-16-be").hex().upper()


class Dummy:
    """A Gammu dummy phone: a directory; incoming messages are files in sms/1."""

    def __init__(self, root, name):
        self.name = name
        self.dir = os.path.join(root, name)
        for f in range(1, 6):
            os.makedirs(os.path.join(self.dir, "sms", str(f)), exist_ok=True)

    def inject(self, loc, number, text=None, coding="gsm7", udh=None, hexdata=None,
               when="20261127T120000"):
        lines = ["[SMSBackup000]", 'SMSC = "+6281100000"', "PDU = Deliver", "State = UnRead",
                 'Number = "%s"' % number]
        if coding == "gsm7":
            lines.append("Coding = Default_No_Compression")
        elif coding == "ucs2":
            lines.append("Coding = Unicode_No_Compression")
        lines.append("DateTime = %s" % when)
        h = hexdata if hexdata is not None else ucs2_hex(text)
        for i in range(0, len(h), 200):
            lines.append("Text%02d = %s" % (i // 200, h[i:i + 200]))
        if udh:
            lines.append("UDH = %s" % udh)
        d = os.path.join(self.dir, "sms", "1")
        tmp = os.path.join(d, ".%d" % loc)
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(tmp, os.path.join(d, str(loc)))

    def waiting(self):
        d = os.path.join(self.dir, "sms", "1")
        return [f for f in os.listdir(d) if not f.startswith(".")]


class Gateway:
    def __init__(self, modems_ini, extra_gateway=""):
        self.root = tempfile.mkdtemp(prefix="kt-modems-")
        self.conf = os.path.join(self.root, "kentongan.conf")
        self.log = os.path.join(self.root, "daemon.log")
        self.proc = None
        with open(self.conf, "w") as f:
            f.write("[gateway]\ndatabase = %s/kt.db\ncontrol = %s/kt.sock\n%s\n%s\n" % (
                self.root, self.root, extra_gateway, modems_ini.replace("@ROOT@", self.root)))

    def start(self, env=None):
        e = dict(os.environ)
        e.pop("KT_CRASH", None)
        if env:
            e.update(env)
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([DAEMON, "-d", "-c", self.conf], stdout=self.logf,
                                     stderr=subprocess.STDOUT, env=e, cwd=TOP)
        wait_for(lambda: os.path.exists(os.path.join(self.root, "kt.sock")) and self.ctl("status"),
                 20, "the daemon's control socket")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        # workers die with the daemon (PDEATHSIG); give them a moment
        time.sleep(0.2)

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            fail("the daemon did not stop within %ss" % timeout)
        rc = self.proc.returncode
        self.proc = None
        time.sleep(0.2)
        return rc

    def ctl(self, *args):
        try:
            r = subprocess.run([CONSOLE, "-c", self.conf, "--json"] + list(args), capture_output=True,
                               text=True, timeout=60)
        except OSError:  # the binary is being rebuilt: the caller polls again
            return None
        if r.returncode != 0:
            return None
        return json.loads(r.stdout) if r.stdout.strip() else True

    def ctl_raw(self, *args, input=None):
        return subprocess.run([CONSOLE, "-c", self.conf] + list(args), capture_output=True, text=True,
                              timeout=60, input=input)

    def inbox(self):
        r = self.ctl("inbox")
        return r if isinstance(r, list) else []

    def modem(self, name):
        st = self.ctl("status")
        if not isinstance(st, dict):
            return None
        for m in st.get("modems", []):
            if m.get("name") == name:
                return m
        return None

    def worker_pid(self, name):
        pid = None
        with open(self.log) as f:
            for line in f:
                m = re.search(r"modem=%s event=spawn pid=(\d+)" % re.escape(name), line)
                if m:
                    pid = int(m.group(1))
        return pid

    def logtext(self):
        with open(self.log) as f:
            return f.read()

    def cleanup(self):
        self.stop()
        if os.environ.get("KT_KEEP"):
            print("kept " + self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)
