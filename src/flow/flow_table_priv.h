/*
 * flow_table_priv.h - private to src/flow: the flow table's state, shared
 * by flow_table.c (the packets, the timers, the ends) and flow_prefetch.c
 * (the run loop's look-ahead, which only reads it).
 */
#ifndef POP3MON_FLOW_TABLE_PRIV_H
#define POP3MON_FLOW_TABLE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "reasm.h"

struct flow_table {
	struct flow **buckets;
	size_t nbuckets;            /* power of two */
	struct flow *lru_head, *lru_tail;
	struct flow_opts o;
	struct flow_cb cb;
	struct reasm reasm;
	struct flow_stats st;
	struct flow_hasher hz;
	uint64_t next_id;
	uint64_t clock;             /* latest time seen: packets, expire() */
	size_t nended;              /* ended flows still kept (flow_table.c, at its head) */
	struct flow *hs_head[3], *hs_tail[3]; /* HS_SYN_WAIT, HS_GREET_WAIT */
	uint64_t hs_due;            /* the earlier head's deadline (UINT64_MAX: none) */
	uint8_t watched[65536 / 8];
};

#endif
