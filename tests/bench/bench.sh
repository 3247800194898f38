#!/usr/bin/env bash
# pop3mon benchmark: pop3mon vs tcpdump vs tshark on synthetic POP3 captures,
# then pop3mon's findings vs the generator's ground truth.
#
#   tests/bench/bench.sh              generate/reuse the captures, time, check
#   tests/bench/bench.sh gen          only generate the captures
#   tests/bench/bench.sh check-small  ~5 MB capture, fixed seed, truth check only
#
# Environment (defaults in brackets):
#   BENCH_SIZES [300 1000]  capture sizes in MB (10^6 bytes)
#   BENCH_REPS [3]          timed runs per tool and file (interleaved)
#   BENCH_SEED [1]          generator seed
#   BENCH_TSHARK_MAX [120]  seconds; if tshark's first run on a file takes
#                           longer, it is not repeated on that file
#   BENCH_LIVE [1]          0: skip the live replay (tests/bench/live_drops.sh)
#   BENCH_DATA [tests/bench/data]   where captures live (gitignored)
#   POP3MON [./pop3mon]     binary under test
# Run from anywhere; paths are relative to the repository top.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 2

BDIR=tests/bench
DATA=${BENCH_DATA:-$BDIR/data}
SIZES=${BENCH_SIZES:-300 1000}
REPS=${BENCH_REPS:-3}
SEED=${BENCH_SEED:-1}
TSHARK_MAX=${BENCH_TSHARK_MAX:-120}
POP3MON=${POP3MON:-./pop3mon}
GEN=$BDIR/gen_pop3_pcap
TIME=/usr/bin/time
MODE=${1:-bench}

die() { echo "bench: $*" >&2; exit 2; }

[ -x "$GEN" ] || die "$GEN not built (make bench-gen, or: cc -O2 -o $GEN $GEN.c)"
mkdir -p "$DATA" || die "cannot create $DATA"

have_pop3mon() { [ -x "$POP3MON" ]; }

# gen NAME SIZE_MB SEED [extra generator options]: (re)generate when missing
# or older than the generator; sets PCAP, TRUTH, GENLOG
gen() {
	local name=$1 size=$2 seed=$3
	shift 3
	PCAP=$DATA/$name.pcap TRUTH=$DATA/$name.truth.tsv GENLOG=$DATA/$name.gen.txt
	if [ -s "$PCAP" ] && [ -s "$TRUTH" ] && [ -s "$GENLOG" ] && [ "$PCAP" -nt "$GEN" ]; then
		echo "bench: reusing $PCAP"
		return 0
	fi
	echo "bench: generating $PCAP (~$size MB, seed $seed $*)"
	if ! "$GEN" -o "$PCAP.tmp" -t "$TRUTH.tmp" -s "$size" -S "$seed" "$@" 2>"$GENLOG"; then
		cat "$GENLOG" >&2
		rm -f "$PCAP.tmp" "$TRUTH.tmp"
		die "generator failed"
	fi
	mv "$TRUTH.tmp" "$TRUTH" && mv "$PCAP.tmp" "$PCAP"
	sed 's/^/  /' "$GENLOG"
}

# truth_check PCAP TRUTH: run pop3mon with JSON output and compare
truth_check() {
	local pcap=$1 truth=$2 json=${1%.pcap}.pop3mon.json rc
	if ! have_pop3mon; then
		echo "bench: $POP3MON not found (make pop3mon): truth check of $pcap skipped"
		return 3
	fi
	echo "bench: truth check: $POP3MON -r $pcap --json $json --report >/dev/null"
	"$POP3MON" -r "$pcap" --json "$json" --report >/dev/null 2>"$json.stderr"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "bench: pop3mon exited with status $rc on $pcap:" >&2
		head -5 "$json.stderr" >&2
		return 1
	fi
	python3 "$BDIR/check_truth.py" "$truth" "$json"
}

if [ "$MODE" = check-small ]; then
	gen small_s42 5 42 -j 25 -m 40
	truth_check "$PCAP" "$TRUTH"
	rc=$?
	[ "$rc" = 3 ] && exit 2
	exit "$rc"
fi

