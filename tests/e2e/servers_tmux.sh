#!/bin/sh
# servers_tmux.sh - the dashboard's servers view (Tab) as people use it:
#  - 110 and 995 on one host are two servers (pcaps/wall/two-ports.pcap);
#  - every server's account rows, "(no login)" included, add up to its
#    sessions (two-ports and pcaps/wall/mixed.pcap, whose refused and
#    unanswered connects never log in);
#  - the rules column ends on a whole rule id or "+N more", never mid-word
#    (mixed.pcap at 100 and 130 columns);
#  - '+' folds the selected server's accounts, '*' all of them;
#  - Enter on "(no login)" lists only the sessions without a user, Esc
#    comes back to the servers view.
# usage: tests/e2e/servers_tmux.sh [POP3MON]; exits 1 if a check failed, 77 without tmux.
set -u
BIN=${1:-./pop3mon}
SOCK=pop3mon-servers-e2e-$$
. "$(dirname "$0")/tmux_lib.sh"
TMP=$(mktemp -d /tmp/servers_tmux.XXXXXX)
cleanup() { tmux kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
"$BIN" --list-rules | awk '/^[a-z]/ { print $1 }' > "$TMP/rules"

# Server rows and their account rows add up: "sessions of the server = sum of its accounts".
adds_up() {
	python3 - "$1" <<'PY'
import re, sys
bad = 0; cur = None; rows = []
for line in open(sys.argv[1], encoding='utf-8'):
    m = re.match(r'^[-+] (\S+) +(\d+) ', line)
    if m:
        rows.append([m.group(1), int(m.group(2)), 0, line.startswith('+')])
        continue
    m = re.match(r'^    (\S.*?) +(\d+) ', line)
    if m and rows:
        rows[-1][2] += int(m.group(2))
for name, total, acc, folded in rows:
    if folded:
        continue
    print("%s %d sessions, accounts %d" % (name, total, acc))
    if total != acc:
        bad = 1
sys.exit(bad if rows else 1)
PY
}

# ---- two ports on one host --------------------------------------------------------------
s=two
start "$s" 120 30 -r pcaps/wall/two-ports.pcap
wait_for "$s" 'end of input' 10
keys "$s" Tab
screen "$s" > "$TMP/two.txt"
if grep -Eq '^- 127\.0\.0\.67:110 +4 ' "$TMP/two.txt" && grep -Eq '^- 127\.0\.0\.67:995 +2 ' "$TMP/two.txt"; then
	pass "110 and 995 on one host are two servers (4 and 2 sessions)"
else
	fail "110 and 995 on one host are two servers" "$(cat "$TMP/two.txt")"
fi
if out=$(adds_up "$TMP/two.txt"); then
	pass "two-ports: the account rows add up ($(printf '%s' "$out" | tr '\n' ';'))"
else
	fail "two-ports: the account rows add up ($out)" "$(cat "$TMP/two.txt")"
fi
if grep -Eq '^    \(no login\) +1 ' "$TMP/two.txt" && grep -Eq '^    alice +2 ' "$TMP/two.txt"; then
	pass "the session that never logged in is counted as (no login)"
else
	fail "the session that never logged in is counted as (no login)" "$(cat "$TMP/two.txt")"
fi
# fold the first server, then all
keys "$s" +
screen "$s" > "$TMP/fold.txt"
if grep -Eq '^\+ 127\.0\.0\.67:110 .*\(3 accounts folded\)' "$TMP/fold.txt" && ! grep -q '^    alice' "$TMP/fold.txt" &&
   grep -Eq '^    \(no login\) +2 ' "$TMP/fold.txt"; then
	pass "+ folds the selected server's accounts, the other server's stay"
else
	fail "+ folds the selected server's accounts" "$(cat "$TMP/fold.txt")"
fi
keys "$s" +
keys "$s" '*'
screen "$s" > "$TMP/foldall.txt"
if [ "$(grep -c '^+ 127' "$TMP/foldall.txt")" = 2 ] && ! grep -q '^    ' "$TMP/foldall.txt"; then
	pass "* folds every server"
else
	fail "* folds every server" "$(cat "$TMP/foldall.txt")"
fi
keys "$s" '*'
# Enter on 110's (no login) row: only the session without a user; Esc: back here
keys "$s" g
for _ in 1 2 3; do keys "$s" j; done
keys "$s" Enter
screen "$s" > "$TMP/drill.txt"
n=$(grep -cE '^[ .!~] [0-9]+ ' "$TMP/drill.txt")
if grep -q 'user=(no login)' "$TMP/drill.txt" && grep -q 'server=127.0.0.67:110' "$TMP/drill.txt" && [ "$n" = 1 ]; then
	pass "Enter on (no login) lists only that server's session without a user"
else
	fail "Enter on (no login): $n rows" "$(cat "$TMP/drill.txt")"
fi
keys "$s" Escape
screen "$s" > "$TMP/back.txt"
if grep -q 'Server / account' "$TMP/back.txt" && ! grep -q 'user=(no login)' "$TMP/back.txt"; then
	pass "Esc goes back to the servers view, the list's filter as it was"
else
	fail "Esc goes back to the servers view" "$(cat "$TMP/back.txt")"
fi
keys "$s" q

# ---- the mixed capture: rows add up, rules column whole -----------------------------------
for c in 100 130; do
	s=mix$c
	start "$s" "$c" 40 -r pcaps/wall/mixed.pcap
	wait_for "$s" 'end of input' 10
	keys "$s" Tab
	screen "$s" > "$TMP/mix$c.txt"
	if out=$(adds_up "$TMP/mix$c.txt"); then
		pass "mixed at $c columns: the account rows add up ($(printf '%s\n' "$out" | grep -c .) servers)"
	else
		fail "mixed at $c columns: the account rows add up ($out)" "$(cat "$TMP/mix$c.txt")"
	fi
	# the text after the E/W/N column: whole rule ids, "+N more", "(N accounts folded)"
	if python3 - "$TMP/mix$c.txt" "$TMP/rules" <<'PY'
import re, sys
rules = set(open(sys.argv[2]).read().split())
bad = 0; seen = 0
for line in open(sys.argv[1], encoding='utf-8'):
    m = re.search(r' \d+/\d+/\d+ +(.*)$', line.rstrip('\n'))
    if not m or not m.group(1).strip():
        continue
    for item in m.group(1).strip().split(', '):
        seen += 1
        if item not in rules and not re.fullmatch(r'\+\d+ more', item):
            print("cut: %r in %r" % (item, line.strip())); bad = 1
sys.exit(bad if seen else 1)
PY
	then
		pass "mixed at $c columns: the rules column holds whole rule ids and '+N more'"
	else
		fail "mixed at $c columns: the rules column is cut mid-word" "$(cat "$TMP/mix$c.txt")"
	fi
	keys "$s" q
done
if grep -Eq '^- 127\.0\.0\.63:110 +3 ' "$TMP/mix130.txt" && grep -Eq '^    \(no login\) +3 ' "$TMP/mix130.txt"; then
	pass "refused connects are counted under (no login)"
else
	fail "refused connects are counted under (no login)" "$(cat "$TMP/mix130.txt")"
fi

echo "servers_tmux: $((checks - fails)) of $checks checks passed"
[ "$fails" -eq 0 ]
