/*
 * pop3_framer.h - private to src/pop3: CRLF line framing of one direction.
 *
 * Complete lines inside a run are handed on in place (no copy); only a line
 * split across runs is copied, and only its first POP3_LINE_BUF bytes: the
 * rest is counted. So a 1 GB line costs 1 KB. Lines are handed on without
 * their CRLF; the flags say how they ended.
 */
#ifndef POP3MON_POP3_FRAMER_H
#define POP3MON_POP3_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#include "pop3.h"

#define LINE_CRLF 0x01      /* ended with CR LF */
#define LINE_BARE_LF 0x02   /* ended with LF alone */
#define LINE_TRUNC 0x04     /* longer than POP3_LINE_BUF: only a prefix is given */
#define LINE_EOF 0x08       /* no LF: flushed at the stream's end */
#define LINE_CUT 0x10       /* no LF: cut by a gap in the stream */

struct pop3_line {
	const char *p;      /* borrowed for the call */
	size_t len;         /* bytes given (without CR/LF) */
	uint64_t octets;    /* octets on the wire including the line ending */
	unsigned flags;
	struct seg_meta m;  /* where the line began */
};

typedef void (*pop3_line_fn)(void *obj, int dir, const struct pop3_line *l);
/* After a gap: may a line start at p? (a status line, a known command) */
typedef bool (*pop3_resync_fn)(void *obj, int dir, const uint8_t *p, size_t n);

struct pop3_framer {
	char *buf;          /* owned, cap bytes, allocated on first use */
	size_t len;         /* bytes kept of the partial line */
	uint64_t octets;    /* bytes seen of the partial line */
	bool in_line;
	bool skip_to_lf;    /* after a gap: the next line start is unknown */
	bool resumed_at_gap; /* the first bytes after the gap began a line */
	char last;          /* last byte seen of the partial line (for CR) */
	uint32_t cap;       /* bytes allocated at buf: grows to POP3_LINE_BUF */
	struct seg_meta start;
};

/* What pop3_framer_body_run took. */
struct pop3_body_run {
	uint64_t lines, octets, bare_lf, long_lines; /* of the lines it ended */
	uint64_t stuffed;       /* of them dot-stuffed: octets counts their first '.' */
	struct seg_meta last_m; /* where the last of them began */
};

/*
 * The fast path of a message body (RETR, TOP), where nearly every byte is:
 * the lines of p are counted in one loop instead of a callback per line, as
 * long as none begins with '.' but for dot-stuffed ones (".."), which are
 * counted in `stuffed`: the line held from earlier runs (unless it begins
 * with '.'), then the whole lines of p, then the partial line at its end,
 * which is held as pop3_framer_feed would. Returns the length taken; the
 * caller feeds what follows (a '.' line, the terminator first of all)
 * through pop3_framer_feed. Takes nothing after a gap, until a line start
 * is found.
 */
size_t pop3_framer_body_run(struct pop3_framer *f, const uint8_t *p, size_t n,
			    const struct seg_meta *m, struct pop3_body_run *r);
/* For the tests: every way pop3_framer_body_run can scan on this machine
 * (plain C, SSE2, AVX2), by index from 0; NULL past the last. */
typedef size_t (*pop3_body_run_fn)(struct pop3_framer *f, const uint8_t *p, size_t n,
				   const struct seg_meta *m, struct pop3_body_run *r);
pop3_body_run_fn pop3_framer_body_run_variant(unsigned i, const char **name);

void pop3_framer_feed(struct pop3_framer *f, const uint8_t *p, size_t n,
		      const struct seg_meta *m, pop3_line_fn fn, pop3_resync_fn resync, void *obj,
		      int dir);
/* A gap: hand on the partial line (LINE_CUT), then resume where `resync`
 * accepts a line start, or else after the next LF. Returns whether there
 * was a partial line. */
bool pop3_framer_gap(struct pop3_framer *f, pop3_line_fn fn, void *obj, int dir);
/* At the end: hand on a partial line, if any, with LINE_EOF. */
void pop3_framer_finish(struct pop3_framer *f, pop3_line_fn fn, void *obj, int dir);
void pop3_framer_fini(struct pop3_framer *f);

#endif
