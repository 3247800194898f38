/*
 * report.c - the text report: a summary of the whole run, written once at
 * finish, read top-down by a person. Same input, same bytes: sessions are
 * listed by id (order of their first packet), names sorted, nothing from
 * the wall clock.
 *
 *   summary   captures, frames, sessions, flagged sessions by rule,
 *             servers and accounts involved, capture anomalies
 *   flagged   per session: endpoints, user, times, how it ended, findings
 *             with evidence, RFC and client symptom, then the transcript
 *   clean     one line per session (-v: with its transcript)
 *
 * Memory is bounded per session and overall: the transcript of an open
 * session is kept (REPORT_TXN_LINES_MAX lines per session, their text
 * REPORT_TRANSCRIPT_TOTAL_MAX bytes in all, the rest counted), and is
 * dropped at close unless the session is flagged (or -v). Flagged sessions beyond
 * REPORT_FLAGGED_FULL_MAX and clean ones beyond REPORT_CLEAN_MAX are
 * summarised by count. Wire text goes through sanitize_text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_common.h"
#include "sinks.h"
#include "util.h"

#define REPORT_TXN_LINES_MAX 500                        /* transcript lines per session */
#define REPORT_TRANSCRIPT_TOTAL_MAX (8u * 1024u * 1024u)  /* bytes of transcript held: the process stays under 64 MiB */
#define REPORT_FINDINGS_MAX 32                          /* findings kept per session */
#define REPORT_FLAGGED_FULL_MAX 1000                    /* flagged sessions shown in full */
#define REPORT_CLEAN_MAX 1000                           /* clean sessions listed */
#define REPORT_CLEAN_FULL_MAX 200                       /* -v: clean transcripts shown */
#define REPORT_NAMES_MAX 1000                           /* distinct servers/accounts counted */
#define REPORT_NAMES_SHOWN 20                           /* ... of which listed */
#define SAN(n) (4 * (n) + 1)                            /* sanitize_text worst case */

struct rsess {
	uint64_t id;
	const char *source;     /* the report's (shared_source) */
	const char *sensor;     /* read from a stream: the sensor's name (shared_source); NULL: none */
	uint8_t ipver;
	char cli[ADDR_STR_MAX], srv[ADDR_STR_MAX];
	uint16_t cport, sport;
	char community_id[64];
	char *user;             /* owned, never NULL: sized to the text (a SYN flood */
	char *banner;           /* must not cost a kilobyte per session) */
	char *tunnel;           /* "vxlan 192.0.2.1 -> 192.0.2.2 id 100"; NULL: none */
	enum pop3_state state;
	bool tls, midstream, flagged, closed;
	bool by_content;        /* found by its content on a port not watched */
	bool brief;             /* listed on one line: details dropped at a cap */
	uint64_t start_ts, last_ts, first_frame, last_frame, txns;
	uint64_t pkts[2], bytes[2];
	unsigned nfind[3];
	uint64_t rules_hit;
	enum flow_end end;

	/* The transcript: its lines' fields (txrec_put), formatted when
	 * printed. tx_len and tx_cap are what the lines would take as text,
	 * and are what the caps count. */
	uint8_t *rec;
	size_t rec_len, rec_cap;
	size_t tx_len, tx_cap;
	uint32_t tx_lines;
	uint64_t tx_more;       /* transactions not kept (caps) */
	struct finding *f;
	unsigned nf;
	uint64_t f_more;
};

struct name_count {
	char *name;
	uint64_t n;
};

struct names {
	struct name_count *v;
	size_t n;
	uint64_t other; /* sessions whose name did not fit */
};

struct report {
	FILE *out;
	struct report_opts o;
	struct idmap open;          /* id -> struct rsess */
	struct rsess **flagged;
	size_t nflagged, capflagged;
	struct rsess **clean;
	size_t nclean, capclean;
	uint64_t flagged_more;      /* flagged sessions not listed at all */
	uint64_t clean_more;        /* clean sessions not listed */
	uint64_t filtered_out;
	uint64_t sessions, sessions_flagged;
	uint64_t not_pop3, by_content; /* of sessions: ended not_pop3; found by content */
	uint64_t findings[3];
	uint64_t rule_sessions[R__COUNT];
	int rule_worst[R__COUNT];   /* worst severity a finding of the rule had, -1 none */
	struct names servers, accounts;
	size_t tx_total;            /* transcript bytes held (as text) */
	char **srcnames;            /* the sessions' source names, one copy each */
	size_t nsrcnames;
	uint32_t flag_known;        /* the POP3_TF_* bits that have a name */
	uint8_t flag_len[32];       /* ... and the length of each name */
	uint8_t status_len[POP3_ST_BAD + 1]; /* of each pop3_status_str */
	uint64_t first_ts, last_ts;
	bool have_stats;
	struct ev_stats stats;      /* the last (final) stats event; .source not kept */
};

