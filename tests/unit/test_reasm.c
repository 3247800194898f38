/*
 * test_reasm.c - per-direction TCP reassembly (src/flow/reasm.c).
 *
 * A recording callback writes "data <bytes>" and "gap <n>" lines, so each
 * test states the exact stream the dissector would see: order, first copy
 * wins on overlaps, gaps with their exact size, wrap-around, snaplen cuts,
 * the caps. A seeded shuffle of overlapping segments checks the invariant
 * that a stream always comes out whole and in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reasm.h"

#define SYN 0x02
#define FIN 0x01
#define ACK 0x10

struct fx {
	struct reasm r;
	struct reasm_dir d;
	char log[8192];
	size_t len;
	char stream[4096]; /* every delivered byte, gaps as '#' */
	size_t slen;
	uint64_t frame;
};

static void rec_data(void *ctx, void *obj, int dir, const uint8_t *p, size_t n,
		     const struct seg_meta *m)
{
	struct fx *x = ctx;
	(void)m;
	assert_ptr_equal(obj, x);
	assert_int_equal(dir, 1);
	x->len += (size_t)snprintf(x->log + x->len, sizeof(x->log) - x->len, "data %.*s\n", (int)n,
				   (const char *)p);
	assert_true(x->slen + n <= sizeof(x->stream));
	memcpy(x->stream + x->slen, p, n);
	x->slen += n;
}

static void rec_gap(void *ctx, void *obj, int dir, uint64_t len, const struct seg_meta *m)
{
	struct fx *x = ctx;
	(void)m;
	assert_ptr_equal(obj, x);
	assert_int_equal(dir, 1);
	x->len += (size_t)snprintf(x->log + x->len, sizeof(x->log) - x->len, "gap %llu\n",
				   (unsigned long long)len);
	for (uint64_t i = 0; i < len && x->slen < sizeof(x->stream); i++)
		x->stream[x->slen++] = '#';
}

static struct fx *fx_new(size_t per_dir, size_t total)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct reasm_limits lim = { per_dir, total };
	struct reasm_cb cb = { rec_data, rec_gap, x };
	reasm_init(&x->r, &lim, &cb);
	return x;
}

static int setup(void **state)
{
	*state = fx_new(REASM_PER_DIR_DEFAULT, REASM_TOTAL_DEFAULT);
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	reasm_dir_fini(&x->r, &x->d);
	assert_int_equal(x->r.st.buffered_bytes, 0);
	free(x);
	return 0;
}

static void seg_cut(struct fx *x, uint32_t seq, uint8_t flags, const char *data, uint32_t len,
		    uint32_t wirelen)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->frame * 1000 };
	reasm_segment(&x->r, &x->d, x, 1, seq, flags, (const uint8_t *)data, len, wirelen, &m);
}

static void seg(struct fx *x, uint32_t seq, uint8_t flags, const char *data)
{
	uint32_t n = data ? (uint32_t)strlen(data) : 0;
	seg_cut(x, seq, flags, data, n, n);
}

static void ack(struct fx *x, uint32_t a)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = 0 };
	reasm_ack(&x->r, &x->d, x, 1, a, &m);
}

static void flush(struct fx *x)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = 0 };
	reasm_flush(&x->r, &x->d, x, 1, &m);
}

static void test_in_order(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, SYN, NULL);
	seg(x, 1001, ACK, "abc");
	seg(x, 1004, ACK, "def");
	assert_string_equal(x->log, "data abc\ndata def\n");
	assert_int_equal(x->r.st.segments, 2);
	assert_int_equal(x->r.st.delivered_bytes, 6);
	assert_int_equal(x->d.delivered, 6);
	assert_int_equal(x->d.next, 6);
	assert_int_equal(x->r.st.ooo_segments, 0);
}

static void test_midstream_start(void **state)
{
	struct fx *x = *state;
	seg(x, 123456, ACK, "+OK");
	seg(x, 123459, ACK, "\r\n");
	assert_string_equal(x->log, "data +OK\ndata \r\n\n");
	assert_true(x->d.started);
	assert_int_equal(x->d.base_seq, 123456);
	/* Data before the first segment seen is old: counted, not delivered. */
	seg(x, 123450, ACK, "xxxxxx");
	assert_string_equal(x->log, "data +OK\ndata \r\n\n");
	assert_int_equal(x->r.st.retrans_bytes, 6);
}

