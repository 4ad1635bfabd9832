#!/usr/bin/env python3
"""Security review finding 3 (and the /dev/stdin item of the LOW list): `subscribers import` and
`areas import` take files from outside. A line of 2,047 characters plus 7 commas (it overflowed
the reader's stack buffer), a line of 9 fields and an unclosed quote are each one rejected line
with its number; the lines after them load; nothing crashes or hangs. A pipe (/dev/stdin) is read."""
import os
import shutil
import subprocess

from kt import KENTONGAN, WILAYAH, Gateway, check, fail

LONG = "x" * 2047 + ",,,,,,,"


def run(args, input=None, cwd=None):
    """The console, bounded: the old reader looped for ever on a line that was too long."""
    try:
        return subprocess.run(args, capture_output=True, text=True, input=input, cwd=cwd, timeout=120)
    except subprocess.TimeoutExpired:
        fail("kentongan %s hung" % " ".join(args[3:]))


def console(gw, *args, input=None):
    return run([KENTONGAN, "-c", gw.conf] + list(args), input=input, cwd=gw.dir)


def main():
    with Gateway(name="sec-import") as gw:
        # areas: a copy of the real files with bad lines at the end of villages.csv
        adir = os.path.join(gw.dir, "wilayah")
        shutil.copytree(WILAYAH, adir)
        with open(os.path.join(adir, "villages.csv"), "a") as f:
            f.write(LONG + "\n" + "1,2,3,4,5,6,7,8,9\n" + "1671011999,167101,\"Desa Uji\"\n")
        r = console(gw, "areas", "import", adir)
        check(r.returncode == 0, "areas import with bad lines: exit %d %s" % (r.returncode, r.stderr[-500:]))
        check("villages.csv:83468: rejected" in r.stderr and "villages.csv:83469: rejected" in r.stderr,
              "each bad line reported with its number: %r" % r.stderr[-500:])
        check("rejected 2" in r.stdout, "two rejected: %r" % r.stdout)

        subs = os.path.join(gw.dir, "subs.csv")
        with open(subs, "w") as f:
            f.write("number,area,name\n")
            f.write("081234567001,1671011999,Satu\n")
            f.write(LONG + "\n")
            f.write(",".join(["y" * 300] * 7) + "\n")          # 2,106 bytes in 7 fields
            f.write("1,2,3,4,5,6,7,8,9\n")
            f.write("081234567002,1671011999,Dua\n")
            f.write('081234567003,1671011999,"never closed\n')
        r = console(gw, "--json", "subscribers", "import", subs)
        check(r.returncode == 0, "subscribers import: exit %d %s" % (r.returncode, r.stderr[-500:]))
        check('"imported":2' in r.stdout and '"rejected":4' in r.stdout, "counts: %r %r" % (r.stdout, r.stderr))
        for n in (3, 4, 5, 7):
            check("subs.csv:%d: rejected" % n in r.stderr, "line %d reported: %r" % (n, r.stderr))

        # a pipe: read whole, not taken for an empty file
        p = console(gw, "--json", "subscribers", "import", "/dev/stdin",
                    input="081234567004,1671011999\n081234567005,1671011999\n")
        check(p.returncode == 0 and '"imported":2' in p.stdout, "import from a pipe: %r %r" % (p.stdout, p.stderr))
        r = run([KENTONGAN, "-c", gw.conf, "subscribers", "import", gw.dir])
        check(r.returncode == 1 and "directory" in r.stderr, "a directory is refused clearly: %r" % r.stderr)
        print("ok")


main()
