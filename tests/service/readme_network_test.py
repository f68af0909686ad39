#!/usr/bin/env python3
"""readme_network_test.py - the README's "Running a network" snippets work
as written (issue 10):

  check    every ```ini block of the section passes `evircd -t`
  linked   the two configurations, started as they are (only their ports
           replaced by free ones, so parallel runs don't collide), link:
           a user on each sees the other's server in WHOIS 312, LUSERS
           counts two servers, and a private message crosses the link

  python3 tests/service/readme_network_test.py --evircd BIN --source-root DIR
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svclib import Client, Server, free_port, run  # noqa: E402

A = None


def snippets():
    """The ```ini blocks of the README's "## Running a network" section."""
    text = open(os.path.join(A.source_root, "README.md"), encoding="utf-8").read()
    m = re.search(r"^## Running a network\n(.*?)(?=^## )", text, re.M | re.S)
    assert m, "README.md has no '## Running a network' section"
    blocks = re.findall(r"^```ini\n(.*?)^```", m.group(1), re.M | re.S)
    assert len(blocks) == 2, "expected the two servers' configurations, found %d" % len(blocks)
    return blocks


def t_check():
    d = tempfile.mkdtemp(prefix="evircd-readme-")
    for i, b in enumerate(snippets()):
        conf = os.path.join(d, "s%d.conf" % i)
        with open(conf, "w") as f:
            f.write(b)
        r = subprocess.run([A.evircd, "-t", "-c", conf], capture_output=True, text=True)
        assert r.returncode == 0, "README snippet %d refused by evircd -t: %s" % (i, r.stderr)
    # the check can fail: the same snippet with its [link] password removed
    with open(conf, "w") as f:
        f.write(re.sub(r"^password = .*$", "", b, flags=re.M))
    r = subprocess.run([A.evircd, "-t", "-c", conf], capture_output=True, text=True)
    assert r.returncode != 0, "a [link] without a password passed evircd -t"


def t_linked():
    blocks = snippets()
    ports = sorted({int(p) for b in blocks for p in re.findall(r"^port = (\d+)$", b, re.M)})
    assert len(ports) == 2, ports
    new = {p: free_port() for p in ports}
    confs = [re.sub(r"^port = (\d+)$", lambda m: "port = %d" % new[int(m.group(1))], b,
                    flags=re.M) for b in blocks]
    names = [re.search(r"^name = (\S+)$", c, re.M).group(1) for c in confs]
    lports = [int(re.search(r"^\[listen\]\n(?:.*\n)*?port = (\d+)$", c, re.M).group(1))
              for c in confs]
    srv = [Server(A.evircd, c) for c in confs]
    try:
        # the connecting side logs the link once its burst is read
        srv[1].wait_log(r"link %s \(.*\) registered" % re.escape(names[0]), timeout=20)
        a = Client(lports[0], "alice")
        b = Client(lports[1], "bob")
        a.send("LUSERS")
        a.expect(r" 251 alice :There are \d+ users? .* on 2 servers")
        # bob's NICK may still be on its way to A: WHOIS until 312 answers
        for _ in range(50):
            a.send("WHOIS bob")
            line = a.expect(r" (312|401) alice ")
            if " 312 " in line:
                break
        assert " 312 alice bob %s " % names[1] in line, line
        a.send("PRIVMSG bob :across the link")
        b.expect(r"^:alice!\S+ PRIVMSG bob :across the link$")
        a.close()
        b.close()
    finally:
        status = [s.stop() for s in srv]
    # SIGTERM: a clean exit (under ASan, also no leak at exit)
    assert status == [0, 0], "exit status %s" % status


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", required=True)
    ap.add_argument("--source-root", required=True)
    A = ap.parse_args()
    run([("check", t_check), ("linked", t_linked)])


if __name__ == "__main__":
    main()
