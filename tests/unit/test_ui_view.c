/*
 * test_ui_view.c - the dashboard's view models, without a terminal: list
 * sorting, filtering, search and follow mode; the ladder of one session
 * (findings first, evidence marked, bodies folded, LIST/UIDL expandable);
 * the wall's tiles and findings text; number and time formatting.
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

/* Five sessions on two servers:
 *   1 srvA bob    clean, latency 5ms
 *   2 srvB alice  stat-uidl-count (error), latency 1ms
 *   3 srvA carol  retr-size (warning), latency 9ms
 *   4 srvB bob    login-failed (notice), latency 3ms
 *   5 srvA (none) clean, no latency */
static struct uit_sess S[6];

static int setup(void **state)
{
	struct ui_model *m = ui_model_new(NULL);
	const char *srv[] = { "", "192.0.2.10", "192.0.2.20", "192.0.2.10", "192.0.2.20", "192.0.2.10" };
	const char *usr[] = { "", "bob", "alice", "carol", "bob", NULL };
	const uint64_t lat[] = { 0, 5000, 1000, 9000, 3000, 0 };
	for (uint64_t i = 1; i <= 5; i++) {
		uit_sess(&S[i], i, srv[i], usr[i]);
		uit_open(m, &S[i]);
		S[i].es.worst_latency_us = lat[i];
		uit_emit(m, EV_SESSION_UPDATE, &S[i], NULL, NULL);
	}
	struct finding f;
	uit_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 32, 3, "STAT -> +OK 1 554");
	uit_flag(m, &S[2], &f);
	uit_finding(&f, R_RETR_SIZE, "LIST said message 1 has 120 octets; RETR delivered 109", 52, 5, "RETR 1 -> +OK");
	uit_flag(m, &S[3], &f);
	uit_finding(&f, R_LOGIN_FAILED, "PASS refused for bob", 22, 2, "PASS -> -ERR");
	uit_flag(m, &S[4], &f);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	ui_model_free(*state);
	return 0;
}

static void ids(const struct ui_list_view *v, uint64_t *out)
{
	for (size_t i = 0; i < v->n; i++)
		out[i] = v->ids[i];
}

static void test_sorting(void **state)
{
	struct ui_model *m = *state;
	struct ui_list_view v;
	ui_list_init(&v);
	uint64_t got[8];
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 5);
	ids(&v, got);
	uint64_t by_time[] = { 1, 2, 3, 4, 5 };
	assert_memory_equal(got, by_time, sizeof(by_time));

	v.sort = UI_SORT_SERVER;
	ui_list_rebuild(&v, m);
	ids(&v, got);
	uint64_t by_server[] = { 1, 3, 5, 2, 4 };
	assert_memory_equal(got, by_server, sizeof(by_server));

	v.sort = UI_SORT_USER; /* alice, bob, bob, carol, then unknown */
	ui_list_rebuild(&v, m);
	ids(&v, got);
	uint64_t by_user[] = { 2, 1, 4, 3, 5 };
	assert_memory_equal(got, by_user, sizeof(by_user));

	v.sort = UI_SORT_FLAGS; /* error, warning, notice, then clean by time */
	ui_list_rebuild(&v, m);
	ids(&v, got);
	uint64_t by_flags[] = { 2, 3, 4, 1, 5 };
	assert_memory_equal(got, by_flags, sizeof(by_flags));

	v.sort = UI_SORT_LATENCY;
	ui_list_rebuild(&v, m);
	ids(&v, got);
	uint64_t by_lat[] = { 3, 1, 4, 2, 5 };
	assert_memory_equal(got, by_lat, sizeof(by_lat));
	assert_string_equal(ui_sort_name(UI_SORT_LATENCY), "latency");
	ui_list_fini(&v);
}

