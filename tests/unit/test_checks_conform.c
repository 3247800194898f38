/*
 * test_checks_conform.c - the session rules on the protocol itself
 * (src/session/checks_conform.c and the notices): framing, reply syntax,
 * commands in the wrong state, CAPA, STLS, the AUTH exchange, the
 * server's notices, clear-text credentials, cut sessions and slow
 * replies. Fixture: helpers/checks_fx.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/checks_fx.h"

static void flagged(struct fx *x, enum pop3_cmd c, const char *args, enum pop3_status st,
		    uint32_t flags)
{
	struct pop3_txn t = cfx_mk(x, c, args, st, "");
	t.flags = flags;
	t.multiline = (flags & (POP3_TF_NO_TERMINATOR | POP3_TF_DOT_CR_NO_LF |
				POP3_TF_UNSTUFFED_DOT)) != 0;
	t.terminated = t.multiline && !(flags & POP3_TF_NO_TERMINATOR);
	cfx_run(x, &t);
}

static void test_multiline_framing(void **state)
{
	struct fx *x = *state;
	flagged(x, POP3_CMD_LIST, NULL, POP3_ST_OK, POP3_TF_NO_TERMINATOR);
	cfx_expect(x, R_MULTILINE_FRAMING, SEV_ERROR, "reply to LIST had no terminating");
	cfx_session(x);
	x->nf = 0;
	flagged(x, POP3_CMD_RETR, "1", POP3_ST_OK, POP3_TF_DOT_CR_NO_LF);
	cfx_expect(x, R_MULTILINE_FRAMING, SEV_ERROR, "ended with \".\\r\" without LF");
	cfx_session(x);
	x->nf = 0;
	flagged(x, POP3_CMD_TOP, "1 0", POP3_ST_OK, POP3_TF_UNSTUFFED_DOT);
	cfx_expect(x, R_MULTILINE_FRAMING, SEV_ERROR, "not dot-stuffed");
}

static void test_reply_syntax(void **state)
{
	struct fx *x = *state;
	struct pop3_txn g = cfx_mk(x, POP3_CMD_NONE, NULL, POP3_ST_BAD, "garbage");
	cfx_run(x, &g);
	cfx_expect(x, R_REPLY_SYNTAX, SEV_ERROR, "neither +OK nor -ERR");
	cfx_session(x);
	x->nf = 0;
	flagged(x, POP3_CMD_NOOP, NULL, POP3_ST_OK, POP3_TF_STATUS_LOWER);
	cfx_expect(x, R_REPLY_SYNTAX, SEV_ERROR, "lower case (+ok)");
	/* garbage after a gap is not judged */
	cfx_session(x);
	x->nf = 0;
	g.flags = POP3_TF_AFTER_GAP;
	cfx_run(x, &g);
	cfx_expect_none(x);
}

static void test_reply_and_command_too_long(void **state)
{
	struct fx *x = *state;
	flagged(x, POP3_CMD_NOOP, NULL, POP3_ST_OK, POP3_TF_REPLY_TOO_LONG | POP3_TF_CMD_TOO_LONG);
	cfx_expect(x, R_REPLY_TOO_LONG, SEV_WARNING, "longer than 512 octets");
	cfx_expect(x, R_COMMAND_TOO_LONG, SEV_WARNING, "longer than 255 octets");
	cfx_expect(x, R_REPLY_SYNTAX, SEV_ERROR, "longer than 512 octets");
}

static void test_wrong_state(void **state)
{
	struct fx *x = *state;
	struct pop3_txn t = cfx_mk(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "1 1");
	t.state_before = POP3_STATE_AUTHORIZATION;
	cfx_run(x, &t);
	cfx_expect(x, R_WRONG_STATE, SEV_ERROR, "STAT was answered +OK before login");
	cfx_session(x);
	x->nf = 0;
	cfx_cmd(x, POP3_CMD_USER, "bob", POP3_ST_OK, "");
	cfx_expect(x, R_WRONG_STATE, SEV_ERROR, "USER was answered +OK after login");
	/* refused: fine */
	cfx_session(x);
	x->nf = 0;
	cfx_cmd(x, POP3_CMD_USER, "bob", POP3_ST_ERR, "");
	cfx_expect_none(x);
}

