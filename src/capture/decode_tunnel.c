/*
 * decode_tunnel.c - encapsulations, decoded down to the packet they carry.
 *
 * VXLAN (UDP 4789, RFC 7348), Geneve (UDP 6081, RFC 8926; options skipped
 * by their length), GRE (IP protocol 47, RFC 2784/2890: checksum, key and
 * sequence fields) carrying IPv4, IPv6, Ethernet (0x6558), MPLS or ERSPAN
 * type II (0x88be; without the sequence bit, type I: no ERSPAN header) and
 * type III (0x22eb), MPLS label stacks (0x8847/0x8848; what follows the
 * bottom label is guessed from its first nibble as Wireshark does: 4 IPv4,
 * 6 IPv6, 0 a pseudowire control word and Ethernet), PPPoE sessions
 * (0x8864), IPv4/IPv6 in IP (protocols 4 and 41), L2TPv2 data messages
 * with PPP (UDP 1701; control messages are skipped; the PPP address and
 * control field optional, the protocol field compressed or not), GTP-U
 * G-PDUs (UDP 2152, extension headers skipped by their length).
 *
 * Every layer is bounds-checked through the cursor and narrowed to the
 * length its header declares; a header that lies about a length or a
 * version is DEC_TUNNEL_BAD (counted, frame skipped), a tunnel that carries
 * something else (an L2TP control message, a GTP echo, PPP LCP) is
 * DEC_NOT_IP. At most TUNNEL_DEPTH_MAX layers: one more is
 * DEC_TUNNEL_DEEP.
 *
 * The flow key gets pkt->tun.key, the same for both directions: per layer
 * its kind, the outer address pair in canonical order, and the identifiers
 * both directions share (VNI, GRE key, ERSPAN and PPPoE session). MPLS
 * labels, L2TP tunnel/session ids and GTP-U TEIDs are chosen by each
 * receiver, so they differ by direction and stay out of the key.
 */
#include <string.h>

#include "decode_int.h"


#define ET_IPV4 0x0800
#define ET_IPV6 0x86dd
#define ET_TEB 0x6558     /* transparent Ethernet bridging */
#define ET_ERSPAN2 0x88be
#define ET_ERSPAN3 0x22eb
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

#define MPLS_LABELS_MAX 8
#define GTP_EXT_MAX 16

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull; /* FNV-1a */
	}
	return h;
}

/* Enter one more layer of kind k (a DEC_TUN_* counter). */
static enum decode_reason push(struct packet *pkt, enum decode_reason k)
{
	struct tunnel *t = &pkt->tun;
	if (t->depth == TUNNEL_DEPTH_MAX)
		return DEC_TUNNEL_DEEP;
	if (t->depth == 0) {
		t->key = 0xcbf29ce484222325ull;
		t->ipver = 0;
		t->has_id = false;
		t->id = 0;
	}
	t->kind[t->depth++] = (uint8_t)k;
	uint8_t kb = (uint8_t)k;
	t->key = mix(t->key, &kb, 1);
	return DEC_OK;
}

/* The layer just pushed was carried by the IP header in pkt: its addresses
 * become the tunnel's outer ones and go into the key in canonical order;
 * the packet's own are cleared for the inner header. */
static void outer_ip(struct packet *pkt)
{
	struct tunnel *t = &pkt->tun;
	size_t n = pkt->ipver == 4 ? 4 : 16;
	t->ipver = pkt->ipver;
	memcpy(t->src, pkt->src, 16);
	memcpy(t->dst, pkt->dst, 16);
	bool swap = memcmp(pkt->src, pkt->dst, n) > 0;
	t->key = mix(t->key, &t->ipver, 1);
	t->key = mix(t->key, swap ? pkt->dst : pkt->src, n);
	t->key = mix(t->key, swap ? pkt->src : pkt->dst, n);
	memset(pkt->src, 0, 16);
	memset(pkt->dst, 0, 16);
	pkt->ipver = 0;
}

/* An identifier of the innermost layer; `shared` when both directions
 * carry the same one (then it is part of the key). */
static void set_id(struct packet *pkt, uint32_t id, bool shared)
{
	pkt->tun.id = id;
	pkt->tun.has_id = true;
	if (shared) {
		uint8_t b[4] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8),
				 (uint8_t)id };
		pkt->tun.key = mix(pkt->tun.key, b, 4);
	}
}

/* Narrow c to `declared` bytes; past what is there is a lie unless cut. */
static bool narrow_to(struct cursor *c, size_t declared, bool cut)
{
	bool clamped;
	struct cursor sub = cursor_sub(c, declared, &clamped);
	if (clamped && !cut)
		return false;
	*c = sub;
	return true;
}

