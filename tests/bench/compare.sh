#!/usr/bin/env bash
# compare.sh: evircd, ngIRCd and InspIRCd side by side under evircd-bench.
#
# Starts each server in the foreground on its own loopback port with the
# configurations in tests/bench/peers/ (flood control, clone limits, connect
# throttles, DNS and ident lookups off), pins the server to one core and the
# generator to another, runs every scenario REPS times (a fresh server
# process per run, so RSS figures start from the same baseline) and prints
# a table of medians with evircd/peer ratios.
#
# Run from anywhere:   tests/bench/compare.sh
# Big variant:         BIG=1 tests/bench/compare.sh    (connect, 19 000 clients)
# Environment (defaults in brackets):
#   EVIRCD [build/src/evircd]  NGIRCD [ngircd]  INSPIRCD [inspircd]
#   BENCH  [build/tests/bench/evircd-bench, else compiled with gcc into WORKDIR]
#   SERVERS ["evircd ngircd inspircd"]  SCENARIOS ["connect fanout privmsg churn"]
#   REPS [3]  DURATION [10]  SERVER_CPU [0]  BENCH_CPU [1]
#   CONNECT_N [5000]  CONNECT_HOLD [0]  CONNECT_SOURCES [auto]
#   FANOUT_CLIENTS [500]  FANOUT_SENDERS [5]  FANOUT_RATE [0 = unlimited]
#   PRIVMSG_PAIRS [100]  PRIVMSG_RATE [0]  WINDOW [16]  SIZE [64]
#   CHURN_WORKERS [50]
#   CONC_EVIRCD [500]  CONC_NGIRCD [8]  CONC_INSPIRCD [2000]
#       registrations in flight per server; ngIRCd listens with a backlog of
#       10, so more than ~8 concurrent connects lose SYNs and stall for 1 s+;
#       InspIRCd completes registrations on a once-a-second pass, so its
#       throughput is concurrency/s and it gets a larger batch.
#   WORKDIR [mktemp -d]: logs, results.txt (every key=value line), table.txt
# History on and off (issue 12, docs/PERFORMANCE.md): two more names for
# SERVERS, the same evircd binary with a generated configuration:
#   evircd-nohist  [history] enabled = no              (port 16670)
#   evircd-histdb  history written to an [accounts] database in WORKDIR,
#                  a fresh file per run                  (port 16671)
#   evircd-acctdb  the same database, history in memory only
#                  ([history] persist = no)              (port 16672)
#   evircd-dbnohist  the same database, [history] enabled = no (port 16673)
# ("evircd" itself runs with the default: history on, in memory), e.g.
#   SERVERS="evircd evircd-nohist evircd-histdb" SCENARIOS=fanout tests/bench/compare.sh
# More clients than one process can hold (~19 900 here): several evircd-bench
# processes in parallel, see docs/PERFORMANCE.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

if [[ "${BIG:-0}" == 1 ]]; then
	: "${SCENARIOS:=connect}"
	: "${CONNECT_N:=19000}"
	: "${CONNECT_HOLD:=10}"
	: "${CONNECT_SOURCES:=4}"
	: "${REPS:=1}"
fi

EVIRCD=${EVIRCD:-build/src/evircd}
NGIRCD=${NGIRCD:-$(command -v ngircd || echo /usr/sbin/ngircd)}
INSPIRCD=${INSPIRCD:-$(command -v inspircd || echo /usr/sbin/inspircd)}
SERVERS=${SERVERS:-"evircd ngircd inspircd"}
SCENARIOS=${SCENARIOS:-"connect fanout privmsg churn"}
REPS=${REPS:-3}
DURATION=${DURATION:-10}
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
CONNECT_N=${CONNECT_N:-5000}
CONNECT_HOLD=${CONNECT_HOLD:-0}
CONNECT_SOURCES=${CONNECT_SOURCES:-}
FANOUT_CLIENTS=${FANOUT_CLIENTS:-500}
FANOUT_SENDERS=${FANOUT_SENDERS:-5}
FANOUT_RATE=${FANOUT_RATE:-0}
PRIVMSG_PAIRS=${PRIVMSG_PAIRS:-100}
PRIVMSG_RATE=${PRIVMSG_RATE:-0}
WINDOW=${WINDOW:-16}
SIZE=${SIZE:-64}
CHURN_WORKERS=${CHURN_WORKERS:-50}
CONC_EVIRCD=${CONC_EVIRCD:-500}
CONC_NGIRCD=${CONC_NGIRCD:-8}
CONC_INSPIRCD=${CONC_INSPIRCD:-2000}
WORKDIR=${WORKDIR:-$(mktemp -d /tmp/evircd-compare.XXXXXX)}
mkdir -p "$WORKDIR"
RESULTS=$WORKDIR/results.txt
: >"$RESULTS"

