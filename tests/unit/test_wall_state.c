/*
 * test_wall_state.c - the wall's tile states (src/ui/wall_state.c): every
 * transition (OK, DEGRADED, ERROR, DOWN, RECOVERED, back to OK), "since",
 * the acknowledgement, capture health; then the server aggregates the
 * states are judged from (src/ui/ui_model_srv.c: address AND port, the
 * "(no login)" row, connection end reasons, per-minute buckets) and the
 * wall's view model (src/ui/wall_view.c: tiles worst first, findings
 * grouped by server and rule), and the servers view's rules column.
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

static void seen(struct wall_input *in, enum ui_problem p, uint64_t n, uint64_t first, uint64_t last)
{
	in->pb[p].n += n;
	if (!in->pb[p].first_ts || first < in->pb[p].first_ts)
		in->pb[p].first_ts = first;
	if (last > in->pb[p].last_ts)
		in->pb[p].last_ts = last;
	in->problems += n;
}

static void fresh(struct wall_input *in)
{
	memset(in, 0, sizeof(*in));
	in->contradiction_rule = in->warning_rule = -1;
	in->first_ts = T0;
	in->last_good_ts = T0;
}

static void test_defaults_match_the_options(void **state)
{
	(void)state;
	/* the option table's defaults are the module's (two headers, one set of values) */
	assert_int_equal(WALL_FAIL_PCT, WALL_FAIL_PCT_DEFAULT);
	assert_int_equal(WALL_FAIL_MIN, WALL_FAIL_MIN_DEFAULT);
	assert_int_equal(WALL_SLOW_MIN, WALL_SLOW_MIN_DEFAULT);
	assert_int_equal(WALL_QUIET_S, WALL_QUIET_S_DEFAULT);
	assert_int_equal(WALL_OK_AFTER_S, WALL_OK_AFTER_S_DEFAULT);
	assert_int_equal(WALL_STALE_S, WALL_STALE_S_DEFAULT);
	assert_int_equal(TH.quiet_us, 600 * S_);
	assert_string_equal(wall_state_name(WALL_OK), "OK");
	assert_string_equal(wall_state_name(WALL_DOWN), "DOWN");
	assert_true(WALL_DOWN > WALL_ERROR && WALL_ERROR > WALL_DEGRADED && WALL_DEGRADED > WALL_RECOVERED &&
		    WALL_RECOVERED > WALL_OK);
}

static void test_ok_without_problems(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	in.sessions = 4;
	in.logins_ok = 4;
	assert_true(wall_state_update(&t, &in, T0 + 5 * S_, &TH)); /* the first judgement is a change */
	assert_int_equal(t.state, WALL_OK);
	assert_int_equal(t.since, T0);
	assert_int_equal(t.last_problem, 0);
	assert_string_equal(t.reason, "");
	assert_false(wall_state_update(&t, &in, T0 + 6 * S_, &TH));
}

static void test_error_recovered_ok(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	wall_state_update(&t, &in, T0 + 1 * S_, &TH);
	assert_int_equal(t.state, WALL_OK);
	/* 36 contradictions between +10 s and +69 s */
	seen(&in, UI_PB_CONTRADICTION, 36, T0 + 10 * S_, T0 + 69 * S_);
	in.contradiction_rule = R_STAT_LIST_COUNT;
	in.contradiction_n = 36;
	assert_true(wall_state_update(&t, &in, T0 + 70 * S_, &TH));
	assert_int_equal(t.state, WALL_ERROR);
	assert_int_equal(t.since, T0 + 10 * S_);
	assert_int_equal(t.last_problem, T0 + 69 * S_);
	assert_string_equal(t.reason, "stat-list-count x36");
	in.contradiction_rules = 3;
	assert_false(wall_state_update(&t, &in, T0 + 71 * S_, &TH));
	assert_string_equal(t.reason, "stat-list-count x36 (+2 more rules)");
	assert_int_equal(t.since, T0 + 10 * S_); /* the same episode */
	/* still ERROR just inside the quiet time, RECOVERED past it */
	wall_state_update(&t, &in, T0 + 69 * S_ + TH.quiet_us - 1, &TH);
	assert_int_equal(t.state, WALL_ERROR);
	assert_true(wall_state_update(&t, &in, T0 + 69 * S_ + 12 * MIN_, &TH));
	assert_int_equal(t.state, WALL_RECOVERED);
	assert_int_equal(t.since, T0 + 69 * S_ + TH.quiet_us);
	assert_string_equal(t.reason, "recovered 12 min ago (was ERROR)");
	/* and OK once ok_after has passed since the last problem */
	assert_true(wall_state_update(&t, &in, T0 + 69 * S_ + TH.ok_after_us, &TH));
	assert_int_equal(t.state, WALL_OK);
	assert_int_equal(t.since, T0 + 69 * S_ + TH.ok_after_us);
	assert_int_equal(t.last_problem, T0 + 69 * S_); /* still said: "last problem 1 h ago" */
}

