#!/usr/bin/env python3
"""Keyword SMS end to end: the real kentongand on a Gammu dummy phone, the real areas of South
Sumatra. DAFTAR (by name + district, idempotent), an ambiguous name answered by number, STOP
(all at once, confirmed once; DAFTAR again reactivates), INFO, LAPOR (pending, then reviewed with
`post approve|reject`; published at once from a leader), KIM, SIAR (PIN checked, 5 wrong PINs lock,
the PIN never stored or printed), replies never to alphanumeric senders, at most 3 replies an hour,
one unknown-command help a day; console: posts, post approve|reject, leader add, official add."""
import os
import signal
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
import kt  # noqa: E402

SAKO = "1671081001"


class Phone:
    """Injects SMS into the dummy phone and waits for the router's verdict."""

    def __init__(self, gw, dummy):
        self.gw = gw
        self.dummy = dummy
        self.loc = 0

    def sms(self, number, text):
        self.loc += 1
        before = {m["id"] for m in self.gw.inbox()}
        self.dummy.inject(number, text, coding="gsm7", when="20261127T12%04d" % self.loc, location=self.loc)

        def routed():
            new = [m for m in self.gw.inbox() if m["id"] not in before]
            return new[0] if new and new[0].get("action") else None
        return kt.poll(routed, 15, "SMS %r from %s routed" % (text, number))["action"]


def replies_to(gw, number):
    return [o for o in gw.ctl("outbox") if o["to"] == number and o["kind"] in ("reply", "confirm")]


