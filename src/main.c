/*
 * main.c - options, wiring, the run loop and the exit status. No protocol
 * logic lives here: each frame goes source -> decode -> flow table (which
 * drives reassembly, the dissector and the checks through the session
 * manager's callbacks) -> events -> sinks.
 *
 * Exit status (tcpdump's habits): 0 no contradiction, 1 contradictions
 * found (a session with an error or warning finding), 2 usage or input
 * error. Fatal exits happen only here, after the terminal is restored.
 */
#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "checks.h"
#include "decode.h"
#include "event.h"
#include "flagged.h"
#include "flow.h"
#include "pop3.h"
#include "session.h"
#include "sinks.h"
#include "ui.h"
#include "util.h"

#define POP3MON_VERSION "0.1.0"
#define MAX_SOURCES 64
#define MAX_PORTS 32
#define EXIT_CLEAN 0
#define EXIT_FLAGGED 1
#define EXIT_INPUT 2

struct options {
	const char *files[MAX_SOURCES];
	size_t nfiles;
	const char *iface;
	const char *write_path;     /* -w: flagged sessions */
	const char *json_path;
	const char *drop_user;      /* -Z */
	const char *streams_dir;
	char *bpf;                  /* owned */
	uint64_t count;             /* -c */
	int buffer_kib, snaplen;
	uint16_t ports[MAX_PORTS];
	size_t nports;
	bool report, verbose, localtime, wall, realtime, show_secrets, no_color, streams;
	bool promisc;
	uint64_t stats_interval_s;
	struct sink_filter filter;
	struct checks_opts checks;
	struct flow_opts flow;
	uint64_t spool_max;
};

static volatile sig_atomic_t stop_requested;
static struct source *current_source;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (current_source)
		source_breakloop(current_source);
}

static void on_crash_signal(int sig)
{
	ui_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: pop3mon [-r FILE]... [-i IFACE] [options] [BPF expression]\n"
"Watch POP3 sessions and flag servers whose message counts contradict themselves.\n"
"\n"
"Input:\n"
"  -r FILE            read a pcap or pcapng file (\"-\" for stdin); repeatable\n"
"  -i IFACE           capture live from IFACE\n"
"  -p, --ports LIST   POP3 ports to watch, comma separated (default 110,995;\n"
"                     995 is shown as encrypted POP3S)\n"
"  -B KIB             kernel capture buffer size in KiB (live; default 16384)\n"
"  -s SNAPLEN         bytes to capture per packet (live, default 262144)\n"
"  -c COUNT           stop after COUNT frames\n"
"  -Z USER            drop privileges to USER after opening the device\n"
"                     (default when root: nobody)\n"
"  -n                 accepted for tcpdump habits; pop3mon never resolves names\n"
"  --promisc          put the interface in promiscuous mode\n"
"  --realtime         replay files at capture speed (demos)\n"
"  BPF expression     capture filter (live default: the POP3 ports, VLAN-tagged too)\n"
"\n"
"Output (a TTY gets the dashboard; a pipe or --report gets the text report):\n"
"  --report           print the text report on stdout\n"
"  --json FILE        write JSON lines (\"-\" for stdout)\n"
"  -w FILE            write the packets of flagged sessions to a pcap\n"
"  --wall             read-only wall display for a NOC\n"
"  --streams          print per-flow stream summaries instead of the report\n"
"  --streams-dir DIR  also write each flow's reassembled bytes to DIR/ID.c2s, .s2c\n"
"  -v                 report: transcripts of clean sessions too\n"
"  --localtime        report times in local time instead of UTC\n"
"  --stats-interval S JSON: a stats event every S seconds\n"
"  --no-color         dashboard without colour (NO_COLOR is honoured too)\n"
"\n"
"What to report:\n"
"  --only-flagged     only sessions with an error or warning finding\n"
"  --rule ID          only sessions that broke rule ID (--list-rules lists them)\n"
"  --list-rules       print every rule: id, severity, RFC basis, client symptom\n"
"  --server ADDR      only sessions with server ADDR\n"
"  --user NAME        only sessions of user NAME\n"
"  --show-secrets     do not redact PASS, APOP digests and AUTH payloads (labs only)\n"
"  --slow MS          notice replies slower than MS milliseconds (default 5000)\n"
"  --octets-tolerance N  allow STAT and LIST octets to differ by N (default 0)\n"
"\n"
"Bounds (each has a counter in the stats):\n"
"  --max-flows N      concurrent flows before LRU eviction (default %d)\n"
"  --flow-timeout S   idle seconds before a flow is closed (default %d)\n"
"  --reasm-flow KIB   out-of-order bytes buffered per direction (default %u)\n"
"  --reasm-total MIB  out-of-order bytes buffered in all (default %u)\n"
"  --spool-max MIB    disk spool for -w (default %llu)\n"
"\n"
"  -h, --help         this help;   --version   the version\n"
"\n"
"Exit status: 0 no contradiction found, 1 contradictions found,\n"
"2 usage or input error (the message names the file, frame and problem).\n",
		FLOW_MAX_DEFAULT, FLOW_IDLE_TIMEOUT_DEFAULT_S, REASM_PER_DIR_DEFAULT / 1024,
		REASM_TOTAL_DEFAULT / (1024 * 1024),
		(unsigned long long)(FLAGGED_SPOOL_MAX_DEFAULT >> 20));
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "pop3mon: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'pop3mon --help'.\n");
	va_end(ap);
	exit(EXIT_INPUT);
}

