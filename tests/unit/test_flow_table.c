/*
 * test_flow_table.c - the flow table (src/flow/flow_table.c): roles,
 * creation rules, LRU eviction, idle expiry, FIN/RST ends, port reuse,
 * tunnels, flows whose bytes nobody reads. The connections that never
 * became sessions are test_flow_handshake.c's; the recording fixture is
 * helpers/flow_fx.h.
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

#include "helpers/flow_fx.h"

static void test_syn_first_roles(void **state)
{
	struct fx *x = *state;
	assert_int_equal(c2s(x, 1000, 0, TCP_SYN, NULL), 1);
	assert_int_equal(s2c(x, 5000, 1001, TCP_SYN | TCP_ACK, NULL), 1);
	assert_int_equal(c2s(x, 1001, 5001, TCP_ACK, NULL), 1);
	assert_int_equal(s2c(x, 5001, 1001, TCP_ACK | TCP_PSH, "+OK hi\r\n"), 1);
	assert_int_equal(c2s(x, 1001, 5009, TCP_ACK | TCP_PSH, "CAPA\r\n"), 1);
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "data 1 s2c +OK hi\\r\\n\n"
			    "data 1 c2s CAPA\\r\\n\n");
	const struct flow_stats *st = flow_table_stats(x->t);
	assert_int_equal(st->created, 1);
	assert_int_equal(st->active, 1);
	assert_int_equal(st->peak_active, 1);
	assert_int_equal(st->closed, 0);
}

/* One packet of the CLI:50000 <-> SRV:110 connection inside a tunnel whose
 * identity is `key` (0: not tunnelled), outer addresses 10.0.0.1/2. */
static uint64_t tun_pk(struct fx *x, bool from_cli, uint64_t key, uint32_t seq, uint8_t fl,
		       const char *d)
{
	struct packet p;
	if (from_cli)
		pkt_packet(&p, 4, CLI, 50000, SRV, 110, seq, 0, fl, d, d ? strlen(d) : 0);
	else
		pkt_packet(&p, 4, SRV, 110, CLI, 50000, seq, 0, fl, d, d ? strlen(d) : 0);
	if (key) {
		p.tun.depth = 1;
		p.tun.kind[0] = DEC_TUN_VXLAN;
		p.tun.key = key;
		p.tun.ipver = 4;
		p.tun.has_id = true;
		p.tun.id = (uint32_t)key;
		uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
		memcpy(p.tun.src, from_cli ? a : b, 4);
		memcpy(p.tun.dst, from_cli ? b : a, 4);
	}
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->now };
	x->now += 1000;
	return flow_table_packet(x->t, &p, &m);
}

static const struct flow *seen_flow;
static void keep_open(void *ctx, struct flow *f)
{
	(void)ctx;
	seen_flow = f;
}

/* The same connection in two tunnels and bare: three flows, never merged;
 * both directions of one tunnel find the same flow; the flow keeps the
 * tunnel with the client's outer address first, whichever side spoke. */
