/*
 * report.c - the text report: a summary of the whole run, written once at
 * finish, read top-down by a person. Same input, same bytes: sessions are
 * listed by id (order of their first packet), names sorted, nothing from
 * the wall clock.
 *
 *   summary   captures, frames, sessions, flagged sessions by rule,
 *             servers and accounts involved, capture anomalies
 *   flagged   per session: endpoints, user, times, how it ended, findings
 *             with evidence, RFC and client symptom, then the transcript
 *   clean     one line per session (-v: with its transcript)
 *
 * The report is a renderer of the session ledger (ledger.h): the bus that
 * runs it applies each event to the ledger first, and the ledger keeps,
 * by the policy report_ledger_opts gives it, what the report shows at the
 * end: the whole entry (snapshot, findings, transcript) of the first
 * REPORT_FLAGGED_FULL_MAX flagged sessions the filter takes (with -v, of
 * the first REPORT_CLEAN_FULL_MAX clean ones too), every open session with
 * its first lines (REPORT_TXN_LINES_MAX each, within the ledger's budget,
 * the rest counted), and nothing of the others past their close. A session
 * listed without details is rendered into its one line as it closes, so
 * the ledger may drop it. Flagged sessions beyond REPORT_FLAGGED_FULL_MAX
 * and clean ones beyond REPORT_CLEAN_MAX are summarised by count. Wire
 * text goes through sanitize_text.
 *
 * This file is the sink itself: events in, the run's counts, the sessions
 * listed, and report_finish putting the sections in order. The transcript
 * (report_transcript.c), the per-session blocks and time/endpoint
 * formatting (report_sessions.c) and the summary section
 * (report_summary.c) are their own files; report_priv.h is what they share.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static bool filter_select(void *ctx, const struct ev_session *s)
{
	return sink_filter_pass(ctx, s);
}

static bool filter_any(const struct sink_filter *f)
{
	return f->only_flagged || f->rule >= 0 || f->server || f->user;
}

void report_ledger_opts(const struct report_opts *o, struct ledger_opts *lo)
{
	ledger_opts_default(lo);
	lo->bytes_max = REPORT_LEDGER_BYTES;
	lo->sessions_max = REPORT_SESSIONS_MAX;
	lo->txns_per_session_max = REPORT_TXN_LINES_MAX;
	lo->findings_per_session_max = REPORT_FINDINGS_MAX;
	lo->entries_per_txn_max = 0; /* a transcript line shows no LIST/UIDL entry */
	lo->keep_flagged = REPORT_FLAGGED_FULL_MAX;
	lo->keep_clean = o && o->verbose ? REPORT_CLEAN_FULL_MAX : 0;
	lo->drop_closed = true;          /* rendered at its close: its line, or nothing */
	lo->keep_open_transcripts = true; /* a session shows its first lines, never none */
	lo->findings_past_budget = true;  /* what flags a session, at most REPORT_FINDINGS_MAX */
	lo->lazy_entries = true;          /* a SYN flood's silent sessions: no entry */
	if (o && filter_any(&o->filter)) {
		lo->select = filter_select;
		lo->select_ctx = (void *)(uintptr_t)&o->filter;
	}
}

static void names_add(struct names *ns, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i].name, name)) {
			ns->v[i].n++;
			return;
		}
	if (ns->n >= REPORT_NAMES_MAX) {
		ns->other++;
		return;
	}
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof *ns->v);
	ns->v[ns->n].name = xstrdup(name);
	ns->v[ns->n].n = 1;
	ns->n++;
}

static void push(struct rlisted **v, size_t *n, size_t *cap, struct rlisted it)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = it;
}

/* The session is over: count it, and list it, in full (the ledger's entry
 * `le`, kept whole by the ledger or open at the end of input) or as its
 * line. `s` is its final snapshot: a closing session's is its close
 * event's, so a session the ledger dropped while open (its count cap:
 * le NULL) is still counted whole and listed, without details. */
