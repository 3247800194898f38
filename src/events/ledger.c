/*
 * ledger.c - the session ledger (ledger.h): the id table, the entries and
 * what each event does to them. The budget and the order in which it
 * frees are ledger_budget.c; readers' slots, ledger_slots.c; the
 * snapshot's POP3 facts and texts, packed, ledger_facts.c.
 *
 * Ids are flow ids (or, read back with --from, whatever the file says),
 * so the table is a hash, not a sorted array: a dropped entry leaves the
 * table by backward shift and its struct goes to a free list, and a run
 * that sees a million sessions through a cap of ten thousand touches ten
 * thousand structs and one table of a fixed size.
 */
#include <stdlib.h>
#include <string.h>

#include "ledger_priv.h"
#include "util.h"

void ledger_opts_default(struct ledger_opts *o)
{
	memset(o, 0, sizeof *o);
	o->bytes_max = LEDGER_BYTES_MAX;
	o->sessions_max = LEDGER_SESSIONS_MAX;
	o->txns_per_session_max = LEDGER_TXNS_PER_SESSION_MAX;
	o->findings_per_session_max = LEDGER_FINDINGS_PER_SESSION_MAX;
	o->entries_per_txn_max = LEDGER_ENTRIES_PER_TXN_MAX;
}

struct ledger *ledger_new(const struct ledger_opts *o)
{
	struct ledger *lg = xcalloc(1, sizeof *lg);
	if (o)
		lg->o = *o;
	else
		ledger_opts_default(&lg->o);
	if (lg->o.sessions_max < 1)
		lg->o.sessions_max = 1;
	lg->cap = 64;
	lg->slot = xcalloc(lg->cap, sizeof *lg->slot);
	return lg;
}

size_t ledger_entry_bytes(const struct ledger *lg)
{
	return sizeof(struct ledger_entry) + lg->o.row_bytes;
}

size_t ledger_bytes(const struct ledger *lg)
{
	return lg->mem + lg->st.held * ledger_entry_bytes(lg);
}

void ledger_set_bytes_max(struct ledger *lg, size_t bytes_max)
{
	lg->o.bytes_max = bytes_max;
	lg->budget_dry_at = 0; /* a new budget: worth a scan again */
}

void ledger_get_stats(const struct ledger *lg, struct ledger_stats *st)
{
	*st = lg->st;
	st->bytes = ledger_bytes(lg);
}

void ledger_counts(const struct ledger *lg, struct ledger_counts *out)
{
	struct ledger_stats st;
	ledger_get_stats(lg, &st);
	memset(out, 0, sizeof *out);
	out->enabled = true;
	/* the names are the same on both sides: a counter of the list that
	 * struct ledger_stats lacks does not compile */
#define STAT_LEDGER(o, f, ...) out->f = (uint64_t)st.f;
#include "stats.def"
}

void ledger_watch(struct ledger *lg, ledger_gone_fn fn, void *ctx)
{
	if (lg->nw < LEDGER_WATCHERS_MAX)
		lg->w[lg->nw++] = (struct ledger_watcher){ fn, ctx };
}

/* ---- the id table ----------------------------------------------------------------- */

static size_t id_hash(uint64_t id)
{
	/* Fibonacci hashing, the bits from 17 up (as idmap.h): sequential
	 * flow ids spread over the table, in one multiply at every event.
	 * Ids read back with --from are the file's, and no hash unkeyed
	 * would stop a file chosen to collide; the probe stays correct. */
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 17);
}

size_t ledger_id_at(const struct ledger *lg, uint64_t id)
{
	size_t mask = lg->cap - 1;
	size_t i = id_hash(id) & mask;
	while (lg->slot[i] && lg->slot[i]->snap.id != id)
		i = (i + 1) & mask;
	return i;
}