static uint64_t parse_num(const char *s, const char *what, uint64_t max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die_usage("bad number for %s", what);
	return v;
}

static void parse_ports(struct options *o, const char *list)
{
	o->nports = 0;
	char *copy = xstrdup(list), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->nports == MAX_PORTS)
			die_usage("too many ports in '%s'", list);
		uint64_t p = parse_num(t, "--ports", 65535);
		if (p == 0)
			die_usage("bad port in '%s'", list);
		o->ports[o->nports++] = (uint16_t)p;
	}
	free(copy);
	if (o->nports == 0)
		die_usage("no ports in '%s'", list);
}

enum {
	OPT_REPORT = 256, OPT_JSON, OPT_WALL, OPT_STREAMS, OPT_STREAMS_DIR, OPT_LOCALTIME,
	OPT_ONLY_FLAGGED, OPT_RULE, OPT_SERVER, OPT_USER, OPT_SHOW_SECRETS, OPT_SLOW,
	OPT_MAX_FLOWS, OPT_FLOW_TIMEOUT, OPT_REASM_FLOW, OPT_REASM_TOTAL, OPT_SPOOL_MAX,
	OPT_VERSION, OPT_REALTIME, OPT_NO_COLOR, OPT_STATS_INTERVAL, OPT_PROMISC, OPT_OCTETS_TOL,
	OPT_LIST_RULES,
};

/* The catalogue, from rules.def: id, severity, RFC basis, client symptom. */
static void list_rules(void)
{
	for (int r = 0; r < R__COUNT; r++) {
		printf("%-26s %-8s %s\n", rule_name(r), severity_name(rule_severity(r)), rule_rfc(r));
		if (rule_symptom(r))
			printf("%-26s %-8s %s\n", "", "", rule_symptom(r));
	}
}