/* ---- per-session records ---- */

static char empty_str[1];

static void str_free(char *p)
{
	if (p != empty_str)
		free(p);
}

static void rsess_free(struct report *r, struct rsess *s)
{
	if (!s)
		return;
	r->tx_total -= s->tx_cap;
	free(s->rec);
	free(s->f);
	str_free(s->user);
	str_free(s->banner);
	free(s->tunnel);
	free(s);
}

/* Keep *dst equal to src, reallocating only when it changed; "" is
 * empty_str, shared (most sessions start with neither user nor banner). */
static void set_str(char **dst, const char *src)
{
	if (*dst && !strcmp(*dst, src))
		return;
	str_free(*dst);
	*dst = src[0] ? xstrdup(src) : empty_str;
}

/* The session's source name, shared by the sessions of one capture file:
 * a copy per session was a malloc and a free each. */
static const char *shared_source(struct report *r, const char *src)
{
	if (!src)
		src = "";
	for (size_t i = r->nsrcnames; i-- > 0;)
		if (!strcmp(r->srcnames[i], src))
			return r->srcnames[i];
	r->srcnames = xrealloc(r->srcnames, (r->nsrcnames + 1) * sizeof *r->srcnames);
	r->srcnames[r->nsrcnames] = xstrdup(src);
	return r->srcnames[r->nsrcnames++];
}

static void rsess_drop_detail(struct report *r, struct rsess *s, bool findings_too)
{
	r->tx_total -= s->tx_cap;
	free(s->rec);
	s->rec = NULL;
	s->rec_len = s->rec_cap = 0;
	s->tx_len = s->tx_cap = 0;
	if (findings_too) {
		free(s->f);
		s->f = NULL;
		s->nf = 0;
		s->brief = true;
	}
}

/* The tunnel a session came through, as one line's text (our own names and
 * formatted addresses: nothing from the wire to sanitise). */
static char *tunnel_text(const struct ev_tunnel *t)
{
	char buf[sizeof t->type + 2 * ADDR_STR_MAX + 32];
	size_t o = (size_t)snprintf(buf, sizeof buf, "%s", t->type);
	if (t->src[0] && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, " %s -> %s", t->src, t->dst);
	if (t->has_id && o < sizeof buf)
		snprintf(buf + o, sizeof buf - o, " id %" PRIu32, t->id);
	return xstrdup(buf);
}

/* `names`: the user and banner may have changed (not every transaction can
 * change them, and comparing them on each was a visible share of a run). */
static struct rsess *rsess_get(struct report *r, const struct ev_session *e, bool names)
{
	struct rsess *s = idmap_get(&r->open, e->id);
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->id = e->id;
		s->source = shared_source(r, e->source);
		if (e->sensor[0])
			s->sensor = shared_source(r, e->sensor);
		idmap_put(&r->open, e->id, s);
		names = true;
		if (e->tunnel.depth)
			s->tunnel = tunnel_text(&e->tunnel);
	}
	s->ipver = e->ipver;
	memcpy(s->cli, e->cli, sizeof s->cli);
	memcpy(s->srv, e->srv, sizeof s->srv);
	_Static_assert(sizeof s->community_id == sizeof e->community_id, "community id: same size");
	memcpy(s->community_id, e->community_id, sizeof s->community_id);
	s->cli[sizeof s->cli - 1] = s->srv[sizeof s->srv - 1] = '\0';
	s->community_id[sizeof s->community_id - 1] = '\0';
	s->cport = e->cport;
	s->sport = e->sport;
	if (names) {
		set_str(&s->user, e->pop3.user);
		set_str(&s->banner, e->pop3.banner);
	}
	s->state = e->pop3.state;
	s->tls = e->pop3.tls;
	s->midstream = e->midstream;
	s->by_content = e->by_content;
	s->flagged = e->flagged;
	s->start_ts = e->start_ts;
	s->last_ts = e->last_ts;
	s->first_frame = e->first_frame;
	s->last_frame = e->last_frame;
	s->txns = e->txns;
	memcpy(s->pkts, e->pkts, sizeof s->pkts);
	memcpy(s->bytes, e->bytes, sizeof s->bytes);
	memcpy(s->nfind, e->findings, sizeof s->nfind);
	s->rules_hit = e->rules_hit;
	s->end = e->end;
	return s;
}

