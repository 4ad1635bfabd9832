#!/usr/bin/env python3
"""The test harness itself (kt.py), without a daemon: poll() returns the condition's value and,
at its deadline, fails naming the last exception the condition raised (or what a callable `what`
says); fail() exits with status 1 and can be caught as kt.Failed; a Rig removes its directory;
knob() reads typed numbers; DummyPhone writes the SMS files Gammu's dummy driver reads."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kt  # noqa: E402
from kt import check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def child(code):
    """Runs code with kt imported in a fresh interpreter: (exit status, stderr)."""
    r = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, %r); import kt\n%s" % (HERE, code)],
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stderr


def main():
    n = []
    check(kt.poll(lambda: n.append(1) or (len(n) >= 3 and "done"), 5, "three calls") == "done",
          "poll returns the condition's value once it is true")

    rc, err = child("kt.poll(lambda: {}['missing'], 0.3, 'a key')")
    check(rc == 1 and "waiting for a key" in err and "KeyError: 'missing'" in err,
          "a timed-out poll names the last exception: %d %r" % (rc, err))
    rc, err = child("kt.poll(lambda: False, 0.2, lambda: 'progress %d' % 7)")
    check(rc == 1 and "waiting for progress 7" in err and "last error" not in err,
          "a callable what is asked at the deadline: %d %r" % (rc, err))
    rc, err = child("kt.poll(lambda: kt.fail('at once'), 30, 'never')")
    check(rc == 1 and "FAIL: at once" in err and "never" not in err, "a fail() inside a condition is not retried: %r" % err)

    rc, err = child("try:\n    kt.fail('caught')\nexcept kt.Failed as e:\n"
                    "    sys.exit(0 if e.code == 1 and str(e) == 'caught' else 3)\nsys.exit(4)")
    check(rc == 0 and "FAIL: caught" in err, "kt.Failed carries status 1 and the message: %d %r" % (rc, err))

    with kt.Rig("kt-selftest-") as rig:
        root = rig.root
        ph = kt.DummyPhone(root, "d1", folders=range(1, 3))
        check(sorted(os.listdir(os.path.join(ph.dir, "sms"))) == ["1", "2"], "DummyPhone makes the folders asked for")
        ph.inject("+6281200000001", "Halo", coding="gsm7", location=5)
        ph.inject("+6281200000002", hexdata="01FF", coding="8bit")
        check(ph.pending() == ["5", "6"], "inject writes locations 5 and the next one: %r" % ph.pending())
        with open(os.path.join(ph.dir, "sms", "1", "5")) as f:
            text = f.read()
        check("Coding = Default_No_Compression" in text and "Text00 = 00480061006C006F" in text,
              "a GSM-7 message file: %r" % text)
        with open(os.path.join(ph.dir, "sms", "1", "6")) as f:
            text = f.read()
        check("Coding" not in text and "Text00 = 01FF" in text, "an 8-bit message file: %r" % text)
        check("rate" not in ph.section("d1", rate=None) and "rate = 0" in ph.section("d1"), "section's rate")
    check(os.environ.get("KT_KEEP") or not os.path.exists(root), "the Rig removed its directory")

    os.environ["KT_SELFTEST_N"] = "7"
    check(kt.knob("KT_SELFTEST_N", 1) == 7 and kt.knob("KT_SELFTEST_NONE", 2.5) == 2.5, "knob")
    print("ok")


if __name__ == "__main__":
    main()