/* The version nibble of what follows: an IP packet or nothing we know. */
static int net_by_nibble(const struct cursor *c)
{
	uint8_t b;
	if (!cursor_peek_u8(c, 0, &b))
		return -1;
	return (b >> 4) == 4 ? NET_IPV4 : (b >> 4) == 6 ? NET_IPV6 : NET_OTHER;
}

static int net_from_proto16(uint16_t p)
{
	if (p == ET_TEB)
		return NET_ETHER;
	return decode_net_from_ethertype(p);
}

/* A PPP frame (after PPPoE or L2TP): address/control 0xff 0x03 optional,
 * the protocol field one byte when compressed (its low bit set). */
static enum decode_reason ppp(struct cursor *c, int *net)
{
	uint8_t b0, b1;
	if (!cursor_peek_u8(c, 0, &b0))
		return DEC_TUNNEL_BAD;
	if (b0 == 0xff) {
		if (!cursor_u8(c, &b0) || !cursor_u8(c, &b1) || b1 != 0x03)
			return DEC_TUNNEL_BAD;
	}
	uint16_t proto;
	if (!cursor_u8(c, &b0))
		return DEC_TUNNEL_BAD;
	if (b0 & 1) {
		proto = b0;
	} else {
		if (!cursor_u8(c, &b1))
			return DEC_TUNNEL_BAD;
		proto = (uint16_t)(b0 << 8 | b1);
	}
	*net = proto == PPP_IPV4 ? NET_IPV4 : proto == PPP_IPV6 ? NET_IPV6 : NET_OTHER;
	return *net == NET_OTHER ? DEC_NOT_IP : DEC_OK;
}

static enum decode_reason vxlan(struct cursor *c, struct packet *pkt, int *net)
{
	uint8_t flags;
	uint32_t vni;
	if (!cursor_u8(c, &flags) || !cursor_skip(c, 3) || !cursor_be32(c, &vni))
		return DEC_TUNNEL_BAD;
	if (!(flags & 0x08)) /* the I flag: a valid VNI */
		return DEC_TUNNEL_BAD;
	set_id(pkt, vni >> 8, true);
	*net = NET_ETHER;
	return DEC_OK;
}

static enum decode_reason geneve(struct cursor *c, struct packet *pkt, int *net)
{
	uint8_t vo, fl;
	uint16_t proto;
	uint32_t vni;
	if (!cursor_u8(c, &vo) || !cursor_u8(c, &fl) || !cursor_be16(c, &proto) ||
	    !cursor_be32(c, &vni))
		return DEC_TUNNEL_BAD;
	if ((vo >> 6) != 0 || !cursor_skip(c, (size_t)(vo & 0x3f) * 4))
		return DEC_TUNNEL_BAD;
	set_id(pkt, vni >> 8, true);
	*net = net_from_proto16(proto);
	return *net == NET_OTHER ? DEC_NOT_IP : DEC_OK;
}

static enum decode_reason l2tp(struct cursor *c, struct packet *pkt, bool cut, int *net)
{
	uint16_t fv, len = 0, tid, sid, x;
	if (!cursor_be16(c, &fv))
		return DEC_TUNNEL_BAD;
	if ((fv & 0x000f) != 2)
		return DEC_NOT_IP; /* L2TPv3 or other: not decoded */
	if (fv & 0x8000)
		return DEC_NOT_IP; /* a control message */
	size_t start = c->off - 2;
	if ((fv & 0x4000) && !cursor_be16(c, &len))
		return DEC_TUNNEL_BAD;
	if (!cursor_be16(c, &tid) || !cursor_be16(c, &sid))
		return DEC_TUNNEL_BAD;
	if ((fv & 0x0800) && (!cursor_be16(c, &x) || !cursor_be16(c, &x)))
		return DEC_TUNNEL_BAD;
	if ((fv & 0x0200) && (!cursor_be16(c, &x) || !cursor_skip(c, x)))
		return DEC_TUNNEL_BAD;
	if (fv & 0x4000) {
		size_t hlen = c->off - start;
		if (len < hlen)
			return DEC_TUNNEL_BAD;
		if (!narrow_to(c, len - hlen, cut))
			return DEC_TUNNEL_BAD;
	}
	set_id(pkt, sid, false);
	return ppp(c, net);
}

