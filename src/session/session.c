/*
 * session.c - the flow table's listener: one session per flow, holding the
 * POP3 dissector, the checks and the ev_session snapshot every event
 * carries. It is the only producer of session, transaction and finding
 * events. A transaction's event goes out before the findings it causes, so
 * a sink has shown the evidence before the verdict.
 *
 * Before the dissector sees a byte, detect.c decides whether the
 * connection is POP3 at all: on a watched port a session whose first bytes
 * are another protocol's ends not_pop3 with one notice and is judged by no
 * other rule; on any other port a connection is shown only once its
 * content proves it POP3 (found by content), and otherwise never. A
 * connection that ended in its handshake (refused, no answer, no
 * greeting, reset before the greeting) gets its notice at the close.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "community_id.h"
#include "conn_notice.h"
#include "detect.h"
#include "util.h"

/* What the session is, as far as its content told. */
enum session_kind {
	SK_POP3,         /* dissected and judged */
	SK_WAIT,         /* watched port, first bytes not decisive yet */
	SK_NOT_POP3,     /* watched port, another protocol: notice, nothing judged */
	SK_HIDDEN_WAIT,  /* port not watched: shown once proven POP3 */
	SK_HIDDEN,       /* port not watched, not POP3: never shown */
};

/* What a segment reads comes first: the snapshot (ev) is brought up to
 * date from the flow only when an event goes out. */
struct session {
	struct pop3_conn *pop3;   /* owned; created with the first payload byte */
	/* The POP3 facts the snapshot is made from when an event goes out
	 * (ev_session_join): the dissector's, or a fixed one while there is none. */
	const struct pop3_conn_info *info;
	const struct flow *flow;  /* borrowed: the flow outlives its session */
	uint64_t update_due_ts;   /* next EV_SESSION_UPDATE, capture time */
	uint64_t data_ts;         /* latest capture time of a segment with payload */
	struct checks *checks;    /* owned; created with the POP3 dissector */
	struct session_mgr *mgr;  /* borrowed */
	bool tls_port;
	uint8_t kind;             /* enum session_kind */
	struct detect *det;       /* owned while the kind is not decided */
	unsigned waiting;         /* pop3_conn_waiting() after the last segment */
	/* The snapshot but its POP3 facts (a SYN flood must not cost 1 KiB of
	 * empty user and banner per flow): emit() joins the two in the
	 * manager's event copy, or the event thread in its record. */
	struct ev_session_head ev;
};

#define SESSION_UPDATE_INTERVAL_US 1000000

/* What a session without payload shows: a SYN flood must cost a flow and a
 * snapshot, not a dissector and the checks (about 5 KiB) per SYN. */
#define NO_TEXT .user = "", .banner = "", .apop_ts = ""
static const struct pop3_conn_info no_payload_syn = { .state = POP3_STATE_CONNECT, NO_TEXT };
static const struct pop3_conn_info no_payload_midstream = { .state = POP3_STATE_UNKNOWN, NO_TEXT };
static const struct pop3_conn_info not_pop3_info = { .state = POP3_STATE_UNKNOWN, NO_TEXT };
#undef NO_TEXT

struct session_mgr {
	struct session_opts o;
	uint16_t tls_ports[8];
	struct event_bus *bus;        /* borrowed */
	struct ev_session out;        /* the event's snapshot: a session's head and POP3 facts */
	struct account_store *store;  /* owned */
	struct pop3_spares *spares;   /* owned: the dissectors' spare transactions */
	/* Every source name set, owned: a session keeps pointing at the name
	 * of the file it opened in while the next file is read. */
	char **sources;
	size_t nsources;
	const char *source;           /* the current one */
	uint64_t total, active, flagged, not_pop3;
	uint32_t *port_flows;         /* [65536] connections never shown, by server port */
	uint64_t other_flows;
	uint64_t findings[3];
	uint64_t rule_counts[R__COUNT];
	/* POP3 anomaly counters, summed as sessions close */
	uint64_t garbage, long_lines, unsolicited, unanswered, pending_dropped, resyncs, bare_lf;
};

