/*
 * checks.c - the maildrop-count rules of docs/RULES.md.
 *
 * Every statement about the maildrop in the TRANSACTION epoch is compared
 * with the first STAT (N0, S0) after subtracting the messages marked
 * deleted (D): RFC 1939 section 4 locks the maildrop, so nothing else may
 * change it. Each rule fires at most once per session, with the evidence of
 * its first occurrence, so a broken server yields one finding per fault and
 * not one per message. A session whose login was not seen (capture began
 * mid-session) is judged only on what cannot depend on unseen DELEs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks_priv.h"
#include "util.h"

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void vfire(struct checks *k, enum rule_id r, enum severity sev, const struct evidence *ev,
		  unsigned n_ev, uint64_t ts, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

void checks_fire(struct checks *k, enum rule_id r, enum severity sev, const struct evidence *ev,
		 unsigned n_ev, uint64_t ts, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfire(k, r, sev, ev, n_ev, ts, fmt, ap);
	va_end(ap);
}

void checks_fire_txn(struct checks *k, enum rule_id r, enum severity sev, const struct pop3_txn *t,
		     const char *fmt, ...)
{
	if (k->fired & (1ull << r))
		return; /* once per session: vfire would drop it */
	struct evidence ev;
	checks_evidence(&ev, t);
	va_list ap;
	va_start(ap, fmt);
	vfire(k, r, sev, &ev, 1, ev.ts_us, fmt, ap);
	va_end(ap);
}

static void vfire(struct checks *k, enum rule_id r, enum severity sev, const struct evidence *ev,
		  unsigned n_ev, uint64_t ts, const char *fmt, va_list ap)
{
	if (k->fired & (1ull << r))
		return;
	k->fired |= 1ull << r;
	struct finding f;
	memset(&f, 0, sizeof(f));
	f.rule = r;
	f.sev = sev;
	f.ts_us = ts;
	vsnprintf(f.summary, sizeof(f.summary), fmt, ap);
	for (unsigned i = 0; i < n_ev && i < FINDING_EVIDENCE_MAX; i++)
		f.ev[f.n_ev++] = ev[i];
	k->fn(k->ctx, &f);
}

/* Append at most max bytes of s (up to its NUL) to e->line at *at, as
 * snprintf's "%.<max>s" would, keeping room for the NUL. */
static void line_put(struct evidence *e, size_t *at, const char *s, size_t max)
{
	size_t room = sizeof(e->line) - 1 - *at;
	size_t n = strnlen(s, max < room ? max : room);
	memcpy(e->line + *at, s, n);
	*at += n;
	e->line[*at] = '\0';
}

/* Built for every judged reply (listings keep it for later findings), so
 * by plain copies: snprintf here was 7% of the main thread. */
void checks_evidence(struct evidence *e, const struct pop3_txn *t)
{
	size_t at = 0;
	e->frame = t->rep_frame ? t->rep_frame : t->req_frame;
	e->ts_us = t->rep_frame ? t->rep_ts_us : t->req_ts_us;
	e->txn_index = t->index;
	e->line[0] = '\0';
	if (t->cmd != POP3_CMD_NONE) {
		line_put(e, &at, t->keyword, 16);
		line_put(e, &at, t->has_args ? " " : "", 1);
		line_put(e, &at, t->args, 48);
		line_put(e, &at, " -> ", 4);
	}
	line_put(e, &at, pop3_status_str(t->status), SIZE_MAX);
	line_put(e, &at, " ", 1);
	line_put(e, &at, t->text, t->cmd == POP3_CMD_NONE ? 150 : 80);
}

/* A reply we may judge: paired, not after a gap, not cut. */
bool checks_trusted(const struct pop3_txn *t)
{
	return t->status != POP3_ST_NONE && t->cmd != POP3_CMD_NONE &&
	       !(t->flags & (POP3_TF_AFTER_GAP | POP3_TF_UNSOLICITED | POP3_TF_CUT));
}

struct checks *checks_new(const struct checks_opts *o, struct account_store *store,
			  const char *server, finding_fn fn, void *ctx)
{
	struct checks *k = xcalloc(1, sizeof(*k));
	k->o = *o;
	k->store = store;
	strlcpy_safe(k->server, server, sizeof(k->server));
	k->fn = fn;
	k->ctx = ctx;
	k->serial = account_next_serial(store);
	return k;
}

