#!/bin/sh
# soak.sh - run the evircd soak test (tests/soak/soak.py, docs/RELIABILITY.md)
# on a private copy of the server binary, so a rebuild during the run does
# not change the program under test.
#   tests/soak/soak.sh [--duration SECONDS] [other soak.py options]
# EVIRCD selects the binary (default: build/src/evircd of this checkout).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${EVIRCD:-$here/../../build/src/evircd}
[ -x "$src" ] || { echo "soak.sh: no server binary at $src (set EVIRCD)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/evircd-soak-bin.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cp "$src" "$tmp/evircd"
echo "soak.sh: testing a copy of $src (sha256 $(sha256sum "$tmp/evircd" | cut -c1-16))" >&2
EVIRCD="$tmp/evircd" python3 "$here/soak.py" "$@"
