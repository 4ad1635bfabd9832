#!/usr/bin/env python3
"""Security review finding 10 (the LOW list) against the real daemon: a U+0000 and a lone surrogate
in a UCS-2 SMS are stored (escaped, valid UTF-8), not cut; no reply to senders too short or too
long to be phone numbers; the control socket does not buffer what a client sends while its command
is pending; a USSD sessionId with a newline cannot forge a log line; Content-Type is matched
exactly; requests without a valid token are logged at info, once a minute; a weak token off the
loopback is refused by -n. (Number masking, sender ids in logs and /dev/stdin imports: test_log,
test_sec_escapes, test_sec_import.)"""
import os
import select
import socket
import struct
import time
import urllib.parse
import http.client

from kt import KENTONGAND, Gateway, ModemSim, check, ctl_payload, poll, run
from kt import proc_kb as rss_kb

TOKEN = "low-test-token-0123456789"


def sim_log(sim):
    with open(os.path.join(sim.root, sim.name + "-at.log"), errors="replace") as f:
        return f.read()


def deliver_pdu(text_units):
    """An SMS-DELIVER from +6281234567890 in UCS-2 with these UTF-16 code units, as hex."""
    ud = b"".join(struct.pack(">H", u) for u in text_units)
    oa = "0D91" + "261832547698F0"
    return ("00" + "04" + oa + "00" + "08" + "62117221000022" + "%02X" % len(ud) + ud.hex()).upper()


def modem_part():
    with Gateway(name="sec-low", areas="16") as gw:
        sim = ModemSim(gw.dir, "m1")
        try:
            gw.write_conf(modems=sim.section())
            gw.import_areas()
            gw.start()
            poll(lambda: gw.ctl("status")["modems"][0]["state"] == "ready", 30, "the modem ready")

            # a NUL and a lone surrogate inside a UCS-2 SMS
            units = [ord(c) for c in "LAPOR a"] + [0] + [ord("b"), 0xD800, ord("c")]
            sim.ctl("pdu", deliver_pdu(units))
            row = poll(lambda: [m for m in gw.ctl("inbox") if m["text"].startswith("LAPOR a")], 30,
                       "the SMS with a NUL stored")[0]
            check(row["text"] == "LAPOR a\u2400b\ufffdc", "stored whole and valid: %r" % row["text"])

            # senders that are no phone numbers get no reply
            for sender in ("+1234567", "+1234567890123456"):
                sim.ctl("sms", sender, "DAFTAR 1671081001")
            poll(lambda: len([m for m in gw.ctl("inbox") if m.get("action") and m["from"] in
                              ("+1234567", "+1234567890123456")]) == 2, 30, "both routed")
            for m in gw.ctl("inbox"):
                if m["from"] in ("+1234567", "+1234567890123456"):
                    check("cannot receive" in m["action"], "no reply to %s: %r" % (m["from"], m["action"]))
            check(not [o for o in gw.ctl("outbox") if o["to"] in ("+1234567", "+1234567890123456")],
                  "nothing queued to them")

            # the control socket while a command is pending: input is not buffered without bound
            sim.ctl("ussd-reply", "--no-reply", "*555#")
            cusd = sim_log(sim).count("< AT+CUSD=1,")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(gw.sock)
            payload = ctl_payload("json", ["ussd", "m1", "*555#"])
            s.sendall(struct.pack("=HHIQ", 1, 1, len(payload), 7) + payload)
            # the request reached the modem before the junk comes
            poll(lambda: sim_log(sim).count("< AT+CUSD=1,") > cusd, 10, "the USSD request at the modem")
            before = rss_kb(gw.proc.pid)
            s.setblocking(False)
            junk = b"\x01\x00\x01\x00" * 16384
            sent, deadline = 0, time.monotonic() + 5
            while sent < 60 << 20 and time.monotonic() < deadline:
                try:
                    sent += s.send(junk)
                except BlockingIOError:
                    select.select([], [s], [], 0.1)     # until the daemon reads some
            grown = rss_kb(gw.proc.pid) - before
            print("ok: sent %d KB while the command was pending; daemon RSS grew %d KB" % (sent >> 10, grown))
            check(sent < 8 << 20, "the daemon took %d KB of input while a command was pending" % (sent >> 10))
            check(grown < 8 << 10, "RSS grew %d KB" % grown)
            check(gw.ctl("status") is not None, "other consoles still answered")
            s.close()
        finally:
            sim.stop()


def http_part():
    with Gateway(name="sec-low-http") as gw:
        port = gw.listen(TOKEN)
        gw.start()

        def post(body, ctype="application/x-www-form-urlencoded", token=TOKEN):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            h = {"Content-Type": ctype}
            if token:
                h["Authorization"] = "Bearer " + token
            c.request("POST", "/ussd", body=body, headers=h)
            r = c.getresponse()
            r.read()
            c.close()
            return r.status

        form = urllib.parse.urlencode({"sessionId": "abc\n00:00:00.000 error: forged", "serviceCode": "*123#",
                                       "phoneNumber": "081234567890", "text": ""})
        check(post(form) == 200, "a sessionId with a newline is answered")
        check(post(form, "application/x-www-form-urlencodedX") == 415, "Content-Type matched exactly")
        check(post(form, "text/plain; application/x-www-form-urlencoded") == 415, "not a prefix search")
        check(post(form, "Application/X-WWW-Form-Urlencoded ; charset=UTF-8") == 200, "parameters allowed")
        for i in range(30):
            check(post(form, token="wrong-token-%d" % i) == 401, "a wrong token is refused")
        gw.stop()
        with open(gw.log) as f:
            log = f.read()
        check(not any(line.startswith("00:00:00.000 error: forged") for line in log.splitlines()),
              "a log line was forged:\n%s" % log)
        check(log.count("without a valid token") == 1, "token failures logged once a minute:\n%s" % gw.logtail())

    # a weak token off the loopback: refused by -n (nothing is bound)
    with Gateway(name="sec-low-tok") as gw:
        for tok, ok in (("change-me", False), ("short-token", False), ("", False),
                        ("0123456789abcdef0123", True)):
            gw.http = "listen = 0.0.0.0:%d\n%s" % (port, "token = %s\n" % tok if tok else "")
            gw.write_conf()
            r = run([KENTONGAND, "-n", "-c", gw.conf])
            check((r.returncode == 0) == ok, "token %r off the loopback: exit %d %s" % (tok, r.returncode, r.stderr))
            if not ok:
                check("at least 16" in r.stderr, "says why: %r" % r.stderr)
    print("ok")


modem_part()
http_part()
