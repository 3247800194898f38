/*
 * test_batch_ring.c - the hand-over between two threads (src/util/batch_ring.c):
 * every batch arrives once and in order through a ring much shorter than
 * the stream, the last one ends it, a consumer that stops releases a
 * blocked producer, and the helper thread runs with the scheduling policy
 * that keeps its wake-ups from preempting the analysis thread.
 */
#define _GNU_SOURCE /* SCHED_BATCH */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "batch_ring.h"

#define BATCHES 4
#define BATCH_BYTES 64
#define STREAM 1000 /* batches sent: many times round the ring */

/* The test and the thread it starts share this. */
struct helper {
	struct batch_ring *ring;
	int policy;          /* first_batch_policy: the thread's own */
	unsigned published;  /* until publish said the consumer is gone */
	unsigned not_empty;  /* batches fill gave back not empty */
};

/* Batch i holds i in its first bytes and i % 7 + 1 bytes in all. */
static void *produce(void *arg)
{
	struct helper *p = arg;
	for (uint32_t i = 0; i < STREAM; i++) {
		struct batch *b = batch_ring_fill(p->ring);
		p->not_empty += b->used != 0 || b->last; /* (cmocka asserts on the test's thread) */
		memset(b->buf, 0, BATCH_BYTES);
		memcpy(b->buf, &i, sizeof i);
		b->used = i % 7 + 1;
		b->frames = i;
		b->last = i == STREAM - 1;
		if (!batch_ring_publish(p->ring))
			return NULL;
		__atomic_store_n(&p->published, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void test_every_batch_once_in_order(void **state)
{
	(void)state;
	struct helper p = { .ring = batch_ring_new(BATCHES, BATCH_BYTES), .policy = -1 };
	pthread_t t;
	assert_true(batch_ring_thread_start(&t, produce, &p, "test-producer"));
	for (uint32_t i = 0;; i++) {
		struct batch *b = batch_ring_take(p.ring);
		uint32_t got;
		memcpy(&got, b->buf, sizeof got);
		assert_int_equal(got, i);
		assert_int_equal(b->frames, i);
		assert_int_equal(b->used, i % 7 + 1);
		if (b->last) {
			assert_int_equal(i, STREAM - 1);
			assert_ptr_equal(batch_ring_take(p.ring), b); /* the last one is kept */
			break;
		}
		batch_ring_release(p.ring);
	}
	pthread_join(t, NULL);
	assert_int_equal(p.published, STREAM);
	assert_int_equal(p.not_empty, 0);
	batch_ring_free(p.ring);
}

/* The consumer leaves early: the producer, blocked on a full ring, is let
 * go and publishes no more. The stop waits until the producer has filled
 * the ring but the batch that blocks it: stopped before, the producer
 * would see the stop at an earlier batch and the count would hang on the
 * threads' timing, not on the ring. */
static void test_stop_releases_producer(void **state)
{
	(void)state;
	struct helper p = { .ring = batch_ring_new(BATCHES, BATCH_BYTES), .policy = -1 };
	pthread_t t;
	assert_true(batch_ring_thread_start(&t, produce, &p, "test-producer"));
	struct batch *b = batch_ring_take(p.ring);
	uint32_t got;
	memcpy(&got, b->buf, sizeof got);
	assert_int_equal(got, 0);
	while (__atomic_load_n(&p.published, __ATOMIC_ACQUIRE) < BATCHES - 1)
		sched_yield();
	batch_ring_stop(p.ring);
	pthread_join(t, NULL);
	/* it filled the ring (the taken batch is not released: it still
	 * counts), blocked publishing the last free one, and was let go */
	assert_int_equal(p.published, BATCHES - 1);
	batch_ring_free(p.ring);
}

/* The helper runs as a batch thread: its wake-ups at each hand-over do
 * not preempt the thread that hands over. Read by the thread itself after
 * its first batch, so after start returned. */
static void *first_batch_policy(void *arg)
{
	struct helper *p = arg;
	batch_ring_take(p->ring);
	p->policy = sched_getscheduler(0);
	return NULL;
}

static void test_helper_thread_is_batch(void **state)
{
	(void)state;
	struct helper p = { .ring = batch_ring_new(BATCHES, BATCH_BYTES), .policy = -1 };
	pthread_t t;
	assert_true(batch_ring_thread_start(&t, first_batch_policy, &p, "test-consumer"));
	batch_ring_fill(p.ring)->last = true;
	batch_ring_publish(p.ring);
	pthread_join(t, NULL);
	assert_int_equal(p.policy, SCHED_BATCH);
	assert_int_equal(sched_getscheduler(0), SCHED_OTHER); /* the caller's own is untouched */
	batch_ring_free(p.ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_batch_once_in_order),
		cmocka_unit_test(test_stop_releases_producer),
		cmocka_unit_test(test_helper_thread_is_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
