/*
 * report_transcript.c - the transcript the report keeps of each session:
 * one line per transaction, kept as compact records (txrec_put) while the
 * session is open and formatted only when printed, since most sessions are
 * never shown. The caps (lines per session, bytes in all) count each line
 * at the length it prints (line_len), so this file holds the line format,
 * its length without formatting, the record encoding and the printing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/*
 * A line built by appends (snprintf was most of the report's cost): the
 * text is cut at the end of the buffer, as snprintf would cut it. The
 * buffers below are sized so that only the flag list can reach the end.
 */
struct line {
	char *b;
	size_t len, cap; /* cap includes the NUL */
};

static void line_put(struct line *l, const char *s, size_t n)
{
	if (n > l->cap - 1 - l->len)
		n = l->cap - 1 - l->len;
	memcpy(l->b + l->len, s, n);
	l->len += n;
	l->b[l->len] = '\0';
}

static void line_str(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

static void line_u64(struct line *l, uint64_t v)
{
	char b[24], *p = b + sizeof b;
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	line_put(l, p, (size_t)(b + sizeof b - p));
}

/* Wire text, through sanitize_text straight into the line. */
static void line_san(struct line *l, const char *s)
{
	char *at = l->b + l->len;
	sanitize_text(at, l->cap - l->len, s);
	l->len += strlen(at);
}

#define LINE_BUF (SAN(POP3_ARGS_MAX) + SAN(POP3_TEXT_MAX) + 512)

/* The longest a line can be before its flags: "    frame " a/b, the time,
 * "C: " keyword args, "S: " status (at most "-ERR") text, the multiline
 * counts, each byte of wire text printed as 4. None of it is ever cut, so
 * a line's length is the sum of its parts (line_len). */
#define LINE_HEAD_MAX                                                                              \
	(10 + 41 + 1 + OUT_TIME_MAX + 2 + 3 + 4 * POP3_KEYWORD_MAX + 1 + 4 * POP3_ARGS_MAX + 2 + 3 + 4 + \
	 1 + 4 * POP3_TEXT_MAX + 3 + 20 + 8 + 20 + 23)
_Static_assert(LINE_HEAD_MAX < LINE_BUF, "a transcript line is cut only in its flags");

/*
 * What a transcript line shows of a transaction. Most sessions are never
 * shown (only the flagged ones, and clean ones with -v), and whether one
 * is is known at its close, so each line is kept as these fields and
 * formatted only when printed: formatting every line was most of the
 * report's cost. The caps still count each line at the length it prints.
 */
struct txview {
	uint64_t frame, frame2; /* frame2: the reply's, when both are shown */
	bool two;
	uint64_t ts;
	bool cmd, args, multiline, terminated;
	enum pop3_status status;
	uint64_t data_lines, data_octets;
	uint32_t flags;           /* the named bits only */
	const char *kw, *arg, *text; /* "" when not shown */
};

static void txview_of(const struct report *r, struct txview *v, const struct pop3_txn *t)
{
	v->two = t->req_frame && t->rep_frame && t->rep_frame != t->req_frame;
	v->frame = t->req_frame ? t->req_frame : t->rep_frame;
	v->frame2 = v->two ? t->rep_frame : 0;
	v->ts = t->req_ts_us ? t->req_ts_us : t->rep_ts_us;
	v->cmd = t->cmd != POP3_CMD_NONE;
	v->args = v->cmd && t->has_args;
	v->status = t->status;
	v->multiline = t->multiline;
	v->terminated = t->terminated;
	v->data_lines = t->multiline ? t->data_lines : 0;
	v->data_octets = t->multiline ? t->data_octets : 0;
	v->flags = t->flags & r->flag_known;
	v->kw = v->cmd ? t->keyword : "";
	v->arg = v->args ? t->args : "";
	v->text = t->status != POP3_ST_NONE ? t->text : "";
}

/* One transaction as one line: frame, time, C: command, S: status + first line. */
static size_t format_line(const struct report *r, char *buf, const struct txview *v)
{
	char tm[OUT_TIME_MAX];
	struct line l = { buf, 0, LINE_BUF };
	line_str(&l, "    frame ");
	line_u64(&l, v->frame);
	if (v->two) {
		line_put(&l, "/", 1);
		line_u64(&l, v->frame2);
	}
	while (l.len < 10 + 11) /* "%-11s" */
		line_put(&l, " ", 1);
	line_put(&l, " ", 1);
	report_fmt_time(r, tm, sizeof tm, v->ts, true);
	line_str(&l, tm);
	line_put(&l, "  ", 2);
	if (v->cmd) {
		line_put(&l, "C: ", 3);
		line_san(&l, v->kw);
		if (v->args) {
			line_put(&l, " ", 1);
			line_san(&l, v->arg);
		}
		line_put(&l, "  ", 2);
	}
	if (v->status == POP3_ST_NONE)
		line_str(&l, "S: (no reply)");
	else {
		line_put(&l, "S: ", 3);
		line_str(&l, pop3_status_str(v->status));
		if (v->text[0]) {
			line_put(&l, " ", 1);
			line_san(&l, v->text);
		}
	}
	if (v->multiline) {
		line_put(&l, "  (", 3);
		line_u64(&l, v->data_lines);
		line_put(&l, " lines, ", 8);
		line_u64(&l, v->data_octets);
		line_str(&l, v->terminated ? " octets)" : " octets, no terminator)");
	}
	if (v->flags) {
		bool first = true;
		for (uint32_t b = 1; b; b <<= 1) {
			const char *fn = (v->flags & b) ? pop3_txn_flag_name(b) : NULL;
			if (!fn || l.len + strlen(fn) + 4 >= LINE_BUF)
				continue;
			line_str(&l, first ? "  [" : ", ");
			line_str(&l, fn);
			first = false;
		}
		if (!first && l.len + 2 < LINE_BUF)
			line_put(&l, "]", 1);
	}
	return l.len;
}

/* Does any of the 8 bytes in x print as more than itself (< 0x20, '\\',
 * >= 0x7f)? Per byte, the high bit of x - 0x20 is set below 0x20, of
 * (x ^ '\\') - 1 at '\\', of x + 1 from 0x7f on, of x from 0x80 on; a
 * borrow or carry between bytes starts only at a byte that is flagged
 * anyway, so the answer is exact. */
static inline bool san_word_special(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t t = (x - ones * 0x20) | ((x ^ ones * '\\') - ones) | (x + ones) | x;
	return (t & ones * 0x80) != 0;
}

/* Is any of the n bytes of s (0 < n < 8) special? Two overlapping halves
 * read with fixed-size loads, padded with spaces. */
static inline bool san_short_special(const char *s, size_t n)
{
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return san_word_special(a | (uint64_t)b << 32);
	}
	if (n >= 2) {
		uint16_t a, b;
		memcpy(&a, s, 2);
		memcpy(&b, s + n - 2, 2);
		return san_word_special(a | (uint64_t)b << 16 | 0x2020202000000000u);
	}
	return san_word_special((unsigned char)*s | 0x2020202020202000u);
}

