/*
 * decode.c - link layer, IPv4/IPv6 and TCP headers to a packet view.
 *
 * Each layer reads through a cursor and hands the next one a narrower
 * cursor: min(declared length, what was captured). A declared length past
 * the captured bytes is snaplen truncation when the frame was cut
 * (caplen < wirelen), and a malformed header otherwise. Fragments are
 * counted and skipped (see decode.h for why).
 */
#include "decode.h"
#include "cursor.h"
#include "decode_int.h"

#include <pcap/dlt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE 0x8864
#define VLAN_DEPTH_MAX 4     /* QinQ is 2; more is abuse */
#define IP6_EXT_MAX 8        /* extension headers followed before giving up */
#define IPPROTO_TCP_ 6
#define ETH_HLEN 14
#define VLAN_TAG_LEN 4
#define IP4_HLEN 20 /* without options */
#define IP6_HLEN 40
#define TCP_HLEN 20 /* without options */

static const char *const reason_names[] = {
#define X(id, name, desc) name,
#include "decode_reasons.def"
#undef X
};
static const char *const reason_descs[] = {
#define X(id, name, desc) desc,
#include "decode_reasons.def"
#undef X
};

const char *decode_reason_name(enum decode_reason r)
{
	return (unsigned)r < DEC__COUNT ? reason_names[r] : "?";
}

const char *decode_reason_desc(enum decode_reason r)
{
	return (unsigned)r < DEC__COUNT ? reason_descs[r] : "?";
}

bool decode_linktype_supported(int lt)
{
	switch (lt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
#ifdef DLT_RAW_ALT
	case DLT_RAW_ALT:
#endif
		return true;
	default:
		return lt == 12 || lt == 14 || lt == 101; /* DLT_RAW's values across OSes */
	}
}

int decode_net_from_ethertype(uint16_t et)
{
	if (et == ETHERTYPE_IPV4)
		return NET_IPV4;
	if (et == ETHERTYPE_IPV6)
		return NET_IPV6;
	if (et == ETHERTYPE_MPLS || et == ETHERTYPE_MPLS_MC)
		return NET_MPLS;
	if (et == ETHERTYPE_PPPOE)
		return NET_PPPOE;
	return NET_OTHER;
}
#define net_from_ethertype decode_net_from_ethertype

static inline enum decode_reason ether_hdr(struct cursor *c, int *net, uint16_t *vlan)
{
	uint16_t et;
	if (!cursor_skip(c, 12) || !cursor_be16(c, &et))
		return DEC_LINK_TRUNC;
	for (int depth = 0; et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ ||
			    et == ETHERTYPE_QINQ_OLD; depth++) {
		uint16_t tci;
		if (depth == VLAN_DEPTH_MAX)
			return DEC_NOT_IP;
		if (!cursor_be16(c, &tci) || !cursor_be16(c, &et))
			return DEC_LINK_TRUNC;
		if (depth == 0 && !*vlan)
			*vlan = tci & 0x0fff;
	}
	*net = net_from_ethertype(et);
	return DEC_OK;
}

enum decode_reason decode_ether(struct cursor *c, int *net, uint16_t *vlan)
{
	return ether_hdr(c, net, vlan);
}

/* BSD loopback AF values: AF_INET is 2 everywhere; AF_INET6 differs by OS. */
static int net_from_af(uint32_t af)
{
	if (af == 2)
		return NET_IPV4;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return NET_IPV6;
	return NET_OTHER;
}

static int net_from_version(const struct cursor *c)
{
	uint8_t b;
	if (!cursor_peek_u8(c, 0, &b))
		return -1;
	return (b >> 4) == 4 ? NET_IPV4 : (b >> 4) == 6 ? NET_IPV6 : NET_OTHER;
}

/* Returns DEC_OK with *net set and c positioned at the network header. */
static enum decode_reason decode_link(int lt, struct cursor *c, int *net, uint16_t *vlan)
{
	uint16_t et;
	uint32_t af;

