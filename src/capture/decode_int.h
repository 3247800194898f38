/*
 * decode_int.h - what decode.c and decode_tunnel.c share (not for other
 * modules): the kinds of header that may come next, and the tunnel
 * decoders. Every tunnel decoder reads through the cursor it is given,
 * leaves it at the inner packet and says what that packet is.
 */
#ifndef POP3MON_DECODE_INT_H
#define POP3MON_DECODE_INT_H

#include "cursor.h"
#include "decode.h"

/* What the next header is. NET_IPV4/NET_IPV6 are the version numbers. */
enum {
	NET_OTHER = 0,
	NET_IPV4 = 4,
	NET_IPV6 = 6,
	NET_ETHER,  /* an Ethernet frame (VXLAN, Geneve, GRE 0x6558, ERSPAN) */
	NET_MPLS,   /* an MPLS label stack (ethertype 0x8847/0x8848) */
	NET_PPPOE,  /* a PPPoE session header (ethertype 0x8864) */
};

int decode_net_from_ethertype(uint16_t et);

#define IPPROTO_IPIP_ 4
#define IPPROTO_UDP_ 17
#define IPPROTO_IPV6_ 41
#define IPPROTO_GRE_ 47

#define PORT_VXLAN 4789
#define PORT_GENEVE 6081
#define PORT_L2TP 1701
#define PORT_GTPU 2152

/* Whether tunnel_from_ip may find a tunnel in an IP payload of this
 * protocol; for any other it says DEC_NOT_TCP. */
static inline bool decode_proto_may_tunnel(uint8_t proto)
{
	return proto == IPPROTO_UDP_ || proto == IPPROTO_GRE_ || proto == IPPROTO_IPIP_ ||
	       proto == IPPROTO_IPV6_;
}

/* The tunnel a UDP datagram between these ports carries (DEC_TUN_*), or
 * DEC_NOT_TCP: none. Here, not in decode_tunnel.c alone, so that decode.c's
 * fast path can leave the rest of a busy link's UDP without a call. */
static inline enum decode_reason decode_udp_tunnel(uint16_t sport, uint16_t dport)
{
	if (dport == PORT_VXLAN)
		return DEC_TUN_VXLAN;
	if (dport == PORT_GENEVE)
		return DEC_TUN_GENEVE;
	if (dport == PORT_L2TP || sport == PORT_L2TP)
		return DEC_TUN_L2TP;
	if (dport == PORT_GTPU || sport == PORT_GTPU)
		return DEC_TUN_GTPU;
	return DEC_NOT_TCP;
}

/* An Ethernet header (and up to four VLAN tags) at c: *net is what follows.
 * *vlan is set from the first tag unless it is already non-zero. */
enum decode_reason decode_ether(struct cursor *c, int *net, uint16_t *vlan);

/*
 * The IP payload at c has protocol `proto` and is not TCP: if it is a
 * tunnel (IP protocols 4, 41, 47; UDP to the VXLAN, Geneve, L2TP or GTP-U
 * port), add the layer(s) to pkt->tun (the IP header's addresses in
 * pkt->src/dst become the outer ones) and leave c at the inner packet, of
 * kind *net. DEC_NOT_TCP when it is no tunnel; `cut` says whether the
 * enclosing datagram was cut by the snap length.
 */
enum decode_reason tunnel_from_ip(uint8_t proto, struct cursor *c, struct packet *pkt, bool cut,
				  int *net);

/* The same for the link-level encapsulations: *net is NET_MPLS or NET_PPPOE
 * on entry, the inner packet's kind on return. */
enum decode_reason tunnel_from_link(struct cursor *c, struct packet *pkt, bool cut, int *net);

#endif
