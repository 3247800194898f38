/*
 * test_addr_str.c - decode_addr_str's IPv6 text, written by hand since
 * issue #20's round (snprintf per group cost ~5,000 instructions an
 * address), against the snprintf version it replaced: the same text for
 * addresses with zero runs of every length and place, and the same cut
 * prefix in every buffer size. test_decode.c has the RFC 5952 cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/rng.h"

#include "decode.h"

/* The former code, kept here as the reference. */
static void ref_addr6(const uint8_t addr[16], char *buf, size_t len)
{
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(addr[2 * i] << 8 | addr[2 * i + 1]);
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j == i ? i + 1 : j;
	}
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < 8 && o < len; i++) {
		if (i == best) {
			o += (size_t)snprintf(buf + o, len - o, "::");
			i += bestlen - 1;
			continue;
		}
		bool sep = i > 0 && !(best >= 0 && i == best + bestlen);
		o += (size_t)snprintf(buf + o, len - o, "%s%x", sep ? ":" : "", g[i]);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
	return (uint32_t)xorshift64(&rng);
}

static void test_addr6_as_before(void **state)
{
	(void)state;
	for (unsigned k = 0; k < 200000; k++) {
		uint8_t a[16];
		/* each group zero, a one-digit, two-, three- or four-digit value */
		for (int i = 0; i < 8; i++) {
			uint32_t r = next();
			uint16_t v = (uint16_t)(r >> 16);
			static const uint16_t mask[5] = { 0, 0xf, 0xff, 0xfff, 0xffff };
			v &= mask[r % 5];
			a[2 * i] = (uint8_t)(v >> 8);
			a[2 * i + 1] = (uint8_t)v;
		}
		size_t len = k % 8 ? 46 : 1 + next() % 45;
		char got[64], want[64];
		memset(got, 'Z', sizeof got);
		ref_addr6(a, want, len);
		decode_addr_str(6, a, got, len);
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr6_as_before),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
