/*
 * from_json_stats.c - the stats record back into struct ev_stats, key by
 * key through the table of include/stats.def (include/stats.h), so a
 * counter the writer writes is one the reader reads.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "events_in.h"
#include "stats.h"
#include "util.h"

/* ---- stats ---- */

static bool read_ports(struct jc *c, json_t *x, struct ev_stats *st)
{
	const char *key;
	json_t *val;
	size_t np = 0;
	json_object_foreach(x, key, val) {
		char *end;
		unsigned long port = strtoul(key, &end, 10);
		if (np == ARRAY_LEN(st->other_ports) || *end || end == key || port > 65535 ||
		    !json_is_integer(val) || json_integer_value(val) <= 0)
			return jc_bad(c, "a bad port or count");
		st->other_ports[np].port = (uint16_t)port;
		st->other_ports[np++].flows = (uint64_t)json_integer_value(val);
	}
	return true;
}

static bool read_rules(struct jc *c, json_t *x, struct ev_stats *st)
{
	const char *key;
	json_t *val;
	json_object_foreach(x, key, val) {
		int id = rule_lookup(key);
		if (id < 0 || !json_is_integer(val) || json_integer_value(val) < 0)
			return jc_bad(c, "an unknown rule or a bad count");
		st->rule_counts[id] = (uint64_t)json_integer_value(val);
	}
	return true;
}

/* One key of the table from x, its object (NULL: absent). */
static bool read_key(struct jc *c, json_t *x, const struct stats_key *k, struct ev_stats *st)
{
	switch (k->kind) {
	case STATS_U64:
		return jc_get_u64(c, x, k->key, stats_u64(st, k), true);
	case STATS_BOOL:
		return jc_get_bool(c, x, k->key, stats_bool(st, k), true);
	case STATS_DECODER:
		for (int r = 0; r < DEC__COUNT; r++)
			if (!jc_get_u64(c, x, decode_reason_name((enum decode_reason)r), &st->dec.count[r], true))
				return false;
		return true;
	case STATS_PORTS:
		return read_ports(c, x, st);
	case STATS_RULES:
		return read_rules(c, x, st);
	}
	return false;
}

bool parse_stats(struct jc *c, json_t *o, struct jline *l)
{
	struct ev_stats *st = &l->stats;
	c->where = "stats";
	if (!jc_get_bool(c, o, "final", &st->final, true) ||
	    !jc_get_text(c, o, "source", l->source, sizeof l->source, false, &l->has_source) ||
	    !jc_get_time(c, o, "wall_time", &st->wall_us, false) ||
	    !jc_get_time(c, o, "first_frame_time", &st->first_ts_us, false))
		return false;
	st->ts_us = l->ts_us;
	/* Objects are looked up as the table reaches them; an object written
	 * only on a condition may be absent, and its presence is the
	 * condition (publish.enabled, ledger.enabled); STATS_LIVE keys say theirs
	 * (src.have_kernel_stats) by the first one's presence. */
	const char *in = NULL; /* the object x is, "" for "stats" itself */
	json_t *x = NULL;
	char where[48];
	bool live_known = false;
	for (size_t i = 0; i < stats_keys_n; i++) {
		const struct stats_key *k = &stats_keys[i];
		if (!in || strcmp(in, k->obj)) {
			in = k->obj;
			c->where = "stats";
			x = o;
			if (*in) {
				bool need = k->when != STATS_PUBLISH && k->when != STATS_OTHER &&
					    k->when != STATS_LEDGER;
				x = jc_member(c, o, in, need, JSON_OBJECT, "an object");
				if (!x && (need || json_object_get(o, in)))
					return false;
				snprintf(where, sizeof where, "stats.%s", in);
				c->where = where;
			}
			if (k->when == STATS_PUBLISH)
				st->publish.enabled = x != NULL;
			if (k->when == STATS_LEDGER)
				st->ledger.enabled = x != NULL;
		}
		if (k->when == STATS_LIVE && !live_known) {
			st->src.have_kernel_stats = json_object_get(x, k->key) != NULL;
			live_known = true;
		}
		if (!x || !stats_when(st, k->when))
			continue;
		if (!read_key(c, x, k, st)) {
			c->where = "stats"; /* not the buffer here */
			return false;
		}
	}
	c->where = "stats";
	return true;
}
