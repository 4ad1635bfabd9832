#!/usr/bin/env python3
"""Uplink test 9: the link cut inside the network, not by stopping the broker. The box runs in a
network namespace of its own joined to this one by a veth pair; `ip link set … down` leaves its
TCP connection half-open (no FIN, no RST), which only MQTT keepalive can detect. While cut, the box
keeps receiving and the hub queues a broadcast for it; once the link is back, every record
reaches the hub and the broadcast goes out exactly once. Skipped (with the reason) where network
namespaces cannot be made."""
import os
import sys

from kt import DummyPhone, Gateway, Mosquitto, Rig, check, hub_section, make_keys, poll, run, sql, uplink_section

VILLAGE = "1671011001"
BOX = VILLAGE + "-1"


def sh(*args):
    r = run(list(args))
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))


def main():
    tag = "ktul%d" % (os.getpid() % 100000)
    ns, vh, vb = tag, tag + "h", tag + "b"
    net = "10.%d.%d" % (200 + os.getpid() % 50, os.getpid() % 250)
    try:
        sh("ip", "netns", "add", ns)
    except (RuntimeError, OSError) as e:
        print("SKIP: network namespaces are not available here (%s)" % e)
        return
    rig = Rig("kt-ulnetns-")
    root = rig.root
    try:
        sh("ip", "link", "add", vh, "type", "veth", "peer", "name", vb)
        sh("ip", "link", "set", vb, "netns", ns)
        sh("ip", "addr", "add", net + ".1/30", "dev", vh)
        sh("ip", "link", "set", vh, "up")
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", net + ".2/30", "dev", vb)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", vb, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        broker = rig.keep(Mosquitto(root))
        with open(broker.conf, "a") as f:
            f.write("listener %d %s.1\n" % (broker.port, net))
        broker.start()
        priv, pub = make_keys(root)
        hub = rig.keep(Gateway(name="kt-hub", areas="1671", tail=hub_section(broker.url, priv)))
        phone = DummyPhone(root)
        box = rig.keep(Gateway(name="kt-box", areas=VILLAGE, modems=phone.section("dummy"),
                               tail=uplink_section("mqtt://%s.1:%d" % (net, broker.port), pub, BOX, keepalive=5)))
        box.wrap = ["ip", "netns", "exec", ns]
        for g in (hub, box):
            g.import_areas()
            g.start()
        box.join_hub(hub, BOX, "081244440001", VILLAGE, "the box (in its namespace) at the hub")

        sh("ip", "link", "set", vh, "down")           # half-open: nobody tells the box
        for i in range(20):
            phone.inject("+6281344400%02d" % i, "terputus %d" % i, location=100 + i)
        hub.ctl("broadcast", "--area", VILLAGE, "Jadwal posyandu berubah")
        poll(lambda: box.ctl("status")["uplink"]["state"] == "offline", timeout=30,
             what="keepalive to notice the dead link")
        poll(lambda: hub.box_at_hub(BOX).get("state") == "offline", timeout=30,
             what="the broker to notice the box is gone (its will)")
        check(sql(hub.db, "SELECT count(*) FROM hub_records WHERE body LIKE '%terputus%'")[0][0] == 0,
              "nothing crossed the cut link")
        sh("ip", "link", "set", vh, "up")
        poll(lambda: sql(hub.db, "SELECT count(*) FROM hub_records WHERE body LIKE '%terputus%'")[0][0] == 20,
             timeout=60, what="the 20 records after the link came back")
        poll(lambda: sql(box.db, "SELECT count(*) FROM outbox o JOIN announcements a ON a.id = o.announcement_id "
                         "WHERE a.text LIKE 'Jadwal posyandu%' AND o.status IN ('sent', 'delivered')")[0][0] == 1,
             timeout=60, what="the hub's broadcast sent once after the link came back")
        check(sql(box.db, "SELECT count(*) FROM announcements WHERE text LIKE 'Jadwal posyandu%'")[0][0] == 1,
              "the broadcast applied once")
        print("ok: a half-open link is detected by keepalive and everything catches up once")
    finally:
        rig.cleanup()
        run(["ip", "link", "del", vh])
        run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    sys.exit(main())