struct session_mgr *session_mgr_new(const struct session_opts *o, struct event_bus *bus)
{
	struct session_mgr *m = xcalloc(1, sizeof(*m));
	m->o = *o;
	m->o.ntls_ports = o->ntls_ports < ARRAY_LEN(m->tls_ports) ? o->ntls_ports
								  : ARRAY_LEN(m->tls_ports);
	if (m->o.ntls_ports)
		memcpy(m->tls_ports, o->tls_ports, m->o.ntls_ports * sizeof(uint16_t));
	m->o.tls_ports = m->tls_ports;
	m->bus = bus;
	m->store = account_store_new(&o->checks);
	m->spares = pop3_spares_new();
	m->source = "";
	return m;
}

void session_mgr_free(struct session_mgr *m)
{
	if (!m)
		return;
	account_store_free(m->store);
	pop3_spares_free(m->spares);
	free(m->port_flows);
	for (size_t i = 0; i < m->nsources; i++)
		free(m->sources[i]);
	free(m->sources);
	free(m);
}

void session_mgr_set_source(struct session_mgr *m, const char *name)
{
	m->sources = xrealloc(m->sources, (m->nsources + 1) * sizeof(*m->sources));
	m->source = m->sources[m->nsources++] = xstrdup(name);
}

uint64_t session_mgr_flagged(const struct session_mgr *m)
{
	return m->flagged;
}

void session_mgr_stats(const struct session_mgr *m, struct ev_stats *st)
{
	st->sessions_total = m->total;
	st->sessions_active = m->active;
	st->sessions_flagged = m->flagged;
	st->sessions_not_pop3 = m->not_pop3;
	st->other_flows = m->other_flows;
	/* the busiest ports, in one pass (only when a stats event is made) */
	size_t n = ARRAY_LEN(st->other_ports), have = 0;
	memset(st->other_ports, 0, sizeof(st->other_ports));
	for (unsigned port = 0; m->port_flows && port < 65536; port++) {
		uint32_t c = m->port_flows[port];
		if (!c || (have == n && c <= st->other_ports[n - 1].flows))
			continue;
		size_t j = have < n ? have++ : n - 1;
		while (j > 0 && st->other_ports[j - 1].flows < c) {
			st->other_ports[j] = st->other_ports[j - 1];
			j--;
		}
		st->other_ports[j].port = (uint16_t)port;
		st->other_ports[j].flows = c;
	}
	memcpy(st->findings, m->findings, sizeof(st->findings));
	memcpy(st->rule_counts, m->rule_counts, sizeof(st->rule_counts));
	st->pop3_garbage_lines = m->garbage;
	st->pop3_long_lines = m->long_lines;
	st->pop3_unsolicited = m->unsolicited;
	st->pop3_unanswered = m->unanswered;
	st->pop3_pending_dropped = m->pending_dropped;
	st->pop3_resyncs = m->resyncs;
	st->pop3_bare_lf = m->bare_lf;
	st->accounts_evicted = account_store_evicted(m->store);
}

/* The flow's counters as of now, and the latest time bytes or replies moved. */
static void sync_flow(struct session *s)
{
	struct ev_session_head *ev = &s->ev;
	const struct flow *f = s->flow;
	ev->last_frame = f->last_frame;
	if (s->data_ts > ev->last_ts)
		ev->last_ts = s->data_ts;
	memcpy(ev->pkts, f->pkts, sizeof(ev->pkts));
	memcpy(ev->bytes, f->bytes, sizeof(ev->bytes));
}

static void emit(struct session *s, enum event_type type, uint64_t ts, const struct pop3_txn *t,
		 const struct finding *f)
{
	if (!event_bus_wants(s->mgr->bus, type))
		return;
	sync_flow(s);
	if (type == EV_SESSION_UPDATE && s->pop3)
		pop3_conn_wait(s->pop3, &s->ev.wait);
	else
		s->ev.wait.n = 0;
	struct event e = { .type = type, .ts_us = ts, .txn = t, .finding = f };
	if (event_bus_takes_parts(s->mgr->bus)) {
		/* copied whole (the event thread): joined there, in the copy */
		e.sess_head = &s->ev;
		e.sess_info = s->info;
	} else {
		ev_session_join(&s->mgr->out, &s->ev, s->info);
		e.sess = &s->mgr->out;
	}
	event_bus_emit(s->mgr->bus, &e);
}

