/*
 * test_pop3_dissect.c - the POP3 dissector (src/pop3/pop3_dissect.c),
 * driven through pop3_conn_new/pop3_feed/pop3_gap/pop3_finish with a
 * recording transaction callback that deep-copies every transaction
 * (helpers/dissect_fx.c): the greeting, every command, listings,
 * dot-stuffing and the terminator, pipelining, unanswered, unsolicited and
 * malformed replies. AUTH, STLS and secrets: test_pop3_dissect_auth.c;
 * gaps, mid-stream starts, overflow and the body's fast path:
 * test_pop3_dissect_gaps.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/dissect_fx.h"

static void test_greeting_apop_timestamp(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
	assert_int_equal(x->n, 1);
	assert_int_equal(dfx_tx(x, 0)->cmd, POP3_CMD_NONE);
	assert_int_equal(dfx_tx(x, 0)->status, POP3_ST_OK);
	assert_int_equal(dfx_tx(x, 0)->index, 0);
	assert_int_equal(dfx_tx(x, 0)->flags, 0);
	assert_string_equal(dfx_tx(x, 0)->text, "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
	assert_int_equal(dfx_tx(x, 0)->first_line_len, 57);
	assert_true(dfx_info(x)->greeted);
	assert_string_equal(dfx_info(x)->apop_ts, "<1896.697170952@dbc.mtview.ca.us>");
	assert_string_equal(dfx_info(x)->banner, "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
	assert_int_equal(dfx_info(x)->state, POP3_STATE_AUTHORIZATION);
	dfx_cli(x, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
	dfx_srv(x, "+OK mrose's maildrop has 2 messages (320 octets)\r\n");
	assert_int_equal(x->n, 2);
	assert_int_equal(dfx_tx(x, 1)->cmd, POP3_CMD_APOP);
	assert_string_equal(dfx_tx(x, 1)->args, "mrose " POP3_REDACTED);
	assert_true(dfx_tx(x, 1)->secret);
	assert_string_equal(dfx_info(x)->user, "mrose");
	assert_int_equal(dfx_info(x)->state, POP3_STATE_TRANSACTION);
	assert_true(dfx_info(x)->login_seen);
}

struct cmd_case {
	const char *line;
	const char *reply;
	enum pop3_cmd cmd;
	const char *kw;
	bool multiline;
};

static void test_every_command(void **state)
{
	(void)state;
	static const struct cmd_case cases[] = {
		{ "USER a\r\n", "+OK\r\n", POP3_CMD_USER, "USER", false },
		{ "PASS b\r\n", "+OK\r\n", POP3_CMD_PASS, "PASS", false },
		{ "APOP a 0123\r\n", "+OK\r\n", POP3_CMD_APOP, "APOP", false },
		{ "AUTH PLAIN AGEAYg==\r\n", "+OK\r\n", POP3_CMD_AUTH, "AUTH", false },
		{ "AUTH\r\n", "+OK\r\nPLAIN\r\n.\r\n", POP3_CMD_AUTH, "AUTH", true },
		{ "STLS\r\n", "-ERR not now\r\n", POP3_CMD_STLS, "STLS", false },
		{ "CAPA\r\n", "+OK\r\nUIDL\r\n.\r\n", POP3_CMD_CAPA, "CAPA", true },
		{ "STAT\r\n", "+OK 1 2\r\n", POP3_CMD_STAT, "STAT", false },
		{ "LIST\r\n", "+OK\r\n1 2\r\n.\r\n", POP3_CMD_LIST, "LIST", true },
		{ "LIST 1\r\n", "+OK 1 2\r\n", POP3_CMD_LIST, "LIST", false },
		{ "UIDL\r\n", "+OK\r\n1 a\r\n.\r\n", POP3_CMD_UIDL, "UIDL", true },
		{ "UIDL 1\r\n", "+OK 1 a\r\n", POP3_CMD_UIDL, "UIDL", false },
		{ "RETR 1\r\n", "+OK\r\nx\r\n.\r\n", POP3_CMD_RETR, "RETR", true },
		{ "TOP 1 0\r\n", "+OK\r\nx\r\n.\r\n", POP3_CMD_TOP, "TOP", true },
		{ "DELE 1\r\n", "+OK\r\n", POP3_CMD_DELE, "DELE", false },
		{ "RSET\r\n", "+OK\r\n", POP3_CMD_RSET, "RSET", false },
		{ "NOOP\r\n", "+OK\r\n", POP3_CMD_NOOP, "NOOP", false },
		{ "LAST\r\n", "+OK 0\r\n", POP3_CMD_LAST, "LAST", false },
		{ "XTND XMIT\r\n", "+OK\r\n", POP3_CMD_XTND, "XTND", false },
		{ "QUIT\r\n", "+OK bye\r\n", POP3_CMD_QUIT, "QUIT", false },
		{ "quit\r\n", "+OK bye\r\n", POP3_CMD_QUIT, "QUIT", false },
		{ "tOp 1 0\r\n", "+OK\r\nx\r\n.\r\n", POP3_CMD_TOP, "TOP", true },
		{ "ToPs 1\r\n", "+OK\r\n", POP3_CMD_UNKNOWN, "TOPS", false },
		{ "st@t\r\n", "+OK\r\n", POP3_CMD_UNKNOWN, "ST@T", false },
		{ "XYZZY plugh\r\n", "+OK nothing happens\r\n", POP3_CMD_UNKNOWN, "XYZZY", false },
		{ "RETR 1\r\n", "-ERR no\r\n", POP3_CMD_RETR, "RETR", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx *x = dfx_new(false, false, false);
		dfx_srv(x, "+OK\r\n");
		dfx_cli(x, cases[i].line);
		dfx_srv(x, cases[i].reply);
		dfx_cli(x, "NOOP\r\n");
		dfx_srv(x, "+OK after\r\n");
		if (x->n != 3)
			print_error("case %s: %d txns\n", cases[i].line, x->n);
		assert_int_equal(x->n, 3);
		assert_int_equal(dfx_tx(x, 1)->cmd, cases[i].cmd);
		assert_string_equal(dfx_tx(x, 1)->keyword, cases[i].kw);
		assert_int_equal(dfx_tx(x, 1)->multiline, cases[i].multiline);
		assert_int_equal(dfx_tx(x, 1)->terminated, cases[i].multiline);
		assert_int_equal(dfx_tx(x, 1)->flags, 0);
		assert_int_equal(dfx_tx(x, 2)->cmd, POP3_CMD_NOOP);
		assert_string_equal(dfx_tx(x, 2)->text, "after");
		dfx_free(x);
	}
}

/* A NUL in wire text becomes SUB (0x1A) wherever it is, in texts short
 * and long (the copy goes a run at a time), arguments and unique-ids. */
