#!/usr/bin/env bash
# soak.sh - a long live run, bounded: a capture with many sessions replayed
# in a loop (tcpreplay --loop) onto a veth pair whose far end lives in a
# network namespace this script makes, captured by two pop3mon at once:
# the dashboard (in a tmux pane) and --report --json in the background.
# Each one's resident memory (VmRSS, the whole process) is sampled every
# few seconds and printed; at the end the peak, the RSS after warm-up and
# at the end, and the exit summary (frames, drops, sessions).
#
#   tests/bench/soak.sh [SECONDS]         (make soak; SOAK_SECONDS)
#
# Knobs (environment): SOAK_PCAP (default: generated, ~40 MB, about 3,000
# sessions, 500 at once), SOAK_MBPS (replay rate, default 40), SOAK_STEP
# (seconds between samples, default 5), SOAK_LIMIT_KIB (default 65536).
# Exit 1 when a process went above the limit or grew after warm-up (the
# first quarter) by more than 4 MiB; 3 when it cannot run here.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 2
SECS=${1:-${SOAK_SECONDS:-180}}
STEP=${SOAK_STEP:-5}
MBPS=${SOAK_MBPS:-40}
LIMIT=${SOAK_LIMIT_KIB:-65536}
P=$PWD/${POP3MON:-pop3mon}
if [ "$(id -u)" != 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null ||
	! command -v tmux >/dev/null; then
	echo "soak: skipped (needs root, ip, tcpreplay, tmux)"; exit 3
fi
[ -x "$P" ] || { echo "soak: $P not built" >&2; exit 2; }
PCAP=${SOAK_PCAP:-}
if [ -z "$PCAP" ]; then
	PCAP=tests/bench/data/soak_s11.pcap
	if [ ! -s "$PCAP" ]; then
		mkdir -p tests/bench/data
		[ -x tests/bench/gen_pop3_pcap ] || { echo "soak: build tests/bench/gen_pop3_pcap first (make bench-gen)" >&2; exit 2; }
		tests/bench/gen_pop3_pcap -o "$PCAP" -t "${PCAP%.pcap}.truth.tsv" -s 40 -S 11 -m 4 -c 500 -q || exit 2
	fi
fi
NS=p3m-soak-$$ A=p3k$$a B=p3k$$b SOCK=p3m-soak-$$
T=$(mktemp -d); chmod 755 "$T"
RP=
cleanup() {
	[ -n "$RP" ] && kill "$RP" 2>/dev/null
	[ -n "${BG:-}" ] && kill "$BG" 2>/dev/null
	tmux -L "$SOCK" kill-server 2>/dev/null
	ip link del "$A" 2>/dev/null; ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
ip netns add "$NS" 2>/dev/null || { echo "soak: skipped (cannot create a network namespace)"; exit 3; }
ip link add "$A" type veth peer name "$B" && ip link set "$B" netns "$NS" &&
	ip link set "$A" up && ip -n "$NS" link set "$B" up || { echo "soak: veth setup failed" >&2; exit 2; }
ip link set "$A" mtu 65535 2>/dev/null; ip -n "$NS" link set "$B" mtu 65535 2>/dev/null

"$P" -i "$A" --report --json "$T/soak.json" > "$T/report" 2> "$T/bg.err" &
BG=$!
tmux -L "$SOCK" new-session -d -x 150 -y 40 "sh -c 'echo \$\$ > $T/dash.pid; exec $P -i $A 2> $T/dash.err'"
sleep 2
DASH=$(cat "$T/dash.pid")
ip netns exec "$NS" tcpreplay -q --loop=0 --mbps="$MBPS" -i "$B" "$PCAP" > "$T/replay" 2>&1 &
RP=$!
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
echo "soak: $(basename "$PCAP") ($(($(stat -c %s "$PCAP") / 1000000)) MB) replayed in a loop at $MBPS Mbit/s for $SECS s; RSS in KiB (limit $LIMIT)"
printf '  %6s %12s %12s   %s\n' "s" "dashboard" "report+json" "dashboard's list"
t=0 peak_d=0 peak_b=0 warm_d= warm_b= last_d=0 last_b=0
while [ "$t" -lt "$SECS" ]; do
	sleep "$STEP"; t=$((t + STEP))
	d=$(rss "$DASH") b=$(rss "$BG")
	[ "$d" -gt "$peak_d" ] && peak_d=$d
	[ "$b" -gt "$peak_b" ] && peak_b=$b
	if [ -z "$warm_d" ] && [ $((t * 4)) -ge "$SECS" ]; then warm_d=$d warm_b=$b; fi
	last_d=$d last_b=$b
	held=$(tmux -L "$SOCK" capture-pane -p | grep -oE '[0-9,]+ of [0-9,]+ sessions held[^;]*; [0-9,]+ clean' | head -1)
	printf '  %6d %12d %12d   %s\n' "$t" "$d" "$b" "${held:-all held}"
done
kill "$RP" 2>/dev/null; wait "$RP" 2>/dev/null; RP=
sleep 1
tmux -L "$SOCK" send-keys q
kill -TERM "$BG"; wait "$BG" 2>/dev/null; BG=
for _ in $(seq 1 50); do kill -0 "$DASH" 2>/dev/null || break; sleep 0.2; done
echo "  peak: dashboard $peak_d KiB, report+json $peak_b KiB"
echo "  after warm-up (a quarter in) -> end: dashboard $warm_d -> $last_d KiB, report+json $warm_b -> $last_b KiB"
echo "  report+json exit summary:"; sed 's/^/    /' "$T/bg.err"
echo "  dashboard exit summary:"; sed 's/^/    /' "$T/dash.err"
bad=0
for pair in "dashboard $peak_d $warm_d $last_d" "report+json $peak_b $warm_b $last_b"; do
	set -- $pair
	if [ "$2" -gt "$LIMIT" ]; then echo "  FAIL $1: peak $2 KiB above $LIMIT KiB"; bad=1; fi
	if [ "$4" -gt $(( $3 + 4096 )) ]; then echo "  FAIL $1: grew $(( $4 - $3 )) KiB after warm-up"; bad=1; fi
done
[ "$bad" = 0 ] && echo "  OK: both under $LIMIT KiB and flat after warm-up (within 4 MiB)"
exit "$bad"
