/*
 * events.h - builders of fake sessions, transactions, findings and stats
 * for the sink tests (test_json, test_report, test_flagged_writer). The
 * structs are the caller's; nothing here allocates except tev_listing.
 */
#ifndef POP3MON_TEST_EVENTS_H
#define POP3MON_TEST_EVENTS_H

#include "event.h"

/* A session 192.0.2.10:50000 -> 198.51.100.5:110, user "alice", opened at
 * TEV_T0 (2026-11-24 21:06:39.123456 UTC), frames from 1. */
#define TEV_T0 1795554399123456ull
/* *ci (if ci) is set to &s->pop3, the session's POP3 facts, to fill in. */
void tev_session(struct ev_session *s, struct ev_pop3 **ci, uint64_t id);

/* A transaction; kw NULL for a greeting. Times: t0 + 1000*frame us. */
void tev_txn(struct pop3_txn *t, uint64_t index, const char *kw, const char *args,
	     enum pop3_status st, const char *text, uint64_t frame);

/* A listing of n entries (sizes 100*i, or uids "uid<i>"), malloc'd: free with tev_listing_free. */
void tev_listing(struct pop3_txn *t, uint32_t n, bool uidl);
void tev_listing_free(struct pop3_txn *t);

void tev_finding(struct finding *f, enum rule_id r, const char *summary, uint64_t frame1,
		 const char *line1, uint64_t frame2, const char *line2);

void tev_stats(struct ev_stats *st, bool final);

/* Send an event of each kind to a sink. */
void tev_emit(struct sink s, enum event_type type, const struct ev_session *sess,
	      const struct pop3_txn *t, const struct finding *f, const struct ev_stats *st);

#endif