static void session_done(struct report *r, const struct ev_session *s, const struct ledger_entry *le, bool closed)
{
	r->sessions++;
	r->not_pop3 += s->end == FLOW_END_NOT_POP3;
	r->by_content += s->by_content;
	/* by the bits set, not a test for each of 64: most sessions hit none
	 * or one, and this ran at every close (2 M instructions, small shape) */
	uint64_t hit = s->rules_hit & (R__COUNT >= 64 ? ~0ull : (1ull << (R__COUNT & 63)) - 1);
	for (; hit; hit &= hit - 1)
		r->rule_sessions[__builtin_ctzll(hit)]++;
	if (s->flagged) {
		char srv[ADDR_STR_MAX + 16], acct[SAN(POP3_ARGS_MAX) + ADDR_STR_MAX + 8], u[SAN(POP3_ARGS_MAX)];
		r->sessions_flagged++;
		report_endpoint(srv, sizeof srv, s->ipver, s->srv, s->sport);
		names_add(&r->servers, srv);
		sanitize_text(u, sizeof u, s->pop3.user[0] ? s->pop3.user : "(no user seen)");
		snprintf(acct, sizeof acct, "%s @ %.*s", u, ADDR_STR_MAX - 1, s->srv);
		names_add(&r->accounts, acct);
	}
	/* The filter: decided by the ledger at the close (ledger_entry.selected),
	 * here for a session that never closed or that the ledger no longer holds. */
	if (closed && le ? !le->selected : !sink_filter_pass(&r->o.filter, s)) {
		r->filtered_out++;
		return;
	}
	bool full;
	if (s->flagged) {
		if (r->nflagged >= REPORT_FLAGGED_FULL_MAX + REPORT_CLEAN_MAX) {
			r->flagged_more++;
			return;
		}
		full = le && (closed ? le->kept : r->nflagged < REPORT_FLAGGED_FULL_MAX);
	} else {
		if (r->nclean >= REPORT_CLEAN_MAX) {
			r->clean_more++;
			return;
		}
		full = le && (closed ? le->kept : r->o.verbose && r->nclean < REPORT_CLEAN_FULL_MAX);
	}
	struct rlisted it = { s->id, full ? le : NULL, full ? NULL : report_clean_line(s, closed) };
	if (s->flagged)
		push(&r->flagged, &r->nflagged, &r->capflagged, it);
	else
		push(&r->clean, &r->nclean, &r->capclean, it);
}

static void open_at_end(void *ctx, const struct ledger_entry *le)
{
	struct ev_session s;
	ledger_snapshot(le, &s);
	session_done(ctx, &s, le, false);
}

static void report_event(void *self, const struct event *e)
{
	struct report *r = self;
	if (e->ts_us) {
		if (!r->first_ts || e->ts_us < r->first_ts)
			r->first_ts = e->ts_us;
		if (e->ts_us > r->last_ts)
			r->last_ts = e->ts_us;
	}
	if (e->type == EV_STATS) {
		if (e->stats) {
			r->stats = *e->stats;
			/* the span of the frames, not only of the sessions */
			if (e->stats->first_ts_us && (!r->first_ts || e->stats->first_ts_us < r->first_ts))
				r->first_ts = e->stats->first_ts_us;
			r->stats.source = NULL;
			r->have_stats = true;
		}
		return;
	}
	if (!e->sess)
		return;
	if (e->sess->start_ts && (!r->first_ts || e->sess->start_ts < r->first_ts))
		r->first_ts = e->sess->start_ts;
	if (r->own_lg)
		ledger_apply(r->lg, e);
	if (e->type == EV_FINDING && e->finding) {
		if ((unsigned)e->finding->sev < 3)
			r->findings[e->finding->sev]++;
		if ((unsigned)e->finding->rule < R__COUNT && (int)e->finding->sev > r->rule_worst[e->finding->rule])
			r->rule_worst[e->finding->rule] = (int)e->finding->sev;
	} else if (e->type == EV_SESSION_CLOSE) {
		/* NULL: a session the ledger dropped while open (its count cap) */
		session_done(r, e->sess, ledger_find(r->lg, e->sess->id), true);
	}
}

/* ---- the sections, in order ---- */