def main():
    if not os.path.isdir(kt.WILAYAH):
        kt.fail("no area data at %s" % kt.WILAYAH)
    with kt.Gateway(gateway_extra="keywords = %s/parsers/keywords.conf\ndeny = 0819 0000 0001\n"
                    "templates = @ROOT@/tpl" % kt.TOP, areas="16", name="kt-modems") as gw:
        tpl = os.path.join(gw.dir, "tpl")
        os.mkdir(tpl)
        d1 = kt.DummyPhone(gw.dir, "d1", folders=range(1, 6))
        gw.write_conf(modems=d1.section("d1", rate=None))
        gw.import_areas()   # offline
        gw.start(cwd=kt.TOP)
        kt.poll(lambda: (gw.modem("d1") or {}).get("state") == "ready", 20, "modem ready")
        ph = Phone(gw, d1)

        # -- subscribe by name + district; a second DAFTAR is no error
        a = "+6281234500001"
        kt.ok(ph.sms("081234500001", "DAFTAR SUKAMAJU SAKO") == "subscribed " + SAKO, "DAFTAR SUKAMAJU SAKO")
        subs = {s["number"]: s for s in gw.ctl("subscribers")}
        kt.ok(subs[a]["status"] == "active" and subs[a]["areas"] == [SAKO], "subscriber listed with the area")
        kt.ok(ph.sms(a, "reg#sukamaju#sako") == "already subscribed " + SAKO, "second DAFTAR: already subscribed")
        rs = replies_to(gw, a)
        kt.ok(len(rs) == 2 and "Maju (Sako)" in rs[0]["text"], "confirmed by SMS: %r" % rs[0]["text"])

        # -- an ambiguous name: a numbered choice, answered by the number
        b = "+6281234500002"
        act = ph.sms(b, "daftar sukamaju")
        kt.ok(act.startswith("choice asked") and "of 11 options" in act, "ambiguous name asks: %s" % act)
        q = replies_to(gw, b)[-1]["text"]
        kt.ok("\n1 " in q and "\n2 " in q and len(q) <= 160, "one SMS of numbered choices: %r" % q)
        kt.ok(ph.sms(b, "pilih 2").startswith("subscribed "), "'pilih 2' picks one")

        # -- INFO
        kt.ok(ph.sms("+6281234500003", "INFO") == "info: not subscribed", "INFO from a stranger")
        r = gw.console("broadcast", "--area", "1671", "Kerja bakti Minggu pagi")
        kt.ok(r.returncode == 0, "a console broadcast (%s)" % r.stderr.strip())
        kt.ok(ph.sms(a, "berita") == "info: 1 announcement", "INFO returns the latest")
        kt.ok("Kerja bakti" in replies_to(gw, a)[-1]["text"], "INFO text is the announcement")

        # -- STOP all at once, confirmed once; DAFTAR again reactivates
        kt.ok(ph.sms(a, "STOP") == "stopped all", "STOP")
        subs = {s["number"]: s for s in gw.ctl("subscribers")}
        kt.ok(subs[a]["status"] == "stopped" and subs[a]["areas"] == [], "stopped from every area")
        kt.ok(ph.sms(a, "STOP").startswith("stop: already stopped"), "second STOP: no second confirmation")
        confirms = [o for o in gw.ctl("outbox") if o["to"] == a and o["kind"] == "confirm"]
        kt.ok(len(confirms) == 1, "one confirmation")
        kt.ok(ph.sms(a, "DAFTAR " + SAKO).startswith("subscribed " + SAKO), "DAFTAR after STOP")
        subs = {s["number"]: s for s in gw.ctl("subscribers")}
        kt.ok(subs[a]["status"] == "active", "active again")

        # -- LAPOR: pending, reviewed from the console; published at once from a leader
        c = "+6281234500004"
        kt.ok(ph.sms(c, "LAPOR jalan rusak di RT 3") == "report pending #1", "LAPOR from anyone: pending")
        posts = gw.ctl("posts", "--status", "pending")
        kt.ok(len(posts) == 1 and posts[0]["from"] == c and posts[0]["text"] == "jalan rusak di RT 3"
              and set(posts[0]) >= {"id", "from", "kim", "area", "text", "status", "received"},
              "posts --status pending: %r" % posts)
        kt.ok(gw.console("post", "approve", "1").returncode == 0, "post approve 1")
        r = gw.console("post", "reject", "1")
        kt.ok(r.returncode == 1 and "already published" in r.stderr, "a reviewed post stays: %r" % r.stderr)
        kt.ok(gw.console("post", "approve", "99").returncode == 1, "post approve of no post: exit 1")
        kt.ok(gw.console("post", "approve", "x").returncode == 1, "post approve x: exit 1")
        r = gw.console("leader", "add", "081234500005", "--kim", "KIM Sukamaju", "--area", "167108")
        kt.ok(r.returncode == 0, "leader add (%s)" % r.stderr.strip())
        kt.ok(gw.console("leader", "add", "081234500005", "--kim", "X", "--area", "99").returncode == 1,
              "leader add with an unknown area: exit 1")
        lead = "+6281234500005"
        kt.ok(ph.sms(lead, "Lapor: posyandu pindah ke balai") == "report published #2", "LAPOR from a leader")
        kt.ok(gw.ctl("posts", "--status", "published")[-1]["kim"] == "KIM Sukamaju", "post carries the KIM")

        # -- KIM: to the members of the leader's KIM area (b may be elsewhere), not the leader
        act = ph.sms(lead, "KIM Rapat Sabtu jam 9")
        kt.ok(act.startswith("kim to ") and act.endswith(" members"), "KIM group message: %s" % act)
        kims = [o for o in gw.ctl("outbox") if o["kind"] == "kim"]
        kt.ok(any(o["to"] == a for o in kims) and not any(o["to"] == lead for o in kims),
              "queued to members, not the leader")

        # -- SIAR: official + PIN; 5 wrong PINs lock; the PIN is never stored in clear
        off = "+6281234500006"
        kt.ok(gw.console("official", "add", off, input="12\n").returncode == 1, "a 2-digit PIN is refused")
        kt.ok(gw.console("official", "add", off, input="7391\n").returncode == 1, "a 4-digit PIN is refused")
        r = gw.console("official", "add", off, "--pin", "739105")
        kt.ok(r.returncode == 1 and "command line" in r.stderr, "the PIN is never taken from argv: %r" % r.stderr)
        r = gw.console("official", "add", off, input="739105\n")
        kt.ok(r.returncode == 0 and "739105" not in r.stdout, "official add (PIN on stdin)")
        act = ph.sms(off, "SIAR 739105 1671 Banjir: warga diminta waspada")
        kt.ok(act.startswith("siar #") and "recipients" in act, "SIAR with the right PIN: %s" % act)
        anns = gw.ctl("announcements")
        kt.ok(any("Banjir" in x["text"] for x in anns), "the SIAR is an announcement")
        for i in range(4):
            kt.ok(ph.sms(off, "SIAR 000000 1671 palsu").startswith("siar refused: wrong pin"), "wrong PIN %d" % i)
        kt.ok(ph.sms(off, "SIAR 000000 1671 palsu").startswith("siar refused: wrong pin, locked"),
              "5th wrong PIN locks")
        kt.ok(ph.sms(off, "SIAR 739105 1671 benar").startswith("siar refused: locked"), "locked for the hour")
        kt.ok("locked for an hour" in gw.logtext(), "a warning was logged")
        db = sqlite3.connect(gw.db)
        dump = "\n".join(db.iterdump())
        db.close()
        kt.ok("739105" not in dump, "the PIN appears nowhere in the database")
        audit = gw.console("audit", "--limit", "200").stdout
        kt.ok("739105" not in audit and "siar" in audit and "subscribe" in audit, "audit log, without the PIN")

        # -- replies: never to alphanumeric senders, short codes or denied numbers
        kt.ok(ph.sms("TELKOMSEL", "INFO paket murah").startswith("ignored"), "alphanumeric sender ignored")
        kt.ok(ph.sms("3636", "HELP").startswith("ignored"), "short code ignored")
        kt.ok(ph.sms("+6281900000001", "HELP").startswith("ignored"), "denied number ignored")
        kt.ok(replies_to(gw, "TELKOMSEL") == [] and replies_to(gw, "3636") == [], "no replies to them")

        # -- at most 3 replies an hour; one unknown-command help a day
        e = "+6281234500007"
        kt.ok(ph.sms(e, "halo") == "unknown: help sent", "unknown: help")
        kt.ok(ph.sms(e, "halo lagi") == "unknown: help already sent today", "unknown again: no help")
        kt.ok(ph.sms(e, "BANTUAN") == "help", "help 2")
        kt.ok(ph.sms(e, "?") == "help", "help 3")
        kt.ok(ph.sms(e, "HELP") == "help, reply capped", "4th reply in the hour capped")
        kt.ok(len(replies_to(gw, e)) == 3, "3 replies in all")

        # -- SIGHUP reloads the reply templates (and the keywords file); one that does not load
        # refuses the whole reload and the running texts stay
        def reloads():
            return gw.logtext().count("configuration reloaded") + gw.logtext().count("reload refused")

        def help_text(number):
            kt.ok(ph.sms(number, "BANTUAN") == "help", "help from %s" % number)
            return replies_to(gw, number)[-1]["text"]

        new_help = "Petunjuk baru: DAFTAR <desa>, INFO, LAPOR <isi>, BERHENTI."
        with open(os.path.join(tpl, "help"), "w") as f:
            f.write(new_help + "\n")
        n = reloads()
        gw.proc.send_signal(signal.SIGHUP)
        kt.poll(lambda: reloads() > n, 10, "the reload")
        kt.ok("configuration reloaded" in gw.logtext(), "reload accepted")
        kt.poll(lambda: (gw.modem("d1") or {}).get("state") == "ready", 20, "modem ready after the reload")
        kt.ok(help_text("+6281234500011") == new_help, "the edited help template is used after SIGHUP")
        with open(os.path.join(tpl, "unknown"), "w") as f:
            f.write("Maaf. " * 400 + "\n")
        n = reloads()
        gw.proc.send_signal(signal.SIGHUP)
        kt.poll(lambda: reloads() > n, 10, "the second reload")
        kt.ok("reload refused" in gw.logtext() and "template %s/unknown: longer than" % tpl in gw.logtext(),
              "an over-long template refuses the reload, and says which")
        kt.ok(help_text("+6281234500012") == new_help, "the running templates stay after a refused reload")
        kt.ok(gw.ctl("status")["store"] == "ok", "store ok")
    print("all ok")


if __name__ == "__main__":
    main()
