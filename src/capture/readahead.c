/*
 * readahead.c - the reader thread of a capture file (see readahead.h).
 *
 * Batches go round a batch_ring. A batch holds records: a struct rec and
 * the frame's bytes. Classic pcap files are read() straight into the
 * batches and their record headers rewritten in place (pcap_records.c);
 * other files come through libpcap and are copied in.
 */
#include "readahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_ring.h"

struct readahead {
	pcap_t *pcap;
	int fd;                 /* classic pcap read directly: the file, else -1 */
	struct pcap_format fmt;
	char *name;
	pthread_t thread;
	struct batch_ring *ring;
	enum source_status end; /* written before the last batch is published */
	char err[CAPTURE_ERRBUF_SIZE];
	size_t pos;             /* the consumer's read position in its batch */
	size_t idx;             /* the consumer's frame index in its batch */
	const struct batch *cur; /* the consumer's batch */
	uint64_t frames;        /* the reader's count, for its error message */
	int linktype;
	frame_prep_fn prep;     /* see capture.h; NULL: none */
	void *prep_ctx;
	size_t prep_slot;       /* bytes per frame, 8-aligned */
	size_t max_frames;      /* per batch: the prep slots there are */
	const struct bpf_program *filter; /* libpcap path only; NULL: none */
	uint64_t number;        /* the consumer's record number */
};

/* A record the filter dropped leaves its number behind: a marker record
 * (caplen SKIP_MARK, ts_us the count) ahead of the next frame passed, so
 * the consumer numbers frames as the file does. It takes no prep slot. */
#define SKIP_MARK UINT32_MAX

static size_t rec_size(uint32_t caplen)
{
	return sizeof(struct rec) + caplen;
}

static uint8_t *prep_slot(const struct readahead *ra, const struct batch *b, size_t i)
{
	return b->buf + READAHEAD_BATCH_BYTES + i * ra->prep_slot;
}

/* Run the prep function over the records of b in [at, end), which are
 * frames first .. of the batch. */
static void prep_records(struct readahead *ra, struct batch *b, size_t at, size_t end,
			 size_t first, uint64_t number)
{
	/* in locals: the call through a pointer could change *ra as far as
	 * the compiler knows, so each was loaded again for every frame */
	const frame_prep_fn prep = ra->prep;
	void *const ctx = ra->prep_ctx;
	const int linktype = ra->linktype;
	const size_t slot_size = ra->prep_slot;
	uint8_t *slot = prep_slot(ra, b, first);
	for (; at < end; slot += slot_size) {
		struct rec r;
		memcpy(&r, b->buf + at, sizeof r);
		struct frame f = { .number = number++, .ts_us = r.ts_us, .caplen = r.caplen,
				   .wirelen = r.wirelen, .linktype = linktype,
				   .data = b->buf + at + sizeof r };
		prep(ctx, &f, slot);
		at += rec_size(r.caplen);
	}
}

static void *finish(struct readahead *ra, enum source_status end)
{
	ra->end = end;
	batch_ring_fill(ra->ring)->last = true;
	batch_ring_publish(ra->ring);
	return NULL;
}

static void *frame_error(struct readahead *ra, const char *why)
{
	snprintf(ra->err, sizeof ra->err, "%s: frame %llu: %s", ra->name,
		 (unsigned long long)ra->frames + 1, why);
	return finish(ra, SOURCE_ERROR);
}

/* Classic pcap: fill a batch from the file, convert its complete records in
 * place, hand it over, and carry the partial record at its end into the
 * next batch. The file header was read (and checked) by libpcap. */
static void *reader_direct(void *arg)
{
	struct readahead *ra = arg;
	off_t off = 24;
	size_t len = 0;
	struct batch *b = batch_ring_fill(ra->ring);
	for (;;) {
		ssize_t got = pread(ra->fd, b->buf + len, READAHEAD_BATCH_BYTES - len, off);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			char why[PCAP_ERRBUF_SIZE];
			snprintf(why, sizeof why, "error reading dump file: %s", strerror(errno));
			return frame_error(ra, why);
		}
		off += got;
		len += (size_t)got;
		if (got > 0 && len < READAHEAD_BATCH_BYTES)
			continue;
		size_t done;
		uint64_t first = ra->frames + 1;
		char why[PCAP_ERRBUF_SIZE];
		enum pcap_records_status st = pcap_records_convert(
			&ra->fmt, b->buf, &len, &done, ra->max_frames, &ra->frames, why, sizeof why);
		b->used = done;
		b->frames = (size_t)(ra->frames + 1 - first);
		if (ra->prep)
			prep_records(ra, b, 0, done, 0, first);
		if (st == PCAP_RECORDS_BAD)
			return frame_error(ra, why);
		if (got == 0 && st == PCAP_RECORDS_MORE) {
			if (len == done)
				return finish(ra, SOURCE_EOF);
			pcap_records_truncated(&ra->fmt, b->buf + done, len - done, why, sizeof why);
			return frame_error(ra, why);
		}
		/* The consumer only reads a published batch, and this one is not
		 * refilled before the ring comes round: the tail can be copied. */
		const uint8_t *rest = b->buf + done;
		len -= done;
		if (!batch_ring_publish(ra->ring))
			return NULL;
		b = batch_ring_fill(ra->ring);
		memcpy(b->buf, rest, len);
	}
}

