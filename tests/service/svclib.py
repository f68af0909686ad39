"""svclib.py - small blocking helpers for the service tests (tests/service):
start the real evircd on a temporary configuration, read its stderr
without blocking, raw IRC clients with bounded waits. No sleeps: every wait
is a poll() on a socket or pipe with a deadline."""

import os
import re
import select
import socket
import subprocess
import tempfile
import time

BASE_CONF = """[server]
name = irc.test
network = TestNet
[limits]
ping_interval = 600
ping_timeout = 600
[flood]
enabled = no
"""


class Fail(Exception):
    pass


class Server:
    """evircd -c CONF with stderr captured; argv_prefix runs it under
    another program (systemd-socket-activate)."""

    def __init__(self, binary, conf, env=None, argv_prefix=(), pass_fds=(),
                 preexec_fn=None, args=()):
        self.dir = tempfile.mkdtemp(prefix="evircd-svc-")
        self.conf = os.path.join(self.dir, "evircd.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        e = dict(os.environ)
        for k in ("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"):
            e.pop(k, None)
        e.update(env or {})
        argv = list(argv_prefix) + [binary] + list(args) + ["-c", self.conf]
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, env=e,
                                  pass_fds=pass_fds, preexec_fn=preexec_fn)
        self.log = ""
        self.pos = 0

    def read_log(self, timeout):
        r, _, _ = select.select([self.p.stderr], [], [], max(0, timeout))
        if not r:
            return False
        chunk = os.read(self.p.stderr.fileno(), 65536)
        if not chunk:
            return None
        self.log += chunk.decode("utf-8", "replace")
        return True

    def wait_log(self, pattern, timeout=10.0, start=None):
        """First match of pattern in the log after position start (default:
        after the previous wait_log match); returns the match."""
        rx = re.compile(pattern, re.M)
        begin = self.pos if start is None else start
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.log, begin)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0 or self.read_log(left) is None:
                raise Fail("no log line /%s/ within %.0f s; log:\n%s"
                           % (pattern, timeout, self.log[-3000:]))

    def port(self):
        return int(self.wait_log(r"listening on 127\.0\.0\.1:(\d+)", start=0).group(1))

    def stop(self, sig=15, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            st = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            st = self.p.wait()
        while self.read_log(0):
            pass
        return st


class Client:
    def __init__(self, port, nick=None, host="127.0.0.1"):
        self.s = socket.create_connection((host, port), timeout=10)
        self.buf = b""
        self.nick = nick
        if nick:
            self.send("NICK " + nick)
            self.send("USER %s 0 * :%s" % (nick, nick))
            self.expect(r" 376 | 422 ")

    def send(self, line):
        self.s.sendall((line + "\r\n").encode())

    def expect(self, pattern, timeout=10.0):
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                line = line.decode("utf-8", "replace")
                if line.startswith("PING "):
                    self.send("PONG " + line[5:])
                if rx.search(line):
                    return line
            left = end - time.monotonic()
            if left <= 0:
                raise Fail("client %s: no line /%s/" % (self.nick, pattern))
            r, _, _ = select.select([self.s], [], [], left)
            if r:
                d = self.s.recv(65536)
                if not d:
                    raise Fail("client %s: EOF waiting for /%s/" % (self.nick, pattern))
                self.buf += d

    def close(self):
        self.s.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def run(tests):
    """Run each (name, fn); print a line each; exit status 0/1 (77 = all skipped)."""
    import sys
    import traceback
    failed = skipped = 0
    for name, fn in tests:
        try:
            r = fn()
            if r == "skip":
                skipped += 1
                print("SKIP", name)
            else:
                print("ok  ", name)
        except Exception:
            failed += 1
            print("FAIL", name)
            traceback.print_exc()
    sys.stdout.flush()
    if failed:
        sys.exit(1)
    sys.exit(77 if skipped == len(tests) else 0)
