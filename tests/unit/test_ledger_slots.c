/*
 * test_ledger_slots.c - readers' slots in the session ledger (ledger.h:
 * ledger_reader_add, ledger_set_slot, ledger_make, ledger_current,
 * slots_only) and the JSON writer keeping its sessions' own there: slots
 * made, found, let go when an entry is evicted, dropped after its close,
 * or the ledger or the reader ends; a pinned entry out of the count cap's
 * reach; ids and entries reused over a long run with nothing of the
 * session before; and the writer's held lines (--only-flagged, --user)
 * through a shared ledger, a slots-only one and its own, byte for byte
 * the same, under a count cap far below the sessions held.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"
#include "helpers/events.h"
#include "helpers/ledger_feed.h"
#include "ledger.h"
#include "sinks.h"
#include "util.h"

/* ---- the ledger's slots ------------------------------------------------------------ */

struct readers {
	uint64_t gone[64]; /* the ids whose slot was let go, in order */
	size_t n;
};

/* The slots hold a malloc'd copy of their id: ASan sees each freed once. */
static void slot_gone(void *ctx, void *slot)
{
	struct readers *r = ctx;
	uint64_t *id = slot;
	if (r->n < 64)
		r->gone[r->n++] = *id;
	free(id);
}

static void *id_slot(uint64_t id)
{
	uint64_t *p = xmalloc(sizeof *p);
	*p = id;
	return p;
}

static struct ledger_opts slots_opts(void)
{
	struct ledger_opts o;
	json_ledger_opts(&o);
	return o;
}

static void count_open(void *ctx, const struct ledger_entry *le)
{
	(void)le;
	(*(size_t *)ctx)++;
}

struct walk {
	uint64_t ids[8];
	size_t n;
};

static void walk_open(void *ctx, const struct ledger_entry *le)
{
	struct walk *w = ctx;
	if (w->n < 8)
		w->ids[w->n++] = le->snap.id;
}

/* Made at the open (lazy: only when asked), found again, let go when the
 * entry goes after its close; quiet entries not shown as open. */
static void test_slot_made_found_freed_at_close(void **state)
{
	(void)state;
	struct ledger_opts o = slots_opts();
	struct ledger *lg = ledger_new(&o);
	struct readers rs = { .n = 0 };
	int r = ledger_reader_add(lg, slot_gone, &rs);
	assert_int_equal(r, 0);
	struct ev_session a = lf_session(5), b = lf_session(6);

	lf_emit(lg, EV_SESSION_OPEN, &a, NULL, NULL);
	assert_null(ledger_find(lg, 5)); /* lazy: no entry at the open */
	assert_null(ledger_current(lg));
	const struct ledger_entry *le = ledger_make(lg, &a);
	assert_non_null(le);
	assert_true(le->quiet);
	assert_ptr_equal(ledger_make(lg, &a), le); /* made once */
	ledger_set_slot(lg, le, r, id_slot(5), true);
	size_t open = 0;
	ledger_each_open(lg, count_open, &open);
	assert_int_equal(open, 0); /* quiet: said nothing yet */

	lf_txn(lg, &a, 0, "NOOP", "");
	assert_ptr_equal(ledger_current(lg), le);
	assert_false(le->quiet);
	assert_int_equal(*(uint64_t *)ledger_find(lg, 5)->slot[r], 5);
	/* slots only: nothing of the session but its id */
	assert_int_equal(le->n_tx, 0);
	assert_int_equal(le->facts_len, 0);
	open = 0;
	ledger_each_open(lg, count_open, &open);
	assert_int_equal(open, 1);

	lf_emit(lg, EV_SESSION_CLOSE, &a, NULL, NULL);
	assert_int_equal(rs.n, 0); /* the sinks render the close with it */
	assert_non_null(ledger_find(lg, 5));
	lf_txn(lg, &b, 0, "NOOP", ""); /* the next event: it goes */
	assert_null(ledger_find(lg, 5));
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.gone[0], 5);
	assert_null(ledger_find(lg, 6)->slot[r]); /* b's entry: nothing of a's */

	struct ev_stats st;
	tev_stats(&st, false);
	struct event se = { .type = EV_STATS, .stats = &st };
	ledger_apply(lg, &se);
	assert_null(ledger_current(lg));
	ledger_free(lg);
}

