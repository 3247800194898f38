#!/usr/bin/env bash
# Live capture under load: replay a capture at full speed (tcpreplay
# --topspeed) onto a veth pair whose far end lives in a network namespace
# this script creates, capture the near end with pop3mon and with
# `tcpdump -w /dev/null` side by side (same interface, same kernel default
# buffer), and print what each received and dropped.
#
#   tests/bench/live_drops.sh PCAP [REPS]
#
# LIVE_IDLE=SECONDS first measures pop3mon's CPU on the quiet interface;
# LIVE_RAMP="RATE..." (packets/s) first replays at each rate, then at full
# speed, and prints the highest rate at which each tool dropped nothing
# (LIVE_RAMP_SECS [3] seconds' worth of packets per step; LIVE_RAMP_ONLY=1
# stops there).
#
# pop3mon must not drop more than tcpdump: exit 1 if it did in the median
# run, 0 otherwise, 3 when it cannot run here (not root, no tcpreplay/ip).
# Drops come from each tool's own pcap_stats at exit: tcpdump's "dropped by
# kernel" line, pop3mon's final stats event (capture.kernel_drops).
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 2
PCAP=${1:?usage: live_drops.sh PCAP [REPS]}
REPS=${2:-3}
P=${POP3MON:-./pop3mon}

