#!/usr/bin/env python3
"""The two-person rule for alerts (issue 15, point 5) through a simulated modem: with
alert_approval = 2 an alert from the console (or DARURAT by SMS) waits as 'pending' (nothing queued, nothing sent),
a normal broadcast is not held, the same person approving is refused, a registered official's
SMS `SETUJU ID PIN` (after a wrong PIN and a non-official are refused) releases it to the
subscribers of that moment, the audit log names both people, and an alert nobody approves
within approval_timeout expires unsent."""
import pwd
import os
import signal

from kt import Gateway, check, poll

V1 = "1671011001"
E164 = lambda n: "+62" + n[1:]
OFFICIAL, OTHER = "081200000099", "081377700001"


def main():
    me = "console:" + pwd.getpwuid(os.getuid()).pw_name
    with Gateway(name="kt-approval", gateway_extra="alert_approval = 2\napproval_timeout = 1h\nreply_limit = 10\n") as g:
        tsel, = g.modemsims(("tsel", "telkomsel"))
        g.import_areas()
        g.start()
        g.ctl("subscriber", "add", "081200000001", "--area", V1, fmt="text")
        check(g.console("official", "add", OFFICIAL, input="432187\n").returncode == 0, "official add")
        poll(lambda: g.ctl("status")["modems"][0]["state"] == "ready", timeout=30, what="modem ready")

        def sent_to(num):
            return [p["text"] for p in tsel.sent() if p["to"] == E164(num)]

        def replies(num, n):
            return poll(lambda: (lambda r: r if len(r) >= n else None)(sent_to(num)), timeout=30,
                        what="%d messages to %s" % (n, num))

        ta = "AWAS: air sungai naik, segera mengungsi."
        a = g.ctl("broadcast", "--area", V1, "--priority", "alert", ta)
        check(a["state"] == "pending" and a["id"] > 0, "alert held: %r" % a)
        out = g.console("broadcast", "--area", V1, "--priority", "alert", "--dry-run", ta).stdout
        check("dry run" in out, "a dry run is not held: %r" % out)
        d = g.ctl("announcement", a["id"])
        check(d["state"] == "pending" and d["queued"] == 0 and d["requested_by"] == me and d["approve_by"],
              "pending detail: %r" % d)
        # a subscriber joining while it waits is reached: recipients are taken at approval
        g.ctl("subscriber", "add", "081200000002", "--area", V1, fmt="text")
        # normal broadcasts are not held
        tn = "Kerja bakti Minggu pagi."
        n = g.ctl("broadcast", "--area", V1, tn)
        check(n["state"] == "active", "normal not held: %r" % n)
        poll(lambda: tn in sent_to("081200000001") and tn in sent_to("081200000002"), timeout=30,
             what="the normal broadcast")
        check(ta not in sent_to("081200000001"), "the pending alert went out")

        # the one who asked cannot approve it
        r = g.console("announcement", "approve", str(a["id"]))
        check(r.returncode == 1 and "second, different official" in r.stderr, "self-approval: %r" % r.stderr)
        # --wait does not wait for a held alert; cancelling a held alert means it is never sent
        r = g.console("broadcast", "--area", V1, "--priority", "alert", "--wait", "AWAS: uji tunggu.")
        check(r.returncode == 0 and "held for approval" in r.stdout and "done" not in r.stdout, "--wait: %r" % r.stdout)
        wid = int(r.stdout.split("id=")[1].split(" ")[0])
        check(g.ctl("announcement", "cancel", wid)["cancelled"] == 0, "cancel a pending alert")
        check(g.ctl("announcement", wid)["state"] == "cancelled", "cancelled state")
        tsel.ctl("sms", E164(OFFICIAL), "SETUJU %d 432187" % wid)
        check(replies(OFFICIAL, 1)[0].startswith("Persetujuan #%d ditolak: tidak menunggu" % wid),
              "approving a cancelled alert: %r" % sent_to(OFFICIAL))
        # a wrong PIN, and someone who is no official
        tsel.ctl("sms", E164(OFFICIAL), "SETUJU %d 111111" % a["id"])
        check(replies(OFFICIAL, 2)[1].startswith("PIN salah"), "wrong pin: %r" % sent_to(OFFICIAL))
        tsel.ctl("sms", E164(OTHER), "SETUJU %d 432187" % a["id"])
        check(replies(OTHER, 1)[0].startswith("Maaf, SIAR hanya utk petugas"), "not official")
        check(g.ctl("announcement", a["id"])["state"] == "pending", "still pending")

        # a second, different official approves by SMS: it goes out
        tsel.ctl("sms", E164(OFFICIAL), "SETUJU %d 432187" % a["id"])
        r = replies(OFFICIAL, 3)[2]
        check(r == "Siaran #%d disetujui, dikirim ke 2 penerima." % a["id"], "approved: %r" % r)
        poll(lambda: ta in sent_to("081200000001") and ta in sent_to("081200000002"), timeout=30,
             what="the approved alert")
        d = g.ctl("announcement", a["id"])
        check(d["state"] == "active" and d["approved_by"] == E164(OFFICIAL) and d["recipients"] == 2, "after: %r" % d)
        inbox = [x for x in g.ctl("inbox") if x["from"] == E164(OFFICIAL)]
        check(all("432187" not in x["text"] for x in inbox), "PIN masked in the inbox: %r" % inbox)
        audit = g.ctl("audit")
        held = [x for x in audit if x["action"] == "broadcast" and x["detail"].get("id") == a["id"]]
        appr = [x for x in audit if x["action"] == "approve" and x["detail"].get("id") == a["id"]]
        check(held and held[0]["detail"]["requested_by"] == me and appr and appr[0]["actor"] == E164(OFFICIAL),
              "audit shows both: %r %r" % (held, appr))
        # approving twice is refused
        tsel.ctl("sms", E164(OFFICIAL), "SETUJU %d 432187" % a["id"])
        check(replies(OFFICIAL, 4)[3].startswith("Persetujuan #%d ditolak: tidak menunggu" % a["id"]),
              "twice: %r" % sent_to(OFFICIAL))

        # an alert by SMS (DARURAT = SIAR with alert priority) is held too; its sender cannot approve it
        SECOND = "081200000098"
        check(g.console("official", "add", SECOND, input="876543\n").returncode == 0, "official add")
        tsel.ctl("sms", E164(SECOND), "DARURAT 876543 %s AWAS: tanggul retak." % V1)
        r = replies(SECOND, 1)[0]
        sid = int(r.split("#")[1].split(" ")[0])
        check(r == "Siaran #%d (peringatan) menunggu persetujuan petugas kedua: SETUJU %d <PIN>." % (sid, sid),
              "DARURAT held: %r" % r)
        check(g.ctl("announcement", sid)["state"] == "pending", "SMS alert pending")
        tsel.ctl("sms", E164(SECOND), "SETUJU %d 876543" % sid)
        r = replies(SECOND, 2)[1]
        check(r == "Persetujuan #%d ditolak: petugas yg mengirim tidak boleh menyetujui sendiri" % sid,
              "SMS self-approval: %r" % r)
        check(g.ctl("announcement", sid)["state"] == "pending", "still pending after self-approval")
        r = g.ctl("announcement", "approve", sid)
        check(r["approved_by"] == me and r["recipients"] == 2, "a console user approves an SMS alert: %r" % r)
        poll(lambda: "AWAS: tanggul retak." in sent_to("081200000002"), timeout=30, what="the SMS alert")

        # nobody approves: it expires unsent
        g.write_conf(extra="alert_approval = 2\napproval_timeout = 2s\nreply_limit = 10\n")
        g.proc.send_signal(signal.SIGHUP)
        poll(lambda: "configuration reloaded" in g.logtail(200), timeout=30, what="the reload")
        poll(lambda: g.ctl("status")["modems"][0]["state"] == "ready", timeout=30, what="modem ready again")
        te = "AWAS: angin kencang malam ini."
        e = g.ctl("broadcast", "--area", V1, "--priority", "alert", te)
        check(e["state"] == "pending", "held: %r" % e)
        poll(lambda: g.ctl("announcement", e["id"])["state"] == "expired", timeout=30, what="the approval to expire")
        tsel.ctl("sms", E164(OFFICIAL), "SETUJU %d 432187" % e["id"])
        check(replies(OFFICIAL, 5)[4].startswith("Persetujuan #%d ditolak: sudah kedaluwarsa" % e["id"]),
              "expired: %r" % sent_to(OFFICIAL))
        check(te not in sent_to("081200000001"), "an expired alert went out")
        check(any(x["action"] == "approval expired" for x in g.ctl("audit")), "expiry audited")
        tsel.stop()
        check(g.stop() == 0, "clean stop")
    print("ok")


if __name__ == "__main__":
    main()
