#!/bin/sh
# --publish (and --from redis://) against a real redis-server, started
# here on 127.0.0.1 with a free port and stopped by PID. Skips (said) when
# redis-server is not installed; `make check` installs it (.ci/deps.sh).
P=${1:-./pop3mon}
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	echo "redis: 0 passed, 0 failed, 1 skipped (needs redis-server, redis-cli)"; exit 0
fi
T=$(mktemp -d)
RPID= SPID= FPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	[ -n "${TS:-}" ] && tmux -L "$TS" kill-server 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ok=0 bad=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }
H="python3 tests/e2e/redis_stream.py"
. tests/e2e/redis_lib.sh  # free_port, start_redis, stop_redis
nohost() { sed 's/,"host":"[^"]*"}$/}/' "$1" | grep -v '"event_type":"stats"'; }
events() { grep -v '"event_type":"stats"' "$1"; }

A=pcaps/bad/crowd.pcap B=pcaps/real/dovecot-poplib-full.pcap
# A capture of 445 events, fed slowly where a run must last (slowcat).
[ -x tests/bench/gen_pop3_pcap ] || make -s tests/bench/gen_pop3_pcap || exit 1
./tests/bench/gen_pop3_pcap -o "$T/g.pcap" -t "$T/g.tsv" -s 2 -S 7 -q || exit 1
PORT=$(free_port)
start_redis "$PORT" || exit 1
URL=redis://127.0.0.1:$PORT/pop3mon

# Two sensors into one stream: each sensor's entries are its local JSON,
# line for line, host included; no duplicate, no gap in either's seq.
$P -r $A --json "$T/a.json" --publish "$URL" --sensor alpha > /dev/null 2> "$T/a.err"; sa=$?
$P -r $B --json "$T/b.json" --publish "$URL" --sensor beta > /dev/null 2> "$T/b.err"; sb=$?
$P -r $A --json "$T/a0.json" > /dev/null 2>&1; sa0=$?
check "publishing changes no exit status ($sa $sb, without: $sa0)" "[ $sa = $sa0 ]"
check "the local JSON carries the sensor as host" "events $T/a.json | grep -vc '\"host\":\"alpha\"}\$' | grep -qx 0"
events "$T/a0.json" > "$T/a0.json.ev"
NA=$(wc -l < "$T/a0.json") # crowd.pcap's lines, stats included
events "$T/a.json" > "$T/a.json.ev"
check "the local JSON is the same as without --publish, host aside" "nohost $T/a.json | cmp -s - $T/a0.json.ev"
$H dump "$PORT" pop3mon alpha > "$T/sa.json"
$H dump "$PORT" pop3mon beta > "$T/sb.json"
check "sensor alpha's entries are its JSON lines" "events $T/sa.json | cmp -s - $T/a.json.ev"
events "$T/b.json" > "$T/b.json.ev"
check "sensor beta's entries are its JSON lines" "events $T/sb.json | cmp -s - $T/b.json.ev"
check "the stream holds both sensors, no duplicate, no gap" "[ \"\$($H check $PORT pop3mon)\" = 'sensors 2 dups 0 gaps 0' ]"
check "the final stats entry counts every event, none dropped" \
	"tail -1 $T/sa.json | jq -e '.stats.final and .stats.publish.dropped == 0 and .stats.publish.events == $(wc -l < $T/a.json) - 1' >/dev/null"
check "nothing on stderr while Redis is up" "[ ! -s $T/a.err ] && [ ! -s $T/b.err ]"
# The lines are sent from where they lie in the publisher's ring: with a
# 1 MiB ring and 2 MiB of lines it wraps, and an entry whose lines cross
# its end must still carry them whole and in order.
./tests/bench/gen_pop3_pcap -o "$T/w.pcap" -t "$T/w.tsv" -s 12 -S 3 -q || exit 1
$P -r "$T/w.pcap" --json "$T/w.json" --publish "${URL}-wrap" --sensor wrap --publish-buffer 1 > /dev/null 2> "$T/w.err"
$H dump "$PORT" pop3mon-wrap > "$T/sw.json"; events "$T/w.json" > "$T/w.json.ev"
check "a 1 MiB ring wrapped ($(wc -c < "$T/w.json") bytes of lines): the stream is the local JSON, line for line" \
	"[ \$(wc -c < $T/w.json) -gt 2000000 ] && events $T/sw.json | cmp -s - $T/w.json.ev"