void ledger_prefetch(const struct ledger *lg, uint64_t id, int stage)
{
	size_t mask = lg->cap - 1;
	size_t i = id_hash(id) & mask;
	if (stage == 0) {
		__builtin_prefetch(&lg->slot[i]);
		return;
	}
	if (stage == 1) { /* the probe's first two, by their ids */
		for (size_t k = 0; k < 2 && lg->slot[(i + k) & mask]; k++)
			__builtin_prefetch(&lg->slot[(i + k) & mask]->snap.id);
		return;
	}
	const struct ledger_entry *le = lg->slot[ledger_id_at(lg, id)];
	if (!le)
		return;
	/* the head is written whole by every event; the readers' slots are read */
	for (size_t off = 0; off < sizeof *le; off += 64)
		__builtin_prefetch((const char *)le + off, 1);
	for (size_t r = 0; r < LEDGER_READERS_MAX; r++)
		if (le->slot[r])
			__builtin_prefetch(le->slot[r], 1);
}

const struct ledger_entry *ledger_find(const struct ledger *lg, uint64_t id)
{
	return lg->slot[ledger_id_at(lg, id)];
}

static void id_put(struct ledger *lg, struct ledger_entry *le)
{
	if (2 * (lg->st.held + 1) > lg->cap) { /* at most half full */
		struct ledger_entry **old = lg->slot;
		size_t ocap = lg->cap;
		lg->cap *= 2;
		lg->slot = xcalloc(lg->cap, sizeof *lg->slot);
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				lg->slot[ledger_id_at(lg, old[i]->snap.id)] = old[i];
		free(old);
	}
	lg->slot[ledger_id_at(lg, le->snap.id)] = le;
}

static void id_del(struct ledger *lg, uint64_t id)
{
	size_t mask = lg->cap - 1;
	size_t i = ledger_id_at(lg, id);
	if (!lg->slot[i])
		return;
	lg->slot[i] = NULL;
	/* backward shift: move up each later entry of the run whose home is
	 * not between the hole and it */
	for (size_t j = (i + 1) & mask; lg->slot[j]; j = (j + 1) & mask) {
		size_t home = id_hash(lg->slot[j]->snap.id) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			lg->slot[i] = lg->slot[j];
			lg->slot[j] = NULL;
			i = j;
		}
	}
}

/* ---- entries ---------------------------------------------------------------------- */

/* The session's source name, one copy per distinct name (a file's
 * sessions share it); past LEDGER_SOURCES_MAX names, "". Every event asks
 * and nearly always for the name before: that one is tried first, the
 * loop's overhead saved. (By a kept length and memcmp it would be cheaper
 * still, but memcmp may read past the end of a shorter name: ASan.) */
static const char *intern(struct ledger *lg, const char *src)
{
	if (!src)
		return NULL;
	if (lg->last_src && !strcmp(src, lg->last_src))
		return lg->last_src;
	const char *in = NULL;
	for (size_t i = lg->nsources; i-- > 0 && !in;)
		if (!strcmp(lg->sources[i], src))
			in = lg->sources[i];
	if (!in && lg->nsources == LEDGER_SOURCES_MAX)
		in = "";
	if (!in) {
		lg->sources[lg->nsources] = xstrdup(src);
		in = lg->sources[lg->nsources++];
	}
	lg->last_src = in;
	return in;
}

static unsigned cls_of(const struct ledger_entry *le)
{
	if (le->kept)
		return LC_KEPT;
	if (le->pinned && !le->closed)
		return LC_PINNED;
	return le->closed ? (le->snap.flagged ? LC_CLOSED_FLAGGED : LC_CLOSED_CLEAN)
			  : (le->snap.flagged ? LC_OPEN_FLAGGED : LC_OPEN_CLEAN);
}

/* Onto the list of its class, if that changed. */
void ledger_reclass(struct ledger *lg, struct ledger_entry *le)
{
	if (cls_of(le) != le->cls) {
		ledger_list_del(lg, le);
		ledger_list_put(lg, le, cls_of(le));
	}
}

