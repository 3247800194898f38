/*
 * test_pop3_spares.c - connections sharing one pop3_spares (pop3.h): the
 * multi-line replies and waiting commands of several connections at once
 * take and give back the same buffers, and no connection sees another's
 * text, counts or commands; a pipelining client's queue grows past the
 * one-entry spare and empties again; an open reply at the end is handed on
 * and its buffer returned; listings of several connections keep their own
 * entries and unique-ids (ASan's unit run checks every buffer's life).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pop3.h"

#define NCONN 3
#define MAX_TXNS 64

struct rec {
	enum pop3_cmd cmd;
	char args[32], text[64];
	enum pop3_status status;
	uint64_t data_lines, data_octets;
	uint32_t n_entries, flags;
};

struct fx {
	struct pop3_conn *c;
	struct rec tx[MAX_TXNS];
	int n;
	uint64_t frame;
};

static void on_txn(void *ctx, const struct pop3_txn *t)
{
	struct fx *x = ctx;
	assert_true(x->n < MAX_TXNS);
	struct rec *r = &x->tx[x->n++];
	r->cmd = t->cmd;
	snprintf(r->args, sizeof r->args, "%.31s", t->args);
	snprintf(r->text, sizeof r->text, "%.63s", t->text);
	r->status = t->status;
	r->data_lines = t->data_lines;
	r->data_octets = t->data_octets;
	r->n_entries = t->n_entries;
	r->flags = t->flags;
}

static void feed(struct fx *x, int dir, const char *s)
{
	struct seg_meta m = { .frame = ++x->frame, .ts_us = x->frame * 1000 };
	pop3_feed(x->c, dir, (const uint8_t *)s, strlen(s), &m);
}

static void expect(const struct rec *r, enum pop3_cmd cmd, const char *args, const char *text,
		   uint64_t lines, uint64_t octets, uint32_t entries)
{
	assert_int_equal(r->cmd, cmd);
	assert_string_equal(r->args, args);
	assert_string_equal(r->text, text);
	assert_int_equal(r->data_lines, lines);
	assert_int_equal(r->data_octets, octets);
	assert_int_equal(r->n_entries, entries);
}

static void test_shared_spares(void **state)
{
	(void)state;
	struct pop3_spares *sp = pop3_spares_new();
	static struct fx x[NCONN];
	memset(x, 0, sizeof x);
	for (int i = 0; i < NCONN; i++) {
		struct pop3_opts o = { .spares = sp };
		struct pop3_cb cb = { on_txn, &x[i] };
		x[i].c = pop3_conn_new(&o, &cb, false);
		feed(&x[i], 1, "+OK ready\r\n");
		feed(&x[i], 0, "USER u\r\n");
		feed(&x[i], 1, "+OK\r\n");
		feed(&x[i], 0, "PASS p\r\n");
		feed(&x[i], 1, "+OK in\r\n");
	}
	/* Every connection waits on a command, then reads a multi-line reply
	 * at once, in pieces taken in turn. */
	feed(&x[0], 0, "RETR 1\r\n");
	feed(&x[1], 0, "LIST\r\n");
	feed(&x[2], 0, "RETR 2\r\n");
	feed(&x[0], 1, "+OK 10 octets\r\nab");
	feed(&x[1], 1, "+OK 2 messages\r\n1 4\r\n");
	feed(&x[2], 1, "+OK 7 octets\r\n..x\r\n");
	feed(&x[0], 1, "c\r\ndefg");
	feed(&x[1], 1, "2 5\r\n");
	/* A pipelining client: four commands wait (the queue grows to 4). */
	feed(&x[2], 1, "y\r\n.\r\n");
	feed(&x[2], 0, "NOOP\r\nSTAT\r\nDELE 1\r\nNOOP\r\n");
	feed(&x[1], 1, ".\r\n");
	feed(&x[0], 1, "\r\n.\r\n");
	feed(&x[2], 1, "+OK a\r\n+OK 2 12\r\n+OK b\r\n+OK c\r\n");
	/* The queue emptied and goes back: a new command takes a spare. */
	feed(&x[2], 0, "UIDL\r\n");
	feed(&x[2], 1, "+OK\r\n1 u1\r\n");
	/* Connection 1 ends inside a reply: it is handed on, cut. */
	feed(&x[1], 0, "RETR 2\r\n");
	feed(&x[1], 1, "+OK\r\nline\r\n");
	struct seg_meta m = { .frame = 99, .ts_us = 99000 };
	pop3_finish(x[1].c, &m);
	feed(&x[2], 1, ".\r\n");

	assert_int_equal(x[0].n, 4);
	expect(&x[0].tx[3], POP3_CMD_RETR, "1", "10 octets", 2, 11, 0);
	assert_int_equal(x[1].n, 5);
	expect(&x[1].tx[3], POP3_CMD_LIST, "", "2 messages", 2, 10, 2);
	expect(&x[1].tx[4], POP3_CMD_RETR, "2", "", 1, 6, 0);
	assert_true(x[1].tx[4].flags & POP3_TF_CUT);
	assert_int_equal(x[2].n, 9);
	expect(&x[2].tx[3], POP3_CMD_RETR, "2", "7 octets", 2, 7, 0);
	expect(&x[2].tx[4], POP3_CMD_NOOP, "", "a", 0, 0, 0);
	expect(&x[2].tx[5], POP3_CMD_STAT, "", "2 12", 0, 0, 0);
	expect(&x[2].tx[6], POP3_CMD_DELE, "1", "b", 0, 0, 0);
	expect(&x[2].tx[7], POP3_CMD_NOOP, "", "c", 0, 0, 0);
	expect(&x[2].tx[8], POP3_CMD_UIDL, "", "", 1, 6, 1);
	for (int i = 0; i < NCONN; i++) {
		for (int k = 0; k < x[i].n; k++)
			assert_int_equal(x[i].tx[k].flags & ~(uint32_t)POP3_TF_CUT, 0);
		assert_int_equal(pop3_conn_waiting(x[i].c), 0);
		pop3_conn_free(x[i].c);
	}
	pop3_spares_free(sp);
}

