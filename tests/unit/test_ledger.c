/*
 * test_ledger.c - the session ledger (src/events/ledger*.c): snapshots and
 * transcripts kept per id; the budget never exceeded and what it frees, in
 * order (closed clean transcripts, closed clean entries, open clean
 * transcripts, closed flagged transcripts, closed flagged entries; never
 * an open entry or an open flagged transcript), oldest first within a
 * step; the count cap; what was dropped counted; ids and entries reused
 * over a million sessions with the memory flat; and the bus (and the
 * sinks' thread) applying each event to the ledger once, before its sinks.
 */
#include <inttypes.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/evict_order.h"

#include "event.h"
#include "ledger.h"
#include "helpers/ledger_feed.h"

static void txn(struct ledger *lg, const struct ev_session *s, uint64_t idx, const char *text)
{
	lf_txn(lg, s, idx, "NOOP", text);
}

/* ---- what an entry holds ---------------------------------------------------------- */

static void test_entry_holds_snapshot_transcript_findings(void **state)
{
	(void)state;
	struct ledger *lg = ledger_new(NULL);
	struct ev_session s = lf_session(5);
	snprintf(s.pop3.user, sizeof s.pop3.user, "alice\x1b[31m");
	lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
	char src[] = "borrowed.pcap"; /* the event's source is borrowed: not kept */
	s.source = src;
	txn(lg, &s, 0, "ok \x1b[H"); /* raw: each sink sanitises as it renders */
	s.txns = 1;
	txn(lg, &s, 1, "second");
	lf_flag(lg, &s);
	src[0] = 'X';
	const struct ledger_entry *le = ledger_find(lg, 5);
	assert_non_null(le);
	struct ev_session got;
	ledger_snapshot(le, &got);
	assert_string_equal(got.pop3.user, "alice\x1b[31m");
	assert_string_equal(got.source, "borrowed.pcap");
	assert_string_equal(le->snap.source, "borrowed.pcap");
	assert_int_equal(le->n_tx, 2);
	assert_string_equal(lf_tx(le, 0).text, "ok \x1b[H");
	assert_string_equal(lf_tx(le, 1).keyword, "NOOP");
	assert_int_equal(lf_tx(le, 1).rep_frame, 4);
	assert_int_equal(le->n_fx, 1);
	assert_string_equal(le->fx[0].ev[0].line, "STAT -> +OK 1 554");
	assert_true(le->snap.flagged);
	assert_false(le->closed);
	s.end = FLOW_END_FIN;
	lf_emit(lg, EV_SESSION_CLOSE, &s, NULL, NULL);
	assert_true(le->closed);
	assert_int_equal(le->snap.end, FLOW_END_FIN);
	assert_null(ledger_find(lg, 6));
	/* the waiting command: an update's, cleared by its transaction */
	struct ev_session w = lf_session(9);
	lf_emit(lg, EV_SESSION_OPEN, &w, NULL, NULL);
	w.wait.n = 1;
	snprintf(w.wait.cmd, sizeof w.wait.cmd, "RETR");
	lf_emit(lg, EV_SESSION_UPDATE, &w, NULL, NULL);
	w.wait.n = 0;
	lf_flag(lg, &w); /* a finding carries no wait: it stays */
	assert_int_equal(ledger_find(lg, 9)->snap.wait.n, 1);
	txn(lg, &w, 0, "answered");
	assert_int_equal(ledger_find(lg, 9)->snap.wait.n, 0);
	ledger_free(lg);
}

/* The snapshot comes back whole: every field of the last event's
 * ev_session, the texts included, the source interned. */