static void entry_release(struct ledger *lg, struct ledger_entry *le)
{
	if (lg->o.slots_only) {
		/* nothing but the id, the slots (let go and unpinned by
		 * ledger_slots_gone) and the flags ledger_entry_new sets again
		 * was written: no memset of the whole entry (728 bytes, most of
		 * it the empty snapshot) per session */
		le->prev = NULL;
		le->next = lg->free_list;
		lg->free_list = le;
		return;
	}
	ledger_transcript_free(lg, le);
	lg->mem -= le->cap_fx * sizeof *le->fx;
	if (le->cap_fx == 1)
		ledger_pool_give(&lg->pool_fx, le->fx);
	else
		free(le->fx);
	ledger_facts_free(lg, le);
	memset(le, 0, sizeof *le);
	le->next = lg->free_list;
	lg->free_list = le;
}

void ledger_drop(struct ledger *lg, struct ledger_entry *le)
{
	lg->st.sessions_evicted++;
	if (le->snap.flagged)
		lg->st.sessions_evicted_flagged++;
	if (!le->closed)
		lg->st.sessions_evicted_open++;
	/* its later events are late ones, not a new session's (ids only grow,
	 * but an entry is made at its first event of any kind) */
	if (le->snap.id > lg->max_evicted_id)
		lg->max_evicted_id = le->snap.id;
	ledger_entry_go(lg, le);
}

void ledger_entry_go(struct ledger *lg, struct ledger_entry *le)
{
	for (size_t i = 0; i < lg->nw; i++)
		lg->w[i].fn(lg->w[i].ctx, le);
	if (lg->has_readers)
		ledger_slots_gone(lg, le);
	if (le == lg->cur)
		lg->cur = NULL;
	if (le == lg->closing)
		lg->closing = NULL;
	ledger_list_del(lg, le);
	id_del(lg, le->snap.id);
	lg->st.held--;
	entry_release(lg, le);
}

/* A new entry struct, zeroed, from the slab being handed out. Entries
 * come LEDGER_SLAB at a time and go back only at ledger_free: a malloc
 * and a free per struct cost more than the struct's work in a ledger of
 * ids only, and the free ones stay on the free list to the end anyway. */
static struct ledger_entry *slab_take(struct ledger *lg)
{
	if (!lg->slab || lg->slab->used == LEDGER_SLAB) {
		/* not calloc: 23 KiB cleared at once is a `rep stosb` of a
		 * byte an instruction; an entry cleared as it is taken, 728
		 * bytes, is a few vector stores */
		struct ledger_slab *sl = xmalloc(sizeof *sl);
		sl->prev = lg->slab;
		sl->used = 0;
		lg->slab = sl;
	}
	struct ledger_entry *le = &lg->slab->e[lg->slab->used++];
	memset(le, 0, sizeof *le);
	return le;
}

/* A session with no entry yet: one is made (NULL: a late event). Out of
 * line: the lookup before it is made at every event and is inlined. */
__attribute__((noinline)) struct ledger_entry *ledger_entry_new(struct ledger *lg, const struct ev_session *es,
							      enum event_type type)
{
	struct ledger_entry *le;
	if (type != EV_SESSION_OPEN && es->id <= lg->max_evicted_id) {
		lg->st.events_for_evicted++;
		return NULL;
	}
	if (lg->st.held >= lg->o.sessions_max)
		ledger_evict_one(lg);
	(void)ledger_make_room(lg, ledger_entry_bytes(lg), NULL); /* kept even when nothing could go */
	if (lg->free_list) {
		le = lg->free_list;
		lg->free_list = le->next;
		le->next = NULL;
	} else {
		le = slab_take(lg);
		lg->st.entries_allocated++;
	}
	le->snap.id = es->id;
	le->seq = lg->next_seq++;
	le->closed = false;
	le->selected = true;
	le->quiet = false;
	id_put(lg, le);
	lg->st.held++;
	lg->st.sessions_seen++;
	ledger_list_put(lg, le, LC_OPEN_CLEAN);
	return le;
}

/* The session's entry, NULL when none. An event is often of the session
 * of the event before (a client's commands in one segment, a finding
 * after its transaction): that entry is tried first, the hash saved. */
