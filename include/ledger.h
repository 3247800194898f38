/*
 * ledger.h - the session ledger: the one bounded store of session state
 * that sinks read (src/events/ledger*.c).
 *
 * The bus that carries a ledger (event_bus.ledger) applies each event to
 * it once, before its sinks render the event, on the thread that runs
 * those sinks (the sinks' thread, or the caller's when none runs), so a
 * sink reads the ledger with no lock. A session's entry holds its latest
 * snapshot (the struct ev_session of its latest event, by value: the head
 * in place, the POP3 facts with their texts cut to their strings;
 * ledger_snapshot() gives the whole struct back; `source` interned, never
 * borrowed), its kept transcript (raw wire text: each sink sanitises or
 * escapes as it renders) and its findings.
 *
 * One memory budget (bytes_max, --ui-memory) counts every entry (with the
 * bytes each reader keeps per entry, row_bytes), transcripts and findings.
 * When a new session or line would take the ledger past it, room is made
 * in this order, the oldest first within each step, down to 7/8 of the
 * budget so one scan serves many arrivals:
 *   1. the transcripts of closed clean sessions (the entry stays);
 *   2. closed clean sessions, whole;
 *   3. the transcripts of open clean sessions (they add no more lines);
 *   4. the transcripts of closed flagged sessions;
 *   5. closed flagged sessions, whole.
 * Open sessions and open flagged sessions' transcripts are never touched
 * by the budget; the sessions_max count cap drops the oldest closed clean
 * session (else closed, else the oldest open one). Everything dropped is
 * counted in struct ledger_stats.
 *
 * A reader that renders at the end of the run (the text report) asks for
 * more through struct ledger_opts: the first keep_flagged (keep_clean)
 * sessions that close flagged (clean) and that its select() takes are
 * kept whole to the end (on a list neither the budget nor the count cap
 * visits); the other sessions go as they close (after the sinks have seen
 * the close: at the next event; a later event of the same id makes a new
 * entry); an entry is made only when a session first says something
 * (lazy_entries); and an open session's transcript is never freed for the budget (its later
 * lines are refused instead), so what is shown of a session is its first
 * lines. The dashboard, which shows what is there now, asks for none of it.
 *
 * Ids: entries are found by session id in a hash table and, once dropped,
 * go to a free list that the next session takes, so a run of months
 * holds at most sessions_max entries and never allocates more.
 *
 * Readers' slots: a reader that keeps data of its own per session (the
 * JSON writer: the lines it holds for a session its filter cannot decide
 * yet, the escaped flow fields of its records) keeps it in the session's
 * entry (ledger_reader_add, ledger_set_slot) instead of a map of its own,
 * and is told when the entry goes. A slot may pin its entry: what it holds
 * cannot be made again (held lines), so the count cap never drops the
 * entry while it is open, nor the budget its transcript (LC_PINNED,
 * ledger_priv.h; the cap may then be passed). A reader that needs its entry before the session says anything
 * (a lazy ledger makes none at the open) has one made (ledger_make): such
 * an entry is `quiet` until the session's first transaction, finding or
 * close, and ledger_each_open does not show it. A reader that renders each
 * event as it comes needs nothing else: slots_only keeps no snapshot,
 * transcript or finding (main.c gives the JSON writer such a ledger when
 * the report's is not on its bus).
 */
#ifndef POP3MON_LEDGER_H
#define POP3MON_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Defaults for struct ledger_opts (the dashboard's, since it first kept
 * sessions under a budget: UI_* in src/ui/ui_model.h are these). */
/* 8,000: a SYN flood fills the count cap with open sessions, which the
 * budget never drops; at about 0.9 KiB each (entry and dashboard row) the
 * dashboard peaked at 64.8 MiB with 10,000, over the 64 MiB bound. */
#define LEDGER_SESSIONS_MAX 8000
#define LEDGER_TXNS_PER_SESSION_MAX 500   /* transcript lines kept per session (the first ones) */
#define LEDGER_FINDINGS_PER_SESSION_MAX 64
#define LEDGER_ENTRIES_PER_TXN_MAX 200    /* LIST/UIDL entries kept per reply (the first ones) */
#define LEDGER_BYTES_MAX ((size_t)12 << 20)
#define LEDGER_ALLOC_OVERHEAD 16          /* counted per allocation: malloc's header and rounding */
#define LEDGER_SOURCES_MAX 256            /* distinct source names interned; then "" */

