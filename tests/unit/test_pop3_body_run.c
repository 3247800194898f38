/*
 * test_pop3_body_run.c - a message body's fast path
 * (pop3_framer_body_run, src/pop3/pop3_framer.c) against the
 * line-at-a-time loop it replaced: nothing taken where a line must go
 * through the framer, every edge and position, the line buffer's limit,
 * random bodies, each variant (portable, SSE2, AVX2, noted); and
 * pop3_feed's fast path against the line path alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/rng.h"

#include "../../src/pop3/pop3_framer.h"

/* The framer's resync after a gap: a server line starts with '+' or '-'. */
static bool resync_at_status(void *obj, int dir, const uint8_t *p, size_t n)
{
	(void)obj, (void)dir;
	return n && (*p == '+' || *p == '-');
}

/* ---- pop3_framer_body_run against the line-at-a-time loop it replaced ---- */

/* The scalar loop pop3_framer_body_run was first written as (memchr per
 * line): every faster version must give the same length and counts. */
/* A run stops at a line that begins with '.', unless it is dot-stuffed
 * ("..") and not the run's first. */
static bool ref_dot_stop(const uint8_t *p, size_t n, size_t at)
{
	return p[at] == '.' && !(at > 0 && at + 1 < n && p[at + 1] == '.');
}