static void listing_fini(struct listing *l)
{
	free(l->size);
	free(l->uid);
	memset(l, 0, sizeof(*l));
}

void checks_free(struct checks *k)
{
	if (!k)
		return;
	listing_fini(&k->list);
	listing_fini(&k->uidl);
	free(k->deleted);
	free(k);
}

/* ---- deleted set ------------------------------------------------------- */

static bool is_deleted(const struct checks *k, uint32_t n)
{
	return n < k->deleted_cap && k->deleted[n];
}

static void grow(void **p, uint32_t *cap, uint32_t need, size_t elem, int fill)
{
	if (need < *cap)
		return;
	uint32_t ncap = *cap ? *cap : 64;
	while (ncap <= need)
		ncap *= 2;
	*p = xrealloc(*p, ncap * elem);
	memset((char *)*p + *cap * elem, fill, (ncap - *cap) * elem);
	*cap = ncap;
}

static uint64_t listed_size(const struct checks *k, uint32_t n)
{
	if (!k->list.have || n >= k->list.cap)
		return UINT64_MAX;
	return k->list.size[n];
}

/* ---- announcements in free text ----------------------------------------- */

/* Compare a free-text count with the structured one: STAT (after D), or
 * a complete LIST listing when the session sent no STAT. */
static void announce_compare(struct checks *k, const struct announce *a, const struct evidence *ev,
			     const char *what)
{
	uint64_t ref_n, ref_s;
	bool ref_s_known;
	const char *ref;
	struct evidence ref_ev;
	if (k->have_stat) {
		ref_n = k->n0 - k->n_deleted;
		ref_s = k->s0 - k->deleted_octets;
		ref_s_known = !k->deleted_size_unknown;
		ref = "STAT";
		ref_ev = k->stat_ev;
	} else if (k->list.have && k->list.complete) {
		ref_n = k->list.n;
		ref_s = k->list.sum;
		ref_s_known = true;
		ref = "LIST";
		ref_ev = k->list.ev;
	} else {
		return;
	}
	bool octets_bad = a->octets_known && ref_s_known && a->octets != ref_s;
	if (a->count == ref_n && !octets_bad)
		return;
	struct evidence e[2] = { ref_ev, *ev };
	char oct[48] = "";
	if (a->octets_known)
		snprintf(oct, sizeof(oct), " (%llu octets)", (unsigned long long)a->octets);
	checks_fire(k, R_ANNOUNCED_COUNTS, SEV_WARNING, e, 2, ev->ts_us,
		    "%s said %llu %s (%llu octets); the %s text said %llu %s%s", ref,
		    (unsigned long long)ref_n, plural(ref_n, "message", "messages"),
		    (unsigned long long)ref_s, what, (unsigned long long)a->count,
		    plural(a->count, "message", "messages"), oct);
}

static void announce_seen(struct checks *k, const struct pop3_txn *t, const char *what)
{
	struct announce a;
	if (!announce_parse(t->text, &a))
		return;
	struct evidence ev;
	checks_evidence(&ev, t);
	if (a.octets_known && ((a.count == 0 && a.octets > 0) || (a.count > 0 && a.octets == 0)))
		checks_fire(k, R_IMPOSSIBLE_DROP, SEV_WARNING, &ev, 1, ev.ts_us,
			    "the %s text claims %llu %s in %llu octets", what,
			    (unsigned long long)a.count, plural(a.count, "message", "messages"),
			    (unsigned long long)a.octets);
	if (k->have_stat || (k->list.have && k->list.complete)) {
		announce_compare(k, &a, &ev, what);
	} else if (k->n_ann < ARRAY_LEN(k->ann)) {
		k->ann[k->n_ann] = a;
		k->ann_ev[k->n_ann++] = ev;
	}
}

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
			struct evidence e2[2] = { k->list.ev, k->uidl.ev };
			checks_fire(k, R_LIST_UIDL_NUMBERS, SEV_ERROR, e2, 2, e2[1].ts_us,
				    "message %u is listed by %s but not by %s", n,
				    in_l ? "LIST" : "UIDL", in_l ? "UIDL" : "LIST");
			return;
		}
	}
}

