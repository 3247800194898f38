/*
 * community_id.c - Community ID v1 (corelight/community-id-spec README):
 * SHA-1 over seed (2 bytes), the two addresses, the protocol, one zero pad
 * byte and the two ports, all in network byte order, endpoints ordered so
 * the flow hashes the same from either side; base64 with padding.
 */
#include <string.h>

#include "community_id.h"
#include "sha1.h"

static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

static int has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
}

int community_id_v1(uint8_t ipver, const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
		    uint16_t dport, uint8_t proto, uint16_t seed, char *out, size_t outlen)
{
	if (outlen > 0)
		out[0] = '\0';
	if ((ipver != 4 && ipver != 6) || outlen < COMMUNITY_ID_LEN)
		return -1;
	size_t alen = ipver == 4 ? 4 : 16;

	/* Order endpoints: smaller address first; equal addresses, smaller port. */
	int c = memcmp(src, dst, alen);
	if (c > 0 || (c == 0 && sport > dport)) {
		const uint8_t *t = src;
		src = dst;
		dst = t;
		uint16_t tp = sport;
		sport = dport;
		dport = tp;
	}

	uint8_t buf[2 + 16 + 16 + 2 + 4];
	size_t n = 0;
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, src, alen);
	n += alen;
	memcpy(buf + n, dst, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (has_ports(proto)) {
		buf[n++] = (uint8_t)(sport >> 8);
		buf[n++] = (uint8_t)sport;
		buf[n++] = (uint8_t)(dport >> 8);
		buf[n++] = (uint8_t)dport;
	}

	struct sha1_ctx ctx;
	uint8_t digest[SHA1_DIGEST_LEN];
	sha1_init(&ctx);
	sha1_update(&ctx, buf, n);
	sha1_final(&ctx, digest);
	out[0] = '1';
	out[1] = ':';
	base64(digest, sizeof digest, out + 2);
	return 0;
}
