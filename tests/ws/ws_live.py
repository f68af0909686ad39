#!/usr/bin/env python3
"""ws_live.py - WebSocket clients of a real evircd (IRCv3 WebSocket, RFC
6455), driven by a raw client (wslib.py) next to a plain TCP client.

  python3 tests/ws/ws_live.py [TEST_NAME...]   (EVIRCD_BIN = the binary)

Protocol: subprotocol negotiation, one line per message without CR LF,
text and binary, UTF-8 replacement in text messages, ping, fragments,
close, TLS; a WebSocket client is a normal client (host, fakelag, sendq,
connection limits). Bad input: each gets its close code or HTTP status
and a bounded time, and the loop keeps serving others meanwhile."""

import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wslib import Server, Tcp, Ws, TIMEOUT, run_tests  # noqa: E402

IRC_INPUT_MAX = 1 + 4094 + 1 + 510
HS_TIMEOUT = 2          # [limits] tls_handshake_timeout of the shared server
SRV = None


def srv():
    global SRV
    if SRV is None:
        SRV = Server(limits="tls_handshake_timeout = %d\nrecvq = 8192\n" % HS_TIMEOUT)
    return SRV


def t_text_chat_with_tcp_client():
    s = srv()
    w = Ws(s.ws).open()
    assert w.headers.get("sec-websocket-protocol") == "text.ircv3.net", w.headers
    w.register("webby")
    assert w.last_op == 1, "text.ircv3.net answers in text messages"
    t = Tcp(s.tcp, "tcpy")
    w.send("JOIN #web")
    w.expect(r"^:webby!~webby@127\.0\.0\.1 JOIN #web")
    t.send("JOIN #web")
    # the WebSocket client shows the same host as a TCP one from there
    w.expect(r"^:tcpy!~tcpy@127\.0\.0\.1 JOIN #web")
    t.send("PRIVMSG #web :hello browser \u00e9")
    p = w.expect(r"PRIVMSG #web")
    assert p == ":tcpy!~tcpy@127.0.0.1 PRIVMSG #web :hello browser \u00e9".encode(), p
    w.send("PRIVMSG #web :hello tcp")
    t.expect(r"^:webby!~webby@127\.0\.0\.1 PRIVMSG #web :hello tcp$")
    # a trailing CR LF from a sloppy client is tolerated
    w.send("PRIVMSG tcpy :with crlf\r\n")
    t.expect(r"PRIVMSG tcpy :with crlf$")
    w.send("QUIT :bye")
    t.expect(r"^:webby!~webby@127\.0\.0\.1 QUIT :Quit: bye")
    assert w.close_code() == 1000
    assert w.wait_eof()
    t.close()


def t_binary_subprotocol_preferred_first():
    s = srv()
    w = Ws(s.ws, protocols=("binary.ircv3.net", "text.ircv3.net")).open()
    assert w.headers.get("sec-websocket-protocol") == "binary.ircv3.net", w.headers
    w.register("binny", binary=True)
    assert w.last_op == 2
    t = Tcp(s.tcp, "latin")
    # binary messages carry any bytes: Latin-1 arrives as sent
    t.send(b"PRIVMSG binny :caf\xe9")
    p = w.expect(r"PRIVMSG binny")
    assert p.endswith(b":caf\xe9"), p
    w.send(b"PRIVMSG latin :na\xefve", binary=True)
    assert t.expect(r"PRIVMSG latin").endswith(b":na\xefve")
    w.close()
    t.close()
    w2 = Ws(s.ws, protocols=("text.ircv3.net", "binary.ircv3.net")).open()
    assert w2.headers.get("sec-websocket-protocol") == "text.ircv3.net", w2.headers
    w2.close()
    w3 = Ws(s.ws, protocols=("chat", "binary.ircv3.net")).open()
    assert w3.headers.get("sec-websocket-protocol") == "binary.ircv3.net", w3.headers
    w3.close()