/* The length sanitize_text makes of the n bytes of s: nearly always n.
 * Whole words, the last one overlapping the one before. */
static size_t san_len(const char *s, size_t n)
{
	uint64_t x;
	if (n == 0)
		return 0;
	if (n < 8) {
		if (!san_short_special(s, n))
			return n;
	} else {
		size_t i = 0;
		for (; i + 8 < n; i += 8) {
			memcpy(&x, s + i, 8);
			if (san_word_special(x))
				goto slow;
		}
		memcpy(&x, s + n - 8, 8);
		if (!san_word_special(x))
			return n;
	}
slow:;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		m += c < 0x20 || c >= 0x7f ? 4 : c == '\\' ? 2 : 1;
	}
	return m;
}

/* The length format_line gives v, without formatting it (kw, arg and text
 * are kwn, argn and textn bytes long). */
static size_t line_len(const struct report *r, const struct txview *v, size_t kwn, size_t argn, size_t textn)
{
	size_t fl = v->two ? out_digits(v->frame) + 1 + out_digits(v->frame2) : out_digits(v->frame);
	size_t n = 10 + (fl < 11 ? 11 : fl) + 1;
	if (v->ts / 1000000 < (1ull << 40)) /* "HH:MM:SS.uuuuuu" (the date is not shown) */
		n += 15;
	else {
		char tm[OUT_TIME_MAX];
		report_fmt_time(r, tm, sizeof tm, v->ts, true);
		n += strlen(tm);
	}
	n += 2;
	if (v->cmd)
		n += 3 + san_len(v->kw, kwn) + (v->args ? 1 + san_len(v->arg, argn) : 0) + 2;
	if (v->status == POP3_ST_NONE)
		n += 13;
	else
		n += 3 + ((unsigned)v->status <= POP3_ST_BAD ? r->status_len[v->status] : strlen(pop3_status_str(v->status))) +
		     (textn ? 1 + san_len(v->text, textn) : 0);
	if (v->multiline)
		n += 3 + out_digits(v->data_lines) + 8 + out_digits(v->data_octets) + (v->terminated ? 8 : 23);
	if (v->flags) {
		bool first = true;
		for (unsigned i = 0; i < 32; i++) {
			size_t fn = r->flag_len[i];
			if (!(v->flags & (1u << i)) || n + fn + 4 >= LINE_BUF)
				continue;
			n += (first ? 3 : 2) + fn;
			first = false;
		}
		if (!first && n + 2 < LINE_BUF)
			n++;
	}
	return n;
}

