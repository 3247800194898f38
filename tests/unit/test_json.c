/*
 * test_json.c - the JSON lines sink: string escaping (invalid UTF-8,
 * control bytes, escape sequences, quotes), every event type parsed back
 * by Python's json module, the filter (--only-flagged buffering, --server),
 * and write errors reported by finish.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/output/json_write.h"
#include "helpers/events.h"
#include "sinks.h"
#include "timefmt.h"

static char *esc(const char *s, size_t n)
{
	static char out[1024];
	struct jw w;
	jw_init(&w);
	jw_escape(&w, s, n);
	snprintf(out, sizeof out, "%s", w.buf ? w.buf : "");
	jw_fini(&w);
	return out;
}

static void test_escape(void **state)
{
	(void)state;
	assert_string_equal(esc("plain", 5), "plain");
	assert_string_equal(esc("a\"b\\c", 5), "a\\\"b\\\\c");
	assert_string_equal(esc("\r\n\t\x01\x1f\x7f", 6), "\\r\\n\\t\\u0001\\u001f\\u007f");
	assert_string_equal(esc("\x1b[2J\x1b]0;pwn\x07", 12), "\\u001b[2J\\u001b]0;pwn\\u0007");
	/* valid UTF-8 passes: e-acute, euro sign, U+1F600 */
	assert_string_equal(esc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* invalid: lone continuation, 0xff, overlong '/', surrogate, > U+10FFFF, cut sequence */
	assert_string_equal(esc("\x80", 1), "\\u0080");
	assert_string_equal(esc("\xff", 1), "\\u00ff");
	assert_string_equal(esc("\xc0\xaf", 2), "\\u00c0\\u00af");
	assert_string_equal(esc("\xed\xa0\x80", 3), "\\u00ed\\u00a0\\u0080");
	assert_string_equal(esc("\xf4\x90\x80\x80", 4), "\\u00f4\\u0090\\u0080\\u0080");
	assert_string_equal(esc("\xe2\x82", 2), "\\u00e2\\u0082");
	assert_string_equal(esc("\xe2\x82x", 3), "\\u00e2\\u0082x");
	/* C1 control encoded as UTF-8 (U+009B, CSI) is escaped as itself */
	assert_string_equal(esc("\xc2\x9b" "31m", 5), "\\u009b31m");
}

/*
 * The escaper copies plain text a word of 8 bytes at a time and checks
 * the last bytes of a text as the word that ends it. Each kind of byte
 * that needs more than a copy, at every offset before, inside and after
 * such words, must come out as the byte-by-byte rule says.
 */
static void test_escape_in_runs(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} special[] = {
		{ "\"", 1, "\\\"" },
		{ "\\", 1, "\\\\" },
		{ "\n", 1, "\\n" },
		{ "\r", 1, "\\r" },
		{ "\t", 1, "\\t" },
		{ "\0", 1, "\\u0000" },
		{ "\x01", 1, "\\u0001" },
		{ "\x1b", 1, "\\u001b" },
		{ "\x1f", 1, "\\u001f" },
		{ "\x7f", 1, "\\u007f" },
		{ "\x80", 1, "\\u0080" },          /* stray continuation */
		{ "\xbf", 1, "\\u00bf" },
		{ "\xc1\xbf", 2, "\\u00c1\\u00bf" }, /* overlong */
		{ "\xc2\x80", 2, "\\u0080" },      /* C1 controls */
		{ "\xc2\x9f", 2, "\\u009f" },
		{ "\xc2\xa0", 2, "\xc2\xa0" },     /* first after C1: passes */
		{ "\xc3\xa9", 2, "\xc3\xa9" },
		{ "\xdf\xbf", 2, "\xdf\xbf" },
		{ "\xe0\x9f\xbf", 3, "\\u00e0\\u009f\\u00bf" }, /* overlong */
		{ "\xe0\xa0\x80", 3, "\xe0\xa0\x80" },
		{ "\xe2\x82\xac", 3, "\xe2\x82\xac" },
		{ "\xed\x9f\xbf", 3, "\xed\x9f\xbf" },
		{ "\xed\xa0\x80", 3, "\\u00ed\\u00a0\\u0080" }, /* surrogate */
		{ "\xef\xbf\xbf", 3, "\xef\xbf\xbf" },
		{ "\xf0\x8f\xbf\xbf", 4, "\\u00f0\\u008f\\u00bf\\u00bf" }, /* overlong */
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
		{ "\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf" },
		{ "\xf4\x90\x80\x80", 4, "\\u00f4\\u0090\\u0080\\u0080" }, /* > U+10FFFF */
		{ "\xf5\x80", 2, "\\u00f5\\u0080" },
		{ "\xfe", 1, "\\u00fe" },
		{ "\xff", 1, "\\u00ff" },
		{ "\xc3", 1, "\\u00c3" },          /* cut: at the end, or before ASCII */
		{ "\xe2\x82", 2, "\\u00e2\\u0082" },
		{ "\xf0\x9f\x98", 3, "\\u00f0\\u009f\\u0098" },
		{ "\xe2\x82\xac\"", 4, "\xe2\x82\xac\\\"" },
		{ "\\\\\"\"", 4, "\\\\\\\\\\\"\\\"" },
	};
	/* plain bytes, among them the neighbours of the special ones */
	static const char plain[] = " !#[]~aZ09{}/:~ !#[]~aZ09{}/:";
	char in[64], want[128];
	for (size_t k = 0; k < sizeof special / sizeof special[0]; k++)
		for (size_t pre = 0; pre <= 18; pre++)
			for (size_t post = 0; post <= 18; post++) {
				size_t n = 0, m = 0, ol = strlen(special[k].out);
				memcpy(in, plain, pre);
				memcpy(want, plain, pre);
				n = m = pre;
				memcpy(in + n, special[k].in, special[k].n);
				n += special[k].n;
				memcpy(want + m, special[k].out, ol);
				m += ol;
				memcpy(in + n, plain + pre % 7, post);
				memcpy(want + m, plain + pre % 7, post);
				n += post;
				m += post;
				want[m] = '\0';
				struct jw w;
				jw_init(&w);
				jw_escape(&w, in, n);
				if (w.len != m || memcmp(w.buf, want, m + 1) != 0)
					fail_msg("special %zu, %zu plain before, %zu after: got \"%s\", want \"%s\"", k, pre,
						 post, w.buf, want);
				jw_fini(&w);
			}
}