	switch (lt) {
	case DLT_EN10MB:
		return ether_hdr(c, net, vlan);
	case DLT_LINUX_SLL:
		if (!cursor_skip(c, 14) || !cursor_be16(c, &et))
			return DEC_LINK_TRUNC;
		*net = net_from_ethertype(et);
		return DEC_OK;
	case DLT_LINUX_SLL2:
		if (!cursor_be16(c, &et) || !cursor_skip(c, 18))
			return DEC_LINK_TRUNC;
		*net = net_from_ethertype(et);
		return DEC_OK;
	case DLT_NULL:
		/* Host byte order of the machine that wrote it: try both. */
		if (!cursor_le32(c, &af))
			return DEC_LINK_TRUNC;
		*net = net_from_af(af);
		if (*net == NET_OTHER)
			*net = net_from_af(__builtin_bswap32(af));
		return DEC_OK;
	case DLT_LOOP:
		if (!cursor_be32(c, &af))
			return DEC_LINK_TRUNC;
		*net = net_from_af(af);
		return DEC_OK;
	default:
		if (!decode_linktype_supported(lt))
			return DEC_LINK_UNSUP;
		/* Raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6): the version nibble says. */
		*net = net_from_version(c);
		if (*net < 0)
			return DEC_LINK_TRUNC;
		return DEC_OK;
	}
}

/*
 * Narrow *c to the `declared` bytes an IP header announces. Past what was
 * captured is truncation if the frame was cut, otherwise a lying header.
 */
static enum decode_reason narrow(struct cursor *c, size_t declared, bool frame_cut,
				 bool *payload_cut)
{
	bool clamped;
	struct cursor sub = cursor_sub(c, declared, &clamped);
	if (clamped && !frame_cut)
		return DEC_IP_BAD;
	*payload_cut = clamped;
	*c = sub;
	return DEC_OK;
}

/* Both IP decoders leave c at the transport header with *proto set: the
 * caller takes TCP at once and offers anything else to the tunnels. */
static inline __attribute__((always_inline)) enum decode_reason decode_ipv4(struct cursor *c, struct packet *pkt, bool frame_cut,
				      bool *cut, uint32_t *l4_wirelen, uint8_t *proto)
{
	uint8_t vihl, tos, ttl;
	uint16_t total, id, frag, csum;

	if (!cursor_u8(c, &vihl))
		return DEC_IP_TRUNC;
	if ((vihl >> 4) != 4)
		return DEC_IP_BAD;
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < 20)
		return DEC_IP_BAD;
	if (!cursor_u8(c, &tos) || !cursor_be16(c, &total) || !cursor_be16(c, &id) ||
	    !cursor_be16(c, &frag) || !cursor_u8(c, &ttl) || !cursor_u8(c, proto) ||
	    !cursor_be16(c, &csum) || !cursor_copy(c, pkt->src, 4) ||
	    !cursor_copy(c, pkt->dst, 4))
		return DEC_IP_TRUNC;
	if (total < ihl)
		return DEC_IP_BAD;
	/* Rewind to the header start, narrow to the datagram, skip options. */
	c->off -= 20;
	enum decode_reason r = narrow(c, total, frame_cut, cut);
	if (r != DEC_OK)
		return r;
	if (!cursor_skip(c, ihl))
		return DEC_IP_TRUNC;
	if ((frag & 0x3fff) != 0) /* MF set or a non-zero offset */
		return DEC_IP_FRAGMENT;
	pkt->ipver = 4;
	*l4_wirelen = (uint32_t)(total - ihl);
	return DEC_OK;
}

/* IPv6 next headers (IANA's numbers) that are extension headers, walked
 * to the upper-layer protocol; the one list for the general path and the
 * fast one, which leaves any of them to the general path. */
enum {
	IP6_NH_HOPOPT = 0,
	IP6_NH_ROUTING = 43,
	IP6_NH_FRAGMENT = 44,
	IP6_NH_AH = 51,
	IP6_NH_DSTOPTS = 60,
	IP6_NH_MOBILITY = 135,
};

static inline bool ip6_ext_header(uint8_t nh)
{
	return nh == IP6_NH_HOPOPT || nh == IP6_NH_ROUTING || nh == IP6_NH_FRAGMENT ||
	       nh == IP6_NH_AH || nh == IP6_NH_DSTOPTS || nh == IP6_NH_MOBILITY;
}

