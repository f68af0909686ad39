"""wslib.py - a raw WebSocket client (RFC 6455, python3 stdlib only) and a
real evircd on 127.0.0.1 with a plain, a WebSocket and a TLS WebSocket
listener, for tests/ws/*.py.

Every wait is bounded (socket timeouts); nothing sleeps where an event can
be awaited."""

import base64
import hashlib
import os
import re
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TIMEOUT = 10.0 * (4 if os.environ.get("EVIRCD_VALGRIND") else 1)


class Server:
    """evircd with listeners: tcp, ws, wss (ports read back from its log)."""

    def __init__(self, extra="", limits="", tls=True):
        self.dir = tempfile.mkdtemp(prefix="evircd-ws-")
        conf = os.path.join(self.dir, "evircd.conf")
        wss = ""
        if tls:
            crt = os.path.join(self.dir, "c.pem")
            key = os.path.join(self.dir, "k.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", crt, "-days", "2", "-subj",
                            "/CN=localhost"], check=True, capture_output=True)
            wss = ("[listen]\naddress = 127.0.0.1\nport = 0\nwebsocket = yes\ntls = yes\n"
                   "certificate = %s\nprivate_key = %s\n" % (crt, key))
        with open(conf, "w") as f:
            f.write("[server]\nname = irc.test\n"
                    "[listen]\naddress = 127.0.0.1\nport = 0\n"
                    "[listen]\naddress = 127.0.0.1\nport = 0\nwebsocket = yes\n"
                    + wss +
                    "[limits]\n" + limits + "\n" + extra)
        self.log = open(os.path.join(self.dir, "log"), "w+b")
        exe = os.environ.get("EVIRCD_BIN", "build/src/evircd")
        cmd = [exe, "-d", "-c", conf]
        if os.environ.get("EVIRCD_VALGRIND"):
            cmd = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full"] + cmd
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        self.tcp = self.ws = self.wss = None
        deadline = time.monotonic() + TIMEOUT * 2
        while time.monotonic() < deadline:
            text = self.logtext()
            for m in re.finditer(r"listening on 127\.0\.0\.1:(\d+)( \(tls\))?( \(websocket\))?$",
                                 text, re.M):
                port = int(m.group(1))
                if m.group(3) and m.group(2):
                    self.wss = port
                elif m.group(3):
                    self.ws = port
                else:
                    self.tcp = port
            if self.tcp and self.ws and (self.wss or not tls):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)  # the log file has no event to wait on
        raise RuntimeError("server did not start:\n" + self.logtext())

    def logtext(self):
        self.log.flush()
        with open(self.log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(TIMEOUT * 2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc


class Tcp:
    """A plain IRC client."""

    def __init__(self, port, nick=None):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""
        if nick:
            self.send("NICK %s" % nick)
            self.send("USER %s 0 * :tcp" % nick)
            self.expect(r" 001 ")

    def send(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.s.sendall(line + b"\r\n")

    def line(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no line")
            self.s.settimeout(left)
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            self.buf += d
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.rstrip(b"\r")

    def expect(self, pattern, timeout=TIMEOUT):
        """The first line matching pattern (bytes regex or str); others skipped."""
        if isinstance(pattern, str):
            pattern = pattern.encode()
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            try:
                ln = self.line(max(left, 0.001))
            except (TimeoutError, EOFError) as e:
                raise AssertionError("no line matching %r (%s); saw %r" % (pattern, e, seen[-8:]))
            seen.append(ln)
            if ln.startswith(b"PING "):
                self.send(b"PONG " + ln[5:])
            if re.search(pattern, ln):
                return ln

    def close(self):
        self.s.close()


def ws_key():
    return base64.b64encode(os.urandom(16)).decode()


def accept_of(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


class Ws:
    """A raw WebSocket client: handshake, masked frames out, frames in."""

    def __init__(self, port, protocols=("text.ircv3.net",), origin=None, tls=False,
                 request=None, headers="", rcvbuf=None, source=None):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if source:
            raw.bind((source, 0))  # another loopback address (127/8)
        if rcvbuf:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(TIMEOUT)
        raw.connect(("127.0.0.1", port))
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            raw = ctx.wrap_socket(raw, server_hostname="localhost")
        self.s = raw
        self.buf = b""
        self.key = ws_key()
        if request is None:
            request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                       "Sec-WebSocket-Version: 13\r\n" % self.key)
            if protocols:
                request += "Sec-WebSocket-Protocol: %s\r\n" % ", ".join(protocols)
            if origin:
                request += "Origin: %s\r\n" % origin
            request += headers + "\r\n"
        if request != "":
            self.s.sendall(request.encode() if isinstance(request, str) else request)
        self.status = None
        self.headers = {}
        self.body = b""

    def recv_more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self.s.settimeout(left)
        d = self.s.recv(65536)
        if not d:
            raise EOFError("closed")
        self.buf += d

    def response(self, timeout=TIMEOUT):
        """Read the HTTP response head; returns the status code."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self.recv_more(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        for h in lines[1:]:
            k, v = h.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        n = int(self.headers.get("content-length", "0"))
        while len(self.buf) < n:
            self.recv_more(deadline)
        self.body, self.buf = self.buf[:n], self.buf[n:]
        return self.status

    def open(self):
        st = self.response()
        assert st == 101, "expected 101, got %d %r" % (st, self.body)
        assert self.headers.get("sec-websocket-accept") == accept_of(self.key), self.headers
        return self

    def frame(self, opcode, payload, fin=True, mask=True, rsv=0, length=None):
        if isinstance(payload, str):
            payload = payload.encode()
        b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
        n = len(payload) if length is None else length
        m = 0x80 if mask else 0
        if n < 126:
            h = struct.pack("!BB", b0, m | n)
        elif n < 65536:
            h = struct.pack("!BBH", b0, m | 126, n)
        else:
            h = struct.pack("!BBQ", b0, m | 127, n)
        if mask:
            k = os.urandom(4)
            payload = bytes(c ^ k[i % 4] for i, c in enumerate(payload))
            h += k
        return h + payload

    def send_frame(self, opcode, payload, **kw):
        self.s.sendall(self.frame(opcode, payload, **kw))

    def send(self, line, binary=False):
        self.send_frame(2 if binary else 1, line)

    def recv_frame(self, timeout=TIMEOUT):
        """(fin, opcode, payload) of the next frame; server frames are unmasked."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 2:
                b0, b1 = self.buf[0], self.buf[1]
                assert not (b1 & 0x80), "server frame is masked"
                n, off = b1 & 0x7F, 2
                if n == 126 and len(self.buf) >= 4:
                    n, off = struct.unpack("!H", self.buf[2:4])[0], 4
                elif n == 127 and len(self.buf) >= 10:
                    n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
                if (b1 & 0x7F) < 126 or off > 2:
                    if len(self.buf) >= off + n:
                        p = self.buf[off:off + n]
                        self.buf = self.buf[off + n:]
                        return bool(b0 & 0x80), b0 & 0x0F, p
            self.recv_more(deadline)

    def msg(self, timeout=TIMEOUT):
        """The next data message (text or binary), answering PINGs."""
        while True:
            fin, op, p = self.recv_frame(timeout)
            assert fin, "server fragments"
            if op in (1, 2):
                assert not p.endswith(b"\n") and b"\r" not in p and b"\n" not in p, p
                self.last_op = op
                if p.startswith(b"PING "):
                    self.send(b"PONG " + p[5:], binary=(op == 2))
                return p
            if op == 8:
                raise EOFError("close frame %r" % p)

    def expect(self, pattern, timeout=TIMEOUT):
        if isinstance(pattern, str):
            pattern = pattern.encode()
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                p = self.msg(max(deadline - time.monotonic(), 0.001))
            except (TimeoutError, EOFError) as e:
                raise AssertionError("no message matching %r (%s); saw %r"
                                     % (pattern, e, seen[-8:]))
            seen.append(p)
            if re.search(pattern, p):
                return p

    def register(self, nick, binary=False):
        self.send("NICK " + nick, binary)
        self.send("USER %s 0 * :web client" % nick, binary)
        return self.expect(r" 001 ")

    def close_code(self, timeout=TIMEOUT):
        """Frames up to the server's close frame: its status code."""
        deadline = time.monotonic() + timeout
        while True:
            fin, op, p = self.recv_frame(max(deadline - time.monotonic(), 0.001))
            if op == 8:
                return struct.unpack("!H", p[:2])[0] if len(p) >= 2 else None

    def wait_eof(self, timeout=TIMEOUT):
        """True when the server closes the TCP connection within timeout."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.recv_more(deadline)
                self.buf = b""
        except EOFError:
            return True
        except (TimeoutError, socket.timeout):
            return False
        except (ConnectionResetError, ssl.SSLError):
            return True

    def close(self):
        self.s.close()


def run_tests(tests):
    """Run each test function (name, fn); exit 1 if any failed."""
    failed = 0
    only = sys.argv[1:]
    for fn in tests:
        if only and fn.__name__ not in only:
            continue
        t0 = time.monotonic()
        try:
            fn()
            print("ok   %s (%.2f s)" % (fn.__name__, time.monotonic() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            import traceback
            traceback.print_exc()
            print("FAIL %s: %s" % (fn.__name__, e), flush=True)
    sys.exit(1 if failed else 0)
