/*
 * test_json.c - the JSON lines sink: every event type parsed back by
 * Python's json module, the filter (--only-flagged buffering, --server),
 * flow fields never stale, and write errors reported by finish. The
 * writer's text (escaping, numbers, times) is test_json_text.c's, the
 * records' exact bytes test_json_records.c's.
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

#include "../../src/output/json_write.h"
#include "helpers/events.h"
#include "helpers/json_fx.h"
#include "sinks.h"
#include "timefmt.h"

/* ---- the sink, read back ---- */

/* Run a Python check over the file: every line must parse; `code` sees `ev` (list). */
static int py_check(const char *code)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
		 "python3 -c 'import json,sys\n"
		 "ev=[json.loads(l) for l in open(sys.argv[1], encoding=\"utf-8\")]\n"
		 "%s\n' %s",
		 code, json_fx_path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char buf[512];
	while (fgets(buf, sizeof buf, p))
		fputs(buf, stderr);
	return pclose(p);
}

static void test_every_event(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = json_fx_open(&o);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	struct finding f;
	struct ev_stats st;

	tev_session(&sess, &ci, 7);
	/* hostile banner and user: ESC, quotes, invalid UTF-8 */
	strcpy(ci->banner, "\x1b[31mevil\" \xff\xfe \\ server\x07");
	strcpy(ci->user, "al\"ice\xc3");

	tev_emit(s, EV_SESSION_OPEN, &sess, NULL, NULL, NULL);
	tev_txn(&t, 0, NULL, NULL, POP3_ST_OK, "InterMail ready <1.2@x>", 4);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 1, "USER", "al\"ice\xc3", POP3_ST_OK, "", 6);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 2, "PASS", "<redacted>", POP3_ST_OK, "You have 0 messages totaling 554 octets", 8);
	t.secret = true;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 3, "STAT", NULL, POP3_ST_OK, "1 554", 10);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 4, "UIDL", NULL, POP3_ST_OK, "0 messages (554 octets) [1 control message(s) hidden]", 12);
	tev_listing(&t, 1500, true);
	t.flags = POP3_TF_BARE_LF | POP3_TF_CUT;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_listing_free(&t);
	tev_txn(&t, 5, "LIST", NULL, POP3_ST_ERR, "[SYS/TEMP] try later", 14);
	strcpy(t.code, "SYS/TEMP");
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 6, "RETR", "1", POP3_ST_NONE, NULL, 16);
	t.flags = POP3_TF_UNANSWERED;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);

	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 message (554 octets); UIDL listed 0", 11,
		    "STAT -> +OK 1 554", 13, "UIDL -> +OK 0 messages \x1b[0m\xff");
	sess.findings[SEV_ERROR] = 1;
	sess.rules_hit = 1ull << R_STAT_UIDL_COUNT;
	sess.worst = SEV_ERROR;
	sess.flagged = true;
	tev_emit(s, EV_FINDING, &sess, NULL, &f, NULL);

	sess.end = FLOW_END_FIN;
	sess.stat_seen = true;
	sess.stat_count = 1;
	sess.stat_octets = 554;
	sess.txns = 7;
	tev_emit(s, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
	tev_emit(s, EV_SESSION_UPDATE, &sess, NULL, NULL, NULL); /* not written */
	tev_stats(&st, false);
	tev_emit(s, EV_STATS, NULL, NULL, NULL, &st); /* periodic: not asked for */
	tev_stats(&st, true);
	tev_emit(s, EV_STATS, NULL, NULL, NULL, &st);
	json_fx_finish(s);

	assert_int_equal(py_check(
		"o = ev.pop(0)\n"
		"assert o[\"event_type\"] == \"pop3_session_open\" and o[\"flow_id\"] == 7, o\n"
		"assert o[\"pop3_session_open\"] == {\"first_frame\": 1, \"midstream\": False, \"state\": \"TRANSACTION\"}, o\n"
		"assert [e[\"event_type\"] for e in ev] == [\"pop3\"]*7 + [\"pop3_finding\", \"pop3_session\", \"stats\"], ev\n"
		"for e in ev[:9]:\n"
		"  assert e[\"flow_id\"] == 7 and e[\"src_ip\"] == \"192.0.2.10\" and e[\"dest_port\"] == 110\n"
		"  assert e[\"proto\"] == \"TCP\" and e[\"schema_version\"] == 2 and e[\"community_id\"].startswith(\"1:\")\n"
		"assert ev[0][\"timestamp\"] == \"2026-11-24T21:06:39.127706+0000\", ev[0][\"timestamp\"]\n"
		"assert \"request\" not in ev[0][\"pop3\"]\n"
		"assert ev[1][\"pop3\"][\"request\"] == {\"command\": \"USER\", \"args\": \"al\\\"ice\\u00c3\", \"frame\": 6, \"timestamp\": \"2026-11-24T21:06:39.129456+0000\"}, ev[1]\n"
		"assert ev[2][\"pop3\"][\"request\"][\"redacted\"] is True\n"
		"assert ev[3][\"pop3\"][\"response\"][\"header\"] == \"1 554\" and ev[3][\"pop3\"][\"response\"][\"success\"]\n"
		"assert ev[3][\"pop3\"][\"latency_ms\"] == 1.25, ev[3][\"pop3\"]\n"
		"u = ev[4][\"pop3\"]\n"
		"assert len(u[\"listing\"]) == 1000 and u[\"listing_truncated\"] and u[\"listing_count\"] == 1500\n"
		"assert u[\"listing\"][1] == {\"number\": 2, \"uid\": \"uid2\"}\n"
		"assert u[\"flags\"] == [\"cut\", \"bare_lf\"], u[\"flags\"]\n"
		"assert ev[5][\"pop3\"][\"response\"][\"status\"] == \"-ERR\" and ev[5][\"pop3\"][\"response\"][\"code\"] == \"SYS/TEMP\"\n"
		"assert \"response\" not in ev[6][\"pop3\"] and ev[6][\"pop3\"][\"flags\"] == [\"unanswered\"]\n"
		"f = ev[7][\"finding\"]\n"
		"assert f[\"rule\"] == \"stat-uidl-count\" and f[\"severity\"] == \"error\" and \"0x800CCC97\" in f[\"symptom\"]\n"
		"assert f[\"evidence\"][1][\"line\"] == \"UIDL -> +OK 0 messages \\u001b[0m\\u00ff\" and f[\"evidence\"][1][\"frame\"] == 13\n"
		"assert ev[7][\"pcap_cnt\"] == 13\n"
		"p = ev[8][\"pop3_session\"]\n"
		"assert p[\"end_reason\"] == \"fin\" and p[\"rules\"] == [\"stat-uidl-count\"] and p[\"flagged\"]\n"
		"assert p[\"banner\"] == \"\\u001b[31mevil\\\" \\u00ff\\u00fe \\\\ server\\u0007\", p[\"banner\"]\n"
		"assert p[\"stat\"] == {\"count\": 1, \"octets\": 554} and p[\"state\"] == \"TRANSACTION\"\n"
		"st = ev[9][\"stats\"]\n"
		"assert st[\"final\"] and st[\"decoder\"][\"ip_fragment\"] == 2 and st[\"tcp_reassembly\"][\"gaps\"] == 1\n"
		"assert st[\"rules\"] == {\"stat-uidl-count\": 1} and \"flow_id\" not in ev[9]\n"
		"raw = open(sys.argv[1], \"rb\").read()\n"
		"assert b\"\\x1b\" not in raw and b\"\\xff\" not in raw\n"), 0);
}