/* Plain text of every length, alone and after a value: copied as it is. */
static void test_escape_plain_lengths(void **state)
{
	(void)state;
	static const char text[] = "The quick brown fox jumps over the lazy dog ~!#$%&'()*+,-./:;<=>?@[]^_`{|}";
	for (size_t n = 0; n < sizeof text; n++) {
		char want[sizeof text + 16];
		struct jw w;
		jw_init(&w);
		jw_arr_begin(&w, NULL);
		jw_u64(&w, NULL, n);
		jw_strn(&w, NULL, text, n);
		jw_arr_end(&w);
		snprintf(want, sizeof want, "[%zu,\"%.*s\"]", n, (int)n, text);
		assert_string_equal(w.buf, want);
		assert_int_equal(w.len, strlen(want));
		jw_fini(&w);
	}
}

/* Numbers and times are formatted by hand (printf and strftime were the
 * JSON path's hottest calls): the edges printf would have got right. */
static void test_numbers_by_hand(void **state)
{
	(void)state;
	struct jw w;
	jw_init(&w);
	jw_arr_begin(&w, NULL);
	jw_u64(&w, NULL, 0);
	jw_u64(&w, NULL, 10);
	jw_u64(&w, NULL, UINT64_MAX);
	jw_fixed(&w, NULL, 0, 0, 3);
	jw_fixed(&w, NULL, 7, 999, 3);
	jw_fixed(&w, NULL, 1, 1, 6);
	jw_fixed(&w, NULL, UINT64_MAX, 0, 0);
	jw_arr_end(&w);
	assert_string_equal(w.buf, "[0,10,18446744073709551615,0.000,7.999,1.000001,18446744073709551615]");
	jw_fini(&w);
}

/* Digits are counted before they are written: every count, at its edges,
 * and around 2^32, where the division turns from 64 to 32 bits. */
static void test_number_digit_counts(void **state)
{
	(void)state;
	uint64_t v[80];
	size_t n = 0;
	for (uint64_t p = 1, k = 0; k < 20; k++, p *= 10) {
		v[n++] = p - 1;
		v[n++] = p;
		v[n++] = p + 1;
	}
	v[n++] = UINT32_MAX - 1;
	v[n++] = UINT32_MAX;
	v[n++] = (uint64_t)UINT32_MAX + 1;
	v[n++] = 429496729500ull;
	v[n++] = UINT64_MAX - 1;
	v[n++] = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		char want[32];
		struct jw w;
		jw_init(&w);
		jw_u64(&w, NULL, v[i]);
		snprintf(want, sizeof want, "%" PRIu64, v[i]);
		assert_string_equal(w.buf, want);
		jw_reset(&w);
		jw_fixed(&w, NULL, v[i], v[i] % 1000, 3);
		snprintf(want, sizeof want, "%" PRIu64 ".%03u", v[i], (unsigned)(v[i] % 1000));
		assert_string_equal(w.buf, want);
		jw_fini(&w);
	}
}

static void test_times_by_hand(void **state)
{
	(void)state;
	char b[OUT_TIME_MAX];
	/* 2024-03-01T08:00:00Z = 1709280000 */
	assert_string_equal(out_fmt_time(b, sizeof b, 1709280000000000ull, OUT_TIME_EVE),
			    "2024-03-01T08:00:00.000000+0000");
	assert_string_equal(out_fmt_time(b, sizeof b, 1709280000000042ull, OUT_TIME_EVE),
			    "2024-03-01T08:00:00.000042+0000");
	/* the next second after a cached one */
	assert_string_equal(out_fmt_time(b, sizeof b, 1709280001999999ull, OUT_TIME_EVE),
			    "2024-03-01T08:00:01.999999+0000");
	assert_string_equal(out_fmt_time(b, sizeof b, 1709280001000001ull, OUT_TIME_UTC),
			    "2024-03-01 08:00:01.000001Z");
	assert_string_equal(out_fmt_time(b, sizeof b, 1709280001000001ull, OUT_TIME_CLOCK_UTC),
			    "08:00:01.000001");
	/* back in time: the cache must not answer for another second */
	assert_string_equal(out_fmt_time(b, sizeof b, 0, OUT_TIME_EVE), "1970-01-01T00:00:00.000000+0000");
	/* seconds that share a cache slot, and neighbours that do not, in turns */
	for (int i = 0; i < 3; i++) {
		assert_string_equal(out_fmt_time(b, sizeof b, 1709280016500000ull, OUT_TIME_EVE),
				    "2024-03-01T08:00:16.500000+0000");
		assert_string_equal(out_fmt_time(b, sizeof b, 1709280000000001ull, OUT_TIME_EVE),
				    "2024-03-01T08:00:00.000001+0000");
		assert_string_equal(out_fmt_time(b, sizeof b, 1709280001000010ull, OUT_TIME_EVE),
				    "2024-03-01T08:00:01.000010+0000");
		assert_string_equal(out_fmt_time(b, sizeof b, 1709280001000010ull, OUT_TIME_CLOCK_UTC),
				    "08:00:01.000010");
	}
	/* date edges: leap days, the end of a year and of a century */
	assert_string_equal(out_fmt_time(b, sizeof b, 951868799000000ull, OUT_TIME_EVE),
			    "2000-02-29T23:59:59.000000+0000");
	assert_string_equal(out_fmt_time(b, sizeof b, 1709251199999999ull, OUT_TIME_UTC),
			    "2024-02-29 23:59:59.999999Z");
	assert_string_equal(out_fmt_time(b, sizeof b, 946684799000000ull, OUT_TIME_EVE),
			    "1999-12-31T23:59:59.000000+0000");
	assert_string_equal(out_fmt_time(b, sizeof b, 4102444800000000ull, OUT_TIME_EVE),
			    "2100-01-01T00:00:00.000000+0000");
	assert_string_equal(out_fmt_time(b, sizeof b, 253402300799000000ull, OUT_TIME_EVE),
			    "9999-12-31T23:59:59.000000+0000");
	/* a fifth digit of year is strftime's to write */
	assert_string_equal(out_fmt_time(b, sizeof b, 253402300800000000ull, OUT_TIME_EVE),
			    "10000-01-01T00:00:00.000000+0000");
	/* local time: a zone east and one west of UTC, half hours included */
	setenv("TZ", "XST-5:30", 1);
	tzset();
	assert_string_equal(out_fmt_time(b, sizeof b, 1709280000000000ull, OUT_TIME_LOCAL),
			    "2024-03-01 13:30:00.000000+0530");
	assert_string_equal(out_fmt_time(b, sizeof b, 1709280000000000ull, OUT_TIME_CLOCK_LOCAL),
			    "13:30:00.000000");
	setenv("TZ", "YST5", 1);
	tzset();
	assert_string_equal(out_fmt_time(b, sizeof b, 1709290000000000ull, OUT_TIME_LOCAL),
			    "2024-03-01 05:46:40.000000-0500");
	unsetenv("TZ");
	tzset();
	/* a buffer too small is cut, never overrun */
	char small[12];
	out_fmt_time(small, sizeof small, 1709280000000000ull, OUT_TIME_EVE);
	assert_string_equal(small, "2024-03-01T");
	/* the length out_time_str returns is the text's */
	assert_int_equal(out_time_str(small, sizeof small, 1709280000000000ull, OUT_TIME_EVE), 11);
	assert_int_equal(out_time_str(b, sizeof b, 1709280000000000ull, OUT_TIME_EVE), 31);
	assert_int_equal(out_time_str(b, sizeof b, 1709280000000000ull, OUT_TIME_CLOCK_UTC), 15);
	size_t n = out_time_str(b, sizeof b, 253402300800000000ull, OUT_TIME_EVE);
	assert_int_equal(n, strlen(b));
	assert_int_equal(n, 32);
}

