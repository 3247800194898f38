/*
 * readahead.c - the reader thread of a capture file (see readahead.h).
 *
 * Batches go round a batch_ring. A batch holds records of a small header
 * and the frame's bytes, 8-byte aligned.
 */
#include "readahead.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_ring.h"

struct rec {
	uint64_t ts_us;
	uint32_t caplen, wirelen;
};

struct readahead {
	pcap_t *pcap;
	char *name;
	pthread_t thread;
	struct batch_ring *ring;
	enum source_status end; /* written before the last batch is published */
	char err[CAPTURE_ERRBUF_SIZE];
	size_t pos;             /* the consumer's read position in its batch */
	uint64_t frames;        /* the reader's count, for its error message */
};

static size_t rec_size(uint32_t caplen)
{
	return (sizeof(struct rec) + caplen + 7) & ~(size_t)7;
}

static void *finish(struct readahead *ra, enum source_status end)
{
	ra->end = end;
	batch_ring_fill(ra->ring)->last = true;
	batch_ring_publish(ra->ring);
	return NULL;
}

static void *reader(void *arg)
{
	struct readahead *ra = arg;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(ra->pcap, &h, &data);
		if (rc != 1) {
			if (rc == PCAP_ERROR_BREAK || rc == 0)
				return finish(ra, SOURCE_EOF);
			snprintf(ra->err, sizeof ra->err, "%s: frame %llu: %s", ra->name,
				 (unsigned long long)ra->frames + 1, pcap_geterr(ra->pcap));
			return finish(ra, SOURCE_ERROR);
		}
		ra->frames++;
		size_t need = rec_size(h->caplen);
		if (need > READAHEAD_BATCH_BYTES) { /* libpcap refuses these first */
			snprintf(ra->err, sizeof ra->err, "%s: frame %llu: record of %u bytes",
				 ra->name, (unsigned long long)ra->frames, h->caplen);
			return finish(ra, SOURCE_ERROR);
		}
		struct batch *b = batch_ring_fill(ra->ring);
		if (b->used + need > READAHEAD_BATCH_BYTES) {
			if (!batch_ring_publish(ra->ring))
				return NULL;
			b = batch_ring_fill(ra->ring);
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
	ra->ring = batch_ring_new(READAHEAD_BATCHES, READAHEAD_BATCH_BYTES);
	if (!batch_ring_thread_start(&ra->thread, reader, ra)) {
		batch_ring_free(ra->ring);
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
		struct batch *b = batch_ring_take(ra->ring);
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
		if (b->last) { /* stays put: every later call ends here too */
			if (ra->end == SOURCE_ERROR)
				snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s", ra->err);
			return ra->end;
		}
		batch_ring_release(ra->ring);
		ra->pos = 0;
	}
}

void readahead_stop(struct readahead *ra)
{
	if (!ra)
		return;
	batch_ring_stop(ra->ring);
	pthread_join(ra->thread, NULL);
	batch_ring_free(ra->ring);
	free(ra->name);
	free(ra);
}
