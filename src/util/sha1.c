/*
 * sha1.c - SHA-1 as FIPS 180-4 section 6.1 writes it: 64-byte blocks,
 * big-endian words, an 80-word schedule. Plain and fast enough: it hashes
 * one 40-byte tuple per session (the padding goes in one piece, not a byte
 * at a time, which had cost more than the block itself).
 */
#include <string.h>

#include "sha1.h"

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1_ctx *c, const uint8_t *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

	uint32_t a = c->h[0], b = c->h[1], d3 = c->h[2], d = c->h[3], e = c->h[4];
	/* The four rounds' functions in loops of their own: no test per step. */
#define STEP(f, k)                                                   \
	do {                                                         \
		uint32_t t = rol(a, 5) + (f) + e + (k) + w[i];      \
		e = d;                                               \
		d = d3;                                              \
		d3 = rol(b, 30);                                     \
		b = a;                                               \
		a = t;                                               \
	} while (0)
	int i = 0;
	for (; i < 20; i++)
		STEP((b & d3) | (~b & d), 0x5a827999);
	for (; i < 40; i++)
		STEP(b ^ d3 ^ d, 0x6ed9eba1);
	for (; i < 60; i++)
		STEP((b & d3) | (b & d) | (d3 & d), 0x8f1bbcdc);
	for (; i < 80; i++)
		STEP(b ^ d3 ^ d, 0xca62c1d6);
#undef STEP
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += d3;
	c->h[3] += d;
	c->h[4] += e;
}

void sha1_init(struct sha1_ctx *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
	c->fill = 0;
}

void sha1_update(struct sha1_ctx *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	c->len += n;
	while (n > 0) {
		size_t take = sizeof c->block - c->fill;
		if (take > n)
			take = n;
		memcpy(c->block + c->fill, p, take);
		c->fill += take;
		p += take;
		n -= take;
		if (c->fill == sizeof c->block) {
			sha1_block(c, c->block);
			c->fill = 0;
		}
	}
}

void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN])
{
	static const uint8_t pad[64] = { 0x80 };
	uint64_t bits = c->len * 8;
	/* 0x80, then zeros up to 8 bytes short of a block end */
	sha1_update(c, pad, (c->fill < 56 ? 56 : 120) - c->fill);
	uint8_t lenbe[8];
	for (int i = 0; i < 8; i++)
		lenbe[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(c, lenbe, 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}
