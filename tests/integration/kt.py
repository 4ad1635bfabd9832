"""kt — the one harness of the tests that run the real binaries (tests/integration, tests/fault,
tests/bench; importable by /usr/bin/python3 and the python3 on PATH).

A Gateway owns a temporary directory with a config, a database and a control socket; it starts
build/kentongand in the foreground, talks to it through build/kentongan, and stops it (waiting
for its modem workers to end with it). DummyPhone and ModemSim are its modems, Mosquitto and
NatsMQTT the uplink's brokers, Browser a headless Chromium; a Rig (an Uplink: with a broker and
the hub's keys) cleans up whatever a test started in its directory. check() and fail() end the
test with status 1 (fail raises kt.Failed, which a thread can catch); waiting is always poll(), a
condition until a deadline that names the last exception the condition raised, never a bare sleep.
"""
import atexit
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(TOP, os.environ.get("BUILD", "build"))
KENTONGAND = os.path.join(BUILD, "kentongand")
KENTONGAN = os.path.join(BUILD, "kentongan")
MODEMSIM = os.path.join(BUILD, "modemsim")
WILAYAH = os.path.join(TOP, "data", "wilayah")
VALGRIND = os.environ.get("KT_VALGRIND")  # "1": run the daemon under valgrind


def procs():
    """{pid: (ppid, command line)} of every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            out[int(d)] = (int(st[st.rindex(")") + 2:].split()[1]), cmd)
        except (OSError, ValueError, IndexError):
            pass
    return out


def descendants(pid=None, table=None):
    """The pids of every process below pid (default: this one), children first; table: a
    procs() already read."""
    pid = pid or os.getpid()
    table = procs() if table is None else table
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c, (pp, _cmd) in table.items():
            if pp == p and c not in out:
                out.append(c)
                todo.append(c)
    return out


def _reap():
    """At exit, however the test ended (a failed check, an exception, SIGTERM): nothing it started
    may outlive it. SIGTERM first (the daemon stops its workers), SIGKILL after 3 s."""
    live = lambda: [k for k in descendants() if not _zombie(k)]  # noqa: E731
    kids = live()
    if not kids:
        return
    print("kt: stopping %d process(es) the test left running: %s" % (len(kids), kids), file=sys.stderr)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for k in kids:
            try:
                os.kill(k, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and live():
            time.sleep(0.05)
        kids = live()
        if not kids:
            break


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] == "Z"
    except OSError:
        return True


def _exit_on_signal(sig, frame):
    sys.exit(128 + sig)     # runs finally: and with: clean-ups, then _reap


atexit.register(_reap)
for _sig in (signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_sig) in (signal.SIG_DFL, None):
        signal.signal(_sig, _exit_on_signal)


class Failed(SystemExit):
    """What fail() raises: exits the test with status 1 (its message already printed), and a
    thread or a scenario that must clean up or report first can catch it by name."""

    def __init__(self, msg):
        super().__init__(1)
        self.msg = msg

    def __str__(self):
        return self.msg


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr, flush=True)
    raise Failed(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def ok(cond, msg):
    """check() that also prints "ok: msg" when cond holds (a long scenario's progress in its log)."""
    check(cond, msg)
    print("ok: " + msg, flush=True)


def poll(cond, timeout=10.0, what="condition", interval=0.02):
    """Calls cond() until it returns a true value or the deadline passes (then fails, naming the
    last exception cond() raised on the way, if any: a condition may read something not there yet).
    what: a text, or a function that says what was awaited (and how far it got) at the deadline."""
    deadline = time.monotonic() + timeout
    err = None
    while True:
        try:
            last = cond()
        except Exception as e:
            last = None
            err = e
        if last:
            return last
        if time.monotonic() > deadline:
            fail("timed out after %.1fs waiting for %s%s" % (
                timeout, what() if callable(what) else what,
                " (last error: %s: %s)" % (type(err).__name__, err) if err else ""))
        time.sleep(interval)    # the polling interval, not a wait for something
        interval = min(interval * 1.5, 0.25)


def knob(name, default):
    """A test's knob from the environment variable name: a number of default's type."""
    return type(default)(os.environ.get(name, default))


def seeded(name):
    """(seed, random.Random(seed)): the seed from the environment variable name, else a random one
    (print it, so that a failure can be replayed)."""
    import random
    seed = knob(name, random.randrange(1 << 30))
    return seed, random.Random(seed)


def proc_kb(pid, field="VmRSS"):
    """A figure of /proc/PID/status in kB (VmRSS, VmHWM, …); 0 when it is not there."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rmtree_unless_kept(path):
    """A test's directory goes when it ends, unless KT_KEEP is set (to look at it afterwards)."""
    if not os.environ.get("KT_KEEP"):
        shutil.rmtree(path, ignore_errors=True)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


class Gateway:
    """The daemon's config is made of the arguments; @ROOT@ in them stands for the gateway's
    directory. areas=None leaves the areas key out."""

    def __init__(self, modems="", gateway_extra="", http="", areas="1671", name="kt", tail=""):
        self.dir = tempfile.mkdtemp(prefix=name + "-")
        self.conf = os.path.join(self.dir, "kentongan.conf")
        self.log = os.path.join(self.dir, "daemon.log")
        self.proc = None
        self.modems = modems
        self.gateway_extra = gateway_extra
        self.http = http
        self.areas = areas
        self.tail = tail  # whole sections after the others ([uplink], [hub])
        self.wrap = []    # a command prefix for the daemon, e.g. ["ip", "netns", "exec", NS]
        self.write_conf()

    def write_conf(self, modems=None, extra=None):
        if modems is not None:
            self.modems = modems
        if extra is not None:
            self.gateway_extra = extra
        text = "[gateway]\ndatabase = var/kentongan.db\ncontrol = var/kentongan.sock\n"
        if self.areas is not None:
            text += "areas = %s\n" % self.areas
        text += "%s\n%s" % (self.gateway_extra, self.modems)
        if self.http:
            text += "\n[http]\n" + self.http
        if self.tail:
            text += "\n" + self.tail
        with open(self.conf + ".tmp", "w") as f:
            f.write(text.replace("@ROOT@", self.dir))
        os.rename(self.conf + ".tmp", self.conf)

    def listen(self, token=None, extra="", port=None):
        """Serves HTTP on 127.0.0.1:port (default: a free port), with the machine API's bearer
        token if given and extra [http] lines; rewrites the config and returns the port."""
        self.port = port or free_port()
        self.http = "listen = 127.0.0.1:%d\n%s%s" % (self.port, "token = %s\n" % token if token else "", extra)
        self.write_conf()
        return self.port

    @property
    def sock(self):
        return os.path.join(self.dir, "var", "kentongan.sock")

    @property
    def db(self):
        return os.path.join(self.dir, "var", "kentongan.db")

    def start(self, env=None, wait=True, debug=True, preexec_fn=None, wrap=(), cwd=None):
        """debug=False leaves out -d (the daemon then logs to syslog and detaches, unless
        NOTIFY_SOCKET in env says systemd supervises it). wrap: a command the daemon runs under
        (e.g. setpriv dropping a capability). cwd: the daemon's directory (default: the gateway's;
        kt.TOP finds the source tree's modem-configs/operators.conf)."""
        e = dict(os.environ)
        e.pop("KT_CRASH", None)     # a crash point only where the test asks for one
        if env:
            e.update(env)
        cmd = list(wrap) + self.wrap + [KENTONGAND] + (["-d"] if debug else []) + ["-c", self.conf]
        if VALGRIND:
            cmd = ["valgrind", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite",
                   "--trace-children=no", "-q"] + cmd
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT, env=e, cwd=cwd or self.dir,
                                     preexec_fn=preexec_fn)
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
        kids = self.workers()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("the daemon did not stop within %ds after signal %d:\n%s" % (timeout, sig, self.logtail()))
        self.proc = None
        self.logf.close()
        self.wait_gone(kids)
        return rc

    def wait_exit(self, timeout, what="the daemon to stop by itself"):
        """Waits for a daemon that stops by itself (it refuses its config, a crash point); its exit
        status."""
        kids = self.workers()
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            fail("timed out after %ss waiting for %s:\n%s" % (timeout, what, self.logtail()))
        self.proc = None
        self.logf.close()
        self.wait_gone(kids)
        return rc

    def workers(self):
        """The pids of the daemon's children (its modem workers)."""
        return [int(k) for k in run(["pgrep", "-P", str(self.proc.pid)]).stdout.split()]

    @staticmethod
    def wait_gone(pids, timeout=10):
        """The modem workers die with the daemon (parent-death signal): wait until they have."""
        poll(lambda: all(_zombie(k) for k in pids), timeout=timeout,
             what="the daemon's workers %s to end with it" % pids)

    def kill9(self):
        """kill -9 the daemon and its modem workers (a power cut)."""
        if self.proc is None:
            return
        pid = self.proc.pid
        kids = self.workers()
        os.kill(pid, signal.SIGKILL)
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self.proc = None
        self.logf.close()

    def logtext(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def ctl_or_none(self, *args):
        """ctl() for a condition that is polled: None when the command fails (the daemon may be
        restarting), True for no output."""
        r = self.console(*(list(args) + ["--json"]))
        if r.returncode != 0:
            return None
        return json.loads(r.stdout) if r.stdout.strip() else True

    def inbox(self):
        r = self.ctl_or_none("inbox")
        return r if isinstance(r, list) else []

    def modem(self, name):
        """One modem's entry in status, or None (no such modem, or no answer)."""
        st = self.ctl_or_none("status")
        for m in st.get("modems", []) if isinstance(st, dict) else []:
            if m.get("name") == name:
                return m
        return None

    def worker_pid(self, name):
        """The pid of the last worker the daemon spawned for modem name (from its log)."""
        pids = re.findall(r"modem=%s event=spawn pid=(\d+)" % re.escape(name), self.logtext())
        return int(pids[-1]) if pids else None

    def import_subscribers(self, rows):
        """`kentongan subscribers import` of (number, area) rows (works with the daemon stopped);
        returns its JSON summary."""
        path = os.path.join(self.dir, "subs.csv")
        with open(path, "w") as f:
            f.write("".join("%s,%s\n" % tuple(r) for r in rows))
        return self.ctl("subscribers", "import", path)

    def modemsims(self, *specs, extra="", **kw):
        """Starts a ModemSim in the gateway's directory for each (name, operator) and makes them
        the config's modems, each section with extra; returns them."""
        sims = [ModemSim(self.dir, name, operator=op, **kw) for name, op in specs]
        self.write_conf(modems="".join(s.section(extra=extra) for s in sims))
        return sims

    def box_at_hub(self, box):
        """This hub's entry for box in `kentongan boxes`, or {} while it has none."""
        return {x["box"]: x for x in self.ctl("boxes")}.get(box, {})

    def join_hub(self, hub, box, number, area, what="the box at the hub"):
        """This box's first subscriber (number in area), and the wait until the hub lists the box
        with it: the box is online and has reported."""
        self.ctl("subscriber", "add", number, "--area", area, fmt="text")
        poll(lambda: hub.box_at_hub(box).get("subscribers") == 1, timeout=60, what=what)

    def wait_ready(self, timeout=30, what="every modem ready"):
        poll(lambda: all(m["state"] == "ready" for m in self.ctl("status")["modems"]), timeout, what)

    def import_areas(self, dirpath=WILAYAH):
        r = self.console("areas", "import", dirpath)
        if r.returncode != 0:
            fail("areas import: %s%s" % (r.stdout, r.stderr))
        return r

    def cleanup(self):
        """Kills the daemon and removes the directory. Called while a failure propagates (from a
        finally: or a with block that an exception leaves), it first shows the daemon's last log
        lines."""
        e = sys.exc_info()[1]
        if e is not None and not (isinstance(e, SystemExit) and not e.code):
            print("--- the last lines of %s ---\n%s" % (self.log, self.logtail(60)), file=sys.stderr)
        if self.proc is not None:
            self.kill9()
        rmtree_unless_kept(self.dir)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.cleanup()


class DummyPhone:
    """Gammu's dummy driver: a directory; incoming SMS are files in sms/1 (SIM inbox), written
    to a dot-name and then renamed. folders: the sms/N folders made at once."""

    def __init__(self, root, name="phone", folders=(1,)):
        self.dir = os.path.join(root, name)
        for n in folders:
            os.makedirs(os.path.join(self.dir, "sms", str(n)), exist_ok=True)
        self.next = 1

    def section(self, name, rate="0"):
        """The [modem name] section; rate=None leaves the rate key out (the default rate)."""
        return "\n[modem %s]\nconnection = none\nmodel = dummy\ndevice = %s\n%spoll = 1\n" % (
            name, self.dir, "rate = %s\n" % rate if rate is not None else "")

    CODINGS = {"ucs2": "Unicode_No_Compression", "gsm7": "Default_No_Compression", "8bit": None}

    def inject(self, sender, text=None, udh=None, coding="ucs2", when="20261127T120000", location=None, folder=1,
               hexdata=None):
        """An incoming SMS at location (default: the next free one). The text is always stored
        as UTF-16 hex, coding only names it; hexdata: the raw data of an 8bit message."""
        loc = location or self.next
        self.next = max(self.next, loc) + 1
        hexs = hexdata if hexdata is not None else text.encode("utf-16-be").hex().upper()
        lines = ["[SMSBackup000]", 'SMSC = "+6281100000"', "PDU = Deliver", "State = UnRead",
                 'Number = "%s"' % sender]
        if self.CODINGS[coding]:
            lines.append("Coding = %s" % self.CODINGS[coding])
        lines.append("DateTime = %s" % when)
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
        self.pty = line.strip()
        # what it prints later (the pty of each re-plug; errors when stderr is not redirected) is
        # read away as it comes: a full pipe would block the simulator in the middle of a test
        self.output = []
        threading.Thread(target=self._drain, daemon=True).start()
        poll(lambda: os.path.exists(self.ctlsock), what="modemsim control socket")

    def _drain(self):
        for line in self.proc.stdout:
            self.output.append(line)

    def section(self, rate="0", extra=""):
        if self.fast:
            # -t0: a socat whose worker is gone (a daemon killed mid-test) lets go of the pty at
            # once, not half a second later, when it would eat the next worker's first replies
            conn = "connection = proxyat\ndevice = socat -t0 - %s,rawer\n" % self.link
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


def free_port():
    """A TCP port on the loopback that nothing listens on right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def add_web_user(g, name, role, password):
    """kentongan user add NAME --role ROLE, the password on stdin (works with the daemon stopped)."""
    r = g.console("user", "add", name, "--role", role, input=password + "\n")
    if r.returncode != 0:
        fail("user add %s: %s%s" % (name, r.stdout, r.stderr))


class Browser:
    """Headless Chromium through Selenium, with the browser's console log kept. Nothing is
    downloaded: the Debian chromium and chromedriver are used. Browser.start() returns None (and
    says why) when Selenium or Chromium is missing or cannot start, so a test can skip."""

    CHROMIUM = "/usr/bin/chromium"
    DRIVER = "/usr/bin/chromedriver"

    def __init__(self, driver, shots):
        self.d = driver
        self.shots = shots
        os.makedirs(shots, exist_ok=True)

    @classmethod
    def start(cls, shots):
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
        except ImportError as e:
            print("skipped: python3-selenium is missing (%s)" % e)
            return None
        if not (os.path.exists(cls.CHROMIUM) and os.path.exists(cls.DRIVER)):
            print("skipped: %s or %s is missing (apt-get install chromium chromium-driver)" % (cls.CHROMIUM, cls.DRIVER))
            return None
        opts = webdriver.ChromeOptions()
        opts.binary_location = cls.CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            d = webdriver.Chrome(service=Service(cls.DRIVER), options=opts)
        except Exception as e:  # chromium refused to start: say so and let the test skip
            print("skipped: Chromium cannot start: %s" % str(e).splitlines()[0])
            return None
        d.set_page_load_timeout(60)
        return cls(d, shots)

    def go(self, el):
        """Clicks something that loads a new page and waits until the old one is gone (else
        the next look-up may still find the old page's elements)."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait
        el.click()

        def gone(_):
            try:
                el.is_enabled()
                return False
            except WebDriverException:
                # stale; while the old page is torn down Chrome may also answer "Node with given
                # id does not belong to the document", which means the same
                return True
        WebDriverWait(self.d, 60).until(gone)

    def login(self, base, name, password):
        """The web console's login form at base (http://host:port)."""
        from selenium.webdriver.common.by import By
        self.d.get(base + "/console/login")
        self.d.find_element(By.ID, "name").send_keys(name)
        self.d.find_element(By.ID, "password").send_keys(password)
        self.go(self.d.find_element(By.ID, "login"))

    def shot(self, name):
        path = os.path.join(self.shots, name + ".png")
        self.d.save_screenshot(path)
        return path

    def weight(self):
        """Bytes transferred for the current page: the document and every resource it loaded."""
        return self.d.execute_script(
            "var n = performance.getEntriesByType('navigation')[0];"
            "var t = n ? n.transferSize : 0;"
            "performance.getEntriesByType('resource').forEach(function (r) { t += r.transferSize; });"
            "return t;")

    def log(self):
        return self.d.get_log("browser")

    def quit(self):
        try:
            self.d.quit()
        except Exception:
            pass

    stop = quit     # (a Rig ends it with the rest)


# ---- the uplink: a real mosquitto on a free loopback port, Ed25519 keys, hub and box sections ----

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def make_keys(root, name="hub"):
    """An Ed25519 key pair made with the openssl command: (private PEM path, public PEM path)."""
    priv, pub = os.path.join(root, name + ".key"), os.path.join(root, name + ".pub")
    for args in (["openssl", "genpkey", "-algorithm", "ed25519", "-out", priv],
                 ["openssl", "pkey", "-in", priv, "-pubout", "-out", pub]):
        r = run(args)
        check(r.returncode == 0, "%s: %s" % (" ".join(args), r.stderr))
    return priv, pub


def signed_command(keyfile, cmd, root):
    """The envelope a hub publishes: the command text cmd signed with the Ed25519 key keyfile (by
    the openssl command, not by the code under test)."""
    path = os.path.join(root, "msg.bin")
    with open(path, "wb") as f:
        f.write(cmd.encode())
    r = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", keyfile, "-rawin", "-in", path],
                       capture_output=True)
    check(r.returncode == 0, "openssl pkeyutl: %r" % r.stderr)
    return json.dumps({"c": cmd, "s": base64.b64encode(r.stdout).decode()})


class Mosquitto:
    """mosquitto on 127.0.0.1:PORT. users: {name: password} turns on password_file (anonymous
    off); acl: the text of an acl_file. The port stays the same across stop()/start()."""

    def __init__(self, root, name="broker", port=None, users=None, acl=None, extra=""):
        self.place(root, name, port)
        lines = ["listener %d 127.0.0.1" % self.port, "persistence false", "log_dest file " + self.log,
                 "log_type error", "log_type warning", "log_type notice", "max_queued_messages 100000"]
        if os.getuid() == 0:
            lines.append("user root")
        if users:
            pwfile = os.path.join(root, name + ".passwd")
            open(pwfile, "w").close()
            for u, pw in users.items():
                r = run(["mosquitto_passwd", "-b", pwfile, u, pw])
                check(r.returncode == 0, "mosquitto_passwd: %s" % r.stderr)
            lines += ["allow_anonymous false", "password_file " + pwfile]
        else:
            lines.append("allow_anonymous true")
        if acl is not None:
            aclfile = os.path.join(root, name + ".acl")
            with open(aclfile, "w") as f:
                f.write(acl)
            lines.append("acl_file " + aclfile)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)

    def place(self, root, name, port):
        """Its port (a free one unless given), config and log file in root."""
        self.root = root
        self.name = name
        self.port = port or free_port()
        self.conf = os.path.join(root, name + ".conf")
        self.log = os.path.join(root, name + ".log")
        self.proc = None

    @property
    def url(self):
        return "mqtt://127.0.0.1:%d" % self.port

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT)

        return self.wait_listening("mosquitto", 10)

    def wait_listening(self, what, timeout):
        def up():
            check(self.proc.poll() is None, "%s exited: %s" % (what, self.logtail()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                return False
        poll(up, timeout=timeout, what="%s to listen on %d" % (what, self.port))
        return self

    def logtail(self):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self):
        self.stop(signal.SIGKILL)


def hub_section(broker, signing_key, name="hub", extra=""):
    return "[hub]\nbroker = %s\nname = %s\nsigning_key = %s\n%s" % (broker, name, signing_key, extra)


def uplink_section(broker, hub_key, box, extra="", keepalive=5):
    return "[uplink]\nbroker = %s\nbox = %s\nhub_key = %s\nkeepalive = %d\n%s" % (
        broker, box, hub_key, keepalive, extra)


def sql(db, query, args=()):
    """One read-only query on a daemon's database (WAL: safe while it runs)."""
    import sqlite3
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


class NatsMQTT(Mosquitto):
    """nats-server with its MQTT listener (JetStream on, a server_name) in place of mosquitto: the
    boxes and hubs must not notice. Same interface as Mosquitto (no users or ACL here)."""

    def __init__(self, root, name="nats", port=None):
        self.place(root, name, port)
        with open(self.conf, "w") as f:
            f.write("server_name: kt_%s\nhost: 127.0.0.1\nport: %d\njetstream {\n  store_dir: \"%s\"\n}\n"
                    "mqtt {\n  host: 127.0.0.1\n  port: %d\n}\n" % (
                        name, free_port(), os.path.join(root, name + "-js"), self.port))

    def start(self):
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([NATS_SERVER, "-c", self.conf], stdout=self.logf, stderr=subprocess.STDOUT)
        return self.wait_listening("nats-server's MQTT listener", 20)


def make_broker(root, name="broker"):
    """mosquitto, or nats-server's MQTT listener when KT_BROKER=nats."""
    if os.environ.get("KT_BROKER") == "nats":
        return NatsMQTT(root, name)
    return Mosquitto(root, name)


class Rig:
    """A scratch directory and what a test starts in it: keep(x) remembers a Gateway, ModemSim,
    broker (anything with cleanup() or stop()); cleanup() ends the gateways first, then the rest,
    newest first, then removes the directory (unless KT_KEEP)."""

    def __init__(self, prefix):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.things = []

    def keep(self, x):
        self.things.append(x)
        return x

    def sim(self, name="sim", **kw):
        return self.keep(ModemSim(self.root, name, **kw))

    def cleanup(self):
        gws = [x for x in self.things if isinstance(x, Gateway)]
        for x in reversed(gws + [x for x in self.things if x not in gws]):
            (x.cleanup if isinstance(x, Gateway) else x.stop)()
        self.things = []
        rmtree_unless_kept(self.root)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.cleanup()


class Uplink(Rig):
    """A Rig with a broker (make_broker's unless broker names another class; not started) and the
    hub's Ed25519 key pair; hub() and box() make gateways that use them."""

    def __init__(self, prefix, broker=make_broker):
        super().__init__(prefix)
        self.broker = self.keep(broker(self.root))
        self.priv, self.pub = make_keys(self.root)

    def hub(self, areas="1671", name="kt-hub", **kw):
        return self.keep(Gateway(name=name, areas=areas, tail=hub_section(self.broker.url, self.priv), **kw))

    def box(self, box, areas, name="kt-box", keepalive=5, url=None, **kw):
        return self.keep(Gateway(name=name, areas=areas, **kw,
                                 tail=uplink_section(url or self.broker.url, self.pub, box, keepalive=keepalive)))

    def box_on_sim(self, box, areas, sim="sim", **kw):
        """A box on a modemsim of its own: (the modemsim, the box)."""
        s = self.sim(sim)
        return s, self.box(box, areas, modems=s.section(), **kw)

    def start_hub_and_box(self, box, areas):
        """The broker started, then a hub (areas 1671) and a box on a modemsim of its own, both with
        the area data and running: (the hub, the modemsim, the box)."""
        self.broker.start()
        hub = self.hub()
        sim, b = self.box_on_sim(box, areas)
        for g in (hub, b):
            g.import_areas()
            g.start()
        return hub, sim, b
