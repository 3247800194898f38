/*
 * dissect_fx.c - the POP3 dissector tests' fixture (dissect_fx.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect_fx.h"

static void on_txn(void *ctx, const struct pop3_txn *t)
{
	struct fx *x = ctx;
	assert_true(x->n < MAX_TXNS);
	struct rtxn *r = &x->tx[x->n++];
	r->t = *t;
	r->entries = NULL;
	if (t->n_entries) {
		assert_non_null(t->entries);
		r->entries = malloc(t->n_entries * sizeof(*t->entries));
		memcpy(r->entries, t->entries, t->n_entries * sizeof(*t->entries));
		for (uint32_t i = 0; i < t->n_entries && i < 8; i++)
			if (t->uids && t->cmd == POP3_CMD_UIDL)
				snprintf(r->uid[i], sizeof(r->uid[i]), "%.*s",
					 (int)t->entries[i].uid_len, t->uids + t->entries[i].uid_off);
	}
	r->t.entries = r->entries;
	r->t.uids = NULL;
}

struct fx *dfx_new(bool show_secrets, bool tls_port, bool midstream)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct pop3_opts o = { show_secrets, tls_port, NULL };
	struct pop3_cb cb = { on_txn, x };
	x->c = pop3_conn_new(&o, &cb, midstream);
	return x;
}

void dfx_free(struct fx *x)
{
	pop3_conn_free(x->c);
	for (int i = 0; i < x->n; i++)
		free(x->tx[i].entries);
	free(x);
}

int dfx_setup(void **state)
{
	*state = dfx_new(false, false, false);
	return 0;
}

int dfx_teardown(void **state)
{
	dfx_free(*state);
	return 0;
}

void dfx_feed(struct fx *x, int dir, const void *p, size_t n)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->frame * 1000 };
	pop3_feed(x->c, dir, p, n, &m);
}

void dfx_cli(struct fx *x, const char *s)
{
	dfx_feed(x, 0, s, strlen(s));
}

void dfx_srv(struct fx *x, const char *s)
{
	dfx_feed(x, 1, s, strlen(s));
}

void dfx_gap(struct fx *x, int dir, uint64_t n)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->frame * 1000 };
	pop3_gap(x->c, dir, n, &m);
}

void dfx_finish(struct fx *x)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->frame * 1000 };
	pop3_finish(x->c, &m);
}

const struct pop3_conn_info *dfx_info(struct fx *x)
{
	return pop3_conn_info(x->c);
}

const struct pop3_txn *dfx_tx(struct fx *x, int i)
{
	assert_true(i < x->n);
	return &x->tx[i].t;
}

void dfx_greet_login(struct fx *x)
{
	dfx_srv(x, "+OK ready\r\n");
	dfx_cli(x, "USER alice\r\n");
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "PASS secret\r\n");
	dfx_srv(x, "+OK logged in\r\n");
}
