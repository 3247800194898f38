/*
 * event_thread.c - sinks on a thread of their own (see event.h).
 *
 * Events borrow their pointers for the call, so each is packed into a
 * record that owns its data: the event, then the parts it points to (the
 * session snapshot and its POP3 facts, the transaction with its listing,
 * the finding, the stats) and the source name, each 8-byte aligned, with
 * the copy's pointers aimed at the copies (a batch is reused, never moved).
 * The consumer hands the events to its bus in the order they came. A
 * record larger than a batch (a listing of thousands of entries) is packed
 * on the heap and only its pointer travels.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define STREAM_STORES 1
#endif

#include "batch_ring.h"
#include "event.h"
#include "util.h"

#define EVENT_THREAD_BATCHES 4
#define EVENT_THREAD_BATCH_BYTES (1024u * 1024)

struct rec_hdr {
	uint32_t size;  /* of the record in the batch, header included */
	uint32_t heap;  /* the record is a pointer to a packed event on the heap */
};

struct unpacked;

struct event_thread {
	struct event_bus inner;
	struct unpacked *u;  /* the consumer's copy of the event it hands on */
	uint8_t *stage;      /* the producer's: a record is made here, then streamed */
	struct batch_ring *ring;
	pthread_t thread;
	bool running;   /* the thread was started and not yet joined */
	enum ev_handover when; /* besides full batches (event.h) */
	uint64_t handed_ms;    /* EV_HANDOVER_PACED: the last hand-over, monotonic */
};