static void *reader(void *arg)
{
	struct readahead *ra = arg;
	size_t n = 0; /* frames in the batch being filled */
	uint64_t skipped = 0; /* records the filter dropped since the last frame */
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(ra->pcap, &h, &data);
		if (rc != 1) {
			if (rc == PCAP_ERROR_BREAK || rc == 0)
				return finish(ra, SOURCE_EOF);
			return frame_error(ra, pcap_geterr(ra->pcap));
		}
		ra->frames++;
		if (ra->filter && !pcap_offline_filter(ra->filter, h, data)) {
			skipped++;
			continue;
		}
		size_t need = rec_size(h->caplen) + (skipped ? sizeof(struct rec) : 0);
		if (need > READAHEAD_BATCH_BYTES) { /* libpcap refuses these first */
			snprintf(ra->err, sizeof ra->err, "%s: frame %llu: record of %u bytes",
				 ra->name, (unsigned long long)ra->frames, h->caplen);
			return finish(ra, SOURCE_ERROR);
		}
		struct batch *b = batch_ring_fill(ra->ring);
		if (b->used + need > READAHEAD_BATCH_BYTES || n == ra->max_frames) {
			if (!batch_ring_publish(ra->ring))
				return NULL;
			b = batch_ring_fill(ra->ring);
			n = 0;
		}
		if (skipped) {
			struct rec m = { skipped, SKIP_MARK, 0 };
			memcpy(b->buf + b->used, &m, sizeof m);
			b->used += sizeof m;
			need -= sizeof m;
			skipped = 0;
		}
		struct rec r = { (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec,
				 h->caplen, h->len };
		memcpy(b->buf + b->used, &r, sizeof r);
		memcpy(b->buf + b->used + sizeof r, data, h->caplen);
		if (ra->prep)
			prep_records(ra, b, b->used, b->used + need, n, ra->frames);
		b->used += need;
		b->frames = ++n;
	}
}

struct readahead *readahead_start(pcap_t *p, int fd, const struct pcap_format *direct,
				  const struct bpf_program *filter, const struct source_opts *o,
				  const char *name)
{
	struct readahead *ra = xcalloc(1, sizeof *ra);
	ra->pcap = p;
	ra->filter = direct ? NULL : filter;
	ra->fd = direct ? fd : -1;
	if (direct)
		ra->fmt = *direct;
	ra->name = xstrdup(name);
	ra->linktype = pcap_datalink(p);
	ra->prep = o->prep;
	ra->prep_ctx = o->prep_ctx;
	ra->prep_slot = o->prep ? (o->prep_size + 7) & ~(size_t)7 : 0;
	ra->max_frames = o->prep ? READAHEAD_PREP_FRAMES : SIZE_MAX;
	ra->ring = batch_ring_new(READAHEAD_BATCHES,
				  READAHEAD_BATCH_BYTES + (o->prep ? READAHEAD_PREP_FRAMES * ra->prep_slot : 0));
	if (!batch_ring_thread_start(&ra->thread, direct ? reader_direct : reader, ra,
	                             "pop3mon-reader")) {
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
		ra->cur = b;
		if (ra->pos < b->used) {
			struct rec r;
			memcpy(&r, b->buf + ra->pos, sizeof r);
			if (r.caplen == SKIP_MARK) {
				ra->number += r.ts_us;
				ra->pos += sizeof r;
				continue;
			}
			out->number = ++ra->number;
			out->ts_us = r.ts_us;
			out->caplen = r.caplen;
			out->wirelen = r.wirelen;
			out->data = b->buf + ra->pos + sizeof r;
			out->prep = ra->prep ? prep_slot(ra, b, ra->idx++) : NULL;
			ra->pos += rec_size(r.caplen);
			return SOURCE_FRAME;
		}
		if (b->last) { /* stays put: every later call ends here too */
			if (ra->end == SOURCE_ERROR) {
				snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s", ra->err);
				return SOURCE_ERROR;
			}
			/* ra->end is EOF or ERROR; returned as a constant so that the
			 * compiler, inlining this into the run loop, sees no
			 * SOURCE_FRAME with *out unfilled (-Wmaybe-uninitialized) */
			return SOURCE_EOF;
		}
		batch_ring_release(ra->ring);
		ra->pos = 0;
		ra->idx = 0;
	}
}

size_t readahead_preps_ahead(const struct readahead *ra, const uint8_t **first, size_t *stride)
{
	const struct batch *b = ra->cur;
	if (!ra->prep || !b || ra->idx >= b->frames)
		return 0;
	*first = prep_slot(ra, b, ra->idx);
	*stride = ra->prep_slot;
	return b->frames - ra->idx;
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