/* The count cap drops an entry: its slot is let go first. A pinned one
 * is out of its reach while open (the cap is passed instead), and is
 * walked as open in order. */
static void test_slot_freed_on_eviction_pinned_kept(void **state)
{
	(void)state;
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.sessions_max = 2;
	struct ledger *lg = ledger_new(&o);
	struct readers rs = { .n = 0 };
	int r = ledger_reader_add(lg, slot_gone, &rs);
	struct ev_session s[6];
	for (uint64_t i = 0; i < 6; i++)
		s[i] = lf_session(i + 1);

	lf_emit(lg, EV_SESSION_OPEN, &s[0], NULL, NULL);
	ledger_set_slot(lg, ledger_find(lg, 1), r, id_slot(1), false);
	lf_emit(lg, EV_SESSION_OPEN, &s[1], NULL, NULL);
	ledger_set_slot(lg, ledger_find(lg, 2), r, id_slot(2), true);
	lf_emit(lg, EV_SESSION_OPEN, &s[2], NULL, NULL); /* over the cap: 1, not pinned, goes */
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.gone[0], 1);
	assert_null(ledger_find(lg, 1));
	ledger_set_slot(lg, ledger_find(lg, 3), r, id_slot(3), true);
	lf_emit(lg, EV_SESSION_OPEN, &s[3], NULL, NULL); /* 2 and 3 pinned: none goes */
	assert_int_equal(rs.n, 1);
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.held, 3);
	assert_int_equal(st.sessions_evicted, 1);

	struct walk w = { .n = 0 };
	ledger_each_open(lg, walk_open, &w);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.ids[0], 2);
	assert_int_equal(w.ids[1], 3);
	assert_int_equal(w.ids[2], 4);

	/* unpinned (what it held was written): within reach again, oldest first */
	ledger_set_slot(lg, ledger_find(lg, 2), r, ledger_find(lg, 2)->slot[r], false);
	lf_emit(lg, EV_SESSION_OPEN, &s[4], NULL, NULL);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.gone[1], 2);

	/* the reader goes first: every slot it holds let go, no pin left */
	ledger_reader_end(lg, r);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.gone[2], 3);
	assert_null(ledger_find(lg, 3)->slot[r]);
	assert_int_equal(ledger_find(lg, 3)->pinned, 0);
	lf_emit(lg, EV_SESSION_OPEN, &s[5], NULL, NULL); /* 3, unpinned now, is the oldest */
	assert_null(ledger_find(lg, 3));
	assert_int_equal(rs.n, 3);
	ledger_free(lg);
}

/* Two readers, no third; ledger_free lets go of what they hold. */
static void test_readers_max_and_free(void **state)
{
	(void)state;
	struct ledger_opts o = slots_opts();
	struct ledger *lg = ledger_new(&o);
	struct readers r0 = { .n = 0 }, r1 = { .n = 0 };
	assert_int_equal(ledger_reader_add(lg, slot_gone, &r0), 0);
	assert_int_equal(ledger_reader_add(lg, slot_gone, &r1), 1);
	assert_int_equal(ledger_reader_add(lg, slot_gone, &r1), -1);
	struct ev_session a = lf_session(9);
	lf_txn(lg, &a, 0, "NOOP", "");
	const struct ledger_entry *le = ledger_current(lg);
	ledger_set_slot(lg, le, 0, id_slot(9), false);
	ledger_set_slot(lg, le, 1, id_slot(90), true);
	ledger_reader_end(lg, 0);
	assert_int_equal(r0.n, 1);
	assert_int_equal(ledger_reader_add(lg, slot_gone, &r0), 0); /* its index free again */
	ledger_free(lg);
	assert_int_equal(r1.n, 1);
	assert_int_equal(r1.gone[0], 90);
	assert_int_equal(r0.n, 1);
}

/* A long run: a session at a time, each with a slot, through a
 * slots-only ledger: two entry structs ever made, each new session's
 * slots empty, every slot let go once. */