static void test_writer(void **state)
{
	(void)state;
	struct jw w;
	jw_init(&w);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "a", "x");
	jw_arr_begin(&w, "b");
	jw_u64(&w, NULL, 1);
	jw_obj_begin(&w, NULL);
	jw_bool(&w, "t", true);
	jw_null(&w, "n");
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_fixed(&w, "ms", 12, 5, 3);
	jw_arr_begin(&w, "e");
	jw_arr_end(&w);
	jw_obj_end(&w);
	assert_string_equal(w.buf, "{\"a\":\"x\",\"b\":[1,{\"t\":true,\"n\":null}],\"ms\":12.005,\"e\":[]}");
	jw_reset(&w);
	jw_obj_begin(&w, NULL);
	jw_obj_end(&w);
	assert_string_equal(w.buf, "{}");
	jw_fini(&w);
}

/* ---- the sink, read back ---- */

static char tmpl[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpl, sizeof tmpl, "/tmp/test_json_XXXXXX");
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(tmpl);
	return 0;
}

/* Run a Python check over the file: every line must parse; `code` sees `ev` (list). */
static int py_check(const char *code)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
		 "python3 -c 'import json,sys\n"
		 "ev=[json.loads(l) for l in open(sys.argv[1], encoding=\"utf-8\")]\n"
		 "%s\n' %s",
		 code, tmpl);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char buf[512];
	while (fgets(buf, sizeof buf, p))
		fputs(buf, stderr);
	return pclose(p);
}

static struct sink open_sink(const struct json_opts *o)
{
	char err[256] = "";
	struct sink s = json_sink_new(tmpl, o, err, sizeof err);
	assert_non_null(s.ops);
	return s;
}

static void finish_ok(struct sink s)
{
	char err[256] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
}

