/*
 * checks_priv.h - private to src/session: the per-session evidence the
 * rules read, shared by checks.c (lifecycle and dispatch), checks_fire.c
 * (findings and evidence), checks_stat.c (STAT and announced counts),
 * checks_listing.c (LIST/UIDL listings), checks_message.c (commands on one
 * message), checks_conform.c (protocol conformance and notices) and
 * account_store.c.
 */
#ifndef POP3MON_CHECKS_PRIV_H
#define POP3MON_CHECKS_PRIV_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "util.h"

#define CHECKS_MSG_MAX 100000 /* message numbers tracked per session */
#define CHECKS_ADDR_MAX 46    /* INET6_ADDRSTRLEN: the server address as text */

/* An evidence the checks keep for the session's later findings (the
 * first STAT's, each listing's), its line sized to it. A struct evidence
 * holds 160 bytes of line, and every session kept three whole (552 bytes)
 * for lines of 15-40 characters; on the heap, each was a realloc and a
 * free a session (~45 K allocator calls on the small bench shape). A line
 * that fits lives in inl, a longer one on the heap. */
#define KEPT_INLINE 48
struct kept_ev {
	uint64_t frame;
	uint64_t ts_us;
	uint64_t txn_index;
	char *heap;             /* owned: the line when it is KEPT_INLINE bytes or longer */
	char inl[KEPT_INLINE];  /* the line otherwise ("" when none kept yet) */
};

static inline void kept_set(struct kept_ev *k, const struct evidence *e)
{
	size_t n = strnlen(e->line, sizeof(e->line) - 1) + 1;
	k->frame = e->frame;
	k->ts_us = e->ts_us;
	k->txn_index = e->txn_index;
	char *dst = k->inl;
	if (n > sizeof(k->inl))
		dst = k->heap = xrealloc(k->heap, n);
	else if (k->heap) {
		free(k->heap);
		k->heap = NULL;
	}
	memcpy(dst, e->line, n - 1);
	dst[n - 1] = '\0';
}

static inline const char *kept_line(const struct kept_ev *k)
{
	return k->heap ? k->heap : k->inl;
}

/* The evidence as a finding carries it. */
static inline struct evidence kept_get(const struct kept_ev *k)
{
	struct evidence e = { .frame = k->frame, .ts_us = k->ts_us, .txn_index = k->txn_index };
	const char *line = kept_line(k);
	memcpy(e.line, line, strlen(line) + 1);
	return e;
}

#define CHECKS_ANN_MAX 4 /* announcements kept until STAT or LIST */
struct announced {
	struct announce a;
	struct evidence ev;
};

#define LISTING_FIRST 8 /* message numbers 0-7 */

/* One listing (LIST or UIDL without argument) as last seen. */
struct listing {
	bool have;
	bool complete;          /* terminated and not capped */
	uint32_t n;             /* entries */
	uint32_t max_num;
	uint64_t *size;         /* LIST: size by number (index num), UINT64_MAX = absent */
	uint64_t *uid;          /* UIDL: hash of the unique-id by number, 0 = absent */
	uint32_t cap;           /* entries allocated in size/uid */
	uint64_t sum;           /* LIST: sizes of every line, duplicates included */
	uint32_t dver;          /* the deleted set's version when it was seen */
	uint32_t ndel;          /* ...its size then */
	uint64_t deloct;        /* ...and the deleted octets then */
	struct kept_ev ev;
	/* size or uid while no number reaches LISTING_FIRST: most sessions
	 * list a few messages, and the heap array was a malloc and a free a
	 * listing (~20 K on the small bench shape) for as many bytes */
	uint64_t first[LISTING_FIRST];
};

struct checks {
	struct checks_opts o;
	struct account_store *store; /* borrowed */
	char server[CHECKS_ADDR_MAX];
	finding_fn fn;
	void *ctx;
	uint64_t fired;              /* one finding per rule per session */

	/* the TRANSACTION epoch */
	bool have_stat;
	uint64_t n0, s0;             /* first STAT */
	struct kept_ev stat_ev;
	bool rset_pending;           /* RSET +OK: next STAT/LIST must show (n0, s0) */
	uint8_t *deleted;            /* by message number, 1 = DELE +OK; owned */
	uint32_t deleted_cap;
	uint32_t n_deleted;
	uint32_t dver;               /* bumped by every DELE/RSET that changes D */
	uint64_t serial;             /* this session, for the account store */
	uint64_t deleted_octets;     /* sizes of deleted messages, when known */
	bool deleted_size_unknown;
	struct listing list, uidl;

