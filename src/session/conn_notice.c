/*
 * conn_notice.c - the notices of connections that never became POP3
 * sessions (conn-refused, conn-no-answer, no-greeting,
 * reset-before-greeting) and of traffic that is not POP3 (not-pop3), built
 * from the handshake the flow table kept (struct flow_hs) and from what
 * detect.c saw. Pure: a flow and an end reason in, a finding out.
 */
#include "conn_notice.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void ev_set(struct evidence *e, uint64_t frame, uint64_t ts, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void ev_set(struct evidence *e, uint64_t frame, uint64_t ts, const char *fmt, ...)
{
	va_list ap;
	memset(e, 0, sizeof(*e));
	e->frame = frame;
	e->ts_us = ts;
	va_start(ap, fmt);
	vsnprintf(e->line, sizeof(e->line), fmt, ap);
	va_end(ap);
}

static double secs(uint64_t us)
{
	return (double)us / 1e6;
}

static uint64_t since(uint64_t later, uint64_t earlier)
{
	return later > earlier ? later - earlier : 0;
}

bool conn_notice(const struct flow *f, enum flow_end why, const struct conn_notice_opts *o,
		 struct finding *out)
{
	const struct flow_hs *h = &f->hs;
	memset(out, 0, sizeof(*out));
	out->sev = SEV_NOTICE;
	switch (why) {
	case FLOW_END_REFUSED:
		out->rule = R_CONN_REFUSED;
		out->ts_us = h->rst_ts;
		snprintf(out->summary, sizeof(out->summary),
			 "connection refused: the server answered the SYN with RST %.3f s later "
			 "(nothing listens on port %u)",
			 secs(since(h->rst_ts, h->last_syn_ts)), f->sport);
		ev_set(&out->ev[out->n_ev++], h->syn_frame, h->syn_ts, "SYN (client -> server port %u)",
		       f->sport);
		ev_set(&out->ev[out->n_ev++], h->rst_frame, h->rst_ts, "RST from the server");
		return true;
	case FLOW_END_NO_ANSWER:
		out->rule = R_CONN_NO_ANSWER;
		out->ts_us = h->syn_ts + o->no_answer_us;
		snprintf(out->summary, sizeof(out->summary),
			 "no answer to the SYN within %.1f s: sent %" PRIu32 " time%s (%" PRIu32
			 " retransmission%s)",
			 secs(o->no_answer_us), h->syns, h->syns == 1 ? "" : "s", h->syns - 1,
			 h->syns == 2 ? "" : "s");
		ev_set(&out->ev[out->n_ev++], h->syn_frame, h->syn_ts, "SYN (client -> server port %u)",
		       f->sport);
		if (h->syns > 1)
			ev_set(&out->ev[out->n_ev++], h->last_syn_frame, h->last_syn_ts,
			       "SYN retransmission %" PRIu32 " of %" PRIu32 ", %.3f s after the first",
			       h->syns - 1, h->syns - 1, secs(since(h->last_syn_ts, h->syn_ts)));
		return true;
	case FLOW_END_NO_GREETING:
		out->rule = R_NO_GREETING;
		ev_set(&out->ev[out->n_ev++], h->synack_frame, h->synack_ts,
		       "SYN-ACK: the server accepted the connection");
		if (f->hs.first_fin_dir == DIR_S2C && !f->bytes[DIR_S2C]) {
			out->ts_us = f->last_ts;
			snprintf(out->summary, sizeof(out->summary),
				 "the server accepted the connection and closed it %.3f s later "
				 "without a greeting",
				 secs(since(f->last_ts, h->synack_ts)));
			ev_set(&out->ev[out->n_ev++], f->last_frame, f->last_ts,
			       "FIN from the server, no greeting sent");
		} else {
			out->ts_us = h->synack_ts + o->no_greeting_us;
			snprintf(out->summary, sizeof(out->summary),
				 "the server accepted the connection but sent no greeting "
				 "within %.1f s",
				 secs(o->no_greeting_us));
			ev_set(&out->ev[out->n_ev++], f->last_frame, f->last_ts,
			       "the last packet of the %.1f s waited: no byte from the server",
			       secs(o->no_greeting_us));
		}
		return true;
	case FLOW_END_RESET_BEFORE_GREETING:
		out->rule = R_RESET_BEFORE_GREETING;
		out->ts_us = h->rst_ts;
		snprintf(out->summary, sizeof(out->summary),
			 "the connection was reset by the %s %.3f s after it was accepted, "
			 "before the server's greeting",
			 h->rst_dir == DIR_S2C ? "server" : "client", secs(since(h->rst_ts, h->synack_ts)));
		ev_set(&out->ev[out->n_ev++], h->synack_frame, h->synack_ts,
		       "SYN-ACK: the server accepted the connection");
		ev_set(&out->ev[out->n_ev++], h->rst_frame, h->rst_ts, "RST from the %s",
		       h->rst_dir == DIR_S2C ? "server" : "client");
		return true;
	default:
		return false;
	}
}

void not_pop3_notice(const struct detect *d, struct finding *out)
{
	memset(out, 0, sizeof(*out));
	out->rule = R_NOT_POP3;
	out->sev = SEV_NOTICE;
	out->ts_us = d->why_ts;
	snprintf(out->summary, sizeof(out->summary), "not POP3: %s; not judged by the other rules",
		 d->why ? d->why : "unknown");
	struct evidence *e = &out->ev[out->n_ev++];
	memset(e, 0, sizeof(*e));
	e->frame = d->why_frame;
	e->ts_us = d->why_ts;
	/* the first bytes up to the line's end: wire text, sanitised by the sinks */
	size_t n = 0;
	while (n < d->why_len && d->why_bytes[n] != '\r' && d->why_bytes[n] != '\n')
		n++;
	int at = snprintf(e->line, sizeof(e->line), "%s: ", d->why_dir == DIR_S2C ? "server" : "client");
	if (detect_tls_record(d->why_bytes, d->why_len)) {
		/* binary: the record header in hex, not as text */
		at += snprintf(e->line + at, sizeof(e->line) - (size_t)at, "TLS record");
		for (size_t i = 0; i < d->why_len && i < 6 && at > 0 && (size_t)at < sizeof(e->line); i++)
			at += snprintf(e->line + at, sizeof(e->line) - (size_t)at, " %02x", d->why_bytes[i]);
		return;
	}
	if (at > 0 && (size_t)at < sizeof(e->line)) {
		size_t room = sizeof(e->line) - 1 - (size_t)at;
		if (n > room)
			n = room;
		for (size_t i = 0; i < n; i++)
			e->line[(size_t)at + i] = d->why_bytes[i] ? (char)d->why_bytes[i] : '.';
		e->line[(size_t)at + n] = '\0';
	}
}