static void test_ids_reused_long_run(void **state)
{
	(void)state;
	struct ledger_opts o = slots_opts();
	struct ledger *lg = ledger_new(&o);
	struct readers rs = { .n = 0 };
	int r = ledger_reader_add(lg, slot_gone, &rs);
	uint64_t gone = 0;
	for (uint64_t id = 1; id <= 20000; id++) {
		struct ev_session s = lf_session(id);
		lf_txn(lg, &s, 0, "NOOP", "");
		const struct ledger_entry *le = ledger_current(lg);
		assert_non_null(le);
		assert_null(le->slot[r]);
		ledger_set_slot(lg, le, r, id_slot(id), id % 2);
		lf_emit(lg, EV_SESSION_CLOSE, &s, NULL, NULL);
		gone += rs.n;
		rs.n = 0;
	}
	assert_int_equal(gone, 19999); /* the last goes at the next event */
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_true(st.entries_allocated <= 2);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.sessions_evicted, 0);
	ledger_free(lg);
	assert_int_equal(rs.n, 1);
}

/* ---- the JSON writer's held lines through the ledger ------------------------------ */

static char path[3][64];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		snprintf(path[i], sizeof path[i], "/tmp/test_ledger_slots_XXXXXX");
		int fd = mkstemp(path[i]);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		unlink(path[i]);
	return 0;
}

static char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	char *buf = xmalloc(1 << 22);
	*n = fread(buf, 1, (1 << 22) - 1, f);
	buf[*n] = '\0';
	fclose(f);
	return buf;
}

enum how { OWN, SLOTS_ONLY, SHARED_CAPPED };
#define NSESS 12

/*
 * NSESS sessions open at once, each undecided (its lines held from the
 * open), the even ones flagged late (their lines come out in order) and
 * the odd ones closing clean (theirs dropped); session 1 holds more than
 * JSON_PEND_SESSION_MAX (lines dropped and counted). Through the writer's
 * own ledger, a slots-only one on a bus, or a report's ledger on a bus
 * whose count cap (4) is far below the sessions held. Checks, while the
 * lines are held, that they are in the entries' slots, pinned.
 */
static void run_case(enum how how, const struct sink_filter *flt, const char *out)
{
	struct ledger *lg = NULL;
	struct ledger_opts lo;
	struct report_opts ro = { *flt, false, false, NULL, 0, NULL }; /* its select() reads ro.filter */
	if (how == SLOTS_ONLY) {
		json_ledger_opts(&lo);
		lg = ledger_new(&lo);
	} else if (how == SHARED_CAPPED) {
		report_ledger_opts(&ro, &lo);
		lo.sessions_max = 4;
		lg = ledger_new(&lo);
	}
	struct json_opts jo = { .filter = *flt, .ledger = lg };
	char err[256] = "";
	struct sink s = json_sink_new(out, &jo, err, sizeof err);
	assert_non_null(s.ops);
	struct event_bus bus = { .n = 0 };
	bus.ledger = lg;
	bus.ledger_silent = true;
	event_bus_add(&bus, s);

	struct ev_session ss[NSESS];
	struct ev_pop3 *ci[NSESS];
	struct pop3_txn t;
	struct finding f;
	char big[POP3_TEXT_MAX + 1];
	memset(big, 'x', POP3_TEXT_MAX);
	big[POP3_TEXT_MAX] = '\0';
#define EMIT(type_, sess_, txn_, fnd_)                                        \
	do {                                                              \
		struct event e_ = { .type = type_, .ts_us = (sess_)->last_ts, .sess = sess_, .txn = txn_, .finding = fnd_ }; \
		event_bus_emit(&bus, &e_);                                \
	} while (0)
	for (int i = 0; i < NSESS; i++) {
		tev_session(&ss[i], &ci[i], (uint64_t)i + 1);
		ci[i]->user[0] = '\0';
		EMIT(EV_SESSION_OPEN, &ss[i], NULL, NULL);
	}
	for (uint64_t k = 0; k < 3; k++)
		for (int i = 0; i < NSESS; i++) {
			tev_txn(&t, k, "NOOP", NULL, POP3_ST_OK, "", 10 + k);
			EMIT(EV_TXN, &ss[i], &t, NULL);
		}
	for (uint64_t k = 3; k < 400; k++) { /* over JSON_PEND_SESSION_MAX */
		tev_txn(&t, k, "NOOP", NULL, POP3_ST_OK, big, 10 + k);
		EMIT(EV_TXN, &ss[0], &t, NULL);
	}
	if (lg && flt->only_flagged) {
		/* held, in the slots: pinned, so no entry went for the cap */
		for (int i = 0; i < NSESS; i++) {
			const struct ledger_entry *le = ledger_find(lg, (uint64_t)i + 1);
			assert_non_null(le);
			assert_non_null(le->slot[0]);
			assert_int_equal(le->pinned, 1);
		}
	}
	for (int i = 0; i < NSESS; i++) {
		strcpy(ci[i]->user, i % 3 ? "bob" : "alice");
		if (i % 2 == 0) {
			tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1; UIDL listed 0", 3, "STAT -> +OK 1 554", 0, NULL);
			ss[i].flagged = true;
			ss[i].rules_hit = 1ull << R_STAT_UIDL_COUNT;
			ss[i].findings[SEV_ERROR] = 1;
			EMIT(EV_FINDING, &ss[i], NULL, &f);
		}
		tev_txn(&t, 500, "QUIT", NULL, POP3_ST_OK, "bye", 900);
		EMIT(EV_TXN, &ss[i], &t, NULL);
	}
	for (int i = NSESS; i-- > 0;) {
		ss[i].end = FLOW_END_FIN;
		EMIT(EV_SESSION_CLOSE, &ss[i], NULL, NULL);
	}
#undef EMIT
	struct ev_stats st;
	tev_stats(&st, true);
	struct event se = { .type = EV_STATS, .stats = &st };
	event_bus_emit(&bus, &se);
	assert_int_equal(event_bus_finish(&bus, err, sizeof err), 0);
	event_bus_free(&bus);
	if (lg) {
		struct ledger_stats ls;
		ledger_get_stats(lg, &ls);
		assert_int_equal(ls.sessions_evicted_open, 0);
	}
	ledger_free(lg);
}

