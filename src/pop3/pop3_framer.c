/*
 * pop3_framer.c - line framing with memchr over whole runs (see the header).
 */
#include "pop3_framer.h"

#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2 1 /* compiled for the CPU's AVX2 (target attribute), used if it has it */
#endif

#include "util.h"

/* A held line's first allocation; it doubles up to POP3_LINE_BUF. */
#define FRAMER_BUF_FIRST 128

/* Sized to what it holds: the partial lines held between segments are
 * mostly a body line's head, so thousands of sessions at once need not
 * each keep POP3_LINE_BUF bytes. */
static __attribute__((noinline)) void grow(struct pop3_framer *f, size_t need)
{
	size_t ncap = f->cap ? (size_t)f->cap * 2 : FRAMER_BUF_FIRST;
	while (ncap < need)
		ncap *= 2;
	if (ncap > POP3_LINE_BUF)
		ncap = POP3_LINE_BUF;
	f->buf = xrealloc(f->buf, ncap);
	f->cap = (uint32_t)ncap;
}

static void keep(struct pop3_framer *f, const uint8_t *p, size_t n, const struct seg_meta *m)
{
	if (!f->in_line) {
		f->in_line = true;
		f->start = *m;
		f->len = 0;
		f->octets = 0;
	}
	size_t room = POP3_LINE_BUF - f->len;
	size_t take = n < room ? n : room;
	if (__builtin_expect(f->len + take > f->cap, 0))
		grow(f, f->len + take);
	memcpy(f->buf + f->len, p, take);
	f->len += take;
	f->octets += n;
	if (n)
		f->last = (char)p[n - 1];
}

/* Hand on one line. `content` is its length without CR LF; `kept` bytes of
 * it are at p (all of it unless longer than POP3_LINE_BUF). */
static void emit(const char *p, uint64_t content, size_t kept, uint64_t octets, bool crlf,
		 const struct seg_meta *m, pop3_line_fn fn, void *obj, int dir)
{
	bool trunc = content > POP3_LINE_BUF;
	size_t give = trunc ? POP3_LINE_BUF : (size_t)content;
	if (give > kept)
		give = kept;
	struct pop3_line l = { p, give, octets,
			       (crlf ? LINE_CRLF : LINE_BARE_LF) | (trunc ? LINE_TRUNC : 0), *m };
	fn(obj, dir, &l);
}

void pop3_framer_feed(struct pop3_framer *f, const uint8_t *p, size_t n,
		      const struct seg_meta *m, pop3_line_fn fn, pop3_resync_fn resync, void *obj,
		      int dir)
{
	if (f->skip_to_lf && n > 0 && resync(obj, dir, p, n)) {
		f->skip_to_lf = false;
		f->resumed_at_gap = true;
	}
	while (n > 0) {
		const uint8_t *lf = memchr(p, '\n', n);
		if (f->skip_to_lf) {
			if (!lf)
				return;
			f->skip_to_lf = false;
			f->resumed_at_gap = false;
			n -= (size_t)(lf + 1 - p);
			p = lf + 1;
			continue;
		}
		if (!lf) {
			keep(f, p, n, m);
			return;
		}
		size_t len = (size_t)(lf - p);
		if (!f->in_line) {
			/* The common case: the whole line is in this run. */
			bool crlf = len && p[len - 1] == '\r';
			emit((const char *)p, len - crlf, len, len + 1, crlf, m, fn, obj, dir);
		} else {
			keep(f, p, len, m);
			f->in_line = false;
			bool crlf = f->last == '\r';
			emit(f->buf, f->octets - crlf, f->len, f->octets + 1, crlf, &f->start, fn, obj,
			     dir);
		}
		n -= len + 1;
		p = lf + 1;
	}
}

/*
 * The body scan. Lines average ~65 bytes, so a memchr per line costs more in
 * calls than in bytes: instead a bit mask of the LFs of 64 bytes at a time
 * is built and walked. What makes a line special is decided at its LF,
 * from the bytes next to it: the one before (CR or not), the one after (a
 * '.' begins the next line and stops the run), and the distance from the
 * previous LF (the rare overlong line takes the exact, slow test).
 */

