/*
 * reasm.c - per-direction TCP reassembly (design notes in reasm.h).
 *
 * The out-of-order list is a sorted singly linked list of non-overlapping
 * pieces. A new segment is cut into the parts that fall into holes; parts
 * that overlap a buffered piece are compared and dropped (first copy wins).
 * A list is fine here: POP3 peers rarely have more than a window's worth
 * of segments in flight, and the per-direction byte cap bounds its length.
 */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct reasm_seg {
	struct reasm_seg *next;
	uint64_t start;
	uint32_t len;
	struct seg_meta m;
	uint8_t data[];
};

void reasm_init(struct reasm *r, const struct reasm_limits *lim, const struct reasm_cb *cb)
{
	memset(r, 0, sizeof(*r));
	r->lim = *lim;
	r->cb = *cb;
}

void reasm_dir_start(struct reasm_dir *d, uint32_t seq)
{
	d->started = true;
	d->base_seq = seq;
	d->next = 0;
}

int64_t reasm_rel(const struct reasm_dir *d, uint32_t seq)
{
	uint32_t next_seq = d->base_seq + (uint32_t)d->next;
	int32_t delta = (int32_t)(seq - next_seq);
	return (int64_t)d->next + delta;
}

static void deliver(struct reasm *r, struct reasm_dir *d, void *obj, int dir, const uint8_t *p,
		    size_t n, const struct seg_meta *m)
{
	if (n == 0)
		return;
	d->next += n;
	d->delivered += n;
	r->st.delivered_bytes += n;
	r->cb.data(r->cb.ctx, obj, dir, p, n, m);
}

static void declare_gap(struct reasm *r, struct reasm_dir *d, void *obj, int dir, uint64_t len,
			const struct seg_meta *m)
{
	if (len == 0)
		return;
	d->next += len;
	d->gaps++;
	d->gap_bytes += len;
	r->st.gaps++;
	r->st.gap_bytes += len;
	r->cb.gap(r->cb.ctx, obj, dir, len, m);
}

/* What a buffered piece costs: its bytes, its header and malloc's own. */
static size_t seg_cost(size_t len)
{
	_Static_assert(sizeof(struct reasm_seg) + 16 <= REASM_SEG_OVERHEAD, "overhead too small");
	return len + REASM_SEG_OVERHEAD;
}

static void seg_free(struct reasm *r, struct reasm_dir *d, struct reasm_seg *s)
{
	d->ooo_bytes -= seg_cost(s->len);
	r->st.buffered_bytes -= seg_cost(s->len);
	d->ooo_pieces--;
	if (!d->ooo)
		d->ooo_tail = NULL;
	free(s);
}

/* Deliver buffered pieces that have become contiguous. */
static void drain(struct reasm *r, struct reasm_dir *d, void *obj, int dir)
{
	while (d->ooo && d->ooo->start <= d->next) {
		struct reasm_seg *s = d->ooo;
		d->ooo = s->next;
		uint64_t end = s->start + s->len;
		if (end > d->next) {
			uint64_t skip = d->next - s->start;
			deliver(r, d, obj, dir, s->data + skip, (size_t)(end - d->next), &s->m);
		}
		seg_free(r, d, s);
	}
}

/* Give up on the hole before the first buffered piece. */
static void skip_hole(struct reasm *r, struct reasm_dir *d, void *obj, int dir)
{
	struct reasm_seg *s = d->ooo;
	declare_gap(r, d, obj, dir, s->start - d->next, &s->m);
	drain(r, d, obj, dir);
}

static bool has_room(const struct reasm *r, const struct reasm_dir *d, size_t n)
{
	return d->ooo_pieces < REASM_PIECES_MAX && d->ooo_bytes + seg_cost(n) <= r->lim.per_dir_bytes &&
	       r->st.buffered_bytes + seg_cost(n) <= r->lim.total_bytes;
}

