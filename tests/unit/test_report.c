/*
 * test_report.c - the text report: content of the summary and of a
 * flagged session (findings, evidence, transcript), determinism (same
 * events, same bytes), the same report from a ledger the bus applies as
 * from the report's own, the transcript caps (the ledger's policy for the
 * report), -v, --localtime, the filter, and that escape sequences from the
 * wire never reach the output.
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

#include "../../src/output/report_priv.h"
#include "helpers/events.h"
#include "ledger.h"
#include "sinks.h"

static const char *const sources[] = { "intermail.pcap" };

/* A bus as a sink: the report behind it, the ledger applied by the bus. */
static void bus_event(void *self, const struct event *e)
{
	event_bus_emit(self, e);
}

static int bus_finish(void *self, char *errbuf, size_t errlen)
{
	return event_bus_finish(self, errbuf, errlen);
}

static void bus_free(void *self)
{
	event_bus_free(self);
}

static const struct sink_ops bus_ops = { "bus", bus_event, bus_finish, bus_free };

/* Feed one run of three sessions (1 clean, 2 flagged, 3 long and clean)
 * into a report: with its own ledger, or (via_bus) one the bus applies. */
static char *run_with(const struct report_opts *o, size_t *len, bool via_bus)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	struct report_opts ro = *o;
	struct event_bus bus = { .n = 0 };
	struct ledger *lg = NULL;
	struct sink s;
	if (via_bus) {
		struct ledger_opts lo;
		report_ledger_opts(&ro, &lo);
		lg = ro.ledger = bus.ledger = ledger_new(&lo);
		bus.ledger_silent = true;
		event_bus_add(&bus, report_sink_new(f, &ro));
		s = (struct sink){ .ops = &bus_ops, .self = &bus };
	} else {
		s = report_sink_new(f, &ro);
	}
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
	ledger_free(lg);
	fclose(f);
	return buf;
}

static char *run(const struct report_opts *o, size_t *len)
{
	return run_with(o, len, false);
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

/* The report renders the same from a ledger the bus applies (its wiring
 * in main.c) as from its own: plain, -v, and with a filter. */
static void test_bus_ledger(void **state)
{
	(void)state;
	for (int v = 0; v < 3; v++) {
		struct report_opts o = opts();
		o.verbose = v == 1;
		if (v == 2)
			o.filter.user = "bob\x1b[2J";
		size_t l1, l2;
		char *r1 = run_with(&o, &l1, false);
		char *r2 = run_with(&o, &l2, true);
		assert_int_equal(l1, l2);
		assert_memory_equal(r1, r2, l1);
		free(r1);
		free(r2);
	}
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
	/* a command with arguments that are "" (the ledger keeps has_args),
	 * and a status with no name */
	tev_txn(&t, 7, "XYZZY", "", POP3_ST_BAD, "what", 30);
	t.has_args = true;
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_txn(&t, 8, "STAT", NULL, (enum pop3_status)200, "odd", 40);
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
	assert_non_null(strstr(buf, "\n    frame 30/31       21:06:39.153456  C: XYZZY   S: ? what\n"));
	assert_non_null(strstr(buf, "\n    frame 40/41       21:06:39.163456  C: STAT  S:  odd\n"));
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
 * The caps on held transcripts are the ledger's policy for the report
 * (report_ledger_opts): REPORT_TXN_LINES_MAX lines per session, and the
 * ledger's budget, which never frees an open session's lines but refuses
 * its later ones, and which a session not shown gives back as it closes.
 * Sessions of long lines, interleaved, the clean ones closing half-way:
 * each flagged session shows its lines in order and counts the rest, the
 * budget was reached (some show fewer than the cap), and the lines taken
 * after the clean ones closed are kept again.
 */
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
	static char text[POP3_TEXT_MAX + 1];
	struct pop3_txn t;

	for (int k = 0; k < CAP_SESSIONS; k++) {
		tev_session(&ss[k], &cs[k], (uint64_t)k + 1);
		tev_emit(s, EV_SESSION_OPEN, &ss[k], NULL, NULL, NULL);
		if (k % 3) { /* flagged: shown with its transcript */
			ss[k].flagged = true;
			ss[k].rules_hit = 1ull << R_STAT_UIDL_COUNT;
			ss[k].findings[SEV_ERROR] = 1;
		}
	}
	for (int i = 0; i < CAP_ROUNDS; i++) {
		for (int k = 0; k < CAP_SESSIONS; k++) {
			if (ss[k].end != FLOW_END_NONE)
				continue;
			memset(text, '\x80', (size_t)(200 + k * 2));
			text[200 + k * 2] = '\0';
			/* the round in the frame number: 1000 + 2 * round */
			tev_txn(&t, (uint64_t)i, "RETR", "1", POP3_ST_OK, text, 1000 + 2 * (uint64_t)i);
			tev_emit(s, EV_TXN, &ss[k], &t, NULL, NULL);
		}
		if (i == CAP_ROUNDS / 2) /* the clean ones go, and give back their share */
			for (int k = 0; k < CAP_SESSIONS; k += 3) {
				ss[k].end = FLOW_END_FIN;
				tev_emit(s, EV_SESSION_CLOSE, &ss[k], NULL, NULL, NULL);
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

	uint64_t capped = 0, late = 0;
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
		uint64_t lines = 0, more = 0, prev = 0;
		for (char *l = find_in(at, end, "\n    frame "); l; l = find_in(l + 1, end, "\n    frame ")) {
			uint64_t frame = strtoull(l + 11, NULL, 10);
			assert_true(frame > prev); /* in order, none twice */
			prev = frame;
			late += frame > 1000 + CAP_ROUNDS;
			lines++;
		}
		char *m = find_in(at, end, "    ... ");
		if (m)
			more = strtoull(m + 8, NULL, 10);
		if (lines + more != CAP_ROUNDS || lines > 500)
			fail_msg("session %d: %" PRIu64 " lines and %" PRIu64 " more", k + 1, lines, more);
		capped += more > 0;
	}
	assert_true(capped > 0); /* the budget was reached */
	assert_true(late > 0);   /* ... and the clean sessions' share came back */
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

/* A clean session's one line: its endpoints (IPv6 in brackets), and the
 * user and sensor from the wire escaped, as every other line is. */
static void test_clean_line(void **state)
{
	(void)state;
	struct ev_session s;
	tev_session(&s, NULL, 7);
	s.ipver = 6;
	strlcpy_safe(s.cli, "2001:db8::a", sizeof s.cli);
	strlcpy_safe(s.srv, "2001:db8::5", sizeof s.srv);
	strlcpy_safe(s.pop3.user, "bob\x1b[2J", sizeof s.pop3.user);
	strlcpy_safe(s.sensor, "edge\x07", sizeof s.sensor);
	s.txns = 3;
	s.end = FLOW_END_FIN;
	char *l = report_clean_line(&s, true);
	assert_string_equal(l, "  Session 7: [2001:db8::a]:50007 -> [2001:db8::5]:110  user "
			       "bob\\x1b[2J  TRANSACTION  3 txns  fin  sensor edge\\x07\n");
	free(l);
	s.pop3.user[0] = '\0';
	s.sensor[0] = '\0';
	l = report_clean_line(&s, false);
	assert_string_equal(l, "  Session 7: [2001:db8::a]:50007 -> [2001:db8::5]:110  user -  "
			       "TRANSACTION  3 txns  open\n");
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_bus_ledger),
		cmocka_unit_test(test_verbose_cap),
		cmocka_unit_test(test_txn_lines),
		cmocka_unit_test(test_transcript_caps),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_filter_localtime),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_clean_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
