/*
 * test_checks.c - the session rules (src/session/checks*.c, account_store.c)
 * driven by hand-built transactions: one test per implemented count,
 * listing, message and unique-id rule of include/rules.def (rule id,
 * severity, a key part of the summary) and the rule table. What the
 * checks keep (evidence, listings, the account store) is
 * test_checks_store.c, the conformance rules test_checks_conform.c, the
 * near misses docs/RULES.md says must not flag test_checks_near_miss.c;
 * the fixture is helpers/checks_fx.c.
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

static void test_stat_list_count(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "3 300");
	static const char *const l[] = { "1 100", "2 200" };
	cfx_listing(x, false, l, 2);
	cfx_expect(x, R_STAT_LIST_COUNT, SEV_ERROR, "LIST listed 2");
	assert_non_null(strstr(cfx_find(x, R_STAT_LIST_COUNT)->summary, "STAT said 3 messages"));
	assert_int_equal(cfx_find(x, R_STAT_LIST_COUNT)->n_ev, 2);
}

static void test_stat_uidl_count(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_listing(x, true, NULL, 0); /* +OK with an empty list while STAT > 0 */
	cfx_expect(x, R_STAT_UIDL_COUNT, SEV_ERROR, "UIDL listed 0");
}

static void test_stat_list_octets(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	static const char *const l[] = { "1 100", "2 100" };
	cfx_listing(x, false, l, 2);
	cfx_expect(x, R_STAT_LIST_OCTETS, SEV_ERROR, "add up to 200 (100 fewer)");
	assert_null(cfx_find(x, R_STAT_LIST_COUNT));
}

static void test_stat_list_octets_tolerance(void **state)
{
	struct fx *x = *state;
	x->o.octets_tolerance = 100;
	cfx_session(x);
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	static const char *const l[] = { "1 100", "2 100" };
	cfx_listing(x, false, l, 2);
	cfx_expect_none(x);
}

static void test_impossible_drop(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "0 554");
	cfx_expect(x, R_IMPOSSIBLE_DROP, SEV_ERROR, "STAT said 0 messages in 554 octets");
}

static void test_impossible_drop_free_text(void **state)
{
	struct fx *x = *state;
	x->ci.tls = true;
	cfx_authz(x, POP3_CMD_PASS, "x", POP3_ST_OK, "You have 0 messages totaling 554 octets");
	cfx_expect(x, R_IMPOSSIBLE_DROP, SEV_WARNING, "claims 0 messages in 554 octets");
}

static void test_listing_numbers_zero(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	static const char *const l[] = { "0 100", "1 200" };
	cfx_listing(x, false, l, 2);
	cfx_expect(x, R_LISTING_NUMBERS, SEV_ERROR, "message 0");
}

static void test_listing_numbers_hole(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	static const char *const l[] = { "1 100", "3 200" };
	cfx_listing(x, false, l, 2);
	cfx_expect(x, R_LISTING_NUMBERS, SEV_ERROR, "listed message 3 but STAT said 2");
}

static void test_listing_numbers_skipped(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100", "3 200" };
	cfx_listing(x, false, l, 2); /* no STAT */
	cfx_expect(x, R_LISTING_NUMBERS, SEV_ERROR, "skipped message 2");
}

static void test_listing_numbers_duplicate(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100", "2 100", "2 100" };
	cfx_listing(x, false, l, 3);
	cfx_expect(x, R_LISTING_NUMBERS, SEV_ERROR, "same message number twice");
}

static void test_listing_numbers_not_decimal(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100", "x 100" };
	cfx_listing(x, false, l, 2);
	cfx_expect(x, R_LISTING_NUMBERS, SEV_ERROR, "line 2 does not start with a decimal");
}

static void test_list_uidl_numbers(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100", "2 100" };
	static const char *const u[] = { "1 aaa", "3 ccc" };
	cfx_listing(x, false, l, 2);
	cfx_listing(x, true, u, 2);
	cfx_expect(x, R_LIST_UIDL_NUMBERS, SEV_ERROR, "message 2 is listed by LIST but not by UIDL");
}

