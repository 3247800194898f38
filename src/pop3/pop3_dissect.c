/*
 * pop3_dissect.c - per-connection POP3 state machine (contract in pop3.h).
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
#include "pop3_framer.h"
#include "util.h"

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
	bool cur_open;
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
	struct pending *q;            /* owned ring, grows to POP3_PENDING_MAX */
	unsigned qhead, qlen, qcap;
	struct seg_meta client_gap_m;
	struct pop3_entry *ent;       /* owned, for cur.entries */
	uint32_t ent_cap;
	char *uids;                   /* owned arena for cur.uids */
	size_t uids_len, uids_cap;
	struct pop3_conn_info info;
	struct pop3_txn cur;          /* the reply being read */
};

static void copy_text(char *dst, size_t size, const char *p, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = p[i] ? p[i] : '\x1a'; /* NUL would cut the C string: SUB stands in */
	dst[n] = '\0';
}

struct pop3_conn *pop3_conn_new(const struct pop3_opts *o, const struct pop3_cb *cb,
				bool midstream)
{
	struct pop3_conn *c = xcalloc(1, sizeof(*c));
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

void pop3_conn_free(struct pop3_conn *c)
{
	if (!c)
		return;
	pop3_framer_fini(&c->fr[0]);
	pop3_framer_fini(&c->fr[1]);
	free(c->q);
	free(c->ent);
	free(c->uids);
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
		const struct pop3_txn *t = &c->cur;
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

/* ---- transactions ------------------------------------------------------ */

static void emit(struct pop3_conn *c, struct pop3_txn *t)
{
	bool is_cur = t == &c->cur;
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
	c->cur_open = false;
	c->auth_open = c->auth_wait = false;
	/* Do not keep a huge listing's memory for the rest of the session. */
	if (c->ent_cap > 4096) {
		free(c->ent);
		c->ent = NULL;
		c->ent_cap = 0;
	}
	if (c->uids_cap > 65536) {
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
static void txn_from_pending(struct pop3_txn *t, const struct pending *p)
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

static void add_entry(struct pop3_conn *c, const struct pop3_entry *e, const char *uid,
		      size_t uid_len)
{
	struct pop3_txn *t = &c->cur;
	if (t->n_entries >= POP3_LISTING_MAX) {
		t->flags |= POP3_TF_LISTING_CAPPED;
		return;
	}
	if (t->n_entries == c->ent_cap) {
		c->ent_cap = c->ent_cap ? c->ent_cap * 2 : 64;
		c->ent = xrealloc(c->ent, c->ent_cap * sizeof(*c->ent));
	}
	struct pop3_entry *d = &c->ent[t->n_entries++];
	*d = *e;
	if (uid) {
		/* Keep one byte past the RFC limit so "too long" stays visible. */
		size_t keep = uid_len > POP3_UID_MAX + 1 ? POP3_UID_MAX + 1 : uid_len;
		if (c->uids_len + keep + 1 > c->uids_cap) {
			c->uids_cap = (c->uids_cap ? c->uids_cap * 2 : 1024) + keep + 1;
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

static struct pending *q_at(struct pop3_conn *c, unsigned i)
{
	return &c->q[(c->qhead + i) % c->qcap];
}

static void q_pop(struct pop3_conn *c)
{
	c->qhead = (c->qhead + 1) % c->qcap;
	c->qlen--;
}

static void emit_unanswered(struct pop3_conn *c, const struct pending *p)
{
	struct pop3_txn t;
	txn_from_pending(&t, p);
	t.flags |= POP3_TF_UNANSWERED;
	c->info.unanswered++;
	emit(c, &t);
}

static struct pending *q_push(struct pop3_conn *c)
{
	if (c->qlen == POP3_PENDING_MAX) {
		/* A peer that never answers: give up on the oldest, counted. */
		struct pending old = *q_at(c, 0);
		q_pop(c);
		c->info.pending_dropped++;
		if (!old.lost)
			emit_unanswered(c, &old);
	}
	if (c->qlen == c->qcap) {
		/* one entry to start (584 bytes: most sessions wait on one
		 * command at a time); a pipelining client doubles it */
		unsigned ncap = c->qcap ? c->qcap * 2 : 1;
		struct pending *nq = xmalloc(ncap * sizeof(*nq)); /* a push clears its entry */
		for (unsigned i = 0; i < c->qlen; i++)
			nq[i] = *q_at(c, i);
		free(c->q);
		c->q = nq;
		c->qcap = ncap;
		c->qhead = 0;
	}
	struct pending *p = &c->q[(c->qhead + c->qlen++) % c->qcap];
	memset(p, 0, offsetof(struct pending, args));
	p->args[0] = '\0';
	return p;
}

/* ---- client lines -------------------------------------------------------- */

/* The secret from `at` on gives way to POP3_REDACTED, and none of it stays
 * past the new end either: the array is reused, not cleared, by later
 * commands, and its memory by others once freed. */
static void redact_from(struct pending *p, char *at)
{
	size_t room = sizeof(p->args) - (size_t)(at - p->args);
	size_t was = strnlen(at, room);
	strlcpy_safe(at, POP3_REDACTED, room);
	size_t now = strlen(at);
	if (was > now)
		memset(at + now, 0, was - now);
	p->secret = true;
}

static void redact_args(struct pending *p, bool show)
{
	if (show || !p->has_args)
		return;
	char *sp = strchr(p->args, ' ');
	switch (p->cmd) {
	case POP3_CMD_PASS:
		redact_from(p, p->args);
		break;
	case POP3_CMD_APOP: /* "name digest": keep the name */
	case POP3_CMD_AUTH: /* "mechanism initial-response": keep the mechanism */
		if (sp)
			redact_from(p, sp + 1);
		break;
	default:
		break;
	}
}

static void parse_msgnum(struct pending *p)
{
	unsigned f = pop3_cmd_flags(p->cmd);
	if (!(f & (POP3_CF_MSGNUM | POP3_CF_MSGNUM_OPT)) || !p->has_args)
		return;
	const char *a = p->args, *sp = strchr(a, ' ');
	size_t n = sp ? (size_t)(sp - a) : strlen(a);
	p->has_msgnum = pop3_parse_u32(a, n, &p->msgnum);
	if (sp && p->cmd == POP3_CMD_TOP)
		(void)pop3_parse_u32(sp + 1, strlen(sp + 1), &p->arg2);
}

static void client_line(struct pop3_conn *c, const struct pop3_line *l)
{
	if (c->client_gap && !(l->flags & LINE_CUT)) {
		/* If the gap only cut the tail of a line and the next bytes began a
		 * new one, no command was lost; otherwise mark the loss in the FIFO. */
		c->client_gap = false;
		if (!(c->client_gap_partial && c->fr[0].resumed_at_gap)) {
			struct pending *lost = q_push(c);
			lost->lost = true;
			lost->m = c->client_gap_m;
		}
	}
	if (c->auth_wait) { /* a SASL continuation, never a command */
		c->auth_wait = false;
		if (l->len == 1 && l->p[0] == '*')
			c->cur.flags |= POP3_TF_AUTH_CANCEL;
		else if (!pop3_data_is_base64(l->p, l->len))
			c->cur.flags |= POP3_TF_AUTH_NOT_B64;
		else if (c->sasl_responses == 0)
			(void)pop3_data_sasl_user(c->cur.args, strcspn(c->cur.args, " "), l->p, l->len,
						  c->info.user, sizeof(c->info.user));
		c->sasl_responses++;
		return;
	}
	struct pending *p = q_push(c);
	size_t kw = 0;
	while (kw < l->len && l->p[kw] != ' ')
		kw++;
	p->cmd = pop3_cmd_lookup(l->p, kw);
	copy_text(p->keyword, sizeof(p->keyword), l->p, kw);
	for (char *k = p->keyword; *k; k++)
		if (*k >= 'a' && *k <= 'z')
			*k = (char)(*k - 'a' + 'A');
	if (kw < l->len) {
		p->has_args = true;
		copy_text(p->args, sizeof(p->args), l->p + kw + 1, l->len - kw - 1);
	}
	p->state_before = c->info.state;
	p->m = l->m;
	if (l->octets > POP3_CMD_LINE_MAX)
		p->flags |= POP3_TF_CMD_TOO_LONG;
	if (l->flags & LINE_TRUNC)
		p->flags |= POP3_TF_LINE_TRUNCATED;
	if (l->flags & LINE_BARE_LF)
		p->flags |= POP3_TF_BARE_LF;
	parse_msgnum(p);
	if (p->cmd == POP3_CMD_USER && p->has_args)
		strlcpy_safe(c->info.user, p->args, sizeof(c->info.user));
	if (p->cmd == POP3_CMD_APOP && p->has_args) {
		copy_text(c->info.user, sizeof(c->info.user), p->args, strcspn(p->args, " "));
	}
	if (p->cmd == POP3_CMD_AUTH) {
		/* The user of PLAIN and LOGIN is in the (initial) response; the
		 * rest of the response is redacted just below. */
		size_t ml = strcspn(p->args, " ");
		c->sasl_responses = p->args[ml] ? 1 : 0;
		if (p->args[ml])
			(void)pop3_data_sasl_user(p->args, ml, p->args + ml + 1, strlen(p->args + ml + 1),
						  c->info.user, sizeof(c->info.user));
	}
	redact_args(p, c->o.show_secrets);
}

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
	strlcpy_safe(c->info.banner, t->text, sizeof(c->info.banner));
	const char *lt = strchr(t->text, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt)
		copy_text(c->info.apop_ts, sizeof(c->info.apop_ts), lt, (size_t)(gt - lt + 1));
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
	struct pop3_txn *t = &c->cur;
	struct pop3_entry e;
	const char *uid = NULL;
	size_t uid_len = 0;
	bool uidl = t->cmd == POP3_CMD_UIDL;
	/* "+OK n uid": the whole text for UIDL; "+OK n size [text]": two tokens. */
	const char *sp = uidl ? NULL : strchr(t->text, ' ');
	size_t len = sp ? (size_t)(sp + 1 - t->text) + strcspn(sp + 1, " ") : strlen(t->text);
	pop3_data_listing_line(t->text, len, uidl, &e, &uid, &uid_len);
	add_entry(c, &e, uidl ? uid : NULL, uid_len);
}

static void server_status(struct pop3_conn *c, const struct pop3_line *l);

static void start_body(struct pop3_conn *c)
{
	c->mode = SRV_BODY;
	c->cur.multiline = true;
	switch (c->cur.cmd) {
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
	c->cur.end_frame = l->m.frame;
	c->cur.end_ts_us = l->m.ts_us;
	c->cur.flags |= flag;
	c->mode = SRV_STATUS;
	emit(c, &c->cur);
}

/* Data lines of the open body: the line path adds them one at a time, the
 * fast path of pop3_feed a run at once. */
static void body_lines(struct pop3_txn *t, uint64_t lines, uint64_t octets, bool bare_lf,
		       const struct seg_meta *m)
{
	if (bare_lf)
		t->flags |= POP3_TF_BARE_LF;
	t->data_lines += lines;
	t->data_octets += octets;
	t->end_frame = m->frame;
	t->end_ts_us = m->ts_us;
}

static void server_body(struct pop3_conn *c, const struct pop3_line *l)
{
	struct pop3_txn *t = &c->cur;
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
				server_status(c, &rest);
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
			server_status(c, l);
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
		add_entry(c, &e, c->body == BODY_UIDL ? uid : NULL, uid_len);
	} else if (c->body == BODY_CAPA) {
		pop3_data_capa_line(p, len, &t->caps, t->sasl, sizeof(t->sasl));
	}
}

/* A reply with no command: the greeting, an unsolicited reply, or garbage. */
static void unpaired(struct pop3_conn *c, const struct pop3_line *l, enum pop3_status st,
		     bool lower, size_t at, uint32_t flags, bool is_greeting)
{
	struct pop3_txn t;
	memset(&t, 0, sizeof(t));
	t.state_before = c->info.state;
	set_reply(&t, l, st, lower, at);
	t.flags |= flags;
	if (is_greeting)
		greeting(c, &t);
	emit(c, &t);
}

/* RFC 5034 s4: a server challenge is base64 (an empty one is allowed). */
static bool auth_challenge_ok(const struct pop3_line *l, size_t at)
{
	return l->len <= at || pop3_data_is_base64(l->p + at, l->len - at);
}

static void server_status(struct pop3_conn *c, const struct pop3_line *l)
{
	bool lower;
	size_t at;
	enum pop3_status st = pop3_data_status(l->p, l->len, &lower, &at);

	if (c->auth_open) {
		struct pop3_txn *t = &c->cur;
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
			emit(c, t);
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

	struct pop3_txn *t = &c->cur;
	txn_from_pending(t, q_at(c, 0));
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
		emit(c, t);
		goto drained;
	}
	unsigned f = pop3_cmd_flags(t->cmd);
	bool multi = (f & POP3_CF_MULTI) || ((f & POP3_CF_MULTI_NOARG) && !t->has_args) ||
		     (t->cmd == POP3_CMD_AUTH && !t->has_args);
	after_ok(c, t);
	if (multi) {
		start_body(c);
		return;
	}
	if ((t->cmd == POP3_CMD_LIST || t->cmd == POP3_CMD_UIDL) && t->has_args)
		single_entry(c);
	bool stls = t->cmd == POP3_CMD_STLS;
	emit(c, t);
	if (stls) {
		/* Trust but verify: the next bytes either way must be a TLS record. */
		c->info.stls_accepted = true;
		c->stls_verify = true;
	}
drained:
	if (c->qlen == 0)
		c->after_gap = false;
}

/* Every line of a direction, whichever path framed it. */
static void count_lines(struct pop3_conn *c, int dir, uint64_t lines, uint64_t bare_lf,
			uint64_t long_lines)
{
	c->info.lines[dir] += lines;
	c->info.bare_lf[dir] += bare_lf;
	c->info.long_lines[dir] += long_lines;
}

static void on_line(void *obj, int dir, const struct pop3_line *l)
{
	struct pop3_conn *c = obj;
	if (c->info.tls || c->stls_verify)
		return; /* bytes after STLS +OK in the same run: TLS or judged later */
	count_lines(c, dir, 1, (l->flags & LINE_BARE_LF) != 0, (l->flags & LINE_TRUNC) != 0);
	if (dir == 0) {
		client_line(c, l);
		return;
	}
	switch (c->mode) {
	case SRV_BODY:
		server_body(c, l);
		break;
	case SRV_RESYNC: {
		bool lower;
		size_t at;
		enum pop3_status st = pop3_data_status(l->p, l->len, &lower, &at);
		if (l->len == 1 && l->p[0] == '.') {
			c->mode = SRV_STATUS;
		} else if (st == POP3_ST_OK || st == POP3_ST_ERR) {
			c->mode = SRV_STATUS;
			server_status(c, l);
		}
		break;
	}
	default:
		if (!c->info.greeted && l->len == 0 && c->info.txns == 0)
			break; /* stray blank line before the greeting */
		server_status(c, l);
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
			/* a stuffed line's first '.' is no message octet (server_body) */
			body_lines(&c->cur, r.lines, r.octets - r.stuffed, r.bare_lf != 0, &r.last_m);
			c->cur.data_stuffed += r.stuffed;
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
		c->cur.flags |= POP3_TF_CUT;
		emit(c, &c->cur);
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
		if (!c->cur.terminated && (c->cur.multiline || c->auth_open))
			c->cur.flags |= POP3_TF_CUT;
		emit(c, &c->cur);
	}
	while (c->qlen) {
		struct pending p = *q_at(c, 0);
		q_pop(c);
		if (!p.lost)
			emit_unanswered(c, &p);
	}
}
