#!/usr/bin/env python3
"""http_live.py - the [http] listener of the real evircd binary (issue 13,
"See what it does"): /metrics values against IRC activity the test did,
the Prometheus text format (our own parser, and promtool when installed),
the bearer token (401), bounded input (huge headers, slow-loris, the
connection limit, other methods) and the loop staying responsive for IRC
while HTTP clients misbehave. The 403 of a non-loopback peer without a
token is unit_http (access_without_token): a test here cannot connect from
a non-loopback address.

  EVIRCD_BIN=build/src/evircd python3 tests/http/http_live.py [-v]
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import Server, Irc, http_get, parse_metrics, SLOW  # noqa: E402

NOFLOOD = "[flood]\nenabled = no\n"
TOKEN = "t0ken-for-the-test-0123456789"


class Metrics(unittest.TestCase):
    def setUp(self):
        self.srv = Server("[http]\nport = 0\n" + NOFLOOD)
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        self.assertEqual(self.srv.stop(), 0, self.srv.log()[-2000:])

    def irc(self, *a, **kw):
        c = Irc(self.srv.irc_port, *a, **kw)
        self.clients.append(c)
        return c

    def scrape(self):
        st, hdrs, body = http_get(self.srv.http_port, "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/plain; version=0.0.4"), hdrs)
        return body, parse_metrics(body)

    def test_metrics_follow_irc_activity(self):
        t0 = time.time()
        a, b, c = self.irc("alice"), self.irc("bob"), self.irc("carol")
        u = self.irc(None, register=False)      # connected, never registers
        u.nick = "unreg"
        a.send("JOIN #a")
        a.send("JOIN #b")
        b.send("JOIN #a")
        for i in range(5):
            a.send("PRIVMSG #a :hello %d" % i)
        b.send("WHOIS alice")
        c.send("FOO bar")                       # 421
        c.send("PRIVMSG nosuchnick :x")         # 401
        # Two rounds: after the first, every client's input has been handled
        # (its PONG follows its own lines); after the second, every line
        # queued to a client by another's input (b's JOIN to alice) has
        # arrived, since each client's output is in order. One round raced
        # under valgrind (the server counted a line alice had not read yet).
        for _ in range(2):
            for cl in (a, b, c, u):
                cl.sync()
        body, m = self.scrape()

        self.assertEqual(m["evircd_clients"], 4)
        self.assertEqual(m["evircd_clients_registered"], 3)
        self.assertEqual(m["evircd_clients_unregistered"], 1)
        self.assertEqual(m["evircd_clients_tls"], 0)
        self.assertEqual(m["evircd_clients_max"], 3)
        self.assertEqual(m["evircd_channels"], 2)
        self.assertEqual(m["evircd_opers"], 0)
        self.assertEqual(m["evircd_links"], 0)
        self.assertEqual(m["evircd_connections_total"], 4)
        cl = (a, b, c, u)
        self.assertEqual(m["evircd_received_lines_total"], sum(x.sent for x in cl))
        self.assertEqual(m["evircd_received_bytes_total"], sum(x.sent_bytes for x in cl))
        self.assertEqual(m["evircd_sent_lines_total"], sum(len(x.received) for x in cl))
        self.assertEqual(m["evircd_sent_bytes_total"], sum(x.recv_bytes for x in cl))
        cmd = lambda n: m['evircd_commands_total{command="%s"}' % n]
        self.assertEqual(cmd("PRIVMSG"), 6)
        self.assertEqual(cmd("JOIN"), 3)
        self.assertEqual(cmd("NICK"), 3)
        self.assertEqual(cmd("USER"), 3)
        self.assertEqual(cmd("WHOIS"), 1)
        self.assertEqual(cmd("PING"), 8)
        self.assertEqual(cmd("KICK"), 0)
        # numerics by class, as the clients received them
        want = [0] * 10
        for x in cl:
            for line in x.received:
                mm = re.match(r"^:irc\.test (\d)\d\d ", line)
                if mm:
                    want[int(mm.group(1))] += 1
        for k in range(10):
            self.assertEqual(m['evircd_numerics_sent_total{class="%dxx"}' % k], want[k],
                             "class %dxx" % k)
        self.assertGreater(want[4], 1)          # 421 and 401 are there
        self.assertEqual(m["evircd_registration_duration_seconds_count"], 3)
        self.assertGreater(m["evircd_loop_turn_duration_seconds_count"], 0)
        for k in ("sendq_exceeded", "excess_flood", "fakelag_delays"):
            self.assertEqual(m["evircd_%s_total" % k], 0, k)
        self.assertEqual(m['evircd_ban_hits_total{kind="kline"}'], 0)
        self.assertGreater(m["process_resident_memory_bytes"], 1 << 20)
        self.assertLessEqual(abs(m["process_start_time_seconds"] - t0), 5)
        # never an address or a message
        self.assertNotIn("127.0.0.1", body)
        self.assertNotIn("hello", body)

        # the status page says the same
        st, hdrs, page = http_get(self.srv.http_port, "/")
        self.assertEqual(st, 200)
        self.assertIn("default-src 'none'", hdrs["content-security-policy"])
        self.assertIn('id="users">3<', page)
        self.assertIn('id="clients">4<', page)
        self.assertIn('id="channels">2<', page)
        self.assertRegex(page, r"(?s)<td>#a</td><td class=\"n\">2</td>.*<td>#b</td>")
        self.assertNotIn("127.0.0.1", page)
        self.assertNotIn("hello", page)

        # a client leaves: gauges follow, counters stay
        b.send("QUIT :bye")
        b.expect_eof()
        a.sync()
        _, m2 = self.scrape()
        self.assertEqual(m2["evircd_clients_registered"], 2)
        self.assertEqual(m2['evircd_commands_total{command="QUIT"}'], 1)
        self.assertEqual(m2['evircd_commands_total{command="PRIVMSG"}'], 6)

    def test_promtool(self):
        promtool = os.environ.get("PROMTOOL") or shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool not installed (Debian prometheus; .ci/run installs it)")
        a = self.irc("alice")
        a.send("JOIN #x")
        a.sync()
        body, _ = self.scrape()
        p = subprocess.run([promtool, "check", "metrics"], input=body, text=True,
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout.strip() + p.stderr.strip(), "")   # no lint warning either


class Flood(unittest.TestCase):
    """Excess Flood, fakelag and K/D-line counters (flood protection on)."""

    def test_flood_and_bans(self):
        srv = Server("[http]\nport = 0\n[oper]\nname = admin\npassword = operpass\n")
        f = op = v = again = None
        try:
            f = Irc(srv.irc_port, "flooder")
            for i in range(15):     # past the 10 s burst: input paused
                f.send("PRIVMSG flooder :x%d" % i)
            # then more than recvq (16 KiB) while paused: Excess Flood
            f.sock.sendall((b"PRIVMSG flooder :" + b"z" * 400 + b"\r\n") * 60)
            f.expect(r"^ERROR .*Excess Flood", timeout=15)
            op = Irc(srv.irc_port, "op")
            op.send("OPER admin operpass")
            op.expect(r" 381 ")
            v = Irc(srv.irc_port, "victim", user="baduser")
            op.send("KLINE baduser@* :test")
            v.expect(r"^ERROR ", timeout=10)
            again = Irc(srv.irc_port, "victim2", register=False)
            again.send("NICK victim2")
            again.send("USER baduser 0 * :x")
            again.expect(r"^ERROR ", timeout=10)
            op.sync()
            _, m = parse_metrics_of(srv)
            self.assertEqual(m["evircd_excess_flood_total"], 1)
            self.assertGreaterEqual(m["evircd_fakelag_delays_total"], 1)
            self.assertEqual(m['evircd_ban_hits_total{kind="kline"}'], 2)
            self.assertEqual(m['evircd_ban_hits_total{kind="dline"}'], 0)
            self.assertEqual(m["evircd_opers"], 1)
            op.send("DLINE 127.0.0.2 :test")
            op.expect(r"NOTICE|^:irc\.test \d\d\d ", timeout=10)
            op.sync()
            d = socket.create_connection(("127.0.0.1", srv.irc_port), timeout=10,
                                         source_address=("127.0.0.2", 0))
            d.settimeout(10)
            while d.recv(4096):
                pass
            d.close()
            op.sync()
            _, m = parse_metrics_of(srv)
            self.assertEqual(m['evircd_ban_hits_total{kind="dline"}'], 1)
        finally:
            for c in (f, op, v, again):
                if c:
                    c.close()
            self.assertEqual(srv.stop(), 0, srv.log()[-2000:])


def parse_metrics_of(srv):
    st, _, body = http_get(srv.http_port, "/metrics")
    assert st == 200, st
    return body, parse_metrics(body)


class Access(unittest.TestCase):
    def test_token(self):
        srv = Server("[http]\nport = 0\ntoken = %s\n" % TOKEN)
        try:
            for path in ("/metrics", "/"):
                st, hdrs, _ = http_get(srv.http_port, path)
                self.assertEqual(st, 401)
                self.assertEqual(hdrs["www-authenticate"], 'Bearer realm="evircd"')
                st, hdrs, _ = http_get(srv.http_port, path,
                                       {"Authorization": "Bearer " + TOKEN[:-1] + "X"})
                self.assertEqual(st, 401)
                self.assertIn('error="invalid_token"', hdrs["www-authenticate"])
                st, _, _ = http_get(srv.http_port, path, {"Authorization": "Basic " + TOKEN})
                self.assertEqual(st, 401)
                st, _, body = http_get(srv.http_port, path,
                                       {"Authorization": "Bearer " + TOKEN})
                self.assertEqual(st, 200)
                self.assertTrue(body)
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_loopback_without_token_and_routes(self):
        srv = Server("[http]\nport = 0\n")
        try:
            self.assertIn("(loopback clients only)", srv.log())
            self.assertEqual(http_get(srv.http_port, "/metrics")[0], 200)
            self.assertEqual(http_get(srv.http_port, "/nope")[0], 404)
            s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=10)
            s.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
            self.assertRegex(s.recv(4096).decode(), r"^HTTP/1\.1 (405|501) ")
            s.close()
        finally:
            self.assertEqual(srv.stop(), 0)


class Bounded(unittest.TestCase):
    def setUp(self):
        self.srv = Server("[http]\nport = 0\ntimeout = 2\nmax_connections = 3\n" + NOFLOOD)
        self.irc = Irc(self.srv.irc_port, "watcher")

    def tearDown(self):
        self.irc.close()
        self.assertEqual(self.srv.stop(), 0, self.srv.log()[-2000:])

    def read_all(self, s, timeout):
        s.settimeout(timeout)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data, True
                data += chunk
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True

    def test_huge_headers(self):
        s = socket.create_connection(("127.0.0.1", self.srv.http_port), timeout=10)
        try:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            for i in range(40):                 # 40 x 1 KiB > 8 KiB limit
                s.sendall(b"X-Big-%d: %s\r\n" % (i, b"a" * 1000))
        except (BrokenPipeError, ConnectionResetError):
            pass
        data, closed = self.read_all(s, 5)
        s.close()
        self.assertTrue(closed, "connection left open after 40 KiB of headers")
        self.assertFalse(data.startswith(b"HTTP/1.1 200"), data[:100])
        if data:
            self.assertRegex(data.decode("latin-1"), r"^HTTP/1\.[01] 4\d\d ")
        self.irc.sync()     # IRC unaffected
        self.assertEqual(http_get(self.srv.http_port, "/metrics")[0], 200)

    def test_slow_loris(self):
        s = socket.create_connection(("127.0.0.1", self.srv.http_port), timeout=10)
        s.sendall(b"GET /metrics HTTP/1.1\r\n")
        t0 = time.monotonic()
        closed = False
        while time.monotonic() - t0 < 8 * SLOW:  # one header byte every 0.3 s
            try:
                s.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            self.irc.sync()                     # the loop answers IRC meanwhile
            data, closed = self.read_all(s, 0.3)
            if closed:
                break
        took = time.monotonic() - t0
        s.close()
        self.assertTrue(closed, "slow-loris connection still open after 8 s")
        self.assertLess(took, 5 * SLOW, "closed after %.1f s with timeout = 2" % took)
        self.assertEqual(http_get(self.srv.http_port, "/metrics")[0], 200)


class ConnLimit(Bounded):
    """max_connections = 3 with a long timeout: the idle ones hold their
    slots for the whole test."""

    def setUp(self):
        self.srv = Server("[http]\nport = 0\ntimeout = 30\nmax_connections = 3\n" + NOFLOOD)
        self.irc = Irc(self.srv.irc_port, "watcher")

    test_huge_headers = None
    test_slow_loris = None

    def get_retrying(self, path, timeout):
        """GET path until it is not answered 503 (a slot frees when the
        server has read the EOF of a closed connection); the answer."""
        deadline = time.monotonic() + timeout
        while True:
            r = http_get(self.srv.http_port, path)
            if r[0] != 503 or time.monotonic() > deadline:
                return r

    def server_fds(self):
        return len(os.listdir("/proc/%d/fd" % self.srv.proc.pid))

    def check_rejected(self, rejected):
        for s in rejected:
            data, closed = self.read_all(s, 5 * SLOW)
            s.close()
            self.assertTrue(closed, "rejected connection left open")
            head, _, body = data.decode("latin-1").partition("\r\n\r\n")
            self.assertRegex(head, r"^HTTP/1\.1 503 Service Unavailable\r\n", data[:200])
            self.assertRegex(head, r"\r\nRetry-After: 30(\r\n|$)")
            self.assertRegex(head, r"\r\nConnection: close(\r\n|$)")
            n = int(re.search(r"\r\nContent-Length: (\d+)", head).group(1))
            self.assertEqual(len(body), n)

    def test_connection_limit(self):
        """Past max_connections = 3, a connection is answered at once with
        503 and Retry-After and closed, without its request being read
        (bounded work: nothing of it stays); IRC is unaffected; when a slot
        frees, requests are served again."""
        base = self.server_fds()
        idle = [socket.create_connection(("127.0.0.1", self.srv.http_port), timeout=10)
                for _ in range(3)]
        # accepted in order: the three idle ones hold the slots
        rejected = []
        for i in range(51):     # in bursts of 10, within the listen backlog (16)
            s = socket.create_connection(("127.0.0.1", self.srv.http_port), timeout=10)
            if i == 0:
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            rejected.append(s)
            if len(rejected) == 10 or i == 50:
                self.check_rejected(rejected)
                rejected = []
        # nothing of the 51 stays: evhttp has freed each on its EOF
        deadline = time.monotonic() + 5 * SLOW
        while self.server_fds() != base + 3 and time.monotonic() < deadline:
            self.irc.sync()
        self.assertEqual(self.server_fds(), base + 3, "sockets kept: not the 3 idle ones")
        self.irc.sync()     # IRC unaffected
        idle[0].close()     # a slot frees: served again
        code, _, body = self.get_retrying("/metrics", 5 * SLOW)
        self.assertEqual(code, 200)
        self.assertRegex(body, r"(?m)^evircd_http_rejected_total 51$")
        for x in idle[1:]:
            x.close()
        for _ in range(5):
            self.assertEqual(self.get_retrying("/", 5 * SLOW)[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