static void on_finding(void *ctx, const struct finding *f)
{
	struct session *s = ctx;
	struct session_mgr *m = s->mgr;
	bool was_flagged = s->ev.flagged;

	s->ev.findings[f->sev]++;
	s->ev.rules_hit |= 1ull << f->rule;
	if (f->sev > s->ev.worst) /* SEV_NOTICE is 0: the zeroed start is right */
		s->ev.worst = f->sev;
	if (f->sev >= SEV_WARNING)
		s->ev.flagged = true;
	if (s->ev.flagged && !was_flagged)
		m->flagged++;
	m->findings[f->sev]++;
	m->rule_counts[f->rule]++;
	emit(s, EV_FINDING, f->ts_us, NULL, f);
}

static void on_txn(void *ctx, const struct pop3_txn *t)
{
	struct session *s = ctx;
	struct ev_session_head *ev = &s->ev;

	ev->txns++;
	if (t->cmd != POP3_CMD_NONE)
		strlcpy_safe(ev->last_cmd, t->keyword, sizeof(ev->last_cmd));
	if (t->req_frame && t->rep_frame && t->rep_ts_us >= t->req_ts_us &&
	    t->rep_ts_us - t->req_ts_us > ev->worst_latency_us)
		ev->worst_latency_us = t->rep_ts_us - t->req_ts_us;
	if (t->cmd == POP3_CMD_STAT && t->status == POP3_ST_OK && !ev->stat_seen &&
	    !(t->flags & POP3_TF_AFTER_GAP)) {
		const char *sp = strchr(t->text, ' ');
		size_t n1 = sp ? (size_t)(sp - t->text) : strlen(t->text);
		uint64_t cnt, oct;
		if (sp && pop3_parse_u64(t->text, n1, &cnt) &&
		    pop3_parse_u64(sp + 1, strcspn(sp + 1, " "), &oct)) {
			ev->stat_seen = true;
			ev->stat_count = cnt;
			ev->stat_octets = oct;
		}
	}
	uint64_t ts = t->end_ts_us ? t->end_ts_us : t->req_ts_us;
	if (ts > ev->last_ts)
		ev->last_ts = ts;
	emit(s, EV_TXN, ts, t, NULL);
	checks_txn(s->checks, t, pop3_conn_info(s->pop3));
}

static bool is_tls_port(const struct session_mgr *m, uint16_t port)
{
	for (size_t i = 0; i < m->o.ntls_ports; i++)
		if (m->o.tls_ports[i] == port)
			return true;
	return false;
}

/* The session is shown from now on: counted, and its open event out. */
static void announce(struct session *s)
{
	struct ev_session_head *ev = &s->ev;
	const struct flow *f = s->flow;
	community_id_v1(f->ipver, f->cli, f->srv, f->cport, f->sport, 6, 0, ev->community_id,
			sizeof(ev->community_id));
	s->mgr->total++;
	s->mgr->active++;
	emit(s, EV_SESSION_OPEN, f->first_ts, NULL, NULL);
}

void session_flow_open(void *ctx, struct flow *f)
{
	struct session_mgr *m = ctx;
	struct session *s = xcalloc(1, sizeof(*s));
	struct ev_session_head *ev = &s->ev;

	s->mgr = m;
	s->flow = f;
	ev->id = f->id;
	ev->source = m->source;
	ev->ipver = f->ipver;
	decode_addr_str(f->ipver, f->cli, ev->cli, sizeof(ev->cli));
	decode_addr_str(f->ipver, f->srv, ev->srv, sizeof(ev->srv));
	ev->cport = f->cport;
	ev->sport = f->sport;
	ev->vlan = f->vlan;
	memset(&ev->tunnel, 0, sizeof ev->tunnel);
	ev->tunnel.depth = f->tun.depth;
	if (f->tun.depth) {
		ev->tunnel.has_id = f->tun.has_id;
		ev->tunnel.id = f->tun.has_id ? f->tun.id : 0;
		decode_tunnel_type_str(&f->tun, ev->tunnel.type, sizeof(ev->tunnel.type));
		if (f->tun.ipver) {
			decode_addr_str(f->tun.ipver, f->tun.src, ev->tunnel.src, sizeof(ev->tunnel.src));
			decode_addr_str(f->tun.ipver, f->tun.dst, ev->tunnel.dst, sizeof(ev->tunnel.dst));
		}
	}
	ev->start_ts = ev->last_ts = f->first_ts;
	s->update_due_ts = f->first_ts + SESSION_UPDATE_INTERVAL_US;
	ev->first_frame = ev->last_frame = f->first_frame;
	ev->midstream = f->midstream;

	s->tls_port = is_tls_port(m, f->sport);
	s->info = f->midstream ? &no_payload_midstream : &no_payload_syn;
	f->user = s;
	if (!f->watched) {
		/* shown only once its content proves it POP3 */
		s->kind = f->midstream ? SK_HIDDEN : SK_HIDDEN_WAIT;
		f->quiet = true;
		f->ignore_bytes = f->midstream;
		return;
	}
	s->kind = s->tls_port ? SK_POP3 : SK_WAIT;
	announce(s);
}