static void test_reordered(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "aaa");
	seg(x, 1006, ACK, "ccc");
	seg(x, 1009, ACK, "ddd");
	assert_string_equal(x->log, "data aaa\n");
	assert_int_equal(x->r.st.ooo_segments, 2);
	assert_int_equal(x->d.ooo_pieces, 2);
	assert_int_equal(x->r.st.buffered_bytes, 6 + 2 * REASM_SEG_OVERHEAD);
	assert_int_equal(x->d.ooo_bytes, 6 + 2 * REASM_SEG_OVERHEAD);
	seg(x, 1003, ACK, "bbb");
	assert_string_equal(x->log, "data aaa\ndata bbb\ndata ccc\ndata ddd\n");
	assert_int_equal(x->r.st.buffered_bytes, 0);
	assert_int_equal(x->r.st.buffered_peak, 6 + 2 * REASM_SEG_OVERHEAD);
	assert_int_equal(x->d.ooo_bytes, 0);
	assert_int_equal(x->r.st.gaps, 0);
}

static void test_duplicated(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "abc");
	seg(x, 1000, ACK, "abc");
	seg(x, 1003, ACK, "def");
	seg(x, 1009, ACK, "jk");
	seg(x, 1009, ACK, "jk");
	seg(x, 1006, ACK, "ghi");
	assert_string_equal(x->log, "data abc\ndata def\ndata ghi\ndata jk\n");
	assert_int_equal(x->r.st.retrans_bytes, 5);
	assert_int_equal(x->r.st.overlap_conflicts, 0);
	assert_int_equal(x->r.st.segments, 6);
}

/* A segment partly old: only the new tail is delivered. */
static void test_partly_old(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "abcde");
	seg(x, 1003, ACK, "XYfgh"); /* "XY" overlaps delivered "de": first copy wins */
	assert_string_equal(x->log, "data abcde\ndata fgh\n");
	assert_int_equal(x->r.st.retrans_bytes, 2);
}

/* Overlaps ahead of a hole, same bytes: filled around, nothing reported. */
static void test_overlap_same_bytes(void **state)
{
	struct fx *x = *state;
	const char *msg = "0123456789abcdefghijklmnopqrstuvwxyz";
	char part[40];
	seg(x, 1000, ACK, "0");
	/* buffered [10,20) then [5,25) then [22,30) */
	snprintf(part, sizeof(part), "%.10s", msg + 10);
	seg(x, 1010, ACK, part);
	snprintf(part, sizeof(part), "%.20s", msg + 5);
	seg(x, 1005, ACK, part);
	snprintf(part, sizeof(part), "%.8s", msg + 22);
	seg(x, 1022, ACK, part);
	assert_int_equal(x->r.st.buffered_bytes, 25 + x->d.ooo_pieces * REASM_SEG_OVERHEAD);
	assert_int_equal(x->r.st.retrans_bytes, 10 + 3);
	seg(x, 1001, ACK, "1234");
	assert_int_equal(x->slen, 30);
	assert_memory_equal(x->stream, msg, 30);
	assert_int_equal(x->r.st.overlap_conflicts, 0);
	assert_int_equal(x->r.st.buffered_bytes, 0);
}

/* Overlaps with different bytes: the first copy is delivered, the conflict counted. */
static void test_overlap_conflict(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "a");
	seg(x, 1010, ACK, "AAAAA");   /* [10,15) */
	seg(x, 1012, ACK, "BBBBBB");  /* [12,18): [12,15) conflicts */
	seg(x, 1008, ACK, "CCCC");    /* [8,12): [10,12) conflicts */
	assert_int_equal(x->r.st.overlap_conflicts, 2);
	seg(x, 1001, ACK, "1234567");
	assert_int_equal(x->slen, 18);
	assert_memory_equal(x->stream, "a1234567CCAAAAABBB", 18);
	assert_int_equal(x->r.st.retrans_bytes, 3 + 2);
}

