/*
 * test_cursor.c - every cursor accessor at its boundary: exactly enough
 * bytes succeeds, one byte short fails without reading or moving; and
 * cursor_sub clamps a declared length to what is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cursor.h"

static const uint8_t bytes[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

static void test_make_remaining_has(void **state)
{
	(void)state;
	struct cursor c = cursor_make(bytes, 8);
	assert_int_equal(cursor_remaining(&c), 8);
	assert_true(cursor_has(&c, 0));
	assert_true(cursor_has(&c, 8));
	assert_false(cursor_has(&c, 9));
	assert_false(cursor_has(&c, SIZE_MAX)); /* no wrap-around */
	assert_ptr_equal(cursor_ptr(&c), bytes);
	c.off = 8;
	assert_int_equal(cursor_remaining(&c), 0);
	assert_true(cursor_has(&c, 0));
	assert_false(cursor_has(&c, 1));
	struct cursor e = cursor_make(NULL, 0);
	assert_true(cursor_has(&e, 0));
	assert_false(cursor_has(&e, 1));
}

static void test_u8(void **state)
{
	(void)state;
	struct cursor c = cursor_make(bytes, 1);
	uint8_t v = 0xee;
	assert_true(cursor_u8(&c, &v));
	assert_int_equal(v, 0x01);
	assert_int_equal(c.off, 1);
	v = 0xee;
	assert_false(cursor_u8(&c, &v));
	assert_int_equal(v, 0xee);
	assert_int_equal(c.off, 1);
}

static void test_be16_le16(void **state)
{
	(void)state;
	uint16_t v = 0xeeee;
	struct cursor c = cursor_make(bytes, 2);
	assert_true(cursor_be16(&c, &v));
	assert_int_equal(v, 0x0102);
	assert_int_equal(c.off, 2);
	c = cursor_make(bytes, 2);
	assert_true(cursor_le16(&c, &v));
	assert_int_equal(v, 0x0201);
	/* one short */
	c = cursor_make(bytes, 1);
	v = 0xeeee;
	assert_false(cursor_be16(&c, &v));
	assert_false(cursor_le16(&c, &v));
	assert_int_equal(v, 0xeeee);
	assert_int_equal(c.off, 0);
	/* at an offset: need == remaining */
	c = cursor_make(bytes, 8);
	c.off = 6;
	assert_true(cursor_be16(&c, &v));
	assert_int_equal(v, 0x0708);
	assert_false(cursor_be16(&c, &v));
	assert_int_equal(c.off, 8);
}

static void test_be32_le32(void **state)
{
	(void)state;
	uint32_t v = 0xeeeeeeee;
	struct cursor c = cursor_make(bytes, 4);
	assert_true(cursor_be32(&c, &v));
	assert_int_equal(v, 0x01020304);
	assert_int_equal(c.off, 4);
	c = cursor_make(bytes, 4);
	assert_true(cursor_le32(&c, &v));
	assert_int_equal(v, 0x04030201);
	for (size_t len = 0; len < 4; len++) {
		c = cursor_make(bytes, len);
		v = 0xeeeeeeee;
		assert_false(cursor_be32(&c, &v));
		assert_false(cursor_le32(&c, &v));
		assert_int_equal(v, 0xeeeeeeee);
		assert_int_equal(c.off, 0);
	}
	c = cursor_make(bytes, 8);
	c.off = 5;
	assert_false(cursor_be32(&c, &v));
	assert_int_equal(c.off, 5);
	c.off = 4;
	assert_true(cursor_le32(&c, &v));
	assert_int_equal(v, 0x08070605);
}

static void test_skip(void **state)
{
	(void)state;
	struct cursor c = cursor_make(bytes, 8);
	assert_true(cursor_skip(&c, 0));
	assert_int_equal(c.off, 0);
	assert_true(cursor_skip(&c, 3));
	assert_false(cursor_skip(&c, 6));
	assert_int_equal(c.off, 3);
	assert_false(cursor_skip(&c, SIZE_MAX));
	assert_int_equal(c.off, 3);
	assert_true(cursor_skip(&c, 5));
	assert_int_equal(c.off, 8);
	assert_false(cursor_skip(&c, 1));
}

