/*
 * sha1.h - SHA-1 (FIPS 180-4), only for the Community ID flow hash, where
 * the spec fixes the algorithm. Not for anything that needs collision
 * resistance.
 */
#ifndef POP3MON_SHA1_H
#define POP3MON_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

struct sha1_ctx {
	uint32_t h[5];
	uint64_t len;       /* bytes hashed so far */
	uint8_t block[64];
	size_t fill;        /* bytes waiting in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t n);
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN]);

#endif