static inline __attribute__((always_inline)) enum decode_reason decode_ipv6(struct cursor *c, struct packet *pkt, bool frame_cut,
				      bool *cut, uint32_t *l4_wirelen, uint8_t *proto)
{
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t nh, hlim;

	if (!cursor_be32(c, &vtcfl) || !cursor_be16(c, &plen) || !cursor_u8(c, &nh) ||
	    !cursor_u8(c, &hlim) || !cursor_copy(c, pkt->src, 16) ||
	    !cursor_copy(c, pkt->dst, 16))
		return DEC_IP_TRUNC;
	if ((vtcfl >> 28) != 6)
		return DEC_IP_BAD;
	if (plen == 0) /* jumbogram or nonsense: neither carries POP3 */
		return DEC_IP_BAD;
	enum decode_reason r = narrow(c, plen, frame_cut, cut);
	if (r != DEC_OK)
		return r;
	size_t used = 0;
	for (int i = 0;; i++) {
		uint8_t next, len8;
		uint16_t fragoff;
		if (!ip6_ext_header(nh)) { /* TCP, or something a tunnel decoder may know */
			pkt->ipver = 6;
			*l4_wirelen = (uint32_t)(plen - used);
			*proto = nh;
			return DEC_OK;
		}
		if (i == IP6_EXT_MAX)
			return DEC_IP6_EXT_BAD;
		switch (nh) {
		default: /* hop-by-hop, routing, destination options, mobility */
			if (!cursor_u8(c, &next) || !cursor_u8(c, &len8))
				return *cut ? DEC_IP_TRUNC : DEC_IP6_EXT_BAD;
			if (!cursor_skip(c, (size_t)len8 * 8 + 6))
				return *cut ? DEC_IP_TRUNC : DEC_IP6_EXT_BAD;
			used += (size_t)len8 * 8 + 8;
			nh = next;
			break;
		case IP6_NH_AH: /* length in 4-octet units, minus 2 */
			if (!cursor_u8(c, &next) || !cursor_u8(c, &len8))
				return *cut ? DEC_IP_TRUNC : DEC_IP6_EXT_BAD;
			if (!cursor_skip(c, ((size_t)len8 + 2) * 4 - 2))
				return *cut ? DEC_IP_TRUNC : DEC_IP6_EXT_BAD;
			used += ((size_t)len8 + 2) * 4;
			nh = next;
			break;
		case IP6_NH_FRAGMENT: /* only an atomic fragment (offset 0, no M) passes */
			if (!cursor_u8(c, &next) || !cursor_skip(c, 1) ||
			    !cursor_be16(c, &fragoff) || !cursor_skip(c, 4))
				return *cut ? DEC_IP_TRUNC : DEC_IP6_EXT_BAD;
			if ((fragoff & 0xfff9) != 0)
				return DEC_IP_FRAGMENT;
			used += 8;
			nh = next;
			break;
		}
		if (used > plen)
			return DEC_IP6_EXT_BAD;
	}
}

static inline __attribute__((always_inline)) enum decode_reason decode_tcp(struct cursor *c, struct packet *pkt, bool ip_cut,
				     uint32_t l4_wirelen)
{
	uint8_t doff, flags;
	uint16_t win;

	if (!cursor_be16(c, &pkt->sport) || !cursor_be16(c, &pkt->dport) ||
	    !cursor_be32(c, &pkt->seq) || !cursor_be32(c, &pkt->ack) || !cursor_u8(c, &doff) ||
	    !cursor_u8(c, &flags) || !cursor_be16(c, &win))
		return ip_cut ? DEC_TCP_TRUNC : DEC_TCP_BAD;
	size_t hlen = (size_t)(doff >> 4) * 4;
	if (hlen < 20 || hlen > l4_wirelen)
		return DEC_TCP_BAD;
	c->off -= 16; /* back to the TCP header start */
	if (!cursor_skip(c, hlen))
		return DEC_TCP_TRUNC;
	pkt->flags = flags;
	pkt->payload = cursor_ptr(c);
	pkt->payload_len = (uint32_t)cursor_remaining(c);
	pkt->payload_wirelen = (uint32_t)(l4_wirelen - hlen);
	return pkt->payload_len < pkt->payload_wirelen ? DEC_PAYLOAD_TRUNC : DEC_OK;
}