/*
 * A kept line, as bytes: bits (TR_*), the status, the time (8 bytes), the
 * frame or frames, the multiline counts, the flags, then the keyword, args
 * and text that are shown, each with its NUL. Numbers are LEB128, never
 * longer than their decimal digits, so a record is never longer than its
 * line and newline: the caps bound the records as they bounded the text.
 */
enum { TR_TWO = 1, TR_CMD = 2, TR_ARGS = 4, TR_TEXT = 8, TR_MULTI = 16, TR_TERM = 32, TR_FLAGS = 64 };
#define TXREC_MAX (2 + 8 + 4 * 10 + 4 + POP3_KEYWORD_MAX + 1 + POP3_ARGS_MAX + 1 + POP3_TEXT_MAX + 1)

static uint8_t *put_var(uint8_t *o, uint64_t v)
{
	while (v >= 0x80) {
		*o++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*o++ = (uint8_t)v;
	return o;
}

static const uint8_t *get_var(const uint8_t *p, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned sh = 0;; sh += 7) {
		x |= (uint64_t)(*p & 0x7f) << sh;
		if (!(*p++ & 0x80))
			break;
	}
	*v = x;
	return p;
}

static uint8_t *put_text(uint8_t *o, const char *s, size_t n)
{
	memcpy(o, s, n + 1);
	return o + n + 1;
}

static size_t txrec_put(uint8_t *o0, const struct txview *v, size_t kwn, size_t argn, size_t textn)
{
	uint8_t *o = o0;
	/* an unknown status prints as ""; 255 is one that does too */
	unsigned st = (unsigned)v->status <= POP3_ST_BAD ? (unsigned)v->status : 255;
	*o++ = (uint8_t)((v->two ? TR_TWO : 0) | (v->cmd ? TR_CMD : 0) | (v->args ? TR_ARGS : 0) |
			 (textn ? TR_TEXT : 0) | (v->multiline ? TR_MULTI : 0) | (v->terminated ? TR_TERM : 0) |
			 (v->flags ? TR_FLAGS : 0));
	*o++ = (uint8_t)st;
	memcpy(o, &v->ts, 8);
	o = put_var(o + 8, v->frame);
	if (v->two)
		o = put_var(o, v->frame2);
	if (v->multiline) {
		o = put_var(o, v->data_lines);
		o = put_var(o, v->data_octets);
	}
	if (v->flags) {
		memcpy(o, &v->flags, 4);
		o += 4;
	}
	if (v->cmd)
		o = put_text(o, v->kw, kwn);
	if (v->args)
		o = put_text(o, v->arg, argn);
	if (textn)
		o = put_text(o, v->text, textn);
	return (size_t)(o - o0);
}

