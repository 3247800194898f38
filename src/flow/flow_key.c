/*
 * flow_key.c - a packet's flow key and its hash, out of flow_table.c: they
 * need nothing but the hasher's seed, so the file reader's thread computes
 * them for each frame (pipeline/frame_prep.c) and the table only looks up.
 */
#include "flow.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

void flow_hasher_init(struct flow_hasher *hz)
{
	if (getrandom(hz->seed, sizeof(hz->seed), 0) != (ssize_t)sizeof(hz->seed)) {
		/* No entropy: still keyed per process, just weaker. */
		uint64_t x = (uint64_t)(uintptr_t)hz ^ (uint64_t)time(NULL);
		memcpy(hz->seed, &x, sizeof(x));
	}
}

/* (address, port) endpoints compared as their bytes would be, port
 * big-endian after the address: a 16-byte memcmp was a libc call for every
 * packet, and its sign is all that is needed */
static inline int endpoint_cmp(const struct packet *p)
{
	if (p->ipver == 4) {
		uint64_t s = (uint64_t)load_be32(p->src) << 16 | p->sport;
		uint64_t d = (uint64_t)load_be32(p->dst) << 16 | p->dport;
		return (s > d) - (s < d);
	}
	uint64_t s = load_be64(p->src), d = load_be64(p->dst);
	if (s == d) {
		s = load_be64(p->src + 8);
		d = load_be64(p->dst + 8);
	}
	if (s == d) {
		s = p->sport;
		d = p->dport;
	}
	return (s > d) - (s < d);
}

/* Canonical key: the smaller (addr, port) endpoint first, then zeros to
 * the end (a lookup compares the whole array, a constant length done
 * inline). The order says which of the packet's ends came first: its
 * direction, once the flow knows which end is the client. */
static void make_key(const struct packet *p, struct flow_hash *fh, int c)
{
	size_t alen = p->ipver == 4 ? 4 : 16;
	const uint8_t *a = c > 0 ? p->dst : p->src, *b = c > 0 ? p->src : p->dst;
	uint16_t pa = c > 0 ? p->dport : p->sport, pb = c > 0 ? p->sport : p->dport;
	uint8_t *key = fh->key;
	key[0] = p->ipver;
	memcpy(key + 1, a, alen);
	key[1 + alen] = (uint8_t)(pa >> 8);
	key[2 + alen] = (uint8_t)pa;
	memcpy(key + 3 + alen, b, alen);
	key[3 + 2 * alen] = (uint8_t)(pb >> 8);
	key[4 + 2 * alen] = (uint8_t)pb;
	fh->keylen = (uint8_t)(1 + 2 * (alen + 2));
	if (p->tun.depth) {
		for (int i = 0; i < 8; i++)
			key[fh->keylen + i] = (uint8_t)(p->tun.key >> (56 - 8 * i));
		fh->keylen += 8;
	}
	memset(key + fh->keylen, 0, FLOW_KEY_BYTES - fh->keylen);
}

/* The same key for IPv4 outside a tunnel (most packets), built as two
 * words in registers instead of byte by byte: 4, the first endpoint's six
 * bytes (address, port; big-endian), the second's, zeros; hashed from the
 * words as they are. Returns the comparison as endpoint_cmp does. */
#define V4_KEYLEN 13
static inline int key_v4(const struct packet *p, struct flow_hash *fh, const uint8_t seed[16])
{
	uint64_t s = (uint64_t)load_be32(p->src) << 16 | p->sport;
	uint64_t d = (uint64_t)load_be32(p->dst) << 16 | p->dport;
	int c = (s > d) - (s < d);
	/* the endpoints' bytes in key order, each in the low six bytes of a
	 * little-endian word: bswap of the value shifted to the top */
	uint64_t ea = __builtin_bswap64((c > 0 ? d : s) << 16);
	uint64_t eb = __builtin_bswap64((c > 0 ? s : d) << 16);
	uint64_t w0 = 4 | ea << 8 | eb << 56, w1 = eb >> 8;
	uint8_t *key = fh->key;
	store_le64(key, w0);
	store_le64(key + 8, w1);
	memset(key + 16, 0, FLOW_KEY_BYTES - 16);
	fh->keylen = V4_KEYLEN;
	fh->h = siphash13_2w(w0, w1, V4_KEYLEN, seed);
	return c;
}

void flow_hasher_hash(const struct flow_hasher *hz, const struct packet *p, struct flow_hash *fh)
{
	int c;
	if (p->ipver == 4 && !p->tun.depth) {
		c = key_v4(p, fh, hz->seed);
	} else {
		c = endpoint_cmp(p);
		make_key(p, fh, c);
		/* make_key zeroes the key past keylen (FLOW_KEY_BYTES, a multiple of 8) */
		_Static_assert(FLOW_KEY_BYTES % 8 == 0, "a flow key's last word is read whole");
		fh->h = siphash13_zpad(fh->key, fh->keylen, hz->seed);
	}
	fh->order = c == 0 ? FLOW_SAME_ENDS : c > 0 ? FLOW_DST_FIRST : FLOW_SRC_FIRST;
}
