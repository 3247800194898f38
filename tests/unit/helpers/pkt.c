/*
 * pkt.c - frame builders for the unit tests (see pkt.h). Fields are written
 * one at a time in network order; checksums are filled for IPv4 only
 * (decode.c does not verify them, but a frame written to a pcap should
 * look real in Wireshark).
 */
#include "helpers/pkt.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void pkt_addr(int ipver, const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(ipver == 4 ? AF_INET : AF_INET6, text, out) != 1) {
		fprintf(stderr, "pkt_addr: bad address %s\n", text);
		abort();
	}
}

int pkt_dlt(enum pkt_link link)
{
	switch (link) {
	case PKT_ETH:
	case PKT_VLAN:
	case PKT_QINQ: return DLT_EN10MB;
	case PKT_SLL: return DLT_LINUX_SLL;
	case PKT_SLL2: return DLT_LINUX_SLL2;
	case PKT_NULL_LE:
	case PKT_NULL_BE: return DLT_NULL;
	case PKT_LOOP: return DLT_LOOP;
	case PKT_RAW: return DLT_RAW;
	}
	return -1;
}

size_t pkt_link_len(enum pkt_link link)
{
	switch (link) {
	case PKT_ETH: return 14;
	case PKT_VLAN: return 18;
	case PKT_QINQ: return 22;
	case PKT_SLL: return 16;
	case PKT_SLL2: return 20;
	case PKT_NULL_LE:
	case PKT_NULL_BE:
	case PKT_LOOP: return 4;
	case PKT_RAW: return 0;
	}
	return 0;
}

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

size_t pkt_ip_tcp(uint8_t *buf, size_t cap, const struct pkt_tcp *t, struct pkt_layout *lay)
{
	size_t iph = t->ipver == 4 ? 20 + t->ip_opts_len : 40 + 8 * t->n_v6_ext;
	size_t tcph = 20 + t->tcp_opts_len;
	size_t total = iph + tcph + t->len;
	if (total > cap || total > 65535 + 40)
		return 0;
	memset(buf, 0, iph + tcph);
	uint8_t a[16], b[16];
	pkt_addr(t->ipver, t->src, a);
	pkt_addr(t->ipver, t->dst, b);
	if (t->ipver == 4) {
		buf[0] = (uint8_t)(0x40 | (iph / 4));
		put16(buf + 2, (uint16_t)total);
		put16(buf + 4, 0x1234);
		put16(buf + 6, t->ip_frag ? t->ip_frag : 0x4000);
		buf[8] = 64;
		buf[9] = 6;
		memcpy(buf + 12, a, 4);
		memcpy(buf + 16, b, 4);
		memset(buf + 20, 1, t->ip_opts_len); /* NOP options */
		put16(buf + 10, ip_csum(buf, iph));
	} else {
		put32(buf, 0x60000000u);
		put16(buf + 4, (uint16_t)(total - 40));
		buf[6] = t->n_v6_ext ? t->v6_ext[0] : 6;
		buf[7] = 64;
		memcpy(buf + 8, a, 16);
		memcpy(buf + 24, b, 16);
		for (size_t i = 0; i < t->n_v6_ext; i++) {
			uint8_t *e = buf + 40 + 8 * i;
			e[0] = i + 1 < t->n_v6_ext ? t->v6_ext[i + 1] : 6;
			if (t->v6_ext[i] == 44) {
				put16(e + 2, t->v6_frag);
				put32(e + 4, 0xabcd);
			} else {
				e[1] = 0;     /* 8 octets */
				e[2] = 1;     /* PadN, 4 octets of padding */
				e[3] = 4;
			}
		}
	}
	uint8_t *th = buf + iph;
	put16(th, t->sport);
	put16(th + 2, t->dport);
	put32(th + 4, t->seq);
	put32(th + 8, t->ack);
	th[12] = (uint8_t)((tcph / 4) << 4);
	th[13] = t->flags;
	put16(th + 14, 65535);
	memset(th + 20, 1, t->tcp_opts_len);
	if (t->len)
		memcpy(th + tcph, t->payload, t->len);
	if (lay) {
		lay->l3 = 0;
		lay->l4 = iph;
		lay->payload = iph + tcph;
		lay->total = total;
	}
	return total;
}

size_t pkt_frame(uint8_t *buf, size_t cap, enum pkt_link link, const struct pkt_tcp *t,
		 struct pkt_layout *lay)
{
	size_t ll = pkt_link_len(link);
	uint16_t et = t->ipver == 4 ? 0x0800 : 0x86dd;
	uint32_t af = t->ipver == 4 ? 2 : 24; /* AF_INET6 as BSD loopback writes it */
	if (cap < ll)
		return 0;
	memset(buf, 0, ll);
	switch (link) {
	case PKT_ETH:
	case PKT_VLAN:
	case PKT_QINQ:
		memcpy(buf, "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb", 12);
		if (link == PKT_ETH) {
			put16(buf + 12, et);
		} else if (link == PKT_VLAN) {
			put16(buf + 12, 0x8100);
			put16(buf + 14, (uint16_t)(0x2000 | t->vlan)); /* PCP 1 */
			put16(buf + 16, et);
		} else {
			put16(buf + 12, 0x88a8);
			put16(buf + 14, (uint16_t)(0x2000 | t->vlan));
			put16(buf + 16, 0x8100);
			put16(buf + 18, (uint16_t)(t->vlan + 1));
			put16(buf + 20, et);
		}
		break;
	case PKT_SLL:
		put16(buf, 0);      /* to us */
		put16(buf + 2, 1);  /* ARPHRD_ETHER */
		put16(buf + 4, 6);
		memcpy(buf + 6, "\x00\x11\x22\x33\x44\x55", 6);
		put16(buf + 14, et);
		break;
	case PKT_SLL2:
		put16(buf, et);
		put32(buf + 4, 2);  /* ifindex */
		put16(buf + 8, 1);  /* ARPHRD_ETHER */
		buf[10] = 0;
		buf[11] = 6;
		memcpy(buf + 12, "\x00\x11\x22\x33\x44\x55", 6);
		break;
	case PKT_NULL_LE:
		put32le(buf, af);
		break;
	case PKT_NULL_BE:
	case PKT_LOOP:
		put32(buf, af);
		break;
	case PKT_RAW:
		break;
	}
	size_t n = pkt_ip_tcp(buf + ll, cap - ll, t, lay);
	if (!n)
		return 0;
	if (lay) {
		lay->l3 += ll;
		lay->l4 += ll;
		lay->payload += ll;
		lay->total += ll;
	}
	return ll + n;
}

void pkt_packet(struct packet *p, int ipver, const char *src, uint16_t sport, const char *dst,
		uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
		size_t len)
{
	memset(p, 0, sizeof(*p));
	p->ipver = (uint8_t)ipver;
	pkt_addr(ipver, src, p->src);
	pkt_addr(ipver, dst, p->dst);
	p->sport = sport;
	p->dport = dport;
	p->seq = seq;
	p->ack = ack;
	p->flags = flags;
	p->payload = payload;
	p->payload_len = (uint32_t)len;
	p->payload_wirelen = (uint32_t)len;
}
