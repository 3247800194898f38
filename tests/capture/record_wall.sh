#!/bin/bash
# Record pcaps/wall/mixed.pcap: six POP3 servers on loopback, one per state
# of the wall (tests/capture/wall_clients.py says which does what):
# healthy, contradicting, rejecting logins, refusing connects, never
# answering (a full accept queue), silent after accepting.
#
#   tests/capture/record_wall.sh
#
# Needs root (port 110, tcpdump) and python3. Uses only 127.0.0.60-65 on
# lo; every process it starts is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=$(python3 -c 'import sys; print(sys.executable)')
OUT=pcaps/wall
mkdir -p "$OUT" tests/capture/logs/wall
TMP=$(mktemp -d /tmp/record_wall.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

tcpdump -i lo -U -s 0 -w "$TMP/mixed.pcap" 'tcp port 110 and net 127.0.0.0/8' 2>"$TMP/tcpdump.err" &
TCPD=$!
PIDS="$PIDS $TCPD"
"$PY" tests/server/badpop3.py --listen 127.0.0.60 --scenario clean 2>/dev/null &
PIDS="$PIDS $!"
"$PY" tests/server/badpop3.py --listen 127.0.0.61 --scenario stat-list-count 2>/dev/null &
PIDS="$PIDS $!"
"$PY" tests/server/badpop3.py --listen 127.0.0.62 --scenario clean 2>/dev/null &
PIDS="$PIDS $!"
# 127.0.0.63: nothing listens. 127.0.0.64: a queue of one, never accepted.
# 127.0.0.65: accepts, then silence.
"$PY" - <<'PYEOF' &
import socket, time, threading
full = socket.socket(); full.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
full.bind(("127.0.0.64", 110)); full.listen(0)
silent = socket.socket(); silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
silent.bind(("127.0.0.65", 110)); silent.listen(5)
held = []
def acc():
    while True:
        c, _ = silent.accept(); held.append(c)
threading.Thread(target=acc, daemon=True).start()
time.sleep(60)
PYEOF
PIDS="$PIDS $!"
sleep 1.5
"$PY" tests/capture/wall_clients.py | tee tests/capture/logs/wall/mixed.log
sleep 1
kill "$TCPD"; wait "$TCPD" 2>/dev/null || true
grep -q '^0 packets dropped by kernel' "$TMP/tcpdump.err" || { cat "$TMP/tcpdump.err"; echo "record_wall: the kernel dropped packets" >&2; exit 1; }
cp "$TMP/mixed.pcap" "$OUT/mixed.pcap"
echo "wrote $OUT/mixed.pcap ($(tcpdump -r "$OUT/mixed.pcap" 2>/dev/null | wc -l) packets)"