check "... every event counted, none dropped" \
	"tail -1 $T/sw.json | jq -e '.stats.final and .stats.publish.dropped == 0 and .stats.publish.events == $(wc -l < $T/sw.json) - 1' >/dev/null"
# crowd.pcap's password is "secret" (what --show-secrets shows).
check "no secret in the stream: PASS redacted" \
	"$P -r $A --show-secrets --json - 2>/dev/null | grep -q '\"args\":\"secret\"' && ! grep -q '\"secret\"' $T/sa.json && grep -q '<redacted>' $T/sa.json"
# MAXLEN ~ trims whole nodes of the stream: small nodes make it visible.
redis-cli -p "$PORT" CONFIG SET stream-node-max-entries 5 > /dev/null
$H slowcat "$T/g.pcap" 2 | $P -r - --publish "redis://127.0.0.1:$PORT/small" --stream-maxlen 10 > /dev/null 2>&1
check "MAXLEN ~ trims: --stream-maxlen 10 keeps 10 to 15 entries, fewer than the 445 events" \
	"n=\$(redis-cli -p $PORT XLEN small); [ \$n -ge 10 ] && [ \$n -le 15 ] && [ \$($H count $PORT small) -lt 445 ]"
redis-cli -p "$PORT" CONFIG SET stream-node-max-entries 100 > /dev/null
# A sensor reading a pipe (tcpdump -w - | pop3mon -r -) that brings frames
# slowly still sends its heartbeat every 5 s, so a wall does not call it
# SILENT while it works: 11 s of frames, at least two heartbeats before
# the final stats.
$H slowcat "$T/g.pcap" 11 | $P -r - --publish "redis://127.0.0.1:$PORT/hb" --sensor hb > /dev/null 2>&1
check "a slow pipe: heartbeats while frames come (2 or more stats before the final one)" \
	"[ \$($H dump $PORT hb | grep -c '\"event_type\":\"stats\",\"schema_version\":2,\"stats\":{\"final\":false') -ge 2 ]"

# With a filter on --json the stream still gets every event (its own writer).
$P -r $A --only-flagged --json "$T/f.json" --publish "redis://127.0.0.1:$PORT/filtered" --sensor alpha > /dev/null 2>&1
$H dump "$PORT" filtered | grep -v '"event_type":"stats"' > "$T/sf.json"
check "--only-flagged --json: the local file is filtered, the stream has every event" \
	"cmp -s $T/sf.json $T/a.json.ev && [ \$(grep -vc '\"event_type\":\"stats\"' $T/f.json) -lt \$(wc -l < $T/a.json.ev) ]"

# A password comes from a file (mode 600) or REDISCLI_AUTH, never the URL.
redis-cli -p "$PORT" ACL SETUSER sensor on '>s3cret' '~pop3mon*' '+xadd' '+xrevrange' '+ping' > /dev/null
printf 's3cret\n' > "$T/pw"; chmod 600 "$T/pw"
$P -r $A --publish "redis://sensor@127.0.0.1:$PORT/pop3mon-acl" --redis-auth-file "$T/pw" > /dev/null 2> "$T/acl.err"
check "an ACL user that may only XADD publishes with --redis-auth-file" "[ \$($H count $PORT pop3mon-acl) = $NA ] && [ ! -s $T/acl.err ]"
REDISCLI_AUTH=s3cret $P -r $A --publish "redis://sensor@127.0.0.1:$PORT/pop3mon-acl2" > /dev/null 2>&1
check "REDISCLI_AUTH works the same" "[ \$($H count $PORT pop3mon-acl2) = $NA ]"
$P -r $A --publish "redis://sensor:s3cret@127.0.0.1:$PORT/x" > /dev/null 2> "$T/pwurl.err"; st=$?
check "a password in the URL is refused (status 2, said, not echoed)" "[ $st = 2 ] && grep -q 'password does not go in the URL' $T/pwurl.err && ! grep -q s3cret $T/pwurl.err"
chmod 644 "$T/pw"
$P -r $A --publish "redis://sensor@127.0.0.1:$PORT/x" --redis-auth-file "$T/pw" > /dev/null 2> "$T/pwmode.err"; st=$?
check "an auth file others may read is refused" "[ $st = 2 ] && grep -q 'chmod 600' $T/pwmode.err"
printf 'wrong\n' > "$T/pw2"; chmod 600 "$T/pw2"
$P -r $A --json "$T/wrong.json" --publish "redis://sensor@127.0.0.1:$PORT/x" --redis-auth-file "$T/pw2" > /dev/null 2> "$T/wrong.err"; st=$?
check "a wrong password: said once, the password not printed, local output goes on" \
	"[ $st = $sa0 ] && [ \$(grep -c . $T/wrong.err) -le 2 ] && grep -q 'AUTH' $T/wrong.err && ! grep -q wrong $T/wrong.err && [ \$(wc -l < $T/wrong.json) = $NA ]"

