#!/bin/sh
# wall_sensors_tmux.sh - the wall with sensors (#22) as a NOC sees it, in
# tmux, with a real redis-server (tests/e2e/redis_lib.sh: 127.0.0.1, a
# free port, stopped by PID):
#
#  1. two sensors publish pcaps/wall/mixed.pcap at capture speed
#     (--realtime, so heartbeats flow as live): alpha three times over
#     (about 50 s), beta once (about 17 s). A wall follows the stream:
#     both sensor lines, heard, with frames and frames/s; the title's
#     frames are the sum of the two lines' (each sensor's latest stats,
#     not summed twice); the tiles say "via alpha,beta".
#  2. beta ends: its line turns SILENT, white on red, once 15 s (three
#     heartbeats) passed since it was last heard and not before; alpha's
#     line stays heard, not red; the title says "1 of 2 SENSORS SILENT"
#     in the alert colour; so does the dashboard's header.
#  3. the sensors' entries replayed as files, dated a year back (--from
#     a.json --from b.json --wall): judged against the newest time a
#     sensor spoke, not the reader's clock: beta (it stopped about 33 s
#     before alpha) SILENT, alpha heard, the title's frames the sum.
#  4. a wall following the stream after both sensors ended: the tiles
#     age on the reader's clock from the newest event on (not frozen at
#     the last event's time): the ERROR server (its last problem 15 s
#     before the newest event) turns RECOVERED 5 s into the quiet with
#     --wall-quiet 20, and not at once.
#
# usage: tests/e2e/wall_sensors_tmux.sh [POP3MON]
# Skips (said, status 0) without redis-server, redis-cli or tmux.
set -u
P=${1:-./pop3mon}
for c in redis-server redis-cli tmux; do
	command -v $c >/dev/null || { echo "wall sensors: 0 passed, 0 failed, 1 skipped (needs $c)"; exit 0; }
done
case $P in /*) ;; *) P=$PWD/$P ;; esac
T=$(mktemp -d)
RPID= APID= BPID=
TS=pop3mon-wallsens-$$
cleanup() {
	[ -n "$APID" ] && kill "$APID" 2>/dev/null
	[ -n "$BPID" ] && kill "$BPID" 2>/dev/null
	tmux -L "$TS" kill-server 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
ok=0 bad=0
check() {
	if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"
	else bad=$((bad + 1)); echo "FAIL $1"; echo "---- screen ----"; scr "${3:-w}"; echo "----------------"; fi
}
. tests/e2e/redis_lib.sh
H="python3 tests/e2e/redis_stream.py"
M=pcaps/wall/mixed.pcap
scr() { tmux -L "$TS" capture-pane -t "$1" -p; }
scr_e() { tmux -L "$TS" capture-pane -t "$1" -p -e; }
# wait_for PANE REGEX SECONDS
wait_for() {
	i=0
	while [ $i -lt $(( $3 * 5 )) ]; do scr "$1" | grep -Eq -- "$2" && return 0; sleep 0.2; i=$((i + 1)); done
	return 1
}
# the wall in a pane: 120 columns, so the sensor lines are one per row
wall() { tmux -L "$TS" new-session -d -s "$1" -x 120 -y 45 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $2; echo EXIT=\$?; sleep 60"; }
# frames on a sensor's line, and in the title
frames_of() { scr "$1" | sed -n "s/^ *$2 .* \([0-9][0-9]*\) frames  drops.*/\1/p" | head -1; }
title_frames() { scr "$1" | head -1 | sed -n 's/.*  \([0-9][0-9]*\) frames  .*/\1/p'; }
sums_up() { # PANE: title frames = alpha's + beta's, all read from one screen
	scr "$1" > "$T/one.txt"
	a=$(sed -n 's/^ *alpha .* \([0-9][0-9]*\) frames  drops.*/\1/p' "$T/one.txt" | head -1)
	b=$(sed -n 's/^ *beta .* \([0-9][0-9]*\) frames  drops.*/\1/p' "$T/one.txt" | head -1)
	t=$(head -1 "$T/one.txt" | sed -n 's/.*  \([0-9][0-9]*\) frames  .*/\1/p')
	echo "alpha ${a:-?} + beta ${b:-?} = title ${t:-?}"
	[ -n "$a" ] && [ -n "$b" ] && [ -n "$t" ] && [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ $((a + b)) = "$t" ]
}

PORT=$(free_port)
start_redis "$PORT" || exit 1
URL=redis://127.0.0.1:$PORT/fleet

# ---- 1. two sensors, a wall following them ----
wall w "$P --from $URL --wall"
wall d "$P --from $URL"   # the dashboard too: its header names the sensors
sleep 1
$P -r $M -r $M -r $M --realtime --publish "$URL" --sensor alpha > /dev/null 2> "$T/alpha.err" &
APID=$!
$P -r $M --realtime --publish "$URL" --sensor beta > /dev/null 2> "$T/beta.err" &
BPID=$!
# a rate needs two heartbeats of a run (5 s apart)
check "following: both sensor lines, heard, with frames/s and frames" \
	"wait_for w '^ *alpha +heard [0-9]+ s ago  [0-9.]+k? frames/s  [1-9][0-9]* frames' 15 &&
	 wait_for w '^ *beta +heard [0-9]+ s ago  [0-9.]+k? frames/s  [1-9][0-9]* frames' 5"
