/*
 * options.c - the command line: one table yields getopt_long's short string
 * and long array, the --help text and the parse into struct options.
 *
 * Adding an option is a field in struct options (include/options.h) and one
 * line in opt_table below:
 *   OPT_FLAG(long, short, field, help)            a bool set to true
 *   OPT_STR(long, short, ARG, field, help)        a const char * (argv's)
 *   OPT_NUM(long, short, ARG, field, max, mul, help)
 *                                                 decimal 0..max, times mul
 *                                                 (field of 2, 4 or 8 bytes)
 *   OPT_FN(long, short, ARG, fn, help)            fn(o, arg, err, errlen)
 * long is the name without "--" (NULL: short only), short a char (0: long
 * only), ARG the name shown in --help (NULL: no argument). "{D}" in a help
 * text is replaced by the entry's default (OPT_NUM_D). A help text may span
 * lines ("\n"); --help indents them. OPT_SECTION and OPT_TEXT only print.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flagged.h"
#include "options.h"
#include "ui.h"
#include "publish.h"
#include "reasm.h"
#include "util.h"

enum opt_kind { K_SECTION, K_TEXT, K_FLAG, K_STR, K_NUM, K_FN, K_ACTION, K_IGNORE };

typedef int (*opt_fn)(struct options *o, const char *arg, char *err, size_t errlen);

struct opt_def {
	enum opt_kind kind;
	const char *lname;  /* without "--"; NULL: short only */
	int sname;          /* 0: long only */
	const char *arg;    /* shown in --help; NULL: takes no argument */
	size_t off, size;   /* the field in struct options */
	uint64_t max, mul;  /* K_NUM */
	unsigned long long dflt; /* "{D}" in help */
	opt_fn fn;          /* K_FN */
	int action;         /* K_ACTION */
	const char *help;
};

#define FIELD(f) .off = offsetof(struct options, f), .size = sizeof(((struct options *)0)->f)
#define OPT_SECTION(title) { .kind = K_SECTION, .help = title }
#define OPT_TEXT(left, help_) { .kind = K_TEXT, .arg = left, .help = help_ }
#define OPT_FLAG(l, s, f, h) { .kind = K_FLAG, .lname = l, .sname = s, FIELD(f), .help = h }
#define OPT_STR(l, s, a, f, h) { .kind = K_STR, .lname = l, .sname = s, .arg = a, FIELD(f), .help = h }
#define OPT_NUM(l, s, a, f, mx, ml, h) \
	{ .kind = K_NUM, .lname = l, .sname = s, .arg = a, FIELD(f), .max = mx, .mul = ml, .help = h }
#define OPT_NUM_D(l, s, a, f, mx, ml, d, h) \
	{ .kind = K_NUM, .lname = l, .sname = s, .arg = a, FIELD(f), .max = mx, .mul = ml, \
	  .dflt = d, .help = h }
#define OPT_FN(l, s, a, f, h) { .kind = K_FN, .lname = l, .sname = s, .arg = a, .fn = f, .help = h }
#define OPT_ACT(l, s, act, h) { .kind = K_ACTION, .lname = l, .sname = s, .action = act, .help = h }
#define OPT_IGNORE(l, s, h) { .kind = K_IGNORE, .lname = l, .sname = s, .help = h }

static int opt_file(struct options *o, const char *arg, char *err, size_t errlen);
static int opt_from(struct options *o, const char *arg, char *err, size_t errlen);
static int opt_ports(struct options *o, const char *arg, char *err, size_t errlen);
static int opt_streams_dir(struct options *o, const char *arg, char *err, size_t errlen);
static int opt_rule(struct options *o, const char *arg, char *err, size_t errlen);
static int opt_publish(struct options *o, const char *arg, char *err, size_t errlen);
static int opt_sensor(struct options *o, const char *arg, char *err, size_t errlen);
static int opt_since(struct options *o, const char *arg, char *err, size_t errlen);

