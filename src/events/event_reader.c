/*
 * event_reader.c - JSON lines back into events (see event_reader.h): the
 * sessions open between their pop3_session_open and pop3_session records,
 * each with the snapshot its events carry, kept up to date from the lines
 * as session.c keeps it from the dissector (transactions counted, the last
 * command, findings by severity, rules hit); at the close the record's
 * whole snapshot replaces it. Lines out of place are refused: an event for
 * a session not open, a second open, a transaction whose tx_id does not
 * follow the last one's, a finding or a stats record seen before.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "events_in.h"
#include "idmap.h"
#include "stats.h"
#include "timefmt.h"
#include "util.h"

#define ORIGINS_MAX 256
#define FINDING_HASHES 64   /* per session: a duplicate past these is not caught */
#define SOURCES_MAX 1024    /* distinct source names kept */
/* Sessions closed that are remembered, so an open record seen again is
 * refused as a duplicate (a line or a whole file read twice); past these,
 * the oldest is forgotten. Not "ids only grow": a file merged from several
 * sensors (pop3mon --from A --from B --json F) holds their sessions in
 * time order, so its ids do not grow, and it must read back. 64 Ki ids,
 * about 1.5 MiB. */
#define CLOSED_KEPT 65536

struct rsession {
	struct ev_session ev;
	unsigned origin;
	bool any_txn;
	uint64_t last_tx;
	uint32_t nfh;
	uint64_t fh[FINDING_HASHES];
};

struct origin {
	char *name;
	uint64_t last_stats;    /* hash of the last stats line: a duplicate is refused */
};

struct event_reader {
	struct event_reader_opts o;
	struct idmap open;      /* out id -> struct rsession */
	struct idmap closed;    /* out ids closed lately (a set: the value is unused) */
	uint64_t *closed_ring;  /* the same, oldest first, CLOSED_KEPT at most */
	size_t closed_head, nclosed;
	struct origin origins[ORIGINS_MAX];
	unsigned norigins;
	char *sources[SOURCES_MAX];
	size_t nsources;
	struct jline line;
	uint64_t refused, flagged;
	bool have_final;
	struct ev_stats final;  /* several origins: their final stats, summed */
	char *msgs[EVENT_READER_MESSAGES_KEPT];
	size_t nmsgs;
	uint64_t msgs_more;
};

struct event_reader *event_reader_new(const struct event_reader_opts *o)
{
	struct event_reader *r = xcalloc(1, sizeof *r);
	r->o = *o;
	if (!r->o.origins)
		r->o.origins = 1;
	if (!r->o.sessions_max)
		r->o.sessions_max = EVENT_READER_SESSIONS_MAX;
	idmap_init(&r->open);
	idmap_init(&r->closed);
	r->closed_ring = xmalloc(CLOSED_KEPT * sizeof *r->closed_ring);
	jl_init(&r->line);
	return r;
}

void event_reader_free(struct event_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->open.cap; i++)
		if (r->open.keys[i])
			free(r->open.vals[i]);
	idmap_fini(&r->open);
	idmap_fini(&r->closed);
	free(r->closed_ring);
	for (unsigned i = 0; i < r->norigins; i++)
		free(r->origins[i].name);
	for (size_t i = 0; i < r->nsources; i++)
		free(r->sources[i]);
	for (size_t i = 0; i < r->nmsgs; i++)
		free(r->msgs[i]);
	jl_fini(&r->line);
	free(r);
}

static void message(struct event_reader *r, const char *origin, uint64_t lineno, const char *problem)
{
	char safe[4 * 200 + 1], o[4 * 200 + 1], trimmed[201];
	strlcpy_safe(trimmed, problem, sizeof trimmed);
	sanitize_text(safe, sizeof safe, trimmed);
	strlcpy_safe(trimmed, origin ? origin : "", sizeof trimmed);
	sanitize_text(o, sizeof o, trimmed);
	r->refused++;
	if (r->o.errs) {
		fprintf(r->o.errs, "pop3mon: %s:%llu: %s\n", o, (unsigned long long)lineno, safe);
		return;
	}
	if (r->nmsgs == EVENT_READER_MESSAGES_KEPT) {
		r->msgs_more++;
		return;
	}
	size_t n = strlen(o) + strlen(safe) + 48;
	char *m = xmalloc(n);
	snprintf(m, n, "pop3mon: %s:%llu: %s", o, (unsigned long long)lineno, safe);
	r->msgs[r->nmsgs++] = m;
}

