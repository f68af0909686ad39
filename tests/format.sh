#!/bin/sh
# format.sh: check the formatting of every tracked C file against
# .clang-format (clang-format --dry-run --Werror); clang-format's
# report and a non-zero status when one is not formatted, 77 when clang-format is missing.
#   tests/format.sh        check (CI, once the tree is formatted)
#   tests/format.sh -i     format the files in place
#   tests/format.sh FILE.. only these files
set -eu
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
	echo "format.sh: clang-format is not installed" >&2
	exit 77
fi
mode=check
if [ "${1:-}" = "-i" ]; then
	mode=fix
	shift
fi
if [ $# -gt 0 ]; then
	printf '%s\n' "$@"
else
	git ls-files -- '*.c' '*.h' | grep -v '^subprojects/' || true
fi > "${TMPDIR:-/tmp}/evircd-format.$$"
trap 'rm -f "${TMPDIR:-/tmp}/evircd-format.$$"' EXIT
if [ "$mode" = fix ]; then
	xargs -r clang-format -i < "${TMPDIR:-/tmp}/evircd-format.$$"
else
	xargs -r clang-format --dry-run --Werror < "${TMPDIR:-/tmp}/evircd-format.$$"
fi