#define BLOCK 64

/* Bit i set where q[i] == '\n', for q[0..63]. Plain C for any machine: SWAR
 * on 8-byte words, exact per byte (no borrow from one byte to the next). */
static inline uint64_t lf_mask_portable(const uint8_t *q)
{
	const uint64_t ones7 = 0x7f7f7f7f7f7f7f7fULL, lf8 = 0x0a0a0a0a0a0a0a0aULL;
	uint64_t m = 0;
	for (unsigned w = 0; w < BLOCK / 8; w++) {
		const uint8_t *b = q + 8 * w;
		/* byte order fixed by hand, not by the machine's endianness */
		uint64_t x = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
			     (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 |
			     (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
		x ^= lf8;
		uint64_t zero = ~(((x & ones7) + ones7) | x | ones7); /* 0x80 where LF */
		/* gather the eight 0x80 bits into the byte at the top */
		m |= ((zero >> 7) * 0x0102040810204080ULL) >> 56 << (8 * w);
	}
	return m;
}

#ifdef __SSE2__
static inline uint64_t lf_mask_sse2(const uint8_t *q)
{
	const __m128i lf = _mm_set1_epi8('\n');
	uint64_t m0 = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)q), lf));
	uint64_t m1 = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(q + 16)), lf));
	uint64_t m2 = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(q + 32)), lf));
	uint64_t m3 = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(q + 48)), lf));
	return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}
#endif

#ifdef HAVE_AVX2
/* A third of the instructions of the SSE2 mask: the loop's largest cost. */
__attribute__((target("avx2"))) static inline uint64_t lf_mask_avx2(const uint8_t *q)
{
	const __m256i lf = _mm256_set1_epi8('\n');
	uint64_t lo = (uint32_t)_mm256_movemask_epi8(
		_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)q), lf));
	uint64_t hi = (uint32_t)_mm256_movemask_epi8(
		_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(q + 32)), lf));
	return lo | hi << 32;
}
#endif

struct scan {
	size_t lim;         /* where the current line begins, + POP3_LINE_BUF */
	uint64_t lines, bare_lf, long_lines;
	uint64_t stuffed;   /* lines begun with "..", the last maybe not ended */
	size_t last_stuffed; /* where the last of them begins */
};

/* A line begins at p[q]: false if it may go on (it does not begin with
 * '.', or it is dot-stuffed: "..", counted), true if it must stop the run
 * (the terminator, or a '.' line the line-by-line path judges). */
static inline bool dot_stop(struct scan *sc, const uint8_t *p, size_t n, size_t q)
{
	if (q >= n || p[q] != '.')
		return false;
	if (q + 1 < n && p[q + 1] == '.') {
		sc->stuffed++;
		sc->last_stuffed = q;
		return false;
	}
	return true;
}

/* The LF at p[k] of a line that is bare, long or followed by '.': counted
 * exactly, off the loop's path (not inlined: the loop keeps a branch per
 * test instead of computing all three). Returns false at a '.' line that
 * is not dot-stuffed. */
static __attribute__((noinline)) bool odd_lf(struct scan *sc, const uint8_t *p, size_t n,
					      size_t k)
{
	size_t len = k - (sc->lim - POP3_LINE_BUF);
	bool crlf = p[k - 1] == '\r'; /* for an empty line, the LF before */
	sc->lines++;
	sc->bare_lf += !crlf;
	sc->long_lines += len - crlf > POP3_LINE_BUF;
	sc->lim = k + 1 + POP3_LINE_BUF;
	return !dot_stop(sc, p, n, k + 1);
}

/* The scan's counts, less a stuffed line that did not end in it (it is
 * held as a partial line, and counted again when it ends). */
static uint64_t stuffed_ended(const struct scan *sc)
{
	return sc->stuffed - (sc->stuffed && sc->last_stuffed == sc->lim - POP3_LINE_BUF);
}

