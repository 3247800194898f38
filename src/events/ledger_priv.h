/*
 * ledger_priv.h - what the ledger's files share: ledger.c (the id table,
 * entries, applying events), ledger_budget.c (the class lists, the budget
 * and the eviction order of ledger.h), ledger_txn.c (a transcript,
 * packed) and ledger_slots.c (readers' slots).
 */
#ifndef POP3MON_LEDGER_PRIV_H
#define POP3MON_LEDGER_PRIV_H

#include "ledger.h"

/* An entry's class: which eviction list it is on. Open sessions are
 * never dropped by the budget (only by the count cap); kept ones
 * (keep_flagged, keep_clean) and open pinned ones (a reader's slot holds
 * what cannot be made again: ledger_set_slot) by neither. */
enum ledger_cls {
	LC_OPEN_CLEAN, LC_OPEN_FLAGGED, LC_CLOSED_CLEAN, LC_CLOSED_FLAGGED, LC_KEPT, LC_PINNED, LC__COUNT
};

struct ledger_list {
	struct ledger_entry *head, *tail; /* oldest (lowest seq) first */
};

/*
 * Buffers of a session's first sizes (a transcript's first REC_FIRST
 * bytes and the twice as many it grows to, AT_FIRST index slots, the
 * first finding's slot), kept when an entry lets them go and given to
 * the next entry that asks for one of that size. A reader that drops
 * each session as it closes (the report) made and freed three or four of
 * them a session. An entry holds exactly what it counts in the budget,
 * as before; the pools, at most LEDGER_POOL_MAX buffers each (about
 * 650 KB), are all they add. (Entries that kept
 * their buffers for the next session instead held more than they used,
 * a finding's kilobyte before any finding: the small bench shape's peak
 * grew 3.7 MiB.)
 */
#define LEDGER_POOL_MAX 256
/* And a session's facts (ledger.c facts_put), by their capacity, a
 * multiple of 32: one pool for each from LEDGER_FACTS_POOL_FROM (the
 * smallest, no texts) up, at most LEDGER_FACTS_POOL_MAX buffers each
 * (about 140 KB in all). */
#define LEDGER_FACTS_POOL_FROM 160
#define LEDGER_FACTS_POOLS 8
#define LEDGER_FACTS_POOL_MAX 64
struct ledger_pool {
	void *b[LEDGER_POOL_MAX];
	size_t n;
};

/* Entry structs, made LEDGER_SLAB at a time (ledger.c slab_take). */
#define LEDGER_SLAB 32
struct ledger_slab {
	struct ledger_slab *prev;
	size_t used;
	struct ledger_entry e[LEDGER_SLAB];
};

struct ledger_watcher {
	ledger_gone_fn fn;
	void *ctx;
};

struct ledger_reader {
	ledger_slot_gone_fn gone; /* NULL: the index is free */
	void *ctx;
};

struct ledger {
	struct ledger_opts o;
	/* id -> entry: open addressing, linear probing, deletion by backward
	 * shift (no tombstones, so a long run's churn never fills it) */
	struct ledger_entry **slot;
	size_t cap;                       /* power of two */
	struct ledger_list cls[LC__COUNT];
	struct ledger_entry *free_list;   /* dropped entries, reused (next) */
	struct ledger_slab *slab;         /* where entry structs come from (the newest; prev) */
	struct ledger_pool pool_rec, pool_rec2, pool_at, pool_fx; /* see struct ledger_pool */
	struct ledger_pool pool_facts[LEDGER_FACTS_POOLS];
	uint64_t next_seq;
	uint64_t max_evicted_id;
	uint64_t closes;                  /* sessions closed so far */
	size_t kept_flagged, kept_clean;  /* entries kept whole (keep_flagged, keep_clean) */
	struct ledger_entry *closing;     /* drop_closed: goes at the next event (its close is being rendered) */
	uint64_t budget_dry_at;           /* closes when the budget last found nothing to free, +1 */
	size_t mem;                       /* transcripts and findings */
	struct ledger_stats st;
	const char *sources[LEDGER_SOURCES_MAX]; /* interned, owned */
	const char *last_src;             /* the one the last event had */
	size_t nsources;
	struct ledger_watcher w[LEDGER_WATCHERS_MAX];
	size_t nw;
	struct ledger_reader rd[LEDGER_READERS_MAX];
	bool has_readers;                 /* any rd[] taken: entries' slots are looked at when they go */
	struct ledger_entry *cur;         /* what the last ledger_apply returned */
};

/* ledger_pool.c */
void *ledger_pool_take(struct ledger_pool *p, size_t size);
void ledger_pool_give(struct ledger_pool *p, void *b);
void ledger_pool_fini(struct ledger_pool *p);

/* ledger_budget.c */
void ledger_list_put(struct ledger *lg, struct ledger_entry *le, unsigned cls);
void ledger_list_del(struct ledger *lg, struct ledger_entry *le);
/* Make room for `need` more bytes, never at `keep`'s expense. False when
 * nothing more can be freed: the caller drops what it wanted to add.
 * Inline: it is asked at every line and the answer is nearly always yes. */
bool ledger_make_room_slow(struct ledger *lg, size_t need, const struct ledger_entry *keep);
static inline bool ledger_make_room(struct ledger *lg, size_t need, const struct ledger_entry *keep)
{
	if (lg->mem + lg->st.held * (sizeof(struct ledger_entry) + lg->o.row_bytes) + need <= lg->o.bytes_max)
		return true;
	return ledger_make_room_slow(lg, need, keep);
}
/* The count cap: drop one session (see ledger.h). */
void ledger_evict_one(struct ledger *lg);

/* ledger_txn.c: a transcript, packed */
void ledger_add_txn(struct ledger *lg, struct ledger_entry *le, const struct pop3_txn *t);
void ledger_transcript_free(struct ledger *lg, struct ledger_entry *le);

/* ledger.c */
size_t ledger_id_at(const struct ledger *lg, uint64_t id); /* the table slot of id, or the empty one it would take */
/* A new entry for es (a late event's session: NULL), as ledger_apply makes it. */
struct ledger_entry *ledger_entry_new(struct ledger *lg, const struct ev_session *es, enum event_type type);
void ledger_reclass(struct ledger *lg, struct ledger_entry *le); /* onto its class's list, if that changed */
void ledger_drop(struct ledger *lg, struct ledger_entry *le); /* whole: watchers told, counted */
void ledger_entry_go(struct ledger *lg, struct ledger_entry *le); /* the same, not counted as evicted */
size_t ledger_entry_bytes(const struct ledger *lg);

/* ledger_slots.c */
void ledger_slots_gone(struct ledger *lg, struct ledger_entry *le); /* each reader lets go; unpinned */

/* ledger_facts.c: the snapshot past its head, packed in le->facts (kept
 * as the texts are when they did not change), and freed. */
void ledger_facts_put(struct ledger *lg, struct ledger_entry *le, const struct ev_session *es);
void ledger_facts_free(struct ledger *lg, struct ledger_entry *le);

#endif
