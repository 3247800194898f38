#!/bin/bash
# record_real.sh — record real POP3 traffic (real Dovecot, real clients) on
# loopback into pcaps/real/, with the expected transactions of each capture.
#
# Usage (as root, Debian 12):  tests/capture/record_real.sh [CASE...]
#   no CASE: record every case; otherwise only the named ones (e.g. curl rst).
#   KEEP_WORK=1 keeps the temporary directory (Dovecot config, logs).
#
# What it does
#   - installs what it needs with apt-get (dovecot-pop3d, tcpdump, tshark,
#     curl, fetchmail, getmail6, mpop, openssl, python3, iproute2, ethtool);
#   - writes a POP3-only Dovecot setup in a temp dir (real_dovecot.sh):
#     passwd-file users alice (5 messages: small, ~2 MB, MIME, dot lines,
#     small), bob (empty), carol (3), dave (1); maildirs regenerated
#     byte-identically each run (real_mkmail.py); self-signed cert for STLS;
#     APOP enabled; listens on 127.0.0.1:110 and [::1]:110 only;
#   - per case: starts tcpdump (-B 131072, a host filter for our own
#     addresses only), runs one real client that logs its own protocol view
#     to tests/capture/logs/real/CASE.log, stops tcpdump with SIGINT, refuses
#     the capture if the kernel dropped packets, writes pcaps/real/CASE.txns
#     (real_txns_from_log.py, from the client log), CASE.findings (none
#     expected) and a tshark cross-check tests/capture/logs/real/CASE.tshark;
#   - stops everything it started by PID on exit (trap), incl. Dovecot and
#     the network namespaces of the veth case.
# Addresses used: 127.0.0.1, ::1 on lo, and 192.0.2.1/.2 inside two network
# namespaces of its own (pmr-srv, pmr-cli). Nothing else.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/pcaps/real
LOGS=$ROOT/tests/capture/logs/real
PY=/usr/bin/python3
PKGS="dovecot-pop3d tcpdump tshark wireshark-common curl fetchmail getmail6 mpop openssl python3 iproute2 ethtool"