static void test_snapshot_round_trip(void **state)
{
	(void)state;
	struct ledger *lg = ledger_new(NULL);
	struct ev_session s = lf_session(77);
	s.source = NULL;
	s.tunnel.depth = 2;
	snprintf(s.tunnel.type, sizeof s.tunnel.type, "gre/erspan2");
	snprintf(s.community_id, sizeof s.community_id, "1:abc=");
	s.pkts[1] = 12;
	s.txns = 9;
	s.pop3.state = POP3_STATE_TRANSACTION;
	s.pop3.tls = true;
	s.pop3.gaps[1] = 3;
	s.pop3.long_lines[0] = 5;
	snprintf(s.pop3.user, sizeof s.pop3.user, "bob");
	memset(s.pop3.banner, 'b', sizeof s.pop3.banner - 1); /* a banner at its longest */
	snprintf(s.sensor, sizeof s.sensor, "edge-1");
	lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
	struct ev_session got;
	ledger_snapshot(ledger_find(lg, 77), &got);
	assert_memory_equal(&got, &s, sizeof s);
	/* a later event with shorter texts: no tail of the old ones */
	s.pop3.banner[3] = '\0';
	memset(s.pop3.banner + 4, 0, sizeof s.pop3.banner - 4);
	s.sensor[0] = '\0';
	memset(s.sensor, 0, sizeof s.sensor);
	s.txns = 10;
	lf_emit(lg, EV_SESSION_UPDATE, &s, NULL, NULL);
	ledger_snapshot(ledger_find(lg, 77), &got);
	assert_memory_equal(&got, &s, sizeof s);
	/* what it costs: far less than the struct */
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_true(st.bytes < sizeof(struct ledger_entry) + sizeof(struct ev_pop3) / 2 + 700);
	ledger_free(lg);
}

/* ---- the budget and its order ---------------------------------------------------------- */

/* Sessions of all four kinds, each with a transcript, then a budget that
 * shrinks step by step: at each size the ledger stays under it, and what
 * it freed follows the order (a later step only once the earlier ones
 * have nothing left), oldest first within a kind. */
static void test_budget_order(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	struct ledger *lg = ledger_new(&o);
	struct ev_session s[EVICT_NS + 1];
	char line[200];
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	for (uint64_t id = 1; id <= EVICT_NS; id++) {
		s[id] = lf_session(id);
		lf_emit(lg, EV_SESSION_OPEN, &s[id], NULL, NULL);
		for (unsigned i = 0; i < 20; i++)
			txn(lg, &s[id], i, line);
		enum evict_kind k = evict_kind_of(id);
		if (k == CLOSED_FLAGGED || k == OPEN_FLAGGED)
			lf_flag(lg, &s[id]);
		if (k == CLOSED_CLEAN || k == CLOSED_FLAGGED) {
			s[id].end = FLOW_END_FIN;
			lf_emit(lg, EV_SESSION_CLOSE, &s[id], NULL, NULL);
		}
	}
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.held, EVICT_NS);
	assert_int_equal(st.sessions_evicted, 0);
	size_t full = ledger_bytes(lg);
	/* Shrink the budget by re-creating pressure: a session of our own
	 * asks for room each time (one line per step). */
	struct ev_session probe = lf_session(1000);
	lf_emit(lg, EV_SESSION_OPEN, &probe, NULL, NULL);
	unsigned steps = 0;
	for (size_t budget = full; budget > full / 10; budget -= full / 40) {
		ledger_set_bytes_max(lg, budget);
		txn(lg, &probe, 100 + steps++, "x");
		struct evict_seen w;
		evict_look(lg, &w);
		evict_assert_step(&w, ledger_bytes(lg), budget);
	}
	/* by the end, every step ran: clean before flagged */
	struct evict_seen w;
	evict_look(lg, &w);
	assert_int_equal(w.rows[CLOSED_CLEAN], 0);
	assert_true(w.rows_gone[CLOSED_FLAGGED] > 0);
	ledger_get_stats(lg, &st);
	assert_int_equal(st.sessions_evicted, w.rows_gone[CLOSED_CLEAN] + w.rows_gone[CLOSED_FLAGGED]);
	assert_int_equal(st.sessions_evicted_flagged, w.rows_gone[CLOSED_FLAGGED]);
	assert_int_equal(st.sessions_evicted_open, 0);
	assert_int_equal(st.transcripts_evicted, w.tx_gone[CLOSED_CLEAN] + w.rows_gone[CLOSED_CLEAN] +
							 w.tx_gone[OPEN_CLEAN] + w.tx_gone[CLOSED_FLAGGED] +
							 w.rows_gone[CLOSED_FLAGGED]);
	assert_true(st.txns_dropped >= 20 * st.transcripts_evicted);
	assert_true(st.bytes_peak >= full);
	/* a late event for a dropped session is ignored and counted */
	lf_emit(lg, EV_SESSION_UPDATE, &s[3], NULL, NULL);
	assert_null(ledger_find(lg, 3));
	ledger_get_stats(lg, &st);
	assert_int_equal(st.events_for_evicted, 1);
	ledger_free(lg);
}

