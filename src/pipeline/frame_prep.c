/*
 * frame_prep.c - the reader thread's prep step: decoding, hashing and
 * counting lines have no state but the hasher's fixed seed, so they run on
 * the reader thread, off the main thread that the run waits for; the decode
 * counters are kept by the main thread from the reason.
 */
#include "pipeline.h"

#include <string.h>

/* Below this a payload is a command or a status line, not a body's worth. */
#define PAYLOAD_LINES_MIN 256

/* flatten: the decode and the hash inlined here whatever the link-time
 * inliner weighs elsewhere (the tunnels stay out of line, noinline); a
 * change in either file moved them in and out of line, by 20 instructions
 * a frame in calls and register saves */
__attribute__((flatten)) void frame_decode_and_hash(const struct flow_hasher *hz,
						    const struct frame *fr, struct prepared *pp)
{
	pp->dr = decode_frame(fr->linktype, fr->data, fr->caplen, fr->wirelen, &pp->pkt, NULL);
	if (pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC)
		flow_hasher_hash(hz, &pp->pkt, &pp->fh);
	pp->lines.data = NULL;
	pp->fetch_ahead = 0;
}

void prep_ctx_init(struct prep_ctx *pc, const struct flow_hasher *hz, const uint16_t *ports,
		   size_t nports)
{
	pc->hasher = hz;
	memset(pc->watched, 0, sizeof pc->watched);
	for (size_t i = 0; i < nports; i++)
		pc->watched[ports[i] >> 3] |= (uint8_t)(1u << (ports[i] & 7));
}

static bool watched(const struct prep_ctx *pc, uint16_t port)
{
	return pc->watched[port >> 3] & (1u << (port & 7));
}

void frame_prepare(void *ctx, const struct frame *fr, void *out)
{
	const struct prep_ctx *pc = ctx;
	struct prepared *pp = out;
	frame_decode_and_hash(pc->hasher, fr, pp);
	/* on a busy link most payloads are other traffic: counting their
	 * lines cost the reader more than decoding and hashing them */
	if ((pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC) &&
	    (watched(pc, pp->pkt.sport) || watched(pc, pp->pkt.dport))) {
		/* a pure ACK reaches the flow, never the session */
		pp->fetch_ahead = pp->pkt.payload_len ? PREP_FETCH_FLOW | PREP_FETCH_SESSION
						      : PREP_FETCH_FLOW;
		if (pp->pkt.payload_len >= PAYLOAD_LINES_MIN)
			pop3_payload_lines(&pp->lines, pp->pkt.payload, pp->pkt.payload_len);
	}
}