static const struct opt_def opt_table[] = {
	OPT_SECTION("Input:"),
	OPT_FN(NULL, 'r', "FILE", opt_file,
	       "read a pcap or pcapng file (\"-\" for stdin); repeatable"),
	OPT_STR(NULL, 'i', "IFACE", iface, "capture live from IFACE"),
	OPT_FN("from", 0, "FILE", opt_from,
	       "replay JSON lines written by --json (\"-\" for stdin); repeatable,\n"
	       "merged in time order; a redis://HOST[:PORT][/DB]/KEY reads\n"
	       "the stream --publish sensors add to"),
	OPT_FN("ports", 'p', "LIST", opt_ports,
	       "POP3 ports to watch, comma separated (default 110,995;\n"
	       "995 is shown as encrypted POP3S)"),
	OPT_FLAG("ports-only", 0, ports_only,
		 "POP3 only on the -p ports (default: also found by its content,\n"
		 "a +OK/-ERR greeting answered by a POP3 command, on any port)"),
	OPT_NUM(NULL, 'B', "KIB", buffer_kib, 4u << 20, 1,
		"kernel capture buffer size in KiB (live; default 16384)"),
	OPT_NUM(NULL, 's', "SNAPLEN", snaplen, 262144, 1,
		"bytes to capture per packet (live, default 262144)"),
	OPT_NUM(NULL, 'c', "COUNT", count, UINT64_MAX, 1, "stop after COUNT frames"),
	OPT_STR(NULL, 'Z', "USER", drop_user,
		"drop privileges to USER after opening the device\n(default when root: nobody)"),
	OPT_IGNORE(NULL, 'n', "accepted for tcpdump habits; pop3mon never resolves names"),
	OPT_FLAG("promisc", 0, promisc, "put the interface in promiscuous mode"),
	OPT_FLAG("realtime", 0, realtime, "replay files at capture speed (demos)"),
	OPT_TEXT("BPF expression",
		 "capture filter (live default: the POP3 ports, VLAN-tagged too)"),

	OPT_SECTION("Output (a TTY gets the dashboard; a pipe or --report gets the text report):"),
	OPT_FLAG("report", 0, report, "print the text report on stdout"),
	OPT_STR("json", 0, "FILE", json_path, "write JSON lines (\"-\" for stdout)"),
	OPT_STR(NULL, 'w', "FILE", write_path,
		"write the packets of flagged sessions to a pcap (0600);\nwith --only-flagged, --rule, --server or --user: the sessions\nthey select"),
	OPT_STR("save-dir", 0, "DIR", save_dir,
		"where the dashboard's w/W save (default: the current directory),\nopened before the privilege drop"),
	OPT_FLAG("wall", 0, wall, "wall display for a NOC: server states, time, grouped findings"),
	OPT_FLAG("no-keys", 0, no_keys, "with --wall: take no key at all (kiosk; signals stop it)"),
	OPT_FLAG("streams", 0, streams, "print per-flow stream summaries instead of the report"),
	OPT_FN("streams-dir", 0, "DIR", opt_streams_dir,
	       "also write each flow's reassembled bytes to DIR/ID.c2s, .s2c"),
	OPT_FLAG(NULL, 'v', verbose, "report: transcripts of clean sessions too"),
	OPT_FLAG("localtime", 0, localtime, "report times in local time instead of UTC"),
	OPT_NUM("stats-interval", 0, "S", stats_interval_s, 86400, 1,
		"JSON: a stats event every S seconds"),
	OPT_FLAG("no-color", 0, no_color, "dashboard without colour (NO_COLOR is honoured too)"),

	OPT_SECTION("Fleet (Redis Streams):"),
	OPT_FN("publish", 0, "redis://[USER@]HOST[:PORT][/DB]/KEY", opt_publish,
	       "\nalso add every event to the stream KEY (XADD)"),
	OPT_FN("sensor", 0, "NAME", opt_sensor,
	       "this sensor's name in each event (default: the host name)"),
	OPT_NUM_D("stream-maxlen", 0, "N", stream_maxlen, UINT32_MAX, 1, PUBLISH_MAXLEN_DEFAULT,
		  "trim the stream to about N entries (default {D})"),
	OPT_NUM_D("publish-buffer", 0, "MIB", publish_buffer_mib, 1u << 16, 1, PUBLISH_BUFFER_MIB_DEFAULT,
		  "events held while Redis is slow or away (default {D})"),
	OPT_STR("redis-auth-file", 0, "FILE", redis_auth_file,
		"the Redis password (else REDISCLI_AUTH)"),
	OPT_FN("since", 0, "TIME", opt_since,
	       "--from redis://: entries from TIME on (2026-12-04T03:00:00Z,\n"
	       "or 90s, 15m, 2h, 1d ago; default: the whole stream)"),
	OPT_FLAG("follow", 0, follow,
		 "--from redis:// with --report/--json: keep reading (until a signal)"),
	OPT_SECTION("What to report:"),
	OPT_FLAG("only-flagged", 0, filter.only_flagged,
		 "only sessions with an error or warning finding"),
	OPT_FN("rule", 0, "ID", opt_rule,
	       "only sessions that broke rule ID (--list-rules lists them)"),
	OPT_ACT("list-rules", 0, OPT_ACTION_LIST_RULES,
		"print every rule: id, severity, RFC basis, client symptom"),
	OPT_STR("server", 0, "ADDR", filter.server, "only sessions with server ADDR"),
	OPT_STR("user", 0, "NAME", filter.user, "only sessions of user NAME"),
	OPT_FLAG("show-secrets", 0, show_secrets,
		 "do not redact PASS, APOP digests and AUTH payloads (labs only)"),
	OPT_NUM("slow", 0, "MS", checks.slow_reply_us, 86400000, 1000,
		"notice replies slower than MS milliseconds (default 5000)"),
	OPT_NUM("octets-tolerance", 0, "N", checks.octets_tolerance, UINT32_MAX, 1,
		"allow STAT and LIST octets to differ by N (default 0)"),

	OPT_SECTION("Wall thresholds (--wall):"),
	OPT_NUM_D("wall-fail-pct", 0, "PCT", wall_th.fail_pct, 100, 1, WALL_FAIL_PCT_DEFAULT,
		  "DEGRADED when more than PCT% of recent logins failed (default {D})"),
	OPT_NUM_D("wall-fail-min", 0, "N", wall_th.fail_min, 1000000, 1, WALL_FAIL_MIN_DEFAULT,
		  "...and at least N of them failed (default {D})"),
	OPT_NUM_D("wall-slow", 0, "N", wall_th.slow_min, 1000000, 1, WALL_SLOW_MIN_DEFAULT,
		  "DEGRADED from N recent slow replies (--slow; default {D})"),
	OPT_NUM_D("wall-quiet", 0, "S", wall_th.quiet_us, 86400 * 7, 1000000, WALL_QUIET_S_DEFAULT,
		  "recent means the last S seconds; problem-free that long:\nRECOVERED (default {D})"),
	OPT_NUM_D("wall-ok-after", 0, "S", wall_th.ok_after_us, 86400 * 30, 1000000, WALL_OK_AFTER_S_DEFAULT,
		  "RECOVERED turns OK S seconds after the last problem (default {D})"),
	OPT_NUM_D("wall-stale", 0, "S", wall_th.stale_us, 86400, 1000000, WALL_STALE_S_DEFAULT,
		  "live: the capture is shown stale (red) after S seconds\nwithout a packet (default {D})"),

	OPT_SECTION("Bounds (each has a counter in the stats):"),
	OPT_NUM_D("max-flows", 0, "N", flow.max_flows, 1u << 26, 1, FLOW_MAX_DEFAULT,
		  "concurrent flows before LRU eviction (default {D})"),
	OPT_NUM_D("flow-timeout", 0, "S", flow.idle_timeout_us, 86400, 1000000,
		  FLOW_IDLE_TIMEOUT_DEFAULT_S, "idle seconds before a flow is closed (default {D})"),
	OPT_NUM_D("reasm-flow", 0, "KIB", flow.reasm.per_dir_bytes, 1u << 20, 1024,
		  REASM_PER_DIR_DEFAULT / 1024,
		  "out-of-order bytes buffered per direction (default {D})"),
	OPT_NUM_D("reasm-total", 0, "MIB", flow.reasm.total_bytes, 1u << 14, 1u << 20,
		  REASM_TOTAL_DEFAULT >> 20, "out-of-order bytes buffered in all (default {D})"),
	OPT_NUM_D("syn-timeout", 0, "MS", flow.no_answer_us, 3600000, 1000, FLOW_NO_ANSWER_DEFAULT_MS,
		  "a SYN unanswered this long ends as no_answer (default {D}; 0 off)"),
	OPT_NUM_D("greeting-timeout", 0, "S", flow.no_greeting_us, 86400, 1000000,
		  FLOW_NO_GREETING_DEFAULT_MS / 1000,
		  "accepted, no greeting this long: no_greeting (default {D}; 0 off)"),
	OPT_NUM_D("spool-max", 0, "MIB", spool_max, 1u << 22, 1u << 20,
		  FLAGGED_SPOOL_MAX_DEFAULT >> 20, "disk spool for -w (default {D})"),
	OPT_NUM_D("ui-memory", 0, "MIB", ui_store_max, 4096, 1u << 20, UI_STORE_MIB_DEFAULT,
		  "the session ledger the dashboard reads: sessions,\ntranscripts, findings (default {D}; the oldest clean go first)"),

	OPT_SECTION(""),
	OPT_ACT("help", 'h', OPT_ACTION_HELP, "this help"),
	OPT_ACT("version", 0, OPT_ACTION_VERSION, "the version"),
};

