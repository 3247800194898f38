/*
 * checks_listing.c - the rules on LIST and UIDL listings (no argument):
 * kept by message number, their numbering, unique-ids, agreement with each
 * other and with STAT after the deleted set, and unique-id sizes across
 * sessions of one account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks_priv.h"
#include "util.h"

/* ---- listings ------------------------------------------------------------ */

/* LIST and UIDL must enumerate the same messages (when D did not change between them). */
static void compare_list_uidl(struct checks *k)
{
	if (!k->list.have || !k->list.complete || !k->uidl.have || !k->uidl.complete ||
	    k->list.dver != k->uidl.dver)
		return;
	uint32_t cap = k->list.cap < k->uidl.cap ? k->uidl.cap : k->list.cap;
	for (uint32_t n = 0; n < cap; n++) {
		bool in_l = n < k->list.cap && k->list.size[n] != UINT64_MAX;
		bool in_u = n < k->uidl.cap && k->uidl.uid[n] != 0;
		if (in_l != in_u) {
			struct evidence e2[2] = { kept_get(&k->list.ev), kept_get(&k->uidl.ev) };
			checks_fire(k, R_LIST_UIDL_NUMBERS, SEV_ERROR, e2, 2, e2[1].ts_us,
				    "message %u is listed by %s but not by %s", n,
				    in_l ? "LIST" : "UIDL", in_l ? "UIDL" : "LIST");
			return;
		}
	}
}

void checks_compare_listing(struct checks *k, bool uidl)
{
	struct listing *l = uidl ? &k->uidl : &k->list;
	if (!k->have_stat || !l->have || !l->complete)
		return;
	const char *name = uidl ? "UIDL" : "LIST";
	/* Judge the listing against the deleted set as it was when it was sent. */
	uint64_t exp_n = k->n0 - l->ndel;
	uint64_t sum = l->sum, exp_s = k->s0 - l->deloct;
	uint64_t diff = sum > exp_s ? sum - exp_s : exp_s - sum;
	bool octets_bad = !uidl && !k->deleted_size_unknown && diff > k->o.octets_tolerance;
	if (l->n == exp_n && !octets_bad)
		return;
	struct evidence e[2] = { kept_get(&k->stat_ev), kept_get(&l->ev) };
	if (l->n != exp_n) {
		if (k->rset_pending)
			checks_fire(k, R_RSET_NOT_RESTORED, SEV_ERROR, e, 2, l->ev.ts_us,
				    "after RSET, %s listed %u %s; the session began with %llu", name,
				    l->n, plural(l->n, "message", "messages"), (unsigned long long)k->n0);
		else
			checks_fire(k, uidl ? R_STAT_UIDL_COUNT : R_STAT_LIST_COUNT, SEV_ERROR, e, 2,
				    l->ev.ts_us, "STAT said %llu %s (%llu octets)%s; %s listed %u",
				    (unsigned long long)exp_n, plural(exp_n, "message", "messages"),
				    (unsigned long long)(k->s0 - l->deloct),
				    l->ndel ? " after DELE" : "", name, l->n);
	}
	if (octets_bad)
		checks_fire(k, R_STAT_LIST_OCTETS, SEV_ERROR, e, 2, l->ev.ts_us,
			    "STAT said %llu octets; LIST sizes add up to %llu (%llu %s)",
			    (unsigned long long)exp_s, (unsigned long long)sum,
			    (unsigned long long)diff, sum < exp_s ? "fewer" : "more");
}