files=()
for sz in $SIZES; do
	gen "pop3_${sz}M_s$SEED" "$sz" "$SEED"
	files+=("$PCAP")
done
[ "$MODE" = gen ] && exit 0
[ "$MODE" = bench ] || die "unknown mode '$MODE' (bench, gen, check-small)"

[ -x "$TIME" ] || die "$TIME missing (apt-get install time)"
command -v tcpdump >/dev/null || die "tcpdump missing"
have_tshark=0
command -v tshark >/dev/null && have_tshark=1
have_pop3mon || echo "bench: $POP3MON not found (make pop3mon): timing tcpdump/tshark only"
[ "$have_tshark" = 1 ] || echo "bench: tshark not installed: not timed"

RES=$(mktemp "${TMPDIR:-/tmp}/pop3bench.XXXXXX") || die "mktemp"
TMPT=$RES.time
trap 'rm -f "$RES" "$TMPT" "$RES.err"' EXIT

# timed TOOL FILE CMD...: appends "file tool wall_s rss_kb" to $RES
timed() {
	local tool=$1 file=$2 rc
	shift 2
	local t0=$EPOCHREALTIME t1
	"$TIME" -f '%e %M' -o "$TMPT" "$@" >/dev/null 2>"$RES.err"
	rc=$?
	t1=$EPOCHREALTIME
	# pop3mon: 1 = contradictions found, not a failure
	if [ "$rc" -ne 0 ] && ! { [ "$tool" = pop3mon ] && [ "$rc" = 1 ]; }; then
		echo "bench: $tool failed (exit $rc) on $file:" >&2
		grep -v 'Running as user' "$RES.err" | head -3 >&2
		return 1
	fi
	# wall clock from bash's microsecond clock (GNU time's %e has 10 ms
	# resolution, too coarse for tcpdump); peak RSS from GNU time
	read -r wall rss < <(tail -n 1 "$TMPT")
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')
	echo "$file $tool $wall $rss" >>"$RES"
	printf '  %-8s %8.3f s %8.1f MB RSS\n' "$tool" "$wall" "$(echo "$rss" | awk '{print $1/1024}')"
	LAST_WALL=$wall
}

notes=()
for f in "${files[@]}"; do
	echo "bench: $f: warming the page cache"
	cat "$f" >/dev/null
	tshark_once=0
	for rep in $(seq 1 "$REPS"); do
		echo "bench: $f run $rep/$REPS"
		if have_pop3mon; then
			timed pop3mon "$f" "$POP3MON" -r "$f" --report --json /dev/null
		fi
		timed tcpdump "$f" tcpdump -r "$f" -w /dev/null
		if [ "$have_tshark" = 1 ] && [ "$tshark_once" = 0 ]; then
			if timed tshark "$f" tshark -r "$f" -Y pop; then
				if [ "$rep" = 1 ] && [ "$REPS" -gt 1 ] &&
					awk -v w="$LAST_WALL" -v m="$TSHARK_MAX" 'BEGIN{exit !(w > m)}'; then
					tshark_once=1
					notes+=("tshark ran once on $(basename "$f"): first run ${LAST_WALL}s > BENCH_TSHARK_MAX=${TSHARK_MAX}s")
					echo "bench: tshark took ${LAST_WALL}s (> ${TSHARK_MAX}s): not repeated on this file"
				fi
			fi
		fi
	done
done

# summary table
python3 - "$RES" "${files[@]}" <<'EOF'
import os, re, statistics, subprocess, sys
res, files = sys.argv[1], sys.argv[2:]
runs = {}
for ln in open(res):
    f, tool, wall, rss = ln.split()
    runs.setdefault((f, tool), []).append((float(wall), int(rss)))
def packets(f):
    g = f[:-5] + ".gen.txt"
    try:
        m = re.search(r"frames=(\d+)", open(g).read())
        if m:
            return int(m.group(1)), open(g).read()
    except OSError:
        pass
    out = subprocess.run(["capinfos", "-M", "-c", f], capture_output=True, text=True).stdout
    m = re.search(r"Number of packets:\s*(\d+)", out)
    return (int(m.group(1)) if m else 0), ""
