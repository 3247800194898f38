/* ledger_feed.c - see ledger_feed.h. */
#include <stdio.h>
#include <string.h>

#include "ledger_feed.h"

struct ev_session lf_session(uint64_t id)
{
	struct ev_session s;
	memset(&s, 0, sizeof s);
	s.id = id;
	s.ipver = 4;
	snprintf(s.cli, sizeof s.cli, "10.0.0.%u", (unsigned)(id % 250) + 2);
	snprintf(s.srv, sizeof s.srv, "192.0.2.1");
	s.cport = (uint16_t)(40000 + id % 20000);
	s.sport = 110;
	s.start_ts = s.last_ts = 1700000000000000ull + id * 1000ull;
	s.source = "test.pcap";
	return s;
}

void lf_emit(struct ledger *lg, enum event_type type, const struct ev_session *s, const struct pop3_txn *t,
	     const struct finding *f)
{
	struct event e = { .type = type, .ts_us = s->last_ts, .sess = s, .txn = t, .finding = f };
	ledger_apply(lg, &e);
}

void lf_txn(struct ledger *lg, const struct ev_session *s, uint64_t idx, const char *cmd, const char *text)
{
	struct pop3_txn t;
	memset(&t, 0, sizeof t);
	t.index = idx;
	const char *sp = strchr(cmd, ' ');
	size_t kl = sp ? (size_t)(sp - cmd) : strlen(cmd);
	t.cmd = pop3_cmd_lookup(cmd, kl);
	snprintf(t.keyword, sizeof t.keyword, "%.*s", (int)kl, cmd);
	t.has_args = sp != NULL;
	snprintf(t.args, sizeof t.args, "%s", sp ? sp + 1 : "");
	t.status = POP3_ST_OK;
	snprintf(t.text, sizeof t.text, "%s", text);
	t.req_frame = 2 * idx + 1;
	t.rep_frame = 2 * idx + 2;
	lf_emit(lg, EV_TXN, s, &t, NULL);
}

void lf_flag(struct ledger *lg, struct ev_session *s)
{
	struct finding f;
	memset(&f, 0, sizeof f);
	f.rule = R_STAT_LIST_COUNT;
	f.sev = SEV_ERROR;
	snprintf(f.summary, sizeof f.summary, "STAT said 1 message; LIST listed 0");
	f.n_ev = 1;
	f.ev[0].frame = 7;
	snprintf(f.ev[0].line, sizeof f.ev[0].line, "STAT -> +OK 1 554");
	s->findings[SEV_ERROR]++;
	s->flagged = true;
	s->worst = SEV_ERROR;
	s->rules_hit |= 1ull << R_STAT_LIST_COUNT;
	lf_emit(lg, EV_FINDING, s, NULL, &f);
}

struct ledger_txn lf_tx(const struct ledger_entry *le, size_t i)
{
	struct ledger_txn t;
	ledger_tx(le, i, &t);
	return t;
}
