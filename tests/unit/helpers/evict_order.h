/*
 * evict_order.h - the ledger's eviction order as a test sees it, shared by
 * test_ledger (the ledger alone) and test_ui_ledger (the dashboard on it):
 * EVICT_NS sessions of four kinds by id, what the ledger kept and freed of
 * each kind, and the assertions that hold after every squeeze of the
 * budget (include/ledger.h gives the order).
 */
#ifndef POP3MON_TEST_EVICT_ORDER_H
#define POP3MON_TEST_EVICT_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "ledger.h"

#define EVICT_NS 40 /* sessions in the order tests, ids 1..EVICT_NS */

enum evict_kind { CLOSED_CLEAN, CLOSED_FLAGGED, OPEN_CLEAN, OPEN_FLAGGED };
/* The kind of session `id` is made as in the order tests. */
enum evict_kind evict_kind_of(uint64_t id);

/* What the ledger did so far, by kind: entries gone, transcripts gone. */
struct evict_seen {
	unsigned rows_gone[4], tx_gone[4], rows[4];
	uint64_t newest_tx_gone[4], oldest_tx_kept[4], newest_row_gone[4], oldest_row_kept[4];
};

void evict_look(const struct ledger *lg, struct evict_seen *w);
/* After a squeeze to `budget` that left the ledger at `bytes`: under the
 * budget unless nothing more may go, oldest first within a kind, a step
 * only once the earlier ones are spent, never an open entry or an open
 * flagged transcript. */
void evict_assert_step(const struct evict_seen *w, size_t bytes, size_t budget);

#endif
