/*
 * test_pop3_dissect_gaps.c - the POP3 dissector on what capture loses or
 * bends: gaps in either direction and the resync after them, mid-stream
 * starts, over-long lines, the pending-command cap during listings, and
 * the RETR body's fast path against the byte-wise one.
 * Fixture: helpers/dissect_fx.c.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/dissect_fx.h"

static void test_server_gap_mid_retr(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "RETR 1\r\nNOOP\r\n");
	dfx_srv(x, "+OK\r\nline one\r\npart");
	dfx_gap(x, 1, 500);
	assert_int_equal(x->n, b + 1);
	assert_int_equal(dfx_tx(x, b)->cmd, POP3_CMD_RETR);
	assert_int_equal(dfx_tx(x, b)->flags & POP3_TF_CUT, POP3_TF_CUT);
	assert_false(dfx_tx(x, b)->terminated);
	assert_int_equal(dfx_tx(x, b)->data_lines, 2); /* "line one" and the cut "part" */
	dfx_srv(x, "of the body\r\n+OK not a reply, mail text\r\n");
	/* resync: "+OK ..." at a line start after the gap is taken as a reply */
	assert_int_equal(x->n, b + 2);
	assert_int_equal(dfx_tx(x, b + 1)->cmd, POP3_CMD_NOOP);
	assert_int_equal(dfx_tx(x, b + 1)->flags, POP3_TF_AFTER_GAP);
	assert_int_equal(dfx_info(x)->gaps[1], 1);
	assert_int_equal(dfx_info(x)->gap_bytes[1], 500);
	assert_int_equal(dfx_info(x)->resyncs, 1);
	/* pairing is trusted again once the FIFO drained */
	dfx_cli(x, "STAT\r\n");
	dfx_srv(x, "+OK 1 5\r\n");
	assert_int_equal(dfx_tx(x, b + 2)->flags, 0);
}

static void test_server_gap_resync_at_dot(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "RETR 1\r\nSTAT\r\n");
	dfx_srv(x, "+OK\r\nline\r\n");
	dfx_gap(x, 1, 100);
	dfx_srv(x, "body\r\n.\r\n+OK 1 50\r\n");
	assert_int_equal(x->n, b + 2);
	assert_int_equal(dfx_tx(x, b)->flags, POP3_TF_CUT);
	assert_int_equal(dfx_tx(x, b + 1)->cmd, POP3_CMD_STAT);
	assert_string_equal(dfx_tx(x, b + 1)->text, "1 50");
	assert_int_equal(dfx_tx(x, b + 1)->flags, POP3_TF_AFTER_GAP);
}

/* A 1 MB client line without CRLF: only POP3_LINE_BUF of it is kept. */
static void test_huge_client_line(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	static char chunk[65536];
	memset(chunk, 'A', sizeof(chunk));
	memcpy(chunk, "NOOP ", 5);
	dfx_feed(x, 0, chunk, 5);
	memset(chunk, 'A', 5);
	struct mallinfo2 before = mallinfo2();
	for (int i = 0; i < 16; i++)
		dfx_feed(x, 0, chunk, sizeof(chunk));
	struct mallinfo2 after = mallinfo2();
	/* (ASan's allocator does not show in mallinfo2: this holds trivially there) */
	assert_true(after.uordblks <= before.uordblks + 4 * POP3_LINE_BUF);
	assert_int_equal(x->n, 1);
	assert_int_equal(dfx_info(x)->bytes[0], 5 + 16 * 65536);
	dfx_cli(x, "\r\n");
	assert_int_equal(dfx_info(x)->long_lines[0], 1);
	dfx_srv(x, "-ERR line too long\r\n");
	assert_int_equal(x->n, 2);
	assert_int_equal(dfx_tx(x, 1)->cmd, POP3_CMD_NOOP);
	assert_int_equal(dfx_tx(x, 1)->flags, POP3_TF_CMD_TOO_LONG | POP3_TF_LINE_TRUNCATED);
	assert_true(strlen(dfx_tx(x, 1)->args) <= POP3_ARGS_MAX);
	/* and without any line end: counted at the end */
	dfx_feed(x, 0, chunk, sizeof(chunk));
	dfx_finish(x);
	assert_int_equal(dfx_info(x)->long_lines[0], 2);
	assert_int_equal(x->n, 3);
	assert_int_equal(dfx_tx(x, 2)->flags, POP3_TF_UNANSWERED | POP3_TF_CMD_TOO_LONG |
						  POP3_TF_LINE_TRUNCATED);
}

static void test_midstream(void **state)
{
	(void)state;
	struct fx *x = dfx_new(false, false, true);
	assert_int_equal(dfx_info(x)->state, POP3_STATE_UNKNOWN);
	dfx_srv(x, "1 100\r\n.\r\n");
	dfx_cli(x, "STAT\r\n");
	dfx_srv(x, "+OK 1 100\r\n");
	assert_false(dfx_info(x)->greeted);
	assert_int_equal(dfx_info(x)->state, POP3_STATE_TRANSACTION); /* inferred */
	assert_int_equal(dfx_tx(x, x->n - 1)->cmd, POP3_CMD_STAT);
	assert_int_equal(dfx_tx(x, x->n - 1)->state_before, POP3_STATE_UNKNOWN);
	assert_false(dfx_info(x)->login_seen);
	dfx_free(x);
}

