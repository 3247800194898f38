/*
 * test_source.c - capture files through the source (src/capture/source.c
 * and its reader thread, readahead.c): every frame arrives once, in order,
 * with its bytes, across batch boundaries; a bad record is reported after
 * every good frame before it, naming the file and the frame; the preps of
 * the frames further on (source_preps_ahead, the run loop's prefetching)
 * are those frames', whichever reader path and wherever the batches end.
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

/* The prep step writes the frame's number into its slot. */
static void prep_number(void *ctx, const struct frame *f, void *out)
{
	(void)ctx;
	memcpy(out, &f->number, sizeof f->number);
}

#define AHEAD 8

/* Every prep handed out ahead, k frames on, is the one that frame then
 * brings; missing only near a batch's end. With `bpf`, the libpcap
 * reader's path, frames the filter drops between them. */
static void check_prep_ahead(const char *bpf, uint32_t expect_frames)
{
	char path[] = "/tmp/test_source_XXXXXX";
	tmp_pcap(path, 0);
	char err[CAPTURE_ERRBUF_SIZE];
	struct source_opts o = { .bpf = bpf, .prep = prep_number, .prep_size = sizeof(uint64_t) };
	struct source *s = source_open_file(path, &o, err);
	assert_non_null(s);
	uint64_t *got = calloc(NFRAMES, sizeof *got);          /* numbers, in arrival order */
	uint64_t(*ahead)[AHEAD + 1] = calloc(NFRAMES, sizeof *ahead); /* 0: none */
	assert_true(got && ahead);
	struct frame fr;
	uint32_t n = 0, none = 0;
	while (source_next(s, &fr, err) == SOURCE_FRAME) {
		assert_true(n < NFRAMES);
		uint64_t own;
		memcpy(&own, fr.prep, sizeof own);
		assert_int_equal(own, fr.number);
		got[n] = fr.number;
		const uint8_t *first;
		size_t stride = 0;
		size_t at_hand = source_preps_ahead(s, &first, &stride);
		for (size_t k = 1; k <= AHEAD; k++) {
			if (k <= at_hand)
				memcpy(&ahead[n][k], first + (k - 1) * stride, sizeof(uint64_t));
			else
				none++;
		}
		n++;
	}
	assert_int_equal(n, expect_frames);
	for (uint32_t i = 0; i < n; i++)
		for (size_t k = 1; k <= AHEAD; k++) {
			if (!ahead[i][k])
				continue;
			assert_true(i + k < n);
			assert_int_equal(ahead[i][k], got[i + k]);
		}
	/* near every frame has its eight successors at hand (the batches
	 * end about every 350 frames here) */
	assert_true(none < n * AHEAD / 10);
	const uint8_t *first;
	size_t stride;
	assert_int_equal(source_preps_ahead(s, &first, &stride), 0); /* past the end */
	free(got);
	free(ahead);
	source_free(s);
	unlink(path);
}

static void test_prep_ahead(void **state)
{
	(void)state;
	check_prep_ahead(NULL, NFRAMES);
}

static void test_prep_ahead_filtered(void **state)
{
	(void)state;
	uint32_t passed = 0;
	for (uint32_t i = 0; i < NFRAMES; i++)
		passed += frame_len(i) > 100;
	check_prep_ahead("greater 101", passed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_frame_in_order),
		cmocka_unit_test(test_truncated_last_record),
		cmocka_unit_test(test_free_mid_file),
		cmocka_unit_test(test_prep_ahead),
		cmocka_unit_test(test_prep_ahead_filtered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
