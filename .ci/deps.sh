#!/bin/sh
# Install what building and testing pop3mon needs on Debian, if missing.
# As root this runs apt-get; otherwise it prints the exact command to run.
PKGS="build-essential pkg-config libpcap-dev libncurses-dev libcmocka-dev libjansson-dev tcpdump tshark jq python3 tmux clang libclang-rt-dev valgrind time tcpreplay iproute2 libhiredis-dev redis-server"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "pop3mon: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
		echo "pop3mon: apt-get install failed for:$missing" >&2; exit 1; }
else
	echo "pop3mon: missing packages. Run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