SERVER_PID=
SERVER_NAME=
BENCH_PID=

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Stop the server this script started (by pid): TERM, then KILL after 5 s.
stop_server() {
	local pid=$SERVER_PID i
	[[ -n "$pid" ]] || return 0
	SERVER_PID=
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$SERVER_NAME (pid $pid) ignored SIGTERM; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}
# On exit: stop a generator still running (timeout passes TERM on), then the server.
cleanup() {
	if [[ -n "${BENCH_PID:-}" ]]; then
		kill -TERM "$BENCH_PID" 2>/dev/null || true
		wait "$BENCH_PID" 2>/dev/null || true
		BENCH_PID=
	fi
	stop_server
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_of() {
	case $1 in
	evircd) echo 16667 ;;
	ngircd) echo 16668 ;;
	inspircd) echo 16669 ;;
	evircd-nohist) echo 16670 ;;
	evircd-histdb) echo 16671 ;;
	evircd-acctdb) echo 16672 ;;
	evircd-dbnohist) echo 16673 ;;
	esac
}

conc_of() {
	case $1 in
	evircd) echo "$CONC_EVIRCD" ;;
	ngircd) echo "$CONC_NGIRCD" ;;
	inspircd) echo "$CONC_INSPIRCD" ;;
	evircd-*) echo "$CONC_EVIRCD" ;;
	esac
}

# Start server $1 pinned to SERVER_CPU; return once its port accepts.
start_server() {
	local name=$1 port i
	local -a cmd
	port=$(port_of "$name")
	case $name in
	evircd) cmd=("$EVIRCD" -c tests/bench/peers/evircd.ini) ;;
	evircd-nohist | evircd-histdb | evircd-acctdb | evircd-dbnohist)
		# the bench configuration on its own port, with a [history] or
		# [accounts] section of its own (a fresh database per run)
		rm -f "$WORKDIR/bench.db" "$WORKDIR/bench.db-wal" "$WORKDIR/bench.db-shm"
		sed "s/^port = 16667/port = $port/" tests/bench/peers/evircd.ini >"$WORKDIR/$name.ini"
		if [[ $name == evircd-nohist ]]; then
			printf '\n[history]\nenabled = no\n' >>"$WORKDIR/$name.ini"
		else
			printf '\n[accounts]\ndatabase = %s\n' "$WORKDIR/bench.db" >>"$WORKDIR/$name.ini"
		fi
		[[ $name == evircd-acctdb ]] && printf '\n[history]\npersist = no\n' >>"$WORKDIR/$name.ini"
		[[ $name == evircd-dbnohist ]] && printf '\n[history]\nenabled = no\n' >>"$WORKDIR/$name.ini"
		cmd=("$EVIRCD" -c "$WORKDIR/$name.ini")
		;;
	ngircd) cmd=("$NGIRCD" -n -f "$here/peers/ngircd.conf") ;;
	inspircd)
		cmd=("$INSPIRCD" --nofork --nopid "--config=$here/peers/inspircd.conf")
		[[ $(id -u) == 0 ]] && cmd+=(--runasroot)
		;;
	esac
	if port_open "$port"; then
		echo "compare.sh: port $port is already in use; stop whatever listens there" >&2
		exit 1
	fi
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	SERVER_NAME=$name
	taskset -c "$SERVER_CPU" "${cmd[@]}" >>"$WORKDIR/$name.log" 2>&1 &
	SERVER_PID=$!
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "compare.sh: $name exited during start-up; last log lines:" >&2
			tail -n 20 "$WORKDIR/$name.log" >&2
			SERVER_PID=
			exit 1
		fi
		port_open "$port" && return 0
		sleep 0.1
	done
	echo "compare.sh: $name did not accept on port $port within 10 s" >&2
	exit 1
}

find_bench() {
	if [[ -n "${BENCH:-}" ]]; then
		[[ -x "$BENCH" ]] || { echo "compare.sh: BENCH=$BENCH is not executable" >&2; exit 1; }
		return
	fi
	if [[ -x build/tests/bench/evircd-bench && build/tests/bench/evircd-bench -nt tests/bench/evircd-bench.c ]]; then
		BENCH=build/tests/bench/evircd-bench
		return
	fi
	BENCH=$WORKDIR/evircd-bench
	gcc -O2 -Wall -Wextra -std=gnu11 tests/bench/evircd-bench.c -levent -lm -o "$BENCH"
}

