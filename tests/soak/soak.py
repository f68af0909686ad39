#!/usr/bin/env python3
"""soak.py - long mixed-load reliability run against one evircd process.

Starts `$EVIRCD -c CONF` itself (port 0, the port is read from the
`listening on 127.0.0.1:PORT` log line), drives it for --duration seconds
with bounded, concurrent asyncio clients, then checks:

  1. the server still answers: a fresh client registers and gets PONG;
  2. VmRSS after every load client left is near its start value
     (end <= start * 1.5 + 2 MiB, see docs/RELIABILITY.md);
  3. no message between chatters was lost, duplicated, reordered or
     corrupted while sender and receiver were both in the channel;
  4. the server never died, and exits 0 on SIGTERM at the end.

Load (each kind a fixed number of looping tasks, so the number of open
connections stays bounded, a few hundred at a time):

  chatters   long-lived, in two busy channels plus one they leave and rejoin,
             numbered messages below the fakelag rate, reading everything;
  churners   connect / register / join / chat / part / quit, in a loop;
  flooders   25 commands at once (must be delayed by fakelag, not closed),
             then a 200 KB burst (must be closed with "Excess Flood");
  slow       joined to the busy channels, small SO_RCVBUF, stop reading
             (must be closed with "SendQ exceeded");
  abrupt     close without QUIT: at once, mid-line, after joining with a
             partial PRIVMSG pending (FIN or RST);
  oversize   600-byte lines and 100 KB lines without newline: exactly one
             417 each, nothing delivered, the connection stays usable.

Only the Python standard library is used. Exit status 0 when every check
passed, 1 otherwise; the last line printed is `key=value` pairs.
"""

import argparse
import asyncio
import bisect
import collections
import itertools
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

INF = float("inf")
MAIN = ["#soak0", "#soak1", "#soak2", "#soak3"]
ROT = ["#rot0", "#rot1"]
FLOODCHAN = "#flood"
CLK_TCK = os.sysconf("SC_CLK_TCK")

CONF = """[server]
name = irc.test
network = TestNet
[listen]
address = 127.0.0.1
port = 0
[limits]
sendq = 262144
recvq = 16384
max_clients = 20000
[flood]
enabled = yes
burst = 10
penalty = 1
"""

# A strictly increasing event counter. asyncio runs one callback at a time,
# so comparing ticks orders "R saw its JOIN echo" against "S wrote message n"
# exactly, which a wall clock could not.
_tick = itertools.count(1)


def tick():
    return next(_tick)


class SoakError(Exception):
    pass


def parse(line):
    """IRC line -> (prefix, command, params)."""
    prefix = ""
    if line.startswith(":"):
        sp = line.find(" ")
        if sp < 0:
            return line[1:], "", []
        prefix, line = line[1:sp], line[sp + 1:]
    i = line.find(" :")
    if i >= 0:
        params = line[:i].split()
        params.append(line[i + 2:])
    else:
        params = line.split()
    if not params:
        return prefix, "", []
    return prefix, params[0].upper(), params[1:]


def close_reason(text):
    """'Closing Link: 127.0.0.1 (Excess Flood)' -> 'Excess Flood'."""
    i = text.find("(")
    if i >= 0 and text.endswith(")"):
        return text[i + 1:-1]
    return text