static void test_capa_contradiction(void **state)
{
	struct fx *x = *state;
	struct pop3_txn c = cfx_mk(x, POP3_CMD_CAPA, NULL, POP3_ST_OK, "");
	c.multiline = c.terminated = true;
	c.caps = POP3_CAP_UIDL | POP3_CAP_TOP;
	cfx_run(x, &c);
	cfx_cmd(x, POP3_CMD_UIDL, NULL, POP3_ST_ERR, "not supported");
	cfx_expect(x, R_CAPA_CONTRADICTION, SEV_WARNING, "CAPA advertised UIDL, then the server refused UIDL");
}

static void test_capa_no_contradiction_for_other_state(void **state)
{
	struct fx *x = *state;
	struct pop3_txn c = cfx_mk(x, POP3_CMD_CAPA, NULL, POP3_ST_OK, "");
	c.multiline = c.terminated = true;
	c.caps = POP3_CAP_UIDL | POP3_CAP_TOP;
	c.state_before = POP3_STATE_AUTHORIZATION;
	cfx_run(x, &c);
	cfx_cmd(x, POP3_CMD_UIDL, NULL, POP3_ST_ERR, "not supported");
	cfx_cmd(x, POP3_CMD_TOP, "9 0", POP3_ST_ERR, "no such message");
	cfx_expect_none(x);
}

static void test_stls_not_honoured(void **state)
{
	struct fx *x = *state;
	x->ci.stls_cleartext = true;
	cfx_cmd(x, POP3_CMD_STLS, NULL, POP3_ST_OK, "");
	assert_null(cfx_find(x, R_STLS_NOT_HONOURED));
	cfx_cmd(x, POP3_CMD_CAPA, NULL, POP3_ST_ERR, "");
	cfx_expect(x, R_STLS_NOT_HONOURED, SEV_ERROR, "went on in clear text (CAPA)");
}

static void test_stls_twice(void **state)
{
	struct fx *x = *state;
	struct pop3_txn t = cfx_mk(x, POP3_CMD_STLS, NULL, POP3_ST_OK, "");
	t.state_before = POP3_STATE_AUTHORIZATION;
	cfx_run(x, &t);
	t.index++;
	cfx_run(x, &t);
	cfx_expect(x, R_STLS_NOT_HONOURED, SEV_ERROR, "STLS was accepted twice");
}

static void test_auth_exchange(void **state)
{
	struct fx *x = *state;
	struct pop3_txn t = cfx_mk(x, POP3_CMD_AUTH, "PLAIN", POP3_ST_ERR, "");
	t.state_before = POP3_STATE_AUTHORIZATION;
	t.flags = POP3_TF_AUTH_NOT_B64;
	cfx_run(x, &t);
	cfx_expect(x, R_AUTH_EXCHANGE, SEV_ERROR, "not base64");
	cfx_session(x);
	x->nf = 0;
	t.status = POP3_ST_OK;
	t.flags = POP3_TF_AUTH_CANCEL;
	cfx_run(x, &t);
	cfx_expect(x, R_AUTH_EXCHANGE, SEV_ERROR, "cancelled AUTH with \"*\" and the server answered +OK");
	/* cancel answered -ERR: correct */
	cfx_session(x);
	x->nf = 0;
	x->ci.tls = true;
	t.status = POP3_ST_ERR;
	cfx_run(x, &t);
	assert_null(cfx_find(x, R_AUTH_EXCHANGE));
}

