/*
 * test_announce.c - announce_parse(): counts stated in +OK free text.
 * Every phrasing here is catalogued with its source in
 * tests/unit/announce_phrasings.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"

/* Expect a count; octets/hidden < 0 means "not stated". */
static void expect(const char *text, uint64_t count, int64_t octets, int64_t hidden)
{
	struct announce a;

	memset(&a, 0xA5, sizeof a);
	if (!announce_parse(text, &a))
		fail_msg("no count parsed from \"%s\"", text);
	if (a.count != count)
		fail_msg("\"%s\": count %llu, want %llu", text, (unsigned long long)a.count,
			 (unsigned long long)count);
	if (octets < 0) {
		assert_false(a.octets_known);
		assert_int_equal(a.octets, 0);
	} else {
		if (!a.octets_known)
			fail_msg("\"%s\": octets not known", text);
		assert_int_equal(a.octets, (uint64_t)octets);
	}
	if (hidden < 0) {
		assert_false(a.hidden_known);
		assert_int_equal(a.hidden, 0);
	} else {
		if (!a.hidden_known)
			fail_msg("\"%s\": hidden not known", text);
		assert_int_equal(a.hidden, (uint64_t)hidden);
	}
}

static void expect_none(const char *text)
{
	struct announce a;

	memset(&a, 0xA5, sizeof a);
	if (announce_parse(text, &a))
		fail_msg("\"%s\" parsed as count %llu", text, (unsigned long long)a.count);
	/* Nothing half-filled is left behind. */
	assert_int_equal(a.count, 0);
	assert_false(a.octets_known);
	assert_false(a.hidden_known);
}

/* RFC 1939 examples, DBMail, qpopper without hidden, badpop3 RSET. */
static void test_has_n_messages_octets(void **state)
{
	(void)state;
	expect("mrose's maildrop has 2 messages (320 octets)", 2, 320, -1);
	expect("maildrop has 1 message (369 octets)", 1, 369, -1);
	expect("alice has 3 messages (809 octets).", 3, 809, -1);
	expect("Maildrop has 3 messages (809 octets)", 3, 809, -1);
	expect("sclause has 2 message (320 octets)", 2, 320, -1);
	expect("bob has 0 messages (0 octets).", 0, 0, -1);
	expect("MROSE'S MAILDROP HAS 2 MESSAGES (320 OCTETS)", 2, 320, -1);
	expect("user1's maildrop has 2 messages (320 octets)", 2, 320, -1);
	expect("Maildrop contains 4 messages (1000 octets)", 4, 1000, -1);
	expect("Maildrop has 5 messages", 5, -1, -1);
}

/* LIST headers: RFC 1939, hMailServer, Gmail, Dovecot "N messages:". */
static void test_n_messages_octets(void **state)
{
	(void)state;
	expect("2 messages (320 octets)", 2, 320, -1);
	expect("1 message (120 octets)", 1, 120, -1);
	expect("2 messages (320 Octets)", 2, 320, -1);
	expect("7 messages (12345 bytes)", 7, 12345, -1);
	expect("1 message (1 byte)", 1, 1, -1);
	expect("3 message(s) (900 octets)", 3, 900, -1);
	expect("3 Message(s) (900 Octets)", 3, 900, -1);
	expect("2 messages(320 octets)", 2, 320, -1);
	expect("  2   messages   (  320   octets  )  ", 2, 320, -1);
	expect("2\tmessages\t(320\toctets)", 2, 320, -1);
	expect("2 messages (320 octets)\r\n", 2, 320, -1);
	expect("0 messages (0 octets)", 0, 0, -1);
}

static void test_u64_max(void **state)
{
	struct announce a;

	(void)state;
	assert_true(announce_parse("18446744073709551615 messages (18446744073709551615 octets)", &a));
	assert_true(a.count == UINT64_MAX);
	assert_true(a.octets_known);
	assert_true(a.octets == UINT64_MAX);
}

/* InterMail PASS reply (the seed trace), badpop3 "crowd". */
static void test_you_have_totaling(void **state)
{
	(void)state;
	expect("You have 0 messages totaling 554 octets from [my mail directory here]", 0, 554, -1);
	expect("You have 0 messages totaling 554 octets from /mail/user", 0, 554, -1);
	expect("You have 3 messages totaling 809 octets", 3, 809, -1);
	expect("you have 3 messages totalling 809 bytes.", 3, 809, -1);
	expect("You have 3 messages", 3, -1, -1);
	expect("You have 1 message.", 1, -1, -1);
	expect("Welcome alice, you have 12 messages", 12, -1, -1);
}

/* qpopper: "%s has %d visible message%s (%d hidden) in %ld octets." */
static void test_qpopper_visible_hidden(void **state)
{
	(void)state;
	expect("alice has 3 visible messages (1 hidden) in 1200 octets.", 3, 1200, 1);
	expect("bob has 1 visible message (0 hidden) in 554 octets.", 1, 554, 0);
	expect("carol has 0 visible messages (1 hidden) in 554 octets.", 0, 554, 1);
	expect("dave has 2 messages in 300 octets", 2, 300, -1);
}

