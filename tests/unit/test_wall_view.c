/*
 * test_wall_view.c - the server aggregates the wall judges from
 * (src/ui/ui_model_srv.c: address AND port, the "(no login)" row,
 * connection end reasons, findings per rule, per-minute buckets), the
 * wall's view model (src/ui/wall_view.c: tiles worst first, findings
 * grouped by server and rule, sparkline levels) and the servers view's
 * rules column (ui_rules_fit). The states themselves: test_wall_state.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "options.h"
#include "test_ui_events.h"
#include "../../src/ui/ui_view.h"
#include "../../src/ui/wall_state.h"
#include "../../src/ui/wall_view.h"

#define S_ 1000000ull
#define MIN_ (60 * S_)
#define T0 (1700000000ull * S_) /* a capture time */

static struct wall_thresholds TH;

static int setup_th(void **state)
{
	(void)state;
	wall_thresholds_default(&TH);
	return 0;
}

/* ---- the aggregates, from events ------------------------------------------------------------ */

static void close_with(struct ui_model *m, struct uit_sess *s, enum flow_end e)
{
	s->es.end = e;
	uit_emit(m, EV_SESSION_CLOSE, s, NULL, NULL);
}

static void test_servers_by_address_and_port(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess a, b;
	uit_sess(&a, 1, "192.0.2.1", "alice");
	uit_sess(&b, 2, "192.0.2.1", "alice");
	b.es.sport = 995;
	uit_open(m, &a);
	uit_open(m, &b);
	assert_int_equal(m->n_srv, 2);
	const struct ui_server *v110 = ui_model_server(m, "192.0.2.1", 110);
	const struct ui_server *v995 = ui_model_server(m, "192.0.2.1", 995);
	assert_non_null(v110);
	assert_non_null(v995);
	assert_ptr_not_equal(v110, v995);
	assert_string_equal(v110->name, "192.0.2.1:110");
	assert_string_equal(v995->name, "192.0.2.1:995");
	assert_int_equal(v110->sessions, 1);
	assert_int_equal(v995->sessions, 1);
	struct uit_sess c;
	uit_sess(&c, 3, "2001:db8::1", NULL);
	uit_open(m, &c);
	assert_string_equal(ui_model_server(m, "2001:db8::1", 110)->name, "[2001:db8::1]:110");
	ui_model_free(m);
}

static void test_no_login_rows_add_up(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess s[4];
	uit_sess(&s[0], 1, "192.0.2.1", "alice");
	uit_sess(&s[1], 2, "192.0.2.1", NULL); /* never logs in */
	uit_sess(&s[2], 3, "192.0.2.1", NULL); /* refused */
	uit_sess(&s[3], 4, "192.0.2.1", NULL); /* the user shows up later */
	for (int i = 0; i < 4; i++)
		uit_open(m, &s[i]);
	struct finding f;
	uit_finding(&f, R_LOGIN_FAILED, "login failed", 3, 1, NULL);
	uit_flag(m, &s[3], &f);
	close_with(m, &s[1], FLOW_END_FIN);
	close_with(m, &s[2], FLOW_END_REFUSED);
	snprintf(s[3].es.pop3.user, sizeof(s[3].es.pop3.user), "bob");
	uit_emit(m, EV_SESSION_UPDATE, &s[3], NULL, NULL);

	const struct ui_server *v = ui_model_server(m, "192.0.2.1", 110);
	assert_int_equal(v->sessions, 4);
	assert_int_equal(v->extra[UI_ACCT_NOLOGIN].sessions, 2);
	assert_string_equal(v->extra[UI_ACCT_NOLOGIN].user, "(no login)");
	/* bob's failed login moved with his session */
	assert_int_equal(v->extra[UI_ACCT_NOLOGIN].failed_logins, 0);
	assert_int_equal(v->extra[UI_ACCT_NOLOGIN].findings[SEV_NOTICE], 0);
	struct ui_server_row rows[8];
	size_t n = ui_server_rows(m, rows, 8);
	assert_int_equal(n, 4); /* the server, alice and bob, (no login) */
	uint64_t sum = 0;
	for (size_t i = 1; i < n; i++)
		sum += rows[i].acct->sessions;
	assert_int_equal(sum, v->sessions);
	assert_string_equal(rows[3].acct->user, "(no login)");
	/* folded: the server row only */
	((struct ui_server *)v)->folded = true;
	assert_int_equal(ui_server_rows(m, rows, 8), 1);
	ui_model_free(m);
}

