/*
 * test_json_text.c - the JSON writer's text (src/output/json_write.c):
 * string escaping (invalid UTF-8, control bytes, escape sequences,
 * quotes; in runs and plain stretches of every length), numbers and times
 * by hand against printf and gmtime, and the object/array writer.
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

#include <cmocka.h>

#include "../../src/output/json_write.h"
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
