#!/bin/sh
# --from: every capture in pcaps/ read with -r into JSON lines J, then J
# replayed: `--from J --json -` must write J again byte for byte, and
# `--from J --report` (plain, -v, and under --only-flagged) must print the
# report -r printed, the line naming the inputs aside; the exit status
# (0/1) must be the same. Also under ASan for a few captures, and two
# files merged.
P=${1:-./pop3mon}
A=${2:-./pop3mon-asan}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ok=0 bad=0
pass() { ok=$((ok + 1)); }
fail() { bad=$((bad + 1)); echo "FAIL $*"; }
noinputs() { grep -v '^Captures: '; }
n=0
for c in $(find pcaps -name '*.pcap' -o -name '*.pcapng' | sort); do
	n=$((n + 1))
	"$P" -r "$c" --json "$T/j" > /dev/null 2>&1
	"$P" --from "$T/j" --json - > "$T/j2" 2> "$T/err"
	if cmp -s "$T/j" "$T/j2" && [ ! -s "$T/err" ]; then pass; else fail "$c: --from J --json - differs from J"; head -3 "$T/err"; fi
	for opt in "" "-v" "--only-flagged"; do
		"$P" -r "$c" --report $opt > "$T/r1" 2>/dev/null; s1=$?
		"$P" --from "$T/j" --report $opt > "$T/r2" 2> "$T/err"; s2=$?
		noinputs < "$T/r2" > "$T/r2.x"
		if noinputs < "$T/r1" | cmp -s - "$T/r2.x" && [ "$s1" = "$s2" ] && [ ! -s "$T/err" ]; then pass
		else fail "$c: --from J --report $opt differs (status $s1 vs $s2)"; noinputs < "$T/r1" | diff - "$T/r2.x" | head -5; head -3 "$T/err"; fi
	done
	# the Captures line names the JSON file
	grep -q "^Captures: *$T/j\$" "$T/r2" && pass || fail "$c: the report does not name the --from file"
done
[ "$n" -ge 10 ] && pass || fail "only $n captures found"

# ASan+UBSan, leak checks, on a few
if [ -x "$A" ]; then
	for c in pcaps/bad/intermail.pcap pcaps/zeek/pop3.pcap pcaps/bad/crowd.pcap; do
		"$P" -r "$c" --json "$T/j" > /dev/null 2>&1
		ASAN_OPTIONS=detect_leaks=1 "$A" --from "$T/j" --json - > "$T/j2" 2> "$T/err"; s=$?
		if [ "$s" -le 1 ] && [ ! -s "$T/err" ] && cmp -s "$T/j" "$T/j2"; then pass
		else fail "$c: under ASan"; head -5 "$T/err"; fi
	done
fi

# two files merged in time order: every session of both, each once
"$P" -r pcaps/bad/intermail.pcap --json "$T/a" > /dev/null 2>&1
"$P" -r pcaps/zeek/pop3.pcap --json "$T/b" > /dev/null 2>&1
"$P" --from "$T/a" --from "$T/b" --json - > "$T/ab" 2> "$T/err"; s=$?
want=$(cat "$T/a" "$T/b" | grep -c '"event_type":"pop3_session"')
got=$(grep -c '"event_type":"pop3_session"' "$T/ab")
ids=$(grep '"event_type":"pop3_session"' "$T/ab" | sed 's/.*"flow_id":\([0-9]*\),.*/\1/' | sort -u | wc -l)
if [ "$s" = 1 ] && [ "$got" = "$want" ] && [ "$ids" = "$want" ] && [ ! -s "$T/err" ]; then pass
else fail "two files: status $s, $got sessions of $want, $ids distinct ids"; head -3 "$T/err"; fi
# in time order: the timestamps of the merged lines never go back across files
# (within a file the writer's own order is kept)
python3 - "$T/ab" <<'PY' && pass || fail "two files: not merged in time order"
import json, sys
prev = {}
lines = [json.loads(l) for l in open(sys.argv[1])]
srcs = [l.get("source") or l.get("stats", {}).get("source") for l in lines]
assert len(set(s for s in srcs if s)) == 2, set(srcs)
# the intermail capture (2026) lies wholly after the zeek one (2013)
first = [i for i, s in enumerate(srcs) if s and "intermail" in s]
last_zeek = max(i for i, s in enumerate(srcs) if s and "zeek" in s)
assert min(first) > last_zeek, (min(first), last_zeek)
st = [l for l in lines if l["event_type"] == "stats"]
assert len(st) == 1 and st[0]["stats"]["final"], st   # one final stats: the sum
assert st[0]["stats"]["capture"]["frames"] == 21 + 125, st[0]["stats"]["capture"]
PY
# a merged file reads back: two sensors whose sessions interleave in time
# (so the merged file's ids do not grow), written as one file, give that
# file again byte for byte and the same report as the two files did
"$P" -r pcaps/wall/mixed.pcap --sensor a --json "$T/sa" > /dev/null 2>&1
"$P" -r pcaps/bad/crowd.pcap --sensor b --json "$T/sb" > /dev/null 2>&1
"$P" --from "$T/sa" --from "$T/sb" --json "$T/sab" > /dev/null 2>&1
"$P" --from "$T/sab" --json - 2> "$T/err" > "$T/sab2"
"$P" --from "$T/sa" --from "$T/sb" --report 2>/dev/null | grep -v '^Captures:' > "$T/rab"
"$P" --from "$T/sab" --report 2>/dev/null | grep -v '^Captures:' > "$T/rab2"
if python3 -c 'import sys,json; ids=[json.loads(l)["flow_id"] for l in open(sys.argv[1]) if "pop3_session_open" in l]; sys.exit(ids == sorted(ids))' "$T/sab" &&
   cmp -s "$T/sab" "$T/sab2" && [ ! -s "$T/err" ] && [ -s "$T/rab" ] && cmp -s "$T/rab" "$T/rab2"; then pass
else fail "a merged file of two sensors does not read back as it was"; head -3 "$T/err"; fi
# wire text: escaped bytes (\u00ff, \u0080), raw UTF-8 (café), IPv6, a listing
# cut to fewer entries than counted: written again as they were
f=tests/fuzz/seeds_from_json/escapes-ipv6-listing.json
if "$P" --from "$f" --json - 2> "$T/err" | cmp -s - "$f" && [ ! -s "$T/err" ]; then pass
else fail "escapes, IPv6 and a cut listing do not come back as they were"; fi
echo "from json: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