static void test_single_vs_listing(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100", "2 200" };
	cfx_listing(x, false, l, 2);
	struct pop3_txn t = cfx_mk(x, POP3_CMD_LIST, "2", POP3_ST_OK, "2 250");
	struct pop3_entry e = { .num = 2, .size = 250 };
	t.entries = &e;
	t.n_entries = 1;
	cfx_run(x, &t);
	cfx_expect(x, R_SINGLE_VS_LISTING, SEV_ERROR, "LIST 2 said 250 octets; the LIST listing said 200");
}

/* A listing's array is sized to it (8 slots at least): a later, longer
 * listing grows it, and LIST against UIDL still reads across two sizes. */
static void test_listing_outgrows_first_size(void **state)
{
	struct fx *x = *state;
	static const char *const l1[] = { "1 100", "2 200" };
	cfx_listing(x, false, l1, 2);
	static const char *const u[] = { "1 a", "2 b", "3 c" };
	static const char *const l2[] = { "1 100", "2 200", "3 300", "4 400", "5 500", "6 600",
					  "7 700", "8 800", "9 900", "10 1000", "11 1100",
					  "12 1200", "13 1300", "14 1400", "15 1500", "16 1600",
					  "17 1700", "18 1800", "19 1900", "20 2000" };
	cfx_listing(x, true, u, 3);
	cfx_expect(x, R_LIST_UIDL_NUMBERS, SEV_ERROR, "message 3 is listed by UIDL but not by LIST");
	cfx_listing(x, false, l2, 20);
	struct pop3_txn t = cfx_mk(x, POP3_CMD_LIST, "20", POP3_ST_OK, "20 2500");
	struct pop3_entry e = { .num = 20, .size = 2500 };
	t.entries = &e;
	t.n_entries = 1;
	cfx_run(x, &t);
	cfx_expect(x, R_SINGLE_VS_LISTING, SEV_ERROR, "LIST 20 said 2500 octets; the LIST listing said 2000");
}

static void test_single_vs_listing_refused(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100", "2 200" };
	cfx_listing(x, false, l, 2);
	cfx_cmd(x, POP3_CMD_LIST, "2", POP3_ST_ERR, "no such message");
	cfx_expect(x, R_SINGLE_VS_LISTING, SEV_WARNING, "LIST 2 was refused");
}

static void test_msg_number_range_ok_past_end(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_RETR, "3", POP3_ST_OK, "");
	cfx_expect(x, R_MSG_NUMBER_RANGE, SEV_ERROR, "RETR 3 answered +OK");
	assert_non_null(strstr(cfx_find(x, R_MSG_NUMBER_RANGE)->ev[0].line, "RETR 3 -> +OK"));
}

static void test_msg_number_range_refused(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_ERR, "no such message");
	cfx_expect(x, R_MSG_NUMBER_RANGE, SEV_ERROR, "DELE 1 was refused, but STAT said 2");
}

static void test_msg_number_range_sys_temp(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_RETR, "1", POP3_ST_ERR, "[SYS/TEMP] try later");
	cfx_expect(x, R_MSG_NUMBER_RANGE, SEV_WARNING, "RETR 1 was refused");
	cfx_expect(x, R_SYS_TEMP, SEV_NOTICE, "temporary server failure on RETR");
}

static void test_retr_size(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100" };
	cfx_listing(x, false, l, 1);
	cfx_retr(x, "1", 50, 3, "");
	cfx_expect(x, R_RETR_SIZE, SEV_WARNING, "LIST said message 1 has 100 octets; RETR delivered 50");
	/* the listing's evidence, then this reply's, built only as it fires */
	const struct finding *f = cfx_find(x, R_RETR_SIZE);
	assert_int_equal(f->n_ev, 2);
	assert_non_null(strstr(f->ev[0].line, "LIST -> +OK"));
	assert_non_null(strstr(f->ev[1].line, "RETR 1 -> +OK"));
}