/* The LFs of mask m, bit i for p[at + i]. Returns false at an LF followed
 * by a '.' line that is not dot-stuffed, with that line counted and the
 * next one beginning at the '.'.
 * Every LF is past p[0] (one there is taken before), so p[k - 1] can be
 * read. With `last`, p[n] is past the end: an LF at n - 1 has no byte
 * after it. The caller keeps sc->lim and sc->lines in *lim and *lines
 * (registers, once inlined); they are in sc only for odd_lf. */
static inline __attribute__((always_inline)) bool take_lfs(struct scan *sc, size_t *lim,
							   uint64_t *lines, const uint8_t *p,
							   size_t n, size_t at, uint64_t m,
							   bool last)
{
	while (m) {
		size_t k = at + (unsigned)__builtin_ctzll(m);
		m &= m - 1;
		if (__builtin_expect(p[k - 1] != '\r', 0) || __builtin_expect(k > *lim, 0) ||
		    __builtin_expect((!last || k + 1 != n) && p[k + 1] == '.', 0)) {
			sc->lim = *lim;
			sc->lines = *lines;
			bool go = odd_lf(sc, p, n, k);
			*lim = sc->lim;
			*lines = sc->lines;
			if (!go)
				return false;
			continue;
		}
		++*lines;
		*lim = k + 1 + POP3_LINE_BUF;
	}
	return true;
}

/*
 * The lines of p from q to n, with the mask made by mask_fn. Whole blocks
 * first, while a byte follows the block: the byte after any LF in it can be
 * read without a test. Then the last 1..64 bytes: from a block that ends
 * at p + n (it overlaps bytes already taken, masked off) when the run is
 * that long, since no byte past the end may be read; else from a padded
 * copy. Returns false at a '.' line that is not dot-stuffed. A macro, not a
 * function, since each SIMD kind needs the loop compiled for its target.
 */
#define SCAN_FROM(mask_fn)                                                                   \
	size_t lim = sc->lim, at = q;                                                        \
	uint64_t lines = sc->lines;                                                          \
	bool go = true;                                                                      \
	for (size_t whole = n > BLOCK ? n - BLOCK : 0; go && at < whole; at += BLOCK)        \
		go = take_lfs(sc, &lim, &lines, p, n, at, mask_fn(p + at), false);           \
	if (go && at < n) {                                                                  \
		uint64_t m;                                                                  \
		if (n >= BLOCK) {                                                            \
			m = mask_fn(p + n - BLOCK) & (~0ULL << (at - (n - BLOCK)));          \
			at = n - BLOCK;                                                      \
		} else {                                                                     \
			uint8_t pad[BLOCK] = { 0 };                                          \
			memcpy(pad, p, n);                                                   \
			m = mask_fn(pad) & (~0ULL << at);                                    \
			at = 0;                                                              \
		}                                                                            \
		go = take_lfs(sc, &lim, &lines, p, n, at, m, true);                          \
	}                                                                                    \
	sc->lim = lim;                                                                       \
	sc->lines = lines;                                                                   \
	return go

static bool scan_portable(struct scan *sc, const uint8_t *p, size_t n, size_t q)
{
	SCAN_FROM(lf_mask_portable);
}

#ifdef __SSE2__
static bool scan_sse2(struct scan *sc, const uint8_t *p, size_t n, size_t q)
{
	SCAN_FROM(lf_mask_sse2);
}
#endif

#ifdef HAVE_AVX2
/* BMI for the walk over the LFs (blsr, tzcnt): every AVX2 CPU has it, but a
 * VM may hide it, so pop3_framer_body_run checks both. */
__attribute__((target("avx2,bmi"))) static bool scan_avx2(struct scan *sc, const uint8_t *p,
							   size_t n, size_t q)
{
	SCAN_FROM(lf_mask_avx2);
}
#endif

typedef bool (*scan_fn)(struct scan *sc, const uint8_t *p, size_t n, size_t q);

static scan_fn best_scan(void)
{
#ifdef HAVE_AVX2
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
		return scan_avx2;
#endif
#ifdef __SSE2__
	return scan_sse2;
#else
	return scan_portable;
#endif
}

