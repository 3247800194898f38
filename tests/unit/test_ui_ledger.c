/*
 * test_ui_ledger.c - the dashboard on the session ledger (ledger.h): its
 * rows follow the ledger's entries under the one byte budget (what goes
 * first: closed clean transcripts, closed clean rows, open clean
 * transcripts, closed flagged transcripts, closed flagged rows; never an
 * open row or an open flagged transcript), a row goes exactly when its
 * entry does, the ledger never above the budget, the model's counts never
 * lowered, and the list's "held of seen" line.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/evict_order.h"

#include "test_ui_events.h"


static void add_lines(struct ui_model *m, struct uit_sess *s, unsigned n)
{
	struct pop3_txn t;
	for (unsigned i = 0; i < n; i++) {
		uit_txn(&t, s, i, "NOOP", NULL, POP3_ST_OK, "fine", 10);
		uit_emit(m, EV_TXN, s, &t, NULL);
	}
}

/* What n of add_lines' lines cost one session in the ledger's budget,
 * and (open) what the open session itself costs, row and facts: lines
 * are packed, so measured, not assumed. */
static size_t lines_cost(unsigned n, bool open)
{
	struct ui_model_opts o;
	ui_model_opts_default(&o);
	struct ui_model *m = ui_model_new(&o);
	struct uit_sess s;
	uit_sess(&s, 1, "192.0.2.1", "a");
	uit_open(m, &s);
	size_t before = open ? 0 : ui_model_store_bytes(m);
	add_lines(m, &s, n);
	size_t c = ui_model_store_bytes(m) - before;
	ui_model_free(m);
	return c;
}

/* The ledger's order as evict_look sees it, and a dashboard row exactly
 * where the ledger has an entry, pointing at it. */
static void look(const struct ui_model *m, struct evict_seen *w)
{
	for (uint64_t id = 1; id <= EVICT_NS; id++) {
		const struct ui_session *s = ui_model_find(m, id);
		assert_true(!s == !ledger_find(m->lg, id)); /* a row exactly when an entry */
		if (s)
			assert_ptr_equal(s->le, ledger_find(m->lg, id));
	}
	evict_look(m->lg, w);
}

static void test_budget_order(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess s[EVICT_NS + 1];
	struct finding f;
	uit_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message; UIDL listed 0", 12, 1, "UIDL");
	for (uint64_t id = 1; id <= EVICT_NS; id++) {
		uit_sess(&s[id], id, "192.0.2.1", "u");
		uit_open(m, &s[id]);
		add_lines(m, &s[id], 6);
		enum evict_kind k = evict_kind_of(id);
		if (k == CLOSED_FLAGGED || k == OPEN_FLAGGED)
			uit_flag(m, &s[id], &f);
		if (k == CLOSED_CLEAN || k == CLOSED_FLAGGED)
			uit_close(m, &s[id]);
	}
	assert_int_equal(m->n, EVICT_NS);
	/* what can never go: open rows and open flagged transcripts, and the
	 * probe below (an open session that asks for room, a line at a time) */
	struct uit_sess probe;
	uit_sess(&probe, EVICT_NS + 1, "192.0.2.1", "p");
	uit_open(m, &probe);
	const uint64_t total = m->sessions_total, flagged = m->sessions_flagged;
	const uint64_t srv_sessions = ui_model_server(m, "192.0.2.1", 110)->sessions;
	size_t per_row = sizeof(struct ledger_entry) + sizeof(struct ui_session);
	size_t floor_bytes = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!m->s[i]->closed)
			floor_bytes += per_row + (m->s[i]->h->flagged ? m->s[i]->le->mem : 0);

	/* Shrink the budget step by step; after each squeeze, the order holds. */
	struct evict_seen w;
	bool reached_last_step = false;
	uint64_t idx = 0;
	for (size_t max = ui_model_store_bytes(m); max > floor_bytes + 4096; max -= 97) {
		ledger_set_bytes_max(m->lg, max);
		struct pop3_txn t;
		uit_txn(&t, &probe, idx++, "NOOP", NULL, POP3_ST_OK, "", 10);
		uit_emit(m, EV_TXN, &probe, &t, NULL);
		look(m, &w);
		evict_assert_step(&w, ui_model_store_bytes(m), max);
		reached_last_step |= w.rows_gone[CLOSED_FLAGGED] > 0;
		/* the counts are never lowered */
		assert_int_equal(m->sessions_total, total);
		assert_int_equal(m->sessions_flagged, flagged);
		assert_int_equal(ui_model_server(m, "192.0.2.1", 110)->sessions, srv_sessions);
	}
	assert_true(reached_last_step);
	/* at the floor nothing more can go: the line is dropped, counted */
	ledger_set_bytes_max(m->lg, floor_bytes);
	uint64_t dropped = m->drops.txns_dropped;
	struct pop3_txn t;
	uit_txn(&t, &probe, idx++, "NOOP", NULL, POP3_ST_OK, "", 10);
	uit_emit(m, EV_TXN, &probe, &t, NULL);
	assert_int_equal(m->drops.txns_dropped, dropped + 1);
	look(m, &w);
	assert_int_equal(m->n, w.rows[OPEN_CLEAN] + w.rows[OPEN_FLAGGED] + 1);
	ui_model_free(m);
}

