#!/usr/bin/env python3
"""log_test.py - the event log lines (issue 13): one info line of key=value
fields per connect, nick change, quit (with its reason), oper, kill,
K-line and D-line added/removed, server link and split, written to stderr; each line splits back
into its fields (values with spaces, quotes or backslashes are quoted and
escaped). [log] syslog/facility are checked by -t.
slow_stderr: stderr a pipe nobody reads; clients keep being served, lines
past the queue are dropped and counted (/metrics), and once the reader
starts, "N log lines dropped" appears with the same count.

  python3 tests/service/log_test.py --evircd build/src/evircd
"""

import argparse
import fcntl
import os
import re
import socket
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svclib import BASE_CONF, Client, Server, run  # noqa: E402

A = None
FIELD = re.compile(r' ([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ "]+)')


def fields(line):
    """The key=value fields of an event line, unquoted; checks that the
    whole line is made of fields."""
    m = re.search(r"info: (event=\S+)((?: [a-z_]+=(?:\"(?:[^\"\\]|\\.)*\"|[^ \"]+))*)$", line)
    assert m, "not a key=value event line: %r" % line
    out = {"event": m.group(1)[6:]}
    for k, v in FIELD.findall(m.group(2)):
        if v.startswith('"'):
            v = re.sub(r'\\x([0-9a-f]{2})', lambda x: chr(int(x.group(1), 16)), v[1:-1])
            v = re.sub(r'\\(.)', r'\1', v)
        out[k] = v
    return out


def ev(srv, event, **want):
    """The next event line of kind event; checks the given fields."""
    m = srv.wait_log(r"^.*info: event=%s( .*)?$" % event)
    f = fields(m.group(0))
    for k, v in want.items():
        assert f.get(k) == v, "%s: %s=%r, want %r (line %r)" % (event, k, f.get(k), v,
                                                                m.group(0))
    return f


def t_events():
    srv = Server(A.evircd, BASE_CONF + "[listen]\naddress = 127.0.0.1\nport = 0\n"
                 "[oper]\nname = admin\npassword = operpass\nhost = *\n")
    try:
        port = srv.port()
        a = Client(port, "alice")
        ev(srv, "connect", nick="alice", user="~alice", host="127.0.0.1", tls="no")
        b = Client(port, "bob")
        ev(srv, "connect", nick="bob")
        b.send("NICK b\\ob")
        b.expect(r"NICK :?b\\ob")
        ev(srv, "nick", old="bob", nick="b\\ob", host="127.0.0.1")
        a.send("OPER admin operpass")
        a.expect(r" 381 ")
        ev(srv, "oper", nick="alice", host="127.0.0.1", oper="admin")
        a.send('KILL b\\ob :go "away" now')
        ev(srv, "kill", nick="b\\ob", by="alice", reason='go "away" now')
        ev(srv, "quit", nick="b\\ob", reason='Killed (alice (go "away" now))')
        a.send("KLINE 10 *@192.0.2.1 :spam bot")
        a.expect(r"NOTICE alice :\*\*\* Added temporary K-line")
        ev(srv, "kline", action="add", mask="*@192.0.2.1", by="alice", duration="600",
           reason="spam bot")
        a.send("UNKLINE *@192.0.2.1")
        a.expect(r"K-line for \[\*@192\.0\.2\.1\] removed")
        ev(srv, "kline", action="remove", mask="*@192.0.2.1", by="alice")
        a.send("DLINE 198.51.100.0/24 :open proxies")
        a.expect(r"D-line")
        ev(srv, "dline", action="add", mask="198.51.100.0/24", duration="0",
           reason="open proxies")
        c = Client(port, "carol")
        ev(srv, "connect", nick="carol")
        c.send("QUIT :bye now")
        ev(srv, "quit", nick="carol", reason="Quit: bye now")
        a.close()
        ev(srv, "quit", nick="alice", reason="Remote host closed the connection")
        b.close()
        c.close()
        assert srv.stop() == 0
        # one line per event: no other event lines than the ones above
        n = len(re.findall(r"info: event=", srv.log))
        assert n == 12, "%d event lines:\n%s" % (n, srv.log)
    finally:
        srv.stop(9)