#define NOPTS ARRAY_LEN(opt_table)
#define HELP_COL 21
#define LONG_VAL_BASE 256

/* ---- the handlers with more to do than store ----------------------------- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int opt_file(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (o->nfiles == OPTIONS_MAX_SOURCES)
		return fail(err, errlen, "too many -r files (at most %d)", OPTIONS_MAX_SOURCES);
	o->files[o->nfiles++] = arg;
	return 0;
}

static int opt_from(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (o->nfrom == OPTIONS_MAX_SOURCES)
		return fail(err, errlen, "too many --from files (at most %d)", OPTIONS_MAX_SOURCES);
	o->from[o->nfrom++] = arg;
	return 0;
}

static int opt_ports(struct options *o, const char *list, char *err, size_t errlen)
{
	size_t n = 0;
	const char *p = list;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char one[16];
		uint64_t v;
		if (len) {
			if (n == OPTIONS_MAX_PORTS)
				return fail(err, errlen, "too many ports in '%s' (at most %d)", list,
					    OPTIONS_MAX_PORTS);
			if (len >= sizeof(one))
				return fail(err, errlen, "bad number for --ports in '%s'", list);
			memcpy(one, p, len);
			one[len] = 0;
			if (parse_num(one, 65535, &v) < 0)
				return fail(err, errlen, "bad number for --ports in '%s'", list);
			if (v == 0)
				return fail(err, errlen, "bad port in '%s'", list);
			o->ports[n++] = (uint16_t)v;
		}
		p += len + (comma != NULL);
	}
	if (n == 0)
		return fail(err, errlen, "no ports in '%s'", list);
	o->nports = n;
	return 0;
}

static int opt_streams_dir(struct options *o, const char *arg, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	o->streams_dir = arg;
	o->streams = true;
	return 0;
}

static int opt_publish(struct options *o, const char *arg, char *err, size_t errlen)
{
	struct redis_target t;
	if (redis_target_parse(arg, &t, err, errlen) < 0)
		return -1;
	o->publish_url = arg;
	return 0;
}

static int opt_sensor(struct options *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg || strlen(arg) >= SENSOR_NAME_MAX)
		return fail(err, errlen, "--sensor: a name of 1 to %d bytes", SENSOR_NAME_MAX - 1);
	o->sensor = arg;
	return 0;
}

/* --since: an ISO 8601 UTC time, or a span ago (90s, 15m, 2h, 1d). */
static int opt_since(struct options *o, const char *arg, char *err, size_t errlen)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(arg, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end && (!*end || !strcmp(end, "Z") || !strcmp(end, "+0000"))) {
		time_t t = timegm(&tm);
		if (t <= 0)
			return fail(err, errlen, "--since: '%s' is before 1970", arg);
		o->since_us = (uint64_t)t * 1000000u;
		return 0;
	}
	char *unit;
	errno = 0;
	unsigned long long n = strtoull(arg, &unit, 10);
	static const struct { char c; uint64_t s; } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 },
								  { 'd', 86400 } };
	for (size_t i = 0; i < ARRAY_LEN(units) && !errno && unit != arg && arg[0] != '-'; i++)
		if (unit[0] == units[i].c && !unit[1] && n <= 3650ull * 86400 / units[i].s) {
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);
			uint64_t now_us = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000;
			uint64_t ago = n * units[i].s * 1000000u;
			o->since_us = ago < now_us ? now_us - ago : 1;
			return 0;
		}
	return fail(err, errlen, "--since: '%s' is neither a time (2026-12-04T03:00:00Z) nor a span "
		    "ago (90s, 15m, 2h, 1d)", arg);
}

