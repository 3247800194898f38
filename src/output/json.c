/*
 * json.c - the JSON lines sink: one object per event per line, in the
 * manner of Suricata's EVE (common fields first, then one object named
 * after the event type). Schema: src/output/JSON-SCHEMA.md.
 *
 * Events are written as they happen, except when the filter cannot decide
 * yet. A session may start to pass later (--only-flagged: its first error
 * or warning; --rule: the rule firing; --user: the USER command), so the
 * lines of an undecided session are kept, up to JSON_PEND_SESSION_MAX
 * bytes per session and JSON_PEND_TOTAL_MAX for the run, and written in
 * order the moment it passes; at its close they are written or dropped.
 * Lines over a cap are dropped and counted (pop3_session.json_lines_dropped
 * and stats.json). A session whose server does not match --server can
 * never pass: its events are dropped at once. Session open/update events
 * are not written: pop3_session at close carries the same facts.
 *
 * Write errors (EPIPE on a closed pipe, a full disk) stop the output: the
 * first one is kept and reported by finish; the pipeline runs on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "out_common.h"
#include "sinks.h"
#include "util.h"

#define JSON_PEND_SESSION_MAX (256u * 1024u)      /* held per undecided session */
#define JSON_PEND_TOTAL_MAX (64u * 1024u * 1024u)  /* held across sessions */
#define JSON_LISTING_MAX 1000                      /* listing entries written per txn */
#define JSON_STDIO_BUFFER (256u * 1024u)           /* a write() per 256 KiB, not per 4 KiB */

struct pend {
	char *buf; /* whole lines, each ending in '\n' */
	size_t len, cap;
	uint64_t dropped;
};

struct json_sink {
	FILE *out;
	bool own;          /* fclose at free (not stdout) */
	char *iobuf;       /* out's stdio buffer (own files only) */
	char *name;        /* for error messages */
	struct json_opts o;
	struct jw w;
	int err;           /* errno of the first write error, 0 if none */
	bool failed;
	struct idmap pend; /* session id -> struct pend */
	size_t pend_bytes;
	uint64_t lines_dropped;
	uint64_t lines_written;
};

/* ---- output ---- */

static void out_write(struct json_sink *j, const char *p, size_t n)
{
	if (j->failed || n == 0)
		return;
	errno = 0;
	if (fwrite(p, 1, n, j->out) != n) {
		j->failed = true;
		j->err = errno ? errno : EIO;
	}
}

static void out_flush(struct json_sink *j)
{
	if (!j->failed && fflush(j->out) != 0) {
		j->failed = true;
		j->err = errno ? errno : EIO;
	}
}

static void pend_free(struct json_sink *j, uint64_t id)
{
	struct pend *p = idmap_del(&j->pend, id);
	if (!p)
		return;
	j->pend_bytes -= p->cap;
	free(p->buf);
	free(p);
}

/* Write what an undecided session held, then forget it. */
static uint64_t pend_flush(struct json_sink *j, uint64_t id)
{
	struct pend *p = idmap_get(&j->pend, id);
	if (!p)
		return 0;
	uint64_t dropped = p->dropped;
	out_write(j, p->buf, p->len);
	pend_free(j, id);
	return dropped;
}

static void pend_add(struct json_sink *j, uint64_t id, const char *line, size_t n)
{
	struct pend *p = idmap_get(&j->pend, id);
	if (!p) {
		p = xcalloc(1, sizeof *p);
		idmap_put(&j->pend, id, p);
	}
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 1024;
		while (p->len + n + 1 > cap)
			cap *= 2;
		if (cap > JSON_PEND_SESSION_MAX || j->pend_bytes + (cap - p->cap) > JSON_PEND_TOTAL_MAX) {
			p->dropped++;
			j->lines_dropped++;
			return;
		}
		p->buf = xrealloc(p->buf, cap);
		j->pend_bytes += cap - p->cap;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, line, n);
	p->buf[p->len + n] = '\n';
	p->len += n + 1;
}

/* Forget every undecided session. */
static void pend_clear(struct json_sink *j)
{
	for (size_t i = 0; i < j->pend.cap; i++) {
		struct pend *p = j->pend.keys[i] ? j->pend.vals[i] : NULL;
		if (p) {
			free(p->buf);
			free(p);
		}
	}
	idmap_fini(&j->pend);
	j->pend_bytes = 0;
}

