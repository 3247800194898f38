/*
 * test_wall_sensors.c - the sensors a wall hears (src/ui/wall_sensors.c)
 * and what the dashboard model makes of them: the latest stats per origin
 * (a run counted once, a restart counted apart), frames/s from two
 * heartbeats on the sensor's clock, SILENT after three missed heartbeats
 * on an injected reader clock (following) and against the newest sensor
 * time (a replay), the header as the sum over sensors, the reader's final
 * sum not counted again, the sensors that saw a server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "test_ui_events.h"
#include "../../src/ui/wall_sensors.h"

#define S_ 1000000ull
#define W0 (1764850000ull * S_) /* a sensor's wall clock */
#define R0 (1764850003ull * S_) /* the reader's clock: 3 s ahead */

static struct ev_stats stats(const char *sensor, uint32_t origin, uint64_t wall_us, uint64_t frames)
{
	struct ev_stats st;
	memset(&st, 0, sizeof(st));
	snprintf(st.sensor, sizeof(st.sensor), "%s", sensor);
	st.origin = origin;
	st.wall_us = wall_us;
	st.ts_us = wall_us - 7 * S_; /* capture time: another clock */
	st.frames = frames;
	st.bytes = frames * 100;
	return st;
}

static void test_latest_per_origin(void **state)
{
	(void)state;
	struct wall_sensors ss = { 0 };
	struct ev_stats a1 = stats("a", 1, W0, 100), a2 = stats("a", 1, W0 + 5 * S_, 250);
	struct ev_stats b1 = stats("b", 2, W0, 40);
	assert_int_equal(wall_sensors_stats(&ss, &a1, R0), 0);
	assert_int_equal(wall_sensors_stats(&ss, &b1, R0), 1);
	assert_int_equal(wall_sensors_stats(&ss, &a2, R0 + 5 * S_), 0);
	struct wall_sensor_run sum;
	wall_sensors_sum(&ss, &sum);
	assert_int_equal(sum.fig.frames, 290); /* 250 + 40: a's latest, not 100 + 250 */
	assert_int_equal(sum.fig.bytes, 29000);
	assert_int_equal(ss.n, 2);
	assert_int_equal(ss.named, 2);
	/* a's second run (another origin: the sensor restarted) counts apart */
	struct ev_stats a3 = stats("a", 3, W0 + 20 * S_, 30);
	assert_int_equal(wall_sensors_stats(&ss, &a3, R0 + 20 * S_), 0);
	wall_sensors_sum(&ss, &sum);
	assert_int_equal(sum.fig.frames, 320);
	assert_int_equal(ss.s[0].nrun, 2);
	/* in one file (one origin): a run that ended, then a new one; and a
	 * counter that went back (a crash and a restart) */
	struct wall_sensors one = { 0 };
	struct ev_stats c1 = stats("c", 0, W0, 500);
	c1.ended = true;
	struct ev_stats c2 = stats("c", 0, W0 + 60 * S_, 10), c3 = stats("c", 0, W0 + 65 * S_, 5);
	wall_sensors_stats(&one, &c1, R0);
	wall_sensors_stats(&one, &c2, R0);
	wall_sensors_stats(&one, &c3, R0);
	wall_sensors_sum(&one, &sum);
	assert_int_equal(sum.fig.frames, 515);
	/* a capture's own figures are no sensor's */
	struct ev_stats own = stats("", 0, W0, 9);
	assert_int_equal(wall_sensors_stats(&one, &own, R0), -1);
	wall_sensors_fini(&ss);
	wall_sensors_fini(&one);
}

static void test_runs_folded_when_many(void **state)
{
	(void)state;
	struct wall_sensors ss = { 0 };
	for (uint32_t o = 1; o <= WALL_SENSOR_RUNS_MAX + 3; o++) {
		struct ev_stats st = stats("a", o, W0 + o * S_, 10);
		wall_sensors_stats(&ss, &st, R0);
	}
	struct wall_sensor_run sum;
	wall_sensors_sum(&ss, &sum);
	assert_int_equal(sum.fig.frames, 10 * (WALL_SENSOR_RUNS_MAX + 3)); /* every run once */
	assert_int_equal(ss.s[0].nrun, WALL_SENSOR_RUNS_MAX);
	wall_sensors_fini(&ss);
}

