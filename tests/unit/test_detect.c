/*
 * test_detect.c - POP3 or not from the first bytes (src/session/detect.c)
 * and the notices of connections that never became sessions
 * (src/session/conn_notice.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/session/conn_notice.h"
#include "../../src/session/detect.h"

#define S(x) (const uint8_t *)(x), strlen(x)

static void test_server_start(void **state)
{
	(void)state;
	assert_int_equal(detect_server_start(S("+OK ready\r\n")), DETECT_YES);
	assert_int_equal(detect_server_start(S("-ERR busy\r\n")), DETECT_YES);
	assert_int_equal(detect_server_start(S("+OK\r\n")), DETECT_YES);
	assert_int_equal(detect_server_start(S("+ok hi\r\n")), DETECT_YES); /* judged by reply-syntax */
	assert_int_equal(detect_server_start(S("+O")), DETECT_MORE);
	assert_int_equal(detect_server_start(S("-ERR")), DETECT_MORE);
	assert_int_equal(detect_server_start(S("+OKAY\r\n")), DETECT_NO);
	assert_int_equal(detect_server_start(S("HTTP/1.1 200 OK\r\n")), DETECT_NO);
	assert_int_equal(detect_server_start(S("* OK IMAP4rev1\r\n")), DETECT_NO);
	assert_int_equal(detect_server_start(S("220 smtp ESMTP\r\n")), DETECT_NO);
	assert_int_equal(detect_server_start((const uint8_t *)"\x16\x03\x01", 3), DETECT_NO);
}

static void test_client_start(void **state)
{
	(void)state;
	assert_int_equal(detect_client_start(S("CAPA\r\n")), DETECT_YES);
	assert_int_equal(detect_client_start(S("user alice\r\n")), DETECT_YES);
	assert_int_equal(detect_client_start(S("TOP 1 0\r\n")), DETECT_YES);
	assert_int_equal(detect_client_start(S("UTF8\r\n")), DETECT_YES);
	assert_int_equal(detect_client_start(S("CAP")), DETECT_MORE);
	assert_int_equal(detect_client_start(S("QUIT")), DETECT_MORE);
	assert_int_equal(detect_client_start(S("GET / HTTP/1.1\r\n")), DETECT_NO);
	assert_int_equal(detect_client_start(S("PING\r\n")), DETECT_NO);
	assert_int_equal(detect_client_start(S("*1\r\n$4\r\nPING\r\n")), DETECT_NO);
	assert_int_equal(detect_client_start(S("EHLO x\r\n")), DETECT_NO);
	assert_int_equal(detect_client_start((const uint8_t *)"\x16\x03\x01\x02\x00", 5), DETECT_NO);
}

static void test_foreign(void **state)
{
	(void)state;
	assert_string_equal(detect_foreign(S("HTTP/1.1 200 OK\r\n")), "HTTP");
	assert_string_equal(detect_foreign(S("GET /index.html HTTP/1.1\r\n")), "HTTP");
	assert_string_equal(detect_foreign(S("SSH-2.0-OpenSSH\r\n")), "SSH");
	assert_string_equal(detect_foreign(S("*3\r\n$3\r\nSET\r\n")), "Redis (RESP)");
	assert_null(detect_foreign(S("Received: from mail\r\n")));
	assert_null(detect_foreign(S("+OK\r\n")));
	assert_true(detect_tls_record((const uint8_t *)"\x16\x03\x01\x00\x10", 5));
	assert_false(detect_tls_record(S("+OK")));
}

static const struct seg_meta M1 = { 1, 1000, NULL }, M2 = { 2, 2000, NULL }, M3 = { 3, 3000, NULL };

struct replayed {
	char buf[256];
	size_t n;
	int dirs[8];
	uint64_t frames[8];
	unsigned k;
};

static void on_replay(void *ctx, int dir, const uint8_t *p, size_t n, const struct seg_meta *m)
{
	struct replayed *r = ctx;
	memcpy(r->buf + r->n, p, n);
	r->n += n;
	r->dirs[r->k] = dir;
	r->frames[r->k++] = m->frame;
}

