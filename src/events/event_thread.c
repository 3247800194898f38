/*
 * event_thread.c - sinks on a thread of their own (see event.h).
 *
 * Events borrow their pointers for the call, so each is packed into a
 * record that owns its data: the event, then the parts it points to (the
 * session snapshot and its POP3 facts, the transaction with its listing,
 * the finding, the stats) and the source name, each 8-byte aligned, with
 * the copy's pointers aimed at the copies (a batch is reused, never moved).
 * Each struct lies in the record as a whole struct, where the sinks read
 * it: only its text fields' strings (with their NULs) are written, the
 * rest of those arrays left as they were (structs are read as strings).
 * A session sent as its parts (the head and the dissector's facts) is
 * packed as the snapshot made of them would be: no snapshot is built.
 * The consumer hands the events to its bus in the order they came. A
 * record is packed once, in place in the batch: its size is bounded before
 * (the structs' packed sizes are, the listing and the source name are
 * measured), so a batch without that much room left is handed over first.
 * A record whose bound is larger than a batch (a listing of thousands of
 * entries) is packed on the heap and only its pointer travels.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "batch_ring.h"
#include "event.h"
#include "util.h"

#define EVENT_THREAD_BATCHES 4
/* 256 KiB: a batch's lines go back and forth between the two cores, and
 * 1 MiB batches left them further out of cache (small shape 0.229 ->
 * 0.218 s, 15 interleaved runs; peak RSS 3 MiB lower on every shape;
 * 128 KiB was slower: 0.230 s). A record larger than a batch is packed
 * on the heap. */
#define EVENT_THREAD_BATCH_BYTES (256u * 1024)

struct rec_hdr {
	uint32_t size;  /* of the record in the batch, header included */
	uint32_t heap;  /* the record is a pointer to a packed event on the heap */
};

