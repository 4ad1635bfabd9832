#!/usr/bin/env python3
"""Messages libGammu cannot decode never make a modem deaf (modemsim, libGammu's AT driver).

Each kind of PDU real phones returned to AT+CMGR that libGammu 1.42 refuses (an SMS-DELIVER with
data coding 0x39, a PDU cut to 7 bytes, a status report with a corrupt address, a reserved
message type, an SMS-SUBMIT with a bad length, a WAP push with malformed user data, a DELIVER
whose address length overruns the PDU) sits on the SIM between normal messages, some there
before the daemon starts and some arriving after: every normal SMS is stored and answered, each
undecodable one becomes an inbox row flagged undecodable holding its raw PDU (then the SIM slot
is freed), and status, /metrics and `kentongan inbox` say so. Then: a slot whose raw PDU cannot
be read either stays on the SIM, quarantined and counted, while later SMS still arrive, and is
taken once the modem can read it (retry after KT_QUARANTINE_RETRY_S); stored SUBMITs are counted
as other messages and cleared with clear_other = yes; a modem whose reads keep failing is
degraded in status and /health, and back when reads work again. The same on Gammu's dummy driver:
a message file it cannot read between two good ones is quarantined (it has no raw PDU to give).
"""
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kt  # noqa: E402
from kt import check, poll  # noqa: E402

SMSC = "07916281100000F0"
UD = bytes(range(0x30, 0x30 + 47)).hex().upper()
KINDS = [
    # the example: DCS 0x39, the body after the header of our own making
    ("dcs-0x39", "07916307996905F0040B916307779872F4003901406041433180" + "35" + UD),
    ("cut-short", "91947122982661"),
    ("report-corrupt-address", SMSC + "06" + "01" + "30" + "91" + "6281" + "21110300857300"),
    ("reserved-type", SMSC + "03" + "0B916281234567F8" + "0000" + "62110300857300" + "05" + "C8329BFD06"),
    ("submit-bad-length", SMSC + "11" + "00" + "0B916281234567F8" + "0000" + "AA" + "A0" + "C8329BFD06"),
    ("wap-push-malformed", SMSC + "44" + "0B916281234567F8" + "0004" + "62110300857300" + "0C" + "0B0504"
     + "0B8423F0" + "000301" + "FF"),
    ("address-overrun", SMSC + "04" + "14" + "91" + "6281"),
]
# a valid SMS-SUBMIT as a phone stores a sent copy (stat 3): not a received message
SUBMIT = SMSC + "11" + "00" + "0B916281234567F8" + "0000" + "AA" + "05" + "C8329BFD06"
RETRY_S = 4
figures = []


def dummy():
    """Gammu's dummy driver: an unreadable message file between two good ones."""
    gw = kt.Gateway(name="kt-undecodable-dummy")
    ph = kt.DummyPhone(gw.dir)
    gw.write_conf(modems=ph.section("d1"))
    try:
        ph.inject("+6281390000001", "BANTUAN", location=1)
        with open(os.path.join(ph.dir, "sms", "1", "2"), "wb") as f:
            f.write(b"garbage\x01\x02[[[\n")
        ph.inject("+6281390000003", "BANTUAN", location=3)
        gw.start(env={"KT_QUARANTINE_RETRY_S": str(RETRY_S)})

        def d1():
            return [m for m in gw.ctl("status")["modems"] if m["name"] == "d1"][0]

        poll(lambda: len(gw.ctl("inbox")) == 2, 30, "both good messages around the unreadable file stored")
        poll(lambda: d1()["quarantined"] == 1, 30, "the unreadable file quarantined")
        st = d1()
        check("cannot decode" in (st["last_error"] or "") and st["undecodable"] == 0 and not st["degraded"],
              "dummy: status says so: %r" % st)
        check(ph.pending() == ["2"], "dummy: only the unreadable file stays: %r" % ph.pending())
        ph.inject("+6281390000004", "BANTUAN", location=4)
        poll(lambda: len(gw.ctl("inbox")) == 3, 30, "a later message stored with the file quarantined")
        os.unlink(os.path.join(ph.dir, "sms", "1", "2"))
        poll(lambda: d1()["quarantined"] == 0, RETRY_S + 30, "the quarantine ends once the file is gone")
        gw.stop()
    finally:
        gw.cleanup()
    figures.append("dummy driver: unreadable file quarantined, messages around and after it stored")


