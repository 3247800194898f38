/*
 * report_summary.c - the report's first section, a summary of the whole
 * run: the captures, frames and tunnels, the time span, sessions and
 * findings counted, the selection shown, sessions by rule, the servers and
 * accounts of flagged sessions, and the capture anomalies; led by the
 * no-POP3 notice when the input held no POP3 session.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"
#include "stats.h"

static int by_count(const void *a, const void *b)
{
	const struct name_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void print_names(FILE *o, const char *title, struct names *ns)
{
	if (ns->n == 0)
		return;
	qsort(ns->v, ns->n, sizeof *ns->v, by_count);
	fprintf(o, "\n%s\n", title);
	for (size_t i = 0; i < ns->n && i < REPORT_NAMES_SHOWN; i++)
		fprintf(o, "  %-44s %" PRIu64 " session%s\n", ns->v[i].name, ns->v[i].n, ns->v[i].n == 1 ? "" : "s");
	if (ns->n > REPORT_NAMES_SHOWN || ns->other) {
		uint64_t rest = ns->other;
		for (size_t i = REPORT_NAMES_SHOWN; i < ns->n; i++)
			rest += ns->v[i].n;
		fprintf(o, "  ... and %" PRIu64 " more session%s elsewhere\n", rest, rest == 1 ? "" : "s");
	}
}

static void anomaly(FILE *o, bool *any, const char *what, uint64_t n, const char *why)
{
	if (!n)
		return;
	if (!*any)
		fprintf(o, "\nCapture anomalies\n");
	*any = true;
	fprintf(o, "  %-30s %10" PRIu64 "  %s\n", what, n, why);
}

/* The counters with a report line in include/stats.def, in their ranks'
 * order: those of one rank added into one line. */
static void print_anomalies(const struct report *r, FILE *o)
{
	const struct ev_stats *st = &r->stats;
	bool any = false;
	if (!r->have_stats)
		return;
	int ranks = 0;
	for (size_t i = 0; i < stats_keys_n; i++)
		if (stats_keys[i].rank > ranks)
			ranks = stats_keys[i].rank;
	for (int rank = 1; rank <= ranks; rank++) {
		const struct stats_key *line = NULL;
		uint64_t n = 0;
		for (size_t i = 0; i < stats_keys_n; i++) {
			const struct stats_key *k = &stats_keys[i];
			if (k->rank != rank || !stats_when(st, k->when))
				continue;
			if (k->kind == STATS_DECODER) {
				for (int d = 0; d < DEC__COUNT; d++) {
					if (d == DEC_OK || d == DEC_NOT_IP || d == DEC_NOT_TCP || DEC_IS_TUNNEL_LAYER(d))
						continue; /* other traffic, tunnels decoded: nothing wrong */
					char what[64];
					snprintf(what, sizeof what, "%s %s", k->label, decode_reason_name((enum decode_reason)d));
					anomaly(o, &any, what, st->dec.count[d], decode_reason_desc((enum decode_reason)d));
				}
			} else if (k->kind == STATS_U64) {
				n += stats_u64_of(st, k);
				if (k->label)
					line = k;
			}
		}
		if (line)
			anomaly(o, &any, line->label, n, line->why);
	}
	if (!any)
		fprintf(o, "\nCapture anomalies: none\n");
}

/* The encapsulations decoded, with how many frames' layers each: said
 * only when there were any. */
static void print_tunnels(const struct report *r, FILE *o)
{
	bool any = false;
	for (int i = DEC_TUN_FIRST; r->have_stats && i < DEC__COUNT; i++) {
		if (!r->stats.dec.count[i])
			continue;
		fprintf(o, "%s%s %" PRIu64, any ? ", " : "Tunnels:         ",
			decode_tunnel_kind_name((unsigned)i), r->stats.dec.count[i]);
		any = true;
	}
	if (any)
		fprintf(o, " (layers decoded)\n");
}

/* No silent all-clear: a capture without a POP3 session says so first,
 * with what it did hold and where POP3 may be. */
static void print_no_pop3(const struct report *r, FILE *o)
{
	const struct ev_stats *st = &r->stats;
	fprintf(o, "NO POP3 SESSION in this input: nothing was judged (exit status 0 means\n"
		   "\"no contradiction found\", not \"POP3 is fine\").\n");
	if (!r->have_stats)
		return;
	uint64_t tcp = st->dec.count[DEC_OK] + st->dec.count[DEC_PAYLOAD_TRUNC];
	fprintf(o, "  Seen: %" PRIu64 " frame%s, %" PRIu64 " TCP packet%s decoded", st->frames,
		st->frames == 1 ? "" : "s", tcp, tcp == 1 ? "" : "s");
	uint64_t undecoded = 0;
	for (int i = 0; i < DEC_TUN_FIRST; i++) /* the tunnel layers are no frame's fate */
		if (i != DEC_OK && i != DEC_PAYLOAD_TRUNC)
			undecoded += st->dec.count[i];
	fprintf(o, ", %" PRIu64 " frames not decoded to TCP", undecoded);
	const char *sep = " (";
	for (int i = 0; i < DEC_TUN_FIRST; i++) {
		if (i == DEC_OK || i == DEC_PAYLOAD_TRUNC || !st->dec.count[i])
			continue;
		fprintf(o, "%s%s %" PRIu64, sep, decode_reason_name((enum decode_reason)i), st->dec.count[i]);
		sep = ", ";
	}
	bool any_dec = undecoded > 0;
	fprintf(o, "%s\n", any_dec ? ")" : "");
	if (st->other_flows) {
		fprintf(o, "  TCP connections that were not POP3, by server port:");
		for (size_t i = 0; i < ARRAY_LEN(st->other_ports) && st->other_ports[i].flows; i++)
			fprintf(o, "%s %u (%" PRIu64 ")", i ? "," : "", st->other_ports[i].port,
				st->other_ports[i].flows);
		fprintf(o, "; %" PRIu64 " in all\n", st->other_flows);
	} else if (st->flows.not_watched) {
		fprintf(o, "  %" PRIu64 " TCP packets on ports not watched (--ports-only: not looked at)\n",
			st->flows.not_watched);
	}
	if (r->not_pop3)
		fprintf(o, "  %" PRIu64 " connection%s on the POP3 ports carried another protocol (not-pop3)\n",
			r->not_pop3, r->not_pop3 == 1 ? "" : "s");
	fprintf(o, "  Hint: POP3 on another port is found by its content (a +OK/-ERR greeting\n"
		   "  answered by a POP3 command) unless --ports-only; a capture that began\n"
		   "  after the greeting needs the port named: -p PORT.\n\n");
}

