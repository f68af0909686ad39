#!/usr/bin/env python3
"""link_burst.py - burst figures for server links (issue 10, docs/NETWORK.md,
docs/PERFORMANCE.md), evircd and the Debian ngIRCd in the same run.

For each pair SENDER -> RECEIVER (evircd or ngIRCd each):
  1. the sender starts; a fake server (b.test, a hub, this script) links to
     it and introduces USERS users in CHANNELS channels (NICK, CHANINFO,
     NJOIN), then PING: "incoming" is the time until the sender's PONG (it
     has processed all of it), and its RSS growth per remote user;
  2. the receiver starts empty but for one client (rp); an operator on the
     sender sends CONNECT <receiver>; the sender's burst goes out, and a
     client on the sender (sp) sends PRIVMSG rp as soon as rp is known: the
     message follows the burst on the link, so when rp has it the receiver
     has processed the whole burst. Figures: time from CONNECT to then, the
     bytes the receiver read meanwhile (/proc/PID/io rchar), both servers'
     CPU, and the receiver's RSS growth per remote user (with its channel
     memberships and a CHANNELS/USERS share of a channel).

Usage: tests/bench/link_burst.py [--evircd build/src/evircd] [--users 10000]
       [--channels 1000] [--pairs evircd:evircd,evircd:ngircd,...] [--reps 1]
Loopback only; every server is started and stopped (by pid) here.
"""
import argparse
import os
import select
import socket
import statistics
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlib  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def read_until(sock, needle, timeout=120):
    """Read until a line containing needle; return bytes read."""
    sock.settimeout(timeout)
    buf = b""
    total = 0
    while True:
        d = sock.recv(1 << 20)
        if not d:
            raise SystemExit("server closed the link: %r" % buf[-300:])
        total += len(d)
        buf += d
        *lines, buf = buf.split(b"\r\n")
        for ln in lines:
            if needle in ln:
                return total


