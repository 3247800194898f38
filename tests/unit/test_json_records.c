/*
 * test_json_records.c - the JSON lines sink's records byte for byte: a
 * transaction (with its listing), a finding and the session records, and
 * the times in them, against lines written out by hand.
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

#include "helpers/events.h"
#include "helpers/json_fx.h"
#include "sinks.h"
#include "timefmt.h"

/* Every optional part of a transaction record, byte for byte (the record
 * is written by cursor, not by the writer's per-value steps). */
static void test_txn_record_bytes(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = json_fx_open(&o);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	tev_session(&sess, &ci, 9);
	sess.vlan = 42;

	tev_txn(&t, 3, "RETR", "7 \"x\"\\", POP3_ST_OK, "follows \x1b\xff", 20);
	t.secret = true;
	t.has_msgnum = true;
	t.msgnum = 7;
	strcpy(t.code, "IN-USE");
	t.multiline = true;
	t.terminated = false;
	t.data_lines = 12;
	t.data_octets = 4096;
	t.auth_steps = 2;
	t.flags = POP3_TF_CUT | POP3_TF_NO_TERMINATOR | 0x80000000u;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 4, "LIST", NULL, POP3_ST_OK, "2 messages", 30);
	tev_listing(&t, 2, false);
	t.entries[1].flags = POP3_LE_BADVAL;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_listing_free(&t);
	tev_txn(&t, 5, "CAPA", NULL, POP3_ST_OK, "", 40);
	t.caps = POP3_CAP_UIDL | POP3_CAP_SASL;
	strcpy(t.sasl, "PLAIN LOGIN");
	t.flags = POP3_TF_BARE_LF;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 6, NULL, NULL, POP3_ST_ERR, "", 50);
	t.end_frame = 0;
	t.state_before = (enum pop3_state)99;
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	tev_txn(&t, 7, "QUIT", NULL, POP3_ST_NONE, NULL, 60);
	tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	json_fx_finish(s);

	FILE *f = fopen(json_fx_path, "r");
	assert_non_null(f);
	static char got[8192];
	size_t n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	fclose(f);
	if (getenv("SHOW_JSON"))
		fputs(got, stderr);
	static const char want[] =
		"{\"timestamp\":\"2026-11-24T21:06:39.144706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":21,"
		"\"pop3\":{\"tx_id\":3,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"RETR\",\"args\":\"7 \\\"x\\\"\\\\\","
		"\"redacted\":true,\"msgnum\":7,\"frame\":20,\"timestamp\":\"2026-11-24T21:06:39.143456+0000\"},\"response\":{\"success\":true,\"status\":\"+OK\","
		"\"header\":\"follows \\u001b\\u00ff\",\"code\":\"IN-USE\",\"frame\":21,\"end_frame\":21,"
		"\"timestamp\":\"2026-11-24T21:06:39.144706+0000\",\"multiline\":true,\"terminated\":false,"
		"\"data_lines\":12,\"data_octets\":4096,\"auth_steps\":2},\"latency_ms\":1.250,\"flags\":[\"cut\","
		"\"no_terminator\"]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.154706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":31,"
		"\"pop3\":{\"tx_id\":4,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"LIST\",\"frame\":30,\"timestamp\":\"2026-11-24T21:06:39.153456+0000\"},"
		"\"response\":{\"success\":true,\"status\":\"+OK\",\"header\":\"2 messages\",\"frame\":31,\"end_frame\":31,"
		"\"timestamp\":\"2026-11-24T21:06:39.154706+0000\",\"multiline\":true,\"terminated\":true,"
		"\"data_lines\":2,\"data_octets\":0},\"latency_ms\":1.250,\"listing\":[{\"number\":1,\"size\":100},"
		"{\"number\":2,\"size\":200,\"invalid\":[\"size\"]}],\"listing_count\":2,\"listing_truncated\":false,"
		"\"flags\":[]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.164706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":41,"
		"\"pop3\":{\"tx_id\":5,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"CAPA\",\"frame\":40,\"timestamp\":\"2026-11-24T21:06:39.163456+0000\"},"
		"\"response\":{\"success\":true,\"status\":\"+OK\",\"header\":\"\",\"frame\":41,\"end_frame\":41,"
		"\"timestamp\":\"2026-11-24T21:06:39.164706+0000\",\"multiline\":false},\"latency_ms\":1.250,"
		"\"capabilities\":[\"UIDL\",\"SASL\"],\"sasl\":\"PLAIN LOGIN\",\"flags\":[\"bare_lf\"]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.173706+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":50,"
		"\"pop3\":{\"tx_id\":6,\"state\":\"UNKNOWN\",\"response\":{\"success\":false,\"status\":\"-ERR\","
		"\"header\":\"\",\"frame\":50,\"end_frame\":0,\"timestamp\":\"2026-11-24T21:06:39.173706+0000\","
		"\"multiline\":false},\"flags\":[]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.183456+0000\",\"flow_id\":9,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3\",\"vlan\":[42],\"src_ip\":\"192.0.2.10\",\"src_port\":50009,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":60,"
		"\"pop3\":{\"tx_id\":7,\"state\":\"TRANSACTION\",\"request\":{\"command\":\"QUIT\",\"frame\":60,\"timestamp\":\"2026-11-24T21:06:39.183456+0000\"},"
		"\"flags\":[]}}\n";
	assert_string_equal(got, want);
}

