#!/usr/bin/env python3
"""Broadcasts end to end on two simulated modems (Telkomsel and Indosat); modemsim's JSON log of
sent parts is the ground truth of what left the network side.

Covers: area targeting (village, district, regency, several areas, overlapping subscriptions →
one copy), stopped numbers never receive, operator routing, --dry-run, --wait, alerts overtaking a
queued normal broadcast, scheduled and expiring messages, rate limits, and a modem failing
mid-broadcast (its share moves to the other)."""
import collections
import os
import re
import time

from kt import Gateway, check, poll

V1, V2 = "1671011001", "1671011002"      # two villages of district 167101 (Kota Palembang)
V3 = "1671021002"                        # a village of district 167102
V4 = "1672011001"                        # a village of regency 1672 (Prabumulih)

SUBS = [
    ("081200000001", V1), ("085700000002", V1), ("081200000003", V2), ("085700000004", V3),
    ("081200000005", V4),
    ("081200000006", V1), ("081200000006", "167101"), ("081200000006", "1671"),   # overlapping
    ("081200000007", V1),                                                       # will stop
]
E164 = lambda n: "+62" + n[1:]


def sent_by_number(sims, text=None):
    out = collections.defaultdict(list)
    for s in sims:
        for p in s.sent():
            if text is None or p["text"].startswith(text[:40]):
                out[p["to"]].append((s.name, p))
    return out


def wait_done(g, ann_id, timeout=60):
    def done():
        a = g.ctl("announcement", ann_id)
        return a if a["queued"] == 0 and a["sending"] == 0 else None
    return poll(done, timeout=timeout, what="announcement %s to finish" % ann_id)


def broadcast(g, *args):
    r = g.ctl("broadcast", *args)
    check(r["id"] > 0, "broadcast accepted: %r" % r)
    return r


