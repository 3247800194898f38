/*
 * test_options.c - the command line (src/cli/options.c): the values each
 * kind of table entry stores, the defaults, the BPF words after the
 * options, and every error a user can make, each a one-line message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "options.h"

#define MAXARGS 64

/* Parse a NULL-terminated list of words after "pop3mon". */
static int parse(struct options *o, char *err, size_t errlen, ...)
{
	static char words[MAXARGS][128];
	char *argv[MAXARGS + 1];
	int argc = 0;
	va_list ap;
	va_start(ap, errlen);
	strcpy(words[argc], "pop3mon");
	argv[argc] = words[argc];
	argc++;
	for (const char *w; (w = va_arg(ap, const char *)) != NULL; argc++) {
		assert_true(argc < MAXARGS && strlen(w) < sizeof(words[0]));
		strcpy(words[argc], w);
		argv[argc] = words[argc];
	}
	va_end(ap);
	argv[argc] = NULL;
	return options_parse(o, argc, argv, err, errlen);
}

/* The parse fails with a message containing want, on one line. */
#define EXPECT_ERR(want, ...) do { \
	struct options o_; char e_[256]; \
	assert_int_equal(parse(&o_, e_, sizeof(e_), __VA_ARGS__, (char *)NULL), -1); \
	if (!strstr(e_, want)) fail_msg("message '%s' lacks '%s'", e_, want); \
	assert_null(strchr(e_, '\n')); \
	options_free(&o_); \
} while (0)

static void test_defaults(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "x.pcap", (char *)NULL), 0);
	assert_int_equal(o.action, OPT_ACTION_RUN);
	assert_int_equal(o.nfiles, 1);
	assert_string_equal(o.files[0], "x.pcap");
	assert_int_equal(o.nports, 2);
	assert_int_equal(o.ports[0], 110);
	assert_int_equal(o.ports[1], 995);
	assert_ptr_equal(o.flow.ports, o.ports);
	assert_int_equal(o.flow.nports, 2);
	assert_int_equal(o.filter.rule, -1);
	assert_int_equal(o.checks.slow_reply_us, 5000000);
	assert_int_equal(o.flow.max_flows, FLOW_MAX_DEFAULT);
	assert_int_equal(o.flow.idle_timeout_us, (uint64_t)FLOW_IDLE_TIMEOUT_DEFAULT_S * 1000000);
	assert_false(o.report);
	assert_null(o.bpf);
	assert_null(o.json_path);
	options_free(&o);
}

static void test_values(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "a", "-r", "b", "--report", "-v",
			       "-p", "1100,2200", "--slow", "250", "--reasm-flow", "8",
			       "--reasm-total", "3", "--spool-max", "5", "--flow-timeout", "7",
			       "-B", "1024", "-s", "96", "-c", "12", "--max-flows", "99",
			       "--streams-dir", "d", "--only-flagged", "--server", "10.0.0.1",
			       "--user", "bob", "--json", "out.json", "--octets-tolerance", "4",
			       "--rule", "stat-uidl-count", "tcp", "port", "1100", (char *)NULL),
			 0);
	assert_int_equal(o.nfiles, 2);
	assert_string_equal(o.files[1], "b");
	assert_true(o.report);
	assert_true(o.verbose);
	assert_int_equal(o.nports, 2);
	assert_int_equal(o.ports[0], 1100);
	assert_int_equal(o.ports[1], 2200);
	assert_int_equal(o.checks.slow_reply_us, 250000);
	assert_int_equal(o.flow.reasm.per_dir_bytes, 8 * 1024);
	assert_int_equal(o.flow.reasm.total_bytes, 3u << 20);
	assert_int_equal(o.spool_max, 5u << 20);
	assert_int_equal(o.flow.idle_timeout_us, 7000000);
	assert_int_equal(o.buffer_kib, 1024);
	assert_int_equal(o.snaplen, 96);
	assert_int_equal(o.count, 12);
	assert_int_equal(o.flow.max_flows, 99);
	assert_string_equal(o.streams_dir, "d");
	assert_true(o.streams); /* --streams-dir implies --streams */
	assert_true(o.filter.only_flagged);
	assert_string_equal(o.filter.server, "10.0.0.1");
	assert_string_equal(o.filter.user, "bob");
	assert_string_equal(o.json_path, "out.json");
	assert_int_equal(o.checks.octets_tolerance, 4);
	assert_int_equal(o.filter.rule, rule_lookup("stat-uidl-count"));
	assert_true(o.filter.rule >= 0);
	assert_string_equal(o.bpf, "tcp port 1100");
	options_free(&o);
	assert_null(o.bpf);

	/* Long options by their = form and by an unambiguous prefix. */
	assert_int_equal(parse(&o, err, sizeof(err), "-i", "eth0", "--json=-", "--promis",
			       (char *)NULL), 0);
	assert_string_equal(o.iface, "eth0");
	assert_string_equal(o.json_path, "-");
	assert_true(o.promisc);
	options_free(&o);
}

