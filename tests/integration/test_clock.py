#!/usr/bin/env python3
"""Time from the GSM network. The daemon boots with a faked wall clock (KT_TIME_OFFSET: the box
believes it is 2000-01-01) on a modemsim whose network time is right: status, /metrics and the log
say the clock is wrong, a broadcast scheduled at a real time goes out at that time (not 26 years
later), one whose expiry has passed by the network's time is not sent, and received SMS carry the
network time plus the box's own time and the clock source. Then, with a right system clock, the
network's time skewed by an hour in modemsim (`clock skew`) is noticed at the next hourly read
(KT_CLOCK_CHECK_S=2) and dropped when it agrees again; a modem without NITZ (`clock unset`) is
ignored, while an SMSC time stamp ahead of the box still corrects it. set_clock = yes without
CAP_SYS_TIME (setpriv drops it) says so in status."""
import calendar
import sqlite3
import time
import urllib.request

from kt import Gateway, ModemSim, check, poll

BOX_START = calendar.timegm((2000, 1, 1, 1, 0, 0))


def local(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def sent_at(p):
    return calendar.timegm(time.strptime(p["time"][:19], "%Y-%m-%dT%H:%M:%S"))


def metrics(g):
    addr = g.ctl("status")["http"]["address"]
    req = urllib.request.Request("http://%s/metrics" % addr, headers={"Authorization": "Bearer tok"})
    return urllib.request.urlopen(req, timeout=10).read().decode()


def faked_box_clock():
    with Gateway(name="kt-clock", areas="16") as g:
        g.listen("tok")
        sim = ModemSim(g.dir, "c0")
        g.write_conf(modems=sim.section())
        g.import_areas()
        g.import_subscribers([("081288880001", "1671011001")])
        offset = BOX_START - int(time.time())
        g.start(env={"KT_TIME_OFFSET": str(offset), "KT_CLOCK_CHECK_S": "2"})
        c = poll(lambda: (lambda c: c if c["source"] == "network" else None)(g.ctl("status")["clock"]),
                 timeout=30, what="the network's time in use")
        check(abs(c["correction_s"] + offset) < 10 and not c["ok"] and c["modem"] == "c0", "clock: %r" % c)
        check(abs(time.mktime(time.strptime(c["now"], "%Y-%m-%d %H:%M:%S")) - time.time()) < 60,
              "the daemon's clock is the network's: %r" % c)
        check(c["system"].startswith("2000-01-01"), "the box's clock is shown: %r" % c)
        check("clock: WRONG" in g.console("status").stdout, "text status")
        m = metrics(g)
        off = [int(l.split()[1]) for l in m.splitlines() if l.startswith("kentongan_clock_offset_seconds ")]
        check("kentongan_clock_corrected 1" in m and off and abs(off[0] + offset) < 10,
              "metrics: %s" % [l for l in m.splitlines() if "clock" in l])
        check("clock: the system clock" in open(g.log).read(), "the log warns")

        # scheduled at a real (network) time 15 s ahead: it goes out then, not in 26 years
        at = int(time.time()) + 15
        a = g.ctl("broadcast", "--area", "1671", "--at", local(at), "Kerja bakti Minggu pagi.")
        # already expired by the network's time (but not by the box's): never sent
        e = g.ctl("broadcast", "--area", "1671", "--at", local(time.time() - 600), "--expires", "5m",
                  "Pengumuman yang sudah kedaluwarsa.")
        got = poll(lambda: [p for p in sim.sent() if p["text"] == "Kerja bakti Minggu pagi."], timeout=60,
                   what="the scheduled broadcast")
        check(sent_at(got[0]) >= at - 1, "not before its time: sent %s, due %s" % (got[0]["time"], at))
        check(sent_at(got[0]) <= at + 20, "at its time: sent %s, due %s" % (got[0]["time"], at))
        poll(lambda: g.ctl("announcement", e["id"])["expired"] == 1, timeout=20, what="the old one expired")
        check(not [p for p in sim.sent() if p["text"].startswith("Pengumuman yang")], "an expired one was sent")

        sim.ctl("sms", "+6281288880002", "LAPOR banjir di RT 3")
        poll(lambda: g.ctl("inbox"), timeout=20, what="the SMS stored")
        check(g.ctl("inbox")[0]["received"][:4] == time.strftime("%Y"), "received in network time: %r" %
              g.ctl("inbox")[0])
        check(g.stop() == 0, "clean stop")
        db = sqlite3.connect(g.db)
        box, clk, recv = db.execute("SELECT box_at, clock, received_at FROM inbox").fetchone()
        abox, aclk = db.execute("SELECT box_at, clock FROM announcements WHERE id = ?", (a["id"],)).fetchone()
        db.close()
        check(box < BOX_START + 3600 and clk == "network" and abs(recv - time.time()) < 120,
              "inbox keeps the box time and the source: %r" % ((box, clk, recv),))
        check(abox < BOX_START + 3600 and aclk == "network", "announcement too: %r" % ((abox, aclk),))
        sim.stop()


def skewed_network():
    with Gateway(name="kt-clock2", areas="16") as g:
        sim = ModemSim(g.dir, "c1")
        g.write_conf(modems=sim.section(), extra="clock_tolerance = 2m\n")
        g.start(env={"KT_CLOCK_CHECK_S": "2"})
        poll(lambda: g.ctl("status")["clock"]["readings"] > 0, timeout=30, what="a first reading")
        c = g.ctl("status")["clock"]
        check(c["source"] == "system" and c["ok"] and abs(c["offset_s"]) <= 2, "a right clock stays: %r" % c)
        sim.ctl("clock", "skew", "3600")
        c = poll(lambda: (lambda c: c if c["source"] == "network" else None)(g.ctl("status")["clock"]),
                 timeout=20, what="the skew noticed")
        check(abs(c["correction_s"] - 3600) <= 3, "corrected by an hour: %r" % c)
        sim.ctl("clock", "skew", "60")  # within clock_tolerance: the system clock is trusted again
        poll(lambda: g.ctl("status")["clock"]["source"] == "system", timeout=20, what="back to the system clock")
        check(g.ctl("status")["clock"]["correction_s"] == 0, "no correction")
        # no NITZ: the modem's clock says 2000; ignored
        sim.ctl("clock", "unset")
        n = g.ctl("status")["clock"]["readings"]
        poll(lambda: "CCLK" in open(sim.root + "/c1-at.log").read().split("clock unset")[-1], timeout=10,
             what="a read of the unset clock")
        check(g.ctl("status")["clock"]["source"] == "system", "an unset modem clock is ignored")
        # an SMSC stamp two hours ahead of the box: the network's time is at least that
        sim.ctl("clock", "skew", "7200")
        sim.ctl("clock", "unset")
        sim.ctl("sms", "+6281288880003", "halo")
        c = poll(lambda: (lambda c: c if c["source"] == "smsc" else None)(g.ctl("status")["clock"]),
                 timeout=20, what="the SMSC time stamp used")
        check(abs(c["correction_s"] - 7200) <= 5, "corrected from the SMSC stamp: %r" % c)
        check(g.ctl("status")["clock"]["readings"] == n, "unset clocks are not readings")
        # a modem clock older than this program (stale, no NITZ) is not believed either
        sim.ctl("clock", "set", "2021-06-01 00:00:00")
        poll(lambda: "CCLK" in open(sim.root + "/c1-at.log").read().split("clock set")[-1], timeout=10,
             what="a read of the stale clock")
        check(g.ctl("status")["clock"]["readings"] == n, "a clock before the build date is no reading")
        check(g.stop() == 0, "clean stop")
        sim.stop()


def set_clock_without_capability():
    with Gateway(name="kt-clock3") as g:
        sim = ModemSim(g.dir, "c2")
        g.write_conf(modems=sim.section(), extra="set_clock = yes\n")
        sim.ctl("clock", "skew", "86400")
        # setpriv drops CAP_SYS_TIME from the bounding set: the daemon must say it lacks it
        # (and can never change this machine's clock)
        g.start(env={"KT_CLOCK_CHECK_S": "2"}, wrap=["setpriv", "--bounding-set", "-sys_time", "--inh-caps",
                                                     "-sys_time"])
        c = poll(lambda: (lambda c: c if c["set_error"] else None)(g.ctl("status")["clock"]), timeout=30,
                 what="the set_clock failure reported")
        check("CAP_SYS_TIME" in c["set_error"] and c["source"] == "network", "status: %r" % c)
        check("CAP_SYS_TIME" in g.console("status").stdout, "text status names the capability")
        check(abs(time.time() - time.mktime(time.localtime())) < 5, "this machine's clock untouched")
        check(g.stop() == 0, "clean stop")
        sim.stop()


def main():
    skewed_network()
    set_clock_without_capability()
    faked_box_clock()
    print("ok")


if __name__ == "__main__":
    main()