static void test_nul_becomes_sub(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	static const char cli[] = "NOOP a\0b\r\n";
	dfx_feed(x, 0, cli, sizeof cli - 1);
	static const char r1[] = "+OK \0\0x\0\r\n";
	dfx_feed(x, 1, r1, sizeof r1 - 1);
	dfx_cli(x, "NOOP\r\n");
	static const char r2[] = "+OK 0123456789abcdef\0ghijklmnopqrstuvwxyz0123456789\0\r\n";
	dfx_feed(x, 1, r2, sizeof r2 - 1);
	dfx_cli(x, "UIDL\r\n");
	static const char r3[] = "+OK\r\n1 ab\0cd\r\n.\r\n";
	dfx_feed(x, 1, r3, sizeof r3 - 1);
	assert_int_equal(x->n, b + 3);
	assert_string_equal(dfx_tx(x, b)->args, "a\x1a" "b");
	assert_string_equal(dfx_tx(x, b)->text, "\x1a\x1a" "x\x1a");
	assert_string_equal(dfx_tx(x, b + 1)->text,
			    "0123456789abcdef\x1a" "ghijklmnopqrstuvwxyz0123456789\x1a");
	assert_int_equal(dfx_tx(x, b + 2)->n_entries, 1);
	assert_string_equal(x->tx[b + 2].uid[0], "ab\x1a" "cd");
}