def main():
    dummy()
    gw = kt.Gateway(name="kt-undecodable")
    port = gw.listen("sekret")
    # KT_UNDECODABLE_TTY=1: libGammu on the pty itself (connection = at) instead of through socat
    sim = kt.ModemSim(gw.dir, "m1", fast=not os.environ.get("KT_UNDECODABLE_TTY"))
    gw.write_conf(modems=sim.section(extra="command_timeout = 10\nclear_other = no\n"))

    def http(path):
        r = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                   headers={"Authorization": "Bearer sekret"})
        try:
            with urllib.request.urlopen(r, timeout=10) as f:
                return f.status, f.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def m1():
        return [m for m in gw.ctl("status")["modems"] if m["name"] == "m1"][0]

    def inbox(*extra):
        return gw.ctl("inbox", *extra)

    def normal_rows():
        # the normal SMS of this test (libGammu now and then takes a PDU it refuses at other
        # times for a message, with a text of its own making: that row is not one of these)
        return [r for r in inbox() if "undecodable" not in (r.get("flags") or "") and r["from"] in goods]

    def undecodable_rows():
        return [r for r in inbox("--raw") if "undecodable" in (r.get("flags") or "")]

    def answered(num):
        return any(p.get("to") == num for p in sim.sent())

    def sim_stored():
        return int(sim.ctl("list").strip().splitlines()[-1].split()[1])

    goods = []
    t_in = {}

    def good(store_only=False):
        num = "+628139%07d" % len(goods)
        sim.ctl("sms", *(["--store-only"] if store_only else []), num, "BANTUAN")
        goods.append(num)
        t_in[num] = time.monotonic()
        return num

    try:
        # -- before the daemon starts: good, dcs 0x39, good, cut short, good (listed at the first pass)
        good(True)
        for name, hexpdu in KINDS[:2]:
            sim.ctl("pdu", "--store-only", hexpdu)
            good(True)
        gw.start(env={"KT_QUARANTINE_RETRY_S": str(RETRY_S)})
        poll(lambda: m1()["state"] == "ready", 30, "m1 ready")
        # -- while it runs: the other kinds, each announced by +CMTI, each followed by a good one
        for name, hexpdu in KINDS[2:]:
            sim.ctl("pdu", hexpdu)
            good()
        poll(lambda: len(normal_rows()) == len(goods), 60,
             "every normal SMS stored (%d of %d)" % (len(normal_rows()), len(goods)))
        poll(lambda: all(answered(n) for n in goods), 60, "every normal SMS answered")
        worst = max(time.monotonic() - t_in[n] for n in goods[3:])
        poll(lambda: sim_stored() == 0, 30, "the SIM emptied: every slot committed, then deleted")

        def taken_as_message():
            # libGammu now and then takes the data-coding-0x39 PDU for a message (the same bytes
            # it refuses at other times): then it is an ordinary row from its sender
            return [r for r in inbox() if "undecodable" not in (r.get("flags") or "") and r["from"] not in goods]

        def reports_taken():
            # libGammu now and then decodes the status report with the corrupt address after all:
            # it is then a delivery report (for no message of ours), never an inbox row
            code, met = http("/metrics")
            return int(re.search(r"^kentongan_ingest_reports_total (\d+)$", met, re.M).group(1))

        raw = sorted(r["text"] for r in undecodable_rows())
        want = sorted(h.upper() for _, h in KINDS)
        other = taken_as_message()
        report = dict(KINDS)["report-corrupt-address"].upper()
        reports = reports_taken()
        check(set(raw) <= set(want) and len(raw) == len(set(raw)), "the raw PDUs in the inbox are ones delivered, "
              "each once: %r" % raw)
        check(reports in (0, 1) and (reports == 0 or report not in raw),
              "the corrupt status report was kept raw or taken as a report, never both (%d reports)" % reports)
        check(len(raw) + len(other) + reports == len(KINDS) and all(r["from"] == "+36707789274" for r in other),
              "each undecodable PDU kept raw in the inbox (%d), taken as a message (%r) or as a delivery "
              "report (%d)" % (len(raw), other, reports))
        if other:
            print("note: libGammu decoded the 0x39 PDU this time: %r" % other)
        if reports:
            print("note: libGammu decoded the corrupt status report this time")
        check(all(r["action"] == "undecodable" and r["coding"] == "pdu" for r in undecodable_rows()),
              "undecodable rows are never routed: %r" % undecodable_rows())
        st = m1()
        check(st["undecodable"] == len(raw), "status counts %d undecodable: %r" % (len(raw), st))
        check(st["quarantined"] == 0 and not st["degraded"] and st["state"] in ("ready", "sending"),
              "nothing quarantined, not degraded: %r" % st)
        check("cannot decode" in (st["last_error"] or "") and (st["last_error"] or "").startswith("slot "),
              "last_error names the slot: %r" % st["last_error"])
        check(sum(1 for o in gw.ctl("outbox") if o["to"] in goods) == len(goods), "one reply per normal SMS")
        code, met = http("/metrics")
        check(code == 200 and 'kentongan_modem_undecodable_total{modem="m1"} %d' % len(raw) in met,
              "/metrics counts the undecodable messages")
        # the console: plain list says what the row is; --raw and inbox ID show the hex
        r = gw.console("inbox")
        check(r.returncode == 0 and r.stdout.count("[undecodable: ") == len(raw),
              "kentongan inbox shows undecodable rows plainly:\n" + r.stdout)
        one = undecodable_rows()[0]
        r = gw.console("inbox", str(one["id"]))
        check(r.returncode == 0 and one["text"] in r.stdout, "kentongan inbox ID shows the hex:\n" + r.stdout)
        check(gw.console("inbox", "999999").returncode == 1, "kentongan inbox of a missing id fails")
        figures.append("%d undecodable kinds among %d normal SMS: all answered (worst %.1fs after arrival), "
                       "%d kept raw, SIM empty" % (len(KINDS), len(goods), worst, len(raw)))

        # -- a slot the modem cannot read raw either: quarantined, counted, retried, reception goes on
        # (another cut PDU: the same bytes again would be the same message, a duplicate)
        sim.ctl("pdu", "--unreadable", "91947122982662")
        g = good()
        poll(lambda: answered(g), 30, "an SMS after the unreadable slot answered")
        poll(lambda: m1()["quarantined"] == 1, 30, "the unreadable slot quarantined")
        st = m1()
        check("left on the SIM" in (st["last_error"] or ""), "last_error says it stays: %r" % st["last_error"])
        check(sim_stored() == 1, "the unreadable slot stays on the SIM (never deleted unread)")
        code, met = http("/metrics")
        check('kentongan_modem_quarantined{modem="m1"} 1' in met, "/metrics counts the quarantined slot")
        r = gw.console("status")
        check("(+1 unreadable)" in r.stdout, "the status table counts it:\n" + r.stdout)
        check(st["state"] in ("ready", "sending") and not st["degraded"], "one unreadable slot does not degrade: %r" % st)
        g2 = good()
        poll(lambda: answered(g2), 30, "reception goes on with a slot quarantined")
        slot = [ln.split()[0] for ln in sim.ctl("list").splitlines() if "undecodable" in ln][0]
        t = time.monotonic()
        sim.ctl("unreadable", slot, "off")
        poll(lambda: m1()["quarantined"] == 0 and sim_stored() == 0, RETRY_S + 30,
             "the quarantined slot read again after its retry and taken")
        figures.append("quarantined slot taken %.1fs after it became readable (retry %ds)"
                       % (time.monotonic() - t, RETRY_S))
        check(len(undecodable_rows()) == len(raw) + 1, "its raw PDU is in the inbox now")

        # -- other messages on the SIM: counted, then cleared with clear_other = yes
        sim.ctl("pdu", "--stat", "3", SUBMIT)
        sim.ctl("pdu", "--stat", "2", SUBMIT)
        g3 = good()
        poll(lambda: answered(g3), 30, "an SMS next to stored SUBMITs answered")
        poll(lambda: m1()["other_on_sim"] == 2, 30, "status counts the 2 stored SUBMITs")
        r = gw.console("status")
        check("2 other message(s) occupy the SIM" in r.stdout, "status says so:\n" + r.stdout)
        check(sim_stored() == 2, "other messages are left alone by default")
        gw.stop()
        gw.write_conf(modems=sim.section(extra="command_timeout = 10\nclear_other = yes\n"))
        gw.start(env={"KT_QUARANTINE_RETRY_S": str(RETRY_S)})
        poll(lambda: sim_stored() == 0, 30, "clear_other = yes deletes them")
        poll(lambda: m1()["other_cleared"] == 2 and m1()["other_on_sim"] == 0, 30, "status counts them cleared")

        # -- the listing fails (AT+CMGL), slot-by-slot reads work: undecodable ones still skipped
        sim.ctl("fault", "list-error", "on")
        g5 = good()
        sim.ctl("pdu", KINDS[0][1][:-2] + "00")
        g6 = good()
        poll(lambda: answered(g5) and answered(g6), 60, "SMS around an undecodable one answered while the "
             "listing fails")
        poll(lambda: sim_stored() == 0, 30, "the undecodable one kept raw and deleted while the listing fails")
        check(len(undecodable_rows()) == len(raw) + 2 or len(taken_as_message()) > len(other),
              "its raw PDU is in the inbox")
        check(not m1()["degraded"], "a failing listing alone does not degrade: %r" % m1())
        with open(os.path.join(gw.dir, "m1-at.log"), errors="replace") as f:
            reads = f.read().count("< AT+CMGR=")
        # without a listing libGammu looks for the next message up to location 99999
        check(reads < 1000, "no scan of 100,000 locations while the listing fails (%d AT+CMGR)" % reads)
        sim.ctl("fault", "list-error", "off")

        # -- reads that keep failing: degraded in status and /health, back when they work
        sim.ctl("fault", "read-error", "on")
        g4 = good()
        poll(lambda: m1()["degraded"], 60, "m1 degraded while its reads fail")
        st = m1()
        check(st["state"] == "degraded" and "cannot read messages" in (st["last_error"] or ""),
              "status shows degraded and why: %r" % st)
        code, body = http("/health")
        check(code == 503 and "degraded" in body and "m1" in body, "/health reports it: %d %r" % (code, body))
        r = gw.console("status")
        check("degraded" in r.stdout, "the status table says degraded:\n" + r.stdout)
        sim.ctl("fault", "read-error", "off")
        poll(lambda: answered(g4), 60, "the SMS that came meanwhile answered once reads work")
        poll(lambda: not m1()["degraded"] and m1()["state"] in ("ready", "sending"), 30, "m1 ready again")
        code, body = http("/health")
        check(code == 200 and body.strip() == "ok", "/health ok again: %d %r" % (code, body))
        code, met = http("/metrics")
        check('kentongan_modem_degraded{modem="m1"} 0' in met, "/metrics: not degraded")
        gw.stop()
    finally:
        gw.cleanup()
        sim.stop()
    for f in figures:
        print(f)
    print("ok")


if __name__ == "__main__":
    main()
