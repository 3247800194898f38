#!/bin/sh
# A slow Redis never slows a live capture: a sensor captures on a veth pair
# (far end in a network namespace this test makes) and publishes to a
# redis-server that is frozen (SIGSTOP: it accepts connections and never
# answers, the slowest Redis there is). The capture must drop nothing and
# the local JSON must hold every session, while what Redis cannot take is
# buffered, then dropped and counted; SIGTERM must still end the sensor
# promptly. Needs root, iproute2, tcpreplay and redis-server; skips (said)
# otherwise.
P=${1:-./pop3mon}
if [ "$(id -u)" != 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null ||
	! command -v redis-server >/dev/null; then
	echo "live_publish: 0 passed, 0 failed, 1 skipped (needs root, ip, tcpreplay, redis-server)"; exit 0
fi
NS=p3m-lp-$$ A=p3l$$a B=p3l$$b
T=$(mktemp -d); chmod 755 "$T"
RPID= PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -n "$RPID" ] && kill -CONT "$RPID" 2>/dev/null && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	ip link del "$A" 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$T"
}
trap cleanup EXIT
if ! ip netns add "$NS" 2>"$T/ns.err"; then
	echo "live_publish: 0 passed, 0 failed, 1 skipped (cannot create a network namespace: $(head -1 "$T/ns.err"))"
	exit 0
fi
ip link add "$A" type veth peer name "$B" && ip link set "$B" netns "$NS" &&
	ip link set "$A" up && ip -n "$NS" link set "$B" up || { echo "live_publish: veth setup failed"; exit 1; }
ok=0 bad=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }
. tests/e2e/redis_lib.sh

# About 10 MB of POP3 (194 sessions, 2.6 MB of JSON: more than the 1 MiB
# publish buffer), replayed at 4,000 packets a second. Segments of 1,400
# bytes so a frame with two VLAN tags fits the veth's MTU: the capture has
# QinQ sessions, which the live default filter once missed.
[ -x tests/bench/gen_pop3_pcap ] || make -s tests/bench/gen_pop3_pcap || exit 1
./tests/bench/gen_pop3_pcap -o "$T/g.pcap" -t "$T/g.tsv" -s 10 -S 11 -M 1400 -q || exit 1
want=$($P -r "$T/g.pcap" --json - 2>/dev/null | grep -c '"event_type":"pop3_session"')

PORT=$(free_port)
start_redis "$PORT" || exit 1
kill -STOP "$RPID"
$P -i "$A" --json "$T/live.json" --publish "redis://127.0.0.1:$PORT/frozen" --sensor lp --publish-buffer 1 \
	> /dev/null 2> "$T/err" &
PID=$!
sleep 1
ip netns exec "$NS" tcpreplay -q --pps 4000 -i "$B" "$T/g.pcap" > "$T/replay" 2>&1
sleep 1
s=$(date +%s)
kill -TERM "$PID"; wait "$PID"; st=$?; PID=
took=$(( $(date +%s) - s ))
fin=$(tail -1 "$T/live.json")
got=$(grep -c '"event_type":"pop3_session"' "$T/live.json")
cat "$T/err"
check "frozen Redis: SIGTERM ends the sensor within 10 s (took ${took} s, status $st: flagged sessions)" \
	"[ $took -le 10 ] && [ $st = 1 ]"
check "frozen Redis: the capture dropped nothing ($(echo "$fin" | jq -c '.stats.capture | {kernel_drops, iface_drops}' 2>/dev/null))" \
	"echo '$fin' | jq -e '.stats.final and .stats.capture.kernel_drops == 0 and .stats.capture.iface_drops == 0' > /dev/null"
check "frozen Redis: the local JSON holds every session ($got of $want)" "[ $got = $want ] && [ $want -gt 100 ]"
check "frozen Redis: nothing was answered; what the 1 MiB buffer could not hold was dropped and counted ($(echo "$fin" | jq -c .stats.publish 2>/dev/null))" \
	"echo '$fin' | jq -e '.stats.publish.sent == 0 and .stats.publish.dropped > 0 and .stats.publish.events > .stats.publish.dropped' > /dev/null"
check "frozen Redis: stderr says the events were not published" "grep -q 'not published' $T/err"
echo "live_publish: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
