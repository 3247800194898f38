/*
 * pop3_framer.c - line framing with memchr over whole runs (see the header).
 */
#include "pop3_framer.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void keep(struct pop3_framer *f, const uint8_t *p, size_t n, const struct seg_meta *m)
{
	if (!f->in_line) {
		f->in_line = true;
		f->start = *m;
		f->len = 0;
		f->octets = 0;
	}
	if (!f->buf)
		f->buf = xmalloc(POP3_LINE_BUF);
	size_t room = POP3_LINE_BUF - f->len;
	size_t take = n < room ? n : room;
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

size_t pop3_framer_body_run(const struct pop3_framer *f, const uint8_t *p, size_t n,
			    struct pop3_body_run *r)
{
	memset(r, 0, sizeof(*r));
	if (f->in_line || f->skip_to_lf)
		return 0;
	size_t used = 0;
	while (used < n && p[used] != '.') {
		const uint8_t *lf = memchr(p + used, '\n', n - used);
		if (!lf)
			break;
		size_t len = (size_t)(lf - (p + used)); /* without the LF */
		bool crlf = len && lf[-1] == '\r';
		r->lines++;
		r->octets += len + 1;
		r->bare_lf += !crlf;
		r->long_lines += len - crlf > POP3_LINE_BUF;
		used += len + 1;
	}
	return used;
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
}
