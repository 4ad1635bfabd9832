"""faultlib — the scenario and the invariant checker shared by the crash and fault tests
(tests/integration/test_crash*.py, test_faults*.py) and by tools/torture.sh and tools/soak.sh.

A Scenario is a real kentongand on one or two modemsim modems (connected through socat, ~0.1 s),
with the Kemendagri areas and a few subscribers in area 1671 imported offline. Work is added in
"rounds": each round delivers some SMS to the modems (`modemsim ctl … sms`) and queues a broadcast.
Everything a round asked for is remembered, so that after any crash, restart and quiet period
check() can compare three independent records — what was injected, modemsim's JSON log of sent
parts, and the store — against SPEC §6:

  * every injected SMS is in the inbox exactly once and no longer on any SIM;
  * every outbox row (broadcast recipients and replies) reached a final state, none failed;
  * every outbox row was sent at least once (modemsim's log), and the extra copies are bounded
    by the number of crashes times the in-flight bound (2 per modem);
  * every accepted broadcast has one outbox row per subscriber of its area;
  * PRAGMA integrity_check says ok.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import kt  # noqa: E402,F401  (soak.py and the crash tests reach kt through faultlib)
from kt import check, fail, poll  # noqa: E402,F401

INFLIGHT_PER_MODEM = 2  # gateway/modem/modem.c MODEM_INFLIGHT
FINAL = ("sent", "delivered", "failed", "expired", "cancelled")

_template = {}


def template_db():
    """A migrated database with the areas imported (made once per process, ~1 s), copied per test."""
    if "db" not in _template:
        g = kt.Gateway(name="kt-template")
        g.import_areas()
        _template["gw"] = g
        _template["db"] = g.db
    return _template["db"]


def cleanup_template():
    g = _template.pop("gw", None)
    _template.pop("db", None)
    if g is not None:
        g.cleanup()


class Sim(kt.ModemSim):
    """kt.ModemSim with 100 SIM slots, stderr kept in a file (shown if it dies under a ctl), a
    `stored()` count, and a sent log read the way a kill -9 may have left it."""

    def __init__(self, root, name, operator="telkomsel", extra=()):
        self.errlog = open(os.path.join(root, name + "-stderr.log"), "w")
        super().__init__(root, name, operator, extra=["--storage", "100"] + list(extra), stderr=self.errlog)

    def ctl(self, *args, ok=True):
        r = kt.run([kt.MODEMSIM, "ctl", self.ctlsock] + [str(a) for a in args])
        lines = r.stdout.strip().splitlines()
        if ok and (r.returncode != 0 or not lines or lines[-1].startswith("ERR")):
            died = ""
            if self.proc.poll() is not None:
                try:
                    with open(self.errlog.name, errors="replace") as f:
                        tail = f.read()[-1500:]
                except OSError:
                    tail = ""
                died = "\nmodemsim %s exited with status %s; its stderr:\n%s" % (self.name, self.proc.returncode, tail)
            fail("modemsim %s ctl %s: %r %r%s" % (self.name, " ".join(map(str, args)), r.stdout, r.stderr, died))
        return r.stdout

    def stored(self):
        """Messages on the SIM (and held by the network), from `list`'s last line."""
        out = self.ctl("list")
        m = re.search(r"OK (\d+) stored(?:, (\d+) held)?", out)
        check(m is not None, "modemsim list: %r" % out)
        return int(m.group(1)) + int(m.group(2) or 0)

    def sent(self, cut_ok=True):
        return super().sent(cut_ok)


def kill_tree(pid, mark=None):
    """A power cut for pid and all its descendants, and (with mark) for orphans left by earlier
    crashes whose command line names mark (the test's directory: socat helpers of dead workers).
    Everyone is stopped first (SIGSTOP: a stopped process cannot fork a helper that would escape),
    the tree is walked again until it stops growing, then everyone gets SIGKILL."""
    def walk():
        procs = kt.procs()
        # never a pid <= 1: os.kill(-1, …) would signal every process on the machine
        found = [pid] + kt.descendants(pid, procs) if pid and pid > 1 and pid in procs else []
        if mark and len(mark) > 8:
            for c, (pp, cmd) in procs.items():
                if pp == 1 and mark in cmd and "modemsim" not in cmd and c not in found:
                    found.append(c)
        return [v for v in found if v > 1 and v != os.getpid()]

    def signal_all(victims, sig):
        for v in victims:
            try:
                os.kill(v, sig)
            except (ProcessLookupError, PermissionError):
                pass

    stopped = []
    for _ in range(20):
        new = [v for v in walk() if v not in stopped]
        if not new:
            break
        signal_all(new, signal.SIGSTOP)
        stopped += new
    signal_all(stopped, signal.SIGKILL)


