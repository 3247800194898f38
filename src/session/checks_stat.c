/*
 * checks_stat.c - the TRANSACTION epoch's baseline: the first STAT (N0, S0)
 * and every later STAT judged against it after the deleted set, and the
 * message counts servers announce in free text (greeting, login and other
 * replies), compared with STAT or a complete LIST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks_priv.h"
#include "util.h"

/* ---- announcements in free text ----------------------------------------- */

/* Compare a free-text count with the structured one: STAT (after D), or
 * a complete LIST listing when the session sent no STAT. */
void checks_announce_compare(struct checks *k, const struct announce *a, const struct evidence *ev,
			     const struct pop3_txn *t, const char *what)
{
	uint64_t ref_n, ref_s;
	bool ref_s_known;
	const char *ref;
	const struct kept_ev *ref_ev;
	if (k->have_stat) {
		ref_n = k->n0 - k->n_deleted;
		ref_s = k->s0 - k->deleted_octets;
		ref_s_known = !k->deleted_size_unknown;
		ref = "STAT";
		ref_ev = &k->stat_ev;
	} else if (k->list.have && k->list.complete) {
		ref_n = k->list.n;
		ref_s = k->list.sum;
		ref_s_known = true;
		ref = "LIST";
		ref_ev = &k->list.ev;
	} else {
		return;
	}
	bool octets_bad = a->octets_known && ref_s_known && a->octets != ref_s;
	if (a->count == ref_n && !octets_bad)
		return;
	struct evidence e[2] = { kept_get(ref_ev) };
	if (ev)
		e[1] = *ev;
	else
		checks_evidence(&e[1], t);
	char oct[48] = "";
	if (a->octets_known)
		snprintf(oct, sizeof(oct), " (%llu octets)", (unsigned long long)a->octets);
	checks_fire(k, R_ANNOUNCED_COUNTS, SEV_WARNING, e, 2, e[1].ts_us,
		    "%s said %llu %s (%llu octets); the %s text said %llu %s%s", ref,
		    (unsigned long long)ref_n, plural(ref_n, "message", "messages"),
		    (unsigned long long)ref_s, what, (unsigned long long)a->count,
		    plural(a->count, "message", "messages"), oct);
}

void checks_announce_seen(struct checks *k, const struct pop3_txn *t, const char *what)
{
	struct announce a;
	if (!announce_parse(t->text, &a))
		return;
	/* The evidence line only when a finding or the kept announcement
	 * needs it: most announcements agree with STAT. */
	if (a.octets_known && ((a.count == 0 && a.octets > 0) || (a.count > 0 && a.octets == 0)))
		checks_fire_txn(k, R_IMPOSSIBLE_DROP, SEV_WARNING, t,
				"the %s text claims %llu %s in %llu octets", what,
				(unsigned long long)a.count, plural(a.count, "message", "messages"),
				(unsigned long long)a.octets);
	if (k->have_stat || (k->list.have && k->list.complete)) {
		checks_announce_compare(k, &a, NULL, t, what);
	} else if (k->n_ann < CHECKS_ANN_MAX) {
		k->ann = xrealloc(k->ann, (k->n_ann + 1) * sizeof(*k->ann));
		k->ann[k->n_ann].a = a;
		checks_evidence(&k->ann[k->n_ann++].ev, t);
	}
}

/* ---- STAT ------------------------------------------------------------------ */

static bool parse_two(const char *text, uint64_t *a, uint64_t *b)
{
	const char *sp = strchr(text, ' ');
	if (!sp || !pop3_parse_u64(text, (size_t)(sp - text), a))
		return false;
	return pop3_parse_u64(sp + 1, strcspn(sp + 1, " "), b);
}

void checks_on_stat(struct checks *k, const struct pop3_txn *t, bool login_seen)
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
		kept_set(&k->stat_ev, &ev);
		for (unsigned i = 0; i < k->n_ann; i++)
			checks_announce_compare(k, &k->ann[i].a, &k->ann[i].ev, NULL,
					 strstr(k->ann[i].ev.line, " -> ") ? "reply" : "greeting");
		/* Compared: with STAT known every later announcement is compared
		 * as it comes, so nothing reads these again. */
		free(k->ann);
		k->ann = NULL;
		k->n_ann = 0;
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
		checks_compare_listing(k, false);
		checks_compare_listing(k, true);
		return;
	}
	uint64_t exp_n = k->n0 - k->n_deleted, exp_s = k->s0 - k->deleted_octets;
	if (n == exp_n && (k->deleted_size_unknown || s == exp_s)) {
		k->rset_pending = false;
		return;
	}
	struct evidence e2[2] = { kept_get(&k->stat_ev), ev };
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
