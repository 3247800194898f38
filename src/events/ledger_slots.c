/*
 * ledger_slots.c - readers' slots in the session ledger's entries
 * (ledger.h): a reader that keeps data of its own per session keeps it
 * here instead of in a map of its own, and is told when an entry goes.
 * A slot that pins its entry keeps it on LC_PINNED while open, out of the
 * count cap's reach (ledger_priv.h).
 */
#include <stdint.h>

#include "ledger_priv.h"

/* Each reader lets go of what it keeps in the entry. */
void ledger_slots_gone(struct ledger *lg, struct ledger_entry *le)
{
	for (int r = 0; r < LEDGER_READERS_MAX; r++)
		if (le->slot[r]) {
			void *v = le->slot[r];
			le->slot[r] = NULL;
			if (lg->rd[r].gone)
				lg->rd[r].gone(lg->rd[r].ctx, v);
		}
	le->pinned = 0;
}

int ledger_reader_add(struct ledger *lg, ledger_slot_gone_fn gone, void *ctx)
{
	for (int r = 0; r < LEDGER_READERS_MAX; r++)
		if (!lg->rd[r].gone) {
			lg->rd[r] = (struct ledger_reader){ gone, ctx };
			lg->has_readers = true;
			return r;
		}
	return -1;
}

void ledger_reader_end(struct ledger *lg, int reader)
{
	if (reader < 0 || reader >= LEDGER_READERS_MAX || !lg->rd[reader].gone)
		return;
	for (size_t i = 0; i < lg->cap; i++) {
		struct ledger_entry *le = lg->slot[i];
		if (le && le->slot[reader]) {
			void *v = le->slot[reader];
			le->slot[reader] = NULL;
			le->pinned &= (uint8_t)~(1u << reader);
			ledger_reclass(lg, le);
			lg->rd[reader].gone(lg->rd[reader].ctx, v);
		}
	}
	lg->rd[reader] = (struct ledger_reader){ NULL, NULL };
}

const struct ledger_entry *ledger_current(const struct ledger *lg)
{
	return lg->cur;
}

const struct ledger_entry *ledger_make(struct ledger *lg, const struct ev_session *s)
{
	struct ledger_entry *le = lg->slot[ledger_id_at(lg, s->id)];
	if (le)
		return le;
	le = ledger_entry_new(lg, s, EV_TXN); /* refused as a late event of a dropped session would be */
	if (le)
		le->quiet = lg->o.lazy_entries; /* the session said nothing yet */
	return le;
}

void ledger_set_slot(struct ledger *lg, const struct ledger_entry *cle, int reader, void *v, bool pin)
{
	/* the reader's own entry, from this ledger: not const to the ledger */
	struct ledger_entry *le = (struct ledger_entry *)(uintptr_t)cle;
	le->slot[reader] = v;
	uint8_t bit = (uint8_t)(1u << reader);
	uint8_t pinned = pin && v ? le->pinned | bit : le->pinned & (uint8_t)~bit;
	if (pinned != le->pinned) {
		le->pinned = pinned;
		ledger_reclass(lg, le);
	}
}