static void test_frames_per_second(void **state)
{
	(void)state;
	struct wall_sensors ss = { 0 };
	struct ev_stats h1 = stats("a", 1, W0, 1000), h2 = stats("a", 1, W0 + 5 * S_, 1100);
	wall_sensors_stats(&ss, &h1, R0);
	assert_false(ss.s[0].have_fps); /* one heartbeat: no rate yet */
	wall_sensors_stats(&ss, &h2, R0 + 9 * S_); /* arrived late: the sensor's clock counts */
	assert_true(ss.s[0].have_fps);
	assert_true(ss.s[0].fps > 19.99 && ss.s[0].fps < 20.01);
	/* a record right after (a close's stats) does not make a rate of 0.1 s */
	struct ev_stats h3 = stats("a", 1, W0 + 5 * S_ + 100000, 1101);
	wall_sensors_stats(&ss, &h3, R0 + 9 * S_);
	assert_true(ss.s[0].fps > 19.99 && ss.s[0].fps < 20.01);
	struct ev_stats h4 = stats("a", 1, W0 + 10 * S_, 1600);
	wall_sensors_stats(&ss, &h4, R0 + 14 * S_);
	assert_true(ss.s[0].fps > 99.99 && ss.s[0].fps < 100.01); /* from h2: (1600 - 1100) / 5 s */
	assert_true(wall_sensors_fps(&ss) > 99.99);
	/* a new run: no rate until its second heartbeat */
	struct ev_stats n1 = stats("a", 2, W0 + 30 * S_, 5);
	wall_sensors_stats(&ss, &n1, R0);
	assert_false(ss.s[0].have_fps);
	/* a sensor whose run ended adds nothing to the fleet's rate */
	struct ev_stats n2 = stats("a", 2, W0 + 35 * S_, 505);
	n2.ended = true;
	wall_sensors_stats(&ss, &n2, R0);
	assert_true(ss.s[0].have_fps && ss.s[0].ended);
	assert_true(wall_sensors_fps(&ss) == 0);
	wall_sensors_fini(&ss);
}

static void test_silent_following(void **state)
{
	(void)state;
	struct wall_sensors ss = { 0 };
	struct ev_stats a = stats("a", 1, W0, 10), b = stats("b", 2, W0, 10);
	wall_sensors_stats(&ss, &a, R0);
	wall_sensors_stats(&ss, &b, R0);
	/* heartbeats every 5 s from a; b goes quiet after its first */
	for (int k = 1; k <= 4; k++) {
		struct ev_stats h = stats("a", 1, W0 + (uint64_t)k * 5 * S_, 10 + (uint64_t)k);
		wall_sensors_stats(&ss, &h, R0 + (uint64_t)k * 5 * S_);
	}
	const struct wall_sensor *sa = &ss.s[0], *sb = &ss.s[1];
	uint64_t now = wall_sensors_now(&ss, true, R0 + 14 * S_ + 999999);
	assert_int_equal(now, R0 + 14 * S_ + 999999);
	assert_false(wall_sensor_silent(&ss, sb, true, now)); /* two heartbeats and a bit missed */
	assert_int_equal(wall_sensors_silent(&ss, true, now), 0);
	now = R0 + 15 * S_; /* the third missed */
	assert_true(wall_sensor_silent(&ss, sb, true, now));
	assert_false(wall_sensor_silent(&ss, sa, true, now));
	assert_int_equal(wall_sensor_age(sb, true, now), 15 * S_);
	assert_int_equal(wall_sensors_silent(&ss, true, now), 1);
	/* any event of b is a sign of life: no longer SILENT */
	assert_int_equal(wall_sensors_event(&ss, "b", W0 - 3600 * S_, R0 + 16 * S_), 1);
	assert_false(wall_sensor_silent(&ss, sb, true, R0 + 17 * S_));
	/* the sensors' own clocks do not count while following: a sensor
	 * 1 h behind the reader is heard all the same */
	struct ev_stats late = stats("c", 3, W0 - 3600 * S_, 10);
	wall_sensors_stats(&ss, &late, R0 + 17 * S_);
	assert_false(wall_sensor_silent(&ss, &ss.s[2], true, R0 + 18 * S_));
	wall_sensors_fini(&ss);
}

