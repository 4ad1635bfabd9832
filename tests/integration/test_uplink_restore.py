#!/usr/bin/python3
"""Uplink: a hub restored from a backup (kentongan backup while it runs, the copy put back after a
disk failure). The restored database hands out command numbers its box has already applied with
other commands. The box notices by the commands' ids and says so in its ack; the hub numbers what
waits on from the box's number. Its new broadcast reaches the village, and the commands it sends
again under new numbers (the box applied them before the restore) are not done twice: every
broadcast goes out exactly once. A command whose id is too long to keep is refused as malformed.
Against a real mosquitto."""
import json
import os
import shutil

import paho.mqtt.client as mqtt

from kt import KENTONGAN, Uplink, check, poll, run, signed_command, sql

VILLAGE = "1671011001"
BOX = VILLAGE + "-1"
NUMBER = "+6281277770001"


def main():
    with Uplink("kt-ulrestore-") as up:
        hub, sim, box = up.start_hub_and_box(BOX, VILLAGE)
        box.join_hub(hub, BOX, NUMBER, VILLAGE)

        def sent(text):
            return [p for p in sim.sent(cut_ok=True) if p.get("to") == NUMBER and text in p.get("text", "")]

        def broadcast(text):
            b = hub.ctl("broadcast", "--area", VILLAGE, text)
            check(b["boxes"] == 1, "the hub forwards %r to the box: %r" % (text, b))
            poll(lambda: sent(text), timeout=60, what="%r to reach the village" % text)

        broadcast("Kabar satu")
        # the nightly backup, while the hub runs: an alert waits in it, not yet acknowledged (the
        # box is cut off from the broker), so the restored hub sends it again
        box.stop()
        b = hub.ctl("broadcast", "--area", VILLAGE, "Kabar dua")
        copy = os.path.join(up.root, "hub-backup.db")
        r = run([KENTONGAN, "-c", hub.conf, "backup", copy])
        check(r.returncode == 0, "kentongan backup: %s%s" % (r.stdout, r.stderr))
        box.start()
        poll(lambda: sent("Kabar dua"), timeout=60, what="the alert of the backup to reach the village")
        broadcast("Kabar tiga")

        # the hub's disk fails: the backup goes back in place
        hub.stop()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(hub.db + suffix):
                os.unlink(hub.db + suffix)
        shutil.copy(copy, hub.db)
        hub.start()
        b = hub.ctl("broadcast", "--area", VILLAGE, "Kabar empat")
        check(b["boxes"] == 1, "the restored hub forwards to the box: %r" % b)
        poll(lambda: sent("Kabar empat"), timeout=90,
             what="the restored hub's broadcast to reach the village (box log:\n%s)" % box.logtail(8))
        check("restored from a backup" in hub.logtext(), "the hub says it was restored from a backup")
        poll(lambda: hub.box_at_hub(BOX).get("down_pending") == 0, timeout=60,
             what="the hub's queue for the box to empty")
        for text in ("Kabar satu", "Kabar dua", "Kabar tiga", "Kabar empat"):
            check(len(sent(text)) == 1, "%r went out once, not %d times" % (text, len(sent(text))))

        # a command the box applied, sent again under the next number (as a restored hub does when
        # an ack got lost): its id is known, so the number is taken and nothing is sent again
        epoch, applied = sql(box.db, "SELECT epoch, applied FROM downlink_lanes WHERE lane = 'cmd'")[0]
        known = sql(box.db, "SELECT id FROM downlink_applied WHERE lane = 'cmd' AND seq = 1")[0][0]
        cmd = json.dumps({"hub": "hub", "epoch": epoch, "box": BOX, "lane": "cmd", "seq": applied + 1,
                          "id": known, "kind": "broadcast", "body": {"id": 1, "text": "Kabar satu lagi",
                                                                     "areas": [VILLAGE], "priority": 0,
                                                                     "expires_at": 0}})
        publish(up.broker, "kim/v1/down/%s/cmd" % BOX, signed_command(up.priv, cmd, up.root))
        poll(lambda: sql(box.db, "SELECT applied FROM downlink_lanes WHERE lane = 'cmd'")[0][0] == applied + 1,
             timeout=30, what="the box to take the number")
        check("was applied before under another number: not done again" in box.logtext(),
              "the box says it knew the command")
        check(not sent("Kabar satu lagi") and len(sent("Kabar satu")) == 1, "nothing sent again")
        # an id the box could not keep whole is a malformed command
        cmd = json.dumps({"hub": "hub", "epoch": epoch, "box": BOX, "lane": "cmd", "seq": applied + 2,
                          "id": "f" * 40, "kind": "broadcast", "body": {"id": 1, "text": "Kabar panjang",
                                                                        "areas": [VILLAGE], "priority": 0,
                                                                        "expires_at": 0}})
        publish(up.broker, "kim/v1/down/%s/cmd" % BOX, signed_command(up.priv, cmd, up.root))
        poll(lambda: "malformed command" in box.logtext(), timeout=30, what="the box to refuse an overlong id")
        check(not sent("Kabar panjang"), "the malformed command sent nothing")
        print("ok: a restored hub numbers on from its box; every broadcast went out once; a known "
              "command under a new number is not done again")


def publish(broker, topic, payload):
    c = mqtt.Client(client_id="t-restore", protocol=mqtt.MQTTv311)
    c.connect("127.0.0.1", broker.port, 30)
    c.loop_start()
    c.publish(topic, payload, 1).wait_for_publish(10)
    c.loop_stop()
    c.disconnect()


if __name__ == "__main__":
    main()
