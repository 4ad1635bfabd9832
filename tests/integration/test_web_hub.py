#!/usr/bin/python3
"""The web console on a hub, in a real browser (headless Chromium through Selenium), with a real
mosquitto, a hub daemon ([hub], [http], a web user, no modem) and one box daemon ([uplink]) on a
modemsim: the hub's dashboard lists the box online with its backlog, modems and subscribers; the
compose preview counts the villagers the box reported and says it goes to one box; a LAPOR sent
to the box shows on the hub's posts page with its box; a reply from the hub's page reaches the
reporter by SMS through the box (modemsim's sent log) and an approval reaches the box; the box's
own dashboard shows its link to the hub and no box list. Screenshots go to
build/web-screenshots/hub-*.png (look at them). Skipped, with the reason, only when Selenium or
Chromium is missing or cannot start."""
import os

from kt import BUILD, Browser, Mosquitto, Uplink, add_web_user, check, poll

VA = "1671011001"                 # the box's village (Kota Palembang)
D1 = "167101"                     # its district
A = VA + "-1"
REPORTER = "+6281233330001"
SHOTS = os.path.join(BUILD, "web-screenshots")


def sent_to(sim, number, text):
    return [p for p in sim.sent(cut_ok=True) if p.get("to") == number and text in p.get("text", "")]