static void test_tunnels_never_merge(void **state)
{
	(void)state;
	struct flow_opts o = { .max_flows = 16, .idle_timeout_us = 60 * SEC,
			       .ports = ports110, .nports = 1 };
	o.reasm.per_dir_bytes = REASM_PER_DIR_DEFAULT;
	o.reasm.total_bytes = REASM_TOTAL_DEFAULT;
	struct flow_cb cb = { keep_open, on_close, on_data, on_gap, NULL, NULL };
	struct fx *x = calloc(1, sizeof *x);
	cb.ctx = x;
	x->t = flow_table_new(&o, &cb);
	/* the server speaks first in tunnel 100: the flow still puts the
	 * client's outer address first */
	uint64_t a = tun_pk(x, false, 100, 5000, TCP_ACK | TCP_PSH, "+OK a\r\n");
	assert_int_equal(seen_flow->tun.depth, 1);
	assert_int_equal(seen_flow->tun.src[3], 1);
	assert_int_equal(seen_flow->tun.dst[3], 2);
	uint64_t b = tun_pk(x, false, 200, 5000, TCP_ACK | TCP_PSH, "+OK b\r\n");
	uint64_t c = tun_pk(x, false, 0, 5000, TCP_ACK | TCP_PSH, "+OK c\r\n");
	assert_int_equal(seen_flow->tun.depth, 0);
	assert_true(a && b && c && a != b && b != c && a != c);
	assert_int_equal(tun_pk(x, true, 100, 1000, TCP_ACK | TCP_PSH, "CAPA\r\n"), a);
	assert_int_equal(tun_pk(x, true, 200, 1000, TCP_ACK | TCP_PSH, "CAPA\r\n"), b);
	assert_int_equal(tun_pk(x, true, 0, 1000, TCP_ACK | TCP_PSH, "CAPA\r\n"), c);
	assert_int_equal(flow_table_stats(x->t)->created, 3);
	flow_table_free(x->t);
	free(x);
}

/* A packet's direction comes from which endpoint the flow's key lists
 * first: right whichever side sorts first (address, then port; IPv4 and
 * IPv6), and a connection to itself is all the client's. */
static void test_direction_any_key_order(void **state)
{
	struct fx *x = *state;
	static const struct {
		const char *cli;
		uint16_t cport;
		const char *srv;
		uint16_t sport;
	} c[] = {
		{ "203.0.113.9", 40000, "192.0.2.1", 110 },   /* client sorts after */
		{ "192.0.2.1", 40000, "203.0.113.9", 110 },   /* client sorts first */
		{ "192.0.2.7", 40000, "192.0.2.7", 110 },     /* one host: the ports decide */
		{ "192.0.2.7", 60, "192.0.2.7", 110 },
		{ "2001:db8::9", 40000, "2001:db8::1", 110 },
		{ "2001:db8::1", 40000, "2001:db8::9", 110 },
	};
	for (size_t i = 0; i < ARRAY_LEN(c); i++) {
		x->len = 0;
		x->log[0] = '\0';
		uint64_t id = pk(x, c[i].cli, c[i].cport, c[i].srv, c[i].sport, 100, 0, TCP_SYN, NULL);
		assert_int_equal(pk(x, c[i].srv, c[i].sport, c[i].cli, c[i].cport, 900, 101,
				    TCP_SYN | TCP_ACK, NULL), id);
		pk(x, c[i].srv, c[i].sport, c[i].cli, c[i].cport, 901, 101, TCP_ACK | TCP_PSH, "+OK\r\n");
		pk(x, c[i].cli, c[i].cport, c[i].srv, c[i].sport, 101, 906, TCP_ACK | TCP_PSH, "QUIT\r\n");
		char want[256];
		snprintf(want, sizeof want, "data %llu s2c +OK\\r\\n\ndata %llu c2s QUIT\\r\\n\n",
			 (unsigned long long)id, (unsigned long long)id);
		assert_non_null(strstr(x->log, want));
	}
	/* to itself: both ends the same, so every byte is the client's, even
	 * when the flow began with a SYN-ACK (its sender taken for the server) */
	x->len = 0;
	x->log[0] = '\0';
	uint64_t id = pk(x, "127.0.0.1", 110, "127.0.0.1", 110, 99, 0, TCP_SYN | TCP_ACK, NULL);
	pk(x, "127.0.0.1", 110, "127.0.0.1", 110, 100, 0, TCP_ACK | TCP_PSH, "USER a\r\n");
	pk(x, "127.0.0.1", 110, "127.0.0.1", 110, 108, 0, TCP_ACK | TCP_PSH, "+OK\r\n");
	char want[256];
	snprintf(want, sizeof want, "data %llu c2s USER a\\r\\n\n", (unsigned long long)id);
	assert_non_null(strstr(x->log, want));
	assert_null(strstr(x->log, "s2c"));
}