def t_text_invalid_utf8_replaced():
    s = srv()
    w = Ws(s.ws).open()
    w.register("texty")
    t = Tcp(s.tcp, "raw8")
    t.send(b"PRIVMSG texty :a\xffb\xc3")
    p = w.expect(r"PRIVMSG texty")
    assert p.endswith(":a\ufffdb\ufffd".encode()), p
    p.decode("utf-8")  # strict: valid UTF-8
    w.close()
    t.close()


def t_no_subprotocol_follows_client():
    s = srv()
    w = Ws(s.ws, protocols=()).open()
    assert "sec-websocket-protocol" not in w.headers, w.headers
    w.register("legacy", binary=True)
    assert w.last_op == 2, "no subprotocol: answered in the client's type"
    w.close()


def t_ping_fragments_close():
    s = srv()
    w = Ws(s.ws).open()
    w.register("frag")
    w.send("PING :sync")
    w.expect("PONG .*sync")
    w.send_frame(9, b"abc")
    fin, op, p = w.recv_frame()
    assert (op, p) == (10, b"abc"), (op, p)
    # one line in three fragments with a ping between them
    w.send_frame(1, b"PRIVMSG frag", fin=False)
    w.send_frame(0, b" :in three", fin=False)
    w.send_frame(9, b"x")
    w.send_frame(0, b" parts", fin=True)
    assert w.recv_frame()[1] == 10
    p = w.expect(r"PRIVMSG frag")
    assert p.endswith(b":in three parts"), p
    t = Tcp(s.tcp, "watch")
    t.send("JOIN #f")
    t.expect(r"JOIN #f")
    w.send("JOIN #f")
    t.expect(r"^:frag!.* JOIN #f")
    w.send_frame(8, struct.pack("!H", 1000) + b"going")
    assert w.close_code() == 1000
    t.expect(r"^:frag!.* QUIT :WebSocket closed by the client")
    assert w.wait_eof()
    t.close()


def t_wss_is_secure():
    s = srv()
    w = Ws(s.wss, tls=True).open()
    w.register("secure")
    w.send("WHOIS secure")
    w.expect(r" 671 secure secure ")
    w.send("QUIT")
    assert w.close_code() == 1000
    w.close()


def t_sendq_exceeded():
    s = Server(limits="sendq = 8192", extra="[flood]\nenabled = no\n", tls=False)
    try:
        w = Ws(s.ws, rcvbuf=4096).open()
        w.register("slowweb")
        w.send("JOIN #flood")
        w.expect("JOIN #flood")
        t = Tcp(s.tcp, "talker")
        t.send("JOIN #flood")
        t.expect("JOIN #flood")
        # the web client stops reading; the talker fills its sendq
        for i in range(2000):
            t.send("PRIVMSG #flood :" + "x" * 400)
            if i % 50 == 49:
                t.send("PING :p%d" % i)
                if t.expect(r"PONG .*p%d|^:slowweb!.* QUIT :SendQ exceeded" % i).find(
                        b"SendQ") >= 0:
                    break
        else:
            raise AssertionError("never over its sendq")
        t.close()
        w.close()
    finally:
        s.stop()


def t_excess_flood():
    s = srv()
    w = Ws(s.ws).open()
    w.register("flooder")
    t = Tcp(s.tcp, "witness")
    t.send("JOIN #x")
    t.expect("JOIN #x")
    w.send("JOIN #x")
    t.expect(r"^:flooder!.* JOIN #x")
    # fakelag holds the lines back; past the recvq (8192) it is Excess Flood
    for i in range(300):
        try:
            w.send("PRIVMSG #x :" + "f" * 100)
        except OSError:
            break
    t.expect(r"^:flooder!.* QUIT :Excess Flood")
    t.close()
    w.close()


