#!/usr/bin/env python3
"""Uplink test 6: three levels, the same protocol at each. A village box reports to its regency
hub (broker R); the regency is itself a box of the province hub (broker P). A province broadcast
for the regency reaches the village's subscribers; the reach adds up back to the province; a
village post is visible at the province with the box that received it, and the province's
approval flows down two levels."""
from kt import Gateway, Mosquitto, Rig, check, hub_section, make_keys, poll, uplink_section

PROV, KAB, DESA = "16", "1671", "1671011001"
BOX = DESA + "-1"


def main():
    with Rig("kt-levels-") as rig:
        root = rig.root
        bp, br = rig.keep(Mosquitto(root, "prov")).start(), rig.keep(Mosquitto(root, "kab")).start()
        kp, kp_pub = make_keys(root, "prov")
        kr, kr_pub = make_keys(root, "kab")
        prov = Gateway(name="kt-prov", areas=PROV, tail=hub_section(bp.url, kp, name="prov16"))
        kab = Gateway(name="kt-kab", areas=KAB, tail=hub_section(br.url, kr, name="kab1671") + "\n" +
                      uplink_section(bp.url, kp_pub, KAB))
        sim = rig.sim("sim-desa")
        desa = Gateway(name="kt-desa", areas=DESA, modems=sim.section(), tail=uplink_section(br.url, kr_pub, BOX))
        gws = [rig.keep(g) for g in (prov, kab, desa)]
        for g in gws:
            g.import_areas()
            g.start()
        for n in ("081255550001", "081255550002", "081255550003"):
            desa.ctl("subscriber", "add", n, "--area", DESA, fmt="text")
        poll(lambda: kab.box_at_hub(BOX).get("subscribers") == 3, timeout=60,
             what="the village box at the regency")
        poll(lambda: prov.box_at_hub(KAB).get("state") == "online", timeout=60,
             what="the regency at the province")

        text = "Siaga banjir untuk Kota Palembang"
        b = prov.ctl("broadcast", "--area", KAB, "--priority", "alert", text)
        check(b["boxes"] == 1, "the province forwards to the regency: %r" % b)
        for n in ("+6281255550001", "+6281255550002", "+6281255550003"):
            poll(lambda: [p for p in sim.sent(cut_ok=True) if p.get("to") == n and "Siaga banjir" in p.get("text", "")],
                 timeout=60, what="the province's alert to reach %s in the village" % n)
        reach = poll(lambda: [x for x in prov.ctl("announcement", b["id"])["boxes"]
                              if x["box"] == KAB and x["recipients"] == 3 and x["sent"] + x["delivered"] == 3],
                     timeout=60, what="the village's reach to add up at the province")
        check(reach[0]["failed"] == 0, "reach at the province: %r" % reach)

        sim.ctl("sms", "+6281266660001", "LAPOR jembatan putus di dusun 2")
        post = poll(lambda: [p for p in prov.ctl("posts") if "jembatan putus" in p["text"]], timeout=60,
                    what="the village post at the province")[0]
        check(post["box"] == BOX, "the province sees the box that received it: %r" % post)
        check("6281266660001" not in post["from"], "the number stays masked two levels up: %r" % post)
        prov.ctl("post", "approve", post["id"], fmt="text")
        poll(lambda: [p for p in desa.ctl("posts") if "jembatan putus" in p["text"] and p["status"] == "published"],
             timeout=60, what="the province's approval to reach the village box")
        print("ok: province → regency → village broadcast, reach and posts up, approval down")


if __name__ == "__main__":
    main()