void event_reader_refuse(struct event_reader *r, const char *origin, uint64_t lineno, const char *problem)
{
	message(r, origin, lineno, problem);
}

static int refuse(struct event_reader *r, const char *origin, uint64_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct event_reader *r, const char *origin, uint64_t lineno, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	message(r, origin, lineno, b);
	return -1;
}

void event_reader_print_messages(struct event_reader *r, FILE *f)
{
	for (size_t i = 0; i < r->nmsgs; i++)
		fprintf(f, "%s\n", r->msgs[i]);
	if (r->msgs_more)
		fprintf(f, "pop3mon: ... and %llu more refused line%s\n", (unsigned long long)r->msgs_more,
			r->msgs_more == 1 ? "" : "s");
}

uint64_t event_reader_refused(const struct event_reader *r)
{
	return r->refused;
}

uint64_t event_reader_flagged(const struct event_reader *r)
{
	return r->flagged;
}

/* FNV-1a, for telling a line seen before (not for strangers' keys: a
 * collision only lets a duplicate through). */
static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h ? h : 1;
}

static int origin_index(struct event_reader *r, const char *name)
{
	for (unsigned i = 0; i < r->norigins; i++)
		if (!strcmp(r->origins[i].name, name))
			return (int)i;
	if (r->norigins >= r->o.origins || r->norigins >= ORIGINS_MAX)
		return -1;
	r->origins[r->norigins].name = xstrdup(name);
	return (int)r->norigins++;
}

/* A source name that outlives the line (sessions and sinks keep pointers). */
static const char *keep_source(struct event_reader *r, const char *s)
{
	for (size_t i = r->nsources; i-- > 0;)
		if (!strcmp(r->sources[i], s))
			return r->sources[i];
	if (r->nsources == SOURCES_MAX)
		return NULL;
	r->sources[r->nsources] = xstrdup(s);
	return r->sources[r->nsources++];
}

static void deliver(struct event_reader *r, enum event_type type, uint64_t ts, const struct ev_session *s,
		    const struct pop3_txn *t, const struct finding *f, const struct ev_stats *st)
{
	struct event e = { .type = type, .ts_us = ts, .sess = s, .txn = t, .finding = f, .stats = st };
	event_bus_emit(r->o.bus, &e);
}

static int feed_stats(struct event_reader *r, struct jline *l, unsigned oi, uint64_t h,
		      const char *origin, uint64_t lineno)
{
	struct origin *og = &r->origins[oi];
	if (h == og->last_stats)
		return refuse(r, origin, lineno, "duplicate stats line");
	og->last_stats = h;
	if (l->has_source && !(l->stats.source = keep_source(r, l->source)))
		return refuse(r, origin, lineno, "too many distinct source names");
	if (r->o.origins > 1) {
		/* Each origin's own figures go on, tagged (a wall sums the
		 * latest of each, sensor by sensor); its final record is summed
		 * with the others' into the one final, and goes on as ended. */
		l->stats.origin = oi + 1;
		if (l->stats.final) {
			stats_add(&r->final, &l->stats);
			r->final.final = true;
			r->final.source = l->stats.source;
			r->have_final = true;
			l->stats.final = false;
			l->stats.ended = true;
		}
	}
	deliver(r, EV_STATS, l->ts_us, NULL, NULL, NULL, &l->stats);
	return 0;
}

/* The session's id in the run: the flow id with one origin, spread with
 * several (origin k of n: (id - 1) * n + k + 1). 0 when it will not fit. */
static uint64_t out_id(const struct event_reader *r, unsigned oi, uint64_t flow_id)
{
	uint64_t n = r->o.origins;
	if (n == 1)
		return flow_id;
	if (flow_id - 1 > (UINT64_MAX - n) / n)
		return 0;
	return (flow_id - 1) * n + oi + 1;
}

