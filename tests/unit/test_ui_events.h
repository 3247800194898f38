/*
 * test_ui_events.h - small builders of synthetic events for the dashboard's
 * unit tests (test_ui_*.c). Header-only, static: each test binary gets its
 * own copy. Every struct is filled the way the session layer would.
 */
#ifndef POP3MON_UI_TEST_EVENTS_H
#define POP3MON_UI_TEST_EVENTS_H

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "../../src/ui/ui_model.h"

struct uit_sess {
	struct ev_session es;
};

static inline void uit_sess(struct uit_sess *s, uint64_t id, const char *srv, const char *user)
{
	memset(s, 0, sizeof(*s));
	s->es.id = id;
	s->es.ipver = 4;
	snprintf(s->es.cli, sizeof(s->es.cli), "10.0.0.%u", (unsigned)(id % 250) + 2);
	snprintf(s->es.srv, sizeof(s->es.srv), "%s", srv);
	s->es.cport = (uint16_t)(40000 + id);
	s->es.sport = 110;
	s->es.start_ts = 1700000000000000ull + id * 1000000ull;
	s->es.last_ts = s->es.start_ts;
	s->es.pop3.state = POP3_STATE_AUTHORIZATION;
	if (user)
		snprintf(s->es.pop3.user, sizeof(s->es.pop3.user), "%s", user);
}

static inline void uit_emit(struct ui_model *m, enum event_type type, const struct uit_sess *s,
			    const struct pop3_txn *t, const struct finding *f)
{
	struct event e = { .type = type, .ts_us = s->es.last_ts, .sess = &s->es, .txn = t, .finding = f };
	ui_model_event(m, &e);
}

static inline void uit_open(struct ui_model *m, struct uit_sess *s)
{
	uit_emit(m, EV_SESSION_OPEN, s, NULL, NULL);
}

static inline void uit_close(struct ui_model *m, struct uit_sess *s)
{
	s->es.end = FLOW_END_FIN;
	uit_emit(m, EV_SESSION_CLOSE, s, NULL, NULL);
}

/* A transaction at +idx*10 ms from the session start, reply `lat_us` later. */
static inline void uit_txn(struct pop3_txn *t, const struct uit_sess *s, uint64_t idx, const char *kw,
			   const char *args, enum pop3_status st, const char *text, uint64_t lat_us)
{
	memset(t, 0, sizeof(*t));
	t->index = idx;
	if (kw) {
		snprintf(t->keyword, sizeof(t->keyword), "%s", kw);
		t->cmd = pop3_cmd_lookup(kw, strlen(kw));
		t->req_frame = 10 * idx + 1;
		t->req_ts_us = s->es.start_ts + idx * 10000;
	}
	if (args) {
		snprintf(t->args, sizeof(t->args), "%s", args);
		t->has_args = true;
	}
	t->rep_frame = 10 * idx + 2;
	t->rep_ts_us = s->es.start_ts + idx * 10000 + lat_us;
	t->end_frame = t->rep_frame;
	t->end_ts_us = t->rep_ts_us;
	t->status = st;
	if (text)
		snprintf(t->text, sizeof(t->text), "%s", text);
}

static inline void uit_finding(struct finding *f, enum rule_id r, const char *summary, uint64_t frame,
			       uint64_t txn_index, const char *line)
{
	memset(f, 0, sizeof(*f));
	f->rule = r;
	f->sev = rule_severity(r);
	snprintf(f->summary, sizeof(f->summary), "%s", summary);
	if (frame || line) {
		f->ev[0].frame = frame;
		f->ev[0].txn_index = txn_index;
		snprintf(f->ev[0].line, sizeof(f->ev[0].line), "%s", line ? line : "");
		f->n_ev = 1;
	}
}

/* Emit a finding the way the session layer does: the snapshot already counts it. */
static inline void uit_flag(struct ui_model *m, struct uit_sess *s, const struct finding *f)
{
	s->es.findings[f->sev]++;
	s->es.rules_hit |= (uint64_t)1 << f->rule;
	if (!(s->es.findings[0] + s->es.findings[1] + s->es.findings[2] > 1) || f->sev > s->es.worst)
		s->es.worst = f->sev;
	if (f->sev >= SEV_WARNING)
		s->es.flagged = true;
	uit_emit(m, EV_FINDING, s, NULL, f);
}

#endif
