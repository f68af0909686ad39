#!/usr/bin/env python3
"""service_test.py - evircd under a service manager, without a running
systemd (issue 13):

  notify            a NOTIFY_SOCKET the test owns (unix datagram socket):
                    READY=1 with STATUS= once the listener accepts, STATUS=
                    with client counts from a timer (not per event),
                    RELOADING=1 + MONOTONIC_USEC on SIGHUP and on REHASH then
                    READY=1, STOPPING=1 on SIGTERM, exit status 0
  socket_activate   systemd-socket-activate -l 127.0.0.1:A -l 127.0.0.1:B:
                    A matches a [listen] section, B does not (plain
                    listener), a section with no socket is not opened;
                    clients register through both passed sockets

  python3 tests/service/service_test.py --evircd build/src/evircd --systemd yes
"""

import argparse
import os
import re
import shutil
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svclib import BASE_CONF, Client, Fail, Server, free_port, run  # noqa: E402

A = None


def listen(port):
    return "[listen]\naddress = 127.0.0.1\nport = %d\n" % port


class Notify:
    def __init__(self, d):
        self.path = os.path.join(d, "notify")
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        self.msgs = []

    def recv(self, timeout):
        self.s.settimeout(timeout)
        m = self.s.recv(4096).decode()
        self.msgs.append(m)
        return m

    def wait(self, pattern, timeout=10.0):
        """Next message matching pattern; the ones before it are returned too."""
        rx = re.compile(pattern, re.S)
        skipped = []
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            try:
                if left <= 0:
                    raise socket.timeout()
                m = self.recv(left)
            except socket.timeout:
                raise Fail("no notification /%s/ within %.0f s; got %r"
                           % (pattern, timeout, self.msgs))
            if rx.search(m):
                return m, skipped
            skipped.append(m)


def t_notify():
    if A.systemd != "yes":
        return "skip"
    import tempfile
    d = tempfile.mkdtemp(prefix="evircd-notify-")
    n = Notify(d)
    srv = Server(A.evircd, BASE_CONF + listen(0) +
                 "[oper]\nname = admin\npassword = operpass\nhost = *\n",
                 env={"NOTIFY_SOCKET": n.path})
    try:
        m, _ = n.wait(r"READY=1")
        # READY is sent after the listener is open: the port is logged and accepts now
        port = srv.port()
        assert "STATUS=0 clients (0 users, 0 unregistered)" in m, m
        Client(port).close()
        # STATUS from the timer, not per event: ten registrations make at
        # most two STATUS messages before the one that counts all ten
        cls = [Client(port, "u%d" % i) for i in range(10)]
        m, skipped = n.wait(r"STATUS=10 clients \(10 users, 0 unregistered\)", timeout=15)
        assert len(skipped) <= 2, skipped
        assert "READY" not in m and "RELOADING" not in m, m
        # SIGHUP: RELOADING=1 with MONOTONIC_USEC of the reload, then READY=1
        before = time.monotonic_ns() // 1000
        srv.p.send_signal(1)
        m, _ = n.wait(r"RELOADING=1")
        after = time.monotonic_ns() // 1000
        us = int(re.search(r"MONOTONIC_USEC=(\d+)", m).group(1))
        assert before <= us <= after, (before, us, after)
        m, skipped = n.wait(r"READY=1")
        assert skipped == [], skipped
        srv.wait_log(r"configuration reloaded")
        # REHASH from an operator: the same pair
        cls[0].send("OPER admin operpass")
        cls[0].expect(r" 381 ")
        cls[0].send("REHASH")
        cls[0].expect(r" 382 ")
        n.wait(r"RELOADING=1\nMONOTONIC_USEC=\d+")
        n.wait(r"READY=1")
        # SIGTERM: STOPPING=1, clean exit
        srv.p.send_signal(15)
        n.wait(r"STOPPING=1")
        # no second signal: once the loop is gone the default action would
        # apply (that race made this test fail under ASan's slower exit)
        st = srv.p.wait(15)
        assert st == 0, st
        for c in cls:
            c.close()
    finally:
        srv.stop(9)
        shutil.rmtree(d, ignore_errors=True)


def t_socket_activate():
    sa = shutil.which("systemd-socket-activate")
    if A.systemd != "yes" or sa is None:
        return "skip"
    pa, pb, pc = free_port(), free_port(), free_port()
    srv = Server(A.evircd, BASE_CONF + listen(pa) + listen(pc),
                 argv_prefix=[sa, "-l", "127.0.0.1:%d" % pa, "-l", "127.0.0.1:%d" % pb])
    try:
        srv.wait_log(r"Listening on 127\.0\.0\.1:%d" % pb, start=0)
        # the first connection starts the server (systemd-socket-activate
        # execs evircd then), it is accepted from the backlog
        a = Client(pa, "alice")
        b = Client(pb, "bob")
        srv.wait_log(r"listening on 127\.0\.0\.1:%d \(socket activation\)$" % pa, start=0)
        srv.wait_log(r"listening on 127\.0\.0\.1:%d \(socket activation\)$" % pb, start=0)
        srv.wait_log(r"\[listen\] 127\.0\.0\.1 port %d not opened" % pc, start=0)
        a.send("PRIVMSG bob :hi")
        b.expect(r"^:alice!\S+ PRIVMSG bob :hi$")
        try:
            socket.create_connection(("127.0.0.1", pc), timeout=5).close()
            raise Fail("port %d of an unmatched [listen] section is open" % pc)
        except ConnectionRefusedError:
            pass
        st = srv.stop()
        assert st == 0, (st, srv.log[-2000:])
    finally:
        srv.stop(9)


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", required=True)
    ap.add_argument("--systemd", default="yes", help="built with libsystemd (yes/no)")
    A = ap.parse_args()
    run([("notify", t_notify), ("socket_activate", t_socket_activate)])


if __name__ == "__main__":
    main()