/*
 * Inside a tunnel: c is at the inner packet, of kind net, or (proto not 0)
 * at an IP payload that is not TCP, which may be a tunnel. Each tunnel
 * layer adds one to pkt->tun.depth, so the loop ends after at most
 * TUNNEL_DEPTH_MAX of them. Out of line: plain TCP/IP never comes here.
 */
static __attribute__((noinline)) enum decode_reason
decode_tunnelled(struct cursor cur, struct packet *pkt, int net, bool cut, uint8_t proto)
{
	struct cursor *c = &cur;
	uint32_t l4_wirelen = 0;
	bool ip_cut = cut;
	enum decode_reason r;
	if (proto) { /* an IP payload, not TCP: a tunnel, or not for us */
		r = tunnel_from_ip(proto, c, pkt, cut, &net);
		if (r != DEC_OK)
			return r;
	}
	for (;;) {
		if (net == NET_IPV4 || net == NET_IPV6) {
			if (net == NET_IPV4)
				r = decode_ipv4(c, pkt, cut, &ip_cut, &l4_wirelen, &proto);
			else
				r = decode_ipv6(c, pkt, cut, &ip_cut, &l4_wirelen, &proto);
			if (r != DEC_OK)
				return r;
			if (proto == IPPROTO_TCP_)
				return decode_tcp(c, pkt, ip_cut, l4_wirelen);
			cut = ip_cut;
			r = tunnel_from_ip(proto, c, pkt, cut, &net);
		} else if (net == NET_OTHER) {
			return DEC_NOT_IP;
		} else if (net == NET_ETHER) {
			r = decode_ether(c, &net, &pkt->vlan);
		} else {
			r = tunnel_from_link(c, pkt, cut, &net);
		}
		if (r != DEC_OK)
			return r;
	}
}

#define DEC_FAST_NOT_TAKEN DEC__COUNT /* no reason: decode_fast left the frame */

/*
 * The common frame: Ethernet, untagged or with one 802.1Q tag; IPv4
 * without options or IPv6 with no extension header; not a fragment. One
 * length test covers the headers (cursor_span), then each field is read
 * at its fixed offset: the general path's test per field was most of a
 * frame's decode. TCP is decoded here; another protocol goes on to the
 * tunnels from the IP payload, as the general path would send it. It
 * takes only a frame the general path decodes the same way, and fills
 * *pkt as that path would; anything else (more tags, options, a fragment,
 * a lying or cut header) returns DEC_FAST_NOT_TAKEN and is decoded the
 * general way, which decides its reason. test_decode_fast.c holds the two
 * paths to the same results.
 */