static int opt_rule(struct options *o, const char *arg, char *err, size_t errlen)
{
	o->filter.rule = rule_lookup(arg);
	if (o->filter.rule < 0)
		return fail(err, errlen, "unknown rule '%s' (pop3mon --list-rules lists them)", arg);
	return 0;
}

/* ---- the table's uses ----------------------------------------------------- */

static bool is_option(const struct opt_def *d)
{
	return d->kind != K_SECTION && d->kind != K_TEXT;
}

/* "-p, --ports" or "--json" or "-r": how messages name an option. */
static const char *opt_name(const struct opt_def *d, char *buf, size_t n)
{
	if (d->lname)
		snprintf(buf, n, "--%s", d->lname);
	else
		snprintf(buf, n, "-%c", d->sname);
	return buf;
}

static void store_uint(void *field, size_t size, uint64_t v)
{
	switch (size) {
	case 8: { uint64_t x = v; memcpy(field, &x, 8); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(field, &x, 4); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(field, &x, 2); break; }
	default: abort(); /* a table entry on a field of another size */
	}
}

static int apply(struct options *o, const struct opt_def *d, const char *arg, char *err,
		 size_t errlen)
{
	char *base = (char *)o;
	char name[64];
	uint64_t v;

	switch (d->kind) {
	case K_FLAG:
		*(bool *)(void *)(base + d->off) = true;
		return 0;
	case K_STR:
		*(const char **)(void *)(base + d->off) = arg;
		return 0;
	case K_NUM:
		if (parse_num(arg, d->max, &v) < 0)
			return fail(err, errlen, "bad number for %s: '%s' (0 to %llu)",
				    opt_name(d, name, sizeof(name)), arg, (unsigned long long)d->max);
		store_uint(base + d->off, d->size, v * d->mul);
		return 0;
	case K_FN:
		return d->fn(o, arg, err, errlen);
	case K_ACTION:
		if (o->action == OPT_ACTION_RUN)
			o->action = d->action;
		return 0;
	case K_IGNORE:
	case K_SECTION:
	case K_TEXT:
		return 0;
	}
	return 0;
}

