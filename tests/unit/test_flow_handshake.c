/*
 * test_flow_handshake.c - the flow table's connections that never became
 * sessions (src/flow/flow_table.c): a refused attempt and its absorbed
 * retries, a SYN never answered (no_answer, with its retry count and
 * evidence), a server that never greeted (no_greeting), a FIN or RST
 * before the greeting, and ports not watched, which are not judged so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/flow_fx.h"

/* A refused attempt ends at the RST; the SYN's retransmissions (same ISN)
 * and the RSTs to them are absorbed by the ended flow, not new sessions. */
static void test_refused_attempt_absorbs_retries(void **state)
{
	struct fx *x = *state;
	assert_int_equal(c2s(x, 1000, 0, TCP_SYN, NULL), 1);
	assert_int_equal(s2c(x, 0, 1001, TCP_RST | TCP_ACK, NULL), 1);
	assert_int_equal(x->closes, 1);
	assert_int_equal(c2s(x, 1000, 0, TCP_SYN, NULL), 0); /* retransmission */
	assert_int_equal(s2c(x, 0, 1001, TCP_RST | TCP_ACK, NULL), 0);
	assert_int_equal(x->opens, 1);
	flow_table_close_all(x->t, FLOW_END_EOF);
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "close 1 refused\n");
	const struct flow_stats *st = flow_table_stats(x->t);
	assert_int_equal(st->refused, 1);
	assert_int_equal(st->syn_absorbed, 2);
	assert_int_equal(st->active, 0);
}

/* A refused attempt, then a new connection on the same ports (new ISN). */
static void test_refused_then_new_isn(void **state)
{
	struct fx *x = *state;
	c2s(x, 1000, 0, TCP_SYN, NULL);
	s2c(x, 0, 1001, TCP_RST | TCP_ACK, NULL);
	assert_int_equal(c2s(x, 9000, 0, TCP_SYN, NULL), 2);
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "close 1 refused\n"
			    "open 2 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n");
}

/* A SYN sent three times, never answered: no_answer 3 s after the first,
 * with the count kept; later retries are absorbed, not new sessions. */
static void test_no_answer_counts_retries(void **state)
{
	(void)state;
	struct fx *x = fx_timers();
	c2s(x, 1000, 0, TCP_SYN, NULL);            /* t = 1 s */
	x->now = 2 * SEC;
	c2s(x, 1000, 0, TCP_SYN, NULL);
	x->now = 3 * SEC + 500000;
	c2s(x, 1000, 0, TCP_SYN, NULL);
	flow_table_expire(x->t, 3 * SEC + 999999); /* 2.99 s after the first: still waiting */
	assert_int_equal(x->closes, 0);
	flow_table_expire(x->t, 4 * SEC);
	assert_int_equal(x->closes, 1);
	x->now = 8 * SEC;
	assert_int_equal(c2s(x, 1000, 0, TCP_SYN, NULL), 0); /* absorbed */
	/* without an expire() between: the timer fires before the late SYN */
	pk(x, CLI, 50009, SRV, 110, 77, 0, TCP_SYN, NULL);   /* flow 2 at 8 s */
	x->now = 12 * SEC;
	assert_int_equal(pk(x, CLI, 50009, SRV, 110, 77, 0, TCP_SYN, NULL), 0);
	assert_non_null(strstr(x->log, "close 2 no_answer\n"));
	assert_int_equal(x->opens, 2);
	assert_non_null(strstr(x->log, "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
					"close 1 no_answer\n"));
	assert_int_equal(flow_table_stats(x->t)->no_answer, 2);
	assert_int_equal(flow_table_stats(x->t)->syn_absorbed, 2);
	/* a late SYN-ACK is a new flow, not the ended one */
	x->now = 13 * SEC;
	assert_int_equal(s2c(x, 7000, 1001, TCP_SYN | TCP_ACK, NULL), 3);
	fx_free(x);
}

/* The SYN count and frames the close callback sees. */
static struct flow_hs hs_of[4];
static void on_close_hs(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m)
{
	if (f->id < 4)
		hs_of[f->id] = f->hs;
	on_close(ctx, f, why, m);
}

static void test_no_answer_evidence(void **state)
{
	(void)state;
	struct flow_opts o;
	fx_opts(&o);
	o.no_answer_us = 3 * SEC;
	struct fx *x = fx_make(&o, NULL, on_close_hs, NULL);
	c2s(x, 1000, 0, TCP_SYN, NULL);   /* frame 1 */
	x->now = 2 * SEC;
	c2s(x, 1000, 0, TCP_SYN, NULL);   /* frame 2 */
	/* the end of the capture after the window: no_answer, not end_of_capture */
	x->now = 5 * SEC;
	pk(x, CLI, 50001, SRV, 110, 1, 0, TCP_SYN, NULL); /* another flow moves the clock */
	flow_table_close_all(x->t, FLOW_END_EOF);
	assert_non_null(strstr(x->log, "close 1 no_answer\n"));
	/* flow 2's SYN came 0 s before the end: too early to call */
	assert_non_null(strstr(x->log, "close 2 end_of_capture\n"));
	assert_int_equal(hs_of[1].syns, 2);
	assert_int_equal(hs_of[1].syn_frame, 1);
	assert_int_equal(hs_of[1].last_syn_frame, 2);
	assert_int_equal(hs_of[1].syn_ts, 1 * SEC);
	assert_int_equal(hs_of[1].last_syn_ts, 2 * SEC);
	assert_int_equal(hs_of[1].synack_frame, 0);
	fx_free(x);
}