static void parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "ports", required_argument, NULL, 'p' },
		{ "report", no_argument, NULL, OPT_REPORT },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "wall", no_argument, NULL, OPT_WALL },
		{ "streams", no_argument, NULL, OPT_STREAMS },
		{ "streams-dir", required_argument, NULL, OPT_STREAMS_DIR },
		{ "localtime", no_argument, NULL, OPT_LOCALTIME },
		{ "only-flagged", no_argument, NULL, OPT_ONLY_FLAGGED },
		{ "rule", required_argument, NULL, OPT_RULE },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "user", required_argument, NULL, OPT_USER },
		{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
		{ "slow", required_argument, NULL, OPT_SLOW },
		{ "octets-tolerance", required_argument, NULL, OPT_OCTETS_TOL },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "flow-timeout", required_argument, NULL, OPT_FLOW_TIMEOUT },
		{ "reasm-flow", required_argument, NULL, OPT_REASM_FLOW },
		{ "reasm-total", required_argument, NULL, OPT_REASM_TOTAL },
		{ "spool-max", required_argument, NULL, OPT_SPOOL_MAX },
		{ "realtime", no_argument, NULL, OPT_REALTIME },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "promisc", no_argument, NULL, OPT_PROMISC },
		{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->ports[0] = 110;
	o->ports[1] = 995;
	o->nports = 2;
	o->filter.rule = -1;
	o->checks.slow_reply_us = 5000000;
	o->checks.account_max = 1024;
	o->checks.uids_per_account_max = 1u << 16; /* 4 MiB of slots; LRU beyond, counted */
	o->flow.max_flows = FLOW_MAX_DEFAULT;
	o->flow.idle_timeout_us = (uint64_t)FLOW_IDLE_TIMEOUT_DEFAULT_S * 1000000;
	o->flow.reasm.per_dir_bytes = REASM_PER_DIR_DEFAULT;
	o->flow.reasm.total_bytes = REASM_TOTAL_DEFAULT;
	o->spool_max = FLAGGED_SPOOL_MAX_DEFAULT;
	o->no_color = getenv("NO_COLOR") && *getenv("NO_COLOR");

	while ((c = getopt_long(argc, argv, "+r:i:w:p:B:s:c:Z:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o->nfiles == MAX_SOURCES)
				die_usage("too many -r files (at most %s)", "64");
			o->files[o->nfiles++] = optarg;
			break;
		case 'i': o->iface = optarg; break;
		case 'w': o->write_path = optarg; break;
		case 'p': parse_ports(o, optarg); break;
		case 'B': o->buffer_kib = (int)parse_num(optarg, "-B", 4u << 20); break;
		case 's': o->snaplen = (int)parse_num(optarg, "-s", 262144); break;
		case 'c': o->count = parse_num(optarg, "-c", UINT64_MAX); break;
		case 'Z': o->drop_user = optarg; break;
		case 'n': break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); exit(EXIT_CLEAN);
		case OPT_VERSION: printf("pop3mon %s\n", POP3MON_VERSION); exit(EXIT_CLEAN);
		case OPT_LIST_RULES: list_rules(); exit(EXIT_CLEAN);
		case OPT_REPORT: o->report = true; break;
		case OPT_JSON: o->json_path = optarg; break;
		case OPT_WALL: o->wall = true; break;
		case OPT_STREAMS: o->streams = true; break;
		case OPT_STREAMS_DIR: o->streams_dir = optarg; o->streams = true; break;
		case OPT_LOCALTIME: o->localtime = true; break;
		case OPT_ONLY_FLAGGED: o->filter.only_flagged = true; break;
		case OPT_RULE:
			o->filter.rule = rule_lookup(optarg);
			if (o->filter.rule < 0)
				die_usage("unknown rule '%s' (pop3mon --list-rules lists them)", optarg);
			break;
		case OPT_SERVER: o->filter.server = optarg; break;
		case OPT_USER: o->filter.user = optarg; break;
		case OPT_SHOW_SECRETS: o->show_secrets = true; break;
		case OPT_SLOW: o->checks.slow_reply_us = parse_num(optarg, "--slow", 86400000) * 1000; break;
		case OPT_OCTETS_TOL: o->checks.octets_tolerance = parse_num(optarg, "--octets-tolerance", UINT32_MAX); break;
		case OPT_MAX_FLOWS: o->flow.max_flows = parse_num(optarg, "--max-flows", 1u << 26); break;
		case OPT_FLOW_TIMEOUT: o->flow.idle_timeout_us = parse_num(optarg, "--flow-timeout", 86400) * 1000000; break;
		case OPT_REASM_FLOW: o->flow.reasm.per_dir_bytes = parse_num(optarg, "--reasm-flow", 1u << 20) * 1024; break;
		case OPT_REASM_TOTAL: o->flow.reasm.total_bytes = parse_num(optarg, "--reasm-total", 1u << 14) << 20; break;
		case OPT_SPOOL_MAX: o->spool_max = parse_num(optarg, "--spool-max", 1u << 22) << 20; break;
		case OPT_REALTIME: o->realtime = true; break;
		case OPT_NO_COLOR: o->no_color = true; break;
		case OPT_STATS_INTERVAL: o->stats_interval_s = parse_num(optarg, "--stats-interval", 86400); break;
		case OPT_PROMISC: o->promisc = true; break;
		default: usage(stderr); exit(EXIT_INPUT);
		}
	}
	/* The rest is the BPF expression, as with tcpdump. */
	if (optind < argc) {
		size_t len = 1;
		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		o->bpf = xcalloc(1, len);
		for (int i = optind; i < argc; i++) {
			strcat(o->bpf, argv[i]);
			if (i + 1 < argc)
				strcat(o->bpf, " ");
		}
	}
	if (!o->nfiles && !o->iface)
		die_usage("%s", "no input: give -r FILE or -i IFACE");
	if (o->nfiles && o->iface)
		die_usage("%s", "give -r or -i, not both");
	o->flow.ports = o->ports;
	o->flow.nports = o->nports;
}