	/* announcements in free text, compared when STAT is known: an array
	 * of as many as are kept (most sessions keep none or one, 224 bytes;
	 * room for CHECKS_ANN_MAX was 900 bytes in each of thousands of
	 * sessions at once), freed by the first STAT, which compares them */
	struct announced *ann;       /* owned, n_ann of them; NULL: none kept */
	unsigned n_ann;

	/* CAPA as last seen, and the state it was seen in */
	unsigned caps;
	enum pop3_state caps_state;
	bool caps_seen;
	unsigned stls_ok;            /* STLS +OK count */
	const struct pop3_conn_info *ci; /* borrowed: the session's facts, set by checks_txn */
};

/* checks_fire.c */
void checks_fire(struct checks *k, enum rule_id r, enum severity sev, const struct evidence *ev,
		 unsigned n_ev, uint64_t ts, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* The same with one transaction as the evidence. */
void checks_fire_txn(struct checks *k, enum rule_id r, enum severity sev, const struct pop3_txn *t,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void checks_evidence(struct evidence *e, const struct pop3_txn *t);
bool checks_trusted(const struct pop3_txn *t);

/* Small helpers of the maildrop rules, inline as they were when the rules
 * were one file. */
static inline const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The deleted set. */
static inline bool is_deleted(const struct checks *k, uint32_t n)
{
	return n < k->deleted_cap && k->deleted[n];
}

/* Grow a by-message-number array to hold index need, new slots set to fill.
 * The first allocation is the slots need takes, rounded up to 8, not a
 * fixed 64: a 10-message LIST keeps 128 bytes, not 512, in each of
 * thousands of sessions at once. A bigger one later doubles. */
static inline void grow(void **p, uint32_t *cap, uint32_t need, size_t elem, int fill)
{
	if (need < *cap)
		return;
	uint32_t ncap = *cap ? *cap * 2 : (need | 7) + 1;
	while (ncap <= need)
		ncap *= 2;
	*p = xrealloc(*p, ncap * elem);
	memset((char *)*p + *cap * elem, fill, (ncap - *cap) * elem);
	*cap = ncap;
}

/* The size LIST gave message n, UINT64_MAX when not known. */
static inline uint64_t listed_size(const struct checks *k, uint32_t n)
{
	if (!k->list.have || n >= k->list.cap)
		return UINT64_MAX;
	return k->list.size[n];
}

/* checks_stat.c */
void checks_on_stat(struct checks *k, const struct pop3_txn *t, bool login_seen);
/* A count announced in free text: judged now, or kept until STAT/LIST. */
void checks_announce_seen(struct checks *k, const struct pop3_txn *t, const char *what);
/* ev: the announcement's evidence, or NULL to build it from t if a
 * finding needs it. */
void checks_announce_compare(struct checks *k, const struct announce *a, const struct evidence *ev,
			     const struct pop3_txn *t, const char *what);

/* checks_listing.c */
void checks_on_listing(struct checks *k, const struct pop3_txn *t, bool uidl, bool login_seen);
/* A complete listing against STAT after the deleted set it was sent under. */
void checks_compare_listing(struct checks *k, bool uidl);

/* checks_message.c */
void checks_on_single_listing(struct checks *k, const struct pop3_txn *t, bool login_seen);
void checks_on_message_cmd(struct checks *k, const struct pop3_txn *t, bool login_seen);

/* checks_conform.c */
void checks_conformance(struct checks *k, const struct pop3_txn *t, const struct pop3_conn_info *ci);

/* account_store.c: facts carried across sessions of one account. */
uint64_t account_uid_hash(const char *uid, size_t len);
/* An account (user on server) as the store keys it: made once for a listing. */
uint64_t account_key(const struct account_store *s, const char *server, const char *user);
/* Record uid -> size; returns true and *old when the uid had another size. */
bool account_uid_size(struct account_store *s, uint64_t account, uint64_t uid, uint64_t size,
		      uint64_t session, uint64_t *old);
uint64_t account_next_serial(struct account_store *s);
/* A session of this account ended without QUIT after DELEs: remember it. */
void account_note_unquit_deletes(struct account_store *s, const char *server, const char *user,
				 uint64_t n0, uint64_t s0, uint32_t n_deleted, uint64_t del_octets,
				 const struct evidence *ev);
/* A new session's first STAT: did the unquit session's DELEs take effect?
 * Returns true (and the earlier evidence) when they did. */
bool account_check_unquit_deletes(struct account_store *s, const char *server, const char *user,
				  uint64_t n, uint64_t octets, struct evidence *earlier,
				  uint32_t *n_deleted);

#endif
