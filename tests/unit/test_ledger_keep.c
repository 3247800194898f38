/*
 * test_ledger_keep.c - the session ledger's policy for a reader that
 * renders at the end of the run (ledger_opts: keep_flagged, keep_clean,
 * select, drop_closed, lazy_entries, keep_open_transcripts,
 * findings_past_budget; the text report's): which closed sessions are
 * kept whole, that neither the budget nor the count cap touches them,
 * that the others go once their close is rendered, that silent sessions
 * make no entry, that an open session keeps its first lines (later ones
 * refused) under a full budget, that findings are kept past it; the open
 * sessions walked oldest first; transactions packed and read back whole;
 * a silent ledger's counts kept out of stats events; and entries and
 * buffers taken again showing nothing of the session before.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "ledger.h"
#include "helpers/ledger_feed.h"
#include "util.h"

/* RETR, with args ("RETR 1") or without */
static void txn(struct ledger *lg, const struct ev_session *s, uint64_t idx, const char *args, const char *text)
{
	char cmd[32];
	snprintf(cmd, sizeof cmd, "RETR%s%s", args ? " " : "", args ? args : "");
	lf_txn(lg, s, idx, cmd, text);
}

static void close_s(struct ledger *lg, struct ev_session *s)
{
	s->end = FLOW_END_FIN;
	lf_emit(lg, EV_SESSION_CLOSE, s, NULL, NULL);
}

/* The report's policy, small. */
static struct ledger_opts keep_opts(void)
{
	struct ledger_opts o;
	ledger_opts_default(&o);
	o.keep_flagged = 2;
	o.keep_clean = 1;
	o.drop_closed = true;
	o.keep_open_transcripts = true;
	o.findings_past_budget = true;
	return o;
}

struct gone {
	uint64_t ids[64];
	size_t n;
};

static void on_gone(void *ctx, const struct ledger_entry *le)
{
	struct gone *g = ctx;
	if (g->n < 64)
		g->ids[g->n++] = le->snap.id;
}

/* Only odd ids pass. */
static bool odd_only(void *ctx, const struct ev_session *s)
{
	(*(int *)ctx)++;
	return s->id % 2 == 1;
}

/* The first keep_flagged flagged (keep_clean clean) sessions that select()
 * takes, at their close, are kept; the rest go at the next event, told
 * to the watchers, not counted as evicted; a later event of an id that
 * went so is a new session's (an evicted one's would be a late one). */
static void test_keep_and_drop_closed(void **state)
{
	(void)state;
	struct ledger_opts o = keep_opts();
	int asked = 0;
	o.select = odd_only;
	o.select_ctx = &asked;
	struct ledger *lg = ledger_new(&o);
	struct gone g = { .n = 0 };
	ledger_watch(lg, on_gone, &g);
	struct ev_session s[10];
	for (int i = 0; i < 10; i++) {
		s[i] = lf_session((uint64_t)i + 1);
		lf_emit(lg, EV_SESSION_OPEN, &s[i], NULL, NULL);
		txn(lg, &s[i], 0, "1", "554 octets");
		if (i < 6)
			lf_flag(lg, &s[i]); /* ids 1-6 flagged, 7-10 clean */
	}
	/* id 2 (flagged, not selected), 1, 3 (kept), 5 (selected, past 2) */
	static const uint64_t order[] = { 2, 1, 3, 5, 8, 7, 9 };
	for (size_t k = 0; k < ARRAY_LEN(order); k++) {
		struct ev_session *x = &s[order[k] - 1];
		close_s(lg, x);
		const struct ledger_entry *le = ledger_find(lg, x->id);
		assert_non_null(le); /* readable while its close is rendered */
		assert_true(le->closed);
		assert_int_equal(le->selected, x->id % 2 == 1);
	}
	assert_int_equal(asked, (int)ARRAY_LEN(order)); /* once per session, at its close */
	struct ev_session last = lf_session(11);
	lf_emit(lg, EV_SESSION_OPEN, &last, NULL, NULL); /* 9's close is rendered: it goes */
	static const uint64_t kept[] = { 1, 3, 7 }, went[] = { 2, 5, 8, 9 };
	for (size_t k = 0; k < ARRAY_LEN(kept); k++) {
		const struct ledger_entry *le = ledger_find(lg, kept[k]);
		assert_non_null(le);
		assert_true(le->kept);
		assert_int_equal(le->n_tx, 1); /* whole */
	}
	for (size_t k = 0; k < ARRAY_LEN(went); k++)
		assert_null(ledger_find(lg, went[k]));
	assert_int_equal(g.n, ARRAY_LEN(went));
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.sessions_evicted, 0); /* gone by policy, not for room */
	assert_int_equal(st.held, 3 + 3 + 1); /* kept, open (4, 6, 10), 11 */
	txn(lg, &s[8], 1, NULL, "again");
	assert_non_null(ledger_find(lg, 9));
	assert_int_equal(ledger_find(lg, 9)->n_tx, 1);
	ledger_get_stats(lg, &st);
	assert_int_equal(st.events_for_evicted, 0);
	ledger_free(lg);
}

