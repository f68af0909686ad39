#!/usr/bin/env python3
"""Minimal raw IRC client used by e2e_irssi.sh.

usage: rawclient.py HOST PORT NICK CMD_FIFO RECV_LOG TRANSCRIPT [LIFETIME_S]

Connects to HOST:PORT, registers as NICK, then:
  * every line received from the server is appended verbatim (CR/LF
    stripped) to RECV_LOG, flushed immediately, so the driving shell script
    can poll it with grep;
  * every line written to CMD_FIFO is sent to the server as-is (CRLF added);
  * PING is answered with PONG automatically;
  * TRANSCRIPT gets both directions ("<< " received, ">> " sent) for
    diagnostics.
Exits when the server closes the connection, or after LIFETIME_S seconds
(default 150) as a safety net so it can never outlive the test.
"""
import os
import select
import socket
import sys
import time


def main() -> int:
    host, port, nick, fifo, recv_path, tr_path = sys.argv[1:7]
    lifetime = float(sys.argv[7]) if len(sys.argv) > 7 else 150.0
    deadline = time.monotonic() + lifetime

    recv_log = open(recv_path, "ab", buffering=0)
    transcript = open(tr_path, "ab", buffering=0)
    # O_RDWR keeps the FIFO open even while no writer is attached, so we
    # never see a spurious EOF and never block in open().
    cmd_fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)

    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.setblocking(False)

    def send(line: bytes) -> None:
        sock.setblocking(True)
        sock.sendall(line + b"\r\n")
        sock.setblocking(False)
        transcript.write(b">> " + line + b"\n")

    send(b"NICK " + nick.encode())
    send(b"USER " + nick.encode() + b" 0 * :e2e raw client")

    sbuf = b""
    cbuf = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            transcript.write(b"!! lifetime expired\n")
            return 2
        r, _, _ = select.select([sock, cmd_fd], [], [], min(left, 1.0))
        if sock in r:
            try:
                data = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError as e:
                transcript.write(b"!! recv error: " + str(e).encode() + b"\n")
                return 0
            if data == b"":
                transcript.write(b"!! server closed the connection\n")
                return 0
            if data:
                sbuf += data
                while b"\n" in sbuf:
                    line, sbuf = sbuf.split(b"\n", 1)
                    line = line.rstrip(b"\r")
                    recv_log.write(line + b"\n")
                    transcript.write(b"<< " + line + b"\n")
                    if line.startswith(b"PING"):
                        send(b"PONG" + line[4:])
        if cmd_fd in r:
            try:
                data = os.read(cmd_fd, 65536)
            except BlockingIOError:
                data = b""
            cbuf += data
            while b"\n" in cbuf:
                line, cbuf = cbuf.split(b"\n", 1)
                line = line.rstrip(b"\r")
                if line:
                    send(line)


if __name__ == "__main__":
    sys.exit(main())
