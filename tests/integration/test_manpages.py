#!/usr/bin/env python3
"""Man pages: each page in build/man passes `mandoc -Tlint` (no warnings) and groff's
`man --warnings`, and says what the programs say: every console command's synopsis of
`kentongan help WORD` is in `kentongan --help` and kentongan(1); every option of
`kentongand --help` and `modemsim --help` is in its page and back; every key of
`kentongand --config-help` is in kentongan.conf(5)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from kt import BUILD, KENTONGAN, KENTONGAND, MODEMSIM, check, fail, run  # noqa: E402

MAN = os.path.join(BUILD, "man")
PAGES = ["kentongan.1", "kentongan.conf.5", "kentongand.8", "modemsim.1"]


def flat(text):
    """One line, single spaces, ASCII ellipsis (the pages spell … as ...)."""
    return re.sub(r"\s+", " ", text.replace("\u2026", "...")).strip()


def rendered(page):
    r = run(["mandoc", "-Tascii", "-O", "width=1000", os.path.join(MAN, page)])
    check(r.returncode == 0, "mandoc renders %s: %s" % (page, r.stderr))
    return re.sub(r".\x08", "", r.stdout)      # drop overstrike (bold, underline)


def section(text, start, end):
    m = re.search(r"^%s\n(.*?)^%s" % (start, end), text, re.S | re.M)
    check(m is not None, "section %s … %s" % (start, end))
    return m.group(1)


def options(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*[a-z]|-[a-zA-Z])\b", text))


def test_lint():
    for page in PAGES:
        path = os.path.join(MAN, page)
        check(os.path.exists(path), "%s was built" % path)
        r = run(["mandoc", "-Tlint", "-W", "warning", path])
        check(r.returncode == 0 and r.stdout == "" and r.stderr == "",
              "mandoc -Tlint %s: %s%s" % (page, r.stdout, r.stderr))
        env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
        r = run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", path], env=env)
        check(r.returncode == 0 and r.stderr == "", "man --warnings %s: %s" % (page, r.stderr))


def test_console():
    r = run([KENTONGAN, "--help"])
    check(r.returncode == 0, "kentongan --help")
    help_all = flat(r.stdout)
    r = run([KENTONGAN, "help"])
    m = re.match(r"commands: (.*)\n", r.stdout)
    check(r.returncode == 0 and m, "kentongan help lists the commands: %r" % r.stdout)
    words = m.group(1).split()
    page = flat(section(rendered("kentongan.1"), "COMMANDS", "ENVIRONMENT"))
    seen = set()
    for w in words:
        r = run([KENTONGAN, "help", w])
        syn = [flat(l[len("kentongan "):]) for l in r.stdout.splitlines() if l.startswith("kentongan ")]
        check(r.returncode == 0 and syn, "kentongan help %s: %r" % (w, r.stdout))
        for s in syn:
            check(s in help_all, "kentongan --help has '%s'" % s)
            check(s in page, "kentongan(1) has '%s'" % s)
            seen.add(s)
    n = len(seen)
    # the page lists nothing that help does not: count its command entries
    entries = re.findall(r"^ {7}(\S.*)$", section(rendered("kentongan.1"), "COMMANDS", "ENVIRONMENT"), re.M)
    entries = [e for e in entries if e[0].islower()]
    check(len(entries) == n, "kentongan(1) has %d commands, help %d: %r" % (len(entries), n, entries))
    r = run([KENTONGAN, "help", "nosuchcommand"])
    check(r.returncode == 1 and "no command" in r.stderr, "help of an unknown command")
    check("[--area CODE...]" in help_all, "subscriber add's repeated --area is in --help")
    print("kentongan: %d synopses agree in --help, help WORD and kentongan(1)" % n)


def test_options(prog, page, help_cut):
    r = run([prog, "--help"])
    check(r.returncode == 0, "%s --help" % prog)
    ours = options(help_cut(r.stdout))
    text = rendered(page)
    theirs = options(section(text, "OPTIONS", r"[A-Z][A-Z ]+"))
    check(ours and ours == theirs, "%s: --help options %s, %s OPTIONS %s" % (
        os.path.basename(prog), sorted(ours), page, sorted(theirs)))
    print("%s: %d options agree" % (page, len(ours)))


def test_conf():
    r = run([KENTONGAND, "--config-help"])
    keys = re.findall(r"^  (\w+) ", r.stdout, re.M)
    check(r.returncode == 0 and len(keys) > 20, "--config-help keys: %r" % keys)
    page = section(rendered("kentongan.conf.5"), "KEYS", "EXAMPLE")
    listed = re.findall(r"^ {7}(\w+) \(", page, re.M)
    check(listed == keys, "kentongan.conf(5) keys %r, --config-help %r" % (listed, keys))
    print("kentongan.conf.5: %d keys agree" % len(keys))


def main():
    if not os.path.isdir(MAN):
        fail("no %s: build with make first" % MAN)
    test_lint()
    test_console()
    test_options(KENTONGAND, "kentongand.8", lambda t: t.split("\nSignals:")[0])
    test_options(MODEMSIM, "modemsim.1", lambda t: t.split("\nAT commands:")[0].split("\nOptions:")[1])
    test_conf()
    print("ok")


if __name__ == "__main__":
    main()