check "following: the band says 2 sensors, all heard; the title 2 sensors heard" \
	"scr w | grep -q 'SENSORS 2, all heard' && scr w | head -1 | grep -q '2 sensors heard  drops 0'"
check "dashboard following: the header says 2 sensors heard" "scr d | sed -n 2p | grep -q ' 2 sensors heard '" d
check "following: the title's frames are the sum of the sensors' latest ($(sums_up w))" "sums_up w >/dev/null"
check "following: a server seen by both sensors names them on its tile" \
	"scr w | grep -Eq '127\\.0\\.0\\.6[0-5]:110  via alpha,beta'"

# ---- 2. beta ends; SILENT after three heartbeats ----
wait "$BPID"; st=$?; BPID=
ended=$(date +%s)
check "beta published its capture and ended (status $st: flagged sessions)" "[ $st = 1 ] && [ ! -s $T/beta.err ]"
# not SILENT before 14 s (its last events arrived just before it ended)
sleep 12
check "beta is not SILENT 12 s after it ended" "! scr w | grep -Eq '^ *beta +SILENT'"
wait_for w '^ *beta +SILENT' 8; found=$?
silent_after=$(( $(date +%s) - ended ))
check "beta SILENT ${silent_after} s after it ended (three heartbeats: 15 s)" \
	"[ $found = 0 ] && [ $silent_after -ge 14 ] && [ $silent_after -le 19 ]"
check "beta's line says how long it has not been heard, and that it ended" \
	"scr w | grep -Eq '^ *beta +SILENT  not heard for 1[5-9] s \\(last [0-9:]+\\)  ended  336 frames  drops 0'"
check "beta's line is white on red (SGR 37 and 41), alpha's is not red" \
	"scr_e w | grep 'beta  SILENT' | grep -q '\\[37m.*\\[41m' && ! scr_e w | grep 'alpha  heard' | grep -q '41m'"
check "alpha is still heard (within a heartbeat), frames/s and frames" \
	"scr w | grep -Eq '^ *alpha +heard [0-5] s ago  [0-9.]+k? frames/s  [1-9][0-9]* frames'"
check "the wall does not look all-clear: title '1 of 2 SENSORS SILENT' in the alert colour, the band '2, 1 SILENT'" \
	"scr_e w | head -1 | grep -q '7m.*1 of 2 SENSORS SILENT' && scr w | grep -q 'SENSORS 2, 1 SILENT'"
check "dashboard: the header says '1 of 2 SENSORS SILENT' in the alert colour" \
	"scr_e d | sed -n 2p | grep -q '7m.*1 of 2 SENSORS SILENT'" d
check "the title still sums beta's last figures with alpha's ($(sums_up w))" "sums_up w >/dev/null"
tmux -L "$TS" send-keys -t w q
wait_for w 'EXIT=' 5
check "q leaves the wall (status 1: flagged sessions)" "scr w | grep -q 'EXIT=1'"
tmux -L "$TS" send-keys -t d q
wait "$APID"; APID=

# ---- 3. a replay of the same entries from files, a year later ----
for s in alpha beta; do
	$H dump "$PORT" fleet $s | sed 's/"wall_time":"2026-/"wall_time":"2025-/' > "$T/$s.json"
done
check "the sensors' files hold their heartbeats" \
	"[ \$(grep -c '\"event_type\":\"stats\"' $T/alpha.json) -ge 8 ] && [ \$(grep -c '\"event_type\":\"stats\"' $T/beta.json) -ge 3 ]"
wall r "$P --from $T/alpha.json --from $T/beta.json --wall"
wait_for r 'end of input' 10
check "replay: judged against the newest sensor time, beta SILENT (it stopped 30 s and more before alpha)" \
	"scr r | grep -Eq '^ *beta +SILENT  not heard for (2[0-9]|3[0-9]|4[0-9]) s' && scr r | grep -q 'as of .*(the newest sensor time)'" r
check "replay: alpha heard 0 s before the end, though its file is a year old" \
	"scr r | grep -Eq '^ *alpha +heard 0 s ago  ended  [1-9][0-9]* frames'" r
check "replay: the title's frames are the sum of both ($(sums_up r))" "sums_up r >/dev/null" r
check "replay: the tiles name both sensors" "scr r | grep -Eq '127\\.0\\.0\\.6[0-5]:110  via alpha,beta'" r
tmux -L "$TS" send-keys -t r q

# ---- 4. following a quiet stream: time goes on ----
wall q "$P --from $URL --wall --wall-quiet 20"
started=$(date +%s)
check "quiet stream: the ERROR tile is ERROR at first (15 s since its problem, 20 needed)" \
	"wait_for q 'ERROR  list-uidl-numbers' 3" q
wait_for q 'RECOVERED  recovered [0-9]+ s ago \(was ERROR\)' 15; found=$?
after=$(( $(date +%s) - started ))
check "quiet stream: RECOVERED (was ERROR) ${after} s into the quiet, on the reader's clock" \
	"[ $found = 0 ] && [ $after -ge 4 ] && [ $after -le 10 ]" q
tmux -L "$TS" send-keys -t q q
echo "wall sensors: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
