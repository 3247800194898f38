/*
 * test_ui_list.c - the session list's view model, the parts issue 23
 * asked for, without a terminal: sort direction and the reverse key (and
 * no "following" to the dull end), search by a client symptom and n/N,
 * the Flags text that uses its width and names the filtered rule first,
 * rows frozen while paused, and the formatting the columns use (IPv6
 * endpoints in brackets with the port never cut, 1.1M counts,
 * milliseconds, the user label of mid-stream sessions).
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

/* Four sessions, started one second apart:
 *   1 192.0.2.10 bob    clean
 *   2 192.0.2.20 alice  stat-uidl-count (error; Outlook 0x800CCC97) + retr-size + login-failed
 *   3 192.0.2.10 carol  retr-size (warning)
 *   4 192.0.2.30 -      clean, no user */
static struct uit_sess S[5];

static int setup(void **state)
{
	struct ui_model *m = ui_model_new(NULL);
	const char *srv[] = { "", "192.0.2.10", "192.0.2.20", "192.0.2.10", "192.0.2.30" };
	const char *usr[] = { "", "bob", "alice", "carol", NULL };
	for (uint64_t i = 1; i <= 4; i++) {
		uit_sess(&S[i], i, srv[i], usr[i]);
		uit_open(m, &S[i]);
	}
	struct finding f;
	uit_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 32, 3, "STAT -> +OK 1 554");
	uit_flag(m, &S[2], &f);
	uit_finding(&f, R_RETR_SIZE, "LIST said 120 octets; RETR delivered 109", 52, 5, "RETR 1 -> +OK");
	uit_flag(m, &S[2], &f);
	uit_finding(&f, R_LOGIN_FAILED, "PASS refused", 22, 2, "PASS -> -ERR");
	uit_flag(m, &S[2], &f);
	uit_finding(&f, R_RETR_SIZE, "LIST said 120 octets; RETR delivered 109", 52, 5, "RETR 1 -> +OK");
	uit_flag(m, &S[3], &f);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	ui_model_free(*state);
	return 0;
}

static uint64_t row_id(const struct ui_list_view *v, size_t i)
{
	assert_true(i < v->n);
	return v->ids[i];
}

static void sort_direction_and_reverse(void **state)
{
	struct ui_model *m = *state;
	struct ui_list_view v;
	ui_list_init(&v);
	ui_list_rebuild(&v, m);
	/* time order, oldest first, following the newest (at the bottom) */
	assert_string_equal(ui_sort_dir(v.sort, v.reverse), "oldest first");
	assert_int_equal(row_id(&v, 0), 1);
	assert_int_equal(ui_list_selected(&v, m)->id, 4);

	/* S: newest first; still following, now at the top */
	ui_list_sort_reverse(&v);
	ui_list_rebuild(&v, m);
	assert_string_equal(ui_sort_dir(v.sort, v.reverse), "newest first");
	assert_int_equal(row_id(&v, 0), 4);
	assert_int_equal(row_id(&v, 3), 1);
	assert_true(v.follow);
	assert_int_equal(v.sel, 0);
	struct uit_sess s5;
	uit_sess(&s5, 5, "192.0.2.10", "dave");
	uit_open(m, &s5);
	ui_list_rebuild(&v, m);
	assert_int_equal(ui_list_selected(&v, m)->id, 5);
	assert_int_equal(v.sel, 0);

	/* s (time -> server): natural direction again, no following, the top row selected */
	ui_list_sort_next(&v);
	ui_list_rebuild(&v, m);
	assert_int_equal(v.sort, UI_SORT_SERVER);
	assert_false(v.reverse);
	assert_false(v.follow);
	assert_int_equal(v.sel, 0);
	assert_string_equal(ui_sort_dir(v.sort, v.reverse), "A to Z");

	/* flags: worst first, and the selection is the worst session, not the newest */
	ui_list_sort_next(&v); /* user */
	ui_list_sort_next(&v); /* flags */
	ui_list_rebuild(&v, m);
	assert_int_equal(v.sort, UI_SORT_FLAGS);
	assert_string_equal(ui_sort_dir(v.sort, v.reverse), "worst first");
	assert_int_equal(ui_list_selected(&v, m)->id, 2);
	assert_int_equal(row_id(&v, 1), 3);
	/* a new session does not pull the selection away */
	struct uit_sess s6;
	uit_sess(&s6, 6, "192.0.2.10", "erin");
	uit_open(m, &s6);
	ui_list_rebuild(&v, m);
	assert_int_equal(ui_list_selected(&v, m)->id, 2);
	/* End goes to the last row and does not start following */
	ui_list_end(&v);
	assert_false(v.follow);
	ui_list_sort_reverse(&v);
	ui_list_rebuild(&v, m);
	assert_string_equal(ui_sort_dir(v.sort, v.reverse), "worst last");
	assert_int_equal(row_id(&v, v.n - 1), 2);
	ui_list_fini(&v);
}

static void search_by_symptom_and_next(void **state)
{
	struct ui_model *m = *state;
	struct ui_list_view v;
	ui_list_init(&v);
	snprintf(v.filter.search, sizeof(v.filter.search), "0x800CCC97");
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 1);
	assert_int_equal(row_id(&v, 0), 2);
	snprintf(v.filter.search, sizeof(v.filter.search), "popid_out_of_range"); /* case-insensitive */
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 1);
	/* a symptom of a rule the session did not break does not match */
	snprintf(v.filter.search, sizeof(v.filter.search), "0x800CCC93");
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 0);
	/* n/N: next and previous, wrapping */
	snprintf(v.filter.search, sizeof(v.filter.search), "retr-size");
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 2);
	ui_list_home(&v);
	assert_int_equal(ui_list_step(&v, 1), 1);
	assert_int_equal(ui_list_step(&v, 1), 0);  /* wraps */
	assert_int_equal(ui_list_step(&v, -1), 1); /* N wraps back */
	assert_int_equal(ui_list_selected(&v, m)->id, 3);
	ui_list_fini(&v);
}

