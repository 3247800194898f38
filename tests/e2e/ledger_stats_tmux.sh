#!/bin/sh
# ledger_stats_tmux.sh - what the dashboard's session ledger dropped reaches
# the stats: a SYN flood of 30,000 (tests/hostile/gen_hostile) in the
# dashboard with --json FILE fills the ledger's 8,000-session count cap
# with open sessions, so its final "stats" record has a "ledger" object
# with 22,000 open sessions dropped (and their 22,000 close events
# ignored; include/stats.def, STAT_LEDGER); the
# report of a replay of that file says so under "Capture anomalies"; and
# the same capture with --json alone (no dashboard, no ledger) writes no
# "ledger" object (output without a ledger is unchanged).
#   sh tests/e2e/ledger_stats_tmux.sh [./pop3mon]
set -u
BIN=${1:-./pop3mon}
SOCK=p3m-ledger-stats-$$
. tests/e2e/tmux_lib.sh
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
T=$(mktemp -d)
trap 'tmux_cleanup; rm -rf "$T"' EXIT INT TERM
HG=build/hostile/gen_hostile
mkdir -p build/hostile
if [ ! -x $HG ] || [ tests/hostile/gen_hostile.c -nt $HG ]; then
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o $HG tests/hostile/gen_hostile.c || exit 1
fi
$HG synflood "$T/syn.pcap" 30000 >/dev/null || { echo "FAIL: generator"; exit 1; }

start d 150 40 -r "$T/syn.pcap" --json "$T/d.json"
if wait_for d '8,000 of 30,000 sessions held' 30; then
	pass "the dashboard holds 8,000 of 30,000"
else
	fail "the dashboard holds 8,000 of 30,000" "$(screen d)"
fi
keys d q
wait_for d 'POP3MON_EXIT=' 20 || fail "the dashboard quits" "$(screen d)"
led=$(grep '"event_type":"stats"' "$T/d.json" | tail -n 1 | jq -c '.stats.ledger')
want='{"sessions_evicted":22000,"sessions_evicted_flagged":0,"sessions_evicted_open":22000,"transcripts_evicted":0,"txns_dropped":0,"findings_dropped":0,"entries_dropped":0,"events_for_evicted":22000,"held":8000,'
case $led in
"$want"*) pass "the final stats say what the ledger dropped ($led)" ;;
*) fail "the final stats say what the ledger dropped: got $led" ;;
esac

"$BIN" --from "$T/d.json" --report > "$T/r.txt" 2>&1
if grep -Eq '^  dashboard open sessions dropped +22000 ' "$T/r.txt" &&
	grep -Eq '^  dashboard sessions dropped +22000 ' "$T/r.txt"; then
	pass "the replay's report lists the drops under Capture anomalies"
else
	fail "the replay's report lists the drops under Capture anomalies" "$(sed -n '/Capture anomalies/,/^$/p' "$T/r.txt")"
fi

"$BIN" -r "$T/syn.pcap" --json "$T/j.json" >/dev/null 2>&1
if grep '"event_type":"stats"' "$T/j.json" | grep -q '"ledger"'; then
	fail "without the dashboard, no ledger object"
else
	pass "without the dashboard, no ledger object"
fi
tmux_summary