static void count_cap_hit(struct reasm *r, const struct reasm_dir *d, size_t n)
{
	if (d->ooo_pieces >= REASM_PIECES_MAX || d->ooo_bytes + seg_cost(n) > r->lim.per_dir_bytes)
		r->st.flow_cap_hits++;
	else
		r->st.total_cap_hits++;
}

/* A segment that fills several holes becomes several pieces, each with its
 * own overhead, so room is checked per piece; a piece without room stays a
 * hole, which the peer's ACK or the flow's end declares as a gap. */
static bool insert_piece(struct reasm *r, struct reasm_dir *d, struct reasm_seg **link,
			 uint64_t start, const uint8_t *p, uint32_t len,
			 const struct seg_meta *m)
{
	if (!has_room(r, d, len)) {
		count_cap_hit(r, d, len);
		return false;
	}
	struct reasm_seg *s = xmalloc(sizeof(*s) + len);
	s->start = start;
	s->len = len;
	s->m = *m;
	s->m.payload_note = NULL; /* it describes the packet, not this copy */
	memcpy(s->data, p, len);
	s->next = *link;
	*link = s;
	if (!s->next)
		d->ooo_tail = s;
	d->ooo_pieces++;
	d->ooo_bytes += seg_cost(len);
	r->st.buffered_bytes += seg_cost(len);
	if (r->st.buffered_bytes > r->st.buffered_peak)
		r->st.buffered_peak = r->st.buffered_bytes;
	return true;
}

/* Buffer [start, start+len) ahead of a hole, filling only what is not held. */
static void buffer_ahead(struct reasm *r, struct reasm_dir *d, uint64_t start,
			 const uint8_t *p, uint32_t len, const struct seg_meta *m)
{
	uint64_t end = start + len, cur = start;
	struct reasm_seg **link = &d->ooo;

	r->st.ooo_segments++;
	if (d->ooo_tail && start >= d->ooo_tail->start + d->ooo_tail->len)
		link = &d->ooo_tail->next; /* past everything held: append */
	while (cur < end) {
		struct reasm_seg *s = *link;
		if (!s || s->start >= end) {
			(void)insert_piece(r, d, link, cur, p + (cur - start),
					   (uint32_t)(end - cur), m);
			return;
		}
		uint64_t s_end = s->start + s->len;
		if (s_end <= cur) {
			link = &s->next;
			continue;
		}
		if (s->start > cur) {
			if (!insert_piece(r, d, link, cur, p + (cur - start),
					  (uint32_t)(s->start - cur), m))
				return;
			link = &(*link)->next;
			cur = s->start;
		}
		/* [cur, min(end, s_end)) is held already: first copy wins. */
		uint64_t ov_end = end < s_end ? end : s_end;
		r->st.retrans_bytes += ov_end - cur;
		if (memcmp(p + (cur - start), s->data + (cur - s->start), (size_t)(ov_end - cur)))
			r->st.overlap_conflicts++;
		cur = ov_end;
		link = &s->next;
	}
}

