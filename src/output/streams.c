/*
 * streams.c - the --streams sink: one line per flow as it closes, with
 * what reassembly made of it (bytes each way, gaps, how it ended). It is
 * the view of the lower stages, for users and end-to-end tests of
 * capture and reassembly without the POP3 layers' opinions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "sinks.h"
#include "util.h"

static void streams_event(void *self, const struct event *e)
{
	FILE *out = self;
	if (e->type != EV_SESSION_CLOSE)
		return;
	const struct ev_session *s = e->sess;
	const struct ev_pop3 *ci = &s->pop3;
	const char *l = s->ipver == 6 ? "[" : "", *r = s->ipver == 6 ? "]" : "";
	fprintf(out, "flow %" PRIu64 " %s%s%s:%u -> %s%s%s:%u", s->id, l, s->cli, r, s->cport, l,
		s->srv, r, s->sport);
	fprintf(out,
		" c2s=%" PRIu64 " s2c=%" PRIu64 " pkts=%" PRIu64 "/%" PRIu64 " gaps=%" PRIu64 "/%" PRIu64
		" gap_bytes=%" PRIu64 "/%" PRIu64 "%s%s end=%s\n",
		ci->bytes[0], ci->bytes[1], s->pkts[0], s->pkts[1], ci->gaps[0], ci->gaps[1],
		ci->gap_bytes[0], ci->gap_bytes[1], s->midstream ? " midstream" : "",
		ci->tls ? " tls" : "", flow_end_name(s->end));
}

static int streams_finish(void *self, char *errbuf, size_t errlen)
{
	FILE *out = self;
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(errbuf, errlen, "stdout: write error");
		return -1;
	}
	return 0;
}

static const struct sink_ops streams_ops = { "streams", streams_event, streams_finish, NULL };

struct sink streams_sink_new(FILE *out)
{
	struct sink s = { .ops = &streams_ops, .self = out, .skip = ~EV_BIT(EV_SESSION_CLOSE) };
	return s;
}
