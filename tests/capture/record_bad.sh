#!/bin/bash
# Record the misbehaving-server captures: pcaps/bad/<name>.pcap + .txns.
#
#   tests/capture/record_bad.sh            # everything
#   tests/capture/record_bad.sh NAME...    # only these captures
#
# For each capture: start tcpdump on lo with a host filter for the capture's
# own address, start tests/server/badpop3.py --scenario S on ADDR:110, drive
# it with a real client (Python poplib via tests/capture/bad_client.py;
# curl -v and fetchmail -v -v for the InterMail and clean cases), stop both,
# check that the kernel dropped no packet, and derive the .txns from the
# client's log.  The .findings beside each capture are written by hand
# (reasoned from docs/RULES.md) and are not touched here.
#
# Needs root (port 110, tcpdump), tshark, curl, fetchmail, runuser.
# Uses only 127.0.0.11-127.0.0.50; never touches other addresses.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=$(python3 -c 'import sys; print(sys.executable)')   # not a pyenv shim: $! must be python
OUT=pcaps/bad
LOGS=tests/capture/logs/bad
SERVER=tests/server/badpop3.py
CLIENT=tests/capture/bad_client.py
TXNS=tests/capture/bad_txns_from_log.py
mkdir -p "$OUT" "$LOGS"

TMP=$(mktemp -d /tmp/record_bad.XXXXXX)
chmod 755 "$TMP"
SRV_PID=""
TCPD_PID=""
cleanup() {
    [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
    [ -n "$TCPD_PID" ] && kill "$TCPD_PID" 2>/dev/null && wait "$TCPD_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# name -> "address scenario client"
declare -A CAP
CAP[intermail]="127.0.0.11 intermail poplib"
CAP[intermail-curl]="127.0.0.11 intermail curl"
CAP[intermail-fetchmail]="127.0.0.11 intermail fetchmail"
CAP[crowd]="127.0.0.12 crowd crowd"
CAP[clean]="127.0.0.13 clean poplib"
CAP[clean-curl]="127.0.0.13 clean curl"
CAP[clean-fetchmail]="127.0.0.13 clean fetchmail"
ORDER="intermail intermail-curl intermail-fetchmail crowd clean clean-curl clean-fetchmail"
n=20
for s in stat-list-count stat-uidl-count stat-list-octets impossible-drop-listing \
         listing-numbers list-uidl-numbers single-vs-listing msg-number-range \
         retr-size dele-not-applied rset-not-restored count-changed \
         announced-counts uid-duplicate uid-size-across-sessions \
         deleted-without-quit uid-malformed multiline-framing reply-syntax \
         wrong-state-accepted capa-contradiction stls-not-honoured \
         auth-exchange command-too-long reply-too-long in-use login-delay \
         sys-temp; do
    CAP[$s]="127.0.0.$n $s poplib"
    ORDER="$ORDER $s"
    n=$((n + 1))
done

# Hand-reviewed notes copied into the .txns as comments.
declare -A NOTE
NOTE[intermail]="Outlook's sequence from the seed trace (USER, PASS, STAT, UIDL, LIST, QUIT)"
NOTE[intermail-curl]="session 1 is curl pop3://user@host/ (LIST), session 2 is curl pop3://user@host/1 (RETR 1)"
NOTE[intermail-fetchmail]="fetchmail with 'uidl keep': STAT, UIDL, then LIST 1 (refused)"
NOTE[crowd]="sessions in SYN order; users ctl* get the InterMail behaviour, the others a consistent maildrop"
NOTE[multiline-framing]="session 1: RETR ends with '.\\r' (no LF), the client times out and closes; session 2: LIST has no final '.', the client times out and sends QUIT"
NOTE[reply-syntax]="the NOOP reply is a lowercase '+ok' (listed here as +OK)"
NOTE[stls-not-honoured]="the server answered +OK to STLS but the session stays in clear text, so the lines after STLS are listed"
NOTE[auth-exchange]="session 1: AUTH PLAIN, '+ ', client sends '*', server answers +OK; session 2: AUTH LOGIN prompts sent as clear text, not base64"
NOTE[deleted-without-quit]="session 1 ends without QUIT (the client closes the socket)"
NOTE[clean-curl]="session 1 is curl pop3://user@host/ (LIST), session 2 is curl pop3://user@host/1 (RETR 1)"

wait_for_line() {   # file pattern
    for _ in $(seq 1 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "timeout waiting for '$2' in $1" >&2
    return 1
}

fetchmail_rc() {   # addr user -> $TMP/fm/rc
    rm -rf "$TMP/fm"
    mkdir -p "$TMP/fm"
    cat > "$TMP/fm/rc" <<EOF
set no bouncemail
poll $1 protocol pop3 port 110 auth password uidl
  user "$2" password "secret" is "nobody" here
  sslproto '' keep
  mda "/bin/cat >/dev/null"
EOF
    chown -R nobody "$TMP/fm"
    chmod 600 "$TMP/fm/rc"
}

run_client() {   # name addr kind scenario
    local name=$1 addr=$2 kind=$3 scen=$4 log=$LOGS/$1.log
    case $kind in
    poplib)
        "$PY" -u "$CLIENT" "$addr" "$scen" > "$log" 2>&1 || true
        ;;
    crowd)
        rm -f "$LOGS"/crowd.client-*.log
        local pids=""
        for u in ctl1 alice ctl2 bob ctl3 carol; do
            "$PY" -u "$CLIENT" "$addr" crowd-one "$u" > "$LOGS/crowd.client-$u.log" 2>&1 &
            pids="$pids $!"
            sleep 0.07
        done
        for p in $pids; do wait "$p" || true; done
        ;;
    curl)
        # the listing (curl sends CAPA, USER, PASS, LIST) and RETR 1
        {
            (cd "$TMP" && curl -sS -v "pop3://user:secret@$addr/" -o "$TMP/curl.out") 2>&1 || true
            (cd "$TMP" && curl -sS -v "pop3://user:secret@$addr/1" -o "$TMP/curl.out") 2>&1 || true
        } | sed -e '/^{ \[/d' > "$log"
        ;;
    fetchmail)
        fetchmail_rc "$addr" user
        (cd "$TMP/fm" && runuser -u nobody -- env HOME="$TMP/fm" FETCHMAILHOME="$TMP/fm" \
            fetchmail -v -v --nosyslog -f "$TMP/fm/rc") > "$log" 2>&1 || true
        ;;
    esac
}