struct ledger_opts {
	size_t bytes_max;               /* the budget */
	size_t sessions_max;
	size_t txns_per_session_max;
	size_t findings_per_session_max;
	size_t entries_per_txn_max;
	size_t row_bytes;               /* kept per entry by its readers, counted in the budget */
	/* For a reader that renders at the end of the run (the report); all
	 * zero for the dashboard. */
	size_t keep_flagged;            /* the first N sessions to close flagged and selected: kept whole */
	size_t keep_clean;              /* ... clean and selected (report -v) */
	bool drop_closed;               /* a session not kept goes once its close is rendered */
	bool keep_open_transcripts;     /* the budget never frees an open one: later lines are refused */
	bool findings_past_budget;      /* an error or warning is kept when the budget cannot make room */
	/* Open and update events are not applied: an entry is made at the
	 * session's first transaction, finding or close, so sessions that
	 * open and say nothing (a SYN flood's) cost the reader nothing. */
	bool lazy_entries;
	/* Which sessions the reader shows (the report's --only-flagged, --rule,
	 * --server, --user): asked once per session, at its close, with its
	 * final snapshot; the answer is ledger_entry.selected. NULL: all. */
	bool (*select)(void *ctx, const struct ev_session *s);
	void *select_ctx;
	/* Ids and readers' slots only: no snapshot (le->snap.id and closed
	 * aside), transcript or finding is copied in. */
	bool slots_only;
};
void ledger_opts_default(struct ledger_opts *o);

/* One transaction of a transcript, as ledger_tx() unpacks it: a
 * pop3_txn's shown fields, wire text as it came (sanitised by whoever
 * shows it). The entry keeps its transactions packed (ledger_txn.c);
 * args, text, entries and uids point into the entry's storage, valid
 * until the next event is applied to the ledger. */
struct ledger_txn {
	uint64_t index;
	enum pop3_cmd cmd;
	char keyword[POP3_KEYWORD_MAX + 1];
	bool secret;
	bool has_args;                 /* a command with arguments (they may be "") */
	enum pop3_status status;
	char code[32];
	const char *args;              /* "" when none */
	const char *text;
	uint64_t req_frame, req_ts_us, rep_frame, rep_ts_us, end_frame, end_ts_us;
	bool multiline, terminated;
	uint64_t data_lines, data_octets;
	uint32_t flags;                /* POP3_TF_* */
	uint32_t n_entries_seen;       /* as in the event */
	uint32_t n_entries;            /* kept */
	const struct pop3_entry *entries; /* uid_off/uid_len into uids */
	const char *uids;              /* not NUL-terminated, NULL when none */
};

#define LEDGER_READERS_MAX 2 /* the --json writer and --publish's */

struct ledger_entry {
	/* The latest snapshot: its head by value (snap.source interned), and
	 * the rest (the POP3 facts, user, banner, sensor) packed in `facts`,
	 * sized to what the texts hold: a whole ev_session is 1.8 KiB, most of
	 * it empty text, and open sessions are never dropped for the budget. */
	struct ev_session_head snap;
	uint8_t *facts;                /* owned */
	uint32_t facts_len, facts_cap;
	uint64_t seq;                  /* order of arrival */
	void *slot[LEDGER_READERS_MAX]; /* each reader's own (ledger_reader_add); NULL: nothing */
	bool closed;
	bool selected;                 /* select() took it at its close (true while open) */
	bool kept;                     /* closed, kept whole to the end (keep_flagged, keep_clean) */
	bool transcript_evicted;       /* freed for the budget; no more lines are kept */
	bool listings;                 /* a kept line has a listing's copies */
	bool quiet;                    /* made by ledger_make, the session has said nothing yet */
	uint8_t pinned;                /* a bit per reader whose slot pins it (ledger_set_slot) */
	uint8_t cls;                   /* the ledger's: its class list (with prev, next) */
	uint16_t facts_lu, facts_lb, facts_ls; /* the lengths of the texts in facts */
	/* The transcript: n_tx transactions kept (the first ones), packed one
	 * after another in rec, each starting at tx_at[i]; ledger_tx() reads one. */
	uint8_t *rec;                  /* owned */
	size_t rec_len, rec_cap;
	uint32_t *tx_at;               /* owned */
	size_t n_tx, cap_tx;
	uint64_t tx_dropped;           /* not kept: per-session cap or the budget */
	struct finding *fx;            /* owned, n_fx kept (the first ones) */
	size_t n_fx, cap_fx;
	uint64_t fx_dropped;
	size_t mem;                    /* transcript and findings bytes, slots included */
	struct ledger_entry *prev, *next; /* the ledger's: its place in its class list */
};

