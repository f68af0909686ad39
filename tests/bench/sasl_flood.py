#!/usr/bin/env python3
"""sasl_flood.py - figures for issue 11: SASL PLAIN logins per second (the
argon2id check runs on the password worker, off the loop) and a bystander's
PING round-trip time while the logins run.

Usage: tests/bench/sasl_flood.py --evircd build/src/evircd [--logins 40] [--parallel 8]

Starts evircd on 127.0.0.1 (port 0) with a fresh [accounts] database in a
temp dir, registers one account with REGISTER, then opens --parallel
connections at a time, each logging in with SASL PLAIN and registering,
until --logins are done. A bystander sends PING every 20 ms meanwhile.
Prints logins/s and the bystander's RTT percentiles (ms)."""
import argparse, base64, os, re, select, socket, subprocess, sys, tempfile, threading, time


def start(evircd, tmp):
    conf = os.path.join(tmp, "c.ini")
    with open(conf, "w") as f:
        f.write("[server]\nname = irc.test\n[listen]\naddress = 127.0.0.1\nport = 0\n"
                "[flood]\nenabled = no\n[accounts]\ndatabase = %s/a.db\n" % tmp)
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


def login(port, i, blob):
    c = Conn(port)
    c.send("CAP REQ :sasl")
    c.send("NICK u%d" % i)
    c.send("USER u 0 * :u")
    c.expect(r" ACK ")
    c.send("AUTHENTICATE PLAIN")
    c.expect(r"^AUTHENTICATE \+")
    c.send("AUTHENTICATE " + blob)
    c.expect(r" 903 ")
    c.send("CAP END")
    c.expect(r" 001 ")
    c.s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", required=True)
    ap.add_argument("--logins", type=int, default=40)
    ap.add_argument("--parallel", type=int, default=8)
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
        blob = base64.b64encode(b"\0owner\0benchpass").decode()
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
        done, i = 0, 0
        while done < a.logins:
            batch = min(a.parallel, a.logins - done)
            ts = [threading.Thread(target=login, args=(port, i + k, blob)) for k in range(batch)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            done += batch
            i += batch
        dt = time.perf_counter() - t0
        stop.set()
        th.join()
        rtts.sort()
        pct = lambda q: rtts[min(len(rtts) - 1, int(q * len(rtts)))]
        print("SASL PLAIN logins: %d in %.2f s = %.1f/s (%d at a time)"
              % (a.logins, dt, a.logins / dt, a.parallel))
        print("bystander PING RTT during the flood: n=%d p50 %.2f ms p99 %.2f ms max %.2f ms"
              % (len(rtts), pct(0.5), pct(0.99), rtts[-1]))
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()