/* Options after the BPF expression are options (GNU getopt permutes, as
 * tcpdump on Linux); the words left are the expression, in order; after
 * "--" every word is the expression's. */
static void test_options_after_bpf(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "f.pcap", "tcp", "port", "110", "-c", "5",
			       "--json", "-", "and", "host", "10.0.0.1", (char *)NULL), 0);
	assert_string_equal(o.bpf, "tcp port 110 and host 10.0.0.1");
	assert_int_equal(o.count, 5);
	assert_string_equal(o.json_path, "-");
	options_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "f.pcap", "--", "tcp", "-c", (char *)NULL), 0);
	assert_string_equal(o.bpf, "tcp -c");
	assert_int_equal(o.count, 0);
	options_free(&o);
}

static void test_actions(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	/* No input is needed to ask for help, the version or the rules. */
	assert_int_equal(parse(&o, err, sizeof(err), "--help", (char *)NULL), 0);
	assert_int_equal(o.action, OPT_ACTION_HELP);
	options_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "-h", (char *)NULL), 0);
	assert_int_equal(o.action, OPT_ACTION_HELP);
	options_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "--version", (char *)NULL), 0);
	assert_int_equal(o.action, OPT_ACTION_VERSION);
	options_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "--list-rules", (char *)NULL), 0);
	assert_int_equal(o.action, OPT_ACTION_LIST_RULES);
	options_free(&o);
	/* A second parse starts from the defaults again. */
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "x", (char *)NULL), 0);
	assert_int_equal(o.action, OPT_ACTION_RUN);
	assert_int_equal(o.nfiles, 1);
	options_free(&o);
}

static void test_unknown_and_missing(void **state)
{
	(void)state;
	EXPECT_ERR("unknown option '--bogus'", "-r", "x", "--bogus");
	EXPECT_ERR("unknown option '--bogus'", "-r", "x", "--bogus=3");
	EXPECT_ERR("unknown option '-x'", "-r", "a", "-x");
	EXPECT_ERR("unknown option '-q'", "-vq", "-r", "a");
	EXPECT_ERR("option -r needs an argument (FILE)", "-r");
	EXPECT_ERR("option --json needs an argument (FILE)", "-r", "a", "--json");
	EXPECT_ERR("option --ports needs an argument (LIST)", "-r", "a", "-p");
	EXPECT_ERR("option --report takes no argument", "-r", "a", "--report=yes");
	/* Ambiguous prefix: --s matches several. */
	EXPECT_ERR("unknown option '--s'", "-r", "a", "--s");
}