/* A connection freed with a reply open and commands waiting gives its
 * buffers back or frees them; the spares go after it. */
static void test_free_while_open(void **state)
{
	(void)state;
	struct pop3_spares *sp = pop3_spares_new();
	struct fx x;
	memset(&x, 0, sizeof x);
	struct pop3_opts o = { .spares = sp };
	struct pop3_cb cb = { on_txn, &x };
	x.c = pop3_conn_new(&o, &cb, true);
	feed(&x, 0, "RETR 1\r\nRETR 2\r\n");
	feed(&x, 1, "+OK\r\nbody\r\n");
	assert_int_equal(pop3_conn_waiting(x.c), 1u << 1 | 1u);
	pop3_conn_free(x.c);
	pop3_spares_free(sp);
	assert_int_equal(x.n, 0);
}

/* Listings of two connections at once: each reply's entries and
 * unique-ids are its own, whether its buffers were a spare (another
 * connection's last listing), outgrew the spare's size, or are given back
 * and taken again. */
struct listing_rec {
	char got[4][2048]; /* "num uid," per entry, per UIDL reply */
	int n;
};

static void on_listing(void *ctx, const struct pop3_txn *t)
{
	struct listing_rec *r = ctx;
	if (t->cmd != POP3_CMD_UIDL || t->has_args)
		return;
	assert_true(r->n < 4);
	char *o = r->got[r->n++];
	size_t at = 0;
	o[0] = '\0';
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		at += (size_t)snprintf(o + at, 2048 - at, "%u %.*s,", e->num, (int)e->uid_len,
				       t->uids + e->uid_off);
		assert_true(at < 2048);
	}
}

static void test_listing_spares(void **state)
{
	(void)state;
	struct pop3_spares *sp = pop3_spares_new();
	struct listing_rec r[2];
	struct fx x[2];
	memset(r, 0, sizeof r);
	memset(x, 0, sizeof x);
	for (int i = 0; i < 2; i++) {
		struct pop3_opts o = { .spares = sp };
		struct pop3_cb cb = { on_listing, &r[i] };
		x[i].c = pop3_conn_new(&o, &cb, true);
	}
	char uid[64], line[96], want_long[2048] = "";
	feed(&x[0], 0, "UIDL\r\n");
	feed(&x[1], 0, "UIDL\r\n");
	feed(&x[0], 1, "+OK\r\n");
	feed(&x[1], 1, "+OK\r\n1 short-a\r\n");
	for (int n = 1; n <= 28; n++) { /* past 16 entries and the first arena */
		snprintf(uid, sizeof uid, "%02d-%.56s", n,
			 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST");
		snprintf(line, sizeof line, "%d %s\r\n", n, uid);
		feed(&x[0], 1, line);
		size_t at = strlen(want_long);
		snprintf(want_long + at, sizeof want_long - at, "%d %s,", n, uid);
		if (n == 20)
			feed(&x[1], 1, "2 short-b\r\n.\r\n"); /* gives its first-size buffers back */
	}
	feed(&x[1], 0, "UIDL\r\n");
	feed(&x[1], 1, "+OK\r\n7 c\r\n"); /* takes them again */
	feed(&x[0], 1, ".\r\n");
	feed(&x[0], 0, "UIDL\r\n");
	feed(&x[0], 1, "+OK\r\n3 d\r\n.\r\n");
	feed(&x[1], 1, ".\r\n");
	assert_int_equal(r[0].n, 2);
	assert_string_equal(r[0].got[0], want_long);
	assert_string_equal(r[0].got[1], "3 d,");
	assert_int_equal(r[1].n, 2);
	assert_string_equal(r[1].got[0], "1 short-a,2 short-b,");
	assert_string_equal(r[1].got[1], "7 c,");
	for (int i = 0; i < 2; i++)
		pop3_conn_free(x[i].c);
	pop3_spares_free(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_spares),
		cmocka_unit_test(test_free_while_open),
		cmocka_unit_test(test_listing_spares),
	};
	return cmocka_run_group_tests_name("pop3_spares", tests, NULL, NULL);
}
