/*
 * stats_keys.c - the table of the `stats` record's keys, made from
 * include/stats.def, and the merge of two inputs' statistics that walks
 * it. The table is the one place that knows where each counter lives in
 * struct ev_stats; the JSON writer, the --from reader and the report find
 * their counters through it.
 */
#include <string.h>

#include "stats.h"
#include "util.h"

#define STATS_REPORT_(rank_, label_, why_) .rank = (rank_), .label = (label_), .why = (why_)
#define STAT(o, path, k, name, w, rep, d)                                                       \
	{ .obj = (o), .key = (name), .kind = (k), .when = (w), .off = offsetof(struct ev_stats, path), \
	  STATS_REPORT_ rep, .desc = (d) },
const struct stats_key stats_keys[] = {
#include "stats.def"
};
#undef STAT
const size_t stats_keys_n = ARRAY_LEN(stats_keys);

bool stats_when(const struct ev_stats *st, enum stats_when w)
{
	switch (w) {
	case STATS_ALWAYS:
		return true;
	case STATS_LIVE:
		return st->src.have_kernel_stats;
	case STATS_PUBLISH:
		return st->publish.enabled;
	case STATS_OTHER:
		return st->other_flows > 0;
	case STATS_LEDGER:
		return st->ledger.enabled;
	}
	return false;
}

/* The busiest ports of both: the sum for a port in both, the busiest kept. */
static void add_ports(struct ev_stats *a, const struct ev_stats *b)
{
	for (size_t i = 0; i < ARRAY_LEN(b->other_ports) && b->other_ports[i].flows; i++) {
		size_t k = 0, n = ARRAY_LEN(a->other_ports);
		while (k < n && a->other_ports[k].flows && a->other_ports[k].port != b->other_ports[i].port)
			k++;
		if (k < n && a->other_ports[k].flows) {
			a->other_ports[k].flows += b->other_ports[i].flows;
		} else {
			if (k == n)
				k = n - 1; /* full: the last (least busy) gives way if smaller */
			if (!a->other_ports[k].flows || a->other_ports[k].flows < b->other_ports[i].flows)
				a->other_ports[k] = b->other_ports[i];
		}
		for (; k > 0 && a->other_ports[k].flows > a->other_ports[k - 1].flows; k--) {
			__typeof__(a->other_ports[0]) t = a->other_ports[k];
			a->other_ports[k] = a->other_ports[k - 1];
			a->other_ports[k - 1] = t;
		}
	}
}

void stats_add(struct ev_stats *a, const struct ev_stats *b)
{
	if (b->ts_us > a->ts_us)
		a->ts_us = b->ts_us;
	if (b->wall_us > a->wall_us)
		a->wall_us = b->wall_us;
	if (b->first_ts_us && (!a->first_ts_us || b->first_ts_us < a->first_ts_us))
		a->first_ts_us = b->first_ts_us;
	a->src.have_kernel_stats |= b->src.have_kernel_stats;
	for (size_t i = 0; i < stats_keys_n; i++) {
		const struct stats_key *k = &stats_keys[i];
		if (k->when == STATS_PUBLISH || k->when == STATS_LEDGER)
			continue; /* each process's own publisher and dashboard */
		switch (k->kind) {
		case STATS_U64:
			*stats_u64(a, k) += stats_u64_of(b, k);
			break;
		case STATS_BOOL:
			break; /* publish.connected only, skipped above */
		case STATS_DECODER:
			for (int r = 0; r < DEC__COUNT; r++)
				a->dec.count[r] += b->dec.count[r];
			break;
		case STATS_PORTS:
			add_ports(a, b);
			break;
		case STATS_RULES:
			for (int r = 0; r < R__COUNT; r++)
				a->rule_counts[r] += b->rule_counts[r];
			break;
		}
	}
}