static void test_silent_replay(void **state)
{
	(void)state;
	struct wall_sensors ss = { 0 };
	/* read from a file long after: the reader's clock is a day ahead */
	uint64_t later = R0 + 86400 * S_;
	/* each sensor first heard by a session event whose capture time is
	 * days past its wall time (it replayed a capture from the future...):
	 * once its stats give a wall time, that is its time */
	wall_sensors_event(&ss, "a", W0 + 9 * 86400 * S_, later);
	wall_sensors_event(&ss, "b", W0 + 9 * 86400 * S_, later);
	struct ev_stats a = stats("a", 1, W0 + 100 * S_, 10), b = stats("b", 2, W0 + 120 * S_, 10);
	struct ev_stats c = stats("c", 3, W0 + 106 * S_, 10);
	wall_sensors_stats(&ss, &a, later);
	wall_sensors_stats(&ss, &b, later);
	wall_sensors_stats(&ss, &c, later);
	uint64_t now = wall_sensors_now(&ss, false, later);
	assert_int_equal(now, W0 + 120 * S_); /* the newest time a sensor spoke */
	assert_true(wall_sensor_silent(&ss, &ss.s[0], false, later));   /* 20 s before the end */
	assert_int_equal(wall_sensor_age_in(&ss, &ss.s[0], false, later), 20 * S_);
	assert_false(wall_sensor_silent(&ss, &ss.s[1], false, later));  /* the newest: never SILENT */
	assert_false(wall_sensor_silent(&ss, &ss.s[2], false, later));  /* 14 s: not yet */
	assert_int_equal(wall_sensors_silent(&ss, false, later), 1);
	/* following, the same sensors were all heard just now */
	assert_int_equal(wall_sensors_silent(&ss, true, later), 0);
	/* a session event's capture time (another clock) does not move a
	 * sensor whose stats gave its wall time */
	wall_sensors_event(&ss, "a", W0 + 500 * S_, later);
	assert_int_equal(ss.s[0].spoke_us, W0 + 100 * S_);
	assert_int_equal(wall_sensors_newest(&ss, true), W0 + 120 * S_);
	/* a sensor with no stats yet is judged by its events' times, against
	 * the other such sensors' only */
	wall_sensors_event(&ss, "d", W0 - 3600 * S_, later);
	wall_sensors_event(&ss, "e", W0 - 3580 * S_, later);
	assert_int_equal(wall_sensors_newest(&ss, false), W0 - 3580 * S_);
	assert_true(wall_sensor_silent(&ss, &ss.s[3], false, later));
	assert_false(wall_sensor_silent(&ss, &ss.s[4], false, later));
	assert_int_equal(wall_sensors_now(&ss, false, later), W0 + 120 * S_);
	wall_sensors_fini(&ss);
}

static void test_names_sanitised_and_capped(void **state)
{
	(void)state;
	struct wall_sensors ss = { 0 };
	wall_sensors_event(&ss, "evil\x1b[31m", W0, R0);
	assert_string_equal(ss.s[0].name, "evil\\x1b[31m");
	for (int i = 0; i < WALL_SENSORS_MAX + 5; i++) {
		char n[16];
		snprintf(n, sizeof(n), "s%d", i);
		wall_sensors_event(&ss, n, W0, R0);
	}
	assert_int_equal(ss.n, WALL_SENSORS_MAX);
	assert_int_equal(ss.overflow, 6);
	wall_sensors_fini(&ss);
}

/* ---- through the dashboard's model ---- */

static void feed_stats(struct ui_model *m, const struct ev_stats *st, uint64_t clock)
{
	struct event e = { .type = EV_STATS, .ts_us = st->ts_us, .stats = st };
	m->clock_us = clock;
	ui_model_event(m, &e);
}