static void set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
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
	o->flow.no_answer_us = (uint64_t)FLOW_NO_ANSWER_DEFAULT_MS * 1000;
	o->flow.no_greeting_us = (uint64_t)FLOW_NO_GREETING_DEFAULT_MS * 1000;
	o->spool_max = FLAGGED_SPOOL_MAX_DEFAULT;
	o->ui_store_max = (uint64_t)UI_STORE_MIB_DEFAULT << 20;
	o->wall_th.fail_pct = WALL_FAIL_PCT_DEFAULT;
	o->wall_th.fail_min = WALL_FAIL_MIN_DEFAULT;
	o->wall_th.slow_min = WALL_SLOW_MIN_DEFAULT;
	o->wall_th.quiet_us = (uint64_t)WALL_QUIET_S_DEFAULT * 1000000;
	o->wall_th.ok_after_us = (uint64_t)WALL_OK_AFTER_S_DEFAULT * 1000000;
	o->wall_th.stale_us = (uint64_t)WALL_STALE_S_DEFAULT * 1000000;
	o->no_color = getenv("NO_COLOR") && *getenv("NO_COLOR");
	o->stream_maxlen = PUBLISH_MAXLEN_DEFAULT;
	o->publish_buffer_mib = PUBLISH_BUFFER_MIB_DEFAULT;
}