/* InterMail USER reply "+OK 0 messages" and the LIST header with the hidden
 * control message, from the seed trace. */
static void test_intermail(void **state)
{
	(void)state;
	expect("0 messages", 0, -1, -1);
	expect("0 messages (554 octets) [1 control message(s) hidden]", 0, 554, 1);
	expect("0 messages (554 octets) (1 control message(s) hidden)", 0, 554, 1);
	expect("0 MESSAGES (554 OCTETS) [1 CONTROL MESSAGE(S) HIDDEN]", 0, 554, 1);
	expect("0 messages (554 octets)[2 control messages hidden]", 0, 554, 2);
}

/* Count only: Dovecot LIST header "N messages:", hMailServer "1 messages",
 * badpop3 "Logged in, N messages (M octets)". */
static void test_count_only_and_leads(void **state)
{
	(void)state;
	expect("2 messages:", 2, -1, -1);
	expect("3 messages.", 3, -1, -1);
	expect("1 messages", 1, -1, -1);
	expect("5 messages, 2 of them new", 5, -1, -1);
	expect("Logged in, 3 messages (809 octets)", 3, 809, -1);
	expect("Logged in, 5 messages (811 octets)", 5, 811, -1);
	expect("POP3 server ready: 4 messages", 4, -1, -1);
}

/* UW ipop3d: "Mailbox open, %lu messages". */
static void test_uw_mailbox_open(void **state)
{
	(void)state;
	expect("Mailbox open, 3 messages", 3, -1, -1);
	expect("Mailbox open, 0 messages", 0, -1, -1);
	expect("Mailbox open, 1 messages", 1, -1, -1);
}

/* "+OK 2 320": a LIST/UIDL header mirroring STAT. */
static void test_bare_pair(void **state)
{
	(void)state;
	expect("2 320", 2, 320, -1);
	expect("2 320   ", 2, 320, -1);
	expect("0 0", 0, 0, -1);
	expect("1 554\r\n", 1, 554, -1);
	expect_none("2 320 3");
	expect_none("2");
	expect_none("2 320 octets");
	expect_none("2 320x");
	expect_none("2,320");
	expect_none("2\n320");
	expect("2\t320", 2, 320, -1);
	expect_none("2 -320");
	expect_none("99999999999999999999 1");
	expect_none("1 99999999999999999999");
}

/* RFC 2449 response code before the text. */
static void test_response_code(void **state)
{
	(void)state;
	expect("[SYS/TEMP] 2 messages (320 octets)", 2, 320, -1);
	expect("[SYS/TEMP] 2 320", 2, 320, -1);
	expect("[AUTH] alice has 1 message (10 octets)", 1, 10, -1);
	expect_none("[IN-USE] Mailbox locked");
	expect_none("[SYS/PERM] ");
	expect_none("[");
	expect_none("[2 messages");
	expect_none("[] 2 messages");
	expect_none("[IN USE] 2 messages");
	expect("[LOGIN-DELAY/900] 2 messages", 2, -1, -1);
}

static void test_must_be_false(void **state)
{
	(void)state;
	static const char *const none[] = {
		"",
		" ",
		"Logged in.",
		"logged in.",
		"Dovecot ready.",
		"Dovecot (Ubuntu) ready.",
		"POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
		"Welcome",
		"Welcome.",
		"message follows",
		"120 octets",
		"1004 octets follow.",
		"(120 octets)",
		"Password required for alice",
		"Password required.",
		"[IN-USE] Mailbox locked",
		"2 hours left",
		"Tue, 12 Mar 2024 10:00:00 +0000",
		"2024-03-12 10:00:00",
		"POP3 v2.1 ready",
		"POP3 server v2.1.3 ready",
		"Maildrop locked and ready",
		"Mailbox locked and ready",
		"maildrop locked and ready",
		"User successfully logged on.",
		"messages",
		"no messages",
		"You have no messages",
		"You have messages",
		"messages: 3",
		"UIDL listing follows",
		"Capability list follows",
		"Scan listing follows",
		"3 of 5 done",
		"Need a password",
		"qs_tech InterMail POP3 server ready.",
		"qs_tech InterMail POP3 server signing off.",
		"Bye!",
		"POP3 clients that break here, they violate STD53.",
		"message 1 deleted",
		"message 2 already deleted",
		"dewey POP3 server signing off (maildrop empty)",
		"dewey POP3 server signing off (2 messages left)",
		"no such message, only 2 messages in maildrop",
		"1 of 3 messages",
		"2 messages deleted",
		"2 messages left",
		"3 new messages",
		"You have 3 new messages",
		"You have 2 unread messages",
		"3 messages in trash",
		"3 messages (maildrop empty)",
		"3 messages (320 foo)",
		"3 messages-ish",
		"3 messages)",
		"v2 messages",
		"-2 messages",
		"+2 messages",
		"2.5 messages",
		"0x10 messages",
		"3messages",
		"2 messagesx",
		"2 messaging",
		"2 messages (320 octets) (400 octets)",
		"2 messages (1 hidden) (2 hidden)",
		"2 messages, 3 messages",
		"You have 2 messages totaling 100 octets, 3 messages new",
		"Logged in 2 messages",
		"1 of 2, 3 messages",
		"(note), 3 messages",
		"Opened 3 messages",
		"2 (320 octets)",
		"Gpop ready for requests from 192.0.2.1 x12mb123456pab",
	};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		expect_none(none[i]);
}

