/*
 * ui_model.c - the dashboard's model, built from events only.
 *
 * Sessions live in one array of pointers sorted by id (flow ids grow, so
 * new sessions append and lookups are a binary search). Each event first
 * refreshes the session's snapshot, then adds what the event carries: a
 * transcript line, a finding, or the capture counters. Aggregates per
 * server and per account (ui_model_srv.c) are counted on transitions (a
 * session becomes flagged, its user becomes known, it closes), so eviction
 * never lowers them. What is kept is bounded by a byte budget (ui_store.c).
 *
 * All wire text is sanitised here, once, on the way in.
 */
#include <stdlib.h>
#include <string.h>

#include "ui_model_priv.h"
#include "ui_store.h"
#include "util.h"

void ui_model_opts_default(struct ui_model_opts *o)
{
	o->sessions_max = UI_SESSIONS_MAX;
	o->txns_per_session_max = UI_TXNS_PER_SESSION_MAX;
	o->findings_per_session_max = UI_FINDINGS_PER_SESSION_MAX;
	o->entries_per_txn_max = UI_ENTRIES_PER_TXN_MAX;
	o->store_bytes_max = UI_STORE_BYTES_MAX;
	o->servers_max = UI_SERVERS_MAX;
	o->accounts_per_server_max = UI_ACCOUNTS_PER_SERVER_MAX;
}

struct ui_model *ui_model_new(const struct ui_model_opts *o)
{
	struct ui_model *m = xcalloc(1, sizeof(*m));
	if (o)
		m->o = *o;
	else
		ui_model_opts_default(&m->o);
	if (m->o.sessions_max < 1)
		m->o.sessions_max = 1;
	return m;
}

/* ---- text ---------------------------------------------------------- */

/* Sanitise src (at most srclen bytes, need not be terminated) into dst. */
static void put_text(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	char tmp[POP3_TEXT_MAX + 1];
	size_t n = strnlen(src, srclen < sizeof(tmp) - 1 ? srclen : sizeof(tmp) - 1);
	memcpy(tmp, src, n);
	tmp[n] = '\0';
	sanitize_text(dst, dstsize, tmp);
}

static char *dup_text(const char *src, size_t srclen)
{
	char buf[4 * POP3_TEXT_MAX + 1];
	put_text(buf, sizeof(buf), src, srclen);
	return xstrdup(buf);
}

/* ---- transcripts ------------------------------------------------------ */

static void copy_entries(struct ui_model *m, struct ui_txn *d, const struct pop3_txn *t)
{
	if (!t->entries || t->n_entries == 0)
		return;
	size_t keep = t->n_entries;
	if (keep > m->o.entries_per_txn_max) {
		m->drops.entries_dropped += keep - m->o.entries_per_txn_max;
		keep = m->o.entries_per_txn_max;
	}
	if (keep == 0)
		return;
	d->entries = xcalloc(keep, sizeof(*d->entries));
	d->n_entries = (uint32_t)keep;
	bool uidl = t->cmd == POP3_CMD_UIDL && t->uids;
	size_t arena_len = 0, arena_cap = 0;
	for (size_t i = 0; i < keep; i++) {
		const struct pop3_entry *e = &t->entries[i];
		struct ui_entry *o = &d->entries[i];
		o->num = e->num;
		o->size = e->size;
		o->flags = e->flags;
		o->uid_off = UINT32_MAX;
		if (!uidl)
			continue;
		char raw[POP3_UID_MAX + 2], safe[4 * (POP3_UID_MAX + 2) + 1];
		size_t ul = e->uid_len < sizeof(raw) - 1 ? e->uid_len : sizeof(raw) - 1;
		memcpy(raw, t->uids + e->uid_off, ul);
		raw[ul] = '\0';
		sanitize_text(safe, sizeof(safe), raw);
		size_t sl = strlen(safe) + 1;
		if (arena_len + sl > arena_cap) {
			arena_cap = (arena_cap + sl) * 2;
			d->uids = xrealloc(d->uids, arena_cap);
		}
		memcpy(d->uids + arena_len, safe, sl);
		o->uid_off = (uint32_t)arena_len;
		arena_len += sl;
	}
	d->mem += keep * sizeof(*d->entries) + arena_cap + 2 * UI_ALLOC_OVERHEAD;
}

