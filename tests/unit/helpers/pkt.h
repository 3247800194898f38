/*
 * pkt.h - frame and packet builders for the lower-pipeline unit tests
 * (test_decode, test_flow_table, test_reasm): an IPv4 or IPv6 datagram
 * carrying one TCP segment, wrapped in any link layer decode.c reads
 * (Ethernet, 802.1Q, QinQ, Linux SLL/SLL2, BSD NULL in both byte orders,
 * LOOP, raw IP). Everything is written field by field in network order,
 * so a test can poke single bytes afterwards at the offsets in pkt_layout.
 * Nothing allocates; the caller owns every buffer.
 */
#ifndef POP3MON_TEST_PKT_H
#define POP3MON_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

enum pkt_link {
	PKT_ETH,      /* Ethernet II */
	PKT_VLAN,     /* Ethernet + one 802.1Q tag (vlan) */
	PKT_QINQ,     /* Ethernet + 0x88a8 outer (vlan) + 0x8100 inner (vlan + 1) */
	PKT_SLL,      /* Linux cooked v1 (DLT 113) */
	PKT_SLL2,     /* Linux cooked v2 (DLT 276) */
	PKT_NULL_LE,  /* BSD loopback, AF in little-endian host order (DLT 0) */
	PKT_NULL_BE,  /* BSD loopback, AF in big-endian host order (DLT 0) */
	PKT_LOOP,     /* OpenBSD loopback, AF in network order (DLT_LOOP) */
	PKT_RAW,      /* raw IP (DLT_RAW) */
};

/* One TCP segment over IP. Addresses are text ("192.0.2.1", "2001:db8::1"). */
struct pkt_tcp {
	int ipver;                  /* 4 or 6 */
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;              /* TCP_* from decode.h */
	const void *payload;
	size_t len;
	uint16_t vlan;              /* for PKT_VLAN / PKT_QINQ */
	size_t ip_opts_len;         /* IPv4 options (NOPs), a multiple of 4, <= 40 */
	size_t tcp_opts_len;        /* TCP options (NOPs), a multiple of 4, <= 40 */
	uint16_t ip_frag;           /* IPv4 flags+offset field (0x4000 = DF is added by default) */
	/* IPv6 extension headers, in order: 0 hop-by-hop, 60 dest-opts, 43 routing
	 * (each 8 octets), 44 fragment (v6_frag is its offset/M field). */
	const uint8_t *v6_ext;
	size_t n_v6_ext;
	uint16_t v6_frag;
};

/* Where each layer starts in the built frame. */
struct pkt_layout {
	size_t l3, l4, payload, total;
};

int pkt_dlt(enum pkt_link link);
/* Link header bytes for `link` (0 for raw IP). */
size_t pkt_link_len(enum pkt_link link);

/* Build the IP datagram (header, options, TCP, payload) at buf; returns its
 * length, 0 when cap is too small. */
size_t pkt_ip_tcp(uint8_t *buf, size_t cap, const struct pkt_tcp *t, struct pkt_layout *lay);

/* Build a whole frame; returns its length (0: cap too small). `lay` may be NULL. */
size_t pkt_frame(uint8_t *buf, size_t cap, enum pkt_link link, const struct pkt_tcp *t,
		 struct pkt_layout *lay);

/* Fill a decoded packet view directly (for flow and reassembly tests). */
void pkt_packet(struct packet *p, int ipver, const char *src, uint16_t sport, const char *dst,
		uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
		size_t len);

/* Parse a text address into 16 bytes (IPv4 in the first 4); aborts on error. */
void pkt_addr(int ipver, const char *text, uint8_t out[16]);

#endif