static void fmt_time(const struct report *r, char *b, size_t n, uint64_t ts, bool clock)
{
	enum out_time_style st = clock ? (r->o.localtime ? OUT_TIME_CLOCK_LOCAL : OUT_TIME_CLOCK_UTC)
				       : (r->o.localtime ? OUT_TIME_LOCAL : OUT_TIME_UTC);
	out_fmt_time(b, n, ts, st);
}

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
	fmt_time(r, tm, sizeof tm, v->ts, true);
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
			const char *fn = (v->flags & b) ? out_txn_flag_name(b) : NULL;
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
		fmt_time(r, tm, sizeof tm, v->ts, true);
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
static void txn_keep(struct report *r, struct rsess *s, const struct pop3_txn *t)
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

static void names_add(struct names *ns, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i].name, name)) {
			ns->v[i].n++;
			return;
		}
	if (ns->n >= REPORT_NAMES_MAX) {
		ns->other++;
		return;
	}
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof *ns->v);
	ns->v[ns->n].name = xstrdup(name);
	ns->v[ns->n].n = 1;
	ns->n++;
}

static void push(struct rsess ***v, size_t *n, size_t *cap, struct rsess *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = s;
}

static void endpoint(char *b, size_t n, uint8_t ipver, const char *addr, uint16_t port)
{
	if (ipver == 6)
		snprintf(b, n, "[%s]:%u", addr, port);
	else
		snprintf(b, n, "%s:%u", addr, port);
}

/* Does the session, as last seen, pass the report's filter? */
static bool rsess_pass(const struct report *r, const struct rsess *s)
{
	struct ev_session e;
	memset(&e, 0, sizeof e);
	strlcpy_safe(e.pop3.user, s->user, sizeof e.pop3.user);
	e.ipver = s->ipver;
	memcpy(e.srv, s->srv, sizeof e.srv);
	e.sport = s->sport;
	e.flagged = s->flagged;
	e.rules_hit = s->rules_hit;
	return sink_filter_pass(&r->o.filter, &e);
}

/* The session is over (closed, or open at the end): keep what the report shows. */
static void session_done(struct report *r, struct rsess *s)
{
	idmap_del(&r->open, s->id);
	r->sessions++;
	r->not_pop3 += s->end == FLOW_END_NOT_POP3;
	r->by_content += s->by_content;
	for (int i = 0; i < R__COUNT && i < 64; i++)
		if (s->rules_hit & (1ull << i))
			r->rule_sessions[i]++;
	if (s->flagged) {
		char srv[ADDR_STR_MAX + 16], acct[SAN(POP3_ARGS_MAX) + ADDR_STR_MAX + 8], u[SAN(POP3_ARGS_MAX)];
		r->sessions_flagged++;
		endpoint(srv, sizeof srv, s->ipver, s->srv, s->sport);
		names_add(&r->servers, srv);
		sanitize_text(u, sizeof u, s->user[0] ? s->user : "(no user seen)");
		snprintf(acct, sizeof acct, "%s @ %s", u, s->srv);
		names_add(&r->accounts, acct);
	}
	if (!rsess_pass(r, s)) {
		r->filtered_out++;
		rsess_free(r, s);
		return;
	}
	if (s->flagged) {
		if (r->nflagged >= REPORT_FLAGGED_FULL_MAX + REPORT_CLEAN_MAX) {
			r->flagged_more++;
			rsess_free(r, s);
			return;
		}
		if (r->nflagged >= REPORT_FLAGGED_FULL_MAX)
			rsess_drop_detail(r, s, true);
		push(&r->flagged, &r->nflagged, &r->capflagged, s);
		return;
	}
	if (r->nclean >= REPORT_CLEAN_MAX) {
		r->clean_more++;
		rsess_free(r, s);
		return;
	}
	if (!r->o.verbose || r->nclean >= REPORT_CLEAN_FULL_MAX)
		rsess_drop_detail(r, s, true);
	push(&r->clean, &r->nclean, &r->capclean, s);
}