/* The same bytes three ways: want_lines, less the lines the writer says
 * it dropped (its stats record's json.lines_dropped), and the stats line */
static void same_three_ways(const struct sink_filter *flt, size_t want_lines)
{
	run_case(OWN, flt, path[0]);
	run_case(SLOTS_ONLY, flt, path[1]);
	run_case(SHARED_CAPPED, flt, path[2]);
	size_t n0, n1, n2;
	char *a = slurp(path[0], &n0), *b = slurp(path[1], &n1), *c = slurp(path[2], &n2);
	size_t lines = 0;
	for (size_t i = 0; i < n0; i++)
		lines += a[i] == '\n';
	const char *d = strstr(a, "\"lines_dropped\":");
	assert_non_null(d);
	size_t dropped = strtoul(d + 16, NULL, 10);
	assert_int_equal(lines + dropped, want_lines + 1); /* and the stats line */
	assert_int_equal(n0, n1);
	assert_int_equal(n0, n2);
	assert_memory_equal(a, b, n0);
	assert_memory_equal(a, c, n0);
	free(a);
	free(b);
	free(c);
}

static void test_json_held_lines_through_ledger(void **state)
{
	(void)state;
	/* --only-flagged: the 6 even sessions: open, 3 NOOPs, finding, QUIT,
	 * close (7 each), and session 1's 397 long NOOPs, some dropped */
	struct sink_filter only = { .only_flagged = true, .rule = -1 };
	same_three_ways(&only, 6 * 7 + 397);
	/* --user alice: sessions 1, 4, 7, 10 (i % 3 == 0): 6 lines each
	 * (4 and 10 with a finding, 7), and session 1's long NOOPs */
	struct sink_filter user = { .rule = -1, .user = "alice" };
	same_three_ways(&user, 6 + 7 + 6 + 7 + 397);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_made_found_freed_at_close),
		cmocka_unit_test(test_slot_freed_on_eviction_pinned_kept),
		cmocka_unit_test(test_readers_max_and_free),
		cmocka_unit_test(test_ids_reused_long_run),
		cmocka_unit_test_setup_teardown(test_json_held_lines_through_ledger, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