static void add_txn(struct ui_model *m, struct ui_session *s, const struct pop3_txn *t)
{
	if (s->n_tx >= m->o.txns_per_session_max || s->transcript_evicted) {
		s->tx_dropped++;
		m->drops.txns_dropped++;
		return;
	}
	struct ui_txn d;
	memset(&d, 0, sizeof(d));
	d.index = t->index;
	d.cmd = t->cmd;
	put_text(d.keyword, sizeof(d.keyword), t->keyword, sizeof(t->keyword));
	d.args = dup_text(t->args, sizeof(t->args));
	d.secret = t->secret;
	d.status = t->status;
	put_text(d.code, sizeof(d.code), t->code, sizeof(t->code));
	d.text = dup_text(t->text, sizeof(t->text));
	d.req_frame = t->req_frame;
	d.req_ts_us = t->req_ts_us;
	d.rep_frame = t->rep_frame;
	d.rep_ts_us = t->rep_ts_us;
	d.end_frame = t->end_frame;
	d.end_ts_us = t->end_ts_us;
	d.multiline = t->multiline;
	d.terminated = t->terminated;
	d.data_lines = t->data_lines;
	d.data_octets = t->data_octets;
	d.flags = t->flags;
	d.n_entries_seen = t->n_entries;
	d.mem = strlen(d.args) + strlen(d.text) + 2 + 2 * UI_ALLOC_OVERHEAD;
	copy_entries(m, &d, t);
	/* The array's slots are counted as allocated, spare ones too. */
	size_t cap = s->cap_tx;
	if (s->n_tx == cap) {
		cap = cap ? cap * 2 : 8;
		if (cap > m->o.txns_per_session_max)
			cap = m->o.txns_per_session_max;
	}
	size_t slots = (cap - s->cap_tx) * sizeof(*s->tx);
	if (!ui_store_make_room(m, d.mem + slots, s)) {
		ui_store_txn_free(&d);
		s->tx_dropped++;
		m->drops.txns_dropped++;
		return;
	}
	if (cap != s->cap_tx) {
		s->tx = xrealloc(s->tx, cap * sizeof(*s->tx));
		s->cap_tx = cap;
	}
	s->tx[s->n_tx++] = d;
	s->mem += d.mem + slots;
	m->mem += d.mem + slots;
}

/* ---- sessions ---------------------------------------------------------- */

static size_t lower_bound(const struct ui_model *m, uint64_t id)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->s[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct ui_session *ui_model_find(const struct ui_model *m, uint64_t id)
{
	size_t i = lower_bound(m, id);
	return i < m->n && m->s[i]->id == id ? m->s[i] : NULL;
}

static struct ui_session *session_get(struct ui_model *m, const struct ev_session *es,
				      enum event_type type)
{
	struct ui_session *s = ui_model_find(m, es->id);
	if (s)
		return s;
	if (type != EV_SESSION_OPEN && es->id <= m->max_evicted_id) {
		m->drops.events_for_evicted++;
		return NULL;
	}
	if (m->n >= m->o.sessions_max)
		ui_store_evict_one(m);
	(void)ui_store_make_room(m, sizeof(*s), NULL); /* kept even when nothing could go */
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->s = xrealloc(m->s, m->cap * sizeof(*m->s));
	}
	s = xcalloc(1, sizeof(*s));
	s->id = es->id;
	s->seq = m->next_seq++;
	put_text(s->srv, sizeof(s->srv), es->srv, sizeof(es->srv));
	ui_srv_session_new(m, s, es);
	m->sessions_total++;
	if (type != EV_SESSION_CLOSE) {
		m->sessions_active++;
		s->server->active++;
	}
	size_t at = lower_bound(m, es->id);
	memmove(&m->s[at + 1], &m->s[at], (m->n - at) * sizeof(*m->s));
	m->s[at] = s;
	m->n++;
	return s;
}

static void session_facts(struct ui_model *m, struct ui_session *s, const struct ev_session *es)
{
	s->ipver = es->ipver;
	put_text(s->cli, sizeof(s->cli), es->cli, sizeof(es->cli));
	put_text(s->srv, sizeof(s->srv), es->srv, sizeof(es->srv));
	put_text(s->sensor, sizeof(s->sensor), es->sensor, sizeof(es->sensor));
	s->cport = es->cport;
	s->sport = es->sport;
	s->vlan = es->vlan;
	s->start_ts = es->start_ts;
	s->last_ts = es->last_ts;
	s->first_frame = es->first_frame;
	s->last_frame = es->last_frame;
	memcpy(s->pkts, es->pkts, sizeof(s->pkts));
	memcpy(s->bytes, es->bytes, sizeof(s->bytes));
	s->midstream = es->midstream;
	{
		const struct ev_pop3 *ci = &es->pop3;
		s->state = ci->state;
		s->tls = ci->tls;
		s->login_seen = ci->login_seen;
		s->quit_seen = ci->quit_seen;
		put_text(s->user, sizeof(s->user), ci->user, sizeof(ci->user));
		put_text(s->banner, sizeof(s->banner), ci->banner, sizeof(ci->banner));
	}
	s->stat_seen = es->stat_seen;
	s->stat_count = es->stat_count;
	s->stat_octets = es->stat_octets;
	s->txns = es->txns;
	put_text(s->last_cmd, sizeof(s->last_cmd), es->last_cmd, sizeof(es->last_cmd));
	s->worst_latency_us = es->worst_latency_us;
	memcpy(s->findings, es->findings, sizeof(s->findings));
	s->rules_hit = es->rules_hit;
	s->worst = es->worst;
	s->flagged = es->flagged;
	s->end = es->end;
	ui_srv_session_facts(m, s);
}