# A sensor pointed at a closed port: local JSON as without --publish, the
# same exit status, promptly, one line saying so (and one counting).
CLOSED=$(free_port)
start=$(date +%s)
$P -r $A --json "$T/c.json" --publish "redis://127.0.0.1:$CLOSED/k" > /dev/null 2> "$T/c.err"; sc=$?
took=$(( $(date +%s) - start ))
check "closed port: exit status as without --publish ($sc)" "[ $sc = $sa0 ]"
check "closed port: the local JSON as without --publish" "nohost $T/c.json | cmp -s - $T/a0.json.ev"
check "closed port: one line says Redis is unreachable, one counts what was not sent" \
	"[ \$(wc -l < $T/c.err) = 2 ] && grep -q 'Connection refused; publishing will retry' $T/c.err && grep -q '$NA events not published' $T/c.err"
check "closed port: no wait at the end (${took}s)" "[ $took -le 2 ]"

# ---- reading streams back (--from redis://) ----
# The report of the two sensors' stream equals the direct report of both
# captures in its counts and findings (session ids differ: each sensor's
# flow ids are kept apart), and it names each session's sensor.
$P -r $A -r $B --report > "$T/direct.rep" 2>/dev/null
$P --from "$URL" --report > "$T/stream.rep" 2> "$T/stream.err"; st=$?
summary() { sed -n '/^Frames:/,/^Flagged sessions/p' "$1"; }
findings() { grep -E '^    (ERROR|WARNING|NOTICE) |^            (frame|basis|client)' "$1" | sort; }
check "stream report: exit status as the direct one ($st)" "[ $st = $sa0 ]"
check "stream report: the same counts as the direct report of both captures" \
	"summary $T/direct.rep > $T/d.sum; summary $T/stream.rep | cmp -s - $T/d.sum"
check "stream report: the same findings with the same evidence" \
	"findings $T/direct.rep > $T/d.fx; findings $T/stream.rep | cmp -s - $T/d.fx && [ -s $T/d.fx ]"
check "stream report: each session names its sensor" \
	"grep -q '^Session [0-9]*: .*(alpha: pcaps/bad/crowd.pcap)' $T/stream.rep && grep -q 'sensor beta' $T/stream.rep && [ ! -s $T/stream.err ]"
# Mixed with a file: alpha's JSON file and beta's stream entries.
redis-cli -p "$PORT" DEL onlybeta > /dev/null
$P -r $B --publish "redis://127.0.0.1:$PORT/onlybeta" --sensor beta > /dev/null 2>&1
$P --from "$T/a.json" --from "redis://127.0.0.1:$PORT/onlybeta" --report > "$T/mixed.rep" 2>&1
check "--from FILE and --from redis:// together: the same counts and findings" \
	"summary $T/mixed.rep | cmp -s - $T/d.sum && findings $T/mixed.rep | cmp -s - $T/d.fx"
# --json from the stream: every event once, the sensor kept as host.
$P --from "$URL" --json - > "$T/stream.json" 2>/dev/null
check "--from redis:// --json: each sensor's events once, host kept" \
	"[ \$(grep -c '\"host\":\"alpha\"}\$' $T/stream.json) -ge \$(grep -vc '\"event_type\":\"stats\"' $T/a.json) ] && [ \$(grep -c '\"event_type\":\"pop3_finding\"' $T/stream.json) = \$(cat $T/a.json $T/b.json | grep -c '\"event_type\":\"pop3_finding\"') ]"