/* The scan from the line start s to the end of p, as one run of the note. */
static void note_run(struct pop3_payload_lines *pl, const uint8_t *p, size_t n, size_t s,
		     scan_fn scan)
{
	struct scan sc = { .lim = s + POP3_LINE_BUF };
	bool dot = !scan(&sc, p, n, s);
	pl->run[pl->nruns++] = (struct pop3_line_run){
		.start = (uint32_t)s, .end = (uint32_t)(sc.lim - POP3_LINE_BUF),
		.lines = (uint32_t)sc.lines, .bare_lf = (uint32_t)sc.bare_lf,
		.long_lines = (uint32_t)sc.long_lines, .stuffed = (uint32_t)sc.stuffed,
		.last_stuffed = (uint32_t)sc.last_stuffed, .dot = dot };
}

/* The runs a body can ask for: from p[0] (when a line may begin there),
 * from just past the first LF (when an earlier packet's line ends at it),
 * and from past each '.' line that the line-by-line path takes. A run ends
 * at the first '.' line that is not dot-stuffed. */
static void payload_lines(struct pop3_payload_lines *pl, const uint8_t *p, size_t n,
			  scan_fn scan)
{
	pl->data = p;
	pl->len = (uint32_t)n;
	pl->nruns = 0;
	const uint8_t *lf = n ? memchr(p, '\n', n) : NULL;
	if (!lf || n > UINT32_MAX)
		return; /* one partial line: nothing to count ahead */
	size_t k = (size_t)(lf - p);
	bool from0 = p[0] != '\n' && p[0] != '.'; /* a line may begin at p[0] */
	if (from0)
		pl->nruns = 1; /* run[0], filled in below from run[1] */
	for (size_t s = k + 1; s < n && pl->nruns < POP3_PAYLOAD_RUNS;) {
		if (p[s] == '.' && !(s + 1 < n && p[s + 1] == '.')) {
			/* a line the line-by-line path takes */
			const uint8_t *next = memchr(p + s, '\n', n - s);
			s = next ? (size_t)(next - p) + 1 : n;
			continue;
		}
		note_run(pl, p, n, s, scan);
		const struct pop3_line_run *last = &pl->run[pl->nruns - 1];
		if (!last->dot)
			break;
		s = last->end;
	}
	if (!from0)
		return;
	/* From p[0]: the first line, counted as the scan counts it, then the
	 * run from past its LF, unless a '.' line follows it. */
	bool crlf = p[k - 1] == '\r'; /* k > 0: p[0] is no LF */
	struct scan sc = { .lim = k + 1 + POP3_LINE_BUF, .lines = 1, .bare_lf = !crlf,
			   .long_lines = k - crlf > POP3_LINE_BUF };
	bool dot = dot_stop(&sc, p, n, k + 1);
	struct pop3_line_run first = { .start = 0, .end = (uint32_t)(k + 1), .lines = 1,
				       .bare_lf = (uint32_t)sc.bare_lf,
				       .long_lines = (uint32_t)sc.long_lines,
				       .stuffed = (uint32_t)sc.stuffed,
				       .last_stuffed = (uint32_t)sc.last_stuffed, .dot = dot };
	if (!first.dot && pl->nruns > 1 && pl->run[1].start == k + 1) {
		first.end = pl->run[1].end;
		first.lines += pl->run[1].lines;
		first.bare_lf += pl->run[1].bare_lf;
		first.long_lines += pl->run[1].long_lines;
		first.stuffed += pl->run[1].stuffed;
		if (pl->run[1].stuffed)
			first.last_stuffed = pl->run[1].last_stuffed;
		first.dot = pl->run[1].dot;
	}
	pl->run[0] = first;
}

/* noinline: inlined, it made the reader's frame_prepare, which calls it
 * for one frame in several (a body's segments), save and restore eight
 * registers for every frame */
__attribute__((noinline)) void pop3_payload_lines(struct pop3_payload_lines *pl,
						  const uint8_t *p, size_t n)
{
	payload_lines(pl, p, n, best_scan());
}

/* The note's run from p[q], if m carries a note for the packet whose last
 * n bytes are p (the whole packet, or what follows a '.' line). */