def fake_burst(users, channels):
    per = max(1, users // channels) if channels else 0
    out = []
    for i in range(users):
        out.append(":b.test NICK u%d 1 ~u%d 10.%d.%d.%d 1 +i :Bench user %d\r\n"
                   % (i, i, (i >> 16) & 255, (i >> 8) & 255, i & 255, i))
    for c in range(channels):
        members = ",".join(("@" if k == 0 else "") + "u%d" % (c * per + k)
                           for k in range(per) if c * per + k < users)
        out.append(":b.test CHANINFO #chan%d +nt :topic of channel %d\r\n" % (c, c))
        out.append(":b.test NJOIN #chan%d :%s\r\n" % (c, members))
    return "".join(out).encode() + b":b.test PING :b.test\r\n"


def start(kind, binary, name, port, links, work):
    if kind == "evircd":
        conf = netlib.evircd_conf(name, port, links)
    else:
        conf = netlib.ngircd_conf(name, port, links)
    return netlib.Server(kind, binary, name, port, conf, work)


def one(a, binary, skind, rkind, work):
    sname, rname = "s-%s.bench" % skind, "r-%s.bench" % rkind
    sport, rport = netlib.free_port(), netlib.free_port()
    # the sender accepts b.test (a hub) and connects to the receiver on CONNECT
    slinks = [{"name": "b.test", "hub": True},
              {"name": rname, "address": True, "port": rport, "passive": True}]
    snd = start(skind, binary[skind], sname, sport, slinks, work)
    rcv = None
    res = {"pair": "%s->%s" % (skind, rkind), "load": netlib.loadavg()}
    try:
        # 1. the fake server's burst into the sender
        rss0 = netlib.rss_kb(snd.pid)
        b = socket.create_connection(("127.0.0.1", sport))
        b.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        b.sendall(("PASS %s 0210-IRC+ bench|1:CL P\r\nSERVER b.test 1 :bench\r\n"
                   % netlib.LINK_PW).encode())
        read_until(b, b"PING")
        b.sendall(b":b.test PONG %s :%s\r\n" % (sname.encode(), sname.encode()))
        data = fake_burst(a.users, a.channels)
        c0 = netlib.cpu_s(snd.pid)
        t0 = time.monotonic()
        b.sendall(data)
        read_until(b, b"PONG")
        res["in_s"] = time.monotonic() - t0
        res["in_cpu"] = netlib.cpu_s(snd.pid) - c0
        res["in_bytes"] = len(data)
        res["in_rss_per_user"] = (netlib.rss_kb(snd.pid) - rss0) * 1024.0 / a.users

        # 2. the sender's burst to a real receiver
        rcv = start(rkind, binary[rkind], rname, rport, [{"name": sname, "hub": True}], work)
        rp = netlib.Probe(rport, "rp")
        sp = netlib.Probe(sport, "sp")
        sp.oper()
        rss_r0 = netlib.rss_kb(rcv.pid)
        io0 = netlib.io_rchar(rcv.pid)
        cs0, cr0 = netlib.cpu_s(snd.pid), netlib.cpu_s(rcv.pid)
        t0 = time.monotonic()
        sp.send("CONNECT %s" % rname)
        # PRIVMSG rp until the sender knows rp (no 401): that one follows
        # the burst on the link; rp's arrival is timed as it comes
        t1 = None
        deadline = t0 + 120
        sp.send("PRIVMSG rp :burst-marker")
        while t1 is None:
            if time.monotonic() > deadline:
                raise SystemExit("no burst marker at rp within 120 s")
            r, _, _ = select.select([sp, rp], [], [], deadline - time.monotonic())
            if rp in r:
                if not rp.feed():
                    raise SystemExit("rp lost its server")
                if any("PRIVMSG rp :burst-marker" in ln for ln in rp.lines):
                    t1 = time.monotonic()
                rp.lines.clear()
            if sp in r:
                if not sp.feed():
                    raise SystemExit("sp lost its server")
                n401 = sum(1 for ln in sp.lines if " 401 " in ln)
                sp.lines.clear()
                if n401:
                    sp.send("PRIVMSG rp :burst-marker")
        res["out_s"] = t1 - t0
        res["out_bytes"] = netlib.io_rchar(rcv.pid) - io0
        res["out_cpu_sender"] = netlib.cpu_s(snd.pid) - cs0
        res["out_cpu_receiver"] = netlib.cpu_s(rcv.pid) - cr0
        res["out_rss_per_user"] = (netlib.rss_kb(rcv.pid) - rss_r0) * 1024.0 / a.users
        u, _ = netlib.users_on(rp)
        res["receiver_users"] = u
        res["load_after"] = netlib.loadavg()
        b.close()
        rp.close()
        sp.close()
    finally:
        snd.stop()
        if rcv:
            rcv.stop()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", default=os.path.join(ROOT, "build", "src", "evircd"))
    ap.add_argument("--ngircd", default=netlib.ngircd_bin())
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--channels", type=int, default=1000)
    ap.add_argument("--pairs", default="evircd:evircd,evircd:ngircd,ngircd:evircd,ngircd:ngircd")
    ap.add_argument("--reps", type=int, default=1)
    a = ap.parse_args()
    netlib.raise_nofile()
    binary = {"evircd": a.evircd, "ngircd": a.ngircd}
    work = tempfile.mkdtemp(prefix="evircd-linkburst-")
    pairs = [tuple(p.split(":")) for p in a.pairs.split(",")]
    pairs = [p for p in pairs if binary.get(p[0]) and binary.get(p[1])]
    print("link_burst: %d users in %d channels (%d members each); load %s; work dir %s"
          % (a.users, a.channels, max(1, a.users // a.channels) if a.channels else 0,
             netlib.loadavg(), work),
          flush=True)
    allres = {}
    for rep in range(a.reps):
        for s, r in pairs:
            res = one(a, binary, s, r, work)
            allres.setdefault(res["pair"], []).append(res)
            print("%s: fake burst into %s %.3f s (CPU %.2f s, %d bytes, RSS %.0f B/user); "
                  "burst to %s %.3f s (%d bytes read, CPU sender %.2f s receiver %.2f s, "
                  "RSS %.0f B/user, receiver counts %d users); load %s -> %s"
                  % (res["pair"], s, res["in_s"], res["in_cpu"], res["in_bytes"],
                     res["in_rss_per_user"], r, res["out_s"], res["out_bytes"],
                     res["out_cpu_sender"], res["out_cpu_receiver"], res["out_rss_per_user"],
                     res["receiver_users"], res["load"], res["load_after"]), flush=True)
    print()
    print("%-16s %10s %10s %12s %12s %12s %12s" % ("sender->receiver", "burst s", "bytes",
                                                   "CPU snd s", "CPU rcv s", "rcv B/user",
                                                   "fake-in s"))
    for pair, rs in allres.items():
        def med(k):
            return statistics.median(x[k] for x in rs)
        print("%-16s %10.3f %10.0f %12.2f %12.2f %12.0f %12.3f"
              % (pair, med("out_s"), med("out_bytes"), med("out_cpu_sender"),
                 med("out_cpu_receiver"), med("out_rss_per_user"), med("in_s")))
    print("medians of %d run(s); load at the end %s" % (a.reps, netlib.loadavg()))


if __name__ == "__main__":
    main()