static void test_synack_first_roles(void **state)
{
	struct fx *x = *state;
	assert_int_equal(s2c(x, 5000, 1001, TCP_SYN | TCP_ACK, NULL), 1);
	s2c(x, 5001, 1001, TCP_ACK | TCP_PSH, "+OK\r\n");
	c2s(x, 1001, 5006, TCP_ACK | TCP_PSH, "QUIT\r\n");
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "data 1 s2c +OK\\r\\n\n"
			    "data 1 c2s QUIT\\r\\n\n");
}

static void test_midstream_server_first(void **state)
{
	struct fx *x = *state;
	assert_int_equal(s2c(x, 7000, 3000, TCP_ACK | TCP_PSH, "+OK 2 320\r\n"), 1);
	c2s(x, 3000, 7011, TCP_ACK | TCP_PSH, "LIST\r\n");
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=1\n"
			    "data 1 s2c +OK 2 320\\r\\n\n"
			    "data 1 c2s LIST\\r\\n\n");
}

static void test_midstream_client_first(void **state)
{
	struct fx *x = *state;
	assert_int_equal(c2s(x, 3000, 7000, TCP_ACK | TCP_PSH, "STAT\r\n"), 1);
	s2c(x, 7000, 3006, TCP_ACK | TCP_PSH, "+OK 2 320\r\n");
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=1\n"
			    "data 1 c2s STAT\\r\\n\n"
			    "data 1 s2c +OK 2 320\\r\\n\n");
}

/* Both ports watched, mid-stream: the lower port is the server's. */
static void test_midstream_both_ports_watched(void **state)
{
	(void)state;
	struct fx *x = fx_new(16, ports2, 2);
	pk(x, SRV, 995, CLI, 110, 1, 1, TCP_ACK, "x");
	pk(x, "2001:db8::1", 110, "2001:db8::2", 995, 1, 1, TCP_ACK, "y");
	assert_string_equal(x->log,
			    "open 1 c=198.51.100.5:995 s=192.0.2.10:110 mid=1\n"
			    "data 1 c2s x\n"
			    "open 2 c=2001:db8::2:995 s=2001:db8::1:110 mid=1\n"
			    "data 2 s2c y\n");
	flow_table_free(x->t);
	free(x);
}

static void test_pure_ack_creates_nothing(void **state)
{
	struct fx *x = *state;
	assert_int_equal(c2s(x, 1000, 2000, TCP_ACK, NULL), 0);
	assert_int_equal(s2c(x, 2000, 1000, TCP_ACK | TCP_FIN, NULL), 0);
	assert_int_equal(s2c(x, 2000, 1000, TCP_RST, NULL), 0);
	assert_string_equal(x->log, "");
	const struct flow_stats *st = flow_table_stats(x->t);
	assert_int_equal(st->ignored_no_flow, 3);
	assert_int_equal(st->created, 0);
	assert_int_equal(st->active, 0);
}

static void test_unwatched_ports(void **state)
{
	struct fx *x = *state;
	assert_int_equal(pk(x, CLI, 50000, SRV, 80, 1, 0, TCP_SYN, NULL), 0);
	assert_int_equal(pk(x, SRV, 80, CLI, 50000, 1, 0, TCP_ACK, "HTTP/1.1 200\r\n"), 0);
	assert_int_equal(pk(x, SRV, 111, CLI, 109, 1, 0, TCP_ACK, "+OK\r\n"), 0);
	assert_string_equal(x->log, "");
	assert_int_equal(flow_table_stats(x->t)->not_watched, 3);
	assert_true(flow_table_port_watched(x->t, 110));
	assert_false(flow_table_port_watched(x->t, 995));
	assert_false(flow_table_port_watched(x->t, 0));
}

