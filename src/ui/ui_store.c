/*
 * ui_store.c - the dashboard's session store under a byte budget: what is
 * freed first when the sessions seen outgrow it (see ui_store.h).
 *
 * A whole run's worth of sessions does not fit in a fixed memory bound:
 * on a 1 GB capture the dashboard once kept about 10.5 KiB per session
 * and reached 155 MB. The budget counts what the store holds; clean
 * sessions' transcripts go first, flagged sessions stay longest, and the
 * model's counters are never lowered, so the header and the servers view
 * stay true while the list holds only part of what was seen.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_store.h"

void ui_store_txn_free(struct ui_txn *t)
{
	free(t->args);
	free(t->text);
	free(t->entries);
	free(t->uids);
}

static void transcript_free(struct ui_model *m, struct ui_session *s)
{
	for (size_t i = 0; i < s->n_tx; i++) {
		m->mem -= s->tx[i].mem;
		s->mem -= s->tx[i].mem;
		ui_store_txn_free(&s->tx[i]);
	}
	m->mem -= s->cap_tx * sizeof(*s->tx);
	s->mem -= s->cap_tx * sizeof(*s->tx);
	free(s->tx);
	s->tx = NULL;
	s->n_tx = s->cap_tx = 0;
}

void ui_store_session_free(struct ui_model *m, struct ui_session *s)
{
	transcript_free(m, s);
	m->mem -= s->cap_fx * sizeof(struct ui_finding);
	free(s->fx);
	free(s);
}

size_t ui_model_store_bytes(const struct ui_model *m)
{
	return m->mem + m->n * sizeof(struct ui_session);
}

/* Drop the session at index i from the list, counting why. */
static void evict_at(struct ui_model *m, size_t i)
{
	struct ui_session *s = m->s[i];
	m->drops.sessions_evicted++;
	if (s->flagged)
		m->drops.sessions_evicted_flagged++;
	if (!s->closed) {
		m->drops.sessions_evicted_open++;
		if (m->sessions_active)
			m->sessions_active--;
		if (s->server && s->server->active)
			s->server->active--;
	}
	if (s->id > m->max_evicted_id)
		m->max_evicted_id = s->id;
	memmove(&m->s[i], &m->s[i + 1], (m->n - i - 1) * sizeof(*m->s));
	m->n--;
	ui_store_session_free(m, s);
}

void ui_store_evict_one(struct ui_model *m)
{
	size_t pick = SIZE_MAX, closed_any = SIZE_MAX, closed_unflagged = SIZE_MAX;
	for (size_t i = 0; i < m->n; i++) {
		const struct ui_session *s = m->s[i];
		if (!s->closed)
			continue;
		if (!s->flagged && !s->n_fx) {
			pick = i;
			break;
		}
		if (!s->flagged && closed_unflagged == SIZE_MAX)
			closed_unflagged = i;
		if (closed_any == SIZE_MAX)
			closed_any = i;
	}
	if (pick == SIZE_MAX)
		pick = closed_unflagged != SIZE_MAX ? closed_unflagged : closed_any != SIZE_MAX ? closed_any : 0;
	evict_at(m, pick);
}

/* One step of the order: free the transcripts (whole == false) or the
 * whole rows of the sessions that are open or closed, flagged or not,
 * oldest first, until the store is at `target` bytes. */
static void free_step(struct ui_model *m, size_t target, bool open, bool flagged, bool whole,
		      const struct ui_session *keep)
{
	for (size_t i = 0; i < m->n && ui_model_store_bytes(m) > target;) {
		struct ui_session *s = m->s[i];
		if (s == keep || s->closed == open || s->flagged != flagged) {
			i++;
			continue;
		}
		if (whole) {
			evict_at(m, i); /* the next one moved to i */
			continue;
		}
		if (s->n_tx) {
			m->drops.txns_dropped += s->n_tx;
			s->tx_dropped += s->n_tx;
			transcript_free(m, s);
			s->transcript_evicted = true; /* an open one adds no more lines */
			m->drops.transcripts_evicted++;
		}
		i++;
	}
}

bool ui_store_make_room(struct ui_model *m, size_t need, const struct ui_session *keep)
{
	size_t max = m->o.store_bytes_max;
	if (ui_model_store_bytes(m) + need <= max)
		return true;
	if (m->budget_dry_at == m->closes + 1)
		return false; /* nothing closed since the last fruitless scan */
	size_t target = max - max / 8;
	target = target > need ? target - need : 0;
	static const struct { bool open, flagged, whole; } order[] = {
		{ false, false, false }, /* closed clean: transcripts */
		{ false, false, true },  /* closed clean: rows */
		{ true, false, false },  /* open clean: transcripts */
		{ false, true, false },  /* closed flagged: transcripts */
		{ false, true, true },   /* closed flagged: rows */
	};
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		free_step(m, target, order[k].open, order[k].flagged, order[k].whole, keep);
		if (ui_model_store_bytes(m) <= target)
			return true;
	}
	if (ui_model_store_bytes(m) + need <= max)
		return true;
	m->budget_dry_at = m->closes + 1;
	return false;
}

/* 19123 -> "19,123" */
static void thousands(char *buf, size_t n, uint64_t v)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t o = 0;
	for (int i = 0; i < len && o + 1 < n; i++) {
		if (i && (len - i) % 3 == 0 && o + 2 < n)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void ui_model_held_text(const struct ui_model *m, char *buf, size_t n)
{
	if (!n)
		return;
	buf[0] = '\0';
	if (!m->drops.sessions_evicted)
		return;
	char held[32], seen[32], clean[32], fl[32];
	uint64_t fdrop = m->drops.sessions_evicted_flagged;
	thousands(held, sizeof(held), m->n);
	thousands(seen, sizeof(seen), ui_model_total(m));
	thousands(clean, sizeof(clean), m->drops.sessions_evicted - fdrop);
	thousands(fl, sizeof(fl), fdrop);
	snprintf(buf, n, "%s of %s sessions held; %s clean one%s dropped%s%s%s", held, seen, clean,
		 m->drops.sessions_evicted - fdrop == 1 ? "" : "s", fdrop ? ", " : "", fdrop ? fl : "",
		 fdrop ? (fdrop == 1 ? " flagged one too" : " flagged ones too") : "");
}
