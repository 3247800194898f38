/*
 * test_pop3_data.c - the pure POP3 parsers: status lines, response codes,
 * LIST/UIDL listing lines, base64, CAPA lines (src/pop3/pop3_data.c), and
 * the command table and number parsers (src/pop3/pop3_cmd.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/pop3/pop3_data.h"

static enum pop3_status st(const char *s, bool *lower, size_t *at)
{
	return pop3_data_status(s, strlen(s), lower, at);
}

static void test_status_lines(void **state)
{
	(void)state;
	bool lower = true;
	size_t at = 99;
	assert_int_equal(st("+OK", &lower, &at), POP3_ST_OK);
	assert_false(lower);
	assert_int_equal(at, 3);
	assert_int_equal(st("+OK 2 320", &lower, &at), POP3_ST_OK);
	assert_int_equal(at, 4);
	assert_int_equal(st("-ERR", &lower, &at), POP3_ST_ERR);
	assert_int_equal(at, 4);
	assert_int_equal(st("-ERR no such message", &lower, &at), POP3_ST_ERR);
	assert_false(lower);
	assert_int_equal(at, 5);
	assert_int_equal(st("+ok", &lower, &at), POP3_ST_OK);
	assert_true(lower);
	assert_int_equal(st("+Ok fine", &lower, &at), POP3_ST_OK);
	assert_true(lower);
	assert_int_equal(st("-err x", &lower, &at), POP3_ST_ERR);
	assert_true(lower);
	assert_int_equal(st("-eRR", &lower, &at), POP3_ST_ERR);
	assert_true(lower);
	assert_int_equal(st("+ ", &lower, &at), POP3_ST_CONT);
	assert_false(lower);
	assert_int_equal(at, 2);
	assert_int_equal(st("+ VXNlcm5hbWU6", &lower, &at), POP3_ST_CONT);
	assert_int_equal(at, 2);
	assert_int_equal(st("+", &lower, &at), POP3_ST_CONT);
	assert_int_equal(at, 1);
	/* not status lines */
	assert_int_equal(st("+OKAY", &lower, &at), POP3_ST_BAD);
	assert_false(lower);
	assert_int_equal(at, 0);
	assert_int_equal(st("-ERROR", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st("+OK\tx", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st("OK", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st(" +OK", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st("", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st("-", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st("-ER", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st("+O", &lower, &at), POP3_ST_BAD);
	assert_int_equal(st("hello", &lower, &at), POP3_ST_BAD);
	/* length-limited: bytes past len are not looked at */
	assert_int_equal(pop3_data_status("+OK", 2, &lower, &at), POP3_ST_BAD);
	assert_int_equal(pop3_data_status("+OKAY", 3, &lower, &at), POP3_ST_OK);
	assert_string_equal(pop3_status_str(POP3_ST_OK), "+OK");
	assert_string_equal(pop3_status_str(POP3_ST_ERR), "-ERR");
	assert_string_equal(pop3_status_str(POP3_ST_CONT), "+");
	assert_string_equal(pop3_status_str(POP3_ST_BAD), "?");
	assert_string_equal(pop3_status_str(POP3_ST_NONE), "");
}

static void code(const char *text, const char *want)
{
	char c[32];
	memset(c, 'Z', sizeof(c));
	pop3_data_code(text, c, sizeof(c));
	assert_string_equal(c, want);
}

static void test_response_codes(void **state)
{
	(void)state;
	code("[SYS/TEMP] x", "SYS/TEMP");
	code("[IN-USE] maildrop locked", "IN-USE");
	code("[LOGIN-DELAY]", "LOGIN-DELAY");
	code("[AUTH] bad password", "AUTH");
	code("no code", "");
	code(" [SYS/PERM] leading space", "");
	code("[] empty", "");
	code("[SYS/TEMP no close", "");
	code("[SYS TEMP] space inside", "");
	code("[01234567890123456789012345678901] 32 chars", "");
	code("[0123456789012345678901234567890] 31 chars", "0123456789012345678901234567890");
	code("", "");
	char small[4];
	pop3_data_code("[AUTH]", small, sizeof(small)); /* does not fit: no code */
	assert_string_equal(small, "");
}

static bool listing(const char *line, bool uidl, struct pop3_entry *e, const char **uid,
		    size_t *uid_len)
{
	return pop3_data_listing_line(line, strlen(line), uidl, e, uid, uid_len);
}

/* A UIDL line's id as the byte loops before issue #20's word-at-a-time
 * scan judged it: its end, and UID_BAD for a byte outside 0x21-0x7E. */
static void ref_uid(const char *p, size_t len, size_t i, size_t *j, bool *bad)
{
	*j = i;
	while (*j < len && p[*j] != ' ')
		(*j)++;
	*bad = false;
	for (size_t k = i; k < *j; k++)
		if ((unsigned char)p[k] < 0x21 || (unsigned char)p[k] > 0x7e)
			*bad = true;
}

static void test_uidl_scan_same_as_bytewise(void **state)
{
	(void)state;
	uint64_t x = 88172645463325252ull;
	static const char pick[] = { 'a', 'Z', '0', '~', '!', ' ', '\t', '\x7f', '\x80', '\xff',
				     '\x20', '\x21', '\x7e', '\x01', '\0' };
	for (unsigned k = 0; k < 300000; k++) {
		char line[96];
		size_t len = 3 + (k % 90);
		memcpy(line, "7 ", 2);
		for (size_t i = 2; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly id bytes, now and then one of the edges */
			line[i] = x % 16 ? (char)(0x21 + x / 16 % 94) : pick[x / 16 % sizeof pick];
		}
		struct pop3_entry e;
		const char *uid;
		size_t ul, j;
		bool bad;
		pop3_data_listing_line(line, len, true, &e, &uid, &ul);
		size_t i = 2; /* the id starts after the spaces */
		while (i < len && line[i] == ' ')
			i++;
		ref_uid(line, len, i, &j, &bad);
		assert_ptr_equal(uid, line + i);
		assert_int_equal(ul, j - i);
		bool want = j == i || j - i > POP3_UID_MAX || j < len || bad;
		assert_int_equal((e.flags & POP3_LE_UID_BAD) != 0, want);
	}
}

static void test_list_lines(void **state)
{
	(void)state;
	struct pop3_entry e;
	const char *uid = NULL;
	size_t ul = 0;
	assert_true(listing("1 120", false, &e, &uid, &ul));
	assert_int_equal(e.num, 1);
	assert_int_equal(e.size, 120);
	assert_int_equal(e.flags, 0);
	assert_true(listing("1 120 extra info", false, &e, &uid, &ul));
	assert_int_equal(e.size, 120);
	assert_int_equal(e.flags, 0);
	assert_true(listing("0 5", false, &e, &uid, &ul)); /* parses; the checks flag 0 */
	assert_int_equal(e.num, 0);
	assert_int_equal(e.size, 5);
	assert_false(listing("x 5", false, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_BADNUM);
	assert_int_equal(e.size, 5);
	assert_false(listing("1 abc", false, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_BADVAL);
	assert_int_equal(e.num, 1);
	assert_false(listing("1", false, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_BADVAL);
	assert_false(listing("", false, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_BADNUM | POP3_LE_BADVAL);
	assert_false(listing("-1 5", false, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_BADNUM);
	assert_false(listing("4294967296 5", false, &e, &uid, &ul)); /* > UINT32_MAX */
	assert_int_equal(e.flags, POP3_LE_BADNUM);
	assert_true(listing("4294967295 9999999999999999999", false, &e, &uid, &ul));
	assert_int_equal(e.num, 4294967295u);
	assert_int_equal(e.size, 9999999999999999999ull);
	assert_true(listing("7  99", false, &e, &uid, &ul)); /* two spaces */
	assert_int_equal(e.size, 99);
	assert_false(listing("1 +5", false, &e, &uid, &ul));
}

static void test_uidl_lines(void **state)
{
	(void)state;
	struct pop3_entry e;
	const char *uid = NULL;
	size_t ul = 0;
	const char *l = "1 abc";
	assert_true(pop3_data_listing_line(l, strlen(l), true, &e, &uid, &ul));
	assert_int_equal(e.num, 1);
	assert_int_equal(e.flags, 0);
	assert_ptr_equal(uid, l + 2);
	assert_int_equal(ul, 3);
	/* 70 characters: the most RFC 1939 allows */
	char line[128];
	snprintf(line, sizeof(line), "2 %070d", 7);
	assert_true(listing(line, true, &e, &uid, &ul));
	assert_int_equal(e.flags, 0);
	assert_int_equal(ul, 70);
	snprintf(line, sizeof(line), "2 %071d", 7);
	assert_true(listing(line, true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_UID_BAD);
	assert_int_equal(ul, 71);
	/* a control character inside */
	assert_true(listing("3 ab\x01" "cd", true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_UID_BAD);
	assert_true(listing("3 ab\tcd", true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_UID_BAD);
	assert_true(listing("3 ab\x7f", true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_UID_BAD);
	assert_true(listing("3 \xc3\xa9t\xc3\xa9", true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_UID_BAD);
	/* text after the uid */
	assert_true(listing("4 abc def", true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_UID_BAD);
	assert_int_equal(ul, 3);
	/* every printable byte 0x21-0x7e is allowed */
	char all[100] = "5 ";
	size_t o = 2;
	for (int c = 0x21; c <= 0x60; c++)
		all[o++] = (char)c;
	all[o] = '\0';
	assert_true(listing(all, true, &e, &uid, &ul));
	assert_int_equal(e.flags, 0);
	/* missing uid */
	assert_false(listing("6", true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_BADVAL | POP3_LE_UID_BAD);
	assert_false(listing("x abc", true, &e, &uid, &ul));
	assert_int_equal(e.flags, POP3_LE_BADNUM);
}

static bool b64(const char *s)
{
	return pop3_data_is_base64(s, strlen(s));
}

static void test_base64(void **state)
{
	(void)state;
	assert_true(b64("dGVzdA=="));
	assert_true(b64("AGFsaWNlAHNlY3JldA=="));
	assert_true(b64("YWJj"));
	assert_true(b64("YWI="));
	assert_true(b64("+/09"));
	assert_true(b64("="));   /* RFC 5034: empty initial response */
	assert_true(b64(""));    /* an empty response */
	assert_false(b64("YWJ"));       /* not a multiple of 4 */
	assert_false(b64("YW J"));
	assert_false(b64("YWJj\r"));
	assert_false(b64("*"));
	assert_false(b64("user name"));
	assert_false(b64("Y==="));      /* three pads */
	assert_false(b64("=YWJ"));
	assert_false(b64("YW-_"));      /* base64url is not base64 */
}

/* Padding only at the end: "ab=c" is not base64. */
static void test_base64_pad_in_middle(void **state)
{
	(void)state;
	/* Was a bug: '=' was accepted anywhere in the last two positions. */
	assert_false(b64("ab=c"));
	assert_false(b64("YWJjYW=j"));
}

static void capa(const char *line, unsigned *caps, char *sasl, size_t size)
{
	pop3_data_capa_line(line, strlen(line), caps, sasl, size);
}

static void test_capa_lines(void **state)
{
	(void)state;
	unsigned caps = 0;
	char sasl[128] = "";
	capa("UIDL", &caps, sasl, sizeof(sasl));
	assert_int_equal(caps, POP3_CAP_UIDL);
	capa("top", &caps, sasl, sizeof(sasl));
	capa("USER", &caps, sasl, sizeof(sasl));
	capa("PIPELINING", &caps, sasl, sizeof(sasl));
	capa("STLS", &caps, sasl, sizeof(sasl));
	assert_int_equal(caps, POP3_CAP_UIDL | POP3_CAP_TOP | POP3_CAP_USER | POP3_CAP_PIPELINING |
				       POP3_CAP_STLS);
	capa("SASL PLAIN login", &caps, sasl, sizeof(sasl));
	assert_true(caps & POP3_CAP_SASL);
	assert_string_equal(sasl, "PLAIN LOGIN ");
	capa("SASL CRAM-MD5", &caps, sasl, sizeof(sasl));
	assert_string_equal(sasl, "PLAIN LOGIN CRAM-MD5 ");
	/* not capabilities we track */
	unsigned c2 = 0;
	char s2[16] = "";
	capa("RESP-CODES", &c2, s2, sizeof(s2));
	capa("EXPIRE 30", &c2, s2, sizeof(s2));
	capa("UIDLX", &c2, s2, sizeof(s2));
	capa("", &c2, s2, sizeof(s2));
	capa("IMPLEMENTATION UIDL", &c2, s2, sizeof(s2));
	assert_int_equal(c2, 0);
	/* a long mechanism list stays within the buffer, control bytes shown as '?' */
	capa("SASL AAAAAAAAAAAAAAAAAAAAAAAA\x1b", &c2, s2, sizeof(s2));
	assert_int_equal(c2, POP3_CAP_SASL);
	assert_int_equal(strlen(s2), sizeof(s2) - 1);
	assert_memory_equal(s2, "AAAAAAAAAAAAAAA", 15);
	char s3[16] = "";
	capa("SASL X\x1b", &c2, s3, sizeof(s3));
	assert_string_equal(s3, "X? ");
}

static void test_numbers(void **state)
{
	(void)state;
	uint32_t v = 7;
	uint64_t w = 7;
	assert_true(pop3_parse_u32("0", 1, &v));
	assert_int_equal(v, 0);
	assert_true(pop3_parse_u32("4294967295", 10, &v));
	assert_int_equal(v, 4294967295u);
	assert_false(pop3_parse_u32("4294967296", 10, &v));
	assert_false(pop3_parse_u32("", 0, &v));
	assert_false(pop3_parse_u32("1 ", 2, &v));
	assert_false(pop3_parse_u32("+1", 2, &v));
	assert_true(pop3_parse_u32("12x", 2, &v)); /* length-limited */
	assert_int_equal(v, 12);
	assert_true(pop3_parse_u64("9999999999999999999", 19, &w));
	assert_int_equal(w, 9999999999999999999ull);
	assert_false(pop3_parse_u64("18446744073709551616", 20, &w));
}

/* The lookup as it was (every keyword compared letter by letter, the
 * input folded each time), to hold the faster one to the same answers. */
static enum pop3_cmd lookup_reference(const char *kw, size_t len)
{
	for (int c = POP3_CMD_NONE + 1; c < POP3_CMD_UNKNOWN; c++) {
		const char *k = pop3_cmd_name((enum pop3_cmd)c);
		size_t i = 0;
		for (; i < len && k[i]; i++) {
			char ch = kw[i];
			if (ch >= 'a' && ch <= 'z')
				ch = (char)(ch - 'a' + 'A');
			if (ch != k[i])
				break;
		}
		if (i == len && !k[i])
			return (enum pop3_cmd)c;
	}
	return POP3_CMD_UNKNOWN;
}

/* Every keyword in every casing, cut and extended, and random words of 0-6
 * bytes (NUL, high bytes, letters near the keywords'), as the reference. */
static void test_command_lookup_same_as_reference(void **state)
{
	(void)state;
	char w[8];
	for (int c = POP3_CMD_NONE + 1; c < POP3_CMD_UNKNOWN; c++) {
		const char *k = pop3_cmd_name((enum pop3_cmd)c);
		size_t n = strlen(k);
		for (unsigned mask = 0; mask < 1u << n; mask++) {
			for (size_t i = 0; i < n; i++)
				w[i] = (mask >> i & 1) ? (char)(k[i] - 'A' + 'a') : k[i];
			w[n] = 'X';
			for (size_t len = 0; len <= n + 1; len++)
				assert_int_equal(pop3_cmd_lookup(w, len), lookup_reference(w, len));
			assert_int_equal(pop3_cmd_lookup(w, n), (enum pop3_cmd)c);
		}
	}
	static const char alphabet[] = "ACDEILNOPRSTUQXacdeilnoprstuqx@[`{\0\x80\xff ";
	uint64_t x = 0x243f6a8885a308d3ULL;
	for (int round = 0; round < 200000; round++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t len = (size_t)(x >> 61) % 7;
		for (size_t i = 0; i < len; i++)
			w[i] = alphabet[(x >> (8 + 6 * i)) % (sizeof alphabet - 1)];
		assert_int_equal(pop3_cmd_lookup(w, len), lookup_reference(w, len));
	}
}

/* Near misses of the hashed lookup: every keyword with each of its bytes,
 * and the byte after it, replaced by each of the 256 values (a letter's
 * other case, its neighbours, NUL, 0x80+); and every word of 3 and 4
 * upper-case letters, which shares the hash's slots with the keywords. */
static void test_command_lookup_near_misses(void **state)
{
	(void)state;
	char w[8];
	for (int c = POP3_CMD_NONE + 1; c < POP3_CMD_UNKNOWN; c++) {
		const char *k = pop3_cmd_name((enum pop3_cmd)c);
		size_t n = strlen(k);
		for (size_t at = 0; at <= n; at++) {
			for (int b = 0; b < 256; b++) {
				memcpy(w, k, n);
				w[n] = 'S';
				w[at] = (char)b;
				size_t len = at == n ? n + 1 : n;
				enum pop3_cmd want = lookup_reference(w, len);
				assert_int_equal(pop3_cmd_lookup(w, len), want);
				/* the same keyword in another case; else another keyword
				 * (LAST, LIST) or none, as the reference says */
				if (at < n && (b == k[at] || b == k[at] - 'A' + 'a'))
					assert_int_equal(want, c);
			}
		}
	}
	unsigned found = 0;
	for (size_t len = 3; len <= 4; len++) {
		unsigned total = len == 3 ? 26 * 26 * 26 : 26 * 26 * 26 * 26;
		for (unsigned i = 0; i < total; i++) {
			unsigned v = i;
			for (size_t j = 0; j < len; j++, v /= 26)
				w[j] = (char)('A' + v % 26);
			enum pop3_cmd got = pop3_cmd_lookup(w, len);
			assert_int_equal(got, lookup_reference(w, len));
			found += got != POP3_CMD_UNKNOWN;
		}
	}
	assert_int_equal(found, POP3_CMD_UNKNOWN - POP3_CMD_NONE - 1); /* each keyword once */
}

static void test_command_table(void **state)
{
	(void)state;
	assert_int_equal(pop3_cmd_lookup("USER", 4), POP3_CMD_USER);
	assert_int_equal(pop3_cmd_lookup("retr", 4), POP3_CMD_RETR);
	assert_int_equal(pop3_cmd_lookup("Top", 3), POP3_CMD_TOP);
	assert_int_equal(pop3_cmd_lookup("TOPX", 4), POP3_CMD_UNKNOWN);
	assert_int_equal(pop3_cmd_lookup("TO", 2), POP3_CMD_UNKNOWN);
	assert_int_equal(pop3_cmd_lookup("", 0), POP3_CMD_UNKNOWN);
	assert_int_equal(pop3_cmd_lookup("RETRIEVE", 4), POP3_CMD_RETR); /* length-limited */
	assert_string_equal(pop3_cmd_name(POP3_CMD_STLS), "STLS");
	assert_string_equal(pop3_cmd_name(POP3_CMD_NONE), "");
	assert_string_equal(pop3_cmd_name(POP3_CMD__COUNT), "?");
	assert_int_equal(pop3_cmd_flags(POP3_CMD_LIST),
			 POP3_CF_TRANS | POP3_CF_MULTI_NOARG | POP3_CF_MSGNUM_OPT);
	assert_int_equal(pop3_cmd_flags(POP3_CMD__COUNT), 0);
	/* every keyword of the table looks itself up */
	for (int c = POP3_CMD_NONE + 1; c < POP3_CMD_UNKNOWN; c++) {
		const char *kw = pop3_cmd_name((enum pop3_cmd)c);
		assert_int_equal(pop3_cmd_lookup(kw, strlen(kw)), c);
	}
	assert_string_equal(pop3_state_name(POP3_STATE_TRANSACTION), "TRANSACTION");
	assert_string_equal(pop3_state_name(POP3_STATE_UNKNOWN), "UNKNOWN");
}

static void test_b64_decode(void **state)
{
	(void)state;
	unsigned char out[16];
	assert_int_equal(pop3_data_b64_decode("YWxpY2U=", 8, out, sizeof out), 5);
	assert_memory_equal(out, "alice", 5);
	assert_int_equal(pop3_data_b64_decode("YWI=", 4, out, sizeof out), 2);
	assert_int_equal(pop3_data_b64_decode("YQ==", 4, out, sizeof out), 1);
	assert_int_equal(out[0], 'a');
	assert_int_equal(pop3_data_b64_decode("=", 1, out, sizeof out), 0);
	assert_int_equal(pop3_data_b64_decode("YWxp", 4, out, 2), SIZE_MAX); /* too long for out */
	assert_int_equal(pop3_data_b64_decode("YW=p", 4, out, sizeof out), SIZE_MAX);
	assert_int_equal(pop3_data_b64_decode("YWx", 3, out, sizeof out), SIZE_MAX);
	assert_int_equal(pop3_data_b64_decode("YW\x01p", 4, out, sizeof out), SIZE_MAX);
}

static void test_sasl_user(void **state)
{
	(void)state;
	char u[8];
	/* "\0alice\0pw", "bob\0alice\0pw", "alice" (LOGIN), a long user cut */
	assert_true(pop3_data_sasl_user("PLAIN", 5, "AGFsaWNlAHB3", 12, u, sizeof u));
	assert_string_equal(u, "alice");
	assert_true(pop3_data_sasl_user("plain", 5, "Ym9iAGFsaWNlAHB3", 16, u, sizeof u));
	assert_string_equal(u, "bob");
	assert_true(pop3_data_sasl_user("LOGIN", 5, "YWxpY2U=", 8, u, sizeof u));
	assert_string_equal(u, "alice");
	assert_true(pop3_data_sasl_user("PLAIN", 5, "AGFsaWNlYWxpY2UAcHc=", 20, u, sizeof u));
	assert_string_equal(u, "aliceal"); /* "alicealice" cut to the buffer */
	/* no user: no NULs, an empty authcid, another mechanism, not base64 */
	strcpy(u, "keep");
	assert_false(pop3_data_sasl_user("PLAIN", 5, "YWxpY2U=", 8, u, sizeof u));
	assert_false(pop3_data_sasl_user("PLAIN", 5, "AABwdw==", 8, u, sizeof u));
	assert_false(pop3_data_sasl_user("CRAM-MD5", 8, "YWxpY2U=", 8, u, sizeof u));
	assert_false(pop3_data_sasl_user("LOGIN", 5, "YWxp*2U=", 8, u, sizeof u));
	assert_false(pop3_data_sasl_user("PLAINX", 6, "AGFsaWNlAHB3", 12, u, sizeof u));
	assert_string_equal(u, "keep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_decode),
		cmocka_unit_test(test_sasl_user),
		cmocka_unit_test(test_status_lines),
		cmocka_unit_test(test_response_codes),
		cmocka_unit_test(test_list_lines),
		cmocka_unit_test(test_uidl_lines),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_pad_in_middle),
		cmocka_unit_test(test_capa_lines),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_command_lookup_same_as_reference),
		cmocka_unit_test(test_command_lookup_near_misses),
		cmocka_unit_test(test_uidl_scan_same_as_bytewise),
	};
	return cmocka_run_group_tests_name("pop3_data", tests, NULL, NULL);
}
