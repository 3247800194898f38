#!/bin/bash
# Record pcaps/wall/two-ports.pcap: one host, two POP3 servers, 110 and
# 995 (the servers view and the wall key servers by address AND port).
#   127.0.0.67:110  badpop3 clean; alice twice, bob once, and one client
#                   that connects and quits without logging in ("(no login)")
#   127.0.0.67:995  POP3 over TLS (a self-signed certificate made here):
#                   two sessions, their users unseen on the wire
# Needs root (ports 110, 995, tcpdump), python3, openssl. Only 127.0.0.67 on
# lo; every process it starts is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=$(python3 -c 'import sys; print(sys.executable)')
OUT=pcaps/wall
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/record_two_ports.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=pop3.test -days 2 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
tcpdump -i lo -U -s 0 -w "$TMP/two-ports.pcap" 'host 127.0.0.67 and (tcp port 110 or tcp port 995)' \
    2>"$TMP/tcpdump.err" &
TCPD=$!
PIDS="$PIDS $TCPD"
"$PY" tests/server/badpop3.py --listen 127.0.0.67 --scenario clean 2>/dev/null &
PIDS="$PIDS $!"
"$PY" - "$TMP" <<'PYEOF' &
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1] + "/cert.pem", sys.argv[1] + "/key.pem")
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.67", 995)); ls.listen(5)
def serve(c):
    try:
        s = ctx.wrap_socket(c, server_side=True)
        f = s.makefile("rb")
        s.sendall(b"+OK POP3S ready\r\n")
        for line in f:
            s.sendall(b"+OK\r\n" if not line.upper().startswith(b"QUIT") else b"+OK bye\r\n")
            if line.upper().startswith(b"QUIT"):
                break
        s.close()
    except OSError:
        pass
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
PIDS="$PIDS $!"
sleep 1.5
"$PY" - <<'PYEOF'
import poplib, ssl, time
for u in ("alice", "bob", "alice"):
    p = poplib.POP3("127.0.0.67", 110, timeout=5)
    p.user(u); p.pass_("secret"); p.stat(); p.quit()
    print("110", u, "ok"); time.sleep(0.2)
p = poplib.POP3("127.0.0.67", 110, timeout=5)   # connects, never logs in
p.capa(); p.quit(); print("110 no login")
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
for u in ("carol", "dave"):
    p = poplib.POP3_SSL("127.0.0.67", 995, context=ctx, timeout=5)
    p.user(u); p.pass_("secret"); p.quit(); print("995", u, "ok"); time.sleep(0.2)
PYEOF
sleep 1
kill "$TCPD"; wait "$TCPD" 2>/dev/null || true
grep -q '^0 packets dropped by kernel' "$TMP/tcpdump.err" || { cat "$TMP/tcpdump.err"; echo "record_two_ports: the kernel dropped packets" >&2; exit 1; }
cp "$TMP/two-ports.pcap" "$OUT/two-ports.pcap"
echo "wrote $OUT/two-ports.pcap"