/* lazy_entries: open and update events make no entry and change none; the
 * first transaction, finding or close does. A session that opens and
 * closes saying nothing holds an entry only while its close is rendered. */
static void test_lazy_entries(void **state)
{
	(void)state;
	struct ledger_opts o = keep_opts();
	o.lazy_entries = true;
	o.keep_clean = 0;
	struct ledger *lg = ledger_new(&o);
	for (uint64_t id = 1; id <= 1000; id++) { /* a SYN flood */
		struct ev_session s = lf_session(id);
		lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
	}
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.held, 0);
	struct ev_session a = lf_session(5);
	snprintf(a.pop3.user, sizeof a.pop3.user, "alice");
	lf_emit(lg, EV_SESSION_UPDATE, &a, NULL, NULL);
	assert_null(ledger_find(lg, 5));
	txn(lg, &a, 0, NULL, "hello");
	const struct ledger_entry *le = ledger_find(lg, 5);
	assert_non_null(le);
	assert_int_equal(le->n_tx, 1);
	snprintf(a.pop3.user, sizeof a.pop3.user, "bob");
	a.txns = 7;
	lf_emit(lg, EV_SESSION_UPDATE, &a, NULL, NULL); /* changes nothing */
	struct ev_session got;
	ledger_snapshot(le, &got);
	assert_string_equal(got.pop3.user, "alice");
	assert_int_equal(got.txns, 0);
	struct ev_session b = lf_session(3); /* a lower id, first heard of at its close */
	close_s(lg, &b);
	assert_non_null(ledger_find(lg, 3));
	txn(lg, &a, 1, NULL, "again"); /* 3's close rendered: it goes */
	assert_null(ledger_find(lg, 3));
	ledger_get_stats(lg, &st);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.sessions_seen, 2);
	ledger_free(lg);
}

/* Kept entries are out of reach of the budget and of the count cap: the
 * cap takes a closed one, then the oldest open one, never a kept one. */