/* The per-direction cap: the hole becomes a gap notice of its exact size. */
static void test_gap_at_per_dir_cap(void **state)
{
	(void)state;
	struct fx *x = fx_new(10 + REASM_SEG_OVERHEAD, REASM_TOTAL_DEFAULT);
	seg(x, 100, ACK, "a");            /* next = 1 */
	seg(x, 110, ACK, "0123456789");   /* [10,20): exactly the cap */
	assert_string_equal(x->log, "data a\n");
	assert_int_equal(x->r.st.flow_cap_hits, 0);
	seg(x, 125, ACK, "XYZ");          /* would exceed: the hole [1,10) is given up */
	assert_string_equal(x->log, "data a\ngap 9\ndata 0123456789\n");
	assert_int_equal(x->r.st.flow_cap_hits, 1);
	assert_int_equal(x->d.gaps, 1);
	assert_int_equal(x->d.gap_bytes, 9);
	assert_int_equal(x->r.st.buffered_bytes, 3 + REASM_SEG_OVERHEAD);
	flush(x);
	assert_string_equal(x->log, "data a\ngap 9\ndata 0123456789\ngap 5\ndata XYZ\n");
	assert_int_equal(x->r.st.gaps, 2);
	assert_int_equal(x->r.st.gap_bytes, 14);
	assert_true(x->d.closed);
	reasm_dir_fini(&x->r, &x->d);
	free(x);
}

/* A segment bigger than the cap with nothing buffered: gap, then its bytes. */
static void test_segment_larger_than_cap(void **state)
{
	(void)state;
	struct fx *x = fx_new(4, REASM_TOTAL_DEFAULT);
	seg(x, 100, ACK, "a");
	seg(x, 103, ACK, "bcdefg");
	assert_string_equal(x->log, "data a\ngap 2\ndata bcdefg\n");
	assert_int_equal(x->r.st.flow_cap_hits, 1);
	assert_int_equal(x->r.st.buffered_bytes, 0);
	seg(x, 109, ACK, "h");
	assert_string_equal(x->log, "data a\ngap 2\ndata bcdefg\ndata h\n");
	reasm_dir_fini(&x->r, &x->d);
	free(x);
}

/* The global cap with nothing buffered in this direction is a total-cap hit. */
static void test_total_cap_counted(void **state)
{
	(void)state;
	struct fx *x = fx_new(1000, 4 + REASM_SEG_OVERHEAD);
	seg(x, 100, ACK, "a");
	seg(x, 103, ACK, "bcdefg");
	assert_string_equal(x->log, "data a\ngap 2\ndata bcdefg\n");
	/* Was a bug: counted as flow_cap_hits although only total_bytes was hit. */
	uint64_t total_hits = x->r.st.total_cap_hits, flow_hits = x->r.st.flow_cap_hits;
	reasm_dir_fini(&x->r, &x->d);
	free(x);
	assert_int_equal(total_hits, 1);
	assert_int_equal(flow_hits, 0);
}

/* The global cap with pieces buffered here: they are given up first. */
/* 1-byte segments ahead of a hole: at most REASM_PIECES_MAX pieces are held,
 * then the hole is given up (counted), so neither memory nor the insert walk
 * can grow without bound. */
static void test_piece_cap(void **state)
{
	(void)state;
	struct fx *x = fx_new(REASM_PER_DIR_DEFAULT * 4, REASM_TOTAL_DEFAULT);
	seg(x, 100, ACK, "a");
	for (uint32_t i = 0; i < REASM_PIECES_MAX; i++)
		seg(x, 102 + 2 * i, ACK, "x"); /* every other byte missing */
	assert_int_equal(x->d.ooo_pieces, REASM_PIECES_MAX);
	assert_int_equal(x->r.st.flow_cap_hits, 0);
	seg(x, 102 + 2 * REASM_PIECES_MAX, ACK, "y");
	assert_int_equal(x->r.st.flow_cap_hits, 1);
	assert_int_equal(x->d.gaps, 1); /* the first hole was given up */
	assert_true(x->d.ooo_pieces <= REASM_PIECES_MAX);
	reasm_dir_fini(&x->r, &x->d);
	assert_int_equal(x->r.st.buffered_bytes, 0);
	free(x);
}

