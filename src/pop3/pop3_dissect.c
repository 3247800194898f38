/*
 * pop3_dissect.c - per-connection POP3 state machine (contract in pop3.h):
 * the connection's life (new, free, info, wait) and the entry points
 * (feed, gap, finish) that route each framed line. The state machine's
 * parts: pop3_txn.c (transactions, pending-command FIFO), pop3_client.c
 * (client lines), pop3_reply.c (server lines: status, bodies, SASL, STLS).
 *
 * Client lines become pending commands in a FIFO; server lines are status
 * lines, data lines of the current multi-line reply, or garbage. A reply is
 * paired with the oldest pending command. After a gap the dissector does
 * not guess: a server-side gap cuts the current reply and skips server
 * lines until the next status line or lone "."; a client-side gap leaves a
 * "lost" marker in the FIFO, and replies that arrive before the next seen
 * command was sent are kept unpaired. Everything paired after a gap is
 * marked POP3_TF_AFTER_GAP so the checks can leave it out.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "pop3_data.h"
#include "pop3_dissect_priv.h"
#include "pop3_framer.h"
#include "util.h"

static const char no_text[1] = "";

void pop3d_set_info_text(const char **dst, uint32_t *dst_len, const char *p, size_t len, size_t max)
{
	if (*dst != no_text)
		free((char *)*dst);
	size_t n = len < max ? len : max;
	if (dst_len)
		*dst_len = (uint32_t)n;
	if (n == 0) {
		*dst = no_text;
		return;
	}
	char *s = xmalloc(n + 1);
	copy_text(s, n + 1, p, n); /* n bytes, none NUL */
	*dst = s;
}

struct pop3_conn *pop3_conn_new(const struct pop3_opts *o, const struct pop3_cb *cb,
				bool midstream)
{
	struct pop3_conn *c = xcalloc(1, sizeof(*c));
	c->info.user = c->info.banner = c->info.apop_ts = no_text;
	c->o = *o;
	c->cb = *cb;
	c->midstream = midstream;
	c->info.state = midstream ? POP3_STATE_UNKNOWN : POP3_STATE_AUTHORIZATION;
	if (o->tls_port) {
		c->info.tls = true;
		c->info.state = POP3_STATE_TLS;
	}
	return c;
}

void pop3_conn_prefetch(const struct pop3_conn *c)
{
	for (size_t off = 0; off < sizeof *c; off += 64)
		__builtin_prefetch((const char *)c + off);
}

void pop3_conn_free(struct pop3_conn *c)
{
	if (!c)
		return;
	pop3_framer_fini(&c->fr[0]);
	pop3_framer_fini(&c->fr[1]);
	pop3d_set_info_text(&c->info.user, &c->info.user_len, NULL, 0, 0);
	pop3d_set_info_text(&c->info.banner, &c->info.banner_len, NULL, 0, 0);
	pop3d_set_info_text(&c->info.apop_ts, NULL, NULL, 0, 0);
	if (c->cur_heap)
		pop3d_txn_give(c, c->cur);
	free(c->q);
	pop3d_listing_release(c);
	free(c);
}

const struct pop3_conn_info *pop3_conn_info(const struct pop3_conn *c)
{
	return &c->info;
}

void pop3_conn_wait(const struct pop3_conn *c, struct pop3_wait *w)
{
	memset(w, 0, sizeof(*w));
	if (c->cur_open) {
		const struct pop3_txn *t = c->cur;
		w->n = c->qlen + 1;
		w->replying = true;
		w->req_frame = t->req_frame;
		w->req_ts_us = t->req_ts_us;
		w->lines = t->data_lines;
		w->octets = t->data_octets;
		strlcpy_safe(w->cmd, t->keyword, sizeof(w->cmd));
	} else if (c->qlen) {
		const struct pending *p = &c->q[c->qhead % c->qcap];
		w->n = c->qlen;
		w->req_frame = p->m.frame;
		w->req_ts_us = p->m.ts_us;
		strlcpy_safe(w->cmd, p->keyword, sizeof(w->cmd));
	}
}

unsigned pop3_conn_waiting(const struct pop3_conn *c)
{
	return c->qlen << 1 | (c->cur_open ? 1u : 0u);
}

static void on_line(void *obj, int dir, const struct pop3_line *l)
{
	struct pop3_conn *c = obj;
	if (c->info.tls || c->stls_verify)
		return; /* bytes after STLS +OK in the same run: TLS or judged later */
	count_lines(c, dir, 1, (l->flags & LINE_BARE_LF) != 0, (l->flags & LINE_TRUNC) != 0);
	if (dir == 0) {
		pop3d_client_line(c, l);
		return;
	}
	switch (c->mode) {
	case SRV_BODY:
		pop3d_server_body(c, l);
		break;
	case SRV_RESYNC: {
		bool lower;
		size_t at;
		enum pop3_status st = pop3_data_status(l->p, l->len, &lower, &at);
		if (l->len == 1 && l->p[0] == '.') {
			c->mode = SRV_STATUS;
		} else if (st == POP3_ST_OK || st == POP3_ST_ERR) {
			c->mode = SRV_STATUS;
			pop3d_server_status(c, l);
		}
		break;
	}
	default:
		if (!c->info.greeted && l->len == 0 && c->info.txns == 0)
			break; /* stray blank line before the greeting */
		pop3d_server_status(c, l);
	}
}

