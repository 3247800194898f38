/*
 * decode.h - link, IP and TCP header decoding into a packet view.
 *
 * Every field is read through a cursor; each layer narrows the window to
 * min(declared length, captured length), so Ethernet padding never becomes
 * POP3 bytes. IPv4 and IPv6 fragments are counted and skipped, not
 * reassembled: POP3 servers and clients send with DF/PMTUD, and a fragment
 * reassembler is attack surface with no observed benefit here.
 */
#ifndef POP3MON_DECODE_H
#define POP3MON_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

enum decode_reason {
#define X(id, name, desc) id,
#include "decode_reasons.def"
#undef X
	DEC__COUNT
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* The encapsulations a packet came through (see decode_tunnel.c): each
 * layer's kind is its counter in decode_reasons.def (DEC_TUN_*). */
#define TUNNEL_DEPTH_MAX 4
struct tunnel {
	uint8_t depth;            /* layers, outermost first; 0: not tunnelled */
	uint8_t kind[TUNNEL_DEPTH_MAX]; /* enum decode_reason, DEC_TUN_* */
	uint8_t ipver;            /* of the IP header that carried the innermost
				   * IP-borne layer; 0: none (MPLS, PPPoE) */
	bool has_id;
	uint32_t id;              /* innermost identifier: VNI, GRE key, ERSPAN
				   * session, MPLS bottom label, PPPoE or L2TP
				   * session, GTP-U TEID */
	uint8_t src[16], dst[16]; /* that outer IP header's addresses */
	uint64_t key;             /* the same both ways for one tunnel (outer
				   * address pair in canonical order and the
				   * identifiers that both directions share);
				   * part of the flow key; 0 when depth is 0 */
};

struct packet {
	uint8_t ipver;            /* 4 or 6 */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes, rest zero */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;            /* TCP_* */
	uint16_t vlan;            /* outermost VLAN id, 0 if none */
	const uint8_t *payload;   /* borrowed from the frame */
	uint32_t payload_len;     /* bytes captured of the payload */
	uint32_t payload_wirelen; /* bytes the IP header says the payload has */
	struct tunnel tun;        /* depth and kind[] set whatever the reason */
};

/* The first of the per-layer counters: the reasons before it are one per
 * frame, the DEC_TUN_* after it one per encapsulation layer decoded. */
#define DEC_TUN_FIRST DEC_TUN_VXLAN
#define DEC_IS_TUNNEL_LAYER(r) ((int)(r) >= (int)DEC_TUN_FIRST)

struct decode_stats {
	uint64_t count[DEC__COUNT];
};

/* Count a decoded frame: its reason and each of its tunnel layers. */
static inline void decode_count(struct decode_stats *st, enum decode_reason r,
				const struct packet *pkt)
{
	st->count[r]++;
	for (unsigned i = 0; i < pkt->tun.depth && i < TUNNEL_DEPTH_MAX; i++)
		st->count[pkt->tun.kind[i]]++;
}

/* A tunnel layer's short name ("vxlan", "gre", ...) and the layers of a
 * packet's tunnel joined by '/', outermost first ("gre/erspan2"). */
const char *decode_tunnel_kind_name(unsigned kind);
void decode_tunnel_type_str(const struct tunnel *t, char *buf, size_t len);

/*
 * Decode one frame. Returns DEC_OK with *pkt filled, DEC_PAYLOAD_TRUNC with
 * *pkt filled (payload_len < payload_wirelen: the caller must treat the
 * missing bytes as a gap), or another reason with *pkt undefined.
 * wirelen tells snaplen truncation (caplen < wirelen) from a lying header.
 * The reason is also counted in *st, unless st is NULL.
 */
enum decode_reason decode_frame(int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
				struct packet *pkt, struct decode_stats *st);

bool decode_linktype_supported(int linktype);
const char *decode_reason_name(enum decode_reason r);
const char *decode_reason_desc(enum decode_reason r);

/* Format an address for display ("192.0.2.1", "2001:db8::1"). */
void decode_addr_str(uint8_t ipver, const uint8_t addr[16], char *buf, size_t len);

#endif