static size_t body_run_ref(const uint8_t *p, size_t n, struct pop3_body_run *r)
{
	memset(r, 0, sizeof(*r));
	size_t used = 0;
	while (used < n && !ref_dot_stop(p, n, used)) {
		const uint8_t *lf = memchr(p + used, '\n', n - used);
		if (!lf)
			break;
		size_t len = (size_t)(lf - (p + used)); /* without the LF */
		bool crlf = len && lf[-1] == '\r';
		r->lines++;
		r->octets += len + 1;
		r->bare_lf += !crlf;
		r->long_lines += len - crlf > POP3_LINE_BUF;
		r->stuffed += p[used] == '.';
		used += len + 1;
	}
	return used;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	return xorshift64(&rng_state);
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

typedef pop3_body_run_fn body_run_fn;

/* pop3_framer_body_run as the program calls it, and every variant this
 * machine can run (plain C, SSE2, AVX2). */
static struct {
	const char *name;
	body_run_fn fn;
} body_runs[8];
static size_t n_body_runs;

static void init_body_runs(void)
{
	body_runs[0].name = "pop3_framer_body_run";
	body_runs[0].fn = pop3_framer_body_run;
	n_body_runs = 1;
	const char *name;
	body_run_fn fn;
	while (n_body_runs < 8 && (fn = pop3_framer_body_run_variant((unsigned)n_body_runs - 1, &name))) {
		body_runs[n_body_runs].name = name;
		body_runs[n_body_runs].fn = fn;
		n_body_runs++;
	}
	assert_true(n_body_runs >= 2); /* at least the plain C one */
}

static void no_line(void *obj, int dir, const struct pop3_line *l)
{
	(void)obj;
	(void)dir;
	(void)l;
	fail_msg("a line was handed on");
}

static void dump(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", what, n);
	for (size_t k = 0; k < n && k < 300; k++)
		fprintf(stderr, " %02x", p[k]);
	fprintf(stderr, "%s\n", n > 300 ? " ..." : "");
}

/*
 * Every implementation on p[0..n) against the reference, after h[0..hn)
 * was held as a partial line (hn may be 0; h has no LF and does not begin
 * with '.'). The reference counts h and p as one run; what it leaves
 * without an LF must be held, and what it leaves at a '.' given back. p is
 * where the caller put it: the tests give each input a heap block of its
 * own size, so ASan sees any read before p or past p + n.
 */
static void check_run_at(const uint8_t *p, size_t n, const uint8_t *h, size_t hn)
{
	uint8_t *cat = malloc(hn + n + 1);
	assert_non_null(cat);
	if (hn)
		memcpy(cat, h, hn);
	if (n)
		memcpy(cat + hn, p, n);
	struct pop3_body_run want, got;
	size_t want_used = body_run_ref(cat, hn + n, &want);
	bool partial = want_used < hn + n && !ref_dot_stop(cat, hn + n, want_used);
	size_t tn = hn + n - want_used; /* the partial line */
	size_t want_took = partial ? n : want_used - hn;
	const struct seg_meta mh = { .frame = 7, .ts_us = 70 }, m = { .frame = 9, .ts_us = 90 };
	for (size_t i = 0; i < n_body_runs; i++) {
		struct pop3_framer f;
		memset(&f, 0, sizeof(f));
		if (hn)
			pop3_framer_feed(&f, h, hn, &mh, no_line, NULL, NULL, 1);
		memset(&got, 0xa5, sizeof(got)); /* every field must be written */
		size_t took = body_runs[i].fn(&f, p, n, &m, &got);
		const struct seg_meta *want_m = hn && want.lines == 1 ? &mh : &m;
		bool ok = took == want_took && got.lines == want.lines &&
			  got.octets == want.octets && got.bare_lf == want.bare_lf &&
			  got.long_lines == want.long_lines && got.stuffed == want.stuffed &&
			  f.in_line == partial &&
			  (!got.lines || (got.last_m.frame == want_m->frame &&
					  got.last_m.ts_us == want_m->ts_us));
		if (ok && partial) {
			const uint8_t *tail = cat + want_used;
			size_t kept = tn < POP3_LINE_BUF ? tn : POP3_LINE_BUF;
			const struct seg_meta *start = want_used == 0 && hn ? &mh : &m;
			ok = f.octets == tn && f.len == kept && !memcmp(f.buf, tail, kept) &&
			     f.last == (char)tail[tn - 1] && f.start.frame == start->frame;
		}
		if (!ok) {
			fprintf(stderr,
				"%s, held %zu, n %zu: took %zu lines %llu octets %llu bare %llu "
				"long %llu last_m %llu held %d/%llu; want %zu %llu %llu %llu %llu "
				"%llu %d/%zu\n",
				body_runs[i].name, hn, n, took, (unsigned long long)got.lines,
				(unsigned long long)got.octets, (unsigned long long)got.bare_lf,
				(unsigned long long)got.long_lines,
				(unsigned long long)got.last_m.frame, f.in_line,
				(unsigned long long)f.octets, want_took,
				(unsigned long long)want.lines, (unsigned long long)want.octets,
				(unsigned long long)want.bare_lf, (unsigned long long)want.long_lines,
				(unsigned long long)want_m->frame, partial, tn);
			dump("held", h, hn);
			dump("input", p, n);
			fail();
		}
		pop3_framer_fini(&f);
	}
	free(cat);
}

/* Partial lines held before a run: the LF that ends one may come first, a
 * CR may end it (CRLF across runs), it may be long already. */
static const char *const held_lines[] = { "", "x", "\r", "ab\r", "a\r\r" };
static char held_long[3][POP3_LINE_BUF + 2];

static void init_held_long(void)
{
	for (size_t i = 0; i < 3; i++) {
		memset(held_long[i], 'H', POP3_LINE_BUF - 1 + i);
		held_long[i][POP3_LINE_BUF - 1 + i] = '\0';
	}
	held_long[1][POP3_LINE_BUF - 1] = '\r';
}

/* The input alone in a heap block of exactly n bytes, with every held line
 * (all of them if `all_held`, else one chosen at random). */
static void check_run_held(const uint8_t *in, size_t n, bool all_held)
{
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	if (n)
		memcpy(p, in, n);
	size_t nh = sizeof(held_lines) / sizeof(held_lines[0]);
	for (size_t k = 0; k < nh + 3; k++) {
		if (!all_held && k && k != 1 + rnd_below(nh + 2))
			continue;
		const char *h = k < nh ? held_lines[k] : held_long[k - nh];
		check_run_at(p, n, (const uint8_t *)h, strlen(h));
	}
	free(p);
}

static void check_run(const uint8_t *in, size_t n)
{
	check_run_held(in, n, true);
}

/* The input `off` bytes into its block (misaligned), after bytes that would
 * change the result if they were taken as part of the run: a CR (an LF at
 * p[0] taken for CRLF), an LF (a '.' at p[0] taken for a stuffed line). */
static void check_run_misaligned(const uint8_t *in, size_t n, size_t off, uint8_t before)
{
	uint8_t *blk = malloc(off + n + 1);
	assert_non_null(blk);
	memset(blk, before, off);
	if (n)
		memcpy(blk + off, in, n);
	check_run_at(blk + off, n, NULL, 0);
	check_run_at(blk + off, n, (const uint8_t *)"ab", 2);
	free(blk);
}

static void test_body_run_nothing_taken(void **state)
{
	(void)state;
	static const char in[] = "abc\r\ndef\r\n";
	const struct seg_meta m = { .frame = 9, .ts_us = 90 };
	struct pop3_framer f;
	struct pop3_body_run r;
	for (size_t i = 0; i < n_body_runs; i++) {
		/* a held line that begins with '.': the line path decides */
		memset(&f, 0, sizeof(f));
		pop3_framer_feed(&f, (const uint8_t *)".x", 2, &m, no_line, NULL, NULL, 1);
		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(body_runs[i].fn(&f, (const uint8_t *)in, sizeof(in) - 1, &m, &r), 0);
		assert_int_equal(r.lines + r.octets + r.bare_lf + r.long_lines, 0);
		assert_true(f.in_line);
		assert_int_equal(f.octets, 2);
		pop3_framer_fini(&f);
		/* skipping after a gap */
		memset(&f, 0, sizeof(f));
		f.skip_to_lf = true;
		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(body_runs[i].fn(&f, (const uint8_t *)in, sizeof(in) - 1, &m, &r), 0);
		assert_int_equal(r.lines + r.octets + r.bare_lf + r.long_lines, 0);
		assert_true(f.skip_to_lf);
		/* an empty run */
		memset(&f, 0, sizeof(f));
		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(body_runs[i].fn(&f, (const uint8_t *)in, 0, &m, &r), 0);
		assert_int_equal(r.lines + r.octets + r.bare_lf + r.long_lines, 0);
		assert_false(f.in_line);
	}
}

static void test_body_run_edges(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"", ".", "\n", "\r", "\r\n", ".\r\n", "a", "a\n", "a\r\n", "\n\n", "\n.", "\n.\r\n",
		"\r\n.", "\r\n\r\n", "\r\r\n", "\n\r\n", "abc\r\n.\r\n", "abc\r\n..x\r\n",
		"abc\r\ndef", "abc\r\ndef\r", "abc\r\ndef\r\n", "abc\ndef\n", "x\r\ry\n", ".abc\r\n",
		"a\r\nb\r\nc\r\n.", "\r\n\n\r\n\n.",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_run((const uint8_t *)cases[i], strlen(cases[i]));
		for (size_t off = 1; off < 20; off++) {
			check_run_misaligned((const uint8_t *)cases[i], strlen(cases[i]), off, '\r');
			check_run_misaligned((const uint8_t *)cases[i], strlen(cases[i]), off, '\n');
		}
	}
}