static void test_filters_and_search(void **state)
{
	struct ui_model *m = *state;
	struct ui_list_view v;
	ui_list_init(&v);
	uint64_t got[8];
	char d[128];

	v.filter.only_flagged = true;
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 2); /* a notice alone does not flag */
	ids(&v, got);
	assert_int_equal(got[0], 2);
	assert_int_equal(got[1], 3);

	ui_filter_clear(&v.filter);
	snprintf(v.filter.server, sizeof(v.filter.server), "192.0.2.20");
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 2);

	snprintf(v.filter.user, sizeof(v.filter.user), "bob");
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], 4);
	assert_string_equal(ui_filter_describe(&v.filter, d, sizeof(d)), "server=192.0.2.20 user=bob");

	ui_filter_clear(&v.filter);
	v.filter.rule = R_RETR_SIZE;
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], 3);
	/* the rule filter cycles through the rules hit, in table order, then off */
	assert_int_equal(ui_next_rule(m, -1), R_STAT_UIDL_COUNT);
	assert_int_equal(ui_next_rule(m, R_STAT_UIDL_COUNT), R_RETR_SIZE);
	assert_int_equal(ui_next_rule(m, R_RETR_SIZE), R_LOGIN_FAILED);
	assert_int_equal(ui_next_rule(m, R_LOGIN_FAILED), -1);

	ui_filter_clear(&v.filter);
	assert_false(ui_filter_active(&v.filter));
	snprintf(v.filter.search, sizeof(v.filter.search), "BOB"); /* case-insensitive */
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 2);
	snprintf(v.filter.search, sizeof(v.filter.search), "uidl-count"); /* a rule name */
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], 2);
	snprintf(v.filter.search, sizeof(v.filter.search), "delivered 109"); /* finding text */
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], 3);
	snprintf(v.filter.search, sizeof(v.filter.search), "192.0.2.20:110"); /* address:port */
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 2);
	snprintf(v.filter.search, sizeof(v.filter.search), "nothing-like-this");
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 0);
	assert_null(ui_list_selected(&v, m));
	assert_true(ui_filter_active(&v.filter));
	ui_list_fini(&v);
}

static void test_follow_mode(void **state)
{
	struct ui_model *m = *state;
	struct ui_list_view v;
	ui_list_init(&v);
	ui_list_rebuild(&v, m);
	assert_true(v.follow);
	assert_int_equal(ui_list_selected(&v, m)->id, 5); /* the newest */

	struct uit_sess s6;
	uit_sess(&s6, 6, "192.0.2.10", "dave");
	uit_open(m, &s6);
	ui_list_rebuild(&v, m);
	assert_int_equal(ui_list_selected(&v, m)->id, 6); /* follows */

	ui_list_move(&v, -2); /* the user moved: stay on that session */
	assert_false(v.follow);
	assert_int_equal(ui_list_selected(&v, m)->id, 4);
	struct uit_sess s7;
	uit_sess(&s7, 7, "192.0.2.10", "erin");
	uit_open(m, &s7);
	v.sort = UI_SORT_USER; /* even when the order changes */
	ui_list_rebuild(&v, m);
	assert_int_equal(ui_list_selected(&v, m)->id, 4);

	ui_list_end(&v); /* End in user order: the last row, no following */
	assert_false(v.follow);
	v.sort = UI_SORT_TIME;
	ui_list_end(&v); /* End in time order: follow again */
	assert_true(v.follow);
	ui_list_rebuild(&v, m);
	assert_int_equal(ui_list_selected(&v, m)->id, 7);

	/* scrolling keeps the selection visible */
	ui_list_home(&v);
	ui_list_scroll(&v, 3);
	assert_int_equal(v.top, 0);
	ui_list_move(&v, 5);
	ui_list_scroll(&v, 3);
	assert_int_equal(v.sel, 5);
	assert_int_equal(v.top, 3);
	ui_list_move(&v, 100); /* clamped */
	assert_int_equal(v.sel, 6);
	ui_list_fini(&v);
}

static void test_session_flags_text(void **state)
{
	struct ui_model *m = *state;
	char b[96];
	assert_string_equal(ui_session_flags(ui_model_find(m, 2), b, sizeof(b)), "ERR stat-uidl-count");
	assert_string_equal(ui_session_flags(ui_model_find(m, 3), b, sizeof(b)), "WRN retr-size");
	assert_string_equal(ui_session_flags(ui_model_find(m, 4), b, sizeof(b)), "ntc login-failed");
	assert_string_equal(ui_session_flags(ui_model_find(m, 1), b, sizeof(b)), "");
	struct finding f;
	uit_finding(&f, R_CLEARTEXT_CREDS, "USER/PASS in clear text", 0, 1, NULL);
	uit_flag(m, &S[2], &f);
	assert_string_equal(ui_session_flags(ui_model_find(m, 2), b, sizeof(b)), "ERR stat-uidl-count +1");
}

/* ---- the ladder ---------------------------------------------------------- */

static const struct ui_ll *find_line(const struct ui_ladder *ld, enum ui_ll_kind k, const char *text)
{
	for (size_t i = 0; i < ld->n; i++)
		if (ld->l[i].kind == k && strstr(ld->l[i].text, text))
			return &ld->l[i];
	return NULL;
}