static enum decode_reason gtpu(struct cursor *c, struct packet *pkt, bool cut, int *net)
{
	uint8_t fl, type, next;
	uint16_t len, x;
	uint32_t teid;
	if (!cursor_u8(c, &fl) || !cursor_u8(c, &type) || !cursor_be16(c, &len) ||
	    !cursor_be32(c, &teid))
		return DEC_TUNNEL_BAD;
	if ((fl >> 5) != 1 || !(fl & 0x10)) /* version 1, protocol type GTP */
		return DEC_TUNNEL_BAD;
	if (!narrow_to(c, len, cut))
		return DEC_TUNNEL_BAD;
	set_id(pkt, teid, false);
	if (type != 255)
		return DEC_NOT_IP; /* echo, error indication, end marker */
	if (fl & 0x07) {
		if (!cursor_be16(c, &x) || !cursor_skip(c, 1) || !cursor_u8(c, &next))
			return DEC_TUNNEL_BAD;
		for (int i = 0; next != 0; i++) {
			uint8_t units;
			if (i == GTP_EXT_MAX || !cursor_u8(c, &units) || units == 0 ||
			    !cursor_skip(c, (size_t)units * 4 - 2) || !cursor_u8(c, &next))
				return DEC_TUNNEL_BAD;
		}
	}
	*net = net_by_nibble(c);
	if (*net < 0)
		return DEC_TUNNEL_BAD;
	return *net == NET_OTHER ? DEC_NOT_IP : DEC_OK;
}

static enum decode_reason udp(struct cursor *c, struct packet *pkt, bool cut, int *net)
{
	uint16_t sport, dport, len, csum;
	size_t start = c->off;
	if (!cursor_be16(c, &sport) || !cursor_be16(c, &dport))
		return DEC_NOT_TCP;
	enum decode_reason k = decode_udp_tunnel(sport, dport);
	if (k == DEC_NOT_TCP)
		return DEC_NOT_TCP;
	enum decode_reason r = push(pkt, k);
	if (r != DEC_OK)
		return r;
	outer_ip(pkt);
	if (!cursor_be16(c, &len) || !cursor_be16(c, &csum) || len < 8)
		return DEC_TUNNEL_BAD;
	c->off = start;
	if (!narrow_to(c, len, cut) || !cursor_skip(c, 8))
		return DEC_TUNNEL_BAD;
	switch (k) {
	case DEC_TUN_VXLAN:
		return vxlan(c, pkt, net);
	case DEC_TUN_GENEVE:
		return geneve(c, pkt, net);
	case DEC_TUN_L2TP:
		return l2tp(c, pkt, cut, net);
	default:
		return gtpu(c, pkt, cut, net);
	}
}

static enum decode_reason erspan(struct cursor *c, struct packet *pkt, bool type3, int *net)
{
	uint16_t vv, sess, x16;
	uint32_t x32;
	enum decode_reason r = push(pkt, type3 ? DEC_TUN_ERSPAN3 : DEC_TUN_ERSPAN2);
	if (r != DEC_OK)
		return r;
	if (!cursor_be16(c, &vv) || !cursor_be16(c, &sess) || !cursor_be32(c, &x32))
		return DEC_TUNNEL_BAD;
	if ((vv >> 12) != (type3 ? 2 : 1))
		return DEC_TUNNEL_BAD;
	set_id(pkt, sess & 0x03ff, true);
	*net = NET_ETHER;
	if (!type3)
		return DEC_OK;
	/* type III: timestamp (read above), SGT, then P, FT (frame type), HW ID,
	 * D, Gra and O (a platform-specific subheader follows) */
	uint16_t bits;
	if (!cursor_be16(c, &x16) || !cursor_be16(c, &bits))
		return DEC_TUNNEL_BAD;
	if ((bits & 0x0001) && !cursor_skip(c, 8))
		return DEC_TUNNEL_BAD;
	unsigned ft = (bits >> 10) & 0x1f;
	if (ft == 0)
		return DEC_OK;
	if (ft != 2)
		return DEC_NOT_IP;
	*net = net_by_nibble(c); /* FT 2: an IP packet without Ethernet */
	if (*net < 0)
		return DEC_TUNNEL_BAD;
	return *net == NET_OTHER ? DEC_NOT_IP : DEC_OK;
}

