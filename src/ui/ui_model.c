/*
 * ui_model.c - the dashboard's model, built from events only.
 *
 * The sessions, their transcripts and findings are the session ledger's
 * (ledger.h): the bus applies each event to it before this model sees
 * the event, and the ledger's one budget decides what is kept. The model
 * keeps a row per ledger entry (the snapshot's fields sanitised for the
 * list, and what the aggregates need), in one array of pointers sorted by
 * id (flow ids grow, so new sessions append and lookups are a binary
 * search); the ledger tells it before an entry goes, and the row goes
 * too. Aggregates per server and per account (ui_model_srv.c) are counted
 * on transitions (a session becomes flagged, its user becomes known, it
 * closes), so eviction never lowers them.
 *
 * The row's wire text is sanitised here, once, on the way in; transcript
 * and finding text is sanitised as it is drawn (ui_ladder.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_model_priv.h"
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

void ui_model_ledger_opts(const struct ui_model_opts *o, struct ledger_opts *lo)
{
	ledger_opts_default(lo);
	lo->bytes_max = o->store_bytes_max;
	lo->sessions_max = o->sessions_max;
	lo->txns_per_session_max = o->txns_per_session_max;
	lo->findings_per_session_max = o->findings_per_session_max;
	lo->entries_per_txn_max = o->entries_per_txn_max;
	/* the row, and its texts as most sessions have them (addresses, a
	 * user, a short greeting), each allocation with malloc's share */
	lo->row_bytes = sizeof(struct ui_session) + UI_ROW_TEXT_TYPICAL + 2 * LEDGER_ALLOC_OVERHEAD;
}

static void row_gone(void *ctx, const struct ledger_entry *le);

void ui_session_free(struct ui_session *s)
{
	if (!s)
		return;
	free(s->txt);
	free(s->wait);
	free(s);
}

struct ui_model *ui_model_new_shared(const struct ui_model_opts *o, struct ledger *lg)
{
	struct ui_model *m = xcalloc(1, sizeof(*m));
	if (o)
		m->o = *o;
	else
		ui_model_opts_default(&m->o);
	if (m->o.sessions_max < 1)
		m->o.sessions_max = 1;
	if (!lg) {
		struct ledger_opts lo;
		ui_model_ledger_opts(&m->o, &lo);
		lg = ledger_new(&lo);
		m->own_lg = true;
	}
	m->lg = lg;
	ledger_watch(lg, row_gone, m);
	return m;
}