/* ---- the public entry points --------------------------------------------- */

/* After a gap, may a line begin here? Server: a status line or a lone ".";
 * client: a known command keyword followed by space or CR/LF. */
static bool line_start_ok(void *obj, int dir, const uint8_t *p, size_t n)
{
	(void)obj;
	if (dir == 1) {
		if (n >= 3 && p[0] == '.' && p[1] == '\r' && p[2] == '\n')
			return true;
		return (n >= 3 && !memcmp(p, "+OK", 3)) || (n >= 4 && !memcmp(p, "-ERR", 4));
	}
	size_t kw = 0;
	while (kw < n && kw < 5 && p[kw] != ' ' && p[kw] != '\r' && p[kw] != '\n')
		kw++;
	if (kw == n || kw == 5)
		return false;
	return pop3_cmd_lookup((const char *)p, kw) != POP3_CMD_UNKNOWN;
}

static bool looks_like_tls(const uint8_t *p, size_t n)
{
	/* A TLS record: content type 20-23, version 3.x. */
	return n >= 3 && p[0] >= 20 && p[0] <= 23 && p[1] == 3 && p[2] <= 4;
}

void pop3_feed(struct pop3_conn *c, int dir, const uint8_t *p, size_t n, const struct seg_meta *m)
{
	if (c->info.bytes[dir] == 0 && !c->midstream && !c->info.tls && looks_like_tls(p, n)) {
		c->info.tls = true;
		c->info.state = POP3_STATE_TLS;
	}
	if (c->stls_verify && n > 0) {
		c->stls_verify = false;
		if (looks_like_tls(p, n)) {
			c->info.tls = true;
			c->info.state = POP3_STATE_TLS;
		} else {
			c->info.stls_cleartext = true; /* possible STRIPTLS: keep dissecting */
		}
	}
	c->info.bytes[dir] += n;
	if (c->info.tls) {
		c->info.tls_bytes[dir] += n;
		return;
	}
	while (n > 0 && dir == 1 && c->mode == SRV_BODY && c->body == BODY_MSG && !c->stls_verify) {
		struct pop3_body_run r;
		size_t used = pop3_framer_body_run(&c->fr[1], p, n, m, &r);
		if (r.lines) {
			count_lines(c, 1, r.lines, r.bare_lf, r.long_lines);
			/* a stuffed line's first '.' is no message octet (pop3d_server_body, pop3_reply.c) */
			body_lines(c->cur, r.lines, r.octets - r.stuffed, r.bare_lf != 0, &r.last_m);
			c->cur->data_stuffed += r.stuffed;
		}
		p += used;
		n -= used;
		if (n == 0)
			break;
		/* What stopped the run (a '.' line, a gap's resync) takes the
		 * line-by-line path, one line at a time, since it may end the
		 * body. */
		const uint8_t *lf = memchr(p, '\n', n);
		size_t one = lf ? (size_t)(lf + 1 - p) : n;
		pop3_framer_feed(&c->fr[dir], p, one, m, on_line, line_start_ok, c, dir);
		p += one;
		n -= one;
	}
	if (n > 0)
		pop3_framer_feed(&c->fr[dir], p, n, m, on_line, line_start_ok, c, dir);
}

void pop3_gap(struct pop3_conn *c, int dir, uint64_t len, const struct seg_meta *m)
{
	c->info.gaps[dir]++;
	c->info.gap_bytes[dir] += len;
	if (c->info.tls)
		return;
	c->info.resyncs++;
	bool partial = pop3_framer_gap(&c->fr[dir], on_line, c, dir);
	if (dir == 0) {
		c->auth_wait = false;
		c->client_gap = true;
		c->client_gap_partial = partial;
		c->client_gap_m = *m;
		return;
	}
	if (c->cur_open) {
		c->cur->flags |= POP3_TF_CUT;
		pop3d_emit(c, c->cur);
	}
	c->mode = SRV_RESYNC;
	c->after_gap = c->qlen > 0;
}

void pop3_finish(struct pop3_conn *c, const struct seg_meta *m)
{
	(void)m;
	pop3_framer_finish(&c->fr[0], on_line, c, 0);
	pop3_framer_finish(&c->fr[1], on_line, c, 1);
	if (c->cur_open) {
		if (!c->cur->terminated && (c->cur->multiline || c->auth_open))
			c->cur->flags |= POP3_TF_CUT;
		pop3d_emit(c, c->cur);
	}
	while (c->qlen) {
		struct pending p = *q_at(c, 0);
		q_pop(c);
		if (!p.lost)
			pop3d_emit_unanswered(c, &p);
	}
}