/* The finding and session records, byte for byte, each optional part in
 * and out (written by cursor too). */
static void test_finding_session_bytes(void **state)
{
	(void)state;
	struct json_opts o = { .filter = { .only_flagged = true, .rule = -1 } };
	struct sink s = json_fx_open(&o);
	struct ev_session a, b, c;
	struct ev_pop3 *ca, *cc;
	struct pop3_txn t;
	struct finding f;
	tev_session(&a, &ca, 3);
	tev_session(&b, NULL, 4);
	tev_session(&c, &cc, 5);
	c.flagged = true;
	memset(&b.pop3, 0, sizeof b.pop3); /* no payload seen: nothing known */
	b.community_id[0] = '\0';
	b.source = NULL;
	strcpy(ca->banner, "ready \"\x01\"");
	ca->tls = ca->quit_seen = true;
	ca->gaps[0] = 2;
	ca->gap_bytes[1] = 1460;
	ca->bare_lf[0] = ca->bare_lf[1] = 1;
	ca->long_lines[1] = 3;
	ca->resyncs = 4;
	ca->unanswered = 5;
	ca->unsolicited = 6;
	ca->garbage_lines = 7;
	ca->pending_dropped = 8;

	/* a's lines wait for it to be flagged; past 256 KiB they are dropped */
	char text[POP3_TEXT_MAX + 1];
	memset(text, 'x', POP3_TEXT_MAX);
	text[POP3_TEXT_MAX] = '\0';
	for (int i = 0; i < 400; i++) {
		tev_txn(&t, (uint64_t)i, "NOOP", NULL, POP3_ST_OK, text, 10);
		tev_emit(s, EV_TXN, &a, &t, NULL, NULL);
	}
	tev_finding(&f, R_STAT_UIDL_COUNT, "STAT said 1 \"message\"", 11, "STAT -> +OK 1 554", 13,
		    "UIDL -> +OK \x1b[0m");
	tev_emit(s, EV_FINDING, &c, NULL, &f, NULL);
	tev_finding(&f, R_RETR_SIZE, "no symptom", 0, NULL, 0, NULL);
	f.n_ev = 0;
	b.flagged = true;
	tev_emit(s, EV_FINDING, &b, NULL, &f, NULL);
	/* a passes only at its close: its record counts the lines dropped */
	a.flagged = true;
	a.findings[SEV_ERROR] = 1;
	a.findings[SEV_NOTICE] = 2;
	a.worst = SEV_ERROR;
	a.rules_hit = 1ull << R_STAT_UIDL_COUNT | 1ull << R_RETR_SIZE;
	a.stat_seen = true;
	a.stat_count = 3;
	a.stat_octets = 999;
	a.worst_latency_us = 1234567;
	a.txns = 400;
	a.end = FLOW_END_FIN;
	tev_emit(s, EV_SESSION_CLOSE, &a, NULL, NULL, NULL);
	b.end = FLOW_END_TIMEOUT;
	b.last_frame = 0;
	tev_emit(s, EV_SESSION_CLOSE, &b, NULL, NULL, NULL);
	json_fx_finish(s);

	/* the lines that are not transactions */
	FILE *fp = fopen(json_fx_path, "r");
	assert_non_null(fp);
	static char line[8192], got[4 * 8192];
	got[0] = '\0';
	while (fgets(line, sizeof line, fp))
		if (!strstr(line, "\"event_type\":\"pop3\",") && strlen(got) + strlen(line) < sizeof got)
			strcat(got, line);
	fclose(fp);
	if (getenv("SHOW_JSON"))
		fputs(got, stderr);
	static const char want[] =
		"{\"timestamp\":\"2026-11-24T21:06:39.136456+0000\",\"flow_id\":5,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3_finding\",\"src_ip\":\"192.0.2.10\",\"src_port\":50005,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":13,"
		"\"finding\":{\"rule\":\"stat-uidl-count\",\"severity\":\"error\",\"summary\":\"STAT said 1 \\\"message\\\"\","
		"\"rfc\":\"RFC 1939 sections 5 and 7 (STAT, UIDL)\","
		"\"symptom\":\"Outlook typically shows 0x800CCC97 (IXP_E_POP3_POPID_OUT_OF_RANGE)\","
		"\"user\":\"alice\",\"evidence\":[{\"frame\":11,\"timestamp\":\"2026-11-24T21:06:39.134456+0000\","
		"\"tx_id\":0,\"line\":\"STAT -> +OK 1 554\"},{\"frame\":13,"
		"\"timestamp\":\"2026-11-24T21:06:39.136456+0000\",\"tx_id\":1,\"line\":\"UIDL -> +OK \\u001b[0m\"}]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.123456+0000\",\"flow_id\":4,\"event_type\":\"pop3_finding\","
		"\"src_ip\":\"192.0.2.10\",\"src_port\":50004,\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,"
		"\"proto\":\"TCP\",\"schema_version\":2,\"finding\":{\"rule\":\"retr-size\",\"severity\":\"warning\","
		"\"summary\":\"no symptom\",\"rfc\":\"RFC 1939 sections 5 and 11 (LIST, RETR)\",\"evidence\":[]}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.128456+0000\",\"flow_id\":3,\"source\":\"test.pcap\","
		"\"event_type\":\"pop3_session\",\"src_ip\":\"192.0.2.10\",\"src_port\":50003,"
		"\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,\"proto\":\"TCP\","
		"\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"schema_version\":2,\"pcap_cnt\":20,"
		"\"pop3_session\":{\"start\":\"2026-11-24T21:06:39.123456+0000\","
		"\"end\":\"2026-11-24T21:06:39.128456+0000\",\"end_reason\":\"fin\",\"first_frame\":1,\"last_frame\":20,"
		"\"midstream\":false,\"state\":\"TRANSACTION\",\"user\":\"alice\",\"banner\":\"ready \\\"\\u0001\\\"\","
		"\"tls\":true,\"stls\":false,\"login\":true,\"quit\":true,\"txns\":400,\"pkts_toserver\":10,"
		"\"pkts_toclient\":10,\"bytes_toserver\":100,\"bytes_toclient\":900,\"stat\":{\"count\":3,"
		"\"octets\":999},\"worst_latency_ms\":1234.567,\"findings\":{\"error\":1,\"warning\":0,\"notice\":2},"
		"\"flagged\":true,\"worst_severity\":\"error\",\"rules\":[\"stat-uidl-count\",\"retr-size\"],"
		"\"anomalies\":{\"gaps_toserver\":2,\"gaps_toclient\":0,\"gap_bytes_toserver\":0,"
		"\"gap_bytes_toclient\":1460,\"resyncs\":4,\"unanswered\":5,\"unsolicited\":6,\"garbage_lines\":7,"
		"\"pending_dropped\":8,\"bare_lf\":2,\"long_lines\":3},\"json_lines_dropped\":160}}\n"
		"{\"timestamp\":\"2026-11-24T21:06:39.128456+0000\",\"flow_id\":4,\"event_type\":\"pop3_session\","
		"\"src_ip\":\"192.0.2.10\",\"src_port\":50004,\"dest_ip\":\"198.51.100.5\",\"dest_port\":110,"
		"\"proto\":\"TCP\",\"schema_version\":2,\"pop3_session\":{\"start\":\"2026-11-24T21:06:39.123456+0000\","
		"\"end\":\"2026-11-24T21:06:39.128456+0000\",\"end_reason\":\"timeout\",\"first_frame\":1,"
		"\"last_frame\":0,\"midstream\":false,\"state\":\"UNKNOWN\",\"tls\":false,\"stls\":false,\"login\":false,"
		"\"quit\":false,\"txns\":0,\"pkts_toserver\":10,\"pkts_toclient\":10,\"bytes_toserver\":100,"
		"\"bytes_toclient\":900,\"worst_latency_ms\":0.000,\"findings\":{\"error\":0,\"warning\":0,"
		"\"notice\":0},\"flagged\":true,\"rules\":[],\"anomalies\":{\"gaps_toserver\":0,"
		"\"gaps_toclient\":0,\"gap_bytes_toserver\":0,\"gap_bytes_toclient\":0,\"resyncs\":0,"
		"\"unanswered\":0,\"unsolicited\":0,\"garbage_lines\":0,\"pending_dropped\":0,\"bare_lf\":0,"
		"\"long_lines\":0}}}\n";
	assert_string_equal(got, want);
}

