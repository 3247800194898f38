#!/bin/sh
# --from with bad input: each bad line is one message "pop3mon: FILE:LINE:
# problem" on stderr, the line is skipped, the rest is still rendered, the
# exit status is 2; memory stays bounded on a 100 MB line. Each case also
# runs under ASan+UBSan with leak checks when the binary is there.
P=${1:-./pop3mon}
A=${2:-./pop3mon-asan}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ok=0 bad=0
"$P" -r pcaps/bad/intermail.pcap --json "$T/good" > /dev/null 2>&1
lines=$(wc -l < "$T/good")
[ "$lines" -ge 10 ] || { echo "FAIL setup: $lines lines"; exit 1; }
# check DESC FILE WANT-REGEX WANT-MESSAGES [BIN]: status 2, that many stderr
# lines, each "pop3mon: FILE:N: ...", the regex among them, the flagged
# session of intermail still in the report
check() {
	desc=$1 f=$2 re=$3 nmsg=$4 bin=${5:-$P}
	ASAN_OPTIONS=detect_leaks=1 "$bin" --from "$f" --report > "$T/out" 2> "$T/err"; s=$?
	n=$(wc -l < "$T/err")
	if [ "$s" = 2 ] && [ "$n" = "$nmsg" ] && grep -Eq "$re" "$T/err" &&
	   ! grep -Ev "^pop3mon: $f:[0-9]+: " "$T/err" | grep -q . &&
	   grep -q "^Session 1: 127.0.0.1:35574 -> 127.0.0.11:110" "$T/out"; then
		ok=$((ok + 1)); echo "PASS $desc${5:+ (asan)}"
	else
		bad=$((bad + 1)); echo "FAIL $desc${5:+ (asan)}: status $s, $n messages (want $nmsg):"; sed 's/^/    /' "$T/err" | head -5
	fi
}
both() { check "$@"; [ -x "$A" ] && check "$@" "$A"; }

# a line that is not JSON, between two good ones
{ head -3 "$T/good"; echo 'this is {not json'; tail -n +4 "$T/good"; } > "$T/notjson"
both "a line that is not JSON" "$T/notjson" ":4: not JSON: " 1
# another schema_version (the line is refused, the session goes on without it)
{ head -3 "$T/good"; sed -n 4p "$T/good" | sed 's/"schema_version":2/"schema_version":99/';
  tail -n +5 "$T/good"; } > "$T/schema"
both "another schema_version" "$T/schema" ":4: schema_version 99, this pop3mon reads 2" 1
# the last line cut short: the final stats lose their end
head -c -40 "$T/good" > "$T/trunc"
both "a truncated last line" "$T/trunc" ":$lines: the last line has no newline" 1
# an event for a session never opened: the open record of a second session is gone
{ cat "$T/good" | grep -v '"event_type":"stats"'; sed -n 2,3p "$T/good" | sed 's/"flow_id":1,/"flow_id":7,/'; tail -1 "$T/good"; } > "$T/never"
both "events for a session never opened" "$T/never" ":$lines: an event for session 7, never opened" 2
# duplicate lines: a transaction, a finding, the whole session again
{ head -3 "$T/good"; sed -n 3p "$T/good"; tail -n +4 "$T/good"; } > "$T/duptxn"
both "a duplicated transaction line" "$T/duptxn" ":4: duplicate or out of order: tx_id 1 after 1" 1
fl=$(grep -n '"event_type":"pop3_finding"' "$T/good" | head -1 | cut -d: -f1)
{ head -n "$fl" "$T/good"; sed -n "${fl}p" "$T/good"; tail -n +$((fl + 1)) "$T/good"; } > "$T/dupfind"
both "a duplicated finding line" "$T/dupfind" ":$((fl + 1)): duplicate finding line" 1
{ head -n $((lines - 1)) "$T/good"; head -n $((lines - 1)) "$T/good"; tail -1 "$T/good"; } > "$T/dupall"
both "the whole session twice" "$T/dupall" ":$lines: duplicate: session 1 was opened before" $((lines - 1))
# a field of the wrong type, a missing one
{ head -3 "$T/good"; sed -n 4p "$T/good" | sed 's/"tx_id":2/"tx_id":"2"/'; tail -n +5 "$T/good"; } > "$T/type"
both "a field of the wrong type" "$T/type" ':4: pop3: "tx_id" is not an integer' 1
# a 100 MB line: refused unread, memory bounded (peak RSS under 64 MiB)
{ head -3 "$T/good"; python3 -c "import sys; sys.stdout.write('{\"timestamp\":\"' + 'x' * (100 << 20) + '\"}\n')"; tail -n +4 "$T/good"; } > "$T/huge"
/usr/bin/time -f '%M' -o "$T/rss" "$P" --from "$T/huge" --report > "$T/out" 2> "$T/err"; s=$?
rss=$(tail -1 "$T/rss")
if [ "$s" = 2 ] && grep -q ":4: a line longer than 4194304 bytes (skipped)" "$T/err" && [ "$(wc -l < "$T/err")" = 1 ] &&
   [ "$rss" -lt 65536 ] && grep -q "^Session 1: " "$T/out"; then ok=$((ok + 1)); echo "PASS a 100 MB line ($rss KiB peak)"
else bad=$((bad + 1)); echo "FAIL a 100 MB line: status $s, peak $rss KiB"; head -3 "$T/err"; fi
# stdin, and a file that is not there
if "$P" --from - --json - < "$T/good" | cmp -s - "$T/good"; then ok=$((ok + 1)); echo "PASS --from - reads stdin"
else bad=$((bad + 1)); echo "FAIL --from -"; fi
"$P" --from "$T/nosuch" --report > /dev/null 2> "$T/err"; s=$?
if [ "$s" = 2 ] && grep -q "^pop3mon: $T/nosuch: No such file" "$T/err"; then ok=$((ok + 1)); echo "PASS a missing file"
else bad=$((bad + 1)); echo "FAIL a missing file: status $s"; cat "$T/err"; fi
# a clean replay exits as the capture did (1: contradictions)
"$P" --from "$T/good" --report > /dev/null 2> "$T/err"; s=$?
if [ "$s" = 1 ] && [ ! -s "$T/err" ]; then ok=$((ok + 1)); echo "PASS a clean replay exits 1 for a flagged session"
else bad=$((bad + 1)); echo "FAIL clean replay: status $s"; fi
echo "from bad input: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
