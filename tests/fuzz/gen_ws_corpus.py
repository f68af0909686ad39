#!/usr/bin/env python3
"""gen_ws_corpus.py - write the seed corpus of fuzz_ws (tests/fuzz/corpus/ws)
and its regression inputs (tests/fuzz/regress/ws). The input format is at the
top of fuzz_ws.c: a mode byte, then raw bytes or [b, n, payload] records."""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
REQ = ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % KEY)


def rec(b, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return bytes([b, len(payload)]) + payload


def text(line, fin=True):
    return rec((0x80 if fin else 0) | 1, line)


REG = text("NICK seed") + text("USER s 0 * :seed")

seeds = {
    # handshake by the harness, text, registered by the harness, chat
    "seed-text-chat": bytes([0x01 | 0x02 | 0x08 | 0x20]) + text("PRIVMSG peer :hi")
    + text("PRIVMSG #w :\u00e9t\u00e9") + rec(0x89, "ping") + rec(0x88, struct.pack("!H", 1000)),
    "seed-binary": bytes([0x01 | 0x04 | 0x08 | 0x20]) + rec(0x82, b"PRIVMSG peer :caf\xe9")
    + rec(0x82, "LIST") + rec(0x82, "WHOIS wz"),
    "seed-noproto": bytes([0x01 | 0x08]) + rec(0x82, "NICK b") + rec(0x82, "USER b 0 * :b"),
    "seed-fragments": bytes([0x01 | 0x02 | 0x08]) + text("NICK ", fin=False)
    + rec(0x89, "p") + rec(0x00, "frag") + rec(0x80, "") + REG,
    "seed-fragmented-ping": bytes([0x01 | 0x02 | 0x08]) + text("NICK ", fin=False)
    + rec(0x09, "p") + rec(0x80, "x"),
    "seed-bad-utf8": bytes([0x01 | 0x02 | 0x08]) + rec(0x81, b"NICK \xff"),
    "seed-utf8-to-text": bytes([0x01 | 0x02 | 0x08 | 0x20]) + b"\xffa\xc3\xe2\x82",
    "seed-close-codes": bytes([0x01 | 0x06 | 0x08]) + REG + rec(0x88, struct.pack("!H", 1001) + b"bye"),
    "seed-rsv-opcode": bytes([0x01 | 0x02 | 0x08]) + rec(0xC1, "x") + rec(0x83, "y"),
    "seed-bytewise": bytes([0x01 | 0x02 | 0x08 | 0x10]) + REG + text("JOIN #a"),
    "seed-timeout-registration": bytes([0x01 | 0x02 | 0x08 | 0x40]) + text("NICK late"),
    "seed-eof": bytes([0x01 | 0x02 | 0x08 | 0x80]) + REG,
    # the request is the input
    "seed-raw-request": bytes([0x00]) + (REQ + "Sec-WebSocket-Protocol: binary.ircv3.net\r\n"
                                         "Origin: https://a.example\r\n\r\n").encode(),
    "seed-raw-bad-origin": bytes([0x00]) + (REQ + "Origin: https://evil\r\n\r\n").encode(),
    "seed-raw-no-key": bytes([0x00]) + REQ.replace("Sec-WebSocket-Key: %s\r\n" % KEY, "").encode()
    + b"\r\n",
    "seed-raw-version": bytes([0x00]) + REQ.replace(": 13", ": 8").encode() + b"\r\n",
    "seed-raw-post": bytes([0x00]) + REQ.replace("GET", "POST").encode() + b"\r\n",
    "seed-raw-huge": bytes([0x00]) + REQ.encode() + b"X-Pad: " + b"p" * 9000 + b"\r\n\r\n",
    "seed-raw-incomplete-timeout": bytes([0x40]) + b"GET / HTTP/1.1\r\nHost: x\r\n",
    "seed-raw-lf-only": bytes([0x00]) + REQ.replace("\r\n", "\n").encode() + b"\n",
}
regress = {
    # a header announcing 2^40 bytes: refused with 1009 at its first byte
    "huge-length-header": bytes([0x01 | 0x02]) + b"\x82\xff" + struct.pack("!Q", 1 << 40)
    + b"\x00\x00\x00\x00" + b"x" * 64,
    # 100 empty continuation frames: 1008
    "fragmented-forever": bytes([0x01 | 0x02 | 0x08]) + text("PRIVMSG", fin=False)
    + rec(0x00, "") * 100,
    # an unmasked client frame: 1002 (raw after the harness's request)
    "unmasked": bytes([0x01 | 0x02]) + b"\x81\x06NICK x",
}
for d, items in (("corpus", seeds), ("regress", regress)):
    os.makedirs(os.path.join(here, d, "ws"), exist_ok=True)
    for name, data in items.items():
        with open(os.path.join(here, d, "ws", name), "wb") as f:
            f.write(data)
