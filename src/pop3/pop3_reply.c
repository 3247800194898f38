/*
 * pop3_reply.c - the POP3 dissector's server side: status lines parsed and
 * paired with the oldest pending command, the greeting, state changes on
 * +OK, multi-line bodies (listings, CAPA, messages), SASL challenges and
 * STLS, unpaired and unsolicited replies, resync after a client gap.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "pop3_data.h"
#include "pop3_dissect_priv.h"
#include "pop3_framer.h"
#include "util.h"

/* ---- server lines -------------------------------------------------------- */

static void set_reply(struct pop3_txn *t, const struct pop3_line *l, enum pop3_status st,
		      bool lower, size_t text_at)
{
	t->status = st;
	t->rep_frame = t->end_frame = l->m.frame;
	t->rep_ts_us = t->end_ts_us = l->m.ts_us;
	t->first_line_len = (uint32_t)(l->octets > UINT32_MAX ? UINT32_MAX : l->octets);
	copy_text(t->text, sizeof(t->text), l->p + text_at, l->len - text_at);
	pop3_data_code(t->text, t->code, sizeof(t->code));
	if (lower)
		t->flags |= POP3_TF_STATUS_LOWER;
	if (l->octets > POP3_REPLY_LINE_MAX)
		t->flags |= POP3_TF_REPLY_TOO_LONG;
	if (l->flags & LINE_TRUNC)
		t->flags |= POP3_TF_LINE_TRUNCATED;
	if (l->flags & LINE_CUT)
		t->flags |= POP3_TF_CUT;
	if (l->flags & LINE_BARE_LF)
		t->flags |= POP3_TF_BARE_LF;
}

static void greeting(struct pop3_conn *c, const struct pop3_txn *t)
{
	c->info.greeted = true;
	pop3d_set_info_text(&c->info.banner, &c->info.banner_len, t->text, strlen(t->text), POP3_TEXT_MAX);
	const char *lt = strchr(t->text, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt)
		pop3d_set_info_text(&c->info.apop_ts, NULL, lt, (size_t)(gt - lt + 1), POP3_APOP_TS_MAX);
}

static void after_ok(struct pop3_conn *c, const struct pop3_txn *t)
{
	unsigned f = pop3_cmd_flags(t->cmd);
	if (f & POP3_CF_LOGIN) {
		c->info.state = POP3_STATE_TRANSACTION;
		c->info.login_seen = true;
	} else if (t->cmd == POP3_CMD_QUIT) {
		c->info.quit_seen = true;
		if (c->info.state == POP3_STATE_TRANSACTION)
			c->info.state = POP3_STATE_UPDATE;
	} else if ((f & POP3_CF_TRANS) && c->info.state == POP3_STATE_UNKNOWN) {
		c->info.state = POP3_STATE_TRANSACTION; /* mid-stream: inferred */
	}
}

static void single_entry(struct pop3_conn *c)
{
	struct pop3_txn *t = c->cur;
	struct pop3_entry e;
	const char *uid = NULL;
	size_t uid_len = 0;
	bool uidl = t->cmd == POP3_CMD_UIDL;
	/* "+OK n uid": the whole text for UIDL; "+OK n size [text]": two tokens. */
	const char *sp = uidl ? NULL : strchr(t->text, ' ');
	size_t len = sp ? (size_t)(sp + 1 - t->text) + strcspn(sp + 1, " ") : strlen(t->text);
	pop3_data_listing_line(t->text, len, uidl, &e, &uid, &uid_len);
	pop3d_add_entry(c, &e, uidl ? uid : NULL, uid_len);
}

static void start_body(struct pop3_conn *c)
{
	c->mode = SRV_BODY;
	c->cur->multiline = true;
	switch (c->cur->cmd) {
	case POP3_CMD_LIST: c->body = BODY_LIST; break;
	case POP3_CMD_UIDL: c->body = BODY_UIDL; break;
	case POP3_CMD_CAPA: c->body = BODY_CAPA; break;
	case POP3_CMD_RETR:
	case POP3_CMD_TOP: c->body = BODY_MSG; break;
	default: c->body = BODY_OTHER; break;
	}
}