/* Every input of up to 8 bytes over the bytes that matter and one that
 * does not. */
static void test_body_run_all_short(void **state)
{
	(void)state;
	static const uint8_t sym[4] = { 'a', '\r', '\n', '.' };
	uint8_t in[8];
	for (size_t n = 0; n <= 8; n++) {
		size_t total = (size_t)1 << (2 * n);
		for (size_t v = 0; v < total; v++) {
			for (size_t k = 0; k < n; k++)
				in[k] = sym[(v >> (2 * k)) & 3];
			check_run(in, n);
		}
	}
}

/* One LF at every position of runs up to 200 bytes long, alone, after a
 * CR, before a '.', and a CR just before the run's end: the LF or CR at
 * the last byte of a 16 or 64 byte block and at the first of the next. */
static void test_body_run_every_position(void **state)
{
	(void)state;
	uint8_t in[200];
	for (size_t n = 1; n <= sizeof(in); n++) {
		for (size_t k = 0; k < n; k++) {
			for (int v = 0; v < 8; v++) {
				memset(in, 'x', n);
				in[k] = '\n';
				if ((v & 1) && k > 0)
					in[k - 1] = '\r';
				if ((v & 2) && k + 1 < n)
					in[k + 1] = '.';
				if ((v & 4) && k + 2 < n)
					in[n - 1] = '\r';
				check_run(in, n);
			}
		}
	}
}

/* Lines of POP3_LINE_BUF-2 .. POP3_LINE_BUF+2 content bytes, CRLF or bare
 * LF, starting at every offset of a 64 byte block, between short lines. */
static void test_body_run_line_buf_limit(void **state)
{
	(void)state;
	static uint8_t in[3 * POP3_LINE_BUF];
	for (size_t pre = 0; pre < 70; pre++) {
		for (size_t content = POP3_LINE_BUF - 2; content <= POP3_LINE_BUF + 2; content++) {
			for (int crlf = 0; crlf < 2; crlf++) {
				size_t n = 0;
				if (pre) { /* a line of pre bytes before it */
					memset(in, 'p', pre);
					n = pre;
					in[n - 1] = '\n';
				}
				memset(in + n, 'L', content);
				n += content;
				if (crlf)
					in[n - 1] = '\r'; /* the CR is part of the content count */
				in[n++] = '\n';
				memcpy(in + n, "ok\r\n", 4);
				n += 4;
				for (size_t cut = n - 6; cut <= n; cut++)
					check_run(in, cut);
				check_run_misaligned(in, n, pre % 16 + 1, '\n');
			}
		}
	}
}

