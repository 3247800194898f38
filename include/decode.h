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
};

struct decode_stats {
	uint64_t count[DEC__COUNT];
};

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
