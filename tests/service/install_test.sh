#!/bin/bash
# install_test.sh DEB: the Debian package really installed, then run (CI,
# .ci/run; root, network to a Debian mirror). Steps, each timed:
#  1. a clean Debian 12 root: mmdebstrap (or debootstrap) --variant=minbase
#     with systemd (what a Debian 12 system has; the official container
#     images do not, which the README's commands cover);
#  2. `apt-get install ./evircd_*.deb` inside it (chroot): apt resolves
#     the package's dependencies from the mirror and runs the maintainer
#     scripts (adduser, the conffile's group and mode, the unit enabled);
#  3. install_check.py, in a network namespace of its own (the shipped
#     configuration listens on 6667 on all addresses, unchanged): what the
#     postinst made, then the unit's ExecStartPre/ExecStart run as systemd
#     runs them (User=, no capabilities, no_new_privs, NOTIFY_SOCKET) with a
#     client, SIGHUP = reload, SIGTERM; pkg_test.py on the installed files;
#  4. when systemd-nspawn can boot the root here (not in every container:
#     it needs cgroups it may write), under the real systemd: systemctl
#     start, is-active, a client gets 001, STATUS= counts it, systemctl
#     reload keeps the PID (RELOADING/READY), the process has no
#     capability and NoNewPrivs, systemctl stop; then an evircd.socket on
#     port 194 starts the service on the first connection. When nspawn
#     cannot boot here, step 4 says SKIP and why, and the test still passes.
# Exit 0 (pass), 1 (fail), 77 (skipped: not root, no debootstrap/mmdebstrap).
# EVIRCD_MIRROR overrides http://deb.debian.org/debian.
#
# `install_test.sh --make-root ROOT.tar` does step 1 alone, into a tarball;
# `EVIRCD_ROOT_TAR=ROOT.tar install_test.sh DEB` then starts from it. CI
# makes the root in the background while the test suites run (the
# bootstrap mostly waits on the download), so it costs no wall time there.
set -eu
skip() { echo "SKIP: $*"; exit 77; }
here=$(dirname "$(readlink -f "$0")")
mirror=${EVIRCD_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" = 0 ] || skip "needs root (chroot, mounts, network namespaces)"
# bootstrap DIR LOG: a minbase Debian 12 root with systemd in DIR
bootstrap() {
	if command -v mmdebstrap >/dev/null; then
		mmdebstrap --variant=minbase --include=systemd,systemd-sysv bookworm "$1" "$mirror" >"$2" 2>&1
	elif command -v debootstrap >/dev/null; then
		debootstrap --variant=minbase --include=systemd,systemd-sysv bookworm "$1" "$mirror" >"$2" 2>&1
	else
		echo "neither mmdebstrap nor debootstrap is installed" >"$2"
		return 77
	fi
}
if [ "${1:-}" = --make-root ] && [ $# = 2 ]; then
	d=$(mktemp -d /var/tmp/evircd-mkroot.XXXXXX)
	rc=0
	bootstrap "$d/root" "$d/log" || rc=$?
	if [ $rc = 0 ]; then
		tar -C "$d/root" -cf "$2" .
	else
		tail -30 "$d/log"
	fi
	rm -rf "$d"
	exit $rc
fi
[ $# = 1 ] || { echo "usage: $0 evircd_VERSION_ARCH.deb | --make-root ROOT.tar" >&2; exit 2; }
deb=$(readlink -f "$1")
work=$(mktemp -d /var/tmp/evircd-install.XXXXXX)
root=$work/root
mounted=""
cleanup() {
	for m in $mounted; do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
step() { printf '== install_test: %s (%ds so far)\n' "$*" "$SECONDS"; }
fail() { echo "FAIL: $*"; exit 1; }

step "1. a minbase Debian 12 root with systemd"
if [ -n "${EVIRCD_ROOT_TAR:-}" ]; then
	echo "from $EVIRCD_ROOT_TAR (made by --make-root)"
	mkdir "$root"
	tar -C "$root" -xf "$EVIRCD_ROOT_TAR" || fail "cannot unpack $EVIRCD_ROOT_TAR"
else
	rc=0
	bootstrap "$root" "$work/bootstrap.log" || rc=$?
	[ $rc = 77 ] && skip "$(cat "$work/bootstrap.log")"
	[ $rc = 0 ] || { tail -30 "$work/bootstrap.log"; fail "bootstrap of the root"; }
fi
[ -x "$root/bin/systemctl" ] || fail "the root has no systemd"
[ -e "$root/usr/sbin/evircd" ] && fail "the fresh root already has evircd"
grep -q '^evircd:' "$root/etc/passwd" && fail "the fresh root already has the user"

step "2. apt-get install ./$(basename "$deb") in the root"
cp "$deb" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc" && mounted="$root/proc $mounted"
mount --bind /dev "$root/dev" && mounted="$root/dev $mounted"
if ! chroot "$root" /bin/sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends ./tmp/$(basename "$deb")" \
	>"$work/apt.log" 2>&1 </dev/null; then
	tail -40 "$work/apt.log"
	fail "apt-get install of the package"
fi
grep -E "^(Setting up|Unpacking) evircd" "$work/apt.log"
# what apt pulled in for it (its dependencies, resolved from the mirror)
awk '/^The following NEW packages will be installed:/ { on = 1; print; next }
	on && /^  / { print; next } { on = 0 }' "$work/apt.log"
for m in $mounted; do umount "$m"; done
mounted=""

step "3. the installed package: maintainer scripts, the unit's ExecStart, files"
unshare --net -- /bin/sh -c "ip link set lo up && exec python3 '$here/install_check.py' --root '$root'" ||
	fail "install_check.py"
python3 "$here/pkg_test.py" --deb "$deb" --root "$root" || fail "pkg_test.py on the installed root"

step "4. booted under systemd (systemd-nspawn)"
if ! command -v systemd-nspawn >/dev/null; then
	echo "SKIP step 4: no systemd-nspawn (Debian package systemd-container)"
	step "done: PASS"
	exit 0
fi
cat >"$root/root/boot-check.sh" <<'EOS'
#!/bin/bash
exec >/root/boot-check.out 2>&1
set -euxo pipefail
wait_for() { for _ in $(seq 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }
irc() { # irc PORT NICK: register, wait for 001, keep the connection on fd 3
	exec 3<>/dev/tcp/127.0.0.1/$1
	printf 'NICK %s\r\nUSER %s 0 * :%s\r\n' "$2" "$2" "$2" >&3
	timeout 5 grep -q -m1 " 001 $2 " <&3
}
systemctl start evircd
[ "$(systemctl is-active evircd)" = active ]
pid=$(systemctl show evircd -p MainPID --value)
irc 6667 boot
wait_for '[[ "$(systemctl show evircd -p StatusText --value)" == "1 clients (1 users, 0 unregistered)"* ]]'
systemctl reload evircd
[ "$(systemctl is-active evircd)" = active ]
[ "$(systemctl show evircd -p MainPID --value)" = "$pid" ]
journalctl -u evircd | grep -q "configuration reloaded"
journalctl -u evircd | grep -q "event=connect nick=boot "
grep -q "^Uid:.*$(id -u evircd)" /proc/$pid/status
grep -q "^CapEff:.*0000000000000000" /proc/$pid/status
grep -q "^CapBnd:.*0000000000000000" /proc/$pid/status
grep -q "^NoNewPrivs:.*1" /proc/$pid/status
exec 3<&-
systemctl stop evircd
[ "$(systemctl is-active evircd)" != active ]
printf '[Socket]\nListenStream=0.0.0.0:194\n' >/etc/systemd/system/evircd.socket
systemctl daemon-reload
systemctl start evircd.socket
irc 194 sock
[ "$(systemctl is-active evircd)" = active ]
pid=$(systemctl show evircd -p MainPID --value)
grep -q "^CapEff:.*0000000000000000" /proc/$pid/status
journalctl -u evircd | grep -q "listening on 0.0.0.0:194 (socket activation)"
echo PASS
EOS
chmod +x "$root/root/boot-check.sh"
cat >"$root/etc/systemd/system/boot-check.service" <<'EOS'
[Unit]
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/boot-check.sh
ExecStopPost=/bin/systemctl poweroff
[Install]
WantedBy=multi-user.target
EOS
ln -sf /etc/systemd/system/boot-check.service "$root/etc/systemd/system/multi-user.target.wants/"
# A private network (only lo: the ports cannot meet the host's), no
# registration with a host systemd (there may be none). nspawn keeps its
# state under /run/systemd/nspawn, which it refuses to clean unless it is
# a tmpfs: a tmpfs there in a mount namespace of our own.
rc=0
timeout 120 unshare --mount -- /bin/sh -c '
	mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn &&
	exec systemd-nspawn -q -D "$1" --register=no --keep-unit --private-network -b --console=pipe' \
	sh "$root" </dev/null >"$work/nspawn.log" 2>&1 || rc=$?
if [ -s "$root/root/boot-check.out" ]; then
	if tail -1 "$root/root/boot-check.out" | grep -qx PASS; then
		echo "booted: start, status, reload, no capabilities, stop, socket activation: PASS"
	else
		cat "$root/root/boot-check.out"
		fail "under systemd-nspawn (exit $rc)"
	fi
elif [ "$rc" = 124 ]; then
	tail -20 "$work/nspawn.log"
	fail "systemd-nspawn booted but the checks did not finish within 120 s"
else
	echo "SKIP step 4: systemd-nspawn cannot boot a container here (exit $rc):"
	sed 's/^/  /' "$work/nspawn.log" | tail -5
fi
step "done: PASS"