/* An open session whose transcript went for the budget keeps no new
 * lines, and counts them. */
static void test_evicted_transcript_stays_gone(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.bytes_max = 64 * 1024;
	struct ledger *lg = ledger_new(&o);
	struct ev_session a = lf_session(1), b = lf_session(2);
	lf_emit(lg, EV_SESSION_OPEN, &a, NULL, NULL);
	lf_emit(lg, EV_SESSION_OPEN, &b, NULL, NULL);
	char line[400];
	memset(line, 'y', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	for (unsigned i = 0; i < 200; i++)
		txn(lg, i % 2 ? &b : &a, i, line);
	const struct ledger_entry *la = ledger_find(lg, 1), *lb = ledger_find(lg, 2);
	assert_true(ledger_bytes(lg) <= o.bytes_max);
	/* the first to ask for room when full robbed the other, once */
	assert_true(la->transcript_evicted != lb->transcript_evicted);
	const struct ledger_entry *gone = la->transcript_evicted ? la : lb;
	const struct ledger_entry *kept = gone == la ? lb : la;
	uint64_t before = gone->tx_dropped;
	txn(lg, gone == la ? &a : &b, 500, "late");
	assert_int_equal(gone->n_tx, 0);
	assert_int_equal(gone->tx_dropped, before + 1);
	assert_true(kept->n_tx > 0); /* the one being added to is never the victim */
	ledger_free(lg);
}

/* Per-session caps: the first lines and findings kept, the rest counted. */
static void test_caps(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.txns_per_session_max = 3;
	o.findings_per_session_max = 2;
	o.entries_per_txn_max = 5;
	struct ledger *lg = ledger_new(&o);
	struct ev_session s = lf_session(1);
	lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
	struct pop3_entry ent[12];
	char uids[12 * 4];
	for (unsigned i = 0; i < 12; i++) {
		memset(&ent[i], 0, sizeof ent[i]);
		ent[i].num = i + 1;
		ent[i].uid_off = 4 * i;
		ent[i].uid_len = 3;
		snprintf(uids + 4 * i, 5, "u%02u", i);
	}
	struct pop3_txn t;
	memset(&t, 0, sizeof t);
	t.cmd = POP3_CMD_UIDL;
	t.entries = ent;
	t.n_entries = 12;
	t.uids = uids;
	lf_emit(lg, EV_TXN, &s, &t, NULL);
	for (unsigned i = 1; i < 6; i++)
		txn(lg, &s, i, "ok");
	for (unsigned i = 0; i < 4; i++)
		lf_flag(lg, &s);
	const struct ledger_entry *le = ledger_find(lg, 1);
	assert_int_equal(le->n_tx, 3);
	assert_int_equal(le->tx_dropped, 3);
	assert_int_equal(lf_tx(le, 0).n_entries, 5);
	assert_int_equal(lf_tx(le, 0).n_entries_seen, 12);
	assert_memory_equal(lf_tx(le, 0).uids + lf_tx(le, 0).entries[4].uid_off, "u04", 3);
	assert_int_equal(le->n_fx, 2);
	assert_int_equal(le->fx_dropped, 2);
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.txns_dropped, 3);
	assert_int_equal(st.findings_dropped, 2);
	assert_int_equal(st.entries_dropped, 7);
	ledger_free(lg);
}

