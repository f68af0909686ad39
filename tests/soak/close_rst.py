#!/usr/bin/env python3
"""close_rst.py - is the final "ERROR :Closing Link" line delivered when the
client wrote something after the server decided to close it?

Found by the soak run (docs/RELIABILITY.md, "ERROR line lost"). A slow
reader fills its sendq (sendq = 16k here, so it takes seconds), 40 talkers
keep its channel busy. When a peer sees its "QUIT :SendQ exceeded":

  quiet  the slow reader just resumes reading;
  late   it first writes one line ("PING :late"), then resumes reading.

Expected for both: the backlog, then "ERROR :Closing Link: ... (SendQ
exceeded)", then EOF. evircd 0.1.0 delivers it for "quiet", but for "late"
the connection is reset and the ERROR line (and whatever output the kernel
still held) is lost: client_close() disables reading, so the late line
stays unread in the server's socket, and close() of a socket with unread
input sends RST and discards the unsent output (RFC 1122 4.2.2.13; Linux
tcp_close()).

  python3 tests/soak/close_rst.py [--evircd PATH] [--trials N]

Exit 0 when every trial got its ERROR line, 1 otherwise.
"""

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
import types

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soak as S  # noqa: E402

CONF = S.CONF.replace("sendq = 262144", "sendq = 16384")


async def trial(sk, i, late):
    slow = await S.connect(sk, "slow%d" % i, rcvbuf=4096)
    await slow.register()
    slow.send("JOIN #x")
    await slow.wait_joined(["#x"])
    fut = sk.quit_future(slow.nick)
    slow.transport.pause_reading()
    talkers = []
    for t in range(40):
        c = await S.connect(sk, "chat%dt%d" % (i, t))
        await c.register()
        c.send("JOIN #x")
        await c.wait_joined(["#x"])
        talkers.append(c)
    t0 = time.monotonic()
    while not fut.done() and time.monotonic() - t0 < 90:
        for c in talkers:
            c.send("PRIVMSG #x :" + "m" * 400)
        try:
            await asyncio.wait_for(asyncio.shield(fut), 1.05)
        except asyncio.TimeoutError:
            pass
    if late:
        slow.send("PING :late")
        await asyncio.sleep(0.05)
    slow.transport.resume_reading()
    await slow.wait_closed(20)
    for c in talkers:
        c.abort()
    await asyncio.sleep(0.5)
    return (fut.result() if fut.done() else None), slow.error, slow.closed.result() if slow.closed.done() else "open"


async def run(port, trials):
    sk = S.Soak(types.SimpleNamespace(seed=1, self_test_drop=0))
    sk.port = port
    sk.final_phase = True
    failures = 0
    for i in range(trials):
        late = i % 2 == 1
        quit_reason, error_line, lost = await trial(sk, i, late)
        ok = error_line == "SendQ exceeded"
        failures += not ok
        print("%-5s QUIT seen by peers: %-16r ERROR line: %-18r connection end: %r  %s"
              % ("late" if late else "quiet", quit_reason, error_line, lost, "ok" if ok else "LOST"))
    return failures


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--evircd", default=os.environ.get("EVIRCD") or os.path.join(here, "..", "..", "build", "src", "evircd"))
    ap.add_argument("--trials", type=int, default=4)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="evircd-close-rst-")
    conf = os.path.join(work, "c.ini")
    with open(conf, "w") as f:
        f.write(CONF)
    log = os.path.join(work, "evircd.log")
    with open(log, "wb") as logf:
        proc = subprocess.Popen([args.evircd, "-c", conf], stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
    try:
        port = None
        for _ in range(200):
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(log).read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        if port is None:
            print("no port in %s" % log)
            return 2
        failures = asyncio.run(run(port, args.trials))
    finally:
        proc.terminate()
        proc.wait()
    print("%d of %d trials lost the ERROR line" % (failures, args.trials))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
