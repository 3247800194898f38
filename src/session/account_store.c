/*
 * account_store.c - what pop3mon remembers across sessions of one account
 * (server + user): unique-id -> size (RFC 1939 s7: a unique-id names the
 * same message for ever), and the DELEs of sessions that ended without
 * QUIT (s6: those must not take effect).
 *
 * Both are fixed-size: the uid table is open-addressed with a probe window
 * of 8 slots, and when a window is full its least recently used slot is
 * overwritten (counted). No allocation after start-up, O(1) per lookup.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "checks_priv.h"
#include "util.h"

#define PROBE 8
#define UNQUIT_MAX 1024
#define UNQUIT_FILTER 4096

struct uid_slot {
	uint64_t key;    /* hash of (server, user, uid); 0 = empty */
	uint64_t size;
	uint64_t stamp;
	uint64_t session;  /* who recorded it: a repeat within one session is not "across" */
};

struct unquit {
	uint64_t n0, s0, del_octets, stamp;
	uint32_t n_deleted;
	struct evidence ev;
};

/* The uid table is large (2 M slots, 64 MiB by default) and filled at
 * random places: a slot on a page never written is known empty without
 * reading it. Read first, such a page is mapped to the kernel's zero page,
 * and the write that follows copies it and flushes the TLB on every core
 * the process runs on (an interrupt to the other threads, a few
 * microseconds each time). One bit per page of slots says which were
 * written. */
#define UID_PAGE_SLOTS (4096 / sizeof(struct uid_slot))

struct account_store {
	struct uid_slot *uids;
	size_t mask;
	uint64_t *written;            /* a bit per UID_PAGE_SLOTS slots */
	/* Every STAT looks its account up here: the hashes (of server, user;
	 * 0 = empty) are kept apart so that is an 8 KiB scan, not 1024 cache
	 * lines of evidence. */
	uint64_t unq_acct[UNQUIT_MAX];
	/* Live entries per low 12 bits of the hash: most STATs are of accounts
	 * with none, and learn it from one counter instead of the scan. */
	uint16_t unq_live[UNQUIT_FILTER];
	struct unquit unq[UNQUIT_MAX];
	uint64_t clock, evicted, serial;
	uint8_t seed[16];
};

static const uint8_t uid_key[16] = "pop3mon-uid-key";

uint64_t account_uid_hash(const char *uid, size_t len)
{
	return siphash13(uid, len, uid_key);
}

struct account_store *account_store_new(const struct checks_opts *o)
{
	struct account_store *s = xcalloc(1, sizeof(*s));
	size_t want = o->uids_per_account_max ? o->uids_per_account_max : (1u << 20);
	size_t cap = 1024;
	while (cap < want * 2)
		cap *= 2;
	s->uids = xcalloc(cap, sizeof(*s->uids));
	s->mask = cap - 1;
	s->written = xcalloc((cap / UID_PAGE_SLOTS + 63) / 64, sizeof(*s->written));
	if (!o->random_seed || getrandom(s->seed, sizeof(s->seed), 0) != (ssize_t)sizeof(s->seed))
		memcpy(s->seed, uid_key, sizeof(s->seed));
	return s;
}

void account_store_free(struct account_store *s)
{
	if (!s)
		return;
	free(s->uids);
	free(s->written);
	free(s);
}

uint64_t account_store_evicted(const struct account_store *s)
{
	return s->evicted;
}

uint64_t account_key(const struct account_store *s, const char *server, const char *user)
{
	char buf[CHECKS_ADDR_MAX + POP3_ARGS_MAX + 2];
	size_t a = strlen(server), b = strlen(user);
	if (a > CHECKS_ADDR_MAX)
		a = CHECKS_ADDR_MAX;
	if (b > POP3_ARGS_MAX)
		b = POP3_ARGS_MAX;
	memcpy(buf, server, a);
	buf[a] = '\n';
	memcpy(buf + a + 1, user, b);
	uint64_t h = siphash13(buf, a + 1 + b, s->seed);
	return h ? h : 1;
}