/* Live default filter: the watched ports, also behind one or two VLAN tags
 * (a plain "tcp port 110" misses 802.1Q frames). */
static char *default_live_filter(const struct options *o)
{
	char ports[MAX_PORTS * 16] = "";
	for (size_t i = 0; i < o->nports; i++) {
		char one[16];
		snprintf(one, sizeof(one), "%sport %u", i ? " or " : "", o->ports[i]);
		strcat(ports, one);
	}
	size_t len = strlen(ports) * 3 + 128;
	char *f = xmalloc(len);
	snprintf(f, len, "(tcp and (%s)) or (vlan and tcp and (%s)) or (vlan and vlan and tcp and (%s))",
		 ports, ports, ports);
	return f;
}

/* ---- the run ------------------------------------------------------------- */

struct run {
	struct options *o;
	struct event_bus bus;
	struct session_mgr *sessions;
	struct flow_table *flows;
	struct flagged_writer *flagged;
	struct ui *ui;
	struct decode_stats dec;
	uint64_t frames, bytes, last_ts;
	uint64_t next_expire_ts, next_stats_wall;
	struct source_stats src_stats;
	const char *source_name;
	bool input_error;
	int linktype;
	struct flow_hasher hasher; /* fixed before the sources open: the reader uses it */
};

/* A frame decoded, its flow hashed and its payload's lines counted, on the
 * file's reader thread. */
struct prepared {
	enum decode_reason dr;
	struct packet pkt;
	struct flow_hash fh;
	struct pop3_payload_lines lines; /* .data NULL: not counted */
};

/* Below this a payload is a command or a status line, not a body's worth. */
#define PAYLOAD_LINES_MIN 256

static void decode_and_hash(const struct flow_hasher *hz, const struct frame *fr,
			    struct prepared *pp)
{
	pp->dr = decode_frame(fr->linktype, fr->data, fr->caplen, fr->wirelen, &pp->pkt, NULL);
	if (pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC)
		flow_hasher_hash(hz, &pp->pkt, &pp->fh);
	pp->lines.data = NULL;
}

/* frame_prep_fn: decoding, hashing and counting lines have no state but the
 * hasher's fixed seed, so they run on the reader thread, off the main
 * thread that the run waits for; the decode counters are kept by
 * handle_frame from the reason. */
static void prepare_frame(void *ctx, const struct frame *fr, void *out)
{
	struct prepared *pp = out;
	decode_and_hash(ctx, fr, pp);
	if ((pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC) &&
	    pp->pkt.payload_len >= PAYLOAD_LINES_MIN)
		pop3_payload_lines(&pp->lines, pp->pkt.payload, pp->pkt.payload_len);
}

static uint64_t wall_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static void emit_stats(struct run *r, bool final)
{
	struct ev_stats st;
	memset(&st, 0, sizeof(st));
	st.ts_us = r->last_ts;
	st.wall_us = wall_now_us();
	st.final = final;
	st.source = r->source_name ? r->source_name : "";
	st.src = r->src_stats;
	st.frames = r->frames;
	st.bytes = r->bytes;
	st.dec = r->dec;
	st.flows = *flow_table_stats(r->flows);
	st.reasm = *flow_table_reasm_stats(r->flows);
	session_mgr_stats(r->sessions, &st);
	struct event e = { .type = EV_STATS, .ts_us = st.ts_us, .stats = &st };
	event_bus_emit(&r->bus, &e);
}

