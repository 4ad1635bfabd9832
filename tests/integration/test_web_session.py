#!/usr/bin/env python3
"""Web console sessions over plain HTTP, without a browser: a session ends after its idle time
([http] session_idle) and after its absolute lifetime (session_max), a reload applies new times,
logout needs the CSRF token and ends the session for good, a login form without its pre-login
token is refused, the machine token is not asked for under /console/ (and still is for /metrics),
forms must be form-encoded, and forms from another origin are refused."""
import http.client
import re
import signal
import sys
import time
import urllib.parse

from kt import Gateway, add_web_user, check, poll


def main():
    with Gateway(name="kt-websess") as g:
        port = g.listen("machine-token-123", extra="session_idle = 3s\nsession_max = 12s\n")
        add_web_user(g, "budi", "official", "rahasia-budi")
        add_web_user(g, "ani", "admin", "rahasia-ani1")
        g.start()

        def req(method, path, cookie=None, body=None, headers=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            h = dict(headers or {})
            if cookie:
                h["Cookie"] = cookie
            if body is not None:
                h.setdefault("Content-Type", "application/x-www-form-urlencoded")
                body = urllib.parse.urlencode(body)
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode())
            c.close()
            return out

        def login(name="budi", password="rahasia-budi"):
            st, h, body = req("GET", "/console/login")
            pre = re.search(r"kt_pre=([0-9a-f]+)", h["set-cookie"]).group(1)
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
            st, _, _ = req("POST", "/console/login", "kt_pre=" + pre, {"name": name, "password": password})
            check(st == 403, "a login without its form token is refused (%d)" % st)
            st, h, _ = req("POST", "/console/login", "kt_pre=" + pre,
                           {"csrf": csrf, "name": name, "password": password})
            check(st == 303, "login (%d)" % st)
            return "kt_session=" + re.search(r"kt_session=([0-9a-f]+)", h["set-cookie"]).group(1)

        st, _, _ = req("GET", "/metrics")
        check(st == 401, "/metrics still needs the machine token (%d)" % st)
        st, h, _ = req("GET", "/console/")
        check(st == 303 and h["location"] == "/console/login", "no token asked under /console/, only a login")
        st, _, _ = req("PUT", "/console/")
        check(st == 405, "PUT is refused (%d)" % st)

        # idle expiry: used, then left alone
        s = login()
        t0 = time.monotonic()
        st, _, body = req("GET", "/console/", s)
        check(st == 200 and "budi" in body, "the session opens the dashboard (%d)" % st)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
        st, _, _ = req("POST", "/console/post", s, {"id": "1", "do": "approve", "csrf": csrf},
                       {"Content-Type": "text/plain"})
        check(st == 415, "a form that is not form-encoded (%d)" % st)
        st, _, body = req("POST", "/console/post", s, {"id": "1", "do": "approve", "csrf": csrf},
                          {"Origin": "http://evil.example"})
        check(st == 403, "a form from another origin (%d)" % st)
        # what is tested here is time passing without requests, so these waits are plain sleeps
        for _ in range(2):
            time.sleep(2)
            check(req("GET", "/console/", s)[0] == 200, "a session in use outlives its idle time")
        time.sleep(4.5)
        check(req("GET", "/console/", s)[0] == 303, "a session left idle ends")

        # absolute expiry: kept busy, it still ends
        s = login()
        t0 = time.monotonic()
        poll(lambda: req("GET", "/console/", s)[0] == 303, timeout=30, interval=1.0,
             what="the busy session to reach its lifetime")
        check(time.monotonic() - t0 >= 10, "the busy session lived about its lifetime (%.1fs)" % (time.monotonic() - t0))

        # logout needs the token, then the cookie opens nothing
        s = login()
        st, _, body = req("GET", "/console/", s)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
        st, _, _ = req("POST", "/console/logout", s, {})
        check(st == 403, "logout without the CSRF token is refused (%d)" % st)
        check(req("GET", "/console/", s)[0] == 200, "… and the session lives on")
        st, h, _ = req("POST", "/console/logout", s, {"csrf": csrf})
        check(st == 303 and "Max-Age=0" in h.get("set-cookie", ""), "logout (%d)" % st)
        check(req("GET", "/console/", s)[0] == 303, "the old cookie opens nothing")
        # an admin adds and removes an account; others may not
        check(req("GET", "/console/users", login())[0] == 403, "an official does not manage accounts")
        a = login("ani", "rahasia-ani1")
        st, _, body = req("GET", "/console/users", a)
        check(st == 200 and "budi" in body, "the admin sees the accounts (%d)" % st)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
        st, _, _ = req("POST", "/console/users", a, {"csrf": csrf, "do": "add", "name": "dodi", "role": "operator",
                                                     "password": "rahasia-dodi", "password2": "beda-beda"})
        check(st == 400, "two different passwords are refused (%d)" % st)
        st, _, _ = req("POST", "/console/users", a, {"csrf": csrf, "do": "add", "name": "dodi", "role": "operator",
                                                     "password": "rahasia-dodi", "password2": "rahasia-dodi"})
        check(st == 303, "the admin adds dodi (%d)" % st)
        dodi = login("dodi", "rahasia-dodi")
        check(req("GET", "/console/compose", dodi)[0] == 200, "dodi works as an operator")
        st, _, _ = req("POST", "/console/users", a, {"csrf": csrf, "do": "remove", "name": "dodi"})
        check(st == 303 and req("GET", "/console/", dodi)[0] == 303, "removing dodi ends his session")
        st, _, _ = req("POST", "/console/users", a, {"csrf": csrf, "do": "remove", "name": "ani"})
        check(st == 400, "an admin cannot remove herself (%d)" % st)
        audit = [(e["actor"], e["action"]) for e in g.ctl("audit")]
        check(("web:ani", "user add") in audit and ("web:ani", "user remove") in audit, "audited: %r" % audit[:6])

        # a reload applies a new session_idle to the sessions (no new HTTP server: same port, same cookies)
        s = login()
        g.listen("machine-token-123", extra="session_idle = 1h\nsession_max = 12s\n", port=port)
        n = g.logtext().count("configuration reloaded")
        g.proc.send_signal(signal.SIGHUP)
        poll(lambda: g.logtext().count("configuration reloaded") > n, 10, "the reload")
        time.sleep(4.5)     # longer than the old idle time, without a request
        check(req("GET", "/console/", s)[0] == 200, "after the reload, an idle session lives on (session_idle = 1h)")

        # a flood of logins (fresh names, so no account lock) is slowed per address
        st, h, body = req("GET", "/console/login")
        pre = re.search(r"kt_pre=([0-9a-f]+)", h["set-cookie"]).group(1)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
        codes = [req("POST", "/console/login", "kt_pre=" + pre, {"csrf": csrf, "name": "tamu%d" % i,
                                                                 "password": "tebak-tebak"})[0] for i in range(15)]
        check(codes.count(403) <= 10 and codes.count(429) >= 5, "login flood slowed: %r" % codes)
        actions = [e["action"] for e in g.ctl("audit") if e["actor"] == "web:budi"]
        check(actions.count("login") == 5 and "logout" in actions, "logins and the logout audited: %r" % actions)
        rc = g.stop()
        check(rc == 0, "the daemon stops cleanly (exit %s; a sanitizer build reports leaks here):\n%s" % (rc, g.logtail()))
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