static void test_overflow(void **state)
{
	(void)state;
	expect_none("99999999999999999999 messages");
	expect_none("18446744073709551616 messages");
	expect_none("2 messages (99999999999999999999 octets)");
	expect_none("2 messages totaling 18446744073709551616 octets");
	expect_none("2 visible messages (99999999999999999999 hidden) in 5 octets");
	expect_none("You have 99999999999999999999999999999999999999 messages");
	expect("18446744073709551615 messages", UINT64_MAX, -1, -1);
	expect("000000000000000000000000000002 messages", 2, -1, -1);
}

static void test_null_args(void **state)
{
	struct announce a;

	(void)state;
	assert_false(announce_parse(NULL, &a));
	assert_false(announce_parse("2 messages", NULL));
}

/* Bytes from strangers: control characters, escapes, high bytes. */
static void test_escapes(void **state)
{
	(void)state;
	expect_none("\x1b[31m2 messages\x1b[0m");
	expect_none("2 messages\x1b[0m");
	expect_none("\x01\x02\x03");
	expect_none("2\x00 messages");		/* the text ends at the NUL */
	expect("2 messages\x00 deleted", 2, -1, -1);
	expect_none("2 messages\x7f");
	expect_none("\xff\xfe 2 messages");
	expect_none("2 \xc2\xa0messages");
	expect_none("2 messages\r deleted");
	expect_none("\r\n2 messages (320 octets)");
	expect_none("2\nmessages");
	expect_none("2\r\n320");
	expect("2 messages\r\n", 2, -1, -1);
	expect("2 messages (320 octets)\n", 2, 320, -1);
	expect("alice has 2 messages (320 octets) \xe2\x9c\x93", 2, 320, -1);
	expect_none("%s has %d messages (%d octets)");
	expect_none("%n%n%n%n 2 hours");
}

/* Long inputs: bounded, linear work; no reads past the NUL. */
static void test_long_inputs(void **state)
{
	enum { N = 10 * 1024 };
	char *s = malloc(N + 64);

	(void)state;
	assert_non_null(s);

	/* 10 KB of garbage bytes (no NUL inside). */
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		s[i] = (char)(x % 255 + 1);
	}
	s[N] = '\0';
	struct announce a;
	(void)announce_parse(s, &a);

	/* 10 KB of digits: one huge number. */
	memset(s, '7', N);
	s[N] = '\0';
	expect_none(s);
	strcpy(s + N, " messages");
	expect_none(s);

	/* 10 KB of spaces then a count: the lead is only spaces. */
	memset(s, ' ', N);
	strcpy(s + N, "2 messages");
	expect(s, 2, -1, -1);

	/* Many "1 " pairs: numbers without a message word. */
	for (size_t i = 0; i + 1 < N; i += 2) {
		s[i] = '1';
		s[i + 1] = ' ';
	}
	s[N] = '\0';
	expect_none(s);
	strcpy(s + N, "messages");
	expect_none(s);		/* lead "1 1 1 ..." is not one we know */

	/* A long lead-in before a comma, then a count. */
	memset(s, 'a', N);
	strcpy(s + N, ", 3 messages");
	expect(s, 3, -1, -1);

	/* A long free tail after the octets clause. */
	strcpy(s, "You have 1 message totaling 5 octets ");
	size_t l = strlen(s);
	memset(s + l, 'z', N - l);
	s[N] = '\0';
	expect(s, 1, 5, -1);

	/* Many "message" words and brackets. */
	for (size_t i = 0; i + 8 < N; i += 8)
		memcpy(s + i, "message(", 8);
	s[N - (N % 8)] = '\0';
	expect_none(s);

	/* Unterminated response code of 10 KB. */
	s[0] = '[';
	memset(s + 1, 'x', N - 1);
	s[N] = '\0';
	expect_none(s);

	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has_n_messages_octets),
		cmocka_unit_test(test_n_messages_octets),
		cmocka_unit_test(test_u64_max),
		cmocka_unit_test(test_you_have_totaling),
		cmocka_unit_test(test_qpopper_visible_hidden),
		cmocka_unit_test(test_intermail),
		cmocka_unit_test(test_count_only_and_leads),
		cmocka_unit_test(test_uw_mailbox_open),
		cmocka_unit_test(test_bare_pair),
		cmocka_unit_test(test_response_code),
		cmocka_unit_test(test_must_be_false),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_long_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