/* The count cap: closed clean first, then closed flagged, then the oldest
 * open one; each counted. */
static void test_count_cap(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.sessions_max = 4;
	struct ledger *lg = ledger_new(&o);
	struct ev_session s[10];
	for (uint64_t id = 1; id <= 4; id++) {
		s[id] = lf_session(id);
		lf_emit(lg, EV_SESSION_OPEN, &s[id], NULL, NULL);
	}
	lf_flag(lg, &s[1]);
	s[1].end = s[3].end = FLOW_END_FIN;
	lf_emit(lg, EV_SESSION_CLOSE, &s[1], NULL, NULL); /* closed flagged */
	lf_emit(lg, EV_SESSION_CLOSE, &s[3], NULL, NULL); /* closed clean */
	s[5] = lf_session(5);
	lf_emit(lg, EV_SESSION_OPEN, &s[5], NULL, NULL);
	assert_null(ledger_find(lg, 3));
	assert_non_null(ledger_find(lg, 1));
	s[6] = lf_session(6);
	lf_emit(lg, EV_SESSION_OPEN, &s[6], NULL, NULL);
	assert_null(ledger_find(lg, 1));
	s[7] = lf_session(7);
	lf_emit(lg, EV_SESSION_OPEN, &s[7], NULL, NULL);
	assert_null(ledger_find(lg, 2)); /* the oldest open one */
	assert_non_null(ledger_find(lg, 4));
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.held, 4);
	assert_int_equal(st.sessions_evicted, 3);
	assert_int_equal(st.sessions_evicted_flagged, 1);
	assert_int_equal(st.sessions_evicted_open, 1);
	ledger_free(lg);
}

/* ---- ids over a long run -------------------------------------------------------------- */

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

struct gone {
	uint64_t n, last_id;
};

static void on_gone(void *ctx, const struct ledger_entry *le)
{
	struct gone *g = ctx;
	g->n++;
	g->last_id = le->snap.id;
}

/* A million sessions through a cap of 1,000, a few at once, some flagged:
 * the ledger makes no more entries than it holds, its bytes stay under
 * the budget, the process's heap is the same at 1M as at 100k, and every
 * entry dropped was told to the watcher. */
static void test_ids_reused_long_run(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.sessions_max = 1000;
	o.bytes_max = 8u << 20; /* the count cap binds first */
	o.row_bytes = 100;
	struct ledger *lg = ledger_new(&o);
	struct gone g = { 0, 0 };
	ledger_watch(lg, on_gone, &g);
	const uint64_t N = 1000000;
	size_t heap_at_100k = 0;
	for (uint64_t id = 1; id <= N; id++) {
		struct ev_session s = lf_session(id);
		lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
		txn(lg, &s, 0, "+OK hello");
		if (id % 97 == 0)
			lf_flag(lg, &s);
		/* a session closes three sessions after it opened */
		if (id > 3) {
			struct ev_session c = lf_session(id - 3);
			c.flagged = (id - 3) % 97 == 0;
			c.end = FLOW_END_FIN;
			lf_emit(lg, EV_SESSION_CLOSE, &c, NULL, NULL);
		}
		assert_true(ledger_bytes(lg) <= o.bytes_max);
		if (id == 100000)
			heap_at_100k = heap_in_use();
	}
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.held, o.sessions_max);
	assert_true(st.entries_allocated <= o.sessions_max + 1);
	assert_int_equal(st.sessions_seen, N);
	assert_int_equal(st.sessions_evicted, N - st.held);
	assert_int_equal(g.n, st.sessions_evicted);
	assert_true(st.sessions_evicted_flagged > 0);
	assert_int_equal(st.sessions_evicted_open, 0);
	assert_true(st.bytes_peak <= o.bytes_max);
	size_t heap_at_1m = heap_in_use();
	print_message("ledger: 1,000,000 sessions: %zu held, %" PRIu64 " entries made, %zu bytes "
		      "(peak %zu); heap %zu at 100k, %zu at 1M\n",
		      st.held, st.entries_allocated, st.bytes, st.bytes_peak, heap_at_100k, heap_at_1m);
	assert_true(heap_at_1m <= heap_at_100k + 64 * 1024);
	/* the newest (open) sessions are there, found by id; of the closed,
	 * flagged ones outlive clean ones: the cap held the latest flagged */
	assert_non_null(ledger_find(lg, N));
	assert_non_null(ledger_find(lg, N - 2));
	assert_non_null(ledger_find(lg, N / 97 * 97));
	assert_non_null(ledger_find(lg, (N / 97 - 900) * 97));
	assert_null(ledger_find(lg, N - 500)); /* clean, closed, older than the cap's turn */
	ledger_free(lg);
}

