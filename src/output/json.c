/*
 * json.c - the JSON lines sink (json_fields.c: the common fields and their
 * per-session cache; json_records.c: each record; json_sink.h: the shared
 * state): one object per event per line, in the
 * manner of Suricata's EVE (common fields first, then one object named
 * after the event type). Schema: src/output/JSON-SCHEMA.md.
 *
 * Events are written as they happen, except when the filter cannot decide
 * yet (sink_filter_decide). A session may start to pass later
 * (--only-flagged: its first error or warning; --rule: the rule firing;
 * --user: the USER command), so the lines of an undecided session are
 * kept, in its session ledger entry (struct jsess, json_sink.h), up to
 * JSON_PEND_SESSION_MAX bytes per session and JSON_PEND_TOTAL_MAX for the
 * run, and written in order the moment it passes; at its close they are
 * written or dropped.
 * Lines over a cap are dropped and counted (pop3_session.json_lines_dropped
 * and stats.json). A session whose server does not match --server can
 * never pass: its events are dropped at once. A session's open is a record
 * (pop3_session_open: a reader of the lines knows a session before its
 * first transaction); updates are not written: pop3_session at close
 * carries the same facts.
 *
 * Write errors (EPIPE on a closed pipe, a full disk) stop the output: the
 * first one is kept and reported by finish; the pipeline runs on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_sink.h"

/* ---- output ---- */

static void out_fwrite(struct json_sink *j, const char *p, size_t n)
{
	if (j->failed || n == 0)
		return;
	if (j->o.line_fn && !j->out) { /* whole lines, each to the callback */
		while (n) {
			const char *nl = memchr(p, '\n', n);
			size_t len = nl ? (size_t)(nl - p) : n;
			j->o.line_fn(j->o.line_ctx, p, len);
			len += nl != NULL;
			p += len;
			n -= len;
		}
		return;
	}
	errno = 0;
	if (fwrite(p, 1, n, j->out) != n) {
		j->failed = true;
		j->err = errno ? errno : EIO;
	}
}

/*
 * Lines for a file of our own are built one after the other in w and
 * written a chunk at a time, the stream unbuffered: an fwrite per line
 * (its lock, its checks) cost more than building the line's flow fields,
 * and a chunk through a stdio buffer would be copied twice. Standard
 * output is written line by line through stdio as before, as another sink
 * (--streams) may write there too, and the order of their lines must not
 * change. Called between lines only.
 */
static void out_drain(struct json_sink *j)
{
	if (!j->gather)
		return;
	out_fwrite(j, j->w.buf, j->w.len);
	jw_reset(&j->w);
}

static void out_write(struct json_sink *j, const char *p, size_t n)
{
	struct jw *w = &j->w;
	if (!j->gather) {
		out_fwrite(j, p, n);
		return;
	}
	if (j->failed || n == 0)
		return;
	if (w->len + n > JSON_OUT_CHUNK) {
		out_drain(j);
		if (n > JSON_OUT_CHUNK) {
			out_fwrite(j, p, n);
			return;
		}
	}
	jw_raw_at(w, jw_at(w, n), p, n);
}

static void out_flush(struct json_sink *j)
{
	out_drain(j);
	if (!j->failed && j->out && fflush(j->out) != 0) {
		j->failed = true;
		j->err = errno ? errno : EIO;
	}
}

/* The session's own goes (its close, or its open with nothing held). */
static void sess_free(struct json_sink *j, struct jsess *p)
{
	if (p->holding)
		j->pend_bytes -= p->held_cap;
	free(p->held);
	free(p);
}

/* The ledger lets go of an entry with the writer's slot set (it went, or
 * the writer ends): what was held never passed. */
static void slot_gone(void *ctx, void *slot)
{
	sess_free(ctx, slot);
}

/* The session's held lines go (it cannot pass, or they were written). */
static void pend_free(struct json_sink *j)
{
	struct jsess *p = json_sess(j);
	if (!p || !p->holding)
		return;
	j->pend_bytes -= p->held_cap;
	free(p->held);
	p->held = NULL;
	p->held_len = p->held_cap = 0;
	p->dropped = 0;
	p->holding = false;
	ledger_set_slot(j->lg, j->le, j->rd, p, false);
}

/* Write what an undecided session held, then forget it. */
static uint64_t pend_flush(struct json_sink *j)
{
	struct jsess *p = json_sess(j);
	if (!p || !p->holding)
		return 0;
	uint64_t dropped = p->dropped;
	out_write(j, p->held, p->held_len);
	pend_free(j);
	return dropped;
}

