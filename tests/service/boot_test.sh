#!/bin/bash
# boot_test.sh DEB [ROOT]: the package under a real systemd (not part of
# `meson test`; a few minutes, needs root, network, debootstrap and
# systemd-nspawn from systemd-container). Into a minbase Debian 12 root
# (made with debootstrap unless ROOT is given) it installs systemd and DEB
# with apt, boots the root with systemd-nspawn and, inside, checks:
#   systemctl start evircd: active, a client gets 001, STATUS= counts it,
#   systemctl reload: RELOADING/READY, still active, same PID,
#   the process: user evircd, no capabilities, NoNewPrivs,
#   systemctl stop: inactive,
#   an evircd.socket on port 194: the first connection starts the service,
#   which registers the client without any capability.
# Prints PASS (exit 0) or the transcript of the checks (exit 1).
set -eu
deb=$(readlink -f "$1")
root=${2:-}
if [ -z "$root" ]; then
	root=$(mktemp -d /var/tmp/evircd-boot.XXXXXX)
	debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
fi
cp "$deb" "$root/tmp/evircd.deb"
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" /bin/sh -c 'apt-get update -q >/dev/null && apt-get install -y -q systemd systemd-sysv /tmp/evircd.deb >/dev/null'
cat > "$root/root/boot-check.sh" <<'EOS'
#!/bin/bash
exec > /root/boot-check.out 2>&1
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
printf '[Socket]\nListenStream=0.0.0.0:194\n' > /etc/systemd/system/evircd.socket
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
cat > "$root/etc/systemd/system/boot-check.service" <<'EOS'
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
rm -f "$root/root/boot-check.out"
timeout 180 systemd-nspawn -q -D "$root" --register=no --keep-unit -b --console=pipe \
	</dev/null >/dev/null 2>&1 || true
if tail -1 "$root/root/boot-check.out" | grep -qx PASS; then
	echo PASS
else
	cat "$root/root/boot-check.out"
	exit 1
fi
