/*
 * checks.c - the session's checks: lifecycle (checks_new, checks_free,
 * checks_close) and checks_txn, which hands each transaction to the rules
 * of docs/RULES.md: checks_conform.c (protocol conformance), checks_stat.c
 * (STAT and counts announced in free text), checks_listing.c (LIST/UIDL
 * listings), checks_message.c (commands on one message); findings are made
 * in checks_fire.c. RSET's reset of the deleted set is done here. pop3mon
 * is linked with LTO, so the calls across these files are still inlined.
 *
 * The maildrop-count rules:
 * Every statement about the maildrop in the TRANSACTION epoch is compared
 * with the first STAT (N0, S0) after subtracting the messages marked
 * deleted (D): RFC 1939 section 4 locks the maildrop, so nothing else may
 * change it. Each rule fires at most once per session, with the evidence of
 * its first occurrence, so a broken server yields one finding per fault and
 * not one per message. A session whose login was not seen (capture began
 * mid-session) is judged only on what cannot depend on unseen DELEs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks_priv.h"
#include "util.h"

struct checks *checks_new(const struct checks_opts *o, struct account_store *store,
			  const char *server, finding_fn fn, void *ctx)
{
	struct checks *k = xcalloc(1, sizeof(*k));
	k->o = *o;
	k->store = store;
	strlcpy_safe(k->server, server, sizeof(k->server));
	k->fn = fn;
	k->ctx = ctx;
	k->serial = account_next_serial(store);
	return k;
}

static void listing_fini(struct listing *l)
{
	if (l->size != l->first)
		free(l->size);
	if (l->uid != l->first)
		free(l->uid);
	free(l->ev.heap);
	memset(l, 0, sizeof(*l));
}

void checks_free(struct checks *k)
{
	if (!k)
		return;
	listing_fini(&k->list);
	listing_fini(&k->uidl);
	free(k->deleted);
	free(k->ann);
	free(k->stat_ev.heap);
	free(k);
}

/* ---- entry points -------------------------------------------------------- */

void checks_txn(struct checks *k, const struct pop3_txn *t, const struct pop3_conn_info *ci)
{
	checks_conformance(k, t, ci);
	k->ci = ci;
	if (t->cmd == POP3_CMD_NONE) {
		if (t->index == 0 && t->status == POP3_ST_OK && !(t->flags & POP3_TF_UNSOLICITED))
			checks_announce_seen(k, t, "greeting");
		return;
	}
	if (!checks_trusted(t))
		return;
	bool login = ci->login_seen;
	switch (t->cmd) {
	case POP3_CMD_USER:
	case POP3_CMD_PASS:
	case POP3_CMD_APOP:
	case POP3_CMD_AUTH:
		if (t->status == POP3_ST_OK)
			checks_announce_seen(k, t, t->cmd == POP3_CMD_USER ? "USER reply"
					    : t->cmd == POP3_CMD_PASS ? "PASS reply"
					    : t->cmd == POP3_CMD_APOP ? "APOP reply" : "AUTH reply");
		break;
	case POP3_CMD_STAT:
		if (t->status == POP3_ST_OK)
			checks_on_stat(k, t, login);
		break;
	case POP3_CMD_LIST:
	case POP3_CMD_UIDL:
		if (t->has_args && t->has_msgnum)
			checks_on_single_listing(k, t, login);
		else if (!t->has_args && t->status == POP3_ST_OK && t->multiline)
			checks_on_listing(k, t, t->cmd == POP3_CMD_UIDL, login);
		break;
	case POP3_CMD_RETR:
	case POP3_CMD_TOP:
	case POP3_CMD_DELE:
		if (t->has_msgnum)
			checks_on_message_cmd(k, t, login);
		break;
	case POP3_CMD_RSET:
		if (t->status == POP3_ST_OK) {
			if (k->deleted) /* memset(NULL, 0, 0) is undefined behaviour */
				memset(k->deleted, 0, k->deleted_cap);
			k->n_deleted = 0;
			k->deleted_octets = 0;
			k->deleted_size_unknown = false;
			k->dver++;
			k->rset_pending = k->have_stat;
			checks_announce_seen(k, t, "RSET reply");
		}
		break;
	default:
		break;
	}
}

void checks_close(struct checks *k, const struct pop3_conn_info *ci, bool rst, bool gaps,
		  uint64_t ts_us, uint64_t frame)
{
	struct evidence ev = { .frame = frame, .ts_us = ts_us };
	/* A refused attempt (RST, no bytes) is no POP3 session to cut. */
	bool spoke = ci->bytes[0] + ci->bytes[1] > 0;
	if (spoke && ((rst && !ci->quit_seen) || gaps)) {
		snprintf(ev.line, sizeof(ev.line), "%s", rst ? "TCP RST" : "capture gap");
		checks_fire(k, R_SESSION_CUT, SEV_NOTICE, &ev, 1, ts_us,
			    "the session was cut: %s%s%s", rst && !ci->quit_seen ? "reset (RST) before QUIT" : "",
			    rst && !ci->quit_seen && gaps ? " and " : "",
			    gaps ? "bytes missing from the capture" : "");
	}
	if (k->n_deleted && !ci->quit_seen && ci->login_seen && ci->user[0] && k->have_stat) {
		struct evidence stat_ev = kept_get(&k->stat_ev);
		account_note_unquit_deletes(k->store, k->server, ci->user, k->n0, k->s0, k->n_deleted,
					    k->deleted_size_unknown ? UINT64_MAX : k->deleted_octets,
					    &stat_ev);
	}
}
