#!/bin/sh
# The pipeline's direction (capture -> ... -> events -> sinks): the event
# stage (src/events/) includes no header of the sinks (src/output/), by
# path or by name, nor the sinks' interfaces in include/; what both need
# lives below them (src/util/: idmap.h, timefmt.h, redis_conn.h).
SINK_HEADERS="publish.h sinks.h flagged.h ui.h save_dir.h"
bad=0
for f in src/events/*.c src/events/*.h; do
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		case "$inc" in
		*output/*) echo "FAIL $f includes $inc (a sink's header)"; bad=1; continue ;;
		esac
		for h in $SINK_HEADERS; do
			[ "$inc" = "$h" ] && { echo "FAIL $f includes $inc (the sinks' interface)"; bad=1; }
		done
		if [ -e "src/output/$(basename "$inc")" ] && [ ! -e "include/$(basename "$inc")" ] &&
		   [ ! -e "src/events/$(basename "$inc")" ]; then
			echo "FAIL $f includes $inc, which is src/output/'s"; bad=1
		fi
	done
done
n=$(ls src/events/*.c | wc -l)
[ "$n" -ge 5 ] || { echo "FAIL only $n files in src/events/"; bad=1; }
[ "$bad" = 0 ] && echo "PASS src/events/ ($n files) includes nothing of src/output/"
exit $bad