static inline struct ledger_entry *entry_find(struct ledger *lg, uint64_t id)
{
	if (lg->cur && lg->cur->snap.id == id)
		return lg->cur;
	return lg->slot[ledger_id_at(lg, id)];
}

static inline struct ledger_entry *entry_get(struct ledger *lg, const struct ev_session *es,
					     enum event_type type)
{
	struct ledger_entry *le = entry_find(lg, es->id);
	return le ? le : ledger_entry_new(lg, es, type);
}

/* ---- transcripts and findings ------------------------------------------------------ */

static void add_finding(struct ledger *lg, struct ledger_entry *le, const struct finding *f)
{
	size_t cap = le->cap_fx;
	if (le->n_fx == cap) {
		/* from 1: a finding is 1 KiB, and most sessions with any have one
		 * (a notice such as cleartext-credentials) */
		cap = cap ? cap * 2 : 1;
		if (cap > lg->o.findings_per_session_max)
			cap = lg->o.findings_per_session_max;
	}
	size_t slots = (cap - le->cap_fx) * sizeof *le->fx; /* counted as allocated */
	if (le->n_fx >= lg->o.findings_per_session_max ||
	    (!ledger_make_room(lg, slots, le) && !(lg->o.findings_past_budget && f->sev != SEV_NOTICE))) {
		le->fx_dropped++;
		lg->st.findings_dropped++;
		return;
	}
	if (cap != le->cap_fx) {
		le->fx = le->cap_fx ? xrealloc(le->fx, cap * sizeof *le->fx)
			 : cap == 1 ? ledger_pool_take(&lg->pool_fx, sizeof *le->fx) : xmalloc(cap * sizeof *le->fx);
		le->cap_fx = cap;
		le->mem += slots;
		lg->mem += slots;
	}
	/* its evidence lines only (readers read n_ev of them): a finding is
	 * 1 KiB, most with one line, and most sessions have one, a notice */
	struct finding *d = &le->fx[le->n_fx++];
	unsigned nev = f->n_ev < FINDING_EVIDENCE_MAX ? f->n_ev : FINDING_EVIDENCE_MAX;
	memcpy(d, f, offsetof(struct finding, ev) + nev * sizeof f->ev[0]);
	d->n_ev = nev;
	d->ts_us = f->ts_us;
}

/* ---- events ----------------------------------------------------------------------- */

/* The session closed: a reader at the end of the run (ledger_opts) has it
 * kept whole, the first ones of each kind that it selects, and has no use
 * for the transcripts of the others. `es` is its final snapshot. */
static void on_close(struct ledger *lg, struct ledger_entry *le, const struct ev_session *es)
{
	le->selected = !lg->o.select || lg->o.select(lg->o.select_ctx, es);
	size_t *n = le->snap.flagged ? &lg->kept_flagged : &lg->kept_clean;
	size_t max = le->snap.flagged ? lg->o.keep_flagged : lg->o.keep_clean;
	if (le->selected && *n < max) {
		(*n)++;
		le->kept = true; /* cls_of: LC_KEPT, out of every eviction's reach */
	} else if (lg->o.drop_closed) {
		lg->closing = le;
	}
}

void ledger_each_open(const struct ledger *lg, ledger_gone_fn fn, void *ctx)
{
	/* three lists in seq order, merged: clean, flagged and pinned */
	const struct ledger_entry *at[3] = { lg->cls[LC_OPEN_CLEAN].head, lg->cls[LC_OPEN_FLAGGED].head,
					     lg->cls[LC_PINNED].head };
	for (;;) {
		int k = -1;
		for (int i = 0; i < 3; i++)
			if (at[i] && (k < 0 || at[i]->seq < at[k]->seq))
				k = i;
		if (k < 0)
			break;
		const struct ledger_entry *le = at[k];
		at[k] = le->next;
		if (!le->quiet)
			fn(ctx, le);
	}
}