static void flags_use_the_width(void **state)
{
	struct ui_model *m = *state;
	const struct ui_session *s = ui_model_find(m, 2);
	char b[256];
	/* wide: every rule, worst first */
	assert_string_equal(ui_session_flags_fit(s, -1, 80, b, sizeof(b)),
			    "ERR stat-uidl-count, retr-size, login-failed");
	/* narrow: as many as fit, then how many more */
	assert_string_equal(ui_session_flags_fit(s, -1, 24, b, sizeof(b)), "ERR stat-uidl-count +2");
	assert_string_equal(ui_session_flags_fit(s, -1, 33, b, sizeof(b)), "ERR stat-uidl-count, retr-size +1");
	assert_string_equal(ui_session_flags_fit(s, -1, 32, b, sizeof(b)), "ERR stat-uidl-count +2");
	/* the rule filtered on comes first, not hidden in "+2" */
	assert_string_equal(ui_session_flags_fit(s, R_LOGIN_FAILED, 24, b, sizeof(b)), "ERR login-failed +2");
	assert_string_equal(ui_session_flags_fit(ui_model_find(m, 1), -1, 40, b, sizeof(b)), "");
}

static void pause_freezes_rows(void **state)
{
	struct ui_model *m = *state;
	struct ui_list_view v;
	ui_list_init(&v);
	ui_list_rebuild(&v, m);
	ui_list_freeze(&v, m);
	/* the model moves on: session 1 gets 7 transactions and a user change */
	S[1].es.txns = 7;
	snprintf(S[1].es.last_cmd, sizeof(S[1].es.last_cmd), "QUIT");
	uit_emit(m, EV_SESSION_UPDATE, &S[1], NULL, NULL);
	assert_int_equal(ui_model_find(m, 1)->h->txns, 7);
	const struct ui_session *r = ui_list_row(&v, m, 0);
	assert_non_null(r);
	assert_int_equal(r->id, 1);
	assert_int_equal(r->h->txns, 0);      /* as it was when paused */
	assert_string_equal(r->last_cmd, "");
	assert_null(r->le);               /* nothing that points into the model */
	/* a view change while paused takes the rows again */
	ui_list_rebuild(&v, m);
	assert_int_equal(ui_list_row(&v, m, 0)->h->txns, 7);
	ui_list_thaw(&v);
	assert_null(v.frozen);
	assert_int_equal(ui_list_row(&v, m, 0)->h->txns, 7);
	ui_list_fini(&v);
}

static void formatting(void **state)
{
	(void)state;
	char b[96];
	assert_string_equal(ui_fmt_endpoint(b, sizeof(b), "192.0.2.1", 110, 0), "192.0.2.1:110");
	assert_string_equal(ui_fmt_endpoint(b, sizeof(b), "2001:db8:100::b0", 32768, 0), "[2001:db8:100::b0]:32768");
	/* too narrow: the address is cut, marked, and the port stays whole */
	ui_fmt_endpoint(b, sizeof(b), "2001:db8:100::b0", 32768, 16);
	assert_string_equal(b, "[2001:db~]:32768");
	assert_int_equal(strlen(b), 16);
	ui_fmt_endpoint(b, sizeof(b), "198.51.100.200", 65535, 14);
	assert_string_equal(b, "198.51.~:65535");
	/* counts in 5 columns */
	assert_string_equal(ui_fmt_count(b, sizeof(b), 9999), "9999");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 12345), "12.3k");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 123456), "123k");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 1104438), "1.1M");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 999999), "999k");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 2500000000ull), "2.5G");
	/* start times with milliseconds */
	assert_string_equal(ui_fmt_hmsm(b, sizeof(b), 1700000000123456ull), "22:13:20.123");
}

static void user_labels(void **state)
{
	struct ui_model *m = *state;
	assert_string_equal(ui_user_label(ui_model_find(m, 1)), "bob");
	assert_string_equal(ui_user_label(ui_model_find(m, 4)), "(no login)");
	struct uit_sess s7;
	uit_sess(&s7, 7, "192.0.2.10", NULL);
	s7.es.midstream = true;
	s7.es.pop3.state = POP3_STATE_UNKNOWN;
	uit_open(m, &s7);
	assert_string_equal(ui_user_label(ui_model_find(m, 7)), "(mid-stream)");
	struct ui_list_view v;
	ui_list_init(&v);
	snprintf(v.filter.search, sizeof(v.filter.search), "mid-stream");
	ui_list_rebuild(&v, m);
	assert_int_equal(v.n, 1);
	ui_list_fini(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sort_direction_and_reverse, setup, teardown),
		cmocka_unit_test_setup_teardown(search_by_symptom_and_next, setup, teardown),
		cmocka_unit_test_setup_teardown(flags_use_the_width, setup, teardown),
		cmocka_unit_test_setup_teardown(pause_freezes_rows, setup, teardown),
		cmocka_unit_test(formatting),
		cmocka_unit_test_setup_teardown(user_labels, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
