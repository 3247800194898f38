#!/bin/sh
# Live capture, as a person would run it: a veth pair whose far end lives in
# a network namespace this test creates; a recorded capture is replayed
# into the namespace end with tcpreplay, pop3mon captures on the near end
# (-i), drops root, and on SIGTERM flushes a complete JSON file and pcap.
# Needs root, iproute2 and tcpreplay; skips (counted) otherwise.
P=${1:-./pop3mon}
if [ "$(id -u)" != 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null; then
	echo "live: 0 passed, 0 failed, 1 skipped (needs root, ip, tcpreplay)"; exit 0
fi
NS=p3m-live-$$ A=p3m$$a B=p3m$$b
T=$(mktemp -d); chmod 755 "$T"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; ip link del "$A" 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
# A container without CAP_SYS_ADMIN/CAP_NET_ADMIN cannot make these: that is
# the machine, not pop3mon, so it is a skip (said), not a failure.
if ! ip netns add "$NS" 2>"$T/ns.err"; then
	echo "live: 0 passed, 0 failed, 1 skipped (cannot create a network namespace: $(head -1 "$T/ns.err"))"
	exit 0
fi
ip link add "$A" type veth peer name "$B" && ip link set "$B" netns "$NS" &&
	ip link set "$A" up && ip -n "$NS" link set "$B" up || { echo "live: veth setup failed"; exit 1; }
ok=0 bad=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }

$P -i "$A" --json "$T/live.json" -w "$T/flagged.pcap" --report > "$T/report" 2> "$T/err" &
PID=$!
sleep 1
ip netns exec "$NS" tcpreplay -q -i "$B" pcaps/bad/intermail.pcap pcaps/real/dovecot-curl.pcap >/dev/null 2>&1
sleep 1
check "live: a session's JSON lines are written when it closes, not at exit" \
	"grep -q '\"event_type\":\"pop3_session\"' $T/live.json"
check "pop3mon dropped root after opening the device" \
	"[ \"\$(ps -o user= -p $PID | tr -d ' ')\" = nobody ]"
kill -TERM "$PID"; wait "$PID"; st=$?; PID=
check "SIGTERM: exits with the contradiction status (1)" "[ $st = 1 ]"
check "the live session's findings are in the JSON" "grep -q '\"rule\":\"stat-uidl-count\"' $T/live.json"
check "the JSON is complete and parses" "python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' $T/live.json"
check "the final stats event carries kernel drop counters" "tail -1 $T/live.json | grep -q 'kernel'"
check "the report names the flagged session" "grep -q 'stat-list-count' $T/report"
check "the flagged pcap is complete and holds the flagged session only" \
	"[ \"\$($P -r $T/flagged.pcap --json - | grep -c '\"event_type\":\"pop3_session\"')\" = 1 ] && $P -r $T/flagged.pcap --report | grep -q stat-uidl-count"
cat "$T/err"
check "stderr holds only the exit summary: frames received, kernel and interface drops, sessions, flagged" \
	"grep -Eq '^[1-9][0-9]* frames received on $A\$' $T/err && grep -q '^0 frames dropped by kernel\$' $T/err && grep -Eq '^[0-9]+ frames? dropped by interface\$' $T/err && grep -Eq '^[1-9][0-9]* POP3 sessions?, 1 flagged\$' $T/err && [ \$(wc -l < $T/err) = 4 ]"

# The interface goes away under a running capture: a clear message naming
# it, exit status 2, and the JSON written so far is complete.
# -i any is a Linux cooked capture: libpcap refuses a filter naming `vlan`
# there, so the default filter must drop its VLAN alternatives on it.
$P -i any --json "$T/any.json" > /dev/null 2> "$T/any.err" &
PID=$!
sleep 1
ip netns exec "$NS" tcpreplay -q -i "$B" pcaps/bad/intermail.pcap >/dev/null 2>&1
sleep 1
kill -TERM "$PID" 2>/dev/null; wait "$PID"; st=$?
PID=
check "-i any with the default filter: runs (status $st, no filter error)" \
	"[ '$st' != 2 ] && ! grep -q 'bad filter' $T/any.err"
check "-i any: the session is found through the cooked capture" "grep -q stat-uidl-count $T/any.json"
$P -i "$A" --json "$T/down.json" --report > /dev/null 2> "$T/down.err" &
PID=$!
sleep 1
ip netns exec "$NS" tcpreplay -q -i "$B" pcaps/bad/intermail.pcap >/dev/null 2>&1
sleep 0.5
ip link del "$A"
for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID"; st=stuck; else wait "$PID"; st=$?; fi
PID=
check "interface gone: pop3mon stops with status 2 (got $st)" "[ '$st' = 2 ]"
check "interface gone: stderr names the interface" "grep -q '$A' $T/down.err"
check "interface gone: the JSON so far parses, with the session" \
	"python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' $T/down.json && grep -q stat-uidl-count $T/down.json"
echo "live: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
