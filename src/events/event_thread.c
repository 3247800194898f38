/*
 * event_thread.c - sinks on a thread of their own (see event.h).
 *
 * Events borrow their pointers for the call, so each is packed into a
 * record that owns its data: the event, then the parts it points to (the
 * session snapshot and its POP3 facts, the transaction with its listing,
 * the finding, the stats) and the source name, each 8-byte aligned, with
 * the copy's pointers aimed at the copies (a batch is reused, never moved).
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
#define EVENT_THREAD_BATCH_BYTES (1024u * 1024)

struct rec_hdr {
	uint32_t size;  /* of the record in the batch, header included */
	uint32_t heap;  /* the record is a pointer to a packed event on the heap */
};

struct unpacked;

struct event_thread {
	struct event_bus inner;
	struct unpacked *u;  /* the consumer's copy of the event it hands on */
	/* The producer's: a session's POP3 facts made from the dissector's
	 * (its padding zero, as in a snapshot), and, without a thread, the
	 * snapshot a session sent as its parts is joined into. */
	struct ev_pop3 *facts;
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
#define TEXT_MAX 5 /* the most fields of one struct */

/* A struct in a record: its bytes, with each text field's string (NUL
 * left out, 2 bytes of length before it) in place of the field. A
 * transaction's text arrays alone are over 1 KB and their strings short:
 * a record is a third of the structs' size, and all of it is written.
 * Packed, a struct takes at most its size and a byte per text field (a
 * string is shorter than its field by its NUL, its length takes 2). */
#define PART_MAX(type, text) (sizeof(type) + ARRAY_LEN(text))

/* memcpy for the pieces of a record: most are empty (text fields lie
 * next to each other, strings are often empty), and a call per empty
 * piece was a tenth of packing an event */
static inline void put_bytes(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

/* Pack the struct at src (size bytes) at `at`; returns the end. Each
 * string is measured as it is copied: one pass over the struct. Inlined
 * into each caller, for its table: the loop unrolled and every offset a
 * constant, so a piece between two text fields is a few moves or nothing
 * (walking the table had been half the cost of packing). */
static inline __attribute__((always_inline)) uint8_t *part_put(uint8_t *at, const void *src, size_t size, const struct text_field *tf,
			 size_t ntf)
{
	const uint8_t *s = src;
	size_t from = 0;
#pragma GCC unroll 8
	for (size_t i = 0; i < ntf; i++) {
		put_bytes(at, s + from, tf[i].off - from);
		at += tf[i].off - from;
		/* most are empty (a reply's code and SASL list, a finding's
		 * later evidence lines): not a call for those */
		const char *t = (const char *)s + tf[i].off;
		uint16_t len = (uint16_t)(t[0] ? strnlen(t, tf[i].size - 1) : 0);
		memcpy(at, &len, 2);
		put_bytes(at + 2, t, len);
		at += 2 + len;
		from = tf[i].off + tf[i].size;
	}
	put_bytes(at, s + from, size - from);
	return at + size - from;
}

/* A string as part_put packs a text field: its length, then its bytes. */
static uint8_t *text_put(uint8_t *at, const char *src, size_t len)
{
	uint16_t n = (uint16_t)len;
	memcpy(at, &n, 2);
	put_bytes(at + 2, src, len);
	return at + 2 + len;
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
 * them), the rest zero. */
static uint8_t *sess_parts_put(uint8_t *at, struct ev_pop3 *facts,
			       const struct ev_session_head *head, const struct pop3_conn_info *ci)
{
	memcpy(at, head, sizeof *head);
	at += sizeof *head;
	ev_pop3_counters(facts, ci);
	memcpy(at, facts, offsetof(struct ev_pop3, user));
	at += offsetof(struct ev_pop3, user);
	at = text_put(at, ci->user, ev_text_len(ci->user_len, sizeof facts->user));
	at = text_put(at, ci->banner, ev_text_len(ci->banner_len, sizeof facts->banner));
	memset(at, 0, SESS_TAIL);
	return at + SESS_TAIL;
}

/* Back into a whole struct (past each string's NUL, what was there).
 * Inlined for each table, as part_put. */
static inline __attribute__((always_inline)) const uint8_t *part_get(void *dst, size_t size, const struct text_field *tf, size_t ntf,
			       const uint8_t *at)
{
	uint8_t *d = dst;
	size_t from = 0;
#pragma GCC unroll 8
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
		   (e->sess || e->sess_head ? PART_MAX(struct ev_session, sess_text) : 0) +
		   (e->txn ? PART_MAX(struct pop3_txn, txn_text) : 0) +
		   (e->finding ? PART_MAX(struct finding, finding_text) : 0) +
		   (e->stats ? sizeof(struct ev_stats) : 0) + (z->src ? sizeof(uint32_t) + z->src : 0);
	z->bound = al8(n) + al8(z->entries) + al8(z->uids);
}

/* Pack e at dst (z->bound bytes there): the event, its parts in a fixed
 * order, the source name (its length first), then the listing, 8-aligned,
 * for the consumer to use in place. Returns the record's size. */
static size_t pack(struct event_thread *t, uint8_t *dst, const struct event *e,
		   const struct sizes *z)
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
		at = sess_parts_put(at, t->facts, e->sess_head, e->sess_info);
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
		pack(t, packed, e, &z);
		memcpy(rec + at, &packed, sizeof packed);
		h.size = (uint32_t)(at + al8(sizeof packed));
	} else {
		/* in place, written once (a stage then a copy into the ring had
		 * written every byte twice) */
		h.size = (uint32_t)(at + pack(t, rec + at, e, &z));
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
	free(t->u);
	free(t->facts);
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
	t->u = xcalloc(1, sizeof *t->u);
	t->facts = xcalloc(1, sizeof *t->facts);
	t->joined = xcalloc(1, sizeof *t->joined);
	t->ring = batch_ring_new(EVENT_THREAD_BATCHES, EVENT_THREAD_BATCH_BYTES);
	t->running = batch_ring_thread_start(&t->thread, consumer, t, "pop3mon-sinks");
	return (struct sink){ .ops = &event_thread_ops, .self = t,
			      .skip = t->inner.n ? t->inner.skip : ~0u, .takes_parts = true };
}
