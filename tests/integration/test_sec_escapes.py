#!/usr/bin/env python3
"""Security review finding 1 (and 7) against the real daemon: an SMS carrying terminal escapes
(CSI clear screen, OSC 52 clipboard, OSC 0 title, U+202E) and an alphanumeric sender id carrying
them reach `inbox` and `posts` as visible placeholders in text and CSV and in the log; --json keeps
the text exactly; CSV cells that a spreadsheet would run start with '."""
import csv
import io

from kt import Gateway, DummyPhone, check, poll

EVIL = "LAPOR aman\x1b[2J\x1b[H\x1b[8m \x1b]52;c;ZXZpbA==\x07 \x1b]0;owned\x07 \u202egnp.exe"
FORMULA = 'LAPOR =HYPERLINK("http://evil.example","Klik")'
FORMULA2 = "LAPOR @SUM(1+1)*cmd|' /C calc'!A0"
BAD = ["\x1b", "\x07", "\u202e", "\x9b"]


def clean(what, out):
    for b in BAD:
        check(b not in out, "%s carries %r: %r" % (what, b, out[:300]))


def main():
    with Gateway(name="sec-esc") as gw:
        ph = DummyPhone(gw.dir)
        gw.write_conf(modems=ph.section("d1"))
        gw.start()
        gw.import_areas()
        ph.inject("+6281234567890", EVIL)
        ph.inject("+6281234567891", FORMULA)
        ph.inject("INFO\x1b]0;x\x07", "halo")
        ph.inject("+6281234567892", FORMULA2)
        poll(lambda: len(gw.ctl("inbox")) == 4, 30, "four messages in the inbox")

        rows = gw.ctl("inbox")
        texts = sorted(r["text"] for r in rows)
        check(EVIL in texts, "--json keeps the text exactly: %r" % texts)
        check(any(r["from"] == "INFO\x1b]0;x\x07" for r in rows), "--json keeps the sender id: %r" % rows)

        for fmt in ("text", "csv"):
            for cmd in ("inbox", "posts"):
                out = gw.ctl(cmd, fmt=fmt)
                clean("%s (%s)" % (cmd, fmt), out)
        out = gw.ctl("inbox", fmt="text")
        check("\u241b[2J" in out and "<U+202E>g" in out, "placeholders in the text table: %r" % out)
        check("INFO\u241b]0;x\u2407" in out, "the sender id made visible: %r" % out)

        # CSV: the formula cell is quoted with a leading ', the number is left as it is
        for cmd in ("inbox", "posts"):
            cells = [c for row in csv.reader(io.StringIO(gw.ctl(cmd, fmt="csv"))) for c in row]
            check(not any(c[:1] in ("=", "@", "\t", "\r") for c in cells), "%s: formula cell %r" % (cmd, cells))
            check(not any(c.startswith("+") and not c[1:].isdigit() for c in cells), "%s: + cell %r" % (cmd, cells))
        cells = [c for row in csv.reader(io.StringIO(gw.ctl("inbox", fmt="csv"))) for c in row]
        check(FORMULA in cells, "the LAPOR text is stored as sent: %r" % cells)
        check("+6281234567891" in cells, "phone numbers stay numbers: %r" % cells)

        posts = gw.ctl("posts")
        pcsv = [c for row in csv.reader(io.StringIO(gw.ctl("posts", fmt="csv"))) for c in row]
        formulas = [p["text"] for p in posts if p["text"][:1] in ("=", "+", "-", "@")]
        check(formulas, "the report keeps its leading = (escaping, not stripping, is the defence): %r" % posts)
        for t in formulas:
            check("'" + t in pcsv, "posts CSV quotes %r: %r" % (t, pcsv))
        gw.stop()
        with open(gw.log, encoding="utf-8", errors="replace") as f:
            log = f.read()
        clean("the daemon log", log)
        print("ok")


main()