static void end_body(struct pop3_conn *c, const struct pop3_line *l, uint32_t flag)
{
	c->cur->end_frame = l->m.frame;
	c->cur->end_ts_us = l->m.ts_us;
	c->cur->flags |= flag;
	c->mode = SRV_STATUS;
	pop3d_emit(c, c->cur);
}


void pop3d_server_body(struct pop3_conn *c, const struct pop3_line *l)
{
	struct pop3_txn *t = c->cur;
	const char *p = l->p;
	size_t len = l->len;
	uint64_t octets = l->octets;

	if (len >= 1 && p[0] == '.') {
		if (len == 1) {
			t->terminated = true;
			end_body(c, l, 0);
			return;
		}
		if (p[1] == '\r') { /* ".\r" without LF (Cyrus 3.4.6): ends the block */
			t->terminated = true;
			end_body(c, l, POP3_TF_DOT_CR_NO_LF);
			if (len > 2) {
				struct pop3_line rest = *l;
				rest.p += 2;
				rest.len -= 2;
				rest.octets -= 2;
				pop3d_server_status(c, &rest);
			}
			return;
		}
		if (p[1] == '.') {
			p++;
			len--;
			octets--;
			t->data_stuffed++;
		} else {
			t->flags |= POP3_TF_UNSTUFFED_DOT;
		}
	} else if (c->body != BODY_MSG && len >= 3 && (p[0] == '+' || p[0] == '-')) {
		bool lower;
		size_t at;
		enum pop3_status st = pop3_data_status(p, len, &lower, &at);
		if (st == POP3_ST_OK || st == POP3_ST_ERR) {
			/* The next reply began before this block's ".": no terminator. */
			end_body(c, l, POP3_TF_NO_TERMINATOR);
			pop3d_server_status(c, l);
			return;
		}
	}
	body_lines(t, 1, octets, l->flags & LINE_BARE_LF, &l->m);
	if (c->body == BODY_LIST || c->body == BODY_UIDL) {
		struct pop3_entry e;
		const char *uid = NULL;
		size_t uid_len = 0;
		if (!pop3_data_listing_line(p, len, c->body == BODY_UIDL, &e, &uid, &uid_len))
			t->flags |= POP3_TF_BAD_LISTING_LINE;
		pop3d_add_entry(c, &e, c->body == BODY_UIDL ? uid : NULL, uid_len);
	} else if (c->body == BODY_CAPA) {
		pop3_data_capa_line(p, len, &t->caps, t->sasl, sizeof(t->sasl));
	}
}

/* A reply with no command: the greeting, an unsolicited reply, or garbage. */
static void unpaired(struct pop3_conn *c, const struct pop3_line *l, enum pop3_status st,
		     bool lower, size_t at, uint32_t flags, bool is_greeting)
{
	struct pop3_txn t;
	/* As pop3d_txn_from_pending: what lies before the text cleared, each
	 * text array ended (set_reply fills text and code), not 1,368 bytes
	 * for every greeting. */
	memset(&t, 0, offsetof(struct pop3_txn, args));
	t.args[0] = t.code[0] = t.sasl[0] = '\0';
	t.state_before = c->info.state;
	set_reply(&t, l, st, lower, at);
	t.flags |= flags;
	if (is_greeting)
		greeting(c, &t);
	pop3d_emit(c, &t);
}

/* RFC 5034 s4: a server challenge is base64 (an empty one is allowed). */
static bool auth_challenge_ok(const struct pop3_line *l, size_t at)
{
	return l->len <= at || pop3_data_is_base64(l->p + at, l->len - at);
}

