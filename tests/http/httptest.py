"""httptest.py - helpers for the [http] tests: the real evircd binary on
127.0.0.1 (IRC and HTTP ports 0, read back from its log), blocking IRC
clients with bounded waits, and raw HTTP requests over sockets.

Environment: EVIRCD_BIN (the binary), LIVE_VERBOSE=1 (echo the log),
EVIRCD_VALGRIND=1 (`meson test --setup valgrind`: the server under memcheck;
an error or a definite/indirect leak makes it exit 99, and stop() returns
that, which the tests assert is 0)."""

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

VALGRIND = os.environ.get("EVIRCD_VALGRIND") is not None
SLOW = 4 if VALGRIND else 1      # time bounds stretch under valgrind

BASE_CONF = """[server]
name = irc.test
network = TestNet
[listen]
address = 127.0.0.1
port = 0
[limits]
ping_interval = 600
ping_timeout = 600
"""


class Server:
    """evircd with BASE_CONF + extra; .irc_port, .http_port, .log()."""

    def __init__(self, extra="[http]\nport = 0\n"):
        self.dir = tempfile.mkdtemp(prefix="evircd-http-")
        self.conf = os.path.join(self.dir, "evircd.conf")
        with open(self.conf, "w") as f:
            f.write(BASE_CONF + extra)
        self.lines = []
        self.cond = threading.Condition()
        pre = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
               "--show-leak-kinds=definite,indirect",
               "--errors-for-leak-kinds=definite,indirect"] if VALGRIND else []
        self.proc = subprocess.Popen(pre + [os.environ["EVIRCD_BIN"], "-c", self.conf],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        m = self.wait_log(r"http listening on [^ ]*:(\d+)", 10 * SLOW)
        self.http_port = int(m.group(1))
        m = self.wait_log(r"info: listening on 127\.0\.0\.1:(\d+)")
        self.irc_port = int(m.group(1))

    def _read(self):
        for line in self.proc.stderr:
            if os.environ.get("LIVE_VERBOSE"):
                print("server:", line, end="")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_log(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = re.search(pattern, line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError("no log line /%s/ in:\n%s" %
                                         (pattern, "".join(self.lines[-30:])))
                self.cond.wait(left)

    def log(self):
        with self.cond:
            return "".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode


class Irc:
    """A blocking IRC client that records every line it receives."""

    def __init__(self, port, nick=None, register=True, user=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.received = []     # every line, in order
        self.sent = 0          # lines sent
        self.sent_bytes = 0
        self.recv_bytes = 0    # bytes received
        self.nick = nick
        self.seq = 0
        if nick and register:
            self.send("NICK " + nick)
            self.send("USER %s 0 * :test" % (user or nick))
            self.expect(r"^:irc\.test 376 |^:irc\.test 422 ")

    def send(self, line):
        data = (line + "\r\n").encode()
        self.sock.sendall(data)
        self.sent += 1
        self.sent_bytes += len(data)

    def _more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            return False
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.recv_bytes += len(data)
        self.buf += data
        return True

    def expect(self, pattern, timeout=10):
        """Read lines until one matches pattern; return it."""
        deadline = time.monotonic() + timeout
        idx = len(self.received)
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                self.received.append(line.decode("utf-8", "replace"))
            while idx < len(self.received):
                if re.search(pattern, self.received[idx]):
                    return self.received[idx]
                idx += 1
            if not self._more(deadline):
                raise AssertionError("%s: no line /%s/ within %ss; last: %s" %
                                     (self.nick, pattern, timeout, self.received[-8:]))

    def sync(self):
        """Everything the server queued before now has been read."""
        self.seq += 1
        tok = "sync%d" % self.seq
        self.send("PING :" + tok)
        self.expect(r"PONG [^ ]+ :?" + tok + "$")

    def expect_eof(self, timeout=10):
        deadline = time.monotonic() + timeout
        try:
            while self._more(deadline):
                pass
        except (EOFError, ConnectionResetError):
            return
        raise AssertionError("%s: still open after %ss" % (self.nick, timeout))

    def close(self):
        self.sock.close()


def http_get(port, path="/", headers=None, timeout=10):
    """(status, headers dict with lower-case names, body) of one GET."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    req = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % path
    for k, v in (headers or {}).items():
        req += "%s: %s\r\n" % (k, v)
    s.sendall((req + "\r\n").encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body.decode("utf-8", "replace")


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def parse_metrics(text):
    """{name or name{labels}: float} of a Prometheus text exposition; also
    checks the format: every sample belongs to a family declared by a
    TYPE line before it, HELP and TYPE once per family, counters end in
    _total, histogram buckets are cumulative and end with +Inf == _count."""
    values, types, helps = {}, {}, set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split()[2]
            assert name not in helps, "HELP twice: " + name
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split()
            assert name not in types, "TYPE twice: " + name
            assert typ in ("counter", "gauge", "histogram"), line
            if typ == "counter":
                assert name.endswith("_total"), "counter without _total: " + name
            types[name] = typ
            continue
        assert not line.startswith("#") and line, "stray line: %r" % line
        m = SAMPLE.match(line)
        assert m, "bad sample line: %r" % line
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        fam = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        assert fam in types, "sample before its TYPE: " + line
        if labels:
            for lab in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels):
                assert re.match(r"^[a-z_]+$", lab[0]), line
        key = name + labels
        assert key not in values, "sample twice: " + key
        values[key] = float(value)
    for fam, typ in types.items():
        assert fam in helps, "no HELP for " + fam
        if typ == "histogram":
            buckets = [(k, v) for k, v in values.items() if k.startswith(fam + "_bucket{")]
            counts = [v for _, v in buckets]
            assert counts == sorted(counts), "buckets not cumulative: " + fam
            assert buckets[-1][0].endswith('le="+Inf"}'), fam
            assert buckets[-1][1] == values[fam + "_count"], fam
    return values
