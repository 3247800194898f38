#!/bin/sh
# Tunnels live: a veth pair whose far end lives in a network namespace this
# test creates; the VXLAN, GRE and L2TP captures of pcaps/tunnels/ are
# replayed into it with tcpreplay, pop3mon captures on the near end with a
# BPF expression that selects the tunnels (the default filter selects TCP on
# the POP3 ports, which tunnelled POP3 is not). Each session is found, with
# its tunnel and the unwrapped capture's finding. Needs root, iproute2 and
# tcpreplay; skips (said) otherwise.
P=${1:-./pop3mon}
if [ "$(id -u)" != 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null; then
	echo "live tunnels: 0 passed, 0 failed, 1 skipped (needs root, ip, tcpreplay)"; exit 0
fi
NS=p3m-tun-$$ A=p3t$$a B=p3t$$b
T=$(mktemp -d); chmod 755 "$T"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; ip link del "$A" 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
if ! ip netns add "$NS" 2>"$T/ns.err"; then
	echo "live tunnels: 0 passed, 0 failed, 1 skipped (cannot create a network namespace: $(head -1 "$T/ns.err"))"
	exit 0
fi
ip link add "$A" type veth peer name "$B" && ip link set "$B" netns "$NS" &&
	ip link set "$A" up && ip -n "$NS" link set "$B" up || { echo "live tunnels: veth setup failed"; exit 1; }
ok=0 bad=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }

$P -i "$A" --json "$T/live.json" --report 'udp port 4789 or proto gre or udp port 1701' > "$T/report" 2> "$T/err" &
PID=$!
sleep 1
ip netns exec "$NS" tcpreplay -q -i "$B" pcaps/tunnels/vxlan-stat-list-count.pcap \
	pcaps/tunnels/gre-stat-list-count.pcap pcaps/tunnels/l2tp-dovecot-curl.pcap >/dev/null 2>&1
sleep 1
kill -TERM "$PID"; wait "$PID"; st=$?; PID=
check "SIGTERM: exits with the contradiction status (1), got $st" "[ $st = 1 ]"
python3 - "$T/live.json" > "$T/sessions" <<'PY'
import json, sys
seen = {}
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event_type"] == "pop3_session":
        seen[e["flow_id"]] = [e.get("tunnel", {}).get("type"), e.get("tunnel", {}).get("id"), 0]
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event_type"] == "pop3_finding" and e["finding"]["rule"] == "stat-list-count":
        seen[e["flow_id"]][2] += 1
for v in sorted(seen.values(), key=str):
    print(*v)
PY
cat "$T/sessions"
check "live: the VXLAN session, VNI 100, with its stat-list-count finding" "grep -qx 'vxlan 100 1' $T/sessions"
check "live: the GRE session, key 7, with its stat-list-count finding" "grep -qx 'gre 7 1' $T/sessions"
check "live: the L2TP session, clean" "grep -qx 'l2tp 9 0' $T/sessions"
check "live: three sessions, no other" "[ \$(wc -l < $T/sessions) = 3 ]"
check "the report names the tunnels" "grep -q '^  tunnel vxlan 192.0.2.1 -> 192.0.2.2 id 100' $T/report && grep -q '^Tunnels: ' $T/report"
echo "live tunnels: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