static void test_retr_size_vs_text(void **state)
{
	struct fx *x = *state;
	cfx_retr(x, "1", 50, 3, "120 octets");
	cfx_expect(x, R_RETR_SIZE, SEV_WARNING, "announced 120 octets and delivered 50");
}

static void test_dele_not_applied_stat(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_expect(x, R_DELE_NOT_APPLIED, SEV_ERROR, "after 1 DELE +OK, STAT said 2 messages");
}

static void test_dele_not_applied_listed(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	static const char *const l[] = { "1 100", "2 200" };
	cfx_listing(x, false, l, 2);
	cfx_expect(x, R_DELE_NOT_APPLIED, SEV_ERROR, "message 1 was deleted (DELE +OK) but LIST");
}

static void test_dele_twice(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	cfx_expect(x, R_DELE_NOT_APPLIED, SEV_ERROR, "a second DELE 1 was answered +OK");
}

static void test_rset_not_restored(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	cfx_cmd(x, POP3_CMD_RSET, NULL, POP3_ST_OK, "");
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "1 200");
	cfx_expect(x, R_RSET_NOT_RESTORED, SEV_ERROR, "after RSET, STAT said 1 message");
}

static void test_count_changed(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "3 400");
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "4 500"); /* one finding per rule per session */
	cfx_expect(x, R_COUNT_CHANGED, SEV_ERROR, "STAT first said 2 messages (300 octets), later 3");
}

static void test_announced_counts(void **state)
{
	struct fx *x = *state;
	x->ci.tls = true;
	cfx_authz(x, POP3_CMD_PASS, "x", POP3_ST_OK, "maildrop has 5 messages (500 octets)");
	assert_int_equal(x->nf, 0); /* compared once STAT is known */
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 200");
	cfx_expect(x, R_ANNOUNCED_COUNTS, SEV_WARNING, "STAT said 2 messages (200 octets); the reply text said 5");
}

static void test_announced_counts_greeting(void **state)
{
	struct fx *x = *state;
	struct pop3_txn g = cfx_mk(x, POP3_CMD_NONE, NULL, POP3_ST_OK, "2 messages (320 octets)");
	g.keyword[0] = '\0';
	cfx_run(x, &g);
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 330");
	cfx_expect(x, R_ANNOUNCED_COUNTS, SEV_WARNING, "greeting text said 2 messages (320 octets)");
}

/* The announcements kept until STAT go with it (freed); one made after
 * STAT is compared as it comes. */
static void test_announced_counts_after_stat(void **state)
{
	struct fx *x = *state;
	x->ci.tls = true;
	cfx_authz(x, POP3_CMD_PASS, "x", POP3_ST_OK, "maildrop has 2 messages (200 octets)");
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 200");
	cfx_expect_none(x);
	cfx_cmd(x, POP3_CMD_RSET, NULL, POP3_ST_OK, "maildrop has 3 messages (300 octets)");
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 200");
	cfx_expect(x, R_ANNOUNCED_COUNTS, SEV_WARNING, "STAT said 2 messages (200 octets); the RSET reply text said 3");
}

/* DELE of a number past what the checks track (a capture that began
 * after the login, so no count to hold it to): nothing kept for it, and
 * no array grown to its size (4,000,000,000 would never end doubling a
 * 32-bit capacity). */
static void test_dele_huge_number(void **state)
{
	struct fx *x = *state;
	x->ci.login_seen = false;
	cfx_cmd(x, POP3_CMD_DELE, "4000000000", POP3_ST_OK, "");
	cfx_cmd(x, POP3_CMD_DELE, "150000", POP3_ST_OK, "");
	cfx_cmd(x, POP3_CMD_DELE, "2", POP3_ST_OK, "");
	cfx_cmd(x, POP3_CMD_DELE, "2", POP3_ST_OK, "");
	cfx_expect(x, R_DELE_NOT_APPLIED, SEV_ERROR, "a second DELE 2 was answered +OK");
}

