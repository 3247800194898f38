/*
 * test_wall_state.c - the wall's tile states (src/ui/wall_state.c): every
 * transition (OK, DEGRADED, ERROR, DOWN, RECOVERED, back to OK), "since",
 * the acknowledgement, capture health. The aggregates they are judged from
 * and the wall's view model: test_wall_view.c.
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
