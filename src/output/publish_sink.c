/*
 * publish_sink.c - the sink that feeds the publisher (publish.h): a JSON
 * lines writer whose lines go to publisher_line instead of a file, and
 * the stats events with the publisher's counters as they are at that
 * line. Its writer keeps its sessions' own in the bus's ledger when given
 * one (publisher_sink), as --json's does.
 */
#include <stdlib.h>

#include "publish.h"
#include "sinks.h"
#include "util.h"

struct pub_sink {
	struct sink json;
	struct publisher *p;
};

static void line_to_publisher(void *ctx, const char *line, size_t n)
{
	publisher_line(ctx, line, n);
}

static void pub_event(void *self, const struct event *e)
{
	struct pub_sink *s = self;
	if (e->type == EV_STATS && e->stats) {
		/* The publisher's counters as they are now, at this line (the
		 * copy main filled was taken before the lines ahead of it came). */
		struct ev_stats st = *e->stats;
		struct event e2 = *e;
		publisher_stats(s->p, &st.publish);
		e2.stats = &st;
		s->json.ops->event(s->json.self, &e2);
		return;
	}
	s->json.ops->event(s->json.self, e);
}

static int pub_finish(void *self, char *errbuf, size_t errlen)
{
	struct pub_sink *s = self;
	int rc = s->json.ops->finish(s->json.self, errbuf, errlen);
	publisher_drain(s->p); /* an unreachable Redis is said, not an error of the run */
	return rc;
}

static void pub_free(void *self)
{
	struct pub_sink *s = self;
	if (!s)
		return;
	s->json.ops->free(s->json.self);
	publisher_free(s->p);
	free(s);
}

static const struct sink_ops pub_ops = {
	.name = "publish",
	.event = pub_event,
	.finish = pub_finish,
	.free = pub_free,
};

void publisher_tee(struct publisher *p, struct json_opts *jo)
{
	jo->line_fn = line_to_publisher;
	jo->line_ctx = p;
}

struct sink publisher_sink(struct publisher *p, const char *sensor, bool stats_only, struct ledger *ledger)
{
	struct sink out = { 0 };
	struct json_opts jo = { .stats_events = true, .flush_sessions = false, .host = sensor,
				.line_fn = line_to_publisher, .line_ctx = p,
				.ledger = stats_only ? NULL : ledger }; /* stats only: no session of its own */
	jo.filter.rule = -1;
	char err[64];
	struct pub_sink *s = xcalloc(1, sizeof(*s));
	s->json = json_sink_new(NULL, &jo, err, sizeof(err));
	s->p = p;
	out.ops = &pub_ops;
	out.self = s;
	out.skip = stats_only ? ~EV_BIT(EV_STATS) : s->json.skip;
	return out;
}
