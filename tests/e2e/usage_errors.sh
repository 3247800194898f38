#!/bin/sh
# usage_errors.sh - what a user sees for a mistake on the command line, or a
# file that cannot be opened: a usage error is one line naming it, then
# "Try 'pop3mon --help'." (never the whole help), status 2; an input or
# output error is one line, status 2, and names its path once.
#
# usage: tests/e2e/usage_errors.sh [POP3MON]
set -u
P=${1:-./pop3mon}
CAP=pcaps/bad/intermail.pcap
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0 checks=0
ok() { checks=$((checks + 1)); echo "PASS: $1"; }
ko() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2"; }

usage() { # WANT ARGS...: a usage error
	want=$1; shift
	"$P" "$@" >"$T/out" 2>"$T/err"
	st=$?
	n=$(wc -l <"$T/err")
	if [ "$st" = 2 ] && [ "$n" -eq 2 ] && head -n 1 "$T/err" | grep -q -- "^pop3mon: .*$want" &&
	   [ "$(tail -n 1 "$T/err")" = "Try 'pop3mon --help'." ] && [ ! -s "$T/out" ]; then
		ok "usage: $* -> one line and Try"
	else
		ko "usage: $* -> one line and Try (status $st, $n lines)" "$(cat "$T/err")"
	fi
}

input() { # PATH ARGS...: an error about PATH
	path=$1; shift
	"$P" "$@" >/dev/null 2>"$T/err"
	st=$?
	n=$(wc -l <"$T/err")
	times=$(grep -o -F -- "$path" "$T/err" | wc -l)
	if [ "$st" = 2 ] && [ "$n" -eq 1 ] && [ "$times" -eq 1 ]; then
		ok "input: $* -> one line naming $path once"
	else
		ko "input: $* -> one line naming $path once (status $st, $n lines, named $times times)" "$(cat "$T/err")"
	fi
}

usage "unknown option '--bogus'" -r "$CAP" --bogus
usage "unknown option '-x'" -r "$CAP" -x
usage "needs an argument" -r
usage "not an IP address" -r "$CAP" --server notanip --report
usage "not an IP address" -r "$CAP" --server 192.0.2.1:70000 --report
usage "unknown rule 'nope'" -r "$CAP" --rule nope --report
usage "bad number" -r "$CAP" -c many --report
usage "no input" --report

input "$T/nodir/x.pcap" -r "$T/nodir/x.pcap" --report
input "$T/nodir/out.pcap" -r "$CAP" --report -w "$T/nodir/out.pcap"
input "$T/nodir/e.json" -r "$CAP" --report --json "$T/nodir/e.json"
input "$T/nodir/s" -r "$CAP" --report --streams-dir "$T/nodir/s"

# --server and --user select; the summary says what, the status is the capture's
"$P" -r pcaps/bad/crowd.pcap --report --user NOBODY >"$T/out" 2>/dev/null
st=$?
if [ "$st" = 1 ] && grep -q '^Shown: *no session matches --user NOBODY' "$T/out" &&
   grep -q 'the exit status cover every session' "$T/out"; then
	ok "a selection that matches nothing says so; the exit status is the whole capture's (1)"
else
	ko "a selection that matches nothing says so (status $st)" "$(head -n 12 "$T/out")"
fi
"$P" -r pcaps/bad/crowd.pcap --report --user CTL1 >"$T/out" 2>/dev/null
if grep -q '^Session 1: .*' "$T/out" && grep -q 'Shown: *sessions matching --user CTL1 (5 not shown)' "$T/out"; then
	ok "--user matches without regard to case"
else
	ko "--user matches without regard to case" "$(head -n 12 "$T/out")"
fi

echo "usage_errors: $((checks - fails)) of $checks checks passed"
[ "$fails" -eq 0 ]
