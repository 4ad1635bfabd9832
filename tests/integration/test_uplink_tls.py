#!/usr/bin/env python3
"""Uplink over TLS (mqtts://): a test CA made with the openssl command line at test time, mosquitto
with a TLS listener, a hub and a box that check the broker's certificate with ca_file. A record
goes up and a broadcast comes down; a box given another CA never connects (and keeps working)."""
import os

from kt import Gateway, Mosquitto, Rig, check, hub_section, make_keys, poll, run, sql, uplink_section

VILLAGE = "1671011001"
BOX = VILLAGE + "-1"


def make_ca(root, name):
    key, crt = os.path.join(root, name + ".key"), os.path.join(root, name + ".crt")
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
             "-keyout", key, "-out", crt])
    check(r.returncode == 0, "openssl req: %s" % r.stderr)
    return key, crt


def main():
    with Rig("kt-ultls-") as rig:
        root = rig.root
        ca_key, ca_crt = make_ca(root, "kt-test-ca")
        _, other_crt = make_ca(root, "someone-else")
        srv_key, srv_csr, srv_crt = (os.path.join(root, "srv." + x) for x in ("key", "csr", "crt"))
        ext = os.path.join(root, "san.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        for args in (["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", srv_key,
                      "-out", srv_csr],
                     ["openssl", "x509", "-req", "-in", srv_csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
                      "-days", "2", "-out", srv_crt, "-extfile", ext]):
            r = run(args)
            check(r.returncode == 0, "%s: %s" % (args[1], r.stderr))
        broker = rig.keep(Mosquitto(root, extra="cafile %s\ncertfile %s\nkeyfile %s\n" % (ca_crt, srv_crt, srv_key)))
        broker.start()
        url = "mqtts://127.0.0.1:%d" % broker.port
        priv, pub = make_keys(root)
        hub = Gateway(name="kt-hub", areas="1671", tail=hub_section(url, priv, extra="ca_file = %s\n" % ca_crt))
        sim = rig.sim()
        box = Gateway(name="kt-box", areas=VILLAGE, modems=sim.section(),
                      tail=uplink_section(url, pub, BOX, extra="ca_file = %s\n" % ca_crt))
        stranger = Gateway(name="kt-stranger", areas="1671011002",
                           tail=uplink_section(url, pub, "1671011002-1", extra="ca_file = %s\n" % other_crt))
        gws = [rig.keep(g) for g in (hub, box, stranger)]
        for g in gws:
            g.import_areas()
            g.start()
        box.join_hub(hub, BOX, "081233334444", VILLAGE, "the box at the hub over TLS")
        check(hub.ctl("status")["hub"]["state"] == "online", "the hub is connected over TLS")
        hub.ctl("broadcast", "--area", VILLAGE, "Lewat TLS")
        poll(lambda: [p for p in sim.sent(cut_ok=True) if "Lewat TLS" in p.get("text", "")], timeout=60,
             what="the broadcast over TLS")
        poll(lambda: sql(hub.db, "SELECT count(*) FROM hub_records WHERE kind = 'progress'")[0][0] >= 1, timeout=60,
             what="reach up over TLS")
        check(stranger.ctl("status")["uplink"]["state"] == "offline", "a box that does not trust the broker's CA "
              "does not connect")
        check(not hub.box_at_hub("1671011002-1"), "…and never reaches the hub")
        print("ok: mqtts with ca_file both ways; a wrong CA is refused")


if __name__ == "__main__":
    main()