# Run one scenario against the running server; append its key=value line.
run_bench() {
	local name=$1 scen=$2 rep=$3 port conc line limit st
	local -a args
	port=$(port_of "$name")
	conc=$(conc_of "$name")
	args=(--port "$port" --server-pid "$SERVER_PID" --label "$name" --concurrency "$conc"
		--nick-prefix "${scen:0:1}$rep")
	case $scen in
	connect)
		args+=(--clients "$CONNECT_N" --hold "$CONNECT_HOLD")
		[[ -n "$CONNECT_SOURCES" ]] && args+=(--sources "$CONNECT_SOURCES")
		limit=$((CONNECT_HOLD + 300))
		;;
	fanout)
		args+=(--clients "$FANOUT_CLIENTS" --senders "$FANOUT_SENDERS" --rate "$FANOUT_RATE"
			--window "$WINDOW" --size "$SIZE" --duration "$DURATION")
		limit=$((DURATION + 300))
		;;
	privmsg)
		args+=(--pairs "$PRIVMSG_PAIRS" --rate "$PRIVMSG_RATE" --window "$WINDOW" --size "$SIZE"
			--duration "$DURATION")
		limit=$((DURATION + 300))
		;;
	churn)
		args+=(--workers "$CHURN_WORKERS" --duration "$DURATION")
		limit=$((DURATION + 120))
		;;
	*)
		echo "compare.sh: unknown scenario $scen" >&2
		exit 1
		;;
	esac
	echo "### $name $scen rep $rep: $BENCH $scen ${args[*]}" >>"$WORKDIR/bench.log"
	st=0
	# In the background so that a signal to this script is handled at once
	# (bash runs traps only between foreground commands).
	timeout -k 15 "$limit" taskset -c "$BENCH_CPU" "$BENCH" "$scen" "${args[@]}" \
		>"$WORKDIR/run.out" 2>>"$WORKDIR/bench.log" &
	BENCH_PID=$!
	wait "$BENCH_PID" || st=$?
	BENCH_PID=
	((st == 0)) || log "warning: evircd-bench $scen against $name (rep $rep) exited with status $st"
	cat "$WORKDIR/run.out" >>"$WORKDIR/bench.log"
	line=$(grep '^scenario=' "$WORKDIR/run.out" | tail -n 1 || true)
	if [[ -z "$line" ]]; then
		log "warning: no result line from $scen against $name (rep $rep)"
		return 0
	fi
	echo "$line rep=$rep" >>"$RESULTS"
	log "$line"
}

