/*
 * pop3_txn.c - the POP3 dissector's transactions: a reply's transaction
 * made from its pending command, handed up (emit), the listing entries it
 * carries, and the pending-command FIFO (push, and what is given up when
 * it is full).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "pop3_data.h"
#include "pop3_dissect_priv.h"
#include "pop3_framer.h"
#include "util.h"

/* ---- spares (pop3.h) ---------------------------------------------------- */

/* Buffers of one size, each free one keeping the link to the next in its
 * own first bytes. Past `kept` they go back to malloc. */
struct spare_list {
	void *free;
	unsigned n;
};

#define SPARES_KEPT 64 /* more than are given back in a row */

struct pop3_spares {
	struct spare_list txn;   /* struct pop3_txn */
	struct spare_list q1;    /* a one-entry pending queue (struct pending) */
	/* a two-entry queue: most clients pipeline a little (two entries,
	 * 1,168 bytes, are past glibc's per-thread cache: ~700 instructions
	 * a malloc and more to free, once or twice a session) */
	struct spare_list q2;
	/* a listing's first entry array and first unique-id arena: allocated
	 * for every LIST or UIDL reply and freed when it is handed on (a
	 * realloc and a free each, ~30 K each on the small bench shape) */
	struct spare_list ent;
	struct spare_list uids;
};

/* The first sizes of a listing's buffers (pop3d_add_entry): in glibc's
 * per-thread cache (chunks up to 1,032 bytes), and the arena room for
 * 256 bytes of unique-ids plus the longest one kept. */
#define ENT_FIRST 16
#define UIDS_FIRST (256 + POP3_UID_MAX + 2)

static void *spare_take(struct spare_list *l, size_t size)
{
	if (l->free) {
		void *p = l->free;
		memcpy(&l->free, p, sizeof(void *));
		l->n--;
		return p;
	}
	return xmalloc(size < sizeof(void *) ? sizeof(void *) : size);
}

static void spare_give(struct spare_list *l, void *p)
{
	if (l->n < SPARES_KEPT) {
		memcpy(p, &l->free, sizeof(void *));
		l->free = p;
		l->n++;
		return;
	}
	free(p);
}

static void spare_list_free(struct spare_list *l)
{
	while (l->free) {
		void *p = l->free;
		memcpy(&l->free, p, sizeof(void *));
		free(p);
	}
}

struct pop3_spares *pop3_spares_new(void)
{
	return xcalloc(1, sizeof(struct pop3_spares));
}

void pop3_spares_free(struct pop3_spares *sp)
{
	if (!sp)
		return;
	spare_list_free(&sp->txn);
	spare_list_free(&sp->q1);
	spare_list_free(&sp->q2);
	spare_list_free(&sp->ent);
	spare_list_free(&sp->uids);
	free(sp);
}

struct pop3_txn *pop3d_txn_take(struct pop3_conn *c)
{
	/* Not cleared: its one caller (pop3d_server_status) fills it at once
	 * with pop3d_txn_from_pending, which clears what lies before the text
	 * and ends each text array, as it does the single-line reply on the
	 * stack. The whole 1,368 bytes cleared again here was ~175
	 * instructions a multi-line reply. Past a text's NUL the bytes are an
	 * earlier reply's, on the heap as on the stack: everything reads them
	 * as strings (pop3.h). */
	return c->o.spares ? spare_take(&c->o.spares->txn, sizeof(struct pop3_txn))
			   : xmalloc(sizeof(struct pop3_txn));
}

void pop3d_txn_give(struct pop3_conn *c, struct pop3_txn *t)
{
	if (c->o.spares)
		spare_give(&c->o.spares->txn, t);
	else
		free(t);
}

void pop3d_q_release(struct pop3_conn *c)
{
	if (c->qcap == 1 && c->o.spares)
		spare_give(&c->o.spares->q1, c->q);
	else if (c->qcap == 2 && c->o.spares)
		spare_give(&c->o.spares->q2, c->q);
	else
		free(c->q);
	c->q = NULL;
	c->qcap = c->qhead = 0;
}

/* ---- transactions ------------------------------------------------------ */

void pop3d_emit(struct pop3_conn *c, struct pop3_txn *t)
{
	bool is_cur = t == c->cur;
	t->index = c->info.txns++;
	if (c->after_gap)
		t->flags |= POP3_TF_AFTER_GAP;
	/* Only the reply being read owns the listing buffers: a command dropped
	 * from a full FIFO while a listing arrives must not touch them. */
	if (!is_cur) {
		t->entries = NULL;
		t->uids = NULL;
		t->n_entries = 0;
		c->cb.txn(c->cb.ctx, t);
		return;
	}
	t->entries = c->ent;
	t->uids = c->uids;
	c->last_single_ok = t->status == POP3_ST_OK && !t->multiline;
	c->cb.txn(c->cb.ctx, t);
	if (c->cur_heap) /* (c->cur, not t: it may be the caller's stack one, never given) */
		pop3d_txn_give(c, c->cur);
	c->cur_open = false;
	c->cur = NULL;
	c->cur_heap = false;
	c->auth_open = c->auth_wait = false;
	/* The listing was the callback's to copy: its buffers go now. A
	 * session lists once or twice, and thousands of sessions at once each
	 * keeping a 64-entry array and a 1 KiB uid arena cost 2 KiB apiece
	 * (11 MiB of the small bench shape's peak). */
	pop3d_listing_release(c);
}

/* A listing's buffers of the first size go back to the spares, grown ones
 * to malloc. */
