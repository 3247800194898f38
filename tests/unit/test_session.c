/*
 * test_session.c - the session layer's events (src/session/session.c) and
 * the bus's skip masks (src/events/event_bus.c): a session sends
 * EV_SESSION_UPDATE at most once a second of capture time while bytes
 * move, and only while some sink takes it; a sink never sees a type it
 * skips; the sinks' thread skips what all its sinks skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "session.h"

struct counts {
	unsigned by_type[EV_STATS + 1];
	uint64_t update_ts[16];
	unsigned nupdates;
	int rules[8];
	unsigned nrules;
	enum flow_end end;
	bool by_content, flagged;
	int state;
};

static void count_event(void *self, const struct event *e)
{
	struct counts *c = self;
	c->by_type[e->type]++;
	if (e->type == EV_FINDING && c->nrules < 8)
		c->rules[c->nrules++] = e->finding->rule;
	if (e->type == EV_SESSION_CLOSE) {
		c->end = e->sess->end;
		c->by_content = e->sess->by_content;
		c->flagged = e->sess->flagged;
		c->state = e->sess->pop3.state;
	}
	if (e->type == EV_SESSION_UPDATE && c->nupdates < 16)
		c->update_ts[c->nupdates++] = e->ts_us;
}

static const struct sink_ops count_ops = { "count", count_event, NULL, NULL };

/* A session manager with small stores, its source "test"; the timers
 * 0 (off) unless given. */
static struct session_mgr *mgr_new(struct event_bus *bus, uint64_t no_answer_us, uint64_t no_greeting_us)
{
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.checks.account_max = 4;
	so.checks.uids_per_account_max = 16;
	so.no_answer_us = no_answer_us;
	so.no_greeting_us = no_greeting_us;
	struct session_mgr *sm = session_mgr_new(&so, bus);
	session_mgr_set_source(sm, "test");
	return sm;
}

/* A watched IPv4 flow 192.0.2.1:cport -> 192.0.2.2:sport, at 1 s. */
static void flow_init(struct flow *f, uint64_t id, uint16_t cport, uint16_t sport)
{
	memset(f, 0, sizeof *f);
	f->id = id;
	f->ipver = 4;
	memcpy(f->cli, "\xc0\x00\x02\x01", 4);
	memcpy(f->srv, "\xc0\x00\x02\x02", 4);
	f->cport = cport;
	f->sport = sport;
	f->watched = true;
	f->first_ts = f->last_ts = 1000000;
}

/* One session, its greeting and a STAT, then a slow RETR body: one
 * segment every 300 ms of capture time for 3 s, then FIN. */
static void play(struct event_bus *bus)
{
	struct session_mgr *sm = mgr_new(bus, 0, 0);
	struct flow f;
	flow_init(&f, 1, 40000, 110);
	session_flow_open(sm, &f);

	static const char *const lines[][2] = {
		{ "1", "+OK ready\r\n" }, { "0", "RETR 1\r\n" }, { "1", "+OK 100 octets\r\n" },
	};
	uint64_t frame = 1;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct seg_meta m = { .frame = ++frame, .ts_us = f.last_ts };
		session_flow_data(sm, &f, lines[i][0][0] - '0', (const uint8_t *)lines[i][1],
				  strlen(lines[i][1]), &m);
	}
	for (int i = 1; i <= 10; i++) {
		f.last_ts = 1000000 + (uint64_t)i * 300000;
		struct seg_meta m = { .frame = ++frame, .ts_us = f.last_ts };
		static const char body[] = "line of the body\r\n";
		session_flow_data(sm, &f, 1, (const uint8_t *)body, sizeof body - 1, &m);
	}
	struct seg_meta m = { .frame = ++frame, .ts_us = f.last_ts };
	session_flow_data(sm, &f, 1, (const uint8_t *)".\r\n", 3, &m);
	session_flow_close(sm, &f, FLOW_END_FIN, &m);
	session_mgr_free(sm);
}