/* What the budget and the caps dropped, and what is held. */
struct ledger_stats {
	uint64_t sessions_seen;
	uint64_t sessions_evicted;         /* of which: */
	uint64_t sessions_evicted_flagged; /* ...had a warning or error */
	uint64_t sessions_evicted_open;    /* ...were still open */
	uint64_t transcripts_evicted;      /* transcripts freed for the budget */
	uint64_t txns_dropped;             /* transcript lines not kept (caps, budget) */
	uint64_t findings_dropped;
	uint64_t entries_dropped;          /* LIST/UIDL entries not kept */
	uint64_t events_for_evicted;       /* late events for a dropped session, ignored */
	uint64_t entries_allocated;        /* entry structs ever made (the rest were reused) */
	size_t held;                       /* sessions held now */
	size_t bytes, bytes_peak;          /* the budget's count */
};

struct ledger;

struct ledger *ledger_new(const struct ledger_opts *o);   /* NULL: defaults */
void ledger_free(struct ledger *lg);

/* Apply one event (the bus calls it before its sinks). Returns the
 * session's entry, NULL for stats events, for late events of a session
 * the ledger dropped, and (lazy_entries) for open and update events,
 * which it does not take in. */
const struct ledger_entry *ledger_apply(struct ledger *lg, const struct event *e);

const struct ledger_entry *ledger_find(const struct ledger *lg, uint64_t id);
/* Warm the caches for an event of session id a few events on (each is a
 * miss on the table and on the entry otherwise): stage 0 its table slot,
 * 1 the entries there, 2 the whole entry and the readers' slots. Only
 * reads and prefetches; each stage an event or two after the one before. */
void ledger_prefetch(const struct ledger *lg, uint64_t id, int stage);
/* The entry's latest snapshot, whole. */
void ledger_snapshot(const struct ledger_entry *le, struct ev_session *out);
/* Its i-th kept transaction (i < le->n_tx). */
void ledger_tx(const struct ledger_entry *le, size_t i, struct ledger_txn *out);
void ledger_get_stats(const struct ledger *lg, struct ledger_stats *st);
/* The same as the stats event carries them (struct ledger_counts, the
 * STAT_LEDGER entries of include/stats.def), enabled set. */
void ledger_counts(const struct ledger *lg, struct ledger_counts *out);
size_t ledger_bytes(const struct ledger *lg);
/* A new budget: met as the next session or line asks for room. */
void ledger_set_bytes_max(struct ledger *lg, size_t bytes_max);

/* A reader that keeps something per entry is told before an entry goes
 * whole (budget or count cap); the entry is still readable in the call. */
typedef void (*ledger_gone_fn)(void *ctx, const struct ledger_entry *le);
#define LEDGER_WATCHERS_MAX 4
void ledger_watch(struct ledger *lg, ledger_gone_fn fn, void *ctx);

/* The open sessions, oldest first (a reader at the end of the run: those
 * never closed), quiet ones left out. fn must not apply events to the ledger. */
void ledger_each_open(const struct ledger *lg, ledger_gone_fn fn, void *ctx);

/* ---- readers' slots ---- */

/* A reader's slot is being let go (its entry goes: evicted, dropped after
 * its close, or the ledger or the reader ends): free what it holds. */
typedef void (*ledger_slot_gone_fn)(void *ctx, void *slot);
/* A reader with a slot in every entry: its index, -1 when
 * LEDGER_READERS_MAX readers have one. */
int ledger_reader_add(struct ledger *lg, ledger_slot_gone_fn gone, void *ctx);
/* The reader goes before the ledger: gone for each slot it holds (none
 * is pinned after), and its index is free. */
void ledger_reader_end(struct ledger *lg, int reader);
/* The entry the last ledger_apply returned (a reader on the bus that
 * applied the event reads its session's entry with no lookup); NULL when
 * it returned NULL. Valid until the next event is applied. */
const struct ledger_entry *ledger_current(const struct ledger *lg);
/* The session's entry, made (quiet) when the ledger has none: a lazy
 * ledger at the session's open. NULL when the ledger refuses the session
 * (it dropped it: a late event). */
const struct ledger_entry *ledger_make(struct ledger *lg, const struct ev_session *s);
/* Set a reader's slot of an entry; pin: what it holds must not be
 * dropped with the entry while the session is open (see above). */
void ledger_set_slot(struct ledger *lg, const struct ledger_entry *le, int reader, void *v, bool pin);

#endif