void pop3d_listing_release(struct pop3_conn *c)
{
	if (c->ent) {
		if (c->ent_cap == ENT_FIRST && c->o.spares)
			spare_give(&c->o.spares->ent, c->ent);
		else
			free(c->ent);
		c->ent = NULL;
		c->ent_cap = 0;
	}
	if (c->uids) {
		if (c->uids_cap == UIDS_FIRST && c->o.spares)
			spare_give(&c->o.spares->uids, c->uids);
		else
			free(c->uids);
		c->uids = NULL;
		c->uids_cap = 0;
	}
	c->uids_len = 0;
}

/* Every reply starts one. The text arrays at the end are most of the
 * struct, and on a cold session clearing them cost a cache miss per line:
 * only what lies before them is cleared, and each array is ended at its
 * start (everything reads them as strings). */
void pop3d_txn_from_pending(struct pop3_txn *t, const struct pending *p)
{
	memset(t, 0, offsetof(struct pop3_txn, args));
	t->code[0] = t->text[0] = t->sasl[0] = '\0';
	size_t n = strnlen(p->args, sizeof(t->args) - 1);
	memcpy(t->args, p->args, n);
	t->args[n] = '\0';
	t->cmd = p->cmd;
	memcpy(t->keyword, p->keyword, sizeof(t->keyword));
	t->has_args = p->has_args;
	t->secret = p->secret;
	t->has_msgnum = p->has_msgnum;
	t->msgnum = p->msgnum;
	t->arg2 = p->arg2;
	t->state_before = p->state_before;
	t->req_frame = p->m.frame;
	t->req_ts_us = p->m.ts_us;
	t->flags = p->flags;
}

void pop3d_add_entry(struct pop3_conn *c, const struct pop3_entry *e, const char *uid,
		      size_t uid_len)
{
	struct pop3_txn *t = c->cur;
	if (t->n_entries >= POP3_LISTING_MAX) {
		t->flags |= POP3_TF_LISTING_CAPPED;
		return;
	}
	/* First sizes that glibc serves from its per-thread cache (chunks up
	 * to 1,032 bytes): a listing is allocated and freed once or twice a
	 * session, and 64 entries (1,536 bytes) or a 1 KiB arena went to the
	 * general allocator, ~470 instructions a realloc and more to free. */
	if (t->n_entries == c->ent_cap) {
		if (c->ent_cap == 0 && c->o.spares) {
			c->ent = spare_take(&c->o.spares->ent, ENT_FIRST * sizeof(*c->ent));
			c->ent_cap = ENT_FIRST;
		} else {
			c->ent_cap = c->ent_cap ? c->ent_cap * 2 : ENT_FIRST;
			c->ent = xrealloc(c->ent, c->ent_cap * sizeof(*c->ent));
		}
	}
	struct pop3_entry *d = &c->ent[t->n_entries++];
	*d = *e;
	if (uid) {
		/* Keep one byte past the RFC limit so "too long" stays visible. */
		size_t keep = uid_len > POP3_UID_MAX + 1 ? POP3_UID_MAX + 1 : uid_len;
		if (c->uids_cap == 0 && c->o.spares) {
			c->uids = spare_take(&c->o.spares->uids, UIDS_FIRST);
			c->uids_cap = UIDS_FIRST;
		} else if (c->uids_len + keep + 1 > c->uids_cap) {
			c->uids_cap = c->uids_cap ? c->uids_cap * 2 + keep + 1 : UIDS_FIRST;
			c->uids = xrealloc(c->uids, c->uids_cap);
		}
		d->uid_off = (uint32_t)c->uids_len;
		d->uid_len = (uint8_t)keep;
		copy_text(c->uids + c->uids_len, keep + 1, uid, keep);
		c->uids_len += keep + 1;
	}
	t->entries = c->ent;
	t->uids = c->uids;
}

/* ---- the pending-command FIFO ------------------------------------------- */

void pop3d_emit_unanswered(struct pop3_conn *c, const struct pending *p)
{
	struct pop3_txn t;
	pop3d_txn_from_pending(&t, p);
	t.flags |= POP3_TF_UNANSWERED;
	c->info.unanswered++;
	pop3d_emit(c, &t);
}

struct pending *pop3d_q_push(struct pop3_conn *c)
{
	if (c->qlen == POP3_PENDING_MAX) {
		/* A peer that never answers: give up on the oldest, counted. */
		struct pending old = *q_at(c, 0);
		q_pop(c);
		c->info.pending_dropped++;
		if (!old.lost)
			pop3d_emit_unanswered(c, &old);
	}
	struct pending *p;
	if (c->qcap == 0) {
		/* one entry to start (584 bytes: most sessions wait on one
		 * command at a time), a spare when there is one */
		c->q = c->o.spares ? spare_take(&c->o.spares->q1, sizeof(*c->q)) : xmalloc(sizeof(*c->q));
		c->qcap = 1;
		c->qhead = 0;
		c->qlen = 1;
		p = c->q;
	} else {
		if (c->qlen == c->qcap) {
			/* a pipelining client doubles it */
			unsigned ncap = c->qcap * 2;
			struct pending *nq = ncap == 2 && c->o.spares
						     ? spare_take(&c->o.spares->q2, 2 * sizeof(*nq))
						     : xmalloc(ncap * sizeof(*nq)); /* a push clears its entry */
			for (unsigned i = 0; i < c->qlen; i++)
				nq[i] = *q_at(c, i);
			if (c->qcap == 1 && c->o.spares)
				spare_give(&c->o.spares->q1, c->q);
			else if (c->qcap == 2 && c->o.spares)
				spare_give(&c->o.spares->q2, c->q);
			else
				free(c->q);
			c->q = nq;
			c->qcap = ncap;
			c->qhead = 0;
		}
		p = &c->q[(c->qhead + c->qlen++) % c->qcap];
	}
	memset(p, 0, offsetof(struct pending, args));
	p->args[0] = '\0';
	return p;
}
