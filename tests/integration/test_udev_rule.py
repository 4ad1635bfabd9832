#!/usr/bin/env python3
"""modem-configs/60-kentongan-modems.rules: its syntax (every line KEY{attr}OP"value" with known
keys, GOTOs that reach a LABEL, 4-digit hex ids), the same USB ids as the profiles' [kentongan]
usb = lines and the README table, `udevadm verify` when this udevadm has it, and udev itself
reading the file without a complaint (`udevadm test` in a private mount namespace with a tmpfs
over /run/udev, when run as root). `make install` puts it in UDEVRULESDIR."""
import glob
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from kt import TOP, check, run  # noqa: E402

RULE = os.path.join(TOP, "modem-configs", "60-kentongan-modems.rules")
KEYS = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "ATTR", "ATTRS", "ENV", "DRIVER", "DRIVERS",
        "GOTO", "LABEL", "TAG", "TAGS", "SYMLINK", "RUN", "IMPORT", "PROGRAM", "RESULT", "TEST"}
TOKEN = re.compile(r'^([A-Z_]+)(\{[A-Za-z0-9_]+\})?(==|!=|\+=|-=|:=|=)"([^"]*)"$')


def need(cond, msg):
    if not cond:
        raise ValueError(msg)


def syntax(text):
    labels, gotos, ids = set(), [], set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vid = pid = None
        for tok in line.split(", "):
            m = TOKEN.match(tok.strip())
            need(m is not None, "line %d: not KEY{attr}OP\"value\": %r" % (n, tok))
            key, attr, op, val = m.groups()
            need(key in KEYS, "line %d: unknown key %s" % (n, key))
            need((op in ("==", "!=")) or key in ("ENV", "GOTO", "LABEL", "TAG", "SYMLINK", "RUN"),
                  "line %d: %s cannot be assigned" % (n, key))
            if key == "LABEL":
                labels.add(val)
            elif key == "GOTO":
                gotos.append((n, val))
            elif key == "ATTRS" and attr in ("{idVendor}", "{idProduct}"):
                need(re.fullmatch(r"[0-9a-f]{4}", val), "line %d: id %r is not 4 lowercase hex digits" % (n, val))
                if attr == "{idVendor}":
                    vid = val
                else:
                    pid = val
            elif key == "ENV" and attr == "{ID_MM_DEVICE_IGNORE}":
                need(op == "=" and val == "1", "line %d: ID_MM_DEVICE_IGNORE must be set to 1" % n)
                need(vid and pid, "line %d: the ignore flag only with a vendor and product" % n)
                ids.add("%s:%s" % (vid, pid))
    for n, g in gotos:
        need(g in labels, "line %d: GOTO %s has no LABEL" % (n, g))
    return ids


def main():
    with open(RULE) as f:
        text = f.read()
    try:
        rule_ids = syntax(text)
    except ValueError as e:
        check(False, str(e))
    check(len(rule_ids) >= 6, "the rule names the known sticks: %s" % sorted(rule_ids))

    prof_ids = set()
    for p in glob.glob(os.path.join(TOP, "modem-configs", "*.gammurc")):
        insect = False
        for line in open(p):
            line = line.strip()
            if line.startswith("["):
                insect = line.lower().startswith("[kentongan]")
            elif insect and line.startswith("usb"):
                prof_ids |= {x.strip() for x in line.split("=", 1)[1].split(",") if x.strip()}
    check(prof_ids == rule_ids, "profiles %s vs rule %s" % (sorted(prof_ids), sorted(rule_ids)))

    readme = open(os.path.join(TOP, "modem-configs", "README.md")).read()
    table_ids = set(re.findall(r"\b([0-9a-f]{4}:[0-9a-f]{4})\b", readme.split("| profile |")[1].split("\n\n")[0]))
    check(table_ids == rule_ids, "README table %s vs rule %s" % (sorted(table_ids), sorted(rule_ids)))

    # a deliberately broken copy must fail the same check (the check can fail)
    try:
        syntax(text.replace('ENV{ID_MM_DEVICE_IGNORE}="1"', 'ENV{ID_MM_DEVICE_IGNORE}=1', 1))
    except ValueError:
        pass
    else:
        check(False, "the syntax check accepted an unquoted value")

    udevadm = shutil.which("udevadm")
    if udevadm and run([udevadm, "verify", "--help"]).returncode == 0:
        r = run([udevadm, "verify", RULE])
        check(r.returncode == 0, "udevadm verify: %s %s" % (r.stdout, r.stderr))
        print("udevadm verify: ok")
    if udevadm and os.geteuid() == 0 and shutil.which("unshare"):
        # udev's own parser, isolated: tmpfs over /run/udev in a mount namespace of our own
        script = ('mount -t tmpfs kt-udev /run/udev && mkdir /run/udev/rules.d && cp "$1" /run/udev/rules.d/ '
                  '&& udevadm test --action=add /sys/class/tty/tty0 2>&1')
        r = run(["unshare", "-m", "sh", "-c", script, "sh", RULE], timeout=60)
        if "Reading rules file: /run/udev/rules.d/60-kentongan-modems.rules" in r.stdout:
            bad = [line for line in r.stdout.splitlines() if "60-kentongan-modems.rules:" in line]
            check(not bad, "udev complains about the rule:\n" + "\n".join(bad))
            print("udevadm test: the rule parses")
        else:
            print("udevadm test unavailable here: %s" % (r.stdout + r.stderr)[-200:])

    # make install puts it where udev reads it
    dest = tempfile.mkdtemp(prefix="kt-udev-")
    try:
        r = run(["make", "-s", "--no-print-directory", "install-udev", "DESTDIR=" + dest, "PREFIX=/usr"], cwd=TOP)
        check(r.returncode == 0, "make install-udev: %s %s" % (r.stdout, r.stderr))
        inst = os.path.join(dest, "usr", "lib", "udev", "rules.d", "60-kentongan-modems.rules")
        check(os.path.exists(inst) and open(inst).read() == text, "installed rule at " + inst)
        r = run(["make", "-n", "install", "DESTDIR=" + dest], cwd=TOP)
        check("60-kentongan-modems.rules" in r.stdout, "make install includes the rule")
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