static void start_pop3(struct session *s)
{
	struct session_mgr *m = s->mgr;
	struct pop3_opts po = { .show_secrets = m->o.show_secrets, .tls_port = s->tls_port,
				.spares = m->spares };
	struct pop3_cb pcb = { on_txn, s };
	s->pop3 = pop3_conn_new(&po, &pcb, s->ev.midstream);
	s->info = pop3_conn_info(s->pop3);
	s->checks = checks_new(&m->o.checks, m->store, s->ev.srv, on_finding, s);
}

static void feed_pop3(void *ctx, int dir, const uint8_t *p, size_t n, const struct seg_meta *m)
{
	struct session *s = ctx;
	if (!s->pop3)
		start_pop3(s);
	pop3_feed(s->pop3, dir, p, n, m);
}

/* detect.c's verdict: POP3 (the kept bytes go to the dissector) or not. */
static void decide(struct session *s, enum detect_verdict v)
{
	struct flow *f = (struct flow *)s->flow;
	if (v == DETECT_POP3) {
		if (s->kind == SK_HIDDEN_WAIT) {
			s->ev.by_content = true;
			f->quiet = false;
			announce(s);
		}
		s->kind = SK_POP3;
		if (!s->pop3)
			start_pop3(s);
		if (s->det)
			detect_replay(s->det, feed_pop3, s);
	} else if (s->kind == SK_HIDDEN_WAIT) {
		s->kind = SK_HIDDEN;
		f->ignore_bytes = true;
	} else {
		f->ignore_bytes = true;
		struct finding fd;
		s->kind = SK_NOT_POP3;
		s->info = &not_pop3_info;
		not_pop3_notice(s->det, &fd);
		on_finding(s, &fd);
	}
	if (s->det) {
		detect_fini(s->det);
		free(s->det);
		s->det = NULL;
	}
}

/* Out of line on purpose: where detect_init (a memset of it all) is
 * inlined after the malloc, GCC makes the two one calloc, and glibc's
 * calloc skips its per-thread cache (about 350 instructions more a
 * session on the small shape). */
static __attribute__((noinline)) struct detect *detect_alloc(void)
{
	return xmalloc(sizeof(struct detect));
}

/* Is the session past detection, into the dissector? Feeds detect.c
 * until it is. */
static bool is_pop3(struct session *s, int dir, const uint8_t *p, size_t n,
		    const struct seg_meta *m)
{
	if (s->kind == SK_WAIT || s->kind == SK_HIDDEN_WAIT) {
		if (!s->det) {
			s->det = detect_alloc();
			detect_init(s->det, s->kind == SK_HIDDEN_WAIT, s->ev.midstream);
		}
		enum detect_verdict v = detect_feed(s->det, dir, p, n, m);
		if (v != DETECT_WAIT)
			decide(s, v);
	}
	return s->kind == SK_POP3;
}

/* A segment still in detection, or with a sink that shows updates. Out
 * of line: session_flow_data's common case then keeps nothing across a
 * call, so it saves no registers and ends in a jump to the dissector. */
static __attribute__((noinline)) void flow_data_slow(struct session *s, struct flow *f, int dir,
						     const uint8_t *p, size_t n,
						     const struct seg_meta *m)
{
	if (s->kind != SK_POP3 && !is_pop3(s, dir, p, n, m))
		return;
	feed_pop3(s, dir, p, n, m);
	/* No sink shows updates (a report, JSON: the bus's skip is fixed
	 * before the first packet): none of what decides them is kept. */
	if (!event_bus_wants(s->mgr->bus, EV_SESSION_UPDATE))
		return;
	/* A command that starts to wait, and a reply that begins, are shown at
	 * once (the dashboard says how long it has waited and what came so
	 * far): at most two updates per command, not one per segment. */
	unsigned w = s->pop3 ? pop3_conn_waiting(s->pop3) : 0;
	bool news = w && (!s->waiting || ((w & 1) && !(s->waiting & 1)));
	s->waiting = w;
	if (news || f->last_ts >= s->update_due_ts) {
		s->update_due_ts = f->last_ts + SESSION_UPDATE_INTERVAL_US;
		emit(s, EV_SESSION_UPDATE, f->last_ts, NULL, NULL);
	}
}

