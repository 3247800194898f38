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
# one capture of concurrent sessions split in two files: sessions that
# began in the first end while the second is read, and still name the
# first (they pointed at a freed name once); under ASan when it is built
python3 - pcaps/real/dovecot-concurrent.pcap "$T/part1.pcap" "$T/part2.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
recs, at = [], 24
while at + 16 <= len(d):
    n = struct.unpack_from("<I", d, at + 8)[0]
    recs.append(d[at:at + 16 + n])
    at += 16 + n
half = len(recs) // 2
open(sys.argv[2], "wb").write(d[:24] + b"".join(recs[:half]))
open(sys.argv[3], "wb").write(d[:24] + b"".join(recs[half:]))
PY
PA=$P; [ -x ./pop3mon-asan ] && PA=./pop3mon-asan
ASAN_OPTIONS=exitcode=99:detect_leaks=1 $PA -r "$T/part1.pcap" -r "$T/part2.pcap" --json - \
	>"$T/split.json" 2>"$T/split.err"; got=$?
n1=$(grep '"event_type":"pop3_session"' "$T/split.json" | grep -c 'part1.pcap')
if [ "$got" -le 1 ] && [ ! -s "$T/split.err" ] && [ "$n1" -gt 0 ]; then
	ok=$((ok + 1)); echo "PASS a capture split in two -r files ($n1 sessions from part 1)"
else
	bad=$((bad + 1)); echo "FAIL split capture: status $got, $n1 sessions from part 1:"
	head -5 "$T/split.err" | sed 's/^/    /'
fi
# a filter that does not compile: the error, and nothing left behind
ASAN_OPTIONS=exitcode=99:detect_leaks=1 $PA -r pcaps/zeek/pop3.pcap --report tcp port \
	>/dev/null 2>"$T/bpf.err"; got=$?
if [ "$got" = 2 ] && grep -q "bad filter 'tcp port'" "$T/bpf.err" && ! grep -q Sanitizer "$T/bpf.err"; then
	ok=$((ok + 1)); echo "PASS bad BPF under ASan: status 2, no leak"
else
	bad=$((bad + 1)); echo "FAIL bad BPF under ASan: status $got:"
	head -5 "$T/bpf.err" | sed 's/^/    /'
fi
echo "bad input: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
