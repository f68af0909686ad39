#!/usr/bin/env bash
# layers.sh - fail if a file includes a header of a higher layer.
# Layers, lowest first: core < store < proto < net < cmd < link < http (src/meson.build says what
# each holds). src/X/*.c and include/X/*.h may include "Y/..." only when Y is
# X or lower. src/main.c and src/daemon.c stand above every layer and may
# include anything; their headers (include/*.h, no folder) count as the top
# layer, so no layer may include them.
# Usage: tests/layers.sh [SOURCE_ROOT]   (prints every violation; exit 1 if any)
root=${1:-$(dirname "$0")/..}
rank() { case $1 in core) echo 0;; store) echo 1;; proto) echo 2;; net) echo 3;; cmd) echo 4;; link) echo 5;; http) echo 6;; top) echo 7;; *) echo -1;; esac; }
bad=0
for layer in core store proto net cmd link http; do
	r=$(rank "$layer")
	for f in "$root"/src/"$layer"/*.[ch] "$root"/include/"$layer"/*.h; do
		[ -f "$f" ] || continue
		while IFS= read -r line; do
			inc=${line#*\"}; inc=${inc%%\"*}
			dep=${inc%%/*}
			if [ "$dep" = "$inc" ]; then		# no folder: top level, or not ours
				[ -f "$root/include/$inc" ] || continue
				dep=top
			fi
			d=$(rank "$dep")
			[ "$d" -lt 0 ] && continue
			if [ "$d" -gt "$r" ]; then
				echo "${f#"$root"/}: $layer includes $inc ($dep is a higher layer)"
				bad=1
			fi
		done < <(grep -E '^#include "' "$f")
	done
done
exit $bad
