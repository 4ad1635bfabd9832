#!/usr/bin/env python3
"""Security review finding 6 against the real daemon: alternating DAFTAR and BERHENTI from one
number must not get a reply per message (stop confirmations count against the per-number cap:
the first and one more in an hour); a gateway-wide hourly budget of automatic replies bounds what junk
from many numbers costs, shows in `status` and /metrics when it bites, and never holds back a
broadcast."""
import urllib.request

from kt import Gateway, DummyPhone, check, poll

SAKO = "1671081001"
TOKEN = "replies-test-token-0123456789"


class Sender:
    def __init__(self, gw, ph):
        self.gw, self.ph, self.n, self.seen = gw, ph, 0, set()

    def sms(self, number, text):
        self.n += 1
        self.ph.inject(number, text, when="20261127T12%04d" % self.n)
        m = poll(lambda: [m for m in self.gw.ctl("inbox") if m["from"] == number and m["text"] == text
                          and m.get("action") and m["id"] not in self.seen], 20, "%r routed" % text)[0]
        self.seen.add(m["id"])
        return m


def main():
    # -- one number alternating DAFTAR / BERHENTI six times each, reply_limit 3
    with Gateway(name="sec-replies", areas="16", gateway_extra="reply_limit = 3\n") as gw:
        ph = DummyPhone(gw.dir)
        gw.write_conf(modems=ph.section("d1"))
        gw.import_areas()
        gw.start()
        s = Sender(gw, ph)
        num = "+6281234577001"
        for i in range(6):
            for text in ("DAFTAR " + SAKO, "BERHENTI"):
                s.sms(num, text)
        out = [o for o in gw.ctl("outbox") if o["to"] == num]
        kinds = [o["kind"] for o in out]
        print("ok: %d messages to the number: %s" % (len(out), kinds))
        check(len(out) <= 4, "12 alternating messages got %d replies: %s" % (len(out), kinds))
        check(kinds.count("confirm") <= 2, "at most two stop confirmations in the hour: %s" % kinds)
        acts = [m["action"] for m in gw.ctl("inbox") if m["from"] == num]
        check(any("confirmation capped" in a for a in acts), "later confirmations capped: %s" % acts)

    # -- junk from many numbers against a budget of 5 an hour
    with Gateway(name="sec-budget", areas="16", gateway_extra="reply_budget = 5\n") as gw:
        port = gw.listen(TOKEN)
        ph = DummyPhone(gw.dir)
        gw.write_conf(modems=ph.section("d1"))
        gw.import_areas()
        gw.start()
        s = Sender(gw, ph)
        s.sms("+6281234577100", "DAFTAR " + SAKO)          # a subscriber for the broadcast below
        for i in range(10):
            s.sms("+62812345771%02d" % (i + 1), "promo pulsa murah hubungi kami %d" % i)
        auto = [o for o in gw.ctl("outbox") if o["kind"] in ("reply", "confirm")]
        check(len(auto) == 5, "the budget allows 5 replies an hour, %d were queued" % len(auto))
        acts = [m["action"] for m in gw.ctl("inbox")]
        check(sum("reply budget spent" in a for a in acts) == 6, "6 replies dropped by the budget: %s" % acts)
        st = gw.ctl("status")
        check(st["replies"]["budget"] == 5 and st["replies"]["dropped"] == 6 and st["replies"]["last_hour"] == 5,
              "status shows the budget: %r" % st.get("replies"))
        check("dropped" in gw.ctl("status", fmt="text"), "status text shows the drops")
        req = urllib.request.Request("http://127.0.0.1:%d/metrics" % port,
                                     headers={"Authorization": "Bearer " + TOKEN})
        metrics = urllib.request.urlopen(req, timeout=10).read().decode()
        check('kentongan_replies_dropped_total{reason="budget"} 6' in metrics, "metrics show the drops")
        check("kentongan_reply_budget 5" in metrics, "metrics show the budget")
        # a broadcast is not a reply: it goes out whatever the budget
        r = gw.console("broadcast", "--area", "1671", "Kerja bakti hari Minggu")
        check(r.returncode == 0, "broadcast: %r" % r.stderr)
        poll(lambda: [o for o in gw.ctl("outbox") if o["kind"] == "announcement" and o["to"] == "+6281234577100"],
             20, "the announcement queued to the subscriber")
        with open(gw.log) as f:
            log = f.read()
        check(log.count("the reply budget of 5") == 1, "the budget line is logged once an hour:\n%s" % gw.logtail())
        print("ok")


main()