# A bad entry is refused like a bad --from line: said, status 2, the rest read.
redis-cli -p "$PORT" DEL bad > /dev/null
$P -r $A --publish "redis://127.0.0.1:$PORT/bad" --sensor alpha > /dev/null 2>&1
redis-cli -p "$PORT" XADD bad '*' foo bar > /dev/null
redis-cli -p "$PORT" XADD bad '*' sensor alpha run 1-1 seq 1 n 1 events 'not json' > /dev/null
$P --from "redis://127.0.0.1:$PORT/bad" --report > "$T/bad.rep" 2> "$T/bad.err"; st=$?
check "bad entries: status 2, one line each naming the stream, the rest rendered" \
	"[ $st = 2 ] && [ \$(wc -l < $T/bad.err) = 2 ] && grep -q 'is not a pop3mon entry' $T/bad.err && grep -q 'redis://127.0.0.1:$PORT/0/bad\\[alpha\\]:1: not JSON' $T/bad.err && summary $T/bad.rep | grep -q 'POP3 sessions:   6'"
# A key that is no stream: Redis's refusal said, status 2, no wait.
redis-cli -p "$PORT" SET notastream x > /dev/null
$P --from "redis://127.0.0.1:$PORT/notastream" --report > /dev/null 2> "$T/wt.err"; st=$?
check "--from a key that is not a stream: WRONGTYPE said, status 2" "[ $st = 2 ] && grep -q WRONGTYPE $T/wt.err"
# Entries trimmed before they were read are said.
$P --from "redis://127.0.0.1:$PORT/small" --report > /dev/null 2> "$T/small.err"
check "a stream trimmed by MAXLEN: the reader says events are missing" "grep -q 'no longer in the stream (trimmed' $T/small.err"
$P --from "redis://127.0.0.1:$CLOSED/k" --report > /dev/null 2> "$T/rc.err" &
RDR=$!
sleep 1.5
kill -TERM "$RDR"; wait "$RDR"; st=$?
check "--from a Redis that is not there: said once, waits, a signal ends it" \
	"[ \$(grep -c 'Connection refused' $T/rc.err) = 1 ]"

# The dashboard in tmux follows a stream while a sensor publishes into it.
if command -v tmux >/dev/null; then
	TS=pop3mon-redis-$$
	redis-cli -p "$PORT" DEL live > /dev/null
	tmux -L "$TS" new-session -d -s d -x 160 -y 40 \
		"$P --from redis://127.0.0.1:$PORT/live; echo EXIT=\$?; sleep 30"
	sleep 1
	$H slowcat $A 2 | $P -r - --publish "redis://127.0.0.1:$PORT/live" --sensor alpha > /dev/null 2>&1
	scr() { tmux -L "$TS" capture-pane -t d -p; }
	for i in $(seq 30); do scr | grep -q '3 FLAGGED' && break; sleep 0.2; done
	check "dashboard following the stream: the sessions arrive as the sensor publishes" \
		"scr | grep -q '6 sessions  3 FLAGGED' && scr | grep -q 'ctl1' && scr | grep -q 'carol'"
	tmux -L "$TS" send-keys -t d Enter; sleep 0.5
	check "dashboard: a session's ladder names its sensor" "scr | grep -q '^Session #.*sensor alpha'"
	tmux -L "$TS" send-keys -t d q; sleep 0.3; tmux -L "$TS" send-keys -t d q
	for i in $(seq 20); do scr | grep -q 'EXIT=' && break; sleep 0.2; done
	check "dashboard: q leaves it while it follows (exit status 1: flagged sessions)" "scr | grep -q 'EXIT=1'"
	# The NOC wall on the same stream: the server's tile in its state.
	tmux -L "$TS" new-session -d -s w -x 120 -y 35 \
		"$P --from redis://127.0.0.1:$PORT/live --wall; echo EXIT=\$?; sleep 30"
	scrw() { tmux -L "$TS" capture-pane -t w -p; }
	for i in $(seq 30); do scrw | grep -q 'ERROR: stat-' && break; sleep 0.2; done
	check "--wall following the stream: the server's tile says ERROR" \
		"scrw | grep -q '127.0.0.12:110' && scrw | grep -q 'ERROR: stat-' && scrw | grep -q 'redis://127.0.0.1:$PORT/live'"
	tmux -L "$TS" send-keys -t w q
	for i in $(seq 20); do scrw | grep -q 'EXIT=' && break; sleep 0.2; done
	check "--wall: q leaves it" "scrw | grep -q 'EXIT='"
	tmux -L "$TS" kill-server 2>/dev/null
