/*
 * events.c - fake event builders for the sink tests (see events.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "util.h"

void tev_session(struct ev_session *s, struct ev_pop3 **cip, uint64_t id)
{
	memset(s, 0, sizeof *s);
	struct ev_pop3 *ci = &s->pop3;
	if (cip)
		*cip = ci;
	ci->state = POP3_STATE_TRANSACTION;
	strlcpy_safe(ci->user, "alice", sizeof ci->user);
	strlcpy_safe(ci->banner, "InterMail POP3 server ready", sizeof ci->banner);
	ci->greeted = true;
	ci->login_seen = true;
	s->id = id;
	s->source = "test.pcap";
	s->ipver = 4;
	strlcpy_safe(s->cli, "192.0.2.10", sizeof s->cli);
	strlcpy_safe(s->srv, "198.51.100.5", sizeof s->srv);
	s->cport = (uint16_t)(50000 + id);
	s->sport = 110;
	strlcpy_safe(s->community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", sizeof s->community_id);
	s->start_ts = TEV_T0;
	s->last_ts = TEV_T0 + 5000;
	s->first_frame = 1;
	s->last_frame = 20;
	s->pkts[0] = 10;
	s->pkts[1] = 10;
	s->bytes[0] = 100;
	s->bytes[1] = 900;
	s->end = FLOW_END_NONE;
}

void tev_txn(struct pop3_txn *t, uint64_t index, const char *kw, const char *args,
	     enum pop3_status st, const char *text, uint64_t frame)
{
	memset(t, 0, sizeof *t);
	t->index = index;
	if (kw) {
		t->cmd = pop3_cmd_lookup(kw, strlen(kw));
		strlcpy_safe(t->keyword, kw, sizeof t->keyword);
		t->req_frame = frame;
		t->req_ts_us = TEV_T0 + 1000 * frame;
		frame++;
	}
	if (args) {
		strlcpy_safe(t->args, args, sizeof t->args);
		t->has_args = true;
	}
	t->state_before = POP3_STATE_TRANSACTION;
	t->status = st;
	if (st != POP3_ST_NONE) {
		t->rep_frame = frame;
		t->rep_ts_us = TEV_T0 + 1000 * frame + 250;
		t->end_frame = frame;
		t->end_ts_us = t->rep_ts_us;
	}
	if (text)
		strlcpy_safe(t->text, text, sizeof t->text);
}

void tev_listing(struct pop3_txn *t, uint32_t n, bool uidl)
{
	t->entries = xcalloc(n ? n : 1, sizeof *t->entries);
	t->n_entries = n;
	t->multiline = true;
	t->terminated = true;
	t->data_lines = n;
	if (uidl)
		t->uids = xcalloc(n ? n : 1, 16);
	for (uint32_t i = 0; i < n; i++) {
		t->entries[i].num = i + 1;
		t->entries[i].size = 100u * (i + 1);
		if (uidl) {
			int l = snprintf(t->uids + 16 * i, 16, "uid%u", i + 1);
			t->entries[i].uid_off = 16 * i;
			t->entries[i].uid_len = (uint8_t)l;
		}
	}
}

void tev_listing_free(struct pop3_txn *t)
{
	free(t->entries);
	free(t->uids);
	t->entries = NULL;
	t->uids = NULL;
	t->n_entries = 0;
}

void tev_finding(struct finding *f, enum rule_id r, const char *summary, uint64_t frame1,
		 const char *line1, uint64_t frame2, const char *line2)
{
	memset(f, 0, sizeof *f);
	f->rule = r;
	f->sev = rule_severity(r);
	strlcpy_safe(f->summary, summary, sizeof f->summary);
	if (line1) {
		f->ev[f->n_ev].frame = frame1;
		f->ev[f->n_ev].ts_us = TEV_T0 + 1000 * frame1;
		strlcpy_safe(f->ev[f->n_ev].line, line1, sizeof f->ev[0].line);
		f->n_ev++;
	}
	if (line2) {
		f->ev[f->n_ev].frame = frame2;
		f->ev[f->n_ev].ts_us = TEV_T0 + 1000 * frame2;
		f->ev[f->n_ev].txn_index = 1;
		strlcpy_safe(f->ev[f->n_ev].line, line2, sizeof f->ev[0].line);
		f->n_ev++;
	}
	f->ts_us = TEV_T0 + 1000 * (frame2 ? frame2 : frame1);
}

void tev_stats(struct ev_stats *st, bool final)
{
	memset(st, 0, sizeof *st);
	st->ts_us = TEV_T0 + 60000000;
	st->final = final;
	st->source = "test.pcap";
	st->frames = 120;
	st->bytes = 54321;
	st->src.received = 120;
	st->dec.count[DEC_OK] = 110;
	st->dec.count[DEC_NOT_TCP] = 8;
	st->dec.count[DEC_IP_FRAGMENT] = 2;
	st->flows.created = 3;
	st->flows.closed = 3;
	st->reasm.gaps = 1;
	st->reasm.gap_bytes = 1460;
	st->sessions_total = 3;
	st->sessions_flagged = 1;
	st->findings[SEV_ERROR] = 1;
	st->rule_counts[R_STAT_UIDL_COUNT] = 1;
	st->pop3_bare_lf = 4;
}

void tev_emit(struct sink s, enum event_type type, const struct ev_session *sess,
	      const struct pop3_txn *t, const struct finding *f, const struct ev_stats *st)
{
	struct event e = { .type = type, .sess = sess, .txn = t, .finding = f, .stats = st };
	e.ts_us = t ? (t->end_ts_us ? t->end_ts_us : t->req_ts_us)
		: f ? f->ts_us : st ? st->ts_us : sess ? sess->last_ts : 0;
	s.ops->event(s.self, &e);
}