/* A segment that fills two holes becomes two pieces with an overhead each;
 * was a bug (found by fuzz_reasm): room was checked once for the whole
 * segment, so the second piece took the direction past its cap. Now the
 * piece without room stays a hole and the hit is counted. */
static void test_cap_counts_every_piece(void **state)
{
	(void)state;
	struct fx *x = fx_new(2 * REASM_SEG_OVERHEAD + 7, REASM_TOTAL_DEFAULT);
	seg(x, 100, ACK, "a");           /* next = 1 */
	seg(x, 103, ACK, "X");           /* piece [3,4) */
	seg(x, 102, ACK, "bcdefg");      /* would be [2,3) and [4,8) */
	assert_true(x->d.ooo_bytes <= 2 * REASM_SEG_OVERHEAD + 7);
	assert_int_equal(x->d.ooo_pieces, 2);
	assert_int_equal(x->r.st.flow_cap_hits, 1);
	flush(x);
	assert_string_equal(x->log, "data a\ngap 1\ndata b\ndata X\n");
	seg(x, 108, ACK, "h");           /* closed by the flush: ignored */
	reasm_dir_fini(&x->r, &x->d);
	assert_int_equal(x->r.st.buffered_bytes, 0);
	free(x);
}

static void test_total_cap_with_buffer(void **state)
{
	(void)state;
	struct fx *x = fx_new(1000, 4 + REASM_SEG_OVERHEAD);
	seg(x, 100, ACK, "a");
	seg(x, 103, ACK, "cde");
	seg(x, 110, ACK, "xyz");
	assert_string_equal(x->log, "data a\ngap 2\ndata cde\n");
	assert_int_equal(x->r.st.total_cap_hits, 1);
	assert_int_equal(x->r.st.flow_cap_hits, 0);
	assert_int_equal(x->r.st.buffered_bytes, 3 + REASM_SEG_OVERHEAD);
	reasm_dir_fini(&x->r, &x->d);
	assert_int_equal(x->r.st.buffered_bytes, 0);
	free(x);
}

static void test_ack_past_hole(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "a");
	seg(x, 1010, ACK, "klm");
	seg(x, 1020, ACK, "uv");
	ack(x, 1005);  /* inside the hole, before the buffered data: not yet proof */
	assert_string_equal(x->log, "data a\n");
	ack(x, 1010);  /* the peer has everything before 1010: the hole is lost */
	assert_string_equal(x->log, "data a\ngap 9\ndata klm\n");
	ack(x, 1022);
	assert_string_equal(x->log, "data a\ngap 9\ndata klm\ngap 7\ndata uv\n");
	assert_int_equal(x->d.next, 22);
	ack(x, 1030);  /* nothing buffered: nothing to do */
	assert_int_equal(x->r.st.gaps, 2);
}

static void test_flush_declares_holes(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "a");
	seg(x, 1010, ACK, "kl");
	seg(x, 1005, ACK, "fg");
	flush(x);
	assert_string_equal(x->log, "data a\ngap 4\ndata fg\ngap 3\ndata kl\n");
	assert_true(x->d.closed);
	seg(x, 1012, ACK, "late");
	assert_string_equal(x->log, "data a\ngap 4\ndata fg\ngap 3\ndata kl\n");
}

static void test_fin(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, SYN, NULL);
	seg(x, 1001, ACK | FIN, "bye");
	assert_string_equal(x->log, "data bye\n");
	assert_true(x->d.fin_seen);
	assert_int_equal(x->d.fin_off, 3);
	assert_true(x->d.closed);
	seg(x, 1004, ACK, "more");
	assert_string_equal(x->log, "data bye\n");
}

/* FIN beyond lost data: the direction stays open; the flush declares the gap. */
static void test_fin_offset_gap(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, SYN, NULL);
	seg(x, 1001, ACK, "ab");
	seg(x, 1008, ACK | FIN, NULL);
	assert_true(x->d.fin_seen);
	assert_int_equal(x->d.fin_off, 7);
	assert_false(x->d.closed);
	flush(x);
	assert_string_equal(x->log, "data ab\ngap 5\n");
	assert_int_equal(x->d.next, 7);
}