/* Times are kept as text and, within a second, only their microseconds
 * rewritten: forward, back, across seconds and years, each as formatted
 * from scratch. */
static void test_record_times(void **state)
{
	(void)state;
	static const uint64_t ts[] = {
		1709280000000000ull, 1709280000000001ull, 1709280000999999ull, 1709280000000001ull,
		1709280001000000ull, 1709279999999999ull, 1709280000000000ull, 1709280000000000ull,
		253402300799999999ull, 253402300800000001ull, 253402300800500000ull, 1000000ull, 999999ull,
	};
	struct json_opts o = { .filter = { .rule = -1 } };
	struct sink s = json_fx_open(&o);
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct pop3_txn t;
	tev_session(&sess, &ci, 1);
	for (size_t i = 0; i < ARRAY_LEN(ts); i++) {
		tev_txn(&t, i, "NOOP", NULL, POP3_ST_OK, "", 3);
		t.end_ts_us = ts[i];
		t.rep_ts_us = ts[(i + 5) % ARRAY_LEN(ts)];
		tev_emit(s, EV_TXN, &sess, &t, NULL, NULL);
	}
	json_fx_finish(s);
	FILE *f = fopen(json_fx_path, "r");
	assert_non_null(f);
	char line[4096];
	for (size_t i = 0; i < ARRAY_LEN(ts); i++) {
		char a[OUT_TIME_MAX], b[OUT_TIME_MAX], want[128];
		assert_non_null(fgets(line, sizeof line, f));
		snprintf(want, sizeof want, "{\"timestamp\":\"%s\",", out_fmt_time(a, sizeof a, ts[i], OUT_TIME_EVE));
		assert_memory_equal(line, want, strlen(want));
		snprintf(want, sizeof want, ",\"timestamp\":\"%s\",",
			 out_fmt_time(b, sizeof b, ts[(i + 5) % ARRAY_LEN(ts)], OUT_TIME_EVE));
		assert_non_null(strstr(line + 1, want));
	}
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_txn_record_bytes, json_fx_setup, json_fx_teardown),
		cmocka_unit_test_setup_teardown(test_finding_session_bytes, json_fx_setup, json_fx_teardown),
		cmocka_unit_test_setup_teardown(test_record_times, json_fx_setup, json_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