static void compare_listing(struct checks *k, bool uidl)
{
	struct listing *l = uidl ? &k->uidl : &k->list;
	if (!k->have_stat || !l->have || !l->complete)
		return;
	const char *name = uidl ? "UIDL" : "LIST";
	/* Judge the listing against the deleted set as it was when it was sent. */
	uint64_t exp_n = k->n0 - l->ndel;
	struct evidence e[2] = { k->stat_ev, l->ev };
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
	if (!uidl && !k->deleted_size_unknown) {
		uint64_t sum = l->sum, exp_s = k->s0 - l->deloct;
		uint64_t diff = sum > exp_s ? sum - exp_s : exp_s - sum;
		if (diff > k->o.octets_tolerance)
			checks_fire(k, R_STAT_LIST_OCTETS, SEV_ERROR, e, 2, l->ev.ts_us,
				    "STAT said %llu octets; LIST sizes add up to %llu (%llu %s)",
				    (unsigned long long)exp_s, (unsigned long long)sum,
				    (unsigned long long)diff, sum < exp_s ? "fewer" : "more");
	}
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

static void check_uids(struct checks *k, const struct pop3_txn *t, const struct evidence *ev)
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
	struct uid_pair *v = xmalloc(n * sizeof(*v));
	for (uint32_t i = 0; i < n; i++) {
		const struct pop3_entry *e = &t->entries[i];
		v[i].h = account_uid_hash(t->uids + e->uid_off, e->uid_len);
		v[i].num = e->num;
	}
	qsort(v, n, sizeof(*v), uid_pair_cmp);
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
	free(v);
}


/* Store a complete LIST or UIDL listing by message number. */
static void listing_store(struct checks *k, struct listing *l, const struct pop3_txn *t, bool uidl)
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
	if (uidl) {
		grow((void **)&l->uid, &l->cap, max, sizeof(*l->uid), 0);
		memset(l->uid, 0, l->cap * sizeof(*l->uid));
	} else {
		grow((void **)&l->size, &l->cap, max, sizeof(*l->size), 0xff);
		memset(l->size, 0xff, l->cap * sizeof(*l->size));
	}
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		if ((e->flags & POP3_LE_BADNUM) || e->num >= CHECKS_MSG_MAX)
			continue;
		if (uidl) {
			uint64_t h = account_uid_hash(t->uids + e->uid_off, e->uid_len);
			l->uid[e->num] = h ? h : 1;
		} else {
			l->size[e->num] = e->size;
		}
	}
	checks_evidence(&l->ev, t);
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

static void on_listing(struct checks *k, const struct pop3_txn *t, bool uidl, bool login_seen)
{
	struct listing *l = uidl ? &k->uidl : &k->list;
	listing_store(k, l, t, uidl); /* its evidence (l->ev) is this reply's */
	announce_seen(k, t, uidl ? "UIDL reply" : "LIST reply");
	check_numbers(k, t, l, uidl ? "UIDL" : "LIST", login_seen, &l->ev);
	if (uidl)
		check_uids(k, t, &l->ev);
	compare_listing(k, uidl);
	compare_list_uidl(k);
	if (!k->have_stat && !uidl && l->complete)
		for (unsigned i = 0; i < k->n_ann; i++)
			announce_compare(k, &k->ann[i], &k->ann_ev[i], "reply");
	if (l->complete)
		k->rset_pending = false;
	check_uid_sizes(k, t, login_seen);
}

/* ---- STAT ------------------------------------------------------------------ */

static bool parse_two(const char *text, uint64_t *a, uint64_t *b)
{
	const char *sp = strchr(text, ' ');
	if (!sp || !pop3_parse_u64(text, (size_t)(sp - text), a))
		return false;
	return pop3_parse_u64(sp + 1, strcspn(sp + 1, " "), b);
}