static void test_kept_survive_budget_and_cap(void **state)
{
	(void)state;
	struct ledger_opts o = keep_opts();
	o.drop_closed = false;
	o.keep_clean = 0;
	o.sessions_max = 4;
	o.bytes_max = 48 * 1024;
	struct ledger *lg = ledger_new(&o);
	char text[400];
	memset(text, 'k', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	for (uint64_t id = 1; id <= 2; id++) {
		struct ev_session s = lf_session(id);
		lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
		for (uint64_t i = 0; i < 20; i++)
			txn(lg, &s, i, NULL, text);
		lf_flag(lg, &s);
		close_s(lg, &s);
		assert_true(ledger_find(lg, id)->kept);
	}
	/* sessions through a cap of 4 (2 kept), each with lines past the budget */
	for (uint64_t id = 3; id <= 40; id++) {
		struct ev_session s = lf_session(id);
		lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
		for (uint64_t i = 0; i < 20; i++)
			txn(lg, &s, i, NULL, text);
		if (id % 3 == 0) {
			lf_flag(lg, &s); /* past keep_flagged: closed flagged, not kept */
			close_s(lg, &s);
		}
	}
	for (uint64_t id = 1; id <= 2; id++) {
		const struct ledger_entry *le = ledger_find(lg, id);
		assert_non_null(le);
		assert_int_equal(le->n_tx, 20);
		assert_string_equal(lf_tx(le, 19).text, text);
	}
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.held, 4);
	assert_true(st.sessions_evicted > 0);
	ledger_free(lg);
}

/* keep_open_transcripts: a full budget frees closed sessions' transcripts
 * but never an open one's; an open session's later lines are refused and
 * counted, its first ones stay. Without it, the open transcripts go. */
static void test_open_transcripts_keep_first_lines(void **state)
{
	(void)state;
	for (int policy = 0; policy < 2; policy++) {
		struct ledger_opts o = keep_opts();
		o.keep_flagged = o.keep_clean = 0;
		o.drop_closed = false;
		o.keep_open_transcripts = policy == 1;
		o.bytes_max = 64 * 1024;
		struct ledger *lg = ledger_new(&o);
		char text[300];
		memset(text, 'o', sizeof text - 1);
		text[sizeof text - 1] = '\0';
		struct ev_session s[8];
		for (int k = 0; k < 8; k++) {
			s[k] = lf_session((uint64_t)k + 1);
			lf_emit(lg, EV_SESSION_OPEN, &s[k], NULL, NULL);
		}
		for (uint64_t i = 0; i < 60; i++)
			for (int k = 0; k < 8; k++)
				txn(lg, &s[k], i, NULL, text);
		size_t refused = 0;
		for (int k = 0; k < 8; k++) {
			const struct ledger_entry *le = ledger_find(lg, s[k].id);
			assert_non_null(le);
			assert_int_equal(le->n_tx + le->tx_dropped, 60);
			if (policy == 1) {
				assert_false(le->transcript_evicted);
				assert_true(le->n_tx > 0);
				for (size_t i = 0; i < le->n_tx; i++) /* the first lines, in order */
					assert_int_equal(lf_tx(le, i).index, i);
			}
			refused += le->tx_dropped;
		}
		assert_true(refused > 0);
		assert_true(ledger_bytes(lg) <= o.bytes_max);
		struct ledger_stats st;
		ledger_get_stats(lg, &st);
		if (policy == 1)
			assert_int_equal(st.transcripts_evicted, 0);
		else
			assert_true(st.transcripts_evicted > 0);
		/* closed ones make room: their transcripts go, new lines fit again */
		if (policy == 1) {
			for (int k = 0; k < 4; k++)
				close_s(lg, &s[k]);
			struct ev_session n = lf_session(100);
			lf_emit(lg, EV_SESSION_OPEN, &n, NULL, NULL);
			txn(lg, &n, 0, NULL, text);
			assert_int_equal(ledger_find(lg, 100)->n_tx, 1);
		}
		ledger_free(lg);
	}
}

/* findings_past_budget: with every byte taken by open transcripts (many
 * sessions, so what is left is less than any growth), a finding that
 * flags its session is still kept (at most findings_per_session_max a
 * session); a notice is not. */