/* The least recently active flow goes first, not the oldest. */
static void test_lru_eviction(void **state)
{
	(void)state;
	struct fx *x = fx_new(2, ports110, 1);
	pk(x, CLI, 40001, SRV, 110, 100, 0, TCP_SYN, NULL);        /* flow 1 */
	pk(x, CLI, 40002, SRV, 110, 200, 0, TCP_SYN, NULL);        /* flow 2 */
	pk(x, SRV, 110, CLI, 40001, 900, 101, TCP_SYN | TCP_ACK, NULL); /* 1 is now the newest */
	pk(x, CLI, 40003, SRV, 110, 300, 0, TCP_SYN, NULL);        /* evicts 2 */
	pk(x, CLI, 40001, SRV, 110, 101, 901, TCP_ACK, "USER a\r\n"); /* 1 lives on */
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:40001 s=198.51.100.5:110 mid=0\n"
			    "open 2 c=192.0.2.10:40002 s=198.51.100.5:110 mid=0\n"
			    "close 2 evicted\n"
			    "open 3 c=192.0.2.10:40003 s=198.51.100.5:110 mid=0\n"
			    "data 1 c2s USER a\\r\\n\n");
	const struct flow_stats *st = flow_table_stats(x->t);
	assert_int_equal(st->evicted, 1);
	assert_int_equal(st->active, 2);
	assert_int_equal(st->peak_active, 2);
	assert_int_equal(st->created, 3);
	assert_int_equal(st->closed, 1);
	flow_table_free(x->t);
	assert_string_equal(x->log + strlen(x->log) - strlen("close 1 end_of_capture\n"),
			    "close 1 end_of_capture\n");
	free(x);
}

/* Eviction flushes what the evicted flow buffered before closing it. */
static void test_eviction_flushes(void **state)
{
	(void)state;
	struct fx *x = fx_new(1, ports110, 1);
	pk(x, CLI, 40001, SRV, 110, 100, 0, TCP_ACK, "ab");
	pk(x, CLI, 40001, SRV, 110, 104, 0, TCP_ACK, "ef"); /* hole of 2 */
	pk(x, CLI, 40002, SRV, 110, 1, 0, TCP_SYN, NULL);
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:40001 s=198.51.100.5:110 mid=1\n"
			    "data 1 c2s ab\n"
			    "gap 1 c2s 2\n"
			    "data 1 c2s ef\n"
			    "close 1 evicted\n"
			    "open 2 c=192.0.2.10:40002 s=198.51.100.5:110 mid=0\n");
	flow_table_free(x->t);
	free(x);
}

static void test_idle_timeout(void **state)
{
	struct fx *x = *state;
	x->now = 1 * SEC;
	pk(x, CLI, 40001, SRV, 110, 100, 0, TCP_SYN, NULL);
	x->now = 5 * SEC;
	pk(x, CLI, 40002, SRV, 110, 200, 0, TCP_SYN, NULL);
	flow_table_expire(x->t, 11 * SEC);      /* idle exactly the timeout: stays */
	assert_int_equal(x->closes, 0);
	flow_table_expire(x->t, 11 * SEC + 1);
	assert_int_equal(x->closes, 1);
	assert_int_equal(flow_table_stats(x->t)->timed_out, 1);
	flow_table_expire(x->t, 16 * SEC);
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:40001 s=198.51.100.5:110 mid=0\n"
			    "open 2 c=192.0.2.10:40002 s=198.51.100.5:110 mid=0\n"
			    "close 1 timeout\n"
			    "close 2 timeout\n");
	assert_int_equal(flow_table_stats(x->t)->timed_out, 2);
	assert_int_equal(flow_table_stats(x->t)->active, 0);
}

static void handshake(struct fx *x)
{
	c2s(x, 1000, 0, TCP_SYN, NULL);
	s2c(x, 5000, 1001, TCP_SYN | TCP_ACK, NULL);
	c2s(x, 1001, 5001, TCP_ACK, NULL);
	s2c(x, 5001, 1001, TCP_ACK | TCP_PSH, "+OK\r\n");
	c2s(x, 1001, 5006, TCP_ACK | TCP_PSH, "QUIT\r\n");
}

