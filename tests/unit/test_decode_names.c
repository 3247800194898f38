/*
 * test_decode_names.c - what decode.c names (src/capture/decode.c):
 * addresses as RFC 5952 prints them, every octet of an IPv4 address, a
 * short buffer cut and terminated, never overrun; one distinct name and a
 * description per reason; the link types it takes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode.h"
#include "helpers/pkt.h"

static void addr6(const char *in, const char *want)
{
	uint8_t a[16];
	char buf[64];
	pkt_addr(6, in, a);
	memset(buf, 'Z', sizeof(buf));
	decode_addr_str(6, a, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_addr_str(void **state)
{
	(void)state;
	uint8_t a[16];
	char buf[64];
	pkt_addr(4, "192.0.2.1", a);
	decode_addr_str(4, a, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.1");
	pkt_addr(4, "255.255.255.255", a);
	decode_addr_str(4, a, buf, sizeof(buf));
	assert_string_equal(buf, "255.255.255.255");
	/* every octet value in every position, against printf's digits */
	for (unsigned v = 0; v < 256; v++) {
		char want[64];
		uint8_t q[16] = { (uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v / 3), (uint8_t)(v * 7) };
		snprintf(want, sizeof want, "%u.%u.%u.%u", q[0], q[1], q[2], q[3]);
		decode_addr_str(4, q, buf, sizeof(buf));
		assert_string_equal(buf, want);
	}
	decode_addr_str(4, a, buf, 8); /* a short buffer: cut and terminated */
	assert_string_equal(buf, "255.255");
	addr6("::1", "::1");
	addr6("::", "::");
	addr6("2001:db8::1", "2001:db8::1");
	addr6("1::", "1::");
	addr6("fe80::1:2", "fe80::1:2");
	addr6("2001:DB8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");   /* one zero group stays */
	addr6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");       /* first of equal runs */
	addr6("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");             /* the longest run */
	addr6("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
	addr6("0:1:2:3:4:5:6:0", "0:1:2:3:4:5:6:0");
	/* A short buffer: truncated and terminated, never overrun. */
	pkt_addr(6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", a);
	for (size_t len = 1; len < 40; len++) {
		char *small = malloc(len);
		decode_addr_str(6, a, small, len);
		assert_true(strlen(small) < len);
		assert_memory_equal(small, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", strlen(small));
		free(small);
	}
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(decode_reason_name(DEC_OK), "ok");
	assert_string_equal(decode_reason_name(DEC_PAYLOAD_TRUNC), "payload_truncated");
	assert_string_equal(decode_reason_name(DEC_IP_FRAGMENT), "ip_fragment");
	assert_string_equal(decode_reason_name(DEC__COUNT), "?");
	assert_string_equal(decode_reason_desc((enum decode_reason)-1), "?");
	for (int r = 0; r < DEC__COUNT; r++) {
		assert_non_null(decode_reason_name((enum decode_reason)r));
		assert_true(strlen(decode_reason_desc((enum decode_reason)r)) > 0);
		for (int s = 0; s < r; s++)
			assert_string_not_equal(decode_reason_name((enum decode_reason)r),
						decode_reason_name((enum decode_reason)s));
	}
	assert_true(decode_linktype_supported(DLT_EN10MB));
	assert_true(decode_linktype_supported(DLT_LINUX_SLL));
	assert_true(decode_linktype_supported(DLT_LINUX_SLL2));
	assert_true(decode_linktype_supported(DLT_NULL));
	assert_true(decode_linktype_supported(DLT_LOOP));
	assert_false(decode_linktype_supported(DLT_IEEE802_11));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_str),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests_name("decode_names", tests, NULL, NULL);
}
