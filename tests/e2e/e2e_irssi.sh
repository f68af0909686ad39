#!/usr/bin/env bash
# e2e_irssi.sh - real-client end-to-end test: irssi (in a detached tmux
# session) and a raw TCP client (rawclient.py) talk to each other through a
# freshly started evircd on 127.0.0.1 with an ephemeral port.
#
# Environment:
#   EVIRCD_BIN   path to the evircd binary (required; meson sets it)
#   E2E_TIMEOUT  per-step wait limit in seconds (default 20)
#   E2E_KEEP=1   keep the temp directory (printed) for inspection
#
# Exit status: 0 pass, 1 fail (logs printed), 77 skipped (irssi, tmux or
# python3 missing) - 77 is meson's "SKIP".
#
# Nothing here uses a fixed sleep for synchronisation: every wait is a poll
# loop for an expected line with a deadline.

set -u
set -o pipefail

STEP_TIMEOUT=${E2E_TIMEOUT:-20}
CHAN='#e2e'
RAWNICK=rawbob
INICK=irssiuser
INICK2=irssinew

log() { printf 'e2e: [%6.2fs] %s\n' "$(( ($(date +%s%N) - T0) / 10000000 ))e-2" "$*"; }

for tool in irssi tmux python3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not found (apt-get install -y irssi tmux)"
		exit 77
	fi
done
if [ -z "${EVIRCD_BIN:-}" ] || [ ! -x "$EVIRCD_BIN" ]; then
	echo "FAIL: EVIRCD_BIN is unset or not executable: '${EVIRCD_BIN:-}'"
	exit 1
fi

T0=$(date +%s%N)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/evircd-e2e.XXXXXX") || exit 1
SOCK="evircd-e2e-$$"
SESSION="e2e"
SERVER_PID=""
RAW_PID=""
TMUX_PID=""
IRSSI_PID=""
IRSSI_RUNNING=0

# Isolated, deterministic environment for everything we start.
export HOME="$TMPD/home"
export TMUX_TMPDIR="$TMPD"          # tmux socket lives in our temp dir
export TERM=xterm-256color          # tmux wants one even when detached
export LC_ALL=C.UTF-8               # UTF-8 text through tmux and irssi
unset TMUX TMUX_PANE
mkdir -p "$HOME" "$TMPD/irssi" "$TMPD/logs"

SERVER_LOG="$TMPD/evircd.stderr"
RAW_RECV="$TMPD/raw.recv"
RAW_TRANSCRIPT="$TMPD/raw.transcript"
RAW_FIFO="$TMPD/raw.cmd"
IRSSI_ALL="$TMPD/logs/irssi-all.log"
IRSSI_RAW="$TMPD/logs/irssi-raw.log"
IRSSI_CHAN="$TMPD/logs/TestNet/$CHAN.log"
PANE_SNAPSHOT="$TMPD/pane.txt"
IRSSI_STDERR="$TMPD/irssi.stderr"

tm() { timeout 10 tmux -u -L "$SOCK" -f /dev/null "$@"; }

