/*
 * pop3_dissect_priv.h - private to the POP3 dissector (pop3_dissect.c,
 * pop3_txn.c, pop3_client.c, pop3_reply.c): the connection state they all
 * work on, the tiny helpers they share (static inline: the per-line and
 * per-segment paths call them), and the functions one file gives another.
 */
#ifndef POP3MON_POP3_DISSECT_PRIV_H
#define POP3MON_POP3_DISSECT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pop3.h"
#include "pop3_framer.h"

struct pending {
	enum pop3_cmd cmd;
	bool has_args, secret, has_msgnum, lost;
	uint32_t msgnum, arg2, flags;
	enum pop3_state state_before;
	struct seg_meta m;
	char keyword[POP3_KEYWORD_MAX + 1];
	char args[POP3_ARGS_MAX + 1];    /* last: a push clears only what comes before */
};

enum srv_mode { SRV_STATUS, SRV_BODY, SRV_RESYNC };
enum body_kind { BODY_LIST, BODY_UIDL, BODY_CAPA, BODY_MSG, BODY_OTHER };

/* The fields every segment reads come first, then the counters (info's
 * and cur's lead with theirs), then the text: a busy capture has thousands
 * of these, and a segment should touch few of their cache lines. */
struct pop3_conn {
	bool cur_open;                /* a paired reply is being read: cur */
	bool cur_heap;                /* ...and cur is owned (it spans lines) */
	bool auth_open;               /* cur is an AUTH exchange in progress */
	bool auth_wait;               /* ...and the client owes a continuation */
	bool midstream;
	bool after_gap;               /* server gap: pairing is uncertain until drained */
	bool stls_verify;             /* STLS +OK: the next bytes must be TLS */
	bool last_single_ok;          /* the last reply read was a single-line +OK */
	bool client_gap;              /* a client-side gap not yet accounted for */
	bool client_gap_partial;      /* ...that cut a line we handed on */
	enum srv_mode mode;
	enum body_kind body;
	unsigned sasl_responses;      /* client responses so far in this AUTH */
	struct pop3_opts o;
	struct pop3_cb cb;
	struct pop3_framer fr[2];
	struct pending *q;            /* owned ring, grows to POP3_PENDING_MAX; freed when empty */
	unsigned qhead, qlen, qcap;
	struct seg_meta client_gap_m;
	struct pop3_entry *ent;       /* owned, for cur.entries */
	uint32_t ent_cap;
	char *uids;                   /* owned arena for cur.uids */
	size_t uids_len, uids_cap;
	struct pop3_conn_info info;
	/* The paired reply being read, NULL when none. A multi-line or AUTH
	 * reply spans lines and segments: it is on the heap (cur_heap) until
	 * handed on. A single-line one lives on pop3d_server_status's stack for
	 * the call. So thousands of connections at once do not each keep the
	 * 1.4 KiB of a transaction between replies. */
	struct pop3_txn *cur;
};

/* Wire text into a C string, cut to size. Every line's text, argument and
 * unique-id comes through here (~11 M instructions a byte at a time on the
 * small bench shape's main thread): copied whole, and only a text that
 * holds a NUL is gone over again. */
static inline void copy_text(char *dst, size_t size, const char *p, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	for (char *z = memchr(dst, 0, n); z; z = memchr(z + 1, 0, (size_t)(dst + n - z - 1)))
		*z = '\x1a'; /* NUL would cut the C string: SUB stands in */
}

/* A pop3_conn_info text: wire text cut to max bytes (NUL as SUB, as
 * copy_text), on the heap; "" costs nothing. Its length goes to *dst_len
 * (NULL: not kept) in the same call, so the two never disagree. */
void pop3d_set_info_text(const char **dst, uint32_t *dst_len, const char *p, size_t len, size_t max);

/* ---- the pending-command FIFO (pop3_txn.c pushes) ------------------------ */

static inline struct pending *q_at(struct pop3_conn *c, unsigned i)
{
	return &c->q[(c->qhead + i) % c->qcap];
}

/* The queue's memory goes when it empties (pop3_txn.c): most sessions
 * wait on one command at a time, and an entry is 584 bytes; a one-entry
 * queue goes back to the owner's spares (pop3.h), where the next push of
 * any connection takes it. */
void pop3d_q_release(struct pop3_conn *c);

static inline void q_pop(struct pop3_conn *c)
{
	c->qhead = (c->qhead + 1) % c->qcap;
	if (--c->qlen == 0)
		pop3d_q_release(c);
}

/* Data lines of the open body: the line path adds them one at a time, the
 * fast path of pop3_feed a run at once. */
static inline void body_lines(struct pop3_txn *t, uint64_t lines, uint64_t octets, bool bare_lf,
				      const struct seg_meta *m)
{
	if (bare_lf)
		t->flags |= POP3_TF_BARE_LF;
	t->data_lines += lines;
	t->data_octets += octets;
	t->end_frame = m->frame;
	t->end_ts_us = m->ts_us;
}

/* Every line of a direction, whichever path framed it. */
static inline void count_lines(struct pop3_conn *c, int dir, uint64_t lines, uint64_t bare_lf,
				       uint64_t long_lines)
{
	c->info.lines[dir] += lines;
	c->info.bare_lf[dir] += bare_lf;
	c->info.long_lines[dir] += long_lines;
}

/* pop3_txn.c: transactions and the FIFO */
struct pop3_txn *pop3d_txn_take(struct pop3_conn *c); /* a spare, or malloc's */
void pop3d_txn_give(struct pop3_conn *c, struct pop3_txn *t);
void pop3d_emit(struct pop3_conn *c, struct pop3_txn *t);
void pop3d_txn_from_pending(struct pop3_txn *t, const struct pending *p);
void pop3d_listing_release(struct pop3_conn *c);
void pop3d_add_entry(struct pop3_conn *c, const struct pop3_entry *e, const char *uid,
		     size_t uid_len);
void pop3d_emit_unanswered(struct pop3_conn *c, const struct pending *p);
struct pending *pop3d_q_push(struct pop3_conn *c);

/* pop3_client.c: a client line becomes a pending command (or a SASL response) */
void pop3d_client_line(struct pop3_conn *c, const struct pop3_line *l);

/* pop3_reply.c: server lines */
void pop3d_server_status(struct pop3_conn *c, const struct pop3_line *l);
void pop3d_server_body(struct pop3_conn *c, const struct pop3_line *l);

#endif