/* A run of random lines: CRLF, bare LF, CR alone inside, empty, long, and
 * now and then one beginning with '.'. */
static size_t random_lines(uint8_t *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap) {
		size_t len;
		switch (rnd_below(8)) {
		case 0: len = 0; break;
		case 1: len = rnd_below(4); break;
		case 2: len = POP3_LINE_BUF - 3 + rnd_below(7); break;
		case 3: len = rnd_below(2101); break;
		default: len = rnd_below(140); break;
		}
		for (size_t k = 0; k < len && n < cap; k++) {
			unsigned c = (unsigned)rnd_below(64);
			buf[n++] = c == 0 ? '\r' : c == 1 ? '.' : c == 2 ? '\n' : (uint8_t)('A' + c % 26);
		}
		if (n < cap && rnd_below(40) == 0)
			buf[n++] = '.';
		unsigned end = (unsigned)rnd_below(10);
		if (end < 7 && n < cap)
			buf[n++] = '\r';
		if (end != 8 && n < cap)
			buf[n++] = '\n';
		if (n < cap && rnd_below(30) == 0)
			buf[n++] = '.';
	}
	return n;
}

static void test_body_run_random(void **state)
{
	(void)state;
	enum { CAP = 40000 };
	uint8_t *buf = malloc(CAP);
	assert_non_null(buf);
	for (int round = 0; round < 200; round++) {
		size_t total = random_lines(buf, CAP);
		for (int k = 0; k < 40; k++) {
			size_t at = rnd_below(total);
			size_t n = rnd_below(k < 20 ? 300 : total - at + 1);
			if (n > total - at)
				n = total - at;
			check_run_held(buf + at, n, false);
			check_run_misaligned(buf + at, n, 1 + rnd_below(63),
					     rnd_below(2) ? '\r' : '\n');
		}
	}
	free(buf);
}

/* ---- the fast path of pop3_feed against the line path alone ---- */

/* What a body would be made of: body lines summed, where the last one began,
 * and a record of every other line ('.' lines, lines cut by a gap or the
 * end) in order. */
struct tally {
	uint64_t lines, octets, bare_lf, long_lines, last_frame, stuffed;
	char log[65536];
	size_t loglen;
};

static void tally_line(void *obj, int dir, const struct pop3_line *l)
{
	struct tally *t = obj;
	(void)dir;
	bool stuffed = l->len > 1 && l->p[0] == '.' && l->p[1] == '.';
	if ((l->len && l->p[0] == '.' && !stuffed) || (l->flags & (LINE_EOF | LINE_CUT))) {
		if (t->loglen < sizeof(t->log) - 100)
			t->loglen += (size_t)snprintf(t->log + t->loglen, sizeof(t->log) - t->loglen,
						      "%x|%llu|%zu|%.*s|%llu\n", l->flags,
						      (unsigned long long)l->octets, l->len,
						      (int)(l->len < 8 ? l->len : 8), l->p,
						      (unsigned long long)l->m.frame);
		return;
	}
	t->lines++;
	t->octets += l->octets - stuffed; /* as server_body counts a message */
	t->stuffed += stuffed;
	t->bare_lf += (l->flags & LINE_BARE_LF) != 0;
	t->long_lines += (l->flags & LINE_TRUNC) != 0;
	t->last_frame = l->m.frame;
}

/* pop3_feed's loop: the runs of lines counted at once, what stopped them
 * one line at a time through pop3_framer_feed. */
static void feed_fast(struct pop3_framer *f, body_run_fn fn, const uint8_t *p, size_t n,
		      const struct seg_meta *m, struct tally *t)
{
	while (n > 0) {
		struct pop3_body_run r;
		size_t used = fn(f, p, n, m, &r);
		if (r.lines) {
			t->lines += r.lines;
			t->octets += r.octets - r.stuffed; /* as pop3_feed does */
			t->stuffed += r.stuffed;
			t->bare_lf += r.bare_lf;
			t->long_lines += r.long_lines;
			t->last_frame = r.last_m.frame;
		}
		p += used;
		n -= used;
		if (n == 0)
			break;
		const uint8_t *lf = memchr(p, '\n', n);
		size_t one = lf ? (size_t)(lf + 1 - p) : n;
		pop3_framer_feed(f, p, one, m, tally_line, resync_at_status, t, 1);
		p += one;
		n -= one;
	}
}

