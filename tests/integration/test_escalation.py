#!/usr/bin/env python3
"""Escalation of the unreached (issue 15, point 2) through two simulated modems: the Telkomsel SIM
sends but no delivery report (or a failed one) comes back; after escalate_after each such copy is sent once more
through the Indosat SIM (which reports delivery), and the reach report counts it as escalated.
Expiry still wins: a copy whose announcement expired before escalate_after is not resent."""

from kt import Gateway, check, poll

V1, V2 = "1671011001", "1671011002"
E164 = lambda n: "+62" + n[1:]
SUBS = [("081200000001", V1), ("081200000002", V1), ("085700000003", V1), ("081200000004", V2)]


def main():
    with Gateway(name="kt-escalate", gateway_extra="escalate_after = 4s\n") as g:
        tsel, isat = g.modemsims(("tsel", "telkomsel"), ("isat", "indosat"), extra="delivery_reports = yes\n")
        tsel.ctl("reports", "off")
        isat.ctl("reports", "delay", "100")
        g.import_areas()
        g.import_subscribers(SUBS)
        g.start()
        g.wait_ready(what="both modems ready")

        # expires before escalate_after: sent once, never escalated
        te = "Info pendek: jalan ditutup sejam."
        ae = g.ctl("broadcast", "--area", V2, "--expires", "2s", te)
        t1 = "Info banjir: air sungai naik, warga bantaran siaga."
        a1 = g.ctl("broadcast", "--area", V1, t1)

        def sends(text):
            return sorted((p["to"], s.name) for s in (tsel, isat) for p in s.sent() if p["text"] == text)

        want = sorted([(E164("081200000001"), "tsel"), (E164("081200000001"), "isat"),
                       (E164("081200000002"), "tsel"), (E164("081200000002"), "isat"),
                       (E164("085700000003"), "isat")])
        poll(lambda: sends(t1) == want, timeout=60, what="the Telkomsel copies escalated through Indosat")
        d = poll(lambda: (lambda x: x if x["delivered"] == 3 else None)(g.ctl("announcement", a1["id"])),
                 timeout=30, what="the escalated copies' reports")
        check(d["sent"] == 0 and d["failed"] == 0 and d["queued"] == 0, "counts: %r" % d)
        vil = [r for r in g.ctl("announcement", a1["id"], "--by-village") if r["level"] == "village"]
        check(len(vil) == 1 and vil[0]["escalated"] == 2 and vil[0]["delivered"] == 3, "reach: %r" % vil)
        ob = [o for o in g.ctl("outbox") if o["announcement"] == a1["id"] and o["to"] == E164("081200000001")]
        check(len(ob) == 1 and ob[0]["attempts"] == 2 and ob[0]["modem"] == "isat", "outbox row: %r" % ob)
        # the expired one went out once, on its own operator's SIM, and stays unescalated
        check(sends(te) == [(E164("081200000004"), "tsel")], "expired copy: %r" % sends(te))
        r = [x for x in g.ctl("announcement", ae["id"], "--by-village") if x["level"] == "village"]
        check(r[0]["escalated"] == 0 and r[0]["sent"] == 1, "expiry wins: %r" % r)
        # each copy is escalated once only: still no report from Telkomsel, nothing more is sent
        # a failed delivery report escalates too
        tsel.ctl("reports", "status", "0x45")
        n = len(isat.sent()) + len(tsel.sent())
        t2 = "Info kedua."
        a2 = g.ctl("broadcast", "--area", V2, t2)
        poll(lambda: g.ctl("announcement", a2["id"])["failed"] == 1, timeout=30, what="the failed report")
        poll(lambda: sends(t2) == [(E164("081200000004"), "isat"), (E164("081200000004"), "tsel")], timeout=60,
             what="the failed copy escalated")
        poll(lambda: g.ctl("announcement", a2["id"])["delivered"] == 1, timeout=30, what="its report")
        check(len(isat.sent()) + len(tsel.sent()) == n + 2, "only the new copies were sent")
        for s in (tsel, isat):
            s.stop()
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
