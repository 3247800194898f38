#!/bin/sh
# End-to-end tests, run by `make check` (from the top of the tree).
# Each part prints its own PASS/FAIL lines; this prints the closing tally.
set -u
P=./pop3mon
pass=0 fail=0
part() { # name, command...
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "e2e PASS: $name"
	else fail=$((fail + 1)); echo "e2e FAIL: $name"; fi
}

part "captures vs expected txns/findings" python3 tests/e2e/check_captures.py $P
part "captures vs expected, under ASan+UBSan" env ASAN_OPTIONS=detect_leaks=1 \
	python3 tests/e2e/check_captures.py ./pop3mon-asan
part "dissection agrees with tshark" python3 tests/e2e/tshark_compare.py $P
part "tunnelled captures equal the unwrapped ones (JSON, tshark, VNIs, malformed)" \
	python3 tests/e2e/tunnels.py $P
part "reassembled bytes equal tshark's follow" python3 tests/e2e/streams_vs_tshark.py $P
part "bad input and exit status" sh tests/e2e/bad_input.sh $P
part "usage errors: one line and Try; a path named once; what a selection chose" sh tests/e2e/usage_errors.sh $P
part "man page and --help name the same options" sh tests/e2e/options_doc.sh $P
part "the event stage includes nothing of the sinks" sh tests/e2e/layers.sh
part "--from: JSON replayed equals JSON and report, every capture" sh tests/e2e/from_json.sh $P ./pop3mon-asan
part "--from: bad lines refused one by one, exit 2" sh tests/e2e/from_bad_input.sh $P ./pop3mon-asan
part "--from: the dashboard in tmux shows the replay as the capture" sh tests/e2e/from_tmux.sh $P
part "report and JSON golden files" sh tests/e2e/golden.sh $P
part "POP3 by content, not POP3, no silent all-clear" sh tests/e2e/detect.sh $P
part "live: refused, unanswered and silent-server connections end by their reasons" sh tests/e2e/live_conn.sh $P
part "secrets redacted, wire text sanitised" sh tests/e2e/secrets.sh $P
part "dashboard ends when its terminal goes away" sh tests/e2e/ui_hangup.sh $P
part "live capture on a veth pair: privilege drop, SIGTERM flush" sh tests/e2e/live.sh $P
part "live: tunnelled POP3 through VXLAN, GRE and L2TP on a veth pair" sh tests/e2e/live_tunnels.sh $P
part "live capture idle: under 1 % of a core in every mode" sh tests/e2e/idle.sh $P
part "saving: -w selection and 0600, the dashboard's save live after the privilege drop" sh tests/e2e/save.sh $P
part "the dashboard's ledger drops reach the stats record and the replay's report; none without it" sh tests/e2e/ledger_stats_tmux.sh $P
part "memory: every mode under 64 MiB on a capture with many sessions" sh tests/e2e/memory.sh $P
part "memory: a short live soak (30 s), RSS under 64 MiB and flat" sh -c 'make -s tests/bench/gen_pop3_pcap && bash tests/bench/soak.sh 30; s=$?; [ $s = 0 ] || [ $s = 3 ]'
part "Redis Streams: publish, two sensors, auth, closed port, restart" sh tests/e2e/redis.sh $P
part "Redis Streams, under ASan+UBSan" env ASAN_OPTIONS=detect_leaks=1 sh tests/e2e/redis.sh ./pop3mon-asan
part "live with a frozen Redis: the capture drops nothing, every session in the local JSON (QinQ too)" sh tests/e2e/live_publish.sh $P
part "benchmark generator ground truth (small)" make -s bench-check-small
part "dashboard in tmux, as a person uses it" sh tests/e2e/ui_tmux.sh $P
part "dashboard list, header and ladder at 80x24 and 200x50 (IPv6, ms, sort, symptom search, a waiting command)" sh tests/e2e/ui_list_tmux.sh $P
part "the wall in tmux: states, grouped findings, sizes, keys, a stale live capture" sh tests/e2e/wall_tmux.sh $P
part "the wall with sensors in tmux: a line per sensor, SILENT after three heartbeats, sums, tiles name sensors" \
	sh tests/e2e/wall_sensors_tmux.sh $P
part "the servers view in tmux: address and port, rows add up, whole rule ids, folding, Esc back" sh tests/e2e/servers_tmux.sh $P
part "hostile input: bounds, counters, terminal safety (quick sizes)" make -s hostile-quick
part "fuzz targets, briefly, on the seed corpus (and the crash reproducers)" sh -c 'make -s fuzz-smoke && make -s fuzz-repro'
part "valgrind: no error or leak on every capture" make -s valgrind
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
