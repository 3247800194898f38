/*
 * test_flow_prefetch.c - flow_table_prefetch_* (src/flow/flow_prefetch.c),
 * the run loop's look-ahead: for a packet of a known flow, the last step
 * hands the layer above that flow's own state, wherever it sits in its
 * bucket's chain; for a packet of no flow, of a closed flow, or before the
 * flow exists, nothing. The table itself is never changed by it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "flow.h"
#include "helpers/pkt.h"

#define NFLOWS 3000 /* past the 1,024 first buckets: the table grows, chains form */

struct fx {
	struct flow_table *t;
	struct flow_hasher hz;
	int users[NFLOWS + 1];       /* flow id -> its marker, what f->user points at */
	const void *seen;            /* the last user handed up */
	int calls;
};

static void on_open(void *ctx, struct flow *f)
{
	struct fx *x = ctx;
	assert_true(f->id <= NFLOWS);
	f->user = &x->users[f->id];
}

static void on_close(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m)
{
	(void)ctx;
	(void)f;
	(void)why;
	(void)m;
}

static void on_data(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
		    const struct seg_meta *m)
{
	(void)ctx;
	(void)f;
	(void)dir;
	(void)p;
	(void)n;
	(void)m;
}

static void on_gap(void *ctx, struct flow *f, int dir, uint64_t len, const struct seg_meta *m)
{
	(void)ctx;
	(void)f;
	(void)dir;
	(void)len;
	(void)m;
}

static void on_prefetch(void *ctx, const void *user)
{
	struct fx *x = ctx;
	x->seen = user;
	x->calls++;
}

static const uint16_t ports110[] = { 110 };

static void client_addr(char *buf, size_t n, int i)
{
	snprintf(buf, n, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
}

/* The SYN of client i (10.x.y.z:40000+i%20000 to 192.0.2.1:110), hashed as
 * the reader thread hashes it. */
static void syn_of(struct fx *x, int i, struct packet *p, struct flow_hash *fh)
{
	char a[32];
	client_addr(a, sizeof a, i);
	pkt_packet(p, 4, a, (uint16_t)(40000 + i % 20000), "192.0.2.1", 110, 1000, 0, TCP_SYN,
		   NULL, 0);
	flow_hasher_hash(&x->hz, p, fh);
}

/* All the steps for a packet hashed as fh, in the run loop's order. */
static void prefetch_all(struct fx *x, const struct flow_hash *fh)
{
	x->seen = NULL;
	x->calls = 0;
	flow_table_prefetch_bucket(x->t, fh);
	flow_table_prefetch_flow(x->t, fh);
	flow_table_prefetch_links(x->t, fh, true);
	flow_table_prefetch_user(x->t, fh);
}

static void test_prefetch_finds_each_flow(void **state)
{
	(void)state;
	struct fx *x = calloc(1, sizeof *x);
	assert_non_null(x);
	flow_hasher_init(&x->hz);
	struct flow_opts o = { .max_flows = 2 * NFLOWS, .idle_timeout_us = 600000000ull,
			       .reasm = { REASM_PER_DIR_DEFAULT, REASM_TOTAL_DEFAULT },
			       .ports = ports110, .nports = 1, .hasher = &x->hz };
	struct flow_cb cb = { on_open, on_close, on_data, on_gap, x, on_prefetch };
	x->t = flow_table_new(&o, &cb);

	struct packet p;
	struct flow_hash fh;
	/* before its flow exists: the bucket may hold others, none is it */
	syn_of(x, 1, &p, &fh);
	prefetch_all(x, &fh);
	assert_int_equal(x->calls, 0);

	for (int i = 1; i <= NFLOWS; i++) {
		syn_of(x, i, &p, &fh);
		struct seg_meta m = { .frame = (uint64_t)i, .ts_us = 1000000u + (uint64_t)i };
		assert_int_equal(flow_table_packet_hashed(x->t, &p, &m, &fh), i);
	}
	for (int i = 1; i <= NFLOWS; i++) {
		syn_of(x, i, &p, &fh);
		prefetch_all(x, &fh);
		assert_int_equal(x->calls, 1);
		assert_ptr_equal(x->seen, &x->users[i]);
	}
	/* a packet of no flow: nothing handed up */
	syn_of(x, NFLOWS + 7, &p, &fh);
	prefetch_all(x, &fh);
	assert_int_equal(x->calls, 0);
	/* the table is as it was: every flow still found, no flow made */
	assert_int_equal(flow_table_stats(x->t)->created, NFLOWS);
	assert_int_equal(flow_table_stats(x->t)->active, NFLOWS);

	/* closed (an RST from the server ends it at once): gone from the table */
	char a[32];
	client_addr(a, sizeof a, 5);
	pkt_packet(&p, 4, "192.0.2.1", 110, a, 40005, 7000, 1001, TCP_RST | TCP_ACK, NULL, 0);
	flow_hasher_hash(&x->hz, &p, &fh);
	struct seg_meta m = { .frame = NFLOWS + 1, .ts_us = 2000000u };
	flow_table_packet_hashed(x->t, &p, &m, &fh);
	assert_int_equal(flow_table_stats(x->t)->active, NFLOWS - 1);
	syn_of(x, 5, &p, &fh);
	prefetch_all(x, &fh);
	assert_true(x->seen != &x->users[5]);

	flow_table_free(x->t);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefetch_finds_each_flow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