/* The rest of argv is the BPF expression, as with tcpdump. */
static void join_bpf(struct options *o, int first, int argc, char **argv)
{
	if (first >= argc)
		return;
	size_t len = 1;
	for (int i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o->bpf = xcalloc(1, len);
	for (int i = first; i < argc; i++) {
		strcat(o->bpf, argv[i]);
		if (i + 1 < argc)
			strcat(o->bpf, " ");
	}
}

/* What the inputs and outputs asked for cannot be run together. */
static int check_combination(const struct options *o, char *err, size_t errlen)
{
	if (!o->nfiles && !o->iface && !o->nfrom)
		return fail(err, errlen, "no input: give -r FILE, -i IFACE or --from FILE");
	if ((o->nfiles != 0) + (o->iface != NULL) + (o->nfrom != 0) > 1)
		return fail(err, errlen, "give -r, -i or --from, not two of them");
	if (o->nfrom) {
		/* replayed events have no packets, and no flows to follow */
		const char *needs_packets = o->write_path ? "-w" : o->streams_dir ? "--streams-dir"
					  : o->streams ? "--streams" : o->bpf ? "a BPF expression"
					  : o->realtime ? "--realtime" : NULL;
		if (needs_packets)
			return fail(err, errlen, "%s needs packets: not with --from", needs_packets);
	}
	struct sink_server sv;
	if (o->filter.server && !sink_filter_parse_server(o->filter.server, &sv))
		return fail(err, errlen, "--server '%s' is not an IP address (ADDR, ADDR:PORT or [IPv6]:PORT)",
			    o->filter.server);
	if (o->json_path && !strcmp(o->json_path, "-") && o->report)
		return fail(err, errlen, "--json - and --report both want stdout");
	if (o->publish_url && o->stream_maxlen == 0)
		return fail(err, errlen, "--stream-maxlen must be at least 1");
	if (o->publish_url && o->publish_buffer_mib == 0)
		return fail(err, errlen, "--publish-buffer must be at least 1 MiB");
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	struct option longopts[NOPTS + 1];
	char shortopts[2 + 2 * NOPTS + 1];
	size_t nl = 0, ns = 0;

	set_defaults(o);
	err[0] = 0;
	/* No '+': GNU getopt permutes, so options after the BPF expression are
	 * taken as options, as tcpdump on Linux takes them; "--" ends them. */
	shortopts[ns++] = ':'; /* a missing argument is ':', not '?' */
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &opt_table[i];
		if (!is_option(d))
			continue;
		if (d->sname) {
			shortopts[ns++] = (char)d->sname;
			if (d->arg)
				shortopts[ns++] = ':';
		}
		if (d->lname)
			longopts[nl++] = (struct option){ d->lname, d->arg ? required_argument : no_argument,
							  NULL, d->sname ? d->sname : LONG_VAL_BASE + (int)i };
	}
	shortopts[ns] = 0;
	longopts[nl] = (struct option){ NULL, 0, NULL, 0 };

	optind = 0; /* glibc: a full re-initialisation, so the parse can run again */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const char *word = argv[optind - 1];
		char name[64];
		if (c == '?' || c == ':') {
			const struct opt_def *d = NULL;
			for (size_t i = 0; i < NOPTS && optopt; i++)
				if (is_option(&opt_table[i]) &&
				    (opt_table[i].sname ? opt_table[i].sname
							: LONG_VAL_BASE + (int)i) == optopt)
					d = &opt_table[i];
			if (c == ':' && d)
				return fail(err, errlen, "option %s needs an argument (%s)",
					    opt_name(d, name, sizeof(name)), d->arg);
			if (!strncmp(word, "--", 2)) {
				if (d && d->lname)
					return fail(err, errlen, "option --%s takes no argument", d->lname);
				size_t len = strcspn(word, "=");
				return fail(err, errlen, "unknown option '%.*s'", (int)len, word);
			}
			return fail(err, errlen, "unknown option '-%c'", optopt ? optopt : '?');
		}
		const struct opt_def *d = NULL;
		if (c >= LONG_VAL_BASE)
			d = &opt_table[c - LONG_VAL_BASE];
		else
			for (size_t i = 0; i < NOPTS && !d; i++)
				if (is_option(&opt_table[i]) && opt_table[i].sname == c)
					d = &opt_table[i];
		if (!d)
			return fail(err, errlen, "unknown option '%s'", word);
		if (apply(o, d, optarg, err, errlen) < 0)
			return -1;
	}
	join_bpf(o, optind, argc, argv);
	o->flow.ports = o->ports;
	o->flow.nports = o->nports;
	o->flow.all_ports = !o->ports_only;
	if (o->action != OPT_ACTION_RUN)
		return 0;
	if (o->publish_url && !o->sensor) {
		sensor_default_name(o->sensor_buf, sizeof(o->sensor_buf));
		o->sensor = o->sensor_buf;
	}
	return check_combination(o, err, errlen);
}