static void test_bad_numbers(void **state)
{
	(void)state;
	EXPECT_ERR("bad number for -c: 'x'", "-r", "a", "-c", "x");
	EXPECT_ERR("bad number for -c: '-1'", "-r", "a", "-c", "-1");
	EXPECT_ERR("bad number for -c: '+1'", "-r", "a", "-c", "+1");
	EXPECT_ERR("bad number for -c: '18446744073709551616'", "-r", "a", "-c",
		   "18446744073709551616");
	EXPECT_ERR("bad number for -c: ''", "-r", "a", "-c", "");
	EXPECT_ERR("bad number for -c: '12k'", "-r", "a", "-c", "12k");
	EXPECT_ERR("bad number for -s: '262145'", "-r", "a", "-s", "262145");
	EXPECT_ERR("bad number for --slow: '86400001'", "-r", "a", "--slow", "86400001");
	EXPECT_ERR("bad number for --reasm-total", "-r", "a", "--reasm-total", "16385");
	EXPECT_ERR("bad number for --stats-interval", "-r", "a", "--stats-interval", "1.5");

	/* The largest values are accepted and scaled without overflow. */
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "a", "--spool-max", "4194304",
			       "--slow", "86400000", (char *)NULL), 0);
	assert_int_equal(o.spool_max, (uint64_t)4194304 << 20);
	assert_int_equal(o.checks.slow_reply_us, (uint64_t)86400000 * 1000);
	options_free(&o);
}

static void test_bad_ports(void **state)
{
	(void)state;
	EXPECT_ERR("bad port in '110,0'", "-r", "a", "-p", "110,0");
	EXPECT_ERR("bad number for --ports in '110,x'", "-r", "a", "-p", "110,x");
	EXPECT_ERR("bad number for --ports in '65536'", "-r", "a", "--ports", "65536");
	EXPECT_ERR("bad number for --ports in '1,-2'", "-r", "a", "--ports", "1,-2");
	EXPECT_ERR("bad number for --ports in '12345678901234567890'", "-r", "a", "-p",
		   "12345678901234567890");
	EXPECT_ERR("no ports in ','", "-r", "a", "-p", ",");
	EXPECT_ERR("no ports in ''", "-r", "a", "-p", "");
	EXPECT_ERR("too many ports", "-r", "a", "-p",
		   "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,"
		   "29,30,31,32,33");
	/* Empty items are skipped, as before. */
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "a", "-p", "1,,2,", (char *)NULL), 0);
	assert_int_equal(o.nports, 2);
	assert_int_equal(o.ports[1], 2);
	options_free(&o);
}

static void test_combinations(void **state)
{
	(void)state;
	EXPECT_ERR("no input: give -r FILE, -i IFACE or --from FILE", "--report");
	EXPECT_ERR("give -r, -i or --from, not two of them", "-r", "a", "-i", "eth0");
	EXPECT_ERR("give -r, -i or --from, not two of them", "--from", "j", "-r", "a");
	EXPECT_ERR("-w needs packets: not with --from", "--from", "j", "-w", "out.pcap");
	EXPECT_ERR("--streams needs packets: not with --from", "--from", "j", "--streams");
	EXPECT_ERR("a BPF expression needs packets: not with --from", "--from", "j", "tcp");
	EXPECT_ERR("--json - and --report both want stdout", "-r", "a", "--json", "-", "--report");
	EXPECT_ERR("unknown rule 'nope'", "-r", "a", "--rule", "nope");
	/* --server must be an address (with a port, or an IPv6 in brackets with one) */
	EXPECT_ERR("--server 'notanip' is not an IP address", "-r", "a", "--server", "notanip");
	EXPECT_ERR("--server '192.0.2.1:99999' is not an IP address", "-r", "a", "--server", "192.0.2.1:99999");
	EXPECT_ERR("--server '[2001:db8::1' is not an IP address", "-r", "a", "--server", "[2001:db8::1");
	EXPECT_ERR("--server 'mail.example.com' is not an IP address", "-r", "a", "--server", "mail.example.com");
	{
		struct options so;
		char serr[256];
		static const char *const good[] = { "192.0.2.1", "192.0.2.1:110", "2001:db8::1", "[2001:db8::1]:995",
						    "[::1]" };
		for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
			assert_int_equal(parse(&so, serr, sizeof(serr), "-r", "a", "--server", good[i], (char *)NULL), 0);
			options_free(&so);
		}
	}

	/* 64 files are fine, the 65th is refused. */
	char *argv[2 + 2 * 65 + 1];
	int argc = 0;
	argv[argc++] = (char *)"pop3mon";
	for (int i = 0; i < 65; i++) {
		argv[argc++] = (char *)"-r";
		argv[argc++] = (char *)"f.pcap";
	}
	argv[argc] = NULL;
	struct options o;
	char err[256];
	assert_int_equal(options_parse(&o, argc - 2, argv, err, sizeof(err)), 0);
	assert_int_equal(o.nfiles, 64);
	options_free(&o);
	assert_int_equal(options_parse(&o, argc, argv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many -r files (at most 64)"));
	options_free(&o);
}

/* The message is cut to the buffer, never overrun. */
static void test_small_buffer(void **state)
{
	(void)state;
	struct options o;
	char err[8];
	memset(err, 'Z', sizeof(err));
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "a", "--bogus", (char *)NULL), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	options_free(&o);
}

