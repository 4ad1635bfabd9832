#!/usr/bin/env python3
"""`kentongan modems detect` against simulated sticks whose links match one glob: a SIM800-like
modem (Telkomsel), a modem whose SIM waits for its PIN, a three-port stick (Indosat) whose first port works, second never answers
(a diagnostic port) and third answers AT but refuses SMS commands, and an XL modem a running
kentongand already uses (listed, not touched). Checks the JSON, that the printed [modem]
sections pass `kentongand -n`, and that a daemon built from them receives and replies through
each modem. Also: the text output, and an empty glob exits 1 with advice."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import kt  # noqa: E402
from kt import KENTONGAN, KENTONGAND, Gateway, Rig, check, fail, poll, run  # noqa: E402

TIMEOUT = "10"


def detect(root, *args):
    env = dict(os.environ, KT_MODEM_CONFIGS=os.path.join(kt.TOP, "modem-configs"))
    return run([KENTONGAN, "modems", "detect", "--timeout", TIMEOUT] + list(args), cwd=root, env=env)


def main():
    rig = Rig("kt-detect-")
    root = rig.root
    byid = os.path.join(root, "by-id")
    os.makedirs(byid)
    try:
        def sim(name, link, extra, operator):
            s = rig.sim(name, operator=operator, extra=extra, fast=False)
            os.symlink(s.link, os.path.join(byid, link))
            return s

        a = sim("a", "usb-ACME_SIM800-if00-port0", ["--imei", "111111111111111", "--manufacturer", "ACME",
                                                   "--model", "SIM800"], "telkomsel")
        b0 = sim("b0", "usb-Kentongan_stick-if00-port0", ["--imei", "222222222222222"], "indosat")
        sim("b1", "usb-Kentongan_stick-if01-port0", ["--decoy"], "indosat")
        sim("b2", "usb-Kentongan_stick-if02-port0", ["--imei", "222222222222222", "--no-sms"], "indosat")
        sim("d", "usb-Kentongan_locked-if00-port0", ["--imei", "555555555555555", "--sim-pin"], "tri")
        c = sim("c", "usb-Kentongan_busy-if00-port0", ["--imei", "333333333333333"], "xl")

        # a daemon already drives modem c: detect must leave that port alone
        gw2 = rig.keep(Gateway(modems="\n[modem busy]\nconnection = at\nmodel = at\ndevice = %s\npoll = 1\n" % c.link,
                               name="kt-detect-busy"))
        gw2.start()
        poll(lambda: gw2.ctl("status")["modems"][0]["state"] == "ready", timeout=30, what="the busy modem")

        r = detect(root, "--json", os.path.join(byid, "*"))
        check(r.returncode == 0, "detect exit %d: %s %s" % (r.returncode, r.stdout, r.stderr))
        ports = {os.path.basename(p["port"]): p for p in json.loads(r.stdout)}
        check(len(ports) == 6, "six ports: %s" % sorted(ports))
        pd = ports["usb-Kentongan_locked-if00-port0"]
        check(pd["state"] == "sim-locked" and pd["answers_at"] and not pd["use"] and "PIN" in pd["error"]
              and pd["section"] is None, "PIN-locked SIM: %s" % pd)
        pa = ports["usb-ACME_SIM800-if00-port0"]
        check(pa["state"] == "ok" and pa["answers_at"] and pa["use"], "A usable: %s" % pa)
        check(pa["manufacturer"] == "ACME" and pa["model"] == "SIM800", "A identity: %s" % pa)
        check(pa["imei"] == "111111111111111" and pa["imsi"].startswith("51010"), "A IMEI/IMSI: %s" % pa)
        check(pa["operator"] == "telkomsel" and pa["mccmnc"] == "51010" and pa["signal"] > 0, "A network: %s" % pa)
        check(pa["sms"] == {"sim_used": 0, "sim_size": 30, "phone_used": 0, "phone_size": 0}, "A sms: %s" % pa)
        check(pa["profile"].endswith("/simcom-sim800.gammurc"), "A profile by model: %s" % pa["profile"])
        check(pa["device"].startswith("/dev/pts/"), "A device resolved: %s" % pa["device"])
        sec = pa["section"]
        for line in ("[modem telkomsel-1]", "device       = " + pa["port"], "imei         = 111111111111111",
                     "operator     = telkomsel", "balance_ussd = *888#", "profile      = " + pa["profile"]):
            check(line in sec, "A section has %r:\n%s" % (line, sec))

        p0 = ports["usb-Kentongan_stick-if00-port0"]
        check(p0["use"] and p0["name"] == "indosat-1" and p0["profile"].endswith("/modemsim.gammurc"),
              "stick port 0 is the one: %s" % p0)
        check("balance_ussd = *555#" in p0["section"], "Indosat balance code: %s" % p0["section"])
        p1 = ports["usb-Kentongan_stick-if01-port0"]
        check(p1["state"] == "no-answer" and not p1["answers_at"] and not p1["use"] and p1["imei"] is None,
              "decoy port: %s" % p1)
        check("within" in p1["error"], "decoy port says it timed out: %s" % p1["error"])
        p2 = ports["usb-Kentongan_stick-if02-port0"]
        check(p2["state"] == "no-sms" and p2["answers_at"] and p2["sms"] is None and not p2["use"],
              "no-SMS port: %s" % p2)
        check(p2["same_modem_as"] == p0["port"] and p2["imei"] == "222222222222222", "same stick: %s" % p2)
        check(p2["section"] is None, "no section for the no-SMS port")
        pc = ports["usb-Kentongan_busy-if00-port0"]
        check(pc["state"] == "in-use" and pc["in_use_by"].startswith("kentongand (pid ") and not pc["use"]
              and pc["imei"] is None, "busy port not touched: %s" % pc)
        # with the daemon's configuration, its ports are named after its modems
        r = run([KENTONGAN, "-c", gw2.conf, "modems", "detect", "--json", c.link], cwd=root)
        pc2 = json.loads(r.stdout)[0]
        check(pc2["state"] == "in-use" and pc2["in_use_by"] == "kentongand (modem busy)" and pc2["imei"] is None,
              "busy port by configuration: %s" % pc2)
        # the daemon kept its modem: it still receives through it
        c.ctl("sms", "+6281299990000", "BANTUAN")
        poll(lambda: gw2.ctl("inbox"), timeout=30, what="the busy modem to keep receiving")
        check(gw2.ctl("status")["modems"][0]["restarts"] == 0, "the busy modem was not disturbed")
        gw2.stop()

        # the sections make a working daemon: -n, then a message in and a reply out through each
        gw = rig.keep(Gateway(modems=pa["section"] + p0["section"], name="kt-detect-gw"))
        r = run([KENTONGAND, "-n", "-c", gw.conf])
        check(r.returncode == 0 and "2 modems" in r.stdout, "kentongand -n: %s %s" % (r.stdout, r.stderr))
        gw.start()
        poll(lambda: all(m["state"] == "ready" for m in gw.ctl("status")["modems"]), timeout=40,
             what="both detected modems ready")
        a.ctl("sms", "+6281211110000", "BANTUAN")
        b0.ctl("sms", "+6285622220000", "BANTUAN")
        poll(lambda: len(gw.ctl("inbox")) == 2, timeout=30, what="one message in through each modem")
        poll(lambda: a.sent() and b0.sent(), timeout=40, what="a reply out through each modem")
        mods = sorted(m["name"] for m in gw.ctl("status")["modems"])
        check(mods == ["indosat-1", "telkomsel-1"], "modem names: %s" % mods)
        gw.stop()

        # text output: the table and the section, one port only (quick)
        r = detect(root, os.path.join(byid, "usb-ACME*"))
        check(r.returncode == 0, "text detect: %s %s" % (r.stdout, r.stderr))
        check(r.stdout.startswith("port ") and "yes: [modem telkomsel-1]" in r.stdout, "table:\n" + r.stdout)
        check("Ready sections" in r.stdout and "imei         = 111111111111111" in r.stdout, "section:\n" + r.stdout)

        # nothing there: exit 1 and advice
        r = detect(root, os.path.join(root, "nothing-*"))
        check(r.returncode == 1 and "usb-modeswitch" in r.stderr, "no ports: %d %s" % (r.returncode, r.stderr))
    finally:
        rig.cleanup()
    print("ok")


if __name__ == "__main__":
    if not os.access(kt.MODEMSIM, os.X_OK):
        fail("modemsim not built")
    main()
