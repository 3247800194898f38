/*
 * test_pop3_framer.c - CRLF line framing (src/pop3/pop3_framer.c).
 *
 * The same input must give the same lines however it is cut into runs:
 * whole, in two pieces at every offset, one byte at a time. Lines keep at
 * most POP3_LINE_BUF bytes with exact octet counts; gaps hand on the cut
 * line and resynchronise; the end of input flushes a partial line. The
 * body's fast path (pop3_framer_body_run) is test_pop3_body_run.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/pop3/pop3_framer.h"

/* What the framer handed on, one record per line. */
struct rec {
	char text[16384];   /* "<flags>|<octets>|<bytes>\n" per line */
	size_t len;
	int lines;
	struct pop3_line last;
	char last_bytes[POP3_LINE_BUF + 1];
	uint64_t first_frame[64];
};

static const char *flag_str(unsigned f)
{
	static char b[32];
	snprintf(b, sizeof(b), "%s%s%s%s%s", f & LINE_CRLF ? "C" : "", f & LINE_BARE_LF ? "L" : "",
		 f & LINE_TRUNC ? "T" : "", f & LINE_EOF ? "E" : "", f & LINE_CUT ? "X" : "");
	return b;
}

static void on_line(void *obj, int dir, const struct pop3_line *l)
{
	struct rec *r = obj;
	assert_int_equal(dir, 1);
	assert_true(l->len <= POP3_LINE_BUF);
	if (r->lines < 64)
		r->first_frame[r->lines] = l->m.frame;
	r->lines++;
	r->last = *l;
	memcpy(r->last_bytes, l->p, l->len);
	r->last_bytes[l->len] = '\0';
	r->last.p = r->last_bytes;
	if (l->len > 200) { /* keep the record short for long lines */
		r->len += (size_t)snprintf(r->text + r->len, sizeof(r->text) - r->len,
					   "%s|%llu|<%zu bytes>\n", flag_str(l->flags),
					   (unsigned long long)l->octets, l->len);
		return;
	}
	r->len += (size_t)snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s|%llu|%.*s\n",
				   flag_str(l->flags), (unsigned long long)l->octets, (int)l->len, l->p);
}

/* Resync: a line may start with '+' or '-'. */
static bool resync_pm(void *obj, int dir, const uint8_t *p, size_t n)
{
	(void)obj;
	(void)dir;
	return n > 0 && (p[0] == '+' || p[0] == '-');
}

struct fx {
	struct pop3_framer f;
	struct rec r;
	uint64_t frame;
};

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fx));
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	pop3_framer_fini(&x->f);
	free(x);
	return 0;
}

static void feed(struct fx *x, const void *p, size_t n)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->frame * 10 };
	pop3_framer_feed(&x->f, p, n, &m, on_line, resync_pm, &x->r, 1);
}

static void feed_s(struct fx *x, const char *s)
{
	feed(x, s, strlen(s));
}

static void finish(struct fx *x)
{
	pop3_framer_finish(&x->f, on_line, &x->r, 1);
}

static const char multi[] =
	"+OK 2 messages (320 octets)\r\n"
	"1 120\r\n"
	"\r\n"
	"bare lf\n"
	"..stuffed\r\n"
	"cr\rinside\r\n"
	".\r\n"
	"tail without end";

static const char multi_want[] =
	"C|29|+OK 2 messages (320 octets)\n"
	"C|7|1 120\n"
	"C|2|\n"
	"L|8|bare lf\n"
	"C|11|..stuffed\n"
	"C|11|cr\rinside\n"
	"C|3|.\n"
	"E|16|tail without end\n";

static void run_split(const char *in, size_t n, const size_t *cuts, size_t ncuts, char *out,
		      size_t outsz)
{
	struct fx *x = calloc(1, sizeof(*x));
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		feed(x, in + at, end - at);
		at = end;
	}
	finish(x);
	snprintf(out, outsz, "%s", x->r.text);
	pop3_framer_fini(&x->f);
	free(x);
}

