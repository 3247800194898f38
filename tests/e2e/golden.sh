#!/bin/sh
# Golden files: the report and the JSON lines of a few captures, reviewed
# by hand once and then compared byte for byte (the report is deterministic;
# the JSON's wall_time is the only field removed before comparing).
# `golden.sh POP3MON --update` rewrites them: review the diff before committing.
P=${1:-./pop3mon}
UPDATE=${2:-}
CAPS="pcaps/zeek/pop3.pcap pcaps/zeek/bad-list-retr-crafted.pcap pcaps/zeek/pop3-starttls.pcap
pcaps/bad/intermail.pcap pcaps/bad/crowd.pcap pcaps/real/dovecot-poplib-full.pcap
pcaps/real/dovecot-mpop.pcap pcaps/real/dovecot-midsession.pcap
pcaps/tunnels/gre-vxlan-stat-list-count.pcap pcaps/detect/junk.pcap pcaps/detect/http-8080.pcap
pcaps/conn/no-answer.pcap"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ok=0 bad=0
for c in $CAPS; do
	name=$(echo "$c" | sed 's|^pcaps/||; s|/|_|g; s|\.pcap.*$||')
	$P -r "$c" --report > "$T/report" 2>/dev/null
	$P -r "$c" --json - 2>/dev/null | jq -c 'del(.stats.wall_time)' > "$T/json"
	for kind in report json; do
		g=tests/golden/$name.$kind
		if [ "$UPDATE" = --update ]; then cp "$T/$kind" "$g"; continue; fi
		if cmp -s "$T/$kind" "$g"; then ok=$((ok + 1)); echo "PASS $g"
		else bad=$((bad + 1)); echo "FAIL $g"; diff "$g" "$T/$kind" | head -10; fi
	done
done
echo "golden: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
