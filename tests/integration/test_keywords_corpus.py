#!/usr/bin/env python3
"""The SMS corpus end to end: every tests/corpus/*.txt message is injected into a Gammu dummy phone
from its own number (long ones as concatenated parts), and the action the router recorded on its
inbox row must fit the file's `expect:` (the parser's verdict, tests/unit/test_corpus.c): e.g.
expect subscribe -> "subscribed …", "choice asked …" or "subscribe: area not found …"."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import kt  # noqa: E402

CORPUS = os.environ.get("KT_CORPUS", os.path.join(kt.TOP, "tests", "corpus"))
# what the router records for each parsed action (prefixes of the inbox action)
ACTIONS = {
    "subscribe": ("subscribed ", "already subscribed ", "subscribe: ", "choice asked "),
    "unsubscribe": ("stopped", "stop: ", "stop ", "choice asked "),
    "pull": ("info: ", "info "),
    "report": ("report ", "report: "),
    "group": ("kim ",),
    "broadcast": ("siar ",),
    "help": ("help",),
    "choice": ("unknown (a number", "choice "),
    "unknown": ("unknown",),
    "verify": ("cek ", "cek: "),
    "approve": ("approve", "approved "),
}
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€")


def load(path):
    raw = open(path, "rb").read()
    head, sep, body = raw.partition(b"\n---\n")
    if not sep and raw.startswith(b"---\n"):
        head, body = b"", raw[4:]
    meta = {}
    for line in head.decode("utf-8", "replace").splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        meta[k.strip()] = v.strip()
    if "text-hex" in meta:
        body = bytes.fromhex(meta["text-hex"].replace(" ", ""))
    # the phone hands over text: bytes that are no UTF-8 arrive as U+FFFD
    return meta.get("expect", "").split()[0] if meta.get("expect") else None, body.decode("utf-8", "replace")


def utf16_units(s):
    return len(s.encode("utf-16-be")) // 2


def parts(text):
    """Splits text into SMS parts the way a phone would: 153 GSM-7 or 67 UCS-2 units each."""
    gsm = all(c in GSM7 for c in text)
    size = 153 if gsm else 67
    if (gsm and len(text) <= 160) or (not gsm and utf16_units(text) <= 70):
        return "gsm7" if gsm else "ucs2", [text]
    out, cur = [], ""
    for c in text:
        if (len(cur) + 1 if gsm else utf16_units(cur + c)) > size:
            out.append(cur)
            cur = ""
        cur += c
    out.append(cur)
    return "gsm7" if gsm else "ucs2", out


def main():
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".txt"))
    kt.ok(len(files) >= 150, "%d corpus files" % len(files))
    with kt.Gateway(gateway_extra="keywords = %s/parsers/keywords.conf\nreply_limit = 100" % kt.TOP, areas="16",
                    name="kt-modems") as gw:
        d1 = kt.DummyPhone(gw.dir, "d1", folders=range(1, 6))
        gw.write_conf(modems=d1.section("d1", rate=None))
        gw.import_areas()
        gw.start(cwd=kt.TOP)
        kt.poll(lambda: (gw.modem("d1") or {}).get("state") == "ready", 20, "modem ready")
        cases = {}  # sender -> (file, expect, text)
        loc = 0
        batch = 60
        bad = []
        for start in range(0, len(files), batch):
            for i, f in enumerate(files[start:start + batch], start):
                expect, text = load(os.path.join(CORPUS, f))
                if expect not in ACTIONS:
                    kt.fail("%s: no usable 'expect:' line" % f)
                sender = "+62812600%05d" % i
                cases[sender] = (f, expect, text)
                coding, ps = parts(text)
                ref = i % 256
                for seq, p in enumerate(ps, 1):
                    loc += 1
                    udh = "050003%02X%02X%02X" % (ref, len(ps), seq) if len(ps) > 1 else None
                    d1.inject(sender, p, coding=coding, udh=udh, location=loc,
                              when="20261127T%02d%02d%02d" % (10 + i // 3600, (i // 60) % 60, i % 60))
            want = {"+62812600%05d" % i for i in range(start, min(start + batch, len(files)))}

            def done():
                got = {m["from"]: m for m in gw.inbox() if m["from"] in want and m.get("action")}
                return got if len(got) == len(want) else None
            got = kt.poll(done, 120, "batch %d routed" % (start // batch))
            for sender, m in got.items():
                f, expect, text = cases[sender]
                if not m["action"].startswith(ACTIONS[expect]):
                    bad.append("%s: expected %s, the router did: %s" % (f, expect, m["action"]))
        for b in bad:
            print("MISMATCH " + b)
        kt.ok(not bad, "every corpus message routed as its parse says (%d files)" % len(files))
        kt.ok(gw.ctl("status")["store"] == "ok", "store ok")
    print("all ok")


if __name__ == "__main__":
    main()
