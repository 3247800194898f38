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
