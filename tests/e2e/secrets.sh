#!/bin/sh
# Secrets never reach the outputs by default: the test passwords of the
# recorded captures ("secret", "<user>-secret") and their base64 forms in
# AUTH exchanges must not appear in any report or JSON line; with
# --show-secrets they do (so this test can tell redaction from absence).
P=${1:-./pop3mon}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ok=0 bad=0
# "secret" itself, and base64 of "\0alice\0alice-secret"-style payloads contain "c2VjcmV0"
PATTERN='secret|c2VjcmV0|ZWNyZXQ|NlY3JldA'
for c in $(ls pcaps/*/*.pcap pcaps/*/*.pcapng); do
	$P -r "$c" --report -v > "$T/r" 2>/dev/null
	$P -r "$c" --json - > "$T/j" 2>/dev/null
	if grep -Eiq "$PATTERN" "$T/r" "$T/j"; then
		bad=$((bad + 1)); echo "FAIL $c: a secret reached the output"; grep -Eio ".{20}($PATTERN).{0,10}" "$T/r" "$T/j" | head -3
	else ok=$((ok + 1)); fi
done
echo "PASS no secret in report or JSON of $ok captures"
if $P -r pcaps/real/dovecot-poplib-full.pcap --json - --show-secrets | grep -q 'alice-secret'; then
	ok=$((ok + 1)); echo "PASS --show-secrets shows the PASS argument"
else bad=$((bad + 1)); echo "FAIL --show-secrets does not show the PASS argument"; fi
if $P -r pcaps/real/dovecot-poplib-full.pcap --json - | grep -q '"args":"<redacted>"'; then
	ok=$((ok + 1)); echo "PASS PASS argument replaced by <redacted>"
else bad=$((bad + 1)); echo "FAIL no <redacted> PASS argument"; fi
echo "secrets: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
