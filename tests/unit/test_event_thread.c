/*
 * test_event_thread.c - sinks on their own thread (src/events/event_thread.c):
 * every event arrives once, in order, on another thread, with copies of
 * everything it points to (changed originals do not show through), a
 * listing larger than a batch included; finish() comes after the last
 * event; a thousand sessions cross many batches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "event.h"
#include "helpers/events.h"
#include "util.h"

/* What the recording sink saw, as one line per event. */
struct rec {
	char *log;
	size_t len, cap;
	pthread_t caller;
	bool other_thread;    /* every event came on a thread other than the caller's */
	int finished;
	size_t events_at_finish, events;
	const void *originals[4]; /* the emitter's pointers: the copies must differ */
};

static void append(struct rec *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (r->len + (size_t)n + 1 > r->cap) {
		r->cap = (r->cap + (size_t)n + 1) * 2;
		r->log = xrealloc(r->log, r->cap);
	}
	memcpy(r->log + r->len, buf, (size_t)n + 1);
	r->len += (size_t)n;
}

static void rec_event(void *self, const struct event *e)
{
	struct rec *r = self;
	__atomic_add_fetch(&r->events, 1, __ATOMIC_SEQ_CST);
	if (pthread_equal(pthread_self(), r->caller))
		r->other_thread = false;
	for (size_t i = 0; i < ARRAY_LEN(r->originals); i++)
		if (r->originals[i] && ((const void *)e->sess == r->originals[i] ||
					(const void *)e->txn == r->originals[i]))
			r->other_thread = false; /* a borrowed pointer came through */
	append(r, "%d ts=%llu", (int)e->type, (unsigned long long)e->ts_us);
	if (e->sess)
		append(r, " id=%llu src=%s srv=%s user=%s banner=%s", (unsigned long long)e->sess->id,
		       e->sess->source, e->sess->srv, e->sess->pop3.user, e->sess->pop3.banner);
	if (e->txn) {
		append(r, " %s %s -> %s n=%u", e->txn->keyword, e->txn->args, e->txn->text,
		       e->txn->n_entries);
		for (uint32_t i = 0; i < e->txn->n_entries; i += 997) {
			const struct pop3_entry *en = &e->txn->entries[i];
			append(r, " [%u %llu %.*s]", en->num, (unsigned long long)en->size,
			       e->txn->uids ? (int)en->uid_len : 0,
			       e->txn->uids ? e->txn->uids + en->uid_off : "");
		}
	}
	if (e->finding)
		append(r, " finding %s: %s | %s", rule_name(e->finding->rule), e->finding->summary,
		       e->finding->ev[e->finding->n_ev - 1].line);
	if (e->stats)
		append(r, " stats %s frames=%llu", e->stats->source,
		       (unsigned long long)e->stats->frames);
	append(r, "\n");
}

static int rec_finish(void *self, char *errbuf, size_t errlen)
{
	struct rec *r = self;
	(void)errbuf;
	(void)errlen;
	r->finished++;
	r->events_at_finish = r->events;
	return 0;
}

static const struct sink_ops rec_ops = { "rec", rec_event, rec_finish, NULL };

/* The same events, into sink s; then the emitter's copies are scribbled
 * over, as the pipeline reuses its buffers. */
