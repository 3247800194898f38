/*
 * test_flagged_writer.c - the flagged-session pcap: three interleaved
 * flows are spooled, one is flagged, all close; the output, read back with
 * pcap_open_offline, must hold exactly the flagged flow's packets in
 * capture order. Also: the close that arrives before its last packet,
 * the ring spool wrapping, save() of open sessions (twice: the on-disk
 * chains must survive), and link-type mismatches.
 */
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flagged.h"
#include "helpers/events.h"

#define LT 1 /* DLT_EN10MB */

static char out[64], out2[64];

static int setup(void **state)
{
	(void)state;
	snprintf(out, sizeof out, "/tmp/test_fw_%d.pcap", (int)getpid());
	snprintf(out2, sizeof out2, "/tmp/test_fw_%d_save.pcap", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(out);
	unlink(out2);
	return 0;
}

/* A frame of `len` bytes: byte 0 = flow, bytes 1-4 = frame number. */
static void packet(struct flagged_writer *w, uint64_t flow, uint64_t num, uint32_t len)
{
	static uint8_t data[4096];
	memset(data, 0xab, sizeof data);
	data[0] = (uint8_t)flow;
	data[1] = (uint8_t)(num >> 24);
	data[2] = (uint8_t)(num >> 16);
	data[3] = (uint8_t)(num >> 8);
	data[4] = (uint8_t)num;
	struct frame fr = { .number = num, .ts_us = TEV_T0 + num * 1000, .caplen = len,
			    .wirelen = len + 4, .linktype = LT, .data = data };
	flagged_writer_packet(w, flow, &fr);
}

/* Read a pcap back: the frame numbers of each packet; checks flow and timestamps. */
static size_t read_back(const char *path, uint64_t want_flow, uint64_t *nums, size_t max)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), LT);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t n = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		assert_true(n < max);
		assert_true(h->caplen >= 5);
		uint64_t num = (uint64_t)d[1] << 24 | (uint64_t)d[2] << 16 | (uint64_t)d[3] << 8 | d[4];
		if (want_flow)
			assert_int_equal(d[0], want_flow);
		assert_int_equal((uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec, TEV_T0 + num * 1000);
		assert_int_equal(h->len, h->caplen + 4);
		nums[n++] = num;
	}
	pcap_close(p);
	return n;
}

static void flag(struct sink s, uint64_t id, enum rule_id r)
{
	struct ev_session sess;
	struct ev_pop3 *ci;
	struct finding f;
	tev_session(&sess, &ci, id);
	tev_finding(&f, r, "test", 1, "line", 0, NULL);
	tev_emit(s, EV_FINDING, &sess, NULL, &f, NULL);
}

static void close_ev(struct sink s, uint64_t id)
{
	struct ev_session sess;
	struct ev_pop3 *ci;
	tev_session(&sess, &ci, id);
	sess.end = FLOW_END_FIN;
	tev_emit(s, EV_SESSION_CLOSE, &sess, NULL, NULL, NULL);
}

static void test_one_of_three(void **state)
{
	(void)state;
	char err[256] = "";
	struct flagged_writer *w = flagged_writer_new(out, LT, 65535, 0, err, sizeof err);
	assert_non_null(w);
	struct sink s = flagged_writer_sink(w);
	assert_non_null(s.ops);

	uint64_t num = 1;
	for (int i = 0; i < 10; i++)
		for (uint64_t f = 1; f <= 3; f++)
			packet(w, f, num++, 60 + (uint32_t)i);
	flag(s, 2, R_STAT_UIDL_COUNT);
	flag(s, 3, R_LOGIN_FAILED); /* a notice: not flagged */
	/* flow 2's close arrives while its last packet is handled, before the packet call */
	close_ev(s, 2);
	packet(w, 2, num++, 54);
	close_ev(s, 1);
	close_ev(s, 3);
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	assert_int_equal(flagged_writer_close(w, err, sizeof err), 0);
	const struct flagged_stats *st = flagged_writer_stats(w);
	assert_int_equal(st->packets_spooled, 31);
	assert_int_equal(st->sessions_written, 1);
	assert_int_equal(st->packets_written, 11);
	assert_int_equal(st->spool_truncated_sessions, 0);
	flagged_writer_free(w);

	uint64_t nums[64];
	size_t n = read_back(out, 2, nums, 64);
	assert_int_equal(n, 11);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(nums[i], 2 + 3 * i);
	assert_int_equal(nums[10], 31);
}