static void test_updates_once_a_second_while_wanted(void **state)
{
	(void)state;
	struct counts all = { 0 };
	struct event_bus bus = { .n = 0 };
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &all });
	assert_true(event_bus_wants(&bus, EV_SESSION_UPDATE));
	play(&bus);
	assert_int_equal(all.by_type[EV_SESSION_OPEN], 1);
	assert_int_equal(all.by_type[EV_TXN], 2);
	assert_int_equal(all.by_type[EV_SESSION_CLOSE], 1);
	/* Opened at 1.0 s: RETR starts to wait and its reply begins at 1.0 s,
	 * an update each (the dashboard shows the waiting command at once).
	 * Then bytes every 0.3 s to 4.0 s: the next update is due a second
	 * later, 2.0 s (sent with the bytes of 2.2 s), the next at 3.4 s; 4.0 s
	 * is too soon for another. */
	assert_int_equal(all.by_type[EV_SESSION_UPDATE], 4);
	assert_int_equal(all.update_ts[0], 1000000);
	assert_int_equal(all.update_ts[1], 1000000);
	assert_int_equal(all.update_ts[2], 2200000);
	assert_int_equal(all.update_ts[3], 3400000);
}

static void test_skipped_type_is_not_made(void **state)
{
	(void)state;
	struct counts a = { 0 }, b = { 0 };
	struct event_bus bus = { .n = 0 };
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &a,
					   .skip = EV_BIT(EV_SESSION_UPDATE) });
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &b,
					   .skip = EV_BIT(EV_SESSION_UPDATE) | EV_BIT(EV_TXN) });
	assert_false(event_bus_wants(&bus, EV_SESSION_UPDATE));
	assert_true(event_bus_wants(&bus, EV_TXN)); /* a takes it */
	play(&bus);
	assert_int_equal(a.by_type[EV_SESSION_UPDATE], 0);
	assert_int_equal(b.by_type[EV_SESSION_UPDATE], 0);
	assert_int_equal(a.by_type[EV_TXN], 2);
	assert_int_equal(b.by_type[EV_TXN], 0); /* skipped by b alone: a still gets it */
	assert_int_equal(a.by_type[EV_SESSION_CLOSE], 1);
	assert_int_equal(b.by_type[EV_SESSION_CLOSE], 1);

	/* A sink that takes everything brings the updates back, for it only. */
	struct counts c = { 0 };
	memset(&a, 0, sizeof a);
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &c });
	assert_true(event_bus_wants(&bus, EV_SESSION_UPDATE));
	play(&bus);
	assert_int_equal(c.by_type[EV_SESSION_UPDATE], 4);
	assert_int_equal(a.by_type[EV_SESSION_UPDATE], 0);
}

static void test_empty_bus_and_thread_sink_skip(void **state)
{
	(void)state;
	struct event_bus none = { .n = 0 };
	assert_false(event_bus_wants(&none, EV_TXN));

	struct counts a = { 0 };
	struct event_bus inner = { .n = 0 };
	event_bus_add(&inner, (struct sink){ .ops = &count_ops, .self = &a,
					     .skip = EV_BIT(EV_SESSION_UPDATE) });
	struct sink ts = event_thread_sink(&inner, EV_HANDOVER_FULL);
	assert_int_equal(ts.skip, EV_BIT(EV_SESSION_UPDATE));
	struct event_bus bus = { .n = 0 };
	event_bus_add(&bus, ts);
	assert_false(event_bus_wants(&bus, EV_SESSION_UPDATE));
	play(&bus);
	char err[64];
	assert_int_equal(event_bus_finish(&bus, err, sizeof err), 0);
	event_bus_free(&bus);
	assert_int_equal(a.by_type[EV_TXN], 2);
	assert_int_equal(a.by_type[EV_SESSION_UPDATE], 0);

	struct event_bus empty = { .n = 0 };
	struct sink te = event_thread_sink(&empty, EV_HANDOVER_FULL);
	assert_int_equal(te.skip, ~0u);
	te.ops->free(te.self);
}

/* Each event's type and session as a sink gets it (the source by its name). */
struct snaps {
	unsigned n;
	enum event_type type[16];
	struct ev_session sess[16];
	char source[16][16];
};

static void snap_event(void *self, const struct event *e)
{
	struct snaps *sn = self;
	if (sn->n >= 16 || !e->sess)
		return;
	sn->type[sn->n] = e->type;
	sn->sess[sn->n] = *e->sess;
	snprintf(sn->source[sn->n], sizeof sn->source[0], "%s", e->sess->source);
	sn->sess[sn->n].source = NULL;
	sn->n++;
}

static const struct sink_ops snap_ops = { "snap", snap_event, NULL, NULL };

