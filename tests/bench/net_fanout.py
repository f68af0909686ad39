#!/usr/bin/env python3
"""net_fanout.py - channel fan-out when the members are spread over a chain
of linked servers (issue 10, docs/PERFORMANCE.md).

For each setup, in the same run and alternating, REPS times:
  evircd1  one evircd, every member on it
  evircd3  evircd A - B - C in a chain (B connects to both), the members
           spread evenly (client i on server i mod 3), senders on all three
  ngircd1, ngircd3  the same with the Debian ngIRCd (skipped if missing)
evircd-bench fanout runs against the servers' ports (--port A,B,C) and reads
their CPU from /proc (--server-pid A,B,C): deliveries per CPU-second are the
deliveries counted by the generator over the CPU of all the servers.

Usage: tests/bench/net_fanout.py [--evircd build/src/evircd] [--clients 999]
       [--senders 9] [--duration 8] [--reps 3] [--setups evircd1,evircd3,...]
Loopback only; every server is started and stopped (by pid) here.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlib  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def start_chain(kind, binary, n, workdir):
    """n servers s1..sn in a chain; the middle ones connect out."""
    names = ["%s%d.bench" % (kind[:2], i + 1) for i in range(n)]
    ports = [netlib.free_port() for _ in range(n)]
    servers = []
    for i in range(n):
        links = []
        for j in (i - 1, i + 1):
            if j < 0 or j >= n:
                continue
            # the server with the even index connects out (B in A-B-C)
            out = (i % 2 == 1)
            links.append({"name": names[j], "port": ports[j] if out else 0,
                          "address": out, "autoconnect": out, "hub": True})
        if kind == "evircd":
            conf = netlib.evircd_conf(names[i], ports[i], links)
        else:
            conf = netlib.ngircd_conf(names[i], ports[i], links)
        servers.append(netlib.Server(kind, binary, names[i], ports[i], conf, workdir))
    try:
        for s in servers:
            netlib.wait_servers(s.port, n, timeout=60)
    except BaseException:
        for s in servers:  # the network did not form: stop what was started
            s.stop()
        raise
    return servers


def run_one(args, bench, kind, binary, n, rep, workdir):
    servers = start_chain(kind, binary, n, workdir)
    try:
        load = netlib.loadavg()
        conc = 500 if kind == "evircd" else 8 * n
        argv = [bench, "fanout", "--port", ",".join(str(s.port) for s in servers),
                "--server-pid", ",".join(str(s.pid) for s in servers),
                "--clients", str(args.clients), "--senders", str(args.senders),
                "--duration", str(args.duration), "--concurrency", str(conc),
                "--nick-prefix", "f%d" % rep, "--label", "%s%d" % (kind, n), "--quiet"]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=args.duration + 300)
        line = [x for x in r.stdout.splitlines() if x.startswith("scenario=")]
        if not line:
            print("no result from %s%d: %s" % (kind, n, r.stderr[-2000:]), file=sys.stderr)
            return None
        d = netlib.kv(line[-1])
        d["load"] = load
        d["load_after"] = netlib.loadavg()
        d["cmd"] = " ".join(argv)
        return d
    finally:
        for s in servers:
            s.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", default=os.path.join(ROOT, "build", "src", "evircd"))
    ap.add_argument("--ngircd", default=netlib.ngircd_bin())
    ap.add_argument("--clients", type=int, default=999)
    ap.add_argument("--senders", type=int, default=9)
    ap.add_argument("--duration", type=float, default=8)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--setups", default="evircd1,evircd3,ngircd1,ngircd3")
    args = ap.parse_args()
    netlib.raise_nofile()
    bench = netlib.bench_binary(ROOT)
    workdir = tempfile.mkdtemp(prefix="evircd-netfanout-")
    binary = {"evircd": args.evircd, "ngircd": args.ngircd}
    setups = []
    for s in args.setups.split(","):
        kind, n = s[:-1], int(s[-1])
        if not binary.get(kind):
            print("%s not found: skipping %s" % (kind, s), file=sys.stderr)
            continue
        setups.append((kind, n))
    print("net_fanout: %d clients, %d senders, %.0f s, %d rep(s); load %s; work dir %s"
          % (args.clients, args.senders, args.duration, args.reps, netlib.loadavg(), workdir))
    res = {}
    for rep in range(1, args.reps + 1):
        for kind, n in setups:
            d = run_one(args, bench, kind, binary[kind], n, rep, workdir)
            if d is None:
                continue
            res.setdefault((kind, n), []).append(d)
            print("%s%d rep %d: deliveries/s %s, per server CPU-s %s, cpu_s %s, per write %s, "
                  "lost %s, p50 %s us, p99 %s us, load %s -> %s"
                  % (kind, n, rep, d.get("deliveries_per_s"), d.get("deliveries_per_cpu_s"),
                     d.get("cpu_s"), d.get("deliveries_per_write"), d.get("lost"),
                     d.get("lat_p50_us"), d.get("lat_p99_us"), d["load"], d["load_after"]),
                  flush=True)
    print()
    print("%-10s %14s %18s %12s %10s %10s %6s" % ("setup", "deliveries/s",
                                                  "deliveries/CPU-s", "per write", "p50 us",
                                                  "p99 us", "lost"))
    for (kind, n), ds in res.items():
        def med(k):
            v = [float(d[k]) for d in ds if d.get(k) not in (None, "na")]
            return statistics.median(v) if v else float("nan")
        print("%-10s %14.0f %18.0f %12.1f %10.0f %10.0f %6.0f"
              % ("%s%d" % (kind, n), med("deliveries_per_s"), med("deliveries_per_cpu_s"),
                 med("deliveries_per_write"), med("lat_p50_us"), med("lat_p99_us"),
                 max(float(d["lost"]) for d in ds)))
    print("medians of %d run(s); load at the end %s" % (args.reps, netlib.loadavg()))


if __name__ == "__main__":
    main()