/* A watched port: the greeting decides at once; nothing is kept. */
static void test_watched_greeting(void **state)
{
	(void)state;
	struct detect d;
	detect_init(&d, false, false);
	assert_int_equal(detect_feed(&d, 1, S("+OK hello\r\n"), &M1), DETECT_POP3);
	assert_int_equal(d.nchunks, 0);
	detect_fini(&d);
}

/* A watched port: HTTP from the server, TLS or Redis from the client. */
static void test_watched_not_pop3(void **state)
{
	(void)state;
	struct detect d;
	detect_init(&d, false, false);
	assert_int_equal(detect_feed(&d, 1, S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), &M1),
			 DETECT_NOT_POP3);
	assert_string_equal(d.why, "the server answers in HTTP");
	assert_int_equal(d.why_frame, 1);
	struct finding f;
	not_pop3_notice(&d, &f);
	assert_int_equal(f.rule, R_NOT_POP3);
	assert_int_equal(f.sev, SEV_NOTICE);
	assert_string_equal(f.ev[0].line, "server: HTTP/1.1 200 OK");
	assert_non_null(strstr(f.summary, "not POP3: the server answers in HTTP"));
	detect_fini(&d);

	detect_init(&d, false, false);
	assert_int_equal(detect_feed(&d, 0, (const uint8_t *)"\x16\x03\x01\x02\x00\x01", 6, &M1),
			 DETECT_NOT_POP3);
	assert_string_equal(d.why, "the client starts a TLS handshake without STLS");
	detect_fini(&d);

	detect_init(&d, false, false);
	assert_int_equal(detect_feed(&d, 0, S("*1\r\n$4\r\nPING\r\n"), &M1), DETECT_NOT_POP3);
	assert_string_equal(d.why, "the client speaks Redis (RESP)");
	detect_fini(&d);
}

/* A client that speaks first with a command waits for the server; the
 * bytes come back in order. */
static void test_client_first_then_server(void **state)
{
	(void)state;
	struct detect d;
	struct replayed r = { 0 };
	detect_init(&d, false, false);
	assert_int_equal(detect_feed(&d, 0, S("CA"), &M1), DETECT_WAIT);
	assert_int_equal(detect_feed(&d, 0, S("PA\r\n"), &M2), DETECT_WAIT);
	assert_int_equal(detect_feed(&d, 1, S("+OK hi\r\n"), &M3), DETECT_POP3);
	detect_replay(&d, on_replay, &r);
	assert_int_equal(r.k, 2);
	assert_memory_equal(r.buf, "CAPA\r\n", 6);
	assert_int_equal(r.frames[0], 1);
	assert_int_equal(r.frames[1], 2);
	/* the server never answers: a watched port keeps its POP3 */
	detect_init(&d, false, false);
	assert_int_equal(detect_feed(&d, 0, S("USER a\r\n"), &M1), DETECT_WAIT);
	assert_int_equal(detect_final(&d), DETECT_POP3);
	detect_fini(&d);
}

/* Another port: POP3 only when the server greets first and the client
 * answers with a command. */
static void test_content_only(void **state)
{
	(void)state;
	struct detect d;
	struct replayed r = { 0 };
	detect_init(&d, true, false);
	assert_int_equal(detect_feed(&d, 1, S("+OK POP3 on 1110\r\n"), &M1), DETECT_WAIT);
	assert_int_equal(detect_feed(&d, 0, S("CAPA\r\n"), &M2), DETECT_POP3);
	detect_replay(&d, on_replay, &r);
	assert_int_equal(r.k, 1); /* the greeting; the command is the caller's to pass on */
	assert_int_equal(r.dirs[0], 1);
	assert_memory_equal(r.buf, "+OK POP3 on 1110\r\n", 18);

	detect_init(&d, true, false); /* a greeting, then not a command */
	assert_int_equal(detect_feed(&d, 1, S("+OK\r\n"), &M1), DETECT_WAIT);
	assert_int_equal(detect_feed(&d, 0, S("HELO\r\n"), &M2), DETECT_NOT_POP3);
	detect_fini(&d);
	detect_init(&d, true, false); /* the client first */
	assert_int_equal(detect_feed(&d, 0, S("USER x\r\n"), &M1), DETECT_NOT_POP3);
	detect_fini(&d);
	detect_init(&d, true, false); /* greeting, then nothing */
	assert_int_equal(detect_feed(&d, 1, S("+OK\r\n"), &M1), DETECT_WAIT);
	assert_int_equal(detect_final(&d), DETECT_NOT_POP3);
	detect_fini(&d);
	detect_init(&d, true, true); /* mid-stream: who spoke first is unknown */
	assert_int_equal(detect_feed(&d, 1, S("+OK\r\n"), &M1), DETECT_NOT_POP3);
	detect_fini(&d);
}