/* A line that does not fit is dropped and counted; an open session is
 * never robbed for another one's line. */
static void test_budget_drops_line_when_dry(void **state)
{
	(void)state;
	struct ui_model_opts o;
	ui_model_opts_default(&o);
	/* room for one session's 20 lines but its last growth, and with so
	 * little to spare that freeing that session's transcript (not the
	 * session) is what makes room for another's first line */
	o.store_bytes_max = 2 * lines_cost(0, true) + lines_cost(20, false) - 64;
	struct ui_model *m = ui_model_new(&o);
	struct uit_sess a, b;
	uit_sess(&a, 1, "192.0.2.1", "a");
	uit_sess(&b, 2, "192.0.2.1", "b");
	uit_open(m, &a);
	uit_open(m, &b);
	add_lines(m, &a, 20);
	add_lines(m, &b, 20);
	const struct ledger_entry *sa = ui_model_find(m, 1)->le, *sb = ui_model_find(m, 2)->le;
	assert_true(sa->n_tx > 0);
	assert_true(sa->tx_dropped > 0 && sb->tx_dropped > 0);
	assert_int_equal(sa->n_tx + sa->tx_dropped, 20);
	assert_int_equal(m->drops.txns_dropped, sa->tx_dropped + sb->tx_dropped);
	assert_true(ui_model_store_bytes(m) <= o.store_bytes_max);
	/* a closes: its transcript makes room for b's next lines */
	uit_close(m, &a);
	size_t before = sb->n_tx;
	add_lines(m, &b, 2);
	assert_true(sa->transcript_evicted);
	assert_int_equal(sb->n_tx, before + 2);
	ui_model_free(m);
}

/* A long run: thousands of sessions through a small budget. The store
 * stays under it, every flagged session is still held, totals are exact. */
static void test_budget_long_run(void **state)
{
	(void)state;
	struct ui_model_opts o;
	ui_model_opts_default(&o);
	o.store_bytes_max = 512 * 1024;
	struct ui_model *m = ui_model_new(&o);
	struct finding f;
	uit_finding(&f, R_STAT_LIST_COUNT, "STAT said 2; LIST listed 1", 3, 1, "LIST");
	size_t peak = 0;
	unsigned nflag = 0;
	for (uint64_t id = 1; id <= 5000; id++) {
		struct uit_sess s;
		uit_sess(&s, id, id % 2 ? "192.0.2.1" : "192.0.2.2", "u");
		uit_open(m, &s);
		add_lines(m, &s, 8);
		if (id % 97 == 0) {
			uit_flag(m, &s, &f);
			nflag++;
		}
		uit_close(m, &s);
		size_t b = ui_model_store_bytes(m);
		if (b > peak)
			peak = b;
	}
	assert_true(peak <= o.store_bytes_max);
	assert_int_equal(m->sessions_total, 5000);
	assert_int_equal(m->sessions_flagged, nflag);
	assert_int_equal(ui_model_server(m, "192.0.2.1", 110)->sessions + ui_model_server(m, "192.0.2.2", 110)->sessions,
			 5000);
	unsigned held_flagged = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i]->h->flagged) {
			held_flagged++;
			assert_int_equal(m->s[i]->le->n_tx, 8); /* flagged transcripts kept whole */
		}
	assert_int_equal(held_flagged, nflag);
	assert_int_equal(m->drops.sessions_evicted_flagged, 0);
	assert_int_equal(m->n + m->drops.sessions_evicted, 5000);
	ui_model_free(m);
}