print()
print("=" * 96)
for f in files:
    size = os.path.getsize(f)
    npk, glog = packets(f)
    sess = re.search(r"sessions=(\d+)", glog)
    gmb = re.search(r"mbps=(\d+)", glog)
    print("%s: %.1f MB, %d packets%s%s" % (os.path.basename(f), size / 1e6, npk,
          ", %s POP3 sessions" % sess.group(1) if sess else "",
          " (generated at %s MB/s)" % gmb.group(1) if gmb else ""))
    print("  %-8s %4s %9s %9s %10s %12s %16s %14s" % ("tool", "runs", "median s", "MB/s",
          "kpkt/s", "peak RSS MB", "pop3mon speed", "pop3mon RSS"))
    p = runs.get((f, "pop3mon"))
    pw = statistics.median(w for w, _ in p) if p else None
    pr = max(r for _, r in p) if p else None
    for tool in ("pop3mon", "tcpdump", "tshark"):
        r = runs.get((f, tool))
        if not r:
            print("  %-8s %4s %9s" % (tool, 0, "not run"))
            continue
        w = statistics.median(x for x, _ in r)
        rss = max(x for _, x in r)
        wq = max(w, 0.005)
        sp = rs = ""
        if pw is not None and tool != "pop3mon":
            ratio = wq / max(pw, 0.005)
            sp = "%.2fx faster" % ratio if ratio >= 1 else "%.2fx slower" % (1 / ratio)
            rs = "%.2fx" % (pr / rss)
        print("  %-8s %4d %9.3f %9.1f %10.1f %12.1f %16s %14s" % (tool, len(r), w,
              size / 1e6 / wq, npk / 1e3 / wq, rss / 1024, sp, rs))
    print()
# The targets of the speed issue, as figures: the time ratio on the
# largest file, pop3mon's peak RSS, and how RSS moves with the file's size.
# Not a pass/fail: a noisy machine moves the time, so every run is shown.
done = [f for f in files if runs.get((f, "pop3mon"))]
if done:
    big = max(done, key=os.path.getsize)
    big_walls = [w for w, _ in runs[(big, "pop3mon")]]
    print("targets (largest file, %s):" % os.path.basename(big))
    print("  pop3mon runs: %s s" % ", ".join("%.3f" % w for w in big_walls))
    t = runs.get((big, "tcpdump"))
    if t:
        ratio = statistics.median(big_walls) / max(statistics.median(w for w, _ in t), 0.005)
        print("  wall time, pop3mon / tcpdump: %.2fx (target at most 1.5x: %s)" %
              (ratio, "met" if ratio <= 1.5 else "NOT met"))
    peak = {f: max(r for _, r in runs[(f, "pop3mon")]) / 1024 for f in done}
    print("  peak RSS: %s (target under 64 MiB: %s)" %
          (", ".join("%.1f MiB at %.0f MB" % (peak[f], os.path.getsize(f) / 1e6)
                     for f in sorted(done, key=os.path.getsize)),
           "met" if max(peak.values()) < 64 else "NOT met"))
    print()
print("pop3mon speed = the tool's median time / pop3mon's (\"faster\": pop3mon took less time);")
print("pop3mon RSS = pop3mon's peak RSS / the tool's.  Page cache warm; wall: bash $EPOCHREALTIME, RSS: GNU time %M.")
print("=" * 96)
EOF
for n in "${notes[@]+"${notes[@]}"}"; do echo "note: $n"; done

status=0
# Live: the 300 MB capture (else the first) replayed at full speed onto a
# veth pair, pop3mon and tcpdump capturing side by side.
if [ "${BENCH_LIVE:-1}" != 0 ] && have_pop3mon; then
	live=${files[0]}
	for f in "${files[@]}"; do case $f in *_300M_*) live=$f ;; esac; done
	POP3MON=$POP3MON bash "$BDIR/live_drops.sh" "$live" "$REPS"
	case $? in 0 | 3) ;; *) status=1 ;; esac
fi
for i in "${!files[@]}"; do
	f=${files[$i]}
	truth_check "$f" "${f%.pcap}.truth.tsv"
	rc=$?
	[ "$rc" = 1 ] && status=1
done
exit "$status"
