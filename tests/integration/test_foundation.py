#!/usr/bin/env python3
"""Foundation end to end: programs' --help/--version, config check, areas and subscribers imports
(offline), the daemon's console commands with --json/--csv field by field, exit statuses, the
database lock, malformed control requests, SIGHUP reload and SIGTERM."""
import csv
import io
import os
import signal
import time

from kt import (KENTONGAN, KENTONGAND, WILAYAH, Gateway, check, ctl_payload, poll, raw_request,
                run)


def test_programs():
    for prog in (KENTONGAND, KENTONGAN):
        r = run([prog, "--version"])
        check(r.returncode == 0 and "0." in r.stdout, "%s --version: %r" % (prog, r.stdout))
        r = run([prog, "--help"])
        check(r.returncode == 0 and "usage:" in r.stdout, "%s --help" % prog)
    r = run([KENTONGAND, "--bogus"])
    check(r.returncode == 1 and "usage" in r.stderr, "unknown option is a usage error")
    r = run([KENTONGAN, "help", "broadcast"])
    check(r.returncode == 0 and "--priority" in r.stdout, "help broadcast")
    r = run([KENTONGAND, "--config-help"])
    check("daily_limit" in r.stdout and "balance_ussd" in r.stdout, "--config-help lists keys")


def test_config_check(g):
    r = run([KENTONGAND, "-n", "-c", g.conf])
    check(r.returncode == 0 and "valid" in r.stdout, "-n on a good config: %r %r" % (r.stdout, r.stderr))
    r = run([KENTONGAND, "-n", "-v", "-c", g.conf])
    check("reply_limit" in r.stdout and "[gateway]" in r.stdout, "-n -v prints the effective config")
    bad = os.path.join(g.dir, "bad.conf")
    with open(bad, "w") as f:
        f.write("[gateway]\ndatabase = x.db\n\nfrobnicate = yes\n")
    r = run([KENTONGAND, "-n", "-c", bad])
    check(r.returncode == 1 and "bad.conf:4: unknown key 'frobnicate'" in r.stderr,
          "bad config names file and line: %r" % r.stderr)
    r = run([KENTONGAN, "-c", bad, "status"])
    check(r.returncode == 1 and "bad.conf:4" in r.stderr, "console reports config errors too")


def test_offline(g):
    # the daemon is not running: exit 2 with a clear message
    r = g.console("status")
    check(r.returncode == 2 and "not reachable" in r.stderr, "status without daemon: %d %r" % (r.returncode, r.stderr))
    t0 = time.monotonic()
    r = g.console("areas", "import", WILAYAH, "--json")
    took = time.monotonic() - t0
    check(r.returncode == 0, "areas import: %r" % r.stderr)
    import json
    res = json.loads(r.stdout)
    check(res["imported"] > 91000 and res["rejected"] == 0, "areas imported: %r" % res)
    print("areas import: %d rows in %.2f s" % (res["imported"], took))
    # idempotent
    res2 = json.loads(g.console("areas", "import", WILAYAH, "--json").stdout)
    check(res2["imported"] == res["imported"], "second import same rows")
    # no DIR: the tree's data/wilayah, found beside the build folder the console runs from
    r = g.console("areas", "import", "--json")
    check(r.returncode == 0 and json.loads(r.stdout)["imported"] == res["imported"],
          "areas import with no DIR uses the tree's copy: %d %r %r" % (r.returncode, r.stdout, r.stderr))
    r = g.console("areas", "import", "/nonexistent")
    check(r.returncode == 1 and "/nonexistent/provinces.csv" in r.stderr, "import of a missing dir: %r" % r.stderr)
    r = g.console("check")
    check(r.returncode == 0 and "ok" in r.stdout, "check offline: %r" % r.stdout)

    # subscribers import: good lines kept, bad ones reported by line number; idempotent
    path = os.path.join(g.dir, "members.csv")
    with open(path, "w") as f:
        f.write("number,area,name\n")                       # header, skipped
        f.write("081234500001,1671011001,Pak Budi\n")
        f.write("+62 812-3450-0002,1671011002\n")
        f.write("6281234500003,167101,\"Bu Siti, KIM Maju\"\n")
        f.write("hello,1671011001\n")                       # line 5: bad number
        f.write("081234500004,9999\n")                      # line 6: unknown area
        f.write("081234500005\n")                           # line 7: missing area
        f.write("\n")
        f.write("081234500001,1671011001,Pak Budi\n")       # duplicate: fine
    r = g.console("subscribers", "import", path, "--json")
    check(r.returncode == 0, "subscribers import: %r" % r.stderr)
    res = json.loads(r.stdout)
    check(res["imported"] == 4 and res["rejected"] == 3, "import counts: %r" % res)
    for needle in ("members.csv:5:", "members.csv:6: rejected: unknown area code '9999'", "members.csv:7:"):
        check(needle in r.stderr, "rejection reported: %s in %r" % (needle, r.stderr))
    res = json.loads(g.console("subscribers", "import", path, "--json").stdout)
    check(res["imported"] == 4, "idempotent")