static void test_every_event(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = open_sink(&o);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	struct finding f;
	struct ev_stats st;

	tev_session(&sess, &ci, 7);
	/* hostile banner and user: ESC, quotes, invalid UTF-8 */
	strcpy(ci->banner, "\x1b[31mevil\" \xff\xfe \\ server\x07");
	strcpy(ci->user, "al\"ice\xc3");

	tev_emit(s, EV_SESSION_OPEN, &sess, NULL, NULL, NULL);
	tev_txn(&t, 0, NULL, NULL, POP3_ST_OK, "InterMail ready <1.2@x>", 4);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 1, "USER", "al\"ice\xc3", POP3_ST_OK, "", 6);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 2, "PASS", "<redacted>", POP3_ST_OK, "You have 0 messages totaling 554 octets", 8);
	t.secret = true;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 3, "STAT", NULL, POP3_ST_OK, "1 554", 10);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 4, "UIDL", NULL, POP3_ST_OK, "0 messages (554 octets) [1 control message(s) hidden]", 12);
	tev_listing(&t, 1500, true);
	t.flags = POP3_TF_BARE_LF | POP3_TF_CUT;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_listing_free(&t);
	tev_txn(&t, 5, "LIST", NULL, POP3_ST_ERR, "[SYS/TEMP] try later", 14);
	strcpy(t.code, "SYS/TEMP");
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 6, "RETR", "1", POP3_ST_NONE, NULL, 16);
	t.flags = POP3_TF_UNANSWERED;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);

	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 11,
		    "STAT -> +OK 1 554", 13, "UIDL -> +OK 0 messages \x1b[0m\xff");
	sess.findings[SEV_ERROR] = 1;
	sess.rules_hit = 1ull << R_STAT_UIDL_COUNT;
	sess.worst = SEV_ERROR;
	sess.flagged = true;
	tev_emit(s, EV_FINDING, &sess, NULL, &f, NULL);

	sess.end = FLOW_END_FIN;
	sess.stat_seen = true;
	sess.stat_count = 1;
	sess.stat_octets = 554;
	sess.txns = 7;
	tev_emit(s, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
	tev_emit(s, EV_SESSION_UPDATE, &sess, NULL, NULL, NULL); /* not written */
	tev_stats(&st, false);
	tev_emit(s, EV_STATS, NULL, NULL, NULL, &st); /* periodic: not asked for */
	tev_stats(&st, true);
	tev_emit(s, EV_STATS, NULL, NULL, NULL, &st);
	finish_ok(s);

	assert_int_equal(py_check(
		"o = ev.pop(0)\n"
		"assert o[\"event_type\"] == \"pop3_session_open\" and o[\"flow_id\"] == 7, o\n"
		"assert o[\"pop3_session_open\"] == {\"first_frame\": 1, \"midstream\": False, \"state\": \"TRANSACTION\"}, o\n"
		"assert [e[\"event_type\"] for e in ev] == [\"pop3\"]*7 + [\"pop3_finding\", \"pop3_session\", \"stats\"], ev\n"
		"for e in ev[:9]:\n"
		"  assert e[\"flow_id\"] == 7 and e[\"src_ip\"] == \"192.0.2.10\" and e[\"dest_port\"] == 110\n"
		"  assert e[\"proto\"] == \"TCP\" and e[\"schema_version\"] == 2 and e[\"community_id\"].startswith(\"1:\")\n"
		"assert ev[0][\"timestamp\"] == \"2026-11-24T21:06:39.127706+0000\", ev[0][\"timestamp\"]\n"
		"assert \"request\" not in ev[0][\"pop3\"]\n"
		"assert ev[1][\"pop3\"][\"request\"] == {\"command\": \"USER\", \"args\": \"al\\\"ice\\u00c3\", \"frame\": 6, \"timestamp\": \"2026-11-24T21:06:39.129456+0000\"}, ev[1]\n"
		"assert ev[2][\"pop3\"][\"request\"][\"redacted\"] is True\n"
		"assert ev[3][\"pop3\"][\"response\"][\"header\"] == \"1 554\" and ev[3][\"pop3\"][\"response\"][\"success\"]\n"
		"assert ev[3][\"pop3\"][\"latency_ms\"] == 1.25, ev[3][\"pop3\"]\n"
		"u = ev[4][\"pop3\"]\n"
		"assert len(u[\"listing\"]) == 1000 and u[\"listing_truncated\"] and u[\"listing_count\"] == 1500\n"
		"assert u[\"listing\"][1] == {\"number\": 2, \"uid\": \"uid2\"}\n"
		"assert u[\"flags\"] == [\"cut\", \"bare_lf\"], u[\"flags\"]\n"
		"assert ev[5][\"pop3\"][\"response\"][\"status\"] == \"-ERR\" and ev[5][\"pop3\"][\"response\"][\"code\"] == \"SYS/TEMP\"\n"
		"assert \"response\" not in ev[6][\"pop3\"] and ev[6][\"pop3\"][\"flags\"] == [\"unanswered\"]\n"
		"f = ev[7][\"finding\"]\n"
		"assert f[\"rule\"] == \"stat-uidl-count\" and f[\"severity\"] == \"error\" and \"0x800CCC97\" in f[\"symptom\"]\n"
		"assert f[\"evidence\"][1][\"line\"] == \"UIDL -> +OK 0 messages \\u001b[0m\\u00ff\" and f[\"evidence\"][1][\"frame\"] == 13\n"
		"assert ev[7][\"pcap_cnt\"] == 13\n"
		"p = ev[8][\"pop3_session\"]\n"
		"assert p[\"end_reason\"] == \"fin\" and p[\"rules\"] == [\"stat-uidl-count\"] and p[\"flagged\"]\n"
		"assert p[\"banner\"] == \"\\u001b[31mevil\\\" \\u00ff\\u00fe \\\\ server\\u0007\", p[\"banner\"]\n"
		"assert p[\"stat\"] == {\"count\": 1, \"octets\": 554} and p[\"state\"] == \"TRANSACTION\"\n"
		"st = ev[9][\"stats\"]\n"
		"assert st[\"final\"] and st[\"decoder\"][\"ip_fragment\"] == 2 and st[\"tcp_reassembly\"][\"gaps\"] == 1\n"
		"assert st[\"rules\"] == {\"stat-uidl-count\": 1} and \"flow_id\" not in ev[9]\n"
		"raw = open(sys.argv[1], \"rb\").read()\n"
		"assert b\"\\x1b\" not in raw and b\"\\xff\" not in raw\n"), 0);
}

/* Every optional part of a transaction record, byte for byte (the record
 * is written by cursor, not by the writer's per-value steps). */
