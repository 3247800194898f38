/*
 * test_source.c - capture files through the source (src/capture/source.c
 * and its reader thread, readahead.c): every frame arrives once, in order,
 * with its bytes, across batch boundaries; a bad record is reported after
 * every good frame before it, naming the file and the frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"

#define NFRAMES 3000

static uint32_t frame_len(uint32_t i)
{
	/* Mostly full-size frames, some tiny, a few of 60 KiB: records end at
	 * every offset of the 1 MiB batches over the file. */
	return i % 97 == 0 ? 61000 : i % 5 == 0 ? 60 : 1514 - i % 7;
}

static uint8_t frame_byte(uint32_t i, uint32_t k)
{
	return (uint8_t)(i * 31 + k * 7);
}

/* A classic pcap (microseconds, Ethernet); `cut` bytes short at the end. */
static void write_pcap(const char *path, size_t cut)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	uint32_t gh[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, 262144, 1 };
	fwrite(gh, sizeof gh, 1, f);
	static uint8_t buf[65536];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		uint32_t n = frame_len(i);
		uint32_t rh[4] = { 1700000000 + i, i % 1000000, n, n + (i & 1) };
		for (uint32_t k = 0; k < n; k++)
			buf[k] = frame_byte(i, k);
		fwrite(rh, sizeof rh, 1, f);
		fwrite(buf, n, 1, f);
	}
	long end = ftell(f);
	fclose(f);
	if (cut)
		assert_int_equal(truncate(path, end - (long)cut), 0);
}

static void read_back(const char *path, uint32_t expect_good, bool expect_error)
{
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct source_opts o = { 0 };
	struct source *s = source_open_file(path, &o, err);
	assert_non_null(s);
	struct frame fr;
	uint32_t i = 0;
	enum source_status st;
	while ((st = source_next(s, &fr, err)) == SOURCE_FRAME) {
		assert_true(i < NFRAMES);
		uint32_t n = frame_len(i);
		assert_int_equal(fr.number, i + 1);
		assert_int_equal(fr.caplen, n);
		assert_int_equal(fr.wirelen, n + (i & 1));
		assert_int_equal(fr.ts_us, (uint64_t)(1700000000 + i) * 1000000u + i % 1000000);
		assert_int_equal(fr.linktype, 1);
		for (uint32_t k = 0; k < n; k += 997)
			assert_int_equal(fr.data[k], frame_byte(i, k));
		assert_int_equal(fr.data[n - 1], frame_byte(i, n - 1));
		i++;
	}
	assert_int_equal(i, expect_good);
	if (expect_error) {
		assert_int_equal(st, SOURCE_ERROR);
		char want[64];
		snprintf(want, sizeof want, ": frame %u: ", expect_good + 1);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, want));
	} else {
		assert_int_equal(st, SOURCE_EOF);
	}
	/* The end is sticky: asking again gives the same answer. */
	assert_int_equal(source_next(s, &fr, err), st);
	source_free(s);
}

/* A fresh capture file in path[] ("/tmp/test_source_XXXXXX"). */
static void tmp_pcap(char *path, size_t cut)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_pcap(path, cut);
}

static void test_every_frame_in_order(void **state)
{
	(void)state;
	char path[] = "/tmp/test_source_XXXXXX";
	tmp_pcap(path, 0);
	read_back(path, NFRAMES, false);
	unlink(path);
}

static void test_truncated_last_record(void **state)
{
	(void)state;
	char path[] = "/tmp/test_source_XXXXXX";
	tmp_pcap(path, 10);
	read_back(path, NFRAMES - 1, true);
	unlink(path);
}

/* Freed mid-file: the reader thread is stopped and joined (ASan/LSan and
 * valgrind would see a leak or a use after free). */
static void test_free_mid_file(void **state)
{
	(void)state;
	char path[] = "/tmp/test_source_XXXXXX";
	tmp_pcap(path, 0);
	char err[CAPTURE_ERRBUF_SIZE];
	struct source_opts o = { 0 };
	struct source *s = source_open_file(path, &o, err);
	assert_non_null(s);
	struct frame fr;
	for (int i = 0; i < 10; i++)
		assert_int_equal(source_next(s, &fr, err), SOURCE_FRAME);
	source_free(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_frame_in_order),
		cmocka_unit_test(test_truncated_last_record),
		cmocka_unit_test(test_free_mid_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
