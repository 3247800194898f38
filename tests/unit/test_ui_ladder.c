/*
 * test_ui_ladder.c - the ladder of one session, the parts issue 23 asked
 * for: findings folded to one line each (worst first) and expanded one by
 * one; a command still waiting for its reply shown with how long it has
 * waited and the reply's lines so far; a mid-stream session labelled;
 * IPv6 endpoints in brackets and the start time in milliseconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_ui_events.h"
#include "../../src/ui/ui_view.h"

static size_t count(const struct ui_ladder *ld, enum ui_ll_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < ld->n; i++)
		n += ld->l[i].kind == k;
	return n;
}

static const struct ui_ll *find(const struct ui_ladder *ld, enum ui_ll_kind k, size_t nth)
{
	for (size_t i = 0; i < ld->n; i++)
		if (ld->l[i].kind == k && nth-- == 0)
			return &ld->l[i];
	return NULL;
}

static void findings_fold(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess a;
	uit_sess(&a, 1, "192.0.2.10", "bob");
	uit_open(m, &a);
	struct finding f;
	uit_finding(&f, R_LOGIN_FAILED, "PASS refused", 22, 2, "PASS -> -ERR");
	uit_flag(m, &a, &f);
	uit_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 32, 3, "STAT -> +OK 1 554");
	uit_flag(m, &a, &f);
	uit_finding(&f, R_RETR_SIZE, "LIST said 120 octets; RETR delivered 109", 52, 5, "RETR 1 -> +OK");
	uit_flag(m, &a, &f);
	const struct ui_session *s = ui_model_find(m, 1);
	assert_int_equal(ui_findings_lines(s), 3 * 3); /* finding, basis, one evidence line each */

	struct ui_expand x;
	memset(&x, 0, sizeof(x));
	struct ui_ladder ld = { 0 };
	/* unfolded: every finding with its basis and evidence, worst first */
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	assert_int_equal(count(&ld, UI_LL_FINDING), 3);
	assert_int_equal(count(&ld, UI_LL_EVIDENCE), 3);
	assert_non_null(strstr(find(&ld, UI_LL_FINDING, 0)->text, "ERROR stat-uidl-count"));
	assert_non_null(strstr(find(&ld, UI_LL_FINDING, 1)->text, "WARNING retr-size"));
	assert_non_null(strstr(find(&ld, UI_LL_FINDING, 2)->text, "notice login-failed"));

	/* folded: one line each, expandable, no basis or evidence */
	x.fold_findings = true;
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	assert_int_equal(count(&ld, UI_LL_FINDING), 3);
	assert_int_equal(count(&ld, UI_LL_EVIDENCE), 0);
	assert_int_equal(count(&ld, UI_LL_INFO), 0);
	const struct ui_ll *l = find(&ld, UI_LL_FINDING, 1);
	assert_true(l->expandable);
	assert_false(l->expanded);
	/* Enter on the second: it alone opens */
	ui_expand_toggle(&x, l->txn_index);
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	assert_int_equal(count(&ld, UI_LL_EVIDENCE), 1);
	assert_true(find(&ld, UI_LL_FINDING, 1)->expanded);
	assert_false(find(&ld, UI_LL_FINDING, 0)->expanded);
	assert_string_equal(find(&ld, UI_LL_EVIDENCE, 0)->text, "RETR 1 -> +OK");
	ui_ladder_fini(&ld);
	ui_model_free(m);
}

static void waiting_command(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess a;
	uit_sess(&a, 1, "192.0.2.10", "bob");
	uit_open(m, &a);
	/* RETR sent 2 s after the start; its reply has begun: 412 lines so far */
	a.es.wait.n = 1;
	a.es.wait.replying = true;
	a.es.wait.req_frame = 40;
	a.es.wait.req_ts_us = a.es.start_ts + 2000000;
	a.es.wait.lines = 412;
	a.es.wait.octets = 52311;
	snprintf(a.es.wait.cmd, sizeof(a.es.wait.cmd), "RETR");
	a.es.last_ts = a.es.wait.req_ts_us;
	uit_emit(m, EV_SESSION_UPDATE, &a, NULL, NULL);
	const struct ui_session *s = ui_model_find(m, 1);
	assert_non_null(s->wait);
	assert_int_equal(s->wait->n, 1);

	struct ui_expand x;
	memset(&x, 0, sizeof(x));
	x.live = true;
	x.now_us = a.es.wait.req_ts_us + 3200000; /* 3.2 s later */
	struct ui_ladder ld = { 0 };
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	const struct ui_ll *w = find(&ld, UI_LL_WAIT, 0);
	assert_non_null(w);
	assert_string_equal(w->lat, "3.20s");
	assert_string_equal(w->text, "waiting 3.20s: reply begun, 412 lines (52 311 octets) so far");
	const struct ui_ll *req = w - 1;
	assert_int_equal(req->kind, UI_LL_REQ);
	assert_string_equal(req->text, "RETR");
	assert_string_equal(req->frame, "#40");
	assert_string_equal(req->time, "+2.000");

	/* no reply at all yet, two more pipelined behind it */
	a.es.wait.replying = false;
	a.es.wait.lines = a.es.wait.octets = 0;
	a.es.wait.n = 3;
	uit_emit(m, EV_SESSION_UPDATE, &a, NULL, NULL);
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	assert_string_equal(find(&ld, UI_LL_WAIT, 0)->text, "waiting 3.20s: no reply yet; 2 more commands queued");
	/* a file: said as of the capture's end */
	x.live = false;
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	assert_string_equal(find(&ld, UI_LL_WAIT, 0)->text,
			    "still waiting at the end of the capture (3.20s): no reply yet; 2 more commands queued");

	/* the reply's transaction ends the wait */
	struct pop3_txn t;
	uit_txn(&t, &a, 0, "RETR", "1", POP3_ST_OK, "", 1000);
	uit_emit(m, EV_TXN, &a, &t, NULL);
	assert_null(s->wait); /* freed: a row holds no command when none waits */
	ui_ladder_build(&ld, s, &x, ui_glyphs_get(false));
	assert_null(find(&ld, UI_LL_WAIT, 0));
	ui_ladder_fini(&ld);
	ui_model_free(m);
}

static void title_ipv6_midstream(void **state)
{
	(void)state;
	struct ui_model *m = ui_model_new(NULL);
	struct uit_sess a;
	uit_sess(&a, 9, "2001:db8:100::b0", NULL);
	a.es.ipver = 6;
	snprintf(a.es.cli, sizeof(a.es.cli), "2001:db8:200::7");
	a.es.cport = 32768;
	a.es.start_ts += 123456;
	a.es.midstream = true;
	a.es.pop3.state = POP3_STATE_UNKNOWN;
	uit_open(m, &a);
	struct ui_expand x;
	memset(&x, 0, sizeof(x));
	struct ui_ladder ld = { 0 };
	ui_ladder_build(&ld, ui_model_find(m, 9), &x, ui_glyphs_get(false));
	const char *t = ld.l[0].text;
	assert_non_null(strstr(t, "[2001:db8:200::7]:32768 -> [2001:db8:100::b0]:110"));
	assert_non_null(strstr(t, "user (mid-stream)"));
	assert_non_null(strstr(t, "started 22:13:29.123 UTC"));
	assert_non_null(strstr(ld.l[1].text, "Mid-stream: the capture began after this session's login"));
	ui_ladder_fini(&ld);
	ui_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(findings_fold),
		cmocka_unit_test(waiting_command),
		cmocka_unit_test(title_ipv6_midstream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
