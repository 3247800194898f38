/*
 * test_regress_pop3_listing.c - replays fuzz reproducers through the same
 * entry point as tests/fuzz/fuzz_pop3.c: a LIST/UIDL listing still open
 * when the client pipelines more than POP3_PENDING_MAX commands. Dropping
 * the oldest pending command emitted a transaction, which freed or reset
 * the open listing's entry array and uid arena (NULL + offset write, heap
 * over-read of uids). Fixed in b0cac0f; found again by fuzz_pop3.
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

struct seen {
	uint64_t txns;
	uint32_t uidl_entries;
	bool uids_ok;
};

static void on_txn(void *ctx, const struct pop3_txn *t)
{
	struct seen *s = ctx;
	s->txns++;
	if (t->cmd != POP3_CMD_UIDL)
		return;
	s->uidl_entries = t->n_entries;
	s->uids_ok = true;
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		if (e->uid_len && strnlen(t->uids + e->uid_off, e->uid_len + 1) != e->uid_len)
			s->uids_ok = false;
	}
}

static void feed(struct pop3_conn *c, int dir, const char *p, size_t n)
{
	char *exact = malloc(n);
	memcpy(exact, p, n);
	struct seg_meta m = { .frame = 1, .ts_us = 1 };
	pop3_feed(c, dir, (const uint8_t *)exact, n, &m);
	free(exact);
}

static void feeds(struct pop3_conn *c, int dir, const char *s)
{
	feed(c, dir, s, strlen(s));
}

/* n entries with uids of uidlen chars, 66 NOOPs, one more entry, ".". */
static void replay(unsigned n, unsigned uidlen)
{
	struct seen s = { 0, 0, false };
	struct pop3_opts o = { false, false, NULL };
	struct pop3_cb cb = { on_txn, &s };
	struct pop3_conn *c = pop3_conn_new(&o, &cb, false);
	feeds(c, 1, "+OK ready\r\n");
	feeds(c, 0, "USER a\r\n");
	feeds(c, 1, "+OK\r\n");
	feeds(c, 0, "PASS b\r\n");
	feeds(c, 1, "+OK\r\n");
	feeds(c, 0, "UIDL\r\n");
	feeds(c, 1, "+OK\r\n");
	char line[128], uid[80];
	for (unsigned i = 1; i <= n; i++) {
		snprintf(uid, sizeof(uid), "u%u", i);
		size_t l = strlen(uid);
		memset(uid + l, 'x', uidlen > l ? uidlen - l : 0);
		uid[uidlen > l ? uidlen : l] = '\0';
		snprintf(line, sizeof(line), "%u %s\r\n", i, uid);
		feeds(c, 1, line);
	}
	for (int i = 0; i < 66; i++)
		feeds(c, 0, "NOOP\r\n");
	snprintf(line, sizeof(line), "%u late\r\n.\r\n", n + 1);
	feeds(c, 1, line);
	struct seg_meta m = { .frame = 2, .ts_us = 2 };
	pop3_finish(c, &m);
	assert_true(s.uids_ok);
	assert_int_equal(s.uidl_entries, n + 1);
	assert_int_equal(pop3_conn_info(c)->pending_dropped, 2);
	pop3_conn_free(c);
}

/* tests/fuzz/crashes/pop3-entries-freed-mid-listing */
static void test_entries_freed_mid_listing(void **state)
{
	(void)state;
	replay(5000, 4);
}

/* tests/fuzz/crashes/pop3-uids-arena-freed-mid-listing */
static void test_uids_arena_freed_mid_listing(void **state)
{
	(void)state;
	replay(1000, 70);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_freed_mid_listing),
		cmocka_unit_test(test_uids_arena_freed_mid_listing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
