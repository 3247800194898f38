#!/bin/sh
# The dashboard must end when its terminal goes away (tmux killed, ssh
# dropped) instead of spinning in browse mode: a regression seen once.
P=${1:-./pop3mon}
command -v tmux >/dev/null || { echo "ui hangup: 0 passed, 0 failed, 1 skipped (no tmux)"; exit 0; }
S=p3m-hup-$$
tmux new-session -d -s "$S" -x 100 -y 30 "$P -r pcaps/bad/intermail.pcap"
sleep 2
pid=$(pgrep -n -f "$P -r pcaps/bad/intermail.pcap")
tmux kill-session -t "$S"
for i in 1 2 3 4 5 6 7 8 9 10; do
	kill -0 "$pid" 2>/dev/null || { echo "PASS the dashboard exits when its terminal is gone"; echo "ui hangup: 1 passed, 0 failed"; exit 0; }
	sleep 0.5
done
kill "$pid" 2>/dev/null
echo "FAIL the dashboard still runs 5 s after its terminal went away"; echo "ui hangup: 0 passed, 1 failed"; exit 1
