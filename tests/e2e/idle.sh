#!/bin/sh
# idle.sh - a live capture with no traffic costs (almost) nothing.
#
# pop3mon captures on loopback (-i lo) on a port nobody uses, in every live
# mode at once: --report and --json in the background, the dashboard and
# --wall in tmux panes. Over IDLE_SECONDS (default 30) each process's CPU
# time is read from /proc/PID/stat (utime + stime) and printed as a share
# of one core; above 1 % fails. Then a POP3 session is sent over loopback
# (a tiny server and client in Python) to show the idle loop still wakes
# for traffic: the session is in the JSON within a second.
# Needs root (live capture) and tmux; skips (said) otherwise.
set -u
P=${1:-./pop3mon}
SECS=${IDLE_SECONDS:-30}
LIMIT_PCT=1
case $P in /*) ;; *) P=$PWD/$P ;; esac
if [ "$(id -u)" != 0 ] || ! command -v tmux >/dev/null; then
	echo "idle: 0 passed, 0 failed, 1 skipped (needs root and tmux)"; exit 0
fi
T=$(mktemp -d); chmod 755 "$T"
SOCK=p3m-idle-$$
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmux() { command tmux -L "$SOCK" "$@"; }
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	tmux kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
ok=0 bad=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }

# The background modes.
"$P" -i lo -p "$PORT" --report > "$T/report" 2> "$T/report.err" &
PID_REPORT=$!
"$P" -i lo -p "$PORT" --json - > "$T/json" 2> "$T/json.err" &
PID_JSON=$!
PIDS="$PID_REPORT $PID_JSON"
# The terminal modes: a wrapper writes its PID, then becomes pop3mon.
tmux new-session -d -s dash -x 120 -y 40 "sh -c 'echo \$\$ > $T/dash.pid; exec \"$P\" -i lo -p $PORT'"
tmux new-session -d -s wall -x 120 -y 40 "sh -c 'echo \$\$ > $T/wall.pid; exec \"$P\" -i lo -p $PORT --wall'"
i=0
while [ $i -lt 50 ] && ! { [ -s "$T/dash.pid" ] && [ -s "$T/wall.pid" ]; }; do sleep 0.1; i=$((i + 1)); done
PID_DASH=$(cat "$T/dash.pid" 2>/dev/null) PID_WALL=$(cat "$T/wall.pid" 2>/dev/null)
sleep 2 # past start-up (curses, the filter, the privilege drop)
# A machine where even root may not capture on lo (a container without
# CAP_NET_RAW) is the machine, not pop3mon: a skip, said.
if ! kill -0 "$PID_REPORT" 2>/dev/null && grep -qi 'permission\|not permitted\|socket' "$T/report.err"; then
	echo "idle: 0 passed, 0 failed, 1 skipped (cannot capture on lo: $(head -1 "$T/report.err"))"
	exit 0
fi

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo x; }
HZ=$(getconf CLK_TCK)
t0=$(date +%s.%N)
for m in REPORT JSON DASH WALL; do eval "a_$m=\$(ticks \$PID_$m)"; done
sleep "$SECS"
for m in REPORT JSON DASH WALL; do eval "b_$m=\$(ticks \$PID_$m)"; done
t1=$(date +%s.%N)
for m in REPORT JSON DASH WALL; do
	eval "a=\$a_$m b=\$b_$m"
	if [ "$a" = x ] || [ "$b" = x ]; then
		check "idle $m: pop3mon was running" false
		continue
	fi
	pct=$(awk -v a="$a" -v b="$b" -v hz="$HZ" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) * 100 }')
	echo "idle $m: $((b - a)) ticks of CPU in $(awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", t1 - t0 }') s = $pct % of a core"
	check "idle $m: under $LIMIT_PCT % of a core ($pct %)" \
		"awk -v p=$pct -v l=$LIMIT_PCT 'BEGIN { exit !(p < l) }'"
done

# Idle is not asleep: a session over loopback reaches the JSON promptly.
python3 - "$PORT" <<'EOF'
import socket, sys, threading
port = int(sys.argv[1])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(1)
def serve():
    c, _ = srv.accept(); f = c.makefile("rb")
    c.sendall(b"+OK ready\r\n")
    for line in f:
        cmd = line.split(b" ")[0].strip().upper()
        if cmd == b"STAT": c.sendall(b"+OK 0 0\r\n")
        elif cmd == b"QUIT": c.sendall(b"+OK bye\r\n"); break
        else: c.sendall(b"+OK\r\n")
    c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.create_connection(("127.0.0.1", port)); f = cl.makefile("rb")
f.readline()
for cmd in (b"USER idle", b"PASS x", b"STAT", b"QUIT"):
    cl.sendall(cmd + b"\r\n"); f.readline()
cl.close(); t.join(); srv.close()
EOF
i=0
while [ $i -lt 20 ] && ! grep -q '"event_type":"pop3_session"' "$T/json"; do sleep 0.1; i=$((i + 1)); done
check "a session after the idle spell is in the JSON within 2 s ($((i * 100)) ms)" \
	"grep -q '\"event_type\":\"pop3_session\"' '$T/json'"
# A live dashboard whose terminal goes away (tmux killed, ssh dropped) ends:
# by the SIGHUP it gets, or, when none comes, by the hung-up descriptor its
# wait reports (it does not wake on it forever).
tmux kill-session -t wall
i=0
while [ $i -lt 30 ] && kill -0 "$PID_WALL" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
check "live --wall ends when its terminal goes away ($((i * 100)) ms)" "! kill -0 $PID_WALL 2>/dev/null"
kill -TERM $PID_REPORT $PID_JSON "$PID_DASH" "$PID_WALL" 2>/dev/null
wait $PID_REPORT $PID_JSON 2>/dev/null
PIDS=
cat "$T/json.err"
check "stderr holds only the exit summary (report, json)" \
	"grep -Eq '^[1-9][0-9]* frames received on lo\$' '$T/report.err' && grep -q '^1 POP3 session, 0 flagged\$' '$T/report.err' && grep -q '^1 POP3 session, 0 flagged\$' '$T/json.err' && [ \$(cat '$T/report.err' '$T/json.err' | wc -l) = 8 ]"
echo "idle: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