/* --help lists every option the parser accepts, in the left column. */
static void test_help_names_options(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	options_usage(f);
	fclose(f);
	static const char *const names[] = {
		"  -r FILE ", "  -i IFACE ", "  -p, --ports LIST ", "  --json FILE ", "  -w FILE ",
		"  --rule ID ", "  --max-flows N ", "  -h, --help ", "  --version ",
		"(default 32768)", "(default 600)", "(default 256)", "(default 32)",
		"(default 2048)",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strstr(buf, names[i]))
			fail_msg("--help lacks '%s'", names[i]);
	assert_null(strstr(buf, "{D}"));
	free(buf);
}

/* The fleet options: --publish checked at once, its defaults, --sensor,
 * --since in both forms. */
static void test_fleet(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(parse(&o, err, sizeof(err), "-r", "a", "--publish", "redis://h:7000/2/k",
			       (char *)NULL), 0);
	assert_string_equal(o.publish_url, "redis://h:7000/2/k");
	assert_int_equal(o.stream_maxlen, 1000000);
	assert_int_equal(o.publish_buffer_mib, 16);
	assert_non_null(o.sensor); /* the host name */
	assert_true(o.sensor[0] != '\0');
	assert_int_equal(o.since_us, 0);
	assert_false(o.follow);
	options_free(&o);

	assert_int_equal(parse(&o, err, sizeof(err), "-r", "a", "--sensor", "site-a", "--since",
			       "2026-12-04T03:00:00Z", "--follow", (char *)NULL), 0);
	assert_string_equal(o.sensor, "site-a");
	assert_int_equal(o.since_us, 1796353200ull * 1000000u);
	assert_true(o.follow);
	options_free(&o);

	assert_int_equal(parse(&o, err, sizeof(err), "-r", "a", "--since", "15m", (char *)NULL), 0);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t want = ((uint64_t)now.tv_sec - 900) * 1000000u;
	assert_true(o.since_us <= want + 1000000u && o.since_us + 2000000u >= want);
	options_free(&o);

	EXPECT_ERR("no stream key", "-r", "a", "--publish", "redis://h");
	EXPECT_ERR("password does not go in the URL", "-r", "a", "--publish", "redis://u:pw@h/k");
	EXPECT_ERR("--sensor: a name of 1 to 63 bytes", "-r", "a", "--sensor", "");
	EXPECT_ERR("--since: 'yesterday' is neither", "-r", "a", "--since", "yesterday");
	EXPECT_ERR("--since: '-5m' is neither", "-r", "a", "--since", "-5m");
	EXPECT_ERR("--since: '5w' is neither", "-r", "a", "--since", "5w");
	EXPECT_ERR("--stream-maxlen must be at least 1", "-r", "a", "--publish", "redis://h/k",
		   "--stream-maxlen", "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_unknown_and_missing),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_ports),
		cmocka_unit_test(test_combinations),
		cmocka_unit_test(test_options_after_bpf),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_help_names_options),
		cmocka_unit_test(test_fleet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