def main():
    with Uplink("kt-webhub-", broker=Mosquitto) as up:
        up.broker.start()
        hub = up.hub(name="kt-webhub")
        hport = hub.listen()
        hub.import_areas()
        add_web_user(hub, "budi", "official", "rahasia-budi")
        hub.start()
        sim, box = up.box_on_sim(A, VA, "sim-box", name="kt-webbox")
        bport = box.listen()
        box.import_areas()
        add_web_user(box, "desi", "operator", "rahasia-desi")
        box.start()
        for n in ("081211110001", "081211110002"):
            box.ctl("subscriber", "add", n, "--area", VA, fmt="text")
        poll(lambda: hub.box_at_hub(A).get("subscribers") == 2, timeout=60,
             what="the box online at the hub with its 2 subscribers")

        b = Browser.start(SHOTS)
        if b is None:
            return 0
        up.keep(b)
        from selenium.webdriver.common.by import By
        d = b.d

        go, login = b.go, b.login

        # -- the hub's dashboard: the box online, its backlog, modems and subscribers
        hbase = "http://127.0.0.1:%d" % hport
        login(hbase, "budi", "rahasia-budi")
        poll(lambda: d.find_elements(By.ID, "boxes"), what="the hub's dashboard with its boxes")
        row = d.find_element(By.ID, "box-" + A)
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        check(cells[0] == A and VA in cells[1], "the box and its areas: %r" % cells)
        check("ok" in row.find_elements(By.TAG_NAME, "td")[2].get_attribute("class"), "the box is online: %r" % cells)
        check(cells[5] == "0" and cells[6] == "1 / 1" and cells[7] == "2",
              "no backlog down, 1 of 1 modems ready, 2 subscribers: %r" % cells)
        check(d.find_element(By.ID, "d-boxes-online").text == "1", "1 box online on the hub's dashboard")
        check(not d.find_elements(By.ID, "uplink"), "a hub without [uplink] shows no link to a hub above")
        b.shot("hub-01-dashboard")

        # -- compose: the preview counts the box's villagers and says how many boxes
        d.get(hbase + "/console/compose")
        d.find_element(By.ID, "text").send_keys("Kerja bakti hari Minggu pukul 07.00")
        go(d.find_element(By.ID, "open-1671"))
        poll(lambda: d.find_elements(By.ID, "a-" + D1), what="the districts of 1671 in the tree")
        d.find_element(By.ID, "a-" + D1).click()
        poll(lambda: d.find_element(By.ID, "live-recipients").text == "2" and
             d.find_element(By.ID, "live-boxes").text == "1", timeout=15,
             what="the live preview: 2 recipients through 1 box")
        go(d.find_element(By.ID, "preview"))
        poll(lambda: d.find_elements(By.ID, "confirm"), what="the confirmation step")
        check(d.find_element(By.ID, "c-recipients").text == "2", "the confirmation counts 2 recipients")
        check(d.find_element(By.ID, "c-box-recipients").text == "2" and d.find_element(By.ID, "c-boxes").text == "1",
              "… all of them the box's, through 1 box: %r" % d.find_element(By.ID, "c-hub").text)
        check(hub.ctl("announcements") == [], "the preview queued nothing")
        dry = hub.ctl("broadcast", "--area", D1, "--dry-run", "x")
        check(dry["recipients"] == 2 and dry["boxes"] == 1, "the console's dry run says the same: %r" % dry)
        txt = hub.ctl("broadcast", "--area", D1, "--dry-run", "x", fmt="text")
        check("2 of them as the boxes reported, through 1 box" in txt, "… in text too: %r" % txt)
        b.shot("hub-02-compose")

        # -- a LAPOR at the box shows on the hub's posts page with its box
        sim.ctl("sms", REPORTER, "LAPOR jembatan gantung di RT 2 putus <b>tolong</b>")
        post = poll(lambda: [p for p in hub.ctl("posts") if "jembatan gantung" in p["text"]], timeout=60,
                    what="the post at the hub")[0]
        pid = post["id"]
        d.get(hbase + "/console/posts")
        row = d.find_element(By.ID, "post-%d" % pid)
        check(row.find_element(By.CSS_SELECTOR, "td.via").text == A, "the posts page names the box: %r" % row.text)
        check("<b>tolong</b>" in row.text, "the report's markup shows as text: %r" % row.text)
        check(REPORTER not in row.text, "the number is masked at the hub: %r" % row.text)
        b.shot("hub-03-posts")

        # -- a reply from the hub's page goes to the reporter through the box
        reply = "Terima kasih, tim BPBD menuju lokasi"
        row.find_element(By.CSS_SELECTOR, "input[name=text]").send_keys(reply)
        go(row.find_element(By.CSS_SELECTOR, "button[value=reply]"))
        poll(lambda: d.find_elements(By.ID, "done"), what="the posts page after the reply")
        check("kotak" in d.find_element(By.ID, "done").text, "the page says the reply goes to the box: %r" %
              d.find_element(By.ID, "done").text)
        poll(lambda: sent_to(sim, REPORTER, "tim BPBD"), timeout=30, what="the reply SMS through the box")
        check(sim.sent(cut_ok=True) and len(sent_to(sim, REPORTER, "tim BPBD")) == 1, "the reply is sent once")
        check(not hub.ctl("outbox"), "the hub (no modem) queued nothing itself")
        # -- approving from the hub's page reaches the box
        go(d.find_element(By.ID, "approve-%d" % pid))
        poll(lambda: [p for p in box.ctl("posts") if "jembatan gantung" in p["text"]][0]["status"] == "published",
             timeout=30, what="the approval to reach the box")
        check([x for x in hub.ctl("audit") if x.get("action") == "post reply" and x.get("actor") == "web:budi"],
              "the reply is audited with the web user's name")
        b.shot("hub-04-replied")

        # -- the box's own dashboard: its link to the hub, no box list (it is not a hub)
        login("http://127.0.0.1:%d" % bport, "desi", "rahasia-desi")
        poll(lambda: d.find_elements(By.ID, "uplink"), what="the box's dashboard with its link")
        check("ok" in d.find_element(By.ID, "up-state").get_attribute("class"), "the box's link is online")
        check(not d.find_elements(By.ID, "boxes"), "a plain box shows no box list")
        b.shot("hub-05-box-dashboard")

        errors = [e for e in b.log() if e.get("level") == "SEVERE"]
        check(not errors, "the browser's console log has no errors: %r" % errors[:3])
        print("ok: hub dashboard lists the box; preview counts its villagers; its LAPOR, reply and approval "
              "flow through it; the box shows its link")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
