#!/bin/sh
# Record what is not POP3 on the POP3 port, and POP3 on other ports, for
# POP3-by-content detection (issue 19). Run as root from the top of the
# tree; servers run in a network namespace this script makes (its
# loopback only), started and stopped by PID.
#   pcaps/detect/http-110.pcap     curl against python3 -m http.server on 127.0.0.1:110
#   pcaps/detect/tls-110.pcap      openssl s_client against openssl s_server on :110
#                                  (TLS from the first byte, no STLS)
#   pcaps/detect/redis-110.pcap    redis-cli PING and SET against redis-server on :110
#   pcaps/detect/http-8080.pcap    curl against http.server on :8080: no POP3 at all
#   pcaps/detect/pop3-2222.pcap    a tiny POP3 server (conn_peers.py) on :2222 and its client
#   pcaps/detect/junk.pcap         one packet from port 110, every TCP flag, HTTP text
#                                  (tests/capture/make_junk.py, built, not recorded)
#   pcaps/detect/dovecot-curl-1110.pcap real/dovecot-curl.pcap with port 110 -> 1110
#   pcaps/detect/intermail-8110.pcap bad/intermail.pcap with port 110 -> 8110
#                                  (tcprewrite --portmap, checksums fixed)
set -eu
OUT=${1:-pcaps/detect}
HERE=$(cd "$(dirname "$0")" && pwd)
NS=pop3mon-detect-$$
TMP=$(mktemp -d)
mkdir -p "$OUT"
ip netns add "$NS"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
ip netns exec "$NS" ip link set lo up

record() { # NAME FILTER -- client command (run in the namespace)
	name=$1 filter=$2
	shift 2
	log=$TMP/tcpdump.log
	: > "$log"
	ip netns exec "$NS" tcpdump -i lo --immediate-mode -U -w "$OUT/$name.pcap" "$filter" 2>"$log" &
	tp=$!
	n=0
	until grep -q "listening on" "$log"; do
		n=$((n + 1)); [ $n -lt 100 ] || { echo "tcpdump did not start" >&2; exit 1; }
		sleep 0.1
	done
	sleep 0.2
	ip netns exec "$NS" "$@" || true
	sleep 0.5
	kill "$tp"
	wait "$tp" 2>/dev/null || true
	echo "recorded $OUT/$name.pcap"
}

server() { # command... : in the namespace, in the background, by PID
	ip netns exec "$NS" "$@" >"$TMP/server.log" 2>&1 &
	spid=$!
	pids="$pids $spid"
	sleep 1
}
stop() { # the last server: each one has the port to itself
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	sleep 0.3
}

mkdir -p "$TMP/www"
printf 'hello\n' > "$TMP/www/index.html"
server python3 -m http.server 110 --bind 127.0.0.1 --directory "$TMP/www"
record http-110 "tcp port 110" curl -s -o /dev/null http://127.0.0.1:110/index.html
stop

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
server openssl s_server -quiet -accept 127.0.0.1:110 -cert "$TMP/cert.pem" -key "$TMP/key.pem"
record tls-110 "tcp port 110" sh -c 'echo QUIT | timeout 5 openssl s_client -quiet -connect 127.0.0.1:110 >/dev/null 2>&1'
stop

server redis-server --port 110 --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP"
record redis-110 "tcp port 110" sh -c 'redis-cli -p 110 PING && redis-cli -p 110 SET pop3mon test'
stop

server python3 -m http.server 8080 --bind 127.0.0.1 --directory "$TMP/www"
record http-8080 "tcp port 8080" curl -s -o /dev/null http://127.0.0.1:8080/index.html
stop

server python3 "$HERE/conn_peers.py" server-pop3 127.0.0.1 2222
record pop3-2222 "tcp port 2222" python3 "$HERE/conn_peers.py" client-pop3 127.0.0.1 2222
stop

python3 "$HERE/make_junk.py" "$OUT/junk.pcap"
tcprewrite --portmap=110:1110 --fixcsum -i pcaps/real/dovecot-curl.pcap -o "$OUT/dovecot-curl-1110.pcap"
tcprewrite --portmap=110:8110 --fixcsum -i pcaps/bad/intermail.pcap -o "$OUT/intermail-8110.pcap"
echo "made $OUT/junk.pcap $OUT/dovecot-curl-1110.pcap $OUT/intermail-8110.pcap"