record() {   # name
    local name=$1
    read -r addr scen kind <<< "${CAP[$name]}"
    local pcap=$OUT/$name.pcap
    echo "== $name: $scen on $addr:110, client $kind"
    rm -f "$pcap" "$LOGS/$name.log" "$LOGS/$name.server.log" "$LOGS/$name.tcpdump.log"
    tcpdump -i lo -B 131072 -n -U -w "$pcap" "tcp port 110 and host $addr" \
        2> "$LOGS/$name.tcpdump.log" &
    TCPD_PID=$!
    wait_for_line "$LOGS/$name.tcpdump.log" "listening on"
    "$PY" "$SERVER" --listen "$addr" --port 110 --scenario "$scen" --idle 10 \
        2> "$LOGS/$name.server.log" &
    SRV_PID=$!
    wait_for_line "$LOGS/$name.server.log" "scenario $scen"
    run_client "$name" "$addr" "$kind" "$scen"
    sleep 0.5
    kill "$SRV_PID"; wait "$SRV_PID" || true; SRV_PID=""
    sleep 0.3
    kill "$TCPD_PID"; wait "$TCPD_PID" || true; TCPD_PID=""
    if ! grep -q "^0 packets dropped by kernel" "$LOGS/$name.tcpdump.log"; then
        echo "$name: tcpdump dropped packets:" >&2
        cat "$LOGS/$name.tcpdump.log" >&2
        exit 1
    fi
    local logs=$LOGS/$name.log
    [ "$kind" = crowd ] && logs=$(ls "$LOGS"/crowd.client-*.log)
    # shellcheck disable=SC2086
    "$PY" "$TXNS" --pcap "$pcap" ${NOTE[$name]:+--comment "${NOTE[$name]}"} \
        $logs > "$OUT/$name.txns"
    [ -f "$OUT/$name.findings" ] || echo "warning: $OUT/$name.findings missing" >&2
    if [ "$name" = crowd ]; then
        # crowd.findings numbers the sessions: check the SYN order held
        local users
        users=$(awk -F'\t' '$2 == "USER" {printf "%s ", $3}' "$OUT/crowd.txns")
        if [ "$users" != "ctl1 alice ctl2 bob ctl3 carol " ]; then
            echo "crowd: sessions in unexpected order ($users); crowd.findings" \
                 "assumes ctl1 alice ctl2 bob ctl3 carol" >&2
            exit 1
        fi
    fi
}

if [ $# -gt 0 ]; then
    for n in "$@"; do
        [ -n "${CAP[$n]:-}" ] || { echo "unknown capture: $n" >&2; exit 2; }
        record "$n"
    done
else
    for n in $ORDER; do record "$n"; done
fi
echo "done: $(ls "$OUT"/*.pcap | wc -l) captures in $OUT"