static void test_whole_and_every_split(void **state)
{
	(void)state;
	size_t n = sizeof(multi) - 1;
	char out[4096];
	run_split(multi, n, NULL, 0, out, sizeof(out));
	assert_string_equal(out, multi_want);
	for (size_t cut = 0; cut <= n; cut++) {
		run_split(multi, n, &cut, 1, out, sizeof(out));
		if (strcmp(out, multi_want))
			print_error("split at %zu\n", cut);
		assert_string_equal(out, multi_want);
	}
	/* three pieces at every pair of offsets */
	for (size_t a = 0; a <= n; a += 3)
		for (size_t b = a; b <= n; b += 5) {
			size_t cuts[2] = { a, b };
			run_split(multi, n, cuts, 2, out, sizeof(out));
			assert_string_equal(out, multi_want);
		}
}

static void test_single_bytes(void **state)
{
	(void)state;
	size_t n = sizeof(multi) - 1;
	size_t cuts[sizeof(multi)];
	for (size_t i = 0; i < n; i++)
		cuts[i] = i + 1;
	char out[4096];
	run_split(multi, n, cuts, n - 1, out, sizeof(out));
	assert_string_equal(out, multi_want);
}

static void test_crlf_split_across_runs(void **state)
{
	struct fx *x = *state;
	feed_s(x, "abc\r");
	assert_int_equal(x->r.lines, 0);
	feed_s(x, "\nnext\r\n");
	assert_string_equal(x->r.text, "C|5|abc\nC|6|next\n");
	/* the line's meta is where it began */
	assert_int_equal(x->r.first_frame[0], 1);
	assert_int_equal(x->r.first_frame[1], 2);
}

static void test_empty_runs(void **state)
{
	struct fx *x = *state;
	feed(x, "", 0);
	feed_s(x, "ab");
	feed(x, "", 0);
	feed_s(x, "\n");
	assert_string_equal(x->r.text, "L|3|ab\n");
}

static void test_bare_lf(void **state)
{
	struct fx *x = *state;
	feed_s(x, "one\ntwo\r\n\n");
	assert_string_equal(x->r.text, "L|4|one\nC|5|two\nL|1|\n");
}

static void long_line(struct fx *x, size_t content, size_t chunk, const char *eol)
{
	char *buf = malloc(content + 2);
	memset(buf, 'x', content);
	buf[0] = 'A';
	memcpy(buf + content, eol, strlen(eol));
	size_t n = content + strlen(eol);
	for (size_t at = 0; at < n; at += chunk)
		feed(x, buf + at, at + chunk <= n ? chunk : n - at);
	free(buf);
}

static void test_overlong_line(void **state)
{
	static const size_t chunks[] = { 10242, 1, 7, 1000, 1024, 1025, 5000 };
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct fx *x = calloc(1, sizeof(*x));
		long_line(x, 10240, chunks[i], "\r\n");
		feed_s(x, "after\r\n");
		assert_int_equal(x->r.lines, 2);
		assert_string_equal(x->r.text, "CT|10242|<1024 bytes>\nC|7|after\n");
		pop3_framer_fini(&x->f);
		free(x);
	}
	(void)state;
}

static void test_line_at_the_limit(void **state)
{
	(void)state;
	/* 1023 octets of text + CRLF: kept whole */
	struct fx *x = calloc(1, sizeof(*x));
	long_line(x, POP3_LINE_BUF - 1, 4096, "\r\n");
	assert_string_equal(x->r.text, "C|1025|<1023 bytes>\n");
	pop3_framer_fini(&x->f);
	free(x);
	/* 1024 + bare LF: whole */
	x = calloc(1, sizeof(*x));
	long_line(x, POP3_LINE_BUF, 4096, "\n");
	assert_string_equal(x->r.text, "L|1025|<1024 bytes>\n");
	pop3_framer_fini(&x->f);
	free(x);
	/* 1025 + CRLF: truncated to 1024 */
	x = calloc(1, sizeof(*x));
	long_line(x, POP3_LINE_BUF + 1, 4096, "\r\n");
	assert_string_equal(x->r.text, "CT|1027|<1024 bytes>\n");
	pop3_framer_fini(&x->f);
	free(x);
}

