#!/bin/sh
# Bad input: one clear line on stderr naming the file/interface and the
# reason, exit status 2; and the exit status contract 0/1/2.
P=${1:-./pop3mon}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ok=0 bad=0
expect() { # desc, want-status, want-stderr-regex, command...
	desc=$1 want=$2 re=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$re" = EMPTY ]; then matched=$([ -s "$T/err" ] && echo no || echo yes)
	else matched=$(grep -Eq "$re" "$T/err" && echo yes || echo no); fi
	if [ "$got" = "$want" ] && [ "$matched" = yes ] && [ "$(wc -l <"$T/err")" -le 2 ]; then
		ok=$((ok + 1)); echo "PASS $desc"
	else
		bad=$((bad + 1)); echo "FAIL $desc: status $got (want $want); stderr:"; sed 's/^/    /' "$T/err"
	fi
}
printf 'not a capture\n' > "$T/text.pcap"
head -c 2000 pcaps/zeek/pop3.pcap > "$T/trunc.pcap"
# a valid pcap header with link type 147 (user-defined), one record
python3 -c "
import struct,sys
h=struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,147)
r=struct.pack('<IIII',0,0,4,4)+b'abcd'
open(sys.argv[1],'wb').write(h+r)" "$T/lt147.pcap"
expect "missing file" 2 "nosuch.pcap: .*(No such file|such file)" $P -r "$T/nosuch.pcap" --report
expect "not a pcap" 2 "text.pcap: .*(unknown file format|format)" $P -r "$T/text.pcap" --report
expect "truncated final record names file and frame" 2 "trunc.pcap: frame [0-9]+: .*truncated" $P -r "$T/trunc.pcap" --report
expect "unsupported link type" 2 "lt147.pcap: unsupported link type 147" $P -r "$T/lt147.pcap" --report
expect "no such interface" 2 "nosuchif0: " $P -i nosuchif0 --report
expect "usage: no input" 2 "no input" $P --report
expect "usage: unknown rule" 2 "unknown rule 'nope'" $P -r pcaps/zeek/pop3.pcap --rule nope
expect "usage: bad number" 2 "bad number for -c" $P -r pcaps/zeek/pop3.pcap -c x
expect "bad BPF names it" 2 "bad filter 'tcp port'" $P -r pcaps/zeek/pop3.pcap --report tcp port
expect "clean capture exits 0" 0 EMPTY $P -r pcaps/real/dovecot-curl.pcap --report
expect "contradictions exit 1" 1 EMPTY $P -r pcaps/bad/intermail.pcap --report
# the truncated file still yields a complete report of what was read
$P -r "$T/trunc.pcap" --report > "$T/rep" 2>/dev/null
if grep -q "sessions" "$T/rep"; then ok=$((ok + 1)); echo "PASS truncated file: report of what was read"
else bad=$((bad + 1)); echo "FAIL truncated file: no report"; fi
# stdin
if $P -r - --report < pcaps/bad/intermail.pcap | grep -q "stat-uidl-count"; then
	ok=$((ok + 1)); echo "PASS -r - reads stdin"
else bad=$((bad + 1)); echo "FAIL -r - reads stdin"; fi
# several -r files in one run: the sessions of both
n=$($P -r pcaps/bad/intermail.pcap -r pcaps/real/dovecot-curl.pcap --json - | grep -c '"event_type":"pop3_session"')
if [ "$n" = 2 ]; then ok=$((ok + 1)); echo "PASS two -r files: 2 sessions"
else bad=$((bad + 1)); echo "FAIL two -r files: $n sessions"; fi
echo "bad input: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
