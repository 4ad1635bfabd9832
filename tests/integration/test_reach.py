#!/usr/bin/env python3
"""Reach per village (issue 15, point 1) through two simulated modems with delivery reports: the
Telkomsel SIM gets a report for every copy, the Indosat SIM none. `announcement ID --by-village`
counts per village (worst first) and rolls up per district and regency; --undelivered lists the
masked numbers not delivered; --csv works; the village's KIM leader gets one summary SMS when the
announcement has finished (leader_summary = yes)."""
import csv
import io

from kt import Gateway, check, poll

V1, V2 = "1671011001", "1671011002"      # two villages of district 167101 (Kota Palembang)
SUBS = [("081200000001", V1), ("081200000002", V1), ("081200000003", V1), ("085700000004", V1),
        ("085700000005", V2), ("085700000006", V2), ("081200000007", V2)]
LEADER = "081299990000"


def main():
    with Gateway(name="kt-reach", gateway_extra="leader_summary = yes\nleader_summary_after = 1s\n") as g:
        tsel, isat = g.modemsims(("tsel", "telkomsel"), ("isat", "indosat"), extra="delivery_reports = yes\n")
        isat.ctl("reports", "off")
        tsel.ctl("reports", "delay", "100")
        g.import_areas()
        g.import_subscribers(SUBS)
        g.start()
        g.ctl("leader", "add", LEADER, "--kim", "KIM Dua", "--area", V2, fmt="text")
        g.wait_ready(what="both modems ready")
        names = {a["code"]: a["name"] for a in g.ctl("areas", "--parent", "167101")}

        text = "Info banjir: air sungai naik, warga bantaran siaga."
        a = g.ctl("broadcast", "--area", "167101", text)
        check(a["recipients"] == 7 and len(a["code"]) == 5, "accepted with a code: %r" % a)

        def reports_in():
            d = g.ctl("announcement", a["id"])
            return d if d["queued"] == 0 and d["sending"] == 0 and d["delivered"] == 4 else None
        poll(reports_in, timeout=60, what="all sent and the 4 Telkomsel reports in")

        rows = g.ctl("announcement", a["id"], "--by-village")
        vil = [r for r in rows if r["level"] == "village"]
        check([r["code"] for r in vil] == [V2, V1], "worst village first: %r" % vil)
        want = {V1: (4, 3, 1), V2: (3, 1, 2)}
        for r in vil:
            check((r["targeted"], r["delivered"], r["sent"]) == want[r["code"]] and r["failed"] == 0 and
                  r["queued"] == 0 and r["expired"] == 0 and r["name"] == names[r["code"]],
                  "village %s: %r" % (r["code"], r))
        dist = [r for r in rows if r["level"] == "district"]
        reg = [r for r in rows if r["level"] == "regency"]
        check(len(dist) == 1 and dist[0]["code"] == "167101" and dist[0]["targeted"] == 7 and
              dist[0]["delivered"] == 4, "district roll-up: %r" % dist)
        check(len(reg) == 1 and reg[0]["code"] == "1671" and reg[0]["targeted"] == 7 and reg[0]["delivered"] == 4
              and reg[0]["sent"] == 3, "regency roll-up: %r" % reg)
        check([r["level"] for r in rows] == ["village", "village", "district", "regency"], "order: %r" % rows)

        und = g.ctl("announcement", a["id"], "--undelivered")
        check(sorted(u["number"] for u in und) == sorted(["+62857****0004", "+62857****0005", "+62857****0006"]),
              "undelivered, masked: %r" % und)
        check(all(u["status"] == "sent" for u in und), "undelivered status: %r" % und)

        out = g.ctl("announcement", a["id"], "--by-village", fmt="csv")
        parsed = list(csv.DictReader(io.StringIO(out)))
        check(len(parsed) == 4 and parsed[0]["code"] == V2 and parsed[0]["delivered"] == "1", "csv: %r" % out)
        out = g.ctl("announcement", a["id"], "--by-village", fmt="text")
        check(names[V2] in out and "167101" in out, "text table: %r" % out)

        # the leader of V2 (and nobody else) gets one summary, after the reports are in
        def summary():
            return [p for p in tsel.sent() + isat.sent() if p["to"] == "+62" + LEADER[1:]]
        got = poll(summary, timeout=30, what="the leader's summary")
        check(len(got) == 1 and "1 dari 3 warga %s" % names[V2] in got[0]["text"] and a["code"] in got[0]["text"],
              "summary: %r" % got)

        r = g.console("announcement", "999", "--by-village")
        check(r.returncode == 1 and "no announcement 999" in r.stderr, "unknown id: %r" % r.stderr)
        for s in (tsel, isat):
            s.stop()
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
