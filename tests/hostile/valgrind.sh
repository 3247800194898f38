#!/bin/sh
# valgrind.sh - pop3mon under valgrind (memcheck, full leak check) on every
# capture in pcaps/, with the report and the JSON going to /dev/null.
# Any memory error or leak makes valgrind exit 99: that capture FAILs.
#   tests/hostile/valgrind.sh [FILE...]     (default: pcaps/**/*.pcap*)
set -u
cd "$(dirname "$0")/../.." || exit 2
POP3MON=${POP3MON:-./pop3mon}
command -v valgrind > /dev/null || { echo "valgrind.sh: needs valgrind" >&2; exit 2; }
[ -x "$POP3MON" ] || make -s pop3mon || exit 2
[ $# -gt 0 ] || set -- $(find pcaps -name '*.pcap*' -type f | sort)
LOG=$(mktemp /tmp/pop3mon-vg.XXXXXX)
fails=0; n=0
for f in "$@"; do
	n=$((n + 1))
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		"$POP3MON" -r "$f" --report --json /dev/null > /dev/null 2> "$LOG"
	rc=$?
	case $rc in
	0|1|2) echo "PASS $f (exit $rc)" ;;
	*) echo "FAIL $f (exit $rc)"; sed -n '1,30p' "$LOG"; fails=$((fails + 1)) ;;
	esac
done
rm -f "$LOG"
echo "valgrind: $((n - fails))/$n captures clean"
[ $fails = 0 ]
