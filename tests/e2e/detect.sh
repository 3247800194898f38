#!/bin/sh
# POP3 by content, not-POP3 on the POP3 port, and no silent all-clear
# (issue 19), on the captures of pcaps/detect (tests/capture/record_detect.sh):
# what the report, stderr, the JSON and the exit status say.
P=${1:-./pop3mon}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0
check() { # name, condition...
	name=$1; shift
	if "$@"; then echo "PASS $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
has() { grep -q -- "$2" "$1"; }

# no POP3 at all: said at the top and on stderr, exit 0
$P -r pcaps/detect/http-8080.pcap --report > "$T/out" 2> "$T/err"; rc=$?
check "no POP3: exit 0" [ "$rc" -eq 0 ]
check "no POP3: the report's first lines say so" sh -c "sed -n 4p '$T/out' | grep -q '^NO POP3 SESSION'"
check "no POP3: the report names the port seen" has "$T/out" "by server port: 8080 (1); 1 in all"
check "no POP3: the report gives the hint" has "$T/out" "Hint: POP3 on another port"
check "no POP3: stderr says it" has "$T/err" "pop3mon: no POP3 session in the input (13 frames, 1 other TCP connections"

# the junk packet: not POP3, a notice, never flagged, exit 0
$P -r pcaps/detect/junk.pcap --report > "$T/out" 2> "$T/err"; rc=$?
check "junk: exit 0" [ "$rc" -eq 0 ]
check "junk: counted as not POP3" has "$T/out" "Not POP3:        1 connection on POP3 ports"
check "junk: flagged 0" has "$T/out" "POP3 sessions:   0, flagged 0"
check "junk: no error or warning" has "$T/out" "Findings:        0 error, 0 warning, 1 notice"

# POP3 on 1110: found by content; -p 1110 finds it by port; --ports-only not at all
$P -r pcaps/detect/dovecot-curl-1110.pcap --json - > "$T/j" 2>/dev/null
check "1110: found by content" has "$T/j" '"found_by":"content"'
$P -r pcaps/detect/dovecot-curl-1110.pcap -p 1110 --json - > "$T/j" 2>/dev/null
check "1110 with -p: a session, by port" sh -c "grep -q '\"event_type\":\"pop3_session\"' '$T/j' && ! grep -q found_by '$T/j'"
$P -r pcaps/detect/dovecot-curl-1110.pcap --ports-only --report > "$T/out" 2> "$T/err"; rc=$?
check "1110 --ports-only: no session, said, exit 0" sh -c "[ $rc -eq 0 ] && grep -q '^NO POP3 SESSION' '$T/out' && grep -q 'ports not watched (--ports-only' '$T/out'"
$P -r pcaps/detect/intermail-8110.pcap --report > "$T/out" 2>/dev/null; rc=$?
check "8110: the InterMail case found by content, flagged, exit 1" sh -c "[ $rc -eq 1 ] && grep -q 'found by content' '$T/out' && grep -q 'stat-list-count' '$T/out'"

# a capture cut at 96 bytes a packet: what was lost is no finding
$P -r pcaps/real/dovecot-snaplen96.pcap --report > "$T/out" 2>/dev/null; rc=$?
check "snaplen 96: exit 0, no error or warning" sh -c "[ $rc -eq 0 ] && grep -q 'Findings:        0 error, 0 warning' '$T/out'"
check "snaplen 96: the session says what was missing (gaps: session-cut)" sh -c "grep -q 'tcp gap bytes' '$T/out' && grep -q 'Session 1:.*session-cut' '$T/out'"

echo "detect: $fails failed"
[ "$fails" -eq 0 ]
