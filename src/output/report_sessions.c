/*
 * report_sessions.c - one session as the report prints it: the block of a
 * flagged (or -v) session (endpoints, user, times, how it ended, findings
 * with evidence, then its transcript) and the one line of a session listed
 * briefly; with the time and endpoint formatting every section uses. A
 * session is read from the session ledger (ledger.h): its snapshot, its
 * findings and its transcript.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report_priv.h"

void report_fmt_time(const struct report *r, char *b, size_t n, uint64_t ts, bool clock)
{
	enum out_time_style st = clock ? (r->o.localtime ? OUT_TIME_CLOCK_LOCAL : OUT_TIME_CLOCK_UTC)
				       : (r->o.localtime ? OUT_TIME_LOCAL : OUT_TIME_UTC);
	out_fmt_time(b, n, ts, st);
}

void report_endpoint(char *b, size_t n, uint8_t ipver, const char *addr, uint16_t port)
{
	struct line l = { b, 0, n };
	b[0] = '\0';
	if (ipver == 6)
		line_put(&l, "[", 1);
	/* the address arrays of an event are ADDR_STR_MAX bytes, not always
	 * with their NUL (a snapshot is copied as it came) */
	line_put(&l, addr, strnlen(addr, ADDR_STR_MAX - 1));
	line_str(&l, ipver == 6 ? "]:" : ":");
	line_u64(&l, port);
}

/* The tunnel a session came through, as one line's text (our own names and
 * formatted addresses: nothing from the wire to sanitise). */
static void tunnel_text(char *buf, size_t n, const struct ev_tunnel *t)
{
	size_t o = (size_t)snprintf(buf, n, "%s", t->type);
	if (t->src[0] && o < n)
		o += (size_t)snprintf(buf + o, n - o, " %s -> %s", t->src, t->dst);
	if (t->has_id && o < n)
		snprintf(buf + o, n - o, " id %" PRIu32, t->id);
}
#define TUNNEL_TEXT_MAX (sizeof(((struct ev_tunnel *)0)->type) + 2 * ADDR_STR_MAX + 32)

static void print_session_head(struct report *r, FILE *o, const struct ev_session *s, bool closed)
{
	char c[ADDR_STR_MAX + 16], v[ADDR_STR_MAX + 16], a[OUT_TIME_MAX], b[OUT_TIME_MAX];
	char u[SAN(POP3_ARGS_MAX)], ban[SAN(POP3_TEXT_MAX)], src[SAN(64)], srcs[65];
	report_endpoint(c, sizeof c, s->ipver, s->cli, s->cport);
	report_endpoint(v, sizeof v, s->ipver, s->srv, s->sport);
	char sen[SAN(SENSOR_NAME_MAX)];
	strlcpy_safe(srcs, s->source ? s->source : "", sizeof srcs);
	fprintf(o, "\nSession %" PRIu64 ": %s -> %s  (%s%s%s)\n", s->id, c, v,
		s->sensor[0] ? sanitize_text(sen, sizeof sen, s->sensor) : "", s->sensor[0] ? ": " : "",
		sanitize_text(src, sizeof src, srcs));
	fprintf(o, "  user %s, state %s%s%s%s\n",
		s->pop3.user[0] ? sanitize_text(u, sizeof u, s->pop3.user) : "(none seen)",
		pop3_state_name(s->pop3.state), s->pop3.tls ? ", TLS" : "",
		s->midstream ? ", capture began mid-session" : "",
		s->by_content ? ", found by content (port not watched)" : "");
	report_fmt_time(r, a, sizeof a, s->start_ts, false);
	report_fmt_time(r, b, sizeof b, s->last_ts, false);
	fprintf(o, "  start %s, last %s, %s\n", a, b,
		closed ? flow_end_name(s->end) : "still open at the end of input");
	fprintf(o, "  frames %" PRIu64 "-%" PRIu64 ", %" PRIu64 " txns, %" PRIu64 "/%" PRIu64
		   " packets and %" PRIu64 "/%" PRIu64 " bytes client/server\n",
		s->first_frame, s->last_frame, s->txns, s->pkts[0], s->pkts[1], s->bytes[0], s->bytes[1]);
	if (s->pop3.banner[0])
		fprintf(o, "  banner: %s\n", sanitize_text(ban, sizeof ban, s->pop3.banner));
	if (s->community_id[0])
		fprintf(o, "  community id %.*s\n", (int)sizeof s->community_id - 1, s->community_id);
	if (s->tunnel.depth) {
		char tun[TUNNEL_TEXT_MAX];
		tunnel_text(tun, sizeof tun, &s->tunnel);
		fprintf(o, "  tunnel %s\n", tun);
	}
}

