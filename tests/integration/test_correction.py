#!/usr/bin/env python3
"""RALAT and cancel (issue 15, point 3) through a simulated modem: `broadcast --correct ID TEXT`
sends "RALAT: TEXT" to exactly the numbers announcement ID went to — not to someone who subscribed
since, not to someone who sent STOP in between; `announcements` shows the link both ways.
`announcement cancel ID` stops the queued copies of an announcement still going out."""
import os

from kt import Gateway, check, poll

V1, V2 = "1671011001", "1671011002"
SUBS = [("081200000001", V1), ("081200000002", V1), ("081200000003", V1), ("081200000004", V2)]
E164 = lambda n: "+62" + n[1:]


def wait_done(g, ann_id, timeout=60):
    def done():
        a = g.ctl("announcement", ann_id)
        return a if a["queued"] == 0 and a["sending"] == 0 else None
    return poll(done, timeout=timeout, what="announcement %s to finish" % ann_id)


def main():
    with Gateway(name="kt-ralat") as g:
        tsel, = g.modemsims(("tsel", "telkomsel"))
        g.import_areas()
        g.import_subscribers(SUBS)
        g.start()
        poll(lambda: g.ctl("status")["modems"][0]["state"] == "ready", timeout=30, what="modem ready")

        t1 = "Kerja bakti hari Sabtu jam 07.00 di balai desa."
        a1 = g.ctl("broadcast", "--area", V1, t1)
        check(a1["recipients"] == 3, "original: %r" % a1)
        wait_done(g, a1["id"])

        # someone joins V1 after the original, someone who got it sends STOP
        g.ctl("subscriber", "add", "081200000009", "--area", V1, fmt="text")
        tsel.ctl("sms", E164("081200000002"), "STOP")
        poll(lambda: any(s["number"] == E164("081200000002") and s["status"] == "stopped"
                         for s in g.ctl("subscribers")), what="the STOP to be routed")

        # the dry run counts those the correction goes to (not the area's subscribers, who are 3 now)
        dr = g.ctl("broadcast", "--correct", a1["id"], "--dry-run", "Kerja bakti hari MINGGU jam 07.00.")
        check(dr["dry_run"] and dr["recipients"] == 2, "correction dry run: %r" % dr)
        r = g.ctl("broadcast", "--correct", a1["id"], "Kerja bakti hari MINGGU jam 07.00.")
        check(r["recipients"] == 2, "correction recipients: %r" % r)
        wait_done(g, r["id"])
        ralat = [p for p in tsel.sent() if p["text"].startswith("RALAT: ")]
        check(sorted(p["to"] for p in ralat) == [E164("081200000001"), E164("081200000003")],
              "RALAT went to exactly the original recipients who did not stop: %r" % ralat)
        check(ralat[0]["text"] == "RALAT: Kerja bakti hari MINGGU jam 07.00.", "RALAT text: %r" % ralat[0])
        lst = {a["id"]: a for a in g.ctl("announcements")}
        check(lst[r["id"]]["corrects"] == a1["id"] and str(lst[a1["id"]]["corrected_by"]) == str(r["id"]),
              "announcements link: %r %r" % (lst[r["id"]], lst[a1["id"]]))
        d = g.ctl("announcement", r["id"])
        check(d["corrects"] == a1["id"] and d["areas"] == [V1], "detail: %r" % d)
        audit = g.ctl("audit")
        check(any(x["action"] == "correction" for x in audit), "audit: %r" % audit[:3])

        for args, msg in ((["--correct", "999", "x"], "no announcement 999"),
                          (["--correct", "abc", "x"], "expected an announcement id"),
                          (["--correct", a1["id"], "--area", V1, "x"], "drop --area")):
            p = g.console("broadcast", *[str(x) for x in args])
            check(p.returncode == 1 and msg in p.stderr, "broadcast %r: %d %r" % (args, p.returncode, p.stderr))

        # cancel while it is still going out: the modem is off the network, everything stays queued
        with open(os.path.join(g.dir, "more.csv"), "w") as f:
            f.write("".join("0812%08d,1671011007\n" % (90000000 + i) for i in range(10)))
        g.ctl("subscribers", "import", os.path.join(g.dir, "more.csv"))
        tsel.ctl("fault", "deregister", "on")
        poll(lambda: g.ctl("status")["modems"][0]["state"] != "ready", timeout=30, what="the modem off the network")
        tc = "Pengumuman yang dibatalkan."
        ac = g.ctl("broadcast", "--area", "1671011007", tc)
        check(g.ctl("announcement", ac["id"])["queued"] == 10, "queued while off the network")
        c = g.ctl("announcement", "cancel", ac["id"])
        check(c["cancelled"] == 10, "cancelled: %r" % c)
        d = g.ctl("announcement", ac["id"])
        check(d["state"] == "cancelled" and d["cancelled"] == 10 and d["queued"] == 0, "after cancel: %r" % d)
        p = g.console("announcement", "cancel", str(ac["id"]))
        check(p.returncode == 1 and "already cancelled" in p.stderr, "cancel twice: %r" % p.stderr)
        tsel.ctl("fault", "deregister", "off")
        # a later announcement goes out; the cancelled one never does
        tl = "Pengumuman sesudahnya."
        al = g.ctl("broadcast", "--area", "1671011007", tl)
        wait_done(g, al["id"])
        check(sum(1 for p in tsel.sent() if p["text"] == tl) == 10, "the later one went out")
        check(not [p for p in tsel.sent() if p["text"] == tc], "a cancelled copy was sent")
        tsel.stop()
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
