/*
 * batch_ring.c - the ring of batches between two threads (see the header).
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "batch_ring.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>

#include "util.h"

struct batch_ring {
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	struct batch *b;
	unsigned n;
	size_t batch_bytes;
	unsigned full;  /* published and not yet released (under mu) */
	bool stop;      /* the consumer is gone (under mu) */
	unsigned w, r;  /* the producer's batch, the consumer's batch */
	bool taken;     /* b[r] is the consumer's */
};

struct batch_ring *batch_ring_new(unsigned nbatches, size_t batch_bytes)
{
	struct batch_ring *r = xcalloc(1, sizeof *r);
	r->n = nbatches;
	r->batch_bytes = batch_bytes;
	r->b = xcalloc(nbatches, sizeof *r->b);
	for (unsigned i = 0; i < nbatches; i++)
		/* zeroed: a consumer may read a record in place, past what was
		 * written in it (event_thread.c: the bytes after a string's NUL) */
		r->b[i].buf = xcalloc(1, batch_bytes);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->filled, NULL);
	pthread_cond_init(&r->freed, NULL);
	return r;
}

void batch_ring_free(struct batch_ring *r)
{
	if (!r)
		return;
	pthread_cond_destroy(&r->filled);
	pthread_cond_destroy(&r->freed);
	pthread_mutex_destroy(&r->mu);
	for (unsigned i = 0; i < r->n; i++)
		free(r->b[i].buf);
	free(r->b);
	free(r);
}

size_t batch_ring_batch_bytes(const struct batch_ring *r)
{
	return r->batch_bytes;
}

struct batch *batch_ring_fill(struct batch_ring *r)
{
	return &r->b[r->w];
}

bool batch_ring_publish(struct batch_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->full++;
	pthread_cond_signal(&r->filled);
	while (r->full == r->n && !r->stop)
		pthread_cond_wait(&r->freed, &r->mu);
	bool go = !r->stop;
	pthread_mutex_unlock(&r->mu);
	r->w = (r->w + 1) % r->n;
	r->b[r->w].used = 0;
	r->b[r->w].frames = 0;
	r->b[r->w].last = false;
	return go;
}

struct batch *batch_ring_take(struct batch_ring *r)
{
	if (!r->taken) {
		pthread_mutex_lock(&r->mu);
		while (r->full == 0)
			pthread_cond_wait(&r->filled, &r->mu);
		pthread_mutex_unlock(&r->mu);
		r->taken = true;
	}
	return &r->b[r->r];
}

void batch_ring_release(struct batch_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->full--;
	pthread_cond_signal(&r->freed);
	pthread_mutex_unlock(&r->mu);
	r->r = (r->r + 1) % r->n;
	r->taken = false;
}

void batch_ring_stop(struct batch_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->freed);
	pthread_mutex_unlock(&r->mu);
}

bool batch_ring_thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *name)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return false;
	(void)pthread_setname_np(*t, name); /* a name is a help, not a need */
	/* A helper that a hand-over wakes does not preempt the analysis
	 * thread: on two cores three threads share them, and each wake-up
	 * that did cost a switch away from the analysis and back (context
	 * switches on the small bench shape: about 3,000 -> 1,100). A
	 * scheduling hint: the thread runs as before if it is refused. */
	struct sched_param sp = { 0 };
	(void)pthread_setschedparam(*t, SCHED_BATCH, &sp);
	return true;
}
