#!/usr/bin/env python3
"""network5.py - past one process: a network of evircd servers on this
machine holding PER_SERVER registered clients each (issue 10,
docs/PERFORMANCE.md "Five servers, 90 000 clients").

  1. SERVERS evircd processes linked as a star (s1 the hub, the others
     connect to it) or a chain, each on its own loopback port.
  2. Registration: one evircd-bench `connect` process per server registers
     PER_SERVER - CHAN_PER_SERVER idle clients on it, all at once; the
     registration rate is over the whole network (every registration is
     also introduced to the other servers) and its CPU is the servers' sum.
  3. Fan-out: one evircd-bench `fanout` process puts CHAN_PER_SERVER members
     on every server into one channel and measures deliveries per CPU-second
     of all the servers together. Now every server holds PER_SERVER local
     clients and SERVERS x PER_SERVER users; RSS of every server.
  4. Netsplit: a probe client per server in the channel; the last leaf is
     killed (SIGKILL, by pid). Time until every other server has processed
     the split: its probe saw the QUIT of the leaf's probe and LUSERS
     counts the network without the leaf's users.
  5. Relink: the leaf is started again (autoconnect to its uplink); time
     until the uplink tells its operator probe "Link with ... established"
     (the leaf answered the PING after the uplink's burst: it has processed
     all of it), and the burst's size from STATS l.

Every wait is bounded; the generators and servers are ended by pid.
Loopback only (127.0.0.1); ports the kernel says are free.

Usage: tests/bench/network5.py [--evircd build/src/evircd] [--servers 5]
       [--per-server 18000] [--chan-per-server 1000] [--topology star]
The descriptor limit (`ulimit -Hn`) must be above PER_SERVER + 100 for the
servers and the generators; the soft limit is raised to it here.
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlib  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
T0 = time.monotonic()


def log(msg):
    print("[%6.1f s, load %s] %s" % (time.monotonic() - T0, netlib.loadavg(), msg), flush=True)


class Gen:
    """One evircd-bench process; its result line is read from stdout."""

    def __init__(self, argv, logpath):
        self.argv = argv
        self.err = open(logpath, "ab")
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.err,
                                  stdin=subprocess.DEVNULL)
        self.buf = b""
        self.result = None
        self.t_result = None

    def poll_line(self):
        d = os.read(self.p.stdout.fileno(), 65536)
        if not d:
            return False
        self.buf += d
        while b"\n" in self.buf:
            ln, self.buf = self.buf.split(b"\n", 1)
            ln = ln.decode()
            if ln.startswith("scenario="):
                self.result = netlib.kv(ln)
                self.t_result = time.monotonic()
        return True

    def end(self):
        if self.p.poll() is None:
            os.kill(self.p.pid, signal.SIGUSR1)
            try:
                self.p.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.p.pid, signal.SIGKILL)
                self.p.wait()
        self.err.close()


def wait_results(gens, timeout):
    end = time.monotonic() + timeout
    while any(g.result is None for g in gens):
        live = [g for g in gens if g.result is None and g.p.poll() is None]
        dead = [g for g in gens if g.result is None and g.p.poll() is not None]
        if dead:
            raise SystemExit("evircd-bench exited without a result: %s" % dead[0].argv)
        left = end - time.monotonic()
        if left <= 0:
            raise SystemExit("no result from %d generator(s) within %.0f s"
                             % (len(live), timeout))
        r, _, _ = select.select([g.p.stdout for g in live], [], [], left)
        for g in live:
            if g.p.stdout in r:
                g.poll_line()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", default=os.path.join(ROOT, "build", "src", "evircd"))
    ap.add_argument("--servers", type=int, default=5)
    ap.add_argument("--per-server", type=int, default=18000)
    ap.add_argument("--chan-per-server", type=int, default=1000)
    ap.add_argument("--senders", type=int, default=10)
    ap.add_argument("--duration", type=float, default=8)
    ap.add_argument("--topology", choices=("star", "chain"), default="star")
    ap.add_argument("--concurrency", type=int, default=500)
    a = ap.parse_args()
    n = a.servers
    idle = a.per_server - a.chan_per_server
    assert n >= 2 and idle >= 0 and a.chan_per_server >= 1

    soft, hard = netlib.raise_nofile()
    if a.per_server + 100 > soft:
        raise SystemExit("descriptor limit %d (hard %d) is below %d clients per server + 100"
                         % (soft, hard, a.per_server))
    bench = netlib.bench_binary(ROOT)
    work = tempfile.mkdtemp(prefix="evircd-network5-")
    binary = os.path.join(work, "evircd")
    subprocess.check_call(["cp", a.evircd, binary])  # one fixed binary for the run
    log("network5: %d servers (%s), %d clients each (%d idle + %d in #bench), "
        "descriptors %d/%d per process, work dir %s"
        % (n, a.topology, a.per_server, idle, a.chan_per_server, soft, hard, work))
    log("command: %s" % " ".join([sys.argv[0]] + sys.argv[1:]))

    names = ["s%d.bench" % (i + 1) for i in range(n)]
    ports = [netlib.free_port() for _ in range(n)]
    # uplink of server i: the hub (star) or the one before (chain)
    up = [None] + [0 if a.topology == "star" else i - 1 for i in range(1, n)]

    def conf(i):
        links = []
        if up[i] is not None:
            links.append({"name": names[up[i]], "address": True, "port": ports[up[i]],
                          "autoconnect": True, "hub": True})
        for j in range(n):
            if up[j] == i:
                links.append({"name": names[j], "hub": a.topology == "chain"})
        return netlib.evircd_conf(names[i], ports[i], links)

    servers = []
    gens = []
    probes = []
    slab0 = netlib.slab_kb()
    try:
        for i in range(n):
            servers.append(netlib.Server("evircd", binary, names[i], ports[i], conf(i), work))
        for s in servers:
            netlib.wait_servers(s.port, n, timeout=60)
        pids = [s.pid for s in servers]
        rss0 = [netlib.rss_kb(p) for p in pids]
        log("linked: %d servers, RSS %s KiB" % (n, rss0))

        # ---- 2. registration
        cpu0 = [netlib.cpu_s(p) for p in pids]
        t_reg0 = time.monotonic()
        if idle > 0:
            for i in range(n):
                gens.append(Gen([bench, "connect", "--port", str(ports[i]), "--clients",
                                 str(idle), "--nick-prefix", "i%d" % i, "--server-pid",
                                 str(pids[i]), "--concurrency", str(a.concurrency),
                                 "--linger", "1800", "--quiet", "--label", names[i]],
                                os.path.join(work, "gen-idle-%d.log" % i)))
            wait_results(gens, 900)
        t_reg1 = time.monotonic()
        cpu1 = [netlib.cpu_s(p) for p in pids]
        reg = sum(int(g.result["registered"]) for g in gens)
        failed = sum(int(g.result["failed"]) for g in gens)
        reg_wall = t_reg1 - t_reg0
        reg_cpu = sum(cpu1) - sum(cpu0)
        rss1 = [netlib.rss_kb(p) for p in pids]
        log("registration: %d registered (%d failed) on %d servers in %.2f s wall = %.0f/s; "
            "servers' CPU %.2f s = %.0f registrations per CPU-s (each also introduced to "
            "%d other servers); per generator reg_s %s"
            % (reg, failed, n, reg_wall, reg / reg_wall if reg_wall else 0, reg_cpu,
               reg / reg_cpu if reg_cpu else 0, n - 1,
               [g.result.get("reg_s") for g in gens]))
        log("after registration: RSS per server %s KiB: +%.0f KiB each on average for %d "
            "local and %d remote idle users"
            % (rss1, (sum(rss1) - sum(rss0)) / n, idle, idle * (n - 1)))

        # ---- 3. fan-out
        fan = Gen([bench, "fanout", "--port", ",".join(map(str, ports)), "--clients",
                   str(a.chan_per_server * n), "--senders", str(a.senders), "--duration",
                   str(a.duration), "--server-pid", ",".join(map(str, pids)), "--concurrency",
                   str(a.concurrency), "--nick-prefix", "c", "--linger", "1800", "--quiet",
                   "--timeout", "120", "--label", "network%d" % n],
                  os.path.join(work, "gen-fanout.log"))
        gens.append(fan)
        t_f0 = time.monotonic()
        wait_results([fan], 900)
        f = fan.result
        log("fan-out: %s members, %s senders: %s deliveries/s, %s deliveries per CPU-s of "
            "all %d servers (cpu_s %s), lost %s, p50 %s us, p99 %s us (phase %.1f s)"
            % (f.get("joined"), f.get("senders"), f.get("deliveries_per_s"),
               f.get("deliveries_per_cpu_s"), n, f.get("cpu_s"), f.get("lost"),
               f.get("lat_p50_us"), f.get("lat_p99_us"), time.monotonic() - t_f0))

        # ---- state and memory with every client there
        probes = [netlib.Probe(ports[i], "pk%d" % i) for i in range(n)]
        total_users, nserv = netlib.users_on(probes[0])
        rss = [netlib.rss_kb(p) for p in pids]
        slab1 = netlib.slab_kb()
        log("network: %d users on %d servers (LUSERS of %s); RSS per server %s KiB, total "
            "%.1f MiB; growth since linked %.1f MiB = %.0f bytes per client of the network "
            "(each server holds all %d users, %d of them local); kernel slab +%.0f MiB"
            % (total_users, nserv, names[0], rss, sum(rss) / 1024.0,
               (sum(rss) - sum(rss0)) / 1024.0, (sum(rss) - sum(rss0)) * 1024.0 / total_users,
               total_users, a.per_server, (slab1 - slab0) / 1024.0))

        # ---- 4. netsplit: kill the last leaf
        for p in probes:
            p.send("JOIN #bench")
        for p in probes:
            p.expect(r" 366 ", 60)
        want = int(f.get("joined", 0)) + n
        for p in probes:  # every server sees every probe in the channel
            for _ in range(400):
                p.send("LIST #bench")
                m = p.expect(r" 322 \S+ #bench (\d+) ", 30)
                if int(m.group(1)) >= want:
                    break
                time.sleep(0.05)  # another server's JOIN still on its way
        victim = n - 1
        uplink = up[victim]
        probes[uplink].oper()
        users_before = netlib.users_on(probes[0])[0]
        # the victim's local users: its idle clients, its channel members, its probe
        local_victim = (idle + a.chan_per_server + 1)
        expect_after = users_before - local_victim
        for p in probes:
            p.lines.clear()
        others = [i for i in range(n) if i != victim]
        cpu_s0 = [netlib.cpu_s(pids[i]) for i in others]
        t_k = time.monotonic()
        servers[victim].kill()
        t_gone = time.monotonic() - t_k  # SIGKILL sent, process reaped
        done = {}
        quits = {i: 0 for i in others}
        end = t_k + 120
        while len(done) < len(others):
            if time.monotonic() > end:
                raise SystemExit("netsplit not processed everywhere within 120 s: %s" % done)
            live = [probes[i] for i in others if i not in done]
            r, _, _ = select.select(live, [], [], end - time.monotonic())
            for i in others:
                p = probes[i]
                if i in done or p not in r:
                    continue
                if not p.feed():
                    raise SystemExit("probe on %s closed" % names[i])
                while p.lines:
                    ln = p.lines.pop(0)
                    parts = ln.split(" ")
                    if len(parts) > 1 and parts[1] == "QUIT":
                        quits[i] += 1
                        if ln.startswith(":pk%d!" % victim):
                            p.send("LUSERS")
                    elif len(parts) > 1 and parts[1] == "251":
                        u, s_ = netlib.users_on_line(ln)
                        if u == expect_after and s_ == n - 1:
                            done[i] = time.monotonic() - t_k
                        else:
                            p.send("LUSERS")
        cpu_s1 = [netlib.cpu_s(pids[i]) for i in others]
        log("netsplit: %s killed (%d users of the network, %d of them on it); every other server processed "
            "it within %.3f s of the SIGKILL (the process was reaped after %.3f s; per "
            "server: %s); channel QUITs seen per probe %s; servers' CPU %.2f s"
            % (names[victim], users_before, local_victim, max(done.values()), t_gone,
               {names[i]: round(t, 3) for i, t in sorted(done.items())},
               {names[i]: q for i, q in quits.items()}, sum(cpu_s1) - sum(cpu_s0)))

        # ---- 5. relink: start the leaf again
        probes[victim].s.close()
        probes[uplink].lines.clear()
        hub_cpu0 = netlib.cpu_s(pids[uplink])
        t_r = time.monotonic()
        servers[victim] = netlib.Server("evircd", binary, names[victim], ports[victim],
                                        conf(victim), work)
        m = probes[uplink].expect(r"Link with %s established" % names[victim].replace(".", r"\."),
                                  120)
        t_linked = time.monotonic() - t_r
        leaf_cpu = netlib.cpu_s(servers[victim].pid)
        hub_cpu = netlib.cpu_s(pids[uplink]) - hub_cpu0
        probes[uplink].send("STATS l")
        kib = None
        while True:
            ln = probes[uplink].next_line(time.monotonic() + 30)
            if ln is None or " 219 " in ln:
                break
            parts = ln.split()
            if len(parts) > 6 and parts[1] == "211" and parts[3] == names[victim]:
                kib = int(parts[6])
        probes[victim] = netlib.Probe(ports[victim], "pk%d" % victim)
        u, s_ = netlib.users_on(probes[victim])
        log("relink: %s started again; its uplink %s saw the end of its burst after %.3f s "
            "(process start, connect, handshake, burst of %s KiB, processed; CPU: the leaf "
            "%.2f s since its start, the uplink %.2f s); %s now counts %d users on %d servers"
            % (names[victim], names[uplink], t_linked, kib, leaf_cpu, hub_cpu, names[victim],
               u, s_))
        log("done; load %s" % netlib.loadavg())
    finally:
        for p in probes:
            try:
                p.s.close()
            except OSError:
                pass
        for s in servers:
            s.stop()
        for g in gens:
            g.end()


if __name__ == "__main__":
    main()
