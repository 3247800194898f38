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
 * Memory is bounded per session and overall: the transcript of an open
 * session is kept (REPORT_TXN_LINES_MAX lines per session, their text
 * REPORT_TRANSCRIPT_TOTAL_MAX bytes in all, the rest counted), and is
 * dropped at close unless the session is flagged (or -v). Flagged sessions beyond
 * REPORT_FLAGGED_FULL_MAX and clean ones beyond REPORT_CLEAN_MAX are
 * summarised by count. Wire text goes through sanitize_text.
 *
 * This file is the sink itself: events in, the per-session records kept
 * (the store: open sessions by id, then the flagged and clean lists with
 * their caps), the run's counts, and report_finish putting the sections in
 * order. The transcript (report_transcript.c), the per-session blocks and
 * time/endpoint formatting (report_sessions.c) and the summary section
 * (report_summary.c) are their own files; report_priv.h is what they share.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/* ---- per-session records ---- */

static char empty_str[1];

static void str_free(char *p)
{
	if (p != empty_str)
		free(p);
}

static void rsess_free(struct report *r, struct rsess *s)
{
	if (!s)
		return;
	r->tx_total -= s->tx_cap;
	free(s->rec);
	free(s->f);
	str_free(s->user);
	str_free(s->banner);
	free(s->tunnel);
	free(s);
}

/* Keep *dst equal to src, reallocating only when it changed; "" is
 * empty_str, shared (most sessions start with neither user nor banner). */
static void set_str(char **dst, const char *src)
{
	if (*dst && !strcmp(*dst, src))
		return;
	str_free(*dst);
	*dst = src[0] ? xstrdup(src) : empty_str;
}

/* The session's source name, shared by the sessions of one capture file:
 * a copy per session was a malloc and a free each. */
static const char *shared_source(struct report *r, const char *src)
{
	if (!src)
		src = "";
	for (size_t i = r->nsrcnames; i-- > 0;)
		if (!strcmp(r->srcnames[i], src))
			return r->srcnames[i];
	r->srcnames = xrealloc(r->srcnames, (r->nsrcnames + 1) * sizeof *r->srcnames);
	r->srcnames[r->nsrcnames] = xstrdup(src);
	return r->srcnames[r->nsrcnames++];
}

static void rsess_drop_detail(struct report *r, struct rsess *s, bool findings_too)
{
	r->tx_total -= s->tx_cap;
	free(s->rec);
	s->rec = NULL;
	s->rec_len = s->rec_cap = 0;
	s->tx_len = s->tx_cap = 0;
	if (findings_too) {
		free(s->f);
		s->f = NULL;
		s->nf = 0;
		s->brief = true;
	}
}

/* The tunnel a session came through, as one line's text (our own names and
 * formatted addresses: nothing from the wire to sanitise). */
static char *tunnel_text(const struct ev_tunnel *t)
{
	char buf[sizeof t->type + 2 * ADDR_STR_MAX + 32];
	size_t o = (size_t)snprintf(buf, sizeof buf, "%s", t->type);
	if (t->src[0] && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, " %s -> %s", t->src, t->dst);
	if (t->has_id && o < sizeof buf)
		snprintf(buf + o, sizeof buf - o, " id %" PRIu32, t->id);
	return xstrdup(buf);
}

/* `names`: the user and banner may have changed (not every transaction can
 * change them, and comparing them on each was a visible share of a run). */
