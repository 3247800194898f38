/*
 * test_pop3_dissect_auth.c - the POP3 dissector on logins and encryption:
 * secrets redacted (and shown only when asked), the SASL exchanges of
 * AUTH, STLS accepted or refused, TLS from the first byte.
 * Fixture: helpers/dissect_fx.c.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/dissect_fx.h"

/* No secret may survive anywhere in what the dissector hands on. */
static void assert_no_secret(struct fx *x, const char *secret)
{
	for (int i = 0; i < x->n; i++) {
		const char *p = (const char *)&x->tx[i].t;
		assert_null(memmem(p, sizeof(x->tx[i].t), secret, strlen(secret)));
	}
	const struct pop3_conn_info *ci = dfx_info(x);
	assert_null(memmem(ci, sizeof(*ci), secret, strlen(secret)));
}

static void test_redaction(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "USER alice\r\nPASS hunter2\r\n");
	dfx_srv(x, "+OK\r\n-ERR bad\r\n");
	dfx_cli(x, "AUTH PLAIN AGFsaWNlAGh1bnRlcjI=\r\n");
	dfx_srv(x, "-ERR bad\r\n");
	dfx_cli(x, "APOP alice 0f0e0d0c0b0a09080706050403020100\r\n");
	dfx_srv(x, "-ERR bad\r\n");
	assert_int_equal(x->n, 5);
	assert_string_equal(dfx_tx(x, 1)->args, "alice");
	assert_false(dfx_tx(x, 1)->secret);
	assert_string_equal(dfx_tx(x, 2)->args, POP3_REDACTED);
	assert_true(dfx_tx(x, 2)->secret);
	assert_string_equal(dfx_tx(x, 3)->args, "PLAIN " POP3_REDACTED);
	assert_true(dfx_tx(x, 3)->secret);
	assert_string_equal(dfx_tx(x, 4)->args, "alice " POP3_REDACTED);
	assert_true(dfx_tx(x, 4)->secret);
	assert_string_equal(dfx_info(x)->user, "alice");
	assert_no_secret(x, "hunter2");
	assert_no_secret(x, "AGFsaWNlAGh1bnRlcjI=");
	assert_no_secret(x, "0f0e0d0c0b0a0908");
}

static void test_show_secrets(void **state)
{
	(void)state;
	struct fx *x = dfx_new(true, false, false);
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "PASS hunter2\r\nAUTH PLAIN AGFsaWNlAGh1bnRlcjI=\r\n");
	dfx_srv(x, "-ERR\r\n-ERR\r\n");
	assert_string_equal(dfx_tx(x, 1)->args, "hunter2");
	assert_false(dfx_tx(x, 1)->secret);
	assert_string_equal(dfx_tx(x, 2)->args, "PLAIN AGFsaWNlAGh1bnRlcjI=");
	dfx_free(x);
}

static void test_auth_plain_continuation(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "AUTH PLAIN\r\n");
	dfx_srv(x, "+ \r\n");
	assert_int_equal(x->n, 1); /* the exchange is still open */
	dfx_cli(x, "AGFsaWNlAGh1bnRlcjI=\r\n");
	dfx_srv(x, "+OK logged in\r\n");
	assert_int_equal(x->n, 2);
	const struct pop3_txn *t = dfx_tx(x, 1);
	assert_int_equal(t->cmd, POP3_CMD_AUTH);
	assert_string_equal(t->args, "PLAIN");
	assert_int_equal(t->status, POP3_ST_OK);
	assert_int_equal(t->auth_steps, 1);
	assert_int_equal(t->flags, 0);
	assert_int_equal(t->state_before, POP3_STATE_AUTHORIZATION);
	assert_int_equal(dfx_info(x)->state, POP3_STATE_TRANSACTION);
	assert_true(dfx_info(x)->login_seen);
	assert_string_equal(dfx_info(x)->user, "alice"); /* from the PLAIN response */
	assert_no_secret(x, "AGFsaWNlAGh1bnRlcjI=");
}

static void test_auth_login_two_steps(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "AUTH LOGIN\r\n");
	dfx_srv(x, "+ VXNlcm5hbWU6\r\n");
	dfx_cli(x, "YWxpY2U=\r\n");
	dfx_srv(x, "+ UGFzc3dvcmQ6\r\n");
	dfx_cli(x, "aHVudGVyMg==\r\n");
	dfx_srv(x, "-ERR [AUTH] no\r\n");
	assert_int_equal(x->n, 2);
	assert_int_equal(dfx_tx(x, 1)->auth_steps, 2);
	assert_int_equal(dfx_tx(x, 1)->status, POP3_ST_ERR);
	assert_string_equal(dfx_tx(x, 1)->code, "AUTH");
	assert_int_equal(dfx_tx(x, 1)->flags, 0);
	assert_int_equal(dfx_info(x)->state, POP3_STATE_AUTHORIZATION);
	assert_string_equal(dfx_info(x)->user, "alice"); /* LOGIN: the first response only */
}

/* The user of AUTH PLAIN with an initial response: the authzid when the
 * client gives one (RFC 4616: the identity to act as), else the authcid;
 * nothing from a response without a user, and never the password. */
