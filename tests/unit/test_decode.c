/*
 * test_decode.c - link, IP and TCP decoding (src/capture/decode.c).
 *
 * Frames come from tests/unit/helpers/pkt.c. Each link type and both IP
 * versions decode to the same packet view; every prefix of every frame
 * decodes to the truncation reason of the layer it cuts (never a crash,
 * always counted); malformed headers give the *_BAD reasons; Ethernet
 * padding never becomes payload. Addresses and reason names:
 * test_decode_names.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode.h"
#include "helpers/pkt.h"

#define V4_CLI "192.0.2.10"
#define V4_SRV "198.51.100.5"
#define V6_CLI "2001:db8::10"
#define V6_SRV "2001:db8:1::5"

static const char payload[] = "+OK POP3 ready\r\n";

static struct pkt_tcp seg(int ipver)
{
	struct pkt_tcp t;
	memset(&t, 0, sizeof(t));
	t.ipver = ipver;
	t.src = ipver == 4 ? V4_SRV : V6_SRV;
	t.dst = ipver == 4 ? V4_CLI : V6_CLI;
	t.sport = 110;
	t.dport = 50000;
	t.seq = 0x11223344;
	t.ack = 0x55667788;
	t.flags = TCP_ACK | TCP_PSH;
	t.payload = payload;
	t.len = sizeof(payload) - 1;
	t.vlan = 42;
	return t;
}

static uint64_t stats_sum(const struct decode_stats *st)
{
	uint64_t s = 0;
	for (int i = 0; i < DEC__COUNT; i++)
		s += st->count[i];
	return s;
}

/* Decode and check every field of the packet view against t. */
static void expect_ok(int dlt, const uint8_t *f, size_t n, const struct pkt_tcp *t,
		      uint16_t vlan)
{
	struct packet p;
	struct decode_stats st;
	memset(&st, 0, sizeof(st));
	assert_int_equal(decode_frame(dlt, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_OK);
	assert_int_equal(st.count[DEC_OK], 1);
	assert_int_equal(stats_sum(&st), 1);
	assert_int_equal(p.ipver, t->ipver);
	uint8_t a[16], b[16];
	pkt_addr(t->ipver, t->src, a);
	pkt_addr(t->ipver, t->dst, b);
	assert_memory_equal(p.src, a, 16);
	assert_memory_equal(p.dst, b, 16);
	assert_int_equal(p.sport, t->sport);
	assert_int_equal(p.dport, t->dport);
	assert_int_equal(p.seq, t->seq);
	assert_int_equal(p.ack, t->ack);
	assert_int_equal(p.flags, t->flags);
	assert_int_equal(p.vlan, vlan);
	assert_int_equal(p.payload_len, t->len);
	assert_int_equal(p.payload_wirelen, t->len);
	if (t->len)
		assert_memory_equal(p.payload, t->payload, t->len);
}

static void test_link_types(void **state)
{
	(void)state;
	static const enum pkt_link links[] = { PKT_ETH, PKT_VLAN, PKT_QINQ, PKT_SLL, PKT_SLL2,
					       PKT_NULL_LE, PKT_NULL_BE, PKT_LOOP, PKT_RAW };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		for (int v = 4; v <= 6; v += 2) {
			uint8_t f[256];
			struct pkt_tcp t = seg(v);
			size_t n = pkt_frame(f, sizeof(f), links[i], &t, NULL);
			assert_true(n > 0);
			uint16_t vlan = links[i] == PKT_VLAN || links[i] == PKT_QINQ ? 42 : 0;
			expect_ok(pkt_dlt(links[i]), f, n, &t, vlan);
		}
	}
}

/* DLT_RAW is 12 or 14 depending on the OS, LINKTYPE_RAW is 101; DLT_IPV4/6 too. */
static void test_raw_ip_values(void **state)
{
	(void)state;
	static const int dlts[] = { 12, 14, 101, DLT_IPV4, DLT_IPV6 };
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		assert_true(decode_linktype_supported(dlts[i]));
		for (int v = 4; v <= 6; v += 2) {
			uint8_t f[256];
			struct pkt_tcp t = seg(v);
			size_t n = pkt_frame(f, sizeof(f), PKT_RAW, &t, NULL);
			expect_ok(dlts[i], f, n, &t, 0);
		}
	}
}