/* FIN ahead with buffered data: closed once the hole fills. */
static void test_fin_ahead_then_fill(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, SYN, NULL);
	seg(x, 1004, ACK | FIN, "de");
	assert_false(x->d.closed);
	seg(x, 1001, ACK, "abc");
	assert_string_equal(x->log, "data abc\ndata de\n");
	assert_true(x->d.closed);
}

/* The peer's ACK gives up the hole before a FIN and delivers what was
 * buffered; the direction's next segment, a pure ACK on the short path,
 * still closes it. */
static void test_pure_ack_closes_after_ack_drain(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, SYN, NULL);
	seg(x, 1004, ACK | FIN, "de");
	ack(x, 1006);
	assert_string_equal(x->log, "gap 3\ndata de\n");
	assert_false(x->d.closed);
	seg(x, 1007, ACK, NULL);
	assert_true(x->d.closed);
	seg(x, 1007, ACK, NULL); /* closed stays closed */
	assert_true(x->d.closed);
	assert_string_equal(x->log, "gap 3\ndata de\n");
}

static void test_wraparound(void **state)
{
	struct fx *x = *state;
	seg(x, 0xfffffff8u, SYN, NULL);          /* data starts at 0xfffffff9 */
	seg(x, 0x00000003u, ACK, "KLMN");        /* rel 10: ahead, across the wrap */
	assert_int_equal(reasm_rel(&x->d, 0x00000003u), 10);
	assert_int_equal(reasm_rel(&x->d, 0xfffffff9u), 0);
	assert_int_equal(reasm_rel(&x->d, 0xfffffff0u), -9);
	seg(x, 0xfffffff9u, ACK, "abcdefg");     /* [0,7) */
	seg(x, 0x00000000u, ACK, "hij");         /* [7,10) */
	assert_string_equal(x->log, "data abcdefg\ndata hij\ndata KLMN\n");
	assert_int_equal(x->d.next, 14);
	/* the ACK across the wrap declares a hole too */
	seg(x, 0x00000010u, ACK, "z");           /* rel 23 */
	ack(x, 0x00000010u);
	assert_string_equal(x->log, "data abcdefg\ndata hij\ndata KLMN\ngap 9\ndata z\n");
	/* and many windows later (beyond 2^32 bytes of offset) */
	x->d.next = 0x100000000ull * 3 + 5;
	uint32_t s = x->d.base_seq + 5;
	assert_int_equal(reasm_rel(&x->d, s), (int64_t)x->d.next);
	assert_int_equal(reasm_rel(&x->d, s + 7), (int64_t)x->d.next + 7);
	assert_int_equal(reasm_rel(&x->d, s - 7), (int64_t)x->d.next - 7);
}

/* Snaplen cut an in-order segment: its bytes, then a gap of what is missing. */
static void test_snaplen_in_order(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, SYN, NULL);
	seg_cut(x, 1001, ACK, "+OK 1", 5, 12);
	seg(x, 1013, ACK, "next\r\n");
	assert_string_equal(x->log, "data +OK 1\ngap 7\ndata next\r\n\n");
	assert_int_equal(x->d.gap_bytes, 7);
	assert_int_equal(x->d.next, 18);
	/* entirely cut */
	seg_cut(x, 1019, ACK, "", 0, 4);
	assert_string_equal(x->log, "data +OK 1\ngap 7\ndata next\r\n\ngap 4\n");
}

/* Snaplen cut a segment ahead of a hole: its cut tail stays a hole. */
static void test_snaplen_ahead(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "a");
	seg_cut(x, 1003, ACK, "de", 2, 5);  /* [3,5) captured of [3,8) */
	seg(x, 1008, ACK, "ij");
	seg(x, 1001, ACK, "bc");
	assert_string_equal(x->log, "data a\ndata bc\ndata de\n");
	flush(x);
	assert_string_equal(x->log, "data a\ndata bc\ndata de\ngap 3\ndata ij\n");
}