static inline __attribute__((always_inline)) enum decode_reason
fast_ip(const struct cursor *c, uint32_t wirelen, struct packet *pkt, size_t lh, uint16_t et)
{
	struct span ip, l4;
	uint32_t l4_wirelen; /* what the IP header declares past itself */
	uint8_t proto;
	if (et == ETHERTYPE_IPV4) {
		ip = span_from(cursor_span(c, lh + IP4_HLEN + TCP_HLEN), lh);
		if (!ip.p)
			return DEC_FAST_NOT_TAKEN;
		uint16_t total = span_be16(ip, 2);
		/* version 4, 20-byte header; not MF nor an offset */
		if (span_u8(ip, 0) != 0x45 || (span_be16(ip, 6) & 0x3fff) || total < IP4_HLEN)
			return DEC_FAST_NOT_TAKEN;
		l4 = span_from(ip, IP4_HLEN);
		l4_wirelen = (uint32_t)total - IP4_HLEN;
		proto = span_u8(ip, 9);
		pkt->ipver = 4;
		span_copy(pkt->src, ip, 12, 4);
		span_copy(pkt->dst, ip, 16, 4);
	} else {
		ip = span_from(cursor_span(c, lh + IP6_HLEN + TCP_HLEN), lh);
		if (!ip.p)
			return DEC_FAST_NOT_TAKEN;
		uint16_t plen = span_be16(ip, 4);
		proto = span_u8(ip, 6);
		if ((span_u8(ip, 0) >> 4) != 6 || plen == 0 || ip6_ext_header(proto))
			return DEC_FAST_NOT_TAKEN;
		l4 = span_from(ip, IP6_HLEN);
		l4_wirelen = plen;
		pkt->ipver = 6;
		span_copy(pkt->src, ip, 8, 16);
		span_copy(pkt->dst, ip, 24, 16);
	}
	/* the datagram as declared, cut to what was captured: past it only
	 * when the frame was cut, else the header lies (DEC_IP_BAD). The span
	 * holds TCP_HLEN bytes of it; the captured frame may hold more. */
	size_t have = c->len - (size_t)(l4.p - c->base); /* >= TCP_HLEN: the span's */
	bool ip_cut = l4_wirelen > have;
	if (ip_cut && c->len >= wirelen)
		return DEC_FAST_NOT_TAKEN;
	size_t l4_len = ip_cut ? have : l4_wirelen;
	if (proto != IPPROTO_TCP_) {
		/* Not TCP: most of it (a busy link's UDP, ICMP) no tunnel
		 * either, told here as tunnel_from_ip would tell it (a UDP
		 * header's ports are in the span: it has TCP_HLEN bytes).
		 * Protocol 0 is left to decode_tunnelled, which takes it for
		 * "no protocol" and says DEC_NOT_IP. */
		if (proto != 0 && !decode_proto_may_tunnel(proto))
			return DEC_NOT_TCP;
		if (proto == IPPROTO_UDP_ &&
		    (l4_len < 4 || decode_udp_tunnel(span_be16(l4, 0), span_be16(l4, 2)) == DEC_NOT_TCP))
			return DEC_NOT_TCP;
		/* the tunnels read their headers through this cursor, from
		 * the IP payload as decode_tunnelled would be given it */
		return decode_tunnelled(cursor_make(l4.p, l4_len), pkt, NET_OTHER, ip_cut, proto);
	}
	size_t hlen = (size_t)(span_u8(l4, 12) >> 4) * 4;
	/* a TCP header cut or lying (the general path says which) */
	if (l4_len < TCP_HLEN || hlen < TCP_HLEN || hlen > l4_wirelen || hlen > l4_len)
		return DEC_FAST_NOT_TAKEN;
	pkt->sport = span_be16(l4, 0);
	pkt->dport = span_be16(l4, 2);
	pkt->seq = span_be32(l4, 4);
	pkt->ack = span_be32(l4, 8);
	pkt->flags = span_u8(l4, 13);
	pkt->payload = l4.p + hlen; /* hlen <= l4_len: within the frame */
	pkt->payload_len = (uint32_t)(l4_len - hlen);
	pkt->payload_wirelen = l4_wirelen - (uint32_t)hlen;
	return pkt->payload_len < pkt->payload_wirelen ? DEC_PAYLOAD_TRUNC : DEC_OK;
}

/* fast_ip is compiled twice, for a link header of each length, so that
 * the untagged frame's offsets stay constants. */
static inline enum decode_reason decode_fast(const uint8_t *data, uint32_t caplen,
					    uint32_t wirelen, struct packet *pkt)
{
	struct cursor c = cursor_make(data, caplen);
	struct span h = cursor_span(&c, ETH_HLEN + IP4_HLEN + TCP_HLEN);
	if (!h.p)
		return DEC_FAST_NOT_TAKEN;
	memset(pkt, 0, offsetof(struct packet, payload));
	pkt->tun.depth = 0;
	uint16_t et = span_be16(h, 12);
	if (et == ETHERTYPE_IPV4 || et == ETHERTYPE_IPV6)
		return fast_ip(&c, wirelen, pkt, ETH_HLEN, et);
	if (et != ETHERTYPE_VLAN)
		return DEC_FAST_NOT_TAKEN;
	/* one tag; a second (its ethertype is neither IP) or QinQ's 0x88a8
	 * outside goes the general way */
	h = cursor_span(&c, ETH_HLEN + VLAN_TAG_LEN + IP4_HLEN + TCP_HLEN);
	if (!h.p)
		return DEC_FAST_NOT_TAKEN;
	pkt->vlan = span_be16(h, ETH_HLEN) & 0x0fff;
	et = span_be16(h, ETH_HLEN + 2);
	if (et == ETHERTYPE_IPV4 || et == ETHERTYPE_IPV6)
		return fast_ip(&c, wirelen, pkt, ETH_HLEN + VLAN_TAG_LEN, et);
	return DEC_FAST_NOT_TAKEN;
}