def t_link():
    """event=link when a server link completes its burst, event=split when
    it is lost (two real servers, B connects to A)."""
    a = Server(A.evircd, BASE_CONF.replace("irc.test", "a.test") +
               "[listen]\naddress = 127.0.0.1\nport = 0\n"
               "[link]\nname = b.test\npassword = linkpw\nhub = no\n")
    b = None
    try:
        port = a.port()
        b = Server(A.evircd, BASE_CONF.replace("irc.test", "b.test") +
                   "[listen]\naddress = 127.0.0.1\nport = 0\n"
                   "[link]\nname = a.test\naddress = 127.0.0.1\nport = %d\n"
                   "password = linkpw\nautoconnect = yes\nconnect_retry = 1\n" % port)
        ev(a, "link", server="b.test")
        assert b.stop() == 0
        f = ev(a, "split", server="b.test")
        assert f.get("reason"), f
    finally:
        if b is not None:
            b.stop(9)
        a.stop(9)


def t_login():
    """event=login when a client logs in (REGISTER logs the new account in)."""
    d = tempfile.mkdtemp(prefix="evircd-login-")
    srv = Server(A.evircd, BASE_CONF + "[listen]\naddress = 127.0.0.1\nport = 0\n"
                 "[accounts]\ndatabase = %s\n" % os.path.join(d, "accounts.db"))
    try:
        a = Client(srv.port(), "alice")
        ev(srv, "connect", nick="alice")
        a.send("REGISTER * * hunter22")
        a.expect(r" REGISTER SUCCESS alice ", timeout=30)
        ev(srv, "login", nick="alice", account="alice", host="127.0.0.1")
        assert "hunter22" not in srv.log
        a.close()
    finally:
        srv.stop(9)
        shutil.rmtree(d, ignore_errors=True)


def t_syslog_conf():
    d = tempfile.mkdtemp(prefix="evircd-logconf-")
    ok = os.path.join(d, "ok.conf")
    bad = os.path.join(d, "bad.conf")
    with open(ok, "w") as f:
        f.write(BASE_CONF + "[log]\nsyslog = yes\nfacility = local3\n")
    with open(bad, "w") as f:
        f.write(BASE_CONF + "[log]\nsyslog = yes\nfacility = local9\n")
    r = subprocess.run([A.evircd, "-t", "-c", ok], capture_output=True, text=True)
    assert r.returncode == 0, r
    r = subprocess.run([A.evircd, "-t", "-c", bad], capture_output=True, text=True)
    assert r.returncode == 1 and re.search(r"bad\.conf:\d+: .*facility", r.stderr), r


def metric(port, name):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    m = re.search(r"^%s (\d+)$" % name, data.decode(), re.M)
    assert m, "no %s in /metrics" % name
    return int(m.group(1))


def t_slow_stderr():
    srv = Server(A.evircd, BASE_CONF + "[listen]\naddress = 127.0.0.1\nport = 0\n"
                 "[http]\nport = 0\n")
    try:
        port = int(srv.wait_log(r"info: listening on 127\.0\.0\.1:(\d+)", start=0).group(1))
        hport = int(srv.wait_log(r"http listening on 127\.0\.0\.1:(\d+)", start=0).group(1))
        try:    # the smallest pipe (one page): fewer lines to fill it
            fcntl.fcntl(srv.p.stderr.fileno(), 1031, 4096)  # F_SETPIPE_SZ
        except OSError:
            pass
        # nobody reads stderr from here; every client must still register
        dropped = 0
        for i in range(3000):
            c = Client(port, "n%d" % i)     # waits for 376/422: served
            c.send("QUIT :bye")
            c.expect(r"^ERROR ")
            c.close()
            if i % 25 == 24:
                dropped = metric(hport, "evircd_log_lines_dropped_total")
                if dropped > 0:
                    break
        assert dropped > 0, "3000 connects and quits, nothing dropped"
        for i in range(10):     # more lines while still unread
            Client(port, "m%d" % i).close()
        # the reader starts: the queue drains and the count is reported
        m = srv.wait_log(r"warning: (\d+) log lines dropped$", start=0)
        a = Client(port, "after")
        srv.wait_log(r"event=connect nick=after ")
        total = metric(hport, "evircd_log_lines_dropped_total")
        notes = [int(x) for x in re.findall(r"warning: (\d+) log lines dropped$", srv.log, re.M)]
        assert int(m.group(1)) > 0 and sum(notes) == total, (notes, total)
        a.close()
        assert srv.stop() == 0
    finally:
        srv.stop(9)


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", required=True)
    A = ap.parse_args()
    run([("events", t_events), ("link", t_link), ("login", t_login), ("syslog_conf", t_syslog_conf),
         ("slow_stderr", t_slow_stderr)])


if __name__ == "__main__":
    main()
