# redis_lib.sh - a throwaway redis-server for the e2e tests (sourced):
# on 127.0.0.1, a free port, no snapshot, in the caller's $T, stopped by
# PID. Sets RPID; the caller's cleanup stops it (stop_redis "$RPID").
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# start_redis PORT [persist]: no snapshot, no AOF unless persist (then an
# AOF fsynced at every write, so a kill -9 loses nothing Redis answered).
start_redis() {
	if [ "${2:-}" = persist ]; then aof="--appendonly yes --appendfsync always"; else aof="--appendonly no"; fi
	redis-server --port "$1" --bind 127.0.0.1 --save "" $aof --dir "$T" --daemonize no \
		--logfile "$T/redis.log" &
	RPID=$!
	for i in $(seq 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "redis-server did not start"; cat "$T/redis.log"; return 1
}
stop_redis() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; RPID=; }