static void add_latency(struct ui_server *v, const struct pop3_txn *t)
{
	if (!t->req_ts_us || !t->rep_ts_us || t->rep_ts_us < t->req_ts_us)
		return;
	v->lat[v->lat_total % UI_LAT_SAMPLES] = t->rep_ts_us - t->req_ts_us;
	v->lat_total++;
	if (v->n_lat < UI_LAT_SAMPLES)
		v->n_lat++;
}

static void add_finding(struct ui_model *m, struct ui_session *s, const struct finding *f)
{
	enum severity sev = f->sev <= SEV_ERROR ? f->sev : SEV_ERROR;
	uint64_t bit = (unsigned)f->rule < 64 ? (uint64_t)1 << f->rule : 0;
	s->seen_fx[sev]++;
	s->seen_rules |= bit;
	m->findings_total[sev]++;
	m->rules_hit |= bit;
	ui_srv_finding(m, s, f, sev);

	struct ui_recent *r = &m->recent[m->recent_total % UI_RECENT_FINDINGS];
	m->recent_total++;
	if (m->n_recent < UI_RECENT_FINDINGS)
		m->n_recent++;
	r->session_id = s->id;
	r->ts_us = f->ts_us;
	strlcpy_safe(r->srv, s->srv, sizeof(r->srv));
	r->sport = s->sport;
	strlcpy_safe(r->user, s->user, sizeof(r->user));
	r->rule = f->rule;
	r->sev = sev;
	put_text(r->summary, sizeof(r->summary), f->summary, sizeof(f->summary));

	size_t cap = s->cap_fx;
	if (s->n_fx == cap) {
		cap = cap ? cap * 2 : 4;
		if (cap > m->o.findings_per_session_max)
			cap = m->o.findings_per_session_max;
	}
	size_t slots = (cap - s->cap_fx) * sizeof(*s->fx); /* counted as allocated */
	if (s->n_fx >= m->o.findings_per_session_max || !ui_store_make_room(m, slots, s)) {
		s->fx_dropped++;
		m->drops.findings_dropped++;
		return;
	}
	if (cap != s->cap_fx) {
		s->fx = xrealloc(s->fx, cap * sizeof(*s->fx));
		s->cap_fx = cap;
		s->mem += slots;
		m->mem += slots;
	}
	struct ui_finding *d = &s->fx[s->n_fx++];
	memset(d, 0, sizeof(*d));
	d->rule = f->rule;
	d->sev = sev;
	put_text(d->summary, sizeof(d->summary), f->summary, sizeof(f->summary));
	d->n_ev = f->n_ev < FINDING_EVIDENCE_MAX ? f->n_ev : FINDING_EVIDENCE_MAX;
	for (unsigned i = 0; i < d->n_ev; i++) {
		d->ev[i].frame = f->ev[i].frame;
		d->ev[i].ts_us = f->ev[i].ts_us;
		d->ev[i].txn_index = f->ev[i].txn_index;
		put_text(d->ev[i].line, sizeof(d->ev[i].line), f->ev[i].line, sizeof(f->ev[i].line));
	}
	d->ts_us = f->ts_us;
}

/* The header from the sensors' latest figures, each run counted once. */
static void sensors_stats(struct ui_model *m, const struct ev_stats *st)
{
	struct ui_counters *c = &m->c;
	struct wall_sensor_run sum;
	wall_sensors_sum(&m->sensors, &sum);
	if (sum.frames > c->frames)
		c->last_packet_wall_us = m->clock_us ? m->clock_us : st->wall_us;
	c->have_stats = true;
	c->frames = sum.frames;
	c->bytes = sum.bytes;
	c->pps = wall_sensors_fps(&m->sensors);
	c->kernel_drops = sum.kernel_drops;
	c->iface_drops = sum.iface_drops;
	c->publish_dropped = sum.publish_dropped;
	c->have_kernel_stats |= st->src.have_kernel_stats;
	c->stats_sessions_total = sum.sessions_total;
	c->stats_sessions_active = sum.sessions_active;
	c->stats_sessions_flagged = sum.sessions_flagged;
	memcpy(c->findings, sum.findings, sizeof(c->findings));
}