static void check_numbers(struct checks *k, const struct pop3_txn *t, struct listing *l,
			  const char *name, bool login_seen, const struct evidence *ev)
{
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		if (e->flags & POP3_LE_BADNUM) {
			checks_fire(k, R_LISTING_NUMBERS, SEV_ERROR, ev, 1, ev->ts_us,
				    "%s line %u does not start with a decimal message number", name,
				    i + 1);
			return;
		}
		if (e->num == 0) {
			checks_fire(k, R_LISTING_NUMBERS, SEV_ERROR, ev, 1, ev->ts_us,
				    "%s numbered a message 0 (message numbers start at 1)", name);
			return;
		}
		if (is_deleted(k, e->num)) {
			checks_fire(k, R_DELE_NOT_APPLIED, SEV_ERROR, ev, 1, ev->ts_us,
				    "message %u was deleted (DELE +OK) but %s still lists it", e->num,
				    name);
			return;
		}
		if (login_seen && k->have_stat && e->num > k->n0) {
			checks_fire(k, R_LISTING_NUMBERS, SEV_ERROR, ev, 1, ev->ts_us,
				    "%s listed message %u but STAT said %llu %s", name, e->num,
				    (unsigned long long)k->n0, plural(k->n0, "message", "messages"));
			return;
		}
	}
	/* duplicates and holes, over the numbers kept */
	uint32_t seen = 0;
	for (uint32_t n = 1; n < l->cap; n++) {
		bool present = l->uid ? l->uid[n] != 0 : l->size[n] != UINT64_MAX;
		if (present)
			seen++;
	}
	if (seen != l->n) {
		checks_fire(k, R_LISTING_NUMBERS, SEV_ERROR, ev, 1, ev->ts_us,
			    "%s listed the same message number twice (%u lines, %u numbers)", name,
			    l->n, seen);
		return;
	}
	if (!login_seen)
		return; /* holes may be DELEs made before the capture began */
	for (uint32_t n = 1; n <= l->max_num && n < l->cap; n++) {
		bool present = l->uid ? l->uid[n] != 0 : l->size[n] != UINT64_MAX;
		if (!present && !is_deleted(k, n)) {
			checks_fire(k, R_LISTING_NUMBERS, SEV_ERROR, ev, 1, ev->ts_us,
				    "%s skipped message %u, which was not deleted (listed up to %u)",
				    name, n, l->max_num);
			return;
		}
	}
}

struct uid_pair {
	uint64_t h;
	uint32_t num;
};

static int uid_pair_cmp(const void *a, const void *b)
{
	const struct uid_pair *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->num < y->num ? -1 : x->num > y->num;
}

/* Sorts v by (hash, number). Listings are a few entries long, where
 * insertion sort inline beats qsort's merge sort and its compare calls;
 * the order is total, so the result is qsort's. */