/* The sinks' thread prefetches each event's entry a few events ahead
 * (ledger_prefetch): for ids held, gone and never seen, at every stage,
 * it reads only (under ASan, within the table) and changes nothing. */
static void test_prefetch_reads_only(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.sessions_max = 500; /* churn: entries dropped, the table's runs shifted back */
	struct ledger *lg = ledger_new(&o);
	enum { N = 3000 };
	for (uint64_t id = 1; id <= N; id++) {
		struct ev_session s = lf_session(id);
		lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
		if (id > 5) {
			struct ev_session c = lf_session(id - 5);
			c.end = FLOW_END_FIN;
			lf_emit(lg, EV_SESSION_CLOSE, &c, NULL, NULL);
		}
	}
	static const struct ledger_entry *before[N + 101];
	for (uint64_t id = 1; id <= N + 100; id++)
		before[id] = ledger_find(lg, id);
	struct ledger_stats st0, st1;
	ledger_get_stats(lg, &st0);
	for (int stage = 0; stage < 3; stage++)
		for (uint64_t id = 1; id <= N + 100; id++)
			ledger_prefetch(lg, id, stage);
	ledger_get_stats(lg, &st1);
	size_t held = 0;
	for (uint64_t id = 1; id <= N + 100; id++) {
		assert_ptr_equal(ledger_find(lg, id), before[id]);
		held += before[id] != NULL;
	}
	assert_int_equal(held, st0.held);
	assert_true(held > 400 && held <= o.sessions_max);
	assert_null(before[N + 1]);
	assert_int_equal(st1.held, st0.held);
	assert_int_equal(st1.bytes, st0.bytes);
	ledger_free(lg);
}

/* ---- the bus ------------------------------------------------------------------------ */

struct probe {
	struct ledger *lg;
	unsigned events, saw_entry;
};

static void probe_event(void *self, const struct event *e)
{
	struct probe *p = self;
	p->events++;
	const struct ledger_entry *le = e->sess ? ledger_find(p->lg, e->sess->id) : NULL;
	/* applied before this sink: the entry has this event's transaction */
	if (le && (e->type != EV_TXN || (le->n_tx && lf_tx(le, le->n_tx - 1).index == e->txn->index)))
		p->saw_entry++;
}

static const struct sink_ops probe_ops = { "probe", probe_event, NULL, NULL };

static void run_bus(bool thread)
{
	struct ledger *lg = ledger_new(NULL);
	struct probe p = { lg, 0, 0 };
	struct event_bus inner = { .n = 0 };
	inner.ledger = lg;
	event_bus_add(&inner, (struct sink){ .ops = &probe_ops, .self = &p });
	struct event_bus outer = { .n = 0 };
	struct event_bus *bus = &inner;
	if (thread) {
		event_bus_add(&outer, event_thread_sink(&inner, EV_HANDOVER_FULL));
		assert_null(inner.ledger); /* moved with the sinks */
		bus = &outer;
	}
	for (uint64_t id = 1; id <= 50; id++) {
		struct ev_session s = lf_session(id);
		struct event e = { .type = EV_SESSION_OPEN, .ts_us = s.last_ts, .sess = &s };
		event_bus_emit(bus, &e);
		struct pop3_txn t;
		memset(&t, 0, sizeof t);
		t.index = 0;
		snprintf(t.text, sizeof t.text, "hi");
		struct event et = { .type = EV_TXN, .ts_us = s.last_ts, .sess = &s, .txn = &t };
		event_bus_emit(bus, &et);
	}
	char err[64];
	assert_int_equal(event_bus_finish(bus, err, sizeof err), 0);
	event_bus_free(bus);
	assert_int_equal(p.events, 100);
	assert_int_equal(p.saw_entry, 100);
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.sessions_seen, 50); /* once each, not once per sink */
	assert_int_equal(ledger_find(lg, 7)->n_tx, 1);
	ledger_free(lg);
}

