#!/usr/bin/env python3
"""pkg_test.py - the files of the Debian package in a root: the root
install_test.sh installed it into with apt (CI), or a `dpkg -x` of it:

  contents      binary, conffile /etc/evircd/evircd.conf, unit, man pages
  conf_check    ROOT's evircd -t accepts the shipped configuration
  unit_verify   systemd-analyze verify of the unit (paths pointed into
                ROOT) prints nothing (skipped without systemd-analyze)
  man_pages     both man pages render without warnings (skipped without man)
  run           ROOT's evircd on the shipped configuration (listeners moved
                to 127.0.0.1 port 0, bans_file into a temp dir) under a
                NOTIFY_SOCKET: READY=1, two clients register and talk,
                SIGTERM exits 0

  python3 tests/service/pkg_test.py --deb evircd_X_amd64.deb --root ROOT
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svclib import Client, Server, run  # noqa: E402

A = None


def p(*parts):
    return os.path.join(A.root, *parts)


def t_contents():
    for f in ("usr/sbin/evircd", "etc/evircd/evircd.conf", "lib/systemd/system/evircd.service",
              "usr/share/man/man8/evircd.8.gz", "usr/share/man/man5/evircd.conf.5.gz"):
        assert os.path.exists(p(f)), f
    assert os.access(p("usr/sbin/evircd"), os.X_OK)
    r = subprocess.run(["dpkg-deb", "-I", A.deb, "conffiles"], capture_output=True, text=True)
    assert r.returncode == 0 and "/etc/evircd/evircd.conf" in r.stdout.split(), r
    conf = open(p("etc/evircd/evircd.conf")).read()
    assert "man 5 evircd.conf" in conf, "the shipped configuration points at the man page"
    assert not re.search(r"^\[oper\]", conf, re.M), "no operator block enabled by default"
    assert not re.search(r"^password", conf, re.M), "no password shipped"


def t_conf_check():
    r = subprocess.run([p("usr/sbin/evircd"), "-t", "-c", p("etc/evircd/evircd.conf")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r


def t_unit_verify():
    sa = shutil.which("systemd-analyze")
    if sa is None:
        return "skip"
    d = tempfile.mkdtemp(prefix="evircd-unit-")
    unit = open(p("lib/systemd/system/evircd.service")).read()
    assert re.search(r"^Type=notify$", unit, re.M) and re.search(r"^ExecReload=.*-HUP", unit, re.M)
    for k in ("ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes",
              "CapabilityBoundingSet=", "LimitNOFILE=200000"):
        assert re.search(r"^%s$" % re.escape(k), unit, re.M), k
    with open(os.path.join(d, "evircd.service"), "w") as f:
        f.write(unit.replace("/usr/sbin/evircd", p("usr/sbin/evircd")))
    r = subprocess.run([sa, "verify", "--man=no", os.path.join(d, "evircd.service")],
                       capture_output=True, text=True)
    shutil.rmtree(d)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r


def t_man_pages():
    if shutil.which("man") is None:
        return "skip"
    for page in ("usr/share/man/man8/evircd.8.gz", "usr/share/man/man5/evircd.conf.5.gz"):
        r = subprocess.run(["man", "--warnings", "-l", p(page)], capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0"))
        assert r.returncode == 0 and r.stderr.strip() == "", (page, r.stderr)
        assert "evircd" in r.stdout


def t_run():
    d = tempfile.mkdtemp(prefix="evircd-pkg-")
    conf = open(p("etc/evircd/evircd.conf")).read()
    conf = re.sub(r"^address = .*$", "address = 127.0.0.1", conf, flags=re.M)
    # both shipped listeners on loopback, each on a port the kernel picks
    conf = re.sub(r"^port = 6667$", "port = 0", conf, flags=re.M)
    conf = conf.replace("/var/lib/evircd/bans", os.path.join(d, "bans"))
    ns = os.path.join(d, "notify")
    n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    n.bind(ns)
    n.settimeout(10)
    srv = Server(p("usr/sbin/evircd"), conf, env={"NOTIFY_SOCKET": ns})
    try:
        m = n.recv(4096).decode()
        assert "READY=1" in m, m
        port = srv.port()
        a = Client(port, "alice")
        b = Client(port, "bob")
        a.send("PRIVMSG bob :hello from the package")
        b.expect(r"^:alice!\S+ PRIVMSG bob :hello from the package$")
        a.close()
        b.close()
        assert srv.stop() == 0
    finally:
        srv.stop(9)
        shutil.rmtree(d, ignore_errors=True)


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--deb", required=True)
    ap.add_argument("--root", required=True)
    A = ap.parse_args()
    run([("contents", t_contents), ("conf_check", t_conf_check), ("unit_verify", t_unit_verify),
         ("man_pages", t_man_pages), ("run", t_run)])


if __name__ == "__main__":
    main()
