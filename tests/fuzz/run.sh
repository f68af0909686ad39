#!/bin/sh
# run.sh - build the libFuzzer targets with clang + ASan/UBSan and fuzz each
# for a while, one core per target, in parallel.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: 600 s, parser server link ws)
#
# Environment: FUZZ_BUILD (build directory, default /tmp/evircd-fuzz-build),
# EVIRCD_SRC (source tree, default: the tree this script is in), FUZZ_OUT
# (logs, crash files and the new corpus entries, default $FUZZ_BUILD/out),
# FUZZ_FORK=1 to keep going after a crash (libFuzzer -fork=1
# -ignore_crashes=1) instead of stopping at the first one (-jobs=1).
#
# Afterwards: crash-*/leak-*/timeout-* files are in $FUZZ_OUT/TARGET/; minimise
# one with `$FUZZ_BUILD/tests/fuzz/fuzz_TARGET -minimize_crash=1 -runs=10000 FILE`
# and keep it in tests/fuzz/regress/TARGET/ (replayed by `meson test`). To
# fold the new coverage back into the committed corpus (small):
#   $FUZZ_BUILD/tests/fuzz/fuzz_TARGET -merge=1 tests/fuzz/corpus/TARGET $FUZZ_OUT/TARGET/corpus
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=${EVIRCD_SRC:-$(cd "$here/../.." && pwd)}
build=${FUZZ_BUILD:-/tmp/evircd-fuzz-build}
out=${FUZZ_OUT:-$build/out}
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-parser server link ws}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=false -Dbench=false \
	    -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all'
fi
for t in $targets; do ninja -C "$build" "tests/fuzz/fuzz_$t"; done

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
if [ "${FUZZ_FORK:-0}" = 1 ]; then
	mode="-fork=1 -ignore_crashes=1"
else
	mode="-jobs=1 -workers=1"
fi

pids=
for t in $targets; do
	case $t in
	server) extra="-max_len=4096" ;;
	link) extra="-max_len=4096" ;;
	parser) extra="-max_len=8704" ;;
	ws) extra="-max_len=12000" ;;
	*) echo "run.sh: unknown target $t" >&2; exit 2 ;;
	esac
	mkdir -p "$out/$t/corpus"
	# The new corpus directory comes first: libFuzzer writes new inputs
	# there and only reads the committed seeds.
	# shellcheck disable=SC2086 # $mode and $extra are lists of flags
	(cd "$out/$t" && exec "$build/tests/fuzz/fuzz_$t" $mode $extra \
	    -max_total_time="$secs" -dict="$here/irc.dict" -close_fd_mask=2 \
	    -print_final_stats=1 -artifact_prefix="$out/$t/" \
	    "$out/$t/corpus" "$here/corpus/$t" >"$out/$t/log" 2>&1) &
	pids="$pids $!"
	echo "fuzz_$t: pid $!, log $out/$t/log"
done
status=0
for p in $pids; do
	wait "$p" || status=1
done
for t in $targets; do
	echo "== fuzz_$t"
	# With -jobs the output is in fuzz-0.log.
	log="$out/$t/log"
	[ -f "$out/$t/fuzz-0.log" ] && log="$out/$t/fuzz-0.log"
	grep -E '^#[0-9]+' "$log" | tail -n 1 || true
	grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "$log" || true
	echo "corpus: $(find "$out/$t/corpus" -type f | wc -l) files, $(du -sh "$out/$t/corpus" | cut -f1)"
	for f in "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/timeout-* "$out/$t"/oom-* "$out/$t"/slow-unit-*; do
		if [ -e "$f" ]; then echo "finding: $f"; fi
	done
done
exit $status