static void test_list_uidl_with_and_without_arg(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "LIST 2\r\n");
	dfx_srv(x, "+OK 2 200\r\n");
	dfx_cli(x, "LIST\r\n");
	dfx_srv(x, "+OK 2 messages\r\n1 100\r\n2 200\r\n.\r\n");
	dfx_cli(x, "UIDL 1\r\n");
	dfx_srv(x, "+OK 1 uid-one\r\n");
	dfx_cli(x, "UIDL\r\n");
	dfx_srv(x, "+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n");
	assert_int_equal(x->n, b + 4);
	const struct pop3_txn *t = dfx_tx(x, b);
	assert_false(t->multiline);
	assert_true(t->has_msgnum);
	assert_int_equal(t->msgnum, 2);
	assert_int_equal(t->n_entries, 1);
	assert_int_equal(t->entries[0].num, 2);
	assert_int_equal(t->entries[0].size, 200);
	t = dfx_tx(x, b + 1);
	assert_true(t->multiline);
	assert_true(t->terminated);
	assert_int_equal(t->data_lines, 2);
	assert_int_equal(t->n_entries, 2);
	assert_int_equal(t->entries[1].num, 2);
	assert_int_equal(t->entries[1].size, 200);
	assert_string_equal(t->text, "2 messages");
	t = dfx_tx(x, b + 2);
	assert_false(t->multiline);
	assert_int_equal(t->n_entries, 1);
	assert_int_equal(t->entries[0].num, 1);
	assert_string_equal(x->tx[b + 2].uid[0], "uid-one");
	t = dfx_tx(x, b + 3);
	assert_true(t->multiline);
	assert_int_equal(t->n_entries, 2);
	assert_string_equal(x->tx[b + 3].uid[0], "uid-one");
	assert_string_equal(x->tx[b + 3].uid[1], "uid-two");
	assert_int_equal(t->entries[1].flags, 0);
}

static void test_retr_dot_stuffing(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "RETR 1\r\n");
	dfx_srv(x, "+OK 34 octets\r\nSubject: x\r\n..leading dot\r\n\r\nbody\r\n.\r\n");
	assert_int_equal(x->n, b + 1);
	const struct pop3_txn *t = dfx_tx(x, b);
	assert_int_equal(t->cmd, POP3_CMD_RETR);
	assert_int_equal(t->msgnum, 1);
	assert_true(t->multiline);
	assert_true(t->terminated);
	assert_int_equal(t->data_lines, 4);
	assert_int_equal(t->data_octets, 12 + 14 + 2 + 6);
	assert_int_equal(t->data_stuffed, 1);
	assert_int_equal(t->flags, 0);
	assert_string_equal(t->text, "34 octets");
	/* the body lines never became replies */
	dfx_cli(x, "NOOP\r\n");
	dfx_srv(x, "+OK\r\n");
	assert_int_equal(x->n, b + 2);
	assert_int_equal(dfx_tx(x, b + 1)->flags, 0);
	/* a body line that looks like a status line stays body */
	dfx_cli(x, "TOP 2 5\r\n");
	dfx_srv(x, "+OK\r\n+OK this is mail\r\n-ERR also mail\r\n.\r\n");
	assert_int_equal(x->n, b + 3);
	assert_int_equal(dfx_tx(x, b + 2)->data_lines, 2);
	assert_int_equal(dfx_tx(x, b + 2)->arg2, 5);
	assert_int_equal(dfx_tx(x, b + 2)->flags, 0);
}