/* Can this session still come to pass the filter? (Its server never changes.) */
static bool may_pass_later(const struct sink_filter *f, const struct ev_session *s)
{
	struct sink_filter fixed = { .only_flagged = false, .rule = -1, .server = f->server, .user = NULL };
	return sink_filter_pass(&fixed, s);
}

/* ---- fields ---- */

static void common(struct json_sink *j, const char *type, uint64_t ts_us, const struct ev_session *s)
{
	char t[OUT_TIME_MAX];
	struct jw *w = &j->w;
	jw_reset(w);
	jw_obj_begin(w, NULL);
	jw_str(w, "timestamp", out_fmt_time(t, sizeof t, ts_us, OUT_TIME_EVE));
	if (s)
		jw_u64(w, "flow_id", s->id);
	if (s && s->source)
		jw_str(w, "source", s->source);
	jw_str(w, "event_type", type);
	if (s) {
		if (s->vlan) {
			jw_arr_begin(w, "vlan");
			jw_u64(w, NULL, s->vlan);
			jw_arr_end(w);
		}
		jw_str(w, "src_ip", s->cli);
		jw_u64(w, "src_port", s->cport);
		jw_str(w, "dest_ip", s->srv);
		jw_u64(w, "dest_port", s->sport);
		jw_str(w, "proto", "TCP");
		if (s->community_id[0])
			jw_str(w, "community_id", s->community_id);
	}
	jw_u64(w, "schema_version", EVENT_SCHEMA_VERSION);
}

static void ms_field(struct jw *w, const char *key, uint64_t us)
{
	jw_fixed(w, key, us / 1000, us % 1000, 3);
}

