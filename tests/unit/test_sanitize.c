/*
 * test_sanitize.c - wire text made safe for terminals and logs
 * (src/util/sanitize.c): printable ASCII kept, backslash doubled, every
 * other byte as \xNN; truncation at every dstsize never splits an escape
 * and always terminates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"

static void san(const char *in, const char *want)
{
	char out[256];
	memset(out, 'Z', sizeof(out));
	assert_ptr_equal(sanitize_text(out, sizeof(out), in), out);
	assert_string_equal(out, want);
}

static void test_plain(void **state)
{
	(void)state;
	san("", "");
	san("+OK POP3 ready <1.2@host>", "+OK POP3 ready <1.2@host>");
	san(" ~!\"#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}", " ~!\"#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}");
}

static void test_escapes(void **state)
{
	(void)state;
	san("\x1b[2J\x1b]0;pwned\x07", "\\x1b[2J\\x1b]0;pwned\\x07");
	san("a\rb\nc\td", "a\\x0db\\x0ac\\x09d");
	san("\x01\x1f\x7f", "\\x01\\x1f\\x7f");
	san("caf\xc3\xa9", "caf\\xc3\\xa9");
	san("\xff\x80\x9b", "\\xff\\x80\\x9b");
	san("back\\slash", "back\\\\slash");
	san("\\x41", "\\\\x41"); /* a literal "\x41" cannot pass for an escape */
	san("\\", "\\\\");
}

/* Every byte value 1..255 alone: 1 char kept or 4 chars escaped (2 for '\\'). */
static void test_every_byte(void **state)
{
	(void)state;
	for (int b = 1; b < 256; b++) {
		char in[2] = { (char)b, 0 }, out[8];
		sanitize_text(out, sizeof(out), in);
		if (b == '\\')
			assert_string_equal(out, "\\\\");
		else if (b >= 0x20 && b < 0x7f)
			assert_int_equal(strlen(out), 1);
		else {
			static const char hex[] = "0123456789abcdef";
			char want[5] = { '\\', 'x', hex[b >> 4], hex[b & 15], 0 };
			assert_string_equal(out, want);
		}
	}
}

/* At every dstsize: a prefix of the full result, cut between whole units. */
static void test_truncation_every_size(void **state)
{
	(void)state;
	const char *in = "ab\x1b" "c\\d\xc3\xa9" "e";
	const char *full = "ab\\x1bc\\\\d\\xc3\\xa9e";
	/* where a unit ends in `full`: after which lengths a cut is allowed */
	static const size_t ends[] = { 0, 1, 2, 6, 7, 9, 10, 14, 18, 19 };
	size_t fl = strlen(full);
	for (size_t size = 0; size <= fl + 3; size++) {
		char *out = malloc(size ? size : 1);
		out[0] = 'Q';
		char *r = sanitize_text(out, size, in);
		assert_ptr_equal(r, out);
		if (size == 0) {
			assert_int_equal(out[0], 'Q'); /* nothing written */
			free(out);
			continue;
		}
		size_t n = strlen(out);
		assert_true(n < size);
		assert_memory_equal(out, full, n);
		/* the longest whole-unit prefix that fits */
		size_t want = 0;
		for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
			if (ends[i] < size)
				want = ends[i];
		assert_int_equal(n, want);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_truncation_every_size),
	};
	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