static void test_copy(void **state)
{
	(void)state;
	uint8_t d[8];
	memset(d, 0xee, sizeof(d));
	struct cursor c = cursor_make(bytes, 8);
	c.off = 2;
	assert_false(cursor_copy(&c, d, 7));
	assert_int_equal(d[0], 0xee);
	assert_int_equal(c.off, 2);
	assert_true(cursor_copy(&c, d, 6));
	assert_memory_equal(d, bytes + 2, 6);
	assert_int_equal(d[6], 0xee);
	assert_int_equal(c.off, 8);
	assert_true(cursor_copy(&c, d, 0));
}

static void test_peek(void **state)
{
	(void)state;
	uint8_t v = 0xee;
	struct cursor c = cursor_make(bytes, 4);
	c.off = 1;
	assert_true(cursor_peek_u8(&c, 0, &v));
	assert_int_equal(v, 0x02);
	assert_true(cursor_peek_u8(&c, 2, &v)); /* the last byte */
	assert_int_equal(v, 0x04);
	v = 0xee;
	assert_false(cursor_peek_u8(&c, 3, &v));
	assert_false(cursor_peek_u8(&c, SIZE_MAX, &v));
	assert_int_equal(v, 0xee);
	assert_int_equal(c.off, 1);
	c.off = 4;
	assert_false(cursor_peek_u8(&c, 0, &v));
}

static void test_sub(void **state)
{
	(void)state;
	bool clamped = true;
	struct cursor c = cursor_make(bytes, 8);
	c.off = 2;
	struct cursor s = cursor_sub(&c, 4, &clamped);
	assert_false(clamped);
	assert_ptr_equal(s.base, bytes + 2);
	assert_int_equal(s.len, 4);
	assert_int_equal(s.off, 0);
	assert_int_equal(c.off, 2); /* the parent does not move */
	s = cursor_sub(&c, 6, &clamped); /* exactly the rest */
	assert_false(clamped);
	assert_int_equal(s.len, 6);
	s = cursor_sub(&c, 7, &clamped);
	assert_true(clamped);
	assert_int_equal(s.len, 6);
	s = cursor_sub(&c, SIZE_MAX, &clamped);
	assert_true(clamped);
	assert_int_equal(s.len, 6);
	s = cursor_sub(&c, 0, &clamped);
	assert_false(clamped);
	assert_int_equal(s.len, 0);
	/* a sub-cursor cannot read past its own window */
	s = cursor_sub(&c, 2, &clamped);
	uint32_t v;
	assert_false(cursor_be32(&s, &v));
	uint16_t w;
	assert_true(cursor_be16(&s, &w));
	assert_int_equal(w, 0x0304);
}

/* A span is checked once and each of its reads again: nothing past the
 * bytes cursor_span checked is read, whatever the offset (0s instead). */
static void test_span(void **state)
{
	(void)state;
	const uint8_t b[8] = { 0x45, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	struct cursor c = cursor_make(b, sizeof b);
	assert_true(cursor_skip(&c, 2));
	assert_null(cursor_span(&c, 7).p);          /* 6 bytes left */
	struct span s = cursor_span(&c, 6);
	assert_ptr_equal(s.p, b + 2);
	assert_int_equal(c.off, 2);                  /* the offset does not move */
	assert_int_equal(span_u8(s, 0), 0x02);
	assert_int_equal(span_be16(s, 4), 0x0607);
	assert_int_equal(span_be32(s, 2), 0x04050607);
	assert_int_equal(span_u8(s, 6), 0);          /* past the end: 0, not b's bytes */
	assert_int_equal(span_be16(s, 5), 0);
	assert_int_equal(span_be32(s, 3), 0);
	assert_int_equal(span_be32(s, SIZE_MAX - 1), 0);
	uint8_t d[4] = { 9, 9, 9, 9 };
	span_copy(d, s, 3, 4);                       /* one byte short: zeros */
	assert_memory_equal(d, ((uint8_t[4]){ 0, 0, 0, 0 }), 4);
	span_copy(d, s, 2, 4);
	assert_memory_equal(d, b + 4, 4);
	struct span t = span_from(s, 4);
	assert_int_equal(t.n, 2);
	assert_int_equal(span_be16(t, 0), 0x0607);
	assert_int_equal(span_u8(t, 2), 0);
	assert_null(span_from(s, 7).p);
	assert_int_equal(span_from(s, 6).n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_remaining_has),
		cmocka_unit_test(test_u8),
		cmocka_unit_test(test_be16_le16),
		cmocka_unit_test(test_be32_le32),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_span),
	};
	return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