def pad_for(sid, n):
    """Deterministic message body filler, so receivers detect corruption."""
    length = 60 + (sid * 7 + n * 13) % 300
    unit = "%d.%d." % (sid, n)
    return (unit * (length // len(unit) + 1))[:length]


def role_of(nick):
    return re.sub(r"\d.*$", "", nick)


class Soak:
    """Shared state: counters, problems, observed QUIT reasons."""

    def __init__(self, args):
        self.args = args
        self.c = collections.Counter()
        self.problems = []
        self.notes = []         # facts worth reporting that fail nothing
        self.rss_series = []    # (seconds into the load, VmRSS KiB)
        self.t_load = None
        self.quit_seen = {}
        self.quit_futs = {}
        self.stopping = False
        self.final_phase = False
        self.port = None
        self.t0 = time.monotonic()
        self.chatters = []
        self.flood_delays = []
        self.loop_lag_max = 0.0
        self.rss_start = self.rss_peak = self.rss_end = None
        self.rnd = random.Random(args.seed)

    def problem(self, kind, detail=""):
        self.c["problem_" + kind] += 1
        if sum(1 for p in self.problems if p[1] == kind) < 10:
            self.problems.append((round(time.monotonic() - self.t0, 1), kind, detail))

    def note(self, text):
        self.c["notes"] += 1
        if len(self.notes) < 20:
            self.notes.append((round(time.monotonic() - self.t0, 1), text))

    def elapsed(self):
        return time.monotonic() - self.t0

    def saw_quit(self, nick, reason):
        """A QUIT for nick was relayed to one of our clients."""
        if nick in self.quit_seen:
            return
        self.quit_seen[nick] = reason
        role = role_of(nick)
        self.c["quit_seen_" + role] += 1
        ok = {
            "chat": lambda r: self.final_phase and r == "Quit: soak done",
            "watch": lambda r: self.final_phase and r == "Quit: soak done",
            "churn": lambda r: r == "Quit: churn bye",
            "flood": lambda r: r in ("Excess Flood", "Quit: flood done"),
            "slow": lambda r: r in ("SendQ exceeded", "Quit: slow done"),
            "abr": lambda r: r == "Remote host closed the connection"
            or r.startswith("Read error: "),
            "over": lambda r: r == "Quit: oversize done",
        }.get(role)
        if ok is None or not ok(reason):
            self.problem("wrong_quit_reason", "%s: %r" % (nick, reason))
        fut = self.quit_futs.pop(nick, None)
        if fut is not None and not fut.done():
            fut.set_result(reason)

    def quit_future(self, nick):
        fut = asyncio.get_running_loop().create_future()
        if nick in self.quit_seen:
            fut.set_result(self.quit_seen[nick])
        else:
            self.quit_futs[nick] = fut
        return fut


class Conn(asyncio.Protocol):
    """One IRC connection: line splitting, auto-PONG, waiters.

    A Protocol rather than streams: lines already received are handled even
    when the connection then fails (a flooder reads its ERROR line before
    the reset), and pause_reading() really stops reading from the socket.
    """

    def __init__(self, soak, nick):
        self.soak = soak
        self.nick = nick
        self.transport = None
        self.buf = b""
        self.closed = asyncio.get_running_loop().create_future()
        self.error = None       # reason of "ERROR :Closing Link: host (reason)"
        self.n417 = 0
        self.lines_in = 0
        self.on_msg = None
        self.waiters = []
        self.chans = set()      # channels our own JOIN echo put us in

    # asyncio.Protocol
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        buf = self.buf + data if self.buf else data
        lines = buf.split(b"\n")
        self.buf = lines.pop()
        for raw in lines:
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            self.handle(raw.decode("utf-8", "replace"))

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        if not self.closed.done():
            self.closed.set_result(exc)
        waiters, self.waiters = self.waiters, []
        for _, fut in waiters:
            if not fut.done():
                fut.set_exception(ConnectionError("%s: connection closed (%s)" % (self.nick, self.error)))

    def handle(self, line):
        self.lines_in += 1
        soak = self.soak
        soak.c["lines_in"] += 1
        prefix, cmd, params = parse(line)
        if cmd == "PING":
            self.send("PONG :" + (params[-1] if params else ""))
        elif cmd == "ERROR":
            self.error = close_reason(params[-1] if params else "")
        elif cmd == "417":
            self.n417 += 1
            soak.c["err417_received"] += 1
        elif cmd == "QUIT":
            soak.saw_quit(prefix.split("!", 1)[0], params[-1] if params else "")
        elif cmd == "JOIN" and params and prefix.split("!", 1)[0] == self.nick:
            self.chans.add(params[0])
        elif cmd == "PART" and params and prefix.split("!", 1)[0] == self.nick:
            self.chans.discard(params[0])
        if self.on_msg is not None:
            self.on_msg(prefix, cmd, params)
        if self.waiters:
            for w in list(self.waiters):
                pred, fut = w
                if not fut.done() and pred(prefix, cmd, params):
                    fut.set_result((prefix, cmd, params))
                    self.waiters.remove(w)

    # helpers
    @property
    def is_closed(self):
        return self.closed.done()

    def send(self, line):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(line.encode() + b"\r\n")

    def write(self, data):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    async def wait(self, pred, timeout):
        if self.is_closed:
            raise ConnectionError("%s: connection closed (%s)" % (self.nick, self.error))
        fut = asyncio.get_running_loop().create_future()
        w = (pred, fut)
        self.waiters.append(w)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            if w in self.waiters:
                self.waiters.remove(w)

    async def wait_joined(self, chans, timeout=20):
        """Until our JOIN echo for every channel in chans was read."""
        want = set(chans)
        if not want <= self.chans:
            await self.wait(lambda p, c, a: want <= self.chans, timeout)

    async def wait_parted(self, chan, timeout=20):
        if chan in self.chans:
            await self.wait(lambda p, c, a: chan not in self.chans, timeout)

    async def ping(self, token, timeout=30):
        self.send("PING :" + token)
        return await self.wait(lambda p, c, a: c == "PONG" and a and a[-1] == token, timeout)

    async def register(self, timeout=20):
        self.send("NICK " + self.nick)
        self.send("USER %s 0 * :soak %s" % (self.nick[:9], self.nick))
        _, cmd, params = await self.wait(
            lambda p, c, a: c in ("001", "432", "433", "451", "ERROR"), timeout)
        if cmd != "001":
            raise SoakError("%s: registration failed: %s %s" % (self.nick, cmd, params))

    async def quit(self, msg, timeout=20):
        """QUIT and wait for the server to close; returns the ERROR reason."""
        self.send("QUIT :" + msg)
        try:
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)
        except asyncio.TimeoutError:
            self.soak.problem("quit_not_closed", self.nick)
        return self.error

    async def wait_closed(self, timeout):
        try:
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    def abort(self, rst=False):
        if self.transport is None:
            return
        if rst:
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
        self.transport.abort()


async def connect(soak, nick, rcvbuf=None, timeout=15):
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", soak.port)), timeout)
        conn = Conn(soak, nick)
        await loop.create_connection(lambda: conn, sock=sock)
    except BaseException:
        sock.close()
        raise
    soak.c["connections"] += 1
    soak.c["conn_" + role_of(nick)] += 1
    return conn


# ---------------------------------------------------------------- chatters

class Interval:
    """One stretch of a chatter's membership of a channel, JOIN echo to PART echo."""
    __slots__ = ("chan", "t_join", "t_part_write", "peers", "open")

    def __init__(self, chan):
        self.chan = chan
        self.t_join = tick()          # our JOIN echo was read: we are a member
        self.t_part_write = INF       # we wrote PART (messages acked before are ours)
        self.peers = {}               # sender id -> [first, last, out_of_order, gaps]
        self.open = True


class Chatter:
    def __init__(self, soak, sid):
        self.soak = soak
        self.sid = sid
        self.nick = "chat%d" % sid
        self.fixed = [MAIN[sid % 4], MAIN[(sid + 1) % 4]]
        self.rot = ROT[sid % 2]
        self.conn = None
        self.joined = set()
        self.open = {}
        self.intervals = []
        self.sent = {}                # chan -> ([t_write by n], [t_ack by n])
        self.pending = collections.deque()
        self.ping_k = 0
        self.alive = False
        self.finished = False
        self.sent_count = 0
        self.recv_count = 0
        self.rnd = random.Random(soak.args.seed * 1000 + sid)

    def on_msg(self, prefix, cmd, params):
        soak = self.soak
        if cmd == "PRIVMSG":
            if len(params) < 2:
                return
            text = params[1]
            if text.startswith("SOAK "):
                self.on_soak(params[0], text)
            elif "PARTIAL-" in text or "OVERSIZE-" in text:
                soak.problem("partial_or_oversize_delivered", "%s got %r" % (self.nick, text[:80]))
            return
        if cmd == "PONG":
            tok = params[-1] if params else ""
            if tok.startswith("a"):
                k = int(tok[1:])
                t = tick()
                pending = self.pending
                while pending and pending[0][0] <= k:
                    _, chan, n = pending.popleft()
                    self.sent[chan][1][n] = t
            return
        nick = prefix.split("!", 1)[0]
        if cmd == "JOIN" and nick == self.nick:
            chan = params[0]
            if chan in self.open:
                soak.problem("double_join", "%s %s" % (self.nick, chan))
            iv = Interval(chan)
            self.open[chan] = iv
            self.intervals.append(iv)
            self.joined.add(chan)
        elif cmd == "PART" and nick == self.nick:
            chan = params[0]
            iv = self.open.pop(chan, None)
            if iv is not None:
                iv.open = False
            self.joined.discard(chan)
        elif cmd.isdigit() and cmd[0] in "45":
            soak.problem("chatter_error_numeric", "%s: %s %s" % (self.nick, cmd, params))

    def on_soak(self, target, text):
        soak = self.soak
        parts = text.split(" ", 4)
        try:
            sid, chan, n, body = int(parts[1]), parts[2], int(parts[3]), parts[4]
        except (IndexError, ValueError):
            soak.problem("corrupt_message", "%s got %r" % (self.nick, text[:80]))
            return
        if chan != target or body != pad_for(sid, n):
            soak.problem("corrupt_message", "%s got %r on %s" % (self.nick, text[:80], target))
            return
        if soak.args.self_test_drop and self.rnd.random() < soak.args.self_test_drop:
            return              # harness self-test: pretend this one was lost
        self.recv_count += 1
        soak.c["chat_msgs_received"] += 1
        iv = self.open.get(target)
        if iv is None:
            soak.problem("message_to_non_member", "%s got %s:%d on %s" % (self.nick, sid, n, target))
            return
        rec = iv.peers.get(sid)
        if rec is None:
            iv.peers[sid] = [n, n, 0, []]
            return
        last = rec[1]
        if n == last + 1:
            rec[1] = n
        elif n <= last:
            rec[2] += 1
        else:
            rec[3].extend(range(last + 1, n))
            rec[1] = n

    def send_msg(self, chan):
        tw, ta = self.sent.setdefault(chan, ([], []))
        n = len(tw)
        tw.append(tick())
        ta.append(INF)
        self.conn.send("PRIVMSG %s :SOAK %d %s %d %s" % (chan, self.sid, chan, n, pad_for(self.sid, n)))
        self.ping_k += 1
        self.conn.send("PING :a%d" % self.ping_k)
        self.pending.append((self.ping_k, chan, n))
        self.sent_count += 1
        self.soak.c["chat_msgs_sent"] += 1

    async def start(self):
        soak = self.soak
        self.conn = await connect(soak, self.nick)
        self.conn.on_msg = self.on_msg
        await self.conn.register()
        chans = self.fixed + [self.rot]
        self.conn.send("JOIN " + ",".join(chans))
        await self.conn.wait_joined(chans)
        self.alive = True

    async def run(self):
        """Send numbered messages until the soak stops (about 0.6 msg/s)."""
        soak, rnd, conn = self.soak, self.rnd, self.conn
        next_rot = time.monotonic() + rnd.uniform(15, 60)
        try:
            while not soak.stopping and not conn.is_closed:
                await asyncio.sleep(rnd.uniform(1.1, 2.2))
                if soak.stopping or conn.is_closed:
                    break
                if time.monotonic() >= next_rot:
                    next_rot = time.monotonic() + rnd.uniform(15, 60)
                    if self.rot in self.joined:
                        iv = self.open.get(self.rot)
                        iv.t_part_write = tick()
                        conn.send("PART %s :rotating" % self.rot)
                        await conn.wait_parted(self.rot)
                        soak.c["chat_parts"] += 1
                    else:
                        conn.send("JOIN " + self.rot)
                        await conn.wait_joined([self.rot])
                        soak.c["chat_rejoins"] += 1
                    continue
                chans = sorted(self.joined)
                if chans:
                    self.send_msg(rnd.choice(chans))
        except (ConnectionError, asyncio.TimeoutError) as e:
            soak.problem("chatter_failed", "%s: %r error=%r" % (self.nick, e, conn.error))
        if conn.is_closed and not soak.final_phase:
            soak.problem("chatter_disconnected", "%s: ERROR reason %r" % (self.nick, conn.error))

    async def drain_acks(self, timeout=60):
        """Wait until the server has processed every message we sent."""
        if self.conn.is_closed:
            return False
        if not self.pending:
            return True
        k = self.pending[-1][0]
        try:
            await self.conn.wait(lambda p, c, a: c == "PONG" and a and a[-1] == "a%d" % k, timeout)
        except (ConnectionError, asyncio.TimeoutError) as e:
            self.soak.problem("chatter_final_ack", "%s: %r" % (self.nick, e))
            return False
        return not self.pending

    async def barrier(self, timeout=60):
        """PING after all senders are acked: every message for us was queued before the PONG."""
        try:
            await self.conn.ping("fin", timeout)
            self.finished = True
        except (ConnectionError, asyncio.TimeoutError) as e:
            self.soak.problem("chatter_final_ping", "%s: %r" % (self.nick, e))


def verify_delivery(soak, chatters):
    """Check (3): per receiver interval and sender, expected range vs received."""
    expected_total = missing = ooo = checked = 0
    examples = []
    for r in chatters:
        if not r.finished:
            continue
        checked += 1
        for iv in r.intervals:
            for s in chatters:
                if s is r or iv.chan not in s.sent:
                    continue
                tw, ta = s.sent[iv.chan]
                # expected: written after our JOIN echo, and acked (processed
                # by the server) before we wrote PART.
                lo = bisect.bisect_right(tw, iv.t_join)
                hi = bisect.bisect_left(ta, iv.t_part_write) - 1
                rec = iv.peers.get(s.sid)
                if rec is None:
                    span = max(0, hi - lo + 1)
                    lost = span
                    first = last = None
                else:
                    first, last, o, gaps = rec
                    ooo += o
                    if last >= len(tw):
                        soak.problem("phantom_message", "%s got %d:%d beyond sent" % (r.nick, s.sid, last))
                    # Membership is one interval, so everything between the
                    # first and last message expected or delivered must have
                    # been delivered: a gap between two delivered messages is
                    # a loss too.
                    lo2 = min(lo, first) if hi >= lo else first
                    hi2 = max(hi, last) if hi >= lo else last
                    span = hi2 - lo2 + 1
                    lost = span - (last - first + 1 - len(set(gaps)))
                expected_total += span
                if lost:
                    missing += lost
                    if len(examples) < 10:
                        examples.append("%s<-%s %s: expected %d..%d, got %s..%s, %d missing"
                                        % (r.nick, s.nick, iv.chan, lo, hi, first, last, lost))
    return expected_total, missing, ooo, checked, examples


# ---------------------------------------------------------------- load kinds

async def churner(soak, i):
    rnd = random.Random(soak.args.seed * 7919 + i)
    for k in itertools.count(1):
        if soak.stopping:
            return
        conn = None
        try:
            conn = await connect(soak, "churn%dx%d" % (i, k))
            await conn.register()
            chan = rnd.choice(MAIN + ["#churn%d" % (i % 8)])
            conn.send("JOIN " + chan)
            await conn.wait_joined([chan])
            for j in range(rnd.randint(1, 3)):
                conn.send("PRIVMSG %s :churn %d %d %d" % (chan, i, k, j))
                soak.c["churn_msgs_sent"] += 1
            if rnd.random() < 0.5:
                conn.send("PART %s :bye" % chan)
                await conn.wait_parted(chan)
            reason = await conn.quit("churn bye")
            if reason != "Quit: churn bye":
                soak.problem("churn_close_reason", "%s: %r" % (conn.nick, reason))
            soak.c["churn_cycles"] += 1
        except (ConnectionError, OSError, asyncio.TimeoutError, SoakError) as e:
            soak.problem("churner", "%r error=%r" % (e, conn.error if conn else None))
        finally:
            if conn is not None:
                conn.abort()
        await asyncio.sleep(rnd.uniform(soak.args.churn_pause / 2, soak.args.churn_pause * 1.5))


async def flooder(soak, i):
    rnd = random.Random(soak.args.seed * 104729 + i)
    for k in itertools.count(1):
        if soak.stopping:
            return
        conn = None
        try:
            conn = await connect(soak, "flood%dx%d" % (i, k))
            await conn.register()
            conn.send("JOIN " + FLOODCHAN)
            await conn.wait_joined([FLOODCHAN])
            # 1. 25 TIME (penalty 1 each) at once: about 9 answered at once,
            # the rest at one per second - delayed, not closed.
            n = 25
            replies = []
            t0 = time.monotonic()
            conn.on_msg = lambda p, c, a: replies.append(time.monotonic()) if c == "391" else None
            conn.write(b"TIME\r\n" * n)
            while len(replies) < n:
                await conn.wait(lambda p, c, a: c == "391", 60)
            delay = replies[-1] - t0
            soak.flood_delays.append(delay)
            if delay < 8:
                soak.problem("fakelag_not_applied", "%s: %d TIME answered in %.1fs" % (conn.nick, n, delay))
            else:
                soak.c["flood_delayed"] += 1
            conn.on_msg = None
            if soak.stopping:
                reason = await conn.quit("flood done")
                continue
            # 2. a 200 KB burst of PRIVMSG: must end with "Excess Flood".
            burst = "".join("PRIVMSG %s :flood %d %d %d %s\r\n" % (FLOODCHAN, i, k, j, "f" * 80)
                            for j in range(2000)).encode()
            fut = soak.quit_future(conn.nick)
            conn.write(burst)
            soak.c["flood_bytes_sent"] += len(burst)
            if not await conn.wait_closed(60):
                soak.problem("flooder_not_closed", conn.nick)
                continue
            await asyncio.sleep(0.2)
            observed = fut.result() if fut.done() else None
            soak.quit_futs.pop(conn.nick, None)
            if conn.error == "Excess Flood":
                soak.c["flood_closes"] += 1
            elif conn.error is None and observed == "Excess Flood":
                soak.c["flood_closes"] += 1
                soak.c["flood_closes_error_line_lost"] += 1
                soak.note("%s: closed Excess Flood (QUIT seen by peers) but its ERROR line never "
                          "arrived; connection ended with %r" % (conn.nick, conn.closed.result()))
            else:
                soak.problem("flood_close_reason", "%s: ERROR %r QUIT %r" % (conn.nick, conn.error, observed))
        except (ConnectionError, OSError, asyncio.TimeoutError, SoakError) as e:
            soak.problem("flooder", "%r error=%r" % (e, conn.error if conn else None))
        finally:
            if conn is not None:
                conn.abort()
        await asyncio.sleep(rnd.uniform(1, 4))


async def slow_reader(soak, i):
    rnd = random.Random(soak.args.seed * 15485863 + i)
    for k in itertools.count(1):
        if soak.stopping:
            return
        conn = None
        try:
            conn = await connect(soak, "slow%dx%d" % (i, k), rcvbuf=4096)
            await conn.register()
            conn.send("JOIN " + ",".join(MAIN + ROT))
            await conn.wait_joined(MAIN + ROT)
            fut = soak.quit_future(conn.nick)
            conn.transport.pause_reading()
            t_pause = last_input = time.monotonic()
            while not fut.done() and not soak.stopping and time.monotonic() - t_pause < soak.args.slow_max:
                try:
                    await asyncio.wait_for(asyncio.shield(fut), 1)
                except asyncio.TimeoutError:
                    if int(time.monotonic() - t_pause) % 20 == 0:
                        conn.send("PING :alive")   # stay live: only our reading stops
                        last_input = time.monotonic()
            conn.transport.resume_reading()
            if fut.done():
                observed = fut.result()
                t_seen = time.monotonic()
                await conn.wait_closed(20)
                soak.c["slow_time_to_close_total"] += int(time.monotonic() - t_pause)
            else:
                soak.quit_futs.pop(conn.nick, None)
                observed = None
                if not soak.stopping:
                    soak.problem("slow_not_closed", "%s paused %.0fs" % (conn.nick, time.monotonic() - t_pause))
                else:
                    soak.c["slow_unfinished_at_stop"] += 1
                await conn.quit("slow done")
                continue
            if observed == "SendQ exceeded" and conn.error == "SendQ exceeded":
                soak.c["sendq_closes"] += 1
            elif observed == "SendQ exceeded" and conn.error is None:
                soak.c["sendq_closes"] += 1
                soak.c["sendq_error_line_lost"] += 1
                soak.note("%s: closed SendQ exceeded (QUIT seen by peers) but its ERROR line never "
                          "arrived; connection ended with %r; its last input (PING) was written "
                          "%.1f s before the QUIT was seen" % (conn.nick, conn.closed.result(), t_seen - last_input))
            else:
                soak.problem("slow_close_reason", "%s: ERROR %r QUIT %r" % (conn.nick, conn.error, observed))
        except (ConnectionError, OSError, asyncio.TimeoutError, SoakError) as e:
            soak.problem("slow_reader", "%r error=%r" % (e, conn.error if conn else None))
        finally:
            if conn is not None:
                conn.abort()
        await asyncio.sleep(rnd.uniform(0.5, 3))


async def abrupt(soak, i):
    rnd = random.Random(soak.args.seed * 32452843 + i)
    for k in itertools.count(1):
        if soak.stopping:
            return
        conn = None
        variant = k % 5
        try:
            conn = await connect(soak, "abr%dx%d" % (i, k))
            if variant == 0:            # connect and vanish
                pass
            elif variant == 1:          # mid-line during registration
                conn.send("NICK " + conn.nick)
                conn.write(b"USER ab 0 * :hal")
                await asyncio.sleep(0.05)
            else:                       # registered, joined, partial PRIVMSG pending
                await conn.register()
                chan = MAIN[(i + k) % 4]
                conn.send("JOIN " + chan)
                await conn.wait_joined([chan])
                conn.write(("PRIVMSG %s :PARTIAL-%s never ends" % (chan, conn.nick)).encode())
                await asyncio.sleep(rnd.uniform(0, 0.2))
            conn.abort(rst=(variant == 3))
            soak.c["abrupt_closes"] += 1
            soak.c["abrupt_rst" if variant == 3 else "abrupt_fin"] += 1
        except (ConnectionError, OSError, asyncio.TimeoutError, SoakError) as e:
            soak.problem("abrupt", "%r error=%r" % (e, conn.error if conn else None))
            if conn is not None:
                conn.abort()
        await asyncio.sleep(rnd.uniform(0.2, 1.5))


async def oversize(soak, i):
    rnd = random.Random(soak.args.seed * 49979687 + i)
    for k in itertools.count(1):
        if soak.stopping:
            return
        conn = None
        try:
            conn = await connect(soak, "over%dx%d" % (i, k))
            await conn.register()
            chan = MAIN[(i + k) % 4]
            conn.send("JOIN " + chan)
            await conn.wait_joined([chan])
            for r in range(3):
                before = conn.n417
                line = "PRIVMSG %s :OVERSIZE-%s " % (chan, conn.nick)
                line += "y" * (600 - len(line))
                conn.write(line.encode() + b"\r\n")
                soak.c["oversize_600_sent"] += 1
                await conn.ping("o%da" % r)
                big = ("PRIVMSG %s :OVERSIZE-%s " % (chan, conn.nick)).encode() + b"z" * (100 * 1024)
                conn.write(big)
                soak.c["oversize_100k_sent"] += 1
                await asyncio.sleep(0.1)
                conn.write(b"\r\n")
                await conn.ping("o%db" % r)
                if conn.n417 != before + 2:
                    soak.problem("oversize_417_count", "%s: %d 417 for 2 long lines" % (conn.nick, conn.n417 - before))
                # still usable: a normal command right after
                conn.send("PRIVMSG %s :usable %d" % (conn.nick, r))
                nick = conn.nick
                await conn.wait(lambda p, c, a: c == "PRIVMSG" and a[0] == nick and a[-1] == "usable %d" % r, 20)
                soak.c["oversize_rounds_ok"] += 1
            reason = await conn.quit("oversize done")
            if reason != "Quit: oversize done":
                soak.problem("oversize_close_reason", "%s: %r" % (conn.nick, reason))
        except (ConnectionError, OSError, asyncio.TimeoutError, SoakError) as e:
            soak.problem("oversize", "%r error=%r" % (e, conn.error if conn else None))
        finally:
            if conn is not None:
                conn.abort()
        await asyncio.sleep(rnd.uniform(0.5, 2))


# ---------------------------------------------------------------- server

def read_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def read_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rfind(")") + 2:].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