def db_query(path, sql, args=()):
    # read-write mode, SELECTs only: a mode=ro connection was seen to miss the WAL after a kill -9
    con = sqlite3.connect(path, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


class Scenario:
    """A gateway on modemsim modems with subscribers; rounds of incoming SMS and broadcasts."""

    OPERATORS = (("telkomsel", "0812"), ("indosat", "0857"))

    def __init__(self, nmodems=2, nsubs=6, name="kt-crash", modem_extra="", gateway_extra=""):
        self.gw = kt.Gateway(name=name, gateway_extra=gateway_extra)
        os.makedirs(os.path.dirname(self.gw.db), exist_ok=True)
        shutil.copy(template_db(), self.gw.db)
        self.sims = [Sim(self.gw.dir, "m%d" % (i + 1), self.OPERATORS[i % 2][0]) for i in range(nmodems)]
        self.gw.write_conf(modems="".join(s.section(extra=modem_extra) for s in self.sims))
        # subscribers of both operators so that both modems send
        path = os.path.join(self.gw.dir, "subs.csv")
        with open(path, "w") as f:
            for i in range(nsubs):
                f.write("%s77%05d,1671011001\n" % (self.OPERATORS[i % 2][1], i))
        r = self.gw.console("subscribers", "import", path, "--json")
        check(r.returncode == 0 and json.loads(r.stdout)["imported"] == nsubs,
              "subscribers import: %r %r" % (r.stdout, r.stderr))
        self.nsubs = nsubs
        self.injected = []      # (sender, text)
        self.broadcasts = []    # texts of accepted broadcasts
        self.maybe = []         # texts of broadcasts the console did not see accepted
        self.crashes = 0        # crashes and kills so far: each may repeat the sends in flight
        self.round = 0
        self.log_seen = 0

    # -- lifecycle
    def start(self, env=None, wait=True):
        self.gw.start(env=env, wait=wait)

    def wait_ready(self, timeout=20):
        poll(lambda: all(m["state"] in ("ready", "sending") for m in self.gw.ctl("status")["modems"]),
             timeout, "every modem ready")

    def kill9(self):
        """A power cut: the daemon, its workers and their helpers (socat) die at once."""
        if self.gw.proc is not None:
            kill_tree(self.gw.proc.pid, self.gw.dir)
            self.gw.proc.wait()
            self.gw.proc = None
            self.gw.logf.close()
            self.crashes += 1

    def crashed(self, timeout=30):
        """Waits for the daemon to die by itself (a crash point in the daemon); returns its status."""
        try:
            rc = self.gw.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            fail("the daemon did not crash within %ds:\n%s" % (timeout, self.gw.logtail()))
        self.gw.proc = None
        self.gw.logf.close()
        self.crashes += 1
        # what outlived the daemon (workers on their way out, their socat helpers) dies with it,
        # as in a power cut; an orphaned socat would steal the next worker's replies
        kill_tree(None, self.gw.dir)
        return rc

    def logtext(self):
        return self.gw.logtext()

    def crash_lines(self, point=None):
        pat = "crash point=%s " % point if point else "crash point="
        return self.logtext().count(pat)

    def stop(self):
        if self.gw.proc is not None:
            rc = self.gw.stop()
            check(rc == 0, "the daemon stopped with %s:\n%s" % (rc, self.gw.logtail()))

    def cleanup(self):
        for s in self.sims:
            s.stop()
        self.gw.cleanup()

    # -- work
    def inject(self, n, tag=None):
        """Delivers n SMS, spread over the modems; unique sender and text each."""
        tag = tag or "r%d" % self.round
        for i in range(n):
            sender = "+6281390%03d%03d" % (self.round % 1000, len(self.injected) % 1000)
            text = ("INFO %s-%d" if i % 2 == 0 else "halo %s-%d apa kabar") % (tag, i)
            self.sims[len(self.injected) % len(self.sims)].ctl("sms", sender, text)
            self.injected.append((sender, text))

    def broadcast(self, text=None, expect_ok=True):
        """Queues a broadcast to area 1671; returns the console's exit status. A broadcast that was
        refused (the daemon died under it) is remembered only if the store has it."""
        text = text or "Siaran %s: kerja bakti Minggu pagi" % ("r%d" % self.round)
        r = self.gw.console("broadcast", "--area", "1671", text)
        if r.returncode == 0:
            self.broadcasts.append(text)
        elif expect_ok:
            fail("broadcast refused: %d %r %r\n%s" % (r.returncode, r.stdout, r.stderr, self.gw.logtail()))
        else:
            self.maybe.append(text)
        return r.returncode

    def resolve(self):
        """After a restart: a broadcast whose console call failed is either wholly in the store
        (it was committed before the crash) or not at all; in that case the operator sends it again."""
        for text in self.maybe:
            n = db_query(self.gw.db, "SELECT count(*) FROM announcements WHERE text = ?", (text,))[0][0]
            check(n <= 1, "broadcast %r stored %d times" % (text, n))
            if n == 0:
                self.broadcast(text)
            else:
                self.broadcasts.append(text)
        self.maybe = []

    def next_round(self, n_sms=2, broadcast=True):
        self.round += 1
        self.inject(n_sms)
        if broadcast:
            self.broadcast()

    # -- waiting
    def quiet(self):
        """True once everything asked for is done: inbox complete, SIMs empty, queue drained."""
        rows = db_query(self.gw.db, "SELECT count(*) FROM inbox")[0][0]
        if rows < len(self.injected):
            return False
        if db_query(self.gw.db, "SELECT count(*) FROM inbox WHERE action IS NULL")[0][0]:
            return False
        if db_query(self.gw.db, "SELECT count(*) FROM outbox WHERE status NOT IN (%s)" %
                    ",".join("'%s'" % s for s in FINAL))[0][0]:
            return False
        return all(s.stored() == 0 for s in self.sims)

    def wait_quiet(self, timeout=60):
        def stuck():
            try:
                print("--- status\n%s--- daemon log\n%s" % (self.gw.console("status").stdout, self.gw.logtail(40)),
                      file=sys.stderr)
            except Exception:  # noqa: BLE001
                pass
            return "the gateway to finish its work (%s)" % self.progress()
        t0 = time.monotonic()
        poll(self.quiet, timeout, stuck)
        return time.monotonic() - t0

    def progress(self):
        try:
            q = db_query(self.gw.db, "SELECT status, count(*) FROM outbox GROUP BY status")
            n = db_query(self.gw.db, "SELECT count(*) FROM inbox")[0][0]
            return "inbox %d/%d, outbox %s, sims %s" % (n, len(self.injected), dict(q),
                                                         [s.stored() for s in self.sims])
        except Exception as e:  # noqa: BLE001
            return "unknown: %s" % e

    # -- invariants (SPEC §6)
    def check(self, what=""):
        db = self.gw.db
        pre = "%s: " % what if what else ""
        ok = db_query(db, "PRAGMA integrity_check")
        check(ok == [("ok",)], pre + "integrity_check: %r" % ok[:5])

        # no received SMS lost or stored twice, none left on a SIM
        inbox = {}
        for sender, text in db_query(db, "SELECT sender, text FROM inbox"):
            inbox[(sender, text)] = inbox.get((sender, text), 0) + 1
        for key in self.injected:
            n = inbox.get(key, 0)
            check(n == 1, pre + "received SMS %r stored %d times (want exactly 1)" % (key, n))
        check(len(inbox) == len(self.injected) and sum(inbox.values()) == len(self.injected),
              pre + "the inbox has %d rows for %d injected SMS" % (sum(inbox.values()), len(self.injected)))
        for s in self.sims:
            check(s.stored() == 0, pre + "modem %s still holds %d messages" % (s.name, s.stored()))

        # every broadcast accepted has all its recipients; all-or-nothing for the others
        anns = db_query(db, "SELECT a.id, a.text, a.recipients, (SELECT count(*) FROM outbox o WHERE "
                        "o.announcement_id = a.id) FROM announcements a")
        by_text = {}
        for aid, text, recips, rows in anns:
            check(recips == rows == self.nsubs, pre + "announcement %d (%r): recipients=%d outbox rows=%d, "
                  "subscribers=%d" % (aid, text, recips, rows, self.nsubs))
            by_text[text] = by_text.get(text, 0) + 1
        for text in self.broadcasts:
            check(by_text.get(text) == 1, pre + "accepted broadcast %r stored %d times" % (text, by_text.get(text, 0)))

        # every outbox row final and not failed; sent at least once; duplicates bounded
        rows = db_query(db, "SELECT o.id, o.number, coalesce(o.text, a.text), o.status, o.attempts FROM outbox o "
                        "LEFT JOIN announcements a ON a.id = o.announcement_id")
        bad = [r for r in rows if r[3] not in ("sent", "delivered")]
        check(not bad, pre + "outbox rows not sent: %r" % bad[:5])
        sent = {}
        for s in self.sims:
            for p in s.sent():
                if p.get("part", 1) == 1:
                    key = (p["to"], p["text"] if p.get("parts", 1) == 1 else None)
                    sent[key] = sent.get(key, 0) + 1
        want = {}
        for _id, number, text, _st, _att in rows:
            want[(number, text)] = want.get((number, text), 0) + 1
        extra = 0
        for key, n in want.items():
            got = sent.get(key, 0)
            check(got >= n, pre + "outbox row to %s (%r) never reached a modem (sent %d, rows %d)" %
                  (key[0], key[1][:40], got, n))
            extra += got - n
            check(got - n <= self.crashes, pre + "message to %s sent %d times for %d rows after %d crashes" %
                  (key[0], got, n, self.crashes))
        unknown = [k for k in sent if k not in want]
        check(not unknown, pre + "modems sent messages the store does not know: %r" % unknown[:3])
        bound = self.crashes * INFLIGHT_PER_MODEM * len(self.sims)
        check(extra <= bound, pre + "%d duplicate sends after %d crashes (bound %d)" % (extra, self.crashes, bound))
        return {"inbox": len(self.injected), "outbox": len(rows), "duplicates": extra, "crashes": self.crashes}