/* Accepted, then silence: no_greeting 10 s after the SYN-ACK. The server
 * greeting in time cancels the timer. */
static void test_no_greeting_timer(void **state)
{
	(void)state;
	struct fx *x = fx_timers();
	c2s(x, 1000, 0, TCP_SYN, NULL);
	s2c(x, 5000, 1001, TCP_SYN | TCP_ACK, NULL);     /* ~1 s */
	c2s(x, 1001, 5001, TCP_ACK, NULL);
	pk(x, CLI, 50001, SRV, 110, 100, 0, TCP_SYN, NULL);
	pk(x, SRV, 110, CLI, 50001, 900, 101, TCP_SYN | TCP_ACK, NULL);
	pk(x, SRV, 110, CLI, 50001, 901, 101, TCP_ACK | TCP_PSH, "+OK\r\n");
	flow_table_expire(x->t, 10 * SEC);
	assert_int_equal(x->closes, 0);
	flow_table_expire(x->t, 11 * SEC + 1000);
	assert_int_equal(x->closes, 1);
	assert_non_null(strstr(x->log, "close 1 no_greeting\n"));
	assert_int_equal(flow_table_stats(x->t)->no_greeting, 1);
	assert_int_equal(flow_table_stats(x->t)->active, 1);
	/* a greeting after we gave up opens a mid-stream flow */
	x->now = 12 * SEC;
	assert_int_equal(s2c(x, 5001, 1001, TCP_ACK | TCP_PSH, "+OK late\r\n"), 3);
	fx_free(x);
}

/* The server closes (FIN) without a greeting; the client resets before one. */
static void test_fin_or_rst_before_greeting(void **state)
{
	struct fx *x = *state;
	c2s(x, 1000, 0, TCP_SYN, NULL);
	s2c(x, 5000, 1001, TCP_SYN | TCP_ACK, NULL);
	c2s(x, 1001, 5001, TCP_ACK, NULL);
	s2c(x, 5001, 1001, TCP_ACK | TCP_FIN, NULL);
	c2s(x, 1001, 5002, TCP_ACK | TCP_FIN, NULL);
	pk(x, CLI, 50001, SRV, 110, 100, 0, TCP_SYN, NULL);
	pk(x, SRV, 110, CLI, 50001, 900, 101, TCP_SYN | TCP_ACK, NULL);
	pk(x, CLI, 50001, SRV, 110, 101, 901, TCP_ACK, "CAPA\r\n");
	pk(x, SRV, 110, CLI, 50001, 901, 107, TCP_RST | TCP_ACK, NULL);
	/* the client closes first, quickly (timers off here): a plain fin */
	pk(x, CLI, 50002, SRV, 110, 100, 0, TCP_SYN, NULL);
	pk(x, SRV, 110, CLI, 50002, 900, 101, TCP_SYN | TCP_ACK, NULL);
	pk(x, CLI, 50002, SRV, 110, 101, 901, TCP_ACK | TCP_FIN, NULL);
	pk(x, SRV, 110, CLI, 50002, 901, 102, TCP_ACK | TCP_FIN, NULL);
	assert_non_null(strstr(x->log, "close 1 no_greeting\n"));
	assert_non_null(strstr(x->log, "close 2 reset_before_greeting\n"));
	assert_non_null(strstr(x->log, "close 3 fin\n"));
	assert_int_equal(flow_table_stats(x->t)->reset_before_greeting, 1);
}

/* A port watched only for content detection (all_ports): its handshake is
 * not judged, a refusal there is a plain rst. */
static void test_unwatched_port_not_judged(void **state)
{
	(void)state;
	struct flow_opts o;
	fx_opts(&o);
	o.no_answer_us = 3 * SEC;
	o.all_ports = true;
	struct fx *x = fx_make(&o, NULL, NULL, NULL);
	assert_int_equal(pk(x, CLI, 40000, SRV, 8080, 1, 0, TCP_SYN, NULL), 1);
	pk(x, CLI, 40001, SRV, 8080, 1, 0, TCP_SYN, NULL);
	pk(x, SRV, 8080, CLI, 40001, 0, 2, TCP_RST | TCP_ACK, NULL);
	flow_table_expire(x->t, 60 * SEC);
	flow_table_close_all(x->t, FLOW_END_EOF);
	assert_non_null(strstr(x->log, "open 1 c=192.0.2.10:40000 s=198.51.100.5:8080 mid=0\n"));
	assert_non_null(strstr(x->log, "close 1 end_of_capture\n"));
	assert_non_null(strstr(x->log, "close 2 rst\n"));
	assert_int_equal(flow_table_stats(x->t)->no_answer, 0);
	assert_int_equal(flow_table_stats(x->t)->not_watched, 3);
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_attempt_absorbs_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_then_new_isn, setup, teardown),
		cmocka_unit_test(test_no_answer_counts_retries),
		cmocka_unit_test(test_no_answer_evidence),
		cmocka_unit_test(test_no_greeting_timer),
		cmocka_unit_test_setup_teardown(test_fin_or_rst_before_greeting, setup, teardown),
		cmocka_unit_test(test_unwatched_port_not_judged),
	};
	return cmocka_run_group_tests_name("flow_handshake", tests, NULL, NULL);
}