struct ui_model *ui_model_new(const struct ui_model_opts *o)
{
	return ui_model_new_shared(o, NULL);
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

static void session_texts(struct ui_session *s, const struct ev_session *es);

/* The session's row, made when the ledger has a new entry for it; NULL
 * when the ledger holds none (a late event of a session it dropped). */
static struct ui_session *session_get(struct ui_model *m, const struct ev_session *es,
				      enum event_type type)
{
	struct ui_session *s = ui_model_find(m, es->id);
	if (s)
		return s;
	const struct ledger_entry *le = ledger_find(m->lg, es->id);
	if (!le)
		return NULL;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->s = xrealloc(m->s, m->cap * sizeof(*m->s));
	}
	s = xcalloc(1, sizeof(*s));
	s->id = es->id;
	s->le = le;
	s->seq = m->next_seq++;
	s->h = &le->snap;
	session_texts(s, es);
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

/* The row's texts, sanitised, in one allocation sized to them: rebuilt
 * only when one of them changed (most events change none). */
static void session_texts(struct ui_session *s, const struct ev_session *es)
{
	enum { T_CLI, T_SRV, T_USER, T_BANNER, T_SENSOR, T_LAST, T__N };
	char t[T__N][UI_BANNER_MAX];
	put_text(t[T_CLI], ADDR_STR_MAX, es->cli, sizeof(es->cli)); /* the filter's server is as long */
	put_text(t[T_SRV], ADDR_STR_MAX, es->srv, sizeof(es->srv));
	put_text(t[T_USER], UI_USER_MAX, es->pop3.user, sizeof(es->pop3.user));
	put_text(t[T_BANNER], UI_BANNER_MAX, es->pop3.banner, sizeof(es->pop3.banner));
	put_text(t[T_SENSOR], SENSOR_NAME_MAX, es->sensor, sizeof(es->sensor));
	put_text(t[T_LAST], POP3_KEYWORD_MAX + 1, es->last_cmd, sizeof(es->last_cmd));
	const char **dst[T__N] = { &s->cli, &s->srv, &s->user, &s->banner, &s->sensor, &s->last_cmd };
	size_t len[T__N], total = 0;
	bool same = s->txt != NULL;
	for (int i = 0; i < T__N; i++) {
		len[i] = strlen(t[i]);
		total += len[i] + 1;
		same = same && !strcmp(*dst[i], t[i]);
	}
	if (same)
		return;
	free(s->txt);
	s->txt = xmalloc(total);
	char *at = s->txt;
	for (int i = 0; i < T__N; i++) {
		memcpy(at, t[i], len[i] + 1);
		*dst[i] = at;
		at += len[i] + 1;
	}
}

void ui_session_copy_texts(struct ui_session *to, const struct ui_session *from)
{
	const char *const src[] = { from->cli, from->srv, from->user, from->banner, from->sensor, from->last_cmd };
	const char **dst[] = { &to->cli, &to->srv, &to->user, &to->banner, &to->sensor, &to->last_cmd };
	size_t total = 0;
	for (size_t k = 0; k < sizeof(src) / sizeof(src[0]); k++)
		total += strlen(src[k]) + 1;
	char *at = to->txt = xmalloc(total);
	for (size_t k = 0; k < sizeof(src) / sizeof(src[0]); k++) {
		size_t l = strlen(src[k]) + 1;
		memcpy(at, src[k], l);
		*dst[k] = at;
		at += l;
	}
}

static void session_facts(struct ui_model *m, struct ui_session *s, const struct ev_session *es)
{
	s->h = &s->le->snap; /* the numbers: read in place */
	session_texts(s, es);
	s->state = es->pop3.state;
	s->tls = es->pop3.tls;
	s->login_seen = es->pop3.login_seen;
	s->quit_seen = es->pop3.quit_seen;
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
	r->sport = s->h->sport;
	strlcpy_safe(r->user, s->user, sizeof(r->user));
	r->rule = f->rule;
	r->sev = sev;
	put_text(r->summary, sizeof(r->summary), f->summary, sizeof(f->summary));

}

/* The header from the sensors' latest figures, each run counted once. */
static void sensors_stats(struct ui_model *m, const struct ev_stats *st)
{
	struct ui_counters *c = &m->c;
	struct wall_sensor_run sum;
	wall_sensors_sum(&m->sensors, &sum);
	if (sum.fig.frames > c->fig.frames)
		c->last_packet_wall_us = m->clock_us ? m->clock_us : st->wall_us;
	c->have_stats = true;
	c->fig = sum.fig;
	c->pps = wall_sensors_fps(&m->sensors);
	c->have_kernel_stats |= st->src.have_kernel_stats;
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
	if (st->frames > c->fig.frames)
		c->last_packet_wall_us = now;
	c->have_stats = true;
	c->final = st->final;
	run_figures_of(&c->fig, st);
	c->have_kernel_stats = st->src.have_kernel_stats;
}

/* What the ledger dropped, as the dashboard counts it. */
static void sync_drops(struct ui_model *m)
{
	struct ledger_stats st;
	ledger_get_stats(m->lg, &st);
	m->drops.events_for_evicted = st.events_for_evicted;
	m->drops.transcripts_evicted = st.transcripts_evicted;
	m->drops.txns_dropped = st.txns_dropped;
	m->drops.findings_dropped = st.findings_dropped;
	m->drops.entries_dropped = st.entries_dropped;
}

void ui_model_event(struct ui_model *m, const struct event *e)
{
	if (!m || !e)
		return;
	if (m->own_lg)
		ledger_apply(m->lg, e);
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
	sync_drops(m);
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
	if (e->type == EV_SESSION_UPDATE && e->sess->wait.n) {
		if (!s->wait)
			s->wait = xmalloc(sizeof(*s->wait));
		*s->wait = e->sess->wait;
		sanitize_text(s->wait->cmd, sizeof(s->wait->cmd), e->sess->wait.cmd);
	} else if (e->type == EV_SESSION_UPDATE || e->type == EV_TXN || e->type == EV_SESSION_CLOSE) {
		free(s->wait);
		s->wait = NULL;
	}
	switch (e->type) {
	case EV_TXN:
		if (e->txn)
			add_latency(s->server, e->txn);
		break;
	case EV_FINDING:
		if (e->finding)
			add_finding(m, s, e->finding);
		break;
	case EV_SESSION_CLOSE:
		if (!s->closed) {
			s->closed = true;
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
	return m->c.fig.sessions_total > m->sessions_total ? m->c.fig.sessions_total
							     : m->sessions_total;
}

uint64_t ui_model_active(const struct ui_model *m)
{
	return m->c.have_stats && m->c.fig.sessions_total >= m->sessions_total
		       ? m->c.fig.sessions_active
		       : m->sessions_active;
}

uint64_t ui_model_flagged(const struct ui_model *m)
{
	return m->c.fig.sessions_flagged > m->sessions_flagged ? m->c.fig.sessions_flagged
								 : m->sessions_flagged;
}

void ui_model_free(struct ui_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		ui_session_free(m->s[i]);
	free(m->s);
	ui_srv_free_all(m);
	wall_sensors_fini(&m->sensors);
	if (m->own_lg)
		ledger_free(m->lg);
	free(m);
}

/* ---- what the ledger drops ---------------------------------------------------------- */

/* The ledger drops the entry (budget or count cap): the row goes too,
 * counted as the list's "held of seen" line says. */
static void row_gone(void *ctx, const struct ledger_entry *le)
{
	struct ui_model *m = ctx;
	size_t i = lower_bound(m, le->snap.id);
	if (i >= m->n || m->s[i]->id != le->snap.id)
		return;
	struct ui_session *s = m->s[i];
	m->drops.sessions_evicted++;
	if (s->h->flagged)
		m->drops.sessions_evicted_flagged++;
	if (!s->closed) {
		m->drops.sessions_evicted_open++;
		if (m->sessions_active)
			m->sessions_active--;
		if (s->server && s->server->active)
			s->server->active--;
	}
	if (s->id > m->max_evicted_id)
		m->max_evicted_id = s->id;
	memmove(&m->s[i], &m->s[i + 1], (m->n - i - 1) * sizeof(*m->s));
	m->n--;
	ui_session_free(s);
	m->gen++;
}

size_t ui_model_store_bytes(const struct ui_model *m)
{
	return ledger_bytes(m->lg);
}

/* 19123 -> "19,123" */
static void thousands(char *buf, size_t n, uint64_t v)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t o = 0;
	for (int i = 0; i < len && o + 1 < n; i++) {
		if (i && (len - i) % 3 == 0 && o + 2 < n)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void ui_model_held_text(const struct ui_model *m, char *buf, size_t n)
{
	if (!n)
		return;
	buf[0] = '\0';
	uint64_t tx = m->drops.transcripts_evicted;
	char held[32], seen[32], clean[32], fl[32], txs[32];
	thousands(txs, sizeof(txs), tx);
	if (!m->drops.sessions_evicted) {
		if (tx) /* the budget took transcripts only: say so too */
			snprintf(buf, n, "all sessions held; %s transcript%s dropped for memory", txs,
				 tx == 1 ? "" : "s");
		return;
	}
	uint64_t fdrop = m->drops.sessions_evicted_flagged;
	thousands(held, sizeof(held), m->n);
	thousands(seen, sizeof(seen), ui_model_total(m));
	thousands(clean, sizeof(clean), m->drops.sessions_evicted - fdrop);
	thousands(fl, sizeof(fl), fdrop);
	int o = snprintf(buf, n, "%s of %s sessions held; %s clean one%s dropped%s%s%s", held, seen, clean,
			 m->drops.sessions_evicted - fdrop == 1 ? "" : "s", fdrop ? ", " : "", fdrop ? fl : "",
			 fdrop ? (fdrop == 1 ? " flagged one too" : " flagged ones too") : "");
	/* transcripts the budget freed (of sessions dropped since, too) */
	if (tx && o > 0 && (size_t)o < n)
		snprintf(buf + o, n - (size_t)o, "; %s transcript%s freed", txs, tx == 1 ? "" : "s");
}
