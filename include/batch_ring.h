/*
 * batch_ring.h - hand-over of byte batches from one producer thread to one
 * consumer thread, in order, through a fixed ring (memory does not follow
 * the amount of data). Used where a stage runs on the second core: the
 * capture file's reader, the sinks' thread.
 *
 * The producer fills the batch batch_ring_fill() gives it and publishes it
 * with batch_ring_publish(); the consumer takes batches in the same order
 * with batch_ring_take() and gives each back with batch_ring_release().
 * One mutex, one condition variable per side: a hand-over costs a lock per
 * batch, never per record. A batch marked `last` ends the stream: the
 * consumer keeps it (take returns it again) and the producer stops there.
 */
#ifndef POP3MON_BATCH_RING_H
#define POP3MON_BATCH_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct batch {
	uint8_t *buf;
	size_t used;
	size_t frames; /* its records the producer counts as items (readahead: frames) */
	bool last;
};

struct batch_ring;

struct batch_ring *batch_ring_new(unsigned nbatches, size_t batch_bytes);
void batch_ring_free(struct batch_ring *r);
size_t batch_ring_batch_bytes(const struct batch_ring *r);

/* Producer: the batch being filled (used starts at 0). */
struct batch *batch_ring_fill(struct batch_ring *r);
/* Producer: hand the filled batch over and wait until another is free.
 * Returns false when the consumer has stopped (the producer should end). */
bool batch_ring_publish(struct batch_ring *r);

/* Consumer: the oldest published batch, waiting for one. */
struct batch *batch_ring_take(struct batch_ring *r);
/* Consumer: done with the batch take returned (not the last one). */
void batch_ring_release(struct batch_ring *r);
/* Consumer: gone; a producer blocked in publish returns false. */
void batch_ring_stop(struct batch_ring *r);

/* Start the thread on the other side of a ring with every signal blocked
 * (SIGINT, SIGTERM and SIGWINCH stay with the main thread), as a
 * SCHED_BATCH thread (its wake-ups do not preempt the main thread). */
/* name: the thread's name as ps, top and perf show it (at most 15 bytes) */
bool batch_ring_thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *name);

#endif
