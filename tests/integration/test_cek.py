#!/usr/bin/env python3
"""CEK verification codes (issue 15, point 4) through a simulated modem: every announcement gets a
5-character code from an alphabet without look-alikes; `broadcast --code` appends "Kode: XXXXX";
`CEK CODE` answers who sent it and when, an unknown code gets the hoax warning, `CEK <forwarded
text>` is matched against recent announcements; SIAR's code names the official (masked); CEK
replies count against the sender's reply cap."""
import re

from kt import Gateway, check, poll

V1 = "1671011001"
E164 = lambda n: "+62" + n[1:]
ALPHABET = set("ACEFHJKMNPRTWXY34679")


def main():
    with Gateway(name="kt-cek") as g:
        tsel, = g.modemsims(("tsel", "telkomsel"))
        g.import_areas()
        g.start()
        g.ctl("subscriber", "add", "081200000001", "--area", V1, fmt="text")
        check(g.console("official", "add", "081200000099", input="432187\n").returncode == 0, "official add")
        poll(lambda: g.ctl("status")["modems"][0]["state"] == "ready", timeout=30, what="modem ready")

        def replies(num, n):
            return poll(lambda: (lambda r: r if len(r) >= n else None)(
                [p["text"] for p in tsel.sent() if p["to"] == E164(num)]), timeout=30,
                what="%d replies to %s" % (n, num))

        def action(num, text):
            def get():
                for r in g.ctl("inbox"):
                    if r["from"] == E164(num) and r["text"] == text and r["action"]:
                        return r["action"]
            return poll(get, timeout=30, what="the inbox action of %r" % text)

        t1 = "Posyandu balita hari Sabtu jam 08.00 di balai desa."
        a1 = g.ctl("broadcast", "--area", V1, "--code", t1)
        code = a1["code"]
        check(len(code) == 5 and set(code) <= ALPHABET, "code shape: %r" % code)
        got = replies("081200000001", 1)
        check(got[0] == t1 + " Kode: " + code, "code appended: %r" % got)
        t2 = "Vaksinasi gratis di puskesmas hari Senin."
        a2 = g.ctl("broadcast", "--area", V1, t2)
        check(a2["code"] != code and len(a2["code"]) == 5, "codes differ: %r" % a2)
        replies("081200000001", 2)
        check(replies("081200000001", 2)[1] == t2, "no code without --code")

        # a villager (not even subscribed) checks the code: genuine, who and when
        X = "081377700001"
        tsel.ctl("sms", E164(X), "cek " + code.lower())
        r = replies(X, 1)[0]
        check(r.startswith("Kode %s asli: siaran #%d dari petugas Kentongan, 20" % (code, a1["id"])), "known: %r" % r)
        check(action(X, "cek " + code.lower()) == "cek %s: #%d" % (code, a1["id"]), "action")
        # an unknown code: the hoax warning
        tsel.ctl("sms", E164(X), "CEK K7QXA" if code != "K7QXA" else "CEK K7QXC")
        r = replies(X, 2)[1]
        check(re.match(r"K7QX[AC] tidak ditemukan - hati-hati, mungkin hoaks\.$", r), "unknown: %r" % r)
        # a forwarded text without its code
        tsel.ctl("sms", E164(X), "CEK Fwd: " + t2)
        r = replies(X, 3)[2]
        check(r.startswith("Pesan ini asli: siaran #%d (kode %s)" % (a2["id"], a2["code"])), "forwarded: %r" % r)
        # the fourth reply within the hour is over the cap (reply_limit = 3): acted on, not answered
        tsel.ctl("sms", E164(X), "CEK " + code)
        check(action(X, "CEK " + code).endswith("reply capped"), "capped")
        check(len([p for p in tsel.sent() if p["to"] == E164(X)]) == 3, "no fourth reply")

        # a fake forwarded text, and a forwarded text carrying a code
        Y = "081377700002"
        tsel.ctl("sms", E164(Y), "CEK Bendungan jebol malam ini, segera mengungsi ke bukit!")
        r = replies(Y, 1)[0]
        check(r == "Pesan itu tidak ditemukan - hati-hati, mungkin hoaks.", "fake: %r" % r)
        tsel.ctl("sms", E164(Y), "CEK Sudah dengar? Kode: " + code)
        r = replies(Y, 2)[1]
        check(r.startswith("Pesan ini asli: siaran #%d" % a1["id"]), "text with code: %r" % r)
        tsel.ctl("sms", E164(Y), "CEK")
        check(replies(Y, 3)[2].startswith("Kirim CEK <kode>"), "usage")

        # SIAR: the official gets the code back; CEK names the official with the middle masked
        O = "081200000099"
        tsel.ctl("sms", E164(O), "SIAR 432187 %s Rapat warga Jumat malam." % V1)
        r = replies(O, 1)[0]
        m = re.search(r"Kode cek: ([A-Z0-9]{5})$", r)
        check(m, "SIAR reply has the code: %r" % r)
        Z = "081377700003"
        tsel.ctl("sms", E164(Z), "CEK " + m.group(1))
        r = replies(Z, 1)[0]
        check("dari +62812****0099" in r, "official masked: %r" % r)
        check(g.ctl("inbox")[0]["text"] != "", "inbox fine")
        tsel.stop()
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