static struct rsess *rsess_get(struct report *r, const struct ev_session *e, bool names)
{
	struct rsess *s = idmap_get(&r->open, e->id);
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->id = e->id;
		s->source = shared_source(r, e->source);
		if (e->sensor[0])
			s->sensor = shared_source(r, e->sensor);
		idmap_put(&r->open, e->id, s);
		names = true;
		if (e->tunnel.depth)
			s->tunnel = tunnel_text(&e->tunnel);
	}
	s->ipver = e->ipver;
	memcpy(s->cli, e->cli, sizeof s->cli);
	memcpy(s->srv, e->srv, sizeof s->srv);
	_Static_assert(sizeof s->community_id == sizeof e->community_id, "community id: same size");
	memcpy(s->community_id, e->community_id, sizeof s->community_id);
	s->cli[sizeof s->cli - 1] = s->srv[sizeof s->srv - 1] = '\0';
	s->community_id[sizeof s->community_id - 1] = '\0';
	s->cport = e->cport;
	s->sport = e->sport;
	if (names) {
		set_str(&s->user, e->pop3.user);
		set_str(&s->banner, e->pop3.banner);
	}
	s->state = e->pop3.state;
	s->tls = e->pop3.tls;
	s->midstream = e->midstream;
	s->by_content = e->by_content;
	s->flagged = e->flagged;
	s->start_ts = e->start_ts;
	s->last_ts = e->last_ts;
	s->first_frame = e->first_frame;
	s->last_frame = e->last_frame;
	s->txns = e->txns;
	memcpy(s->pkts, e->pkts, sizeof s->pkts);
	memcpy(s->bytes, e->bytes, sizeof s->bytes);
	memcpy(s->nfind, e->findings, sizeof s->nfind);
	s->rules_hit = e->rules_hit;
	s->end = e->end;
	return s;
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

static void push(struct rsess ***v, size_t *n, size_t *cap, struct rsess *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = s;
}

/* Does the session, as last seen, pass the report's filter? */
static bool rsess_pass(const struct report *r, const struct rsess *s)
{
	struct ev_session e;
	memset(&e, 0, sizeof e);
	strlcpy_safe(e.pop3.user, s->user, sizeof e.pop3.user);
	e.ipver = s->ipver;
	memcpy(e.srv, s->srv, sizeof e.srv);
	e.sport = s->sport;
	e.flagged = s->flagged;
	e.rules_hit = s->rules_hit;
	return sink_filter_pass(&r->o.filter, &e);
}

/* The session is over (closed, or open at the end): keep what the report shows. */
static void session_done(struct report *r, struct rsess *s)
{
	idmap_del(&r->open, s->id);
	r->sessions++;
	r->not_pop3 += s->end == FLOW_END_NOT_POP3;
	r->by_content += s->by_content;
	for (int i = 0; i < R__COUNT && i < 64; i++)
		if (s->rules_hit & (1ull << i))
			r->rule_sessions[i]++;
	if (s->flagged) {
		char srv[ADDR_STR_MAX + 16], acct[SAN(POP3_ARGS_MAX) + ADDR_STR_MAX + 8], u[SAN(POP3_ARGS_MAX)];
		r->sessions_flagged++;
		report_endpoint(srv, sizeof srv, s->ipver, s->srv, s->sport);
		names_add(&r->servers, srv);
		sanitize_text(u, sizeof u, s->user[0] ? s->user : "(no user seen)");
		snprintf(acct, sizeof acct, "%s @ %s", u, s->srv);
		names_add(&r->accounts, acct);
	}
	if (!rsess_pass(r, s)) {
		r->filtered_out++;
		rsess_free(r, s);
		return;
	}
	if (s->flagged) {
		if (r->nflagged >= REPORT_FLAGGED_FULL_MAX + REPORT_CLEAN_MAX) {
			r->flagged_more++;
			rsess_free(r, s);
			return;
		}
		if (r->nflagged >= REPORT_FLAGGED_FULL_MAX)
			rsess_drop_detail(r, s, true);
		push(&r->flagged, &r->nflagged, &r->capflagged, s);
		return;
	}
	if (r->nclean >= REPORT_CLEAN_MAX) {
		r->clean_more++;
		rsess_free(r, s);
		return;
	}
	if (!r->o.verbose || r->nclean >= REPORT_CLEAN_FULL_MAX)
		rsess_drop_detail(r, s, true);
	push(&r->clean, &r->nclean, &r->capclean, s);
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
	/* The banner comes with the greeting (no command), the user with
	 * USER/PASS/APOP/AUTH; every other event type may carry either. */
	bool names = e->type != EV_TXN || !e->txn || e->txn->cmd == POP3_CMD_NONE ||
		     e->txn->cmd == POP3_CMD_USER || e->txn->cmd == POP3_CMD_PASS ||
		     e->txn->cmd == POP3_CMD_APOP || e->txn->cmd == POP3_CMD_AUTH;
	struct rsess *s = rsess_get(r, e->sess, names);
	switch (e->type) {
	case EV_TXN:
		if (e->txn)
			report_txn_keep(r, s, e->txn);
		break;
	case EV_FINDING:
		if (!e->finding)
			break;
		if ((unsigned)e->finding->sev < 3)
			r->findings[e->finding->sev]++;
		if ((unsigned)e->finding->rule < R__COUNT && (int)e->finding->sev > r->rule_worst[e->finding->rule])
			r->rule_worst[e->finding->rule] = (int)e->finding->sev;
		if (s->nf >= REPORT_FINDINGS_MAX) {
			s->f_more++;
			break;
		}
		s->f = xrealloc(s->f, (s->nf + 1) * sizeof *s->f);
		s->f[s->nf++] = *e->finding;
		break;
	case EV_SESSION_CLOSE:
		s->closed = true;
		session_done(r, s);
		break;
	default:
		break;
	}
}