void report_print_summary(struct report *r, FILE *o)
{
	char a[OUT_TIME_MAX], b[OUT_TIME_MAX];
	fprintf(o, "pop3mon report\n==============\n\n");
	if (r->sessions == r->not_pop3)
		print_no_pop3(r, o);
	fprintf(o, "Captures:        ");
	if (r->o.nsources == 0)
		fprintf(o, "(none named)");
	for (size_t i = 0; i < r->o.nsources; i++) {
		char n[SAN(256)];
		char shortn[257];
		strlcpy_safe(shortn, r->o.sources[i] ? r->o.sources[i] : "", sizeof shortn);
		fprintf(o, "%s%s", i ? ", " : "", sanitize_text(n, sizeof n, shortn));
	}
	fprintf(o, "\n");
	if (r->have_stats)
		fprintf(o, "Frames:          %" PRIu64 " (%" PRIu64 " bytes)\n", r->stats.frames, r->stats.bytes);
	print_tunnels(r, o);
	if (r->first_ts)
		fprintf(o, "Time span:       %s .. %s\n", (report_fmt_time(r, a, sizeof a, r->first_ts, false), a),
			(report_fmt_time(r, b, sizeof b, r->last_ts, false), b));
	fprintf(o, "POP3 sessions:   %" PRIu64 ", flagged %" PRIu64 " (an error or warning finding)\n",
		r->sessions - r->not_pop3, r->sessions_flagged);
	if (r->by_content)
		fprintf(o, "Found by content: %" PRIu64 " of them on ports not watched (--ports-only: none)\n",
			r->by_content);
	if (r->not_pop3)
		fprintf(o, "Not POP3:        %" PRIu64 " connection%s on POP3 ports (not-pop3; not judged)\n",
			r->not_pop3, r->not_pop3 == 1 ? "" : "s");
	fprintf(o, "Findings:        %" PRIu64 " error, %" PRIu64 " warning, %" PRIu64 " notice\n",
		r->findings[SEV_ERROR], r->findings[SEV_WARNING], r->findings[SEV_NOTICE]);
	if (r->dropped_open) /* more open at once than the ledger holds (a SYN flood) */
		fprintf(o, "Not held:        %" PRIu64 " session%s, over %u open at once: counted, "
			   "listed without findings or transcript\n",
			r->dropped_open, r->dropped_open == 1 ? "" : "s", (unsigned)LEDGER_SESSIONS_MAX);
	const struct sink_filter *f = &r->o.filter;
	if (f->only_flagged || f->rule >= 0 || f->server || f->user) {
		char srv[SAN(ADDR_STR_MAX + 16)] = "", usr[SAN(POP3_ARGS_MAX)] = "";
		if (f->server) {
			char t[ADDR_STR_MAX + 16];
			strlcpy_safe(t, f->server, sizeof t);
			sanitize_text(srv, sizeof srv, t);
		}
		if (f->user) {
			char t[POP3_ARGS_MAX + 1];
			strlcpy_safe(t, f->user, sizeof t);
			sanitize_text(usr, sizeof usr, t);
		}
		char sel[SAN(ADDR_STR_MAX + 16) + SAN(POP3_ARGS_MAX) + 96];
		snprintf(sel, sizeof sel, "%s%s%s%s%s%s%s", f->only_flagged ? " --only-flagged" : "",
			 f->rule >= 0 ? " --rule " : "", f->rule >= 0 ? rule_name((enum rule_id)f->rule) : "",
			 f->server ? " --server " : "", srv, f->user ? " --user " : "", usr);
		/* A selection that matches nothing says so; the lines above and
		 * the exit status are the whole capture's either way. */
		if (r->filtered_out >= r->sessions)
			fprintf(o, "Shown:           no session matches%s (%" PRIu64 " not shown)\n", sel,
				r->filtered_out);
		else
			fprintf(o, "Shown:           sessions matching%s (%" PRIu64 " not shown)\n", sel, r->filtered_out);
		fprintf(o, "                 (the counts above and the exit status cover every session)\n");
	}

	bool any = false;
	for (int i = 0; i < R__COUNT; i++) {
		if (!r->rule_sessions[i])
			continue;
		if (!any)
			fprintf(o, "\nSessions by rule\n");
		any = true;
		char rn[64];
		enum severity sv = r->rule_worst[i] >= 0 ? (enum severity)r->rule_worst[i] : rule_severity((enum rule_id)i);
		snprintf(rn, sizeof rn, "%s (%s)", rule_name((enum rule_id)i), severity_name(sv));
		fprintf(o, "  %-44s %" PRIu64 " session%s\n", rn, r->rule_sessions[i], r->rule_sessions[i] == 1 ? "" : "s");
	}
	print_names(o, "Servers of flagged sessions", &r->servers);
	print_names(o, "Accounts of flagged sessions", &r->accounts);
	print_anomalies(r, o);
}
