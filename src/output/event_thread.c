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

#include "batch_ring.h"
#include "event.h"
#include "util.h"

#define EVENT_THREAD_BATCHES 4
#define EVENT_THREAD_BATCH_BYTES (1024u * 1024)

struct rec_hdr {
	uint32_t size;  /* of the record in the batch, header included */
	uint32_t heap;  /* the record is a pointer to a packed event on the heap */
};

struct event_thread {
	struct event_bus inner;
	struct batch_ring *ring;
	pthread_t thread;
	bool running;   /* the thread was started and not yet joined */
	bool prompt;    /* hand over at each session's close and stats event (live) */
};

static size_t al8(size_t n)
{
	return (n + 7) & ~(size_t)7;
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

/* What an event's packed copy is made of, measured once. */
struct sizes {
	size_t total, entries, uids, src;
};

static void measure(const struct event *e, struct sizes *z)
{
	const char *src = source_of(e);
	z->entries = e->txn && e->txn->entries ? e->txn->n_entries * sizeof(struct pop3_entry) : 0;
	z->uids = e->txn ? uids_len(e->txn) : 0;
	z->src = src ? strlen(src) + 1 : 0;
	size_t n = al8(sizeof(struct event));
	if (e->sess)
		n += al8(sizeof(struct ev_session)) +
		     (e->sess->pop3 ? al8(sizeof(struct pop3_conn_info)) : 0);
	if (e->txn)
		n += al8(sizeof(struct pop3_txn)) + al8(z->entries) + al8(z->uids);
	if (e->finding)
		n += al8(sizeof(struct finding));
	if (e->stats)
		n += al8(sizeof(struct ev_stats));
	z->total = n + al8(z->src);
}

/* A char array inside a struct: copied up to its NUL only. */
struct text_field {
	size_t off, size;
};

#define TEXT(type, field) { offsetof(type, field), sizeof(((type *)0)->field) }

/* The large text fields, in the order they lie in their struct. A field
 * added later is copied whole: slower at worst, never missed. */
static const struct text_field info_text[] = {
	TEXT(struct pop3_conn_info, user), TEXT(struct pop3_conn_info, banner),
	TEXT(struct pop3_conn_info, apop_ts),
};
static const struct text_field txn_text[] = {
	TEXT(struct pop3_txn, args), TEXT(struct pop3_txn, text), TEXT(struct pop3_txn, sasl),
};
static const struct text_field finding_text[] = {
	TEXT(struct finding, summary),
};

/* A struct of `size` bytes whose text fields (`tf`, by offset) are mostly
 * short: the bytes past each field's NUL are left out. */
static void copy_sparse(uint8_t *dst, const uint8_t *src, size_t size,
			const struct text_field *tf, size_t ntf)
{
	size_t at = 0;
	for (size_t i = 0; i < ntf; i++) {
		memcpy(dst + at, src + at, tf[i].off - at);
		size_t len = strnlen((const char *)src + tf[i].off, tf[i].size - 1);
		memcpy(dst + tf[i].off, src + tf[i].off, len);
		dst[tf[i].off + len] = 0;
		at = tf[i].off + tf[i].size;
	}
	memcpy(dst + at, src + at, size - at);
}

static void *put_sparse(uint8_t **at, const void *src, size_t n, const struct text_field *tf,
			size_t ntf)
{
	void *d = *at;
	copy_sparse(d, src, n, tf, ntf);
	*at += al8(n);
	return d;
}

static void *put(uint8_t **at, const void *src, size_t n)
{
	void *d = *at;
	if (n)
		memcpy(d, src, n);
	*at += al8(n);
	return d;
}

/* Pack e at dst (z->total bytes), pointers already aimed at the copies. */
static void pack(uint8_t *dst, const struct event *e, const struct sizes *z)
{
	uint8_t *at = dst;
	struct event *pe = put(&at, e, sizeof *e);
	if (e->sess) {
		struct ev_session *ps = put(&at, e->sess, sizeof *e->sess);
		if (e->sess->pop3)
			ps->pop3 = put_sparse(&at, e->sess->pop3, sizeof *e->sess->pop3, info_text,
					      ARRAY_LEN(info_text));
		pe->sess = ps;
	}
	if (e->txn) {
		struct pop3_txn *pt = put_sparse(&at, e->txn, sizeof *e->txn, txn_text,
						 ARRAY_LEN(txn_text));
		pt->entries = z->entries ? put(&at, e->txn->entries, z->entries) : NULL;
		pt->uids = z->uids ? put(&at, e->txn->uids, z->uids) : NULL;
		pe->txn = pt;
	}
	if (e->finding)
		pe->finding = put_sparse(&at, e->finding, sizeof *e->finding, finding_text,
					 ARRAY_LEN(finding_text));
	if (e->stats)
		pe->stats = put(&at, e->stats, sizeof *e->stats);
	const char *src = source_of(e);
	if (src) {
		const char *ps = put(&at, src, z->src);
		if (pe->stats)
			((struct ev_stats *)pe->stats)->source = ps;
		else
			((struct ev_session *)pe->sess)->source = ps;
	}
}

static void dispatch(struct event_thread *t, const uint8_t *rec)
{
	struct rec_hdr h;
	memcpy(&h, rec, sizeof h);
	if (!h.heap) {
		event_bus_emit(&t->inner, (const struct event *)(rec + al8(sizeof h)));
		return;
	}
	uint8_t *packed;
	memcpy(&packed, rec + al8(sizeof h), sizeof packed);
	event_bus_emit(&t->inner, (const struct event *)packed);
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
	struct rec_hdr h = { (uint32_t)(al8(sizeof h) + (heap ? al8(sizeof(void *)) : need)), heap };
	struct batch *b = batch_ring_fill(t->ring);
	if (b->used + h.size > cap) {
		batch_ring_publish(t->ring);
		b = batch_ring_fill(t->ring);
	}
	uint8_t *rec = b->buf + b->used;
	memcpy(rec, &h, sizeof h);
	if (heap) {
		uint8_t *packed = xmalloc(need);
		pack(packed, e, &z);
		memcpy(rec + al8(sizeof h), &packed, sizeof packed);
	} else {
		pack(rec + al8(sizeof h), e, &z);
	}
	b->used += h.size;
	if (t->prompt && (e->type == EV_SESSION_CLOSE || e->type == EV_STATS))
		batch_ring_publish(t->ring);
}

/* Hand over what is pending and wait for the thread to render it all. */
static void drain(struct event_thread *t)
{
	if (!t->running)
		return;
	batch_ring_fill(t->ring)->last = true;
	batch_ring_publish(t->ring);
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
	free(t);
}

static const struct sink_ops event_thread_ops = { "thread", on_event, on_finish, on_free };

struct sink event_thread_sink(struct event_bus *inner, bool prompt)
{
	struct event_thread *t = xcalloc(1, sizeof *t);
	t->inner = *inner;
	inner->n = 0;
	t->prompt = prompt;
	t->ring = batch_ring_new(EVENT_THREAD_BATCHES, EVENT_THREAD_BATCH_BYTES);
	t->running = batch_ring_thread_start(&t->thread, consumer, t);
	return (struct sink){ .ops = &event_thread_ops, .self = t, .skip = t->inner.n ? t->inner.skip : ~0u };
}