/* A client gap: a reply sent before the next seen command is not its. */
static void test_client_gap(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "NOOP\r\n");
	dfx_gap(x, 0, 6); /* "STAT\r\n" lost */
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "QUIT\r\n");
	dfx_srv(x, "+OK 1 5\r\n"); /* STAT's reply, sent after QUIT went out */
	dfx_srv(x, "+OK bye\r\n");
	assert_int_equal(x->n, b + 3);
	assert_int_equal(dfx_tx(x, b)->cmd, POP3_CMD_NOOP);
	assert_int_equal(dfx_tx(x, b)->flags, 0);
	/* the pairing after the lost command is uncertain: flagged either way */
	for (int i = b + 1; i < b + 3; i++)
		assert_true(dfx_tx(x, i)->flags & (POP3_TF_AFTER_GAP | POP3_TF_UNSOLICITED));
	assert_int_equal(dfx_info(x)->gaps[0], 1);
}

/* Client pipelining overflows the pending FIFO while a big listing streams. */
static void test_pending_overflow_during_listing(void **state)
{
	(void)state;
	/* Was a bug: emit() of the dropped (unanswered) command freed c->ent while the
	 * LIST listing in c->cur still uses it (ent_cap > 4096), so the next
	 * listing line writes through a NULL c->ent (SIGSEGV) and the LIST txn
	 * is handed on with entries == NULL, n_entries 5000. Input: "LIST\r\n",
	 * "+OK\r\n" + 5000 lines "i 100\r\n", then 65 x "NOOP\r\n" from the
	 * client, then "5001 100\r\n.\r\n". Fixed: only the open reply owns the
	 * listing buffers. */
	struct fx *x = dfx_new(false, false, false);
	dfx_greet_login(x);
	dfx_cli(x, "LIST\r\n");
	dfx_srv(x, "+OK\r\n");
	char line[32];
	for (int i = 1; i <= 5000; i++) {
		snprintf(line, sizeof(line), "%d 100\r\n", i);
		dfx_srv(x, line);
	}
	for (int i = 0; i < 65; i++)
		dfx_cli(x, "NOOP\r\n");
	dfx_srv(x, "5001 100\r\n.\r\n");
	const struct pop3_txn *t = dfx_tx(x, x->n - 1);
	assert_int_equal(t->cmd, POP3_CMD_LIST);
	assert_int_equal(t->n_entries, 5001);
	assert_int_equal(t->entries[5000].num, 5001);
	dfx_free(x);
}

/* The same during a UIDL listing: the uid arena must not be reset under it. */
static void test_pending_overflow_during_uidl(void **state)
{
	(void)state;
	struct fx *x = dfx_new(false, false, false);
	dfx_greet_login(x);
	dfx_cli(x, "UIDL\r\n");
	dfx_srv(x, "+OK\r\n1 first-uid\r\n");
	for (int i = 0; i < 65; i++)
		dfx_cli(x, "NOOP\r\n");
	dfx_srv(x, "2 second-uid\r\n.\r\n");
	int u = -1;
	for (int i = 0; i < x->n; i++)
		if (dfx_tx(x, i)->cmd == POP3_CMD_UIDL)
			u = i;
	assert_true(u >= 0);
	assert_int_equal(dfx_tx(x, u)->n_entries, 2);
	char first[80], second[80];
	snprintf(first, sizeof(first), "%s", x->tx[u].uid[0]);
	snprintf(second, sizeof(second), "%s", x->tx[u].uid[1]);
	assert_int_equal(dfx_info(x)->pending_dropped, 1);
	dfx_free(x);
	/* Was a bug: emitting the dropped command reset the open listing's uid
	 * arena, so entry 1 read "second-uid". */
	assert_string_equal(first, "first-uid");
	assert_string_equal(second, "second-uid");
}

/* A RETR body is counted by a fast loop over whole runs; fed byte by byte,
 * every line is one held across runs, and '.' lines take the line-by-line
 * path either way. Both must count the same: lines, octets after
 * unstuffing, stuffed dots, bare LFs, over-long lines, and where it ends. */
static void retr_session(struct fx *x, const char *body, size_t n, bool bytewise)
{
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "RETR 1\r\nNOOP\r\n");
	dfx_srv(x, "+OK message follows\r\n");
	if (bytewise)
		for (size_t i = 0; i < n; i++)
			dfx_feed(x, 1, body + i, 1);
	else
		dfx_feed(x, 1, body, n);
	dfx_srv(x, "+OK\r\n");
}

