/*
 * report_sessions.c - one session as the report prints it: the block of a
 * flagged (or -v) session (endpoints, user, times, how it ended, findings
 * with evidence, then its transcript) and the one line of a session listed
 * briefly; with the time and endpoint formatting every section uses.
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
	if (ipver == 6)
		snprintf(b, n, "[%s]:%u", addr, port);
	else
		snprintf(b, n, "%s:%u", addr, port);
}

static void print_session_head(struct report *r, FILE *o, const struct rsess *s)
{
	char c[ADDR_STR_MAX + 16], v[ADDR_STR_MAX + 16], a[OUT_TIME_MAX], b[OUT_TIME_MAX];
	char u[SAN(POP3_ARGS_MAX)], ban[SAN(POP3_TEXT_MAX)], src[SAN(64)], srcs[65];
	report_endpoint(c, sizeof c, s->ipver, s->cli, s->cport);
	report_endpoint(v, sizeof v, s->ipver, s->srv, s->sport);
	char sen[SAN(SENSOR_NAME_MAX)];
	strlcpy_safe(srcs, s->source, sizeof srcs);
	fprintf(o, "\nSession %" PRIu64 ": %s -> %s  (%s%s%s)\n", s->id, c, v,
		s->sensor ? sanitize_text(sen, sizeof sen, s->sensor) : "", s->sensor ? ": " : "",
		sanitize_text(src, sizeof src, srcs));
	fprintf(o, "  user %s, state %s%s%s%s\n", s->user[0] ? sanitize_text(u, sizeof u, s->user) : "(none seen)",
		pop3_state_name(s->state), s->tls ? ", TLS" : "", s->midstream ? ", capture began mid-session" : "",
		s->by_content ? ", found by content (port not watched)" : "");
	report_fmt_time(r, a, sizeof a, s->start_ts, false);
	report_fmt_time(r, b, sizeof b, s->last_ts, false);
	fprintf(o, "  start %s, last %s, %s\n", a, b,
		s->closed ? flow_end_name(s->end) : "still open at the end of input");
	fprintf(o, "  frames %" PRIu64 "-%" PRIu64 ", %" PRIu64 " txns, %" PRIu64 "/%" PRIu64
		   " packets and %" PRIu64 "/%" PRIu64 " bytes client/server\n",
		s->first_frame, s->last_frame, s->txns, s->pkts[0], s->pkts[1], s->bytes[0], s->bytes[1]);
	if (s->banner[0])
		fprintf(o, "  banner: %s\n", sanitize_text(ban, sizeof ban, s->banner));
	if (s->community_id[0])
		fprintf(o, "  community id %s\n", s->community_id);
	if (s->tunnel)
		fprintf(o, "  tunnel %s\n", s->tunnel);
}

void report_print_detailed(struct report *r, FILE *o, const struct rsess *s)
{
	print_session_head(r, o, s);
	if (s->nf)
		fprintf(o, "  Findings\n");
	for (unsigned i = 0; i < s->nf; i++) {
		const struct finding *f = &s->f[i];
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
	if (s->f_more)
		fprintf(o, "    ... %" PRIu64 " more finding%s\n", s->f_more, s->f_more == 1 ? "" : "s");
	report_print_transcript(r, o, s);
}

void report_print_clean_line(FILE *o, const struct rsess *s)
{
	char c[ADDR_STR_MAX + 16], v[ADDR_STR_MAX + 16], u[SAN(POP3_ARGS_MAX)];
	report_endpoint(c, sizeof c, s->ipver, s->cli, s->cport);
	report_endpoint(v, sizeof v, s->ipver, s->srv, s->sport);
	fprintf(o, "  Session %" PRIu64 ": %s -> %s  user %s  %s  %" PRIu64 " txns  %s", s->id, c, v,
		s->user[0] ? sanitize_text(u, sizeof u, s->user) : "-", pop3_state_name(s->state), s->txns,
		s->closed ? flow_end_name(s->end) : "open");
	if (s->sensor) {
		char sen[SAN(SENSOR_NAME_MAX)];
		fprintf(o, "  sensor %s", sanitize_text(sen, sizeof sen, s->sensor));
	}
	if (s->tunnel)
		fprintf(o, "  tunnel %s", s->tunnel);
	if (s->by_content)
		fprintf(o, "  found by content");
	if (s->rules_hit) {
		fprintf(o, "  %s:", s->flagged ? "rules" : "notices");
		for (int i = 0; i < R__COUNT && i < 64; i++)
			if (s->rules_hit & (1ull << i))
				fprintf(o, " %s", rule_name((enum rule_id)i));
	}
	fprintf(o, "\n");
}