static void pend_add(struct json_sink *j, const struct ev_session *s, const char *line, size_t n)
{
	if (!j->le && j->rd >= 0)
		j->le = ledger_make(j->lg, s); /* a lazy ledger makes none at the open */
	if (!j->le) {
		/* the ledger refuses the session: its count cap dropped it while
		 * it passed (--user: it may stop passing), or the writer ended */
		j->lines_dropped++;
		return;
	}
	struct jsess *p = json_sess(j);
	if (!p) {
		p = xcalloc(1, sizeof *p);
		ledger_set_slot(j->lg, j->le, j->rd, p, true);
	}
	if (!p->holding) {
		p->holding = true;
		ledger_set_slot(j->lg, j->le, j->rd, p, true); /* pinned: held lines cannot be made again */
	}
	if (p->held_len + n + 1 > p->held_cap) {
		size_t cap = p->held_cap ? p->held_cap : 1024;
		while (p->held_len + n + 1 > cap)
			cap *= 2;
		if (cap > JSON_PEND_SESSION_MAX || j->pend_bytes + (cap - p->held_cap) > JSON_PEND_TOTAL_MAX) {
			p->dropped++;
			j->lines_dropped++;
			return;
		}
		p->held = xrealloc(p->held, cap);
		j->pend_bytes += cap - p->held_cap;
		p->held_cap = cap;
	}
	memcpy(p->held + p->held_len, line, n);
	p->held[p->held_len + n] = '\n';
	p->held_len += n + 1;
}

/* Forget every session: what undecided ones held never passed. */
static void pend_clear(struct json_sink *j)
{
	if (j->rd >= 0)
		ledger_reader_end(j->lg, j->rd);
	j->rd = -1;
	j->le = NULL;
	j->pend_bytes = 0;
}

/* ---- the sink ---- */

void json_ledger_opts(struct ledger_opts *lo)
{
	ledger_opts_default(lo);
	lo->slots_only = true;
	lo->lazy_entries = true; /* an entry at a first record; at the open only to hold it */
	lo->drop_closed = true;  /* nothing is kept past the close */
	/* No count cap, no budget: entries hold what cannot be dropped
	 * (held lines, bounded by JSON_PEND_*), or a prefix from a session's
	 * first record to its close, as many as the flow table has open. */
	lo->sessions_max = SIZE_MAX;
	lo->bytes_max = SIZE_MAX;
	lo->txns_per_session_max = lo->findings_per_session_max = lo->entries_per_txn_max = 0;
}

static void emit_line(struct json_sink *j, const struct ev_session *s, bool pass)
{
	struct jw *w = &j->w;
	size_t at = j->line_at, n = w->len - at;
	if (n == 0)
		return;
	const char *host = j->line_sensor && j->line_sensor[0] ? j->line_sensor : j->host;
	if (host && w->buf[w->len - 1] == '}') { /* in the record's closing brace's place */
		size_t hn = strlen(host);
		w->len--;
		char *o = jw_at(w, JW_ESCAPED_MAX(hn) + 10);
		o = JC_LIT(o, ",\"host\":");
		o = jc_str(o, host, hn);
		*o++ = '}';
		jw_at_end(w, o, 0);
		n = w->len - at;
	}
	if (pass || !s) {
		if (s && j->o.line_fn && j->out)
			j->o.line_fn(j->o.line_ctx, w->buf + at, n); /* tee (--publish) */
		if (j->gather) {
			char *o = jw_at(w, 1);
			o[0] = '\n';
			o[1] = '\0';
			w->len++;
			if (w->len >= JSON_OUT_CHUNK)
				out_drain(j);
		} else {
			w->buf[w->len] = '\n'; /* in the NUL's place: one write per line */
			out_fwrite(j, w->buf + at, n + 1);
			w->len = at;
			w->buf[at] = '\0';
		}
		j->lines_written++;
	} else {
		pend_add(j, s, w->buf + at, n); /* undecided: keep it */
		w->len = at;
		w->buf[at] = '\0';
	}
}

static void json_event_1(struct json_sink *j, const struct event *e);