/* ---- the sections, in order ---- */

static int by_id(const void *a, const void *b)
{
	const struct rsess *x = *(struct rsess *const *)a, *y = *(struct rsess *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int report_finish(void *self, char *errbuf, size_t errlen)
{
	struct report *r = self;
	FILE *o = r->out;

	/* Sessions never closed (no end-of-input close): report them as open. */
	while (r->open.n) {
		struct rsess *s = NULL;
		for (size_t i = 0; i < r->open.cap && !s; i++)
			if (r->open.keys[i])
				s = r->open.vals[i];
		session_done(r, s);
	}
	if (r->nflagged)
		qsort(r->flagged, r->nflagged, sizeof *r->flagged, by_id);
	if (r->nclean)
		qsort(r->clean, r->nclean, sizeof *r->clean, by_id);

	errno = 0;
	report_print_summary(r, o);
	if (r->nflagged) {
		fprintf(o, "\nFlagged sessions\n================\n");
		for (size_t i = 0; i < r->nflagged; i++)
			if (r->flagged[i]->brief)
				report_print_clean_line(o, r->flagged[i]);
			else
				report_print_detailed(r, o, r->flagged[i]);
		if (r->nflagged > REPORT_FLAGGED_FULL_MAX)
			fprintf(o, "\n(flagged sessions past the first %u are listed without findings and transcript)\n",
				REPORT_FLAGGED_FULL_MAX);
		if (r->flagged_more)
			fprintf(o, "  ... and %" PRIu64 " more flagged session%s (not listed)\n", r->flagged_more,
				r->flagged_more == 1 ? "" : "s");
	}
	if (r->nclean || r->clean_more) {
		fprintf(o, "\nOther sessions\n==============\n");
		for (size_t i = 0; i < r->nclean; i++) {
			if (!r->clean[i]->brief)
				report_print_detailed(r, o, r->clean[i]);
			else
				report_print_clean_line(o, r->clean[i]);
		}
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
	for (size_t i = 0; i < r->open.cap; i++)
		if (r->open.keys[i])
			rsess_free(r, r->open.vals[i]);
	idmap_fini(&r->open);
	for (size_t i = 0; i < r->nflagged; i++)
		rsess_free(r, r->flagged[i]);
	for (size_t i = 0; i < r->nclean; i++)
		rsess_free(r, r->clean[i]);
	free(r->flagged);
	free(r->clean);
	for (size_t i = 0; i < r->servers.n; i++)
		free(r->servers.v[i].name);
	for (size_t i = 0; i < r->accounts.n; i++)
		free(r->accounts.v[i].name);
	free(r->servers.v);
	free(r->accounts.v);
	for (size_t i = 0; i < r->nsrcnames; i++)
		free(r->srcnames[i]);
	free(r->srcnames);
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
	idmap_init(&r->open);
	for (int i = 0; i < R__COUNT; i++)
		r->rule_worst[i] = -1;
	for (unsigned i = 0; i <= POP3_ST_BAD; i++)
		r->status_len[i] = (uint8_t)strlen(pop3_status_str((enum pop3_status)i));
	for (unsigned i = 0; i < 32; i++) {
		const char *fn = pop3_txn_flag_name(1u << i);
		if (fn) {
			r->flag_known |= 1u << i;
			r->flag_len[i] = (uint8_t)strlen(fn);
		}
	}
	/* A session's state at its close is all the report keeps; its first
	 * event of any kind opens its record. */
	return (struct sink){ .ops = &report_ops, .self = r,
			      .skip = EV_BIT(EV_SESSION_OPEN) | EV_BIT(EV_SESSION_UPDATE) };
}