static void test_second_episode_since(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	seen(&in, UI_PB_CONTRADICTION, 2, T0, T0 + S_);
	in.contradiction_rule = R_RETR_SIZE;
	wall_state_update(&t, &in, T0 + 2 * S_, &TH);
	wall_state_update(&t, &in, T0 + 20 * MIN_, &TH);
	assert_int_equal(t.state, WALL_RECOVERED);
	/* a new contradiction an hour later: since is the new one, not the first ever */
	seen(&in, UI_PB_CONTRADICTION, 1, T0 + 30 * MIN_, T0 + 30 * MIN_);
	wall_state_update(&t, &in, T0 + 30 * MIN_ + S_, &TH);
	assert_int_equal(t.state, WALL_ERROR);
	assert_int_equal(t.since, T0 + 30 * MIN_);
	assert_string_equal(t.reason, "retr-size x3");
}

static void test_down_never_ok_while_unreachable(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	in.last_good_ts = 0; /* never answered */
	seen(&in, UI_PB_REFUSED, 12, T0 + 5 * S_, T0 + 50 * S_);
	wall_state_update(&t, &in, T0 + 60 * S_, &TH);
	assert_int_equal(t.state, WALL_DOWN);
	assert_int_equal(t.since, T0 + 5 * S_);
	assert_string_equal(t.reason, "connects refused (12)");
	/* hours later, nobody tried again: still DOWN (the last word was a refusal) */
	assert_false(wall_state_update(&t, &in, T0 + 5 * 3600 * S_, &TH));
	assert_int_equal(t.state, WALL_DOWN);
	/* unanswered connects after the refusals: the reason follows the latest */
	seen(&in, UI_PB_NO_ANSWER, 2, T0 + 5 * 3600 * S_, T0 + 5 * 3600 * S_ + S_);
	wall_state_update(&t, &in, T0 + 5 * 3600 * S_ + 2 * S_, &TH);
	assert_int_equal(t.state, WALL_DOWN);
	assert_string_equal(t.reason, "connects unanswered (14)");
	assert_int_equal(t.since, T0 + 5 * S_); /* the same outage */
}

static void test_down_then_answers_degraded_recovered(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	seen(&in, UI_PB_NO_GREETING, 3, T0 + 10 * S_, T0 + 30 * S_);
	in.connects_failed = 3;
	in.sessions = 3;
	wall_state_update(&t, &in, T0 + 31 * S_, &TH);
	assert_int_equal(t.state, WALL_DOWN);
	assert_int_equal(t.since, T0 + 10 * S_);
	assert_string_equal(t.reason, "connects without greeting (3)");
	/* it greets again: some connects failed lately, so DEGRADED, not OK */
	in.last_good_ts = T0 + 40 * S_;
	in.sessions = 5;
	assert_true(wall_state_update(&t, &in, T0 + 41 * S_, &TH));
	assert_int_equal(t.state, WALL_DEGRADED);
	assert_string_equal(t.reason, "3 of 5 connects without greeting");
	/* quiet: RECOVERED from DEGRADED, then OK */
	in.connects_failed = 0;
	wall_state_update(&t, &in, T0 + 30 * S_ + TH.quiet_us + S_, &TH);
	assert_int_equal(t.state, WALL_RECOVERED);
	assert_non_null(strstr(t.reason, "(was DEGRADED)"));
	wall_state_update(&t, &in, T0 + 30 * S_ + TH.ok_after_us, &TH);
	assert_int_equal(t.state, WALL_OK);
}