static void test_fin_both_ways(void **state)
{
	struct fx *x = *state;
	handshake(x);
	s2c(x, 5006, 1007, TCP_ACK | TCP_PSH | TCP_FIN, "+OK bye\r\n");
	assert_int_equal(x->closes, 0); /* one side only */
	c2s(x, 1007, 5016, TCP_ACK | TCP_FIN, NULL);
	assert_int_equal(x->closes, 1);
	/* the last ACK creates nothing */
	assert_int_equal(s2c(x, 5016, 1008, TCP_ACK, NULL), 0);
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "data 1 s2c +OK\\r\\n\n"
			    "data 1 c2s QUIT\\r\\n\n"
			    "data 1 s2c +OK bye\\r\\n\n"
			    "close 1 fin\n");
	const struct flow_stats *st = flow_table_stats(x->t);
	assert_int_equal(st->active, 0);
	assert_int_equal(st->closed, 1);
	assert_int_equal(st->ignored_no_flow, 1);
}

/* FIN with data missing before it: the close declares the lost bytes. */
static void test_fin_after_hole(void **state)
{
	struct fx *x = *state;
	handshake(x);
	s2c(x, 5016, 1007, TCP_ACK | TCP_FIN, NULL); /* "+OK bye\r\n" (10 bytes) lost */
	c2s(x, 1007, 5017, TCP_ACK | TCP_FIN, NULL);
	flow_table_close_all(x->t, FLOW_END_EOF);
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "data 1 s2c +OK\\r\\n\n"
			    "data 1 c2s QUIT\\r\\n\n"
			    "gap 1 s2c 10\n"
			    "close 1 end_of_capture\n");
}

static void test_rst_with_payload_closes(void **state)
{
	struct fx *x = *state;
	handshake(x);
	assert_int_equal(s2c(x, 5006, 1007, TCP_RST | TCP_ACK, NULL), 1);
	assert_int_equal(x->closes, 1);
	assert_string_equal(x->log + strlen(x->log) - strlen("close 1 rst\n"), "close 1 rst\n");
	/* A second RST finds no flow. */
	assert_int_equal(s2c(x, 5006, 1007, TCP_RST, NULL), 0);
	assert_int_equal(flow_table_stats(x->t)->active, 0);
}

static void test_port_reuse_after_fin(void **state)
{
	struct fx *x = *state;
	handshake(x);
	s2c(x, 5006, 1007, TCP_ACK | TCP_FIN, "+OK\r\n");
	c2s(x, 1007, 5012, TCP_ACK | TCP_FIN, NULL);
	assert_int_equal(c2s(x, 77777, 0, TCP_SYN, NULL), 2);
	assert_int_equal(x->opens, 2);
	assert_int_equal(flow_table_stats(x->t)->active, 1);
}

/* TIME_WAIT reuse before the old flow closed: new ISN -> new flow. */
static void test_port_reuse_new_isn(void **state)
{
	struct fx *x = *state;
	handshake(x);
	assert_int_equal(c2s(x, 1000, 0, TCP_SYN, NULL), 1);  /* same ISN: the same attempt */
	assert_int_equal(x->opens, 1);
	assert_int_equal(c2s(x, 424242, 0, TCP_SYN, NULL), 2);
	s2c(x, 8000, 424243, TCP_SYN | TCP_ACK, NULL);
	s2c(x, 8001, 424243, TCP_ACK, "+OK new\r\n");
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "data 1 s2c +OK\\r\\n\n"
			    "data 1 c2s QUIT\\r\\n\n"
			    "close 1 port_reused\n"
			    "open 2 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "data 2 s2c +OK new\\r\\n\n");
}

