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
	struct event e = { type, s->last_ts, s, t, f, NULL };
	ledger_apply(lg, &e);
}

struct ledger_txn lf_tx(const struct ledger_entry *le, size_t i)
{
	struct ledger_txn t;
	ledger_tx(le, i, &t);
	return t;
}
