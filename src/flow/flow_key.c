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

/* Canonical key: the smaller (addr, port) endpoint first, then zeros to
 * the end (a lookup compares the whole array, a constant length done
 * inline). The order says which of the packet's ends came first: its
 * direction, once the flow knows which end is the client. */
static void make_key(const struct packet *p, struct flow_hash *fh)
{
	size_t alen = p->ipver == 4 ? 4 : 16;
	/* (address, port) endpoints compared as their bytes would be, port
	 * big-endian after the address; the constant lengths let the compiler
	 * inline the compare (this runs for every packet) */
	int c = alen == 4 ? memcmp(p->src, p->dst, 4) : memcmp(p->src, p->dst, 16);
	if (c == 0)
		c = (p->sport > p->dport) - (p->sport < p->dport);
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
	fh->order = c == 0 ? FLOW_SAME_ENDS : c > 0 ? FLOW_DST_FIRST : FLOW_SRC_FIRST;
}

void flow_hasher_hash(const struct flow_hasher *hz, const struct packet *p, struct flow_hash *fh)
{
	make_key(p, fh);
	/* make_key zeroes the key past keylen (FLOW_KEY_BYTES, a multiple of 8) */
	_Static_assert(FLOW_KEY_BYTES % 8 == 0, "a flow key's last word is read whole");
	fh->h = siphash13_zpad(fh->key, fh->keylen, hz->seed);
}
