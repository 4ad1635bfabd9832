#!/usr/bin/env python3
"""`kentongan setup`: by options (areas by name and code, a detected modemsim, an HTTP token; the
daemon starts on the result), never over an existing file without --force, an ambiguous area or
a configuration kentongand -n refuses writes nothing; then once through a pseudo-terminal,
answering its prompts (an ambiguous name picked from the numbered list, the modem, English,
HTTP)."""
import os
import pty
import re
import select
import shutil
import signal
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import kt  # noqa: E402
from kt import KENTONGAN, KENTONGAND, WILAYAH, Gateway, Rig, check, fail, free_port, poll, run  # noqa: E402

ENV = dict(os.environ, KT_MODEM_CONFIGS=os.path.join(kt.TOP, "modem-configs"))


def setup(root, conf, *args):
    return run([KENTONGAN, "-c", conf, "setup", "--areas-data", WILAYAH] + list(args), cwd=root, env=ENV)


class Term:
    """A program on a pseudo-terminal: expect() reads until a pattern shows, send() types a line."""

    def __init__(self, argv, cwd):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execve(argv[0], argv, ENV)
        self.out = ""

    def expect(self, pattern, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.out)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                fail("no %r on the terminal within %ds; it shows:\n%s" % (pattern, timeout, self.out))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    fail("the program ended before %r; it showed:\n%s" % (pattern, self.out))
                self.out += data.decode("utf-8", "replace")

    def send(self, line):
        self.mark = len(self.out)
        os.write(self.fd, (line + "\r").encode())

    def wait(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.2)
                if r:
                    self.out += os.read(self.fd, 4096).decode("utf-8", "replace")
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                return os.waitstatus_to_exitcode(status)
        fail("setup did not end; it showed:\n" + self.out)

    def kill(self):
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None
        os.close(self.fd)


def conf_of(path):
    with open(path) as f:
        return f.read()