static void intermail_session(struct ui_model *m, struct uit_sess *a)
{
	struct pop3_txn t;
	uit_sess(a, 40, "192.0.2.30", "ctl1");
	uit_open(m, a);
	uit_txn(&t, a, 0, NULL, NULL, POP3_ST_OK, "InterMail POP3 ready", 0);
	uit_emit(m, EV_TXN, a, &t, NULL);
	uit_txn(&t, a, 1, "STAT", NULL, POP3_ST_OK, "1 554", 1200);
	uit_emit(m, EV_TXN, a, &t, NULL);
	uit_txn(&t, a, 2, "UIDL", NULL, POP3_ST_OK, "0 messages (554 octets) [1 control message(s) hidden]", 800);
	t.multiline = t.terminated = true;
	uit_emit(m, EV_TXN, a, &t, NULL);
	uit_txn(&t, a, 3, "LIST", NULL, POP3_ST_OK, "2 messages", 800);
	struct pop3_entry ent[2] = { { 1, 120, 0, 0, 0 }, { 2, 4091, 0, 0, 0 } };
	t.entries = ent;
	t.n_entries = 2;
	t.multiline = t.terminated = true;
	t.data_lines = 2;
	t.data_octets = 16;
	uit_emit(m, EV_TXN, a, &t, NULL);
	uit_txn(&t, a, 4, "RETR", "3", POP3_ST_OK, "", 900);
	t.multiline = t.terminated = true;
	t.data_lines = 87;
	t.data_octets = 4211;
	uit_emit(m, EV_TXN, a, &t, NULL);
	uit_txn(&t, a, 5, "DELE", "9", POP3_ST_ERR, "no such message", 300);
	snprintf(t.code, sizeof(t.code), "SYS/TEMP");
	uit_emit(m, EV_TXN, a, &t, NULL);
	struct finding f;
	/* evidence: the STAT reply (frame 12) and the UIDL reply (frame 22) */
	uit_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 12, 1, "STAT -> +OK 1 554");
	f.ev[1].frame = 22;
	f.ev[1].txn_index = 2;
	snprintf(f.ev[1].line, sizeof(f.ev[1].line), "UIDL -> +OK 0 messages (554 octets)");
	f.n_ev = 2;
	uit_flag(m, a, &f);
}

static void test_ladder(void **state)
{
	struct ui_model *m = *state;
	struct uit_sess a;
	intermail_session(m, &a);
	const struct ui_session *s = ui_model_find(m, 40);
	struct ui_expand x;
	memset(&x, 0, sizeof(x));
	struct ui_ladder ld = { 0 };
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(true));

	/* findings come first, then the transcript */
	const struct ui_ll *fl = find_line(&ld, UI_LL_FINDING, "stat-uidl-count");
	assert_non_null(fl);
	assert_string_equal(fl->text, "ERROR stat-uidl-count: STAT said 1 message (554 octets); UIDL listed 0");
	assert_int_equal(fl->sev, SEV_ERROR);
	assert_true(fl - ld.l < (long)ld.first_txn_line);
	assert_non_null(find_line(&ld, UI_LL_INFO, "0x800CCC97"));
	const struct ui_ll *ev = find_line(&ld, UI_LL_EVIDENCE, "STAT -> +OK 1 554");
	assert_non_null(ev);
	assert_string_equal(ev->frame, "#12");
	assert_non_null(find_line(&ld, UI_LL_EVIDENCE, "UIDL -> +OK 0 messages"));

	/* commands on the left, replies on the right, with times and latency */
	const struct ui_ll *req = find_line(&ld, UI_LL_REQ, "STAT");
	assert_non_null(req);
	assert_string_equal(req->time, "+0.010");
	assert_string_equal(req->frame, "#11");
	assert_true(req->evidence); /* cited through the STAT reply's frame */
	const struct ui_ll *rep = find_line(&ld, UI_LL_REP, "+OK 1 554");
	assert_non_null(rep);
	assert_string_equal(rep->lat, "1.2ms");
	assert_true(rep->evidence);
	assert_int_equal(rep->sev, SEV_ERROR);
	assert_non_null(find_line(&ld, UI_LL_REP, "+OK InterMail POP3 ready"));
	assert_null(find_line(&ld, UI_LL_REQ, "InterMail")); /* the greeting has no command */
	const struct ui_ll *dele = find_line(&ld, UI_LL_REP, "-ERR [SYS/TEMP] no such message");
	assert_non_null(dele);
	assert_false(dele->evidence);

	/* bodies folded; only LIST/UIDL with entries expand */
	const struct ui_ll *retr = find_line(&ld, UI_LL_BODY, "RETR 3");
	assert_non_null(retr);
	assert_string_equal(retr->text, "RETR 3 \u2192 4 211 octets, 87 lines");
	assert_false(retr->expandable);
	const struct ui_ll *list = find_line(&ld, UI_LL_BODY, "LIST");
	assert_non_null(list);
	assert_true(list->expandable);
	assert_false(list->expanded);
	assert_null(find_line(&ld, UI_LL_ENTRY, "4091"));
	ui_expand_toggle(&x, list->txn_index);
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	assert_non_null(find_line(&ld, UI_LL_ENTRY, "1 120"));
	assert_non_null(find_line(&ld, UI_LL_ENTRY, "2 4091"));
	assert_true(find_line(&ld, UI_LL_BODY, "LIST")->expanded);
	/* the C locale gets ASCII */
	assert_string_equal(find_line(&ld, UI_LL_BODY, "RETR")->text, "RETR 3 -> 4 211 octets, 87 lines");
	ui_expand_toggle(&x, list->txn_index);
	assert_int_equal(x.n, 0);
	ui_ladder_fini(&ld);
}