static void report_event(void *self, const struct event *e)
{
	struct report *r = self;
	if (e->ts_us) {
		if (!r->first_ts || e->ts_us < r->first_ts)
			r->first_ts = e->ts_us;
		if (e->ts_us > r->last_ts)
			r->last_ts = e->ts_us;
	}
	if (e->type == EV_STATS) {
		if (e->stats) {
			r->stats = *e->stats;
			/* the span of the frames, not only of the sessions */
			if (e->stats->first_ts_us && (!r->first_ts || e->stats->first_ts_us < r->first_ts))
				r->first_ts = e->stats->first_ts_us;
			r->stats.source = NULL;
			r->have_stats = true;
		}
		return;
	}
	if (!e->sess)
		return;
	if (e->sess->start_ts && (!r->first_ts || e->sess->start_ts < r->first_ts))
		r->first_ts = e->sess->start_ts;
	/* The banner comes with the greeting (no command), the user with
	 * USER/PASS/APOP/AUTH; every other event type may carry either. */
	bool names = e->type != EV_TXN || !e->txn || e->txn->cmd == POP3_CMD_NONE ||
		     e->txn->cmd == POP3_CMD_USER || e->txn->cmd == POP3_CMD_PASS ||
		     e->txn->cmd == POP3_CMD_APOP || e->txn->cmd == POP3_CMD_AUTH;
	struct rsess *s = rsess_get(r, e->sess, names);
	switch (e->type) {
	case EV_TXN:
		if (e->txn)
			txn_keep(r, s, e->txn);
		break;
	case EV_FINDING:
		if (!e->finding)
			break;
		if ((unsigned)e->finding->sev < 3)
			r->findings[e->finding->sev]++;
		if ((unsigned)e->finding->rule < R__COUNT && (int)e->finding->sev > r->rule_worst[e->finding->rule])
			r->rule_worst[e->finding->rule] = (int)e->finding->sev;
		if (s->nf >= REPORT_FINDINGS_MAX) {
			s->f_more++;
			break;
		}
		s->f = xrealloc(s->f, (s->nf + 1) * sizeof *s->f);
		s->f[s->nf++] = *e->finding;
		break;
	case EV_SESSION_CLOSE:
		s->closed = true;
		session_done(r, s);
		break;
	default:
		break;
	}
}

/* ---- rendering ---- */

