/*
 * ui_store.h - the dashboard's session store under a byte budget
 * (ui_store.c), for ui_model.c only.
 *
 * The store is every kept session's struct, transcript and findings;
 * ui_model_store_bytes() is what it holds. When a new session or line would
 * take it past ui_model_opts.store_bytes_max, room is made in this order,
 * the oldest first within each step, down to 7/8 of the budget so a scan
 * serves many arrivals:
 *   1. the transcripts of closed clean sessions (the row stays);
 *   2. closed clean sessions, whole;
 *   3. the transcripts of open clean sessions (they add no more lines;
 *      a finding keeps its own evidence lines);
 *   4. the transcripts of closed flagged sessions;
 *   5. closed flagged sessions, whole.
 * Open sessions' rows and open flagged sessions' transcripts are never
 * touched by the budget (the sessions_max count cap still applies).
 * Counts (sessions, flagged, findings, per server and account) are kept
 * on the model and never lowered.
 */
#ifndef POP3MON_UI_STORE_H
#define POP3MON_UI_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "ui_model.h"

void ui_store_txn_free(struct ui_txn *t);
void ui_store_session_free(struct ui_model *m, struct ui_session *s);
/* Make room for `need` more bytes, never at `keep`'s expense. False when
 * nothing more can be freed: the caller drops what it wanted to add. */
bool ui_store_make_room(struct ui_model *m, size_t need, const struct ui_session *keep);
/* The sessions_max count cap: drop one session (the oldest closed clean
 * one, else the oldest closed one, else the oldest). */
void ui_store_evict_one(struct ui_model *m);

#endif