else
	echo "SKIP dashboard following a stream (no tmux)"
fi

# Redis killed (kill -9, by PID) and restarted mid-run: the sensor
# reconnects and goes on; with an AOF fsynced at every write the stream
# ends up holding every event exactly once.
stop_redis "$RPID"
PORT=$(free_port)
start_redis "$PORT" persist || exit 1
# A reader follows the stream through the same restart.
$P --from "redis://127.0.0.1:$PORT/r" --follow --json "$T/fol.json" > /dev/null 2> "$T/fol.err" &
FPID=$!
$H slowcat "$T/g.pcap" 4 | $P -r - --json "$T/r.json" --publish "redis://127.0.0.1:$PORT/r" --sensor s1 > /dev/null 2> "$T/r.err" &
SPID=$!
sleep 1.2
# Each thread's nice, read while the sensor runs: publishing yields to the analysis.
# (The main thread is the task whose id is the process's; its name is the binary's.)
nices=$(for t in /proc/"$SPID"/task/*; do n=$(cat "$t/comm"); [ "${t##*/}" = "$SPID" ] && n=main
	printf '%s=%s ' "$n" "$(awk '{print $19}' "$t/stat")"; done)
# (Relative to this shell's own nice: make check may run under nice -n 19.)
n0=$(awk '{print $19}' /proc/$$/stat); np=$((n0 + 10 > 19 ? 19 : n0 + 10))
check "the publishing thread runs 10 nicer than the analysis, at most 19 ($nices; the shell's: $n0)" \
	"echo '$nices' | grep -q 'pop3mon-publish=$np ' && echo '$nices' | grep -q 'main=$n0 ' && echo '$nices' | grep -q 'pop3mon-sinks=$n0 '"
before=$($H count "$PORT" r)
kill -9 "$RPID"; wait "$RPID" 2>/dev/null; RPID=
sleep 1
start_redis "$PORT" persist || exit 1
wait "$SPID"; SPID=
$H dump "$PORT" r > "$T/rs.json"
events "$T/r.json" > "$T/r.json.ev"
check "restart: the stream holds every event of the local JSON, in order, once" "events $T/rs.json | cmp -s - $T/r.json.ev"
check "restart: no duplicate, no gap in seq" "[ \"\$($H check $PORT r)\" = 'sensors 1 dups 0 gaps 0' ]"
check "restart: the sensor said it lost Redis and that it came back" \
	"grep -q 'lost Redis' $T/r.err && grep -q 'connected; publishing' $T/r.err"
check "restart: the last stats entry counts a reconnect and nothing dropped" \
	"tail -1 $T/rs.json | jq -e '.stats.final and .stats.publish.reconnects >= 1 and .stats.publish.dropped == 0' >/dev/null"
check "restart: it happened mid-run ($before of $(wc -l < $T/r.json) entries before)" "[ $before -gt 0 ] && [ $before -lt $(wc -l < $T/r.json) ]"
sleep 1
kill -TERM "$FPID"; wait "$FPID"; FPID=
byte() { grep -c "\"event_type\":\"$1\"" "$2"; }
check "restart: the following reader has every session and finding once" \
	"[ \$(byte pop3_session $T/fol.json) = \$(byte pop3_session $T/r.json) ] && [ \$(byte pop3_finding $T/fol.json) = \$(byte pop3_finding $T/r.json) ] && [ \$(byte pop3 $T/fol.json) = \$(byte pop3 $T/r.json) ] && [ \$(byte pop3_session $T/r.json) -gt 0 ]"
check "restart: the reader said it lost Redis and where it resumed" \
	"grep -q 'lost Redis' $T/fol.err && grep -q 'connected; reading after entry [0-9]*-[0-9]*' $T/fol.err"
stop_redis "$RPID"
echo "redis: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
