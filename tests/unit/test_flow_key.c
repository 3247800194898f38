/*
 * test_flow_key.c - the flow key and its hash (src/flow/flow_key.c)
 * against the key written out byte by byte as the flow table expects it:
 * IP version, the smaller (address, port) endpoint, the other, the
 * tunnel's key when there is one (big-endian), zeros to the end; the order
 * says which end came first; the hash is SipHash-1-3 of the key's bytes.
 * Random packets, with equal addresses or ports often, IPv4 and IPv6, in
 * a tunnel or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/rng.h"

#include "decode.h"
#include "flow.h"
#include "util.h"

#define ROUNDS 100000

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t next_rand(void)
{
	return (uint32_t)(xorshift64(&rng) >> 11);
}

/* The key as the table reads it, written the plain way. */
static size_t expected_key(const struct packet *p, uint8_t key[FLOW_KEY_BYTES], int *order)
{
	size_t alen = p->ipver == 4 ? 4 : 16;
	uint8_t s[18], d[18];
	memcpy(s, p->src, alen);
	s[alen] = (uint8_t)(p->sport >> 8);
	s[alen + 1] = (uint8_t)p->sport;
	memcpy(d, p->dst, alen);
	d[alen] = (uint8_t)(p->dport >> 8);
	d[alen + 1] = (uint8_t)p->dport;
	int c = memcmp(s, d, alen + 2);
	*order = c == 0 ? FLOW_SAME_ENDS : c > 0 ? FLOW_DST_FIRST : FLOW_SRC_FIRST;
	memset(key, 0, FLOW_KEY_BYTES);
	key[0] = p->ipver;
	memcpy(key + 1, c > 0 ? d : s, alen + 2);
	memcpy(key + 3 + alen, c > 0 ? s : d, alen + 2);
	size_t n = 1 + 2 * (alen + 2);
	if (p->tun.depth) {
		for (int i = 0; i < 8; i++)
			key[n + i] = (uint8_t)(p->tun.key >> (56 - 8 * i));
		n += 8;
	}
	return n;
}

/* A byte from a small set, so that equal addresses and ports are common. */
static uint8_t some_byte(void)
{
	static const uint8_t few[] = { 0, 1, 0x7f, 0x80, 0xff };
	return next_rand() % 2 ? few[next_rand() % sizeof few] : (uint8_t)next_rand();
}

static void random_packet(struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->ipver = next_rand() % 3 ? 4 : 6;
	size_t alen = p->ipver == 4 ? 4 : 16;
	for (size_t i = 0; i < alen; i++)
		p->src[i] = some_byte();
	if (next_rand() % 3 == 0)
		memcpy(p->dst, p->src, alen);
	else
		for (size_t i = 0; i < alen; i++)
			p->dst[i] = next_rand() % 2 ? p->src[i] : some_byte();
	p->sport = (uint16_t)(some_byte() << 8 | some_byte());
	p->dport = next_rand() % 3 == 0 ? p->sport : (uint16_t)(some_byte() << 8 | some_byte());
	if (next_rand() % 4 == 0) {
		p->tun.depth = 1;
		p->tun.key = (uint64_t)next_rand() << 32 | next_rand();
	}
}

static void test_key_and_hash(void **state)
{
	(void)state;
	struct flow_hasher hz;
	flow_hasher_init(&hz);
	unsigned orders[3] = { 0 };
	for (int round = 0; round < ROUNDS; round++) {
		struct packet p;
		random_packet(&p);
		uint8_t want[FLOW_KEY_BYTES];
		int order;
		size_t n = expected_key(&p, want, &order);
		struct flow_hash fh;
		memset(&fh, 0x5a, sizeof fh); /* every byte must be written */
		flow_hasher_hash(&hz, &p, &fh);
		assert_int_equal(fh.keylen, n);
		assert_memory_equal(fh.key, want, FLOW_KEY_BYTES);
		assert_int_equal(fh.order, order);
		assert_true(fh.h == siphash13(want, n, hz.seed));
		orders[order]++;

		/* the other direction: the same key and hash, the other order */
		struct packet r = p;
		memcpy(r.src, p.dst, 16);
		memcpy(r.dst, p.src, 16);
		r.sport = p.dport;
		r.dport = p.sport;
		struct flow_hash rh;
		flow_hasher_hash(&hz, &r, &rh);
		assert_memory_equal(rh.key, fh.key, FLOW_KEY_BYTES);
		assert_true(rh.h == fh.h);
		assert_int_equal(rh.order, order == FLOW_SAME_ENDS ? FLOW_SAME_ENDS
					   : order == FLOW_SRC_FIRST ? FLOW_DST_FIRST
								     : FLOW_SRC_FIRST);
	}
	assert_true(orders[FLOW_SRC_FIRST] > ROUNDS / 10 && orders[FLOW_DST_FIRST] > ROUNDS / 10 &&
		    orders[FLOW_SAME_ENDS] > ROUNDS / 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_and_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