uint64_t account_next_serial(struct account_store *s)
{
	return ++s->serial;
}

static bool page_written(const struct account_store *s, size_t at)
{
	size_t page = at / UID_PAGE_SLOTS;
	return s->written[page / 64] >> (page % 64) & 1;
}

static void page_mark_written(struct account_store *s, size_t at)
{
	size_t page = at / UID_PAGE_SLOTS;
	s->written[page / 64] |= 1ull << (page % 64);
}

bool account_uid_size(struct account_store *s, uint64_t account, uint64_t uid, uint64_t size,
		      uint64_t session, uint64_t *old)
{
	uint64_t in[2] = { account, uid };
	uint64_t key = siphash13(in, sizeof(in), s->seed);
	key = key ? key : 1;
	struct uid_slot *victim = &s->uids[key & s->mask];
	s->clock++;
	for (size_t i = 0; i < PROBE; i++) {
		size_t at = (key + i) & s->mask;
		struct uid_slot *sl = &s->uids[at];
		if (!page_written(s, at)) {
			victim = sl; /* empty, as an unread slot below */
			break;
		}
		if (sl->key == key) {
			sl->stamp = s->clock;
			bool changed = sl->size != size && sl->session != session;
			if (changed)
				*old = sl->size;
			sl->size = size; /* report once per change */
			sl->session = session;
			return changed;
		}
		if (!sl->key) {
			/* Slots are never emptied and a uid goes into the first
			 * empty one of its window: it is not further on. */
			victim = sl;
			break;
		}
		if (sl->stamp < victim->stamp)
			victim = sl;
	}
	size_t vat = (size_t)(victim - s->uids);
	if (page_written(s, vat) && victim->key) /* not read on a fresh page */
		s->evicted++;
	page_mark_written(s, vat);
	victim->key = key;
	victim->size = size;
	victim->stamp = s->clock;
	victim->session = session;
	return false;
}

void account_note_unquit_deletes(struct account_store *s, const char *server, const char *user,
				 uint64_t n0, uint64_t s0, uint32_t n_deleted, uint64_t del_octets,
				 const struct evidence *ev)
{
	uint64_t a = account_key(s, server, user);
	size_t at = 0;
	for (size_t i = 0; i < UNQUIT_MAX; i++) {
		if (s->unq_acct[i] == a || s->unq_acct[i] == 0) {
			at = i;
			break;
		}
		if (s->unq[i].stamp < s->unq[at].stamp)
			at = i;
	}
	struct unquit *slot = &s->unq[at];
	if (s->unq_acct[at]) {
		s->evicted += s->unq_acct[at] != a;
		s->unq_live[s->unq_acct[at] % UNQUIT_FILTER]--;
	}
	s->unq_acct[at] = a;
	s->unq_live[a % UNQUIT_FILTER]++;
	slot->n0 = n0;
	slot->s0 = s0;
	slot->n_deleted = n_deleted;
	slot->del_octets = del_octets;
	slot->ev = *ev;
	slot->stamp = ++s->clock;
}

bool account_check_unquit_deletes(struct account_store *s, const char *server, const char *user,
				  uint64_t n, uint64_t octets, struct evidence *earlier,
				  uint32_t *n_deleted)
{
	uint64_t a = account_key(s, server, user);
	if (!s->unq_live[a % UNQUIT_FILTER])
		return false;
	for (size_t i = 0; i < UNQUIT_MAX; i++) {
		struct unquit *u = &s->unq[i];
		if (s->unq_acct[i] != a)
			continue;
		s->unq_acct[i] = 0; /* judged once: the next session is the one that shows it */
		s->unq_live[a % UNQUIT_FILTER]--;
		/* Gone exactly as marked: count and (when known) size both match. */
		bool gone = n + u->n_deleted == u->n0 &&
			    (u->del_octets == UINT64_MAX || octets + u->del_octets == u->s0);
		if (gone) {
			*earlier = u->ev;
			*n_deleted = u->n_deleted;
		}
		return gone;
	}
	return false;
}