async def monitor(soak, proc):
    """Sample RSS and liveness every 0.5 s; print progress every 10 s."""
    loop = asyncio.get_running_loop()
    last_print = 0.0
    while True:
        t = loop.time()
        await asyncio.sleep(0.5)
        lag = loop.time() - t - 0.5
        soak.loop_lag_max = max(soak.loop_lag_max, lag)
        if proc.poll() is not None:
            soak.problem("server_died", "exit status %r at %.0fs" % (proc.returncode, soak.elapsed()))
            soak.stopping = True
            return
        try:
            rss = read_rss_kib(proc.pid)
        except OSError:
            continue
        soak.rss_peak = max(soak.rss_peak or 0, rss)
        if soak.t_load is not None and not soak.stopping:
            soak.rss_series.append((time.monotonic() - soak.t_load, rss))
        if soak.elapsed() - last_print >= 10:
            last_print = soak.elapsed()
            c = soak.c
            print("[%4.0fs] conns=%d chat sent/recv=%d/%d churn=%d flood delayed/closed=%d/%d "
                  "sendq=%d abrupt=%d 417=%d rss=%dKiB cpu=%.1fs lag=%.2fs problems=%d"
                  % (soak.elapsed(), c["connections"], c["chat_msgs_sent"], c["chat_msgs_received"],
                     c["churn_cycles"], c["flood_delayed"], c["flood_closes"], c["sendq_closes"],
                     c["abrupt_closes"], c["err417_received"], rss, read_cpu_seconds(proc.pid),
                     soak.loop_lag_max, sum(v for k, v in c.items() if k.startswith("problem_"))),
                  file=sys.stderr, flush=True)


