#!/bin/sh
# --publish (and --from redis://) against a real redis-server, started
# here on 127.0.0.1 with a free port and stopped by PID. Skips (said) when
# redis-server is not installed; `make check` installs it (.ci/deps.sh).
P=${1:-./pop3mon}
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	echo "redis: 0 passed, 0 failed, 1 skipped (needs redis-server, redis-cli)"; exit 0
fi
T=$(mktemp -d)
RPID= SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ok=0 bad=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }
H="python3 tests/e2e/redis_stream.py"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start_redis PORT [persist]: no snapshot, no AOF unless persist (then an
# AOF fsynced at every write, so a kill -9 loses nothing Redis answered).
start_redis() {
	if [ "${2:-}" = persist ]; then aof="--appendonly yes --appendfsync always"; else aof="--appendonly no"; fi
	redis-server --port "$1" --bind 127.0.0.1 --save "" $aof --dir "$T" --daemonize no \
		--logfile "$T/redis.log" &
	RPID=$!
	for i in $(seq 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "redis-server did not start"; cat "$T/redis.log"; return 1
}
stop_redis() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; RPID=; }
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
# crowd.pcap's password is "secret" (what --show-secrets shows).
check "no secret in the stream: PASS redacted" \
	"$P -r $A --show-secrets --json - 2>/dev/null | grep -q '\"args\":\"secret\"' && ! grep -q '\"secret\"' $T/sa.json && grep -q '<redacted>' $T/sa.json"
# MAXLEN ~ trims whole nodes of the stream: small nodes make it visible.
redis-cli -p "$PORT" CONFIG SET stream-node-max-entries 5 > /dev/null
$H slowcat "$T/g.pcap" 2 | $P -r - --publish "redis://127.0.0.1:$PORT/small" --stream-maxlen 10 > /dev/null 2>&1
check "MAXLEN ~ trims: --stream-maxlen 10 keeps 10 to 15 entries, fewer than the 445 events" \
	"n=\$(redis-cli -p $PORT XLEN small); [ \$n -ge 10 ] && [ \$n -le 15 ] && [ \$($H count $PORT small) -lt 445 ]"
redis-cli -p "$PORT" CONFIG SET stream-node-max-entries 100 > /dev/null

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

# Redis killed (kill -9, by PID) and restarted mid-run: the sensor
# reconnects and goes on; with an AOF fsynced at every write the stream
# ends up holding every event exactly once.
stop_redis "$RPID"
PORT=$(free_port)
start_redis "$PORT" persist || exit 1
$H slowcat "$T/g.pcap" 4 | $P -r - --json "$T/r.json" --publish "redis://127.0.0.1:$PORT/r" --sensor s1 > /dev/null 2> "$T/r.err" &
SPID=$!
sleep 1.2
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
stop_redis "$RPID"
echo "redis: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