/* --streams-dir: a tap in front of the session manager. */
static void tap_data(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
		     const struct seg_meta *m)
{
	struct run *r = ctx;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%" PRIu64 ".%s", r->o->streams_dir, f->id,
		 dir == DIR_C2S ? "c2s" : "s2c");
	FILE *fp = fopen(path, "ab");
	if (fp) {
		fwrite(p, 1, n, fp);
		fclose(fp);
	}
	session_flow_data(r->sessions, f, dir, p, n, m);
}

static void tap_gap(void *ctx, struct flow *f, int dir, uint64_t len, const struct seg_meta *m)
{
	struct run *r = ctx;
	session_flow_gap(r->sessions, f, dir, len, m);
}

static void tap_open(void *ctx, struct flow *f)
{
	struct run *r = ctx;
	session_flow_open(r->sessions, f);
}

static void tap_close(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m)
{
	struct run *r = ctx;
	session_flow_close(r->sessions, f, why, m);
}

static void realtime_wait(uint64_t *base_ts, uint64_t *base_wall, uint64_t ts)
{
	if (!*base_ts) {
		*base_ts = ts;
		*base_wall = wall_now_us();
		return;
	}
	uint64_t due = *base_wall + (ts > *base_ts ? ts - *base_ts : 0);
	uint64_t now = wall_now_us();
	if (due > now) {
		uint64_t d = due - now;
		if (d > 1000000)
			d = 1000000; /* never sleep long on a gap in the capture */
		struct timespec sl = { (time_t)(d / 1000000), (long)(d % 1000000) * 1000 };
		nanosleep(&sl, NULL);
	}
}

/* One frame through the pipeline. */
static void handle_frame(struct run *r, const struct frame *fr)
{
	struct prepared here;
	const struct prepared *pp = fr->prep;
	r->frames++;
	r->bytes += fr->wirelen;
	if (fr->ts_us > r->last_ts)
		r->last_ts = fr->ts_us;
	if (!pp) {
		decode_and_hash(&r->hasher, fr, &here); /* on this thread: no line counts ahead */
		pp = &here;
	}
	r->dec.count[pp->dr]++;
	if (pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC) {
		struct seg_meta m = { .frame = fr->number, .ts_us = fr->ts_us,
				      .payload_note = pp->lines.data ? &pp->lines : NULL };
		uint64_t id = flow_table_packet_hashed(r->flows, &pp->pkt, &m, &pp->fh);
		if (r->flagged && id)
			flagged_writer_packet(r->flagged, id, fr);
	}
	if (fr->ts_us >= r->next_expire_ts) {
		flow_table_expire(r->flows, fr->ts_us);
		r->next_expire_ts = fr->ts_us + 1000000;
	}
}

static void maybe_periodic(struct run *r, bool ui_due)
{
	uint64_t now = wall_now_us();
	uint64_t interval = r->o->stats_interval_s ? r->o->stats_interval_s * 1000000 : 1000000;
	if ((r->ui || r->o->stats_interval_s) && now >= r->next_stats_wall) {
		emit_stats(r, false);
		r->next_stats_wall = now + interval;
	}
	if (r->ui && ui_due && !ui_tick(r->ui, now))
		stop_requested = 1;
}

/* Read one source to its end (or until stopped). */
static void run_source(struct run *r, struct source *s)
{
	char errbuf[CAPTURE_ERRBUF_SIZE];
	struct frame fr;
	uint64_t rt_base_ts = 0, rt_base_wall = 0;
	bool live = source_is_live(s);

	current_source = s;
	r->source_name = source_name(s);
	session_mgr_set_source(r->sessions, r->source_name);
	while (!stop_requested) {
		enum source_status st = source_next(s, &fr, errbuf);
		if (st == SOURCE_FRAME) {
			if (r->o->realtime && !live)
				realtime_wait(&rt_base_ts, &rt_base_wall, fr.ts_us);
			handle_frame(r, &fr);
			if (r->o->count && r->frames >= r->o->count)
				break;
			if ((r->frames & 1023) == 0 || r->o->realtime)
				maybe_periodic(r, true);
			continue;
		}
		if (st == SOURCE_TIMEOUT) {
			if (live) {
				flow_table_expire(r->flows, wall_now_us());
				source_get_stats(s, &r->src_stats);
			}
			maybe_periodic(r, true);
			continue;
		}
		if (st == SOURCE_ERROR) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			r->input_error = true;
		}
		break;
	}
	source_get_stats(s, &r->src_stats);
	r->src_stats.received = r->frames;
	current_source = NULL;
}