static void run_filter_case(const struct sink_filter *flt)
{
	struct json_opts o = { .filter = *flt };
	struct sink s = json_fx_open(&o);
	struct ev_session a, b;
	struct ev_pop3 *cia, *cib;
	struct pop3_txn t;
	struct finding f;

	tev_session(&a, &cia, 1);
	tev_session(&b, &cib, 2);
	strcpy(cib->user, "bob");
	tev_txn(&t, 0, "STAT", NULL, POP3_ST_OK, "1 554", 3);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	tev_txn(&t, 1, "UIDL", NULL, POP3_ST_OK, "", 5);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	/* b gets flagged */
	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1; UIDL listed 0", 3, "STAT -> +OK 1 554", 0, NULL);
	b.flagged = true;
	b.rules_hit = 1ull << R_STAT_UIDL_COUNT;
	b.findings[SEV_ERROR] = 1;
	tev_emit(s, EV_FINDING, &b, NULL, &f, NULL);
	tev_txn(&t, 2, "QUIT", NULL, POP3_ST_OK, "bye", 7);
	tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	tev_emit(s, EV_TXN, &b, &t, NULL, NULL);
	a.end = b.end = FLOW_END_FIN;
	tev_emit(s, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	tev_emit(s, EV_SESSION_CLOSE, &b, NULL, NULL, NULL);
	json_fx_finish(s);
}

static void test_filter_only_flagged(void **state)
{
	(void)state;
	struct sink_filter flt = { .only_flagged = true, .rule = -1 };
	run_filter_case(&flt);
	/* b's early txns come out, in order, when it becomes flagged; nothing of a */
	assert_int_equal(py_check(
		"assert all(e[\"flow_id\"] == 2 for e in ev), ev\n"
		"assert [e[\"event_type\"] for e in ev] == [\"pop3\", \"pop3\", \"pop3_finding\", \"pop3\", \"pop3_session\"]\n"
		"assert [e[\"pop3\"][\"tx_id\"] for e in ev if e[\"event_type\"] == \"pop3\"] == [0, 1, 2]\n"), 0);

	struct sink_filter byrule = { .rule = R_STAT_UIDL_COUNT };
	run_filter_case(&byrule);
	assert_int_equal(py_check("assert len(ev) == 5 and all(e[\"flow_id\"] == 2 for e in ev)\n"), 0);

	struct sink_filter byuser = { .rule = -1, .user = "alice" };
	run_filter_case(&byuser);
	assert_int_equal(py_check("assert len(ev) == 4 and all(e[\"flow_id\"] == 1 for e in ev)\n"), 0);

	struct sink_filter none = { .rule = -1 };
	run_filter_case(&none);
	assert_int_equal(py_check("assert len(ev) == 9, len(ev)\n"
				  "assert [e[\"flow_id\"] for e in ev] == [1, 2, 1, 2, 2, 1, 2, 1, 2]\n"), 0);

	struct sink_filter srv = { .rule = -1, .server = "203.0.113.1" };
	run_filter_case(&srv);
	assert_int_equal(py_check("assert ev == []\n"), 0);
	struct sink_filter srvport = { .rule = -1, .server = "198.51.100.5:110" };
	run_filter_case(&srvport);
	assert_int_equal(py_check("assert len(ev) == 9\n"), 0);
}

/*
 * The flow fields of a session's records are escaped once and copied after
 * that. Whatever changes between two records of a session (a port, the
 * vlan, an address, the community id, the source name, a text that needs
 * escaping), and whatever the order of the sessions' events, every line
 * must start as if written from scratch: Python writes the expected start
 * of each line from the fields the event carried.
 */
static FILE *want; /* the fields of each line's event, tab separated */

static void expect_line(const struct ev_session *s, const char *type)
{
	fprintf(want, "%u\t%s\t%s\t%u\t%s\t%u\t%s\t%u\t%s\n", (unsigned)s->id, s->source ? s->source : "-", type,
		(unsigned)s->vlan, s->cli, (unsigned)s->cport, s->srv, (unsigned)s->sport, s->community_id);
}

static void emit_txn(struct sink k, const struct ev_session *s, uint64_t index)
{
	struct pop3_txn t;
	tev_txn(&t, index, "NOOP", NULL, POP3_ST_OK, "", 3 + index);
	tev_emit(k, EV_TXN, s, &t, NULL, NULL);
	expect_line(s, "pop3");
}

static void test_flow_fields_never_stale(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink k = json_fx_open(&o);
	struct ev_session a, b;
	struct ev_pop3 *cia, *cib;
	struct finding f;
	char wpath[sizeof json_fx_path + 8];
	snprintf(wpath, sizeof wpath, "%s.want", json_fx_path);
	want = fopen(wpath, "w");
	assert_non_null(want);

	tev_session(&a, &cia, 1);
	tev_session(&b, &cib, 2);
	emit_txn(k, &a, 0);
	emit_txn(k, &b, 0);
	emit_txn(k, &a, 1);
	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1; UIDL listed 0", 3, "STAT -> +OK 1 554", 0, NULL);
	tev_emit(k, EV_FINDING, &a, NULL, &f, NULL);
	expect_line(&a, "pop3_finding");
	a.cport = 50077;
	emit_txn(k, &a, 2);
	b.vlan = 7;
	emit_txn(k, &b, 1);
	emit_txn(k, &a, 3);
	b.vlan = 0;
	emit_txn(k, &b, 2);
	/* same length, one byte different */
	strcpy(a.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrh=");
	emit_txn(k, &a, 4);
	strcpy(a.srv, "198.51.100.55");
	emit_txn(k, &a, 5);
	strcpy(a.srv, "::100"); /* short texts, changed in their last byte */
	emit_txn(k, &a, 6);
	strcpy(a.srv, "::101");
	emit_txn(k, &a, 6);
	strcpy(a.srv, "::1");
	emit_txn(k, &a, 6);
	strcpy(a.srv, "::2");
	emit_txn(k, &a, 6);
	strcpy(a.srv, "198.51.100.5");
	a.sport = 995;
	emit_txn(k, &a, 6);
	strcpy(a.cli, "192.0.2.1");
	emit_txn(k, &a, 7);
	a.community_id[0] = '\0';
	emit_txn(k, &a, 8);
	strcpy(a.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	emit_txn(k, &a, 9);
	b.source = NULL;
	emit_txn(k, &b, 3);
	b.source = "test.pcapng";
	emit_txn(k, &b, 4);
	b.source = "test.pcap";
	emit_txn(k, &b, 5);
	/* texts the escaper changes are written as such, and not taken for
	 * the same text later: not even their escaped form is */
	b.source = "a\\b \\\"c\".pcap";
	emit_txn(k, &b, 6);
	emit_txn(k, &b, 7);
	b.source = "a\\\\b \\\\\\\"c\\\".pcap";
	emit_txn(k, &b, 8);
	b.source = "test.pcap";
	strcpy(b.cli, "192.0.2.\\10");
	emit_txn(k, &b, 9);
	emit_txn(k, &b, 10);
	strcpy(b.cli, "192.0.2.\\\\10");
	emit_txn(k, &b, 11);
	strcpy(b.cli, "192.0.2.1\\"); /* escaped, it starts with itself */
	emit_txn(k, &b, 12);
	strcpy(b.cli, "192.0.2.1\\\\");
	emit_txn(k, &b, 12);
	strcpy(b.cli, "192.0.2.10");
	emit_txn(k, &b, 12);
	a.end = FLOW_END_FIN;
	tev_emit(k, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	expect_line(&a, "pop3_session");
	/* the id again, after its close, for other endpoints */
	tev_session(&a, &cia, 1);
	a.ipver = 6;
	strcpy(a.cli, "2001:db8::10");
	strcpy(a.srv, "2001:db8::5");
	a.vlan = 12;
	emit_txn(k, &a, 0);
	emit_txn(k, &b, 13);
	emit_txn(k, &a, 1);
	a.end = b.end = FLOW_END_RST;
	tev_emit(k, EV_SESSION_CLOSE, &b, NULL, NULL, NULL);
	expect_line(&b, "pop3_session");
	tev_emit(k, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	expect_line(&a, "pop3_session");
	json_fx_finish(k);
	fclose(want);

	assert_int_equal(py_check(
		"d = lambda v: json.dumps(v, separators=(\",\", \":\"))\n"
		"q = chr(34)\n"
		"k = lambda n: q + n + q + \":\"\n"
		"want = [l.split(\"\\t\") for l in open(sys.argv[1] + \".want\", encoding=\"utf-8\").read().splitlines()]\n"
		"lines = open(sys.argv[1], encoding=\"utf-8\").read().splitlines()\n"
		"assert len(lines) == len(want) == len(ev), (len(lines), len(want))\n"
		"for line, e, w in zip(lines, ev, want):\n"
		"  fid, src, typ, vlan, cli, cport, srv, sport, cid = w\n"
		"  s = \"{\" + k(\"timestamp\") + d(e[\"timestamp\"]) + \",\" + k(\"flow_id\") + fid\n"
		"  if src != \"-\": s += \",\" + k(\"source\") + d(src)\n"
		"  s += \",\" + k(\"event_type\") + d(typ)\n"
		"  if vlan != \"0\": s += \",\" + k(\"vlan\") + \"[\" + vlan + \"]\"\n"
		"  s += \",\" + k(\"src_ip\") + d(cli) + \",\" + k(\"src_port\") + cport + \",\" + k(\"dest_ip\") + d(srv)\n"
		"  s += \",\" + k(\"dest_port\") + sport + \",\" + k(\"proto\") + d(\"TCP\")\n"
		"  if cid: s += \",\" + k(\"community_id\") + d(cid)\n"
		"  s += \",\" + k(\"schema_version\") + \"2,\"\n"
		"  assert line.startswith(s), (line, s)\n"), 0);
	unlink(wpath);
}

static void test_sink_filter_pass(void **state)
{
	(void)state;
	struct ev_session s;
	struct ev_pop3 *ci;
	tev_session(&s, &ci, 3);
	struct sink_filter f = { .rule = -1 };
	assert_true(sink_filter_pass(&f, &s));
	assert_true(sink_filter_pass(NULL, &s));
	f.only_flagged = true;
	assert_false(sink_filter_pass(&f, &s));
	s.flagged = true;
	assert_true(sink_filter_pass(&f, &s));
	f.rule = R_RETR_SIZE;
	assert_false(sink_filter_pass(&f, &s));
	s.rules_hit |= 1ull << R_RETR_SIZE;
	assert_true(sink_filter_pass(&f, &s));
	f.user = "alice";
	assert_true(sink_filter_pass(&f, &s));
	f.user = "Alice"; /* user names match without regard to case */
	assert_true(sink_filter_pass(&f, &s));
	f.user = "alicia";
	assert_false(sink_filter_pass(&f, &s));
	f.user = NULL;
	f.server = "198.51.100.5";
	assert_true(sink_filter_pass(&f, &s));
	f.server = "198.51.100.5:995";
	assert_false(sink_filter_pass(&f, &s));
	s.ipver = 6;
	strcpy(s.srv, "2001:db8::1");
	f.server = "[2001:db8::1]:110";
	assert_true(sink_filter_pass(&f, &s));
	f.server = "2001:DB8:0::1"; /* compared as addresses */
	assert_true(sink_filter_pass(&f, &s));
	f.server = "[2001:db8::2]:110";
	assert_false(sink_filter_pass(&f, &s));
}

static void test_write_error(void **state)
{
	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	char err[256] = "";
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = json_sink_new("/dev/full", &o, err, sizeof err);
	assert_non_null(s.ops);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	tev_session(&sess, &ci, 1);
	tev_txn(&t, 0, "STAT", NULL, POP3_ST_OK, "1 554", 3);
	for (int i = 0; i < 2000; i++)
		tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	sess.end = FLOW_END_RST;
	tev_emit(s, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), -1);
	assert_non_null(strstr(err, "/dev/full: write error: "));
	s.ops->free(s.self);

	struct sink bad = json_sink_new("/nonexistent/dir/x.json", &o, err, sizeof err);
	assert_null(bad.ops);
	assert_non_null(strstr(err, "/nonexistent/dir/x.json: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_event, json_fx_setup, json_fx_teardown),
		cmocka_unit_test_setup_teardown(test_filter_only_flagged, json_fx_setup, json_fx_teardown),
		cmocka_unit_test_setup_teardown(test_flow_fields_never_stale, json_fx_setup, json_fx_teardown),
		cmocka_unit_test(test_sink_filter_pass),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