static void test_txn_record_bytes(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = open_sink(&o);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	tev_session(&sess, &ci, 9);
	sess.vlan = 42;

	tev_txn(&t, 3, "RETR", "7 \"x\"\\", POP3_ST_OK, "follows \x1b\xff", 20);
	t.secret = true;
	t.has_msgnum = true;
	t.msgnum = 7;
	strcpy(t.code, "IN-USE");
	t.multiline = true;
	t.terminated = false;
	t.data_lines = 12;
	t.data_octets = 4096;
	t.auth_steps = 2;
	t.flags = POP3_TF_CUT | POP3_TF_NO_TERMINATOR | 0x80000000u;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 4, "LIST", NULL, POP3_ST_OK, "2 messages", 30);
	tev_listing(&t, 2, false);
	t.entries[1].flags = POP3_LE_BADVAL;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_listing_free(&t);
	tev_txn(&t, 5, "CAPA", NULL, POP3_ST_OK, "", 40);
	t.caps = POP3_CAP_UIDL | POP3_CAP_SASL;
	strcpy(t.sasl, "PLAIN LOGIN");
	t.flags = POP3_TF_BARE_LF;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 6, NULL, NULL, POP3_ST_ERR, "", 50);
	t.end_frame = 0;
	t.state_before = (enum pop3_state)99;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 7, "QUIT", NULL, POP3_ST_NONE, NULL, 60);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	finish_ok(s);

	FILE *f = fopen(tmpl, "r");
	assert_non_null(f);
	static char got[8192];
	size_t n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	if (getenv("SHOW_JSON"))
		fputs(got, stderr);
	static const char want[] =
		"{\"timestamp\":\"2026-11-24T21:06:39.144706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":21,"
		"\"pop3\":{\"tx_id\":3,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"RETR\",\"args\":\"7 \\\"x\\\"\\\\\","
		"\"redacted\":true,\"msgnum\":7,\"frame\":20,\"timestamp\":\"2026-11-24T21:06:39.143456+0000\"},\"response\":{\"success\":true,\"status\":\"+OK\","
		"\"header\":\"follows \\u001b\\u00ff\",\"code\":\"IN-USE\",\"frame\":21,\"end_frame\":21,"
		"\"timestamp\":\"2026-11-24T21:06:39.144706+0000\",\"multiline\":true,\"terminated\":false,"
		"\"data_lines\":12,\"data_octets\":4096,\"auth_steps\":2},\"latency_ms\":1.250,\"flags\":[\"cut\","
		"\"no_terminator\"]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.154706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":31,"
		"\"pop3\":{\"tx_id\":4,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"LIST\",\"frame\":30,\"timestamp\":\"2026-11-24T21:06:39.153456+0000\"},"
		"\"response\":{\"success\":true,\"status\":\"+OK\",\"header\":\"2 messages\",\"frame\":31,\"end_frame\":31,"
		"\"timestamp\":\"2026-11-24T21:06:39.154706+0000\",\"multiline\":true,\"terminated\":true,"
		"\"data_lines\":2,\"data_octets\":0},\"latency_ms\":1.250,\"listing\":[{\"number\":1,\"size\":100},"
		"{\"number\":2,\"size\":200,\"invalid\":[\"size\"]}],\"listing_count\":2,\"listing_truncated\":false,"
		"\"flags\":[]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.164706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":41,"
		"\"pop3\":{\"tx_id\":5,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"CAPA\",\"frame\":40,\"timestamp\":\"2026-11-24T21:06:39.163456+0000\"},"
		"\"response\":{\"success\":true,\"status\":\"+OK\",\"header\":\"\",\"frame\":41,\"end_frame\":41,"
		"\"timestamp\":\"2026-11-24T21:06:39.164706+0000\",\"multiline\":false},\"latency_ms\":1.250,"
		"\"capabilities\":[\"UIDL\",\"SASL\"],\"sasl\":\"PLAIN LOGIN\",\"flags\":[\"bare_lf\"]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.173706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":50,"
		"\"pop3\":{\"tx_id\":6,\"state\":\"UNKNOWN\",\"response\":{\"success\":false,\"status\":\"-ERR\","
		"\"header\":\"\",\"frame\":50,\"end_frame\":0,\"timestamp\":\"2026-11-24T21:06:39.173706+0000\","
		"\"multiline\":false},\"flags\":[]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.183456+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":60,"
		"\"pop3\":{\"tx_id\":7,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"QUIT\",\"frame\":60,\"timestamp\":\"2026-11-24T21:06:39.183456+0000\"},"
		"\"flags\":[]}}\n";
	assert_string_equal(got, want);
}

/* The finding and session records, byte for byte, each optional part in
 * and out (written by cursor too). */
