# tmux_lib.sh - what every terminal test shares: a private tmux server, the
# PASS/FAIL tally, reading the screen and waiting for it, typing keys, and
# starting pop3mon in a fresh pane. Sourced (". tests/e2e/tmux_lib.sh") by
# the *_tmux.sh scripts after they set:
#   SOCK       the private tmux server's name (never the user's sessions)
#   BIN        pop3mon (made absolute here)
#   KEY_DELAY  seconds to let the screen settle after keys (default 0.5)
# and before they set their own EXIT trap, which should call tmux_cleanup.
# Exits 77 (skipped) when tmux is missing, 1 when BIN is not executable.

command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux not installed"; exit 77; }
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable"; exit 1; }
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
fails=0
checks=0

tmux() { command tmux -L "$SOCK" "$@"; }
tmux_cleanup() { tmux kill-server 2>/dev/null; }

pass() { checks=$((checks + 1)); echo "PASS: $1"; }
# fail NAME [SCREEN]: counts a failure and shows the screen it was read from
fail() {
	checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $1"
	[ -n "${2:-}" ] && printf '%s\n' "---- screen ----" "$2" "----------------"
}
screen() { tmux capture-pane -t "$1" -p; }
screen_esc() { tmux capture-pane -t "$1" -p -e; }   # with the colours
keys() { tmux send-keys -t "$1" "$2"; sleep "${KEY_DELAY:-0.5}"; }

# wait_for SESSION REGEX [SECONDS]: until the screen matches (grep -E);
# false after SECONDS (default 10).
wait_for() {
	i=0 n=$(( ${3:-10} * 10 ))
	while [ $i -lt $n ]; do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# start NAME COLS ROWS ARGS...: pop3mon in a fresh pane (UTF-8, colour), run
# from a shell with a known prompt, so "the prompt came back" and the exit
# status (POP3MON_EXIT=N) can be read from the screen.
start() {
	name=$1 c=$2 r=$3; shift 3
	tmux new-session -d -s "$name" -x "$c" -y "$r" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color PS1='E2E-PROMPT\$ ' sh"
	sleep 0.3
	tmux send-keys -t "$name" "'$BIN' $*; echo POP3MON_EXIT=\$?" Enter
}

# tmux_summary: the tally line; exits 1 if any check failed
tmux_summary() {
	echo "$checks checks, $fails failed"
	[ "$fails" -eq 0 ] || exit 1
	exit 0
}