static const char *ui_save(void *ctx, const uint64_t *ids, size_t n)
{
	static char msg[600];
	struct run *r = ctx;
	char errbuf[512], path[64];
	if (!r->flagged)
		return "saving needs the packet spool (not available)";
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(path, sizeof(path), "pop3mon-%Y%m%dT%H%M%SZ.pcap", &tm);
	if (flagged_writer_save(r->flagged, ids, n, path, errbuf, sizeof(errbuf)) < 0)
		snprintf(msg, sizeof(msg), "save failed: %s", errbuf);
	else
		snprintf(msg, sizeof(msg), "saved %zu session%s to %s", n, n == 1 ? "" : "s", path);
	return msg;
}

static int open_sources(struct run *r, struct options *o, struct source **srcs, size_t *n)
{
	char errbuf[CAPTURE_ERRBUF_SIZE];
	struct source_opts so = { o->snaplen, o->buffer_kib, o->promisc, o->bpf,
				  prepare_frame, &r->hasher, sizeof(struct prepared) };
	*n = 0;
	if (o->iface) {
		char *def = NULL;
		if (!so.bpf)
			so.bpf = def = default_live_filter(o);
		srcs[0] = source_open_live(o->iface, &so, errbuf);
		free(def);
		if (!srcs[0]) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return -1;
		}
		*n = 1;
		return 0;
	}
	for (size_t i = 0; i < o->nfiles; i++) {
		srcs[i] = source_open_file(o->files[i], &so, errbuf);
		if (!srcs[i]) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			goto fail;
		}
		*n = i + 1;
		if (!decode_linktype_supported(source_linktype(srcs[i]))) {
			fprintf(stderr, "pop3mon: %s: unsupported link type %d (supported: Ethernet, "
					"802.1Q/QinQ, Linux SLL/SLL2, BSD loopback, raw IP)\n",
				o->files[i], source_linktype(srcs[i]));
			goto fail;
		}
	}
	return 0;
fail:
	for (size_t i = 0; i < *n; i++)
		source_free(srcs[i]);
	*n = 0;
	return -1;
}

