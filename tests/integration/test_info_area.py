#!/usr/bin/env python3
"""INFO with an area and USSD confirmations by SMS (issue 15, point 6) through a simulated modem:
`INFO PEGAYUT` answers the latest announcements for that village (to it, to its district, …) when
the sender is subscribed to it (anyone with public_info = yes), and says how to subscribe otherwise;
plain INFO is unchanged.
USSD subscribe, report and stop are confirmed by an SMS too, within the reply cap."""
import signal

from kt import Gateway, check, poll
from test_http import TOKEN, Client

PEGAYUT, ILIR35 = "1610052025", "1671011001"
E164 = lambda n: "+62" + n[1:]
A, B, C = "081200000001", "081200000002", "081200000003"


def main():
    with Gateway(name="kt-infoarea", areas="16") as g:
        port = g.listen(TOKEN)
        tsel, = g.modemsims(("tsel", "telkomsel"))
        g.import_areas()
        g.start()
        g.ctl("subscriber", "add", A, "--area", PEGAYUT, fmt="text")
        g.ctl("subscriber", "add", B, "--area", ILIR35, fmt="text")
        poll(lambda: g.ctl("status")["modems"][0]["state"] == "ready", timeout=30, what="modem ready")

        def sent_to(num):
            return [p["text"] for p in tsel.sent() if p["to"] == E164(num)]

        def nth(num, n):
            return poll(lambda: (lambda r: r[n - 1] if len(r) >= n else None)(sent_to(num)), timeout=30,
                        what="message %d to %s" % (n, num))

        tp = "Pegayut: pembagian bibit padi Kamis pagi."
        ti = "35 Ilir: pemadaman listrik Rabu."
        for area, t in ((PEGAYUT, tp), (ILIR35, ti)):
            a = g.ctl("broadcast", "--area", area, t)
            poll(lambda: g.ctl("announcement", a["id"])["sent"] == 1, timeout=30, what="broadcast out")
        tsel.ctl("sms", E164(A), "INFO PEGAYUT")
        check(nth(A, 2) == tp, "INFO PEGAYUT for its subscriber: %r" % sent_to(A))
        tsel.ctl("sms", E164(B), "INFO PEGAYUT")
        r = nth(B, 2)
        check(r.startswith("Anda tidak terdaftar utk info Pegayut") and "DAFTAR PEGAYUT" in r, "not subscribed: %r" % r)
        tsel.ctl("sms", E164(B), "info")
        check(nth(B, 3) == ti, "plain INFO unchanged: %r" % sent_to(B))
        # an announcement to the district reaches INFO for the village too, newest first
        td = "Kecamatan: vaksinasi gratis Sabtu."
        a = g.ctl("broadcast", "--area", PEGAYUT[:6], td)
        poll(lambda: g.ctl("announcement", a["id"])["sent"] == 1, timeout=30, what="district broadcast out")
        nth(A, 3)
        tsel.ctl("sms", E164(A), "INFO PEGAYUT")
        check(nth(A, 4) == td + "\n--\n" + tp, "district and village news: %r" % sent_to(A)[3:])
        check(any(x["action"].startswith("info %s: 2 announcements" % PEGAYUT) for x in g.ctl("inbox")), "action")

        # USSD: subscribe, report and stop each confirmed by SMS; a fourth within the hour is capped
        cl = Client(port)
        scr = cl.screen("s1", "1*PEGAYUT*1", number=E164(C))
        check(scr.startswith("END Terima kasih! Anda berlangganan"), "ussd subscribe: %r" % scr)
        check(nth(C, 1).startswith("Terdaftar: info Pegayut"), "subscribe SMS: %r" % sent_to(C))
        check(cl.screen("s2", "3*Jalan desa rusak", number=E164(C)).startswith("END Laporan #"), "ussd report")
        check(nth(C, 2).startswith("Terima kasih, laporan #"), "report SMS: %r" % sent_to(C))
        check(cl.screen("s3", "4*1", number=E164(C)).startswith("END Anda sudah berhenti"), "ussd stop")
        check(nth(C, 3).startswith("Anda sudah berhenti dari semua info"), "stop SMS: %r" % sent_to(C))
        check(cl.screen("s4", "1*PEGAYUT*1", number=E164(C)).startswith("END Terima kasih!"), "subscribe again")
        # the screen still answers; no fourth SMS (poll the outbox, not the clock)
        check(len([o for o in g.ctl("outbox") if o["to"] == E164(C)]) == 3, "capped: %r" % sent_to(C))

        # public_info = yes: INFO AREA answers anyone
        g.write_conf(extra="public_info = yes\n")
        g.proc.send_signal(signal.SIGHUP)
        poll(lambda: "configuration reloaded" in g.logtail(200), timeout=30, what="the reload")
        tsel.ctl("sms", E164(B), "INFO PEGAYUT")
        check(nth(B, 4) == td + "\n--\n" + tp, "public INFO PEGAYUT: %r" % sent_to(B)[3:])
        tsel.stop()
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