void pop3d_server_status(struct pop3_conn *c, const struct pop3_line *l)
{
	bool lower;
	size_t at;
	enum pop3_status st = pop3_data_status(l->p, l->len, &lower, &at);

	if (c->auth_open) {
		struct pop3_txn *t = c->cur;
		if (st == POP3_ST_CONT) {
			t->auth_steps++;
			c->auth_wait = true;
			if (!auth_challenge_ok(l, at))
				t->flags |= POP3_TF_AUTH_NOT_B64;
			t->end_frame = l->m.frame;
			t->end_ts_us = l->m.ts_us;
			return;
		}
		if (st == POP3_ST_OK || st == POP3_ST_ERR) {
			uint32_t keep = t->flags;
			uint32_t steps = t->auth_steps;
			set_reply(t, l, st, lower, at);
			t->flags |= keep;
			t->auth_steps = steps;
			if (st == POP3_ST_OK)
				after_ok(c, t);
			pop3d_emit(c, t);
			return;
		}
	}
	if (st == POP3_ST_BAD && c->last_single_ok && c->mode == SRV_STATUS) {
		/* Data lines after a single-line +OK (e.g. "LIST 1" answered as a
		 * listing): one marker, then skip to the "." or the next reply. */
		c->last_single_ok = false;
		unpaired(c, l, POP3_ST_NONE, false, 0, POP3_TF_MULTI_UNEXPECTED | POP3_TF_UNSOLICITED,
			 false);
		c->mode = SRV_RESYNC;
		return;
	}
	if (st == POP3_ST_BAD || (st == POP3_ST_CONT && !(c->qlen && q_at(c, 0)->cmd == POP3_CMD_AUTH))) {
		c->info.garbage_lines++;
		unpaired(c, l, POP3_ST_BAD, false, 0, 0, false);
		return;
	}
	/* A client gap: replies sent before the next seen command are not its. */
	while (c->qlen && q_at(c, 0)->lost) {
		if (c->qlen > 1 && l->m.frame >= q_at(c, 1)->m.frame) {
			q_pop(c);
			c->after_gap = true;
			continue;
		}
		unpaired(c, l, st, lower, at, POP3_TF_UNSOLICITED | POP3_TF_AFTER_GAP, false);
		c->mode = SRV_RESYNC; /* skip its data lines, if any */
		return;
	}
	if (c->qlen == 0) {
		if (!c->info.greeted && !c->midstream && c->info.txns == 0 && st != POP3_ST_CONT) {
			unpaired(c, l, st, lower, at, 0, true);
			return;
		}
		c->info.unsolicited++;
		unpaired(c, l, st, lower, at, POP3_TF_UNSOLICITED, false);
		return;
	}

	/* Does the reply span lines (a multi-line block, an AUTH exchange)?
	 * Then it is kept on the heap until handed on; else it is whole now. */
	const struct pending *pq = q_at(c, 0);
	unsigned f = pop3_cmd_flags(pq->cmd);
	bool multi = (f & POP3_CF_MULTI) || ((f & POP3_CF_MULTI_NOARG) && !pq->has_args) ||
		     (pq->cmd == POP3_CMD_AUTH && !pq->has_args);
	bool spans = st == POP3_ST_CONT || (st == POP3_ST_OK && multi);
	struct pop3_txn one;
	struct pop3_txn *t = spans ? pop3d_txn_take(c) : &one;
	c->cur = t;
	c->cur_heap = spans;
	pop3d_txn_from_pending(t, pq);
	q_pop(c);
	c->cur_open = true;
	/* Replies come in order, so the state now is the state the server was
	 * in when it answered - not when a pipelining client sent the command. */
	t->state_before = c->info.state;
	set_reply(t, l, st, lower, at);
	if (st == POP3_ST_CONT) { /* AUTH mech: the SASL exchange begins */
		t->auth_steps = 1;
		c->auth_open = c->auth_wait = true;
		if (!auth_challenge_ok(l, at))
			t->flags |= POP3_TF_AUTH_NOT_B64;
		return;
	}
	if (st == POP3_ST_ERR) {
		pop3d_emit(c, t);
		goto drained;
	}
	after_ok(c, t);
	if (multi) {
		start_body(c);
		return;
	}
	if ((t->cmd == POP3_CMD_LIST || t->cmd == POP3_CMD_UIDL) && t->has_args)
		single_entry(c);
	bool stls = t->cmd == POP3_CMD_STLS;
	pop3d_emit(c, t);
	if (stls) {
		/* Trust but verify: the next bytes either way must be a TLS record. */
		c->info.stls_accepted = true;
		c->stls_verify = true;
	}
drained:
	if (c->qlen == 0)
		c->after_gap = false;
}