static const struct pop3_line_run *noted_run(const struct seg_meta *m, const uint8_t *p,
					     size_t n, size_t q)
{
	const struct pop3_payload_lines *pl = m->payload_note;
	if (!pl || n > pl->len)
		return NULL;
	/* integers, not pointers: p may lie in another buffer altogether */
	uintptr_t at = (uintptr_t)p - (uintptr_t)pl->data;
	if (at != pl->len - n)
		return NULL;
	for (unsigned i = 0; i < pl->nruns; i++)
		if (pl->run[i].start == at + q)
			return &pl->run[i];
	return NULL;
}

/* Take the lines of p from q (a line start) up to the first '.' line that
 * is not dot-stuffed: from the note when it has them, else by scanning.
 * Returns false at such a line. */
static inline __attribute__((always_inline)) bool take_from(struct scan *sc, const uint8_t *p,
							     size_t n, size_t q,
							     const struct seg_meta *m, scan_fn scan)
{
	const struct pop3_line_run *run = noted_run(m, p, n, q);
	if (!run)
		return scan(sc, p, n, q);
	size_t at = run->start - q; /* p's offset in the noted packet */
	sc->lines += run->lines;
	sc->bare_lf += run->bare_lf;
	sc->long_lines += run->long_lines;
	sc->stuffed += run->stuffed;
	if (run->stuffed)
		sc->last_stuffed = run->last_stuffed - at;
	sc->lim = run->end - at + POP3_LINE_BUF; /* its scan began where this one does */
	return !run->dot;
}

static inline __attribute__((always_inline)) size_t body_run(struct pop3_framer *f,
							     const uint8_t *p, size_t n,
							     const struct seg_meta *m,
							     struct pop3_body_run *r,
							     scan_fn scan)
{
	memset(r, 0, sizeof(*r));
	if (f->skip_to_lf || n == 0)
		return 0;
	struct scan sc = { .lim = POP3_LINE_BUF };
	size_t q = 0;       /* the next byte to look at */
	size_t from = 0;    /* where the lines that begin in p begin */
	bool held = false;  /* the first line counted began in an earlier run */
	bool dot = false;   /* stopped at a '.' line that is not dot-stuffed */
	if (f->in_line) {
		/* The held line ends at the first LF, as in pop3_framer_feed. */
		if (f->len == 0 || f->buf[0] == '.')
			return 0;
		const uint8_t *lf = memchr(p, '\n', n);
		if (!lf) {
			keep(f, p, n, m);
			return n;
		}
		size_t k = (size_t)(lf - p);
		bool crlf = (k ? (char)p[k - 1] : f->last) == '\r';
		f->in_line = false;
		held = true;
		r->octets = f->octets + k + 1;
		sc = (struct scan){ .lim = k + 1 + POP3_LINE_BUF, .lines = 1, .bare_lf = !crlf,
				    .long_lines = f->octets + k - crlf > POP3_LINE_BUF };
		q = from = k + 1;
		dot = dot_stop(&sc, p, n, q);
	} else if (p[0] == '.') {
		return 0;
	} else if (p[0] == '\n') {
		/* A bare LF with no byte before it: take it here, so that every
		 * LF the scan sees has one. */
		sc = (struct scan){ .lim = 1 + POP3_LINE_BUF, .lines = 1, .bare_lf = 1 };
		q = 1;
		dot = dot_stop(&sc, p, n, q);
	}
	if (!dot && q < n)
		dot = !take_from(&sc, p, n, q, m, scan);
	size_t end = sc.lim - POP3_LINE_BUF; /* after the last LF taken */
	r->lines = sc.lines;
	r->bare_lf = sc.bare_lf;
	r->long_lines = sc.long_lines;
	r->stuffed = stuffed_ended(&sc);
	r->octets += end - from;
	r->last_m = held && sc.lines == 1 ? f->start : *m;
	if (!dot && end < n) {
		keep(f, p + end, n - end, m); /* a partial line */
		return n;
	}
	return end;
}

