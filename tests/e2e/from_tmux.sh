#!/bin/sh
# from_tmux.sh - the dashboard driven by --from, looked at in tmux: the JSON
# lines of pcaps/bad/intermail.pcap replayed show the flagged session, and
# its detail (findings, the ladder) is the screen -r shows for the capture,
# the header line naming the input aside.
# usage: tests/e2e/from_tmux.sh [POP3MON]; 77 when tmux is missing.
set -u
BIN=${1:-./pop3mon}
CAP=pcaps/bad/intermail.pcap
SOCK=pop3mon-from-e2e-$$
. "$(dirname "$0")/tmux_lib.sh"
T=$(mktemp -d)
trap 'tmux kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
FLAGGED_ROW='^[!~] [0-9]+ +.*(ERR|WRN) [a-z-]+'

"$BIN" -r "$CAP" --json "$T/j.json" > /dev/null 2>&1
# the same terminal for both; the detail of session 1 after Enter
show() { # NAME ARGS...
	name=$1; shift
	tmux new-session -d -s "$name" -x 120 -y 40 "env PS1='E2E\$ ' sh"
	sleep 0.3
	tmux send-keys -t "$name" "'$BIN' $*; echo POP3MON_EXIT=\$?" Enter
	if ! wait_for "$name" "$FLAGGED_ROW"; then
		fail "$name: the flagged session is listed" "$(screen "$name")"
		return 1
	fi
	pass "$name: the flagged session is listed and marked"
	screen "$name" > "$T/$name.list"
	keys "$name" g
	keys "$name" Enter
	screen "$name" > "$T/$name.detail"
	keys "$name" q
	wait_for "$name" 'POP3MON_EXIT=' || fail "$name: q ends it" "$(screen "$name")"
}
show capture -r "'$CAP'"
show replay --from "'$T/j.json'"

if grep -Eq '^Session #1' "$T/replay.detail" && grep -Eq '^(\[[+-]\] )?(ERROR|WARNING) [a-z-]+: ' "$T/replay.detail"; then
	pass "replay: Enter shows the session and its findings"
else
	fail "replay: Enter shows the session and its findings" "$(cat "$T/replay.detail")"
fi
# the rows and the detail, but for the lines that name the input
for what in list detail; do
	grep -v -e "$CAP" -e "j.json" "$T/capture.$what" > "$T/c"
	grep -v -e "$CAP" -e "j.json" "$T/replay.$what" > "$T/r"
	if [ -s "$T/c" ] && cmp -s "$T/c" "$T/r"; then
		pass "replay: the $what screen is the capture's"
	else
		fail "replay: the $what screen is the capture's" "$(diff "$T/c" "$T/r" | head -20)"
	fi
done
echo "from tmux: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