/* Mid-session on a watched port: a body line is not a verdict against. */
static void test_midstream_watched(void **state)
{
	(void)state;
	struct detect d;
	detect_init(&d, false, true);
	assert_int_equal(detect_feed(&d, 1, S("Received: from x\r\n"), &M1), DETECT_POP3);
	detect_fini(&d);
	detect_init(&d, false, true);
	assert_int_equal(detect_feed(&d, 1, S("HTTP/1.0 400 Bad\r\n"), &M1), DETECT_NOT_POP3);
	detect_fini(&d);
}

static void test_conn_notices(void **state)
{
	(void)state;
	struct flow f;
	struct finding out;
	struct conn_notice_opts o = { 3000000, 10000000 };
	memset(&f, 0, sizeof f);
	f.sport = 110;
	f.hs.syn_frame = 1;
	f.hs.syn_ts = 1000000;
	f.hs.syns = 3;
	f.hs.last_syn_frame = 5;
	f.hs.last_syn_ts = 3000000;
	assert_true(conn_notice(&f, FLOW_END_NO_ANSWER, &o, &out));
	assert_int_equal(out.rule, R_CONN_NO_ANSWER);
	assert_string_equal(out.summary,
			    "no answer to the SYN within 3.0 s: sent 3 times (2 retransmissions)");
	assert_int_equal(out.n_ev, 2);
	assert_int_equal(out.ev[1].frame, 5);
	assert_string_equal(out.ev[1].line, "SYN retransmission 2 of 2, 2.000 s after the first");
	assert_int_equal(out.ts_us, 4000000);

	f.hs.syns = 1;
	f.hs.last_syn_ts = f.hs.syn_ts;
	f.hs.rst_frame = 2;
	f.hs.rst_ts = 1000200;
	f.hs.rst_dir = DIR_S2C;
	assert_true(conn_notice(&f, FLOW_END_REFUSED, &o, &out));
	assert_int_equal(out.rule, R_CONN_REFUSED);
	assert_int_equal(out.ev[1].frame, 2);
	assert_non_null(strstr(out.summary, "answered the SYN with RST 0.000 s later"));

	f.hs.synack_frame = 2;
	f.hs.synack_ts = 1000100;
	f.hs.rst_frame = 7;
	f.hs.rst_ts = 2500100;
	f.hs.rst_dir = DIR_C2S;
	assert_true(conn_notice(&f, FLOW_END_RESET_BEFORE_GREETING, &o, &out));
	assert_string_equal(out.summary, "the connection was reset by the client 1.500 s after it "
					 "was accepted, before the server's greeting");
	f.hs.first_fin_dir = DIR_S2C;
	f.last_frame = 4;
	f.last_ts = 1200100;
	assert_true(conn_notice(&f, FLOW_END_NO_GREETING, &o, &out));
	assert_int_equal(out.rule, R_NO_GREETING);
	assert_non_null(strstr(out.summary, "closed it 0.200 s later without a greeting"));
	f.hs.first_fin_dir = -1;
	assert_true(conn_notice(&f, FLOW_END_NO_GREETING, &o, &out));
	assert_non_null(strstr(out.summary, "sent no greeting within 10.0 s"));
	assert_false(conn_notice(&f, FLOW_END_FIN, &o, &out));
	assert_false(conn_notice(&f, FLOW_END_RST, &o, &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_start),
		cmocka_unit_test(test_client_start),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_watched_greeting),
		cmocka_unit_test(test_watched_not_pop3),
		cmocka_unit_test(test_client_first_then_server),
		cmocka_unit_test(test_content_only),
		cmocka_unit_test(test_midstream_watched),
		cmocka_unit_test(test_conn_notices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