static void test_auth_plain_user(void **state)
{
	(void)state;
	struct fx *x = dfx_new(false, false, false);
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "auth plain Ym9iAGFsaWNlAHB3\r\n");
	dfx_srv(x, "-ERR\r\n");
	assert_string_equal(dfx_info(x)->user, "bob");
	assert_string_equal(dfx_tx(x, 1)->args, "plain " POP3_REDACTED);
	dfx_free(x);
	x = dfx_new(false, false, false);
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "AUTH PLAIN AABwdw==\r\nAUTH CRAM-MD5 Ym9iIGQ0MWQ4Y2Q5OGYwMGIyMDRlOTgwMDk5OGVjZjg0Mjdl\r\n");
	dfx_srv(x, "-ERR\r\n-ERR\r\n");
	assert_string_equal(dfx_info(x)->user, "");
	dfx_free(x);
}

static void test_auth_cancel_and_not_base64(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "AUTH PLAIN\r\n");
	dfx_srv(x, "+ \r\n");
	dfx_cli(x, "*\r\n");
	dfx_srv(x, "-ERR cancelled\r\n");
	assert_int_equal(x->n, 2);
	assert_int_equal(dfx_tx(x, 1)->flags, POP3_TF_AUTH_CANCEL);
	assert_int_equal(dfx_tx(x, 1)->status, POP3_ST_ERR);
	/* a challenge that is not base64 */
	dfx_cli(x, "AUTH LOGIN\r\n");
	dfx_srv(x, "+ Username:\r\n");
	dfx_cli(x, "YWxpY2U=\r\n");
	dfx_srv(x, "-ERR\r\n");
	assert_int_equal(x->n, 3);
	assert_int_equal(dfx_tx(x, 2)->flags, POP3_TF_AUTH_NOT_B64);
	/* a client response that is not base64 */
	dfx_cli(x, "AUTH LOGIN\r\n");
	dfx_srv(x, "+ VXNlcm5hbWU6\r\n");
	dfx_cli(x, "alice\r\n");
	dfx_srv(x, "-ERR\r\n");
	assert_int_equal(x->n, 4);
	assert_int_equal(dfx_tx(x, 3)->flags, POP3_TF_AUTH_NOT_B64);
	/* the continuation lines never became commands */
	assert_int_equal(dfx_info(x)->unanswered, 0);
	assert_int_equal(dfx_info(x)->unsolicited, 0);
}

static void test_stls_then_tls(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "STLS\r\n");
	dfx_srv(x, "+OK begin TLS\r\n");
	assert_int_equal(x->n, 2);
	assert_true(dfx_info(x)->stls_accepted);
	dfx_feed(x, 0, "\x16\x03\x01\x00\x05hello", 10);
	dfx_feed(x, 1, "\x16\x03\x03\x00\x02hi", 7);
	dfx_srv(x, "+OK looks like text\r\n");
	dfx_cli(x, "QUIT\r\n");
	dfx_finish(x);
	assert_int_equal(x->n, 2);
	assert_true(dfx_info(x)->tls);
	assert_false(dfx_info(x)->stls_cleartext);
	assert_int_equal(dfx_info(x)->state, POP3_STATE_TLS);
	assert_int_equal(dfx_info(x)->tls_bytes[0], 10 + 6);
	assert_int_equal(dfx_info(x)->tls_bytes[1], 7 + 21);
}

static void test_stls_then_cleartext(void **state)
{
	struct fx *x = *state;
	dfx_srv(x, "+OK\r\n");
	dfx_cli(x, "STLS\r\n");
	dfx_srv(x, "+OK begin TLS\r\n");
	dfx_cli(x, "USER alice\r\n");
	dfx_srv(x, "+OK\r\n");
	assert_true(dfx_info(x)->stls_cleartext);
	assert_false(dfx_info(x)->tls);
	assert_int_equal(x->n, 3);
	assert_int_equal(dfx_tx(x, 2)->cmd, POP3_CMD_USER);
}

static void test_tls_first_bytes(void **state)
{
	struct fx *x = *state;
	dfx_feed(x, 1, "\x16\x03\x03\x00\x10serverhello....", 21);
	dfx_srv(x, "+OK\r\n");
	dfx_finish(x);
	assert_true(dfx_info(x)->tls);
	assert_int_equal(dfx_info(x)->state, POP3_STATE_TLS);
	assert_int_equal(x->n, 0);
	assert_int_equal(dfx_info(x)->tls_bytes[1], 26);
	/* port 995 */
	struct fx *y = dfx_new(false, true, false);
	assert_true(dfx_info(y)->tls);
	dfx_srv(y, "+OK\r\n");
	dfx_finish(y);
	assert_int_equal(y->n, 0);
	dfx_free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_plain_user),
		cmocka_unit_test_setup_teardown(test_redaction, dfx_setup, dfx_teardown),
		cmocka_unit_test(test_show_secrets),
		cmocka_unit_test_setup_teardown(test_auth_plain_continuation, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_login_two_steps, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_auth_cancel_and_not_base64, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_stls_then_tls, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_stls_then_cleartext, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_tls_first_bytes, dfx_setup, dfx_teardown),
	};
	return cmocka_run_group_tests_name("pop3_dissect_auth", tests, NULL, NULL);
}