if [ "$(id -u)" != 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null ||
	! command -v tcpdump >/dev/null; then
	echo "live: skipped (needs root, ip, tcpreplay, tcpdump)"
	exit 3
fi
[ -x "$P" ] || { echo "live: $P not built" >&2; exit 2; }
[ -s "$PCAP" ] || { echo "live: $PCAP missing" >&2; exit 2; }

NS=p3m-bench-$$ A=p3b$$a B=p3b$$b
T=$(mktemp -d)
chmod 755 "$T" # pop3mon drops to nobody after opening the device
PIDS=()
cleanup() {
	for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
	ip link del "$A" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$NS" && ip link add "$A" type veth peer name "$B" &&
	ip link set "$B" netns "$NS" && ip link set "$A" up && ip -n "$NS" link set "$B" up ||
	{ echo "live: veth/netns setup failed" >&2; exit 2; }
# The largest frame of a capture can exceed the default MTU (TSO on the
# recording host); tcpreplay refuses those otherwise.
ip link set "$A" mtu 65535 2>/dev/null
ip -n "$NS" link set "$B" mtu 65535 2>/dev/null

# wait_for PID: up to 10 s for a process to end after SIGTERM
wait_for() {
	for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# run_once LABEL TCPREPLAY-OPTIONS...: one replay with both tools capturing;
# prints a row and sets PDROP, TDROP
run_once() {
	local label=$1 pp tp sent rate prcv pdrop trcv tdrop
	shift
	"$P" -i "$A" --report --json "$T/p.json" >/dev/null 2>"$T/p.err" &
	pp=$!
	tcpdump -i "$A" -n -w /dev/null 2>"$T/t.err" &
	tp=$!
	PIDS=("$pp" "$tp")
	sleep 1.5 # both have opened the device
	ip netns exec "$NS" tcpreplay "$@" -i "$B" "$PCAP" >"$T/r.out" 2>&1
	sleep 1   # let both drain their rings
	kill -TERM "$pp" "$tp"
	wait_for "$pp"
	wait_for "$tp"
	PIDS=()
	sent=$(grep -oE 'Successful packets: *[0-9]+' "$T/r.out" | grep -oE '[0-9]+$')
	rate=$(grep -oE 'Rated: [0-9.]+ Bps, [0-9.]+ Mbps, [0-9.]+ pps' "$T/r.out" | head -1)
	read -r prcv pdrop < <(python3 - "$T/p.json" <<'EOF'
import json, sys
st = None
for ln in open(sys.argv[1]):
    e = json.loads(ln)
    if e.get("event_type") == "stats" and e["stats"].get("final"):
        st = e["stats"]["capture"]
if st is None:
    print("? ?")
else:
    print(st.get("received", "?"), st.get("kernel_drops", 0) + st.get("iface_drops", 0))
EOF
	)
	trcv=$(grep -oE '^[0-9]+ packets received by filter' "$T/t.err" | grep -oE '^[0-9]+')
	tdrop=$(grep -oE '^[0-9]+ packets dropped by kernel' "$T/t.err" | grep -oE '^[0-9]+')
	printf '  %-10s %10s %12s %12s %12s %14s   (%s)\n' "$label" "${sent:-?}" "$prcv" "$pdrop" \
		"${trcv:-?}" "${tdrop:-?}" "${rate:-rate ?}"
	PDROP=$pdrop TDROP=${tdrop:-?}
	# the exit summary's lines are not errors
	if grep -v 'frames received on\|frames dropped by\|POP3 sessions' "$T/p.err" |
		grep -qv 'Running as user\|^$\|^pop3mon: dropped'; then
		echo "  pop3mon stderr:"; sed 's/^/    /' "$T/p.err" | head -5
	fi
}
HDR=$(printf '  %-10s %10s %12s %12s %12s %14s' run replayed "pop3mon rcv" "pop3mon drop" "tcpdump rcv" "tcpdump drop")

# Idle: pop3mon on the quiet interface for LIVE_IDLE seconds; its CPU
# (user + system, all threads) from /proc before and after.
if [ "${LIVE_IDLE:-0}" -gt 0 ]; then
	"$P" -i "$A" --report --json /dev/null >/dev/null 2>"$T/i.err" &
	ip_=$!
	PIDS=("$ip_")
	sleep 1.5
	tck=$(getconf CLK_TCK)
	c0=$(awk '{print $14 + $15}' "/proc/$ip_/stat" 2>/dev/null)
	sleep "$LIVE_IDLE"
	c1=$(awk '{print $14 + $15}' "/proc/$ip_/stat" 2>/dev/null)
	kill -TERM "$ip_"
	wait_for "$ip_"
	PIDS=()
	if [ -n "$c0" ] && [ -n "$c1" ]; then
		awk -v a="$c0" -v b="$c1" -v t="$tck" -v s="$LIVE_IDLE" 'BEGIN {
			printf "live: idle: pop3mon used %.2f s of CPU in %d s on a quiet interface (%.2f%% of a core)\n",
			       (b - a) / t, s, 100 * (b - a) / t / s }'
	else
		echo "live: idle: pop3mon's CPU could not be read"
	fi
fi

# Ramp: replay at each rate of LIVE_RAMP (packets per second), each for
# about LIVE_RAMP_SECS seconds' worth of the capture's packets, then at
# full speed; the highest rate at which each tool dropped nothing.
if [ -n "${LIVE_RAMP:-}" ]; then
	secs=${LIVE_RAMP_SECS:-3}
	echo "live: rate ramp on $A ($(basename "$PCAP")), about ${secs} s per step; both tools capture side by side"
	echo "$HDR"
	best_p=0 best_t=0 stop_p=0 stop_t=0
	for r in $LIVE_RAMP topspeed; do
		if [ "$r" = topspeed ]; then
			run_once topspeed --topspeed --loop=0 --limit=$((400000 * secs))
		else
			run_once "$r/s" --pps="$r" --loop=0 --limit=$((r * secs))
		fi
		if [ "$stop_p" = 0 ]; then
			if [ "$PDROP" = 0 ]; then best_p=$r; else stop_p=1; fi
		fi
		if [ "$stop_t" = 0 ]; then
			if [ "$TDROP" = 0 ]; then best_t=$r; else stop_t=1; fi
		fi
		[ "$stop_p" = 1 ] && [ "$stop_t" = 1 ] && break
	done
	echo "live: highest rate with no drop: pop3mon $best_p, tcpdump $best_t (packets/s as asked of tcpreplay; 'topspeed': as fast as it could send, rate in its row)"
	[ "${LIVE_RAMP_ONLY:-0}" = 1 ] && exit 0
fi

echo "live: replaying $(basename "$PCAP") ($(($(stat -c %s "$PCAP") / 1000000)) MB) at full speed onto $A, $REPS runs"
echo "$HDR"
for rep in $(seq 1 "$REPS"); do
	run_once "$rep" --topspeed
	echo "$PDROP $TDROP" >>"$T/drops"
done
python3 - "$T/drops" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
try:
    p = statistics.median(int(a) for a, _ in rows)
    t = statistics.median(int(b) for _, b in rows)
except ValueError:
    print("live: drop counts missing, no verdict"); sys.exit(2)
verdict = "ok" if p <= t else "pop3mon dropped more"
print("live: median drops: pop3mon %d, tcpdump %d: %s" % (p, t, verdict))
sys.exit(0 if p <= t else 1)
EOF
