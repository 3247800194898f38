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

/* Unrolled, the schedule in a ring of 16 words and the five variables
 * renamed from step to step instead of moved: the loops' moves and counts
 * and the 80-word schedule had made a block 2,070 instructions (2.5% of
 * the analysis thread on many small sessions); about 1,390 now. */
#define W(i) w[(i) & 15]
#define SCHED(i) (W(i) = rol(W((i) + 13) ^ W((i) + 8) ^ W((i) + 2) ^ W(i), 1))
#define F1(b, c, d) (d ^ (b & (c ^ d)))        /* (b & c) | (~b & d) */
#define F2(b, c, d) (b ^ c ^ d)
#define F3(b, c, d) ((b & c) | (d & (b | c)))  /* majority */
#define STEP(a, b, c, d, e, f, k, x)                         \
	do {                                                 \
		e += rol(a, 5) + f(b, c, d) + (k) + (x);     \
		b = rol(b, 30);                              \
	} while (0)
/* five steps: the variables come back to their places */
#define FIVE(f, k, x, i)                                     \
	do {                                                 \
		STEP(a, b, c, d, e, f, k, x(i));             \
		STEP(e, a, b, c, d, f, k, x((i) + 1));       \
		STEP(d, e, a, b, c, f, k, x((i) + 2));       \
		STEP(c, d, e, a, b, f, k, x((i) + 3));       \
		STEP(b, c, d, e, a, f, k, x((i) + 4));       \
	} while (0)

static void sha1_block(struct sha1_ctx *ctx, const uint8_t *p)
{
	uint32_t w[16];
	for (int i = 0; i < 16; i++) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(&w[i], p + 4 * i, 4); /* one load and a byte swap a word */
		w[i] = __builtin_bswap32(w[i]);
#else
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
#endif
	}
	uint32_t a = ctx->h[0], b = ctx->h[1], c = ctx->h[2], d = ctx->h[3], e = ctx->h[4];
	FIVE(F1, 0x5a827999, W, 0);
	FIVE(F1, 0x5a827999, W, 5);
	FIVE(F1, 0x5a827999, W, 10);
	STEP(a, b, c, d, e, F1, 0x5a827999, W(15));
	STEP(e, a, b, c, d, F1, 0x5a827999, SCHED(16));
	STEP(d, e, a, b, c, F1, 0x5a827999, SCHED(17));
	STEP(c, d, e, a, b, F1, 0x5a827999, SCHED(18));
	STEP(b, c, d, e, a, F1, 0x5a827999, SCHED(19));
	FIVE(F2, 0x6ed9eba1, SCHED, 20);
	FIVE(F2, 0x6ed9eba1, SCHED, 25);
	FIVE(F2, 0x6ed9eba1, SCHED, 30);
	FIVE(F2, 0x6ed9eba1, SCHED, 35);
	FIVE(F3, 0x8f1bbcdc, SCHED, 40);
	FIVE(F3, 0x8f1bbcdc, SCHED, 45);
	FIVE(F3, 0x8f1bbcdc, SCHED, 50);
	FIVE(F3, 0x8f1bbcdc, SCHED, 55);
	FIVE(F2, 0xca62c1d6, SCHED, 60);
	FIVE(F2, 0xca62c1d6, SCHED, 65);
	FIVE(F2, 0xca62c1d6, SCHED, 70);
	FIVE(F2, 0xca62c1d6, SCHED, 75);
	ctx->h[0] += a;
	ctx->h[1] += b;
	ctx->h[2] += c;
	ctx->h[3] += d;
	ctx->h[4] += e;
}
#undef W
#undef SCHED
#undef F1
#undef F2
#undef F3
#undef STEP
#undef FIVE

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