def start_server(evircd, workdir):
    conf = os.path.join(workdir, "soak.ini")
    with open(conf, "w") as f:
        f.write(CONF)
    log = os.path.join(workdir, "evircd.log")
    logf = open(log, "wb")
    proc = subprocess.Popen([evircd, "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=logf, stderr=logf)
    logf.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(log, "rb") as f:
            m = re.search(rb"listening on 127\.0\.0\.1:(\d+)", f.read())
        if m:
            return proc, int(m.group(1)), log
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SoakError("evircd did not report its port (see %s)" % log)


async def lusers(conn):
    """LUSERS -> dict of users, unknown, channels, max_local."""
    got = {}

    def collect(prefix, cmd, params):
        if cmd == "253":
            got["unknown"] = int(params[1])
        elif cmd == "254":
            got["channels"] = int(params[1])
        elif cmd == "255":
            m = re.search(r"I have (\d+) clients", params[-1])
            got["users"] = int(m.group(1)) if m else -1
        elif cmd == "265":
            got["max_local"] = int(params[2]) if len(params) > 3 and params[2].isdigit() else -1

    conn.on_msg = collect
    try:
        conn.send("LUSERS")
        await conn.wait(lambda p, c, a: c == "266", 20)
    finally:
        conn.on_msg = None
    return got


# ---------------------------------------------------------------- main

async def run(soak, proc):
    args = soak.args
    mon = asyncio.ensure_future(monitor(soak, proc))
    await asyncio.sleep(0.5)
    soak.rss_start = read_rss_kib(proc.pid)

    watchers = []
    for w in range(2):
        conn = await connect(soak, "watch%d" % w)
        await conn.register()
        conn.send("JOIN " + FLOODCHAN)
        await conn.wait_joined([FLOODCHAN])
        watchers.append(conn)

    chatters = [Chatter(soak, sid) for sid in range(args.chatters)]
    soak.chatters = chatters
    for j in range(0, len(chatters), 16):
        await asyncio.gather(*(ch.start() for ch in chatters[j:j + 16]))
    print("[%4.0fs] %d chatters joined; starting load for %ds"
          % (soak.elapsed(), len(chatters), args.duration), file=sys.stderr, flush=True)
    t_load = soak.t_load = time.monotonic()
    chat_tasks = [asyncio.ensure_future(ch.run()) for ch in chatters]
    load = []
    load += [asyncio.ensure_future(churner(soak, i)) for i in range(args.churners)]
    load += [asyncio.ensure_future(flooder(soak, i)) for i in range(args.flooders)]
    load += [asyncio.ensure_future(slow_reader(soak, i)) for i in range(args.slow)]
    load += [asyncio.ensure_future(abrupt(soak, i)) for i in range(args.abrupt)]
    load += [asyncio.ensure_future(oversize(soak, i)) for i in range(args.oversize)]

    while time.monotonic() - t_load < args.duration and not soak.stopping:
        await asyncio.sleep(1)
    soak.stopping = True
    print("[%4.0fs] stopping load" % soak.elapsed(), file=sys.stderr, flush=True)

    done, pending = await asyncio.wait(load + chat_tasks, timeout=120)
    for t in pending:
        soak.problem("task_stuck", repr(t.get_coro()))
        t.cancel()
    for t in done:
        if t.exception() is not None:
            soak.problem("task_crashed", repr(t.exception()))

    # Delivery barrier: every sender's messages processed, then every
    # receiver's PING answered (its output is FIFO, so all was read).
    live = [ch for ch in chatters if ch.alive and not ch.conn.is_closed]
    await asyncio.gather(*(ch.drain_acks() for ch in live))
    await asyncio.gather(*(ch.barrier() for ch in live))
    soak.final_phase = True
    expected, missing, ooo, checked, examples = verify_delivery(soak, chatters)
    soak.c["delivery_expected"] = expected
    soak.c["delivery_missing"] = missing
    soak.c["delivery_out_of_order"] = ooo
    soak.c["chatters_checked"] = checked
    for e in examples:
        soak.problem("lost_message", e)
    for ch in chatters:
        if not ch.finished:
            soak.problem("chatter_not_finished", ch.nick)
    for conn in watchers:
        if conn.is_closed:
            soak.problem("watcher_disconnected", "%s: %r" % (conn.nick, conn.error))
    await asyncio.gather(*(ch.conn.quit("soak done") for ch in live),
                         *(w.quit("soak done") for w in watchers if not w.is_closed))
    for ch in chatters:
        if ch.conn is not None:
            ch.conn.abort()

    # Check 1: a fresh client still gets in and gets PONG; LUSERS must come
    # back to just us once the server has reaped everything.
    result = {}
    try:
        final = await connect(soak, "final0")
        await final.register()
        await final.ping("still-there")
        result["answers"] = True
        lu = {}
        for _ in range(40):
            lu = await lusers(final)
            if lu.get("users") == 1 and lu.get("channels") == 0 and "unknown" not in lu:
                break
            await asyncio.sleep(0.5)
        result["lusers"] = lu
        if lu.get("users") != 1 or lu.get("channels") != 0 or "unknown" in lu:
            soak.problem("server_counts_not_back", repr(lu))
        await final.quit("bye")
        final.abort()
    except (ConnectionError, OSError, asyncio.TimeoutError, SoakError) as e:
        result["answers"] = False
        soak.problem("server_not_answering", repr(e))
    await asyncio.sleep(2)
    soak.rss_end = read_rss_kib(proc.pid) if proc.poll() is None else None
    result["cpu"] = read_cpu_seconds(proc.pid) if proc.poll() is None else None
    mon.cancel()
    return result


def main():
    ap = argparse.ArgumentParser(description="evircd soak test (docs/RELIABILITY.md)")
    ap.add_argument("--duration", type=int, default=600, help="seconds of load (default 600)")
    ap.add_argument("--evircd", default=os.environ.get("EVIRCD", ""),
                    help="server binary (default $EVIRCD, else build/src/evircd)")
    ap.add_argument("--chatters", type=int, default=160)
    ap.add_argument("--churners", type=int, default=60)
    ap.add_argument("--churn-pause", type=float, default=1.0, help="mean pause between churn cycles (s)")
    ap.add_argument("--flooders", type=int, default=8)
    ap.add_argument("--slow", type=int, default=12)
    ap.add_argument("--slow-max", type=float, default=150, help="a slow reader not closed after this is a problem (s)")
    ap.add_argument("--abrupt", type=int, default=10)
    ap.add_argument("--oversize", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--self-test-drop", type=float, default=0.0, metavar="P",
                    help="harness self-test: ignore each received chat message with probability P; "
                    "the delivery check must then FAIL")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (config, server log)")
    args = ap.parse_args()
    if not args.evircd:
        here = os.path.dirname(os.path.abspath(__file__))
        args.evircd = os.path.join(here, "..", "..", "build", "src", "evircd")
    args.evircd = os.path.abspath(args.evircd)

    workdir = tempfile.mkdtemp(prefix="evircd-soak-")
    soak = Soak(args)
    proc, soak.port, log = start_server(args.evircd, workdir)
    print("evircd %s pid %d port %d workdir %s" % (args.evircd, proc.pid, soak.port, workdir),
          file=sys.stderr, flush=True)
    result = {}
    try:
        result = asyncio.run(run(soak, proc))
    except Exception as e:    # a harness bug must not leave the server running
        soak.problem("harness_exception", repr(e))
        import traceback
        traceback.print_exc()

    # Check 4: alive until now, exits 0 on SIGTERM.
    alive = proc.poll() is None
    if not alive:
        soak.problem("server_died", "exit status %r" % proc.returncode)
        exit_status = proc.returncode
    else:
        proc.send_signal(signal.SIGTERM)
        try:
            exit_status = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            exit_status = proc.wait()
            soak.problem("server_sigterm_hang", "killed after 30 s")
    if exit_status != 0:
        soak.problem("server_exit_status", "%r" % exit_status)
    with open(log, errors="replace") as f:
        loglines = f.read().splitlines()
    warnings = [l for l in loglines if ": warn" in l or ": fatal" in l or "rror" in l]
    for w in warnings[:10]:
        soak.problem("server_log_warning", w)

    c = soak.c
    rss_limit = int(soak.rss_start * 1.5 + 2048) if soak.rss_start else 0
    rss_ok = soak.rss_end is not None and soak.rss_end <= rss_limit
    if not rss_ok:
        soak.problem("rss_not_back", "start %s end %s limit %s KiB" % (soak.rss_start, soak.rss_end, rss_limit))
    checks = {
        "answers": bool(result.get("answers")),
        "rss": rss_ok,
        "delivery": c["delivery_missing"] == 0 and c["delivery_out_of_order"] == 0
        and c["chatters_checked"] == args.chatters and c["delivery_expected"] > 0,
        "alive": alive and exit_status == 0,
    }
    # The load must actually have exercised what it claims to.
    if args.flooders and args.duration >= 60 and c["flood_closes"] == 0:
        soak.problem("no_flood_close_seen")
    # A slow reader is closed only after the server's kernel send buffer
    # (autotuned, about 1.2 MB on loopback here) and then sendq filled:
    # about 60 s at this load, so shorter runs may not see one.
    if args.slow and args.duration >= 90 and c["sendq_closes"] == 0:
        soak.problem("no_sendq_close_seen")
    nproblems = sum(v for k, v in c.items() if k.startswith("problem_"))
    ok = all(checks.values()) and nproblems == 0
    fd = soak.flood_delays

    print()
    print("==== evircd soak summary ====")
    print("binary            %s" % args.evircd)
    print("duration          %d s of load (%.0f s total)" % (args.duration, soak.elapsed()))
    print("connections       %d (chatters %d, churn %d, flood %d, slow %d, abrupt %d, oversize %d)"
          % (c["connections"], c["conn_chat"], c["conn_churn"], c["conn_flood"], c["conn_slow"],
             c["conn_abr"], c["conn_over"]))
    print("chat messages     sent %d, received %d, expected deliveries %d, missing %d, out of order %d (%d chatters checked)"
          % (c["chat_msgs_sent"], c["chat_msgs_received"], c["delivery_expected"], c["delivery_missing"],
             c["delivery_out_of_order"], c["chatters_checked"]))
    print("chat rotation     %d parts, %d rejoins" % (c["chat_parts"], c["chat_rejoins"]))
    print("churn             %d cycles, %d messages" % (c["churn_cycles"], c["churn_msgs_sent"]))
    print("flood             %d delayed (25 TIME: %.1f-%.1f s), %d closed Excess Flood (%d without ERROR line)"
          % (c["flood_delayed"], min(fd) if fd else 0, max(fd) if fd else 0, c["flood_closes"],
             c["flood_closes_error_line_lost"]))
    print("slow readers      %d closed SendQ exceeded (%d without ERROR line), mean %.0f s to close, %d unfinished at stop"
          % (c["sendq_closes"], c["sendq_error_line_lost"],
             c["slow_time_to_close_total"] / c["sendq_closes"] if c["sendq_closes"] else 0,
             c["slow_unfinished_at_stop"]))
    print("abrupt            %d (%d FIN, %d RST)" % (c["abrupt_closes"], c["abrupt_fin"], c["abrupt_rst"]))
    print("oversize          %d x 600 B, %d x 100 KB sent; %d 417 received; %d rounds usable after"
          % (c["oversize_600_sent"], c["oversize_100k_sent"], c["err417_received"], c["oversize_rounds_ok"]))
    print("lines received    %d" % c["lines_in"])
    print("server RSS        start %s KiB, peak %s KiB, end %s KiB (limit %d KiB)"
          % (soak.rss_start, soak.rss_peak, soak.rss_end, rss_limit))
    if soak.rss_series:
        q = []
        for frac in (0.25, 0.5, 0.75, 1.0):
            t = frac * args.duration
            window = [r for (ts, r) in soak.rss_series if t - 0.25 * args.duration < ts <= t]
            q.append("%d" % max(window) if window else "?")
        print("RSS during load   max per quarter %s KiB" % " / ".join(q))
    print("server CPU        %s s (utime+stime)" % (("%.2f" % result["cpu"]) if result.get("cpu") is not None else "?"))
    print("final LUSERS      %s" % result.get("lusers"))
    print("server exit       %r after SIGTERM" % exit_status)
    print("harness loop lag  max %.2f s" % soak.loop_lag_max)
    print("checks            %s" % " ".join("%s=%s" % (k, "ok" if v else "FAIL") for k, v in checks.items()))
    if soak.notes:
        print("notes (%d, do not fail the run):" % c["notes"])
        for t, text in soak.notes:
            print("  [%6.1fs] %s" % (t, text))
    if soak.problems:
        print("problems (%d, first of each kind):" % nproblems)
        for t, kind, detail in soak.problems:
            print("  [%6.1fs] %s: %s" % (t, kind, detail))
    if args.keep or not ok:
        print("work directory    %s (server log evircd.log)" % workdir)
    else:
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)
    kv = [
        ("result", "PASS" if ok else "FAIL"),
        ("duration", args.duration),
        ("connections", c["connections"]),
        ("chat_sent", c["chat_msgs_sent"]),
        ("chat_received", c["chat_msgs_received"]),
        ("delivery_expected", c["delivery_expected"]),
        ("missing", c["delivery_missing"]),
        ("out_of_order", c["delivery_out_of_order"]),
        ("churn_cycles", c["churn_cycles"]),
        ("flood_delayed", c["flood_delayed"]),
        ("flood_closes", c["flood_closes"]),
        ("sendq_closes", c["sendq_closes"]),
        ("abrupt", c["abrupt_closes"]),
        ("err417", c["err417_received"]),
        ("rss_start_kib", soak.rss_start),
        ("rss_peak_kib", soak.rss_peak),
        ("rss_end_kib", soak.rss_end),
        ("cpu_s", ("%.2f" % result["cpu"]) if result.get("cpu") is not None else "NA"),
        ("exit_status", exit_status),
        ("problems", nproblems),
    ]
    print(" ".join("%s=%s" % kv_ for kv_ in kv))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
