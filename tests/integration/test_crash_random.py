#!/usr/bin/env python3
"""Random power cuts (issue 5, SPEC §6): a gateway on two modemsim modems receives SMS and fans
out broadcasts while it is killed with SIGKILL (daemon, workers and their helpers at once) at
random instants, then restarted, round after round. Every KT_CRASH_CHECK_EVERY rounds and at the
end, once the gateway is quiet, the invariants are checked (tests/fault/faultlib.py): no received
SMS lost or stored twice, every recipient served, duplicates within the in-flight bound per kill,
PRAGMA integrity_check ok.

KT_CRASH_ROUNDS (default 20; make torture: 500), KT_CRASH_SEED (default: random, printed so a
failure can be replayed), KT_CRASH_MAX_DELAY (seconds, default 2.0).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))
import faultlib as fl  # noqa: E402


def main():
    rounds = fl.kt.knob("KT_CRASH_ROUNDS", 20)
    every = fl.kt.knob("KT_CRASH_CHECK_EVERY", 10)
    max_delay = fl.kt.knob("KT_CRASH_MAX_DELAY", 2.0)
    seed, rng = fl.kt.seeded("KT_CRASH_SEED")
    print("seed=%d rounds=%d (replay with KT_CRASH_SEED=%d)" % (seed, rounds, seed))
    t0 = time.monotonic()
    sc = fl.Scenario(nsubs=2, name="kt-crash-random")
    drains, checks = [], 0
    try:
        for r in range(1, rounds + 1):
            sc.start()
            sc.resolve()
            sc.round = r
            # the instant falls anywhere: while SMS are read and committed, while the broadcast
            # fans out, while earlier rounds' messages are on the modems
            order = rng.random()
            if order < 0.5:
                sc.inject(2)
                sc.broadcast(expect_ok=False)
            else:
                sc.broadcast(expect_ok=False)
                sc.inject(2)
            time.sleep(rng.uniform(0, max_delay))   # a random instant for the power cut: the behaviour under test
            sc.kill9()
            if r % every == 0 or r == rounds:
                sc.start()
                sc.resolve()
                drains.append(sc.wait_quiet(300))  # a row on a modem at several kills has a long backoff
                res = sc.check("after round %d (seed %d)" % (r, seed))
                checks += 1
                sc.stop()
        print("ok  %d kills, %d checks: inbox=%d outbox=%d duplicates=%d (bound %d), longest drain %.1fs, "
              "%.1fs in all" % (sc.crashes, checks, res["inbox"], res["outbox"], res["duplicates"],
                                sc.crashes * fl.INFLIGHT_PER_MODEM * len(sc.sims), max(drains),
                                time.monotonic() - t0))
    finally:
        sc.cleanup()
        fl.cleanup_template()
    print("all ok")


if __name__ == "__main__":
    main()