static void test_model_header_sums(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct ev_stats a = stats("a", 1, W0, 100), b = stats("b", 2, W0, 40);
	a.sessions_total = 6, a.sessions_flagged = 3, a.src.kernel_drops = 2, a.publish.dropped = 5;
	b.sessions_total = 4, b.sessions_active = 1, b.findings[SEV_ERROR] = 7;
	feed_stats(m, &a, R0);
	feed_stats(m, &b, R0);
	a.frames = 300, a.sessions_total = 9;
	a.wall_us += 5 * S_;
	feed_stats(m, &a, R0 + 5 * S_);
	assert_int_equal(m->c.fig.frames, 340);   /* 300 + 40: each sensor's latest */
	assert_int_equal(m->c.fig.sessions_total, 13);
	assert_int_equal(m->c.fig.sessions_flagged, 3);
	assert_int_equal(m->c.fig.sessions_active, 1);
	assert_int_equal(m->c.fig.kernel_drops, 2);
	assert_int_equal(m->c.fig.publish_dropped, 5);
	assert_int_equal(m->c.fig.findings[SEV_ERROR], 7);
	assert_int_equal(ui_model_total(m), 13);
	assert_true(m->c.pps > 39.99 && m->c.pps < 40.01); /* a: 200 frames in 5 s */
	/* b ends (its final record, passed on as ended), then the reader's
	 * one final sum: counted already, only the end is taken */
	b.ended = true, b.frames = 50;
	feed_stats(m, &b, R0 + 6 * S_);
	assert_int_equal(m->c.fig.frames, 350);
	struct ev_stats fin = stats("", 0, W0 + 9 * S_, 999); /* (told apart from the sum it repeats) */
	fin.final = true;
	feed_stats(m, &fin, R0 + 9 * S_);
	assert_int_equal(m->c.fig.frames, 350);
	assert_true(m->c.final);
	assert_int_equal(m->sensors.n, 2);
	ui_model_free(m);
}

static void test_model_without_sensors_unchanged(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct ev_stats s1 = stats("", 0, W0, 100), s2 = stats("", 0, W0 + S_, 150);
	feed_stats(m, &s1, R0);
	feed_stats(m, &s2, R0);
	assert_int_equal(m->c.fig.frames, 150); /* a capture's own: the latest, as before */
	assert_int_equal(m->sensors.n, 0);
	ui_model_free(m);
}

static void test_model_servers_seen_by(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess s1, s2, s3;
	uit_sess(&s1, 1, "192.0.2.1", "u");
	uit_sess(&s2, 2, "192.0.2.1", "u");
	uit_sess(&s3, 3, "192.0.2.2", "u");
	snprintf(s1.es.sensor, sizeof(s1.es.sensor), "a");
	snprintf(s2.es.sensor, sizeof(s2.es.sensor), "b");
	snprintf(s3.es.sensor, sizeof(s3.es.sensor), "b");
	m->clock_us = R0;
	uit_open(m, &s1);
	uit_open(m, &s2);
	uit_open(m, &s3);
	const struct ui_server *v1 = ui_model_server(m, "192.0.2.1", 110);
	const struct ui_server *v2 = ui_model_server(m, "192.0.2.2", 110);
	assert_non_null(v1);
	assert_non_null(v2);
	assert_int_equal(v1->sensor_bits, 3); /* a and b */
	assert_int_equal(v2->sensor_bits, 2); /* b */
	assert_int_equal(m->sensors.named, 2);
	assert_int_equal(m->sensors.s[1].heard_us, R0);
	ui_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latest_per_origin),
		cmocka_unit_test(test_runs_folded_when_many),
		cmocka_unit_test(test_frames_per_second),
		cmocka_unit_test(test_silent_following),
		cmocka_unit_test(test_silent_replay),
		cmocka_unit_test(test_names_sanitised_and_capped),
		cmocka_unit_test(test_model_header_sums),
		cmocka_unit_test(test_model_without_sensors_unchanged),
		cmocka_unit_test(test_model_servers_seen_by),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