static void test_wrap(void **state)
{
	(void)state;
	char err[256] = "";
	/* 64 KiB of spool, ~1 KiB records: only the last ~63 records are held */
	struct flagged_writer *w = flagged_writer_new(out, LT, 65535, 64 * 1024, err, sizeof err);
	assert_non_null(w);
	struct sink s = flagged_writer_sink(w);
	uint64_t num = 1;
	for (int i = 0; i < 100; i++)
		for (uint64_t f = 1; f <= 2; f++)
			packet(w, f, num++, 1000);
	flag(s, 1, R_STAT_LIST_COUNT);
	close_ev(s, 1);
	close_ev(s, 2);
	assert_int_equal(flagged_writer_close(w, err, sizeof err), 0);
	const struct flagged_stats *st = flagged_writer_stats(w);
	assert_true(st->spool_wraps >= 2);
	assert_int_equal(st->spool_truncated_sessions, 1);
	assert_true(st->spool_bytes <= 64 * 1024);
	uint64_t written = st->packets_written;
	flagged_writer_free(w);

	uint64_t nums[256];
	size_t n = read_back(out, 1, nums, 256);
	assert_int_equal(n, written);
	assert_true(n >= 25 && n <= 40); /* ~63 records held, half of them flow 1 */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(nums[i], 199 - 2 * (n - 1 - i)); /* the last n of flow 1, in order */
}

static void test_save_open(void **state)
{
	(void)state;
	char err[256] = "";
	struct flagged_writer *w = flagged_writer_new(NULL, LT, 65535, 0, err, sizeof err); /* spool only */
	assert_non_null(w);
	uint64_t num = 1;
	for (int i = 0; i < 5; i++)
		for (uint64_t f = 1; f <= 3; f++)
			packet(w, f, num++, 100);
	uint64_t ids[] = { 3, 1, 99 }; /* 99: unknown, ignored */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(flagged_writer_save(w, ids, 3, out2, err, sizeof err), 0);
		uint64_t nums[64];
		size_t n = read_back(out2, 0, nums, 64);
		assert_int_equal(n, 10);
		uint64_t want[] = { 1, 3, 4, 6, 7, 9, 10, 12, 13, 15 };
		for (size_t i = 0; i < n; i++)
			assert_int_equal(nums[i], want[i]);
		packet(w, 2, num++, 100); /* spooling continues between saves */
	}
	/* a bad path is an error with the path in it */
	assert_int_equal(flagged_writer_save(w, ids, 1, "/nonexistent/dir/x.pcap", err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/dir/x.pcap"));
	assert_int_equal(flagged_writer_close(w, err, sizeof err), 0);
	flagged_writer_free(w);
}

static void test_linktype_and_open_at_end(void **state)
{
	(void)state;
	char err[256] = "";
	struct flagged_writer *w = flagged_writer_new(out, LT, 65535, 0, err, sizeof err);
	assert_non_null(w);
	struct sink s = flagged_writer_sink(w);
	packet(w, 1, 1, 80);
	struct frame fr = { .number = 2, .ts_us = TEV_T0, .caplen = 10, .wirelen = 10, .linktype = 113,
			    .data = (const uint8_t *)"0123456789" };
	flagged_writer_packet(w, 1, &fr);
	packet(w, 1, 3, 80);
	flagged_writer_packet(w, 0, &fr); /* no flow: ignored */
	flag(s, 1, R_RETR_SIZE);          /* a warning flags too; never closed */
	assert_int_equal(flagged_writer_close(w, err, sizeof err), 0);
	assert_int_equal(flagged_writer_stats(w)->linktype_mismatch, 1);
	assert_int_equal(flagged_writer_stats(w)->packets_written, 2);
	flagged_writer_free(w);
	uint64_t nums[8];
	assert_int_equal(read_back(out, 1, nums, 8), 2);

	assert_null(flagged_writer_new("/nonexistent/dir/x.pcap", LT, 65535, 0, err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/dir/x.pcap"));
	flagged_writer_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_of_three, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linktype_and_open_at_end, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
