/*
 * test_report.c - the text report: content of the summary and of a
 * flagged session (findings, evidence, transcript), determinism (same
 * events, same bytes), the transcript cap, -v, --localtime, the filter,
 * and that escape sequences from the wire never reach the output.
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

#include <cmocka.h>

#include "helpers/events.h"
#include "sinks.h"

static const char *const sources[] = { "intermail.pcap" };

/* Feed one run of three sessions (1 clean, 2 flagged, 3 long and clean) into a report. */
static char *run(const struct report_opts *o, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	struct sink s = report_sink_new(f, o);
	assert_non_null(s.ops);

	struct ev_session a, b, c;
	struct ev_pop3 *ca, *cb, *cc;
	struct pop3_txn t;
	struct finding fd;
	struct ev_stats st;
	tev_session(&a, &ca, 1);
	tev_session(&b, &cb, 2);
	tev_session(&c, &cc, 3);
	strcpy(cb->user, "bob\x1b[2J");
	strcpy(cb->banner, "evil \x1b]0;title\x07 banner");
	strcpy(cc->user, "carol");

	tev_emit(s, EV_SESSION_OPEN, &b, NULL, NULL, NULL);
	tev_txn(&t, 0, NULL, NULL, POP3_ST_OK, "InterMail ready", 2);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_txn(&t, 1, "USER", "bob\x1b[2J", POP3_ST_OK, "", 4);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_txn(&t, 2, "PASS", "<redacted>", POP3_ST_OK, "You have 0 messages totaling 554 octets", 6);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_txn(&t, 3, "STAT", NULL, POP3_ST_OK, "1 554", 8);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_txn(&t, 4, "UIDL", NULL, POP3_ST_OK, "0 messages (554 octets) [1 control message(s) hidden]", 10);
	tev_listing(&t, 0, true);
	t.data_octets = 0;
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_listing_free(&t);
	tev_txn(&t, 5, "RETR", "1", POP3_ST_OK, "554 octets", 12);
	t.multiline = true;
	t.terminated = true;
	t.data_lines = 12;
	t.data_octets = 554;
	t.flags = POP3_TF_BARE_LF;
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_finding(&fd, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 9,
		    "STAT -> +OK 1 554", 11, "UIDL -> +OK 0 messages (554 octets) \x1b[5m");
	b.flagged = true;
	b.findings[SEV_ERROR] = 1;
	b.rules_hit = 1ull << R_STAT_UIDL_COUNT;
	b.worst = SEV_ERROR;
	tev_emit(s, EV_FINDING, &b, NULL, &fd, NULL);

	for (int i = 0; i < 600; i++) {
		tev_txn(&t, (uint64_t)i, "NOOP", NULL, POP3_ST_OK, "", (uint64_t)(100 + 2 * i));
		tev_emit(s, EV_TXN, &c, &t, NULL, NULL);
	}
	tev_txn(&t, 1, "QUIT", NULL, POP3_ST_OK, "bye", 14);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	a.end = FLOW_END_FIN;
	a.txns = 2;
	tev_emit(s, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	b.end = FLOW_END_RST;
	b.txns = 6;
	tev_emit(s, EV_SESSION_CLOSE, &b, NULL, NULL, NULL);
	/* c is never closed: reported as open at the end */
	tev_stats(&st, true);
	tev_emit(s, EV_STATS, NULL, NULL, NULL, &st);

	char err[128] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
	fclose(f);
	return buf;
}

static struct report_opts opts(void)
{
	struct report_opts o = { .filter = { .rule = -1 }, .sources = sources, .nsources = 1 };
	return o;
}

static void test_content(void **state)
{
	(void)state;
	struct report_opts o = opts();
	size_t len;
	char *r = run(&o, &len);
	if (getenv("SHOW_REPORT"))
		fputs(r, stderr);
	assert_non_null(strstr(r, "Captures:        intermail.pcap\n"));
	assert_non_null(strstr(r, "Frames:          120 (54321 bytes)"));
	assert_non_null(strstr(r, "POP3 sessions:   3, flagged 1"));
	assert_non_null(strstr(r, "stat-uidl-count (error)"));
	assert_non_null(strstr(r, "198.51.100.5:110"));
	assert_non_null(strstr(r, "bob\\x1b[2J @ 198.51.100.5"));
	assert_non_null(strstr(r, "decode ip_fragment"));
	assert_non_null(strstr(r, "tcp gaps"));
	/* the flagged session */
	assert_non_null(strstr(r, "Session 2: 192.0.2.10:50002 -> 198.51.100.5:110  (test.pcap)"));
	assert_non_null(strstr(r, "start 2026-11-24 21:06:39.123456Z, last 2026-11-24 21:06:39.128456Z, rst"));
	assert_non_null(strstr(r, "ERROR   stat-uidl-count: STAT said 1 message (554 octets); UIDL listed 0"));
	assert_non_null(strstr(r, "frame 11      21:06:39.134456  UIDL -> +OK 0 messages (554 octets) \\x1b[5m"));
	assert_non_null(strstr(r, "basis: RFC 1939 sections 5 and 7 (STAT, UIDL)"));
	assert_non_null(strstr(r, "client: Outlook typically shows 0x800CCC97"));
	assert_non_null(strstr(r, "frame 8/9         21:06:39.131456  C: STAT  S: +OK 1 554\n"));
	assert_non_null(strstr(r, "C: PASS <redacted>  S: +OK You have 0 messages totaling 554 octets\n"));
	assert_non_null(strstr(r, "C: RETR 1  S: +OK 554 octets  (12 lines, 554 octets)  [bare_lf]\n"));
	assert_non_null(strstr(r, "S: +OK InterMail ready\n"));
	/* clean sessions: one line each, the open one marked */
	assert_non_null(strstr(r, "Session 1: 192.0.2.10:50001 -> 198.51.100.5:110  user alice  TRANSACTION  2 txns  fin\n"));
	assert_non_null(strstr(r, "Session 3: 192.0.2.10:50003 -> 198.51.100.5:110  user carol  TRANSACTION  0 txns  open\n"));
	assert_null(strstr(r, "NOOP")); /* no clean transcripts without -v */
	/* flagged before clean; nothing raw from the wire */
	assert_true(strstr(r, "Session 2:") < strstr(r, "Session 1:"));
	assert_null(strchr(r, '\x1b'));
	assert_null(strchr(r, '\x07'));
	free(r);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct report_opts o = opts();
	size_t l1, l2;
	char *r1 = run(&o, &l1);
	char *r2 = run(&o, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(r1, r2, l1);
	free(r1);
	free(r2);
}

static void test_verbose_cap(void **state)
{
	(void)state;
	struct report_opts o = opts();
	o.verbose = true;
	size_t len;
	char *r = run(&o, &len);
	assert_non_null(strstr(r, "C: NOOP  S: +OK\n"));
	assert_non_null(strstr(r, "... 100 more transactions not kept\n"));
	assert_non_null(strstr(r, "still open at the end of input"));
	free(r);
}

/* Transcript lines in each shape, and the longest one the fields allow:
 * every field at its maximum, each byte escaped to 4, every flag set. */
static void test_txn_lines(void **state)
{
	(void)state;
	struct report_opts o = opts();
	o.verbose = true;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct sink s = report_sink_new(f, &o);
	struct ev_session a;
	struct ev_pop3 *ca;
	struct pop3_txn t;
	tev_session(&a, &ca, 1);

	tev_txn(&t, 0, "NOOP", NULL, POP3_ST_NONE, "", 5);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_txn(&t, 1, "RETR", "2", POP3_ST_ERR, "no such message", 123456789012);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_txn(&t, 2, NULL, NULL, POP3_ST_OK, "", 7);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_txn(&t, 3, "LIST", NULL, POP3_ST_OK, "", 8);
	t.multiline = true;
	t.data_lines = 3;
	t.data_octets = 40;
	t.flags = POP3_TF_NO_TERMINATOR | POP3_TF_CUT | 0x80000000u; /* an unknown bit is left out */
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);

	char kw[POP3_KEYWORD_MAX + 1], args[POP3_ARGS_MAX + 1], text[POP3_TEXT_MAX + 1];
	memset(kw, '\x1b', POP3_KEYWORD_MAX);
	kw[POP3_KEYWORD_MAX] = '\0';
	memset(args, '\xff', POP3_ARGS_MAX);
	args[POP3_ARGS_MAX] = '\0';
	memset(text, '\x80', POP3_TEXT_MAX);
	text[POP3_TEXT_MAX] = '\0';
	tev_txn(&t, 4, "X", args, POP3_ST_OK, text, 1);
	memcpy(t.keyword, kw, sizeof kw);
	t.req_frame = UINT64_MAX;
	t.rep_frame = UINT64_MAX - 1;
	t.multiline = true;
	t.data_lines = UINT64_MAX;
	t.data_octets = UINT64_MAX;
	t.flags = 0x1ffff;
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	char err[128] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
	fclose(f);
	if (getenv("SHOW_REPORT"))
		fputs(buf, stderr);

	assert_non_null(strstr(buf, "\n    frame 5           21:06:39.128456  C: NOOP  S: (no reply)\n"));
	assert_non_null(strstr(buf, "\n    frame 123456789012/123456789013 18:39:48.135456  C: RETR 2  S: -ERR no such message\n"));
	assert_non_null(strstr(buf, "\n    frame 7           21:06:39.130706  S: +OK\n"));
	assert_non_null(strstr(buf, "\n    frame 8/9         21:06:39.131456  C: LIST  S: +OK  (3 lines, 40 octets, "
				    "no terminator)  [cut, no_terminator]\n"));
	char want[8192];
	size_t n = (size_t)snprintf(want, sizeof want, "\n    frame %" PRIu64 "/%" PRIu64 " 21:06:39.124456  C: ",
				    UINT64_MAX, UINT64_MAX - 1);
	for (int i = 0; i < POP3_KEYWORD_MAX; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "\\x1b");
	n += (size_t)snprintf(want + n, sizeof want - n, " ");
	for (int i = 0; i < POP3_ARGS_MAX; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "\\xff");
	n += (size_t)snprintf(want + n, sizeof want - n, "  S: +OK ");
	for (int i = 0; i < POP3_TEXT_MAX; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "\\x80");
	snprintf(want + n, sizeof want - n,
		 "  (%" PRIu64 " lines, %" PRIu64 " octets, no terminator)  [unanswered, unsolicited, after_gap, "
		 "cut, bare_lf, dot_cr_no_lf, unstuffed_dot, no_terminator, command_too_long, reply_too_long, "
		 "line_truncated, status_lowercase, auth_not_base64, auth_cancel, multiline_unexpected, "
		 "listing_capped, bad_listing_line]\n",
		 UINT64_MAX, UINT64_MAX);
	assert_non_null(strstr(buf, want));
	free(buf);
}

/*
 * The caps on held transcripts: REPORT_TXN_LINES_MAX lines per session and
 * REPORT_TRANSCRIPT_TOTAL_MAX bytes in all, counted as the lines' text in
 * buffers that start at 2 KiB and double, released when a session that is
 * not shown closes. Sessions of long lines, interleaved, some closing
 * early: each shown session must keep exactly the lines that this model
 * of the rule keeps, and count the rest.
 */
#define REPORT_TOTAL (8u * 1024 * 1024) /* REPORT_TRANSCRIPT_TOTAL_MAX in report_priv.h */
#define CAP_SESSIONS 120
#define CAP_ROUNDS 500

/* The first needle in [from, end), or NULL. Bounded, unlike strstr: the
 * report here is tens of MB, and ASan's strstr measures all of what
 * follows at every call (five minutes for this test). */
static char *find_in(char *from, char *end, const char *needle)
{
	size_t n = strlen(needle);
	while (from < end && (size_t)(end - from) >= n) {
		char *c = memchr(from, needle[0], (size_t)(end - from) - n + 1);
		if (!c)
			return NULL;
		if (!memcmp(c, needle, n))
			return c;
		from = c + 1;
	}
	return NULL;
}

static void test_transcript_caps(void **state)
{
	(void)state;
	struct report_opts o = opts();
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct sink s = report_sink_new(f, &o);
	static struct ev_session ss[CAP_SESSIONS];
	static struct ev_pop3 *cs[CAP_SESSIONS];
	static size_t want_len[CAP_SESSIONS], want_cap[CAP_SESSIONS], line_len[CAP_SESSIONS];
	static uint64_t want_lines[CAP_SESSIONS], want_more[CAP_SESSIONS];
	static char text[POP3_TEXT_MAX + 1];
	size_t total = 0;
	struct pop3_txn t;

	for (int k = 0; k < CAP_SESSIONS; k++) {
		tev_session(&ss[k], &cs[k], (uint64_t)k + 1);
		if (k % 3) { /* flagged: shown with its transcript */
			ss[k].flagged = true;
			ss[k].rules_hit = 1ull << R_STAT_UIDL_COUNT;
			ss[k].findings[SEV_ERROR] = 1;
		}
		/* "    frame 100/101   " " 21:06:39.223456  C: RETR 1  S: +OK " + text */
		line_len[k] = 21 + 1 + 15 + 20 + 4 * (size_t)(200 + k * 2);
	}
	for (int i = 0; i < CAP_ROUNDS; i++) {
		for (int k = 0; k < CAP_SESSIONS; k++) {
			if (ss[k].end != FLOW_END_NONE)
				continue;
			memset(text, '\x80', (size_t)(200 + k * 2));
			text[200 + k * 2] = '\0';
			tev_txn(&t, (uint64_t)i, "RETR", "1", POP3_ST_OK, text, 100);
			tev_emit(s, EV_TXN, &ss[k], &t, NULL, NULL);
			/* the rule */
			if (want_lines[k] >= 500) {
				want_more[k]++;
				continue;
			}
			size_t need = want_len[k] + line_len[k] + 1;
			if (need > want_cap[k]) {
				size_t cap = want_cap[k] ? want_cap[k] * 2 : 2048;
				while (need > cap)
					cap *= 2;
				if (total + (cap - want_cap[k]) > REPORT_TOTAL) {
					want_more[k]++;
					continue;
				}
				total += cap - want_cap[k];
				want_cap[k] = cap;
			}
			want_len[k] = need;
			want_lines[k]++;
		}
		if (i == CAP_ROUNDS / 2) /* the clean ones go, and free their share */
			for (int k = 0; k < CAP_SESSIONS; k += 3) {
				ss[k].end = FLOW_END_FIN;
				tev_emit(s, EV_SESSION_CLOSE, &ss[k], NULL, NULL, NULL);
				total -= want_cap[k];
			}
	}
	for (int k = 1; k < CAP_SESSIONS; k++)
		if (k % 3) {
			ss[k].end = FLOW_END_FIN;
			tev_emit(s, EV_SESSION_CLOSE, &ss[k], NULL, NULL, NULL);
		}
	char err[128] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
	fclose(f);

	uint64_t capped = 0;
	for (int k = 1; k < CAP_SESSIONS; k++) {
		if (!(k % 3))
			continue;
		char head[64];
		snprintf(head, sizeof head, "\nSession %d: ", k + 1);
		char *at = find_in(buf, buf + len, head);
		assert_non_null(at);
		char *end = find_in(at + 1, buf + len, "\nSession ");
		if (!end)
			end = buf + len;
		uint64_t lines = 0, more = 0;
		for (char *l = find_in(at, end, "\n    frame "); l; l = find_in(l + 1, end, "\n    frame ")) {
			char *nl = memchr(l + 1, '\n', (size_t)(buf + len - (l + 1)));
			assert_non_null(nl);
			assert_int_equal((size_t)(nl - l - 1), line_len[k]);
			lines++;
		}
		char *m = find_in(at, end, "    ... ");
		if (m)
			more = strtoull(m + 8, NULL, 10);
		if (lines != want_lines[k] || more != want_more[k])
			fail_msg("session %d: %" PRIu64 " lines and %" PRIu64 " more, want %" PRIu64 " and %" PRIu64,
				 k + 1, lines, more, want_lines[k], want_more[k]);
		if (want_lines[k] < 500)
			capped++;
	}
	assert_true(capped > 0); /* the total cap was reached */
	free(buf);
}

/*
 * Each line is counted against the caps at the length it prints: off by
 * one byte, a line at the edge of a buffer is kept where it should not be,
 * or not where it should. Other sessions hold all but 2 KiB per probe of
 * the total (buffers of 2^k bytes, so the sum is exact); then a pair of
 * probes per shape of line: one line of the shape and a line that brings
 * the probe to exactly 2048 bytes (kept), or to 2049 (not kept).
 */
#define SHAPES (12 + 20 + 16 * 9)

/* Past the first 12: plain texts of 1 to 20 bytes, then texts of 1 to 16
 * bytes with one byte that prints longer ('\\', ESC, 0x80) at the start,
 * the middle or the end, as keyword, args or reply text. */
static void shape_text(struct pop3_txn *t, int k)
{
	char x[24];
	if (k < 20) {
		memset(x, 'a', (size_t)k + 1);
		x[k + 1] = '\0';
		tev_txn(t, 0, "APOP", x, POP3_ST_OK, "", 30);
		return;
	}
	k -= 20;
	int len = k / 9 + 1, which = k % 9;
	int pos = which / 3 == 0 ? 0 : which / 3 == 1 ? len / 2 : len - 1;
	memset(x, 'b', (size_t)len);
	x[pos] = "\\\x1b\x80"[which % 3];
	x[len] = '\0';
	if (k % 3 == 0) {
		tev_txn(t, 0, "NOOP", NULL, POP3_ST_OK, "", 30);
		strcpy(t->keyword, x);
	} else if (k % 3 == 1)
		tev_txn(t, 0, "USER", x, POP3_ST_OK, "", 30);
	else
		tev_txn(t, 0, "STAT", NULL, POP3_ST_ERR, x, 30);
}

static void shape_txn(struct pop3_txn *t, int i)
{
	static char big[POP3_ARGS_MAX + 1];
	if (i >= 12) {
		shape_text(t, i - 12);
		return;
	}
	switch (i) {
	case 0:
		tev_txn(t, 0, "NOOP", NULL, POP3_ST_NONE, "", 5);
		break;
	case 1:
		tev_txn(t, 0, NULL, NULL, POP3_ST_OK, "InterMail POP3 ready <1.2@x>", 2);
		break;
	case 2:
		tev_txn(t, 3, "RETR", "12", POP3_ST_OK, "554 octets", 120);
		t->multiline = t->terminated = true;
		t->data_lines = 12;
		t->data_octets = 554;
		t->flags = POP3_TF_CUT | POP3_TF_BARE_LF | 0x80000000u;
		break;
	case 3:
		tev_txn(t, 4, "LIST", NULL, POP3_ST_OK, "", 99999);
		t->multiline = true;
		t->data_lines = UINT64_MAX;
		t->data_octets = 1234567890123ull;
		t->flags = 0x1ffff;
		break;
	case 4:
		tev_txn(t, 5, "US\x1b" "ER", "b\\o\xff" "b\x7f", POP3_ST_ERR, "\x1b[2J \\ \xc3\xa9 no", 3);
		break;
	case 5:
		tev_txn(t, 6, "AUTH", "PLAIN", POP3_ST_CONT, "", 123456789012ull);
		t->flags = 0x80000000u; /* no name: nothing shown */
		break;
	case 6:
		tev_txn(t, 7, "XYZZY", "", POP3_ST_BAD, "what", 10);
		t->has_args = true;
		break;
	case 7:
		tev_txn(t, 8, NULL, NULL, POP3_ST_OK, "late", 9);
		t->req_ts_us = 0;
		t->req_frame = 0;
		break;
	case 8:
		tev_txn(t, 9, "DELE", "1", POP3_ST_OK, "", 77);
		t->rep_frame = t->req_frame; /* one frame for both */
		t->flags = POP3_TF_UNANSWERED | POP3_TF_BAD_LISTING_LINE;
		break;
	case 9:
		tev_txn(t, 10, "STAT", NULL, (enum pop3_status)200, "odd", 12);
		break;
	case 10:
		memset(big, '\\', 200);
		big[200] = '\0';
		tev_txn(t, 11, "PASS", big, POP3_ST_OK, big, 1);
		break;
	case 11:
		tev_txn(t, 12, "TOP", "1 0", POP3_ST_OK, "", 4);
		t->multiline = true;
		t->terminated = false;
		t->data_lines = 0;
		t->data_octets = 0;
		break;
	}
}

/* A line: "C: RETR <a bytes 0xff>  S: +OK <t bytes of c>". */
static void filler_txn(struct pop3_txn *t, size_t a, size_t n, char c)
{
	static char args[POP3_ARGS_MAX + 1], text[POP3_TEXT_MAX + 1];
	memset(args, '\xff', a);
	args[a] = '\0';
	memset(text, c, n);
	text[n] = '\0';
	tev_txn(t, 1, "RETR", a ? args : NULL, POP3_ST_OK, text, 100);
}

/* The same with no args and a text that prints as `w` bytes (w > 0). */
static void filler_to(struct pop3_txn *t, size_t w)
{
	filler_txn(t, 0, w / 4 + w % 4, '\x80');
	memset(t->text + w / 4, 'a', w % 4);
}

/* The printed length of the one transcript line of a report -v. */
static size_t printed_len(const struct pop3_txn *t)
{
	struct report_opts o = opts();
	o.verbose = true;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct sink s = report_sink_new(f, &o);
	struct ev_session a;
	struct ev_pop3 *ca;
	tev_session(&a, &ca, 1);
	tev_emit(s, EV_TXN, &a, t, NULL, NULL);
	char err[128] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
	fclose(f);
	char *l = strstr(buf, "\n    frame ");
	assert_non_null(l);
	size_t n = (size_t)(strchr(l + 1, '\n') - l - 1);
	free(buf);
	return n;
}

static void flag(struct ev_session *s)
{
	s->flagged = true;
	s->rules_hit = 1ull << R_STAT_UIDL_COUNT;
	s->findings[SEV_ERROR] = 1;
}

static void test_transcript_line_lengths(void **state)
{
	(void)state;
	struct report_opts o = opts();
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct sink s = report_sink_new(f, &o);
	static struct ev_session ss[64 + 2 * SHAPES];
	static struct ev_pop3 *cs[64 + 2 * SHAPES];
	struct pop3_txn t;
	int n = 0;

	filler_txn(&t, 1, 1, '\x80');
	size_t k0 = printed_len(&t) - 8; /* + 4 per byte of args and of text */
	filler_txn(&t, 0, 1, 'a');
	size_t f0 = printed_len(&t) - 1; /* + 1 per byte of text */

	/* all of the total but 2 KiB per probe, in buffers of 2^k bytes */
	size_t rest = REPORT_TOTAL - 2 * SHAPES * 2048;
	for (int k = 26; k >= 11; k--) {
		size_t cap = (size_t)1 << k;
		while (rest >= cap && cap <= ((size_t)1 << 21)) {
			/* lines of about cap/4, enough of them to need cap but not more */
			size_t want = cap / 4 - 1 < k0 + 4096 ? cap / 4 - 1 : k0 + 4096, m = (want - k0) / 4;
			size_t a = m / 2 < 512 ? m / 2 : 512, tl = m - a < 512 ? m - a : 512;
			size_t l = k0 + 4 * a + 4 * tl, lines = cap / 2 / (l + 1) + 1;
			assert_true(lines <= 500 && lines * (l + 1) <= cap && lines * (l + 1) > cap / 2);
			tev_session(&ss[n], &cs[n], (uint64_t)n + 1);
			flag(&ss[n]);
			for (size_t i = 0; i < lines; i++) {
				filler_txn(&t, a, tl, '\x80');
				tev_emit(s, EV_TXN, &ss[n], &t, NULL, NULL);
			}
			n++;
			rest -= cap;
		}
	}
	assert_int_equal(rest, 0);
	int first = n;
	size_t shape_len[SHAPES];
	for (int i = 0; i < SHAPES; i++) { /* the last of the total */
		shape_txn(&t, i);
		shape_len[i] = printed_len(&t);
		assert_true(2048 - 2 - shape_len[i] - f0 >= 1 && 2048 - 2 - shape_len[i] - f0 < 2040);
		for (int p = 0; p < 2; p++) {
			tev_session(&ss[n], &cs[n], (uint64_t)n + 1);
			flag(&ss[n]);
			shape_txn(&t, i);
			tev_emit(s, EV_TXN, &ss[n], &t, NULL, NULL);
			n++;
		}
	}
	for (int i = 0; i < SHAPES; i++) {
		int p = first + 2 * i;
		/* to 2048 bytes exactly: kept; then one more: not */
		filler_to(&t, 2048 - 2 - shape_len[i] - f0);
		tev_emit(s, EV_TXN, &ss[p], &t, NULL, NULL);
		tev_emit(s, EV_TXN, &ss[p], &t, NULL, NULL);
		/* to 2049: not kept */
		filler_to(&t, 2048 - 2 - shape_len[i] - f0 + 1);
		tev_emit(s, EV_TXN, &ss[p + 1], &t, NULL, NULL);
	}
	for (int i = 0; i < n; i++) {
		ss[i].end = FLOW_END_FIN;
		tev_emit(s, EV_SESSION_CLOSE, &ss[i], NULL, NULL, NULL);
	}
	char err[128] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
	fclose(f);

	for (int i = first; i < n; i++) {
		char head[64];
		snprintf(head, sizeof head, "\nSession %d: ", i + 1);
		char *at = strstr(buf, head);
		assert_non_null(at);
		char *end = strstr(at + 1, "\nSession ");
		if (!end)
			end = buf + len;
		int lines = 0;
		for (char *l = strstr(at, "\n    frame "); l && l < end; l = strstr(l + 1, "\n    frame "))
			lines++;
		char *m = strstr(at, "    ... 1 more transaction not kept\n");
		if (lines != ((i - first) % 2 ? 1 : 2) || !m || m > end)
			fail_msg("shape %d, probe %d: %d lines kept, %s", (i - first) / 2, (i - first) % 2, lines,
				 m && m < end ? "1 more" : "no more");
	}
	free(buf);
}

/* Sessions from several capture files share one copy of each name. */
static void test_sources(void **state)
{
	(void)state;
	struct report_opts o = opts();
	o.verbose = true;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct sink s = report_sink_new(f, &o);
	struct ev_session ss[4];
	struct ev_pop3 *cs[4];
	static const char *const names[] = { "a.pcap", "b.pcap", "a.pcap", NULL };
	char copy[4][16];
	for (int i = 0; i < 4; i++) {
		tev_session(&ss[i], &cs[i], (uint64_t)i + 1);
		if (names[i]) { /* each event brings its own copy of the name */
			strcpy(copy[i], names[i]);
			ss[i].source = copy[i];
		} else
			ss[i].source = NULL;
		tev_emit(s, EV_SESSION_OPEN, &ss[i], NULL, NULL, NULL);
	}
	for (int i = 3; i >= 0; i--) {
		ss[i].end = FLOW_END_FIN;
		tev_emit(s, EV_SESSION_CLOSE, &ss[i], NULL, NULL, NULL);
	}
	char err[128] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
	fclose(f);
	assert_non_null(strstr(buf, "Session 1: 192.0.2.10:50001 -> 198.51.100.5:110  (a.pcap)\n"));
	assert_non_null(strstr(buf, "Session 2: 192.0.2.10:50002 -> 198.51.100.5:110  (b.pcap)\n"));
	assert_non_null(strstr(buf, "Session 3: 192.0.2.10:50003 -> 198.51.100.5:110  (a.pcap)\n"));
	assert_non_null(strstr(buf, "Session 4: 192.0.2.10:50004 -> 198.51.100.5:110  ()\n"));
	free(buf);
}

static void test_filter_localtime(void **state)
{
	(void)state;
	struct report_opts o = opts();
	o.filter.user = "alice";
	o.localtime = true;
	setenv("TZ", "XST-1", 1);
	tzset();
	size_t len;
	char *r = run(&o, &len);
	assert_non_null(strstr(r, "--user alice (2 not shown)"));
	assert_non_null(strstr(r, "Time span:       2026-11-24 22:06:39.123456+0100"));
	assert_null(strstr(r, "Session 2:"));
	assert_null(strstr(r, "Session 3:"));
	assert_non_null(strstr(r, "Session 1:"));
	/* the summary still counts every session */
	assert_non_null(strstr(r, "POP3 sessions:   3, flagged 1"));
	assert_non_null(strstr(r, "(the counts above and the exit status cover every session)"));
	free(r);
	unsetenv("TZ");
	tzset();

	/* user names match without regard to case */
	o = opts();
	o.filter.user = "ALICE";
	r = run(&o, &len);
	assert_non_null(strstr(r, "--user ALICE (2 not shown)"));
	assert_non_null(strstr(r, "Session 1:"));
	free(r);
	/* a selection that matches nothing says so */
	o = opts();
	o.filter.user = "nobody";
	r = run(&o, &len);
	assert_non_null(strstr(r, "Shown:           no session matches --user nobody (3 not shown)"));
	assert_null(strstr(r, "Session 1:"));
	free(r);
	/* --server compares addresses, with or without the port */
	o = opts();
	o.filter.server = "198.51.100.5:110";
	r = run(&o, &len);
	assert_non_null(strstr(r, "(0 not shown)"));
	free(r);
	o = opts();
	o.filter.server = "198.51.100.5:995";
	r = run(&o, &len);
	assert_non_null(strstr(r, "no session matches --server 198.51.100.5:995 (3 not shown)"));
	free(r);
}

static void test_write_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	struct report_opts o = opts();
	struct sink s = report_sink_new(f, &o);
	char err[128] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), -1);
	assert_non_null(strstr(err, "report: write error: "));
	s.ops->free(s.self);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_verbose_cap),
		cmocka_unit_test(test_txn_lines),
		cmocka_unit_test(test_transcript_caps),
		cmocka_unit_test(test_transcript_line_lengths),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_filter_localtime),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