def test_daemon(g):
    g.start()
    # a second daemon on the same database is refused
    r = run([KENTONGAND, "-d", "-c", g.conf], timeout=10)
    check(r.returncode == 1 and "another kentongand" in r.stderr, "second daemon refused: %r" % r.stderr)
    check(g.proc.poll() is None, "first daemon still running")

    st = g.ctl("status")
    for k in ("modems", "queue"):
        check(k in st, "status has %s" % k)
    for k in ("queued", "sending", "sent", "delivered", "failed"):
        check(k in st["queue"], "status.queue has %s" % k)
    check(st["subscribers"] == 3, "3 subscribers after import: %r" % st)

    subs = g.ctl("subscribers")
    check(len(subs) == 3, "3 subscribers")
    for s in subs:
        check(set(("number", "areas", "status", "since")) <= set(s), "subscriber fields: %r" % s)
        check(isinstance(s["areas"], list), "areas is an array")
    by = {s["number"]: s for s in subs}
    check(by["+6281234500001"]["areas"] == ["1671011001"], "normalised number and area: %r" % by)
    check(by["+6281234500003"]["name"] == "Bu Siti, KIM Maju", "quoted CSV name")

    # subscriber add/remove by hand
    check(g.console("subscriber", "add", "0813-1111-2222", "--area", "1671011001").returncode == 0, "add")
    r = g.console("subscriber", "add", "0813", "--area", "1671011001")
    check(r.returncode == 1 and "not a phone number" in r.stderr, "bad number: %r" % r.stderr)
    r = g.console("subscriber", "add", "081311112222", "--area", "123")
    check(r.returncode == 1 and "unknown area code '123'" in r.stderr, "bad area: %r" % r.stderr)
    r = g.console("subscriber", "add", "081311112222")
    check(r.returncode == 1 and "usage:" in r.stderr, "missing --area: %r" % r.stderr)
    check(len(g.ctl("subscribers", "--area", "1671011001")) == 2, "area filter")
    check(len(g.ctl("subscribers", "--area", "1671")) == 4, "an area includes the areas inside it")
    check(g.console("subscriber", "remove", "+6281311112222", "--all").returncode == 0, "remove")
    s = [x for x in g.ctl("subscribers") if x["number"] == "+6281311112222"][0]
    check(s["status"] == "stopped" and s["areas"] == [], "stopped: %r" % s)

    # areas listing
    prov = g.ctl("areas")
    check(len(prov) == 34 and prov[0]["level"] == "province", "provinces: %d" % len(prov))
    kids = g.ctl("areas", "--parent", "1671")
    check(len(kids) > 10 and all(k["parent"] == "1671" and k["level"] == "district" for k in kids), "districts of 1671")
    check(set(kids[0]) >= {"code", "name", "level", "parent"}, "area fields")
    out = g.ctl("areas", "--parent", "167101", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    check(rows and rows[0]["level"] == "village", "csv areas: %r" % out[:200])
    text = g.ctl("areas", fmt="text")
    check("SUMATERA SELATAN" in text and "code" in text.splitlines()[0], "text table")

    # inbox/outbox: empty arrays, with filters validated
    check(g.ctl("inbox") == [], "empty inbox")
    check(g.ctl("outbox", "--status", "failed") == [], "empty outbox")
    r = g.console("outbox", "--status", "lost")
    check(r.returncode == 1 and "expected queued" in r.stderr, "bad status value")
    r = g.console("inbox", "--since", "yesterday-ish")
    check(r.returncode == 1 and "--since" in r.stderr, "bad time")
    r = g.console("frobnicate")
    check(r.returncode == 1 and "unknown command" in r.stderr, "unknown command")
    check(g.ctl("check", fmt="text").strip() == "ok", "check while the daemon runs")
    audit = g.ctl("audit")
    check(any(a["action"] == "subscribe" for a in audit) and any(a["action"] == "unsubscribe" for a in audit),
          "audit log records changes")


def test_bad_requests(g):
    import socket
    import struct
    # garbage, wrong version, oversized, truncated, malformed payload: all answered or dropped
    raw_request(g.sock, b"\xff" * 40, version=0xffff)
    raw_request(g.sock, b"", length=1 << 30)
    raw_request(g.sock, b"\x01\x02", length=2)                # payload too short for its fields
    raw_request(g.sock, ctl_payload("xml", ["status"]))       # unknown format
    raw_request(g.sock, ctl_payload("json", ["status"]), type_=99)
    data = raw_request(g.sock, ctl_payload("json", ["status"] * 300))  # too many args
    check(len(data) > 0, "an error reply for too many args")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(g.sock)
    s.sendall(struct.pack("=HHIQ", 1, 1, 100, 1) + b"abc")  # half a frame, then hang up
    s.close()
    check(g.proc.poll() is None, "daemon alive after bad requests")
    check(g.ctl_rc("status") == 0, "daemon still answers")


def test_reload_and_stop(g):
    # SIGHUP with a broken config keeps the running one
    with open(g.conf, "a") as f:
        f.write("nonsense = 1\n")
    g.proc.send_signal(signal.SIGHUP)
    poll(lambda: "reload refused" in g.logtail(), what="reload refusal in the log")
    check(g.proc.poll() is None, "still running after a refused reload")
    g.write_conf()
    check(g.ctl_rc("status") == 0, "still answering")
    # SIGHUP with a new modem section: it appears in status
    phone = os.path.join(g.dir, "phone")
    g.write_conf(modems="\n[modem dummy1]\nconnection = none\nmodel = dummy\ndevice = %s\n" % phone)
    g.proc.send_signal(signal.SIGHUP)
    poll(lambda: [m["name"] for m in g.ctl("status")["modems"]] == ["dummy1"], what="the new modem in status")
    rc = g.stop(signal.SIGTERM)
    check(rc == 0, "SIGTERM exit status %r" % rc)
    check(not os.path.exists(g.sock), "socket removed on stop")
    check("daemon: stopped" in g.logtail(), "clean stop logged")


def main():
    test_programs()
    with Gateway(name="kt-foundation") as g:
        test_config_check(g)
        test_offline(g)
        test_daemon(g)
        test_bad_requests(g)
        test_reload_and_stop(g)
    print("ok")


if __name__ == "__main__":
    main()