static void test_findings_past_budget(void **state)
{
	(void)state;
	for (int policy = 0; policy < 2; policy++) {
		struct ledger_opts o = keep_opts();
		o.findings_past_budget = policy == 1;
		o.findings_per_session_max = 3;
		o.bytes_max = 64 * 1024;
		struct ledger *lg = ledger_new(&o);
		char text[300];
		memset(text, 'f', sizeof text - 1);
		text[sizeof text - 1] = '\0';
		struct ev_session s[40];
		for (int k = 0; k < 40; k++) {
			s[k] = lf_session((uint64_t)k + 1);
			lf_emit(lg, EV_SESSION_OPEN, &s[k], NULL, NULL);
		}
		for (uint64_t i = 0; i < 100; i++)
			for (int k = 0; k < 40; k++)
				txn(lg, &s[k], i, NULL, text + (i * 7 + (uint64_t)k * 13) % 280);
		assert_true(ledger_bytes(lg) + sizeof(struct finding) > o.bytes_max); /* no room for one */
		for (int i = 0; i < 5; i++)
			lf_flag(lg, &s[0]);
		const struct ledger_entry *le = ledger_find(lg, 1);
		assert_int_equal(le->n_fx, policy == 1 ? 3 : 0);
		assert_int_equal(le->fx_dropped, policy == 1 ? 2 : 5);
		/* a notice only within the budget */
		struct finding n;
		memset(&n, 0, sizeof n);
		n.rule = R_CLEARTEXT_CREDS;
		n.sev = SEV_NOTICE;
		lf_emit(lg, EV_FINDING, &s[1], NULL, &n);
		assert_int_equal(ledger_find(lg, 2)->n_fx, 0);
		assert_int_equal(ledger_find(lg, 2)->fx_dropped, 1);
		ledger_free(lg);
	}
}

static void visit(void *ctx, const struct ledger_entry *le)
{
	struct gone *g = ctx;
	g->ids[g->n++] = le->snap.id;
}

