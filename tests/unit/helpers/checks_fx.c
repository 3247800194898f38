/*
 * checks_fx.c - the session-rule tests' fixture (checks_fx.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks_fx.h"

static void on_finding(void *ctx, const struct finding *f)
{
	struct fx *x = ctx;
	assert_true(x->nf < MAX_F);
	x->f[x->nf++] = *f;
}

void cfx_session(struct fx *x)
{
	if (x->k)
		checks_free(x->k);
	x->k = checks_new(&x->o, x->store, "198.51.100.5", on_finding, x);
	memset(&x->ci, 0, sizeof(x->ci));
	x->ci.banner = x->ci.apop_ts = "";
	x->ci.state = POP3_STATE_TRANSACTION;
	x->ci.login_seen = true;
	x->ci.bytes[0] = x->ci.bytes[1] = 100;
	x->ci.user = "alice";
	x->index = 0;
}

int cfx_setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	x->o.account_max = 16;
	x->o.uids_per_account_max = 1024;
	x->store = account_store_new(&x->o);
	cfx_session(x);
	*state = x;
	return 0;
}

int cfx_teardown(void **state)
{
	struct fx *x = *state;
	checks_free(x->k);
	account_store_free(x->store);
	free(x);
	return 0;
}

/* A paired transaction in TRANSACTION state. */
struct pop3_txn cfx_mk(struct fx *x, enum pop3_cmd cmd, const char *args, enum pop3_status st,
		       const char *text)
{
	struct pop3_txn t;
	memset(&t, 0, sizeof(t));
	t.index = x->index++;
	t.cmd = cmd;
	snprintf(t.keyword, sizeof(t.keyword), "%s", pop3_cmd_name(cmd));
	if (args) {
		t.has_args = true;
		snprintf(t.args, sizeof(t.args), "%s", args);
		t.has_msgnum = pop3_parse_u32(args, strcspn(args, " "), &t.msgnum);
	}
	t.state_before = POP3_STATE_TRANSACTION;
	t.req_frame = ++x->frame;
	t.req_ts_us = x->frame * 1000;
	t.rep_frame = ++x->frame;
	t.rep_ts_us = x->frame * 1000;
	t.end_frame = t.rep_frame;
	t.status = st;
	snprintf(t.text, sizeof(t.text), "%s", text ? text : "");
	return t;
}

void cfx_run(struct fx *x, const struct pop3_txn *t)
{
	checks_txn(x->k, t, &x->ci);
}

void cfx_cmd(struct fx *x, enum pop3_cmd c, const char *args, enum pop3_status st,
	     const char *text)
{
	struct pop3_txn t = cfx_mk(x, c, args, st, text);
	if (text && text[0] == '[') {
		const char *e = strchr(text, ']');
		snprintf(t.code, sizeof(t.code), "%.*s", (int)(e - text - 1), text + 1);
	}
	cfx_run(x, &t);
}

/* A complete LIST listing from "num size" pairs, or UIDL from "num uid" pairs. */
void cfx_listing(struct fx *x, bool uidl, const char *const *lines, int n)
{
	struct pop3_txn t = cfx_mk(x, uidl ? POP3_CMD_UIDL : POP3_CMD_LIST, NULL, POP3_ST_OK, "");
	t.multiline = t.terminated = true;
	size_t uo = 0;
	for (int i = 0; i < n; i++) {
		struct pop3_entry *e = &x->ent[i];
		memset(e, 0, sizeof(*e));
		char tok[128];
		unsigned long long v = 0;
		snprintf(tok, sizeof(tok), "%s", lines[i]);
		char *sp = strchr(tok, ' ');
		*sp = '\0';
		if (!pop3_parse_u32(tok, strlen(tok), &e->num))
			e->flags |= POP3_LE_BADNUM;
		if (uidl) {
			size_t ul = strlen(sp + 1);
			memcpy(x->uids + uo, sp + 1, ul + 1);
			e->uid_off = (uint32_t)uo;
			e->uid_len = (uint8_t)ul;
			uo += ul + 1;
			if (ul > POP3_UID_MAX || strchr(sp + 1, ' '))
				e->flags |= POP3_LE_UID_BAD;
		} else {
			v = strtoull(sp + 1, NULL, 10);
			e->size = v;
		}
	}
	t.entries = x->ent;
	t.n_entries = (uint32_t)n;
	t.uids = x->uids;
	t.data_lines = (uint64_t)n;
	cfx_run(x, &t);
}

const struct finding *cfx_find(struct fx *x, enum rule_id r)
{
	for (int i = 0; i < x->nf; i++)
		if (x->f[i].rule == r)
			return &x->f[i];
	return NULL;
}

/* Exactly one finding of rule r, with severity sev and `part` in its summary. */
void cfx_expect(struct fx *x, enum rule_id r, enum severity sev, const char *part)
{
	const struct finding *f = cfx_find(x, r);
	if (!f) {
		print_error("no %s finding; have %d:\n", rule_name(r), x->nf);
		for (int i = 0; i < x->nf; i++)
			print_error("  %s: %s\n", rule_name(x->f[i].rule), x->f[i].summary);
	}
	assert_non_null(f);
	assert_int_equal(f->sev, sev);
	if (!strstr(f->summary, part))
		print_error("summary \"%s\" lacks \"%s\"\n", f->summary, part);
	assert_non_null(strstr(f->summary, part));
	assert_true(f->n_ev >= 1);
	int n = 0;
	for (int i = 0; i < x->nf; i++)
		n += x->f[i].rule == r;
	assert_int_equal(n, 1);
}

void cfx_expect_none(struct fx *x)
{
	for (int i = 0; i < x->nf; i++)
		print_error("unexpected %s: %s\n", rule_name(x->f[i].rule), x->f[i].summary);
	assert_int_equal(x->nf, 0);
}

void cfx_authz(struct fx *x, enum pop3_cmd c, const char *args, enum pop3_status st,
	       const char *text)
{
	struct pop3_txn t = cfx_mk(x, c, args, st, text);
	t.state_before = POP3_STATE_AUTHORIZATION;
	if (text[0] == '[') {
		const char *e = strchr(text, ']');
		snprintf(t.code, sizeof(t.code), "%.*s", (int)(e - text - 1), text + 1);
	}
	cfx_run(x, &t);
}

/* A whole RETR reply of `octets` and `lines`. */
void cfx_retr(struct fx *x, const char *n, uint64_t octets, uint64_t lines, const char *text)
{
	struct pop3_txn t = cfx_mk(x, POP3_CMD_RETR, n, POP3_ST_OK, text);
	t.multiline = t.terminated = true;
	t.data_octets = octets;
	t.data_lines = lines;
	cfx_run(x, &t);
}
