/*
 * event_bus.c - fan-out of events to the registered sinks, in order,
 * after the bus's session ledger (if any) has taken the event in.
 */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "ledger.h"

void event_bus_add(struct event_bus *b, struct sink s)
{
	if (b->n < EVENT_SINKS_MAX && s.ops) {
		b->skip = b->n ? b->skip & s.skip : s.skip;
		b->parts = (b->n ? b->parts : true) && s.takes_parts;
		b->sinks[b->n++] = s;
	}
}

void ev_pop3_counters(struct ev_pop3 *p, const struct pop3_conn_info *ci)
{
	p->state = ci->state;
	p->greeted = ci->greeted;
	p->tls = ci->tls;
	p->stls_accepted = ci->stls_accepted;
	p->login_seen = ci->login_seen;
	p->quit_seen = ci->quit_seen;
	memcpy(p->bytes, ci->bytes, sizeof p->bytes);
	memcpy(p->gaps, ci->gaps, sizeof p->gaps);
	memcpy(p->gap_bytes, ci->gap_bytes, sizeof p->gap_bytes);
	p->resyncs = ci->resyncs;
	p->unanswered = ci->unanswered;
	p->unsolicited = ci->unsolicited;
	p->garbage_lines = ci->garbage_lines;
	p->pending_dropped = ci->pending_dropped;
	memcpy(p->bare_lf, ci->bare_lf, sizeof p->bare_lf);
	memcpy(p->long_lines, ci->long_lines, sizeof p->long_lines);
}

void ev_session_join(struct ev_session *out, const struct ev_session_head *head,
		     const struct pop3_conn_info *ci)
{
	struct ev_pop3 *p = &out->pop3;
	memcpy(out, head, sizeof *head);
	ev_pop3_counters(p, ci);
	/* by their kept lengths: a string scan each, for every event, cost
	 * ~0.7% of the main thread */
	size_t n = ev_text_len(ci->user_len, sizeof p->user);
	memcpy(p->user, ci->user, n);
	p->user[n] = '\0';
	n = ev_text_len(ci->banner_len, sizeof p->banner);
	memcpy(p->banner, ci->banner, n);
	p->banner[n] = '\0';
}

void event_bus_prefetch(const struct event_bus *b, uint64_t id, int stage)
{
	if (b->ledger)
		ledger_prefetch(b->ledger, id, stage);
}

void event_bus_emit(const struct event_bus *b, const struct event *e)
{
	struct ev_stats st;
	struct event with;
	if (b->ledger) {
		ledger_apply(b->ledger, e);
		/* A stats event goes on with what the ledger dropped and holds
		 * (ledger.h): the ledger is this stage's, and the pipeline that
		 * made the event never reads it. Once a second at most. */
		if (e->type == EV_STATS && e->stats && !b->ledger_silent) {
			st = *e->stats;
			ledger_counts(b->ledger, &st.ledger);
			with = *e;
			with.stats = &st;
			e = &with;
		}
	}
	for (int i = 0; i < b->n; i++)
		if (!(b->sinks[i].skip & EV_BIT(e->type)))
			b->sinks[i].ops->event(b->sinks[i].self, e);
}

int event_bus_finish(struct event_bus *b, char *errbuf, size_t errlen)
{
	int rc = 0;
	for (int i = 0; i < b->n; i++)
		if (b->sinks[i].ops->finish && b->sinks[i].ops->finish(b->sinks[i].self, errbuf, errlen) < 0)
			rc = -1;
	return rc;
}

void event_bus_free(struct event_bus *b)
{
	for (int i = 0; i < b->n; i++)
		if (b->sinks[i].ops->free)
			b->sinks[i].ops->free(b->sinks[i].self);
	b->n = 0;
}