static void test_down_beats_error(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	seen(&in, UI_PB_CONTRADICTION, 1, T0, T0);
	in.contradiction_rule = R_STAT_UIDL_COUNT;
	wall_state_update(&t, &in, T0 + S_, &TH);
	assert_int_equal(t.state, WALL_ERROR);
	seen(&in, UI_PB_RESET, 1, T0 + 2 * S_, T0 + 2 * S_);
	wall_state_update(&t, &in, T0 + 3 * S_, &TH);
	assert_int_equal(t.state, WALL_DOWN);
	assert_int_equal(t.since, T0 + 2 * S_);
	assert_string_equal(t.reason, "connects reset before greeting (1)");
}

static void test_failed_logins_rate(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	/* two of two failed: under the minimum count, still OK */
	seen(&in, UI_PB_LOGIN_FAILED, 2, T0, T0 + S_);
	in.logins_failed = 2;
	wall_state_update(&t, &in, T0 + 2 * S_, &TH);
	assert_int_equal(t.state, WALL_OK);
	/* 36 of 36 */
	seen(&in, UI_PB_LOGIN_FAILED, 34, T0 + 2 * S_, T0 + 40 * S_);
	in.logins_failed = 36;
	wall_state_update(&t, &in, T0 + 41 * S_, &TH);
	assert_int_equal(t.state, WALL_DEGRADED);
	assert_string_equal(t.reason, "failed logins 100% (36/36)");
	assert_int_equal(t.since, T0);
	/* the rate falls to half: not above 50 %, and the failures stay in the
	 * recent window, so it is not a problem any more; RECOVERED from the last
	 * one that was */
	struct wall_track u = { 0 };
	in.logins_ok = in.logins_ok_all = 36;
	wall_state_update(&u, &in, T0 + 41 * S_, &TH);
	assert_int_equal(u.state, WALL_OK); /* a fresh track: a 50 % rate never crossed */
	wall_state_update(&t, &in, T0 + 42 * S_, &TH);
	assert_int_equal(t.state, WALL_RECOVERED);
	/* failures within the last minute's bucket but older than the quiet time are history */
	struct wall_thresholds q5 = TH;
	q5.quiet_us = 5 * S_;
	struct wall_track v = { 0 };
	in.logins_ok = in.logins_ok_all = 0;
	wall_state_update(&v, &in, T0 + 46 * S_, &q5);
	assert_int_equal(v.state, WALL_RECOVERED);
	assert_string_equal(v.reason, "recovered 6 s ago (was DEGRADED)");
	in.logins_ok = in.logins_ok_all = 36;
	/* the threshold is a flag */
	struct wall_thresholds th = TH;
	th.fail_pct = 40;
	wall_state_update(&t, &in, T0 + 43 * S_, &th);
	assert_int_equal(t.state, WALL_DEGRADED);
	assert_string_equal(t.reason, "failed logins 50% (36/72)");
}

static void test_slow_and_warnings_degrade(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	seen(&in, UI_PB_SLOW, 3, T0, T0 + 10 * S_);
	in.slow = 3;
	wall_state_update(&t, &in, T0 + 11 * S_, &TH);
	assert_int_equal(t.state, WALL_DEGRADED);
	assert_string_equal(t.reason, "slow replies (3)");
	seen(&in, UI_PB_WARNING, 2, T0 + 5 * S_, T0 + 12 * S_);
	in.warning_rule = R_RETR_SIZE;
	in.warning_n = 2;
	wall_state_update(&t, &in, T0 + 13 * S_, &TH);
	assert_int_equal(t.state, WALL_DEGRADED);
	assert_string_equal(t.reason, "slow replies (3), retr-size x2");
	/* two slow replies are below the threshold */
	struct wall_track u = { 0 };
	struct wall_input in2;
	fresh(&in2);
	seen(&in2, UI_PB_SLOW, 2, T0, T0);
	in2.slow = 2;
	wall_state_update(&u, &in2, T0 + S_, &TH);
	assert_int_equal(u.state, WALL_OK);
}

