#!/usr/bin/env python3
"""e2e_weechat_sasl.py - WeeChat (Debian weechat-headless) logs in to evircd
with SASL PLAIN and with SASL SCRAM-SHA-256 (issue 11).

A fresh evircd on 127.0.0.1 (port 0) with an [accounts] database; a raw
client registers two accounts (REGISTER); one weechat-headless, scripted
with -r, adds two servers (sasl_mechanism plain and scram-sha-256) and
connects both. The test passes when an observer's WHOIS shows each
WeeChat nick logged in to its account (330 RPL_WHOISACCOUNT: 900 was
reached) and the server logged the login.

The server's event log line (event=login ... sasl=MECH) shows which
mechanism WeeChat used.

Environment: EVIRCD_BIN (required), E2E_TIMEOUT (seconds per wait, 30),
E2E_KEEP=1 keeps the temp dir. Exit 77 (meson: skipped) without
weechat-headless. A server built without libgsasl offers no SCRAM-SHA-256:
then only the PLAIN half runs (and says so)."""
import os, re, select, shutil, socket, subprocess, sys, tempfile, time

TIMEOUT = float(os.environ.get("E2E_TIMEOUT", "30"))


class Conn:
    def __init__(self, port, nick):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""
        self.log = []
        self.send("NICK " + nick)
        self.send("USER %s 0 * :%s" % (nick, nick))
        self.expect(r" 001 ")

    def send(self, line):
        self.log.append("> " + line)
        self.s.sendall(line.encode() + b"\r\n")

    def expect(self, pat, timeout=TIMEOUT):
        rx = re.compile(pat)
        end = time.time() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                line = line.rstrip(b"\r").decode(errors="replace")
                self.log.append("< " + line)
                if line.startswith("PING "):
                    self.send("PONG " + line[5:])
                if rx.search(line):
                    return line
            r, _, _ = select.select([self.s], [], [], max(0, end - time.time()))
            if not r:
                raise TimeoutError("waiting for /%s/" % pat)
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed waiting for /%s/" % pat)
            self.buf += d


def main():
    evircd = os.environ.get("EVIRCD_BIN")
    wc = shutil.which("weechat-headless")
    if wc is None:
        print("SKIP: weechat-headless not found (apt-get install weechat-headless)")
        return 77
    if not evircd or not os.access(evircd, os.X_OK):
        print("FAIL: EVIRCD_BIN unset or not executable")
        return 1
    tmp = tempfile.mkdtemp(prefix="evircd-wcsasl.")
    conf = os.path.join(tmp, "evircd.ini")
    with open(conf, "w") as f:
        f.write("[server]\nname = irc.test\nnetwork = TestNet\n"
                "[listen]\naddress = 127.0.0.1\nport = 0\n"
                "[accounts]\ndatabase = %s/accounts.db\n" % tmp)
    errlog = open(os.path.join(tmp, "evircd.stderr"), "w+")
    srv = subprocess.Popen([evircd, "-c", conf], stdout=subprocess.DEVNULL, stderr=errlog)
    weechat = None
    obs = None
    rc = 1
    try:
        port = None
        end = time.time() + TIMEOUT
        while port is None and time.time() < end:
            errlog.seek(0)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", errlog.read())
            if m:
                port = int(m.group(1))
            elif srv.poll() is not None:
                raise RuntimeError("evircd exited")
            else:
                time.sleep(0.05)
        if port is None:
            raise TimeoutError("evircd did not listen")
        obs = Conn(port, "observer")
        obs.send("CAP LS 302")
        caps = obs.expect(r" CAP \S+ LS ")
        scram = "SCRAM-SHA-256" in caps
        for acct, pw in (("wplain", "plainpass1"), ("wscram", "scrampass1")):
            r = Conn(port, acct + "_reg")
            r.send("REGISTER %s * %s" % (acct, pw))
            r.expect(r"REGISTER SUCCESS %s " % acct, timeout=TIMEOUT * 3)
            r.s.close()
        cmds = [
            "/set irc.look.temporary_servers on",
            "/server add evp 127.0.0.1/%d -nicks=wcplain -username=wcp -realname=wcp "
            "-sasl_mechanism=plain -sasl_username=wplain -sasl_password=plainpass1 "
            "-sasl_fail=continue -autoconnect" % port,
        ]
        if scram:
            cmds.append(
                "/server add evs 127.0.0.1/%d -nicks=wcscram -username=wcs -realname=wcs "
                "-sasl_mechanism=scram-sha-256 -sasl_username=wscram "
                "-sasl_password=scrampass1 -sasl_fail=continue -autoconnect" % port)
        cmds.append("/connect evp")
        if scram:
            cmds.append("/connect evs")
        wcdir = os.path.join(tmp, "weechat")
        os.mkdir(wcdir)
        weechat = subprocess.Popen([wc, "--dir", wcdir, "-r", ";".join(cmds)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        want = [("wcplain", "wplain", "PLAIN")]
        if scram:
            want.append(("wcscram", "wscram", "SCRAM-SHA-256"))
        for nick, acct, mech in want:
            end = time.time() + TIMEOUT * 3  # argon2id for PLAIN, valgrind-free server
            while True:
                if weechat.poll() is not None:
                    raise RuntimeError("weechat-headless exited (%d)" % weechat.returncode)
                obs.send("WHOIS " + nick)
                line = obs.expect(r" (318|330) observer %s " % nick)
                if " 330 " in line:
                    if not re.search(r" 330 observer %s %s :" % (nick, acct), line):
                        raise AssertionError("wrong account: " + line)
                    obs.expect(r" 318 observer %s " % nick)
                    break
                if time.time() > end:
                    raise TimeoutError("%s never logged in to %s (%s)" % (nick, acct, mech))
                time.sleep(0.2)
            # which mechanism did it: the server's event log says
            pat = r"event=login nick=%s .*account=%s sasl=%s$" % (nick, acct, mech)
            end = time.time() + TIMEOUT
            while True:
                errlog.seek(0)
                if re.search(pat, errlog.read(), re.M):
                    break
                if time.time() > end:
                    raise AssertionError("no server log line /%s/" % pat)
                time.sleep(0.1)
            print("ok: WeeChat logged in with SASL %s (%s is %s)" % (mech, nick, acct))
        if not scram:
            print("note: this evircd offers no SCRAM-SHA-256 (built without libgsasl)")
        rc = 0
    except Exception as e:
        print("FAIL: %s" % e)
        if obs is not None:
            print("\n".join(obs.log[-40:]))
        errlog.seek(0)
        print("----- evircd stderr -----")
        print(errlog.read()[-4000:])
        for root, _, files in os.walk(os.path.join(tmp, "weechat")):
            for fn in files:
                if fn.endswith(".log"):
                    print("----- %s -----" % fn)
                    with open(os.path.join(root, fn), errors="replace") as f:
                        print(f.read()[-3000:])
    finally:
        if weechat is not None:
            weechat.kill()
            weechat.wait()
        srv.terminate()
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
        if os.environ.get("E2E_KEEP") == "1":
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
