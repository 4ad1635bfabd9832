#!/usr/bin/env python3
"""ModemManager fighting Kentongan for a port: a stand-in process named ModemManager (a script of
that name: /proc/PID/comm is what the daemon and detect look at) opens a configured modem's port.
The daemon warns in the log and `status` (text and JSON) shows it with the advice; when the
stand-in lets go and exits, status clears. `modems detect` warns too and leaves the port alone,
as it leaves a port another modem program (a gammu-smsd stand-in) holds; a free port is probed."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import kt  # noqa: E402
from kt import KENTONGAN, Gateway, Rig, check, poll, run  # noqa: E402

FAKE = """#!/usr/bin/python3
import sys, time
f = open(sys.argv[1], "rb", buffering=0)   # holds the port, like ModemManager does
print("holding", flush=True)
time.sleep(120)     # holds the port until the test stops it
"""


def main():
    rig = Rig("kt-mm-")
    root = rig.root
    fake = None
    try:
        sim = rig.sim("tsel", fast=False)
        gw = rig.keep(Gateway(modems="\n[modem tsel]\nconnection = at\nmodel = at\ndevice = %s\npoll = 1\n" % sim.link,
                              name="kt-mm"))
        gw.start(env={"KT_MMWATCH_S": "1"})
        st = gw.ctl("status")
        check(st["modemmanager"] is None, "no ModemManager at first: %s" % st.get("modemmanager"))

        path = os.path.join(root, "ModemManager")
        with open(path, "w") as f:
            f.write(FAKE)
        os.chmod(path, 0o755)
        fake = subprocess.Popen([path, sim.link], stdout=subprocess.PIPE, text=True)
        check(fake.stdout.readline().strip() == "holding", "the stand-in holds the port")
        with open("/proc/%d/comm" % fake.pid) as f:
            check(f.read().strip() == "ModemManager", "the stand-in is called ModemManager")

        mm = poll(lambda: gw.ctl("status")["modemmanager"], timeout=20, what="status to show ModemManager")
        check(mm["pid"] == fake.pid, "ModemManager's pid: %s" % mm)
        poll(lambda: gw.ctl("status")["modemmanager"]["holds"], timeout=20, what="the held port in status")
        mm = gw.ctl("status")["modemmanager"]
        check(mm["holds"] == [{"modem": "tsel", "device": sim.link}], "held port: %s" % mm["holds"])
        check("ID_MM_DEVICE_IGNORE" in mm["advice"] and "systemctl disable --now ModemManager" in mm["advice"],
              "advice: %s" % mm["advice"])
        text = gw.ctl("status", fmt="text")
        check("warning: ModemManager is running (pid %d) and holds %s (modem tsel)" % (fake.pid, sim.link) in text,
              "text status:\n" + text)
        poll(lambda: "event=modemmanager" in open(gw.log).read(), timeout=10, what="the warning in the log")
        log = open(gw.log).read()
        check("modem=tsel event=modemmanager pid=%d device=%s" % (fake.pid, sim.link) in log, "log:\n" + gw.logtail())

        # ModemManager gone: status clears, live
        fake.kill()
        fake.wait()
        fake = None
        poll(lambda: gw.ctl("status")["modemmanager"] is None, timeout=20, what="status to clear")
        check("ModemManager" not in gw.ctl("status", fmt="text"), "and the text status")
        poll(lambda: "ModemManager stopped" in open(gw.log).read(), timeout=10, what="the log to say so")
        gw.stop()

        # detect warns, and does not touch the port ModemManager holds
        fake = subprocess.Popen([path, sim.link], stdout=subprocess.PIPE, text=True)
        check(fake.stdout.readline().strip() == "holding", "the stand-in holds the port again")
        env = dict(os.environ, KT_MODEM_CONFIGS=os.path.join(kt.TOP, "modem-configs"))
        r = run([KENTONGAN, "modems", "detect", "--json", "--timeout", "10", sim.link], env=env, cwd=root)
        check("warning: ModemManager is running (pid %d)" % fake.pid in r.stderr, "detect warns: %r" % r.stderr)
        ports = json.loads(r.stdout)
        check(len(ports) == 1 and ports[0]["state"] == "in-use" and ports[0]["in_use_by"].startswith("ModemManager")
              and ports[0]["imei"] is None, "detect leaves it alone: %s" % ports)
        check(r.returncode == 1, "no usable modem: exit 1, not %d" % r.returncode)
        fake.kill()
        fake.wait()

        # another modem program (an old gammu-smsd setup) holding the port: left alone too, no warning
        smsd = os.path.join(root, "gammu-smsd")
        shutil.copy(path, smsd)
        fake = subprocess.Popen([smsd, sim.link], stdout=subprocess.PIPE, text=True)
        check(fake.stdout.readline().strip() == "holding", "the gammu-smsd stand-in holds the port")
        r = run([KENTONGAN, "modems", "detect", "--json", "--timeout", "10", sim.link], env=env, cwd=root)
        ports = json.loads(r.stdout)
        check(ports[0]["state"] == "in-use" and ports[0]["in_use_by"] == "gammu-smsd (pid %d)" % fake.pid,
              "detect leaves gammu-smsd's port alone: %s" % ports)
        check("ModemManager" not in r.stderr, "no ModemManager warning: %r" % r.stderr)
        fake.kill()
        fake.wait()
        fake = None
        # and once nothing holds it, it is probed
        r = run([KENTONGAN, "modems", "detect", "--json", "--timeout", "10", sim.link], env=env, cwd=root)
        ports = json.loads(r.stdout)
        check(r.returncode == 0 and ports[0]["state"] == "ok" and ports[0]["use"], "free port probed: %s" % ports)
    finally:
        if fake is not None:
            fake.kill()
            fake.wait()
        rig.cleanup()
    print("ok")


if __name__ == "__main__":
    main()