static void test_old_problem_seen_first_is_recovered(void **state)
{
	(void)state;
	/* a wall started on a capture whose contradiction is 20 min old */
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	seen(&in, UI_PB_CONTRADICTION, 1, T0, T0);
	wall_state_update(&t, &in, T0 + 20 * MIN_, &TH);
	assert_int_equal(t.state, WALL_RECOVERED);
	assert_string_equal(t.reason, "recovered 20 min ago (was ERROR)");
}

static void test_ack(void **state)
{
	(void)state;
	struct wall_input in;
	struct wall_track t = { 0 };
	fresh(&in);
	wall_state_update(&t, &in, T0, &TH);
	wall_state_ack(&t, &in);
	assert_false(t.acked); /* nothing to acknowledge on an OK tile */
	seen(&in, UI_PB_CONTRADICTION, 1, T0 + S_, T0 + S_);
	wall_state_update(&t, &in, T0 + 2 * S_, &TH);
	wall_state_ack(&t, &in);
	assert_true(t.acked);
	wall_state_update(&t, &in, T0 + 3 * S_, &TH);
	assert_true(t.acked); /* stays while nothing new happens */
	assert_int_equal(t.state, WALL_ERROR);
	/* a new problem clears it */
	seen(&in, UI_PB_CONTRADICTION, 1, T0 + 4 * S_, T0 + 4 * S_);
	wall_state_update(&t, &in, T0 + 5 * S_, &TH);
	assert_false(t.acked);
	/* acknowledged, then back to OK: the ACK goes with the problem */
	wall_state_ack(&t, &in);
	assert_true(t.acked);
	wall_state_update(&t, &in, T0 + 4 * S_ + TH.quiet_us, &TH);
	assert_int_equal(t.state, WALL_RECOVERED);
	assert_true(t.acked);
	wall_state_update(&t, &in, T0 + 4 * S_ + TH.ok_after_us, &TH);
	assert_int_equal(t.state, WALL_OK);
	assert_false(t.acked);
}

static void test_capture_health_and_ago(void **state)
{
	(void)state;
	assert_false(wall_capture_stale(T0, T0 + 29 * S_, &TH));
	assert_true(wall_capture_stale(T0, T0 + 30 * S_, &TH));
	assert_false(wall_capture_stale(T0 + 5 * S_, T0, &TH)); /* a clock step back is not stale */
	char b[32];
	assert_string_equal(wall_fmt_ago(b, sizeof(b), 3 * S_), "3 s");
	assert_string_equal(wall_fmt_ago(b, sizeof(b), 12 * MIN_), "12 min");
	assert_string_equal(wall_fmt_ago(b, sizeof(b), 125 * MIN_), "2 h 5 min");
	assert_string_equal(wall_fmt_ago(b, sizeof(b), 3 * 86400 * S_), "3 d");
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
		cmocka_unit_test_setup(test_defaults_match_the_options, setup_th),
		cmocka_unit_test_setup(test_ok_without_problems, setup_th),
		cmocka_unit_test_setup(test_error_recovered_ok, setup_th),
		cmocka_unit_test_setup(test_second_episode_since, setup_th),
		cmocka_unit_test_setup(test_down_never_ok_while_unreachable, setup_th),
		cmocka_unit_test_setup(test_down_then_answers_degraded_recovered, setup_th),
		cmocka_unit_test_setup(test_down_beats_error, setup_th),
		cmocka_unit_test_setup(test_failed_logins_rate, setup_th),
		cmocka_unit_test_setup(test_slow_and_warnings_degrade, setup_th),
		cmocka_unit_test_setup(test_old_problem_seen_first_is_recovered, setup_th),
		cmocka_unit_test_setup(test_ack, setup_th),
		cmocka_unit_test_setup(test_capture_health_and_ago, setup_th),
		cmocka_unit_test_setup(test_servers_by_address_and_port, setup_th),
		cmocka_unit_test_setup(test_no_login_rows_add_up, setup_th),
		cmocka_unit_test_setup(test_problems_from_end_reasons_and_findings, setup_th),
		cmocka_unit_test_setup(test_tiles_worst_first_and_groups, setup_th),
		cmocka_unit_test(test_spark_levels),
		cmocka_unit_test(test_rules_column_cut_between_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