log() { printf '[record_real] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    echo "record_real.sh must run as root (it starts Dovecot on port 110 and tcpdump)."
    echo "Install what it needs first with:"
    echo "  sudo apt-get install -y $PKGS"
    exit 1
fi

# ---------------------------------------------------------------- install
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    log "installing:$missing"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi
# Debian's package may have started the system Dovecot on *:110 (systemd).
# We do not stop a service we did not start: say so and stop.
if ss -Hltn 'sport = :110' | grep -qE '(127\.0\.0\.1|\*|0\.0\.0\.0|\[::1\]|\[::\]):110'; then
    ss -ltnp 'sport = :110' >&2
    die "something already listens on port 110 of 127.0.0.1/::1 (system Dovecot? try: systemctl stop dovecot)"
fi
id popreal >/dev/null 2>&1 || useradd --system --user-group --home-dir /nonexistent \
    --no-create-home --shell /usr/sbin/nologin popreal

# ---------------------------------------------------------------- state
WORK=$(mktemp -d /tmp/pop3mon-real.XXXXXX)
chmod 755 "$WORK"
DOVECOT_PID="" CAP_PID="" DOVECOT2_PID="" NS_MADE=""
cleanup() {
    set +e
    [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null
    [ -n "$DOVECOT_PID" ] && kill "$DOVECOT_PID" 2>/dev/null && wait "$DOVECOT_PID" 2>/dev/null
    [ -n "$DOVECOT2_PID" ] && kill "$DOVECOT2_PID" 2>/dev/null && wait "$DOVECOT2_PID" 2>/dev/null
    if [ -n "$NS_MADE" ]; then
        ip netns del pmr-cli 2>/dev/null; ip netns del pmr-srv 2>/dev/null
    fi
    if [ "${KEEP_WORK:-0}" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT" "$LOGS"
FILTER_LO='tcp port 110 and ((src host 127.0.0.1 and dst host 127.0.0.1) or (src host ::1 and dst host ::1))'

# ---------------------------------------------------------------- dovecot
start_dovecot() {  # DIR LISTEN INSTANCE [netns]  -> echoes nothing, sets LAST_PID
    local dir=$1 listen=$2 inst=$3 ns=${4:-}
    "$HERE/real_dovecot.sh" "$dir" "$listen" "$inst"
    doveconf -c "$dir/dovecot.conf" -n >/dev/null
    if [ -n "$ns" ]; then
        ip netns exec "$ns" dovecot -c "$dir/dovecot.conf" -F &
    else
        dovecot -c "$dir/dovecot.conf" -F &
    fi
    LAST_PID=$!
}
wait_port() {  # HOST [netns]
    local h=$1 ns=${2:-} i
    for i in $(seq 1 50); do
        # a complete POP3 exchange (greeting, QUIT, close), so that no tail
        # of this probe session can leak into the next capture
        if ${ns:+ip netns exec $ns} $PY -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 110), 2)
f = s.makefile("rb")
assert f.readline().startswith(b"+OK")
s.sendall(b"QUIT\r\n")
assert f.readline().startswith(b"+OK")
f.read()
s.close()' "$h" 2>/dev/null; then
            sleep 0.5
            return 0
        fi
        sleep 0.2
    done
    die "no POP3 listener on $h:110"
}

# ---------------------------------------------------------------- capture
# cap_start NAME FILE [tcpdump options...]  (IFACE, FILTER, NS env overrides)
cap_start() {
    local name=$1 file=$2; shift 2
    rm -f "$file" "$WORK/$name.cap.err"
    ${NS:+ip netns exec $NS} tcpdump -i "${IFACE:-lo}" -B 131072 --immediate-mode -U "$@" -w "$file" \
        "${FILTER:-$FILTER_LO}" 2>"$WORK/$name.cap.err" &
    CAP_PID=$!
    local i
    for i in $(seq 1 50); do
        grep -q "listening on" "$WORK/$name.cap.err" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "listening on" "$WORK/$name.cap.err" || { cat "$WORK/$name.cap.err" >&2; die "tcpdump did not start"; }
    sleep 0.3
}
cap_stop() {  # NAME
    local name=$1
    sleep 1.5                       # let the last FIN/ACK pass (and any ring block retire)
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    CAP_PID=""
    if ! grep -q "^0 packets dropped by kernel" "$WORK/$name.cap.err"; then
        cat "$WORK/$name.cap.err" >&2
        die "$name: tcpdump reports kernel drops (or no statistics); capture refused"
    fi
    grep -qE "^[1-9][0-9]* packets captured" "$WORK/$name.cap.err" || die "$name: no packets captured"
    log "$name: $(grep 'packets captured' "$WORK/$name.cap.err"), 0 dropped"
}

# txns NAME KIND [CAPFILE] [extra args for real_txns_from_log.py]
txns() {
    local name=$1 kind=$2 cap=${3:-$OUT/$1.pcap}; shift 3 || shift $#
    if [ "$kind" = tshark ]; then
        $PY "$HERE/real_txns_from_log.py" tshark "$cap" > "$OUT/$name.txns"
    else
        $PY "$HERE/real_txns_from_log.py" "$kind" "$LOGS/$name.log" --pcap "$cap" "$@" > "$OUT/$name.txns"
    fi
    {
        echo "# tshark POP view of $(basename "$cap") (cross-check; one command per segment only)"
        echo "# frame stream srcport command parameter indicator"
        tshark -r "$cap" -Y pop -T fields -e frame.number -e tcp.stream -e tcp.srcport \
            -e pop.request.command -e pop.request.parameter -e pop.response.indicator 2>/dev/null \
            | sed -E 's/^([0-9]+\t[0-9]+\t[0-9]+\tPASS\t).*/\1<redacted>/'
    } > "$LOGS/$name.tshark"
    # every TCP connection in the capture must be a session of the .txns
    local streams sessions
    streams=$(tshark -r "$cap" -T fields -e tcp.stream 2>/dev/null | sort -u | grep -c .)
    sessions=$(grep -v '^#' "$OUT/$name.txns" | cut -f1 | sort -u | grep -c .)
    [ "$streams" = "$sessions" ] || die "$name: $streams TCP streams in the capture but $sessions sessions in .txns"
    cat > "$OUT/$name.findings" <<EOF
# $name: real Dovecot $(dovecot --version | cut -d' ' -f1) traffic; no error or warning expected (notices are not listed)
EOF
}

# poplib_case NAME SCENARIO [client args...]  — whole case with poplib
poplib_case() {
    local name=$1 sc=$2; shift 2
    cap_start "$name" "$OUT/$name.pcap"
    PYTHONUNBUFFERED=1 $PY "$HERE/real_pop_client.py" "$sc" "$@" > "$WORK/$name.raw" 2>&1 \
        || { cat "$WORK/$name.raw" >&2; die "$name: client failed"; }
    cap_stop "$name"
    $PY "$HERE/real_elide.py" '*get* ' < "$WORK/$name.raw" > "$LOGS/$name.log"
    txns "$name" poplib
}

want() {  # is case $1 selected?
    [ ${#CASES[@]} -eq 0 ] && return 0
    local c; for c in "${CASES[@]}"; do [ "$c" = "$1" ] && return 0; done
    return 1
}
CASES=("$@")
# a full run regenerates everything: stale files of earlier runs go
[ ${#CASES[@]} -eq 0 ] && rm -f "$OUT"/dovecot-* "$LOGS"/dovecot-*

# ================================================================ run
DV=$WORK/dovecot
start_dovecot "$DV" "127.0.0.1, ::1" pop3mon-real
DOVECOT_PID=$LAST_PID
wait_port 127.0.0.1
wait_port ::1
log "Dovecot $(dovecot --version) up, pid $DOVECOT_PID, config $DV/dovecot.conf"

# unprivileged home for fetchmail / getmail6 / mpop
CH=$WORK/clienthome
mkdir -p "$CH/getmail"
chown -R popreal:popreal "$CH"
as_popreal() { runuser -u popreal -- env HOME="$CH" "$@"; }

# 1. curl: LIST then RETR 4 on the re-used connection (AUTH PLAIN by default)
if want curl; then
    n=dovecot-curl
    cap_start $n "$OUT/$n.pcap"
    curl -sv --max-time 60 -o /dev/null -o /dev/null \
        'pop3://alice:alice-secret@127.0.0.1/' 'pop3://alice:alice-secret@127.0.0.1/4' \
        2> "$WORK/$n.raw"
    cap_stop $n
    # curl -v shows the SASL response line in clear: redact it in the log
    sed -E '/^< \+ ?\r?$/{n;s/^> .*/> <redacted SASL response>\r/}' "$WORK/$n.raw" > "$LOGS/$n.log"
    txns $n curl "$OUT/$n.pcap" --complete-from-pcap
fi

# 2. fetchmail -v: keep + fetchall, MDA discards
if want fetchmail; then
    n=dovecot-fetchmail
    cat > "$CH/fetchmailrc" <<'EOF'
set no syslog
poll 127.0.0.1 proto pop3 port 110 uidl
  user "alice" there with password "alice-secret" is "popreal" here
  keep fetchall sslproto '' no sslcertck
  mda "/bin/sh -c 'cat >/dev/null'"
EOF
    chown popreal:popreal "$CH/fetchmailrc"; chmod 600 "$CH/fetchmailrc"
    cap_start $n "$OUT/$n.pcap"
    as_popreal fetchmail -v --nodetach -f "$CH/fetchmailrc" --idfile "$CH/fetchids" \
        > "$WORK/$n.raw" 2>&1 || die "fetchmail failed: $(tail -3 "$WORK/$n.raw")"
    cap_stop $n
    $PY "$HERE/real_elide.py" 'fetchmail: POP3< ' < "$WORK/$n.raw" > "$LOGS/$n.log"
    txns $n fetchmail
fi

# 3. getmail6 (no protocol log: --trace shows UIDL/RETR replies only;
#    the .txns come from the capture via tshark, getmail never pipelines)
if want getmail; then
    n=dovecot-getmail
    cat > "$CH/getmail/getmailrc" <<'EOF'
[retriever]
type = SimplePOP3Retriever
server = 127.0.0.1
port = 110
username = alice
password = alice-secret

[destination]
type = MDA_external
path = /bin/sh
arguments = ("-c", "cat >/dev/null")

[options]
verbose = 2
read_all = true
delete = false
EOF
    chown -R popreal:popreal "$CH/getmail"; chmod 600 "$CH/getmail/getmailrc"
    cap_start $n "$OUT/$n.pcap"
    as_popreal getmail --trace -g "$CH/getmail" -r getmailrc > "$WORK/$n.raw" 2>&1 \
        || die "getmail failed: $(tail -3 "$WORK/$n.raw")"
    cap_stop $n
    sed -e "s#$WORK#/tmp/pop3mon-real.X#g" "$WORK/$n.raw" > "$LOGS/$n.log"
    txns $n tshark
fi

# 4. mpop --debug: pipelines USER+PASS and all RETRs
if want mpop; then
    n=dovecot-mpop
    cat > "$CH/mpoprc" <<EOF
account alice
host 127.0.0.1
port 110
tls off
auth user
user alice
password alice-secret
keep on
only_new off
delivery mda "/bin/sh -c 'cat >/dev/null'"
uidls_file $CH/mpop-uidls
EOF
    chown popreal:popreal "$CH/mpoprc"; chmod 600 "$CH/mpoprc"
    cap_start $n "$OUT/$n.pcap"
    as_popreal mpop --debug -C "$CH/mpoprc" alice > "$WORK/$n.raw" 2>&1 \
        || die "mpop failed: $(tail -3 "$WORK/$n.raw")"
    cap_stop $n
    $PY "$HERE/real_elide.py" '<-- ' < "$WORK/$n.raw" | sed -e "s#$WORK#/tmp/pop3mon-real.X#g" > "$LOGS/$n.log"
    txns $n mpop
fi

# 5.-8. poplib sequences
want poplib-full  && poplib_case dovecot-poplib-full full
want apop         && poplib_case dovecot-apop apop
want auth         && poplib_case dovecot-auth auth
want login-fail   && poplib_case dovecot-login-fail loginfail
want empty        && poplib_case dovecot-empty empty
# 9. four overlapping sessions from one process
want concurrent   && poplib_case dovecot-concurrent concurrent
# 10. STLS, then TLS
want stls         && poplib_case dovecot-stls stls
# 11. IPv6
want ipv6         && poplib_case dovecot-ipv6 basic --host ::1
# 17. pipelined commands on a raw socket
want pipelined    && poplib_case dovecot-pipelined pipeline
# 16. RST in the middle of the 2 MB RETR
want rst          && poplib_case dovecot-rst-retr rst

# 12. -i any: Linux cooked v2 (default on Debian 12) and v1 (-y LINUX_SLL)
if want any; then
    n=dovecot-any-sll2
    IFACE=any cap_start $n "$OUT/$n.pcap"
    PYTHONUNBUFFERED=1 $PY "$HERE/real_pop_client.py" basic_mime > "$WORK/$n.raw" 2>&1
    cap_stop $n
    $PY "$HERE/real_elide.py" '*get* ' < "$WORK/$n.raw" > "$LOGS/$n.log"; txns $n poplib
    n=dovecot-any-sll
    IFACE=any cap_start $n "$OUT/$n.pcap" -y LINUX_SLL
    PYTHONUNBUFFERED=1 $PY "$HERE/real_pop_client.py" basic_mime > "$WORK/$n.raw" 2>&1
    cap_stop $n
    $PY "$HERE/real_elide.py" '*get* ' < "$WORK/$n.raw" > "$LOGS/$n.log"; txns $n poplib
fi

# 13. pcapng, written by dumpcap (Wireshark's capture engine)
if want pcapng; then
    n=dovecot-pcapng
    f=$OUT/$n.pcapng
    rm -f "$f"
    dumpcap -i lo -B 128 -f "$FILTER_LO" -w "$f" > "$WORK/$n.cap.err" 2>&1 &
    CAP_PID=$!
    for i in $(seq 1 50); do grep -q "^File:" "$WORK/$n.cap.err" && break; sleep 0.1; done
    sleep 0.5
    PYTHONUNBUFFERED=1 $PY "$HERE/real_pop_client.py" basic_mime > "$WORK/$n.raw" 2>&1
    sleep 1.5; kill -INT "$CAP_PID"; wait "$CAP_PID" || true; CAP_PID=""
    grep -qE "Packets received/dropped on interface '[^']*': [0-9]+/0 " "$WORK/$n.cap.err" \
        || { cat "$WORK/$n.cap.err" >&2; die "$n: dumpcap drops"; }
    log "$n: $(grep 'received/dropped' "$WORK/$n.cap.err")"
    chmod 644 "$f"
    $PY "$HERE/real_elide.py" '*get* ' < "$WORK/$n.raw" > "$LOGS/$n.log"
    txns $n poplib "$f"
fi

# 14. snaplen 96: headers and the first payload bytes only
if want snaplen; then
    n=dovecot-snaplen96
    cap_start $n "$OUT/$n.pcap" -s 96
    PYTHONUNBUFFERED=1 $PY "$HERE/real_pop_client.py" basic_mime > "$WORK/$n.raw" 2>&1
    cap_stop $n
    $PY "$HERE/real_elide.py" '*get* ' < "$WORK/$n.raw" > "$LOGS/$n.log"; txns $n poplib
    sed -i '2i # capture made with -s 96: most payloads are truncated (caplen < len); these are the\n# transactions the client saw, a monitor can only see the parts that fit in 96 bytes' "$OUT/$n.txns"
fi

# 15. capture starts while a session is already logged in
if want midsession; then
    n=dovecot-midsession
    flag=$WORK/mid.flag
    rm -f "$flag"
    PYTHONUNBUFFERED=1 $PY "$HERE/real_pop_client.py" midsession --flag "$flag" > "$WORK/$n.raw" 2>&1 &
    cl=$!
    for i in $(seq 1 100); do grep -q "### waiting" "$WORK/$n.raw" && break; sleep 0.1; done
    sleep 0.5
    cap_start $n "$OUT/$n.pcap"
    touch "$flag"
    wait $cl || die "$n: client failed"
    cap_stop $n
    $PY "$HERE/real_elide.py" '*get* ' < "$WORK/$n.raw" > "$LOGS/$n.log"; txns $n poplib
fi

# carol: DELE / RSET, then a committed DELE and a second session
# (changes carol's maildrop: keep it after every other case that reads carol)
want dele-commit && poplib_case dovecot-dele-commit delecommit

# 18. an MTU-1500 Ethernet path: veth pair between two namespaces of ours,
#     offloads off so frames are at most 1514 bytes as on a real wire
if want veth; then
    n=dovecot-veth-eth
    ip netns del pmr-cli 2>/dev/null || true; ip netns del pmr-srv 2>/dev/null || true
    ip netns add pmr-srv; ip netns add pmr-cli; NS_MADE=1
    ip link add pmr0 netns pmr-srv type veth peer name pmr1 netns pmr-cli
    ip -n pmr-srv addr add 192.0.2.1/24 dev pmr0
    ip -n pmr-cli addr add 192.0.2.2/24 dev pmr1
    for x in "pmr-srv pmr0" "pmr-cli pmr1"; do
        set -- $x
        ip -n "$1" link set lo up
        ip -n "$1" link set "$2" mtu 1500 up
        ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    done
    start_dovecot "$WORK/dovecot-ns" "192.0.2.1" pop3mon-real-ns pmr-srv
    DOVECOT2_PID=$LAST_PID
    wait_port 192.0.2.1 pmr-cli
    NS=pmr-cli IFACE=pmr1 FILTER='tcp port 110' cap_start $n "$OUT/$n.pcap"
    PYTHONUNBUFFERED=1 ip netns exec pmr-cli $PY "$HERE/real_pop_client.py" veth --host 192.0.2.1 \
        > "$WORK/$n.raw" 2>&1 || { cat "$WORK/$n.raw" >&2; die "$n: client failed"; }
    cap_stop $n
    $PY "$HERE/real_elide.py" '*get* ' < "$WORK/$n.raw" > "$LOGS/$n.log"; txns $n poplib
fi

# the server's own view (Dovecot log: logins, "Logged out" vs "Disconnected")
sed -e "s#$WORK#/tmp/pop3mon-real.X#g" "$DV/dovecot.log" > "$LOGS/dovecot-server.log"
[ -f "$WORK/dovecot-ns/dovecot.log" ] && sed -e "s#$WORK#/tmp/pop3mon-real.X#g" "$WORK/dovecot-ns/dovecot.log" > "$LOGS/dovecot-server-ns.log"
log "done: $(ls "$OUT" | grep -cE '\.pcap(ng)?$') captures in $OUT"