static void test_finding_session_bytes(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .only_flagged = true, .rule = -1 } };
	struct sink s = open_sink(&o);
	struct ev_session a, b, c;
	struct ev_pop3 *ca, *cc;
	struct pop3_txn t;
	struct finding f;
	tev_session(&a, &ca, 3);
	tev_session(&b, NULL, 4);
	tev_session(&c, &cc, 5);
	c.flagged = true;
	memset(&b.pop3, 0, sizeof b.pop3); /* no payload seen: nothing known */
	b.community_id[0] = '\0';
	b.source = NULL;
	strcpy(ca->banner, "ready \"\x01\"");
	ca->tls = ca->quit_seen = true;
	ca->gaps[0] = 2;
	ca->gap_bytes[1] = 1460;
	ca->bare_lf[0] = ca->bare_lf[1] = 1;
	ca->long_lines[1] = 3;
	ca->resyncs = 4;
	ca->unanswered = 5;
	ca->unsolicited = 6;
	ca->garbage_lines = 7;
	ca->pending_dropped = 8;

	/* a's lines wait for it to be flagged; past 256 KiB they are dropped */
	char text[POP3_TEXT_MAX + 1];
	memset(text, 'x', POP3_TEXT_MAX);
	text[POP3_TEXT_MAX] = '\0';
	for (int i = 0; i < 400; i++) {
		tev_txn(&t, (uint64_t)i, "NOOP", NULL, POP3_ST_OK, text, 10);
		tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	}
	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 \"message\"", 11, "STAT -> +OK 1 554", 13,
		    "UIDL -> +OK \x1b[0m");
	tev_emit(s, EV_FINDING, &c, NULL, &f, NULL);
	tev_finding(&f, R_RETR_SIZE, "no symptom", 0, NULL, 0, NULL);
	f.n_ev = 0;
	b.flagged = true;
	tev_emit(s, EV_FINDING, &b, NULL, &f, NULL);
	/* a passes only at its close: its record counts the lines dropped */
	a.flagged = true;
	a.findings[SEV_ERROR] = 1;
	a.findings[SEV_NOTICE] = 2;
	a.worst = SEV_ERROR;
	a.rules_hit = 1ull << R_STAT_UIDL_COUNT | 1ull << R_RETR_SIZE;
	a.stat_seen = true;
	a.stat_count = 3;
	a.stat_octets = 999;
	a.worst_latency_us = 1234567;
	a.txns = 400;
	a.end = FLOW_END_FIN;
	tev_emit(s, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	b.end = FLOW_END_TIMEOUT;
	b.last_frame = 0;
	tev_emit(s, EV_SESSION_CLOSE, &b, NULL, NULL, NULL);
	finish_ok(s);

	/* the lines that are not transactions */
	FILE *fp = fopen(tmpl, "r");
	assert_non_null(fp);
	static char line[8192], got[4 * 8192];
	got[0] = '\0';
	while (fgets(line, sizeof line, fp))
		if (!strstr(line, "\"event_type\":\"pop3\",") && strlen(got) + strlen(line) < sizeof got)
			strcat(got, line);
	fclose(fp);
	if (getenv("SHOW_JSON"))
		fputs(got, stderr);
	static const char want[] =
		"{\"timestamp\":\"2026-11-24T21:06:39.136456+0000\",\"flow_id\":5,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3_finding\",\"src_ip\":\"192.0.2.10\",\"src_port\":50005,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":13,"
		"\"finding\":{\"rule\":\"stat-uidl-count\",\"severity\":\"error\",\"summary\":\"STAT said 1 \\\"message\\\"\","
		"\"rfc\":\"RFC 1939 sections 5 and 7 (STAT, UIDL)\","
		"\"symptom\":\"Outlook typically shows 0x800CCC97 (IXP_E_POP3_POPID_OUT_OF_RANGE)\","
		"\"user\":\"alice\",\"evidence\":[{\"frame\":11,\"timestamp\":\"2026-11-24T21:06:39.134456+0000\","
		"\"tx_id\":0,\"line\":\"STAT -> +OK 1 554\"},{\"frame\":13,"
		"\"timestamp\":\"2026-11-24T21:06:39.136456+0000\",\"tx_id\":1,\"line\":\"UIDL -> +OK \\u001b[0m\"}]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.123456+0000\",\"flow_id\":4,\"event_type\":\"pop3_finding\","
		"\"src_ip\":\"192.0.2.10\",\"src_port\":50004,\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,"
		"\"proto\":\"TCP\",\"schema_version\":2,\"finding\":{\"rule\":\"retr-size\",\"severity\":\"warning\","
		"\"summary\":\"no symptom\",\"rfc\":\"RFC 1939 sections 5 and 11 (LIST, RETR)\",\"evidence\":[]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.128456+0000\",\"flow_id\":3,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3_session\",\"src_ip\":\"192.0.2.10\",\"src_port\":50003,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":20,"
		"\"pop3_session\":{\"start\":\"2026-11-24T21:06:39.123456+0000\","
		"\"end\":\"2026-11-24T21:06:39.128456+0000\",\"end_reason\":\"fin\",\"first_frame\":1,\"last_frame\":20,"
		"\"midstream\":false,\"state\":\"TRANSACTION\",\"user\":\"alice\",\"banner\":\"ready \\\"\\u0001\\\"\","
		"\"tls\":true,\"stls\":false,\"login\":true,\"quit\":true,\"txns\":400,\"pkts_toserver\":10,"
		"\"pkts_toclient\":10,\"bytes_toserver\":100,\"bytes_toclient\":900,\"stat\":{\"count\":3,"
		"\"octets\":999},\"worst_latency_ms\":1234.567,\"findings\":{\"error\":1,\"warning\":0,\"notice\":2},"
		"\"flagged\":true,\"worst_severity\":\"error\",\"rules\":[\"stat-uidl-count\",\"retr-size\"],"
		"\"anomalies\":{\"gaps_toserver\":2,\"gaps_toclient\":0,\"gap_bytes_toserver\":0,"
		"\"gap_bytes_toclient\":1460,\"resyncs\":4,\"unanswered\":5,\"unsolicited\":6,\"garbage_lines\":7,"
		"\"pending_dropped\":8,\"bare_lf\":2,\"long_lines\":3},\"json_lines_dropped\":160}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.128456+0000\",\"flow_id\":4,\"event_type\":\"pop3_session\","
		"\"src_ip\":\"192.0.2.10\",\"src_port\":50004,\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,"
		"\"proto\":\"TCP\",\"schema_version\":2,\"pop3_session\":{\"start\":\"2026-11-24T21:06:39.123456+0000\","
		"\"end\":\"2026-11-24T21:06:39.128456+0000\",\"end_reason\":\"timeout\",\"first_frame\":1,"
		"\"last_frame\":0,\"midstream\":false,\"state\":\"UNKNOWN\",\"tls\":false,\"stls\":false,\"login\":false,"
		"\"quit\":false,\"txns\":0,\"pkts_toserver\":10,\"pkts_toclient\":10,\"bytes_toserver\":100,"
		"\"bytes_toclient\":900,\"worst_latency_ms\":0.000,\"findings\":{\"error\":0,\"warning\":0,"
		"\"notice\":0},\"flagged\":true,\"rules\":[],\"anomalies\":{\"gaps_toserver\":0,"
		"\"gaps_toclient\":0,\"gap_bytes_toserver\":0,\"gap_bytes_toclient\":0,\"resyncs\":0,"
		"\"unanswered\":0,\"unsolicited\":0,\"garbage_lines\":0,\"pending_dropped\":0,\"bare_lf\":0,"
		"\"long_lines\":0}}}\n";
	assert_string_equal(got, want);
}

/* Times are kept as text and, within a second, only their microseconds
 * rewritten: forward, back, across seconds and years, each as formatted
 * from scratch. */
static void test_record_times(void **state)
{
	(void)state;
	static const uint64_t ts[] = {
		1709280000000000ull, 1709280000000001ull, 1709280000999999ull, 1709280000000001ull,
		1709280001000000ull, 1709279999999999ull, 1709280000000000ull, 1709280000000000ull,
		253402300799999999ull, 253402300800000001ull, 253402300800500000ull, 1000000ull, 999999ull,
	};
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = open_sink(&o);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	tev_session(&sess, &ci, 1);
	for (size_t i = 0; i < ARRAY_LEN(ts); i++) {
		tev_txn(&t, i, "NOOP", NULL, POP3_ST_OK, "", 3);
		t.end_ts_us = ts[i];
		t.rep_ts_us = ts[(i + 5) % ARRAY_LEN(ts)];
		tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	}
	finish_ok(s);
	FILE *f = fopen(tmpl, "r");
	assert_non_null(f);
	char line[4096];
	for (size_t i = 0; i < ARRAY_LEN(ts); i++) {
		char a[OUT_TIME_MAX], b[OUT_TIME_MAX], want[128];
		assert_non_null(fgets(line, sizeof line, f));
		snprintf(want, sizeof want, "{\"timestamp\":\"%s\",", out_fmt_time(a, sizeof a, ts[i], OUT_TIME_EVE));
		assert_memory_equal(line, want, strlen(want));
		snprintf(want, sizeof want, ",\"timestamp\":\"%s\",",
			 out_fmt_time(b, sizeof b, ts[(i + 5) % ARRAY_LEN(ts)], OUT_TIME_EVE));
		assert_non_null(strstr(line + 1, want));
	}
	fclose(f);
}

