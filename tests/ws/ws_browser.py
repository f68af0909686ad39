#!/usr/bin/env python3
"""ws_browser.py - a real browser as an IRC client: headless Chromium opens a
test page (served from a local HTTP server, so it has a real Origin, which
the server's [websocket] origins allow-list must accept), the page connects
to evircd over WebSocket (text.ircv3.net), registers, joins #web and
exchanges messages with a plain TCP client; it writes what it saw into the
DOM, which Chromium dumps (--dump-dom). Both sides are asserted.

How the dump waits for the exchange without sleeps or a virtual-time guess:
the page has an <img> whose request this script holds open until the TCP
client has seen the browser's answer; the load event (and so the dump)
comes after it. --timeout bounds the whole page.

  python3 tests/ws/ws_browser.py     (EVIRCD_BIN = the binary)

Exit 77 (skipped) when chromium is not installed."""

import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wslib import Server, Tcp, TIMEOUT  # noqa: E402

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>evircd WebSocket test</title></head>
<body>
<pre id="log"></pre>
<p id="result">RESULT:PENDING</p>
<img src="/hold.png" alt="">
<script>
"use strict";
const log = (t) => { document.getElementById("log").textContent += t + "\\n"; };
const done = (t) => { document.getElementById("result").textContent = "RESULT:" + t; };
const ws = new WebSocket("ws://127.0.0.1:%(port)d/", ["text.ircv3.net"]);
let got = null;
ws.onopen = () => {
  log("open " + ws.protocol);
  ws.send("NICK browser");
  ws.send("USER browser 0 * :Headless Chromium");
};
ws.onmessage = (ev) => {
  const line = ev.data;
  if (typeof line !== "string") { done("FAIL binary message"); return; }
  if (/[\\r\\n]/.test(line)) { done("FAIL CR/LF in a message"); return; }
  log("<< " + line);
  if (line.startsWith("PING ")) ws.send("PONG " + line.slice(5));
  else if (/ 001 browser /.test(line)) ws.send("JOIN #web");
  else if (/^:tcpuser!\\S+ PRIVMSG #web :/.test(line)) {
    got = line.replace(/^.* PRIVMSG #web :/, "");
    done("OK " + ws.protocol + " got=" + got);
    ws.send("PRIVMSG #web :hello from the browser, " + got.length + " chars seen");
    ws.send("QUIT :browser done");
  }
};
ws.onerror = () => { if (got === null) done("FAIL websocket error"); };
ws.onclose = (ev) => { log("close " + ev.code); };
</script>
</body></html>
"""


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def main():
    chromium = find_chromium()
    if chromium is None:
        print("chromium not installed: skipped")
        return 77
    exchanged = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            if self.path == "/test.html":
                body = (PAGE % {"port": srv.ws}).encode()
                ctype = "text/html; charset=utf-8"
            elif self.path == "/hold.png":
                exchanged.wait(TIMEOUT * 4)   # released by the TCP side
                body, ctype = b"", "image/png"
            else:
                self.send_response(404)   # /favicon.ico
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hport = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    srv = Server(extra="[websocket]\norigins = http://127.0.0.1:%d\n" % hport, tls=False)
    profile = tempfile.mkdtemp(prefix="evircd-chromium-")
    result = {}

    def tcp_side():
        try:
            t = Tcp(srv.tcp, "tcpuser")
            t.send("JOIN #web")
            t.expect(r"JOIN #web")
            # the browser joins: the same host as any local client
            result["join"] = t.expect(r"^:browser!~browser@127\.0\.0\.1 JOIN #web",
                                      TIMEOUT * 4)
            t.send("PRIVMSG #web :h\u00e9llo from tcp \u2603")
            result["reply"] = t.expect(r"^:browser!\S+ PRIVMSG #web :hello from the browser")
            result["quit"] = t.expect(r"^:browser!\S+ QUIT :Quit: browser done")
            t.close()
        except Exception as e:  # noqa: BLE001 - reported below
            result["error"] = repr(e)
        finally:
            exchanged.set()

    th = threading.Thread(target=tcp_side)
    th.start()
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           "--user-data-dir=" + profile, "--timeout=%d" % int(TIMEOUT * 4000),
           "--dump-dom", "http://127.0.0.1:%d/test.html" % hport]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT * 8)
        dom = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        dom = (e.stdout or b"").decode("utf-8", "replace")
        result.setdefault("error", "chromium did not finish")
    exchanged.set()
    th.join(TIMEOUT * 2)
    httpd.shutdown()
    rc = srv.stop()
    shutil.rmtree(profile, ignore_errors=True)

    ok = True
    m = re.search(r'id="result">(RESULT:[^<]*)<', dom)
    print("browser:", m.group(1) if m else "(no result in the DOM)")
    print("tcp side:", {k: (v.decode() if isinstance(v, bytes) else v) for k, v in result.items()})
    if not m or m.group(1) != "RESULT:OK text.ircv3.net got=h\u00e9llo from tcp \u2603":
        ok = False
        print("DOM:\n" + dom[-3000:])
    if "error" in result or "reply" not in result or "quit" not in result:
        ok = False
    if b"16 chars seen" not in result.get("reply", b""):
        ok = False   # the browser decoded the UTF-8 text: 16 characters
    if rc not in (0, -15):
        ok = False
        print("server exit status", rc)
    print("ok" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
