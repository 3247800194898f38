/*
 * detect.c - POP3 or not, from each direction's first bytes (detect.h).
 *
 * A direction's verdict needs at most DETECT_PREFIX bytes: "+OK"/"-ERR"
 * and a delimiter, or a keyword of up to four letters and a delimiter.
 * The bytes that came before the connection's verdict are kept, in order,
 * and replayed: the dissector then sees exactly what it would have seen.
 */
#include "detect.h"

#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "util.h"

static int upper(uint8_t c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static bool delim(uint8_t c)
{
	return c == ' ' || c == '\r' || c == '\n';
}

/* p[0..n) against a word and a delimiter after it, case-insensitive. */
static enum detect_says word_then_delim(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i < wl; i++) {
		if (i == n)
			return DETECT_MORE;
		if (upper(p[i]) != (uint8_t)w[i])
			return DETECT_NO;
	}
	if (n == wl)
		return DETECT_MORE;
	return delim(p[wl]) ? DETECT_YES : DETECT_NO;
}

enum detect_says detect_server_start(const uint8_t *p, size_t n)
{
	enum detect_says ok = word_then_delim(p, n, "+OK");
	if (ok != DETECT_NO)
		return ok;
	return word_then_delim(p, n, "-ERR");
}

/* Commands a POP3 client opens with besides pop3_cmd.def's: RFC 6856. */
static const char *const extra_cmds[] = { "UTF8", "LANG" };

enum detect_says detect_client_start(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && i < 4 &&
	       ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
		(i > 0 && p[i] >= '0' && p[i] <= '9')))
		i++;
	if (i == n)
		return DETECT_MORE; /* letters so far: the delimiter decides */
	if (!delim(p[i]) || i < 3)
		return DETECT_NO;
	if (pop3_cmd_lookup((const char *)p, i) != POP3_CMD_UNKNOWN)
		return DETECT_YES;
	for (size_t k = 0; k < ARRAY_LEN(extra_cmds); k++)
		if (word_then_delim(p, n, extra_cmds[k]) == DETECT_YES)
			return DETECT_YES;
	return DETECT_NO;
}

bool detect_tls_record(const uint8_t *p, size_t n)
{
	return n >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04;
}

const char *detect_foreign(const uint8_t *p, size_t n)
{
	static const struct {
		const char *sig, *name;
	} sigs[] = {
		{ "HTTP/1.", "HTTP" }, { "GET /", "HTTP" }, { "POST /", "HTTP" },
		{ "HEAD /", "HTTP" }, { "PUT /", "HTTP" }, { "SSH-", "SSH" },
	};
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++) {
		size_t l = strlen(sigs[i].sig);
		if (n >= l && !memcmp(p, sigs[i].sig, l))
			return sigs[i].name;
	}
	/* RESP: "*<count>\r\n$<len>\r\n" */
	if (n >= 4 && p[0] == '*' && p[1] >= '0' && p[1] <= '9') {
		size_t j = 1;
		while (j < n && p[j] >= '0' && p[j] <= '9')
			j++;
		if (j + 2 < n && p[j] == '\r' && p[j + 1] == '\n' && p[j + 2] == '$')
			return "Redis (RESP)";
	}
	return NULL;
}

void detect_init(struct detect *d, bool content_only, bool midstream)
{
	memset(d, 0, sizeof(*d));
	d->content_only = content_only;
	d->midstream = midstream;
	d->first_dir = -1;
	d->why_dir = -1;
}

void detect_fini(struct detect *d)
{
	free(d->keep);
	d->keep = NULL;
	d->kept = 0;
	d->nchunks = 0;
}

static void note_why(struct detect *d, int dir, const char *why, const uint8_t *p, size_t n,
		     const struct seg_meta *m)
{
	d->why_dir = dir;
	d->why = why;
	d->why_frame = m->frame;
	d->why_ts = m->ts_us;
	d->why_len = n < sizeof(d->why_bytes) ? n : sizeof(d->why_bytes);
	memcpy(d->why_bytes, p, d->why_len);
}