/* An ACK past a hole declares it, through the flow's gap callback. */
static void test_ack_declares_gap(void **state)
{
	struct fx *x = *state;
	handshake(x);
	s2c(x, 5010, 1007, TCP_ACK, "def\r\n"); /* 5006..5009 lost */
	assert_int_equal(x->len, strlen(x->log));
	c2s(x, 1007, 5015, TCP_ACK, NULL);     /* the client had them all */
	assert_string_equal(x->log,
			    "open 1 c=192.0.2.10:50000 s=198.51.100.5:110 mid=0\n"
			    "data 1 s2c +OK\\r\\n\n"
			    "data 1 c2s QUIT\\r\\n\n"
			    "gap 1 s2c 4\n"
			    "data 1 s2c def\\r\\n\n");
	assert_int_equal(flow_table_reasm_stats(x->t)->gaps, 1);
	assert_int_equal(flow_table_reasm_stats(x->t)->gap_bytes, 4);
}

/* Many flows: the table grows and still finds each one. */
static void test_many_flows_grow(void **state)
{
	(void)state;
	struct fx *x = fx_new(5000, ports110, 1);
	for (unsigned i = 0; i < 3000; i++)
		assert_int_equal(pk(x, CLI, (uint16_t)(20000 + i), SRV, 110, i, 0, TCP_SYN, NULL), i + 1);
	for (unsigned i = 0; i < 3000; i++)
		assert_int_equal(pk(x, SRV, 110, CLI, (uint16_t)(20000 + i), 7, i + 1,
				    TCP_SYN | TCP_ACK, NULL), i + 1);
	assert_int_equal(x->opens, 3000);
	assert_int_equal(flow_table_stats(x->t)->active, 3000);
	flow_table_close_all(x->t, FLOW_END_EOF);
	assert_int_equal(x->closes, 3000);
	assert_int_equal(flow_table_stats(x->t)->active, 0);
	/* close_all goes oldest first */
	assert_non_null(strstr(x->log, "close 1 end_of_capture\nclose 2 end_of_capture\n"));
	flow_table_free(x->t);
	free(x);
}

static void test_end_names(void **state)
{
	(void)state;
	assert_string_equal(flow_end_name(FLOW_END_NONE), "open");
	assert_string_equal(flow_end_name(FLOW_END_FIN), "fin");
	assert_string_equal(flow_end_name(FLOW_END_RST), "rst");
	assert_string_equal(flow_end_name(FLOW_END_TIMEOUT), "timeout");
	assert_string_equal(flow_end_name(FLOW_END_EVICTED), "evicted");
	assert_string_equal(flow_end_name(FLOW_END_REUSED), "port_reused");
	assert_string_equal(flow_end_name(FLOW_END_EOF), "end_of_capture");
	assert_string_equal(flow_end_name(FLOW_END_REFUSED), "refused");
	assert_string_equal(flow_end_name(FLOW_END_NO_ANSWER), "no_answer");
	assert_string_equal(flow_end_name(FLOW_END_NO_GREETING), "no_greeting");
	assert_string_equal(flow_end_name(FLOW_END_RESET_BEFORE_GREETING), "reset_before_greeting");
	assert_string_equal(flow_end_name(FLOW_END_NOT_POP3), "not_pop3");
	assert_string_equal(flow_end_name((enum flow_end)99), "?");
}

/* A flow whose bytes nobody reads (ignore_bytes, set by the layer above):
 * nothing delivered or buffered, yet FIN from both sides still ends it. */
static void on_open_ignore(void *ctx, struct flow *f)
{
	on_open(ctx, f);
	f->ignore_bytes = true;
}