def t_connection_limit_refused_with_403():
    s = Server(extra="[class]\nname = lo\nmatch = 127.0.0.0/8\nmax_per_ip = 1\n", tls=False)
    try:
        t = Tcp(s.tcp, "first")
        w = Ws(s.ws)
        assert w.response() == 403, w.status
        assert b"Too many connections from your IP" in w.body, w.body
        assert w.wait_eof()
        w.close()
        t.close()
    finally:
        s.stop()


def t_kline_and_dline_apply():
    s = Server(extra="[oper]\nname = op\npassword = pw\nhost = *\n", tls=False)
    try:
        o = Tcp(s.tcp, "boss")
        o.send("OPER op pw")
        o.expect(" 381 ")
        a = Ws(s.ws).open()
        a.send("NICK kb1")
        a.send("USER kbanned 0 * :x")
        a.expect(" 001 ")
        o.send("KLINE ~kbanned@* :no web")
        o.expect(r"K-line for \[~kbanned@\*\].*1 client\(s\) disconnected")
        a.expect(r"^ERROR :Closing Link: 127\.0\.0\.1 \(K-lined\)")
        assert a.close_code() == 1000
        assert a.wait_eof()
        a.close()
        b = Ws(s.ws).open()
        b.send("NICK kb2")
        b.send("USER kbanned 0 * :x")
        b.expect(r"You are banned from this server: no web")
        b.expect(r"\(K-lined\)")
        b.close()
        # D-line: refused at connect, before the upgrade: 403 with the ERROR line
        o.send("DLINE 127.0.0.2 :no net")
        o.expect(r"D-line for \[127\.0\.0\.2\]")
        d = Ws(s.ws, source="127.0.0.2")
        assert d.response() == 403, d.status
        assert b"D-lined" in d.body, d.body
        assert d.wait_eof()
        d.close()
        o.close()
    finally:
        s.stop()


# --- bad input: each bounded, with its close code or HTTP status ---

def t_bad_oversized_message_1009():
    s = srv()
    w = Ws(s.ws).open()
    w.send("PRIVMSG x :" + "a" * (IRC_INPUT_MAX + 10))
    assert w.close_code() == 1009
    assert w.wait_eof()


def t_bad_huge_length_header_1009():
    s = srv()
    w = Ws(s.ws).open()
    # a header announcing 1 TiB and the first bytes of it: refused at
    # once (wslay reads a frame's header with its first payload byte)
    w.s.sendall(w.frame(2, b"", length=1 << 40)[:14] + b"x" * 100)
    assert w.close_code() == 1009
    assert w.wait_eof()


def t_bad_fragmented_forever_1008():
    s = srv()
    w = Ws(s.ws).open()
    w.send_frame(1, b"PRIVMSG", fin=False)
    for _ in range(100):
        try:
            w.send_frame(0, b"", fin=False)
        except OSError:
            break
    assert w.close_code() == 1008
    assert w.wait_eof()


def t_bad_utf8_text_1007():
    s = srv()
    w = Ws(s.ws).open()
    w.send(b"NICK \xff\xfe")
    assert w.close_code() == 1007
    assert w.wait_eof()


def t_bad_unmasked_frame_1002():
    s = srv()
    w = Ws(s.ws).open()
    w.send_frame(1, b"NICK x", mask=False)
    assert w.close_code() == 1002
    assert w.wait_eof()