cleanup() {
	local rc=$?
	exec 3>&-
	if [ -n "$TMUX_PID" ]; then
		tm kill-session -t "$SESSION" >/dev/null 2>&1
		tm kill-server >/dev/null 2>&1
		kill "$TMUX_PID" 2>/dev/null
	fi
	[ -n "$IRSSI_PID" ] && kill "$IRSSI_PID" 2>/dev/null
	[ -n "$RAW_PID" ] && kill "$RAW_PID" 2>/dev/null
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	[ -n "$RAW_PID" ] && wait "$RAW_PID" 2>/dev/null
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "e2e: kept $TMPD"
	else
		rm -rf "$TMPD"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

dump() { # title file [lines]
	echo "----- $1 ($2) -----"
	if [ -f "$2" ]; then tail -n "${3:-80}" "$2"; else echo "(missing)"; fi
}

fail() {
	echo
	echo "FAIL: $*"
	if [ -n "$TMUX_PID" ] && tm has-session -t "$SESSION" 2>/dev/null; then
		# irssi keeps the last lines in memory; ask it for the raw log too.
		tm send-keys -t "$SESSION" -l "/rawlog save $IRSSI_RAW.saved" 2>/dev/null &&
			tm send-keys -t "$SESSION" Enter 2>/dev/null
		tm capture-pane -p -t "$SESSION" >"$PANE_SNAPSHOT" 2>/dev/null
	fi
	dump "evircd stderr" "$SERVER_LOG"
	dump "raw client transcript" "$RAW_TRANSCRIPT"
	dump "irssi log (all windows)" "$IRSSI_ALL"
	dump "irssi channel autolog" "$IRSSI_CHAN"
	dump "irssi rawlog" "$IRSSI_RAW"
	dump "irssi screen (tmux capture-pane)" "$PANE_SNAPSHOT" 50
	dump "irssi stderr" "$IRSSI_STDERR" 20
	exit 1
}

# poll DESC CMD...: run CMD every 0.1 s until it succeeds or STEP_TIMEOUT
# seconds have passed.  Fails early if evircd died.
poll() {
	local desc=$1; shift
	local deadline=$(( $(date +%s%N) / 1000000 + STEP_TIMEOUT * 1000 ))
	while :; do
		if "$@"; then return 0; fi
		if [ -n "$SERVER_PID" ] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
			fail "evircd exited while waiting for: $desc"
		fi
		if [ "$IRSSI_RUNNING" = 1 ] && [ -n "$IRSSI_PID" ] &&
			! kill -0 "$IRSSI_PID" 2>/dev/null; then
			fail "irssi exited unexpectedly while waiting for: $desc"
		fi
		if (( $(date +%s%N) / 1000000 >= deadline )); then
			fail "timed out after ${STEP_TIMEOUT}s waiting for: $desc"
		fi
		sleep 0.1
	done
}

# --- predicates -----------------------------------------------------------
has_re()    { grep -qE -- "$2" "$1" 2>/dev/null; }
has_fixed() { grep -qF -- "$2" "$1" 2>/dev/null; }
# raw_got NICK REST: the raw client received "[@tags ]:NICK!user@host REST"
# with REST matching exactly.  (Patterns here tolerate IRCv3 message tags so
# the test keeps working whatever capabilities the server grows.)
raw_got() {
	local nick=$1 rest=$2
	[ -f "$RAW_RECV" ] || return 1
	sed -nE "s/^(@[^ ]+ )?:$nick![^ ]* //p" "$RAW_RECV" | grep -qxF -- "$rest"
}
# irssi_said FILE NICK TEXT: irssi's log has "HH:MM <[mode]NICK> TEXT" exactly.
irssi_said() {
	[ -f "$1" ] || return 1
	sed -E 's/^[0-9]{2}:[0-9]{2} <[ @%+]?([^>]+)> /<\1> /' "$1" |
		grep -qxF -- "<$2> $3"
}
session_gone() { ! tm has-session -t "$SESSION" 2>/dev/null; }
pid_gone()     { ! kill -0 "$1" 2>/dev/null; }

# Type a line into irssi exactly as a user would, then press Enter.
type_line() {
	tm send-keys -t "$SESSION" -l -- "$1" || fail "tmux send-keys failed ($1)"
	tm send-keys -t "$SESSION" Enter || fail "tmux send-keys Enter failed"
}
# Send a raw IRC line from the raw client.
raw_send() { printf '%s\n' "$1" >&3 || fail "cannot write to raw client fifo"; }

# --- 1. evircd on an ephemeral loopback port -------------------------------
# Flood control stays on with its defaults (burst 10, penalty 1 a command,
# CAP and PING included): a real client's registration, join and channel
# sync must not be slowed by it (issue 9 item 9). Every step below is
# bounded by STEP_TIMEOUT.
cat >"$TMPD/evircd.ini" <<EOF
[server]
name = irc.test
network = TestNet
[listen]
address = 127.0.0.1
port = 0
EOF

"$EVIRCD_BIN" -c "$TMPD/evircd.ini" 2>"$SERVER_LOG" </dev/null &
SERVER_PID=$!
poll "evircd 'listening on 127.0.0.1:PORT' line" \
	has_re "$SERVER_LOG" 'listening on 127\.0\.0\.1:[0-9]+'
PORT=$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$SERVER_LOG" | head -n1 | sed 's/.*://')
[ -n "$PORT" ] && [ "$PORT" != 0 ] || fail "could not read the port from evircd's log"
log "evircd pid $SERVER_PID listening on 127.0.0.1:$PORT"

# --- 2. raw client: register and join first (it becomes channel op) ---------
mkfifo "$RAW_FIFO" || fail "mkfifo failed"
: >"$RAW_RECV"
python3 "$HERE/rawclient.py" 127.0.0.1 "$PORT" "$RAWNICK" "$RAW_FIFO" \
	"$RAW_RECV" "$RAW_TRANSCRIPT" 150 </dev/null &
RAW_PID=$!
exec 3<>"$RAW_FIFO"    # read-write open never blocks on a FIFO
poll "raw client 001 welcome" has_re "$RAW_RECV" "^(@[^ ]+ )?:[^ ]+ 001 $RAWNICK( |\$)"
raw_send "JOIN $CHAN"
poll "raw client JOIN echo" raw_got "$RAWNICK" "JOIN $CHAN"
poll "raw client end of NAMES" has_re "$RAW_RECV" "^(@[^ ]+ )?:[^ ]+ 366 $RAWNICK $CHAN "
log "raw client $RAWNICK joined $CHAN"

# --- 3. irssi in a detached tmux session, isolated --home ------------------
# Our own config replaces irssi's default one entirely: no other networks,
# nothing autoconnects; the only server is our loopback evircd.
cat >"$TMPD/irssi/config" <<EOF
servers = (
  { address = "127.0.0.1"; chatnet = "TestNet"; port = "$PORT"; use_tls = "no"; autoconnect = "no"; }
);
chatnets = {
  TestNet = {
    type = "IRC";
    autosendcmd = "/rawlog open $IRSSI_RAW";
  };
};
settings = {
  core = {
    real_name = "e2e irssi";
    user_name = "e2e";
    nick = "$INICK";
    settings_autosave = "no";
    rawlog_lines = "2000";
  };
  "irc/core" = {
    # irssi throttles its own output (5 commands, then one per 2.2 s); the
    # server has its own flood control, so don't make the test wait on that.
    cmd_queue_speed = "0";
    cmds_max_at_once = "100";
  };
  "fe-common/core" = {
    autolog = "yes";
    autolog_path = "$TMPD/logs/\$tag/\$0.log";
    autolog_level = "all";
    beep_msg_level = "";
  };
};
EOF
# Commands irssi runs at startup, before it reads the keyboard.
cat >"$TMPD/irssi/startup" <<EOF
/log open $IRSSI_ALL all
EOF

# irssi draws on stdout; its stderr goes to a file we can show on failure.
# timeout(1) is only a safety net so irssi can never outlive the test.
tm new-session -d -s "$SESSION" -x 200 -y 50 \
	sh -c 'exec timeout 150 irssi --home="$1" 2>"$2"' sh "$TMPD/irssi" "$IRSSI_STDERR" \
	</dev/null || fail "could not start tmux/irssi"
TMUX_PID=$(tm display-message -p -t "$SESSION" '#{pid}' 2>/dev/null)
IRSSI_PID=$(tm display-message -p -t "$SESSION" '#{pane_pid}' 2>/dev/null)
log "tmux server pid ${TMUX_PID:-?} (socket -L $SOCK), irssi pid ${IRSSI_PID:-?}"
[ -n "$TMUX_PID" ] || fail "tmux session did not start, or irssi exited at once"
IRSSI_RUNNING=1

poll "irssi startup (log file opened)" has_fixed "$IRSSI_ALL" "Log file $IRSSI_ALL opened"

# --- 4. irssi connects and joins ---------------------------------------------
type_line "/connect TestNet"
# autosendcmd runs once irssi is registered (after 001): it opens the rawlog,
# which is dumped with everything received so far.
poll "irssi registered (001 in its rawlog)" has_re "$IRSSI_RAW" "^>> (@[^ ]+ )?:[^ ]+ 001 $INICK( |\$)"
log "irssi registered as $INICK"

type_line "/join $CHAN"
poll "raw client sees irssi's JOIN" raw_got "$INICK" "JOIN $CHAN"
poll "irssi channel log shows its own join" \
	has_re "$IRSSI_CHAN" "-!- $INICK \\[[^]]*\\] has joined $CHAN"
poll "irssi sees channel NAMES including $RAWNICK" has_re "$IRSSI_RAW" \
	"^>> (@[^ ]+ )?:[^ ]+ 353 $INICK [=*@] $CHAN :(.* )?@$RAWNICK( |!|\$)"
# irssi then queries MODE #chan, WHO #chan and MODE #chan b; it reports the
# channel "synced" only once the server answered all three correctly.
poll "irssi reports the channel synced (MODE/WHO/ban list answered)" \
	has_re "$IRSSI_CHAN" "Join to $CHAN was synced in [0-9]+ secs"
if grep -qF 'Unknown settings in configuration file' "$IRSSI_ALL"; then
	fail "irssi rejected part of the generated config"
fi
log "irssi joined $CHAN"

# --- 5. irssi -> raw: channel PRIVMSG with exact text --------------------------
MSG_I='hello from irssi: ümlaut, “quotes”, <tags> & ~!@#$%^*() [x] {y} | end'
type_line "/window goto $CHAN"
type_line "$MSG_I"
poll "raw client receives irssi's channel PRIVMSG (exact text)" \
	raw_got "$INICK" "PRIVMSG $CHAN :$MSG_I"
poll "irssi logs its own message" irssi_said "$IRSSI_CHAN" "$INICK" "$MSG_I"
log "ok: irssi -> raw PRIVMSG"

# --- 6. raw -> irssi: channel PRIVMSG ------------------------------------------
MSG_R='hello from raw: ñandú 🎉 *bold?* <angle> %s %n $HOME \\ back'
raw_send "PRIVMSG $CHAN :$MSG_R"
poll "irssi shows raw client's channel message (autolog)" \
	irssi_said "$IRSSI_CHAN" "$RAWNICK" "$MSG_R"
# The same line must be on irssi's screen (the channel window is active).
pane_has() { tm capture-pane -p -J -t "$SESSION" 2>/dev/null | grep -qF -- "$RAWNICK> $MSG_R"; }
poll "irssi screen shows raw client's message (capture-pane)" pane_has
log "ok: raw -> irssi PRIVMSG"

# --- 7. /me from irssi is a CTCP ACTION for the raw client ---------------------
type_line "/me waves at $RAWNICK"
poll "raw client receives CTCP ACTION" \
	raw_got "$INICK" "PRIVMSG $CHAN :"$'\001'"ACTION waves at $RAWNICK"$'\001'
log "ok: /me -> CTCP ACTION"

# --- 8. private messages both ways ---------------------------------------------
raw_send "PRIVMSG $INICK :psst, private to irssi"
poll "irssi query log has raw client's private message" \
	irssi_said "$TMPD/logs/TestNet/$RAWNICK.log" "$RAWNICK" "psst, private to irssi"
type_line "/msg $RAWNICK private reply from irssi"
poll "raw client receives irssi's private reply" \
	raw_got "$INICK" "PRIVMSG $RAWNICK :private reply from irssi"
type_line "/window goto $CHAN"
log "ok: private messages both ways"

# --- 9. raw sets the topic; irssi sees it ---------------------------------------
TOPIC='E2E topic: set by the raw client — ✓ 42'
raw_send "TOPIC $CHAN :$TOPIC"
poll "raw client gets its own TOPIC echo" raw_got "$RAWNICK" "TOPIC $CHAN :$TOPIC"
poll "irssi shows the topic change" \
	has_fixed "$IRSSI_CHAN" "-!- $RAWNICK changed the topic of $CHAN to: $TOPIC"
# The topic bar at the top of irssi's screen shows the channel's topic.
topic_bar() { tm capture-pane -p -t "$SESSION" 2>/dev/null | head -n1 | grep -qF -- "$TOPIC"; }
poll "irssi's topic bar shows the new topic (capture-pane)" topic_bar
# /topic with no argument asks the server (RPL_TOPIC 332 + RPL_TOPICWHOTIME 333).
type_line "/topic"
poll "irssi shows RPL_TOPIC for /topic" has_fixed "$IRSSI_CHAN" "-!- Topic for $CHAN: $TOPIC"
poll "irssi shows RPL_TOPICWHOTIME for /topic" has_re "$IRSSI_CHAN" "-!- Topic set by $RAWNICK( |\\[|\$)"
log "ok: topic seen by irssi"

# --- 10. irssi changes nick; raw client sees it ----------------------------------
type_line "/nick $INICK2"
nick_seen() { raw_got "$INICK" "NICK :$INICK2" || raw_got "$INICK" "NICK $INICK2"; }
poll "raw client sees NICK $INICK -> $INICK2" nick_seen
poll "irssi reports its new nick" has_fixed "$IRSSI_CHAN" "-!- You're now known as $INICK2"
log "ok: nick change seen by raw client"

# --- 11. irssi /quit; raw client gets QUIT; irssi exits ------------------------
QUITMSG='e2e done, bye'
IRSSI_RUNNING=0
type_line "/quit $QUITMSG"
quit_seen() {
	[ -f "$RAW_RECV" ] || return 1
	sed -nE "s/^(@[^ ]+ )?:$INICK2![^ ]* QUIT //p" "$RAW_RECV" | grep -qF -- "$QUITMSG"
}
poll "raw client sees QUIT from $INICK2 with the quit message" quit_seen
[ -n "$IRSSI_PID" ] && poll "irssi process exits after /quit" pid_gone "$IRSSI_PID"
poll "tmux session ends with irssi" session_gone
log "ok: QUIT seen by raw client ($(sed -nE "s/^(@[^ ]+ )?:$INICK2![^ ]* QUIT //p" "$RAW_RECV" | head -n1))"

# --- 12. the raw client leaves cleanly; server still healthy -------------------
raw_send "QUIT :raw done"
poll "raw client disconnected by server after QUIT" pid_gone "$RAW_PID"
kill -0 "$SERVER_PID" 2>/dev/null || fail "evircd died during the test"
if grep -qE 'evircd\[[0-9]+\]: fatal:|Sanitizer|runtime error:|Assertion' "$SERVER_LOG"; then
	fail "evircd logged a fatal error / sanitizer report during a clean session"
fi
if grep -qE 'evircd\[[0-9]+\]: warning:' "$SERVER_LOG"; then
	echo "e2e: note: evircd logged warnings during this clean session:"
	grep -E 'evircd\[[0-9]+\]: warning:' "$SERVER_LOG" | head -n 10
fi

echo "PASS: irssi <-> evircd <-> raw client (port $PORT)"
exit 0