static void test_bus_applies_before_sinks(void **state)
{
	(void)state;
	run_bus(false);
}

static void test_thread_applies_before_sinks(void **state)
{
	(void)state;
	run_bus(true);
}

/* A stats event through a bus that carries a ledger goes on with the
 * ledger's counts (include/stats.def's STAT_LEDGER), read as the event
 * passes; the event as made is not changed, and a bus with no ledger
 * passes it as it came (ledger.enabled false: the JSON has no "ledger"). */
struct stats_probe {
	struct ledger_counts got;
	unsigned n;
};

static void stats_probe_event(void *self, const struct event *e)
{
	struct stats_probe *p = self;
	if (e->type == EV_STATS) {
		p->got = e->stats->ledger;
		p->n++;
	}
}

static const struct sink_ops stats_probe_ops = { "stats-probe", stats_probe_event, NULL, NULL };

static void test_bus_stamps_stats(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.sessions_max = 3;
	struct ledger *lg = ledger_new(&o);
	struct stats_probe p = { .n = 0 };
	struct event_bus bus = { .n = 0 };
	bus.ledger = lg;
	event_bus_add(&bus, (struct sink){ .ops = &stats_probe_ops, .self = &p });
	struct ev_stats st;
	memset(&st, 0, sizeof st);
	st.frames = 42;
	struct event es = { .type = EV_STATS, .ts_us = 1, .stats = &st };
	event_bus_emit(&bus, &es);
	assert_int_equal(p.n, 1);
	assert_true(p.got.enabled);
	assert_int_equal(p.got.sessions_evicted, 0);
	/* 8 open sessions through a cap of 3: 5 dropped, all open */
	for (uint64_t id = 1; id <= 8; id++) {
		struct ev_session s = lf_session(id);
		struct event e = { .type = EV_SESSION_OPEN, .ts_us = s.last_ts, .sess = &s };
		event_bus_emit(&bus, &e);
	}
	event_bus_emit(&bus, &es);
	assert_int_equal(p.n, 2);
	assert_true(p.got.enabled);
	assert_int_equal(p.got.sessions_evicted, 5);
	assert_int_equal(p.got.sessions_evicted_open, 5);
	assert_int_equal(p.got.sessions_evicted_flagged, 0);
	assert_int_equal(p.got.held, 3);
	assert_false(st.ledger.enabled); /* the maker's event untouched */
	assert_int_equal(st.frames, 42);
	/* no ledger: as it came */
	bus.ledger = NULL;
	event_bus_emit(&bus, &es);
	assert_int_equal(p.n, 3);
	assert_false(p.got.enabled);
	assert_int_equal(p.got.sessions_evicted, 0);
	bus.n = 0;
	ledger_free(lg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_holds_snapshot_transcript_findings),
		cmocka_unit_test(test_snapshot_round_trip),
		cmocka_unit_test(test_budget_order),
		cmocka_unit_test(test_evicted_transcript_stays_gone),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_count_cap),
		cmocka_unit_test(test_ids_reused_long_run),
		cmocka_unit_test(test_prefetch_reads_only),
		cmocka_unit_test(test_bus_applies_before_sinks),
		cmocka_unit_test(test_thread_applies_before_sinks),
		cmocka_unit_test(test_bus_stamps_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
