/*
 * reasm.h - per-direction TCP stream reassembly.
 *
 * Positions are 64-bit offsets relative to the first sequence number seen
 * (the ISN+1 after a SYN, or the first segment of a mid-stream flow), so
 * 32-bit wrap-around is handled once, in reasm_rel(). In-order bytes are
 * handed straight from the packet buffer without a copy; only segments that
 * arrive ahead of a hole are copied into a sorted, non-overlapping list.
 * First copy wins: overlapping bytes are dropped, and counted as conflicts
 * when they differ from buffered bytes. A hole becomes an explicit gap
 * notice when the buffer cap is hit, when the peer acknowledges past it,
 * or when the flow closes (Zeek Reassem.cc, Suricata's gap handling).
 * Bytes already delivered are not kept, so a retransmission of delivered
 * data is counted but cannot be compared.
 */
#ifndef POP3MON_REASM_H
#define POP3MON_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a run of bytes came from: the frame that carried its first byte. */
struct seg_meta {
	uint64_t frame;
	uint64_t ts_us;
	/* Opaque here: what was worked out ahead about the packet's payload
	 * (pop3_payload_lines, made on the file reader's thread) for the layer
	 * that reads it. It describes the packet's own bytes, so a copy kept
	 * for later (a piece buffered out of order) drops it. NULL: none. */
	const void *payload_note;
};

/* Callbacks up the pipeline; `obj` is the flow, `ctx` the listener's own. */
struct reasm_cb {
	void (*data)(void *ctx, void *obj, int dir, const uint8_t *p, size_t n,
		     const struct seg_meta *m);
	void (*gap)(void *ctx, void *obj, int dir, uint64_t len, const struct seg_meta *m);
	void *ctx;
};

/* Counters shared by all directions of all flows. */
/* segments, delivered_bytes, ooo_segments, retrans_bytes,
 * overlap_conflicts, gaps, gap_bytes, flow_cap_hits, total_cap_hits,
 * buffered_bytes (a gauge: memory held now, headers included),
 * buffered_peak, dropped_far: each described in include/stats.def. */
struct reasm_stats {
#define STAT_REASM(o, field, ...) uint64_t field;
#include "stats.def"
};

struct reasm_limits {
	size_t per_dir_bytes;   /* out-of-order bytes one direction may hold */
	size_t total_bytes;     /* across all flows */
};

#define REASM_PER_DIR_DEFAULT (256u * 1024u)
/* Pieces buffered per direction: bounds the sorted-list walk of an insert
 * (1-byte segments in random order would otherwise make it quadratic). */
#define REASM_PIECES_MAX 1024
/* What one buffered piece costs beyond its bytes (header and malloc's own):
 * the caps count memory, so 1-byte segments cannot hide behind them. */
#define REASM_SEG_OVERHEAD 64
#define REASM_TOTAL_DEFAULT (32u * 1024u * 1024u)
/* A segment further than this past the next expected byte is not buffered:
 * no real window is this large, and it would pin memory (RFC 7323 max 1 GiB
 * window, but POP3 peers never come near it). */
#define REASM_MAX_AHEAD (16u * 1024u * 1024u)

struct reasm_seg;

struct reasm_dir {
	bool started;            /* base_seq is valid */
	bool closed;             /* FIN delivered or RST seen: nothing more */
	bool fin_seen;
	uint32_t base_seq;       /* sequence number of relative offset 0 */
	uint64_t next;           /* relative offset of the next byte to deliver */
	uint64_t fin_off;        /* relative offset of the FIN */
	struct reasm_seg *ooo;   /* owned: sorted, non-overlapping */
	struct reasm_seg *ooo_tail; /* the last piece: in-order arrivals append in O(1) */
	size_t ooo_bytes;        /* memory held, headers included (what the caps count) */
	uint32_t ooo_pieces;
	uint64_t gaps, gap_bytes, delivered; /* per direction, for the session */
};

struct reasm {
	struct reasm_limits lim;
	struct reasm_stats st;
	struct reasm_cb cb;
};

void reasm_init(struct reasm *r, const struct reasm_limits *lim, const struct reasm_cb *cb);

/* Start a direction at `seq` (the first payload byte's sequence number). */
void reasm_dir_start(struct reasm_dir *d, uint32_t seq);

/*
 * One TCP segment of direction `dir`. `len` bytes were captured of a payload
 * that had `wirelen` bytes (snaplen); the rest is delivered as a gap.
 */
void reasm_segment(struct reasm *r, struct reasm_dir *d, void *obj, int dir,
		   uint32_t seq, uint8_t flags, const uint8_t *payload, uint32_t len,
		   uint32_t wirelen, const struct seg_meta *m);

/* The peer acknowledged `ack`: a hole below buffered data it covers is lost. */
void reasm_ack(struct reasm *r, struct reasm_dir *d, void *obj, int dir, uint32_t ack,
	       const struct seg_meta *m);

/* Flow end (FIN/RST/timeout/eof): declare remaining holes, deliver the rest. */
void reasm_flush(struct reasm *r, struct reasm_dir *d, void *obj, int dir,
		 const struct seg_meta *m);

/* Free buffered segments without delivering them. */
void reasm_dir_fini(struct reasm *r, struct reasm_dir *d);

/* Relative offset of `seq` near `next` (handles 32-bit wrap). */
int64_t reasm_rel(const struct reasm_dir *d, uint32_t seq);

#endif
