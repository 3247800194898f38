#!/bin/sh
# hostile.sh - bounds under attack: builds hostile captures with gen_hostile
# and checks that pop3mon survives each within a time limit, with peak RSS
# under a cap, and with the counter that names the attack non-zero in the
# final JSON "stats" event. Then runs term_safety.sh.
#
#   tests/hostile/hostile.sh [--quick] [CASE...]
#
# --quick uses small sizes (whole run well under 60 s). Environment:
#   POP3MON=./pop3mon   binary under test (built with `make pop3mon` if missing)
#   RSS_CAP_MIB=64      peak RSS cap with default options
#   TIME_LIMIT=120      seconds per case (--quick: 20)
#   HOSTILE_DIR=...     where captures are written (default: a mktemp dir)
#   KEEP=1              keep the captures and outputs
# Prints a table and exits 1 if any case FAILs.
set -u
cd "$(dirname "$0")/../.." || exit 2

QUICK=0
[ "${1:-}" = "--quick" ] && { QUICK=1; shift; }
POP3MON=${POP3MON:-./pop3mon}
RSS_CAP_MIB=${RSS_CAP_MIB:-64}
if [ $QUICK = 1 ]; then TIME_LIMIT=${TIME_LIMIT:-20}; else TIME_LIMIT=${TIME_LIMIT:-120}; fi
TIME=/usr/bin/time
[ -x $TIME ] || { echo "hostile.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
command -v jq > /dev/null || { echo "hostile.sh: needs jq" >&2; exit 2; }

if [ ! -x "$POP3MON" ]; then
	make -s pop3mon || exit 2
fi
mkdir -p build/hostile
GEN=build/hostile/gen_hostile
if [ ! -x $GEN ] || [ tests/hostile/gen_hostile.c -nt $GEN ]; then
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o $GEN tests/hostile/gen_hostile.c || exit 2
fi
DIR=${HOSTILE_DIR:-$(mktemp -d /tmp/pop3mon-hostile.XXXXXX)}
mkdir -p "$DIR"

# case | full scale | quick scale | counter (jq path in .stats) | minimum
CASES="
synflood|200000|70000|.flow.evicted|1
longline|50|5|.pop3.long_lines|1
endless|200|20|.tcp_reassembly.delivered_bytes|SCALE_MIB
overlap|20000|2000|.tcp_reassembly.overlap_conflicts|1
ooo|2000000|100000|.tcp_reassembly.flow_cap_hits|1
ooo-tiny|1500000|200000|.tcp_reassembly.gaps|1
ooo-1byte|400000|30000|.tcp_reassembly.gaps|1
listing-drop|5000|5000|.pop3.pending_dropped|1
huge-caplen|0|0|.capture.frames|1
caplen-gt-snaplen|0|0|.capture.frames|1
len-lt-caplen|0|0|.capture.frames|1
"

ONLY="$*"
fails=0
printf '%-18s %4s %8s %10s  %-44s %s\n' case exit seconds peak_rss counter result
echo "$CASES" | while IFS='|' read -r name full quick path min; do
	[ -n "$name" ] || continue
	if [ -n "$ONLY" ]; then
		case " $ONLY " in *" $name "*) ;; *) continue ;; esac
	fi
	scale=$full
	[ $QUICK = 1 ] && scale=$quick
	pcap="$DIR/$name.pcap"
	if [ "$scale" = 0 ]; then $GEN "$name" "$pcap"; else $GEN "$name" "$pcap" "$scale"; fi || {
		echo "$name: generator failed"; echo FAIL >> "$DIR/.fails"; continue; }
	[ "$min" = SCALE_MIB ] && min=$((scale * 1048576))
	json="$DIR/$name.json"
	rm -f "$json"
	timeout -s KILL "$TIME_LIMIT" $TIME -f '%x %e %M' -o "$DIR/$name.time" \
		"$POP3MON" -r "$pcap" --json "$json" --report > /dev/null 2> "$DIR/$name.err"
	rc=$?
	tail -n 1 "$DIR/$name.time" > "$DIR/$name.time.last" 2>/dev/null
	if [ $rc = 137 ] || [ ! -s "$DIR/$name.time" ]; then
		exitc=KILL; secs=">$TIME_LIMIT"; rss_kib=0
	else
		read -r exitc secs rss_kib < "$DIR/$name.time.last"
		grep -q 'Command terminated by signal' "$DIR/$name.time" && exitc=SIG
	fi
	val=$(grep '"event_type":"stats"' "$json" 2>/dev/null | tail -n 1 | jq -r ".stats$path" 2>/dev/null)
	[ -n "$val" ] || val=none
	result=PASS; why=""
	case $exitc in 0|1|2) ;; *) result=FAIL; why="$why exit" ;; esac
	[ "$rss_kib" -gt $((RSS_CAP_MIB * 1024)) ] && { result=FAIL; why="$why rss>${RSS_CAP_MIB}MiB"; }
	case $val in ''|none|*[!0-9]*) result=FAIL; why="$why no-counter" ;;
	*) [ "$val" -ge "$min" ] || { result=FAIL; why="$why counter<$min"; } ;; esac
	printf '%-18s %4s %8s %7s MiB  %-44s %s%s\n' "$name" "$exitc" "$secs" \
		$((rss_kib / 1024)) "$path = $val" "$result" "$why"
	[ $result = FAIL ] && echo "$name" >> "$DIR/.fails"
	[ "${KEEP:-0}" = 1 ] || rm -f "$pcap"
done

sh tests/hostile/term_safety.sh || echo term_safety >> "$DIR/.fails"

if [ -s "$DIR/.fails" ]; then
	echo "hostile: FAIL ($(tr '\n' ' ' < "$DIR/.fails"))"
	fails=1
else
	echo "hostile: all PASS (RSS cap ${RSS_CAP_MIB} MiB, ${TIME_LIMIT}s per case)"
fi
[ "${KEEP:-0}" = 1 ] && echo "captures and outputs kept in $DIR" || rm -rf "$DIR"
exit $fails