static size_t al8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A record's size in the ring: 16-byte multiples, so every record starts
 * 16-aligned (malloc's alignment for the batches and the stage) and is
 * streamed 16 bytes a store. */
static size_t al16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static size_t uids_len(const struct pop3_txn *t)
{
	size_t n = 0;
	if (!t->uids)
		return 0;
	for (uint32_t i = 0; i < t->n_entries; i++) {
		size_t end = (size_t)t->entries[i].uid_off + t->entries[i].uid_len + 1;
		if (t->entries[i].uid_len && end > n)
			n = end;
	}
	return n;
}

static const char *source_of(const struct event *e)
{
	if (e->stats)
		return e->stats->source;
	return e->sess ? e->sess->source : NULL;
}

/* A char array inside a struct: only its string travels. */
struct text_field {
	size_t off, size;
};

#define TEXT(type, field) { offsetof(type, field), sizeof(((type *)0)->field) }

/* The text fields of each struct that travels, in the order they lie in
 * it. A field added later travels whole: slower at worst, never lost. */
static const struct text_field sess_text[] = {
	TEXT(struct ev_session, pop3.user), TEXT(struct ev_session, pop3.banner),
};
static const struct text_field txn_text[] = {
	TEXT(struct pop3_txn, args), TEXT(struct pop3_txn, code), TEXT(struct pop3_txn, text),
	TEXT(struct pop3_txn, sasl),
};
_Static_assert(FINDING_EVIDENCE_MAX == 4, "finding_text lists every evidence line");
static const struct text_field finding_text[] = {
	TEXT(struct finding, summary), TEXT(struct finding, ev[0].line),
	TEXT(struct finding, ev[1].line), TEXT(struct finding, ev[2].line),
	TEXT(struct finding, ev[3].line),
};
#define TEXT_MAX 5 /* the most fields of one struct */

/* A struct in a record: its bytes, with each text field's string (NUL
 * left out, 2 bytes of length before it) in place of the field. A
 * transaction's text arrays alone are over 1 KB and their strings short:
 * a record is a third of the structs' size, and all of it is written. */
struct part {
	const void *src;
	size_t size;
	const struct text_field *tf;
	size_t ntf;
	uint16_t len[TEXT_MAX];
	size_t bytes;        /* in the record */
};

static void part_measure(struct part *pt, const void *src, size_t size,
			 const struct text_field *tf, size_t ntf)
{
	pt->src = src;
	pt->size = size;
	pt->tf = tf;
	pt->ntf = ntf;
	pt->bytes = 0;
	if (!src)
		return;
	pt->bytes = size;
	for (size_t i = 0; i < ntf; i++) {
		/* most are empty (a reply's code and SASL list, a finding's later
		 * evidence lines): not a call for those */
		const char *t = (const char *)src + tf[i].off;
		pt->len[i] = (uint16_t)(t[0] ? strnlen(t, tf[i].size - 1) : 0);
		pt->bytes += 2 + (size_t)pt->len[i] - tf[i].size;
	}
}

/* memcpy for the pieces of a record: most are empty (text fields lie
 * next to each other, strings are often empty), and a call per empty
 * piece was a tenth of packing an event */
static inline void put_bytes(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

static uint8_t *part_put(uint8_t *at, const struct part *pt)
{
	const uint8_t *src = pt->src;
	size_t from = 0;
	for (size_t i = 0; i < pt->ntf; i++) {
		put_bytes(at, src + from, pt->tf[i].off - from);
		at += pt->tf[i].off - from;
		memcpy(at, &pt->len[i], 2);
		put_bytes(at + 2, src + pt->tf[i].off, pt->len[i]);
		at += 2 + pt->len[i];
		from = pt->tf[i].off + pt->tf[i].size;
	}
	put_bytes(at, src + from, pt->size - from);
	return at + pt->size - from;
}

/* Back into a whole struct (past each string's NUL, what was there). */
static const uint8_t *part_get(void *dst, size_t size, const struct text_field *tf, size_t ntf,
			       const uint8_t *at)
{
	uint8_t *d = dst;
	size_t from = 0;
	for (size_t i = 0; i < ntf; i++) {
		put_bytes(d + from, at, tf[i].off - from);
		at += tf[i].off - from;
		uint16_t len;
		memcpy(&len, at, 2);
		put_bytes(d + tf[i].off, at + 2, len);
		d[tf[i].off + len] = '\0';
		at += 2 + len;
		from = tf[i].off + tf[i].size;
	}
	put_bytes(d + from, at, size - from);
	return at + size - from;
}

/* What an event's record is made of, measured once. */
struct sizes {
	struct part sess, txn, finding;
	size_t total, entries, uids, src;
	size_t at_entries;   /* the listing's offset in the record, 8-aligned */
};

static void measure(const struct event *e, struct sizes *z)
{
	const char *src = source_of(e);
	part_measure(&z->sess, e->sess, sizeof(struct ev_session), sess_text, ARRAY_LEN(sess_text));
	part_measure(&z->txn, e->txn, sizeof(struct pop3_txn), txn_text, ARRAY_LEN(txn_text));
	part_measure(&z->finding, e->finding, sizeof(struct finding), finding_text,
		     ARRAY_LEN(finding_text));
	z->entries = e->txn && e->txn->entries ? e->txn->n_entries * sizeof(struct pop3_entry) : 0;
	z->uids = e->txn ? uids_len(e->txn) : 0;
	z->src = src ? strlen(src) + 1 : 0; /* with its NUL; its length goes before it */
	size_t n = sizeof(struct event) + z->sess.bytes + z->txn.bytes +
		   z->finding.bytes + (e->stats ? sizeof(struct ev_stats) : 0) +
		   (z->src ? sizeof(uint32_t) + z->src : 0);
	z->at_entries = al8(n);
	z->total = z->at_entries + al8(z->entries) + al8(z->uids);
}

/* Pack e at dst (z->total bytes): the event, its parts in a fixed order,
 * the source name (its length first), then the listing, 8-aligned, for
 * the consumer to use in place. */
static void pack(uint8_t *dst, const struct event *e, const struct sizes *z)
{
	uint8_t *at = dst;
	memcpy(at, e, sizeof *e);
	at += sizeof *e;
	if (z->sess.src)
		at = part_put(at, &z->sess);
	if (z->txn.src)
		at = part_put(at, &z->txn);
	if (z->finding.src)
		at = part_put(at, &z->finding);
	if (e->stats) {
		memcpy(at, e->stats, sizeof *e->stats);
		at += sizeof *e->stats;
	}
	if (z->src) {
		/* the length first: the consumer need not measure it again */
		uint32_t len = (uint32_t)z->src;
		memcpy(at, &len, sizeof len);
		memcpy(at + sizeof len, source_of(e), z->src);
	}
	if (z->entries)
		memcpy(dst + z->at_entries, e->txn->entries, z->entries);
	if (z->uids)
		memcpy(dst + z->at_entries + al8(z->entries), e->txn->uids, z->uids);
}

/* Copy n bytes (a multiple of 16, both 16-aligned) into the ring past the
 * cache: the consumer's core read these lines a lap of the ring ago, and
 * a plain store would first have to take each line back from it (a
 * fetch and an invalidation per 64 bytes, on the thread the run waits
 * for). Published with a fence (publish). */
static void stream(uint8_t *dst, const uint8_t *src, size_t n)
{
#ifdef STREAM_STORES
	size_t i = 0;
	/* 64 bytes a turn: the loop's own count and test were a third of
	 * its instructions, 16 bytes a turn (a record is 1-2 KB) */
	for (; i + 64 <= n; i += 64) {
		__m128i a = _mm_load_si128((const __m128i *)(const void *)(src + i));
		__m128i b = _mm_load_si128((const __m128i *)(const void *)(src + i + 16));
		__m128i c = _mm_load_si128((const __m128i *)(const void *)(src + i + 32));
		__m128i d = _mm_load_si128((const __m128i *)(const void *)(src + i + 48));
		_mm_stream_si128((__m128i *)(void *)(dst + i), a);
		_mm_stream_si128((__m128i *)(void *)(dst + i + 16), b);
		_mm_stream_si128((__m128i *)(void *)(dst + i + 32), c);
		_mm_stream_si128((__m128i *)(void *)(dst + i + 48), d);
	}
	for (; i < n; i += 16)
		_mm_stream_si128((__m128i *)(void *)(dst + i),
				 _mm_load_si128((const __m128i *)(const void *)(src + i)));
#else
	memcpy(dst, src, n);
#endif
}

static void publish(struct event_thread *t)
{
#ifdef STREAM_STORES
	_mm_sfence(); /* streamed stores are weakly ordered: all of them first */
#endif
	batch_ring_publish(t->ring);
}

/* The consumer's copy of one event, rebuilt from its record; the listing
 * and the source name stay in the record. */
struct unpacked {
	struct event e;
	struct ev_session sess;
	struct pop3_txn txn;
	struct finding finding;
	struct ev_stats stats;
};

static void unpack(struct unpacked *u, const uint8_t *rec)
{
	const uint8_t *at = rec;
	memcpy(&u->e, at, sizeof u->e);
	at += sizeof u->e;
	if (u->e.sess) {
		at = part_get(&u->sess, sizeof u->sess, sess_text, ARRAY_LEN(sess_text), at);
		u->e.sess = &u->sess;
	}
	if (u->e.txn) {
		at = part_get(&u->txn, sizeof u->txn, txn_text, ARRAY_LEN(txn_text), at);
		u->e.txn = &u->txn;
	}
	if (u->e.finding) {
		at = part_get(&u->finding, sizeof u->finding, finding_text, ARRAY_LEN(finding_text),
			      at);
		u->e.finding = &u->finding;
	}
	if (u->e.stats) {
		memcpy(&u->stats, at, sizeof u->stats);
		at += sizeof u->stats;
		u->e.stats = &u->stats;
	}
	const char *src = NULL;
	if (u->e.stats ? u->stats.source != NULL : u->e.sess && u->sess.source != NULL) {
		uint32_t len;
		memcpy(&len, at, sizeof len);
		src = (const char *)at + sizeof len;
		at += sizeof len + len;
	}
	if (u->e.stats)
		u->stats.source = src;
	else if (u->e.sess)
		u->sess.source = src;
	if (u->e.txn) {
		size_t entries = u->txn.entries ? u->txn.n_entries * sizeof(struct pop3_entry) : 0;
		const uint8_t *base = rec + al8((size_t)(at - rec));
		u->txn.entries = entries ? (struct pop3_entry *)(uintptr_t)base : NULL;
		u->txn.uids = u->txn.uids ? (char *)(uintptr_t)(base + al8(entries)) : NULL;
	}
}

static void dispatch(struct event_thread *t, const uint8_t *rec)
{
	struct rec_hdr h;
	memcpy(&h, rec, sizeof h);
	if (!h.heap) {
		unpack(t->u, rec + al8(sizeof h));
		event_bus_emit(&t->inner, &t->u->e);
		return;
	}
	uint8_t *packed;
	memcpy(&packed, rec + al8(sizeof h), sizeof packed);
	unpack(t->u, packed);
	event_bus_emit(&t->inner, &t->u->e);
	free(packed);
}

static void *consumer(void *arg)
{
	struct event_thread *t = arg;
	for (;;) {
		struct batch *b = batch_ring_take(t->ring);
		for (size_t pos = 0; pos < b->used;) {
			struct rec_hdr h;
			memcpy(&h, b->buf + pos, sizeof h);
			dispatch(t, b->buf + pos);
			pos += h.size;
		}
		if (b->last)
			return NULL;
		batch_ring_release(t->ring);
	}
}

/* Coarse (a tick, 1-4 ms) and cheap: read at a session's close only. */
static uint64_t mono_coarse_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_event(void *self, const struct event *e)
{
	struct event_thread *t = self;
	if (!t->running) {
		event_bus_emit(&t->inner, e);
		return;
	}
	struct sizes z;
	measure(e, &z);
	size_t need = z.total;
	size_t cap = batch_ring_batch_bytes(t->ring);
	bool heap = al8(sizeof(struct rec_hdr)) + need > cap;
	struct rec_hdr h = { (uint32_t)al16(al8(sizeof h) + (heap ? al8(sizeof(void *)) : need)), heap };
	struct batch *b = batch_ring_fill(t->ring);
	if (b->used + h.size > cap) {
		publish(t);
		b = batch_ring_fill(t->ring);
	}
	uint8_t *rec = b->buf + b->used;
	if (heap) {
		uint8_t *packed = xmalloc(need);
		pack(packed, e, &z);
		memcpy(rec, &h, sizeof h);
		memcpy(rec + al8(sizeof h), &packed, sizeof packed);
	} else {
		memcpy(t->stage, &h, sizeof h);
		pack(t->stage + al8(sizeof h), e, &z);
		stream(rec, t->stage, h.size);
	}
	b->used += h.size;
	if (t->when != EV_HANDOVER_FULL && (e->type == EV_SESSION_CLOSE || e->type == EV_STATS)) {
		if (t->when == EV_HANDOVER_PACED && e->type != EV_STATS) {
			uint64_t now = mono_coarse_ms();
			if (now - t->handed_ms < EVENT_HANDOVER_PACE_MS)
				return; /* a stats event (the heartbeat) or a later close takes it */
			t->handed_ms = now;
		}
		publish(t);
	}
}

/* Hand over what is pending and wait for the thread to render it all. */
static void drain(struct event_thread *t)
{
	if (!t->running)
		return;
	batch_ring_fill(t->ring)->last = true;
	publish(t);
	pthread_join(t->thread, NULL);
	t->running = false;
}

static int on_finish(void *self, char *errbuf, size_t errlen)
{
	struct event_thread *t = self;
	drain(t);
	return event_bus_finish(&t->inner, errbuf, errlen);
}

static void on_free(void *self)
{
	struct event_thread *t = self;
	drain(t);
	event_bus_free(&t->inner);
	batch_ring_free(t->ring);
	free(t->u);
	free(t->stage);
	free(t);
}

static const struct sink_ops event_thread_ops = { "thread", on_event, on_finish, on_free };

struct sink event_thread_sink(struct event_bus *inner, enum ev_handover when)
{
	struct event_thread *t = xcalloc(1, sizeof *t);
	t->inner = *inner; /* its ledger too: applied on the thread, before its sinks */
	inner->n = 0;
	inner->ledger = NULL;
	t->when = when;
	t->u = xcalloc(1, sizeof *t->u);
	t->stage = xmalloc(EVENT_THREAD_BATCH_BYTES); /* pages touched only as records need */
	t->ring = batch_ring_new(EVENT_THREAD_BATCHES, EVENT_THREAD_BATCH_BYTES);
	t->running = batch_ring_thread_start(&t->thread, consumer, t, "pop3mon-sinks");
	return (struct sink){ .ops = &event_thread_ops, .self = t, .skip = t->inner.n ? t->inner.skip : ~0u };
}
