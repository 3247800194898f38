/*
 * test_decode_fast.c - decode.c's fast path for plain Ethernet/IP/TCP
 * against its general path. The same IP datagram goes once behind an
 * Ethernet header, untagged or with one or two 802.1Q tags (DLT_EN10MB:
 * the fast path takes what it can) and once
 * behind a Linux cooked header (DLT_LINUX_SLL: always the general path,
 * which reads the same ethertype and then the same IP decoders). Over
 * many datagrams with random bytes poked into the headers, some of them
 * sent to a tunnel (UDP to its port, GRE, IP in IP), and random capture
 * and wire lengths, both must give the same reason and, when a packet is
 * decoded, the same packet view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "helpers/rng.h"

#include "decode.h"
#include "helpers/pkt.h"

#define ETH_LEN 14
#define SLL_LEN 16
#define ROUNDS 200000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next_rand(void)
{
	return (uint32_t)(xorshift64(&rng) >> 11);
}

static const uint8_t v6_hbh[] = { 0 };

/* A datagram of random shape at dg; returns its length. */
static size_t random_datagram(uint8_t *dg, size_t cap, struct pkt_layout *lay)
{
	static const char body[] = "+OK 2 messages (320 octets)\r\nRETR 1\r\n.\r\n";
	struct pkt_tcp t;
	memset(&t, 0, sizeof t);
	t.ipver = next_rand() % 3 ? 4 : 6;
	t.src = t.ipver == 4 ? "198.51.100.5" : "2001:db8:1::5";
	t.dst = t.ipver == 4 ? "192.0.2.10" : "2001:db8::10";
	t.sport = 110;
	t.dport = (uint16_t)next_rand();
	t.seq = next_rand();
	t.ack = next_rand();
	t.flags = (uint8_t)next_rand();
	t.payload = body;
	t.len = next_rand() % sizeof body;
	t.ip_opts_len = next_rand() % 4 == 0 ? 4 * (next_rand() % 3) : 0;
	t.tcp_opts_len = next_rand() % 2 ? 4 * (next_rand() % 4) : 0;
	if (next_rand() % 8 == 0)
		t.ip_frag = (uint16_t)(next_rand() % 2 ? 0x2000 : 0x0010);
	if (t.ipver == 6 && next_rand() % 8 == 0) {
		t.v6_ext = v6_hbh;
		t.n_v6_ext = 1;
	}
	return pkt_ip_tcp(dg, cap, &t, lay);
}

/* The fields decode_frame fills for a decoded packet, with the payload
 * as an offset into the datagram. */
static void expect_same(const struct packet *a, const uint8_t *a_dg, const struct packet *b,
			const uint8_t *b_dg)
{
	assert_int_equal(a->ipver, b->ipver);
	assert_memory_equal(a->src, b->src, 16);
	assert_memory_equal(a->dst, b->dst, 16);
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->ack, b->ack);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->vlan, b->vlan);
	assert_int_equal(a->payload - a_dg, b->payload - b_dg);
	assert_int_equal(a->payload_len, b->payload_len);
	assert_int_equal(a->payload_wirelen, b->payload_wirelen);
	if (a->tun.depth) { /* the rest of tun is set only when a layer is */
		assert_int_equal(a->tun.key, b->tun.key);
		assert_int_equal(a->tun.has_id, b->tun.has_id);
		if (a->tun.has_id)
			assert_int_equal(a->tun.id, b->tun.id);
	}
}

/* The tunnel layers, counted whatever the reason (decode_count). */
static void expect_same_layers(const struct packet *a, const struct packet *b)
{
	assert_int_equal(a->tun.depth, b->tun.depth);
	for (unsigned i = 0; i < a->tun.depth && i < TUNNEL_DEPTH_MAX; i++)
		assert_int_equal(a->tun.kind[i], b->tun.kind[i]);
}

