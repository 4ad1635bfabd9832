#!/usr/bin/env python3
"""Random PDUs through the real read path: reception goes on (modemsim, libGammu's AT driver).

Mutations of real PDUs (the seeds of tests/fuzz/pdu-seeds and the undecodable kinds of
test_undecodable.py: bytes flipped, cut short, length octets changed, junk appended) reach the
SIM of a modemsim, each followed by a normal SMS. Whatever libGammu makes of them (a message, an
error, a crash of the worker), every normal SMS must be stored and answered, and in the end the
SIM holds nothing but what status counts as quarantined. KT_FUZZ_READ_N (default 24) PDUs,
KT_FUZZ_SEED to repeat a run (the seed is printed). Addresses longer than an address can be are
left out: they crash libGammu's decoder (stack smashing), which is the poison fault of
test_faults_modem.py; several of them at once also rest the modem's sending (see crashes()).
"""
import glob
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kt  # noqa: E402
from kt import check, poll  # noqa: E402
from test_undecodable import KINDS  # noqa: E402

SEEDS = os.path.join(kt.TOP, "tests", "fuzz", "pdu-seeds")


def seeds():
    out = [bytes.fromhex(h) for _, h in KINDS]
    for p in sorted(glob.glob(os.path.join(SEEDS, "*.bin"))):
        b = open(p, "rb").read()
        if len(b) > 1 and b[0] & 1:  # first byte: 1 = the PDU starts with its SMSC
            out.append(b[1:])
    return out


def mutate(rng, pdu):
    b = bytearray(pdu)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        if op == 0 and b:  # flip a byte
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 1 and len(b) > 2:  # cut short
            del b[rng.randrange(2, len(b)):]
        elif op == 2 and len(b) > 2:  # a length octet (SMSC, address, UDL) off
            i = rng.choice([0, min(len(b) - 1, b[0] + 2), len(b) - 1])
            b[i] = (b[i] + rng.choice([-3, -1, 1, 2, 9, 0x40])) & 0xFF
        elif op == 3:  # junk after it
            b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        else:  # another message type
            i = min(len(b) - 1, b[0] + 1) if b else 0
            if b:
                b[i] = (b[i] & ~3) | rng.randrange(4)
    return bytes(b[:200]) if len(b) >= 2 else bytes(pdu[:2])


def crashes(b):
    """Whether libGammu 1.42 overruns a buffer on it: an SMSC address over 11 octets, or the
    sender/recipient address over 20 digits (as tests/fuzz/fuzz_pdu.c's pdu_plausible)."""
    if not b or b[0] > 11:
        return True
    i = b[0] + 1
    if i >= len(b):
        return False
    at = i + 1 if b[i] & 3 == 0 else i + 2
    return at < len(b) and b[at] > 20


def main():
    n = int(os.environ.get("KT_FUZZ_READ_N", "24"))
    seed = int(os.environ.get("KT_FUZZ_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    print("seed %d, %d PDUs" % (seed, n))
    gw = kt.Gateway(name="kt-undec-fuzz")
    sim = kt.ModemSim(gw.dir, "m1", extra=["--storage", "60"])
    gw.write_conf(modems=sim.section(extra="command_timeout = 10\n"))

    def m1():
        return [m for m in gw.ctl("status")["modems"] if m["name"] == "m1"][0]

    def stored():  # modemsim's status, not its list: list decodes with libGammu, which may crash
        for w in sim.ctl("status").split():
            if w.startswith("stored="):
                return int(w.split("=")[1].split("/")[0])
        return -1

    def answered(num):
        return any(p.get("to") == num for p in sim.sent())

    goods = []
    pool = seeds()
    try:
        # quarantined slots are tried again soon: a crash retry must not stop the run either
        gw.start(env={"KT_QUARANTINE_RETRY_S": "20", "KT_SCHED_REST_S": "5"})
        poll(lambda: m1()["state"] in ("ready", "sending"), 30, "m1 ready")
        t0 = time.monotonic()
        for i in range(n):
            pdu = mutate(rng, rng.choice(pool))
            while crashes(pdu):
                pdu = mutate(rng, rng.choice(pool))
            sim.ctl("pdu", pdu.hex().upper())
            num = "+628139%07d" % i
            sim.ctl("sms", num, "BANTUAN")
            goods.append(num)
        poll(lambda: all(answered(g) for g in goods), 120 + 3 * n,
             "every normal SMS answered (%d of %d; seed %d)" % (sum(answered(g) for g in goods), n, seed))
        took = time.monotonic() - t0
        # the SIM keeps only what status counts as quarantined (crashes libGammu, or unreadable)
        poll(lambda: stored() == m1()["quarantined"], 60,
             "the SIM holding only quarantined slots (stored %d, quarantined %d; seed %d)"
             % (stored(), m1()["quarantined"], seed))
        st = m1()
        check(not st["degraded"], "not degraded: %r" % st)
        und = [r for r in gw.ctl("inbox", "--raw") if "undecodable" in (r.get("flags") or "")]
        print("%d random PDUs: %d normal SMS all answered in %.1fs; %d kept raw as undecodable, %d quarantined, "
              "%d worker restarts" % (n, n, took, len(und), st["quarantined"], st["restarts"]))
        gw.stop()
    finally:
        gw.cleanup()
        sim.stop()
    print("ok")


if __name__ == "__main__":
    main()