static void test_uid_duplicate(void **state)
{
	struct fx *x = *state;
	static const char *const u[] = { "1 same", "2 same" };
	cfx_listing(x, true, u, 2);
	cfx_expect(x, R_UID_DUPLICATE, SEV_WARNING, "messages 1 and 2 the same unique-id");
}

static void test_uid_duplicate_sizes_differ(void **state)
{
	struct fx *x = *state;
	static const char *const l[] = { "1 100", "2 200" };
	static const char *const u[] = { "1 same", "2 same" };
	cfx_listing(x, false, l, 2);
	cfx_listing(x, true, u, 2);
	cfx_expect(x, R_UID_DUPLICATE, SEV_ERROR, "different sizes");
}

static void test_uid_size_across_sessions(void **state)
{
	struct fx *x = *state;
	static const char *const l1[] = { "1 100" };
	static const char *const l2[] = { "1 999" };
	static const char *const u[] = { "1 uid-1" };
	cfx_listing(x, false, l1, 1);
	cfx_listing(x, true, u, 1);
	assert_int_equal(x->nf, 0);
	cfx_session(x);
	cfx_listing(x, false, l2, 1);
	cfx_listing(x, true, u, 1);
	cfx_expect(x, R_UID_SIZE_ACROSS, SEV_ERROR, "saw with 100 octets; now LIST says 999");
}

/* Another account with the same uid is not the same message. */
/* The store of sessions that ended after DELEs without QUIT: 1500
 * accounts through 1024 slots. The newest 1024 are found once each (the
 * oldest were evicted), a found one is gone, and the per-bucket counters
 * that skip the scan never hide a live entry. */
static void test_unquit_store(void **state)
{
	(void)state;
	struct checks_opts o = { .account_max = 16, .uids_per_account_max = 16 };
	struct account_store *st = account_store_new(&o);
	struct evidence ev = { .frame = 7 }, got;
	char user[32];
	uint32_t nd;
	for (unsigned i = 0; i < 1500; i++) {
		snprintf(user, sizeof user, "user%u", i);
		ev.txn_index = i;
		account_note_unquit_deletes(st, "srv", user, 10, 1000, 2, 200, &ev);
	}
	for (unsigned i = 0; i < 1500; i++) {
		snprintf(user, sizeof user, "user%u", i);
		bool gone = account_check_unquit_deletes(st, "srv", user, 8, 800, &got, &nd);
		assert_int_equal(gone, i >= 1500 - 1024);
		if (gone) {
			assert_int_equal(got.txn_index, i);
			assert_int_equal(nd, 2);
		}
		assert_false(account_check_unquit_deletes(st, "srv", user, 8, 800, &got, &nd));
	}
	/* DELEs that did not take effect are not "gone" (and still used up). */
	account_note_unquit_deletes(st, "srv", "again", 10, 1000, 2, 200, &ev);
	assert_false(account_check_unquit_deletes(st, "srv", "again", 10, 1000, &got, &nd));
	account_note_unquit_deletes(st, "srv", "again", 10, 1000, 2, 200, &ev);
	assert_true(account_check_unquit_deletes(st, "srv", "again", 8, 800, &got, &nd));
	account_store_free(st);
}

static void test_uid_size_other_account(void **state)
{
	struct fx *x = *state;
	static const char *const l1[] = { "1 100" };
	static const char *const l2[] = { "1 999" };
	static const char *const u[] = { "1 uid-1" };
	cfx_listing(x, false, l1, 1);
	cfx_listing(x, true, u, 1);
	cfx_session(x);
	x->ci.user = "bob";
	cfx_listing(x, false, l2, 1);
	cfx_listing(x, true, u, 1);
	cfx_expect_none(x);
}

static void test_deleted_without_quit(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	checks_close(x->k, &x->ci, false, false, 99000, 99); /* no QUIT */
	cfx_session(x);
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "1 200");
	cfx_expect(x, R_DELETED_WITHOUT_QUIT, SEV_ERROR, "marked 1 message deleted and ended without QUIT");
	assert_int_equal(cfx_find(x, R_DELETED_WITHOUT_QUIT)->n_ev, 2);
}