static enum decode_reason gre(struct cursor *c, struct packet *pkt, int *net)
{
	uint16_t fv, proto, x16;
	uint32_t key, seq;
	enum decode_reason r = push(pkt, DEC_TUN_GRE);
	if (r != DEC_OK)
		return r;
	outer_ip(pkt);
	if (!cursor_be16(c, &fv) || !cursor_be16(c, &proto))
		return DEC_TUNNEL_BAD;
	if ((fv & 0x0007) != 0 || (fv & 0x4000))
		return DEC_NOT_IP; /* version 1 (PPTP) or source routing: not decoded */
	if ((fv & 0x8000) && (!cursor_be16(c, &x16) || !cursor_be16(c, &x16)))
		return DEC_TUNNEL_BAD;
	if (fv & 0x2000) {
		if (!cursor_be32(c, &key))
			return DEC_TUNNEL_BAD;
		set_id(pkt, key, true);
	}
	if ((fv & 0x1000) && !cursor_be32(c, &seq))
		return DEC_TUNNEL_BAD;
	if (proto == ET_ERSPAN2 && !(fv & 0x1000)) {
		/* ERSPAN type I: no header of its own, Ethernet follows */
		r = push(pkt, DEC_TUN_ERSPAN2);
		*net = NET_ETHER;
		return r;
	}
	if (proto == ET_ERSPAN2 || proto == ET_ERSPAN3)
		return erspan(c, pkt, proto == ET_ERSPAN3, net);
	*net = net_from_proto16(proto);
	return *net == NET_OTHER || *net == NET_PPPOE ? DEC_NOT_IP : DEC_OK;
}

enum decode_reason tunnel_from_ip(uint8_t proto, struct cursor *c, struct packet *pkt, bool cut,
				  int *net)
{
	enum decode_reason r;
	switch (proto) {
	case IPPROTO_UDP_:
		return udp(c, pkt, cut, net);
	case IPPROTO_GRE_:
		return gre(c, pkt, net);
	case IPPROTO_IPIP_:
	case IPPROTO_IPV6_:
		r = push(pkt, DEC_TUN_IPIP);
		if (r != DEC_OK)
			return r;
		outer_ip(pkt);
		*net = proto == IPPROTO_IPIP_ ? NET_IPV4 : NET_IPV6;
		return DEC_OK;
	default:
		return DEC_NOT_TCP;
	}
}

static enum decode_reason mpls(struct cursor *c, struct packet *pkt, int *net)
{
	uint32_t lse = 0;
	for (int i = 0;; i++) {
		if (i == MPLS_LABELS_MAX || !cursor_be32(c, &lse))
			return DEC_TUNNEL_BAD;
		if (lse & 0x100) /* bottom of stack */
			break;
	}
	set_id(pkt, lse >> 12, false);
	uint8_t b;
	if (!cursor_peek_u8(c, 0, &b))
		return DEC_TUNNEL_BAD;
	switch (b >> 4) {
	case 4:
		*net = NET_IPV4;
		return DEC_OK;
	case 6:
		*net = NET_IPV6;
		return DEC_OK;
	case 0: /* pseudowire control word, then Ethernet */
		if (!cursor_skip(c, 4))
			return DEC_TUNNEL_BAD;
		*net = NET_ETHER;
		return DEC_OK;
	default:
		return DEC_NOT_IP;
	}
}

static enum decode_reason pppoe(struct cursor *c, struct packet *pkt, bool cut, int *net)
{
	uint8_t vt, code;
	uint16_t sid, len;
	if (!cursor_u8(c, &vt) || !cursor_u8(c, &code) || !cursor_be16(c, &sid) ||
	    !cursor_be16(c, &len))
		return DEC_TUNNEL_BAD;
	if (vt != 0x11 || code != 0)
		return DEC_TUNNEL_BAD;
	if (!narrow_to(c, len, cut))
		return DEC_TUNNEL_BAD;
	set_id(pkt, sid, true);
	return ppp(c, net);
}

enum decode_reason tunnel_from_link(struct cursor *c, struct packet *pkt, bool cut, int *net)
{
	bool is_mpls = *net == NET_MPLS;
	enum decode_reason r = push(pkt, is_mpls ? DEC_TUN_MPLS : DEC_TUN_PPPOE);
	if (r != DEC_OK)
		return r;
	return is_mpls ? mpls(c, pkt, net) : pppoe(c, pkt, cut, net);
}

const char *decode_tunnel_kind_name(unsigned kind)
{
	if (kind < DEC_TUN_FIRST || kind >= DEC__COUNT)
		return "?";
	return decode_reason_name((enum decode_reason)kind) + strlen("tunnel_");
}

void decode_tunnel_type_str(const struct tunnel *t, char *buf, size_t len)
{
	size_t o = 0;
	if (!len)
		return;
	buf[0] = '\0';
	for (unsigned i = 0; i < t->depth && i < TUNNEL_DEPTH_MAX; i++) {
		const char *n = decode_tunnel_kind_name(t->kind[i]);
		size_t nl = strlen(n);
		if (o + nl + 2 > len)
			break;
		if (i)
			buf[o++] = '/';
		memcpy(buf + o, n, nl + 1);
		o += nl;
	}
}