static int by_id(const void *a, const void *b)
{
	const struct rsess *x = *(struct rsess *const *)a, *y = *(struct rsess *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_count(const void *a, const void *b)
{
	const struct name_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void print_names(FILE *o, const char *title, struct names *ns)
{
	if (ns->n == 0)
		return;
	qsort(ns->v, ns->n, sizeof *ns->v, by_count);
	fprintf(o, "\n%s\n", title);
	for (size_t i = 0; i < ns->n && i < REPORT_NAMES_SHOWN; i++)
		fprintf(o, "  %-44s %" PRIu64 " session%s\n", ns->v[i].name, ns->v[i].n, ns->v[i].n == 1 ? "" : "s");
	if (ns->n > REPORT_NAMES_SHOWN || ns->other) {
		uint64_t rest = ns->other;
		for (size_t i = REPORT_NAMES_SHOWN; i < ns->n; i++)
			rest += ns->v[i].n;
		fprintf(o, "  ... and %" PRIu64 " more session%s elsewhere\n", rest, rest == 1 ? "" : "s");
	}
}

static void anomaly(FILE *o, bool *any, const char *what, uint64_t n, const char *why)
{
	if (!n)
		return;
	if (!*any)
		fprintf(o, "\nCapture anomalies\n");
	*any = true;
	fprintf(o, "  %-30s %10" PRIu64 "  %s\n", what, n, why);
}

static void print_anomalies(const struct report *r, FILE *o)
{
	const struct ev_stats *st = &r->stats;
	bool any = false;
	if (!r->have_stats)
		return;
	if (st->src.have_kernel_stats) {
		anomaly(o, &any, "kernel drops", st->src.kernel_drops, "packets the kernel dropped: sessions may have gaps");
		anomaly(o, &any, "interface drops", st->src.iface_drops, "packets the interface dropped");
	}
	for (int i = 0; i < DEC__COUNT; i++) {
		if (i == DEC_OK || i == DEC_NOT_IP || i == DEC_NOT_TCP || DEC_IS_TUNNEL_LAYER(i))
			continue; /* other traffic, tunnels decoded: nothing wrong */
		char what[64];
		snprintf(what, sizeof what, "decode %s", decode_reason_name((enum decode_reason)i));
		anomaly(o, &any, what, st->dec.count[i], decode_reason_desc((enum decode_reason)i));
	}
	anomaly(o, &any, "tcp gaps", st->reasm.gaps, "holes in a stream (bytes never seen)");
	anomaly(o, &any, "tcp gap bytes", st->reasm.gap_bytes, "bytes missing in those holes");
	anomaly(o, &any, "tcp overlap conflicts", st->reasm.overlap_conflicts, "retransmitted bytes that differ (first copy kept)");
	anomaly(o, &any, "tcp reassembly cap hits", st->reasm.flow_cap_hits + st->reasm.total_cap_hits, "buffer caps forced a gap");
	anomaly(o, &any, "tcp segments too far ahead", st->reasm.dropped_far, "dropped, not buffered");
	anomaly(o, &any, "flows evicted", st->flows.evicted, "flow table full: oldest flows closed early");
	anomaly(o, &any, "flows timed out", st->flows.timed_out, "idle past the timeout");
	anomaly(o, &any, "pop3 garbage lines", st->pop3_garbage_lines, "server lines that are no reply");
	anomaly(o, &any, "pop3 unsolicited replies", st->pop3_unsolicited, "replies with no pending command");
	anomaly(o, &any, "pop3 unanswered commands", st->pop3_unanswered, "commands that never got a reply");
	anomaly(o, &any, "pop3 pipelining overflow", st->pop3_pending_dropped, "pending commands dropped at the cap");
	anomaly(o, &any, "pop3 resyncs", st->pop3_resyncs, "parser resynchronised after a gap");
	anomaly(o, &any, "pop3 long lines", st->pop3_long_lines, "lines longer than kept");
	anomaly(o, &any, "pop3 bare LF", st->pop3_bare_lf, "lines ended by LF without CR");
	anomaly(o, &any, "accounts evicted", st->accounts_evicted, "cross-session store full: oldest accounts forgotten");
	if (!any)
		fprintf(o, "\nCapture anomalies: none\n");
}

/* The encapsulations decoded, with how many frames' layers each: said
 * only when there were any. */
static void print_tunnels(const struct report *r, FILE *o)
{
	bool any = false;
	for (int i = DEC_TUN_FIRST; r->have_stats && i < DEC__COUNT; i++) {
		if (!r->stats.dec.count[i])
			continue;
		fprintf(o, "%s%s %" PRIu64, any ? ", " : "Tunnels:         ",
			decode_tunnel_kind_name((unsigned)i), r->stats.dec.count[i]);
		any = true;
	}
	if (any)
		fprintf(o, " (layers decoded)\n");
}

/* No silent all-clear: a capture without a POP3 session says so first,
 * with what it did hold and where POP3 may be. */
static void print_no_pop3(const struct report *r, FILE *o)
{
	const struct ev_stats *st = &r->stats;
	fprintf(o, "NO POP3 SESSION in this input: nothing was judged (exit status 0 means\n"
		   "\"no contradiction found\", not \"POP3 is fine\").\n");
	if (!r->have_stats)
		return;
	uint64_t tcp = st->dec.count[DEC_OK] + st->dec.count[DEC_PAYLOAD_TRUNC];
	fprintf(o, "  Seen: %" PRIu64 " frame%s, %" PRIu64 " TCP packet%s decoded", st->frames,
		st->frames == 1 ? "" : "s", tcp, tcp == 1 ? "" : "s");
	uint64_t undecoded = 0;
	for (int i = 0; i < DEC_TUN_FIRST; i++) /* the tunnel layers are no frame's fate */
		if (i != DEC_OK && i != DEC_PAYLOAD_TRUNC)
			undecoded += st->dec.count[i];
	fprintf(o, ", %" PRIu64 " frames not decoded to TCP", undecoded);
	const char *sep = " (";
	for (int i = 0; i < DEC_TUN_FIRST; i++) {
		if (i == DEC_OK || i == DEC_PAYLOAD_TRUNC || !st->dec.count[i])
			continue;
		fprintf(o, "%s%s %" PRIu64, sep, decode_reason_name((enum decode_reason)i), st->dec.count[i]);
		sep = ", ";
	}
	bool any_dec = undecoded > 0;
	fprintf(o, "%s\n", any_dec ? ")" : "");
	if (st->other_flows) {
		fprintf(o, "  TCP connections that were not POP3, by server port:");
		for (size_t i = 0; i < ARRAY_LEN(st->other_ports) && st->other_ports[i].flows; i++)
			fprintf(o, "%s %u (%" PRIu64 ")", i ? "," : "", st->other_ports[i].port,
				st->other_ports[i].flows);
		fprintf(o, "; %" PRIu64 " in all\n", st->other_flows);
	} else if (st->flows.not_watched) {
		fprintf(o, "  %" PRIu64 " TCP packets on ports not watched (--ports-only: not looked at)\n",
			st->flows.not_watched);
	}
	if (r->not_pop3)
		fprintf(o, "  %" PRIu64 " connection%s on the POP3 ports carried another protocol (not-pop3)\n",
			r->not_pop3, r->not_pop3 == 1 ? "" : "s");
	fprintf(o, "  Hint: POP3 on another port is found by its content (a +OK/-ERR greeting\n"
		   "  answered by a POP3 command) unless --ports-only; a capture that began\n"
		   "  after the greeting needs the port named: -p PORT.\n\n");
}

static void print_summary(struct report *r, FILE *o)
{
	char a[OUT_TIME_MAX], b[OUT_TIME_MAX];
	fprintf(o, "pop3mon report\n==============\n\n");
	if (r->sessions == r->not_pop3)
		print_no_pop3(r, o);
	fprintf(o, "Captures:        ");
	if (r->o.nsources == 0)
		fprintf(o, "(none named)");
	for (size_t i = 0; i < r->o.nsources; i++) {
		char n[SAN(256)];
		char shortn[257];
		strlcpy_safe(shortn, r->o.sources[i] ? r->o.sources[i] : "", sizeof shortn);
		fprintf(o, "%s%s", i ? ", " : "", sanitize_text(n, sizeof n, shortn));
	}
	fprintf(o, "\n");
	if (r->have_stats)
		fprintf(o, "Frames:          %" PRIu64 " (%" PRIu64 " bytes)\n", r->stats.frames, r->stats.bytes);
	print_tunnels(r, o);
	if (r->first_ts)
		fprintf(o, "Time span:       %s .. %s\n", (fmt_time(r, a, sizeof a, r->first_ts, false), a),
			(fmt_time(r, b, sizeof b, r->last_ts, false), b));
	fprintf(o, "POP3 sessions:   %" PRIu64 ", flagged %" PRIu64 " (an error or warning finding)\n",
		r->sessions - r->not_pop3, r->sessions_flagged);
	if (r->by_content)
		fprintf(o, "Found by content: %" PRIu64 " of them on ports not watched (--ports-only: none)\n",
			r->by_content);
	if (r->not_pop3)
		fprintf(o, "Not POP3:        %" PRIu64 " connection%s on POP3 ports (not-pop3; not judged)\n",
			r->not_pop3, r->not_pop3 == 1 ? "" : "s");
	fprintf(o, "Findings:        %" PRIu64 " error, %" PRIu64 " warning, %" PRIu64 " notice\n",
		r->findings[SEV_ERROR], r->findings[SEV_WARNING], r->findings[SEV_NOTICE]);
	const struct sink_filter *f = &r->o.filter;
	if (f->only_flagged || f->rule >= 0 || f->server || f->user) {
		char srv[SAN(ADDR_STR_MAX + 16)] = "", usr[SAN(POP3_ARGS_MAX)] = "";
		if (f->server) {
			char t[ADDR_STR_MAX + 16];
			strlcpy_safe(t, f->server, sizeof t);
			sanitize_text(srv, sizeof srv, t);
		}
		if (f->user) {
			char t[POP3_ARGS_MAX + 1];
			strlcpy_safe(t, f->user, sizeof t);
			sanitize_text(usr, sizeof usr, t);
		}
		char sel[SAN(ADDR_STR_MAX + 16) + SAN(POP3_ARGS_MAX) + 96];
		snprintf(sel, sizeof sel, "%s%s%s%s%s%s%s", f->only_flagged ? " --only-flagged" : "",
			 f->rule >= 0 ? " --rule " : "", f->rule >= 0 ? rule_name((enum rule_id)f->rule) : "",
			 f->server ? " --server " : "", srv, f->user ? " --user " : "", usr);
		/* A selection that matches nothing says so; the lines above and
		 * the exit status are the whole capture's either way. */
		if (r->filtered_out >= r->sessions)
			fprintf(o, "Shown:           no session matches%s (%" PRIu64 " not shown)\n", sel,
				r->filtered_out);
		else
			fprintf(o, "Shown:           sessions matching%s (%" PRIu64 " not shown)\n", sel, r->filtered_out);
		fprintf(o, "                 (the counts above and the exit status cover every session)\n");
	}

	bool any = false;
	for (int i = 0; i < R__COUNT; i++) {
		if (!r->rule_sessions[i])
			continue;
		if (!any)
			fprintf(o, "\nSessions by rule\n");
		any = true;
		char rn[64];
		enum severity sv = r->rule_worst[i] >= 0 ? (enum severity)r->rule_worst[i] : rule_severity((enum rule_id)i);
		snprintf(rn, sizeof rn, "%s (%s)", rule_name((enum rule_id)i), severity_name(sv));
		fprintf(o, "  %-44s %" PRIu64 " session%s\n", rn, r->rule_sessions[i], r->rule_sessions[i] == 1 ? "" : "s");
	}
	print_names(o, "Servers of flagged sessions", &r->servers);
	print_names(o, "Accounts of flagged sessions", &r->accounts);
	print_anomalies(r, o);
}

static void print_session_head(struct report *r, FILE *o, const struct rsess *s)
{
	char c[ADDR_STR_MAX + 16], v[ADDR_STR_MAX + 16], a[OUT_TIME_MAX], b[OUT_TIME_MAX];
	char u[SAN(POP3_ARGS_MAX)], ban[SAN(POP3_TEXT_MAX)], src[SAN(64)], srcs[65];
	endpoint(c, sizeof c, s->ipver, s->cli, s->cport);
	endpoint(v, sizeof v, s->ipver, s->srv, s->sport);
	char sen[SAN(SENSOR_NAME_MAX)];
	strlcpy_safe(srcs, s->source, sizeof srcs);
	fprintf(o, "\nSession %" PRIu64 ": %s -> %s  (%s%s%s)\n", s->id, c, v,
		s->sensor ? sanitize_text(sen, sizeof sen, s->sensor) : "", s->sensor ? ": " : "",
		sanitize_text(src, sizeof src, srcs));
	fprintf(o, "  user %s, state %s%s%s%s\n", s->user[0] ? sanitize_text(u, sizeof u, s->user) : "(none seen)",
		pop3_state_name(s->state), s->tls ? ", TLS" : "", s->midstream ? ", capture began mid-session" : "",
		s->by_content ? ", found by content (port not watched)" : "");
	fmt_time(r, a, sizeof a, s->start_ts, false);
	fmt_time(r, b, sizeof b, s->last_ts, false);
	fprintf(o, "  start %s, last %s, %s\n", a, b,
		s->closed ? flow_end_name(s->end) : "still open at the end of input");
	fprintf(o, "  frames %" PRIu64 "-%" PRIu64 ", %" PRIu64 " txns, %" PRIu64 "/%" PRIu64
		   " packets and %" PRIu64 "/%" PRIu64 " bytes client/server\n",
		s->first_frame, s->last_frame, s->txns, s->pkts[0], s->pkts[1], s->bytes[0], s->bytes[1]);
	if (s->banner[0])
		fprintf(o, "  banner: %s\n", sanitize_text(ban, sizeof ban, s->banner));
	if (s->community_id[0])
		fprintf(o, "  community id %s\n", s->community_id);
	if (s->tunnel)
		fprintf(o, "  tunnel %s\n", s->tunnel);
}

static void print_transcript(const struct report *r, FILE *o, const struct rsess *s)
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

static void print_detailed(struct report *r, FILE *o, const struct rsess *s)
{
	print_session_head(r, o, s);
	if (s->nf)
		fprintf(o, "  Findings\n");
	for (unsigned i = 0; i < s->nf; i++) {
		const struct finding *f = &s->f[i];
		char sum[SAN(FINDING_SUMMARY_MAX)], line[SAN(FINDING_LINE_MAX)], tm[OUT_TIME_MAX], raw[FINDING_LINE_MAX];
		char up[8];
		const char *sv = severity_name(f->sev);
		size_t k = 0;
		for (; sv[k] && k < sizeof up - 1; k++)
			up[k] = (char)(sv[k] >= 'a' && sv[k] <= 'z' ? sv[k] - 32 : sv[k]);
		up[k] = '\0';
		char fsum[FINDING_SUMMARY_MAX];
		strlcpy_safe(fsum, f->summary, sizeof fsum);
		fprintf(o, "    %-7s %s: %s\n", up, rule_name(f->rule), sanitize_text(sum, sizeof sum, fsum));
		for (unsigned j = 0; j < f->n_ev && j < FINDING_EVIDENCE_MAX; j++) {
			fmt_time(r, tm, sizeof tm, f->ev[j].ts_us, true);
			strlcpy_safe(raw, f->ev[j].line, sizeof raw);
			fprintf(o, "            frame %-7" PRIu64 " %s  %s\n", f->ev[j].frame, tm,
				sanitize_text(line, sizeof line, raw));
		}
		fprintf(o, "            basis: %s\n", rule_rfc(f->rule));
		if (rule_symptom(f->rule))
			fprintf(o, "            client: %s\n", rule_symptom(f->rule));
	}
	if (s->f_more)
		fprintf(o, "    ... %" PRIu64 " more finding%s\n", s->f_more, s->f_more == 1 ? "" : "s");
	print_transcript(r, o, s);
}

static void print_clean_line(FILE *o, const struct rsess *s)
{
	char c[ADDR_STR_MAX + 16], v[ADDR_STR_MAX + 16], u[SAN(POP3_ARGS_MAX)];
	endpoint(c, sizeof c, s->ipver, s->cli, s->cport);
	endpoint(v, sizeof v, s->ipver, s->srv, s->sport);
	fprintf(o, "  Session %" PRIu64 ": %s -> %s  user %s  %s  %" PRIu64 " txns  %s", s->id, c, v,
		s->user[0] ? sanitize_text(u, sizeof u, s->user) : "-", pop3_state_name(s->state), s->txns,
		s->closed ? flow_end_name(s->end) : "open");
	if (s->sensor) {
		char sen[SAN(SENSOR_NAME_MAX)];
		fprintf(o, "  sensor %s", sanitize_text(sen, sizeof sen, s->sensor));
	}
	if (s->tunnel)
		fprintf(o, "  tunnel %s", s->tunnel);
	if (s->by_content)
		fprintf(o, "  found by content");
	if (s->rules_hit) {
		fprintf(o, "  %s:", s->flagged ? "rules" : "notices");
		for (int i = 0; i < R__COUNT && i < 64; i++)
			if (s->rules_hit & (1ull << i))
				fprintf(o, " %s", rule_name((enum rule_id)i));
	}
	fprintf(o, "\n");
}

static int report_finish(void *self, char *errbuf, size_t errlen)
{
	struct report *r = self;
	FILE *o = r->out;

	/* Sessions never closed (no end-of-input close): report them as open. */
	while (r->open.n) {
		struct rsess *s = NULL;
		for (size_t i = 0; i < r->open.cap && !s; i++)
			if (r->open.keys[i])
				s = r->open.vals[i];
		session_done(r, s);
	}
	if (r->nflagged)
		qsort(r->flagged, r->nflagged, sizeof *r->flagged, by_id);
	if (r->nclean)
		qsort(r->clean, r->nclean, sizeof *r->clean, by_id);

	errno = 0;
	print_summary(r, o);
	if (r->nflagged) {
		fprintf(o, "\nFlagged sessions\n================\n");
		for (size_t i = 0; i < r->nflagged; i++)
			if (r->flagged[i]->brief)
				print_clean_line(o, r->flagged[i]);
			else
				print_detailed(r, o, r->flagged[i]);
		if (r->nflagged > REPORT_FLAGGED_FULL_MAX)
			fprintf(o, "\n(flagged sessions past the first %u are listed without findings and transcript)\n",
				REPORT_FLAGGED_FULL_MAX);
		if (r->flagged_more)
			fprintf(o, "  ... and %" PRIu64 " more flagged session%s (not listed)\n", r->flagged_more,
				r->flagged_more == 1 ? "" : "s");
	}
	if (r->nclean || r->clean_more) {
		fprintf(o, "\nOther sessions\n==============\n");
		for (size_t i = 0; i < r->nclean; i++) {
			if (!r->clean[i]->brief)
				print_detailed(r, o, r->clean[i]);
			else
				print_clean_line(o, r->clean[i]);
		}
		if (r->clean_more)
			fprintf(o, "  ... and %" PRIu64 " more session%s without findings of note (not listed)\n",
				r->clean_more, r->clean_more == 1 ? "" : "s");
	}
	if (fflush(o) != 0 || ferror(o)) {
		snprintf(errbuf, errlen, "report: write error: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static void report_free(void *self)
{
	struct report *r = self;
	if (!r)
		return;
	for (size_t i = 0; i < r->open.cap; i++)
		if (r->open.keys[i])
			rsess_free(r, r->open.vals[i]);
	idmap_fini(&r->open);
	for (size_t i = 0; i < r->nflagged; i++)
		rsess_free(r, r->flagged[i]);
	for (size_t i = 0; i < r->nclean; i++)
		rsess_free(r, r->clean[i]);
	free(r->flagged);
	free(r->clean);
	for (size_t i = 0; i < r->servers.n; i++)
		free(r->servers.v[i].name);
	for (size_t i = 0; i < r->accounts.n; i++)
		free(r->accounts.v[i].name);
	free(r->servers.v);
	free(r->accounts.v);
	for (size_t i = 0; i < r->nsrcnames; i++)
		free(r->srcnames[i]);
	free(r->srcnames);
	free(r);
}

static const struct sink_ops report_ops = {
	.name = "report",
	.event = report_event,
	.finish = report_finish,
	.free = report_free,
};

struct sink report_sink_new(FILE *out, const struct report_opts *o)
{
	struct report *r = xcalloc(1, sizeof *r);
	r->out = out;
	if (o)
		r->o = *o;
	else
		r->o.filter.rule = -1;
	idmap_init(&r->open);
	for (int i = 0; i < R__COUNT; i++)
		r->rule_worst[i] = -1;
	for (unsigned i = 0; i <= POP3_ST_BAD; i++)
		r->status_len[i] = (uint8_t)strlen(pop3_status_str((enum pop3_status)i));
	for (unsigned i = 0; i < 32; i++) {
		const char *fn = out_txn_flag_name(1u << i);
		if (fn) {
			r->flag_known |= 1u << i;
			r->flag_len[i] = (uint8_t)strlen(fn);
		}
	}
	/* A session's state at its close is all the report keeps; its first
	 * event of any kind opens its record. */
	return (struct sink){ .ops = &report_ops, .self = r,
			      .skip = EV_BIT(EV_SESSION_OPEN) | EV_BIT(EV_SESSION_UPDATE) };
}
