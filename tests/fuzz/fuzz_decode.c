/*
 * fuzz_decode.c - libFuzzer target for decode_frame().
 *
 * Input: byte 0 picks the link type among the supported ones (and a few
 * unsupported ones, which must come back DEC_LINK_UNSUP), byte 1 picks how
 * wirelen relates to caplen (equal, or the frame "was cut" by some bytes),
 * the rest is the frame. The frame is copied into a buffer of exactly
 * caplen bytes so ASan catches any read past what was "captured".
 * Oracle beyond "no crash": the payload window lies inside the frame,
 * payload_len <= payload_wirelen, and the reason is a valid enum that was
 * counted exactly once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

static const int linktypes[] = {
	1,   /* DLT_EN10MB */
	113, /* DLT_LINUX_SLL */
	276, /* DLT_LINUX_SLL2 */
	0,   /* DLT_NULL */
	108, /* DLT_LOOP */
	12,  /* DLT_RAW (OpenBSD value) */
	14,  /* DLT_RAW (BSD) */
	101, /* LINKTYPE_RAW */
	228, /* DLT_IPV4 */
	229, /* DLT_IPV6 */
	105, /* 802.11: unsupported */
	-1,  /* nonsense */
};
#define NLT (sizeof(linktypes) / sizeof(linktypes[0]))

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_decode: check failed: %s\n", #cond); \
			abort();                                                \
		}                                                               \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int lt = linktypes[data[0] % NLT];
	uint8_t cut = data[1];
	data += 2;
	size -= 2;
	if (size > 70000)
		return 0;

	uint32_t caplen = (uint32_t)size;
	uint32_t wirelen = caplen;
	if (cut & 0x80)
		wirelen += (uint32_t)(cut & 0x7f) * 97u; /* snaplen truncation */
	else if (cut == 0x7f)
		wirelen = UINT32_MAX;               /* absurd wire length */

	uint8_t *frame = malloc(size ? size : 1);
	if (size)
		memcpy(frame, data, size);

	struct packet pkt;
	struct decode_stats st;
	memset(&st, 0, sizeof(st));
	enum decode_reason r = decode_frame(lt, frame, caplen, wirelen, &pkt, &st);
	CHECK((unsigned)r < DEC__COUNT);
	uint64_t total = 0, layers = 0;
	for (int i = 0; i < DEC__COUNT; i++)
		*(DEC_IS_TUNNEL_LAYER(i) ? &layers : &total) += st.count[i];
	CHECK(!DEC_IS_TUNNEL_LAYER(r));
	CHECK(total == 1 && st.count[r] == 1);
	/* tunnels: at most four layers, each counted once, each a layer kind */
	CHECK(pkt.tun.depth <= TUNNEL_DEPTH_MAX && layers == pkt.tun.depth);
	for (unsigned i = 0; i < pkt.tun.depth; i++)
		CHECK(DEC_IS_TUNNEL_LAYER(pkt.tun.kind[i]) && pkt.tun.kind[i] < DEC__COUNT);
	if (pkt.tun.depth) {
		char ty[12];
		decode_tunnel_type_str(&pkt.tun, ty, sizeof ty);
		CHECK(strlen(ty) < sizeof ty);
		CHECK(pkt.tun.key != 0 && (pkt.tun.ipver == 0 || pkt.tun.ipver == 4 || pkt.tun.ipver == 6));
	}
	CHECK(decode_reason_name(r) != NULL && decode_reason_desc(r) != NULL);
	if (data[-2] % NLT >= 10)
		CHECK(r == DEC_LINK_UNSUP);

	if (r == DEC_OK || r == DEC_PAYLOAD_TRUNC) {
		CHECK(pkt.ipver == 4 || pkt.ipver == 6);
		CHECK(pkt.payload >= frame && pkt.payload <= frame + caplen);
		CHECK(pkt.payload_len <= (size_t)(frame + caplen - pkt.payload));
		CHECK(pkt.payload_len <= pkt.payload_wirelen);
		CHECK((r == DEC_PAYLOAD_TRUNC) == (pkt.payload_len < pkt.payload_wirelen));
		/* Touch every payload byte: an out-of-window pointer trips ASan. */
		volatile uint8_t sum = 0;
		for (uint32_t i = 0; i < pkt.payload_len; i++)
			sum ^= pkt.payload[i];
		(void)sum;
		char a[64], small[8];
		decode_addr_str(pkt.ipver, pkt.src, a, sizeof(a));
		CHECK(strlen(a) < sizeof(a));
		decode_addr_str(pkt.ipver, pkt.dst, small, sizeof(small));
		CHECK(strlen(small) < sizeof(small));
	}
	free(frame);
	return 0;
}