static void uid_pairs_sort(struct uid_pair *v, uint32_t n)
{
	if (n > 32) {
		qsort(v, n, sizeof(*v), uid_pair_cmp);
		return;
	}
	for (uint32_t i = 1; i < n; i++) {
		struct uid_pair x = v[i];
		uint32_t j = i;
		while (j > 0 && uid_pair_cmp(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* v: each entry's unique-id hash and number, in the reply's order
 * (listing_store used them so); sorted here. */
static void check_uids(struct checks *k, const struct pop3_txn *t, const struct evidence *ev,
		       struct uid_pair *v)
{
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		if (e->flags & POP3_LE_UID_BAD) {
			const char *uid = t->uids + e->uid_off, *why = "text after it";
			if (e->uid_len == 0)
				why = "it is empty";
			else if (e->uid_len > POP3_UID_MAX)
				why = "longer than 70 characters";
			for (const char *c = uid; *c; c++)
				if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
					why = "a byte outside 0x21-0x7E";
			/* Raw wire text: every sink sanitises summaries before showing them. */
			checks_fire(k, R_UID_MALFORMED, SEV_ERROR, ev, 1, ev->ts_us,
				    "UIDL gave message %u the unique-id \"%.80s\": %s (RFC 1939 allows 1 "
				    "to 70 characters 0x21-0x7E, alone on the line)", e->num, uid, why);
			break;
		}
	}
	/* duplicates: sort the hashes, then look at neighbours */
	uint32_t n = t->n_entries;
	if (n < 2)
		return;
	uid_pairs_sort(v, n);
	for (uint32_t i = 1; i < n; i++) {
		if (v[i].h != v[i - 1].h)
			continue;
		uint64_t a = listed_size(k, v[i - 1].num), b = listed_size(k, v[i].num);
		bool sizes_differ = a != UINT64_MAX && b != UINT64_MAX && a != b;
		checks_fire(k, R_UID_DUPLICATE, sizes_differ ? SEV_ERROR : SEV_WARNING, ev, 1, ev->ts_us,
			    "UIDL gave messages %u and %u the same unique-id%s", v[i - 1].num, v[i].num,
			    sizes_differ ? " although LIST gives them different sizes" : "");
		break;
	}
}

/* Store a complete LIST or UIDL listing by message number, ev its evidence. */
static void listing_store(struct checks *k, struct listing *l, const struct pop3_txn *t, bool uidl,
			  const struct evidence *ev, const struct uid_pair *hv)
{
	uint32_t max = 0;
	for (uint32_t i = 0; i < t->n_entries; i++)
		if (!(t->entries[i].flags & POP3_LE_BADNUM) && t->entries[i].num > max &&
		    t->entries[i].num < CHECKS_MSG_MAX)
			max = t->entries[i].num;
	l->have = true;
	l->complete = t->terminated && !(t->flags & (POP3_TF_LISTING_CAPPED | POP3_TF_NO_TERMINATOR));
	l->n = t->n_entries;
	l->max_num = max;
	l->dver = k->dver;
	l->ndel = k->n_deleted;
	l->deloct = k->deleted_octets;
	l->sum = 0;
	for (uint32_t i = 0; i < t->n_entries; i++)
		l->sum += t->entries[i].size;
	uint64_t **arr = uidl ? &l->uid : &l->size;
	int fill = uidl ? 0 : 0xff;
	if (!*arr && max < LISTING_FIRST) {
		*arr = l->first;
		l->cap = LISTING_FIRST;
	} else if (*arr == l->first && max >= l->cap) {
		*arr = NULL; /* outgrown: to the heap (every slot is set below) */
		l->cap = 0;
	}
	grow((void **)arr, &l->cap, max, sizeof(**arr), fill);
	memset(*arr, fill, l->cap * sizeof(**arr));
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		if ((e->flags & POP3_LE_BADNUM) || e->num >= CHECKS_MSG_MAX)
			continue;
		if (uidl) {
			l->uid[e->num] = hv[i].h ? hv[i].h : 1;
		} else {
			l->size[e->num] = e->size;
		}
	}
	kept_set(&l->ev, ev);
}

/* Unique-id -> size across sessions of one account (needs both listings). */
static void check_uid_sizes(struct checks *k, const struct pop3_txn *t, bool login_seen)
{
	if (!login_seen || !k->ci->user[0] || !k->list.have || !k->uidl.have)
		return;
	uint32_t cap = k->list.cap < k->uidl.cap ? k->list.cap : k->uidl.cap;
	uint64_t account = account_key(k->store, k->server, k->ci->user);
	for (uint32_t n = 1; n < cap; n++) {
		uint64_t old;
		if (!k->uidl.uid[n] || k->list.size[n] == UINT64_MAX)
			continue;
		if (account_uid_size(k->store, account, k->uidl.uid[n], k->list.size[n], k->serial,
				     &old)) {
			struct evidence ev;
			checks_evidence(&ev, t);
			checks_fire(k, R_UID_SIZE_ACROSS, SEV_ERROR, &ev, 1, ev.ts_us,
				    "message %u has a unique-id that an earlier session of %s saw with "
				    "%llu octets; now LIST says %llu", n, k->ci->user,
				    (unsigned long long)old, (unsigned long long)k->list.size[n]);
			return;
		}
	}
}

void checks_on_listing(struct checks *k, const struct pop3_txn *t, bool uidl, bool login_seen)
{
	struct listing *l = uidl ? &k->uidl : &k->list;
	struct evidence ev;
	checks_evidence(&ev, t);
	/* A UIDL listing's unique-ids hashed once, for the store and the
	 * duplicate check (each hashed them: a SipHash per entry twice); on
	 * the stack for the usual few entries. */
	struct uid_pair stack_v[64], *hv = NULL;
	if (uidl && t->n_entries) {
		hv = t->n_entries <= ARRAY_LEN(stack_v) ? stack_v
							 : xmalloc(t->n_entries * sizeof(*hv));
		for (uint32_t i = 0; i < t->n_entries; i++) {
			const struct pop3_entry *e = &t->entries[i];
			hv[i].h = account_uid_hash(t->uids + e->uid_off, e->uid_len);
			hv[i].num = e->num;
		}
	}
	listing_store(k, l, t, uidl, &ev, hv); /* its evidence (l->ev) is this reply's */
	checks_announce_seen(k, t, uidl ? "UIDL reply" : "LIST reply");
	check_numbers(k, t, l, uidl ? "UIDL" : "LIST", login_seen, &ev);
	if (uidl)
		check_uids(k, t, &ev, hv); /* sorts hv */
	if (hv != stack_v)
		free(hv);
	checks_compare_listing(k, uidl);
	compare_list_uidl(k);
	if (!k->have_stat && !uidl && l->complete)
		for (unsigned i = 0; i < k->n_ann; i++)
			checks_announce_compare(k, &k->ann[i].a, &k->ann[i].ev, NULL, "reply");
	if (l->complete)
		k->rset_pending = false;
	check_uid_sizes(k, t, login_seen);
}
