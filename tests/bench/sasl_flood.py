#!/usr/bin/env python3
"""sasl_flood.py - figures for issue 11: SASL logins per second and a
bystander's PING round-trip time while the logins run. PLAIN: the argon2id
check runs on the password worker, off the loop. SCRAM-SHA-256: the stored
StoredKey/ServerKey are checked on the loop (two HMACs, no PBKDF2 on the
server); the client side (PBKDF2, 4096 iterations) runs here, in Python's
hashlib/hmac, independently of the server's libgsasl.

Usage: tests/bench/sasl_flood.py --evircd build/src/evircd [--mech plain|scram]
       [--logins 40] [--parallel 8]

Starts evircd on 127.0.0.1 (port 0) with a fresh [accounts] database in a
temp dir, registers one account with REGISTER, then opens --parallel
connections at a time, each logging in with SASL (--mech) and registering,
until --logins are done. A bystander sends PING every 20 ms meanwhile.
Prints logins/s, the server's CPU time per login (utime + stime of all its
threads, from /proc: connection, registration and the SASL exchange) and
the bystander's RTT percentiles (ms). For SCRAM the
client's PBKDF2 is done once per salt and cached (a real client pays it
at each login; the figure is the server's rate, not Python's)."""
import argparse, base64, hashlib, hmac, os, re, select, socket, subprocess, sys, tempfile, threading, time


def start(evircd, tmp):
    conf = os.path.join(tmp, "c.ini")
    with open(conf, "w") as f:
        f.write("[server]\nname = irc.test\n[listen]\naddress = 127.0.0.1\nport = 0\n"
                "[flood]\nenabled = no\n[accounts]\ndatabase = %s/a.db\n"
                # one address floods on purpose: its per-address limits off
                "login_failures = 0\nregister_limit = 0\nhash_jobs_per_ip = 0\n" % tmp)
    p = subprocess.Popen([evircd, "-c", conf], stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            return p, int(m.group(1))
    sys.exit("evircd did not start")


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def send(self, line):
        self.s.sendall(line.encode() + b"\r\n")

    def expect(self, pat, timeout=60):
        rx = re.compile(pat)
        end = time.time() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                line = line.rstrip(b"\r").decode(errors="replace")
                if line.startswith("PING "):
                    self.send("PONG " + line[5:])
                if rx.search(line):
                    return line
            r, _, _ = select.select([self.s], [], [], max(0, end - time.time()))
            if not r:
                raise TimeoutError(pat)
            d = self.s.recv(65536)
            if not d:
                raise EOFError(pat)
            self.buf += d


_salted = {}
_salted_lock = threading.Lock()


def salted_password(password, salt, iters):
    """RFC 5802 Hi(): PBKDF2-HMAC-SHA-256, cached per (salt, iters)."""
    with _salted_lock:
        k = (password, salt, iters)
        if k not in _salted:
            _salted[k] = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iters)
        return _salted[k]


def scram_exchange(c, user, password):
    """RFC 5802 §3 client side over AUTHENTICATE (after "AUTHENTICATE +")."""
    cnonce = base64.b64encode(os.urandom(18)).decode()
    bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), cnonce)
    c.send("AUTHENTICATE " + base64.b64encode(("n,," + bare).encode()).decode())
    first = base64.b64decode(c.expect(r"^AUTHENTICATE ").split(" ", 1)[1]).decode()
    f = dict(kv.split("=", 1) for kv in first.split(","))
    assert f["r"].startswith(cnonce), first
    sp = salted_password(password, base64.b64decode(f["s"]), int(f["i"]))
    ckey = hmac.new(sp, b"Client Key", hashlib.sha256).digest()
    stored = hashlib.sha256(ckey).digest()
    without = "c=%s,r=%s" % (base64.b64encode(b"n,,").decode(), f["r"])
    auth = ",".join((bare, first, without)).encode()
    csig = hmac.new(stored, auth, hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(ckey, csig))
    c.send("AUTHENTICATE " + base64.b64encode(
        (without + ",p=" + base64.b64encode(proof).decode()).encode()).decode())
    final = base64.b64decode(c.expect(r"^AUTHENTICATE ").split(" ", 1)[1]).decode()
    skey = hmac.new(sp, b"Server Key", hashlib.sha256).digest()
    want = base64.b64encode(hmac.new(skey, auth, hashlib.sha256).digest()).decode()
    assert final == "v=" + want, "server signature mismatch: " + final
    c.send("AUTHENTICATE +")


def login(port, i, mech, account, password):
    c = Conn(port)
    c.send("CAP REQ :sasl")
    c.send("NICK u%d" % i)
    c.send("USER u 0 * :u")
    c.expect(r" ACK ")
    if mech == "scram":
        c.send("AUTHENTICATE SCRAM-SHA-256")
        c.expect(r"^AUTHENTICATE \+")
        scram_exchange(c, account, password)
    else:
        c.send("AUTHENTICATE PLAIN")
        c.expect(r"^AUTHENTICATE \+")
        c.send("AUTHENTICATE " + base64.b64encode(
            ("\0%s\0%s" % (account, password)).encode()).decode())
    c.expect(r" 903 ")
    c.send("CAP END")
    c.expect(r" 001 ")
    c.s.close()


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", required=True)
    ap.add_argument("--logins", type=int, default=40)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--mech", choices=("plain", "scram"), default="plain")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    p, port = start(a.evircd, tmp)
    try:
        r = Conn(port)
        r.send("NICK owner")
        r.send("USER o 0 * :o")
        r.expect(r" 001 ")
        r.send("REGISTER owner * benchpass")
        r.expect(r"REGISTER SUCCESS")
        b = Conn(port)
        b.send("NICK bystander")
        b.send("USER b 0 * :b")
        b.expect(r" 001 ")
        rtts, stop = [], threading.Event()

        def pinger():
            n = 0
            while not stop.is_set():
                n += 1
                t0 = time.perf_counter()
                b.send("PING :%d" % n)
                b.expect(r"PONG .*:%d$" % n)
                rtts.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.02)
        th = threading.Thread(target=pinger)
        th.start()
        t0 = time.perf_counter()
        cpu0 = cpu_seconds(p.pid)
        done, i = 0, 0
        while done < a.logins:
            batch = min(a.parallel, a.logins - done)
            ts = [threading.Thread(target=login, args=(port, i + k, a.mech, "owner", "benchpass"))
                  for k in range(batch)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            done += batch
            i += batch
        dt = time.perf_counter() - t0
        cpu = cpu_seconds(p.pid) - cpu0
        stop.set()
        th.join()
        rtts.sort()
        pct = lambda q: rtts[min(len(rtts) - 1, int(q * len(rtts)))]
        print("SASL %s logins: %d in %.2f s = %.1f/s (%d at a time)"
              % ("PLAIN" if a.mech == "plain" else "SCRAM-SHA-256", a.logins, dt,
                 a.logins / dt, a.parallel))
        print("server CPU (all threads) during the flood: %.2f s = %.2f ms per login"
              % (cpu, cpu * 1000 / a.logins))
        print("bystander PING RTT during the flood: n=%d p50 %.2f ms p99 %.2f ms max %.2f ms"
              % (len(rtts), pct(0.5), pct(0.99), rtts[-1]))
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()