def t_bad_headers_400_426_405():
    s = srv()
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    base = ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % key)
    cases = [
        (base.replace("Sec-WebSocket-Key: %s\r\n" % key, ""), 400, b"Sec-WebSocket-Key"),
        (base.replace(key, "short=="), 400, b"Wrong Sec-WebSocket-Key"),
        (base.replace("Upgrade: websocket\r\n", ""), 400, b"Upgrade"),
        (base.replace("Connection: Upgrade\r\n", "Connection: keep-alive\r\n"), 400,
         b"Connection"),
        (base.replace("Host: x\r\n", ""), 400, b"Host"),
        (base.replace("Version: 13", "Version: 8"), 426, b"Version"),
        (base.replace("GET", "POST"), 405, b"GET"),
        ("NICK plainirc\r\nUSER a 0 * :b\r\n", 405, b"GET"),
        (base + "Sec-WebSocket-Key: %s\r\n" % key, 400, b"repeated"),
        ("\x00\x01garbage\r\n", 400, b"Malformed"),
    ]
    for req, status, why in cases:
        w = Ws(s.ws, request=req + "\r\n")
        got = w.response()
        assert got == status, (req, got, w.body)
        assert why in w.body, (req, w.body)
        if status == 426:
            assert w.headers.get("sec-websocket-version") == "13", w.headers
        assert w.wait_eof(), req
    # the same over TLS
    w = Ws(s.wss, tls=True, request=cases[0][0] + "\r\n")
    assert w.response() == 400
    assert w.wait_eof()


def t_bad_huge_headers_431():
    s = srv()
    w = Ws(s.ws, request="GET / HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    try:
        for i in range(40):
            w.s.sendall(("X-Pad-%d: %s\r\n" % (i, "p" * 400)).encode())
    except OSError:
        pass
    assert w.response() == 431, w.status
    assert w.wait_eof()
    assert time.monotonic() - t0 < HS_TIMEOUT, "431 at once, not at the timeout"


def t_bad_handshake_never_completes_408():
    s = srv()
    w = Ws(s.ws, request="GET / HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    # meanwhile the loop serves everyone else
    t = Tcp(s.tcp, "alive")
    t.send("PING :still")
    t.expect("PONG .*still", timeout=1)
    assert w.response(HS_TIMEOUT + 5) == 408
    took = time.monotonic() - t0
    assert HS_TIMEOUT - 0.5 <= took <= HS_TIMEOUT + 3, took
    assert w.wait_eof()
    t.close()
    # nothing at all: the same
    w = Ws(s.ws, request="")
    assert w.response(HS_TIMEOUT + 5) == 408
    assert w.wait_eof()
    # TLS done, no upgrade request: the same deadline
    w = Ws(s.wss, tls=True, request="")
    assert w.response(HS_TIMEOUT + 5) == 408
    assert w.wait_eof()


def t_bad_slow_loris_408():
    s = srv()
    w = Ws(s.ws, request="")
    req = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nX: " + b"y" * 200
    t0 = time.monotonic()
    t = Tcp(s.tcp, "loris")
    # a byte every 50 ms: never idle, never done; the deadline is total
    closed = False
    for i, b in enumerate(req):
        try:
            w.s.sendall(bytes([b]))
        except OSError:
            closed = True
            break
        if i % 8 == 0:
            t.send("PING :x")
            t.expect("PONG", timeout=1)  # the loop is not blocked
        r, _, _ = __import__("select").select([w.s], [], [], 0.05)
        if r:
            break
        if time.monotonic() - t0 > HS_TIMEOUT + 5:
            break
    if not closed:
        assert w.response(HS_TIMEOUT + 5) == 408, w.status
    took = time.monotonic() - t0
    assert took <= HS_TIMEOUT + 3, took
    assert w.wait_eof()
    t.close()


def t_origin_allow_list_403():
    s = Server(extra="[websocket]\norigins = https://good.example http://*.test.example\n",
               tls=False)
    try:
        w = Ws(s.ws, origin="https://evil.example")
        assert w.response() == 403, w.status
        assert b"Origin" in w.body
        assert w.wait_eof()
        w.close()
        Ws(s.ws, origin="https://good.example").open().close()
        Ws(s.ws, origin="http://a.test.example").open().close()
        Ws(s.ws).open().close()  # no Origin: not a browser
    finally:
        s.stop()


def t_zz_server_clean_exit():
    global SRV
    if SRV is not None:
        rc = SRV.stop()
        SRV = None
        assert rc in (0, -15), rc


if __name__ == "__main__":
    run_tests([v for k, v in sorted(globals().items()) if k.startswith("t_")])
