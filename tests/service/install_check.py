#!/usr/bin/env python3
"""install_check.py - the Debian package as installed by apt in a Debian
root (run by install_test.sh, as root, in a network namespace of its own
so that the shipped ports cannot meet anything else):

  installed     dpkg says "install ok installed"; the postinst made the
                system user and group (no login shell, home /var/lib/evircd);
                /etc/evircd/evircd.conf is a registered conffile,
                root:evircd 0640; the unit is installed and enabled
                (multi-user.target.wants); both man pages
  exec_start    the unit's ExecStartPre and ExecStart, run the way systemd
                runs them from the unit's own lines: chroot into the root,
                User=/Group= of the unit, no capabilities, no_new_privs,
                UMask=, LimitNOFILE=, StateDirectory= made and owned by the
                user, NOTIFY_SOCKET: READY=1; a client registers and gets
                001; STATUS= counts it; SIGHUP (ExecReload) gives
                RELOADING=1 then READY=1 and "configuration reloaded";
                SIGTERM gives STOPPING=1 and exit 0

  python3 tests/service/install_check.py --root ROOT
"""

import argparse
import os
import pwd
import grp
import re
import shlex
import socket
import stat
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svclib import Client, run  # noqa: E402

A = None
UNIT = "lib/systemd/system/evircd.service"


def p(*parts):
    return os.path.join(A.root, *parts)


def inroot(*argv):
    return subprocess.run(["chroot", A.root] + list(argv), capture_output=True, text=True)


def root_user(name):
    """(uid, gid, home, shell) of name in ROOT's /etc/passwd."""
    for line in open(p("etc/passwd")):
        f = line.rstrip("\n").split(":")
        if f[0] == name:
            return int(f[2]), int(f[3]), f[5], f[6]
    raise AssertionError("no user %s in the root's /etc/passwd" % name)


def unit_keys():
    keys = {}
    for line in open(p(UNIT)):
        m = re.match(r"^([A-Za-z]+)=(.*)$", line.rstrip("\n"))
        if m:
            keys.setdefault(m.group(1), []).append(m.group(2))
    return keys


def t_installed():
    r = inroot("dpkg-query", "-W", "-f", "${Status} ${Version}\\n${Conffiles}\\n", "evircd")
    assert r.returncode == 0 and r.stdout.startswith("install ok installed "), r
    assert re.search(r"^ /etc/evircd/evircd\.conf [0-9a-f]{32}$", r.stdout, re.M), r.stdout
    uid, gid, home, shell = root_user("evircd")
    assert uid < 1000, "not a system user: uid %d" % uid
    assert home == "/var/lib/evircd" and shell.endswith("nologin"), (home, shell)
    assert re.search(r"^evircd:x:%d:" % gid, open(p("etc/group")).read(), re.M)
    st = os.stat(p("etc/evircd/evircd.conf"))
    assert st.st_uid == 0 and st.st_gid == gid and stat.S_IMODE(st.st_mode) == 0o640, st
    assert os.path.isfile(p(UNIT))
    want = p("etc/systemd/system/multi-user.target.wants/evircd.service")
    assert os.path.islink(want) and os.readlink(want).endswith("/evircd.service"), \
        "the unit is not enabled"
    for page in ("usr/share/man/man8/evircd.8.gz", "usr/share/man/man5/evircd.conf.5.gz"):
        assert os.path.isfile(p(page)), page


def exec_argv(line):
    """A unit Exec line (no prefixes, no specifiers here) as argv."""
    assert not re.match(r"^[-@:+!]", line) and "%" not in line, line
    return shlex.split(line)


def t_exec_start():
    k = unit_keys()
    user, group = k["User"][0], k["Group"][0]
    uid, gid, _, _ = root_user(user)
    assert re.search(r"^%s:x:%d:" % (group, gid), open(p("etc/group")).read(), re.M)
    umask = k.get("UMask", ["0022"])[0]
    nofile = k.get("LimitNOFILE", [""])[0]
    assert k["Type"] == ["notify"] and k["CapabilityBoundingSet"] == [""]
    assert k["NoNewPrivileges"] == ["yes"]
    # StateDirectory=: /var/lib/NAME made and owned by the user
    for name in k.get("StateDirectory", []):
        d = p("var/lib", name)
        os.makedirs(d, exist_ok=True)
        os.chown(d, uid, gid)
        os.chmod(d, int(k.get("StateDirectoryMode", ["0755"])[0], 8))
    ns = p("run/evircd-notify")
    if os.path.exists(ns):
        os.unlink(ns)
    n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    n.bind(ns)
    os.chmod(ns, 0o777)
    n.settimeout(20)

    def as_unit(argv, **kw):
        # what systemd does for User=, Group=, CapabilityBoundingSet= (empty),
        # NoNewPrivileges=yes, UMask=, LimitNOFILE=; setpriv is the root's
        sh = "umask %s; %sexec \"$@\"" % (umask, "ulimit -n %s; " % nofile if nofile else "")
        cmd = ["chroot", A.root, "/usr/bin/setpriv", "--reuid=%d" % uid, "--regid=%d" % gid,
               "--init-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all",
               "/bin/sh", "-c", sh, "sh"] + argv
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NOTIFY_SOCKET": "/run/evircd-notify"}
        return cmd, env

    for line in k.get("ExecStartPre", []):
        cmd, env = as_unit(exec_argv(line))
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        assert r.returncode == 0, ("ExecStartPre", line, r)
    cmd, env = as_unit(exec_argv(k["ExecStart"][0]))
    srv = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
    log = ""
    try:
        def notify(word):
            while True:
                m = n.recv(4096).decode()
                if word in m.split("\n"):
                    return m

        notify("READY=1")
        st = open("/proc/%d/status" % srv.pid).read()
        assert re.search(r"^Uid:\s+%d\s" % uid, st, re.M), st
        assert re.search(r"^Gid:\s+%d\s" % gid, st, re.M), st
        assert re.search(r"^CapEff:\s+0+$", st, re.M) and re.search(r"^CapBnd:\s+0+$", st, re.M)
        assert re.search(r"^NoNewPrivs:\s+1$", st, re.M)
        # the shipped configuration, unchanged: port 6667 on all addresses
        c = Client(6667, "installed")
        c.send("PRIVMSG installed :hello")
        c.expect(r"PRIVMSG installed :hello$")
        while not re.search(r"^STATUS=1 clients", n.recv(4096).decode(), re.M):
            pass
        srv.send_signal(1)      # ExecReload=/bin/kill -HUP $MAINPID
        notify("RELOADING=1")
        notify("READY=1")
        c.send("PING :after-reload")
        c.expect(r" PONG .*after-reload")
        c.close()
        srv.send_signal(15)
        notify("STOPPING=1")
        assert srv.wait(15) == 0
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
        log = srv.stderr.read()
        n.close()
        os.unlink(ns)
    assert "configuration reloaded" in log, log
    assert re.search(r"event=connect nick=installed ", log), log


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    A = ap.parse_args()
    run([("installed", t_installed), ("exec_start", t_exec_start)])


if __name__ == "__main__":
    main()
