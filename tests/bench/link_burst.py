#!/usr/bin/env python3
"""link_burst.py - figures for server links (issue 10, docs/NETWORK.md):

  * incoming burst: a fake server (b.test) links to evircd and introduces
    USERS users in CHANNELS channels (NICK + NJOIN); time until evircd
    answers the PING after it, and evircd's RSS growth per remote user
    (users, their channel memberships and the channels together);
  * outgoing burst: a second fake server (c.test) links; time and bytes of
    the burst evircd sends it (SERVER, NICK, CHANINFO/NJOIN, up to its PING).

Usage: tests/bench/link_burst.py --evircd build/src/evircd [--users 10000]
       [--channels 1000]
Loopback only; the server is started and stopped (by pid) by this script.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def read_until(sock, needle, timeout=120):
    """Read until a line containing needle; return (bytes read, seconds)."""
    sock.settimeout(timeout)
    buf = b""
    total = 0
    t0 = time.monotonic()
    while True:
        d = sock.recv(1 << 20)
        if not d:
            raise SystemExit("server closed the link: %r" % buf[-300:])
        total += len(d)
        buf += d
        lines = buf.split(b"\r\n")
        buf = lines.pop()
        for ln in lines:
            if needle in ln:
                return total, time.monotonic() - t0


def link(port, name):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(("PASS pw 0210-IRC+ bench|1:CL P\r\nSERVER %s 1 :bench\r\n" % name).encode())
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", required=True)
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--channels", type=int, default=1000)
    a = ap.parse_args()

    port = free_port()
    d = tempfile.mkdtemp(prefix="evircd-linkbench-")
    conf = os.path.join(d, "a.conf")
    with open(conf, "w") as f:
        f.write("[server]\nname = a.test\n[listen]\naddress = 127.0.0.1\nport = %d\n"
                "[limits]\nping_interval = 600\nping_timeout = 600\n"
                "[link]\nname = b.test\npassword = pw\nhub = yes\nrecvq = 67108864\n"
                "[link]\nname = c.test\npassword = pw\nsendq = 268435456\n" % port)
    srv = subprocess.Popen([a.evircd, "-c", conf], stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.02)
        rss0 = rss_kb(srv.pid)

        b = link(port, "b.test")
        read_until(b, b"PING")
        b.sendall(b":b.test PONG a.test :a.test\r\n")
        per = max(1, a.users // a.channels)
        out = []
        for i in range(a.users):
            out.append(":b.test NICK u%d 1 ~u%d 10.%d.%d.%d 1 +i :Bench user %d\r\n"
                       % (i, i, (i >> 16) & 255, (i >> 8) & 255, i & 255, i))
        for c in range(a.channels):
            members = ",".join(("@" if k == 0 else "") + "u%d" % (c * per + k)
                               for k in range(per) if c * per + k < a.users)
            out.append(":b.test CHANINFO #chan%d +nt :topic of channel %d\r\n" % (c, c))
            out.append(":b.test NJOIN #chan%d :%s\r\n" % (c, members))
        data = "".join(out).encode() + b":b.test PING :b.test\r\n"
        t0 = time.monotonic()
        b.sendall(data)
        read_until(b, b"PONG")
        t_in = time.monotonic() - t0
        rss1 = rss_kb(srv.pid)

        c = link(port, "c.test")
        t0 = time.monotonic()
        nbytes, _ = read_until(c, b"PING :a.test")
        t_out = time.monotonic() - t0

        print("users %d, channels %d (%d members each)" % (a.users, a.channels, per))
        print("incoming burst: %d bytes processed in %.3f s (%.0f users/s)"
              % (len(data), t_in, a.users / t_in))
        print("memory: RSS %d -> %d KiB: %.0f bytes per remote user "
              "(with its membership and 1/%d of a channel)"
              % (rss0, rss1, (rss1 - rss0) * 1024.0 / a.users, per))
        print("outgoing burst to a new link: %d bytes in %.3f s" % (nbytes, t_out))
        b.close()
        c.close()
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    sys.exit(main())
