#!/usr/bin/env python3
"""HTTPS on the [http] listener (cert and key): /health and the web console answer over TLS with a
self-signed certificate, the console's cookies are Secure there, plain HTTP on that port gets no
page, and a cert without its key (or a key that is not the cert's) stops the daemon with a clear
message. Skipped when the openssl tool is missing."""
import http.client
import os
import re
import shutil
import ssl
import sys
import urllib.parse

from kt import Gateway, add_web_user, check, run


def make_cert(d, name):
    cert, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2",
             "-keyout", key, "-out", cert])
    check(r.returncode == 0, "openssl req: %s" % r.stderr)
    return cert, key


def main():
    if shutil.which("openssl") is None:
        print("skipped: no openssl tool to make a test certificate")
        return 0
    with Gateway(name="kt-tls") as g:
        port = g.listen()
        cert, key = make_cert(g.dir, "gw")
        other_cert, other_key = make_cert(g.dir, "other")

        # a cert without its key, and a key that is not the cert's: the daemon says so and stops
        for extra, want in (("cert = %s\n" % cert, "cert and key go together"),
                            ("cert = %s\nkey = %s\n" % (cert, other_key), "not the PEM private key")):
            g.listen(extra=extra, port=port)
            g.start(wait=False)
            g.wait_exit(15, "the daemon to refuse the TLS settings")
            check(want in g.logtail(), "refused with %r:\n%s" % (want, g.logtail()))

        g.listen(extra="cert = %s\nkey = %s\n" % (cert, key), port=port)
        add_web_user(g, "budi", "official", "rahasia-budi")
        g.start()
        ctx = ssl.create_default_context(cafile=cert)

        def get(path, headers=None, body=None):
            c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
            c.request("POST" if body is not None else "GET", path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read().decode()
            out = (r.status, r.getheaders(), data)
            c.close()
            return out

        st, _, body = get("/health")
        check(st == 503 and "no modem" in body, "/health over HTTPS answers: %d %r" % (st, body))
        st, hdrs, body = get("/console/login")
        cookies = [v for k, v in hdrs if k.lower() == "set-cookie"]
        check(st == 200 and cookies and all("; Secure" in c for c in cookies), "login page cookies: %r" % cookies)
        pre = re.search(r"kt_pre=([0-9a-f]+)", cookies[0]).group(1)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
        st, hdrs, _ = get("/console/login", {"Cookie": "kt_pre=" + pre,
                                             "Content-Type": "application/x-www-form-urlencoded"},
                          urllib.parse.urlencode({"csrf": csrf, "name": "budi", "password": "rahasia-budi"}))
        sess = [v for k, v in hdrs if k.lower() == "set-cookie" and v.startswith("kt_session=")]
        check(st == 303 and sess and "; Secure" in sess[0] and "HttpOnly" in sess[0], "session cookie: %r" % sess)

        # plain HTTP on the HTTPS port: no page
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            c.request("GET", "/console/login")
            r = c.getresponse()
            check(r.status != 200, "plain HTTP got a page")
        except (http.client.HTTPException, OSError):
            pass
        c.close()
        st, _, _ = get("/console/login")
        check(st == 200, "HTTPS still answers after a plain-HTTP client")
        check(g.stop() == 0, "clean stop")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