static void test_held_text(void **state)
{
	(void)state;
	struct ui_model_opts o;
	ui_model_opts_default(&o);
	o.sessions_max = 10;
	struct ui_model *m = ui_model_new(&o);
	char buf[160];
	ui_model_held_text(m, buf, sizeof(buf));
	assert_string_equal(buf, ""); /* nothing dropped: nothing to say */
	struct finding f;
	uit_finding(&f, R_STAT_LIST_COUNT, "STAT said 2; LIST listed 1", 3, 1, "LIST");
	for (uint64_t id = 1; id <= 1200; id++) {
		struct uit_sess s;
		uit_sess(&s, id, "192.0.2.1", NULL);
		uit_open(m, &s);
		uit_close(m, &s);
	}
	ui_model_held_text(m, buf, sizeof(buf));
	assert_string_equal(buf, "10 of 1,200 sessions held; 1,190 clean ones dropped");
	/* the count cap with only flagged sessions left: those go too, said */
	for (uint64_t id = 1201; id <= 1211; id++) {
		struct uit_sess s;
		uit_sess(&s, id, "192.0.2.1", NULL);
		uit_open(m, &s);
		uit_flag(m, &s, &f);
		uit_close(m, &s);
	}
	ui_model_held_text(m, buf, sizeof(buf));
	assert_string_equal(buf, "10 of 1,211 sessions held; 1,200 clean ones dropped, 1 flagged one too");
	ui_model_free(m);

	/* the budget freeing transcripts is said too, with or without rows gone */
	ui_model_opts_default(&o);
	struct ledger_opts lo;
	ui_model_ledger_opts(&o, &lo);
	/* two rows and entries, and room for one session's 40 lines and half
	 * of another's 10 */
	o.store_bytes_max = 2 * lines_cost(0, true) + lines_cost(40, false) + lines_cost(10, false) / 2;
	m = ui_model_new(&o);
	struct uit_sess a, b;
	uit_sess(&a, 1, "192.0.2.1", "a");
	uit_sess(&b, 2, "192.0.2.1", "b");
	uit_open(m, &a);
	add_lines(m, &a, 40);
	uit_close(m, &a);
	uit_open(m, &b);
	add_lines(m, &b, 10);
	ui_model_held_text(m, buf, sizeof(buf));
	assert_string_equal(buf, "all sessions held; 1 transcript dropped for memory");
	for (uint64_t id = 3; id <= 40; id++) {
		struct uit_sess s;
		uit_sess(&s, id, "192.0.2.1", NULL);
		uit_open(m, &s);
		uit_close(m, &s);
	}
	ui_model_held_text(m, buf, sizeof(buf));
	assert_non_null(strstr(buf, " sessions held; "));
	char want[64];
	snprintf(want, sizeof(want), " clean ones dropped; %" PRIu64 " transcript%s freed",
		 m->drops.transcripts_evicted, m->drops.transcripts_evicted == 1 ? "" : "s");
	assert_true(m->drops.transcripts_evicted >= 1);
	assert_non_null(strstr(buf, want));
	ui_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_order),
		cmocka_unit_test(test_budget_drops_line_when_dry),
		cmocka_unit_test(test_budget_long_run),
		cmocka_unit_test(test_held_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