static int feed_open(struct event_reader *r, struct jline *l, unsigned oi, uint64_t id,
		     const char *origin, uint64_t lineno)
{
	if (idmap_get(&r->open, id))
		return refuse(r, origin, lineno, "duplicate: session %llu is already open",
			      (unsigned long long)l->flow_id);
	if (idmap_get(&r->closed, id))
		return refuse(r, origin, lineno, "duplicate: session %llu was opened before",
			      (unsigned long long)l->flow_id);
	if (r->open.n >= r->o.sessions_max)
		return refuse(r, origin, lineno, "more than %zu sessions open at once", r->o.sessions_max);
	const char *src = l->has_source ? keep_source(r, l->source) : NULL;
	if (l->has_source && !src)
		return refuse(r, origin, lineno, "too many distinct source names");
	struct rsession *s = xcalloc(1, sizeof *s);
	s->ev = l->sess;
	s->ev.id = id;
	s->ev.source = src;
	s->ev.end = FLOW_END_NONE;
	s->origin = oi;
	idmap_put(&r->open, id, s);
	deliver(r, EV_SESSION_OPEN, l->ts_us, &s->ev, NULL, NULL, NULL);
	return 0;
}

static void remember_closed(struct event_reader *r, uint64_t id)
{
	if (r->nclosed == CLOSED_KEPT) { /* forget the oldest */
		idmap_del(&r->closed, r->closed_ring[r->closed_head]);
		r->closed_head = (r->closed_head + 1) % CLOSED_KEPT;
		r->nclosed--;
	}
	r->closed_ring[(r->closed_head + r->nclosed++) % CLOSED_KEPT] = id;
	idmap_put(&r->closed, id, r);
}

/* The flow fields a record repeats must be the session's. */
static bool same_flow(const struct ev_session *a, const struct ev_session *b)
{
	return !strcmp(a->cli, b->cli) && !strcmp(a->srv, b->srv) && a->cport == b->cport &&
	       a->sport == b->sport && a->vlan == b->vlan && !strcmp(a->community_id, b->community_id) &&
	       a->tunnel.depth == b->tunnel.depth && a->tunnel.id == b->tunnel.id &&
	       !strcmp(a->tunnel.type, b->tunnel.type);
}

static int feed_session_event(struct event_reader *r, struct jline *l, struct rsession *s, uint64_t h,
			      const char *origin, uint64_t lineno)
{
	struct ev_session *ev = &s->ev;
	if (!same_flow(ev, &l->sess))
		return refuse(r, origin, lineno, "the flow fields differ from session %llu's open record",
			      (unsigned long long)l->flow_id);
	if (l->ts_us > ev->last_ts)
		ev->last_ts = l->ts_us;
	switch (l->kind) {
	case JL_TXN: {
		const struct pop3_txn *t = &l->txn;
		if (s->any_txn && t->index <= s->last_tx)
			return refuse(r, origin, lineno, "duplicate or out of order: tx_id %llu after %llu",
				      (unsigned long long)t->index, (unsigned long long)s->last_tx);
		s->any_txn = true;
		s->last_tx = t->index;
		ev->txns++;
		if (t->cmd != POP3_CMD_NONE)
			strlcpy_safe(ev->last_cmd, t->keyword, sizeof ev->last_cmd);
		if (t->req_frame && t->rep_frame && t->rep_ts_us >= t->req_ts_us &&
		    t->rep_ts_us - t->req_ts_us > ev->worst_latency_us)
			ev->worst_latency_us = t->rep_ts_us - t->req_ts_us;
		uint64_t last = t->end_frame ? t->end_frame : t->rep_frame ? t->rep_frame : t->req_frame;
		if (last > ev->last_frame)
			ev->last_frame = last;
		deliver(r, EV_TXN, l->ts_us, ev, t, NULL, NULL);
		return 0;
	}
	case JL_FINDING: {
		const struct finding *f = &l->finding;
		for (uint32_t i = 0; i < s->nfh; i++)
			if (s->fh[i] == h)
				return refuse(r, origin, lineno, "duplicate finding line");
		if (s->nfh < FINDING_HASHES)
			s->fh[s->nfh++] = h;
		if (l->has_user)
			strlcpy_safe(ev->pop3.user, l->sess.pop3.user, sizeof ev->pop3.user);
		ev->findings[f->sev]++;
		if ((unsigned)f->rule < 64)
			ev->rules_hit |= 1ull << f->rule;
		if (f->sev > ev->worst)
			ev->worst = f->sev;
		if (f->sev >= SEV_WARNING)
			ev->flagged = true;
		deliver(r, EV_FINDING, l->ts_us, ev, NULL, f, NULL);
		return 0;
	}
	case JL_CLOSE: {
		struct ev_session closed = l->sess;
		closed.id = ev->id;
		closed.source = ev->source;
		strlcpy_safe(closed.last_cmd, ev->last_cmd, sizeof closed.last_cmd);
		*ev = closed;
		if (ev->flagged)
			r->flagged++;
		deliver(r, EV_SESSION_CLOSE, l->ts_us, ev, NULL, NULL, NULL);
		remember_closed(r, ev->id);
		free(idmap_del(&r->open, ev->id));
		return 0;
	}
	default:
		return 0;
	}
}

