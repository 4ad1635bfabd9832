#!/usr/bin/env python3
"""systemd's Type=notify: with NOTIFY_SOCKET set, kentongand stays in the foreground (systemd
supervises it) and sends READY=1 only once the control socket answers, RELOADING=1 then READY=1
around a SIGHUP reload, STOPPING=1 on SIGTERM; every message comes from the daemon's own pid."""
import os
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from kt import Gateway, check, fail  # noqa: E402


def main():
    with Gateway(name="notify") as g:
        path = os.path.join(g.dir, "notify.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        s.settimeout(20)

        def recv(what):
            try:
                data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
            except socket.timeout:
                fail("no %s from the daemon within 20 s:\n%s" % (what, g.logtail()))
            pid = None
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", cdata[:12])[0]
            msg = data.decode()
            check(pid == g.proc.pid, "%r sent by pid %s, the daemon is %d" % (msg, pid, g.proc.pid))
            check(what in msg.split("\n"), "expected %s, got %r" % (what, msg))
            return msg

        g.start(env={"NOTIFY_SOCKET": path}, wait=False, debug=False)
        recv("READY=1")
        # ready means ready: the console gets an answer at once
        check(g.ctl_rc("status") == 0, "status right after READY=1")
        check(g.proc.poll() is None, "the daemon did not fork away from systemd")
        g.proc.send_signal(signal.SIGHUP)
        recv("RELOADING=1")
        recv("READY=1")
        g.proc.send_signal(signal.SIGTERM)
        recv("STOPPING=1")
        rc = g.proc.wait(timeout=30)
        check(rc == 0, "clean stop: exit %s\n%s" % (rc, g.logtail()))
        g.stop()
        s.close()
    print("ok")


if __name__ == "__main__":
    main()