static void test_dot_cr_without_lf(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "RETR 1\r\nNOOP\r\n");
	dfx_srv(x, "+OK\r\nline\r\n.\r+OK next\r\n");
	assert_int_equal(x->n, b + 2);
	assert_int_equal(dfx_tx(x, b)->cmd, POP3_CMD_RETR);
	assert_true(dfx_tx(x, b)->terminated);
	assert_int_equal(dfx_tx(x, b)->data_lines, 1);
	assert_int_equal(dfx_tx(x, b)->data_octets, 6);
	assert_int_equal(dfx_tx(x, b)->flags, POP3_TF_DOT_CR_NO_LF);
	assert_int_equal(dfx_tx(x, b + 1)->cmd, POP3_CMD_NOOP);
	assert_int_equal(dfx_tx(x, b + 1)->status, POP3_ST_OK);
	assert_string_equal(dfx_tx(x, b + 1)->text, "next");
	/* ".\r" as the very last bytes of the stream */
	dfx_cli(x, "LIST\r\n");
	dfx_srv(x, "+OK\r\n1 5\r\n.\r");
	dfx_finish(x);
	assert_int_equal(x->n, b + 3);
	assert_true(dfx_tx(x, b + 2)->terminated);
	assert_int_equal(dfx_tx(x, b + 2)->flags & POP3_TF_DOT_CR_NO_LF, POP3_TF_DOT_CR_NO_LF);
	assert_int_equal(dfx_tx(x, b + 2)->flags & POP3_TF_CUT, 0);
}

static void test_unstuffed_dot(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "RETR 1\r\n");
	dfx_srv(x, "+OK\r\n.bad\r\nok\r\n.\r\n");
	assert_int_equal(x->n, b + 1);
	assert_int_equal(dfx_tx(x, b)->flags, POP3_TF_UNSTUFFED_DOT);
	assert_int_equal(dfx_tx(x, b)->data_lines, 2);
	assert_int_equal(dfx_tx(x, b)->data_octets, 6 + 4);
}

static void test_no_terminator(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "LIST\r\nSTAT\r\nNOOP\r\n");
	dfx_srv(x, "+OK\r\n1 100\r\n+OK 1 100\r\n+OK\r\n");
	assert_int_equal(x->n, b + 3);
	const struct pop3_txn *t = dfx_tx(x, b);
	assert_int_equal(t->cmd, POP3_CMD_LIST);
	assert_int_equal(t->flags, POP3_TF_NO_TERMINATOR);
	assert_false(t->terminated);
	assert_int_equal(t->n_entries, 1);
	assert_int_equal(dfx_tx(x, b + 1)->cmd, POP3_CMD_STAT);
	assert_string_equal(dfx_tx(x, b + 1)->text, "1 100");
	assert_int_equal(dfx_tx(x, b + 1)->flags, 0);
	assert_int_equal(dfx_tx(x, b + 2)->cmd, POP3_CMD_NOOP);
}

static void test_pipelined(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "STAT\r\nLIST\r\nUIDL\r\n");
	dfx_srv(x, "+OK 2 300\r\n+OK\r\n1 100\r\n2 200\r\n.\r\n-ERR no UIDL\r\n");
	assert_int_equal(x->n, b + 3);
	assert_int_equal(dfx_tx(x, b)->cmd, POP3_CMD_STAT);
	assert_string_equal(dfx_tx(x, b)->text, "2 300");
	assert_int_equal(dfx_tx(x, b + 1)->cmd, POP3_CMD_LIST);
	assert_int_equal(dfx_tx(x, b + 1)->n_entries, 2);
	assert_int_equal(dfx_tx(x, b + 2)->cmd, POP3_CMD_UIDL);
	assert_int_equal(dfx_tx(x, b + 2)->status, POP3_ST_ERR);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dfx_tx(x, b + i)->flags, 0);
		assert_int_equal(dfx_tx(x, b + i)->index, (uint64_t)(b + i));
		assert_int_equal(dfx_tx(x, b + i)->state_before, POP3_STATE_TRANSACTION);
	}
}

static void test_unanswered_at_finish(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "STAT\r\nQUIT\r\n");
	dfx_finish(x);
	assert_int_equal(x->n, 3);
	assert_int_equal(dfx_tx(x, 1)->cmd, POP3_CMD_STAT);
	assert_int_equal(dfx_tx(x, 1)->flags, POP3_TF_UNANSWERED);
	assert_int_equal(dfx_tx(x, 1)->status, POP3_ST_NONE);
	assert_int_equal(dfx_tx(x, 2)->cmd, POP3_CMD_QUIT);
	assert_int_equal(dfx_info(x)->unanswered, 2);
}

