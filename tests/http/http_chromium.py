#!/usr/bin/env python3
"""http_chromium.py - the status page (/) as a person sees it: headless
Chromium loads it from a real evircd with known IRC activity, the test
checks the numbers in the rendered DOM against what it did (clients,
channels, the busiest channels in order with member counts, +s and +p
names hidden, an HTML-looking channel name shown as text, not markup,
the chart), and saves a screenshot.

  EVIRCD_BIN=build/src/evircd SCREENSHOT=status.png python3 tests/http/http_chromium.py

Exit 77 (skipped) when chromium is not installed."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import Server, Irc  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--hide-scrollbars"]
ODD = "#<b>bold</b>&amp;"          # a legal channel name that looks like HTML


def chromium_run(chromium, args, timeout=120):
    with tempfile.TemporaryDirectory(prefix="evircd-chromium-") as prof:
        p = subprocess.run([chromium] + FLAGS + ["--user-data-dir=" + prof] + args,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    return p


def main():
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser")
                     if shutil.which(n)), None)
    if chromium is None:
        print("chromium not installed: skipped")
        return 77
    shot = os.environ.get("SCREENSHOT") or os.path.join(tempfile.gettempdir(),
                                                        "evircd-status.png")
    srv = Server("[http]\nport = 0\n[flood]\nenabled = no\n")
    clients = []
    try:
        a, b, c, d = (Irc(srv.irc_port, n) for n in ("alice", "bob", "carol", "dave"))
        clients += [a, b, c, d]
        for x in (a, b, c):
            x.send("JOIN #public")
        a.send("JOIN #second")
        b.send("JOIN #second")
        d.send("JOIN #secret")
        d.send("MODE #secret +s")
        c.send("JOIN #private")
        c.send("MODE #private +p")
        d.send("JOIN " + ODD)
        for x in clients:
            x.sync()
        url = "http://127.0.0.1:%d/" % srv.http_port

        p = chromium_run(chromium, ["--dump-dom", url])
        dom = p.stdout
        if "<body" not in dom:
            print("chromium --dump-dom gave no page:\n", p.stdout[-2000:], p.stderr[-3000:])
            return 1
        errors = []

        def num(ident):
            m = re.search(r'id="%s"[^>]*>(\d+)<' % ident, dom)
            return int(m.group(1)) if m else None

        for ident, want in (("clients", 4), ("users", 4), ("unregistered", 0),
                            ("channels", 5), ("opers", 0), ("links", 0)):
            if num(ident) != want:
                errors.append("%s: page says %s, the test made %d" % (ident, num(ident), want))
        top = re.search(r'<table id="top">(.*?)</table>', dom, re.S)
        rows = re.findall(r"<tr><td>(.*?)</td><td class=\"n\">(\d+)</td></tr>",
                          top.group(1) if top else "")
        names = [r[0] for r in rows]
        counts = [int(r[1]) for r in rows]
        if counts != sorted(counts, reverse=True) or len(rows) != 5:
            errors.append("busiest channels not 5 rows, most members first: %s" % rows)
        if not rows or rows[0] != ("#public", "3") or rows[1] != ("#second", "2"):
            errors.append("top two rows are not #public 3, #second 2: %s" % rows[:2])
        hidden = [n for n in names if "(hidden)" in n]
        if len(hidden) != 2 or "#secret" in dom or "#private" in dom:
            errors.append("+s/+p channel names not hidden: %s" % names)
        # the odd name is text in the DOM (escaped again by the serializer),
        # never a <b> element
        if "#&lt;b&gt;bold&lt;/b&gt;&amp;amp;" not in dom or "<b>bold</b>" in dom:
            errors.append("channel name not escaped: %s" % names)
        if not re.search(r'<svg id="chart"[^>]*aria-label="clients over the last hour, now 4"',
                         dom) or "<polyline" not in dom:
            errors.append("no chart with the current count")
        if "127.0.0.1" in dom.replace(url, ""):
            errors.append("an address is on the page")

        if os.path.exists(shot):
            os.unlink(shot)
        p = chromium_run(chromium, ["--screenshot=" + shot, "--window-size=900,1000", url])
        if not os.path.exists(shot):
            errors.append("no screenshot: " + p.stderr[-2000:])
        else:
            with open(shot, "rb") as f:
                head = f.read(8)
            size = os.path.getsize(shot)
            if head != b"\x89PNG\r\n\x1a\n" or size < 5000:
                errors.append("screenshot is not a PNG of a page (%d bytes)" % size)
        for e in errors:
            print("FAIL:", e)
        print("screenshot:", shot)
        print("%d passed, %d failed" % (1 if not errors else 0, 1 if errors else 0))
        return 1 if errors else 0
    finally:
        for x in clients:
            x.close()
        rc = srv.stop()
        if rc != 0:
            print("server exited with", rc)
            print(srv.log()[-2000:])


if __name__ == "__main__":
    sys.exit(main())
