/*
 * readahead.c - the reader thread of a capture file (see readahead.h).
 *
 * Batches go round a ring: the reader fills free ones in order and the
 * consumer takes full ones in the same order, under one mutex with a
 * condition variable for each side. A batch holds records of a small
 * header and the frame's bytes, 8-byte aligned.
 */
#include "readahead.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
	uint64_t ts_us;
	uint32_t caplen, wirelen;
};

struct batch {
	uint8_t *buf;
	size_t used;
	enum source_status end; /* SOURCE_FRAME: more follow; else the last batch */
	char err[CAPTURE_ERRBUF_SIZE];
};

struct readahead {
	pcap_t *pcap;
	char *name;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	struct batch b[READAHEAD_BATCHES];
	unsigned full;      /* batches filled and not yet taken back (under mu) */
	bool stop;          /* the consumer is gone (under mu) */
	unsigned w, r;      /* next batch to fill / to read */
	size_t pos;         /* read position in b[r] */
	bool reading;       /* b[r] is the consumer's */
	uint64_t frames;    /* the reader's count, for its error message */
};

static size_t rec_size(uint32_t caplen)
{
	return (sizeof(struct rec) + caplen + 7) & ~(size_t)7;
}

/* Hand b[w] to the consumer and wait for the next one to be free.
 * Returns false when the consumer stopped. */
static bool publish(struct readahead *ra)
{
	pthread_mutex_lock(&ra->mu);
	ra->full++;
	pthread_cond_signal(&ra->filled);
	while (ra->full == READAHEAD_BATCHES && !ra->stop)
		pthread_cond_wait(&ra->freed, &ra->mu);
	bool go = !ra->stop;
	pthread_mutex_unlock(&ra->mu);
	ra->w = (ra->w + 1) % READAHEAD_BATCHES;
	return go;
}

static void *reader(void *arg)
{
	struct readahead *ra = arg;
	struct batch *b = &ra->b[ra->w];
	b->used = 0;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(ra->pcap, &h, &data);
		if (rc != 1) {
			b->end = SOURCE_EOF;
			if (rc != PCAP_ERROR_BREAK && rc != 0) {
				b->end = SOURCE_ERROR;
				snprintf(b->err, sizeof b->err, "%s: frame %llu: %s", ra->name,
					 (unsigned long long)ra->frames + 1, pcap_geterr(ra->pcap));
			}
			publish(ra);
			return NULL;
		}
		ra->frames++;
		size_t need = rec_size(h->caplen);
		if (need > READAHEAD_BATCH_BYTES) { /* libpcap refuses these first */
			b->end = SOURCE_ERROR;
			snprintf(b->err, sizeof b->err, "%s: frame %llu: record of %u bytes",
				 ra->name, (unsigned long long)ra->frames, h->caplen);
			publish(ra);
			return NULL;
		}
		if (b->used + need > READAHEAD_BATCH_BYTES) {
			b->end = SOURCE_FRAME;
			if (!publish(ra))
				return NULL;
			b = &ra->b[ra->w];
			b->used = 0;
		}
		struct rec r = { (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec,
				 h->caplen, h->len };
		memcpy(b->buf + b->used, &r, sizeof r);
		memcpy(b->buf + b->used + sizeof r, data, h->caplen);
		b->used += need;
	}
}

struct readahead *readahead_start(pcap_t *p, const char *name)
{
	struct readahead *ra = xcalloc(1, sizeof *ra);
	ra->pcap = p;
	ra->name = xstrdup(name);
	for (int i = 0; i < READAHEAD_BATCHES; i++)
		ra->b[i].buf = xmalloc(READAHEAD_BATCH_BYTES);
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->filled, NULL);
	pthread_cond_init(&ra->freed, NULL);
	/* Signals (SIGTERM, SIGINT, SIGWINCH) stay with the main thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&ra->thread, NULL, reader, ra);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		for (int i = 0; i < READAHEAD_BATCHES; i++)
			free(ra->b[i].buf);
		free(ra->name);
		free(ra);
		return NULL;
	}
	return ra;
}

enum source_status readahead_next(struct readahead *ra, struct frame *out,
				  char errbuf[CAPTURE_ERRBUF_SIZE])
{
	for (;;) {
		if (!ra->reading) {
			pthread_mutex_lock(&ra->mu);
			while (ra->full == 0)
				pthread_cond_wait(&ra->filled, &ra->mu);
			pthread_mutex_unlock(&ra->mu);
			ra->reading = true;
			ra->pos = 0;
		}
		struct batch *b = &ra->b[ra->r];
		if (ra->pos < b->used) {
			struct rec r;
			memcpy(&r, b->buf + ra->pos, sizeof r);
			out->ts_us = r.ts_us;
			out->caplen = r.caplen;
			out->wirelen = r.wirelen;
			out->data = b->buf + ra->pos + sizeof r;
			ra->pos += rec_size(r.caplen);
			return SOURCE_FRAME;
		}
		if (b->end != SOURCE_FRAME) { /* the last batch: stays put */
			if (b->end == SOURCE_ERROR)
				snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s", b->err);
			return b->end;
		}
		pthread_mutex_lock(&ra->mu);
		ra->full--;
		pthread_cond_signal(&ra->freed);
		pthread_mutex_unlock(&ra->mu);
		ra->r = (ra->r + 1) % READAHEAD_BATCHES;
		ra->reading = false;
	}
}

void readahead_stop(struct readahead *ra)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->mu);
	ra->stop = true;
	pthread_cond_signal(&ra->freed);
	pthread_mutex_unlock(&ra->mu);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->filled);
	pthread_cond_destroy(&ra->freed);
	pthread_mutex_destroy(&ra->mu);
	for (int i = 0; i < READAHEAD_BATCHES; i++)
		free(ra->b[i].buf);
	free(ra->name);
	free(ra);
}