static void add_stats(struct ui_model *m, const struct ev_stats *st)
{
	struct ui_counters *c = &m->c;
	if (wall_sensors_stats(&m->sensors, st, m->clock_us) >= 0) {
		sensors_stats(m, st);
		return;
	}
	if (m->sensors.n) { /* the reader's final sum of its origins: the sensors' own, summed already */
		c->final |= st->final;
		return;
	}
	uint64_t now = st->wall_us ? st->wall_us : st->ts_us;
	if (!c->have_stats || now < c->prev_wall_us) {
		c->prev_frames = st->frames;
		c->prev_bytes = st->bytes;
		c->prev_wall_us = now;
	} else if (now - c->prev_wall_us >= 500000) {
		double dt = (double)(now - c->prev_wall_us) / 1e6;
		c->pps = (double)(st->frames - c->prev_frames) / dt;
		c->bps = (double)(st->bytes - c->prev_bytes) / dt;
		c->prev_frames = st->frames;
		c->prev_bytes = st->bytes;
		c->prev_wall_us = now;
	}
	if (st->frames > c->frames)
		c->last_packet_wall_us = now;
	c->have_stats = true;
	c->final = st->final;
	c->frames = st->frames;
	c->bytes = st->bytes;
	c->kernel_drops = st->src.kernel_drops;
	c->iface_drops = st->src.iface_drops;
	c->have_kernel_stats = st->src.have_kernel_stats;
	c->stats_sessions_total = st->sessions_total;
	c->stats_sessions_active = st->sessions_active;
	c->stats_sessions_flagged = st->sessions_flagged;
	memcpy(c->findings, st->findings, sizeof(c->findings));
}

void ui_model_event(struct ui_model *m, const struct event *e)
{
	if (!m || !e)
		return;
	if (e->ts_us > m->c.last_ts_us)
		m->c.last_ts_us = e->ts_us;
	if (e->ts_us && (!m->c.first_ts_us || e->ts_us < m->c.first_ts_us))
		m->c.first_ts_us = e->ts_us;
	m->gen++;
	if (e->type == EV_STATS) {
		if (e->stats)
			add_stats(m, e->stats);
		return;
	}
	if (!e->sess)
		return;
	struct ui_session *s = session_get(m, e->sess, e->type);
	if (!s)
		return;
	session_facts(m, s, e->sess);
	if (e->sess->sensor[0]) {
		int k = wall_sensors_event(&m->sensors, e->sess->sensor, e->ts_us, m->clock_us);
		if (k >= 64 || (k < 0 && m->sensors.overflow))
			s->server->sensor_more = true;
		else if (k >= 0)
			s->server->sensor_bits |= 1ull << k;
	}
	/* The command waiting for its reply: an update says which; anything
	 * else (its transaction, the close) may have answered it. */
	if (e->type == EV_SESSION_UPDATE) {
		s->wait = e->sess->wait;
		sanitize_text(s->wait.cmd, sizeof(s->wait.cmd), e->sess->wait.cmd);
	} else if (e->type == EV_TXN || e->type == EV_SESSION_CLOSE) {
		s->wait.n = 0;
	}
	switch (e->type) {
	case EV_TXN:
		if (e->txn) {
			add_latency(s->server, e->txn);
			add_txn(m, s, e->txn);
		}
		break;
	case EV_FINDING:
		if (e->finding)
			add_finding(m, s, e->finding);
		break;
	case EV_SESSION_CLOSE:
		if (!s->closed) {
			s->closed = true;
			m->closes++;
			if (m->sessions_active)
				m->sessions_active--;
			if (s->server && s->server->active)
				s->server->active--;
			ui_srv_session_close(m, s);
		}
		break;
	default:
		break;
	}
}

const struct ui_recent *ui_model_recent(const struct ui_model *m, size_t i)
{
	if (i >= m->n_recent)
		return NULL;
	return &m->recent[(m->recent_total - 1 - i) % UI_RECENT_FINDINGS];
}

uint64_t ui_model_total(const struct ui_model *m)
{
	return m->c.stats_sessions_total > m->sessions_total ? m->c.stats_sessions_total
							     : m->sessions_total;
}

uint64_t ui_model_active(const struct ui_model *m)
{
	return m->c.have_stats && m->c.stats_sessions_total >= m->sessions_total
		       ? m->c.stats_sessions_active
		       : m->sessions_active;
}

uint64_t ui_model_flagged(const struct ui_model *m)
{
	return m->c.stats_sessions_flagged > m->sessions_flagged ? m->c.stats_sessions_flagged
								 : m->sessions_flagged;
}

void ui_model_free(struct ui_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		ui_store_session_free(m, m->s[i]);
	free(m->s);
	ui_srv_free_all(m);
	wall_sensors_fini(&m->sensors);
	free(m);
}