/* slots_only: the id, whether it closed and (drop_closed) its going. */
static struct ledger_entry *apply_slots_only(struct ledger *lg, struct ledger_entry *le, const struct event *e)
{
	le->quiet = false;
	if (e->type == EV_SESSION_CLOSE && !le->closed) {
		le->closed = true;
		lg->closes++;
		on_close(lg, le, e->sess);
		ledger_reclass(lg, le);
	}
	return le;
}

static struct ledger_entry *apply(struct ledger *lg, const struct event *e, struct ledger_entry *le);

const struct ledger_entry *ledger_apply(struct ledger *lg, const struct event *e)
{
	if (!lg)
		return NULL;
	struct ledger_entry *le = NULL;
	if (e && e->type != EV_STATS && e->sess) {
		if (lg->closing) /* drop_closed: the sinks have rendered its close */
			ledger_entry_go(lg, lg->closing);
		if (lg->o.lazy_entries && (e->type == EV_SESSION_OPEN || e->type == EV_SESSION_UPDATE))
			; /* taken in by nothing: NULL, not even looked up */
		else if ((le = entry_get(lg, e->sess, e->type)))
			le = lg->o.slots_only ? apply_slots_only(lg, le, e) : apply(lg, e, le);
	}
	lg->cur = le;
	return le;
}

/* The event, to the session's entry le. Out of line: the lookup before it
 * is the part every ledger and event runs. */
static __attribute__((noinline)) struct ledger_entry *apply(struct ledger *lg, const struct event *e, struct ledger_entry *le)
{
	le->quiet = false;
	/* The command waiting for its reply: an update says which; a
	 * transaction or the close may have answered it; the other events
	 * carry none and leave it as it was. */
	if (e->type == EV_SESSION_OPEN || e->type == EV_FINDING) {
		/* the head but the wait, last in it: kept as it was */
		_Static_assert(sizeof(struct ev_session_head) - offsetof(struct ev_session_head, wait) <
				       sizeof(struct pop3_wait) + 8,
			       "ev_session_head: the wait last");
		memcpy(&le->snap, e->sess, offsetof(struct ev_session_head, wait));
	} else {
		memcpy(&le->snap, e->sess, sizeof le->snap); /* the head: ev_session begins with it */
		if (e->type != EV_SESSION_UPDATE)
			le->snap.wait.n = 0;
	}
	le->snap.source = intern(lg, e->sess->source);
	ledger_facts_put(lg, le, e->sess);
	switch (e->type) {
	case EV_TXN:
		if (e->txn)
			ledger_add_txn(lg, le, e->txn);
		break;
	case EV_FINDING:
		if (e->finding)
			add_finding(lg, le, e->finding);
		break;
	case EV_SESSION_CLOSE:
		if (!le->closed) {
			le->closed = true;
			lg->closes++;
			on_close(lg, le, e->sess);
		}
		break;
	default:
		break;
	}
	ledger_reclass(lg, le);
	size_t b = ledger_bytes(lg);
	if (b > lg->st.bytes_peak)
		lg->st.bytes_peak = b;
	return le;
}

void ledger_free(struct ledger *lg)
{
	if (!lg)
		return;
	for (size_t i = 0; i < lg->cap; i++)
		if (lg->slot[i]) {
			if (lg->has_readers)
				ledger_slots_gone(lg, lg->slot[i]);
			entry_release(lg, lg->slot[i]);
			/* entry_release put it on the free list: its slab freed below */
		}
	ledger_pool_fini(&lg->pool_rec);
	ledger_pool_fini(&lg->pool_rec2);
	for (size_t i = 0; i < LEDGER_FACTS_POOLS; i++)
		ledger_pool_fini(&lg->pool_facts[i]);
	ledger_pool_fini(&lg->pool_at);
	ledger_pool_fini(&lg->pool_fx);
	while (lg->slab) { /* every entry struct, the free list's too */
		struct ledger_slab *prev = lg->slab->prev;
		free(lg->slab);
		lg->slab = prev;
	}
	for (size_t i = 0; i < lg->nsources; i++)
		free((void *)(uintptr_t)lg->sources[i]);
	free(lg->slot);
	free(lg);
}