int event_json_feed(struct event_reader *r, const char *line, size_t len, const char *origin, uint64_t lineno)
{
	char err[320];
	struct jline *l = &r->line;
	if (!origin)
		origin = "";
	if (jl_parse(l, line, len, err, sizeof err) < 0)
		return refuse(r, origin, lineno, "%s", err);
	int oi = origin_index(r, origin);
	if (oi < 0)
		return refuse(r, origin, lineno, "more than %u inputs", r->o.origins);
	uint64_t h = hash_bytes(line, len);
	if (l->kind == JL_STATS)
		return feed_stats(r, l, (unsigned)oi, h, origin, lineno);
	uint64_t id = out_id(r, (unsigned)oi, l->flow_id);
	if (!id)
		return refuse(r, origin, lineno, "flow_id %llu is too large", (unsigned long long)l->flow_id);
	if (l->kind == JL_OPEN)
		return feed_open(r, l, (unsigned)oi, id, origin, lineno);
	struct rsession *s = idmap_get(&r->open, id);
	if (!s)
		return refuse(r, origin, lineno, "an event for session %llu, %s", (unsigned long long)l->flow_id,
			      idmap_get(&r->closed, id) ? "already closed (a duplicate?)"
								       : "never opened");
	return feed_session_event(r, l, s, h, origin, lineno);
}

void event_reader_finish(struct event_reader *r)
{
	if (r->have_final)
		deliver(r, EV_STATS, r->final.ts_us, NULL, NULL, NULL, &r->final);
	r->have_final = false;
	/* sessions still open are flagged or not as their last event left them */
	for (size_t i = 0; i < r->open.cap; i++)
		if (r->open.keys[i] && ((struct rsession *)r->open.vals[i])->ev.flagged)
			r->flagged++;
}

/* ---- times ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

bool event_parse_time(const char *s, size_t n, uint64_t *ts_us)
{
	/* YYYY...-MM-DDTHH:MM:SS.uuuuuu+0000: the year is what is left */
	static const size_t tail = 27; /* "-MM-DDTHH:MM:SS.uuuuuu+0000" */
	unsigned y, mo, d, h, mi, se, us;
	if (n < tail + 4 || n > tail + 9)
		return false;
	size_t yl = n - tail;
	const char *t = s + yl;
	if (!digits(s, yl, &y) || t[0] != '-' || !digits(t + 1, 2, &mo) || t[3] != '-' ||
	    !digits(t + 4, 2, &d) || t[6] != 'T' || !digits(t + 7, 2, &h) || t[9] != ':' ||
	    !digits(t + 10, 2, &mi) || t[12] != ':' || !digits(t + 13, 2, &se) || t[15] != '.' ||
	    !digits(t + 16, 6, &us) || memcmp(t + 22, "+0000", 5) != 0)
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	int64_t days = days_from_civil(y, mo, d);
	uint64_t secs = (uint64_t)days * 86400u + h * 3600u + mi * 60u + se;
	*ts_us = secs * 1000000u + us;
	/* only the text the writer makes of that time (no 31 February) */
	char back[OUT_TIME_MAX];
	size_t bl = out_time_str(back, sizeof back, *ts_us, OUT_TIME_EVE);
	return bl == n && memcmp(back, s, n) == 0;
}

uint64_t event_json_line_time(const char *line, size_t len)
{
	static const char key[] = "{\"timestamp\":\"";
	size_t k = sizeof key - 1;
	uint64_t ts;
	if (len < k || memcmp(line, key, k) != 0)
		return 0;
	const char *q = memchr(line + k, '"', len - k < 48 ? len - k : 48);
	if (!q || !event_parse_time(line + k, (size_t)(q - line - k), &ts))
		return 0;
	return ts;
}