void report_print_detailed(struct report *r, FILE *o, const struct ledger_entry *le)
{
	struct ev_session s;
	ledger_snapshot(le, &s);
	print_session_head(r, o, &s, le->closed);
	if (le->n_fx)
		fprintf(o, "  Findings\n");
	for (size_t i = 0; i < le->n_fx; i++) {
		const struct finding *f = &le->fx[i];
		char sum[SAN(FINDING_SUMMARY_MAX)], line[SAN(FINDING_LINE_MAX)], tm[OUT_TIME_MAX], raw[FINDING_LINE_MAX];
		char up[8];
		const char *sv = severity_name(f->sev);
		size_t k = 0;
		for (; sv[k] && k < sizeof up - 1; k++)
			up[k] = (char)(sv[k] >= 'a' && sv[k] <= 'z' ? sv[k] - 32 : sv[k]);
		up[k] = '\0';
		char fsum[FINDING_SUMMARY_MAX];
		strlcpy_safe(fsum, f->summary, sizeof fsum);
		fprintf(o, "    %-7s %s: %s\n", up, rule_name(f->rule), sanitize_text(sum, sizeof sum, fsum));
		for (unsigned j = 0; j < f->n_ev && j < FINDING_EVIDENCE_MAX; j++) {
			report_fmt_time(r, tm, sizeof tm, f->ev[j].ts_us, true);
			strlcpy_safe(raw, f->ev[j].line, sizeof raw);
			fprintf(o, "            frame %-7" PRIu64 " %s  %s\n", f->ev[j].frame, tm,
				sanitize_text(line, sizeof line, raw));
		}
		fprintf(o, "            basis: %s\n", rule_rfc(f->rule));
		if (rule_symptom(f->rule))
			fprintf(o, "            client: %s\n", rule_symptom(f->rule));
	}
	if (le->fx_dropped)
		fprintf(o, "    ... %" PRIu64 " more finding%s\n", le->fx_dropped, le->fx_dropped == 1 ? "" : "s");
	report_print_transcript(r, o, le);
}

/* The longest line: its fixed words, two endpoints, the user, the sensor
 * and the tunnel escaped, every rule named. */
#define CLEAN_LINE_MAX \
	(256 + 2 * (ADDR_STR_MAX + 16) + SAN(POP3_ARGS_MAX) + SAN(SENSOR_NAME_MAX) + TUNNEL_TEXT_MAX + 64 * 48)

char *report_clean_line(const struct ev_session *s, bool closed)
{
	char b[CLEAN_LINE_MAX];
	struct line l = { b, 0, sizeof b };
	char c[ADDR_STR_MAX + 16], v[ADDR_STR_MAX + 16];
	report_endpoint(c, sizeof c, s->ipver, s->cli, s->cport);
	report_endpoint(v, sizeof v, s->ipver, s->srv, s->sport);
	b[0] = '\0';
	line_str(&l, "  Session ");
	line_u64(&l, s->id);
	line_str(&l, ": ");
	line_str(&l, c);
	line_str(&l, " -> ");
	line_str(&l, v);
	line_str(&l, "  user ");
	line_san(&l, s->pop3.user[0] ? s->pop3.user : "-");
	line_str(&l, "  ");
	line_str(&l, pop3_state_name(s->pop3.state));
	line_str(&l, "  ");
	line_u64(&l, s->txns);
	line_str(&l, " txns  ");
	line_str(&l, closed ? flow_end_name(s->end) : "open");
	if (s->sensor[0]) {
		line_str(&l, "  sensor ");
		line_san(&l, s->sensor);
	}
	if (s->tunnel.depth) {
		char tun[TUNNEL_TEXT_MAX];
		tunnel_text(tun, sizeof tun, &s->tunnel);
		line_str(&l, "  tunnel ");
		line_str(&l, tun);
	}
	if (s->by_content)
		line_str(&l, "  found by content");
	if (s->rules_hit) {
		line_str(&l, s->flagged ? "  rules:" : "  notices:");
		for (int i = 0; i < R__COUNT && i < 64; i++)
			if (s->rules_hit & (1ull << i)) {
				line_str(&l, " ");
				line_str(&l, rule_name((enum rule_id)i));
			}
	}
	line_str(&l, "\n");
	return xstrdup(b);
}