# Median table with evircd/peer ratios from results.txt.
print_table() {
	awk -v servers="$SERVERS" '
	function median(list,   n, a, i, j, t) {
		n = split(list, a, " ")
		if (n == 0) return ""
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function fmt(v) {
		if (v == "") return "-"
		if (v + 0 >= 100 || v + 0 <= -100) return sprintf("%.0f", v)
		return sprintf("%.2f", v)
	}
	BEGIN {
		ns = split(servers, srv, " ")
		nm = split("connect:reg_per_s:+ connect:reg_per_cpu_s:+ connect:bytes_per_client:- " \
			"connect:reg_p99_us:- " \
			"fanout:deliveries_per_s:+ fanout:deliveries_per_cpu_s:+ fanout:lat_p50_us:- " \
			"fanout:lat_p99_us:- fanout:lost:- fanout:bench_cpu_s:= " \
			"privmsg:msgs_per_s:+ privmsg:msgs_per_cpu_s:+ privmsg:lat_p50_us:- " \
			"privmsg:lat_p99_us:- privmsg:lost:- privmsg:bench_cpu_s:= " \
			"churn:cycles_per_s:+ churn:cycles_per_cpu_s:+ churn:cycle_p99_us:- " \
			"churn:rss_growth_kb:- churn:errors:-", metrics, " ")
	}
	{
		delete kv
		for (i = 1; i <= NF; i++) { p = index($i, "="); kv[substr($i, 1, p - 1)] = substr($i, p + 1) }
		for (k in kv) if (kv[k] != "na" && kv[k] != "unlimited")
			vals[kv["scenario"] SUBSEP kv["server"] SUBSEP k] = vals[kv["scenario"] SUBSEP kv["server"] SUBSEP k] " " kv[k]
		seen[kv["scenario"]] = 1
	}
	END {
		printf "%-30s", "median of runs"
		for (s = 1; s <= ns; s++) printf " %12s", srv[s]
		for (s = 2; s <= ns; s++) if (srv[1] == "evircd") printf " %16s", "evircd/" srv[s]
		printf "\n"
		for (m = 1; m <= nm; m++) {
			split(metrics[m], f, ":")
			if (!(f[1] in seen)) continue
			label = f[1] " " f[2] (f[3] == "+" ? " (hi)" : f[3] == "-" ? " (lo)" : "")
			printf "%-30s", label
			for (s = 1; s <= ns; s++) {
				med[s] = median(vals[f[1] SUBSEP srv[s] SUBSEP f[2]])
				printf " %12s", fmt(med[s])
			}
			for (s = 2; s <= ns; s++) if (srv[1] == "evircd") {
				if (med[1] == "" || med[s] == "" || med[s] + 0 == 0) printf " %16s", "n/a"
				else printf " %16.2f", med[1] / med[s]
			}
			printf "\n"
		}
		printf "(hi) higher is better, (lo) lower is better; bench_cpu_s is the generator'"'"'s CPU time\n"
	}' "$RESULTS"
}

# Runs whose numbers carry a warning: losses, failures, disconnects, errors.
print_warnings() {
	awk '{
		w = ""
		for (i = 1; i <= NF; i++) {
			p = index($i, "="); k = substr($i, 1, p - 1); v = substr($i, p + 1)
			if ((k == "lost" || k == "failed" || k == "disconnects" || k == "server_errors" ||
			     k == "errors" || k == "timeouts" || k == "gaps" || k == "dups" || k == "forced") && v + 0 > 0)
				w = w " " $i
			if (k == "scenario") sc = v
			if (k == "server") sv = v
			if (k == "rep") rp = v
		}
		if (w != "") printf "  %s %s rep %s:%s\n", sv, sc, rp, w
	}' "$RESULTS"
}

main() {
	local rep scen name list="" load_start
	for name in $SERVERS; do
		case $name in
		evircd | evircd-nohist | evircd-histdb | evircd-acctdb | evircd-dbnohist)
			[[ "$EVIRCD" == "$WORKDIR/evircd" ]] && { list="$list $name"; continue; }
			if [[ ! -x "$EVIRCD" ]]; then
				log "evircd binary $EVIRCD not found: skipping evircd (build it or set EVIRCD)"
				continue
			fi
			# Measure one fixed binary even if the build tree is rebuilt meanwhile.
			cp "$EVIRCD" "$WORKDIR/evircd"
			log "evircd: $EVIRCD (modified $(date -r "$EVIRCD" '+%F %T'), sha256 $(sha256sum <"$EVIRCD" | cut -c1-16)) copied to $WORKDIR/evircd"
			EVIRCD=$WORKDIR/evircd
			;;
		ngircd) [[ -x "$NGIRCD" ]] || { log "ngircd not found: skipping"; continue; } ;;
		inspircd) [[ -x "$INSPIRCD" ]] || { log "inspircd not found: skipping"; continue; } ;;
		*) echo "compare.sh: unknown server $name" >&2; exit 1 ;;
		esac
		list="$list $name"
	done
	SERVERS=${list# }
	[[ -n "$SERVERS" ]] || { echo "compare.sh: no server to run" >&2; exit 1; }
	if (($(nproc) < 2)); then
		log "only one CPU: server and generator share it"
		BENCH_CPU=$SERVER_CPU
	fi
	find_bench
	log "servers: $SERVERS; scenarios: $SCENARIOS; $REPS run(s) each; work dir $WORKDIR"
	log "bench: $BENCH; server on CPU $SERVER_CPU, generator on CPU $BENCH_CPU"
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	log "load average before: $load_start (anything else running skews the numbers)"
	for ((rep = 1; rep <= REPS; rep++)); do
		for scen in $SCENARIOS; do
			for name in $SERVERS; do
				start_server "$name"
				run_bench "$name" "$scen" "$rep"
				stop_server
			done
		done
	done
	print_table | tee "$WORKDIR/table.txt"
	echo "load average before: $load_start, after: $(cut -d' ' -f1-3 /proc/loadavg); $REPS run(s) per cell" |
		tee -a "$WORKDIR/table.txt"
	if [[ -n "$(print_warnings)" ]]; then
		echo "runs with warnings:" | tee -a "$WORKDIR/table.txt"
		print_warnings | tee -a "$WORKDIR/table.txt"
	fi
	log "all key=value lines: $RESULTS; logs: $WORKDIR"
}

main "$@"