static void test_notices(void **state)
{
	struct fx *x = *state;
	x->ci.tls = true;
	cfx_authz(x, POP3_CMD_PASS, "x", POP3_ST_ERR, "[IN-USE] maildrop locked");
	cfx_expect(x, R_IN_USE, SEV_NOTICE, "the maildrop was locked: PASS was refused");
	assert_null(cfx_find(x, R_LOGIN_FAILED)); /* locked is not a failed login */
	cfx_session(x);
	x->ci.tls = true;
	x->nf = 0;
	cfx_authz(x, POP3_CMD_PASS, "x", POP3_ST_ERR, "unable to lock maildrop");
	cfx_expect(x, R_IN_USE, SEV_NOTICE, "locked");
	cfx_session(x);
	x->ci.tls = true;
	x->nf = 0;
	cfx_authz(x, POP3_CMD_PASS, "x", POP3_ST_ERR, "[LOGIN-DELAY] wait");
	cfx_expect(x, R_LOGIN_DELAY, SEV_NOTICE, "too soon");
	cfx_expect(x, R_LOGIN_FAILED, SEV_NOTICE, "login failed for user \"alice\" (PASS)");
	cfx_authz(x, POP3_CMD_USER, "x", POP3_ST_ERR, "[SYS/PERM] gone");
	cfx_expect(x, R_SYS_PERM, SEV_NOTICE, "permanent server failure on USER");
	cfx_authz(x, POP3_CMD_APOP, "x y", POP3_ST_ERR, "[AUTH] bad");
	cfx_expect(x, R_AUTH_CODE, SEV_NOTICE, "([AUTH]) on APOP");
	struct pop3_txn g = cfx_mk(x, POP3_CMD_NONE, NULL, POP3_ST_ERR, "[SYS/TEMP] busy");
	g.keyword[0] = '\0';
	strcpy(g.code, "SYS/TEMP");
	cfx_run(x, &g);
	cfx_expect(x, R_SYS_TEMP, SEV_NOTICE, "temporary server failure on greeting");
	assert_null(cfx_find(x, R_CLEARTEXT_CREDS));
}

static void test_cleartext_credentials(void **state)
{
	struct fx *x = *state;
	cfx_authz(x, POP3_CMD_PASS, POP3_REDACTED, POP3_ST_OK, "");
	cfx_expect(x, R_CLEARTEXT_CREDS, SEV_NOTICE, "PASS without STLS");
	cfx_session(x);
	x->nf = 0;
	cfx_authz(x, POP3_CMD_AUTH, "login", POP3_ST_OK, "");
	cfx_expect(x, R_CLEARTEXT_CREDS, SEV_NOTICE, "AUTH without STLS");
	cfx_session(x);
	x->nf = 0;
	cfx_authz(x, POP3_CMD_AUTH, "CRAM-MD5", POP3_ST_OK, "");
	cfx_expect_none(x);
}

static void test_session_cut(void **state)
{
	struct fx *x = *state;
	checks_close(x->k, &x->ci, true, false, 5000, 5);
	cfx_expect(x, R_SESSION_CUT, SEV_NOTICE, "reset (RST) before QUIT");
	cfx_session(x);
	x->nf = 0;
	checks_close(x->k, &x->ci, false, true, 5000, 5);
	cfx_expect(x, R_SESSION_CUT, SEV_NOTICE, "bytes missing from the capture");
	/* a refused attempt (no bytes) and a RST after QUIT are no cut */
	cfx_session(x);
	x->nf = 0;
	x->ci.bytes[0] = x->ci.bytes[1] = 0;
	checks_close(x->k, &x->ci, true, false, 5000, 5);
	cfx_session(x);
	x->ci.quit_seen = true;
	checks_close(x->k, &x->ci, true, false, 5000, 5);
	cfx_expect_none(x);
}

static void test_slow_reply(void **state)
{
	struct fx *x = *state;
	x->o.slow_reply_us = 500;
	cfx_session(x);
	struct pop3_txn t = cfx_mk(x, POP3_CMD_NOOP, NULL, POP3_ST_OK, "");
	t.rep_ts_us = t.req_ts_us + 500; /* at the threshold: not slow */
	cfx_run(x, &t);
	assert_int_equal(x->nf, 0);
	t.rep_ts_us = t.req_ts_us + 501;
	cfx_run(x, &t);
	cfx_expect(x, R_SLOW_REPLY, SEV_NOTICE, "the reply to NOOP was slow");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_multiline_framing),
		T(test_reply_syntax),
		T(test_reply_and_command_too_long),
		T(test_wrong_state),
		T(test_capa_contradiction),
		T(test_capa_no_contradiction_for_other_state),
		T(test_stls_not_honoured),
		T(test_stls_twice),
		T(test_auth_exchange),
		T(test_notices),
		T(test_cleartext_credentials),
		T(test_session_cut),
		T(test_slow_reply),
	};
	return cmocka_run_group_tests_name("checks_conform", tests, NULL, NULL);
}