/* 1024 octets of text + CRLF: every byte of the text is given, so no TRUNC. */
static void test_line_exactly_buf_crlf(void **state)
{
	(void)state;
	char got[2][64];
	for (int split = 0; split < 2; split++) {
		struct fx *x = calloc(1, sizeof(*x));
		long_line(x, POP3_LINE_BUF, split ? 100 : 4096, "\r\n");
		size_t n = strlen(x->r.text) < sizeof(got[split]) - 1 ? strlen(x->r.text)
								      : sizeof(got[split]) - 1;
		memcpy(got[split], x->r.text, n);
		got[split][n] = '\0';
		pop3_framer_fini(&x->f);
		free(x);
	}
	/* Was a bug: the CR counted as text when deciding LINE_TRUNC. */
	assert_string_equal(got[0], "C|1026|<1024 bytes>\n");
	assert_string_equal(got[1], "C|1026|<1024 bytes>\n");
}

static void test_eof_partial_line(void **state)
{
	struct fx *x = *state;
	feed_s(x, "+OK\r\npart");
	feed_s(x, "ial");
	finish(x);
	assert_string_equal(x->r.text, "C|5|+OK\nE|7|partial\n");
	assert_int_equal(x->r.first_frame[1], 1);
	finish(x); /* nothing more */
	assert_int_equal(x->r.lines, 2);
}

static void test_eof_nothing_pending(void **state)
{
	struct fx *x = *state;
	feed_s(x, "+OK\r\n");
	finish(x);
	assert_string_equal(x->r.text, "C|5|+OK\n");
}

/* A long partial line at the end: truncated and counted. */
static void test_eof_long_partial(void **state)
{
	struct fx *x = *state;
	char buf[3000];
	memset(buf, 'y', sizeof(buf));
	feed(x, buf, 1500);
	feed(x, buf, 1500);
	finish(x);
	assert_string_equal(x->r.text, "TE|3000|<1024 bytes>\n");
}

static void test_gap_cut_and_resync(void **state)
{
	struct fx *x = *state;
	feed_s(x, "+OK 1\r\n+OK par");
	assert_true(pop3_framer_gap(&x->f, on_line, &x->r, 1));
	assert_string_equal(x->r.text, "C|7|+OK 1\nX|7|+OK par\n");
	/* the next run starts mid-line: skipped to after the LF */
	feed_s(x, "tial rest\r\n+OK next\r\n");
	assert_string_equal(x->r.text, "C|7|+OK 1\nX|7|+OK par\nC|10|+OK next\n");
	assert_false(x->f.resumed_at_gap);
	/* a gap with no partial line; the next run starts with a status line */
	assert_false(pop3_framer_gap(&x->f, on_line, &x->r, 1));
	feed_s(x, "-ERR direct\r\n");
	assert_true(x->f.resumed_at_gap);
	assert_string_equal(x->r.text,
			    "C|7|+OK 1\nX|7|+OK par\nC|10|+OK next\nC|13|-ERR direct\n");
}

/* After a gap, runs with no LF are dropped until one has it. */
static void test_gap_skip_many_runs(void **state)
{
	struct fx *x = *state;
	assert_false(pop3_framer_gap(&x->f, on_line, &x->r, 1));
	feed_s(x, "xxxx");
	feed_s(x, "yyyy");
	feed_s(x, "zz\r");
	feed_s(x, "\n+OK back\r\n");
	assert_string_equal(x->r.text, "C|10|+OK back\n");
}

/* An over-long line cut by a gap is cut and truncated. */
static void test_gap_long_partial(void **state)
{
	struct fx *x = *state;
	char buf[2000];
	memset(buf, 'z', sizeof(buf));
	feed(x, buf, sizeof(buf));
	assert_true(pop3_framer_gap(&x->f, on_line, &x->r, 1));
	assert_string_equal(x->r.text, "TX|2000|<1024 bytes>\n");
	/* and the next line does not inherit any of it */
	feed_s(x, "+OK\r\n");
	assert_string_equal(x->r.text, "TX|2000|<1024 bytes>\nC|5|+OK\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_and_every_split),
		cmocka_unit_test(test_single_bytes),
		cmocka_unit_test_setup_teardown(test_crlf_split_across_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_lf, setup, teardown),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_line_at_the_limit),
		cmocka_unit_test(test_line_exactly_buf_crlf),
		cmocka_unit_test_setup_teardown(test_eof_partial_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof_nothing_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof_long_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_cut_and_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_skip_many_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_long_partial, setup, teardown),
	};
	return cmocka_run_group_tests_name("pop3_framer", tests, NULL, NULL);
}