static int by_id(const void *a, const void *b)
{
	const struct rlisted *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void print_listed(struct report *r, FILE *o, const struct rlisted *it)
{
	if (it->le)
		report_print_detailed(r, o, it->le);
	else
		fputs(it->line, o);
}

static int report_finish(void *self, char *errbuf, size_t errlen)
{
	struct report *r = self;
	FILE *o = r->out;

	/* Sessions never closed (no end-of-input close): report them as open,
	 * oldest first. Once: a second finish finds them done. */
	if (!r->finishing)
		ledger_each_open(r->lg, open_at_end, r);
	r->finishing = true;
	struct ledger_stats st;
	ledger_get_stats(r->lg, &st);
	r->dropped_open = st.sessions_evicted_open;
	if (r->nflagged)
		qsort(r->flagged, r->nflagged, sizeof *r->flagged, by_id);
	if (r->nclean)
		qsort(r->clean, r->nclean, sizeof *r->clean, by_id);

	errno = 0;
	report_print_summary(r, o);
	if (r->nflagged) {
		fprintf(o, "\nFlagged sessions\n================\n");
		for (size_t i = 0; i < r->nflagged; i++)
			print_listed(r, o, &r->flagged[i]);
		if (r->nflagged > REPORT_FLAGGED_FULL_MAX)
			fprintf(o, "\n(flagged sessions past the first %u are listed without findings and transcript)\n",
				REPORT_FLAGGED_FULL_MAX);
		if (r->flagged_more)
			fprintf(o, "  ... and %" PRIu64 " more flagged session%s (not listed)\n", r->flagged_more,
				r->flagged_more == 1 ? "" : "s");
	}
	if (r->nclean || r->clean_more) {
		fprintf(o, "\nOther sessions\n==============\n");
		for (size_t i = 0; i < r->nclean; i++)
			print_listed(r, o, &r->clean[i]);
		if (r->clean_more)
			fprintf(o, "  ... and %" PRIu64 " more session%s without findings of note (not listed)\n",
				r->clean_more, r->clean_more == 1 ? "" : "s");
	}
	if (fflush(o) != 0 || ferror(o)) {
		snprintf(errbuf, errlen, "report: write error: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static void report_free(void *self)
{
	struct report *r = self;
	if (!r)
		return;
	for (size_t i = 0; i < r->nflagged; i++)
		free(r->flagged[i].line);
	for (size_t i = 0; i < r->nclean; i++)
		free(r->clean[i].line);
	free(r->flagged);
	free(r->clean);
	for (size_t i = 0; i < r->servers.n; i++)
		free(r->servers.v[i].name);
	for (size_t i = 0; i < r->accounts.n; i++)
		free(r->accounts.v[i].name);
	free(r->servers.v);
	free(r->accounts.v);
	if (r->own_lg)
		ledger_free(r->lg);
	free(r);
}

static const struct sink_ops report_ops = {
	.name = "report",
	.event = report_event,
	.finish = report_finish,
	.free = report_free,
};

struct sink report_sink_new(FILE *out, const struct report_opts *o)
{
	struct report *r = xcalloc(1, sizeof *r);
	r->out = out;
	if (o)
		r->o = *o;
	else
		r->o.filter.rule = -1;
	r->lg = r->o.ledger;
	if (!r->lg) {
		struct ledger_opts lo;
		report_ledger_opts(&r->o, &lo); /* its select_ctx: r->o.filter, r's own */
		r->lg = ledger_new(&lo);
		r->own_lg = true;
	}
	for (int i = 0; i < R__COUNT; i++)
		r->rule_worst[i] = -1;
	for (unsigned i = 0; i < 32; i++)
		if (pop3_txn_flag_name(1u << i))
			r->flag_known |= 1u << i;
	/* A session's state at its close is all the report keeps; its first
	 * transaction, finding or close makes its entry in the ledger. */
	return (struct sink){ .ops = &report_ops, .self = r,
			      .skip = EV_BIT(EV_SESSION_OPEN) | EV_BIT(EV_SESSION_UPDATE) };
}