static void json_event(void *self, const struct event *e)
{
	struct json_sink *j = self;
	/* The session's entry (NULL for a stats event): the bus applied the
	 * event to its ledger before this sink (ledger_current: json_opts
	 * says the ledger must be that bus's), or the writer applies it to
	 * its own. After finish, none. */
	j->le = j->own_lg ? ledger_apply(j->lg, e) : ledger_current(j->lg);
	if (j->rd < 0)
		j->le = NULL;
	json_event_1(j, e);
	/* After its last record its own goes; after the open record too,
	 * unless lines are held: a session that only opens and closes (a SYN
	 * flood) must not hold anything between the two. */
	struct jsess *p;
	if ((e->type == EV_SESSION_CLOSE || e->type == EV_SESSION_OPEN) && (p = json_sess(j)) &&
	    (e->type == EV_SESSION_CLOSE || !p->holding)) {
		ledger_set_slot(j->lg, j->le, j->rd, NULL, false);
		sess_free(j, p);
	}
}

static void json_event_1(struct json_sink *j, const struct event *e)
{
	const struct ev_session *s = e->sess;
	j->line_sensor = s ? s->sensor : e->stats ? e->stats->sensor : NULL;

	if (e->type == EV_STATS) {
		if (!e->stats || !(e->stats->final || j->o.stats_events))
			return;
		json_write_stats(j, e);
		emit_line(j, NULL, true);
		out_flush(j);
		return;
	}
	if (!s || e->type == EV_SESSION_UPDATE)
		return;
	if ((e->type == EV_TXN && !e->txn) || (e->type == EV_FINDING && !e->finding))
		return;

	/* no filter (the usual run): every session passes, nothing to ask */
	enum sink_verdict v = j->filtered ? sink_filter_decide(&j->o.filter, s) : SINK_PASS;
	if (v == SINK_NEVER) {
		pend_free(j);
		return;
	}
	bool pass = v == SINK_PASS;
	uint64_t dropped = 0;
	if (pass)
		dropped = pend_flush(j);

	switch (e->type) {
	case EV_SESSION_OPEN:
		json_write_open(j, e);
		emit_line(j, s, pass);
		break;
	case EV_TXN:
		json_write_txn(j, e);
		emit_line(j, s, pass);
		break;
	case EV_FINDING:
		json_write_finding(j, e);
		emit_line(j, s, pass);
		break;
	case EV_SESSION_CLOSE:
		if (pass) {
			json_write_session(j, e, dropped);
			emit_line(j, s, true);
			if (j->o.flush_sessions)
				out_flush(j);
		} else {
			pend_free(j); /* closed without passing: its lines go */
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
	if (!j->failed && j->out && ferror(j->out)) {
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
	if (j->own_lg)
		ledger_free(j->lg);
	jw_fini(&j->pw);
	out_drain(j); /* finish, when it came, left nothing */
	if (j->own && j->out)
		fclose(j->out);
	else if (j->out)
		fflush(j->out);
	jw_fini(&j->w);
	free(j->host);
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
	struct sink s = { 0 };
	FILE *f = NULL;
	bool own = path && strcmp(path, "-") != 0;
	if (!path) {
		if (!o || !o->line_fn) {
			snprintf(errbuf, errlen, "JSON: no output");
			return s;
		}
	} else if (own) {
		f = fopen(path, "w");
		if (!f) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			return s;
		}
	} else
		f = stdout;
	struct json_sink *j = xcalloc(1, sizeof *j);
	if (own) {
		setvbuf(f, NULL, _IONBF, 0);
		j->gather = true;
	}
	j->out = f;
	j->own = own;
	j->name = xstrdup(own ? path : path ? "<stdout>" : "<publish>");
	if (o)
		j->o = *o;
	else
		j->o.filter.rule = -1;
	if (j->o.host && j->o.host[0])
		j->host = xstrdup(j->o.host);
	j->o.host = NULL; /* borrowed: the copy is kept */
	const struct sink_filter *flt = &j->o.filter;
	j->filtered = flt->only_flagged || flt->rule >= 0 || flt->server || flt->user;
	jw_init(&j->w);
	jw_init(&j->pw);
	/* Its sessions' own, in the ledger's entries: the bus's, or else one
	 * of its own, slots only, applied here. */
	j->lg = j->o.ledger;
	j->rd = j->lg ? ledger_reader_add(j->lg, slot_gone, j) : -1;
	if (j->rd < 0) {
		struct ledger_opts lo;
		json_ledger_opts(&lo);
		j->lg = ledger_new(&lo);
		j->own_lg = true;
		j->rd = ledger_reader_add(j->lg, slot_gone, j);
	}
	j->o.ledger = NULL; /* borrowed: held in lg */
	s.ops = &json_ops;
	s.self = j;
	s.skip = EV_BIT(EV_SESSION_UPDATE); /* no record of its own */
	return s;
}

