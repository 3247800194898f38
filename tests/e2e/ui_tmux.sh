#!/bin/sh
# ui_tmux.sh - the dashboard end to end, looked at like a person would: run
# pop3mon in a detached tmux pane, capture the screen, press keys, resize.
#
# usage: tests/e2e/ui_tmux.sh [POP3MON] [CAPTURE]
#   POP3MON  the binary (default ./pop3mon)
#   CAPTURE  a capture with flagged AND clean sessions (default pcaps/bad/crowd.pcap:
#            3 InterMail-like flagged sessions, 3 consistent ones)
# Prints PASS/FAIL per check; exits 1 if any check failed, 77 if tmux is missing.
set -u

BIN=${1:-./pop3mon}
CAP=${2:-pcaps/bad/crowd.pcap}
S=dash
W=wall
N=nocolor
SOCK=pop3mon-ui-e2e-$$   # a private tmux server: never touches the user's sessions
KEY_DELAY=0.4
. "$(dirname "$0")/tmux_lib.sh"

[ -r "$CAP" ] || { echo "FAIL: cannot read $CAP"; exit 1; }
case $CAP in /*) ;; *) CAP=$PWD/$CAP ;; esac

trap tmux_cleanup EXIT INT TERM

# A session row: mark, id, then columns that depend on the width ("! 1     21:20:33 ...").
FLAGGED_ROW='^[!~] [0-9]+ +.*(ERR|WRN) [a-z-]+'
CLEAN_ROW='^[ .] [0-9]+ +[0-9:.]+ +\[?[0-9a-f.:]+\]?:[0-9]+ '

# A shell with a known prompt, so "the prompt came back" can be seen.
tmux new-session -d -s "$S" -x 120 -y 40 "env PS1='E2E-PROMPT\$ ' sh"
sleep 0.3
tmux send-keys -t "$S" "'$BIN' -r '$CAP'; echo POP3MON_EXIT=\$?" Enter

# 1. the dashboard comes up and lists a flagged session, marked
if wait_for "$S" "$FLAGGED_ROW" 10; then
	pass "a flagged session is listed and marked (! / ERR rule)"
else
	fail "a flagged session is listed and marked" "$(screen "$S")"
fi
scr=$(screen "$S")
if printf '%s\n' "$scr" | grep -Eq '[0-9]+ FLAGGED'; then
	pass "the header shows the flagged count"
else
	fail "the header shows the flagged count" "$scr"
fi
if printf '%s\n' "$scr" | grep -Eq "$CLEAN_ROW"; then
	pass "clean sessions are listed too"
else
	fail "clean sessions are listed too" "$scr"
fi
if printf '%s\n' "$scr" | tail -n 1 | grep -q 'q Quit'; then
	pass "the bottom bar shows the keys"
else
	fail "the bottom bar shows the keys" "$scr"
fi

# 2. f hides the clean sessions
keys "$S" f
scr=$(screen "$S")
if printf '%s\n' "$scr" | grep -Eq "$FLAGGED_ROW" && ! printf '%s\n' "$scr" | grep -Eq "$CLEAN_ROW"; then
	pass "f shows only flagged sessions"
else
	fail "f shows only flagged sessions" "$scr"
fi

# 3. Enter on a flagged session shows its finding and the evidence
keys "$S" g
keys "$S" Enter
scr=$(screen "$S")
if printf '%s\n' "$scr" | grep -Eq '^Session #[0-9]+' &&
   printf '%s\n' "$scr" | grep -Eq '^(\[[+-]\] )?(ERROR|WARNING) [a-z-]+: .+'; then
	pass "Enter shows the session and its finding"
else
	fail "Enter shows the session and its finding" "$scr"
fi
# six findings would fill half the screen: one line each, worst first; Enter on
# the first (title, greeting, first STAT, then the findings) opens its evidence
if printf '%s\n' "$scr" | grep -Eq '^\[\+\] ERROR [a-z-]+: '; then
	keys "$S" j; keys "$S" j; keys "$S" j; keys "$S" Enter
	scr=$(screen "$S")
fi
if printf '%s\n' "$scr" | grep -Eq '^ +! #[0-9]+ +[0-9:.]+ +[A-Z]'; then
	pass "the finding's evidence lines are shown (frame, time, line)"
else
	fail "the finding's evidence lines are shown" "$scr"
fi
if printf '%s\n' "$scr" | grep -Eq '^! \+[0-9.]+ +#[0-9]+ '; then
	pass "evidence is marked in the transcript"
else
	fail "evidence is marked in the transcript" "$scr"
fi
keys "$S" Escape
keys "$S" f
scr=$(screen "$S")
if printf '%s\n' "$scr" | grep -Eq "$CLEAN_ROW"; then
	pass "Esc returns to the list; f again shows all sessions"
else
	fail "Esc returns to the list; f again shows all sessions" "$scr"
fi

# 4. help is generated from the key table
keys "$S" '?'
scr=$(screen "$S")
if printf '%s\n' "$scr" | grep -q 'Keys (from the action table)' &&
   printf '%s\n' "$scr" | grep -Eq '^ +q +quit '; then
	pass "? shows the help screen"
else
	fail "? shows the help screen" "$scr"
fi
keys "$S" Escape

# 5. resize to 80x24: still readable
tmux resize-window -t "$S" -x 80 -y 24 2>/dev/null || tmux resize-pane -t "$S" -x 80 -y 24
sleep 0.6
scr=$(screen "$S")
width=$(printf '%s\n' "$scr" | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }')
if printf '%s\n' "$scr" | head -n 1 | grep -q 'pop3mon' &&
   printf '%s\n' "$scr" | grep -Eq "$FLAGGED_ROW" && [ "$width" -le 80 ] &&
   [ "$(printf '%s\n' "$scr" | wc -l)" -le 24 ]; then
	pass "at 80x24 the header and the flagged session are readable"
else
	fail "at 80x24 the header and the flagged session are readable (width $width)" "$scr"
fi

# 6. q quits and the terminal is restored
keys "$S" q
if wait_for "$S" 'POP3MON_EXIT=[0-9]+' 5; then
	pass "q exits ($(screen "$S" | grep -Eo 'POP3MON_EXIT=[0-9]+' | tail -n 1))"
else
	fail "q exits" "$(screen "$S")"
fi
scr=$(screen "$S")
alt=$(tmux display-message -p -t "$S" '#{alternate_on}' 2>/dev/null || echo 0)
if [ "$alt" = 0 ] && printf '%s\n' "$scr" | grep -q 'E2E-PROMPT\$' &&
   ! printf '%s\n' "$scr" | grep -Eq 'FLAGGED|q Quit'; then
	pass "the terminal is restored (normal screen, prompt back, no dashboard left)"
else
	fail "the terminal is restored (alternate_on=$alt)" "$scr"
fi
tmux send-keys -t "$S" 'case " $(stty -a | tr "\n;" "  ") " in *" -icanon "*|*" -echo "*) echo TTY_RAW ;; *) echo TTY_SANE ;; esac' Enter
if wait_for "$S" '^TTY_(SANE|RAW)' 5 && screen "$S" | grep -q '^TTY_SANE'; then
	pass "the tty is back in canonical mode with echo"
else
	fail "the tty is back in canonical mode with echo" "$(screen "$S")"
fi

# 7. --wall: counters, a red server tile, readable at 80x24, q exits
tmux new-session -d -s "$W" -x 120 -y 40 "env PS1='E2E-PROMPT\$ ' sh"
sleep 0.3
tmux send-keys -t "$W" "'$BIN' --wall -r '$CAP'; echo POP3MON_EXIT=\$?" Enter
if wait_for "$W" 'FLAGGED' 10 && wait_for "$W" 'ERROR[: ] *[a-z-]+ x[0-9]' 3 &&
   wait_for "$W" '[1-9][0-9]* flagged' 1; then
	pass "--wall shows the counters and a server tile in error"
else
	fail "--wall shows the counters and a server tile in error" "$(screen "$W")"
fi
# the tile's lines carry a red background (SGR 41, or 101/48;5;1/48;5;9)
if screen_esc "$W" | grep -E 'ERROR[: ] *[a-z-]+ x[0-9]' | grep -Eq '\[([0-9;]*;)?(41|101|48;5;(1|9))[;m]'; then
	pass "--wall: the server tile is red"
else
	fail "--wall: the server tile is red" "$(screen_esc "$W" | grep -E 'ERROR' | cat -v)"
fi
if screen "$W" | grep -Eq '^ +(error|warning) +[0-9.]+:[0-9]+ [a-z-]+ .+, [0-9:]+'; then
	pass "--wall lists the findings grouped, in plain words"
else
	fail "--wall lists the findings grouped, in plain words" "$(screen "$W")"
fi
tmux resize-window -t "$W" -x 80 -y 24 2>/dev/null || tmux resize-pane -t "$W" -x 80 -y 24
sleep 0.6
scr=$(screen "$W")
if printf '%s\n' "$scr" | grep -q 'SESSIONS' && printf '%s\n' "$scr" | grep -Eq 'ERROR[: ] *[a-z-]+ x[0-9]'; then
	pass "--wall survives a resize to 80x24"
else
	fail "--wall survives a resize to 80x24" "$scr"
fi
tmux resize-window -t "$W" -x 200 -y 60 2>/dev/null || tmux resize-pane -t "$W" -x 200 -y 60
sleep 0.6
if screen "$W" | grep -Eq 'ERROR[: ] *[a-z-]+ x[0-9]'; then
	pass "--wall survives a resize to 200x60"
else
	fail "--wall survives a resize to 200x60" "$(screen "$W")"
fi
keys "$W" q
if wait_for "$W" 'POP3MON_EXIT=[0-9]+' 5 && [ "$(tmux display-message -p -t "$W" '#{alternate_on}')" = 0 ]; then
	pass "--wall: q exits and restores the terminal"
else
	fail "--wall: q exits and restores the terminal" "$(screen "$W")"
fi

# 8. no colour (NO_COLOR), C locale: still marked, ASCII arrows only
tmux new-session -d -s "$N" -x 120 -y 40 "env PS1='E2E-PROMPT\$ ' LC_ALL=C NO_COLOR=1 sh"
sleep 0.3
tmux send-keys -t "$N" "'$BIN' --no-color -r '$CAP'; echo POP3MON_EXIT=\$?" Enter
if wait_for "$N" "$FLAGGED_ROW" 10; then
	pass "without colour, in the C locale, flagged sessions are marked in text"
else
	fail "without colour, in the C locale, flagged sessions are marked in text" "$(screen "$N")"
fi
keys "$N" f
keys "$N" g
keys "$N" Enter
scr=$(screen "$N")
if printf '%s\n' "$scr" | grep -q -- '-->' && ! printf '%s\n' "$scr" | LC_ALL=C grep -q "$(printf '\342')"; then
	pass "C locale: the ladder uses ASCII arrows"
else
	fail "C locale: the ladder uses ASCII arrows" "$scr"
fi
keys "$N" q
wait_for "$N" 'POP3MON_EXIT=[0-9]+' 5 || fail "q exits (no colour)" "$(screen "$N")"

echo "ui_tmux: $((checks - fails)) of $checks checks passed"
[ "$fails" -eq 0 ]