static const uint8_t *txrec_get(const uint8_t *p, struct txview *v)
{
	unsigned bits = *p++;
	v->status = *p == 255 ? (enum pop3_status)255 : (enum pop3_status)*p;
	p++;
	memcpy(&v->ts, p, 8);
	p = get_var(p + 8, &v->frame);
	v->two = bits & TR_TWO;
	v->frame2 = 0;
	if (v->two)
		p = get_var(p, &v->frame2);
	v->multiline = bits & TR_MULTI;
	v->terminated = bits & TR_TERM;
	v->data_lines = v->data_octets = 0;
	if (v->multiline) {
		p = get_var(p, &v->data_lines);
		p = get_var(p, &v->data_octets);
	}
	v->flags = 0;
	if (bits & TR_FLAGS) {
		memcpy(&v->flags, p, 4);
		p += 4;
	}
	v->cmd = bits & TR_CMD;
	v->args = bits & TR_ARGS;
	v->kw = v->arg = v->text = "";
	if (v->cmd) {
		v->kw = (const char *)p;
		p += strlen(v->kw) + 1;
	}
	if (v->args) {
		v->arg = (const char *)p;
		p += strlen(v->arg) + 1;
	}
	if (bits & TR_TEXT) {
		v->text = (const char *)p;
		p += strlen(v->text) + 1;
	}
	return p;
}

/* Keep a transaction for the transcript, if the caps let it. */
void report_txn_keep(struct report *r, struct rsess *s, const struct pop3_txn *t)
{
	if (s->tx_lines >= REPORT_TXN_LINES_MAX) {
		s->tx_more++;
		return;
	}
	struct txview v;
	txview_of(r, &v, t);
	size_t kwn = strlen(v.kw), argn = strlen(v.arg), textn = strlen(v.text);
	size_t len = line_len(r, &v, kwn, argn, textn);

	if (s->tx_len + len + 1 > s->tx_cap) {
		size_t cap = s->tx_cap ? s->tx_cap * 2 : 2048;
		while (s->tx_len + len + 1 > cap)
			cap *= 2;
		if (r->tx_total + (cap - s->tx_cap) > REPORT_TRANSCRIPT_TOTAL_MAX) {
			s->tx_more++;
			return;
		}
		r->tx_total += cap - s->tx_cap;
		s->tx_cap = cap;
	}
	/* Buffers of 1 KiB, doubling: never more than the text's 2 KiB,
	 * doubling, for records no longer than the lines. */
	uint8_t rec[TXREC_MAX];
	size_t rn = txrec_put(rec, &v, kwn, argn, textn);
	if (s->rec_len + rn > s->rec_cap) {
		size_t cap = s->rec_cap ? s->rec_cap * 2 : 1024;
		while (s->rec_len + rn > cap)
			cap *= 2;
		s->rec = xrealloc(s->rec, cap);
		s->rec_cap = cap;
	}
	memcpy(s->rec + s->rec_len, rec, rn);
	s->rec_len += rn;
	s->tx_len += len + 1;
	s->tx_lines++;
}

void report_print_transcript(const struct report *r, FILE *o, const struct rsess *s)
{
	if (!s->tx_len && !s->tx_more)
		return;
	fprintf(o, "  Transcript\n");
	for (const uint8_t *p = s->rec; p && p < s->rec + s->rec_len;) {
		char buf[LINE_BUF];
		struct txview v;
		p = txrec_get(p, &v);
		size_t n = format_line(r, buf, &v);
		buf[n] = '\n';
		fwrite(buf, 1, n + 1, o);
	}
	if (s->tx_more)
		fprintf(o, "    ... %" PRIu64 " more transaction%s not kept\n", s->tx_more, s->tx_more == 1 ? "" : "s");
}
