#!/usr/bin/env python3
"""Online backup: `kentongan backup FILE` in the middle of a broadcast, taken a few pages per step so it
spans many turns of the loop (2 pages a step) while SMS keep arriving and going out; `kentongan check FILE`; then the
copy is restored into a fresh daemon on fresh simulated modems. What the restored daemon sends is
exactly what the copy had not yet sent: every recipient 'queued' in the copy once, none 'sent' in the
copy, and only the 'sending' (in-flight) ones may repeat. Then scheduled backups: a missing
backup_dir is reported in status (and never created), a present one gets dated copies, pruned to
backup_keep."""
import glob
import os
import shutil
import sqlite3
import subprocess
import time

from kt import Gateway, ModemSim, check, poll, run, KENTONGAN

N = 150
TEXT = "Latihan siaga banjir: titik kumpul di balai desa."


def make_subscribers(g):
    res = g.import_subscribers(("0812%08d" % (50000000 + i), "1671011001") for i in range(N))
    check(res["imported"] == N, "import: %r" % res)


def sent_to(sims, text=TEXT):
    return [p["to"] for s in sims for p in s.sent() if p["text"] == text]


def online_backup_and_restore():
    with Gateway(name="kt-backup", areas="16") as g:
        sims = [ModemSim(g.dir, "b%d" % i) for i in range(2)]
        g.write_conf(modems="".join(s.section(rate="20/s") for s in sims))
        g.import_areas()
        make_subscribers(g)
        g.start(env={"KT_BACKUP_PAGES": "2"})
        g.wait_ready(what="modems ready")
        a = g.ctl("broadcast", "--area", "1671", TEXT)
        check(a["recipients"] == N, "recipients: %r" % a)
        poll(lambda: len(sent_to(sims)) >= N // 5, timeout=60, what="a fifth sent")
        copy = os.path.join(g.dir, "copy.db")
        started = time.monotonic()
        sent_before = len(sent_to(sims))
        proc = subprocess.Popen([KENTONGAN, "-c", g.conf, "backup", "copy.db"], cwd=g.dir, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # relative to the console's cwd
        try:
            # while the copy runs, the daemon keeps receiving and sending
            poll(lambda: g.ctl("status")["backup"]["running"], timeout=10, what="the backup to be running")
            sims[0].ctl("sms", "+6281299990001", "LAPOR jalan desa rusak")
            poll(lambda: any(m["text"] == "LAPOR jalan desa rusak" for m in g.ctl("inbox")), timeout=20,
                 what="an SMS received while backing up")
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
        took = time.monotonic() - started
        r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        check(r.returncode == 0, "backup: %r %r\n%s" % (r.stdout, r.stderr, g.logtail()))
        # between the backup's first and last step the daemon received and sent
        log = open(g.log).read()
        span = log.split("backup: started file=%s" % copy)[1].split("backup: written file=%s" % copy)[0]
        check("in id=" in span and "out id=" in span, "received and sent while the backup ran:\n%s" % span[-2000:])
        check("backup written: %s" % copy in r.stdout, "backup output: %r" % r.stdout)
        check(not os.path.exists(copy + ".tmp"), "no temporary file left")
        log = open(g.log).read()
        check("backup: written file=%s" % copy in log, "the log names the backup")
        pages = int(log.split("backup: written file=%s" % copy)[1].split("pages=")[1].split()[0])
        check(pages > 2 * 100, "the copy took many steps (%d pages, 2 per step)" % pages)
        chk = g.ctl("check", copy)
        check(chk["ok"] and chk["outbox"] >= N and chk["announcements"] == 1, "check: %r" % chk)
        r = g.console("check", copy)
        check(r.returncode == 0 and r.stdout.startswith("ok: "), "check text: %r" % r.stdout)
        st = g.ctl("status")["backup"]
        check(st["last_file"] == copy and st["error"] is None and st["last_bytes"] > 0, "status: %r" % st)
        g.kill9()   # the box dies; only the copy survives
        for s in sims:
            s.stop()
        db = sqlite3.connect(copy)
        rows = db.execute("SELECT number, status FROM outbox WHERE announcement_id = ?", (a["id"],)).fetchall()
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        db.close()
        check(journal == "delete", "the copy is one self-contained file (journal_mode %s)" % journal)
        by = {}
        for num, status in rows:
            by.setdefault(status, set()).add(num)
        check(len(rows) == N, "the copy holds every recipient of the announcement: %d" % len(rows))
        done = by.get("sent", set()) | by.get("delivered", set())
        queued, inflight = by.get("queued", set()), by.get("sending", set())
        check(done and queued, "the copy was taken mid-broadcast: %r" % {k: len(v) for k, v in by.items()})
        print("backup of %d pages in %.1f s while %d -> %d sent; copy: %d done, %d queued, %d in flight" % (
            pages, took, sent_before, len(sent_to(sims)), len(done), len(queued), len(inflight)))

        # restore: stop (done above), copy over the database, start
        with Gateway(name="kt-restore", areas="16") as g2:
            sims2 = [ModemSim(g2.dir, "r%d" % i) for i in range(2)]
            g2.write_conf(modems="".join(s.section(rate="50/s") for s in sims2))
            os.makedirs(os.path.dirname(g2.db), exist_ok=True)
            shutil.copy(copy, g2.db)
            g2.start()
            poll(lambda: len(set(sent_to(sims2))) >= len(queued), timeout=120, what="the rest sent after restore")
            poll(lambda: g2.ctl("announcement", a["id"])["sent"] + g2.ctl("announcement", a["id"])["delivered"]
                 == N, timeout=60, what="the restored store to count every recipient sent")
            again = sent_to(sims2)
            check(len(again) == len(set(again)), "nothing sent twice by the restored daemon")
            again = set(again)
            check(queued <= again, "%d queued recipients lost" % len(queued - again))
            check(not (again & done), "%d recipients sent again although the copy had them sent" %
                  len(again & done))
            check(again <= queued | inflight, "sent only queued or in-flight rows")
            check(done | again == {r[0] for r in rows}, "every recipient served once overall")
            print("restored: %d sent, %d of them in flight at the backup" % (len(again), len(again & inflight)))
            for s in sims2:
                s.stop()
            rc = g2.stop()
            check(rc == 0, "clean stop: %r\n%s" % (rc, g2.logtail(5)))


def scheduled():
    with Gateway(name="kt-backup-sched") as g:
        usb = os.path.join(g.dir, "usb")
        g.write_conf(extra="backup_dir = %s\nbackup_interval = 10\nbackup_keep = 2\n" % usb)
        g.start()
        st = poll(lambda: (lambda b: b if b["error"] else None)(g.ctl("status")["backup"]), timeout=20,
                  what="a missing backup_dir reported")
        check("is the USB stick mounted" in st["error"], "status error: %r" % st)
        check("FAILING" in g.console("status").stdout, "text status shows the failure")
        check(not os.path.exists(usb), "backup_dir is never created")
        os.mkdir(usb)
        old = []
        for stamp in ("20200101-000000", "20200102-000000", "20200103-000000"):
            p = os.path.join(usb, "kentongan-%s.db" % stamp)
            open(p, "w").close()
            os.utime(p, (time.time() - 86400 * 30,) * 2)
            old.append(p)
        open(os.path.join(usb, "notes.txt"), "w").close()
        made = poll(lambda: [p for p in glob.glob(os.path.join(usb, "kentongan-*.db")) if p not in old],
                    timeout=30, what="a scheduled backup")
        poll(lambda: sorted(os.listdir(usb)) == sorted([os.path.basename(made[0]), "kentongan-20200103-000000.db",
             "notes.txt"]), timeout=10, what="older backups pruned to backup_keep=2")
        st = g.ctl("status")["backup"]
        check(st["error"] is None and st["last_file"] == made[0] and st["next"], "status after: %r" % st)
        r = run([KENTONGAN, "-c", g.conf, "check", made[0]])
        check(r.returncode == 0, "scheduled copy checks: %r" % r.stderr)
        # the interval is respected: no second copy right away
        # (nothing to wait for: a second copy would need the 10 s interval)
        check(len(glob.glob(os.path.join(usb, "kentongan-2*.db"))) == 2, "one new copy per interval")
        # a broken copy is recognised
        bad = os.path.join(g.dir, "bad.db")
        with open(made[0], "rb") as f:
            data = bytearray(f.read())
        for i in range(4096 + 100, len(data), 4096):
            data[i:i + 64] = b"\xff" * 64
        open(bad, "wb").write(bytes(data))
        r = run([KENTONGAN, "-c", g.conf, "check", bad])
        check(r.returncode == 1 and r.stderr, "a damaged copy fails the check: %r %r" % (r.stdout, r.stderr))
        r = run([KENTONGAN, "-c", g.conf, "check", g.conf])
        check(r.returncode == 1 and "not" in r.stderr, "a non-database fails the check: %r" % r.stderr)
        r = g.console("backup", g.db)
        check(r.returncode == 1 and "live database" in r.stderr, "backup onto itself refused: %r" % r.stderr)
        check(g.stop() == 0, "clean stop")


def main():
    scheduled()
    online_backup_and_restore()
    print("ok")


if __name__ == "__main__":
    main()