void session_flow_data(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
		       const struct seg_meta *m)
{
	(void)ctx;
	struct session *s = f->user;
	if (f->last_ts > s->data_ts)
		s->data_ts = f->last_ts;
	/* the bus's skip is fixed before the first packet: asking first is
	 * asking after */
	if (s->kind == SK_POP3 && !event_bus_wants(s->mgr->bus, EV_SESSION_UPDATE)) {
		feed_pop3(s, dir, p, n, m);
		return;
	}
	flow_data_slow(s, f, dir, p, n, m);
}

void session_flow_prefetch(void *ctx, const void *user)
{
	(void)ctx;
	const struct session *s = user;
	if (!s->pop3)
		return;
	pop3_conn_prefetch(s->pop3);
	/* the head a transaction's event counts in and copies */
	for (size_t off = 0; off < sizeof s->ev; off += 64)
		__builtin_prefetch((const char *)&s->ev + off);
}

void session_flow_gap(void *ctx, struct flow *f, int dir, uint64_t len, const struct seg_meta *m)
{
	(void)ctx;
	struct session *s = f->user;
	if (s->kind == SK_WAIT || s->kind == SK_HIDDEN_WAIT)
		decide(s, s->det ? detect_final(s->det)
				 : s->kind == SK_WAIT ? DETECT_POP3 : DETECT_NOT_POP3);
	if (s->kind != SK_POP3)
		return;
	if (!s->pop3)
		start_pop3(s);
	pop3_gap(s->pop3, dir, len, m);
}

void session_flow_close(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m)
{
	struct session_mgr *mgr = ctx;
	struct session *s = f->user;

	if (s->kind == SK_WAIT && s->det)
		decide(s, detect_final(s->det));
	else if (s->kind == SK_HIDDEN_WAIT && s->det)
		decide(s, detect_final(s->det));
	if (s->kind == SK_HIDDEN || s->kind == SK_HIDDEN_WAIT) {
		/* never shown: counted by port for the report's "what was seen" */
		if (!mgr->port_flows)
			mgr->port_flows = xcalloc(65536, sizeof(*mgr->port_flows));
		if (mgr->port_flows[f->sport] < UINT32_MAX)
			mgr->port_flows[f->sport]++;
		mgr->other_flows++;
		free(s);
		f->user = NULL;
		return;
	}

	const struct pop3_conn_info *ci = s->info;
	struct finding fd;
	struct conn_notice_opts co = { mgr->o.no_answer_us, mgr->o.no_greeting_us };
	if (f->last_ts > s->data_ts)
		s->data_ts = f->last_ts; /* the close counts as activity */
	sync_flow(s);
	if (s->kind == SK_NOT_POP3) {
		why = FLOW_END_NOT_POP3;
		mgr->not_pop3++;
	} else if (conn_notice(f, why, &co, &fd)) {
		on_finding(s, &fd);
	}
	if (s->pop3) {
		pop3_finish(s->pop3, m);
		checks_close(s->checks, ci, why == FLOW_END_RST, ci->gaps[0] + ci->gaps[1] > 0,
			     s->ev.last_ts, s->ev.last_frame);
	}
	s->ev.end = why;
	mgr->garbage += ci->garbage_lines;
	mgr->long_lines += ci->long_lines[0] + ci->long_lines[1];
	mgr->unsolicited += ci->unsolicited;
	mgr->unanswered += ci->unanswered;
	mgr->pending_dropped += ci->pending_dropped;
	mgr->resyncs += ci->resyncs;
	mgr->bare_lf += ci->bare_lf[0] + ci->bare_lf[1];
	emit(s, EV_SESSION_CLOSE, s->ev.last_ts, NULL, NULL);
	mgr->active--;
	checks_free(s->checks);
	pop3_conn_free(s->pop3);
	free(s);
	f->user = NULL;
}
