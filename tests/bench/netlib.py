"""netlib.py - helpers for the network benchmarks (net_fanout.py, network5.py,
link_burst.py): configurations for evircd and ngIRCd servers linked on
loopback, starting and stopping them by pid, /proc readings, and a small
blocking IRC client ("probe") with bounded waits.

Everything listens on 127.0.0.1 on ports the kernel says are free; every
process started here is stopped here, by its pid.
"""

import os
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import time

LINK_PW = "bench-link-pw"
OPER_NAME = "bench"
OPER_PW = "bench-oper-pw"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def raise_nofile():
    """Soft descriptor limit up to the hard one (inherited by children)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_s(pid):
    """utime + stime of the process (all its threads), seconds."""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def io_rchar(pid):
    with open("/proc/%d/io" % pid) as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def slab_kb():
    """Kernel slab (reclaimable + not): where socket memory shows."""
    n = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                n = int(line.split()[1])
    return n


def ngircd_bin():
    for p in ("/usr/sbin/ngircd", shutil.which("ngircd") or ""):
        if p and os.access(p, os.X_OK):
            return p
    return None


def evircd_conf(name, port, links=(), extra=""):
    """links: dicts with name and optional address/port/autoconnect/hub."""
    t = ("[server]\nname = %s\nnetwork = BenchNet\ndescription = bench %s\n"
         "[listen]\naddress = 127.0.0.1\nport = %d\n"
         "[limits]\nmax_clients = 100000\nping_interval = 600\nping_timeout = 600\n"
         "registration_timeout = 120\nnicklen = 30\nmax_channels_per_user = 100\n"
         "sendq = 4194304\nrecvq = 1048576\n"
         "[flood]\nenabled = no\n"
         "[oper]\nname = %s\npassword = %s\nhost = *\n" % (name, name, port, OPER_NAME, OPER_PW))
    for ln in links:
        t += "[link]\nname = %s\npassword = %s\nsendq = 67108864\nrecvq = 4194304\n" % (
            ln["name"], LINK_PW)
        if ln.get("address"):
            t += "address = 127.0.0.1\nport = %d\n" % ln["port"]
        if ln.get("autoconnect"):
            t += "autoconnect = yes\nconnect_retry = 1\n"
        if ln.get("hub"):
            t += "hub = yes\n"
    return t + extra


def ngircd_conf(name, port, links=(), extra=""):
    """ngIRCd with evircd-bench's settings (tests/bench/peers/ngircd.conf);
    links: dicts with name and optional port (then ngIRCd connects out)."""
    t = ("[Global]\nName = %s\nInfo = bench %s\nListen = 127.0.0.1\nPorts = %d\n"
         "MotdPhrase = bench\nAdminInfo1 = bench\nAdminInfo2 = loopback\n"
         "AdminEMail = nobody@localhost\nPidFile =\n"
         "[Limits]\nMaxConnections = 0\nMaxConnectionsIP = 0\nMaxJoins = 0\n"
         "MaxNickLength = 30\nMaxPenaltyTime = 0\nPingTimeout = 600\nPongTimeout = 600\n"
         "ConnectRetry = 5\n"
         "[Options]\nDNS = no\nIdent = no\nPAM = no\nNoticeBeforeRegistration = no\n"
         "MorePrivacy = no\nChrootDir =\nIncludeDir = /nonexistent-evircd-bench\n"
         "[Operator]\nName = %s\nPassword = %s\n" % (name, name, port, OPER_NAME, OPER_PW))
    for ln in links:
        t += "[Server]\nName = %s\nMyPassword = %s\nPeerPassword = %s\n" % (
            ln["name"], LINK_PW, LINK_PW)
        if ln.get("port"):
            t += "Host = 127.0.0.1\nPort = %d\n" % ln["port"]
        if ln.get("passive"):
            t += "Passive = yes\n"
    return t + extra


class Server:
    """One server process: kind 'evircd' or 'ngircd', started in the
    foreground on conf text, stderr/stdout to a log file."""

    def __init__(self, kind, binary, name, port, conf, workdir, cpu=None):
        self.kind, self.name, self.port = kind, name, port
        self.conf = os.path.join(workdir, "%s.conf" % name)
        self.logf = os.path.join(workdir, "%s.log" % name)
        with open(self.conf, "w") as f:
            f.write(conf)
        os.chmod(self.conf, 0o644)
        if kind == "evircd":
            argv = [binary, "-c", self.conf]
        else:
            argv = [binary, "-n", "-f", self.conf]
        if cpu is not None:
            argv = ["taskset", "-c", str(cpu)] + argv
        self.log = open(self.logf, "ab")
        self.t_start = time.monotonic()
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                  stderr=subprocess.STDOUT)
        self.pid = self.p.pid
        end = time.monotonic() + 15
        while time.monotonic() < end:
            if self.p.poll() is not None:
                raise SystemExit("%s exited at start; see %s" % (name, self.logf))
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)  # an external program's start: nothing to await but its port
        self.kill()
        raise SystemExit("%s does not accept on port %d" % (name, port))

    def alive(self):
        return self.p.poll() is None

    def kill(self):
        """SIGKILL, as a crash or a pulled cable would end it."""
        if self.p.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.p.wait()
        self.log.close()

    def stop(self, timeout=20):
        if self.p.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.p.wait()
        self.log.close()


class Probe:
    """A blocking IRC client with bounded waits; answers PING."""

    def __init__(self, port, nick, timeout=30):
        self.nick = nick
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.lines = []
        self.send("NICK %s" % nick)
        self.send("USER %s 0 * :probe" % nick)
        self.expect(r" 376 | 422 ", timeout)

    def send(self, line):
        self.s.sendall((line + "\r\n").encode())

    def fileno(self):
        return self.s.fileno()

    def feed(self):
        """Read what is there (the socket is readable); False on EOF."""
        d = self.s.recv(1 << 20)
        if not d:
            return False
        self.buf += d
        *done, self.buf = self.buf.split(b"\r\n")
        for ln in done:
            ln = ln.decode("utf-8", "replace")
            if ln.startswith("PING "):
                self.send("PONG " + ln[5:])
            self.lines.append(ln)
        return True

    def next_line(self, deadline):
        while not self.lines:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.s], [], [], left)
            if r and not self.feed():
                raise SystemExit("probe %s: server closed the connection" % self.nick)
        return self.lines.pop(0)

    def expect(self, pattern, timeout=30):
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            ln = self.next_line(end)
            if ln is None:
                raise SystemExit("probe %s: no line /%s/ within %.0f s" % (self.nick, pattern,
                                                                          timeout))
            m = rx.search(ln)
            if m:
                return m

    def oper(self):
        self.send("OPER %s %s" % (OPER_NAME, OPER_PW))
        self.expect(r" 381 ")

    def close(self):
        try:
            self.send("QUIT :probe done")
        except OSError:
            pass
        self.s.close()


_probe_seq = [0]


def wait_servers(port, n, timeout=60):
    """Poll LUSERS on port until it counts n servers; seconds waited."""
    t0 = time.monotonic()
    _probe_seq[0] += 1
    p = Probe(port, "lw%d%d" % (os.getpid() % 10000, _probe_seq[0]))
    try:
        while True:
            p.send("LUSERS")
            m = p.expect(r" 251 \S+ :.* on (\d+) servers?")
            if int(m.group(1)) >= n:
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise SystemExit("port %d: %s servers after %.0f s, want %d"
                                 % (port, m.group(1), timeout, n))
            time.sleep(0.05)  # polling another process's state: bounded above
    finally:
        p.close()


USERS_RX = re.compile(r" 251 \S+ :There are (\d+) users and (\d+) (invisible|services)"
                      r" on (\d+) servers?")


def users_on_line(line):
    """(users, servers) from a LUSERS 251 line (evircd: users + invisible)."""
    m = USERS_RX.search(line)
    if not m:
        return None, None
    u = int(m.group(1)) + (int(m.group(2)) if m.group(3) == "invisible" else 0)
    return u, int(m.group(4))


def users_on(probe):
    """Total users and servers the probe's server counts (LUSERS 251)."""
    probe.send("LUSERS")
    m = probe.expect(USERS_RX.pattern)
    return users_on_line(m.group(0))


def bench_binary(root):
    """build/tests/bench/evircd-bench, else compiled into /tmp."""
    b = os.path.join(root, "build", "tests", "bench", "evircd-bench")
    src = os.path.join(root, "tests", "bench", "evircd-bench.c")
    if os.access(b, os.X_OK) and os.path.getmtime(b) >= os.path.getmtime(src):
        return b
    out = "/tmp/evircd-bench-%d" % os.getpid()
    subprocess.check_call(["gcc", "-O2", "-Wall", "-Wextra", "-std=gnu11", src, "-levent",
                           "-lm", "-o", out])
    return out


def kv(line):
    """The key=value result line of evircd-bench as a dict."""
    return dict(x.split("=", 1) for x in line.split() if "=" in x)