struct event_thread {
	struct event_bus inner;
	/* Without a thread, the producer's: the snapshot a session sent as
	 * its parts is joined into. */
	struct ev_session *joined;
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
	if (e->sess_head)
		return e->sess_head->source;
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

/* A struct in a record: its bytes, in place, but for each text field
 * only its string and NUL (a transaction's text arrays alone are over
 * 1 KB and their strings short). The sinks read the struct where it lies
 * in the record: rebuilding each one whole on the sinks' thread (about
 * 40 M instructions on the small bench shape) is gone. */
_Static_assert(_Alignof(struct event) <= 8 && _Alignof(struct ev_session) <= 8 &&
		       _Alignof(struct pop3_txn) <= 8 && _Alignof(struct finding) <= 8 &&
		       _Alignof(struct ev_stats) <= 8 && sizeof(struct event) % 8 == 0 &&
		       sizeof(struct ev_session) % 8 == 0 && sizeof(struct pop3_txn) % 8 == 0 &&
		       sizeof(struct finding) % 8 == 0 && sizeof(struct ev_stats) % 8 == 0,
	       "each struct of a record starts 8-aligned, where it is read in place");

/* memcpy for the pieces of a record: most are empty (text fields lie
 * next to each other, strings are often empty), and a call per empty
 * piece was a tenth of packing an event */
static inline void put_bytes(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

/* Pack the struct at src (size bytes) at `at`, in place; returns the end.
 * Inlined into each caller, for its table: the loop unrolled and every
 * offset a constant, so a piece between two text fields is a few moves
 * or nothing (walking the table had been half the cost of packing). */
static inline __attribute__((always_inline)) uint8_t *part_put(uint8_t *at, const void *src, size_t size, const struct text_field *tf,
			 size_t ntf)
{
	const uint8_t *s = src;
	size_t from = 0;
#pragma GCC unroll 8
	for (size_t i = 0; i < ntf; i++) {
		put_bytes(at + from, s + from, tf[i].off - from);
		/* most are empty (a reply's code and SASL list, a finding's
		 * later evidence lines): not a call for those */
		const char *t = (const char *)s + tf[i].off;
		size_t len = t[0] ? strnlen(t, tf[i].size - 1) : 0;
		put_bytes(at + tf[i].off, t, len);
		at[tf[i].off + len] = '\0';
		from = tf[i].off + tf[i].size;
	}
	put_bytes(at + from, s + from, size - from);
	return at + size;
}

/* A string as part_put packs a text field: its bytes and its NUL. */
static void text_put(char *at, const char *src, size_t len)
{
	put_bytes(at, src, len);
	at[len] = '\0';
}

_Static_assert(ARRAY_LEN(sess_text) == 2 &&
	       offsetof(struct ev_session, pop3.user) ==
		       sizeof(struct ev_session_head) + offsetof(struct ev_pop3, user) &&
	       offsetof(struct ev_session, pop3.banner) ==
		       offsetof(struct ev_session, pop3.user) + sizeof(((struct ev_pop3 *)0)->user),
	       "a session sent as its parts packs as part_put packs its snapshot");
#define SESS_TAIL (sizeof(struct ev_session) - offsetof(struct ev_session, pop3.banner) - \
		   sizeof(((struct ev_pop3 *)0)->banner))

/* A session sent as its parts, packed as part_put packs the snapshot
 * ev_session_join would make of them (the sensor empty, as a producer of
 * parts has none): its head, the facts up to the user, the user and the
 * banner by their kept lengths (no scan: the dissector keeps no NUL in
 * them), the rest zero. The facts are written in place, the flags' word
 * cleared first: its padding is zero, as in a snapshot. */
static uint8_t *sess_parts_put(uint8_t *at, const struct ev_session_head *head,
			       const struct pop3_conn_info *ci)
{
	struct ev_session *s = (struct ev_session *)(void *)at;
	memcpy(at, head, sizeof *head);
	memset(&s->pop3, 0, offsetof(struct ev_pop3, bytes));
	ev_pop3_counters(&s->pop3, ci);
	text_put(s->pop3.user, ci->user, ev_text_len(ci->user_len, sizeof s->pop3.user));
	text_put(s->pop3.banner, ci->banner, ev_text_len(ci->banner_len, sizeof s->pop3.banner));
	memset(s->pop3.banner + sizeof s->pop3.banner, 0, SESS_TAIL);
	return at + sizeof *s;
}

/* The lengths of what an event's record holds besides its structs. */
struct sizes {
	size_t entries, uids, src;
	size_t bound;        /* the most the record can take */
};

static void measure(const struct event *e, struct sizes *z)
{
	const char *src = source_of(e);
	z->entries = e->txn && e->txn->entries ? e->txn->n_entries * sizeof(struct pop3_entry) : 0;
	z->uids = e->txn ? uids_len(e->txn) : 0;
	z->src = src ? strlen(src) + 1 : 0; /* with its NUL; its length goes before it */
	size_t n = sizeof(struct event) +
		   (e->sess || e->sess_head ? sizeof(struct ev_session) : 0) +
		   (e->txn ? sizeof(struct pop3_txn) : 0) +
		   (e->finding ? sizeof(struct finding) : 0) +
		   (e->stats ? sizeof(struct ev_stats) : 0) + (z->src ? sizeof(uint32_t) + z->src : 0);
	z->bound = al8(n) + al8(z->entries) + al8(z->uids);
}

/* Pack e at dst (z->bound bytes there): the event, its parts in a fixed
 * order, the source name (its length first), then the listing, 8-aligned,
 * for the consumer to use in place. Returns the record's size. */
static size_t pack(uint8_t *dst, const struct event *e, const struct sizes *z)
{
	uint8_t *at = dst;
	struct event ec = *e;
	if (e->sess_head) {
		/* the consumer reads whether a snapshot follows, and points sess
		 * at its copy of it */
		ec.sess = (const struct ev_session *)(const void *)e->sess_head;
		ec.sess_head = NULL;
		ec.sess_info = NULL;
	}
	memcpy(at, &ec, sizeof ec);
	at += sizeof ec;
	if (e->sess_head)
		at = sess_parts_put(at, e->sess_head, e->sess_info);
	else if (e->sess)
		at = part_put(at, e->sess, sizeof *e->sess, sess_text, ARRAY_LEN(sess_text));
	if (e->txn)
		at = part_put(at, e->txn, sizeof *e->txn, txn_text, ARRAY_LEN(txn_text));
	if (e->finding)
		at = part_put(at, e->finding, sizeof *e->finding, finding_text,
			      ARRAY_LEN(finding_text));
	if (e->stats) {
		memcpy(at, e->stats, sizeof *e->stats);
		at += sizeof *e->stats;
	}
	if (z->src) {
		/* the length first: the consumer need not measure it again */
		uint32_t len = (uint32_t)z->src;
		memcpy(at, &len, sizeof len);
		memcpy(at + sizeof len, source_of(e), z->src);
		at += sizeof len + z->src;
	}
	size_t at_entries = al8((size_t)(at - dst));
	if (z->entries)
		memcpy(dst + at_entries, e->txn->entries, z->entries);
	if (z->uids)
		memcpy(dst + at_entries + al8(z->entries), e->txn->uids, z->uids);
	return at_entries + al8(z->entries) + al8(z->uids);
}

static void publish(struct event_thread *t)
{
	batch_ring_publish(t->ring);
}

/* The event in its record, made ready in place: its pointers aimed at
 * the structs, the source name and the listing that follow it. */
static struct event *unpack(uint8_t *rec)
{
	struct event *e = (struct event *)(void *)rec;
	uint8_t *at = rec + sizeof *e;
	struct ev_session *sess = NULL;
	struct pop3_txn *txn = NULL;
	struct ev_stats *stats = NULL;
	if (e->sess) {
		e->sess = sess = (struct ev_session *)(void *)at;
		at += sizeof *sess;
	}
	if (e->txn) {
		e->txn = txn = (struct pop3_txn *)(void *)at;
		at += sizeof *txn;
	}
	if (e->finding) {
		e->finding = (const struct finding *)(const void *)at;
		at += sizeof *e->finding;
	}
	if (e->stats) {
		e->stats = stats = (struct ev_stats *)(void *)at;
		at += sizeof *stats;
	}
	const char *src = NULL;
	if (stats ? stats->source != NULL : sess && sess->source != NULL) {
		uint32_t len;
		memcpy(&len, at, sizeof len);
		src = (const char *)at + sizeof len;
		at += sizeof len + len;
	}
	if (stats)
		stats->source = src;
	else if (sess)
		sess->source = src;
	if (txn) {
		size_t entries = txn->entries ? txn->n_entries * sizeof(struct pop3_entry) : 0;
		uint8_t *base = rec + al8((size_t)(at - rec));
		txn->entries = entries ? (struct pop3_entry *)(void *)base : NULL;
		txn->uids = txn->uids ? (char *)(base + al8(entries)) : NULL;
	}
	return e;
}

static void dispatch(struct event_thread *t, uint8_t *rec)
{
	struct rec_hdr h;
	memcpy(&h, rec, sizeof h);
	if (!h.heap) {
		event_bus_emit(&t->inner, unpack(rec + al8(sizeof h)));
		return;
	}
	uint8_t *packed;
	memcpy(&packed, rec + al8(sizeof h), sizeof packed);
	event_bus_emit(&t->inner, unpack(packed));
	free(packed);
}

/* The session a record in the ring is about (0: none, or the record is
 * on the heap), read before it is unpacked: its event's sess is still the
 * producer's pointer, set when a session follows. */
static uint64_t rec_session(const uint8_t *rec)
{
	struct rec_hdr h;
	memcpy(&h, rec, sizeof h);
	if (h.heap)
		return 0;
	const uint8_t *ev = rec + al8(sizeof h);
	const void *sess;
	memcpy(&sess, ev + offsetof(struct event, sess), sizeof sess);
	if (!sess)
		return 0;
	uint64_t id;
	memcpy(&id, ev + sizeof(struct event) + offsetof(struct ev_session_head, id), sizeof id);
	return id;
}

/* Look-ahead over a batch: one cursor reads the session id of the record
 * AHEAD_RECORDS on; the ledger's prefetch stages take each id from the
 * ring of the last ids read, at 6, 4 and 2 records ahead of the one
 * dispatched (each record's id read once). */
#define AHEAD_RECORDS 6
#define AHEAD_RING 8 /* a power of two above AHEAD_RECORDS */

struct ahead {
	size_t at;              /* the cursor's record (b->used: past the end) */
	uint64_t n;             /* records it has read */
	uint64_t id[AHEAD_RING]; /* their ids by number (0: none) */
};

/* Read the record at the cursor, fetch stage 0 for its session, move on. */
static void ahead_step(struct event_thread *t, const struct batch *b, struct ahead *a)
{
	uint64_t id = 0;
	if (a->at < b->used) {
		struct rec_hdr h;
		memcpy(&h, b->buf + a->at, sizeof h);
		id = rec_session(b->buf + a->at);
		a->at += h.size;
	}
	a->id[a->n++ % AHEAD_RING] = id;
	if (id)
		event_bus_prefetch(&t->inner, id, 0);
}

static void *consumer(void *arg)
{
	struct event_thread *t = arg;
	for (;;) {
		struct batch *b = batch_ring_take(t->ring);
		struct ahead a = { 0 };
		while (a.n < AHEAD_RECORDS)
			ahead_step(t, b, &a);
		for (size_t pos = 0; pos < b->used;) {
			ahead_step(t, b, &a); /* record n - 1 = this one + AHEAD_RECORDS */
			uint64_t id4 = a.id[(a.n - 1 - 2) % AHEAD_RING], id2 = a.id[(a.n - 1 - 4) % AHEAD_RING];
			if (id4)
				event_bus_prefetch(&t->inner, id4, 1);
			if (id2)
				event_bus_prefetch(&t->inner, id2, 2);
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
		if (e->sess_head) { /* the sinks render from a snapshot */
			struct event ej = *e;
			ev_session_join(t->joined, e->sess_head, e->sess_info);
			ej.sess = t->joined;
			ej.sess_head = NULL;
			ej.sess_info = NULL;
			event_bus_emit(&t->inner, &ej);
			return;
		}
		event_bus_emit(&t->inner, e);
		return;
	}
	struct sizes z;
	measure(e, &z);
	size_t cap = batch_ring_batch_bytes(t->ring);
	size_t at = al8(sizeof(struct rec_hdr));
	struct rec_hdr h = { 0, at + z.bound > cap };
	struct batch *b = batch_ring_fill(t->ring);
	if (b->used + at + (h.heap ? sizeof(void *) : z.bound) > cap) {
		publish(t);
		b = batch_ring_fill(t->ring);
	}
	uint8_t *rec = b->buf + b->used;
	if (h.heap) {
		uint8_t *packed = xmalloc(z.bound);
		pack(packed, e, &z);
		memcpy(rec + at, &packed, sizeof packed);
		h.size = (uint32_t)(at + al8(sizeof packed));
	} else {
		/* in place, written once (a stage then a copy into the ring had
		 * written every byte twice) */
		h.size = (uint32_t)(at + pack(rec + at, e, &z));
	}
	memcpy(rec, &h, sizeof h);
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
	free(t->joined);
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
	t->joined = xcalloc(1, sizeof *t->joined);
	t->ring = batch_ring_new(EVENT_THREAD_BATCHES, EVENT_THREAD_BATCH_BYTES);
	t->running = batch_ring_thread_start(&t->thread, consumer, t, "pop3mon-sinks");
	return (struct sink){ .ops = &event_thread_ops, .self = t,
			      .skip = t->inner.n ? t->inner.skip : ~0u, .takes_parts = true };
}