static void test_unsolicited_and_garbage(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n+OK extra\r\n");
	assert_int_equal(x->n, 2);
	assert_int_equal(dfx_tx(x, 1)->flags, POP3_TF_UNSOLICITED);
	assert_int_equal(dfx_tx(x, 1)->cmd, POP3_CMD_NONE);
	assert_int_equal(dfx_info(x)->unsolicited, 1);
	dfx_cli(x, "NOOP\r\n");
	dfx_srv(x, "garbage here\r\n+OK\r\n");
	assert_int_equal(x->n, 4);
	assert_int_equal(dfx_tx(x, 2)->status, POP3_ST_BAD);
	assert_int_equal(dfx_tx(x, 2)->cmd, POP3_CMD_NONE);
	assert_string_equal(dfx_tx(x, 2)->text, "garbage here");
	assert_int_equal(dfx_tx(x, 3)->cmd, POP3_CMD_NOOP);
	assert_int_equal(dfx_tx(x, 3)->status, POP3_ST_OK);
	assert_int_equal(dfx_info(x)->garbage_lines, 1);
	/* a "+ " continuation outside AUTH is garbage too */
	dfx_cli(x, "NOOP\r\n");
	dfx_srv(x, "+ what\r\n+OK\r\n");
	assert_int_equal(dfx_tx(x, 4)->status, POP3_ST_BAD);
	assert_int_equal(dfx_tx(x, 5)->cmd, POP3_CMD_NOOP);
	assert_int_equal(dfx_info(x)->garbage_lines, 2);
}

static void test_reply_syntax_flags(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "NOOP\r\nNOOP\r\n");
	dfx_srv(x, "+ok lower\r\n+OK bare\n");
	assert_int_equal(dfx_tx(x, 1)->flags, POP3_TF_STATUS_LOWER);
	assert_int_equal(dfx_tx(x, 1)->status, POP3_ST_OK);
	assert_int_equal(dfx_tx(x, 2)->flags, POP3_TF_BARE_LF);
	assert_int_equal(dfx_info(x)->bare_lf[1], 1);
	/* a first line of 513 octets, a command of 256 */
	char line[600];
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	memcpy(line + 254, "\r\n", 3);
	dfx_cli(x, line);
	memset(line, 'x', sizeof(line));
	memcpy(line, "+OK ", 4);
	memcpy(line + 511, "\r\n", 3);
	dfx_srv(x, line);
	assert_int_equal(x->n, 4);
	assert_int_equal(dfx_tx(x, 3)->flags, POP3_TF_CMD_TOO_LONG | POP3_TF_REPLY_TOO_LONG);
	assert_int_equal(dfx_tx(x, 3)->first_line_len, 513);
	/* exactly at the limits: no flag */
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	memcpy(line + 253, "\r\n", 3);
	dfx_cli(x, line);
	memset(line, 'x', sizeof(line));
	memcpy(line, "+OK ", 4);
	memcpy(line + 510, "\r\n", 3);
	dfx_srv(x, line);
	assert_int_equal(dfx_tx(x, 4)->flags, 0);
}

/* Data lines after a reply that must be single-line. */
static void test_multiline_unexpected(void **state)
{
	struct fx *x = *state;
	dfx_greet_login(x);
	int b = x->n;
	dfx_cli(x, "LIST 1\r\n");
	dfx_srv(x, "+OK 1 100\r\n1 100\r\n.\r\n");
	uint32_t all = 0;
	for (int i = b; i < x->n; i++)
		all |= dfx_tx(x, i)->flags;
	/* Was a bug: the flag was never set; the data lines became garbage. */
	assert_true(all & POP3_TF_MULTI_UNEXPECTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_greeting_apop_timestamp, dfx_setup, dfx_teardown),
		cmocka_unit_test(test_every_command),
		cmocka_unit_test_setup_teardown(test_nul_becomes_sub, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_list_uidl_with_and_without_arg, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_retr_dot_stuffing, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_dot_cr_without_lf, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_unstuffed_dot, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_no_terminator, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_pipelined, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_at_finish, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_unsolicited_and_garbage, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_reply_syntax_flags, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_multiline_unexpected, dfx_setup, dfx_teardown),
	};
	return cmocka_run_group_tests_name("pop3_dissect", tests, NULL, NULL);
}
