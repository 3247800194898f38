#!/bin/sh
# save.sh - saving packets: -w with the selection options, files made 0600,
# messages that name the path once; and the dashboard's W/w in tmux as a
# person does it, live as root with the privilege drop to nobody, in a
# directory only root may write (the normal setup that used to fail): the
# prompt offers a name, Esc cancels, Enter saves, the file is 0600 and
# re-reads to the same findings.
# The live part needs root, ip, tcpreplay and tmux; it is skipped (said)
# otherwise.
set -u
P=${1:-./pop3mon}
case $P in /*) ;; *) P=$PWD/$P ;; esac
CAP=$PWD/pcaps/bad/crowd.pcap # 3 flagged sessions (ctl1-3), 3 clean (alice, bob, carol)
T=$(mktemp -d)
SOCK=p3m-save-$$-1 # a tmux server per part: one that is ending never takes a new session
NS= A=
tmux() { command tmux -L "$SOCK" "$@"; }
cleanup() {
	command -v tmux >/dev/null && for k in 1 2 3; do command tmux -L "p3m-save-$$-$k" kill-server 2>/dev/null; done
	[ -n "$A" ] && ip link del "$A" 2>/dev/null
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
ok=0 bad=0 skip=0
check() { if eval "$2"; then ok=$((ok + 1)); echo "PASS $1"; else bad=$((bad + 1)); echo "FAIL $1"; fi; }
mode() { stat -c %a "$1" 2>/dev/null; }
# users and rules of each session of a capture, sorted: "ctl1 stat-uidl-count,..."
findings() {
	"$P" -r "$1" --json - 2>/dev/null | python3 -c '
import json, sys
s = {}
for l in sys.stdin:
    e = json.loads(l)
    if e["event_type"] == "pop3_session":
        s.setdefault(e["flow_id"], [e["pop3_session"].get("user", ""), []])[0] = e["pop3_session"].get("user", "")
    elif e["event_type"] == "pop3_finding":
        s.setdefault(e["flow_id"], ["", []])[1].append(e["finding"]["rule"])
for u, r in sorted(s.values()):
    print(u, ",".join(sorted(r)))'
}

# ---- -w and the selection ------------------------------------------------
umask 022
"$P" -r "$CAP" -w "$T/flagged.pcap" --report > /dev/null 2>&1
check "-w without a selection: the 3 flagged sessions" \
	"[ \"\$(findings $T/flagged.pcap | cut -d' ' -f1 | tr '\n' ' ')\" = 'ctl1 ctl2 ctl3 ' ]"
check "-w file is created 0600 (it holds passwords), whatever the umask (got $(mode "$T/flagged.pcap"))" \
	"[ \"\$(mode $T/flagged.pcap)\" = 600 ]"
"$P" -r "$CAP" -w "$T/alice.pcap" --user alice --report > /dev/null 2>&1
check "-w --user alice: only alice's session, clean as it is" \
	"[ \"\$(findings $T/alice.pcap | cut -d' ' -f1)\" = alice ]"
"$P" -r "$CAP" -w "$T/ctl2.pcap" --user ctl2 --report > /dev/null 2>&1
check "-w --user ctl2: that session, re-read to the same findings" \
	"[ \"\$(findings $T/ctl2.pcap)\" = \"\$(findings $CAP | grep '^ctl2 ')\" ]"
"$P" -r "$CAP" -w "$T/rule.pcap" --rule cleartext-credentials --server 127.0.0.12 --report > /dev/null 2>&1
check "-w --rule cleartext-credentials --server: the 6 sessions that hit it" \
	"[ \"\$(findings $T/rule.pcap | wc -l)\" = 6 ]"
touch "$T/old.pcap"; chmod 644 "$T/old.pcap"
"$P" -r "$CAP" -w "$T/old.pcap" --report > /dev/null 2>&1
check "-w over an existing 0644 file makes it 0600" "[ \"\$(mode $T/old.pcap)\" = 600 ]"
"$P" -r "$CAP" -w /nonexistent-dir/x.pcap --report > /dev/null 2> "$T/w.err"
check "-w into a missing directory: one line naming the path once ($(head -1 "$T/w.err"))" \
	"[ \"\$(cat $T/w.err)\" = 'pop3mon: /nonexistent-dir/x.pcap: No such file or directory' ]"

# ---- the dashboard's save, live, root dropping to nobody --------------------
if [ "$(id -u)" != 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null ||
	! command -v tmux >/dev/null; then
	skip=1; echo "SKIP the dashboard's save live with the privilege drop (needs root, ip, tcpreplay, tmux)"
else
	NS=p3m-save-$$ A=p3s$$a B=p3s$$b
	if ! ip netns add "$NS" 2>/dev/null; then
		NS=; skip=1; echo "SKIP the dashboard's save live (cannot create a network namespace)"
	else
		ip link add "$A" type veth peer name "$B" && ip link set "$B" netns "$NS" &&
			ip link set "$A" up && ip -n "$NS" link set "$B" up
		W=$T/rootonly; mkdir -m 700 "$W" # where nobody may not write
		screen() { tmux capture-pane -t s -p; }
		wait_for() { i=0; while [ $i -lt 50 ]; do screen | grep -Eq -- "$1" && return 0; sleep 0.2; i=$((i + 1)); done; return 1; }
		tmux new-session -d -s s -x 150 -y 40 -c "$W" "sh -c 'echo \$\$ > $T/pid; exec $P -i $A'"
		sleep 1.5
		PID=$(cat "$T/pid")
		check "live dashboard runs as nobody after opening the device" \
			"[ \"\$(ps -o user= -p $PID | tr -d ' ')\" = nobody ]"
		ip netns exec "$NS" tcpreplay -q -i "$B" "$CAP" > /dev/null 2>&1
		check "the dashboard lists the replayed sessions" "wait_for 'ctl3'"
		tmux send-keys -t s W; sleep 0.5
		check "W opens a prompt with a default name in the current directory" \
			"screen | grep -Eq 'Save 3 sessions in $W as: pop3mon-[0-9]{8}T[0-9]{6}Z\\.pcap_'"
		tmux send-keys -t s Escape; sleep 0.5
		check "Esc cancels: said, nothing written" "screen | grep -q 'Save cancelled' && [ -z \"\$(ls $W)\" ]"
		tmux send-keys -t s W; sleep 0.3
		tmux send-keys -t s C-u; tmux send-keys -t s -l saved.pcap; sleep 0.3
		tmux send-keys -t s Enter
		check "Enter saves: the message names the path once" \
			"wait_for 'Saved 3 sessions to $W/saved.pcap \\(mode 0600' && [ \$(screen | grep -o '$W/saved.pcap' | wc -l) = 1 ]"
		check "the saved file exists, mode 0600, owned by root (got $(stat -c '%a %U' "$W/saved.pcap" 2>/dev/null))" \
			"[ \"\$(stat -c '%a %U' $W/saved.pcap)\" = '600 root' ]"
		check "it re-reads to the same findings as the capture's flagged sessions" \
			"[ -n \"\$(findings $W/saved.pcap)\" ] && [ \"\$(findings $W/saved.pcap)\" = \"\$(findings $CAP | grep '^ctl')\" ]"
		tmux send-keys -t s W; sleep 0.3
		tmux send-keys -t s C-u; tmux send-keys -t s -l saved.pcap; tmux send-keys -t s Enter
		check "the same name again: not overwritten, and said what to do" \
			"wait_for 'Not saved: $W/saved.pcap exists already: give another name'"
		tmux send-keys -t s W; sleep 0.3
		tmux send-keys -t s C-u; tmux send-keys -t s -l ../escape.pcap; tmux send-keys -t s Enter
		check "a path instead of a name is refused, pointing at --save-dir" \
			"wait_for 'is not a file name: files are saved in $W \\(start pop3mon with --save-dir' && [ ! -e $T/escape.pcap ]"
		tmux send-keys -t s q
		i=0; while [ $i -lt 25 ] && kill -0 "$PID" 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
		check "q ends pop3mon and its file creator" "! kill -0 $PID 2>/dev/null && ! pgrep -x pop3mon-save >/dev/null"
		tmux kill-server 2>/dev/null
	fi
fi

# ---- the dashboard's save on a file, --save-dir -------------------------------
if command -v tmux >/dev/null; then
	SOCK=p3m-save-$$-2
	mkdir "$T/saves"
	tmux new-session -d -s f -x 150 -y 40 "$P -r $CAP --save-dir $T/saves"
	sleep 1.5
	tmux send-keys -t f W; sleep 0.3; tmux send-keys -t f Enter; sleep 0.8
	f=$(ls "$T/saves" 2>/dev/null | head -1)
	check "file run, --save-dir: W then Enter saves the default name there, 0600 ($f)" \
		"[ -n '$f' ] && [ \"\$(mode $T/saves/$f)\" = 600 ] && [ \"\$(findings $T/saves/$f | wc -l)\" = 3 ]"
	tmux kill-server 2>/dev/null
fi
if command -v tmux >/dev/null; then
	SOCK=p3m-save-$$-3
	tmux new-session -d -s e -x 100 -y 30 "$P -r $CAP --save-dir /nonexistent-dir 2> $T/sd.err; echo \$? > $T/sd.rc"
	i=0; while [ $i -lt 25 ] && [ ! -s "$T/sd.rc" ]; do sleep 0.2; i=$((i + 1)); done
	check "--save-dir that cannot be opened: one clear line, status 2" \
		"[ \"\$(cat $T/sd.err)\" = 'pop3mon: --save-dir /nonexistent-dir: No such file or directory' ] && [ \"\$(cat $T/sd.rc)\" = 2 ]"
	tmux kill-server 2>/dev/null
fi
echo "save: $ok passed, $bad failed, $skip skipped"
[ "$bad" -eq 0 ]
