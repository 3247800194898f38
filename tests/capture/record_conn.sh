#!/bin/sh
# Record the connections that never became POP3 sessions, in a network
# namespace this script makes (run as root; nothing leaves the namespace):
#   pcaps/conn/refused.pcap               SYN to 127.0.0.1:110, nothing listens: RST
#   pcaps/conn/no-answer.pcap             SYN to 10.99.0.2:110 out of one end of
#                                         a veth pair whose other end has no such
#                                         address (a static neighbour entry, so no
#                                         ARP): nobody answers. The SYN and its
#                                         retransmissions (Linux: 1 s, 3 s, 7 s),
#                                         the client gives up at 8 s
#   pcaps/conn/no-greeting.pcap           a listener that accepts and says
#                                         nothing; the client gives up after 11 s
#   pcaps/conn/reset-before-greeting.pcap a listener that accepts, waits 0.5 s
#                                         and resets (SO_LINGER 0)
#   pcaps/conn/closed-before-greeting.pcap a listener that accepts and closes
# Servers are started in the namespace and stopped by PID; tcpdump too.
set -eu
OUT=${1:-pcaps/conn}
HERE=$(cd "$(dirname "$0")" && pwd)
PEER="python3 $HERE/conn_peers.py"
NS=pop3mon-conn-$$
mkdir -p "$OUT"
ip netns add "$NS"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns ip link add d0 type veth peer name d1
in_ns ip addr add 10.99.0.1/24 dev d0
in_ns ip link set d0 up
in_ns ip link set d1 up
in_ns ip neigh add 10.99.0.2 lladdr 02:00:00:00:99:02 dev d0 nud permanent

# record NAME IFACE FILTER -- client command...
record() {
	name=$1 iface=$2 filter=$3
	shift 3
	# not through a shell function: $! must be tcpdump's own PID
	# (ip netns exec execs the command)
	log=$(mktemp)
	ip netns exec "$NS" tcpdump -i "$iface" --immediate-mode -U -w "$OUT/$name.pcap" "$filter" 2>"$log" &
	tp=$!
	n=0
	until grep -q "listening on" "$log"; do # tcpdump is ready when it says so
		n=$((n + 1)); [ $n -lt 100 ] || { echo "tcpdump did not start" >&2; exit 1; }
		sleep 0.1
	done
	rm -f "$log"
	sleep 0.2
	"$@"
	sleep 0.5
	kill "$tp"
	wait "$tp" 2>/dev/null || true
	echo "recorded $OUT/$name.pcap"
}

# start_server MODE ADDR PORT [ARG]: in the background, its PID remembered
start_server() {
	ip netns exec "$NS" $PEER "$@" > /dev/null &
	pids="$pids $!"
	sleep 0.5
}

record refused lo "tcp port 110" in_ns $PEER client-refused 127.0.0.1 110
record no-answer d0 "tcp port 110" in_ns $PEER client-noanswer 10.99.0.2 110 8
start_server server-silent 127.0.0.3 110
record no-greeting lo "host 127.0.0.3 and tcp port 110" in_ns $PEER client-wait 127.0.0.3 110 11
start_server server-rst 127.0.0.4 110 0.5
record reset-before-greeting lo "host 127.0.0.4 and tcp port 110" in_ns $PEER client-wait 127.0.0.4 110 5
start_server server-fin 127.0.0.5 110
record closed-before-greeting lo "host 127.0.0.5 and tcp port 110" in_ns $PEER client-wait 127.0.0.5 110 5
