#!/usr/bin/env python3
"""Security review finding 4 against the real daemon: the SIAR PIN never reaches the disk in clear,
whatever the official typed (a zero-width space or a soft hyphen inside it, fullwidth digits,
"SIAR PIN 246813 …"), not even in the -wal after a crash right after the first commit
(KT_CRASH=inbox-commit); PINs are yescrypt hashes of 6 to 12 digits; `official add` reads the PIN
from standard input and refuses one on the command line."""
import glob
import sqlite3

from kt import Gateway, DummyPhone, check, poll

OFF = "+6281234500099"
PIN = "432198"
FORMS = ["SIAR 43\u200b2198 1671 satu", "SIAR 4\u00ad32198 1671 dua",
         "SIAR \uff14\uff13\uff12\uff11\uff19\uff18 1671 tiga", "SIAR PIN 432198 1671 empat"]


def on_disk(gw):
    """Every byte of the database and its -wal/-shm, as one bytes object."""
    data = b""
    for p in glob.glob(gw.db + "*"):
        with open(p, "rb") as f:
            data += f.read()
    return data


def no_pin(gw, what):
    data = on_disk(gw)
    for form in [PIN] + FORMS:
        tok = form.split(" ")[1] if form.startswith("SIAR ") and not form.startswith("SIAR PIN") else PIN
        for enc in (tok.encode("utf-8"), tok.encode("utf-16-be")):
            check(enc not in data, "%s: the PIN %r is on disk" % (what, tok))


def main():
    with Gateway(name="sec-siar", areas="16") as gw:
        ph = DummyPhone(gw.dir)
        gw.write_conf(modems=ph.section("d1"))
        gw.import_areas()
        gw.start()
        r = gw.console("official", "add", OFF, "--pin", PIN)
        check(r.returncode == 1 and "command line" in r.stderr, "--pin on argv is refused: %r" % r.stderr)
        r = gw.console("official", "add", OFF, input="1234\n")
        check(r.returncode == 1 and "6 to 12" in (r.stdout + r.stderr), "a 4-digit PIN is refused: %r" % r.stderr)
        r = gw.console("official", "add", OFF, input=PIN + "\n")
        check(r.returncode == 0, "official add from stdin: %r" % r.stderr)
        db = sqlite3.connect(gw.db)
        h = db.execute("SELECT pin_salt, pin_hash FROM roles WHERE number = ?", (OFF,)).fetchone()
        db.close()
        check(h[0] is None and h[1].startswith("$y$"), "the PIN is a yescrypt hash: %r" % (h,))

        # every form of the PIN is accepted and stored masked
        for i, text in enumerate(FORMS):
            ph.inject(OFF, text, when="20261127T1200%02d" % i)
            poll(lambda: any(m["text"].endswith(text.split(" ")[-1]) and m.get("action")
                             for m in gw.ctl("inbox")), 20, "%r routed" % text)
        rows = [m for m in gw.ctl("inbox") if m["from"] == OFF]
        for m in rows:
            check(m["action"].startswith("siar #"), "SIAR with the PIN written as %r: %r" % (m["text"], m["action"]))
            check("******" in m["text"], "the stored text is masked: %r" % m["text"])
        no_pin(gw, "after routing")
        gw.stop()
        no_pin(gw, "after a clean stop")

        # a crash right after the first commit, before routing: the PIN is not in the -wal either
        gw.start(env={"KT_CRASH": "inbox-commit"}, wait=True)
        ph.inject(OFF, "SIAR 43\u200b2198 1671 tujuh", when="20261127T130000")
        gw.wait_exit(30, "the crash point after the commit")
        no_pin(gw, "after kill at inbox-commit")
        gw.start()
        row = poll(lambda: [m for m in gw.ctl("inbox") if m["text"].endswith("tujuh") and m.get("action")],
                   30, "the message routed after the restart")[0]
        # the SIM copy is read again and holds the PIN, or the row is refused: never a wrong-PIN count
        check(row["action"].startswith("siar #") or row["action"].startswith("siar refused: pin not kept"),
              "after the restart: %r" % row["action"])
        check("******" in row["text"], "stored masked: %r" % row["text"])
        gw.stop()
        no_pin(gw, "at the end")
        print("ok")


main()
