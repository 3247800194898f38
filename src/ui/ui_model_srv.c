/*
 * ui_model_srv.c - the dashboard model's per-server and per-account
 * aggregates, fed by the session store (ui_model.c) through the hooks of
 * ui_model_priv.h.
 *
 * A server is an address AND a port: 110 and 995 on one host are two
 * servers. Every session is counted in exactly one account row of its
 * server: its user's, "(no login)" until a user is known (and for good if
 * none ever is), or "(other accounts)" past the per-server cap; so the
 * account rows add up to the server's sessions.
 *
 * For the wall, each server also counts its problems (refused, unanswered,
 * no greeting, reset before greeting, failed logins, slow replies,
 * warnings, contradictions) with the first and last time seen, the
 * findings per rule the same way, and a ring of per-minute buckets for the
 * last hour. All times are capture times (the events'), so a file read
 * with -r ages exactly as it did on the wire. Counts only go up, on
 * transitions, so evicting a session never lowers them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_model_priv.h"
#include "util.h"

#define MINUTE_US 60000000ull

static void seen(struct ui_seen *c, uint64_t ts)
{
	if (c->n++ == 0 || ts < c->first_ts)
		c->first_ts = ts;
	if (ts > c->last_ts)
		c->last_ts = ts;
}

/* The trend bucket of capture time ts; NULL when it is older than the ring. */
static struct ui_minute *minute_at(struct ui_server *v, uint64_t ts)
{
	uint64_t min = ts / MINUTE_US;
	struct ui_minute *b = &v->trend[min % UI_TREND_MINUTES];
	if (b->minute == min)
		return b;
	if (b->minute > min)
		return NULL; /* a late event older than the hour the ring holds */
	memset(b, 0, sizeof(*b));
	b->minute = min;
	return b;
}

const struct ui_minute *ui_server_minute(const struct ui_server *v, uint64_t minute)
{
	const struct ui_minute *b = &v->trend[minute % UI_TREND_MINUTES];
	return b->minute == minute ? b : NULL;
}

static void problem(struct ui_server *v, enum ui_problem p, uint64_t ts)
{
	seen(&v->pb[p], ts);
	v->problems++;
}

/* ---- servers and accounts -------------------------------------------- */

static void server_name(struct ui_server *v)
{
	if (v->port == 0)
		strlcpy_safe(v->name, v->addr, sizeof(v->name));
	else if (strchr(v->addr, ':'))
		snprintf(v->name, sizeof(v->name), "[%s]:%u", v->addr, (unsigned)v->port);
	else
		snprintf(v->name, sizeof(v->name), "%s:%u", v->addr, (unsigned)v->port);
}

static struct ui_server *find(const struct ui_model *m, const char *addr, uint16_t port)
{
	for (size_t i = 0; i < m->n_srv; i++)
		if (m->srv[i]->port == port && !strcmp(m->srv[i]->addr, addr))
			return m->srv[i];
	return NULL;
}

static struct ui_server *server_get(struct ui_model *m, const char *addr, uint16_t port)
{
	struct ui_server *v = find(m, addr, port);
	if (v)
		return v;
	struct ui_server *other = find(m, UI_OTHER_SERVERS, 0);
	if (m->n_srv - (other != NULL) >= m->o.servers_max) {
		m->drops.servers_overflow++;
		if (other)
			return other;
		addr = UI_OTHER_SERVERS;
		port = 0;
	}
	if (m->n_srv == m->cap_srv) {
		m->cap_srv = m->cap_srv ? m->cap_srv * 2 : 8;
		m->srv = xrealloc(m->srv, m->cap_srv * sizeof(*m->srv));
	}
	v = xcalloc(1, sizeof(*v));
	strlcpy_safe(v->addr, addr, sizeof(v->addr));
	v->port = port;
	server_name(v);
	strlcpy_safe(v->extra[UI_ACCT_NOLOGIN].user, UI_NOLOGIN, sizeof(v->extra[0].user));
	strlcpy_safe(v->extra[UI_ACCT_OTHER].user, UI_OTHER_ACCOUNTS, sizeof(v->extra[0].user));
	v->last_contradiction = v->last_warning = -1;
	m->srv[m->n_srv++] = v;
	return v;
}

const struct ui_server *ui_model_server(const struct ui_model *m, const char *addr, uint16_t port)
{
	return find(m, addr, port);
}

/* What session s has added to its account so far, added (sign +1) or taken back (-1). */
static void account_share(struct ui_account *a, const struct ui_session *s, int sign)
{
	if (sign > 0) {
		a->sessions++;
		a->flagged += s->counted_flagged;
		a->failed_logins += s->failed_logins;
		for (int i = 0; i < 3; i++)
			a->findings[i] += s->seen_fx[i];
		a->rules_hit |= s->seen_rules;
		if (s->h->last_ts > a->last_ts)
			a->last_ts = s->h->last_ts;
		return;
	}
	a->sessions -= a->sessions >= 1;
	a->flagged -= a->flagged >= s->counted_flagged ? s->counted_flagged : a->flagged;
	a->failed_logins -= a->failed_logins >= s->failed_logins ? s->failed_logins : a->failed_logins;
	for (int i = 0; i < 3; i++)
		a->findings[i] -= a->findings[i] >= s->seen_fx[i] ? s->seen_fx[i] : a->findings[i];
	/* rules_hit is a union: it cannot be taken back and keeps the bits */
}

