/*
 * event_bus.c - fan-out of events to the registered sinks, in order,
 * after the bus's session ledger (if any) has taken the event in.
 */
#include <stdio.h>

#include "event.h"
#include "ledger.h"

void event_bus_add(struct event_bus *b, struct sink s)
{
	if (b->n < EVENT_SINKS_MAX && s.ops) {
		b->skip = b->n ? b->skip & s.skip : s.skip;
		b->sinks[b->n++] = s;
	}
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
