/*
 * community_id.h - Community ID v1 flow hash (corelight/community-id-spec),
 * so a pop3mon session can be joined with Zeek, Suricata, Arkime or
 * Wireshark records of the same connection by one string comparison.
 */
#ifndef POP3MON_COMMUNITY_ID_H
#define POP3MON_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

#define COMMUNITY_ID_LEN 31 /* "1:" + 28 base64 characters + NUL */

/*
 * "1:<base64(SHA-1(seed . saddr . daddr . proto . 0 . sport . dport))>" with
 * the endpoints ordered so the smaller (address, port) comes first. ipver
 * 4 uses the first 4 bytes of src/dst. Ports are included for TCP, UDP,
 * SCTP and ICMP/ICMPv6 (for ICMP pass the type/code mapping of the spec as
 * ports); other protocols hash addresses only. Returns 0, or -1 when
 * ipver is neither 4 nor 6 or outlen < COMMUNITY_ID_LEN (out is then "").
 */
int community_id_v1(uint8_t ipver, const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
		    uint16_t dport, uint8_t proto, uint16_t seed, char *out, size_t outlen);

#endif