static void check_tally(const struct tally *a, const struct tally *b, const char *name)
{
	if (a->lines != b->lines || a->octets != b->octets || a->bare_lf != b->bare_lf ||
	    a->stuffed != b->stuffed ||
	    a->long_lines != b->long_lines || a->last_frame != b->last_frame ||
	    a->loglen != b->loglen || memcmp(a->log, b->log, a->loglen)) {
		fprintf(stderr,
			"%s: lines %llu/%llu octets %llu/%llu bare %llu/%llu long %llu/%llu "
			"last frame %llu/%llu\nline path log:\n%s\nfast path log:\n%s\n",
			name, (unsigned long long)a->lines, (unsigned long long)b->lines,
			(unsigned long long)a->octets, (unsigned long long)b->octets,
			(unsigned long long)a->bare_lf, (unsigned long long)b->bare_lf,
			(unsigned long long)a->long_lines, (unsigned long long)b->long_lines,
			(unsigned long long)a->last_frame, (unsigned long long)b->last_frame,
			a->log, b->log);
		fail();
	}
}

/* Random bodies cut into random runs (single bytes to whole kilobytes), now
 * and then a gap: the fast path must hand on and count exactly what the
 * line path does, including where the last body line began. */
static void test_fast_path_same_as_line_path(void **state)
{
	(void)state;
	enum { CAP = 60000 };
	uint8_t *buf = malloc(CAP);
	struct tally *line = malloc(sizeof(*line)), *fast = malloc(sizeof(*fast));
	assert_non_null(buf);
	assert_non_null(line);
	assert_non_null(fast);
	for (int round = 0; round < 300; round++) {
		size_t total = random_lines(buf, 1 + rnd_below(CAP));
		unsigned style = (unsigned)rnd_below(4);
		for (size_t i = 0; i < n_body_runs; i++) {
			uint64_t saved = rng_state; /* the same cuts for both paths */
			struct pop3_framer fl, ff;
			memset(&fl, 0, sizeof(fl));
			memset(&ff, 0, sizeof(ff));
			memset(line, 0, sizeof(*line));
			memset(fast, 0, sizeof(*fast));
			uint64_t frame = 0;
			for (size_t at = 0; at < total;) {
				size_t len = style == 0   ? 1 + rnd_below(3)
					     : style == 1 ? 1 + rnd_below(100)
							  : 1 + rnd_below(3000);
				if (len > total - at)
					len = total - at;
				/* a run in a heap block of its own, as ASan sees it */
				uint8_t *run = malloc(len);
				assert_non_null(run);
				memcpy(run, buf + at, len);
				struct seg_meta m = { .frame = ++frame, .ts_us = frame * 10 };
				pop3_framer_feed(&fl, run, len, &m, tally_line, resync_at_status, line, 1);
				feed_fast(&ff, body_runs[i].fn, run, len, &m, fast);
				free(run);
				at += len;
				if (style == 3 && rnd_below(20) == 0) {
					assert_int_equal(pop3_framer_gap(&fl, tally_line, line, 1),
							 pop3_framer_gap(&ff, tally_line, fast, 1));
					at += rnd_below(200);
				}
			}
			pop3_framer_finish(&fl, tally_line, line, 1);
			pop3_framer_finish(&ff, tally_line, fast, 1);
			check_tally(line, fast, body_runs[i].name);
			pop3_framer_fini(&fl);
			pop3_framer_fini(&ff);
			if (i + 1 < n_body_runs)
				rng_state = saved;
		}
	}
	free(buf);
	free(line);
	free(fast);
}

int main(void)
{
	init_held_long();
	init_body_runs();
	for (size_t i = 0; i < n_body_runs; i++)
		printf("body run variant: %s\n", body_runs[i].name);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_run_nothing_taken),
		cmocka_unit_test(test_body_run_edges),
		cmocka_unit_test(test_body_run_all_short),
		cmocka_unit_test(test_body_run_every_position),
		cmocka_unit_test(test_body_run_line_buf_limit),
		cmocka_unit_test(test_body_run_random),
		cmocka_unit_test(test_fast_path_same_as_line_path),
	};
	return cmocka_run_group_tests_name("pop3_body_run", tests, NULL, NULL);
}