static void test_deleted_with_quit_is_fine(void **state)
{
	struct fx *x = *state;
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "2 300");
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	x->ci.quit_seen = true;
	checks_close(x->k, &x->ci, false, false, 99000, 99);
	cfx_session(x);
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "1 200");
	/* and without QUIT, if the messages are still there, nothing either */
	cfx_cmd(x, POP3_CMD_DELE, "1", POP3_ST_OK, "");
	checks_close(x->k, &x->ci, false, false, 99000, 99);
	cfx_session(x);
	cfx_cmd(x, POP3_CMD_STAT, NULL, POP3_ST_OK, "1 200");
	cfx_expect_none(x);
}

static void test_uid_malformed(void **state)
{
	struct fx *x = *state;
	static const char *const u[] = { "1 has space" };
	cfx_listing(x, true, u, 1);
	cfx_expect(x, R_UID_MALFORMED, SEV_ERROR, "message 1 the unique-id \"has space\"");
}

static void test_rule_table(void **state)
{
	(void)state;
	assert_string_equal(rule_name(R_STAT_LIST_COUNT), "stat-list-count");
	assert_int_equal(rule_lookup("retr-size"), R_RETR_SIZE);
	assert_int_equal(rule_lookup("nope"), -1);
	assert_int_equal(rule_lookup("conn-refused"), R_CONN_REFUSED);
	assert_int_equal(rule_lookup("conn-no-answer"), R_CONN_NO_ANSWER);
	assert_int_equal(rule_lookup("no-greeting"), R_NO_GREETING);
	assert_int_equal(rule_lookup("reset-before-greeting"), R_RESET_BEFORE_GREETING);
	assert_int_equal(rule_lookup("not-pop3"), R_NOT_POP3);
	assert_int_equal(rule_severity(R_NOT_POP3), SEV_NOTICE);
	assert_int_equal(rule_severity(R_RETR_SIZE), SEV_WARNING);
	assert_string_equal(severity_name(SEV_ERROR), "error");
	assert_string_equal(rule_name(R__COUNT), "?");
	assert_true(R__COUNT <= 64); /* one bit per rule in checks->fired */
	for (int r = 0; r < R__COUNT; r++)
		assert_int_equal(rule_lookup(rule_name((enum rule_id)r)), r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stat_list_count),
		T(test_stat_uidl_count),
		T(test_stat_list_octets),
		T(test_stat_list_octets_tolerance),
		T(test_impossible_drop),
		T(test_impossible_drop_free_text),
		T(test_listing_numbers_zero),
		T(test_listing_numbers_hole),
		T(test_listing_numbers_skipped),
		T(test_listing_numbers_duplicate),
		T(test_listing_numbers_not_decimal),
		T(test_list_uidl_numbers),
		T(test_single_vs_listing),
		T(test_single_vs_listing_refused),
		T(test_listing_outgrows_first_size),
		T(test_msg_number_range_ok_past_end),
		T(test_msg_number_range_refused),
		T(test_msg_number_range_sys_temp),
		T(test_retr_size),
		T(test_retr_size_vs_text),
		T(test_dele_not_applied_stat),
		T(test_dele_not_applied_listed),
		T(test_dele_twice),
		T(test_rset_not_restored),
		T(test_count_changed),
		T(test_announced_counts),
		T(test_announced_counts_greeting),
		T(test_announced_counts_after_stat),
		T(test_dele_huge_number),
		T(test_uid_duplicate),
		T(test_uid_duplicate_sizes_differ),
		T(test_uid_size_across_sessions),
		T(test_uid_size_other_account),
		T(test_unquit_store),
		T(test_deleted_without_quit),
		T(test_deleted_with_quit_is_fine),
		T(test_uid_malformed),
		cmocka_unit_test(test_rule_table),
	};
	return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
