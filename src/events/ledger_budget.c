/*
 * ledger_budget.c - the ledger's memory budget: what is freed first when
 * the sessions seen outgrow it (the order is in ledger.h).
 *
 * A whole run's worth of sessions does not fit in a fixed bound (on a
 * 1 GB capture the dashboard once kept about 10.5 KiB per session and
 * reached 155 MB). Each entry sits on the list of its class (open or
 * closed, clean or flagged), oldest first, so a step of the order walks
 * only the sessions it may free, and the count cap finds its victim at a
 * list's head instead of scanning every session.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ledger_priv.h"

/* In seq order: an entry changes class when it closes or is flagged, and
 * goes after the older ones already there (from the tail: usually the
 * newest, so one step). */
void ledger_list_put(struct ledger *lg, struct ledger_entry *le, unsigned cls)
{
	struct ledger_list *l = &lg->cls[cls];
	struct ledger_entry *after = l->tail;
	while (after && after->seq > le->seq)
		after = after->prev;
	le->cls = (uint8_t)cls;
	le->prev = after;
	le->next = after ? after->next : l->head;
	if (le->next)
		le->next->prev = le;
	else
		l->tail = le;
	if (after)
		after->next = le;
	else
		l->head = le;
}

void ledger_list_del(struct ledger *lg, struct ledger_entry *le)
{
	struct ledger_list *l = &lg->cls[le->cls];
	if (le->prev)
		le->prev->next = le->next;
	else
		l->head = le->next;
	if (le->next)
		le->next->prev = le->prev;
	else
		l->tail = le->prev;
	le->prev = le->next = NULL;
}

void ledger_evict_one(struct ledger *lg)
{
	struct ledger_entry *pick = NULL;
	/* a closed session with no finding at all, then any closed clean one
	 * (notices only), then closed flagged, then the oldest open one */
	for (struct ledger_entry *le = lg->cls[LC_CLOSED_CLEAN].head; le && !pick; le = le->next)
		if (!le->n_fx)
			pick = le;
	if (!pick)
		pick = lg->cls[LC_CLOSED_CLEAN].head;
	if (!pick)
		pick = lg->cls[LC_CLOSED_FLAGGED].head;
	if (!pick) {
		struct ledger_entry *a = lg->cls[LC_OPEN_CLEAN].head, *b = lg->cls[LC_OPEN_FLAGGED].head;
		pick = !a ? b : !b ? a : a->seq < b->seq ? a : b;
	}
	if (pick)
		ledger_drop(lg, pick);
}

/* One step of the order: free the transcripts (whole == false) or the
 * whole entries of one class, oldest first, until the ledger is at
 * `target` bytes. */
static void free_step(struct ledger *lg, size_t target, unsigned cls, bool whole,
		      const struct ledger_entry *keep)
{
	struct ledger_entry *le = lg->cls[cls].head;
	while (le && ledger_bytes(lg) > target) {
		struct ledger_entry *next = le->next;
		if (le == keep) {
			le = next;
			continue;
		}
		if (whole) {
			ledger_drop(lg, le);
		} else if (le->n_tx) {
			lg->st.txns_dropped += le->n_tx;
			le->tx_dropped += le->n_tx;
			ledger_transcript_free(lg, le);
			le->transcript_evicted = true; /* an open one adds no more lines */
			lg->st.transcripts_evicted++;
		}
		le = next;
	}
}

bool ledger_make_room_slow(struct ledger *lg, size_t need, const struct ledger_entry *keep)
{
	size_t max = lg->o.bytes_max;
	if (ledger_bytes(lg) + need <= max)
		return true;
	if (lg->budget_dry_at == lg->closes + 1)
		return false; /* nothing closed since the last fruitless scan */
	size_t target = max - max / 8;
	target = target > need ? target - need : 0;
	static const struct { unsigned cls; bool whole; } order[] = {
		{ LC_CLOSED_CLEAN, false },   /* closed clean: transcripts */
		{ LC_CLOSED_CLEAN, true },    /* closed clean: entries */
		{ LC_OPEN_CLEAN, false },     /* open clean: transcripts */
		{ LC_CLOSED_FLAGGED, false }, /* closed flagged: transcripts */
		{ LC_CLOSED_FLAGGED, true },  /* closed flagged: entries */
	};
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		if (order[k].cls == LC_OPEN_CLEAN && lg->o.keep_open_transcripts)
			continue; /* a reader that shows each session's first lines */
		free_step(lg, target, order[k].cls, order[k].whole, keep);
		if (ledger_bytes(lg) <= target)
			return true;
	}
	if (ledger_bytes(lg) + need <= max)
		return true;
	lg->budget_dry_at = lg->closes + 1;
	return false;
}