static void txn_listing(struct jw *w, const struct pop3_txn *t)
{
	bool uidl = t->cmd == POP3_CMD_UIDL;
	uint32_t n = t->n_entries < JSON_LISTING_MAX ? t->n_entries : JSON_LISTING_MAX;
	jw_arr_begin(w, "listing");
	for (uint32_t i = 0; i < n; i++) {
		const struct pop3_entry *e = &t->entries[i];
		jw_obj_begin(w, NULL);
		jw_u64(w, "number", e->num);
		if (uidl) {
			if (t->uids)
				jw_strn(w, "uid", t->uids + e->uid_off, e->uid_len);
			else
				jw_str(w, "uid", "");
		} else
			jw_u64(w, "size", e->size);
		if (e->flags) {
			jw_arr_begin(w, "invalid");
			if (e->flags & POP3_LE_BADNUM)
				jw_str(w, NULL, "number");
			if (e->flags & POP3_LE_BADVAL)
				jw_str(w, NULL, uidl ? "uid_missing" : "size");
			if (e->flags & POP3_LE_UID_BAD)
				jw_str(w, NULL, "uid_syntax");
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_u64(w, "listing_count", t->n_entries);
	jw_bool(w, "listing_truncated", n < t->n_entries || (t->flags & POP3_TF_LISTING_CAPPED));
}

static void txn_caps(struct jw *w, const struct pop3_txn *t)
{
	static const struct {
		unsigned bit;
		const char *name;
	} caps[] = {
		{ POP3_CAP_UIDL, "UIDL" }, { POP3_CAP_TOP, "TOP" }, { POP3_CAP_USER, "USER" },
		{ POP3_CAP_PIPELINING, "PIPELINING" }, { POP3_CAP_STLS, "STLS" }, { POP3_CAP_SASL, "SASL" },
	};
	jw_arr_begin(w, "capabilities");
	for (size_t i = 0; i < ARRAY_LEN(caps); i++)
		if (t->caps & caps[i].bit)
			jw_str(w, NULL, caps[i].name);
	jw_arr_end(w);
	if (t->sasl[0])
		jw_str(w, "sasl", t->sasl);
}

static void write_txn(struct json_sink *j, const struct event *e)
{
	const struct pop3_txn *t = e->txn;
	struct jw *w = &j->w;
	uint64_t cnt = t->end_frame ? t->end_frame : t->rep_frame ? t->rep_frame : t->req_frame;
	common(j, "pop3", e->ts_us, e->sess);
	if (cnt)
		jw_u64(w, "pcap_cnt", cnt);
	jw_obj_begin(w, "pop3");
	jw_u64(w, "tx_id", t->index);
	jw_str(w, "state", pop3_state_name(t->state_before));
	if (t->cmd != POP3_CMD_NONE) {
		jw_obj_begin(w, "request");
		jw_str(w, "command", t->keyword);
		if (t->has_args)
			jw_str(w, "args", t->args);
		if (t->secret)
			jw_bool(w, "redacted", true);
		if (t->has_msgnum)
			jw_u64(w, "msgnum", t->msgnum);
		jw_u64(w, "frame", t->req_frame);
		jw_obj_end(w);
	}
	if (t->status != POP3_ST_NONE) {
		char ts[OUT_TIME_MAX];
		jw_obj_begin(w, "response");
		jw_bool(w, "success", t->status == POP3_ST_OK);
		jw_str(w, "status", pop3_status_str(t->status));
		jw_str(w, "header", t->text);
		if (t->code[0])
			jw_str(w, "code", t->code);
		jw_u64(w, "frame", t->rep_frame);
		jw_u64(w, "end_frame", t->end_frame);
		jw_str(w, "timestamp", out_fmt_time(ts, sizeof ts, t->rep_ts_us, OUT_TIME_EVE));
		jw_bool(w, "multiline", t->multiline);
		if (t->multiline) {
			jw_bool(w, "terminated", t->terminated);
			jw_u64(w, "data_lines", t->data_lines);
			jw_u64(w, "data_octets", t->data_octets);
		}
		if (t->auth_steps)
			jw_u64(w, "auth_steps", t->auth_steps);
		jw_obj_end(w);
	}
	if (t->req_ts_us && t->rep_ts_us && t->rep_ts_us >= t->req_ts_us)
		ms_field(w, "latency_ms", t->rep_ts_us - t->req_ts_us);
	if (t->n_entries && t->entries && (t->cmd == POP3_CMD_LIST || t->cmd == POP3_CMD_UIDL))
		txn_listing(w, t);
	if (t->cmd == POP3_CMD_CAPA && t->status == POP3_ST_OK)
		txn_caps(w, t);
	jw_arr_begin(w, "flags");
	for (uint32_t b = 1; b; b <<= 1) {
		const char *n = (t->flags & b) ? out_txn_flag_name(b) : NULL;
		if (n)
			jw_str(w, NULL, n);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void write_finding(struct json_sink *j, const struct event *e)
{
	const struct finding *f = e->finding;
	struct jw *w = &j->w;
	uint64_t cnt = 0;
	for (unsigned i = 0; i < f->n_ev && i < FINDING_EVIDENCE_MAX; i++)
		if (f->ev[i].frame > cnt)
			cnt = f->ev[i].frame;
	common(j, "pop3_finding", e->ts_us, e->sess);
	if (cnt)
		jw_u64(w, "pcap_cnt", cnt);
	jw_obj_begin(w, "finding");
	jw_str(w, "rule", rule_name(f->rule));
	jw_str(w, "severity", severity_name(f->sev));
	jw_str(w, "summary", f->summary);
	jw_str(w, "rfc", rule_rfc(f->rule));
	if (rule_symptom(f->rule))
		jw_str(w, "symptom", rule_symptom(f->rule));
	if (e->sess && e->sess->pop3 && e->sess->pop3->user[0])
		jw_str(w, "user", e->sess->pop3->user);
	jw_arr_begin(w, "evidence");
	for (unsigned i = 0; i < f->n_ev && i < FINDING_EVIDENCE_MAX; i++) {
		char ts[OUT_TIME_MAX];
		const struct evidence *v = &f->ev[i];
		jw_obj_begin(w, NULL);
		jw_u64(w, "frame", v->frame);
		jw_str(w, "timestamp", out_fmt_time(ts, sizeof ts, v->ts_us, OUT_TIME_EVE));
		jw_u64(w, "tx_id", v->txn_index);
		jw_strn(w, "line", v->line, strnlen(v->line, sizeof v->line));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void write_session(struct json_sink *j, const struct event *e, uint64_t dropped)
{
	const struct ev_session *s = e->sess;
	const struct pop3_conn_info *ci = s->pop3;
	struct jw *w = &j->w;
	char ts[OUT_TIME_MAX];
	common(j, "pop3_session", e->ts_us, s);
	if (s->last_frame)
		jw_u64(w, "pcap_cnt", s->last_frame);
	jw_obj_begin(w, "pop3_session");
	jw_str(w, "start", out_fmt_time(ts, sizeof ts, s->start_ts, OUT_TIME_EVE));
	jw_str(w, "end", out_fmt_time(ts, sizeof ts, s->last_ts, OUT_TIME_EVE));
	jw_str(w, "end_reason", flow_end_name(s->end));
	jw_u64(w, "first_frame", s->first_frame);
	jw_u64(w, "last_frame", s->last_frame);
	jw_bool(w, "midstream", s->midstream);
	jw_str(w, "state", pop3_state_name(ci ? ci->state : POP3_STATE_UNKNOWN));
	if (ci && ci->user[0])
		jw_str(w, "user", ci->user);
	if (ci && ci->greeted)
		jw_str(w, "banner", ci->banner);
	jw_bool(w, "tls", ci && ci->tls);
	jw_bool(w, "stls", ci && ci->stls_accepted);
	jw_bool(w, "login", ci && ci->login_seen);
	jw_bool(w, "quit", ci && ci->quit_seen);
	jw_u64(w, "txns", s->txns);
	jw_u64(w, "pkts_toserver", s->pkts[DIR_C2S]);
	jw_u64(w, "pkts_toclient", s->pkts[DIR_S2C]);
	jw_u64(w, "bytes_toserver", s->bytes[DIR_C2S]);
	jw_u64(w, "bytes_toclient", s->bytes[DIR_S2C]);
	if (s->stat_seen) {
		jw_obj_begin(w, "stat");
		jw_u64(w, "count", s->stat_count);
		jw_u64(w, "octets", s->stat_octets);
		jw_obj_end(w);
	}
	ms_field(w, "worst_latency_ms", s->worst_latency_us);
	jw_obj_begin(w, "findings");
	jw_u64(w, "error", s->findings[SEV_ERROR]);
	jw_u64(w, "warning", s->findings[SEV_WARNING]);
	jw_u64(w, "notice", s->findings[SEV_NOTICE]);
	jw_obj_end(w);
	jw_bool(w, "flagged", s->flagged);
	if (s->findings[0] + s->findings[1] + s->findings[2])
		jw_str(w, "worst_severity", severity_name(s->worst));
	jw_arr_begin(w, "rules");
	for (int r = 0; r < R__COUNT && r < 64; r++)
		if (s->rules_hit & (1ull << r))
			jw_str(w, NULL, rule_name((enum rule_id)r));
	jw_arr_end(w);
	if (ci) {
		jw_obj_begin(w, "anomalies");
		jw_u64(w, "gaps_toserver", ci->gaps[DIR_C2S]);
		jw_u64(w, "gaps_toclient", ci->gaps[DIR_S2C]);
		jw_u64(w, "gap_bytes_toserver", ci->gap_bytes[DIR_C2S]);
		jw_u64(w, "gap_bytes_toclient", ci->gap_bytes[DIR_S2C]);
		jw_u64(w, "resyncs", ci->resyncs);
		jw_u64(w, "unanswered", ci->unanswered);
		jw_u64(w, "unsolicited", ci->unsolicited);
		jw_u64(w, "garbage_lines", ci->garbage_lines);
		jw_u64(w, "pending_dropped", ci->pending_dropped);
		jw_u64(w, "bare_lf", ci->bare_lf[DIR_C2S] + ci->bare_lf[DIR_S2C]);
		jw_u64(w, "long_lines", ci->long_lines[DIR_C2S] + ci->long_lines[DIR_S2C]);
		jw_obj_end(w);
	}
	if (dropped)
		jw_u64(w, "json_lines_dropped", dropped);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void write_stats(struct json_sink *j, const struct event *e)
{
	const struct ev_stats *st = e->stats;
	struct jw *w = &j->w;
	common(j, "stats", st->ts_us ? st->ts_us : e->ts_us, NULL);
	jw_obj_begin(w, "stats");
	jw_bool(w, "final", st->final);
	if (st->source)
		jw_str(w, "source", st->source);
	if (st->wall_us) {
		char ts[OUT_TIME_MAX];
		jw_str(w, "wall_time", out_fmt_time(ts, sizeof ts, st->wall_us, OUT_TIME_EVE));
	}
	jw_obj_begin(w, "capture");
	jw_u64(w, "frames", st->frames);
	jw_u64(w, "bytes", st->bytes);
	jw_u64(w, "received", st->src.received);
	if (st->src.have_kernel_stats) {
		jw_u64(w, "kernel_drops", st->src.kernel_drops);
		jw_u64(w, "iface_drops", st->src.iface_drops);
	}
	jw_obj_end(w);
	jw_obj_begin(w, "decoder");
	for (int r = 0; r < DEC__COUNT; r++)
		jw_u64(w, decode_reason_name((enum decode_reason)r), st->dec.count[r]);
	jw_obj_end(w);
	jw_obj_begin(w, "flow");
	jw_u64(w, "created", st->flows.created);
	jw_u64(w, "closed", st->flows.closed);
	jw_u64(w, "active", st->flows.active);
	jw_u64(w, "peak_active", st->flows.peak_active);
	jw_u64(w, "evicted", st->flows.evicted);
	jw_u64(w, "timed_out", st->flows.timed_out);
	jw_u64(w, "not_watched", st->flows.not_watched);
	jw_u64(w, "ignored_no_flow", st->flows.ignored_no_flow);
	jw_obj_end(w);
	jw_obj_begin(w, "tcp_reassembly");
	jw_u64(w, "segments", st->reasm.segments);
	jw_u64(w, "delivered_bytes", st->reasm.delivered_bytes);
	jw_u64(w, "ooo_segments", st->reasm.ooo_segments);
	jw_u64(w, "retrans_bytes", st->reasm.retrans_bytes);
	jw_u64(w, "overlap_conflicts", st->reasm.overlap_conflicts);
	jw_u64(w, "gaps", st->reasm.gaps);
	jw_u64(w, "gap_bytes", st->reasm.gap_bytes);
	jw_u64(w, "flow_cap_hits", st->reasm.flow_cap_hits);
	jw_u64(w, "total_cap_hits", st->reasm.total_cap_hits);
	jw_u64(w, "buffered_bytes", st->reasm.buffered_bytes);
	jw_u64(w, "buffered_peak", st->reasm.buffered_peak);
	jw_u64(w, "dropped_far", st->reasm.dropped_far);
	jw_obj_end(w);
	jw_obj_begin(w, "sessions");
	jw_u64(w, "total", st->sessions_total);
	jw_u64(w, "active", st->sessions_active);
	jw_u64(w, "flagged", st->sessions_flagged);
	jw_obj_end(w);
	jw_obj_begin(w, "findings");
	jw_u64(w, "error", st->findings[SEV_ERROR]);
	jw_u64(w, "warning", st->findings[SEV_WARNING]);
	jw_u64(w, "notice", st->findings[SEV_NOTICE]);
	jw_obj_end(w);
	jw_obj_begin(w, "rules");
	for (int r = 0; r < R__COUNT; r++)
		if (st->rule_counts[r])
			jw_u64(w, rule_name((enum rule_id)r), st->rule_counts[r]);
	jw_obj_end(w);
	jw_obj_begin(w, "pop3");
	jw_u64(w, "garbage_lines", st->pop3_garbage_lines);
	jw_u64(w, "long_lines", st->pop3_long_lines);
	jw_u64(w, "unsolicited", st->pop3_unsolicited);
	jw_u64(w, "unanswered", st->pop3_unanswered);
	jw_u64(w, "pending_dropped", st->pop3_pending_dropped);
	jw_u64(w, "resyncs", st->pop3_resyncs);
	jw_u64(w, "bare_lf", st->pop3_bare_lf);
	jw_obj_end(w);
	jw_u64(w, "accounts_evicted", st->accounts_evicted);
	jw_obj_begin(w, "json");
	jw_u64(w, "lines_written", j->lines_written);
	jw_u64(w, "lines_dropped", j->lines_dropped);
	jw_u64(w, "pending_bytes", j->pend_bytes);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* ---- the sink ---- */

static void emit_line(struct json_sink *j, const struct ev_session *s, bool pass)
{
	struct jw *w = &j->w;
	if (w->len == 0)
		return;
	if (pass || !s) {
		w->buf[w->len] = '\n'; /* in the NUL's place: one write per line */
		out_write(j, w->buf, w->len + 1);
		w->buf[w->len] = '\0';
		j->lines_written++;
	} else {
		pend_add(j, s->id, w->buf, w->len); /* undecided: keep it */
	}
}

static void json_event(void *self, const struct event *e)
{
	struct json_sink *j = self;
	const struct ev_session *s = e->sess;

	if (e->type == EV_STATS) {
		if (!e->stats || !(e->stats->final || j->o.stats_events))
			return;
		write_stats(j, e);
		emit_line(j, NULL, true);
		out_flush(j);
		return;
	}
	if (!s || (e->type != EV_TXN && e->type != EV_FINDING && e->type != EV_SESSION_CLOSE))
		return;
	if ((e->type == EV_TXN && !e->txn) || (e->type == EV_FINDING && !e->finding))
		return;

	bool pass = sink_filter_pass(&j->o.filter, s);
	if (!pass && !may_pass_later(&j->o.filter, s)) {
		pend_free(j, s->id);
		return;
	}
	uint64_t dropped = 0;
	if (pass)
		dropped = pend_flush(j, s->id);

	switch (e->type) {
	case EV_TXN:
		write_txn(j, e);
		emit_line(j, s, pass);
		break;
	case EV_FINDING:
		write_finding(j, e);
		emit_line(j, s, pass);
		break;
	case EV_SESSION_CLOSE:
		if (pass) {
			write_session(j, e, dropped);
			emit_line(j, s, true);
			if (j->o.flush_sessions)
				out_flush(j);
		} else {
			pend_free(j, s->id); /* closed without passing: its lines go */
		}
		break;
	default:
		break;
	}
}

static int json_finish(void *self, char *errbuf, size_t errlen)
{
	struct json_sink *j = self;
	/* Sessions still undecided at the end never passed: drop what they held. */
	pend_clear(j);
	out_flush(j);
	if (!j->failed && ferror(j->out)) {
		j->failed = true;
		j->err = EIO;
	}
	if (j->failed) {
		snprintf(errbuf, errlen, "%s: write error: %s", j->name, strerror(j->err));
		return -1;
	}
	return 0;
}

static void json_free(void *self)
{
	struct json_sink *j = self;
	if (!j)
		return;
	pend_clear(j);
	if (j->own && j->out)
		fclose(j->out);
	else if (j->out)
		fflush(j->out);
	jw_fini(&j->w);
	free(j->iobuf); /* after fclose: stdio used it to the end */
	free(j->name);
	free(j);
}

static const struct sink_ops json_ops = {
	.name = "json",
	.event = json_event,
	.finish = json_finish,
	.free = json_free,
};

struct sink json_sink_new(const char *path, const struct json_opts *o, char *errbuf, size_t errlen)
{
	struct sink s = { NULL, NULL };
	FILE *f;
	bool own = strcmp(path, "-") != 0;
	if (own) {
		f = fopen(path, "w");
		if (!f) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			return s;
		}
	} else
		f = stdout;
	struct json_sink *j = xcalloc(1, sizeof *j);
	if (own) { /* glibc ignores the size unless the buffer is ours */
		j->iobuf = xmalloc(JSON_STDIO_BUFFER);
		setvbuf(f, j->iobuf, _IOFBF, JSON_STDIO_BUFFER);
	}
	j->out = f;
	j->own = own;
	j->name = xstrdup(own ? path : "<stdout>");
	if (o)
		j->o = *o;
	else
		j->o.filter.rule = -1;
	jw_init(&j->w);
	idmap_init(&j->pend);
	s.ops = &json_ops;
	s.self = j;
	return s;
}
