/*
 * frame_prep.c - the reader thread's prep step: decoding, hashing and
 * counting lines have no state but the hasher's fixed seed, so they run on
 * the reader thread, off the main thread that the run waits for; the decode
 * counters are kept by the main thread from the reason.
 */
#include "pipeline.h"

/* Below this a payload is a command or a status line, not a body's worth. */
#define PAYLOAD_LINES_MIN 256

void frame_decode_and_hash(const struct flow_hasher *hz, const struct frame *fr,
			   struct prepared *pp)
{
	pp->dr = decode_frame(fr->linktype, fr->data, fr->caplen, fr->wirelen, &pp->pkt, NULL);
	if (pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC)
		flow_hasher_hash(hz, &pp->pkt, &pp->fh);
	pp->lines.data = NULL;
}

void frame_prepare(void *ctx, const struct frame *fr, void *out)
{
	struct prepared *pp = out;
	frame_decode_and_hash(ctx, fr, pp);
	if ((pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC) &&
	    pp->pkt.payload_len >= PAYLOAD_LINES_MIN)
		pop3_payload_lines(&pp->lines, pp->pkt.payload, pp->pkt.payload_len);
}
