/*
 * from_json_stats.c - the stats record back into struct ev_stats.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "events_in.h"
#include "util.h"
#include "../output/out_common.h"

/* ---- stats ---- */

static bool u64s(struct jc *c, json_t *o, const char *obj, const char *const *keys, uint64_t *const *dst,
		 size_t n, bool need)
{
	json_t *x = jc_member(c, o, obj, need, JSON_OBJECT, "an object");
	if (!x)
		return !need && !json_object_get(o, obj);
	const char *was = c->where;
	c->where = obj;
	for (size_t i = 0; i < n; i++)
		if (!jc_get_u64(c, x, keys[i], dst[i], true))
			return false;
	c->where = was;
	return true;
}

bool parse_stats(struct jc *c, json_t *o, struct jline *l)
{
	struct ev_stats *st = &l->stats;
	c->where = "stats";
	if (!jc_get_bool(c, o, "final", &st->final, true) ||
	    !jc_get_text(c, o, "source", l->source, sizeof l->source, false, &l->has_source) ||
	    !jc_get_time(c, o, "wall_time", &st->wall_us, false) ||
	    !jc_get_time(c, o, "first_frame_time", &st->first_ts_us, false) ||
	    !jc_get_u64(c, o, "accounts_evicted", &st->accounts_evicted, true))
		return false;
	st->ts_us = l->ts_us;
	json_t *cap = jc_member(c, o, "capture", true, JSON_OBJECT, "an object");
	if (!cap)
		return false;
	c->where = "stats.capture";
	if (!jc_get_u64(c, cap, "frames", &st->frames, true) || !jc_get_u64(c, cap, "bytes", &st->bytes, true) ||
	    !jc_get_u64(c, cap, "received", &st->src.received, true))
		return false;
	st->src.have_kernel_stats = json_object_get(cap, "kernel_drops") != NULL;
	if (st->src.have_kernel_stats && (!jc_get_u64(c, cap, "kernel_drops", &st->src.kernel_drops, true) ||
					  !jc_get_u64(c, cap, "iface_drops", &st->src.iface_drops, true)))
		return false;
	c->where = "stats";
	const char *dk[DEC__COUNT];
	uint64_t *dv[DEC__COUNT];
	for (int i = 0; i < DEC__COUNT; i++) {
		dk[i] = decode_reason_name((enum decode_reason)i);
		dv[i] = &st->dec.count[i];
	}
	static const char *const fk[] = { "created", "closed", "active", "peak_active", "evicted",
					  "timed_out", "not_watched", "ignored_no_flow", "refused",
					  "no_answer", "no_greeting", "reset_before_greeting",
					  "syn_absorbed" };
	struct flow_stats *fs = &st->flows;
	uint64_t *fv[] = { &fs->created, &fs->closed, &fs->active, &fs->peak_active, &fs->evicted,
			   &fs->timed_out, &fs->not_watched, &fs->ignored_no_flow, &fs->refused,
			   &fs->no_answer, &fs->no_greeting, &fs->reset_before_greeting,
			   &fs->syn_absorbed };
	_Static_assert(sizeof *fs == sizeof fv, "every flow counter is read");
	static const char *const rk[] = { "segments", "delivered_bytes", "ooo_segments", "retrans_bytes",
					  "overlap_conflicts", "gaps", "gap_bytes", "flow_cap_hits",
					  "total_cap_hits", "buffered_bytes", "buffered_peak", "dropped_far" };
	struct reasm_stats *ra = &st->reasm;
	uint64_t *rv[] = { &ra->segments, &ra->delivered_bytes, &ra->ooo_segments, &ra->retrans_bytes,
			   &ra->overlap_conflicts, &ra->gaps, &ra->gap_bytes, &ra->flow_cap_hits,
			   &ra->total_cap_hits, &ra->buffered_bytes, &ra->buffered_peak, &ra->dropped_far };
	static const char *const sk[] = { "total", "active", "flagged", "not_pop3", "other_tcp_flows" };
	uint64_t *sv[] = { &st->sessions_total, &st->sessions_active, &st->sessions_flagged,
			   &st->sessions_not_pop3, &st->other_flows };
	static const char *const ek[] = { "error", "warning", "notice" };
	uint64_t *ev[] = { &st->findings[SEV_ERROR], &st->findings[SEV_WARNING], &st->findings[SEV_NOTICE] };
	static const char *const pk[] = { "garbage_lines", "long_lines", "unsolicited", "unanswered",
					  "pending_dropped", "resyncs", "bare_lf" };
	uint64_t *pv[] = { &st->pop3_garbage_lines, &st->pop3_long_lines, &st->pop3_unsolicited,
			   &st->pop3_unanswered, &st->pop3_pending_dropped, &st->pop3_resyncs,
			   &st->pop3_bare_lf };
	if (!u64s(c, o, "decoder", dk, dv, DEC__COUNT, true) || !u64s(c, o, "flow", fk, fv, ARRAY_LEN(fk), true) ||
	    !u64s(c, o, "tcp_reassembly", rk, rv, ARRAY_LEN(rk), true) ||
	    !u64s(c, o, "sessions", sk, sv, ARRAY_LEN(sk), true) ||
	    !u64s(c, o, "findings", ek, ev, ARRAY_LEN(ek), true) || !u64s(c, o, "pop3", pk, pv, ARRAY_LEN(pk), true))
		return false;
	const char *key;
	json_t *val;
	json_t *ports = jc_member(c, o, "other_tcp_ports", false, JSON_OBJECT, "an object");
	if (!ports && json_object_get(o, "other_tcp_ports"))
		return false;
	size_t np = 0;
	json_object_foreach(ports, key, val) {
		char *end;
		unsigned long port = strtoul(key, &end, 10);
		if (np == ARRAY_LEN(st->other_ports) || *end || end == key || port > 65535 ||
		    !json_is_integer(val) || json_integer_value(val) <= 0)
			return jc_bad(c, "\"other_tcp_ports\": a bad port or count");
		st->other_ports[np].port = (uint16_t)port;
		st->other_ports[np++].flows = (uint64_t)json_integer_value(val);
	}
	json_t *pub = jc_member(c, o, "publish", false, JSON_OBJECT, "an object");
	if (pub) {
		struct publish_stats *ps = &st->publish;
		static const char *const pk2[] = { "events", "sent", "dropped", "rejected", "reconnects",
						   "buffered_bytes" };
		uint64_t *pv2[] = { &ps->events, &ps->sent, &ps->dropped, &ps->rejected, &ps->reconnects,
				    &ps->buffered_bytes };
		ps->enabled = true;
		c->where = "stats.publish";
		if (!jc_get_bool(c, pub, "connected", &ps->connected, true))
			return false;
		for (size_t i = 0; i < ARRAY_LEN(pk2); i++)
			if (!jc_get_u64(c, pub, pk2[i], pv2[i], true))
				return false;
		c->where = "stats";
	} else if (json_object_get(o, "publish"))
		return false;
	json_t *rules = jc_member(c, o, "rules", true, JSON_OBJECT, "an object");
	if (!rules)
		return false;
	json_object_foreach(rules, key, val) {
		int id = rule_lookup(key);
		if (id < 0 || !json_is_integer(val) || json_integer_value(val) < 0)
			return jc_bad(c, "\"rules\": an unknown rule or a bad count");
		st->rule_counts[id] = (uint64_t)json_integer_value(val);
	}
	return true;
}

