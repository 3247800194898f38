/*
 * pipeline.h - pieces of the run that main.c wires together: the reader
 * thread's prep step (frame_prep.c), the --streams-dir tap in front of
 * the session manager (streams_tap.c) and the live exit summary
 * (exit_summary.c).
 */
#ifndef POP3MON_PIPELINE_H
#define POP3MON_PIPELINE_H

#include <stdio.h>

#include "capture.h"
#include "decode.h"
#include "flow.h"
#include "pop3.h"
#include "session.h"

/* A frame decoded, its flow hashed and its payload's lines counted, on the
 * file's reader thread. */
struct prepared {
	/* What the run loop's look-ahead reads, in the first line: */
	enum decode_reason dr;
	/* PREP_FETCH_* bits: the state the run loop fetches ahead for the
	 * frame (set by the reader's prep step only) */
	uint8_t fetch_ahead;
	struct flow_hash fh;
	struct packet pkt;
	struct pop3_payload_lines lines; /* .data NULL: not counted */
};

enum {
	PREP_FETCH_FLOW = 1,    /* decoded, on a watched port: its flow */
	PREP_FETCH_SESSION = 2, /* and it carries bytes: the session and dissector too */
};

/* Decode and hash on the calling thread (no line counts). */
void frame_decode_and_hash(const struct flow_hasher *hz, const struct frame *fr,
			   struct prepared *pp);

/* The reader's prep step: the flow hasher, and the watched ports. A
 * payload's lines are counted ahead only on a watched port: elsewhere a
 * flow is rarely POP3 (found by its content), and for one that is, the
 * main thread counts its body itself (a note is a shortcut, never needed). */
struct prep_ctx {
	const struct flow_hasher *hasher;
	uint8_t watched[65536 / 8];
};
void prep_ctx_init(struct prep_ctx *pc, const struct flow_hasher *hz, const uint16_t *ports,
		   size_t nports);

/* frame_prep_fn: ctx is the const struct prep_ctx *, out a struct
 * prepared. */
void frame_prepare(void *ctx, const struct frame *fr, void *out);

/* --streams-dir: flow callbacks that append each flow's bytes to
 * DIR/ID.c2s and DIR/ID.s2c, then hand everything to the session manager.
 * tap must outlive the flow table. */
struct streams_tap {
	const char *dir;
	struct session_mgr *sessions;
};
struct flow_cb streams_tap_callbacks(struct streams_tap *tap);

/* A live capture's summary on exit (exit_summary.c), tcpdump's way:
 * frames received, dropped by the kernel and by the interface, sessions
 * and flagged sessions, one a line. */
void exit_summary_print(FILE *fp, const char *source, const struct source_stats *st,
			uint64_t sessions, uint64_t flagged);

#endif