static void test_ignored_bytes_not_buffered(void **state)
{
	(void)state;
	struct flow_opts o;
	fx_opts(&o);
	o.all_ports = true;
	struct fx *x = fx_make(&o, on_open_ignore, NULL, NULL);
	pk(x, CLI, 40000, SRV, 8080, 100, 0, TCP_SYN, NULL);
	pk(x, SRV, 8080, CLI, 40000, 900, 101, TCP_SYN | TCP_ACK, NULL);
	pk(x, CLI, 40000, SRV, 8080, 101, 901, TCP_ACK, "GET / HTTP/1.1\r\n");
	pk(x, SRV, 8080, CLI, 40000, 5000, 117, TCP_ACK, "far ahead of a hole");
	assert_int_equal(flow_table_reasm_stats(x->t)->buffered_bytes, 0);
	pk(x, SRV, 8080, CLI, 40000, 901, 117, TCP_ACK | TCP_FIN, NULL);
	pk(x, CLI, 40000, SRV, 8080, 117, 902, TCP_ACK | TCP_FIN, NULL);
	assert_string_equal(x->log, "open 1 c=192.0.2.10:40000 s=198.51.100.5:8080 mid=0\n"
				    "close 1 fin\n");
	fx_free(x);
}

/* Not POP3 on a port not watched (quiet, its bytes ignored, as the
 * session layer decides): the session closes at once, the flow stays
 * ended and absorbs the rest of the connection, freed at its FINs. */
static void on_data_quiet(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
			  const struct seg_meta *m)
{
	on_data(ctx, f, dir, p, n, m);
	f->quiet = f->ignore_bytes = true;
}

static void test_quiet_flow_ends_early(void **state)
{
	(void)state;
	struct flow_opts o;
	fx_opts(&o);
	o.all_ports = true;
	struct fx *x = fx_make(&o, NULL, NULL, on_data_quiet);
	pk(x, CLI, 40000, SRV, 8080, 100, 0, TCP_SYN, NULL);
	pk(x, SRV, 8080, CLI, 40000, 900, 101, TCP_SYN | TCP_ACK, NULL);
	assert_int_equal(pk(x, CLI, 40000, SRV, 8080, 101, 901, TCP_ACK, "GET /\r\n"), 0);
	assert_int_equal(x->closes, 1);
	assert_int_equal(pk(x, SRV, 8080, CLI, 40000, 901, 108, TCP_ACK, "HTTP/1.0 200\r\n"), 0);
	assert_int_equal(pk(x, SRV, 8080, CLI, 40000, 915, 108, TCP_ACK | TCP_FIN, NULL), 0);
	assert_int_equal(pk(x, CLI, 40000, SRV, 8080, 108, 916, TCP_ACK | TCP_FIN, NULL), 0);
	assert_string_equal(x->log, "open 1 c=192.0.2.10:40000 s=198.51.100.5:8080 mid=0\n"
				    "data 1 c2s GET /\\r\\n\n"
				    "close 1 not_pop3\n");
	assert_int_equal(x->opens, 1);
	/* freed at the FINs: the same ports again are a new flow */
	assert_int_equal(pk(x, CLI, 40000, SRV, 8080, 5000, 0, TCP_SYN, NULL), 2);
	assert_int_equal(flow_table_stats(x->t)->active, 1);
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_syn_first_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synack_first_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_server_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_client_first, setup, teardown),
		cmocka_unit_test(test_midstream_both_ports_watched),
		cmocka_unit_test_setup_teardown(test_pure_ack_creates_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwatched_ports, setup, teardown),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_eviction_flushes),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_after_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_with_payload_closes, setup, teardown),
		cmocka_unit_test(test_ignored_bytes_not_buffered),
		cmocka_unit_test(test_quiet_flow_ends_early),
		cmocka_unit_test_setup_teardown(test_port_reuse_after_fin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_reuse_new_isn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_declares_gap, setup, teardown),
		cmocka_unit_test(test_many_flows_grow),
		cmocka_unit_test(test_end_names),
		cmocka_unit_test(test_tunnels_never_merge),
		cmocka_unit_test_setup_teardown(test_direction_any_key_order, setup, teardown),
	};
	return cmocka_run_group_tests_name("flow_table", tests, NULL, NULL);
}