static void drop_privileges(const struct options *o)
{
	char errbuf[CAPTURE_ERRBUF_SIZE];
	const char *user = o->drop_user;
	if (!user && geteuid() == 0)
		user = "nobody";
	if (!user)
		return;
	if (privdrop_to_user(user, errbuf) < 0) {
		ui_emergency_restore();
		fprintf(stderr, "pop3mon: %s\n", errbuf);
		exit(EXIT_INPUT);
	}
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed JSON pipe is a write error, not a death */
	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

int main(int argc, char **argv)
{
	struct options o;
	struct run r;
	struct source *srcs[MAX_SOURCES];
	size_t nsrc = 0;
	char errbuf[512];
	int status = EXIT_CLEAN;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
#ifdef __GLIBC__
	/* Sessions come and go by the thousand: without these the heap's top
	 * is handed back and taken again all the time, a brk each way, the
	 * shrink with a TLB shootdown that interrupts the other threads. The
	 * peak is the same. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
#endif
	parse_options(&o, argc, argv);
	r.o = &o;
	install_signals();
	if (o.streams_dir && mkdir(o.streams_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "pop3mon: %s: %s\n", o.streams_dir, strerror(errno));
		return EXIT_INPUT;
	}
	flow_hasher_init(&r.hasher);
	o.flow.hasher = &r.hasher;
	if (open_sources(&r, &o, srcs, &nsrc) < 0) {
		free(o.bpf);
		return EXIT_INPUT;
	}
	r.linktype = source_linktype(srcs[0]);

	/* Sinks: opened before privileges are dropped. Those that only render
	 * (JSON, report, streams) run on a thread of their own; the pcap writer
	 * takes frames from this thread and the dashboard owns the terminal,
	 * so they stay here. */
	struct event_bus rendered = { .n = 0 };
	bool json_stdout = o.json_path && !strcmp(o.json_path, "-");
	bool want_ui = isatty(STDOUT_FILENO) && !o.report && !o.streams && !json_stdout;
	if (o.wall)
		want_ui = true;
	if (json_stdout && o.report)
		die_usage("%s", "--json - and --report both want stdout");
	if (o.json_path) {
		struct json_opts jo = { .filter = o.filter, .stats_events = o.stats_interval_s > 0,
					.flush_sessions = o.iface != NULL };
		struct sink s = json_sink_new(o.json_path, &jo, errbuf, sizeof(errbuf));
		if (!s.ops) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return EXIT_INPUT;
		}
		event_bus_add(&rendered, s);
	}
	if (o.write_path || want_ui) {
		r.flagged = flagged_writer_new(o.write_path, r.linktype,
					       o.snaplen > 0 ? o.snaplen : CAPTURE_SNAPLEN_DEFAULT,
					       o.spool_max, errbuf, sizeof(errbuf));
		if (!r.flagged) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return EXIT_INPUT;
		}
		event_bus_add(&r.bus, flagged_writer_sink(r.flagged));
	}
	if (o.streams) {
		event_bus_add(&rendered, streams_sink_new(stdout));
	} else if (!want_ui && !json_stdout) {
		struct report_opts ro = { o.filter, o.verbose, o.localtime, o.files, o.nfiles };
		if (o.iface) {
			ro.sources = &o.iface;
			ro.nsources = 1;
		}
		event_bus_add(&rendered, report_sink_new(stdout, &ro));
	}
	if (rendered.n)
		event_bus_add(&r.bus, event_thread_sink(&rendered, o.iface != NULL));
	if (want_ui) {
		struct ui_opts uo = { .wall = o.wall, .no_color = o.no_color,
				      .source = o.iface ? o.iface : o.files[0],
				      .filter = o.bpf ? o.bpf : "" };
		r.ui = ui_new(&uo, errbuf, sizeof(errbuf));
		if (!r.ui) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return EXIT_INPUT;
		}
		event_bus_add(&r.bus, ui_sink(r.ui));
		ui_set_save(r.ui, ui_save, &r);
	}
	if (o.iface)
		drop_privileges(&o);

	o.checks.random_seed = o.iface != NULL;
	struct session_opts so = { o.show_secrets, o.checks, NULL, 0 };
	static const uint16_t tls_ports[] = { 995 };
	so.tls_ports = tls_ports;
	so.ntls_ports = ARRAY_LEN(tls_ports);
	r.sessions = session_mgr_new(&so, &r.bus);
	struct flow_cb cb = { session_flow_open, session_flow_close, session_flow_data,
			      session_flow_gap, r.sessions };
	if (o.streams_dir)
		cb = (struct flow_cb){ tap_open, tap_close, tap_data, tap_gap, &r };
	r.flows = flow_table_new(&o.flow, &cb);

	for (size_t i = 0; i < nsrc && !stop_requested; i++) {
		run_source(&r, srcs[i]);
		if (o.count && r.frames >= o.count)
			break;
	}
	flow_table_close_all(r.flows, FLOW_END_EOF);
	emit_stats(&r, true);
	if (r.ui && !o.iface && !stop_requested)
		ui_browse(r.ui);
	/* Sinks finish while the UI still exists; messages wait for the terminal. */
	char finish_err[512] = "", close_err[512] = "";
	if (event_bus_finish(&r.bus, finish_err, sizeof(finish_err)) < 0)
		status = EXIT_INPUT;
	if (r.flagged && flagged_writer_close(r.flagged, close_err, sizeof(close_err)) < 0)
		status = EXIT_INPUT;
	if (r.ui)
		ui_free(r.ui);
	if (finish_err[0])
		fprintf(stderr, "pop3mon: %s\n", finish_err);
	if (close_err[0])
		fprintf(stderr, "pop3mon: %s\n", close_err);
	if (status == EXIT_CLEAN && session_mgr_flagged(r.sessions) > 0)
		status = EXIT_FLAGGED;
	if (r.input_error)
		status = EXIT_INPUT;

	flow_table_free(r.flows);
	session_mgr_free(r.sessions);
	event_bus_free(&r.bus);
	flagged_writer_free(r.flagged);
	for (size_t i = 0; i < nsrc; i++)
		source_free(srcs[i]);
	free(o.bpf);
	return status;
}