static void test_fast_path_as_general(void **state)
{
	(void)state;
	uint8_t dg[256], eth[ETH_LEN + 8 + 300], sll[SLL_LEN + 300];
	unsigned decoded = 0, cut = 0, layers = 0, tagged = 0, each[DEC__COUNT] = { 0 };
	for (int round = 0; round < ROUNDS; round++) {
		struct pkt_layout lay;
		size_t n = random_datagram(dg, sizeof dg, &lay);
		assert_true(n > 0);
		/* now and then another protocol: UDP to a tunnel's port, GRE,
		 * IP in IP (the tunnels then read the TCP header and payload
		 * as theirs) */
		if (next_rand() % 8 == 0) {
			static const uint8_t protos[] = { 17, 17, 17, 47, 4, 41, 1 };
			static const uint16_t ports[] = { 4789, 6081, 1701, 2152, 53 };
			uint8_t proto = protos[next_rand() % sizeof protos];
			dg[dg[0] >> 4 == 6 ? 6 : 9] = proto;
			uint16_t port = ports[next_rand() % 5];
			dg[lay.l4 + 2] = (uint8_t)(port >> 8);
			dg[lay.l4 + 3] = (uint8_t)port;
			if (next_rand() % 2) { /* a UDP length that fits */
				size_t ulen = n - lay.l4;
				dg[lay.l4 + 4] = (uint8_t)(ulen >> 8);
				dg[lay.l4 + 5] = (uint8_t)ulen;
			}
		}
		/* poke up to three header bytes (IP and TCP), sometimes none */
		for (unsigned k = next_rand() % 4; k > 0; k--) {
			size_t at = next_rand() % (lay.payload < n ? lay.payload + 1 : n);
			dg[at] = (uint8_t)(next_rand() % 2 ? next_rand() : dg[at] ^ (1u << (next_rand() % 8)));
		}
		/* Ethernet padding or trailing bytes after the datagram */
		size_t pad = next_rand() % 4 == 0 ? next_rand() % 40 : 0;
		memset(dg + n, 0xa5, pad);
		size_t frame = n + pad;
		/* the capture: whole, cut by a snap length, or shorter than the
		 * wire length says without being cut */
		size_t caplen = frame, wirelen = frame;
		switch (next_rand() % 4) {
		case 0:
			caplen = next_rand() % (frame + 1);
			break;
		case 1:
			caplen = next_rand() % (frame + 1);
			wirelen = caplen;
			break;
		default:
			break;
		}
		/* Ethernet untagged, with one 802.1Q tag, or two */
		uint8_t et_hi = dg[0] >> 4 == 6 ? 0x86 : 0x08, et_lo = dg[0] >> 4 == 6 ? 0xdd : 0x00;
		size_t tags = next_rand() % 4 == 0 ? 1 + next_rand() % 4 / 3 : 0, el = ETH_LEN;
		uint16_t tci = (uint16_t)next_rand();
		memset(eth, 0, ETH_LEN);
		for (size_t i = 0; i < tags; i++) {
			eth[el - 2] = 0x81;
			eth[el - 1] = 0x00;
			eth[el] = (uint8_t)(tci >> 8);
			eth[el + 1] = (uint8_t)tci;
			el += 4;
		}
		eth[el - 2] = et_hi;
		eth[el - 1] = et_lo;
		memcpy(eth + el, dg, frame);
		memset(sll, 0, SLL_LEN);
		sll[14] = et_hi;
		sll[15] = et_lo;
		memcpy(sll + SLL_LEN, dg, frame);

		/* each frame in a buffer of its captured length: under ASan
		 * (make unit-asan) a read past it is an error */
		uint8_t *fe = malloc(el + caplen), *fs = malloc(SLL_LEN + caplen);
		assert_non_null(fe);
		assert_non_null(fs);
		memcpy(fe, eth, el + caplen);
		memcpy(fs, sll, SLL_LEN + caplen);
		struct packet pe, ps;
		enum decode_reason re = decode_frame(DLT_EN10MB, fe, (uint32_t)(el + caplen),
						     (uint32_t)(el + wirelen), &pe, NULL);
		enum decode_reason rs = decode_frame(DLT_LINUX_SLL, fs, (uint32_t)(SLL_LEN + caplen),
						     (uint32_t)(SLL_LEN + wirelen), &ps, NULL);
		assert_int_equal(re, rs);
		each[re]++;
		expect_same_layers(&pe, &ps);
		layers += pe.tun.depth > 0;
		if (re == DEC_OK || re == DEC_PAYLOAD_TRUNC) {
			/* the outermost tag's id, where a cooked header has none */
			assert_int_equal(pe.vlan, tags ? tci & 0x0fff : 0);
			assert_int_equal(ps.vlan, 0);
			ps.vlan = pe.vlan;
			expect_same(&pe, fe + el, &ps, fs + SLL_LEN);
			tagged += tags > 0;
			decoded++;
			cut += re == DEC_PAYLOAD_TRUNC;
		}
		free(fe);
		free(fs);
	}
	/* the rounds reached both outcomes and the reasons the fast path
	 * hands to the general one */
	assert_true(decoded > ROUNDS / 4);
	assert_true(cut > ROUNDS / 50);
	assert_true(layers > ROUNDS / 100);
	assert_true(tagged > ROUNDS / 20);
	assert_true(each[DEC_IP_BAD] > 0 && each[DEC_IP_TRUNC] > 0 && each[DEC_TCP_BAD] > 0 &&
		    each[DEC_TCP_TRUNC] > 0 && each[DEC_IP_FRAGMENT] > 0 && each[DEC_NOT_TCP] > 0 &&
		    each[DEC_TUNNEL_BAD] > 0 && each[DEC_NOT_IP] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_path_as_general),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
