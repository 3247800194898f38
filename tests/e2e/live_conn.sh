#!/bin/sh
# Live: connections that never became sessions end with their own reasons
# on the wall clock (issue 18). In a network namespace this test makes:
# pop3mon captures on "any" (with "tcp port 110": the default filter has
# VLAN terms, which Linux cooked captures cannot take); a client is refused (nothing on 127.0.0.1:110),
# a SYN goes unanswered (out of a veth end towards an address nobody has),
# a listener accepts and says nothing. Servers and pop3mon are stopped by
# PID. Needs root and iproute2; skips (said) otherwise.
P=${1:-./pop3mon}
PEER="python3 tests/capture/conn_peers.py"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	echo "live_conn: 0 passed, 0 failed, 1 skipped (needs root and ip)"; exit 0
fi
NS=p3m-conn-$$
T=$(mktemp -d); chmod 755 "$T"
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; ip netns del "$NS" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
if ! ip netns add "$NS" 2>"$T/ns.err"; then
	echo "live_conn: 0 passed, 0 failed, 1 skipped (cannot create a network namespace: $(head -1 "$T/ns.err"))"
	exit 0
fi
ip -n "$NS" link set lo up
ip -n "$NS" link add d0 type veth peer name d1 && ip -n "$NS" addr add 10.99.0.1/24 dev d0 &&
	ip -n "$NS" link set d0 up && ip -n "$NS" link set d1 up &&
	ip -n "$NS" neigh add 10.99.0.2 lladdr 02:00:00:00:99:02 dev d0 nud permanent ||
	{ echo "live_conn: namespace setup failed"; exit 1; }
ok=0 bad=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }

ip netns exec "$NS" $P -i any --syn-timeout 2000 --greeting-timeout 3 --json "$T/live.json" \
	--report "tcp port 110" > "$T/report" 2> "$T/err" &
PID=$!
pids="$pids $PID"
sleep 1.5
ip netns exec "$NS" $PEER server-silent 127.0.0.3 110 > /dev/null &
pids="$pids $!"
sleep 0.5
ip netns exec "$NS" $PEER client-refused 127.0.0.1 110 > /dev/null
ip netns exec "$NS" $PEER client-wait 127.0.0.3 110 6 > /dev/null &
W=$!
ip netns exec "$NS" $PEER client-noanswer 10.99.0.2 110 4 > /dev/null
# the silent server's client still waits: its session must be over already
sleep 1
check "no_greeting is called on the clock, before the client gives up" \
	"grep -q '\"end_reason\":\"no_greeting\"' $T/live.json"
wait "$W"
sleep 1.5
kill -TERM "$PID"; wait "$PID"; st=$?
check "SIGTERM: exit 0 (notices only)" "[ $st = 0 ]"
check "refused: its end reason and notice" \
	"grep '\"end_reason\":\"refused\"' $T/live.json | grep -q '\"rules\":\\[\"conn-refused\"\\]'"
check "no answer: its end reason and notice" \
	"grep '\"end_reason\":\"no_answer\"' $T/live.json | grep -q '\"rules\":\\[\"conn-no-answer\"\\]'"
check "no answer: the SYN's retransmissions are counted in the notice" \
	"grep '\"rule\":\"conn-no-answer\"' $T/live.json | grep -q 'retransmission'"
check "the silent server: no-greeting" \
	"grep '\"end_reason\":\"no_greeting\"' $T/live.json | grep -q '\"rules\":\\[\"no-greeting\"\\]'"
check "none of them is a session in AUTHORIZATION or a failed login" \
	"! grep '\"event_type\":\"pop3_session\"' $T/live.json | grep -q 'AUTHORIZATION\\|login-failed'"
check "three sessions, no more (the retransmissions are no sessions)" \
	"[ \$(grep -c '\"event_type\":\"pop3_session\"' $T/live.json) = 3 ]"
echo "live_conn: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