static void on_stat(struct checks *k, const struct pop3_txn *t, bool login_seen)
{
	uint64_t n, s;
	if (!parse_two(t->text, &n, &s))
		return;
	struct evidence ev;
	checks_evidence(&ev, t);
	if ((n == 0 && s > 0) || (n > 0 && s == 0))
		checks_fire(k, R_IMPOSSIBLE_DROP, SEV_ERROR, &ev, 1, ev.ts_us,
			    "STAT said %llu %s in %llu octets", (unsigned long long)n,
			    plural(n, "message", "messages"), (unsigned long long)s);
	if (!k->have_stat) {
		/* N0/S0 are the maildrop before any DELE: a first STAT that comes
		 * after DELEs already leaves them out, so add them back. */
		k->have_stat = true;
		k->n0 = n + k->n_deleted;
		k->s0 = s + k->deleted_octets;
		k->stat_ev = ev;
		for (unsigned i = 0; i < k->n_ann; i++)
			announce_compare(k, &k->ann[i], &k->ann_ev[i],
					 strstr(k->ann_ev[i].line, " -> ") ? "reply" : "greeting");
		struct evidence earlier;
		uint32_t nd;
		if (login_seen && k->ci->user[0] &&
		    account_check_unquit_deletes(k->store, k->server, k->ci->user, n, s, &earlier, &nd)) {
			struct evidence e2[2] = { earlier, ev };
			checks_fire(k, R_DELETED_WITHOUT_QUIT, SEV_ERROR, e2, 2, ev.ts_us,
				    "an earlier session marked %u %s deleted and ended without QUIT; "
				    "this session's STAT shows %s gone", nd,
				    plural(nd, "message", "messages"), plural(nd, "it", "them"));
		}
		compare_listing(k, false);
		compare_listing(k, true);
		return;
	}
	uint64_t exp_n = k->n0 - k->n_deleted, exp_s = k->s0 - k->deleted_octets;
	if (n == exp_n && (k->deleted_size_unknown || s == exp_s)) {
		k->rset_pending = false;
		return;
	}
	struct evidence e2[2] = { k->stat_ev, ev };
	if (k->rset_pending)
		checks_fire(k, R_RSET_NOT_RESTORED, SEV_ERROR, e2, 2, ev.ts_us,
			    "after RSET, STAT said %llu %s (%llu octets); the session began with "
			    "%llu (%llu octets)", (unsigned long long)n, plural(n, "message", "messages"),
			    (unsigned long long)s, (unsigned long long)k->n0, (unsigned long long)k->s0);
	else if (k->n_deleted && n > exp_n)
		checks_fire(k, R_DELE_NOT_APPLIED, SEV_ERROR, e2, 2, ev.ts_us,
			    "after %u DELE +OK, STAT said %llu %s (%llu octets); expected %llu",
			    k->n_deleted, (unsigned long long)n, plural(n, "message", "messages"),
			    (unsigned long long)s, (unsigned long long)exp_n);
	else
		checks_fire(k, R_COUNT_CHANGED, SEV_ERROR, e2, 2, ev.ts_us,
			    "STAT first said %llu %s (%llu octets), later %llu (%llu octets) with %u "
			    "DELE in between", (unsigned long long)k->n0,
			    plural(k->n0, "message", "messages"), (unsigned long long)k->s0,
			    (unsigned long long)n, (unsigned long long)s, k->n_deleted);
}

/* ---- commands on one message ------------------------------------------- */

static bool count_known(const struct checks *k, uint64_t *count)
{
	if (k->have_stat) {
		*count = k->n0;
		return true;
	}
	if (k->list.have && k->list.complete) {
		*count = k->list.max_num;
		return true;
	}
	return false;
}