static void test_fold_text(void **state)
{
	(void)state;
	struct ledger_txn t;
	memset(&t, 0, sizeof(t));
	snprintf(t.keyword, sizeof(t.keyword), "UIDL");
	t.args = (char *)"";
	t.data_lines = 1;
	t.data_octets = 1234567;
	t.terminated = false;
	char b[128];
	assert_string_equal(ui_fold_text(b, sizeof(b), &t, ui_glyphs_get(false)),
			    "UIDL -> 1 234 567 octets, 1 line, no terminator");
}

/* ---- the wall ---------------------------------------------------------------- */

static void test_recent_text(void **state)
{
	struct ui_model *m = *state;
	struct uit_sess d;
	uit_sess(&d, 51, "192.0.2.98", "y");
	uit_open(m, &d);
	struct finding f;
	uit_finding(&f, R_IN_USE, "maildrop locked", 0, 1, NULL);
	uit_flag(m, &d, &f);

	/* latest findings, newest first, in plain words */
	const struct ui_recent *r = ui_model_recent(m, 0);
	assert_non_null(r);
	assert_int_equal(r->rule, R_IN_USE);
	char b[512];
	ui_recent_text(ui_model_recent(m, 3), b, sizeof(b));
	assert_non_null(strstr(b, "error alice@192.0.2.20: STAT said 1 message (554 octets); UIDL listed 0 [stat-uidl-count]"));
	assert_null(ui_model_recent(m, 4));
}

static void test_recent_ring_bounded(void **state)
{
	struct ui_model *m = *state;
	struct finding f;
	for (unsigned i = 0; i < UI_RECENT_FINDINGS + 10; i++) {
		uit_finding(&f, R_SLOW_REPLY, "slow", 0, 0, NULL);
		snprintf(f.summary, sizeof(f.summary), "slow %u", i);
		uit_flag(m, &S[1], &f);
	}
	assert_int_equal(m->n_recent, UI_RECENT_FINDINGS);
	char want[32];
	snprintf(want, sizeof(want), "slow %u", UI_RECENT_FINDINGS + 9);
	assert_string_equal(ui_model_recent(m, 0)->summary, want);
	assert_string_equal(ui_model_recent(m, UI_RECENT_FINDINGS - 1)->summary, "slow 10");
	assert_null(ui_model_recent(m, UI_RECENT_FINDINGS));
}

static void test_formatting(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(ui_fmt_group(b, sizeof(b), 0), "0");
	assert_string_equal(ui_fmt_group(b, sizeof(b), 999), "999");
	assert_string_equal(ui_fmt_group(b, sizeof(b), 4211), "4 211");
	assert_string_equal(ui_fmt_group(b, sizeof(b), 1000000), "1 000 000");
	assert_string_equal(ui_fmt_dur(b, sizeof(b), 850), "850us");
	assert_string_equal(ui_fmt_dur(b, sizeof(b), 1200), "1.2ms");
	assert_string_equal(ui_fmt_dur(b, sizeof(b), 45000), "45ms");
	assert_string_equal(ui_fmt_dur(b, sizeof(b), 3400000), "3.40s");
	assert_string_equal(ui_fmt_dur(b, sizeof(b), 125000000), "2m05s");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 950), "950");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 12345), "12.3k");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 4.5e6), "4.5M");
	assert_string_equal(ui_fmt_uptime(b, sizeof(b), 3723000000ull), "1:02:03");
	assert_string_equal(ui_fmt_hms(b, sizeof(b), 1700000000000000ull), "22:13:20");
	assert_string_equal(ui_fmt_hmsm(b, sizeof(b), 1700000000123456ull), "22:13:20.123");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sorting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_and_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_flags_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladder, setup, teardown),
		cmocka_unit_test(test_fold_text),
		cmocka_unit_test_setup_teardown(test_recent_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recent_ring_bounded, setup, teardown),
		cmocka_unit_test(test_formatting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
