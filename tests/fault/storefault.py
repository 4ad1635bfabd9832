"""storefault — the storage-fault scenario shared by test_faults_store.py (the failing VFS of
store/store_fault.c) and test_faults_disk.py (a real full disk on a small tmpfs).

run(gw, phone, fault_on, fault_off, what): with the daemon running on a dummy phone,
  1. a first SMS is stored normally;
  2. fault_on(); a second SMS arrives: the commit fails, the daemon logs "refusing new work until
     the store recovers" once, keeps running, shows the store as failing in `status`, refuses a
     broadcast with a message, and never deletes the SMS from the SIM while the fault lasts;
  3. fault_off(): the daemon resumes by itself — the SMS is stored exactly once and deleted from
     the SIM, "store: recovered" is logged, a broadcast is accepted again, integrity_check ok.
Returns the time from fault_off() to the SMS being stored (seconds).
"""
import os
import time

import faultlib as fl
from faultlib import check, poll

HOLD_S = 3.0  # how long the fault is held while the test watches the SIM


def inbox_texts(gw):
    return [t for (t,) in fl.db_query(gw.db, "SELECT text FROM inbox")]


def run(gw, phone, fault_on, fault_off, what, recover_within=45):
    log = lambda: open(gw.log, errors="replace").read()  # noqa: E731
    phone.inject("+6281277700001", "INFO sebelum %s" % what, when="20261127T100000")
    poll(lambda: "INFO sebelum %s" % what in inbox_texts(gw), 10, "the first SMS stored")
    poll(lambda: not phone.pending(), 10, "the first SMS deleted from the SIM")

    fault_on()
    body = "LAPOR saat %s gangguan" % what
    phone.inject("+6281277700002", body, when="20261127T100100")
    poll(lambda: "refusing new work until the store recovers" in log(), 20,
         "the daemon to log that it refuses new work (%s)" % what)
    check(log().count("refusing new work until the store recovers") == 1,
          "%s: the refusal is logged once, not per attempt" % what)
    check(gw.proc.poll() is None, "%s: the daemon died on a failing store:\n%s" % (what, gw.logtail()))
    st = gw.console("status")
    # status shows the store failing; when SQLite cannot even allocate, it fails with a message
    check((st.returncode == 0 and "FAILING" in st.stdout) or (st.returncode == 1 and st.stderr.strip()),
          "%s: status shows the store failing: %d %r %r" % (what, st.returncode, st.stdout, st.stderr))
    if st.returncode:
        print("  %s: status refused: %s" % (what, st.stderr.strip().splitlines()[-1]))
    b = gw.console("broadcast", "--area", "1671", "Siaran saat %s" % what)
    check(b.returncode == 1 and b.stderr.strip(), "%s: a broadcast is refused with a message: %d %r %r" % (
        what, b.returncode, b.stdout, b.stderr))
    print("  %s: broadcast refused: %s" % (what, b.stderr.strip().splitlines()[-1]))
    # nothing deleted from the SIM while the store cannot commit
    deadline = time.monotonic() + HOLD_S
    while time.monotonic() < deadline:
        check(phone.pending(), "%s: the SMS was deleted from the SIM although it was never committed" % what)
        time.sleep(0.1)     # "nothing happens for HOLD_S": the behaviour under test
    check(body not in inbox_texts(gw), "%s: the SMS is in the store although every commit failed" % what)
    check(not any(" warn: ingest " in l and "commit-failed" in l for l in log().splitlines()),
          "%s: a failed commit is reported once, by the refusal above, not again by ingest" % what)

    fault_off()
    t0 = time.monotonic()
    poll(lambda: body in inbox_texts(gw), recover_within, "the SMS stored after the fault cleared (%s)" % what)
    took = time.monotonic() - t0
    poll(lambda: not phone.pending(), 10, "the SMS deleted from the SIM after its commit")
    poll(lambda: "store: recovered" in log(), 10, "'store: recovered' in the log")
    check(inbox_texts(gw).count(body) == 1, "%s: the SMS stored exactly once" % what)
    b = gw.console("broadcast", "--area", "1671", "Siaran sesudah %s" % what)
    check(b.returncode == 0, "%s: a broadcast is accepted after recovery: %r %r" % (what, b.stdout, b.stderr))
    check(fl.db_query(gw.db, "PRAGMA integrity_check") == [("ok",)], "%s: integrity_check" % what)
    check(gw.proc.poll() is None, "%s: the daemon is still running" % what)
    return took


def new_gateway(name, before_db=None):
    """A gateway on one dummy phone, with the areas (copied from the template) and a subscriber.
    before_db(gw) runs before the database is put in place (e.g. to mount a tmpfs on var/)."""
    import shutil
    gw = fl.kt.Gateway(name=name)
    os.makedirs(os.path.dirname(gw.db), exist_ok=True)
    if before_db:
        before_db(gw)
    shutil.copy(fl.template_db(), gw.db)
    phone = fl.kt.DummyPhone(gw.dir, "p1")
    gw.write_conf(modems=phone.section("p1"))
    subs = os.path.join(gw.dir, "subs.csv")
    with open(subs, "w") as f:
        f.write("081277799999,1671011001\n")
    r = gw.console("subscribers", "import", subs)
    check(r.returncode == 0, "subscribers import: %r" % r.stderr)
    return gw, phone