static void test_body_fast_path_same_counts(void **state)
{
	(void)state;
	static char body[8192];
	size_t n = 0;
#define ADD(s) (memcpy(body + n, s, strlen(s)), n += strlen(s))
	ADD("Subject: hi\r\n\r\nline one\r\n");
	ADD("bare lf line\n");
	ADD("..stuffed\r\n");
	ADD(".unstuffed\r\n");
	memset(body + n, 'L', 2000); /* longer than POP3_LINE_BUF */
	n += 2000;
	ADD("\r\n+OK not a status inside a message\r\nlast\r\n.\r\n");
#undef ADD
	struct fx *a = dfx_new(false, false, false), *b = dfx_new(false, false, false);
	retr_session(a, body, n, false);
	retr_session(b, body, n, true);
	assert_int_equal(a->n, 3);
	assert_int_equal(b->n, 3);
	const struct pop3_txn *ta = dfx_tx(a, 1), *tb = dfx_tx(b, 1);
	assert_int_equal(ta->cmd, POP3_CMD_RETR);
	assert_true(ta->terminated);
	assert_int_equal(ta->data_lines, 9);
	assert_int_equal(ta->data_lines, tb->data_lines);
	assert_int_equal(ta->data_octets, n - 3 - 1); /* minus ".\r\n", one stuffed dot */
	assert_int_equal(ta->data_octets, tb->data_octets);
	assert_int_equal(ta->data_stuffed, 1);
	assert_int_equal(tb->data_stuffed, 1);
	assert_int_equal(ta->flags, POP3_TF_BARE_LF | POP3_TF_UNSTUFFED_DOT);
	assert_int_equal(ta->flags, tb->flags);
	assert_int_equal(ta->end_frame, 4);
	assert_int_equal(dfx_tx(a, 2)->cmd, POP3_CMD_NOOP);
	assert_int_equal(dfx_tx(a, 2)->status, POP3_ST_OK);
	assert_int_equal(dfx_tx(b, 2)->status, POP3_ST_OK);
	assert_int_equal(dfx_info(a)->lines[1], dfx_info(b)->lines[1]);
	assert_int_equal(dfx_info(a)->bare_lf[1], 1);
	assert_int_equal(dfx_info(b)->bare_lf[1], 1);
	assert_int_equal(dfx_info(a)->long_lines[1], 1);
	assert_int_equal(dfx_info(b)->long_lines[1], 1);
	dfx_free(a);
	dfx_free(b);
}

/* A body line split across runs is counted when its LF arrives, but it
 * began in an earlier frame: a reply cut after it ends where that line
 * began, as on the line-by-line path. */
static void test_body_split_line_end_frame(void **state)
{
	(void)state;
	/* frames: 1 +OK, 2 RETR, 3 +OK, 4 "one..tw", 5 "o\r\n", 6 gap */
	struct fx *x = dfx_new(false, false, false);
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "RETR 1\r\n");
	dfx_srv(x, "+OK message follows\r\n");
	dfx_srv(x, "one\r\ntw");
	dfx_srv(x, "o\r\n");
	dfx_gap(x, 1, 100);
	assert_int_equal(x->n, 2);
	assert_int_equal(dfx_tx(x, 1)->data_lines, 2);
	assert_int_equal(dfx_tx(x, 1)->data_octets, 10);
	assert_int_equal(dfx_tx(x, 1)->end_frame, 4);
	assert_true(dfx_tx(x, 1)->flags & POP3_TF_CUT);
	dfx_free(x);

	/* the same with a whole line after it in the run: ends in that run */
	x = dfx_new(false, false, false);
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "RETR 1\r\n");
	dfx_srv(x, "+OK message follows\r\n");
	dfx_srv(x, "one\r\ntw");
	dfx_srv(x, "o\r\nthree\r\n");
	dfx_gap(x, 1, 100);
	assert_int_equal(x->n, 2);
	assert_int_equal(dfx_tx(x, 1)->data_lines, 3);
	assert_int_equal(dfx_tx(x, 1)->data_octets, 17);
	assert_int_equal(dfx_tx(x, 1)->end_frame, 5);
	dfx_free(x);

	/* a line held over three runs, its CR in the second, its LF alone in
	 * the third; then the terminator */
	x = dfx_new(false, false, false);
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "RETR 1\r\n");
	dfx_srv(x, "+OK message follows\r\n");
	dfx_srv(x, "one\r\ntw");
	dfx_srv(x, "o\r");
	dfx_srv(x, "\n.\r\n");
	assert_int_equal(x->n, 2);
	assert_true(dfx_tx(x, 1)->terminated);
	assert_int_equal(dfx_tx(x, 1)->data_lines, 2);
	assert_int_equal(dfx_tx(x, 1)->flags & POP3_TF_BARE_LF, 0);
	assert_int_equal(dfx_tx(x, 1)->end_frame, 6);
	assert_int_equal(dfx_info(x)->bare_lf[1], 0);
	dfx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_fast_path_same_counts),
		cmocka_unit_test(test_body_split_line_end_frame),
		cmocka_unit_test_setup_teardown(test_server_gap_mid_retr, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_server_gap_resync_at_dot, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_huge_client_line, dfx_setup, dfx_teardown),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test_setup_teardown(test_client_gap, dfx_setup, dfx_teardown),
		cmocka_unit_test(test_pending_overflow_during_listing),
		cmocka_unit_test(test_pending_overflow_during_uidl),
	};
	return cmocka_run_group_tests_name("pop3_dissect_gaps", tests, NULL, NULL);
}
