/*
 * test_ui_model.c - the dashboard's model, fed synthetic events: what a
 * session keeps, that wire text is sanitised before it is drawn, the
 * server and account aggregates and their latency percentiles, the header
 * counters and rates, and every bound (sessions, transcript lines,
 * entries, findings, servers, accounts), each counted; the byte budget of
 * the ledger the model reads is test_ledger.c and test_ui_ledger.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_ui_events.h"
#include "../../src/ui/ui_view.h"


/* The i-th kept transaction, unpacked. */
static struct ledger_txn tx_of(const struct ledger_entry *le, size_t i)
{
	struct ledger_txn t;
	ledger_tx(le, i, &t);
	return t;
}

static int setup(void **state)
{
	*state = ui_model_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	ui_model_free(*state);
	return 0;
}

static void test_session_lifecycle(void **state)
{
	struct ui_model *m = *state;
	struct uit_sess a;
	uit_sess(&a, 7, "192.0.2.1", NULL);
	uit_open(m, &a);
	assert_int_equal(m->n, 1);
	assert_int_equal(m->sessions_total, 1);
	assert_int_equal(m->sessions_active, 1);

	snprintf(a.es.pop3.user, sizeof(a.es.pop3.user), "bob");
	a.es.pop3.state = POP3_STATE_TRANSACTION;
	a.es.stat_seen = true;
	a.es.stat_count = 1;
	a.es.stat_octets = 554;
	a.es.txns = 4;
	snprintf(a.es.last_cmd, sizeof(a.es.last_cmd), "STAT");
	uit_emit(m, EV_SESSION_UPDATE, &a, NULL, NULL);
	struct ui_session *s = ui_model_find(m, 7);
	assert_non_null(s);
	assert_string_equal(s->user, "bob");
	assert_string_equal(s->srv, "192.0.2.1");
	assert_int_equal(s->state, POP3_STATE_TRANSACTION);
	assert_int_equal(s->h->stat_count, 1);
	assert_int_equal(s->h->stat_octets, 554);
	assert_string_equal(s->last_cmd, "STAT");
	assert_false(s->closed);

	uit_close(m, &a);
	assert_true(s->closed);
	assert_int_equal(s->h->end, FLOW_END_FIN);
	assert_int_equal(m->sessions_active, 0);
	uit_close(m, &a); /* twice: counted once */
	assert_int_equal(m->sessions_active, 0);
	assert_true(s->le->closed);

	const struct ui_server *v = ui_model_server(m, "192.0.2.1", 110);
	assert_non_null(v);
	assert_int_equal(v->sessions, 1);
	assert_int_equal(v->n_acct, 1);
	assert_string_equal(v->acct[0].user, "bob");
	assert_null(ui_model_find(m, 8));
}

