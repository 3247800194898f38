/*
 * evict_order.c - the ledger's eviction order as a test sees it (see
 * evict_order.h).
 */
#include "helpers/evict_order.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <cmocka.h>

enum evict_kind evict_kind_of(uint64_t id)
{
	switch (id % 8) {
	case 1: return CLOSED_FLAGGED;
	case 2: return OPEN_CLEAN;
	case 5: return OPEN_FLAGGED;
	default: return CLOSED_CLEAN;
	}
}

void evict_look(const struct ledger *lg, struct evict_seen *w)
{
	memset(w, 0, sizeof *w);
	for (int k = 0; k < 4; k++)
		w->oldest_tx_kept[k] = w->oldest_row_kept[k] = UINT64_MAX;
	for (uint64_t id = 1; id <= EVICT_NS; id++) {
		enum evict_kind k = evict_kind_of(id);
		const struct ledger_entry *le = ledger_find(lg, id);
		if (!le) {
			w->rows_gone[k]++;
			w->newest_row_gone[k] = id;
			continue;
		}
		w->rows[k]++;
		if (id < w->oldest_row_kept[k])
			w->oldest_row_kept[k] = id;
		if (le->transcript_evicted) {
			assert_int_equal(le->n_tx, 0);
			w->tx_gone[k]++;
			w->newest_tx_gone[k] = id;
		} else if (id < w->oldest_tx_kept[k]) {
			w->oldest_tx_kept[k] = id;
		}
	}
}

void evict_assert_step(const struct evict_seen *w, size_t bytes, size_t budget)
{
	/* under the budget, unless all that is left may not be freed */
	assert_true(bytes <= budget || (!w->rows[CLOSED_CLEAN] && !w->rows[CLOSED_FLAGGED] &&
					w->tx_gone[OPEN_CLEAN] == w->rows[OPEN_CLEAN]));
	/* oldest first within each kind */
	for (int k = 0; k < 4; k++) {
		if (w->tx_gone[k] && w->oldest_tx_kept[k] != UINT64_MAX)
			assert_true(w->newest_tx_gone[k] < w->oldest_tx_kept[k]);
		if (w->rows_gone[k] && w->oldest_row_kept[k] != UINT64_MAX)
			assert_true(w->newest_row_gone[k] < w->oldest_row_kept[k]);
	}
	/* a step only after the earlier ones are spent: closed clean
	 * transcripts, closed clean entries, open clean transcripts, closed
	 * flagged transcripts, closed flagged entries */
	if (w->rows_gone[CLOSED_CLEAN])
		assert_int_equal(w->tx_gone[CLOSED_CLEAN], w->rows[CLOSED_CLEAN]);
	if (w->tx_gone[OPEN_CLEAN])
		assert_int_equal(w->rows[CLOSED_CLEAN], 0);
	if (w->tx_gone[CLOSED_FLAGGED]) {
		assert_int_equal(w->rows[CLOSED_CLEAN], 0);
		assert_int_equal(w->tx_gone[OPEN_CLEAN], w->rows[OPEN_CLEAN]);
	}
	if (w->rows_gone[CLOSED_FLAGGED])
		assert_int_equal(w->tx_gone[CLOSED_FLAGGED], w->rows[CLOSED_FLAGGED]);
	/* never: an open entry, an open flagged transcript */
	assert_int_equal(w->rows_gone[OPEN_CLEAN], 0);
	assert_int_equal(w->rows_gone[OPEN_FLAGGED], 0);
	assert_int_equal(w->tx_gone[OPEN_FLAGGED], 0);
}
