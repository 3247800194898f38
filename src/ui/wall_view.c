/*
 * wall_view.c - the wall's view model: tile states (wall_state.c) kept per
 * server and ordered worst first, and the findings grouped by server and
 * rule, errors and warnings above notices, newest first. No terminal here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_view.h"
#include "util.h"
#include "wall_view.h"

void wall_tracks_fini(struct wall_tracks *w)
{
	free(w->t);
	w->t = NULL;
	w->n = 0;
}

void wall_tracks_update(struct wall_tracks *w, const struct ui_model *m, uint64_t now,
			const struct wall_thresholds *th)
{
	if (w->n < m->n_srv) {
		w->t = xrealloc(w->t, m->n_srv * sizeof(*w->t));
		memset(w->t + w->n, 0, (m->n_srv - w->n) * sizeof(*w->t));
		w->n = m->n_srv;
	}
	for (size_t i = 0; i < m->n_srv; i++) {
		struct wall_input in;
		wall_input_from(&in, m->srv[i], now, th);
		wall_state_update(&w->t[i], &in, now, th);
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int tile_cmp(const void *pa, const void *pb)
{
	const struct wall_tile *a = pa, *b = pb;
	int c = cmp_u64(b->t->state, a->t->state);
	if (!c)
		c = cmp_u64(a->t->acked, b->t->acked);
	if (!c)
		c = cmp_u64(b->t->last_problem, a->t->last_problem);
	if (!c)
		c = strcmp(a->srv->addr, b->srv->addr);
	return c ? c : cmp_u64(a->srv->port, b->srv->port);
}

size_t wall_tiles(const struct ui_model *m, const struct wall_tracks *w, struct wall_tile *out, size_t max)
{
	size_t n = m->n_srv < w->n ? m->n_srv : w->n;
	struct wall_tile *all = xcalloc(n ? n : 1, sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		all[i].idx = i;
		all[i].srv = m->srv[i];
		all[i].t = &w->t[i];
	}
	qsort(all, n, sizeof(*all), tile_cmp);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

/* ---- findings grouped ---------------------------------------------------------- */

static int group_cmp(const void *pa, const void *pb)
{
	const struct wall_group *a = pa, *b = pb;
	int ca = a->sev >= SEV_WARNING, cb = b->sev >= SEV_WARNING;
	int c = cb - ca;
	if (!c)
		c = cmp_u64(b->seen.last_ts, a->seen.last_ts);
	if (!c)
		c = cmp_u64(b->sev, a->sev);
	if (!c)
		c = cmp_u64(b->seen.n, a->seen.n);
	if (!c)
		c = strcmp(a->srv->name, b->srv->name);
	return c ? c : cmp_u64(a->rule, b->rule);
}

size_t wall_groups(const struct ui_model *m, struct wall_group *out, size_t max, size_t *total)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_srv; i++)
		for (int r = 0; r < R__COUNT; r++)
			n += m->srv[i]->rule[r].n != 0;
	struct wall_group *all = xcalloc(n ? n : 1, sizeof(*all));
	size_t k = 0;
	for (size_t i = 0; i < m->n_srv; i++)
		for (int r = 0; r < R__COUNT; r++) {
			const struct ui_seen *s = &m->srv[i]->rule[r];
			if (!s->n)
				continue;
			all[k].srv = m->srv[i];
			all[k].rule = (enum rule_id)r;
			all[k].sev = rule_severity((enum rule_id)r);
			all[k].seen = *s;
			k++;
		}
	qsort(all, n, sizeof(*all), group_cmp);
	if (total)
		*total = n;
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

char *wall_group_text(const struct wall_group *g, bool utf8, char *buf, size_t n)
{
	char t1[16], t2[16], cnt[32] = "";
	if (g->seen.n > 1)
		snprintf(cnt, sizeof(cnt), " %s%llu", utf8 ? "\xc3\x97" : "x", (unsigned long long)g->seen.n);
	ui_fmt_hms(t1, sizeof(t1), g->seen.first_ts);
	ui_fmt_hms(t2, sizeof(t2), g->seen.last_ts);
	if (g->seen.n > 1 && strcmp(t1, t2))
		snprintf(buf, n, "%s %s%s, %s%s%s", g->srv->name, rule_name(g->rule), cnt, t1,
			 utf8 ? "\xe2\x80\x93" : "-", t2);
	else
		snprintf(buf, n, "%s %s%s, %s", g->srv->name, rule_name(g->rule), cnt, t2);
	return buf;
}

const struct ui_recent *wall_group_latest(const struct ui_model *m, const struct wall_group *g)
{
	const struct ui_recent *r;
	for (size_t i = 0; (r = ui_model_recent(m, i)); i++)
		if (r->rule == g->rule && r->sport == g->srv->port && !strcmp(r->srv, g->srv->addr))
			return r;
	return NULL;
}

void wall_spark_levels(const uint32_t *vals, size_t n, unsigned *out)
{
	uint32_t mx = 0;
	for (size_t i = 0; i < n; i++)
		if (vals[i] > mx)
			mx = vals[i];
	for (size_t i = 0; i < n; i++) {
		if (!vals[i] || !mx) {
			out[i] = 0;
			continue;
		}
		unsigned l = (unsigned)(((uint64_t)vals[i] * 8 + mx - 1) / mx);
		out[i] = l < 1 ? 1 : l > 8 ? 8 : l;
	}
}