static void test_problems_from_end_reasons_and_findings(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess s[5];
	static const enum flow_end ends[4] = { FLOW_END_REFUSED, FLOW_END_NO_ANSWER, FLOW_END_NO_GREETING,
					       FLOW_END_RESET_BEFORE_GREETING };
	for (int i = 0; i < 4; i++) {
		uit_sess(&s[i], (uint64_t)i + 1, "192.0.2.7", NULL);
		uit_open(m, &s[i]);
		close_with(m, &s[i], ends[i]);
		close_with(m, &s[i], ends[i]); /* a repeated close counts once */
	}
	const struct ui_server *v = ui_model_server(m, "192.0.2.7", 110);
	assert_int_equal(v->pb[UI_PB_REFUSED].n, 1);
	assert_int_equal(v->pb[UI_PB_NO_ANSWER].n, 1);
	assert_int_equal(v->pb[UI_PB_NO_GREETING].n, 1);
	assert_int_equal(v->pb[UI_PB_RESET].n, 1);
	assert_int_equal(v->problems, 4);
	assert_int_equal(v->last_good_ts, 0);
	assert_int_equal(v->pb[UI_PB_REFUSED].first_ts, s[0].es.start_ts);

	struct wall_input in;
	uint64_t now = s[3].es.last_ts + S_;
	wall_input_from(&in, v, now, &TH);
	assert_int_equal(in.connects_failed, 4);
	assert_int_equal(in.sessions, 4);
	struct wall_track t = { 0 };
	wall_state_update(&t, &in, now, &TH);
	assert_int_equal(t.state, WALL_DOWN);
	assert_string_equal(t.reason, "connects reset before greeting (4)");

	/* a greeting session, then a contradiction, a slow reply and a failed login */
	uit_sess(&s[4], 9, "192.0.2.7", "carol");
	snprintf(s[4].es.pop3.banner, sizeof(s[4].es.pop3.banner), "+OK ready");
	uit_open(m, &s[4]);
	assert_int_equal(v->connects_ok, 1);
	assert_int_equal(v->last_good_ts, s[4].es.last_ts);
	struct finding f;
	uit_finding(&f, R_STAT_LIST_COUNT, "STAT said 3; LIST listed 2", 4, 2, NULL);
	f.ts_us = s[4].es.start_ts + 100;
	uit_flag(m, &s[4], &f);
	uit_finding(&f, R_SLOW_REPLY, "slow", 5, 3, NULL);
	uit_flag(m, &s[4], &f);
	uit_finding(&f, R_LOGIN_FAILED, "failed", 6, 1, NULL);
	uit_flag(m, &s[4], &f);
	s[4].es.pop3.state = POP3_STATE_TRANSACTION;
	uit_emit(m, EV_SESSION_UPDATE, &s[4], NULL, NULL);
	assert_int_equal(v->pb[UI_PB_CONTRADICTION].n, 1);
	assert_int_equal(v->pb[UI_PB_CONTRADICTION].first_ts, s[4].es.start_ts + 100);
	assert_int_equal(v->last_contradiction, R_STAT_LIST_COUNT);
	assert_int_equal(v->pb[UI_PB_SLOW].n, 1);
	assert_int_equal(v->pb[UI_PB_LOGIN_FAILED].n, 1);
	assert_int_equal(v->logins_ok, 1);
	assert_int_equal(v->rule[R_STAT_LIST_COUNT].n, 1);
	assert_int_equal(v->flagged, 1);
	now = s[4].es.last_ts + S_;
	wall_input_from(&in, v, now, &TH);
	assert_int_equal(in.logins_ok, 1);
	assert_int_equal(in.logins_failed, 1);
	assert_int_equal(in.slow, 1);
	wall_state_update(&t, &in, now, &TH);
	assert_int_equal(t.state, WALL_ERROR); /* it answers again; it contradicts itself */
	assert_string_equal(t.reason, "stat-list-count x1");

	/* the per-minute trend: sessions and flagged by capture minute */
	const struct ui_minute *b = ui_server_minute(v, s[4].es.start_ts / MIN_);
	assert_non_null(b);
	assert_int_equal(b->flagged, 1);
	uint32_t total = 0;
	for (uint64_t k = 0; k < 10; k++) {
		const struct ui_minute *x = ui_server_minute(v, s[4].es.start_ts / MIN_ - k);
		total += x ? x->sessions : 0;
	}
	assert_int_equal(total, 5);
	assert_null(ui_server_minute(v, s[4].es.start_ts / MIN_ + 1));
	ui_model_free(m);
}

/* ---- the wall's view model --------------------------------------------------------------------- */

