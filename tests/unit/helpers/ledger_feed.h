/*
 * ledger_feed.h - feeding a ledger as the bus would, for the ledger's own
 * tests (test_ledger: the budget and eviction; test_ledger_keep: the
 * readers' retention policies): a plain session by id, one event, a
 * transaction,
 * error finding, and a kept transaction unpacked.
 */
#ifndef POP3MON_TEST_LEDGER_FEED_H
#define POP3MON_TEST_LEDGER_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "ledger.h"

/* Session `id`: IPv4, client 10.0.0.x, server 192.0.2.1:110, times from id. */
struct ev_session lf_session(uint64_t id);
/* One event of `type` for s (t, f may be NULL), applied to lg. */
void lf_emit(struct ledger *lg, enum event_type type, const struct ev_session *s, const struct pop3_txn *t,
	     const struct finding *f);
/* Transaction idx of s, applied to lg: `cmd` a command keyword (NOOP,
 * RETR) with args after a space or none, answered +OK `text`; frames
 * 2 idx + 1 and 2 idx + 2. */
void lf_txn(struct ledger *lg, const struct ev_session *s, uint64_t idx, const char *cmd, const char *text);
/* An error finding (stat-list-count, one evidence line) for s, which is
 * marked flagged as the pipeline would, applied to lg. */
void lf_flag(struct ledger *lg, struct ev_session *s);
/* The i-th kept transaction of le, unpacked. */
struct ledger_txn lf_tx(const struct ledger_entry *le, size_t i);

#endif
