/*
 * fuzz_reasm.c - libFuzzer target for the TCP reassembler (reasm.c).
 *
 * Input: a 9-byte header, then 7-byte records.
 *   header: cfg, first seq of direction 0 and of direction 1 (4 bytes LE each)
 *     cfg bits 0-2: per-direction cap = 16 << n bytes (16 .. 2048)
 *     cfg bits 3-4: total cap = per-direction cap * (1 + n)  (so both caps hit)
 *   record: ctl, seq delta (int16 LE), len, extra, ack delta (int16 LE)
 *     ctl bit 0: direction
 *     ctl bit 1: SYN         bit 2: FIN
 *     ctl bit 3: ACK: acknowledge the other direction at its next + ack delta
 *     ctl bit 4: payload bytes are taken from the input ("garbage") instead
 *                of the true stream, so they may conflict with other copies
 *     ctl bit 5: flush this direction (flow end) before the segment
 *     ctl bit 6: seq delta is scaled by 4096 (far-ahead / wrap paths)
 *     ctl bit 7: wirelen = len + extra (snaplen cut) instead of len
 *   The segment's sequence number is the direction's previous segment end
 *   plus the delta, so delta 0 is in order and small deltas overlap/skip.
 *
 * Oracles: the reassembler hands up a contiguous stream (data + gap lengths
 * add up to next), buffered bytes never exceed either cap and match the
 * sum over directions, and when no garbage was ever sent every delivered
 * byte equals the true stream byte for its sequence number.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_reasm: check failed: %s\n", #cond); \
			abort();                                                \
		}                                                               \
	} while (0)

/* The "true" byte at absolute sequence number s of direction dir. */
static uint8_t truth(int dir, uint32_t s)
{
	uint32_t x = s * 2654435761u + (uint32_t)dir * 40503u;
	return (uint8_t)(x >> 24);
}

struct ctx {
	struct reasm_dir d[2];
	bool garbage;      /* some segment carried bytes not from truth() */
};

static void on_data(void *c_, void *obj, int dir, const uint8_t *p, size_t n,
		    const struct seg_meta *m)
{
	struct ctx *c = c_;
	(void)m;
	CHECK(obj == c);
	CHECK(dir == 0 || dir == 1);
	CHECK(n > 0);
	struct reasm_dir *d = &c->d[dir];
	/* deliver() advances next before the callback. */
	CHECK(d->next >= n);
	uint64_t first = d->next - n;
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		sum ^= p[i];
		if (!c->garbage)
			CHECK(p[i] == truth(dir, d->base_seq + (uint32_t)(first + i)));
	}
	(void)sum;
}

static void on_gap(void *c_, void *obj, int dir, uint64_t len, const struct seg_meta *m)
{
	struct ctx *c = c_;
	(void)m;
	CHECK(obj == c);
	CHECK(len > 0);
	CHECK(c->d[dir].next >= len);
}

static void check_caps(const struct reasm *r, const struct ctx *c)
{
	CHECK(c->d[0].ooo_bytes <= r->lim.per_dir_bytes);
	CHECK(c->d[1].ooo_bytes <= r->lim.per_dir_bytes);
	CHECK(r->st.buffered_bytes == c->d[0].ooo_bytes + c->d[1].ooo_bytes);
	CHECK(r->st.buffered_bytes <= r->lim.total_bytes);
	CHECK(r->st.buffered_peak >= r->st.buffered_bytes);
	for (int i = 0; i < 2; i++)
		CHECK(c->d[i].ooo_bytes == 0 || c->d[i].ooo != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	struct ctx c;
	memset(&c, 0, sizeof(c));
	struct reasm r;
	struct reasm_limits lim;
	lim.per_dir_bytes = (size_t)16 << (data[0] & 7);
	lim.total_bytes = lim.per_dir_bytes * (1 + ((data[0] >> 3) & 3));
	struct reasm_cb cb = { on_data, on_gap, &c };
	reasm_init(&r, &lim, &cb);
	uint32_t last_end[2];
	for (int i = 0; i < 2; i++)
		last_end[i] = (uint32_t)data[1 + 4 * i] | (uint32_t)data[2 + 4 * i] << 8 |
			      (uint32_t)data[3 + 4 * i] << 16 | (uint32_t)data[4 + 4 * i] << 24;
	size_t off = 9;
	uint64_t frame = 0;
	uint8_t *seg = malloc(256 + 1);

	while (size - off >= 7) {
		const uint8_t *rec = data + off;
		off += 7;
		uint8_t ctl = rec[0];
		int dir = ctl & 1;
		int16_t delta = (int16_t)(rec[1] | rec[2] << 8);
		uint8_t len = rec[3], extra = rec[4];
		int16_t ackd = (int16_t)(rec[5] | rec[6] << 8);
		uint8_t flags = 0;
		if (ctl & 0x02)
			flags |= 0x02;
		if (ctl & 0x04)
			flags |= 0x01;
		if (ctl & 0x08)
			flags |= 0x10;
		int32_t d32 = (ctl & 0x40) ? (int32_t)delta * 4096 : delta;
		uint32_t seq = last_end[dir] + (uint32_t)d32;
		/* Data begins after a SYN. */
		uint32_t dseq = seq + ((flags & 0x02) ? 1u : 0u);
		if (ctl & 0x10) {
			if (size - off < len)
				break;
			memcpy(seg, data + off, len);
			off += len;
			c.garbage = true;
		} else {
			for (uint32_t i = 0; i < len; i++)
				seg[i] = truth(dir, dseq + i);
		}
		uint32_t wirelen = (ctl & 0x80) ? (uint32_t)len + extra : len;
		frame++;
		struct seg_meta m = { .frame = frame, .ts_us = frame * 1000 };
		uint8_t *exact = malloc(len ? len : 1); /* exact size for ASan */
		memcpy(exact, seg, len);

		if (ctl & 0x20)
			reasm_flush(&r, &c.d[dir], &c, dir, &m);
		reasm_segment(&r, &c.d[dir], &c, dir, seq, flags, exact, len, wirelen, &m);
		free(exact);
		check_caps(&r, &c);
		if (flags & 0x10) {
			struct reasm_dir *o = &c.d[!dir];
			uint32_t ack = o->base_seq + (uint32_t)o->next + (uint32_t)(int32_t)ackd;
			reasm_ack(&r, o, &c, !dir, ack, &m);
			check_caps(&r, &c);
		}
		last_end[dir] = dseq + wirelen;
	}
	frame++;
		struct seg_meta m = { .frame = frame, .ts_us = frame * 1000 };
	reasm_flush(&r, &c.d[0], &c, 0, &m);
	reasm_flush(&r, &c.d[1], &c, 1, &m);
	CHECK(c.d[0].ooo == NULL && c.d[1].ooo == NULL);
	CHECK(r.st.buffered_bytes == 0);
	reasm_dir_fini(&r, &c.d[0]);
	reasm_dir_fini(&r, &c.d[1]);
	CHECK(r.st.gaps >= c.d[0].gaps + c.d[1].gaps);
	free(seg);
	return 0;
}