/* The session's user became known: move it from "(no login)" to its account. */
static void account_attach(struct ui_model *m, struct ui_session *s)
{
	if (s->account_checked || !s->user[0] || !s->server)
		return;
	s->account_checked = true;
	struct ui_server *v = s->server;
	struct ui_account *a = NULL;
	for (size_t i = 0; i < v->n_acct && !a; i++)
		if (!strcmp(v->acct[i].user, s->user))
			a = &v->acct[i];
	if (!a) {
		if (v->n_acct >= m->o.accounts_per_server_max) {
			v->accounts_dropped++;
			m->drops.accounts_dropped++;
			a = &v->extra[UI_ACCT_OTHER];
		} else {
			if (!v->acct)
				v->acct = xcalloc(m->o.accounts_per_server_max ? m->o.accounts_per_server_max : 1,
						  sizeof(*v->acct));
			a = &v->acct[v->n_acct++];
			strlcpy_safe(a->user, s->user, sizeof(a->user));
		}
	}
	if (s->account)
		account_share(s->account, s, -1);
	s->account = a;
	account_share(a, s, +1);
}

/* ---- hooks ------------------------------------------------------------- */

void ui_srv_session_new(struct ui_model *m, struct ui_session *s, const struct ev_session *es)
{
	struct ui_server *v = server_get(m, s->srv, es->sport);
	s->server = v;
	v->sessions++;
	if (!v->first_ts || (es->start_ts && es->start_ts < v->first_ts))
		v->first_ts = es->start_ts;
	struct ui_minute *b = minute_at(v, es->start_ts);
	if (b)
		b->sessions++;
	s->account = &v->extra[UI_ACCT_NOLOGIN];
	s->account->sessions++;
}

void ui_srv_session_facts(struct ui_model *m, struct ui_session *s)
{
	struct ui_server *v = s->server;
	if (!v)
		return;
	if (s->h->last_ts > v->last_ts)
		v->last_ts = s->h->last_ts;
	account_attach(m, s);
	/* A greeting, any reply (a capture that began mid-session) or any
	 * payload from the server (TLS on 995) shows the server answers. */
	if (s->banner[0] || s->h->txns || s->h->bytes[1]) {
		if (!s->greeted) {
			s->greeted = true;
			v->connects_ok++;
		}
		if (s->h->last_ts > v->last_good_ts)
			v->last_good_ts = s->h->last_ts;
	}
	if (!s->login_ok && (s->state == POP3_STATE_TRANSACTION || s->state == POP3_STATE_UPDATE)) {
		s->login_ok = true;
		v->logins_ok++;
		struct ui_minute *b = minute_at(v, s->h->last_ts);
		if (b)
			b->logins_ok++;
	}
	if (s->h->flagged && !s->counted_flagged) {
		s->counted_flagged = true;
		m->sessions_flagged++;
		v->flagged++;
		if (s->account)
			s->account->flagged++;
		struct ui_minute *b = minute_at(v, s->h->last_ts);
		if (b)
			b->flagged++;
	}
	if (s->account && s->h->last_ts > s->account->last_ts)
		s->account->last_ts = s->h->last_ts;
}

void ui_srv_finding(struct ui_model *m, struct ui_session *s, const struct finding *f, enum severity sev)
{
	(void)m;
	uint64_t bit = (unsigned)f->rule < 64 ? (uint64_t)1 << f->rule : 0;
	bool failed = f->rule == R_LOGIN_FAILED;
	s->failed_logins += failed;
	if (s->account) {
		s->account->findings[sev]++;
		s->account->rules_hit |= bit;
		s->account->failed_logins += failed;
	}
	struct ui_server *v = s->server;
	if (!v)
		return;
	v->findings[sev]++;
	v->rules_hit |= bit;
	v->failed_logins += failed;
	uint64_t ts = f->ts_us ? f->ts_us : s->h->last_ts;
	if ((unsigned)f->rule < R__COUNT)
		seen(&v->rule[f->rule], ts);
	struct ui_minute *b = minute_at(v, ts);
	if (failed) {
		problem(v, UI_PB_LOGIN_FAILED, ts);
		if (b)
			b->logins_failed++;
	} else if (f->rule == R_SLOW_REPLY) {
		problem(v, UI_PB_SLOW, ts);
		if (b)
			b->slow++;
	} else if (sev == SEV_ERROR) {
		problem(v, UI_PB_CONTRADICTION, ts);
		v->last_contradiction = (int)f->rule;
	} else if (sev == SEV_WARNING) {
		problem(v, UI_PB_WARNING, ts);
		v->last_warning = (int)f->rule;
	}
}

void ui_srv_session_close(struct ui_model *m, struct ui_session *s)
{
	(void)m;
	struct ui_server *v = s->server;
	if (!v || s->end_counted)
		return;
	s->end_counted = true;
	int p = -1;
	switch (s->h->end) {
	case FLOW_END_REFUSED: p = UI_PB_REFUSED; break;
	case FLOW_END_NO_ANSWER: p = UI_PB_NO_ANSWER; break;
	case FLOW_END_NO_GREETING: p = UI_PB_NO_GREETING; break;
	case FLOW_END_RESET_BEFORE_GREETING: p = UI_PB_RESET; break;
	default: break;
	}
	if (p < 0)
		return;
	uint64_t ts = s->h->last_ts ? s->h->last_ts : s->h->start_ts;
	problem(v, (enum ui_problem)p, ts);
	struct ui_minute *b = minute_at(v, ts);
	if (b)
		b->connects_failed++;
}

void ui_srv_free_all(struct ui_model *m)
{
	for (size_t i = 0; i < m->n_srv; i++) {
		free(m->srv[i]->acct);
		free(m->srv[i]);
	}
	free(m->srv);
	m->srv = NULL;
	m->n_srv = m->cap_srv = 0;
}