size_t pop3_framer_body_run(struct pop3_framer *f, const uint8_t *p, size_t n,
			    const struct seg_meta *m, struct pop3_body_run *r)
{
#ifdef HAVE_AVX2
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
		return body_run(f, p, n, m, r, scan_avx2);
#endif
#ifdef __SSE2__
	return body_run(f, p, n, m, r, scan_sse2);
#else
	return body_run(f, p, n, m, r, scan_portable);
#endif
}

static size_t body_run_portable(struct pop3_framer *f, const uint8_t *p, size_t n,
				const struct seg_meta *m, struct pop3_body_run *r)
{
	return body_run(f, p, n, m, r, scan_portable);
}

#ifdef __SSE2__
static size_t body_run_sse2(struct pop3_framer *f, const uint8_t *p, size_t n,
			    const struct seg_meta *m, struct pop3_body_run *r)
{
	return body_run(f, p, n, m, r, scan_sse2);
}
#endif

#ifdef HAVE_AVX2
static size_t body_run_avx2(struct pop3_framer *f, const uint8_t *p, size_t n,
			    const struct seg_meta *m, struct pop3_body_run *r)
{
	return body_run(f, p, n, m, r, scan_avx2);
}
#endif

/* With a note, as the file reader's thread makes one per packet: a call on
 * bytes that end the ones the last note was made for (what follows a '.'
 * line) uses that note, as pop3_feed's loop does with a packet's. The
 * bytes are copied, since a caller may reuse its buffer for other bytes.
 * For the tests only, hence the static state. */
static size_t body_run_noted(struct pop3_framer *f, const uint8_t *p, size_t n,
			     const struct seg_meta *m, struct pop3_body_run *r)
{
	static uint8_t *copy;
	static size_t cap;
	static struct pop3_payload_lines pl;
	if (!pl.data || n > pl.len || memcmp(copy + pl.len - n, p, n) != 0) {
		if (n > cap) {
			cap = n;
			copy = xrealloc(copy, cap);
		}
		if (n)
			memcpy(copy, p, n);
		payload_lines(&pl, copy, n, best_scan());
		pl.data = copy; /* even when no run was counted */
		pl.len = (uint32_t)n;
	}
	struct seg_meta mm = *m;
	mm.payload_note = &pl;
	size_t used = body_run(f, copy + pl.len - n, n, &mm, r, scan_portable);
	if (r->last_m.payload_note == &pl)
		r->last_m.payload_note = m->payload_note;
	if (f->in_line && f->start.payload_note == &pl)
		f->start.payload_note = m->payload_note;
	return used;
}

pop3_body_run_fn pop3_framer_body_run_variant(unsigned i, const char **name)
{
	static const struct {
		const char *name;
		pop3_body_run_fn fn;
	} v[] = {
		{ "portable", body_run_portable },
		{ "noted", body_run_noted },
#ifdef __SSE2__
		{ "sse2", body_run_sse2 },
#endif
#ifdef HAVE_AVX2
		{ "avx2", body_run_avx2 },
#endif
	};
	if (i >= sizeof(v) / sizeof(v[0]))
		return NULL;
#ifdef HAVE_AVX2
	if (v[i].fn == body_run_avx2 &&
	    !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi")))
		return NULL;
#endif
	*name = v[i].name;
	return v[i].fn;
}

bool pop3_framer_gap(struct pop3_framer *f, pop3_line_fn fn, void *obj, int dir)
{
	bool partial = f->in_line;
	if (partial) {
		f->in_line = false;
		struct pop3_line l = { f->buf, f->len, f->octets,
				       LINE_CUT | (f->octets > POP3_LINE_BUF ? LINE_TRUNC : 0), f->start };
		fn(obj, dir, &l);
	}
	f->len = 0;
	f->skip_to_lf = true;
	f->resumed_at_gap = false;
	return partial;
}

void pop3_framer_finish(struct pop3_framer *f, pop3_line_fn fn, void *obj, int dir)
{
	if (!f->in_line)
		return;
	f->in_line = false;
	struct pop3_line l = { f->buf, f->len, f->octets,
			       LINE_EOF | (f->octets > POP3_LINE_BUF ? LINE_TRUNC : 0), f->start };
	fn(obj, dir, &l);
}

void pop3_framer_fini(struct pop3_framer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
}