/* Link, IP, TCP: the straight path. Anything else goes to the tunnels. */
static enum decode_reason decode_inner(int lt, const uint8_t *data, uint32_t caplen,
				       uint32_t wirelen, struct packet *pkt)
{
	struct cursor c = cursor_make(data, caplen);
	bool frame_cut = caplen < wirelen, ip_cut = false;
	uint32_t l4_wirelen = 0;
	int net = NET_OTHER;
	uint8_t proto = 0;
	enum decode_reason r;

	if (lt == DLT_EN10MB) {
		r = decode_fast(data, caplen, wirelen, pkt);
		if (r != DEC_FAST_NOT_TAKEN)
			return r;
	}
	memset(pkt, 0, offsetof(struct packet, payload));
	pkt->tun.depth = 0; /* the rest of tun is set when a layer is entered */
	r = decode_link(lt, &c, &net, &pkt->vlan);
	if (r != DEC_OK)
		return r;
	if (net == NET_IPV4)
		r = decode_ipv4(&c, pkt, frame_cut, &ip_cut, &l4_wirelen, &proto);
	else if (net == NET_IPV6)
		r = decode_ipv6(&c, pkt, frame_cut, &ip_cut, &l4_wirelen, &proto);
	else if (net == NET_OTHER)
		return DEC_NOT_IP;
	else
		return decode_tunnelled(c, pkt, net, frame_cut, 0);
	if (r != DEC_OK)
		return r;
	if (proto == IPPROTO_TCP_)
		return decode_tcp(&c, pkt, ip_cut, l4_wirelen);
	/* c by value: its address never escapes, so it stays in registers */
	return decode_tunnelled(c, pkt, NET_OTHER, ip_cut, proto);
}

enum decode_reason decode_frame(int lt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
				struct packet *pkt, struct decode_stats *st)
{
	enum decode_reason r = decode_inner(lt, data, caplen, wirelen, pkt);
	if (st)
		decode_count(st, r, pkt);
	return r;
}

void decode_addr_str(uint8_t ipver, const uint8_t addr[16], char *buf, size_t len)
{
	if (ipver == 4) {
		/* by hand: once per session and sink, snprintf was a visible cost */
		char tmp[16], *o = tmp;
		for (int i = 0; i < 4; i++) {
			unsigned v = addr[i];
			if (v >= 100)
				*o++ = (char)('0' + v / 100);
			if (v >= 10)
				*o++ = (char)('0' + v / 10 % 10);
			*o++ = (char)('0' + v % 10);
			*o++ = i < 3 ? '.' : '\0';
		}
		strlcpy_safe(buf, tmp, len);
		return;
	}
	/* RFC 5952: lowercase, longest run of zero groups (>= 2) as "::". */
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(addr[2 * i] << 8 | addr[2 * i + 1]);
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j == i ? i + 1 : j;
	}
	/* by hand into the longest form (8 groups of 4, 7 colons), then cut to
	 * the buffer as the snprintf calls did: 9 of them were ~5,000
	 * instructions an address, twice per IPv6 session */
	static const char hex[] = "0123456789abcdef";
	char tmp[8 * 5];
	size_t o = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			tmp[o++] = ':';
			tmp[o++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && !(best >= 0 && i == best + bestlen))
			tmp[o++] = ':';
		unsigned v = g[i];
		for (int sh = v >= 0x1000 ? 12 : v >= 0x100 ? 8 : v >= 0x10 ? 4 : 0; sh >= 0; sh -= 4)
			tmp[o++] = hex[(v >> sh) & 0xf];
	}
	tmp[o] = '\0';
	strlcpy_safe(buf, tmp, len);
}