/* The verdict from what each direction's start says. */
static enum detect_verdict judge(struct detect *d)
{
	enum detect_says s = d->says[1], c = d->says[0];
	if (d->why)
		return DETECT_NOT_POP3;
	if (d->midstream && d->content_only)
		return DETECT_NOT_POP3; /* who spoke first is unknown */
	if (d->midstream)
		return s == DETECT_YES || c == DETECT_YES ? DETECT_POP3 : DETECT_WAIT;
	if (d->content_only) {
		/* the server must speak first with +OK/-ERR, the client answer
		 * with a command */
		if (d->first_dir == 0 || s == DETECT_NO || c == DETECT_NO)
			return DETECT_NOT_POP3;
		return s == DETECT_YES && c == DETECT_YES ? DETECT_POP3 : DETECT_WAIT;
	}
	if (s == DETECT_NO || c == DETECT_NO)
		return DETECT_NOT_POP3;
	return s == DETECT_YES ? DETECT_POP3 : DETECT_WAIT;
}

/* Why a watched port's first bytes are not POP3, in words. */
static const char *reason_of(int dir, const uint8_t *p, size_t n)
{
	const char *f = detect_foreign(p, n);
	if (f && !strcmp(f, "HTTP"))
		return dir ? "the server answers in HTTP" : "the client speaks HTTP";
	if (f && !strcmp(f, "SSH"))
		return "an SSH banner";
	if (f)
		return dir ? "the server speaks Redis (RESP)" : "the client speaks Redis (RESP)";
	if (detect_tls_record(p, n))
		return dir ? "the server starts a TLS handshake without STLS"
			   : "the client starts a TLS handshake without STLS";
	return dir ? "the server's first bytes are not +OK or -ERR"
		   : "the client's first bytes are not a POP3 command";
}

static void keep(struct detect *d, int dir, const uint8_t *p, size_t n, const struct seg_meta *m)
{
	if (!d->keep)
		d->keep = xmalloc(DETECT_KEEP_MAX);
	struct detect_chunk *c = &d->chunk[d->nchunks++];
	c->dir = (uint8_t)dir;
	c->off = (uint32_t)d->kept;
	c->len = (uint32_t)n;
	c->frame = m->frame;
	c->ts_us = m->ts_us;
	memcpy(d->keep + d->kept, p, n);
	d->kept += n;
}

enum detect_verdict detect_feed(struct detect *d, int dir, const uint8_t *p, size_t n,
				const struct seg_meta *m)
{
	if (!n)
		return judge(d);
	if (d->first_dir < 0)
		d->first_dir = dir;
	if (d->nstart[dir] < DETECT_PREFIX) {
		size_t take = DETECT_PREFIX - d->nstart[dir];
		if (take > n)
			take = n;
		memcpy(d->start[dir] + d->nstart[dir], p, take);
		d->nstart[dir] += take;
		const uint8_t *st = d->start[dir];
		size_t sn = d->nstart[dir];
		enum detect_says s = dir ? detect_server_start(st, sn) : detect_client_start(st, sn);
		if (d->midstream && !d->content_only) {
			/* mid-session the first bytes may be anything of POP3 (a
			 * message body): only another protocol's opening says no */
			s = detect_foreign(p, n) ? DETECT_NO : DETECT_YES;
		}
		if (s == DETECT_MORE && sn == DETECT_PREFIX)
			s = DETECT_NO;
		d->says[dir] = s;
		if (s == DETECT_NO && !d->content_only)
			note_why(d, dir, reason_of(dir, p, n), p, n, m);
	}
	enum detect_verdict v = judge(d);
	if (v != DETECT_WAIT)
		return v;
	if (d->nchunks == DETECT_CHUNKS_MAX || n > DETECT_KEEP_MAX - d->kept) {
		/* too much before a verdict: a watched port keeps its POP3 */
		return d->content_only ? DETECT_NOT_POP3 : DETECT_POP3;
	}
	keep(d, dir, p, n, m);
	return DETECT_WAIT;
}

enum detect_verdict detect_final(struct detect *d)
{
	enum detect_verdict v = judge(d);
	if (v != DETECT_WAIT)
		return v;
	return d->content_only ? DETECT_NOT_POP3 : DETECT_POP3;
}

void detect_replay(struct detect *d, detect_replay_fn fn, void *ctx)
{
	for (unsigned i = 0; i < d->nchunks; i++) {
		const struct detect_chunk *c = &d->chunk[i];
		struct seg_meta m = { .frame = c->frame, .ts_us = c->ts_us, .payload_note = NULL };
		fn(ctx, c->dir, d->keep + c->off, c->len, &m);
	}
	detect_fini(d);
}