static void test_far_ahead_dropped(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, ACK, "a");
	seg(x, 1001 + REASM_MAX_AHEAD + 1, ACK, "far");
	assert_int_equal(x->r.st.dropped_far, 1);
	assert_int_equal(x->r.st.buffered_bytes, 0);
	seg(x, 1001 + REASM_MAX_AHEAD, ACK, "edge"); /* exactly the limit: kept */
	assert_int_equal(x->r.st.dropped_far, 1);
	assert_int_equal(x->r.st.buffered_bytes, 4 + REASM_SEG_OVERHEAD);
	assert_string_equal(x->log, "data a\n");
}

/* A retransmitted SYN after data does not restart the stream. */
static void test_syn_retransmission(void **state)
{
	struct fx *x = *state;
	seg(x, 1000, SYN, NULL);
	seg(x, 1000, SYN, NULL);
	seg(x, 1001, ACK, "ab");
	seg(x, 1000, SYN, NULL);
	seg(x, 1003, ACK, "cd");
	assert_string_equal(x->log, "data ab\ndata cd\n");
	assert_int_equal(x->d.base_seq, 1001);
}

/* Seeded shuffles of overlapping, duplicated segments: always the whole stream. */
static void test_shuffled_overlaps(void **state)
{
	(void)state;
	char msg[600];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('!' + (i * 7 + i / 13) % 90);
	uint32_t rng = 12345;
	for (int round = 0; round < 200; round++) {
		struct fx *x = fx_new(REASM_PER_DIR_DEFAULT, REASM_TOTAL_DEFAULT);
		struct { uint32_t off, len; } segs[128];
		int n = 0;
		for (uint32_t off = 0; off < sizeof(msg) && n < 120;) {
			rng = rng * 1103515245u + 12345u;
			uint32_t len = 1 + (rng >> 16) % 40;
			if (off + len > sizeof(msg))
				len = (uint32_t)sizeof(msg) - off;
			segs[n].off = off;
			segs[n++].len = len;
			rng = rng * 1103515245u + 12345u;
			uint32_t back = (rng >> 16) % 8; /* overlap the next one */
			off += len > back ? len - back : 1;
		}
		/* duplicates */
		for (int i = 0; i < 6 && n < 128; i++) {
			rng = rng * 1103515245u + 12345u;
			segs[n] = segs[(rng >> 16) % (uint32_t)n];
			n++;
		}
		/* shuffle all but the first (the stream starts there) */
		for (int i = n - 1; i > 1; i--) {
			rng = rng * 1103515245u + 12345u;
			int j = 1 + (int)((rng >> 16) % (uint32_t)i);
			uint32_t o = segs[i].off, l = segs[i].len;
			segs[i] = segs[j];
			segs[j].off = o;
			segs[j].len = l;
		}
		uint32_t isn = 0xffffff00u + (uint32_t)round; /* across the wrap too */
		for (int i = 0; i < n; i++)
			seg_cut(x, isn + segs[i].off, ACK, msg + segs[i].off, segs[i].len, segs[i].len);
		flush(x);
		assert_int_equal(x->slen, sizeof(msg));
		assert_memory_equal(x->stream, msg, sizeof(msg));
		assert_int_equal(x->r.st.gaps, 0);
		assert_int_equal(x->r.st.overlap_conflicts, 0);
		assert_int_equal(x->r.st.buffered_bytes, 0);
		reasm_dir_fini(&x->r, &x->d);
		free(x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partly_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_same_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_conflict, setup, teardown),
		cmocka_unit_test(test_gap_at_per_dir_cap),
		cmocka_unit_test(test_segment_larger_than_cap),
		cmocka_unit_test(test_total_cap_counted),
		cmocka_unit_test(test_total_cap_with_buffer),
		cmocka_unit_test(test_piece_cap),
		cmocka_unit_test(test_cap_counts_every_piece),
		cmocka_unit_test_setup_teardown(test_ack_past_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_declares_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_offset_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_ahead_then_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pure_ack_closes_after_ack_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snaplen_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snaplen_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_far_ahead_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_retransmission, setup, teardown),
		cmocka_unit_test(test_shuffled_overlaps),
	};
	return cmocka_run_group_tests_name("reasm", tests, NULL, NULL);
}
