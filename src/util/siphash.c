/*
 * siphash.c - SipHash (Aumasson and Bernstein), the keyed hash behind the
 * flow table and the cross-session store: strangers choose the 4-tuples and
 * the unique-ids, so an unkeyed hash would let them pile every entry into
 * one bucket. SipHash-1-3 for those tables (one round per word, three at
 * the end: the variant Rust's HashMap, Python and the Linux kernel use for
 * hash tables, where the output is never seen), SipHash-2-4 kept for any
 * use that needs the PRF's full margin.
 */
#include "util.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#include <string.h>

#define SIPROUND()                                                     \
	do {                                                           \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                 \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                 \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

/* c rounds per word, d at the end: constants at each call, so each entry
 * point gets its own unrolled copy */
/* zpad: the bytes from len to the next multiple of 8 are zeros and may be
 * read, so the last word is one load, not a copy into a zeroed word. */
static inline __attribute__((always_inline)) uint64_t sip(const void *data, size_t len,
                                                          const uint8_t key[16], int c, int d,
                                                          int zpad)
{
	const uint8_t *in = data;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	size_t full = len - len % 8;

	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = load_le64(in + i);
		v3 ^= m;
		for (int r = 0; r < c; r++)
			SIPROUND();
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	if (zpad && len % 8) {
		b |= load_le64(in + full);
	} else {
		uint8_t tail[8] = { 0 };
		memcpy(tail, in + full, len % 8);
		b |= load_le64(tail);
	}
	v3 ^= b;
	for (int r = 0; r < c; r++)
		SIPROUND();
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		SIPROUND();
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash24(const void *data, size_t len, const uint8_t key[16])
{
	return sip(data, len, key, 2, 4, 0);
}

uint64_t siphash13(const void *data, size_t len, const uint8_t key[16])
{
	return sip(data, len, key, 1, 3, 0);
}

uint64_t siphash13_zpad(const void *data, size_t len, const uint8_t key[16])
{
	return sip(data, len, key, 1, 3, 1);
}

/* sip() for c = 1, d = 3 and one whole word before the last, written out:
 * no loop, no tail copy, no loads but the key's (the reader hashes an IPv4
 * flow key, 13 bytes, for every frame) */
uint64_t siphash13_2w(uint64_t w0, uint64_t w1, size_t len, const uint8_t key[16])
{
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1 ^ w0;
	SIPROUND();
	v0 ^= w0;
	uint64_t b = (uint64_t)len << 56 | w1;
	v3 ^= b;
	SIPROUND();
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND();
	SIPROUND();
	SIPROUND();
	return v0 ^ v1 ^ v2 ^ v3;
}
