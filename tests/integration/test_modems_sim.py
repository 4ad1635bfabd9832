#!/usr/bin/env python3
"""The real kentongand on two modemsim modems (Telkomsel, Indosat) over libGammu's AT driver:
receiving on +CMTI on both, status (operator from the network, balance parsed from the balance
USSD with the operator's patterns, low credit), `kentongan ussd`, a hung modem killed and
respawned while the other keeps receiving, and a disconnect/re-enumeration in the middle of a
command noticed at once (the worker's hang-up watch) and recovered without restarting the daemon.
Skipped when modemsim is not built."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import kt  # noqa: E402

MODEMS = """
[modem tsel]
connection = at
model = at
device = @ROOT@/tsel.tty
poll = 1
command_timeout = 8
balance_ussd = *888#

[modem isat]
connection = at
model = at
device = @ROOT@/isat.tty
poll = 1
balance_ussd = *555#
"""


def sim(root, name, operator):
    return kt.ModemSim(root, name, operator=operator, fast=False,
                       stderr=open(os.path.join(root, name + ".log"), "w"))


def main():
    if not os.access(kt.MODEMSIM, os.X_OK):
        print("skipped: modemsim not built")
        return
    gw = kt.Gateway(MODEMS, areas=None, name="kt-modems")
    tsel = sim(gw.dir, "tsel", "telkomsel")
    isat = sim(gw.dir, "isat", "indosat")
    try:
        tsel.ctl("ussd-reply", "*888#", "Sisa Pulsa Anda Rp 25.000. Aktif s.d. 31-12-2026.")
        isat.ctl("ussd-reply", "*555#", "Pulsa Rp 2.000, Aktif s/d 15/01/2027")
        gw.start(cwd=kt.TOP)
        kt.poll(lambda: gw.modem("tsel")["state"] == "ready" and gw.modem("isat")["state"] == "ready", 30,
                 "both modems ready")
        kt.ok(gw.modem("tsel")["operator"] == "Telkomsel" and gw.modem("isat")["operator"] == "Indosat Ooredoo",
              "operators detected from the network")

        tsel.ctl("sms", "+6281234567890", "DAFTAR SUKAMAJU")
        isat.ctl("sms", "--ucs2", "+6285712345678", "Halo apa kabar")
        isat.ctl("sms", "--parts-order", "2,1,3", "+6285700000001", "x" * 400)
        kt.poll(lambda: len(gw.inbox()) == 3, 10, "three messages from two modems")
        mods = sorted(m["modem"] for m in gw.inbox())
        kt.ok(mods == ["isat", "isat", "tsel"], "each message stored with its modem")
        kt.ok(any(len(m["text"]) == 400 for m in gw.inbox()), "long message reassembled from parts sent 2,1,3")
        kt.poll(lambda: "SM" not in tsel.ctl("list") or tsel.ctl("list").strip() in ("", "OK"), 15, "SIM emptied")

        r = gw.console("ussd", "tsel", "*888#")
        kt.ok(r.returncode == 0 and "Rp 25.000" in r.stdout, "kentongan ussd tsel *888# prints the reply")
        kt.poll(lambda: (gw.modem("tsel")["balance"] or "").startswith("Rp 25.000"), 40, "tsel balance parsed")
        kt.poll(lambda: gw.modem("isat")["low_credit"], 40, "isat low credit")
        kt.ok("LOW" in gw.modem("isat")["balance"] and "low-credit" in gw.logtext(),
              "low credit shown in status and logged as a warning")

        # -- a hung modem: killed and respawned; the other keeps receiving
        n = len(gw.inbox())
        tsel.ctl("fault", "hang", "on")
        isat.ctl("sms", "+6285712345679", "masih jalan")
        kt.poll(lambda: len(gw.inbox()) == n + 1, 10, "isat receiving while tsel hangs")
        kt.poll(lambda: gw.modem("tsel")["restarts"] >= 1, 60, "tsel's worker killed by the watchdog")
        kt.ok(gw.modem("isat")["state"] == "ready", "isat unaffected")
        tsel.ctl("fault", "hang", "off")
        kt.poll(lambda: gw.modem("tsel")["state"] == "ready", 90, "tsel ready again after the hang")
        tsel.ctl("sms", "+6281234567891", "sudah pulih")
        kt.poll(lambda: len(gw.inbox()) == n + 2, 10, "tsel receiving after the hang")

        # -- the stick resets while libGammu waits for its answer: the pty disappears and comes
        # back; no daemon restart. libGammu reads a hung-up tty as "no answer yet" and would wait
        # out its own timeout (up to 40 s): the worker's hang-up watch ends it at once instead
        r0 = gw.modem("isat")["restarts"]
        atlog = os.path.join(gw.dir, "isat-at.log")
        hung = open(atlog).read().count("(hung, ignored)")
        isat.ctl("fault", "hang", "on")
        kt.poll(lambda: open(atlog).read().count("(hung, ignored)") > hung, 30,
                "a command from isat's worker left unanswered")
        isat.ctl("fault", "disconnect", "2")
        isat.ctl("fault", "hang", "off")
        kt.poll(lambda: gw.modem("isat")["restarts"] > r0, 60, "isat noticed the disconnect")
        kt.ok('modem=isat event=lost error="the device hung up"' in gw.logtext(),
              "the worker saw the device hang up in the middle of a command")
        kt.poll(lambda: gw.modem("isat")["state"] == "ready", 60, "isat reconnected")
        isat.ctl("sms", "+6285712345670", "setelah colok ulang")
        kt.poll(lambda: len(gw.inbox()) == n + 3, 10, "isat receiving after re-plugging")
        kt.ok(gw.proc.poll() is None, "the daemon kept running throughout")
    finally:
        gw.cleanup()
        tsel.stop()
        isat.stop()
    print("all ok")


if __name__ == "__main__":
    main()
