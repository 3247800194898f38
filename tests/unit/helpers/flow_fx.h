/*
 * flow_fx.h - the flow table's tests' fixture (test_flow_table,
 * test_flow_handshake): a recording flow_cb writes every open/data/gap/
 * close call as one text line ("open 1 c=192.0.2.10:50000
 * s=198.51.100.5:110 mid=0"), so each test compares the whole story with
 * one exact string; packets between a client and a server by shortcut.
 * Header-only (static inline): each test file takes what it uses.
 */
#ifndef POP3MON_TEST_FLOW_FX_H
#define POP3MON_TEST_FLOW_FX_H

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

#define CLI "192.0.2.10"
#define SRV "198.51.100.5"
#define SEC 1000000ull

struct fx {
	struct flow_table *t;
	char log[512 * 1024];
	size_t len;
	int opens, closes;
	uint64_t frame;
	uint64_t now;
};

static inline void logf_(struct fx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void logf_(struct fx *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(x->log + x->len, sizeof(x->log) - x->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(x->log) - x->len);
	x->len += (size_t)n;
}

static inline void on_open(void *ctx, struct flow *f)
{
	struct fx *x = ctx;
	char c[64], s[64];
	decode_addr_str(f->ipver, f->cli, c, sizeof(c));
	decode_addr_str(f->ipver, f->srv, s, sizeof(s));
	x->opens++;
	logf_(x, "open %llu c=%s:%u s=%s:%u mid=%d\n", (unsigned long long)f->id, c, f->cport, s,
	      f->sport, f->midstream);
}

static inline void on_close(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m)
{
	struct fx *x = ctx;
	(void)m;
	x->closes++;
	logf_(x, "close %llu %s\n", (unsigned long long)f->id, flow_end_name(why));
}

static inline void on_data(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
		    const struct seg_meta *m)
{
	struct fx *x = ctx;
	(void)m;
	logf_(x, "data %llu %s ", (unsigned long long)f->id, dir == DIR_C2S ? "c2s" : "s2c");
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r')
			logf_(x, "\\r");
		else if (p[i] == '\n')
			logf_(x, "\\n");
		else
			logf_(x, "%c", p[i]);
	}
	logf_(x, "\n");
}

static inline void on_gap(void *ctx, struct flow *f, int dir, uint64_t len, const struct seg_meta *m)
{
	struct fx *x = ctx;
	(void)m;
	logf_(x, "gap %llu %s %llu\n", (unsigned long long)f->id, dir == DIR_C2S ? "c2s" : "s2c",
	      (unsigned long long)len);
}

static const uint16_t ports110[] __attribute__((unused)) = { 110 };
static const uint16_t ports2[] __attribute__((unused)) = { 110, 995 };

/* The options the tests start from: 16 flows, 600 s idle, port 110. */
static inline void fx_opts(struct flow_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_flows = 16;
	o->idle_timeout_us = 600 * SEC;
	o->reasm.per_dir_bytes = REASM_PER_DIR_DEFAULT;
	o->reasm.total_bytes = REASM_TOTAL_DEFAULT;
	o->ports = ports110;
	o->nports = 1;
}

/* A table on o, the clock at 1 s, recording through the fixture's
 * callbacks but for those given (NULL: the fixture's). */
static inline struct fx *fx_make(const struct flow_opts *o, flow_open_fn open, flow_close_fn close,
				 flow_data_fn data)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct flow_cb cb = { open ? open : on_open, close ? close : on_close,
			      data ? data : on_data, on_gap, x, NULL };
	x->t = flow_table_new(o, &cb);
	x->now = 1 * SEC;
	return x;
}

static inline struct fx *fx_new(size_t max_flows, const uint16_t *ports, size_t nports)
{
	struct flow_opts o;
	fx_opts(&o);
	o.max_flows = max_flows;
	o.idle_timeout_us = 10 * SEC;
	o.ports = ports;
	o.nports = nports;
	return fx_make(&o, NULL, NULL, NULL);
}

static inline int setup(void **state)
{
	*state = fx_new(16, ports110, 1);
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *x = *state;
	flow_table_free(x->t);
	free(x);
	return 0;
}

/* One packet between (a, ap) and (b, bp). */
static inline uint64_t pk(struct fx *x, const char *a, uint16_t ap, const char *b, uint16_t bp,
		   uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	struct packet p;
	int v = strchr(a, ':') ? 6 : 4;
	pkt_packet(&p, v, a, ap, b, bp, seq, ack, flags, data, data ? strlen(data) : 0);
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->now };
	x->now += 1000;
	return flow_table_packet(x->t, &p, &m);
}

/* Client (CLI:50000) and server (SRV:110) shortcuts. */
static inline uint64_t c2s(struct fx *x, uint32_t seq, uint32_t ack, uint8_t fl, const char *d)
{
	return pk(x, CLI, 50000, SRV, 110, seq, ack, fl, d);
}

static inline uint64_t s2c(struct fx *x, uint32_t seq, uint32_t ack, uint8_t fl, const char *d)
{
	return pk(x, SRV, 110, CLI, 50000, seq, ack, fl, d);
}


/* The handshake timers on: no answer after 3 s, no greeting after 10 s. */
static inline struct fx *fx_timers(void)
{
	struct flow_opts o;
	fx_opts(&o);
	o.no_answer_us = 3 * SEC;
	o.no_greeting_us = 10 * SEC;
	return fx_make(&o, NULL, NULL, NULL);
}

static inline void fx_free(struct fx *x)
{
	flow_table_free(x->t);
	free(x);
}

#endif