/* A login, then a STAT: the user and the banner in the snapshot. */
static void play_login(struct event_bus *bus)
{
	struct session_mgr *sm = mgr_new(bus, 0, 0);
	struct flow f;
	flow_init(&f, 7, 40001, 110);
	f.syn_seen = true;
	f.pkts[0] = 3;
	f.bytes[1] = 90;
	session_flow_open(sm, &f);
	static const char *const lines[][2] = {
		{ "1", "+OK POP3 server ready <1.2@example.net>\r\n" }, { "0", "USER alice\r\n" },
		{ "1", "+OK\r\n" }, { "0", "PASS secret\r\n" }, { "1", "+OK 2 messages\r\n" },
		{ "0", "STAT\r\n" }, { "1", "+OK 2 320\r\n" },
	};
	uint64_t frame = 1;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		f.last_ts += 1000;
		struct seg_meta m = { .frame = ++frame, .ts_us = f.last_ts };
		session_flow_data(sm, &f, lines[i][0][0] - '0', (const uint8_t *)lines[i][1],
				  strlen(lines[i][1]), &m);
	}
	struct seg_meta m = { .frame = ++frame, .ts_us = f.last_ts };
	session_flow_close(sm, &f, FLOW_END_FIN, &m);
	session_mgr_free(sm);
}

/* Through the sinks' thread a session goes as its parts (its head and the
 * dissector's facts), packed without a snapshot: the sinks there must get
 * the snapshot a sink on the caller's thread gets, field for field. */
static void test_thread_sinks_get_the_same_snapshot(void **state)
{
	(void)state;
	static struct snaps direct, threaded;
	memset(&direct, 0, sizeof direct);
	memset(&threaded, 0, sizeof threaded);

	struct event_bus bus = { .n = 0 };
	event_bus_add(&bus, (struct sink){ .ops = &snap_ops, .self = &direct });
	assert_false(event_bus_takes_parts(&bus));
	play_login(&bus);

	struct event_bus inner = { .n = 0 };
	event_bus_add(&inner, (struct sink){ .ops = &snap_ops, .self = &threaded });
	struct event_bus tbus = { .n = 0 };
	event_bus_add(&tbus, event_thread_sink(&inner, EV_HANDOVER_FULL));
	assert_true(event_bus_takes_parts(&tbus));
	play_login(&tbus);
	char err[64];
	assert_int_equal(event_bus_finish(&tbus, err, sizeof err), 0);
	event_bus_free(&tbus);

	assert_true(direct.n >= 5); /* open, three transactions, close (and updates) */
	assert_int_equal(threaded.n, direct.n);
	bool saw_user = false;
	for (unsigned i = 0; i < direct.n; i++) {
		const struct ev_session *a = &direct.sess[i], *b = &threaded.sess[i];
		assert_int_equal(threaded.type[i], direct.type[i]);
		assert_string_equal(threaded.source[i], direct.source[i]);
		assert_memory_equal(b, a, sizeof(struct ev_session_head));
		assert_memory_equal(&b->pop3, &a->pop3, offsetof(struct ev_pop3, user));
		assert_string_equal(b->pop3.user, a->pop3.user);
		assert_string_equal(b->pop3.banner, a->pop3.banner);
		assert_string_equal(b->sensor, a->sensor);
		saw_user |= strcmp(a->pop3.user, "alice") == 0;
	}
	assert_true(saw_user);
	assert_string_equal(direct.sess[direct.n - 1].pop3.banner,
			    "POP3 server ready <1.2@example.net>");
	assert_int_equal(direct.sess[direct.n - 1].end, FLOW_END_FIN);
}

/* One connection: its segments ("0"/"1" + bytes) then a close. */
static struct session_mgr *conn(struct event_bus *bus, uint16_t sport, bool watched,
				const char *const (*segs)[2], size_t nsegs, enum flow_end why,
				struct flow *f)
{
	struct session_mgr *sm = mgr_new(bus, 3000000, 10000000);
	flow_init(f, 1, 40000, sport);
	f->watched = watched;
	f->syn_seen = true;
	f->hs.syn_frame = 1;
	f->hs.syns = 1;
	f->hs.first_fin_dir = -1;
	session_flow_open(sm, f);
	uint64_t frame = 1;
	for (size_t i = 0; i < nsegs; i++) {
		struct seg_meta m = { .frame = ++frame, .ts_us = f->last_ts };
		f->bytes[segs[i][0][0] - '0'] += strlen(segs[i][1]);
		session_flow_data(sm, f, segs[i][0][0] - '0', (const uint8_t *)segs[i][1],
				  strlen(segs[i][1]), &m);
	}
	struct seg_meta m = { .frame = ++frame, .ts_us = f->last_ts };
	if (why == FLOW_END_REFUSED) {
		f->hs.rst_frame = 2;
		f->hs.rst_dir = 1;
	}
	session_flow_close(sm, f, why, &m);
	return sm;
}

