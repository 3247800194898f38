/*
 * test_siphash.c - SipHash-2-4 against the 64 test vectors of the SipHash
 * paper (Aumasson and Bernstein, appendix A): key 00..0f, message 00..len-1
 * for len 0..63. They cover every tail length and the word loads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static const uint64_t vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
	0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
	0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
	0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
	0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
	0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
	0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
	0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
	0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

static void test_paper_vectors(void **state)
{
	(void)state;
	uint8_t key[16], msg[64 + 1];
	for (unsigned i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned i = 0; i < 64; i++)
		msg[i + 1] = (uint8_t)i;
	for (size_t len = 0; len < 64; len++) {
		/* from an odd address too: the loads must not assume alignment */
		uint8_t aligned[64];
		for (size_t i = 0; i < len; i++)
			aligned[i] = (uint8_t)i;
		assert_int_equal(siphash24(aligned, len, key), vectors[len]);
		assert_int_equal(siphash24(msg + 1, len, key), vectors[len]);
	}
}

/* SipHash-1-3: the reference implementation's output (veorq/SipHash built
 * with cROUNDS 1, dROUNDS 3), key all zero, message 00..len-1; lengths
 * 0-16 cover the empty input, every tail length and one and two words. */
static const uint64_t vectors13[17] = {
	0xd1fba762150c532cULL, 0x68a914128e01e473ULL, 0x010bac45c41e3669ULL, 0x4d4c9a4a8ef6e0adULL,
	0x7cc43f98813e4dbdULL, 0x5abe2169dff36275ULL, 0xe3c25f87624f1cdbULL, 0x2f098ab0c751325aULL,
	0xead411e67ebe2eeaULL, 0x75927f9d95124362ULL, 0xaf9f77a65ab51a1dULL, 0xfe64ce8b6617fcffULL,
	0xa6baf4fb0f9fe1c2ULL, 0xa0cf3211850f8e0dULL, 0x7f86049379fbfe67ULL, 0xf30eb725bb91c9eaULL,
	0x8972188433a5c5b7ULL,
};

static void test_sip13_vectors(void **state)
{
	(void)state;
	uint8_t key[16] = { 0 }, msg[17 + 1];
	for (unsigned i = 0; i < 17; i++)
		msg[i + 1] = (uint8_t)i;
	for (size_t len = 0; len < 17; len++) {
		assert_int_equal(siphash13(msg + 1, len, key), vectors13[len]);
		/* and not SipHash-2-4's value under the same key */
		assert_true(siphash13(msg + 1, len, key) != siphash24(msg + 1, len, key));
	}
}

/* The zero-padded variant gives siphash13's value at every length of a
 * 48-byte key array (the flow key's): the reference vectors' messages,
 * zeros after them, and random keys and bytes. */
static void test_sip13_zpad_same(void **state)
{
	(void)state;
	uint8_t key[16] = { 0 }, msg[48];
	for (size_t len = 0; len < 17; len++) {
		memset(msg, 0, sizeof msg);
		for (size_t i = 0; i < len; i++)
			msg[i] = (uint8_t)i;
		assert_int_equal(siphash13_zpad(msg, len, key), vectors13[len]);
	}
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof key; i++)
			key[i] = (uint8_t)((x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 56);
		for (size_t len = 0; len <= sizeof msg; len++) {
			memset(msg, 0, sizeof msg);
			for (size_t i = 0; i < len; i++)
				msg[i] = (uint8_t)((x = x * 6364136223846793005ULL + 1) >> 56);
			assert_int_equal(siphash13_zpad(msg, len, key), siphash13(msg, len, key));
		}
	}
}

/* The two-word form gives SipHash-1-3's value for 8 to 15 bytes: the
 * vectors, then random keys and messages. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void test_sip13_2w_same(void **state)
{
	(void)state;
	uint8_t key[16] = { 0 }, msg[16];
	for (size_t len = 8; len < 16; len++) {
		memset(msg, 0, sizeof msg);
		for (size_t i = 0; i < len; i++)
			msg[i] = (uint8_t)i;
		assert_int_equal(siphash13_2w(le64(msg), le64(msg + 8), len, key), vectors13[len]);
	}
	uint64_t x = 0x2545f4914f6cdd1dULL;
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof key; i++)
			key[i] = (uint8_t)((x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 56);
		size_t len = 8 + (size_t)(x >> 61);
		memset(msg, 0, sizeof msg);
		for (size_t i = 0; i < len; i++)
			msg[i] = (uint8_t)((x = x * 6364136223846793005ULL + 1) >> 56);
		assert_int_equal(siphash13_2w(le64(msg), le64(msg + 8), len, key),
				 siphash13(msg, len, key));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paper_vectors),
		cmocka_unit_test(test_sip13_vectors),
		cmocka_unit_test(test_sip13_zpad_same),
		cmocka_unit_test(test_sip13_2w_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
