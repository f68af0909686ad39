#!/usr/bin/env bash
# numeric_sorted.sh - include/proto/numeric.h defines each numeric once, in
# ascending order, each followed by its FMT_ format (a second name of a
# number, "#define ERR_B ERR_A" right after ERR_A, too) (docs/ARCHITECTURE.md,
# "How to add a command"). Prints what is out of place; exit 1 if anything.
# Usage: tests/numeric_sorted.sh [SOURCE_ROOT]
root=${1:-$(dirname "$0")/..}
awk '
/^#define (RPL|ERR)_[A-Z0-9_]+[ \t]+[0-9]+/ {
	n = $3 + 0
	if (n < last) { printf "%s (%d) after %s (%d)\n", $2, n, lastname, last; bad = 1 }
	if (n == last) { printf "%s and %s share %d\n", $2, lastname, n; bad = 1 }
	if (want != "") { printf "%s has no format\n", want; bad = 1 }
	last = n; lastname = $2; want = "FMT_" $2; next
}
# a second name of the number just defined (477 ERR_NOCHANMODES is also
# ERR_NEEDREGGEDNICK): it needs its own format too
/^#define (RPL|ERR)_[A-Z0-9_]+[ \t]+(RPL|ERR)_[A-Z0-9_]+[ \t]*$/ {
	if ($3 != lastname && $3 != lastalias) { printf "%s aliases %s, not the numeric above\n", $2, $3; bad = 1 }
	if (want != "") { printf "%s has no format\n", want; bad = 1 }
	lastalias = $2; want = "FMT_" $2; next
}
/^#define FMT_/ {
	if ($2 != want) { printf "%s where %s was expected\n", $2, want; bad = 1 }
	want = ""
}
END { if (want != "") { printf "%s has no format\n", want; bad = 1 } exit bad }
' "$root/include/proto/numeric.h"