def main():
    rig = Rig("kt-setup-")
    root = rig.root
    byid = os.path.join(root, "by-id")
    os.makedirs(byid)
    term = None
    try:
        sim = rig.sim("tsel", fast=False, extra=["--imei", "444444444444444"])
        os.symlink(sim.link, os.path.join(byid, "usb-Kentongan_sim-if00-port0"))
        glob_ = os.path.join(byid, "*")

        # ---- by options ----
        conf = os.path.join(root, "etc", "kentongan.conf")
        r = setup(root, conf, "--area", "Kota Palembang", "--area", "Kec Babat", "--area", "1671011001",
                  "--modem-glob", glob_, "--http", "127.0.0.1:%d" % free_port())
        check(r.returncode == 0, "setup: %s %s" % (r.stdout, r.stderr))
        check("wrote %s: 2 areas, 1 modem" % conf in r.stdout and "kentongand -n: ok" in r.stdout, r.stdout)
        text = conf_of(conf)
        check(re.search(r"^areas\s*=\s*1671,352405$", text, re.M), "areas by name, the village inside "
              "Palembang adds nothing:\n" + text)
        check("[modem telkomsel-1]" in text and "imei         = 444444444444444" in text and
              "device       = %s" % os.path.join(byid, "usb-Kentongan_sim-if00-port0") in text, "modem:\n" + text)
        token = re.search(r"^token\s*=\s*([0-9a-f]+)$", text, re.M)
        check(token and len(token.group(1)) == 40, "a 160-bit token:\n" + text)
        check(stat.S_IMODE(os.stat(conf).st_mode) == 0o640, "mode 0640 (the token)")
        check(os.path.exists(os.path.join(root, "etc", "var", "kentongan.db")), "the database beside it, with areas")
        check(not [f for f in os.listdir(os.path.dirname(conf)) if ".setup-" in f], "no temporary file left")
        r = run([KENTONGAND, "-n", "-c", conf])
        check(r.returncode == 0, "kentongand -n: %s %s" % (r.stdout, r.stderr))

        # the daemon runs on it
        gw = rig.keep(Gateway(name="kt-setup-gw"))
        shutil.copy(conf, gw.conf)
        gw.start()
        st = poll(lambda: (lambda s: s if s["modems"][0]["state"] == "ready" else None)(gw.ctl("status")),
                  timeout=40, what="the modem of the written configuration")
        check(st["modems"][0]["name"] == "telkomsel-1" and st["http"] is not None, "status: %s" % st)
        gw.stop()

        # an existing file is kept; --force replaces it
        before = conf_of(conf)
        r = setup(root, conf, "--area", "Kota Palembang", "--no-modems")
        check(r.returncode == 1 and "exists" in r.stderr and "--force" in r.stderr, "no overwrite: %s" % r.stderr)
        check(conf_of(conf) == before, "the file is untouched")
        r = setup(root, conf, "--force", "--area", "Kota Palembang", "--no-modems", "--no-http")
        check(r.returncode == 0 and "0 modems" in r.stdout, "--force: %s %s" % (r.stdout, r.stderr))
        check("[http]" not in conf_of(conf) and re.search(r"^areas\s*=\s*1671$", conf_of(conf), re.M),
              "replaced:\n" + conf_of(conf))

        # an ambiguous name in a script: an error naming the codes, nothing written
        other = os.path.join(root, "other.conf")
        r = setup(root, other, "--area", "Lamongan", "--no-modems")
        check(r.returncode == 1 and "3524 KABUPATEN LAMONGAN" in r.stderr and "352422" in r.stderr,
              "ambiguous: %s" % r.stderr)
        check(not os.path.exists(other), "nothing written for an ambiguous area")
        # a result kentongand -n refuses is not put in place
        r = setup(root, other, "--area", "3524", "--no-modems", "--http", "nonsense")
        check(r.returncode == 1 and "kentongand -n" in r.stderr and not os.path.exists(other),
              "refused by -n: %s" % r.stderr)
        check(not [f for f in os.listdir(root) if ".setup-" in f], "no temporary file left after -n refused")

        # ---- on a terminal ----
        tconf = os.path.join(root, "term", "kentongan.conf")
        term = Term([KENTONGAN, "-c", tconf, "setup", "--areas-data", WILAYAH, "--modem-glob", glob_], root)
        term.expect(r"Kentongan setup: writes .*kentongan\.conf")
        term.expect(r"Areas \(e\.g\. Lamongan, Kec Babat\): $")
        term.send("Lamongan")
        m = term.expect(r"(\d+)\) KABUPATEN LAMONGAN \(regency/city 3524\)")
        term.expect(r"Which one\? number, or empty for none: $")
        term.send(m.group(1))
        term.expect(r"Looking for modems")
        term.expect(r"yes: \[modem telkomsel-1\]", timeout=40)
        term.expect(r"Use these modems\? \[Y/n\]: $")
        term.send("y")
        term.expect(r"Reply language for villagers: id \(Indonesian\) or en \[id\]: $")
        term.send("en")
        term.expect(r"HTTP endpoint \(USSD aggregator, /health, /metrics\)\? \[y/N\]: $")
        term.send("y")
        term.expect(r"Listen on \[127\.0\.0\.1:8080\]: $")
        term.send("127.0.0.1:%d" % free_port())
        term.expect(r"wrote .*: 1 area, 1 modem, http 127\.0\.0\.1:\d+; kentongand -n: ok")
        check(term.wait() == 0, "setup on the terminal exit status; it showed:\n" + term.out)
        text = conf_of(tconf)
        check(re.search(r"^areas\s*=\s*3524$", text, re.M) and re.search(r"^language = en$", text, re.M) and
              "[modem telkomsel-1]" in text and "[http]" in text, "terminal result:\n" + text)
    finally:
        if term is not None:
            term.kill()
        rig.cleanup()
    print("ok")


if __name__ == "__main__":
    main()