/* BSD loopback AF_INET6 differs by OS: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux). */
static void test_null_af_values(void **state)
{
	(void)state;
	static const uint32_t afs[] = { 10, 24, 28, 30 };
	for (size_t i = 0; i < 4; i++) {
		for (int be = 0; be < 2; be++) {
			uint8_t f[256];
			struct pkt_tcp t = seg(6);
			size_t n = pkt_frame(f, sizeof(f), PKT_NULL_LE, &t, NULL);
			uint32_t af = afs[i];
			if (be) {
				f[0] = (uint8_t)(af >> 24); f[1] = (uint8_t)(af >> 16);
				f[2] = (uint8_t)(af >> 8); f[3] = (uint8_t)af;
			} else {
				f[0] = (uint8_t)af; f[1] = (uint8_t)(af >> 8);
				f[2] = (uint8_t)(af >> 16); f[3] = (uint8_t)(af >> 24);
			}
			expect_ok(DLT_NULL, f, n, &t, 0);
		}
	}
	/* An AF that is no IP: not_ip. */
	uint8_t f[256];
	struct pkt_tcp t = seg(4);
	size_t n = pkt_frame(f, sizeof(f), PKT_NULL_LE, &t, NULL);
	f[0] = 7;
	struct packet p;
	struct decode_stats st = { { 0 } };
	assert_int_equal(decode_frame(DLT_NULL, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_NOT_IP);
	assert_int_equal(st.count[DEC_NOT_IP], 1);
}

static void test_unsupported_and_not_ip(void **state)
{
	(void)state;
	uint8_t f[256];
	struct packet p;
	struct decode_stats st = { { 0 } };
	struct pkt_tcp t = seg(4);
	size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	assert_false(decode_linktype_supported(105)); /* 802.11 */
	assert_int_equal(decode_frame(105, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_LINK_UNSUP);
	/* ARP ethertype */
	f[12] = 0x08; f[13] = 0x06;
	assert_int_equal(decode_frame(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_NOT_IP);
	/* IPv4 ethertype, but UDP inside */
	n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	f[14 + 9] = 17;
	assert_int_equal(decode_frame(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_NOT_TCP);
	/* IPv6, next header UDP */
	t = seg(6);
	n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	f[14 + 6] = 17;
	assert_int_equal(decode_frame(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_NOT_TCP);
	/* raw IP with version nibble 5 */
	t = seg(4);
	n = pkt_frame(f, sizeof(f), PKT_RAW, &t, NULL);
	f[0] = 0x55;
	assert_int_equal(decode_frame(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_NOT_IP);
	assert_int_equal(st.count[DEC_LINK_UNSUP], 1);
	assert_int_equal(st.count[DEC_NOT_IP], 2);
	assert_int_equal(st.count[DEC_NOT_TCP], 2);
	assert_int_equal(stats_sum(&st), 5);
}

/* Five VLAN tags is abuse (the cap is four): not decoded as IP. */
static void test_vlan_depth(void **state)
{
	(void)state;
	uint8_t f[300];
	struct pkt_tcp t = seg(4);
	uint8_t ip[200];
	struct pkt_layout lay;
	size_t ipn = pkt_ip_tcp(ip, sizeof(ip), &t, &lay);
	for (int tags = 1; tags <= 5; tags++) {
		memset(f, 0, 12);
		size_t o = 12;
		for (int i = 0; i < tags; i++) {
			f[o++] = i == 0 ? 0x88 : 0x81;
			f[o++] = i == 0 ? 0xa8 : 0x00;
			f[o++] = 0x00;
			f[o++] = (uint8_t)(10 + i);
		}
		f[o++] = 0x08;
		f[o++] = 0x00;
		memcpy(f + o, ip, ipn);
		struct packet p;
		struct decode_stats st = { { 0 } };
		enum decode_reason r = decode_frame(DLT_EN10MB, f, (uint32_t)(o + ipn),
						    (uint32_t)(o + ipn), &p, &st);
		if (tags <= 4) {
			assert_int_equal(r, DEC_OK);
			assert_int_equal(p.vlan, 10); /* the outermost */
		} else {
			assert_int_equal(r, DEC_NOT_IP);
		}
	}
}

static void test_ipv4_options(void **state)
{
	(void)state;
	for (size_t opts = 4; opts <= 40; opts += 4) {
		uint8_t f[256];
		struct pkt_tcp t = seg(4);
		t.ip_opts_len = opts;
		t.tcp_opts_len = 12;
		size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
		expect_ok(DLT_EN10MB, f, n, &t, 0);
	}
}

static void test_ipv6_extension_headers(void **state)
{
	(void)state;
	static const uint8_t ext[] = { 0, 60, 44 };
	uint8_t f[256];
	struct pkt_tcp t = seg(6);
	t.v6_ext = ext;
	t.n_v6_ext = 3;
	t.v6_frag = 0; /* atomic fragment: offset 0, M clear */
	size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	expect_ok(DLT_EN10MB, f, n, &t, 0);
	/* Reserved bits of the fragment field set: still atomic. */
	t.v6_frag = 0x0006;
	n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	expect_ok(DLT_EN10MB, f, n, &t, 0);
	/* routing header too */
	static const uint8_t ext2[] = { 0, 43, 60 };
	t.v6_ext = ext2;
	n = pkt_frame(f, sizeof(f), PKT_SLL2, &t, NULL);
	expect_ok(DLT_LINUX_SLL2, f, n, &t, 0);
}

static void test_ipv6_extension_chain_too_long(void **state)
{
	(void)state;
	uint8_t ext[9];
	memset(ext, 60, sizeof(ext));
	uint8_t f[512];
	struct pkt_tcp t = seg(6);
	t.v6_ext = ext;
	struct packet p;
	struct decode_stats st = { { 0 } };
	t.n_v6_ext = 8; /* the most that is followed */
	size_t n = pkt_frame(f, sizeof(f), PKT_RAW, &t, NULL);
	assert_int_equal(decode_frame(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_OK);
	t.n_v6_ext = 9;
	n = pkt_frame(f, sizeof(f), PKT_RAW, &t, NULL);
	assert_int_equal(decode_frame(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_IP6_EXT_BAD);
	/* An extension header whose length runs past the payload length. */
	t.n_v6_ext = 1;
	n = pkt_frame(f, sizeof(f), PKT_RAW, &t, NULL);
	f[41] = 30; /* 248 octets */
	assert_int_equal(decode_frame(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p, &st), DEC_IP6_EXT_BAD);
	assert_int_equal(st.count[DEC_IP6_EXT_BAD], 2);
}

static void test_fragments(void **state)
{
	(void)state;
	static const uint16_t v4frag[] = { 0x2000 /* MF */, 0x0001 /* offset 8 */, 0x6000 /* DF+MF */,
					   0x1fff };
	struct packet p;
	struct decode_stats st = { { 0 } };
	uint8_t f[256];
	for (size_t i = 0; i < 4; i++) {
		struct pkt_tcp t = seg(4);
		t.ip_frag = v4frag[i];
		size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
		assert_int_equal(decode_frame(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, &st),
				 DEC_IP_FRAGMENT);
	}
	static const uint8_t ext[] = { 0, 44 };
	static const uint16_t v6frag[] = { 0x0001 /* M */, 0x0008 /* offset 1 */, 0xfff8 };
	for (size_t i = 0; i < 3; i++) {
		struct pkt_tcp t = seg(6);
		t.v6_ext = ext;
		t.n_v6_ext = 2;
		t.v6_frag = v6frag[i];
		size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
		assert_int_equal(decode_frame(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, &st),
				 DEC_IP_FRAGMENT);
	}
	assert_int_equal(st.count[DEC_IP_FRAGMENT], 7);
	assert_int_equal(stats_sum(&st), 7);
}

/* Every prefix of a frame cut by snaplen: the reason of the layer it cuts. */
static void truncate_all(enum pkt_link link, struct pkt_tcp *t)
{
	uint8_t f[512];
	struct pkt_layout lay;
	size_t n = pkt_frame(f, sizeof(f), link, t, &lay);
	assert_true(n > 0);
	struct decode_stats st = { { 0 } };
	for (size_t cap = 0; cap < n; cap++) {
		/* A copy of exactly cap bytes, so ASan sees any read past it. */
		uint8_t *c = malloc(cap ? cap : 1);
		memcpy(c, f, cap);
		struct packet p;
		enum decode_reason r = decode_frame(pkt_dlt(link), c, (uint32_t)cap, (uint32_t)n, &p, &st);
		enum decode_reason want;
		if (cap < lay.l3 || (cap == 0 && link == PKT_RAW))
			want = DEC_LINK_TRUNC;
		else if (cap < lay.l4)
			want = DEC_IP_TRUNC;
		else if (cap < lay.payload)
			want = DEC_TCP_TRUNC;
		else
			want = DEC_PAYLOAD_TRUNC;
		if (r != want)
			print_error("link %d v%d caplen %zu of %zu: got %s, want %s\n", (int)link,
				    t->ipver, cap, n, decode_reason_name(r), decode_reason_name(want));
		assert_int_equal(r, want);
		if (r == DEC_PAYLOAD_TRUNC) {
			assert_int_equal(p.payload_len, cap - lay.payload);
			assert_int_equal(p.payload_wirelen, t->len);
			assert_true(p.payload_len < p.payload_wirelen);
			assert_memory_equal(p.payload, t->payload, p.payload_len);
			assert_int_equal(p.seq, t->seq);
		}
		free(c);
	}
	assert_int_equal(stats_sum(&st), n);
	assert_int_equal(st.count[DEC_PAYLOAD_TRUNC], t->len);
}

static void test_truncated_every_offset(void **state)
{
	(void)state;
	static const enum pkt_link links[] = { PKT_ETH, PKT_VLAN, PKT_QINQ, PKT_SLL, PKT_SLL2,
					       PKT_NULL_LE, PKT_NULL_BE, PKT_LOOP, PKT_RAW };
	static const uint8_t ext[] = { 0, 60, 44 };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		struct pkt_tcp t = seg(4);
		truncate_all(links[i], &t);
		t.ip_opts_len = 8;
		t.tcp_opts_len = 12;
		truncate_all(links[i], &t);
		t = seg(6);
		truncate_all(links[i], &t);
		t.v6_ext = ext;
		t.n_v6_ext = 3;
		t.tcp_opts_len = 12;
		truncate_all(links[i], &t);
	}
}

/* The same prefixes with caplen == wirelen (no snaplen: the frame is short):
 * never a crash, never OK, always counted. */
static void test_short_frames_not_cut(void **state)
{
	(void)state;
	static const enum pkt_link links[] = { PKT_ETH, PKT_QINQ, PKT_SLL, PKT_SLL2, PKT_NULL_LE,
					       PKT_RAW };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		for (int v = 4; v <= 6; v += 2) {
			uint8_t f[512];
			struct pkt_tcp t = seg(v);
			struct pkt_layout lay;
			size_t n = pkt_frame(f, sizeof(f), links[i], &t, &lay);
			struct decode_stats st = { { 0 } };
			for (size_t cap = 0; cap < n; cap++) {
				uint8_t *c = malloc(cap ? cap : 1);
				memcpy(c, f, cap);
				struct packet p;
				enum decode_reason r = decode_frame(pkt_dlt(links[i]), c, (uint32_t)cap,
								    (uint32_t)cap, &p, &st);
				assert_int_not_equal(r, DEC_OK);
				assert_int_not_equal(r, DEC_PAYLOAD_TRUNC);
				if (cap < lay.l3 || (cap == 0 && links[i] == PKT_RAW))
					assert_int_equal(r, DEC_LINK_TRUNC);
				else if (cap >= lay.l3 + (v == 4 ? 20u : 40u))
					assert_int_equal(r, DEC_IP_BAD); /* the IP length lies */
				free(c);
			}
			assert_int_equal(stats_sum(&st), n);
		}
	}
}

static enum decode_reason decode_poked(int v, size_t at, uint8_t val, size_t at2, uint8_t val2)
{
	uint8_t f[256];
	struct pkt_tcp t = seg(v);
	size_t n = pkt_frame(f, sizeof(f), PKT_RAW, &t, NULL);
	if (at != SIZE_MAX)
		f[at] = val;
	if (at2 != SIZE_MAX)
		f[at2] = val2;
	struct packet p;
	struct decode_stats st = { { 0 } };
	enum decode_reason r = decode_frame(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p, &st);
	assert_int_equal(st.count[r], 1);
	return r;
}

static void test_malformed(void **state)
{
	(void)state;
	/* IHL < 5 */
	for (uint8_t ihl = 0; ihl < 5; ihl++)
		assert_int_equal(decode_poked(4, 0, (uint8_t)(0x40 | ihl), SIZE_MAX, 0), DEC_IP_BAD);
	/* total length < IHL (20 < 24, and 0) */
	assert_int_equal(decode_poked(4, 2, 0, 3, 19), DEC_IP_BAD);
	assert_int_equal(decode_poked(4, 2, 0, 3, 0), DEC_IP_BAD);
	/* total length more than the frame, frame not cut: a lying header */
	assert_int_equal(decode_poked(4, 2, 0x01, 3, 0x00), DEC_IP_BAD);
	assert_int_equal(decode_poked(6, 4, 0x01, 5, 0x00), DEC_IP_BAD);
	/* IPv6 payload length 0 (jumbogram / nonsense) */
	assert_int_equal(decode_poked(6, 4, 0, 5, 0), DEC_IP_BAD);
	/* IPv6 header with version 4 inside an IPv6 link type */
	{
		uint8_t f[256];
		struct pkt_tcp t = seg(6);
		size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
		f[14] = 0x40;
		struct packet p;
		struct decode_stats st = { { 0 } };
		assert_int_equal(decode_frame(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, &st),
				 DEC_IP_BAD);
	}
	/* TCP data offset < 5 */
	for (uint8_t doff = 0; doff < 5; doff++) {
		assert_int_equal(decode_poked(4, 20 + 12, (uint8_t)(doff << 4), SIZE_MAX, 0), DEC_TCP_BAD);
		assert_int_equal(decode_poked(6, 40 + 12, (uint8_t)(doff << 4), SIZE_MAX, 0), DEC_TCP_BAD);
	}
	/* TCP data offset past the segment (60 > 20 + 16) */
	assert_int_equal(decode_poked(4, 20 + 12, 0xf0, SIZE_MAX, 0), DEC_TCP_BAD);
	assert_int_equal(decode_poked(6, 40 + 12, 0xf0, SIZE_MAX, 0), DEC_TCP_BAD);
	/* IP total length leaves less than a TCP header (20 + 10) */
	assert_int_equal(decode_poked(4, 2, 0, 3, 30), DEC_TCP_BAD);
	/* ... and less than the data offset (20 + 18) */
	assert_int_equal(decode_poked(4, 2, 0, 3, 38), DEC_TCP_BAD);
	/* IP total length shorter than the frame: the rest is padding, not payload */
	assert_int_equal(decode_poked(4, 2, 0, 3, 45), DEC_OK);
}

/* A 60-byte Ethernet frame carrying a 1-byte payload: the padding is not POP3. */
static void test_ethernet_padding(void **state)
{
	(void)state;
	uint8_t f[60];
	memset(f, 0xcc, sizeof(f));
	struct pkt_tcp t = seg(4);
	t.payload = "+";
	t.len = 1;
	size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	assert_int_equal(n, 55);
	struct packet p;
	struct decode_stats st = { { 0 } };
	assert_int_equal(decode_frame(DLT_EN10MB, f, 60, 60, &p, &st), DEC_OK);
	assert_int_equal(p.payload_len, 1);
	assert_int_equal(p.payload_wirelen, 1);
	assert_int_equal(p.payload[0], '+');
	/* A pure ACK padded to 60 bytes: no payload at all. */
	memset(f, 0xcc, sizeof(f));
	t.len = 0;
	n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	assert_int_equal(decode_frame(DLT_EN10MB, f, 60, 60, &p, &st), DEC_OK);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload_wirelen, 0);
	/* IPv6 too */
	uint8_t g[90];
	memset(g, 0xcc, sizeof(g));
	t = seg(6);
	t.payload = "+";
	t.len = 1;
	n = pkt_frame(g, sizeof(g), PKT_ETH, &t, NULL);
	assert_int_equal(n, 75);
	assert_int_equal(decode_frame(DLT_EN10MB, g, 90, 90, &p, &st), DEC_OK);
	assert_int_equal(p.payload_len, 1);
	assert_int_equal(p.payload_wirelen, 1);
}

static void test_snaplen_cut(void **state)
{
	(void)state;
	char big[1400];
	memset(big, 'x', sizeof(big));
	uint8_t f[1600];
	struct pkt_tcp t = seg(4);
	t.payload = big;
	t.len = sizeof(big);
	size_t n = pkt_frame(f, sizeof(f), PKT_ETH, &t, NULL);
	struct packet p;
	struct decode_stats st = { { 0 } };
	assert_int_equal(decode_frame(DLT_EN10MB, f, 96, (uint32_t)n, &p, &st), DEC_PAYLOAD_TRUNC);
	assert_int_equal(p.payload_len, 96 - 54);
	assert_int_equal(p.payload_wirelen, 1400);
	assert_int_equal(p.sport, 110);
	assert_int_equal(st.count[DEC_PAYLOAD_TRUNC], 1);
	/* Cut exactly at the end of the TCP header: all payload missing. */
	assert_int_equal(decode_frame(DLT_EN10MB, f, 54, (uint32_t)n, &p, &st), DEC_PAYLOAD_TRUNC);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload_wirelen, 1400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_raw_ip_values),
		cmocka_unit_test(test_null_af_values),
		cmocka_unit_test(test_unsupported_and_not_ip),
		cmocka_unit_test(test_vlan_depth),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_ipv6_extension_chain_too_long),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_short_frames_not_cut),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_snaplen_cut),
	};
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