void options_free(struct options *o)
{
	free(o->bpf);
	o->bpf = NULL;
}

/* One entry's help lines: the left column padded to HELP_COL, "{D}"
 * replaced by the default, continuation lines indented. */
static void print_entry(FILE *f, const struct opt_def *d)
{
	char left[96];
	size_t n = 0;
	if (d->kind == K_TEXT) {
		n = (size_t)snprintf(left, sizeof(left), "  %s", d->arg);
	} else {
		n = (size_t)snprintf(left, sizeof(left), "  ");
		if (d->sname)
			n += (size_t)snprintf(left + n, sizeof(left) - n, "-%c%s", d->sname,
					      d->lname ? ", " : "");
		if (d->lname)
			n += (size_t)snprintf(left + n, sizeof(left) - n, "--%s", d->lname);
		if (d->arg)
			n += (size_t)snprintf(left + n, sizeof(left) - n, " %s", d->arg);
	}
	fprintf(f, "%s%*s", left, n < HELP_COL ? (int)(HELP_COL - n) : 2, "");
	for (const char *h = d->help; *h; h++) {
		if (h[0] == '{' && h[1] == 'D' && h[2] == '}') {
			fprintf(f, "%llu", d->dflt);
			h += 2;
		} else if (*h == '\n') {
			fprintf(f, "\n%*s", HELP_COL, "");
		} else {
			fputc(*h, f);
		}
	}
	fputc('\n', f);
}

void options_usage(FILE *f)
{
	fprintf(f, "Usage: pop3mon [-r FILE]... [-i IFACE] [options] [BPF expression]\n"
		   "Watch POP3 sessions and flag servers whose message counts contradict themselves.\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &opt_table[i];
		if (d->kind == K_SECTION)
			fprintf(f, "\n%s%s", d->help, d->help[0] ? "\n" : "");
		else
			print_entry(f, d);
	}
	fprintf(f, "\nExit status: 0 no contradiction found, 1 contradictions found,\n"
		   "2 usage or input error (the message names the file, frame and problem).\n");
}