static void on_single_listing(struct checks *k, const struct pop3_txn *t, bool login_seen)
{
	bool uidl = t->cmd == POP3_CMD_UIDL;
	const char *name = uidl ? "UIDL" : "LIST";
	uint32_t n = t->msgnum;
	uint64_t count = 0;
	struct evidence ev;
	checks_evidence(&ev, t);
	struct listing *l = uidl ? &k->uidl : &k->list;
	bool listed = l->have && n < l->cap && (uidl ? l->uid[n] != 0 : l->size[n] != UINT64_MAX);

	if (t->status == POP3_ST_ERR) {
		if (listed && !is_deleted(k, n)) {
			struct evidence e2[2] = { l->ev, ev };
			checks_fire(k, R_SINGLE_VS_LISTING, SEV_WARNING, e2, 2, ev.ts_us,
				    "%s %u was refused, but the %s listing had message %u (may be "
				    "transient)", name, n, name, n);
		}
		return;
	}
	if (is_deleted(k, n)) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, &ev, 1, ev.ts_us,
			    "%s %u answered +OK for a message marked deleted", name, n);
		return;
	}
	if (login_seen && count_known(k, &count) && n > count) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, &ev, 1, ev.ts_us,
			    "%s %u answered +OK but the maildrop has %llu %s", name, n,
			    (unsigned long long)count, plural(count, "message", "messages"));
		return;
	}
	if (t->n_entries != 1 || (t->entries[0].flags & (POP3_LE_BADNUM | POP3_LE_BADVAL)))
		return; /* not "n value": nothing to compare */
	const struct pop3_entry *e = &t->entries[0];
	struct evidence e2[2] = { l->ev, ev };
	if (e->num != n) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, &ev, 1, ev.ts_us,
			    "%s %u was answered for message %u", name, n, e->num);
	} else if (listed && !uidl && l->size[n] != e->size) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, e2, 2, ev.ts_us,
			    "LIST %u said %llu octets; the LIST listing said %llu", n,
			    (unsigned long long)e->size, (unsigned long long)l->size[n]);
	} else if (listed && uidl &&
		   l->uid[n] != (account_uid_hash(t->uids + e->uid_off, e->uid_len) ?: 1)) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, e2, 2, ev.ts_us,
			    "UIDL %u gave another unique-id than the UIDL listing", n);
	}
}

/* RFC 1939 s11: a size may differ from what RETR delivers by the server's
 * end-of-line convention (LF-only storage: one octet less per line) and by
 * counting the stuffed dots. Exactly those values pass, not a range. */
static bool size_matches(const struct pop3_txn *t, uint64_t size)
{
	uint64_t got = t->data_octets, lf = got - t->data_lines, st = t->data_stuffed;
	return size == got || size == lf || size == got + st || size == lf + st;
}

static void on_message_cmd(struct checks *k, const struct pop3_txn *t, bool login_seen)
{
	uint32_t n = t->msgnum;
	uint64_t count = 0;
	bool known = login_seen && count_known(k, &count);

	if (t->status == POP3_ST_OK) {
		if (t->cmd == POP3_CMD_DELE && is_deleted(k, n)) {
			checks_fire_txn(k, R_DELE_NOT_APPLIED, SEV_ERROR, t,
				    "a second DELE %u was answered +OK", n);
			return;
		}
		if (n == 0 || is_deleted(k, n) || (known && n > count)) {
			checks_fire_txn(k, R_MSG_NUMBER_RANGE, SEV_ERROR, t,
				    "%s %u answered +OK although %s", t->keyword, n,
				    n == 0 ? "messages are numbered from 1"
				    : is_deleted(k, n) ? "the message is marked deleted"
						       : "it is past the maildrop's last message");
			return;
		}
	} else if (t->status == POP3_ST_ERR && known && n >= 1 && n <= count && !is_deleted(k, n)) {
		bool temp = !strcmp(t->code, "SYS/TEMP");
		checks_fire_txn(k, R_MSG_NUMBER_RANGE, temp ? SEV_WARNING : SEV_ERROR, t,
			    "%s %u was refused, but STAT said %llu %s", t->keyword, n,
			    (unsigned long long)count, plural(count, "message", "messages"));
		return;
	}
	if (t->status != POP3_ST_OK)
		return;
	if (t->cmd == POP3_CMD_DELE) {
		grow((void **)&k->deleted, &k->deleted_cap, n, 1, 0);
		if (n < CHECKS_MSG_MAX) {
			k->deleted[n] = 1;
			k->n_deleted++;
			k->dver++;
			uint64_t sz = listed_size(k, n);
			if (sz == UINT64_MAX)
				k->deleted_size_unknown = true;
			else
				k->deleted_octets += sz;
		}
		return;
	}
	if (t->cmd != POP3_CMD_RETR || !t->terminated)
		return;
	uint64_t sz = listed_size(k, n), got = t->data_octets;
	uint64_t said;
	const char *sp = strchr(t->text, ' ');
	bool text_size = sp && !strncmp(sp, " octets", 7) &&
			 pop3_parse_u64(t->text, (size_t)(sp - t->text), &said);
	if (sz != UINT64_MAX && !size_matches(t, sz)) {
		struct evidence e2[2] = { k->list.ev };
		checks_evidence(&e2[1], t);
		checks_fire(k, R_RETR_SIZE, SEV_WARNING, e2, 2, e2[1].ts_us,
			    "LIST said message %u has %llu octets; RETR delivered %llu", n,
			    (unsigned long long)sz, (unsigned long long)got);
	} else if (text_size && !size_matches(t, said)) {
		checks_fire_txn(k, R_RETR_SIZE, SEV_WARNING, t,
			    "RETR %u announced %llu octets and delivered %llu", n,
			    (unsigned long long)said, (unsigned long long)got);
	}
}