def main():
    with Gateway(name="kt-broadcast", areas="16") as g:
        tsel, isat = g.modemsims(("tsel", "telkomsel"), ("isat", "indosat"))
        sims = [tsel, isat]
        g.import_areas()
        check(g.import_subscribers(SUBS)["imported"] == len(SUBS), "import")
        g.start()
        r = g.console("subscriber", "remove", "081200000007", "--all")
        check(r.returncode == 0, "stop one: %r" % r.stderr)
        g.wait_ready(what="both modems ready")

        # dry run: counts, queues nothing
        r = g.ctl("broadcast", "--area", "167101", "--dry-run", "Uji")
        check(r["recipients"] == 4 and r["id"] == 0 and r["segments"] == 1 and r["encoding"] == "gsm7",
              "dry run: %r" % r)
        check(g.ctl("outbox") == [], "dry run queues nothing")
        r = g.console("broadcast", "--area", "167101", "--dry-run", "Uji")
        check("4 recipients" in r.stdout and "2 modems ready" in r.stdout, "dry-run text: %r" % r.stdout)

        # a district: its villages' subscribers, each once, the stopped number never
        t1 = "Posyandu balita hari Sabtu jam 08.00 di balai desa."
        a1 = broadcast(g, "--area", "167101", t1)
        check(a1["recipients"] == 4, "district recipients: %r" % a1)
        wait_done(g, a1["id"])
        got = sent_by_number(sims, t1)
        want = {E164(n) for n, a in SUBS if a in (V1, V2, "167101", "1671") and n != "081200000007"}
        check(set(got) == want, "district reached %r, expected %r" % (sorted(got), sorted(want)))
        check(all(len(v) == 1 for v in got.values()), "one copy each: %r" % {k: len(v) for k, v in got.items()})
        # operator routing: each number went out on the SIM of its own operator
        for num, sends in got.items():
            want_sim = "isat" if num.startswith("+62857") else "tsel"
            check(sends[0][0] == want_sim, "%s sent from %s, expected %s" % (num, sends[0][0], want_sim))
        a = g.ctl("announcement", a1["id"])
        check(a["recipients"] == 4 and a["sent"] == 4 and a["failed"] == 0, "counts: %r" % a)
        check(any(p["area"] == "167101" and p["recipients"] == 4 for p in a["per_area"]), "per area: %r" % a["per_area"])
        lst = g.ctl("announcements")
        check(lst[0]["id"] == a1["id"] and set(lst[0]) >= {"id", "text", "areas", "priority", "created", "recipients",
              "queued", "sent", "delivered", "failed"}, "announcements fields: %r" % lst[0])

        # several areas, a regency and a village: one copy each
        t2 = "Vaksinasi gratis di puskesmas kecamatan."
        a2 = broadcast(g, "--area", V2, "--area", "1672", "--area", "1671011002", t2)
        check(a2["recipients"] == 2, "two areas: %r" % a2)
        wait_done(g, a2["id"])
        got = sent_by_number(sims, t2)
        check(set(got) == {E164("081200000003"), E164("081200000005")}, "areas reached: %r" % sorted(got))

        # --wait shows progress and ends when everything is out
        r = g.console("broadcast", "--area", V3, "--wait", "Kerja bakti Minggu pagi.")
        check(r.returncode == 0, "--wait exit: %d %r" % (r.returncode, r.stderr))
        check(re.search(r"1/1 done: 0 queued, 0 sending, 1 sent", r.stdout), "--wait output: %r" % r.stdout)

        # bad input
        for args, msg in ((["--area", "99", "x"], "unknown area code '99'"),
                          (["--area", "3171", "x"], "outside the areas this gateway serves"),
                          (["--area", V1, "   "], "empty"),
                          (["--area", V1, "--priority", "urgent", "x"], "expected alert or normal"),
                          (["--area", V1, "--at", "tomorrowish", "x"], "--at"),
                          (["--area", V1, "x" * 1000], "at most")):
            r = g.console("broadcast", *args)
            check(r.returncode == 1 and msg in r.stderr, "broadcast %r: %d %r" % (args, r.returncode, r.stderr))
        r = g.console("broadcast", "--area", V4, "--dry-run", "Info lengkap di https://sumselprov.go.id/banjir")
        check(r.returncode == 0 and "link" in r.stderr, "link warning: %r" % r.stderr)
        r = g.console("broadcast", "--area", V4, "--dry-run", "Banjir 🌊 di desa")
        check("UCS-2" in r.stderr, "UCS-2 warning: %r" % r.stderr)

        # scheduled: nothing leaves before --at
        t3 = "Pengumuman terjadwal."
        t_at = time.time() + 3
        a3 = broadcast(g, "--area", V4, "--at", "+3s", t3)
        check(g.ctl("announcement", a3["id"])["queued"] == 1, "scheduled row queued")
        got = poll(lambda: sent_by_number(sims, t3), timeout=20, what="the scheduled message")
        sent_at = got[E164("081200000005")][0][1]["time"]
        ts = time.mktime(time.strptime(sent_at[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        check(ts >= int(t_at) - 1, "scheduled message left at %s, before its time %s" % (ts, t_at))

        # alerts overtake a queued normal broadcast: slow modems, many normal messages queued first
        tsel.ctl("fault", "latency", "400")
        isat.ctl("fault", "latency", "400")
        with open(os.path.join(g.dir, "more.csv"), "w") as f:
            f.write("".join("0812%08d,1671011007\n" % (90000000 + i) for i in range(14)))
        g.ctl("subscribers", "import", os.path.join(g.dir, "more.csv"))
        tn = "Normal: jadwal ronda malam."
        an = broadcast(g, "--area", "1671011007", tn)
        ta = "AWAS: air sungai naik, segera mengungsi."
        aa = broadcast(g, "--area", V4, "--priority", "alert", ta)
        wait_done(g, aa["id"])
        wait_done(g, an["id"])
        order = [p["text"] for p in tsel.sent() if p["text"] in (tn, ta)]
        pos = order.index(ta)
        check(pos <= 3, "alert went out after %d normal messages (at most the 2 in flight + 1 expected)" % pos)
        check(len(order) - pos - 1 >= 8, "most normal messages still queued when the alert left: %r" % order)

        # expiry: a modem that cannot send; the copy expires instead of going out late
        tsel.ctl("fault", "clear")
        isat.ctl("fault", "clear")
        tsel.ctl("fault", "deregister", "on")
        isat.ctl("fault", "deregister", "on")
        te = "Banjir hari ini (kedaluwarsa)."
        ae = broadcast(g, "--area", V4, "--expires", "2s", te)
        poll(lambda: g.ctl("announcement", ae["id"])["expired"] == 1, timeout=40, what="the copy to expire")
        tsel.ctl("fault", "deregister", "off")
        isat.ctl("fault", "deregister", "off")
        check(not sent_by_number(sims, te), "an expired message was sent")

        # a modem failing mid-broadcast: its share moves to the other
        tsel.ctl("fault", "cms-error", "38", "--fraction", "1")   # network out of order: temporary
        tf = "Rapat warga Jumat malam."
        af = broadcast(g, "--area", "1671011007", tf)
        wait_done(g, af["id"], timeout=120)
        got = sent_by_number(sims, tf)
        check(len(got) == 14 and all(len(v) == 1 and v[0][0] == "isat" for v in got.values()),
              "every copy went out once through the healthy modem: %r" % {k: [s for s, _ in v] for k, v in got.items()})
        a = g.ctl("announcement", af["id"])
        check(a["sent"] == 14 and a["failed"] == 0, "no failures visible: %r" % a)
        tsel.ctl("fault", "clear")

        # rate limit: 1 message per second on one modem
        g.write_conf(modems=tsel.section(rate="1/s"))
        import signal
        g.proc.send_signal(signal.SIGHUP)
        poll(lambda: [m["state"] for m in g.ctl("status")["modems"]] == ["ready"], timeout=30, what="reload")
        tr = "Uji batas kecepatan."
        ar = broadcast(g, "--area", "1671011007", tr)
        wait_done(g, ar["id"], timeout=60)
        times = sorted(time.mktime(time.strptime(p["time"][:19], "%Y-%m-%dT%H:%M:%S")) + float("0." + p["time"][20:23])
                       for p in tsel.sent() if p["text"] == tr)
        check(len(times) == 14, "all sent: %d" % len(times))
        span = times[-1] - times[0]
        check(span >= 12.0, "14 messages at 1/s took %.1f s (at least 13 intervals expected)" % span)

        for s in sims:
            s.stop()
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
