/*
 * test_json_write.c - the JSON writer's fast paths against plain
 * references: the escaper (words of 8, blocks of 16 with SSE2, short
 * texts) against a byte-by-byte escaper written from the policy in
 * json_write.h, numbers against printf, times against gmtime and
 * strftime, a time rewritten in place against one written whole, and
 * the names the records keep escaped against the escaper.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/rng.h"

#include "../../src/output/json_write.h"
#include "checks.h"
#include "flow.h"
#include "helpers/events.h"
#include "sinks.h"
#include "timefmt.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	return xorshift64(&rng_state);
}

/* The code point of a well-formed UTF-8 sequence at s (n bytes left) and
 * its length, by decoding: 0 when it is not one (a stray continuation, a
 * cut sequence, an overlong form, a surrogate, past U+10FFFF). */
static size_t ref_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v;
	if (s[0] >= 0xc0 && s[0] < 0xe0) {
		len = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] < 0xf0) {
		len = 3;
		v = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] < 0xf8) {
		len = 4;
		v = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (v < least[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* The policy of json_write.h, one byte or sequence at a time. */
static size_t ref_escape(char *o, const unsigned char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		uint32_t cp;
		size_t l;
		if (c == '"' || c == '\\') {
			o[k++] = '\\';
			o[k++] = (char)c;
			i++;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			o[k++] = '\\';
			o[k++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			k += (size_t)sprintf(o + k, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			o[k++] = (char)c;
			i++;
		} else if ((l = ref_utf8(s + i, n - i, &cp)) == 0) {
			k += (size_t)sprintf(o + k, "\\u%04x", c); /* the byte as U+00XX */
			i++;
		} else if (cp < 0xa0) { /* C1 control */
			k += (size_t)sprintf(o + k, "\\u%04x", (unsigned)cp);
			i += l;
		} else {
			memcpy(o + k, s + i, l);
			k += l;
			i += l;
		}
	}
	o[k] = '\0';
	return k;
}

/* Both ways, as a whole JSON string (jc_str, what the records use) and by
 * jw_escape; fails with the input's bytes on a difference. */
static void check_escape(const unsigned char *in, size_t n)
{
	static char want[6 * 512 + 8], got[6 * 512 + 8];
	size_t wl = ref_escape(want, in, n);
	char *end = jc_str(got, (const char *)in, n);
	size_t gl = (size_t)(end - got);
	bool same = gl == wl + 2 && got[0] == '"' && got[gl - 1] == '"' && memcmp(got + 1, want, wl) == 0;
	struct jw w;
	jw_init(&w);
	jw_escape(&w, (const char *)in, n);
	same = same && w.len == wl && memcmp(w.buf, want, wl + 1) == 0;
	jw_fini(&w);
	if (!same) {
		char hex[3 * 512 + 1];
		for (size_t i = 0; i < n; i++)
			sprintf(hex + 3 * i, "%02x ", in[i]);
		hex[3 * n] = '\0';
		fail_msg("%zu bytes: %s\nwant %s", n, hex, want);
	}
}

/* Every byte 0-255, alone and at every offset of plain text long enough
 * for two 16-byte blocks and a tail, and every pair of bytes from a set
 * that covers each UTF-8 class. */
static void test_escape_every_byte_everywhere(void **state)
{
	(void)state;
	unsigned char in[64];
	for (unsigned c = 0; c < 256; c++)
		for (size_t n = 1; n <= 40; n++)
			for (size_t at = 0; at < n; at++) {
				for (size_t i = 0; i < n; i++)
					in[i] = (unsigned char)('a' + i % 26);
				in[at] = (unsigned char)c;
				check_escape(in, n);
			}
	static const unsigned char cls[] = { 0x00, 0x09, 0x1f, 0x20, 0x22, 0x5c, 0x7e, 0x7f, 0x80, 0x9f,
					     0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0,
					     0xf4, 0xf5, 0xff, 'x' };
	for (size_t a = 0; a < sizeof cls; a++)
		for (size_t b = 0; b < sizeof cls; b++)
			for (size_t at = 0; at < 20; at++) {
				memset(in, 'q', 24);
				in[at] = cls[a];
				in[at + 1] = cls[b];
				check_escape(in, 24);
				check_escape(in, at + 2);
			}
}

/* Random texts of every length to 300: mostly plain ASCII, with special
 * bytes, random bytes and valid UTF-8 (2, 3 and 4 bytes, C1 controls
 * among them) spread in at varying rates. */
static void test_escape_random(void **state)
{
	(void)state;
	static const char *utf8[] = { "\xc3\xa9", "\xc2\x85", "\xc2\xa0", "\xe2\x82\xac", "\xed\x9f\xbf",
				      "\xef\xbf\xbd", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf" };
	unsigned char in[512];
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rnd() % 301);
		unsigned rate = (unsigned)(rnd() % 4); /* 0: plain only ... 3: one in 4 odd */
		size_t i = 0;
		while (i < n) {
			uint64_t r = rnd();
			if (rate == 0 || r % (rate == 1 ? 64 : rate == 2 ? 12 : 4)) {
				in[i++] = (unsigned char)(0x20 + (r >> 8) % 0x5f);
				continue;
			}
			switch ((r >> 8) % 3) {
			case 0: /* any byte */
				in[i++] = (unsigned char)(r >> 16);
				break;
			case 1: { /* a whole UTF-8 sequence, when it fits */
				const char *u = utf8[(r >> 16) % (sizeof utf8 / sizeof utf8[0])];
				size_t l = strlen(u);
				if (i + l <= n) {
					memcpy(in + i, u, l);
					i += l;
				} else
					in[i++] = 'z';
				break;
			}
			default: /* the bytes JSON escapes by name */
				in[i++] = (unsigned char)"\"\\\n\r\t"[(r >> 16) % 5];
			}
		}
		check_escape(in, n);
	}
}

/* Numbers of every width, at random within it, against printf. */
static void test_numbers_random(void **state)
{
	(void)state;
	for (int round = 0; round < 200000; round++) {
		unsigned bits = (unsigned)(rnd() % 65);
		uint64_t v = bits == 64 ? rnd() : rnd() & (((uint64_t)1 << bits) - 1);
		char want[32], got[32];
		snprintf(want, sizeof want, "%" PRIu64, v);
		char *end = jc_u64(got, v);
		*end = '\0';
		if (strcmp(got, want) != 0)
			fail_msg("%s written as %s", want, got);
	}
}

/* A number equal to one written before is copied from it; any other, or
 * one too close behind it to copy whole, is written. */
static void test_number_again(void **state)
{
	(void)state;
	char buf[128];
	for (int round = 0; round < 20000; round++) {
		uint64_t was = rnd() >> (rnd() % 64), v = round % 2 ? was : rnd() >> (rnd() % 64);
		size_t gap = (size_t)(rnd() % 40);
		memset(buf, 'x', sizeof buf);
		char *at = buf + 1, *end = jc_u64(at, was);
		size_t was_len = (size_t)(end - at);
		char *o = end + gap;
		char *e = jc_u64_again(o, v, was, round % 5 ? at : NULL, was_len);
		*e = '\0';
		char want[32];
		snprintf(want, sizeof want, "%" PRIu64, v);
		if (strcmp(o, want) != 0)
			fail_msg("%s after %" PRIu64 " %zu bytes back: got %s", want, was, gap, o);
		at[was_len] = '\0';
		snprintf(want, sizeof want, "%" PRIu64, was);
		if (gap && strcmp(at, want) != 0)
			fail_msg("%s overwritten: %s", want, at);
	}
}

/* A UTC time as gmtime and strftime write it, the style's way. */
static void ref_time(char *o, size_t n, uint64_t ts_us, enum out_time_style style)
{
	time_t t = (time_t)(ts_us / 1000000);
	struct tm tm;
	char head[40];
	assert_non_null(gmtime_r(&t, &tm));
	strftime(head, sizeof head,
		 style == OUT_TIME_EVE ? "%Y-%m-%dT%H:%M:%S" : style == OUT_TIME_UTC ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
		 &tm);
	snprintf(o, n, "%s.%06u%s", head, (unsigned)(ts_us % 1000000),
		 style == OUT_TIME_EVE ? "+0000" : style == OUT_TIME_UTC ? "Z" : "");
}

/* UTC times written by arithmetic, the date from a kept day: random times
 * from 1970 to past 9999, days next to each other and far apart in turns
 * (the two kept days), each day's first and last microsecond. */
static void test_times_random(void **state)
{
	(void)state;
	static const enum out_time_style styles[] = { OUT_TIME_EVE, OUT_TIME_UTC, OUT_TIME_CLOCK_UTC };
	uint64_t near = 1709280000000000ull;
	for (int round = 0; round < 100000; round++) {
		uint64_t ts;
		switch (round % 4) {
		case 0: ts = rnd() % 260000000000000000ull; break; /* to year 10209 */
		case 1: ts = near + rnd() % (3 * 86400000000ull); break;
		case 2: ts = (rnd() % 3000000) * 86400000000ull; break;
		default: ts = (rnd() % 3000000 + 1) * 86400000000ull - 1; break;
		}
		if (round % 7 == 0)
			ts = 0; /* the day the JSON prefix is built at */
		enum out_time_style st = styles[rnd() % 3];
		char want[96], got[OUT_TIME_MAX];
		ref_time(want, sizeof want, ts, st);
		size_t len = out_time_str(got, sizeof got, ts, st);
		if (len != strlen(want) || strcmp(got, want) != 0)
			fail_msg("%" PRIu64 " style %d: got %s, want %s", ts, (int)st, got, want);
	}
}

/* A text rewritten in place for another time of the same day equals the
 * text written whole; another day, or a text not of the usual form, is
 * left as it was. */
static void test_time_same_day(void **state)
{
	(void)state;
	const uint64_t day = 86400000000ull;
	for (int round = 0; round < 100000; round++) {
		uint64_t was = rnd() % (400000 * day), ts;
		switch (round % 3) {
		case 0: ts = was - was % day + rnd() % day; break; /* same day */
		case 1: ts = was - was % day + (round & 8 ? day - 1 : 0); break; /* its edges */
		default: ts = rnd() % (400000 * day); break; /* mostly another day */
		}
		char text[OUT_TIME_MAX], before[OUT_TIME_MAX], want[OUT_TIME_MAX];
		size_t len = out_time_str(text, sizeof text, was, OUT_TIME_EVE);
		memcpy(before, text, sizeof text);
		size_t wl = out_time_str(want, sizeof want, ts, OUT_TIME_EVE);
		bool same_day = ts / day == was / day;
		bool done = out_time_eve_same_day(text, len, was, ts);
		if (len == 31 && same_day && !done)
			fail_msg("%" PRIu64 " -> %" PRIu64 ": not rewritten", was, ts);
		if (done ? wl != len || memcmp(text, want, wl) != 0 : memcmp(text, before, sizeof text) != 0)
			fail_msg("%" PRIu64 " -> %" PRIu64 ": got %.*s, want %s", was, ts, (int)len, text,
				 done ? want : before);
	}
	char text[OUT_TIME_MAX] = "?";
	assert_false(out_time_eve_same_day(text, 1, 0, 1));
	assert_string_equal(text, "?");
	/* a 5-digit year is never rewritten (its text is longer) */
	size_t len = out_time_str(text, sizeof text, 253402300800000000ull, OUT_TIME_EVE);
	assert_false(out_time_eve_same_day(text, len, 253402300800000000ull, 253402300801000000ull));
}

/* `"key":` and the escaper's JSON string of name. */
static void want_field(char *o, const char *key, const char *name)
{
	o += sprintf(o, "\"%s\":", key);
	*jc_str(o, name, strlen(name)) = '\0';
}

/* The next line of f, which must hold every field in want[]. */
static void expect_line(FILE *f, char (*want)[512], size_t n)
{
	static char line[65536];
	assert_non_null(fgets(line, sizeof line, f));
	for (size_t i = 0; i < n; i++)
		if (!strstr(line, want[i]))
			fail_msg("no %s in %s", want[i], line);
}

/* A JSON sink writing to a new temporary file, its name made in path. */
static struct sink sink_to_temp(char *path)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[256] = "";
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = json_sink_new(path, &o, err, sizeof err);
	assert_non_null(s.ops);
	return s;
}

/*
 * The records write this program's names (states, statuses, rules,
 * severities, RFCs, symptoms, end reasons) from texts kept per name: each
 * must be the escaper's text of that name, the first time (kept) and
 * every time after (taken from where it was kept), names interleaved.
 */
static void test_record_names(void **state)
{
	(void)state;
	char path[] = "/tmp/test_json_write_XXXXXX", err[256] = "";
	struct sink s = sink_to_temp(path);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	struct finding f;
	tev_session(&sess, &ci, 7);
	for (int round = 0; round < 3; round++) {
		for (int st = POP3_STATE_UNKNOWN; st <= POP3_STATE_CONNECT + 1; st++)
			for (int rs = POP3_ST_OK; rs <= POP3_ST_BAD + 1; rs++) {
				tev_txn(&t, 1, "NOOP", NULL, (enum pop3_status)rs, "", 6);
				t.state_before = (enum pop3_state)st;
				tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
			}
		for (int r = 0; r <= R__COUNT; r++) {
			tev_finding(&f, (enum rule_id)r, "a summary", 11, "STAT -> +OK 1 554", 13, "x");
			f.sev = (enum severity)(r % 3);
			tev_emit(s, EV_FINDING, &sess, NULL, &f, NULL);
		}
		for (int e = FLOW_END_NONE; e <= FLOW_END_REFUSED; e++) {
			sess.end = (enum flow_end)e;
			sess.pop3.state = (enum pop3_state)(e % (POP3_STATE_CONNECT + 1));
			sess.findings[SEV_WARNING] = 1;
			sess.worst = (enum severity)(e % 3);
			sess.rules_hit = (1ull << (e % R__COUNT)) | (1ull << ((e * 7) % R__COUNT));
			tev_emit(s, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
		}
	}
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);

	FILE *in = fopen(path, "r");
	assert_non_null(in);
	char want[4][512];
	for (int round = 0; round < 3; round++) {
		for (int st = POP3_STATE_UNKNOWN; st <= POP3_STATE_CONNECT + 1; st++)
			for (int rs = POP3_ST_OK; rs <= POP3_ST_BAD + 1; rs++) {
				want_field(want[0], "state", pop3_state_name((enum pop3_state)st));
				want_field(want[1], "status", pop3_status_str((enum pop3_status)rs));
				expect_line(in, want, 2);
			}
		for (int r = 0; r <= R__COUNT; r++) {
			size_t n = 0;
			want_field(want[n++], "rule", rule_name((enum rule_id)r));
			want_field(want[n++], "severity", severity_name((enum severity)(r % 3)));
			want_field(want[n++], "rfc", rule_rfc((enum rule_id)r));
			if (rule_symptom((enum rule_id)r))
				want_field(want[n++], "symptom", rule_symptom((enum rule_id)r));
			expect_line(in, want, n);
		}
		for (int e = FLOW_END_NONE; e <= FLOW_END_REFUSED; e++) {
			char rules[512];
			want_field(want[0], "end_reason", flow_end_name((enum flow_end)e));
			want_field(want[1], "state", pop3_state_name((enum pop3_state)(e % (POP3_STATE_CONNECT + 1))));
			want_field(want[2], "worst_severity", severity_name((enum severity)(e % 3)));
			int a = e % R__COUNT, b = (e * 7) % R__COUNT, lo = a < b ? a : b, hi = a < b ? b : a;
			char *p = rules + sprintf(rules, "\"rules\":[");
			p = jc_str(p, rule_name((enum rule_id)lo), strlen(rule_name((enum rule_id)lo)));
			if (hi != lo) {
				*p++ = ',';
				p = jc_str(p, rule_name((enum rule_id)hi), strlen(rule_name((enum rule_id)hi)));
			}
			strcpy(p, "]");
			strcpy(want[3], rules);
			expect_line(in, want, 4);
		}
	}
	fclose(in);
	unlink(path);
}

/* A listing as the writer's steps write it (how the record wrote it
 * before it was written by cursor): the reference. */
static void ref_listing(struct jw *w, const struct pop3_txn *t, uint32_t max)
{
	bool uidl = t->cmd == POP3_CMD_UIDL;
	uint32_t n = t->n_entries < max ? t->n_entries : max;
	jw_arr_begin(w, "listing");
	for (uint32_t i = 0; i < n; i++) {
		const struct pop3_entry *e = &t->entries[i];
		jw_obj_begin(w, NULL);
		jw_u64(w, "number", e->num);
		if (uidl) {
			if (t->uids)
				jw_strn(w, "uid", t->uids + e->uid_off, e->uid_len);
			else
				jw_str(w, "uid", "");
		} else
			jw_u64(w, "size", e->size);
		if (e->flags) {
			jw_arr_begin(w, "invalid");
			if (e->flags & POP3_LE_BADNUM)
				jw_str(w, NULL, "number");
			if (e->flags & POP3_LE_BADVAL)
				jw_str(w, NULL, uidl ? "uid_missing" : "size");
			if (e->flags & POP3_LE_UID_BAD)
				jw_str(w, NULL, "uid_syntax");
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	uint64_t listed = (uint64_t)t->n_entries + t->n_entries_more;
	jw_u64(w, "listing_count", listed);
	jw_bool(w, "listing_truncated", n < listed || (t->flags & POP3_TF_LISTING_CAPPED));
}

/*
 * LIST and UIDL listings, written by cursor, against the reference: every
 * set of invalid flags, uids present, missing and needing escapes, sizes
 * of every width, listings empty, short, long, past the 1000 written and
 * with entries listed but not carried.
 */
static void test_record_listing(void **state)
{
	(void)state;
	static const uint32_t counts[] = { 1, 2, 9, 40, 999, 1000, 1001, 2500 };
	char path[] = "/tmp/test_json_write_XXXXXX", err[256] = "";
	struct sink s = sink_to_temp(path);
	struct ev_session sess;
	tev_session(&sess, NULL, 9);
	struct jw want;
	jw_init(&want);
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
		for (int kind = 0; kind < 4; kind++) { /* LIST, UIDL, UIDL without uids, UIDL odd uids */
			bool uidl = kind > 0;
			struct pop3_txn t;
			tev_txn(&t, 4, uidl ? "UIDL" : "LIST", NULL, POP3_ST_OK, "listing", 31);
			tev_listing(&t, counts[c], uidl);
			t.cmd = uidl ? POP3_CMD_UIDL : POP3_CMD_LIST;
			t.n_entries_more = kind == 1 ? counts[c] : 0;
			t.flags = kind == 2 && c % 2 ? POP3_TF_LISTING_CAPPED : 0;
			if (kind == 2) {
				free(t.uids);
				t.uids = NULL;
			}
			for (uint32_t i = 0; i < counts[c]; i++) {
				t.entries[i].flags = (uint8_t)((i + c) % 8);
				t.entries[i].size = rnd() >> (rnd() % 64);
				if (kind == 3 && i % 3 == 0) /* quotes, a control byte, a long one */
					t.entries[i].uid_len = (uint8_t)snprintf(t.uids + 16 * i, 16, i % 2 ? "u\"%u\\\x01" : "%014u", i);
			}
			tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
			jw_line(&want);
			jw_obj_begin(&want, NULL);
			jw_u64(&want, "tx_id", 4); /* a value before it: the comma */
			ref_listing(&want, &t, 1000);
			jw_obj_end(&want);
			want.buf[want.len++] = '\n';
			want.buf[want.len] = '\0';
			tev_listing_free(&t);
		}
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);

	FILE *in = fopen(path, "r");
	assert_non_null(in);
	static char line[1 << 20];
	const char *next = want.buf;
	while (fgets(line, sizeof line, in)) {
		const char *nl = strchr(next, '\n');
		assert_non_null(nl);
		/* the reference's listing: from ",\"listing\"" to its last '}' */
		const char *from = strstr(next, ",\"listing\":");
		assert_non_null(from);
		size_t len = (size_t)(nl - 1 - from);
		const char *at = strstr(line, ",\"listing\":");
		if (!at || strncmp(at, from, len) != 0 || strncmp(at + len, ",\"flags\":[", 10) != 0)
			fail_msg("listing differs:\n got %.300s\nwant %.*s", at ? at : line, (int)(len < 300 ? len : 300), from);
		next = nl + 1;
	}
	assert_int_equal(*next, '\0');
	fclose(in);
	unlink(path);
	jw_fini(&want);
}

/* A name's text by jc_name equals the escaper's, kept or not. */
static void check_name(const char *name)
{
	char got[6 * 128 + 64], want[6 * 128 + 8];
	struct jname v = jname_of(name);
	assert_true(jname_room(v) <= sizeof got);
	*jc_name(got, v) = '\0';
	const char *s = name ? name : "";
	*jc_str(want, s, strlen(s)) = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("name %s: got %s, want %s", s, got, want);
}

/*
 * Names kept escaped, directly: plain, needing escapes, as long as a slot
 * takes and longer, NULL; asked for again (kept) and again after the table
 * has filled up (last: from then on new names are not kept, and must still
 * come out right).
 */
static void test_names_kept(void **state)
{
	(void)state;
	static const char *names[] = {
		"TRANSACTION", "+OK", "", "a \"quoted\" \\ name\x01", "\xc3\xa9t\xc3\xa9 \xff",
		"0123456789012345678901234567890123456789012345", /* 46: its text fills a slot */
		"01234567890123456789012345678901234567890123456", /* 47: one too long */
		"a name of the kind a symptom is, far longer than any slot of the table holds",
		"\"\"\"\"\"\"\"\"\"\"", /* short, but escaped twice as long */
		"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"", /* escaped past a slot */
	};
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			check_name(names[i]);
		check_name(NULL);
	}
	static char many[2 * JNAME_SLOTS][12];
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < 2 * JNAME_SLOTS; i++) {
			snprintf(many[i], sizeof many[i], i % 7 ? "n%zu" : "q\"%zu", i);
			check_name(many[i]);
			check_name(names[i % (sizeof names / sizeof names[0])]);
		}
	assert_int_equal(jname_of(many[2 * JNAME_SLOTS - 1]).len, 0); /* the table is full */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_every_byte_everywhere),
		cmocka_unit_test(test_escape_random),
		cmocka_unit_test(test_numbers_random),
		cmocka_unit_test(test_number_again),
		cmocka_unit_test(test_times_random),
		cmocka_unit_test(test_time_same_day),
		cmocka_unit_test(test_record_names),
		cmocka_unit_test(test_record_listing),
		cmocka_unit_test(test_names_kept), /* last: it fills the table */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