/* HTTP on the POP3 port: one not-pop3 notice, nothing judged, not flagged. */
static void test_not_pop3_on_watched_port(void **state)
{
	(void)state;
	struct counts c = { 0 };
	struct event_bus bus = { .n = 0 };
	struct flow f;
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &c });
	static const char *const segs[][2] = {
		{ "0", "GET / HTTP/1.1\r\nHost: x\r\n\r\n" },
		{ "1", "HTTP/1.1 400 Bad Request\r\n\r\n" },
	};
	struct session_mgr *sm = conn(&bus, 110, true, segs, 2, FLOW_END_FIN, &f);
	assert_int_equal(c.by_type[EV_SESSION_OPEN], 1);
	assert_int_equal(c.by_type[EV_TXN], 0);
	assert_int_equal(c.nrules, 1);
	assert_int_equal(c.rules[0], R_NOT_POP3);
	assert_int_equal(c.end, FLOW_END_NOT_POP3);
	assert_false(c.flagged);
	struct ev_stats st;
	memset(&st, 0, sizeof st);
	session_mgr_stats(sm, &st);
	assert_int_equal(st.sessions_not_pop3, 1);
	assert_int_equal(st.sessions_flagged, 0);
	session_mgr_free(sm);
}

/* POP3 on 1110, no port watched there: found by its content, whole. */
static void test_found_by_content(void **state)
{
	(void)state;
	struct counts c = { 0 };
	struct event_bus bus = { .n = 0 };
	struct flow f;
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &c });
	static const char *const segs[][2] = {
		{ "1", "+OK hello\r\n" }, { "0", "STAT\r\n" }, { "1", "-ERR not yet\r\n" },
		{ "0", "QUIT\r\n" }, { "1", "+OK bye\r\n" },
	};
	struct session_mgr *sm = conn(&bus, 1110, false, segs, 5, FLOW_END_FIN, &f);
	assert_int_equal(c.by_type[EV_SESSION_OPEN], 1);
	assert_int_equal(c.by_type[EV_TXN], 3); /* the greeting, STAT, QUIT */
	assert_true(c.by_content);
	assert_int_equal(c.end, FLOW_END_FIN);
	assert_false(f.quiet);
	session_mgr_free(sm);
}

/* Not POP3 on a port not watched: never shown, counted by port. */
static void test_other_port_not_shown(void **state)
{
	(void)state;
	struct counts c = { 0 };
	struct event_bus bus = { .n = 0 };
	struct flow f;
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &c });
	static const char *const segs[][2] = {
		{ "0", "GET / HTTP/1.1\r\n\r\n" }, { "1", "HTTP/1.1 200 OK\r\n\r\n" },
	};
	struct session_mgr *sm = conn(&bus, 8080, false, segs, 2, FLOW_END_FIN, &f);
	for (int t = 0; t <= EV_STATS; t++)
		assert_int_equal(c.by_type[t], 0);
	assert_true(f.quiet);
	struct ev_stats st;
	memset(&st, 0, sizeof st);
	session_mgr_stats(sm, &st);
	assert_int_equal(st.sessions_total, 0);
	assert_int_equal(st.other_flows, 1);
	assert_int_equal(st.other_ports[0].port, 8080);
	assert_int_equal(st.other_ports[0].flows, 1);
	session_mgr_free(sm);
}

/* A refused connection: its notice, its end, the CONNECT state, no login. */
static void test_refused_notice(void **state)
{
	(void)state;
	struct counts c = { 0 };
	struct event_bus bus = { .n = 0 };
	struct flow f;
	event_bus_add(&bus, (struct sink){ .ops = &count_ops, .self = &c });
	struct session_mgr *sm = conn(&bus, 110, true, NULL, 0, FLOW_END_REFUSED, &f);
	assert_int_equal(c.nrules, 1);
	assert_int_equal(c.rules[0], R_CONN_REFUSED);
	assert_int_equal(c.end, FLOW_END_REFUSED);
	assert_int_equal(c.state, POP3_STATE_CONNECT);
	assert_false(c.flagged);
	session_mgr_free(sm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_updates_once_a_second_while_wanted),
		cmocka_unit_test(test_skipped_type_is_not_made),
		cmocka_unit_test(test_empty_bus_and_thread_sink_skip),
		cmocka_unit_test(test_thread_sinks_get_the_same_snapshot),
		cmocka_unit_test(test_not_pop3_on_watched_port),
		cmocka_unit_test(test_found_by_content),
		cmocka_unit_test(test_other_port_not_shown),
		cmocka_unit_test(test_refused_notice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