/* The open sessions, oldest first across clean and flagged ones. */
static void test_each_open(void **state)
{
	(void)state;
	struct ledger *lg = ledger_new(NULL);
	struct ev_session s[6];
	for (int k = 0; k < 6; k++) {
		s[k] = lf_session((uint64_t)(60 - k)); /* ids against the order of arrival */
		lf_emit(lg, EV_SESSION_OPEN, &s[k], NULL, NULL);
	}
	lf_flag(lg, &s[1]);
	lf_flag(lg, &s[4]);
	close_s(lg, &s[2]);
	struct gone g = { .n = 0 };
	ledger_each_open(lg, visit, &g);
	static const uint64_t want[] = { 60, 59, 57, 56, 55 };
	assert_int_equal(g.n, ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		assert_int_equal(g.ids[i], want[i]);
	ledger_free(lg);
}

/* Transactions packed (ledger_txn.c): every line's fields and texts come
 * back as they went in, at their longest, across the buffer's growth;
 * has_args kept (a command with "" args); a short line costs the budget
 * a few dozen bytes, not a struct of 200. */
static void test_txns_packed(void **state)
{
	(void)state;
	struct ledger *lg = ledger_new(NULL);
	struct ev_session s = lf_session(3);
	lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
	char args[POP3_ARGS_MAX + 1], text[POP3_TEXT_MAX + 1];
	for (uint64_t i = 0; i < 60; i++) {
		size_t na = (i * 37) % (POP3_ARGS_MAX + 1), nt = (i * 91) % (POP3_TEXT_MAX + 1);
		memset(args, 'a' + (int)(i % 26), na);
		args[na] = '\0';
		memset(text, 'A' + (int)(i % 26), nt);
		text[nt] = '\0';
		struct pop3_txn t;
		memset(&t, 0, sizeof t);
		t.index = i;
		t.cmd = POP3_CMD_RETR;
		snprintf(t.keyword, sizeof t.keyword, "RETR");
		t.has_args = true;
		snprintf(t.args, sizeof t.args, "%s", i == 7 ? "" : args);
		t.status = i % 5 == 4 ? (enum pop3_status)200 : POP3_ST_ERR;
		snprintf(t.code, sizeof t.code, "%s", i % 2 ? "SYS/TEMP" : "");
		snprintf(t.text, sizeof t.text, "%s", text);
		t.req_frame = i ? 1000000 * i : 0;
		t.rep_frame = 1000000 * i + 1;
		t.end_frame = UINT64_MAX - i;
		t.req_ts_us = i ? 1700000000000000ull + i : 0;
		t.rep_ts_us = 1700000000000000ull - 5 * i; /* before its command: the clock stepped */
		t.end_ts_us = i % 3 ? UINT64_MAX : 0;
		t.multiline = i % 2;
		t.terminated = i % 4 == 1;
		t.secret = i == 9;
		t.data_lines = i * i * i * 1000;
		t.data_octets = UINT64_MAX / (i + 1);
		t.flags = 0x80000000u | (uint32_t)i;
		t.n_entries = (uint32_t)i; /* seen, none kept (no listing) */
		lf_emit(lg, EV_TXN, &s, &t, NULL);
	}
	const struct ledger_entry *le = ledger_find(lg, 3);
	assert_int_equal(le->n_tx, 60);
	for (uint64_t i = 0; i < 60; i++) {
		size_t na = (i * 37) % (POP3_ARGS_MAX + 1), nt = (i * 91) % (POP3_TEXT_MAX + 1);
		struct ledger_txn tb = lf_tx(le, i);
		const struct ledger_txn *t = &tb;
		assert_int_equal(t->index, i);
		assert_int_equal(t->cmd, POP3_CMD_RETR);
		assert_string_equal(t->keyword, "RETR");
		assert_int_equal(t->status, i % 5 == 4 ? 200 : POP3_ST_ERR);
		assert_string_equal(t->code, i % 2 ? "SYS/TEMP" : "");
		assert_int_equal(t->req_frame, i ? 1000000 * i : 0);
		assert_int_equal(t->rep_frame, 1000000 * i + 1);
		assert_int_equal(t->end_frame, UINT64_MAX - i);
		assert_int_equal(t->req_ts_us, i ? 1700000000000000ull + i : 0);
		assert_int_equal(t->rep_ts_us, 1700000000000000ull - 5 * i);
		assert_int_equal(t->end_ts_us, i % 3 ? UINT64_MAX : 0);
		assert_int_equal(t->multiline, i % 2);
		assert_int_equal(t->terminated, i % 4 == 1);
		assert_int_equal(t->secret, i == 9);
		assert_int_equal(t->data_lines, i * i * i * 1000);
		assert_int_equal(t->data_octets, UINT64_MAX / (i + 1));
		assert_int_equal(t->flags, 0x80000000u | (uint32_t)i);
		assert_int_equal(t->n_entries_seen, i);
		assert_int_equal(t->n_entries, 0);
		assert_null(t->entries);
		assert_int_equal(strlen(t->args), i == 7 ? 0 : na);
		assert_int_equal(strlen(t->text), nt);
		if (i != 7 && na)
			assert_int_equal(t->args[na - 1], 'a' + (int)(i % 26));
		if (nt)
			assert_int_equal(t->text[nt - 1], 'A' + (int)(i % 26));
		assert_true(t->has_args);
	}
	ledger_free(lg);
	/* 400 short lines: a few dozen bytes each, all counted */
	lg = ledger_new(NULL);
	lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
	size_t before = ledger_bytes(lg);
	for (uint64_t i = 0; i < 400; i++)
		txn(lg, &s, i, NULL, "+OK");
	size_t per = (ledger_bytes(lg) - before) / 400;
	print_message("ledger: %zu bytes a short line\n", per);
	assert_true(per >= 30 && per < 64);
	le = ledger_find(lg, 3);
	assert_int_equal(le->n_tx, 400);
	assert_true(ledger_bytes(lg) - before >= le->rec_len + 400 * sizeof(uint32_t));
	ledger_free(lg);
}

struct probe {
	int n;
	struct ledger_counts got;
};

static void probe_event(void *self, const struct event *e)
{
	struct probe *p = self;
	if (e->type == EV_STATS && e->stats) {
		p->n++;
		p->got = e->stats->ledger;
	}
}

/* A silent ledger (a renderer's own store: the report's) leaves stats
 * events as they came, so --json writes the same with --report or not. */
static void test_silent_ledger_not_stamped(void **state)
{
	(void)state;
	struct ledger *lg = ledger_new(NULL);
	struct probe p = { 0 };
	static const struct sink_ops ops = { "probe", probe_event, NULL, NULL };
	struct event_bus bus = { .n = 0 };
	event_bus_add(&bus, (struct sink){ .ops = &ops, .self = &p });
	bus.ledger = lg;
	bus.ledger_silent = true;
	struct ev_stats st;
	memset(&st, 0, sizeof st);
	struct event es = { .type = EV_STATS, .ts_us = 1, .stats = &st };
	event_bus_emit(&bus, &es);
	assert_int_equal(p.n, 1);
	assert_false(p.got.enabled);
	bus.ledger_silent = false;
	event_bus_emit(&bus, &es);
	assert_true(p.got.enabled);
	ledger_free(lg);
}

/* Entries that went are taken again, and their first buffers (pools):
 * each new session shows its own user, banner, sensor, lines and
 * findings, never its predecessor's, and a text that changes within a session
 * (the user name arriving, the banner shortening) is shown as it is now. */
static void test_reused_hold_nothing_of_before(void **state)
{
	(void)state;
	struct ledger_opts o = keep_opts();
	o.keep_flagged = o.keep_clean = 0;
	struct ledger *lg = ledger_new(&o);
	for (uint64_t id = 1; id <= 40; id++) {
		struct ev_session s = lf_session(id);
		if (id % 3)
			snprintf(s.pop3.banner, sizeof s.pop3.banner, "POP3 ready %0*d", (int)(id % 7) * 9, 0);
		if (id % 4 == 1)
			snprintf(s.sensor, sizeof s.sensor, "sensor-%" PRIu64, id);
		lf_emit(lg, EV_SESSION_OPEN, &s, NULL, NULL);
		for (uint64_t k = 0; k < id % 5; k++)
			txn(lg, &s, k, id % 2 ? "1" : NULL, id % 2 ? "+OK long text of a line" : "x");
		if (id % 2) {
			snprintf(s.pop3.user, sizeof s.pop3.user, "user%" PRIu64, id * 1000);
			s.pop3.banner[id % 11] = '\0';
		}
		if (id % 6 == 0)
			lf_flag(lg, &s);
		txn(lg, &s, id % 5, NULL, "last");
		struct ev_session got;
		const struct ledger_entry *le = ledger_find(lg, id);
		assert_non_null(le);
		ledger_snapshot(le, &got);
		assert_string_equal(got.pop3.user, s.pop3.user);
		assert_string_equal(got.pop3.banner, s.pop3.banner);
		assert_string_equal(got.sensor, s.sensor);
		assert_int_equal(le->n_tx, id % 5 + 1);
		assert_string_equal(lf_tx(le, le->n_tx - 1).text, "last");
		assert_int_equal(le->n_fx, id % 6 == 0);
		close_s(lg, &s);
	}
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	assert_int_equal(st.entries_allocated, 1); /* one entry, taken again and again */
	ledger_free(lg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_and_drop_closed),
		cmocka_unit_test(test_lazy_entries),
		cmocka_unit_test(test_kept_survive_budget_and_cap),
		cmocka_unit_test(test_open_transcripts_keep_first_lines),
		cmocka_unit_test(test_findings_past_budget),
		cmocka_unit_test(test_each_open),
		cmocka_unit_test(test_txns_packed),
		cmocka_unit_test(test_silent_ledger_not_stamped),
		cmocka_unit_test(test_reused_hold_nothing_of_before),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
