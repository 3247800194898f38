#!/bin/sh
# term_safety.sh - wire text must not reach a terminal or the JSON raw.
# tests/hostile/evil.pcap (gen_hostile evil) carries ESC/OSC/CSI sequences,
# C0 controls, DEL, NUL, C1 (0x9b), invalid UTF-8 and quotes in the banner,
# the user name, the replies and a listing. Checks:
#   - the report (--report, and -v with every transcript) has no byte
#     outside printable ASCII + \n (no ESC, no control byte, no 8-bit byte)
#   - every JSON line parses with python3 json (strict) and with jq
#   - the password sent ("hunter2") appears in neither output
set -u
cd "$(dirname "$0")/../.." || exit 2
POP3MON=${POP3MON:-./pop3mon}
PCAP=tests/hostile/evil.pcap
T=$(mktemp -d /tmp/pop3mon-term.XXXXXX)
fail=0
check() { # name, status
	if [ "$2" = 0 ]; then echo "term_safety: $1: PASS"; else echo "term_safety: $1: FAIL"; fail=1; fi
}
"$POP3MON" -r $PCAP --report > $T/report.txt 2> $T/err; rc=$?
"$POP3MON" -r $PCAP --report -v > $T/report-v.txt 2>> $T/err
"$POP3MON" -r $PCAP --json $T/out.json > /dev/null 2>> $T/err
"$POP3MON" -r $PCAP --streams > $T/streams.txt 2>> $T/err
case $rc in 0|1) s=0 ;; *) s=1 ;; esac
check "exit status $rc" $s
for f in report.txt report-v.txt streams.txt; do
	python3 - "$T/$f" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
bad = [(i, b) for i, b in enumerate(data) if not (0x20 <= b < 0x7f or b == 0x0a)]
if bad or not data:
    print("  %s: %d raw bytes outside printable ASCII, first at offset %s: %r"
          % (sys.argv[1], len(bad), bad[0][0] if bad else '-', data[max(0, bad[0][0]-20):bad[0][0]+20] if bad else b''))
    sys.exit(1)
PY
	check "$f has no raw ESC/control/8-bit bytes" $?
done
grep -q 'x1b' $T/report-v.txt; check "report shows the escapes as text (\\x1b)" $?
python3 - $T/out.json <<'PY'
import json, sys
n = 0
for i, line in enumerate(open(sys.argv[1], 'rb'), 1):
    try:
        json.loads(line.decode('utf-8'))  # strict: raw control chars rejected
    except Exception as e:
        print("  line %d: %s" % (i, e)); sys.exit(1)
    if any(b < 0x20 for b in line.rstrip(b'\n')) or b'\x1b' in line:
        print("  line %d: raw control byte" % i); sys.exit(1)
    n += 1
sys.exit(0 if n else 1)
PY
check "every JSON line parses (python3 json)" $?
jq -c . $T/out.json > /dev/null 2>&1; check "every JSON line parses (jq)" $?
grep -q '"event_type":"pop3"' $T/out.json; check "JSON has the transactions" $?
! grep -q hunter2 $T/report-v.txt $T/out.json $T/streams.txt; check "password redacted in report, JSON, streams" $?
rm -rf "$T"
exit $fail