/* ---- entry points -------------------------------------------------------- */

void checks_txn(struct checks *k, const struct pop3_txn *t, const struct pop3_conn_info *ci)
{
	checks_conformance(k, t, ci);
	k->ci = ci;
	if (t->cmd == POP3_CMD_NONE) {
		if (t->index == 0 && t->status == POP3_ST_OK && !(t->flags & POP3_TF_UNSOLICITED))
			announce_seen(k, t, "greeting");
		return;
	}
	if (!checks_trusted(t))
		return;
	bool login = ci->login_seen;
	switch (t->cmd) {
	case POP3_CMD_USER:
	case POP3_CMD_PASS:
	case POP3_CMD_APOP:
	case POP3_CMD_AUTH:
		if (t->status == POP3_ST_OK)
			announce_seen(k, t, t->cmd == POP3_CMD_USER ? "USER reply"
					    : t->cmd == POP3_CMD_PASS ? "PASS reply"
					    : t->cmd == POP3_CMD_APOP ? "APOP reply" : "AUTH reply");
		break;
	case POP3_CMD_STAT:
		if (t->status == POP3_ST_OK)
			on_stat(k, t, login);
		break;
	case POP3_CMD_LIST:
	case POP3_CMD_UIDL:
		if (t->has_args && t->has_msgnum)
			on_single_listing(k, t, login);
		else if (!t->has_args && t->status == POP3_ST_OK && t->multiline)
			on_listing(k, t, t->cmd == POP3_CMD_UIDL, login);
		break;
	case POP3_CMD_RETR:
	case POP3_CMD_TOP:
	case POP3_CMD_DELE:
		if (t->has_msgnum)
			on_message_cmd(k, t, login);
		break;
	case POP3_CMD_RSET:
		if (t->status == POP3_ST_OK) {
			if (k->deleted) /* memset(NULL, 0, 0) is undefined behaviour */
				memset(k->deleted, 0, k->deleted_cap);
			k->n_deleted = 0;
			k->deleted_octets = 0;
			k->deleted_size_unknown = false;
			k->dver++;
			k->rset_pending = k->have_stat;
			announce_seen(k, t, "RSET reply");
		}
		break;
	default:
		break;
	}
}

void checks_close(struct checks *k, const struct pop3_conn_info *ci, bool rst, bool gaps,
		  uint64_t ts_us, uint64_t frame)
{
	struct evidence ev = { .frame = frame, .ts_us = ts_us };
	/* A refused attempt (RST, no bytes) is no POP3 session to cut. */
	bool spoke = ci->bytes[0] + ci->bytes[1] > 0;
	if (spoke && ((rst && !ci->quit_seen) || gaps)) {
		snprintf(ev.line, sizeof(ev.line), "%s", rst ? "TCP RST" : "capture gap");
		checks_fire(k, R_SESSION_CUT, SEV_NOTICE, &ev, 1, ts_us,
			    "the session was cut: %s%s%s", rst && !ci->quit_seen ? "reset (RST) before QUIT" : "",
			    rst && !ci->quit_seen && gaps ? " and " : "",
			    gaps ? "bytes missing from the capture" : "");
	}
	if (k->n_deleted && !ci->quit_seen && ci->login_seen && ci->user[0] && k->have_stat)
		account_note_unquit_deletes(k->store, k->server, ci->user, k->n0, k->s0, k->n_deleted,
					    k->deleted_size_unknown ? UINT64_MAX : k->deleted_octets,
					    &k->stat_ev);
}
