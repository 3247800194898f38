#!/bin/sh
# wall_tmux.sh - the NOC wall (--wall) as an operator sees it, in tmux:
#
#  1. pcaps/wall/mixed.pcap (six servers, tests/capture/record_wall.sh) at
#     80x24, 200x60 and 320x90: every tile's state word (DOWN x3, ERROR,
#     DEGRADED, OK), the grouped findings (errors above notices), the big
#     counters' height; each screen equals its reviewed copy in
#     tests/e2e/wall_screens/ (the clock masked).
#  2. the project's real captures one by one: dovecot-curl OK,
#     stat-list-count ERROR, dovecot-login-fail DEGRADED.
#  3. --wall-quiet 5 on the mixed capture: the servers whose problems
#     stopped are RECOVERED, the unreachable ones stay DOWN.
#  4. keys: a (ACK), ? (help), Tab (dashboard, servers, back), q; and
#     --no-keys ignores them all.
#  5. live on lo (root only): traffic, then none: the title turns to
#     "CAPTURE STALE", in the alert colour.
#
# usage: tests/e2e/wall_tmux.sh [POP3MON]      (WALL_SCREENS_UPDATE=1 rewrites the screens)
# Prints PASS/FAIL per check; exits 1 if any failed, 77 if tmux is missing.
set -u
BIN=${1:-./pop3mon}
SOCK=pop3mon-wall-e2e-$$
. "$(dirname "$0")/tmux_lib.sh"
SHOTS=tests/e2e/wall_screens
MIXED=pcaps/wall/mixed.pcap
TMP=$(mktemp -d /tmp/wall_tmux.XXXXXX)
LIVE_PIDS=""
cleanup() {
	tmux kill-server 2>/dev/null
	for p in $LIVE_PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# state SCREENFILE: "server state" per tile, read from the screen by position
# (the state word is the first word under the server's name, in its column).
state_of() {
	python3 - "$1" <<'PY'
import re, sys
rows = open(sys.argv[1], encoding='utf-8').read().split('\n')
words = ('DOWN', 'ERROR', 'DEGRADED', 'RECOVERED', 'OK')
for y, line in enumerate(rows):
    for m in re.finditer(r'[ >](\d+\.\d+\.\d+\.\d+:\d+)', line):
        if y > 0 and line.lstrip().startswith(('error', 'warning', 'notice')):
            continue
        col = m.start(1) - 1
        for dy in range(1, 8):
            if y + dy >= len(rows):
                break
            seg = rows[y + dy][col:col + 30].strip()
            w = re.match(r'([A-Z]+)\b', seg)
            if w and w.group(1) in words:
                print(m.group(1), w.group(1))
                break
PY
}

check_states() { # SCREENFILE LABEL "addr:port STATE"...
	f=$1 label=$2; shift 2
	got=$(state_of "$f")
	for want in "$@"; do
		if printf '%s\n' "$got" | grep -qx "$want"; then
			pass "$label: tile $want"
		else
			fail "$label: tile $want (read: $(printf '%s' "$got" | tr '\n' ';'))" "$(cat "$f")"
		fi
	done
}

# mask the wall clock (the only thing that depends on when the test runs)
mask() { sed -E '1s/wall  [0-9]{2}:[0-9]{2}:[0-9]{2} UTC/wall  HH:MM:SS UTC/'; }

compare_shot() { # SCREENFILE NAME
	if [ -n "${WALL_SCREENS_UPDATE:-}" ]; then
		mask < "$1" > "$SHOTS/$2.txt"
		echo "updated $SHOTS/$2.txt"
	fi
	if mask < "$1" | diff -u "$SHOTS/$2.txt" - > "$TMP/diff" 2>&1; then
		pass "$2: the screen equals the reviewed $SHOTS/$2.txt"
	else
		fail "$2: the screen differs from $SHOTS/$2.txt" "$(cat "$TMP/diff")"
	fi
}

MIXED_STATES="127.0.0.60:110 OK|127.0.0.61:110 ERROR|127.0.0.62:110 DEGRADED|127.0.0.63:110 DOWN|127.0.0.64:110 DOWN|127.0.0.65:110 DOWN"

# ---- 1. the mixed capture at three sizes ------------------------------------------------
for size in 80x24 200x60 320x90; do
	c=${size%x*} r=${size#*x}
	s=m$c
	start "$s" "$c" "$r" --wall -r "$MIXED"
	if ! wait_for "$s" 'end of input' 10 || ! wait_for "$s" 'FINDINGS' 3; then
		fail "$size: the wall comes up" "$(screen "$s")"
		continue
	fi
	sleep 0.5
	screen "$s" > "$TMP/$s.txt"
	IFS='|'
	# shellcheck disable=SC2086
	check_states "$TMP/$s.txt" "$size" $MIXED_STATES
	unset IFS
	# the findings: grouped by server and rule, errors above notices
	if grep -Eq '^ +error +127\.0\.0\.61:110 stat-list-count ×3, 04:12:06 ' "$TMP/$s.txt"; then
		pass "$size: findings grouped ('127.0.0.61:110 stat-list-count ×3, 04:12:06')"
	else
		fail "$size: findings grouped" "$(cat "$TMP/$s.txt")"
	fi
	first_err=$(grep -nE '^ +error ' "$TMP/$s.txt" | head -n 1 | cut -d: -f1)
	first_note=$(grep -nE '^ +notice ' "$TMP/$s.txt" | head -n 1 | cut -d: -f1)
	if [ -n "$first_err" ] && [ -n "$first_note" ] && [ "$first_err" -lt "$first_note" ]; then
		pass "$size: errors above notices"
	else
		fail "$size: errors above notices" "$(cat "$TMP/$s.txt")"
	fi
	if grep -Eq 'FINDINGS.*notices 31' "$TMP/$s.txt" && grep -Eq 'FLAGGED' "$TMP/$s.txt"; then
		pass "$size: notices counted apart from FINDINGS"
	else
		fail "$size: notices counted apart from FINDINGS" "$(cat "$TMP/$s.txt")"
	fi
	# the big digits: rows of block glyphs under the counters' labels
	big=$(awk 'NR > 2 && /█/ && !/[a-z]/ { n++ } /^ +>?[0-9]+\.[0-9]/ { exit } END { print n + 0 }' "$TMP/$s.txt")
	if [ "$r" -ge 60 ] && [ "$big" -ge $((r / 5)) ]; then
		pass "$size: the counters are $big rows high (a fifth of $r is $((r / 5)))"
	elif [ "$r" -lt 30 ] && grep -q 'SESSIONS 23' "$TMP/$s.txt"; then
		pass "$size: the counters fit in a line ('SESSIONS 23')"
	else
		fail "$size: counter height $big" "$(cat "$TMP/$s.txt")"
	fi
	# the colours: a DOWN tile red, the OK tile green, the DEGRADED one amber
	esc=$(screen_esc "$s")
	if printf '%s\n' "$esc" | grep -E 'DOWN' | grep -Eq '\[([0-9;]*;)?(41|101|48;5;(1|9))[;m]' &&
	   printf '%s\n' "$esc" | grep -E 'DEGRADED' | grep -Eq '\[([0-9;]*;)?(43|103|48;5;(3|11))[;m]' &&
	   printf '%s\n' "$esc" | grep -E '127\.0\.0\.60:110' | grep -Eq '\[([0-9;]*;)?(42|102|48;5;(2|10))[;m]'; then
		pass "$size: DOWN red, DEGRADED amber, OK green"
	else
		fail "$size: tile colours" "$(printf '%s\n' "$esc" | grep -E 'DOWN|DEGRADED|127.0.0.60' | cat -v | head -n 6)"
	fi
	compare_shot "$TMP/$s.txt" "mixed-$size"
	keys "$s" q
	wait_for "$s" 'POP3MON_EXIT=' 5 || fail "$size: q quits" "$(screen "$s")"
done

# ---- 2. the project's real captures, one server each --------------------------------------
one() { # CAPTURE ADDR:PORT STATE NAME
	s=one$$
	start "$s" 120 40 --wall -r "pcaps/$1"
	if wait_for "$s" 'end of input' 10 && wait_for "$s" "$3" 3; then
		sleep 0.3
		screen "$s" > "$TMP/$4.txt"
		check_states "$TMP/$4.txt" "$1" "$2 $3"
		compare_shot "$TMP/$4.txt" "$4-120x40"
	else
		fail "$1: the wall shows $3" "$(screen "$s")"
	fi
	keys "$s" q
	tmux kill-session -t "$s" 2>/dev/null
}
one real/dovecot-curl.pcap 127.0.0.1:110 OK healthy
one bad/stat-list-count.pcap 127.0.0.20:110 ERROR contradicting
one real/dovecot-login-fail.pcap 127.0.0.1:110 DEGRADED login-fail
if grep -q 'failed logins 100% (3/3)' "$TMP/login-fail.txt" 2>/dev/null; then
	pass "dovecot-login-fail: the reason says 'failed logins 100% (3/3)'"
else
	fail "dovecot-login-fail: the reason" "$(cat "$TMP/login-fail.txt" 2>/dev/null)"
fi

# ---- 2b. more servers than tiles: worst first, "+N more", pages --------------------------
many=""
for f in pcaps/bad/*.pcap; do many="$many -r $f"; done
s=many
start "$s" 80 24 --wall $many
if wait_for "$s" 'end of input' 15 && wait_for "$s" '\+[0-9]+ more' 3; then
	screen "$s" > "$TMP/many.txt"
	npages=$(grep -Eo 'page 1/[0-9]+ \(worst first\)' "$TMP/many.txt" | sed -E 's|page 1/([0-9]+).*|\1|')
	if [ -n "$npages" ] && [ "$npages" -gt 1 ] && ! grep -Eq '^ +[ >]127\.[0-9.]+:110 *$' "$TMP/many.txt" -A1 |
	   grep -Eq '^  OK'; then
		pass "80x24 with $(grep -c . "$TMP/many.txt") rows: '+N more', 'page 1/$npages (worst first)', no OK tile on page 1"
	else
		fail "more servers than tiles: +N more, page 1/N" "$(cat "$TMP/many.txt")"
	fi
	keys "$s" NPage
	if screen "$s" | grep -Eq 'page 2/[0-9]+ \(worst first\)' && screen "$s" | grep -Eq 'page 2/[0-9]+$'; then
		pass "PgDn turns the tiles and the findings to page 2"
	else
		fail "PgDn turns the tiles and the findings to page 2" "$(screen "$s")"
	fi
else
	fail "more servers than tiles" "$(screen "$s")"
fi
keys "$s" q

# ---- 3. recovered -------------------------------------------------------------------------
s=rec
start "$s" 200 60 --wall --wall-quiet 5 -r "$MIXED"
if wait_for "$s" 'end of input' 10 && wait_for "$s" 'RECOVERED' 3; then
	sleep 0.3
	screen "$s" > "$TMP/rec.txt"
	check_states "$TMP/rec.txt" "--wall-quiet 5" "127.0.0.61:110 RECOVERED" "127.0.0.62:110 RECOVERED" \
		"127.0.0.63:110 DOWN" "127.0.0.64:110 DOWN" "127.0.0.60:110 OK"
	if grep -Eq 'RECOVERED: recovered 1[0-9] s ago \(was ERROR\)' "$TMP/rec.txt"; then
		pass "--wall-quiet 5: 'recovered N s ago (was ERROR)', in capture time"
	else
		fail "--wall-quiet 5: the recovered reason" "$(cat "$TMP/rec.txt")"
	fi
	compare_shot "$TMP/rec.txt" "recovered-200x60"
else
	fail "--wall-quiet 5 shows RECOVERED" "$(screen "$s")"
fi

# ---- 4. keys ----------------------------------------------------------------------------------
# (the same pane: the selection starts on the worst tile, 127.0.0.64)
keys "$s" a
if screen "$s" | grep -Eq '>127\.0\.0\.64:110 +ACK'; then
	pass "a acknowledges the selected tile (ACK)"
else
	fail "a acknowledges the selected tile (ACK)" "$(screen "$s")"
fi
# acknowledged, it goes after the other DOWN tiles, the selection with it; Down: the next one
keys "$s" j
if screen "$s" | grep -Eq '>127\.0\.0\.62:110'; then
	pass "Down moves the selection to the next tile"
else
	fail "Down moves the selection" "$(screen "$s")"
fi
keys "$s" '?'
if screen "$s" | grep -q 'Keys (from the action table)' && screen "$s" | grep -Eq '^ +a +ack '; then
	pass "? shows the help, with a (ack)"
else
	fail "? shows the help" "$(screen "$s")"
fi
keys "$s" Escape
keys "$s" Tab
if screen "$s" | grep -Eq '^ pop3mon  ' && screen "$s" | grep -Eq '^ +ID +Start'; then
	pass "Tab goes to the dashboard"
else
	fail "Tab goes to the dashboard" "$(screen "$s")"
fi
keys "$s" Tab
if screen "$s" | grep -Eq '^[-+] 127\.0\.0\.61:110 '; then
	pass "Tab again: the servers view, servers by address and port"
else
	fail "Tab again: the servers view" "$(screen "$s")"
fi
keys "$s" Tab
if screen "$s" | grep -q 'FINDINGS' && screen "$s" | grep -Eq '127\.0\.0\.64:110 +ACK'; then
	pass "Tab in the servers view returns to the wall (ACK kept)"
else
	fail "Tab in the servers view returns to the wall" "$(screen "$s")"
fi
keys "$s" q
wait_for "$s" 'POP3MON_EXIT=' 5 && pass "q quits the wall" || fail "q quits the wall" "$(screen "$s")"

s=kiosk
start "$s" 100 30 --wall --no-keys -r "$MIXED"
wait_for "$s" 'end of input' 10
keys "$s" q
keys "$s" Tab
if screen "$s" | grep -q 'read-only wall (--no-keys)' && ! screen "$s" | grep -q 'POP3MON_EXIT='; then
	pass "--no-keys: q and Tab do nothing"
else
	fail "--no-keys: q and Tab do nothing" "$(screen "$s")"
fi
tmux send-keys -t "$s" C-c
wait_for "$s" 'POP3MON_EXIT=' 5 && pass "--no-keys: SIGINT stops it" || fail "--no-keys: SIGINT stops it" "$(screen "$s")"

# ---- 5. live: the capture stops ---------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the live stale-capture check needs root (capture on lo)"
else
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	python3 tests/server/badpop3.py --listen 127.0.0.66 --port "$PORT" 2>/dev/null &
	LIVE_PIDS="$LIVE_PIDS $!"
	s=live
	start "$s" 120 30 --wall --wall-stale 3 -i lo -p "$PORT"
	sleep 1.5
	python3 - "$PORT" <<'PY'
import poplib, sys, time
for i in range(3):
    p = poplib.POP3("127.0.0.66", int(sys.argv[1]), timeout=5)
    p.user("live"); p.pass_("secret"); p.stat(); p.quit()
    time.sleep(0.3)
PY
	if wait_for "$s" 'last packet [0-9] s ago' 5 && wait_for "$s" "127\.0\.0\.66:$PORT" 5; then
		pass "live: the title says when the last packet came; the server has its tile"
	else
		fail "live: last packet / tile" "$(screen "$s")"
	fi
	if wait_for "$s" 'CAPTURE STALE: last packet [0-9]+ s ago' 8; then
		pass "live: packets stop, the title says CAPTURE STALE"
	else
		fail "live: packets stop, the title says CAPTURE STALE" "$(screen "$s")"
	fi
	# the alert role: red (31/91/38;5;1/9) or reversed
	if screen_esc "$s" | head -n 1 | grep -E 'CAPTURE STALE' | grep -Eq '\[([0-9;]*;)?(31|91|38;5;(1|9)|7)[;m]'; then
		pass "live: the stale capture is shown in the alert colour"
	else
		fail "live: the stale capture's colour" "$(screen_esc "$s" | head -n 1 | cat -v)"
	fi
	keys "$s" q
	wait_for "$s" 'POP3MON_EXIT=' 5 || fail "live: q quits" "$(screen "$s")"
fi

echo "wall_tmux: $((checks - fails)) of $checks checks passed"
[ "$fails" -eq 0 ]