static void test_tiles_worst_first_and_groups(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess ok, bad, down;
	uit_sess(&ok, 1, "192.0.2.1", "a");
	snprintf(ok.es.pop3.banner, sizeof(ok.es.pop3.banner), "+OK");
	uit_open(m, &ok);
	uit_sess(&bad, 2, "192.0.2.23", "b");
	snprintf(bad.es.pop3.banner, sizeof(bad.es.pop3.banner), "+OK");
	uit_open(m, &bad);
	struct finding f;
	for (int i = 0; i < 36; i++) {
		uit_finding(&f, R_STAT_LIST_COUNT, "STAT said 3 messages; LIST listed 2", 4, 2, NULL);
		f.ts_us = bad.es.start_ts + (uint64_t)i * S_;
		uit_flag(m, &bad, &f);
	}
	uit_finding(&f, R_CLEARTEXT_CREDS, "a password was sent in clear text", 3, 1, NULL);
	f.ts_us = bad.es.start_ts + 50 * S_; /* the newest, but a notice */
	uit_flag(m, &bad, &f);
	uit_sess(&down, 3, "192.0.2.9", NULL);
	uit_open(m, &down);
	close_with(m, &down, FLOW_END_REFUSED);

	struct wall_tracks w = { 0 };
	uint64_t now = bad.es.start_ts + 60 * S_;
	wall_tracks_update(&w, m, now, &TH);
	struct wall_tile t[4];
	size_t n = wall_tiles(m, &w, t, 4);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].srv->name, "192.0.2.9:110");
	assert_int_equal(t[0].t->state, WALL_DOWN);
	assert_string_equal(t[1].srv->name, "192.0.2.23:110");
	assert_int_equal(t[1].t->state, WALL_ERROR);
	assert_string_equal(t[1].t->reason, "stat-list-count x36");
	assert_int_equal(t[2].t->state, WALL_OK);
	assert_int_equal(wall_tiles(m, &w, t, 2), 2); /* bounded by the caller */
	/* acknowledged tiles go after the others of their state */
	struct wall_input in;
	wall_input_from(&in, t[0].srv, now, &TH);
	wall_state_ack(&w.t[t[0].idx], &in);
	n = wall_tiles(m, &w, t, 4);
	assert_int_equal(t[0].t->state, WALL_DOWN); /* the only DOWN one stays first */
	assert_true(t[0].t->acked);

	struct wall_group g[8];
	size_t total = 0;
	n = wall_groups(m, g, 8, &total);
	assert_int_equal(total, 2);
	assert_int_equal(n, 2);
	/* the error above the newer notice */
	assert_int_equal(g[0].rule, R_STAT_LIST_COUNT);
	assert_int_equal(g[0].seen.n, 36);
	assert_int_equal(g[1].rule, R_CLEARTEXT_CREDS);
	char b[256];
	char want[128], t1[16], t2[16];
	snprintf(want, sizeof(want), "192.0.2.23:110 stat-list-count \xc3\x97" "36, %s\xe2\x80\x93%s",
		 ui_fmt_hms(t1, sizeof(t1), bad.es.start_ts), ui_fmt_hms(t2, sizeof(t2), bad.es.start_ts + 35 * S_));
	assert_string_equal(wall_group_text(&g[0], true, b, sizeof(b)), want);
	snprintf(want, sizeof(want), "192.0.2.23:110 stat-list-count x36, %s-%s", t1, t2);
	assert_string_equal(wall_group_text(&g[0], false, b, sizeof(b)), want);
	snprintf(want, sizeof(want), "192.0.2.23:110 cleartext-credentials, %s",
		 ui_fmt_hms(t1, sizeof(t1), bad.es.start_ts + 50 * S_));
	assert_string_equal(wall_group_text(&g[1], true, b, sizeof(b)), want);
	const struct ui_recent *r = wall_group_latest(m, &g[0]);
	assert_non_null(r);
	assert_string_equal(r->summary, "STAT said 3 messages; LIST listed 2");
	assert_int_equal(wall_groups(m, g, 1, &total), 1);
	wall_tracks_fini(&w);
	ui_model_free(m);
}

static void test_spark_levels(void **state)
{
	(void)state;
	uint32_t v[5] = { 0, 1, 4, 8, 0 };
	unsigned l[5];
	wall_spark_levels(v, 5, l);
	assert_int_equal(l[0], 0);
	assert_int_equal(l[1], 1);
	assert_int_equal(l[2], 4);
	assert_int_equal(l[3], 8);
	assert_int_equal(l[4], 0);
}

static void test_rules_column_cut_between_names(void **state)
{
	(void)state;
	uint64_t rules = (1ull << R_STAT_LIST_COUNT) | (1ull << R_RETR_SIZE) | (1ull << R_LOGIN_FAILED);
	char b[256];
	assert_string_equal(ui_rules_fit(rules, 200, b, sizeof(b)), "stat-list-count, retr-size, login-failed");
	/* 30 columns: the first name and what is left, never half a name */
	assert_string_equal(ui_rules_fit(rules, 30, b, sizeof(b)), "stat-list-count, +2 more");
	assert_string_equal(ui_rules_fit(rules, 12, b, sizeof(b)), "+3 more");
	assert_string_equal(ui_rules_fit(rules, 3, b, sizeof(b)), "");
	assert_string_equal(ui_rules_fit(0, 30, b, sizeof(b)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_servers_by_address_and_port, setup_th),
		cmocka_unit_test_setup(test_no_login_rows_add_up, setup_th),
		cmocka_unit_test_setup(test_problems_from_end_reasons_and_findings, setup_th),
		cmocka_unit_test_setup(test_tiles_worst_first_and_groups, setup_th),
		cmocka_unit_test(test_spark_levels),
		cmocka_unit_test(test_rules_column_cut_between_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