static void data_at(struct reasm *r, struct reasm_dir *d, void *obj, int dir, int64_t start,
		    const uint8_t *p, uint32_t len, uint32_t wirelen, const struct seg_meta *m)
{
	int64_t end = start + (int64_t)wirelen;
	int64_t next = (int64_t)d->next;

	if (end <= next) {
		r->st.retrans_bytes += wirelen;
		return;
	}
	if (start < next) { /* partly old: keep only the new tail */
		uint64_t skip = (uint64_t)(next - start);
		r->st.retrans_bytes += skip;
		p += skip < len ? skip : len;
		len = skip < len ? len - (uint32_t)skip : 0;
		wirelen -= (uint32_t)skip;
		start = next;
	}
	if (start == next) {
		deliver(r, d, obj, dir, p, len, m);
		declare_gap(r, d, obj, dir, wirelen - len, m); /* snaplen cut the tail */
		if (d->ooo) /* not a call per in-order segment, most have nothing after */
			drain(r, d, obj, dir);
		return;
	}
	if ((uint64_t)(start - next) > REASM_MAX_AHEAD) {
		r->st.dropped_far++;
		return;
	}
	/* Ahead of a hole. Only captured bytes are buffered; a snaplen-cut tail
	 * stays a hole that the peer's ACK or the flow's end turns into a gap. */
	while (len && !has_room(r, d, len) && d->ooo) {
		count_cap_hit(r, d, len);
		skip_hole(r, d, obj, dir);
		if ((int64_t)d->next >= start) { /* the hole closed up to us */
			data_at(r, d, obj, dir, start, p, len, wirelen, m);
			return;
		}
	}
	if (len && !has_room(r, d, len)) {
		count_cap_hit(r, d, len);
		declare_gap(r, d, obj, dir, (uint64_t)(start - (int64_t)d->next), m);
		deliver(r, d, obj, dir, p, len, m);
		declare_gap(r, d, obj, dir, wirelen - len, m);
		return;
	}
	if (len)
		buffer_ahead(r, d, (uint64_t)start, p, len, m);
}

void reasm_segment(struct reasm *r, struct reasm_dir *d, void *obj, int dir, uint32_t seq,
		   uint8_t flags, const uint8_t *payload, uint32_t len, uint32_t wirelen,
		   const struct seg_meta *m)
{
	/* A pure ACK on a started direction (no payload, no SYN, no FIN: most
	 * of a download's client side) moves nothing: only a FIN the peer's
	 * ACK has since drained up to can close the direction, and closing a
	 * closed one changes nothing, so it skips the tests below. */
	if (!(wirelen | (flags & 0x03u)) && d->started) {
		if (d->fin_seen && d->next >= d->fin_off && !d->ooo)
			d->closed = true;
		return;
	}
	if (d->closed)
		return;
	if (flags & 0x02) { /* SYN: data starts after it */
		if (!d->started || (d->next == 0 && !d->ooo))
			reasm_dir_start(d, seq + 1);
		seq += 1;
	} else if (!d->started) {
		reasm_dir_start(d, seq);
	}
	/* A pure ACK (no payload, no FIN: most of a download's client side)
	 * needs no offset; the others take theirs before the data moves next. */
	if (wirelen > 0 || (flags & 0x01)) {
		int64_t start = reasm_rel(d, seq);
		if (wirelen > 0) {
			r->st.segments++;
			data_at(r, d, obj, dir, start, payload, len, wirelen, m);
		}
		if (flags & 0x01) { /* FIN */
			int64_t fin = start + (int64_t)wirelen;
			if (!d->fin_seen && fin >= (int64_t)d->next) {
				d->fin_seen = true;
				d->fin_off = (uint64_t)fin;
			}
		}
	}
	if (d->fin_seen && d->next >= d->fin_off && !d->ooo)
		d->closed = true;
}

void reasm_ack(struct reasm *r, struct reasm_dir *d, void *obj, int dir, uint32_t ack,
	       const struct seg_meta *m)
{
	(void)m;
	if (!d->ooo || !d->started || d->closed)
		return; /* no hole to give up on: most ACKs */
	int64_t rel = reasm_rel(d, ack);
	while (d->ooo && rel > (int64_t)d->next && (uint64_t)rel >= d->ooo->start)
		skip_hole(r, d, obj, dir);
}

void reasm_flush(struct reasm *r, struct reasm_dir *d, void *obj, int dir,
		 const struct seg_meta *m)
{
	while (d->ooo)
		skip_hole(r, d, obj, dir);
	if (d->fin_seen && d->fin_off > d->next)
		declare_gap(r, d, obj, dir, d->fin_off - d->next, m);
	d->closed = true;
}

void reasm_dir_fini(struct reasm *r, struct reasm_dir *d)
{
	while (d->ooo) {
		struct reasm_seg *s = d->ooo;
		d->ooo = s->next;
		seg_free(r, d, s);
	}
	d->ooo_tail = NULL;
}