static void test_wire_text_sanitised(void **state)
{
	struct ui_model *m = *state;
	struct uit_sess a;
	uit_sess(&a, 1, "192.0.2.1", "bob\x1b[2J");
	snprintf(a.es.pop3.banner, sizeof(a.es.pop3.banner), "evil \x1b]0;title\x07 banner \xc3\xa9");
	uit_open(m, &a);
	struct pop3_txn t;
	uit_txn(&t, &a, 1, "USER", "x\x1b[31m", POP3_ST_OK, "ok \x1b[H\r\n", 100);
	uit_emit(m, EV_TXN, &a, &t, NULL);
	struct finding f;
	uit_finding(&f, R_REPLY_SYNTAX, "bad \x1b[5m reply", 12, 1, "X -> \x9b" "31m");
	uit_flag(m, &a, &f);

	const struct ui_session *s = ui_model_find(m, 1);
	assert_string_equal(s->user, "bob\\x1b[2J");
	assert_string_equal(s->banner, "evil \\x1b]0;title\\x07 banner \\xc3\\xa9");
	assert_string_equal(ui_model_recent(m, 0)->summary, "bad \\x1b[5m reply");
	/* the ledger keeps the wire's text; the ladder sanitises it as drawn */
	assert_string_equal(tx_of(s->le, 0).args, "x\x1b[31m");
	struct ui_expand x;
	memset(&x, 0, sizeof(x));
	struct ui_ladder ld = { 0 };
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	bool req = false, rep = false, sum = false, ev = false;
	for (size_t i = 0; i < ld.n; i++) {
		const char *tx = ld.l[i].text;
		req |= !strcmp(tx, "USER x\\x1b[31m");
		rep |= !strcmp(tx, "+OK ok \\x1b[H\\x0d\\x0a");
		sum |= strstr(tx, "bad \\x1b[5m reply") != NULL;
		ev |= !strcmp(tx, "X -> \\x9b31m");
		/* no line holds a control byte or a byte >= 0x80 */
		for (const unsigned char *p = (const unsigned char *)tx; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
	}
	assert_true(req && rep && sum && ev);
	ui_ladder_fini(&ld);
	/* nothing the row keeps holds one either */
	const char *kept[] = { s->user, s->banner };
	for (size_t i = 0; i < 2; i++)
		for (const unsigned char *p = (const unsigned char *)kept[i]; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
}

static void test_transcript_copy(void **state)
{
	struct ui_model *m = *state;
	struct uit_sess a;
	uit_sess(&a, 3, "192.0.2.1", "bob");
	uit_open(m, &a);
	struct pop3_txn t;
	uit_txn(&t, &a, 5, "UIDL", NULL, POP3_ST_OK, "2 messages", 2000);
	struct pop3_entry ent[2] = { { 1, 0, 0, 3, 0 }, { 2, 0, 3, 4, 0 } };
	char uids[] = "abcwxyz";
	t.entries = ent;
	t.n_entries = 2;
	t.uids = uids;
	t.multiline = t.terminated = true;
	t.data_lines = 2;
	t.data_octets = 16;
	uit_emit(m, EV_TXN, &a, &t, NULL);
	const struct ui_session *s = ui_model_find(m, 3);
	assert_ptr_equal(s->le, ledger_find(m->lg, 3)); /* the ledger's entry, not a copy */
	assert_int_equal(s->le->n_tx, 1);
	struct ledger_txn kb = tx_of(s->le, 0);
	const struct ledger_txn *k = &kb;
	assert_string_equal(k->keyword, "UIDL");
	assert_int_equal(k->n_entries, 2);
	assert_memory_equal(k->uids + k->entries[0].uid_off, "abc", 3);
	assert_memory_equal(k->uids + k->entries[1].uid_off, "wxyz", 4);
	assert_int_equal(k->rep_ts_us - k->req_ts_us, 2000);
	/* borrowed data can go away: the ledger kept its own copy */
	memset(uids, 'Z', sizeof(uids) - 1);
	assert_memory_equal(k->uids + k->entries[0].uid_off, "abc", 3);
	assert_true(s->le->mem > 0 && ui_model_store_bytes(m) > s->le->mem);
	/* the ladder shows the entries, expanded */
	struct ui_expand x;
	memset(&x, 0, sizeof(x));
	ui_expand_toggle(&x, 5);
	struct ui_ladder ld = { 0 };
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	bool e1 = false, e2 = false;
	for (size_t i = 0; i < ld.n; i++) {
		e1 |= ld.l[i].kind == UI_LL_ENTRY && !strcmp(ld.l[i].text, "1 abc");
		e2 |= ld.l[i].kind == UI_LL_ENTRY && !strcmp(ld.l[i].text, "2 wxyz");
	}
	assert_true(e1 && e2);
	ui_ladder_fini(&ld);
}

static void test_server_aggregates(void **state)
{
	struct ui_model *m = *state;
	struct uit_sess a, b;
	uit_sess(&a, 1, "192.0.2.1", "bob");
	uit_sess(&b, 2, "192.0.2.1", "alice");
	uit_open(m, &a);
	uit_open(m, &b);
	struct pop3_txn t;
	for (uint64_t i = 1; i <= 100; i++) { /* latencies 1..100 ms */
		uit_txn(&t, &a, i, "NOOP", NULL, POP3_ST_OK, "", i * 1000);
		uit_emit(m, EV_TXN, i % 2 ? &a : &b, &t, NULL);
	}
	struct finding f;
	uit_finding(&f, R_LOGIN_FAILED, "PASS refused", 5, 2, "PASS -> -ERR");
	uit_flag(m, &b, &f);
	uit_flag(m, &b, &f);
	uit_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 9, 4, "STAT -> +OK 1 554");
	uit_flag(m, &a, &f);

	const struct ui_server *v = ui_model_server(m, "192.0.2.1", 110);
	assert_int_equal(v->sessions, 2);
	assert_int_equal(v->flagged, 1);
	assert_int_equal(v->failed_logins, 2);
	assert_int_equal(v->findings[SEV_ERROR], 1);
	assert_int_equal(v->findings[SEV_NOTICE], 2);
	assert_true(v->rules_hit & (1ull << R_STAT_UIDL_COUNT));
	assert_true(v->rules_hit & (1ull << R_LOGIN_FAILED));
	assert_int_equal(ui_server_percentile(v, 50), 50000);
	assert_int_equal(ui_server_percentile(v, 90), 90000);
	assert_int_equal(ui_server_percentile(v, 99), 99000);
	assert_int_equal(ui_server_percentile(v, 100), 100000);

	assert_int_equal(v->n_acct, 2);
	const struct ui_account *bob = NULL, *alice = NULL;
	for (size_t i = 0; i < v->n_acct; i++) {
		if (!strcmp(v->acct[i].user, "bob"))
			bob = &v->acct[i];
		if (!strcmp(v->acct[i].user, "alice"))
			alice = &v->acct[i];
	}
	assert_non_null(bob);
	assert_non_null(alice);
	assert_int_equal(bob->flagged, 1);
	assert_int_equal(alice->flagged, 0);
	assert_int_equal(alice->failed_logins, 2);
	assert_int_equal(m->sessions_flagged, 1);
	assert_int_equal(ui_model_flagged(m), 1);

	/* rows: the server, then its accounts, flagged first */
	struct ui_server_row rows[8];
	size_t n = ui_server_rows(m, rows, 8);
	assert_int_equal(n, 3);
	assert_null(rows[0].acct);
	assert_int_equal(rows[0].p90, 90000);
	assert_string_equal(rows[1].acct->user, "bob");
	assert_string_equal(rows[2].acct->user, "alice");
	char rb[256];
	assert_string_equal(ui_rules_text(v->rules_hit, rb, sizeof(rb)), "stat-uidl-count, login-failed");
}

static void test_user_known_late(void **state)
{
	/* a finding before the user is known still reaches the account once it is */
	struct ui_model *m = *state;
	struct uit_sess a;
	uit_sess(&a, 1, "192.0.2.9", NULL);
	uit_open(m, &a);
	struct finding f;
	uit_finding(&f, R_ANNOUNCED_COUNTS, "greeting said 3 messages; STAT said 1", 2, 0, "+OK 3 messages");
	uit_flag(m, &a, &f);
	snprintf(a.es.pop3.user, sizeof(a.es.pop3.user), "carol");
	uit_emit(m, EV_SESSION_UPDATE, &a, NULL, NULL);
	const struct ui_server *v = ui_model_server(m, "192.0.2.9", 110);
	assert_int_equal(v->n_acct, 1);
	assert_int_equal(v->acct[0].flagged, 1);
	assert_int_equal(v->acct[0].findings[SEV_WARNING], 1);
	uit_emit(m, EV_SESSION_UPDATE, &a, NULL, NULL);
	assert_int_equal(v->acct[0].sessions, 1);
	assert_int_equal(v->acct[0].flagged, 1);
}

static void test_stats_rates(void **state)
{
	struct ui_model *m = *state;
	struct ev_stats st;
	memset(&st, 0, sizeof(st));
	st.wall_us = 1000000000;
	st.frames = 500;
	st.bytes = 50000;
	st.sessions_total = 4;
	st.sessions_active = 2;
	st.sessions_flagged = 1;
	struct event e = { .type = EV_STATS, .stats = &st };
	ui_model_event(m, &e);
	assert_true(m->c.have_stats);
	assert_true(m->c.pps == 0.0);
	st.wall_us += 2000000;
	st.frames += 2000;
	st.bytes += 3000000;
	st.src.kernel_drops = 7;
	st.src.iface_drops = 3;
	ui_model_event(m, &e);
	assert_true(m->c.pps > 999.9 && m->c.pps < 1000.1);
	assert_true(m->c.bps > 1499999.0 && m->c.bps < 1500001.0);
	assert_int_equal(m->c.fig.kernel_drops, 7);
	assert_int_equal(m->c.fig.iface_drops, 3);
	assert_int_equal(ui_model_total(m), 4);
	assert_int_equal(ui_model_active(m), 2);
	assert_int_equal(ui_model_flagged(m), 1);
}

/* ---- bounds -------------------------------------------------------------- */

static void test_session_cap_evicts_closed_clean_first(void **state)
{
	(void)state;
	struct ui_model_opts o;
	ui_model_opts_default(&o);
	o.sessions_max = 4;
	struct ui_model *m = ui_model_new(&o);
	struct uit_sess s[10];
	struct finding f;
	uit_finding(&f, R_STAT_LIST_COUNT, "STAT said 2; LIST listed 1", 3, 1, "LIST");
	for (uint64_t i = 1; i <= 4; i++) {
		uit_sess(&s[i], i, "192.0.2.1", NULL);
		uit_open(m, &s[i]);
	}
	uit_flag(m, &s[1], &f); /* 1: flagged, closed */
	uit_close(m, &s[1]);
	uit_close(m, &s[3]);    /* 3: clean, closed; 2 and 4 stay open */
	uit_sess(&s[5], 5, "192.0.2.1", NULL);
	uit_open(m, &s[5]);
	assert_int_equal(m->n, 4);
	assert_null(ui_model_find(m, 3)); /* the closed clean one went first */
	assert_non_null(ui_model_find(m, 1));
	uit_sess(&s[6], 6, "192.0.2.1", NULL);
	uit_open(m, &s[6]);
	assert_null(ui_model_find(m, 1)); /* then the closed flagged one */
	assert_non_null(ui_model_find(m, 2));
	uit_sess(&s[7], 7, "192.0.2.1", NULL);
	uit_open(m, &s[7]);
	assert_null(ui_model_find(m, 2)); /* then the oldest open one */
	assert_int_equal(m->drops.sessions_evicted, 3);
	assert_int_equal(m->drops.sessions_evicted_flagged, 1);
	assert_int_equal(m->drops.sessions_evicted_open, 1);
	/* late events for an evicted session are ignored and counted */
	uit_emit(m, EV_SESSION_UPDATE, &s[2], NULL, NULL);
	assert_null(ui_model_find(m, 2));
	assert_int_equal(m->drops.events_for_evicted, 1);
	/* totals are never lowered by eviction */
	assert_int_equal(m->sessions_total, 7);
	assert_int_equal(m->sessions_flagged, 1);
	assert_int_equal(ui_model_server(m, "192.0.2.1", 110)->sessions, 7);
	ui_model_free(m);
}

static void test_transcript_caps(void **state)
{
	(void)state;
	struct ui_model_opts o;
	ui_model_opts_default(&o);
	o.txns_per_session_max = 3;
	o.entries_per_txn_max = 5;
	o.findings_per_session_max = 2;
	struct ui_model *m = ui_model_new(&o);
	struct uit_sess a;
	uit_sess(&a, 1, "192.0.2.1", "bob");
	uit_open(m, &a);
	struct pop3_txn t;
	struct pop3_entry ent[12];
	memset(ent, 0, sizeof(ent));
	for (uint32_t i = 0; i < 12; i++) {
		ent[i].num = i + 1;
		ent[i].size = 100 + i;
	}
	uit_txn(&t, &a, 1, "LIST", NULL, POP3_ST_OK, "12 messages", 100);
	t.entries = ent;
	t.n_entries = 12;
	t.multiline = t.terminated = true;
	uit_emit(m, EV_TXN, &a, &t, NULL);
	for (uint64_t i = 2; i <= 6; i++) {
		uit_txn(&t, &a, i, "NOOP", NULL, POP3_ST_OK, "", 100);
		uit_emit(m, EV_TXN, &a, &t, NULL);
	}
	struct finding f;
	uit_finding(&f, R_SLOW_REPLY, "slow", 0, 0, NULL);
	for (int i = 0; i < 4; i++)
		uit_flag(m, &a, &f);
	const struct ui_session *s = ui_model_find(m, 1);
	assert_int_equal(s->le->n_tx, 3);
	assert_int_equal(s->le->tx_dropped, 3);
	assert_int_equal(tx_of(s->le, 0).n_entries, 5);
	assert_int_equal(tx_of(s->le, 0).n_entries_seen, 12);
	assert_int_equal(m->drops.entries_dropped, 7);
	assert_int_equal(m->drops.txns_dropped, 3);
	assert_int_equal(s->le->n_fx, 2);
	assert_int_equal(s->le->fx_dropped, 2);
	assert_int_equal(m->drops.findings_dropped, 2);
	assert_int_equal(s->seen_fx[SEV_NOTICE], 4); /* aggregates still count all */
	ui_model_free(m);
}

static void test_server_and_account_caps(void **state)
{
	(void)state;
	struct ui_model_opts o;
	ui_model_opts_default(&o);
	o.servers_max = 2;
	o.accounts_per_server_max = 1;
	struct ui_model *m = ui_model_new(&o);
	struct uit_sess s[6];
	const char *srv[] = { "", "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.1" };
	const char *usr[] = { "", "a", "b", "c", "d", "e" };
	for (uint64_t i = 1; i <= 5; i++) {
		uit_sess(&s[i], i, srv[i], usr[i]);
		uit_open(m, &s[i]);
	}
	assert_int_equal(m->n_srv, 3);
	const struct ui_server *other = ui_model_server(m, UI_OTHER_SERVERS, 0);
	assert_non_null(other);
	assert_int_equal(other->sessions, 2);
	assert_int_equal(m->drops.servers_overflow, 2);
	/* 192.0.2.1 keeps one account ("a"); "e" is counted, not kept */
	const struct ui_server *v = ui_model_server(m, "192.0.2.1", 110);
	assert_int_equal(v->n_acct, 1);
	assert_int_equal(v->accounts_dropped, 1);
	assert_int_equal(m->drops.accounts_dropped, 2); /* "e", and "d" under the other row */
	ui_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_text_sanitised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transcript_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_aggregates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_known_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_rates, setup, teardown),
		cmocka_unit_test(test_session_cap_evicts_closed_clean_first),
		cmocka_unit_test(test_transcript_caps),
		cmocka_unit_test(test_server_and_account_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