static void run_filter_case(const struct sink_filter *flt)
{
	struct json_opts o = { .filter = *flt };
	struct sink s = open_sink(&o);
	struct ev_session a, b;
	struct ev_pop3 *cia, *cib;
	struct pop3_txn t;
	struct finding f;

	tev_session(&a, &cia, 1);
	tev_session(&b, &cib, 2);
	strcpy(cib->user, "bob");
	tev_txn(&t, 0, "STAT", NULL, POP3_ST_OK, "1 554", 3);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_txn(&t, 1, "UIDL", NULL, POP3_ST_OK, "", 5);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	/* b gets flagged */
	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1; UIDL listed 0", 3, "STAT -> +OK 1 554", 0, NULL);
	b.flagged = true;
	b.rules_hit = 1ull << R_STAT_UIDL_COUNT;
	b.findings[SEV_ERROR] = 1;
	tev_emit(s, EV_FINDING, &b, NULL, &f, NULL);
	tev_txn(&t, 2, "QUIT", NULL, POP3_ST_OK, "bye", 7);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	a.end = b.end = FLOW_END_FIN;
	tev_emit(s, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	tev_emit(s, EV_SESSION_CLOSE, &b, NULL, NULL, NULL);
	finish_ok(s);
}

static void test_filter_only_flagged(void **state)
{
	(void)state;
	struct sink_filter flt = { .only_flagged = true, .rule = -1 };
	run_filter_case(&flt);
	/* b's early txns come out, in order, when it becomes flagged; nothing of a */
	assert_int_equal(py_check(
		"assert all(e[\"flow_id\"] == 2 for e in ev), ev\n"
		"assert [e[\"event_type\"] for e in ev] == [\"pop3\", \"pop3\", \"pop3_finding\", \"pop3\", \"pop3_session\"]\n"
		"assert [e[\"pop3\"][\"tx_id\"] for e in ev if e[\"event_type\"] == \"pop3\"] == [0, 1, 2]\n"), 0);

	struct sink_filter byrule = { .rule = R_STAT_UIDL_COUNT };
	run_filter_case(&byrule);
	assert_int_equal(py_check("assert len(ev) == 5 and all(e[\"flow_id\"] == 2 for e in ev)\n"), 0);

	struct sink_filter byuser = { .rule = -1, .user = "alice" };
	run_filter_case(&byuser);
	assert_int_equal(py_check("assert len(ev) == 4 and all(e[\"flow_id\"] == 1 for e in ev)\n"), 0);

	struct sink_filter none = { .rule = -1 };
	run_filter_case(&none);
	assert_int_equal(py_check("assert len(ev) == 9, len(ev)\n"
				  "assert [e[\"flow_id\"] for e in ev] == [1, 2, 1, 2, 2, 1, 2, 1, 2]\n"), 0);

	struct sink_filter srv = { .rule = -1, .server = "203.0.113.1" };
	run_filter_case(&srv);
	assert_int_equal(py_check("assert ev == []\n"), 0);
	struct sink_filter srvport = { .rule = -1, .server = "198.51.100.5:110" };
	run_filter_case(&srvport);
	assert_int_equal(py_check("assert len(ev) == 9\n"), 0);
}

/*
 * The flow fields of a session's records are escaped once and copied after
 * that. Whatever changes between two records of a session (a port, the
 * vlan, an address, the community id, the source name, a text that needs
 * escaping), and whatever the order of the sessions' events, every line
 * must start as if written from scratch: Python writes the expected start
 * of each line from the fields the event carried.
 */
static FILE *want; /* the fields of each line's event, tab separated */

static void expect_line(const struct ev_session *s, const char *type)
{
	fprintf(want, "%u\t%s\t%s\t%u\t%s\t%u\t%s\t%u\t%s\n", (unsigned)s->id, s->source ? s->source : "-", type,
		(unsigned)s->vlan, s->cli, (unsigned)s->cport, s->srv, (unsigned)s->sport, s->community_id);
}

static void emit_txn(struct sink k, const struct ev_session *s, uint64_t index)
{
	struct pop3_txn t;
	tev_txn(&t, index, "NOOP", NULL, POP3_ST_OK, "", 3 + index);
	tev_emit(k, EV_TXN, s, &t, NULL, NULL);
	expect_line(s, "pop3");
}

static void test_flow_fields_never_stale(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink k = open_sink(&o);
	struct ev_session a, b;
	struct ev_pop3 *cia, *cib;
	struct finding f;
	char wpath[sizeof tmpl + 8];
	snprintf(wpath, sizeof wpath, "%s.want", tmpl);
	want = fopen(wpath, "w");
	assert_non_null(want);

	tev_session(&a, &cia, 1);
	tev_session(&b, &cib, 2);
	emit_txn(k, &a, 0);
	emit_txn(k, &b, 0);
	emit_txn(k, &a, 1);
	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1; UIDL listed 0", 3, "STAT -> +OK 1 554", 0, NULL);
	tev_emit(k, EV_FINDING, &a, NULL, &f, NULL);
	expect_line(&a, "pop3_finding");
	a.cport = 50077;
	emit_txn(k, &a, 2);
	b.vlan = 7;
	emit_txn(k, &b, 1);
	emit_txn(k, &a, 3);
	b.vlan = 0;
	emit_txn(k, &b, 2);
	/* same length, one byte different */
	strcpy(a.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrh=");
	emit_txn(k, &a, 4);
	strcpy(a.srv, "198.51.100.55");
	emit_txn(k, &a, 5);
	strcpy(a.srv, "::100"); /* short texts, changed in their last byte */
	emit_txn(k, &a, 6);
	strcpy(a.srv, "::101");
	emit_txn(k, &a, 6);
	strcpy(a.srv, "::1");
	emit_txn(k, &a, 6);
	strcpy(a.srv, "::2");
	emit_txn(k, &a, 6);
	strcpy(a.srv, "198.51.100.5");
	a.sport = 995;
	emit_txn(k, &a, 6);
	strcpy(a.cli, "192.0.2.1");
	emit_txn(k, &a, 7);
	a.community_id[0] = '\0';
	emit_txn(k, &a, 8);
	strcpy(a.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	emit_txn(k, &a, 9);
	b.source = NULL;
	emit_txn(k, &b, 3);
	b.source = "test.pcapng";
	emit_txn(k, &b, 4);
	b.source = "test.pcap";
	emit_txn(k, &b, 5);
	/* texts the escaper changes are written as such, and not taken for
	 * the same text later: not even their escaped form is */
	b.source = "a\\b \\\"c\".pcap";
	emit_txn(k, &b, 6);
	emit_txn(k, &b, 7);
	b.source = "a\\\\b \\\\\\\"c\\\".pcap";
	emit_txn(k, &b, 8);
	b.source = "test.pcap";
	strcpy(b.cli, "192.0.2.\\10");
	emit_txn(k, &b, 9);
	emit_txn(k, &b, 10);
	strcpy(b.cli, "192.0.2.\\\\10");
	emit_txn(k, &b, 11);
	strcpy(b.cli, "192.0.2.1\\"); /* escaped, it starts with itself */
	emit_txn(k, &b, 12);
	strcpy(b.cli, "192.0.2.1\\\\");
	emit_txn(k, &b, 12);
	strcpy(b.cli, "192.0.2.10");
	emit_txn(k, &b, 12);
	a.end = FLOW_END_FIN;
	tev_emit(k, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	expect_line(&a, "pop3_session");
	/* the id again, after its close, for other endpoints */
	tev_session(&a, &cia, 1);
	a.ipver = 6;
	strcpy(a.cli, "2001:db8::10");
	strcpy(a.srv, "2001:db8::5");
	a.vlan = 12;
	emit_txn(k, &a, 0);
	emit_txn(k, &b, 13);
	emit_txn(k, &a, 1);
	a.end = b.end = FLOW_END_RST;
	tev_emit(k, EV_SESSION_CLOSE, &b, NULL, NULL, NULL);
	expect_line(&b, "pop3_session");
	tev_emit(k, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	expect_line(&a, "pop3_session");
	finish_ok(k);
	fclose(want);

	assert_int_equal(py_check(
		"d = lambda v: json.dumps(v, separators=(\",\", \":\"))\n"
		"q = chr(34)\n"
		"k = lambda n: q + n + q + \":\"\n"
		"want = [l.split(\"\\t\") for l in open(sys.argv[1] + \".want\", encoding=\"utf-8\").read().splitlines()]\n"
		"lines = open(sys.argv[1], encoding=\"utf-8\").read().splitlines()\n"
		"assert len(lines) == len(want) == len(ev), (len(lines), len(want))\n"
		"for line, e, w in zip(lines, ev, want):\n"
		"  fid, src, typ, vlan, cli, cport, srv, sport, cid = w\n"
		"  s = \"{\" + k(\"timestamp\") + d(e[\"timestamp\"]) + \",\" + k(\"flow_id\") + fid\n"
		"  if src != \"-\": s += \",\" + k(\"source\") + d(src)\n"
		"  s += \",\" + k(\"event_type\") + d(typ)\n"
		"  if vlan != \"0\": s += \",\" + k(\"vlan\") + \"[\" + vlan + \"]\"\n"
		"  s += \",\" + k(\"src_ip\") + d(cli) + \",\" + k(\"src_port\") + cport + \",\" + k(\"dest_ip\") + d(srv)\n"
		"  s += \",\" + k(\"dest_port\") + sport + \",\" + k(\"proto\") + d(\"TCP\")\n"
		"  if cid: s += \",\" + k(\"community_id\") + d(cid)\n"
		"  s += \",\" + k(\"schema_version\") + \"2,\"\n"
		"  assert line.startswith(s), (line, s)\n"), 0);
	unlink(wpath);
}

static void test_sink_filter_pass(void **state)
{
	(void)state;
	struct ev_session s;
	struct ev_pop3 *ci;
	tev_session(&s, &ci, 3);
	struct sink_filter f = { .rule = -1 };
	assert_true(sink_filter_pass(&f, &s));
	assert_true(sink_filter_pass(NULL, &s));
	f.only_flagged = true;
	assert_false(sink_filter_pass(&f, &s));
	s.flagged = true;
	assert_true(sink_filter_pass(&f, &s));
	f.rule = R_RETR_SIZE;
	assert_false(sink_filter_pass(&f, &s));
	s.rules_hit |= 1ull << R_RETR_SIZE;
	assert_true(sink_filter_pass(&f, &s));
	f.user = "alice";
	assert_true(sink_filter_pass(&f, &s));
	f.user = "Alice"; /* user names match without regard to case */
	assert_true(sink_filter_pass(&f, &s));
	f.user = "alicia";
	assert_false(sink_filter_pass(&f, &s));
	f.user = NULL;
	f.server = "198.51.100.5";
	assert_true(sink_filter_pass(&f, &s));
	f.server = "198.51.100.5:995";
	assert_false(sink_filter_pass(&f, &s));
	s.ipver = 6;
	strcpy(s.srv, "2001:db8::1");
	f.server = "[2001:db8::1]:110";
	assert_true(sink_filter_pass(&f, &s));
	f.server = "2001:DB8:0::1"; /* compared as addresses */
	assert_true(sink_filter_pass(&f, &s));
	f.server = "[2001:db8::2]:110";
	assert_false(sink_filter_pass(&f, &s));
}

static void test_write_error(void **state)
{
	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	char err[256] = "";
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = json_sink_new("/dev/full", &o, err, sizeof err);
	assert_non_null(s.ops);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	tev_session(&sess, &ci, 1);
	tev_txn(&t, 0, "STAT", NULL, POP3_ST_OK, "1 554", 3);
	for (int i = 0; i < 2000; i++)
		tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	sess.end = FLOW_END_RST;
	tev_emit(s, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), -1);
	assert_non_null(strstr(err, "/dev/full: write error: "));
	s.ops->free(s.self);

	struct sink bad = json_sink_new("/nonexistent/dir/x.json", &o, err, sizeof err);
	assert_null(bad.ops);
	assert_non_null(strstr(err, "/nonexistent/dir/x.json: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_in_runs),
		cmocka_unit_test(test_escape_plain_lengths),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_numbers_by_hand),
		cmocka_unit_test(test_number_digit_counts),
		cmocka_unit_test(test_times_by_hand),
		cmocka_unit_test_setup_teardown(test_every_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_only_flagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_fields_never_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_record_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finding_session_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_times, setup, teardown),
		cmocka_unit_test(test_sink_filter_pass),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