static void script(struct sink s, struct rec *r)
{
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	struct finding f;
	struct ev_stats st;
	if (r) {
		r->originals[0] = &sess;
		r->originals[1] = &t;
	}
	for (uint64_t id = 1; id <= 1000; id++) {
		tev_session(&sess, &ci, id);
		tev_emit(s, EV_SESSION_OPEN, &sess, NULL, NULL, NULL);
		tev_txn(&t, 0, "STAT", NULL, POP3_ST_OK, "1 554", 4);
		tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
		memset(t.text, 'X', 20); /* reused buffer: the copy must keep "1 554" */
		tev_txn(&t, 1, "UIDL", NULL, POP3_ST_OK, "", 6);
		/* 100,000 entries outgrow a batch (the heap path); 10,000 fill much of one */
		tev_listing(&t, id == 500 ? 100000 : id == 250 ? 10000 : (uint32_t)(id % 7), true);
		tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
		tev_listing_free(&t);
		tev_finding(&f, R_STAT_UIDL_COUNT, "STAT says 1 message, UIDL lists 0", 4,
			    "STAT -> +OK 1 554", 6, "UIDL -> +OK (0 entries)");
		tev_emit(s, EV_FINDING, &sess, NULL, &f, NULL);
		tev_emit(s, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
		strcpy(ci->user, "mallory"); /* the session's later state must not show */
	}
	tev_stats(&st, true);
	tev_emit(s, EV_STATS, NULL, NULL, NULL, &st);
}

/* A recording sink on its own thread. */
static struct sink start(struct rec *r, enum ev_handover when)
{
	r->caller = pthread_self();
	r->other_thread = true;
	struct event_bus inner = { .n = 0 };
	event_bus_add(&inner, (struct sink){ .ops = &rec_ops, .self = r });
	struct sink ts = event_thread_sink(&inner, when);
	assert_int_equal(inner.n, 0); /* the sinks moved into the thread */
	return ts;
}

static void test_same_events_in_order_on_another_thread(void **state)
{
	(void)state;
	struct rec direct = { 0 }, threaded = { 0 };
	direct.caller = pthread_self();
	script((struct sink){ .ops = &rec_ops, .self = &direct }, NULL);

	struct sink ts = start(&threaded, EV_HANDOVER_FULL);
	script(ts, &threaded);
	char err[128] = "";
	assert_int_equal(ts.ops->finish(ts.self, err, sizeof err), 0);
	ts.ops->free(ts.self);

	assert_int_equal(threaded.finished, 1);
	assert_int_equal(threaded.events_at_finish, 1000 * 5 + 1);
	assert_true(threaded.other_thread);
	assert_non_null(strstr(threaded.log, "STAT  -> 1 554"));
	assert_null(strstr(threaded.log, "mallory"));
	assert_non_null(strstr(threaded.log, "n=100000 [1 100 uid1]"));
	assert_non_null(strstr(threaded.log, "[99701 9970100 uid99701]"));
	assert_int_equal(threaded.len, direct.len);
	assert_string_equal(threaded.log, direct.log);
	free(direct.log);
	free(threaded.log);
}

static size_t seen(struct rec *r)
{
	return __atomic_load_n(&r->events, __ATOMIC_SEQ_CST);
}

/* Live: a session's events reach the sinks when it closes, not when a
 * batch fills; a transaction alone may wait. */
static void test_prompt_at_close(void **state)
{
	(void)state;
	struct rec threaded = { 0 };
	struct sink ts = start(&threaded, EV_HANDOVER_PROMPT);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	tev_session(&sess, &ci, 1);
	tev_emit(ts, EV_SESSION_OPEN, &sess, NULL, NULL, NULL);
	tev_txn(&t, 0, "STAT", NULL, POP3_ST_OK, "1 554", 4);
	tev_emit(ts, EV_TXN, &sess, &t, NULL, NULL);
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	nanosleep(&nap, NULL);
	assert_int_equal(seen(&threaded), 0);
	tev_emit(ts, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
	for (int i = 0; i < 500 && seen(&threaded) < 3; i++)
		nanosleep(&nap, NULL);
	assert_int_equal(seen(&threaded), 3);
	assert_int_equal(threaded.finished, 0);
	char err[128] = "";
	assert_int_equal(ts.ops->finish(ts.self, err, sizeof err), 0);
	ts.ops->free(ts.self);
	free(threaded.log);
}

static void wait_seen(struct rec *r, size_t n)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 500 && seen(r) < n; i++)
		nanosleep(&nap, NULL);
}

/* Paced (a published file): the first close hands over at once; a close
 * right after it waits (no wake-up per session at full speed) until the
 * next stats event, which always hands over, or a close past the pace. */
static void test_paced_at_close(void **state)
{
	(void)state;
	struct rec threaded = { 0 };
	struct sink ts = start(&threaded, EV_HANDOVER_PACED);
	struct ev_session a, b, c;
	struct ev_pop3 *ci;
	tev_session(&a, &ci, 1);
	tev_session(&b, &ci, 2);
	tev_session(&c, &ci, 3);
	tev_emit(ts, EV_SESSION_OPEN, &a, NULL, NULL, NULL);
	tev_emit(ts, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	tev_emit(ts, EV_SESSION_OPEN, &b, NULL, NULL, NULL);
	tev_emit(ts, EV_SESSION_CLOSE, &b, NULL, NULL, NULL); /* within the pace of a's */
	wait_seen(&threaded, 2);
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	nanosleep(&nap, NULL);
	assert_int_equal(seen(&threaded), 2); /* a's, not b's */
	struct ev_stats st;
	tev_stats(&st, false);
	tev_emit(ts, EV_STATS, NULL, NULL, NULL, &st);
	wait_seen(&threaded, 5);
	assert_int_equal(seen(&threaded), 5);
	nap.tv_nsec = 3 * EVENT_HANDOVER_PACE_MS * 1000 * 1000; /* past the pace */
	nanosleep(&nap, NULL);
	tev_emit(ts, EV_SESSION_OPEN, &c, NULL, NULL, NULL);
	tev_emit(ts, EV_SESSION_CLOSE, &c, NULL, NULL, NULL);
	wait_seen(&threaded, 7);
	assert_int_equal(seen(&threaded), 7);
	char err[128] = "";
	assert_int_equal(ts.ops->finish(ts.self, err, sizeof err), 0);
	ts.ops->free(ts.self);
	free(threaded.log);
}

/* Freed without finish (an error path): the thread is still stopped and
 * whatever was emitted has been rendered, not lost mid-batch. */
static void test_free_without_finish(void **state)
{
	(void)state;
	struct rec threaded = { 0 };
	struct sink ts = start(&threaded, EV_HANDOVER_FULL);
	script(ts, NULL);
	ts.ops->free(ts.self);
	assert_int_equal(threaded.events, 1000 * 5 + 1);
	assert_int_equal(threaded.finished, 0);
	assert_true(threaded.other_thread);
	free(threaded.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_events_in_order_on_another_thread),
		cmocka_unit_test(test_prompt_at_close),
		cmocka_unit_test(test_paced_at_close),
		cmocka_unit_test(test_free_without_finish),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
