/*
 * test_pcap_records.c - the reader thread's own classic-pcap parser
 * (src/capture/pcap_records.c, readahead.c's direct path) against libpcap
 * reading the same file: every frame (time, lengths, bytes), then the same
 * end, and for a damaged file the same message about the same frame. Files
 * in both byte orders, micro- and nanosecond, with records cut by the
 * snapshot length, too long, truncated at many offsets, negative times.
 */
#include <fcntl.h>
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

#include "../../src/capture/readahead.h"

#define PATH_MAX_T 64

struct gen {
	uint8_t *buf;
	size_t len, cap;
	bool swapped, nsec;
	uint32_t rng;
};

static uint32_t rnd(struct gen *g)
{
	g->rng = g->rng * 1103515245u + 12345u;
	return g->rng >> 8;
}

static void put(struct gen *g, const void *p, size_t n)
{
	if (g->len + n > g->cap) {
		g->cap = (g->len + n) * 2;
		g->buf = realloc(g->buf, g->cap);
		assert_non_null(g->buf);
	}
	memcpy(g->buf + g->len, p, n);
	g->len += n;
}

static void put32(struct gen *g, uint32_t v)
{
	if (g->swapped)
		v = __builtin_bswap32(v);
	put(g, &v, 4);
}

static void file_header(struct gen *g, uint32_t snaplen)
{
	uint16_t ver[2] = { 2, 4 };
	put32(g, g->nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	if (g->swapped) {
		ver[0] = __builtin_bswap16(ver[0]);
		ver[1] = __builtin_bswap16(ver[1]);
	}
	put(g, ver, sizeof ver);
	put32(g, 0);
	put32(g, 0);
	put32(g, snaplen);
	put32(g, 1); /* Ethernet */
}

static void record(struct gen *g, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len)
{
	put32(g, sec);
	put32(g, frac);
	put32(g, caplen);
	put32(g, len);
	for (uint32_t k = 0; k < caplen; k++) {
		uint8_t b = (uint8_t)rnd(g);
		put(g, &b, 1);
	}
}

/* Mostly packet-sized records, some empty, some up to the 256 KiB maximum,
 * and times anywhere in the 32-bit fields (negative ones included). */
static void records(struct gen *g, unsigned n, uint32_t maxcap)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t r = rnd(g) % 100, cap;
		if (r < 3)
			cap = 0;
		else if (r < 8)
			cap = rnd(g) % (maxcap + 1);
		else
			cap = 40 + rnd(g) % 1500;
		uint32_t frac = r < 10 ? rnd(g) << 8 : rnd(g) % (g->nsec ? 1000000000u : 1000000u);
		uint32_t sec = r < 5 ? 0x80000000u + rnd(g) : 1700000000u + i;
		record(g, sec, frac, cap, cap + rnd(g) % 3);
	}
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* The reader on `path` as source.c starts it: libpcap opens the file and
 * reads its header; `direct` reads the records without libpcap. */
static struct readahead *start(const char *path, bool direct, const struct source_opts *so,
			       pcap_t **pp)
{
	char pe[PCAP_ERRBUF_SIZE];
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	pcap_t *p = pcap_fopen_offline(fp, pe);
	assert_non_null(p);
	uint8_t hdr[24];
	assert_int_equal(pread(fileno(fp), hdr, sizeof hdr, 0), 24);
	struct pcap_format f;
	assert_true(pcap_format_from_header(hdr, &f));
	f.snapshot = (uint32_t)pcap_snapshot(p);
	f.max_caplen = 262144;
	struct readahead *ra = readahead_start(p, fileno(fp), direct ? &f : NULL, NULL, so, "F");
	assert_non_null(ra);
	*pp = p;
	return ra;
}

/* Read `path` both ways and demand the same frames and the same end.
 * Returns the number of frames. */
static uint64_t compare(const char *path)
{
	char pe[PCAP_ERRBUF_SIZE];
	pcap_t *ref = pcap_open_offline(path, pe);
	assert_non_null(ref);
	struct source_opts so = { 0 };
	pcap_t *p;
	struct readahead *ra = start(path, true, &so, &p);

	uint64_t n = 0;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		struct frame fr;
		char err[CAPTURE_ERRBUF_SIZE] = "";
		int rc = pcap_next_ex(ref, &h, &d);
		enum source_status st = readahead_next(ra, &fr, err);
		if (rc == 1) {
			if (st != SOURCE_FRAME)
				fprintf(stderr, "frame %llu: %s\n", (unsigned long long)n + 1, err);
			assert_int_equal(st, SOURCE_FRAME);
			assert_int_equal(fr.ts_us,
					 (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec);
			assert_int_equal(fr.caplen, h->caplen);
			assert_int_equal(fr.wirelen, h->len);
			assert_memory_equal(fr.data, d, h->caplen);
			n++;
			continue;
		}
		if (rc == PCAP_ERROR_BREAK) {
			assert_int_equal(st, SOURCE_EOF);
		} else {
			char want[CAPTURE_ERRBUF_SIZE];
			snprintf(want, sizeof want, "F: frame %llu: %s", (unsigned long long)n + 1,
				 pcap_geterr(ref));
			assert_int_equal(st, SOURCE_ERROR);
			assert_string_equal(err, want);
		}
		break;
	}
	readahead_stop(ra);
	pcap_close(p);
	pcap_close(ref);
	return n;
}

struct prep_rec {
	uint64_t number, ts_us;
	uint32_t caplen;
	uint8_t first;
};

static void prep_fn(void *ctx, const struct frame *f, void *out)
{
	struct prep_rec *pr = out;
	(*(unsigned *)ctx)++;
	pr->number = f->number;
	pr->ts_us = f->ts_us;
	pr->caplen = f->caplen;
	pr->first = f->caplen ? f->data[0] : 0;
}

/* With a prep function, every frame comes with what it made of that very
 * frame, directly read or through libpcap, also when a batch holds more
 * small frames than it has prep slots. */
static void read_with_prep(const char *path, bool direct, uint64_t expect)
{
	unsigned calls = 0;
	struct source_opts so = { .prep = prep_fn, .prep_ctx = &calls,
				  .prep_size = sizeof(struct prep_rec) };
	pcap_t *p;
	struct readahead *ra = start(path, direct, &so, &p);
	uint64_t n = 0;
	struct frame fr;
	char err[CAPTURE_ERRBUF_SIZE];
	enum source_status st;
	while ((st = readahead_next(ra, &fr, err)) == SOURCE_FRAME) {
		const struct prep_rec *pr = fr.prep;
		assert_non_null(pr);
		assert_int_equal(pr->number, ++n);
		assert_int_equal(pr->ts_us, fr.ts_us);
		assert_int_equal(pr->caplen, fr.caplen);
		assert_int_equal(pr->first, fr.caplen ? fr.data[0] : 0);
	}
	assert_int_equal(st, SOURCE_EOF);
	assert_int_equal(n, expect);
	readahead_stop(ra);
	assert_int_equal(calls, expect);
	pcap_close(p);
}

static void test_prep(void **state)
{
	(void)state;
	char path[PATH_MAX_T];
	snprintf(path, sizeof path, "/tmp/pop3mon-test-pcaprec-prep-%d.pcap", (int)getpid());
	struct gen g = { .rng = 3 };
	file_header(&g, 262144);
	for (unsigned i = 0; i < 3 * READAHEAD_PREP_FRAMES; i++) /* 60-byte frames */
		record(&g, 1700000000u + i, i, 44 + i % 17, 60);
	records(&g, 2000, 262144);
	write_file(path, g.buf, g.len);
	read_with_prep(path, true, 3 * READAHEAD_PREP_FRAMES + 2000);
	read_with_prep(path, false, 3 * READAHEAD_PREP_FRAMES + 2000);
	free(g.buf);
	unlink(path);
}

static void tmp_path(char *path)
{
	snprintf(path, PATH_MAX_T, "/tmp/pop3mon-test-pcaprec-%d.pcap", (int)getpid());
}

/* Whole files: several MiB, so records straddle many batches. */
static void test_whole_files(void **state)
{
	(void)state;
	char path[PATH_MAX_T];
	tmp_path(path);
	for (int v = 0; v < 4; v++) {
		struct gen g = { .swapped = v & 1, .nsec = v & 2, .rng = 7u + (uint32_t)v };
		file_header(&g, 262144);
		records(&g, 6000, 262144);
		write_file(path, g.buf, g.len);
		assert_int_equal(compare(path), 6000);
		free(g.buf);
	}
	unlink(path);
}

/* The same file cut short at offsets in the last records: in a record
 * header, in its data, exactly between records. */
static void test_truncated(void **state)
{
	(void)state;
	char path[PATH_MAX_T];
	tmp_path(path);
	struct gen g = { .rng = 99 };
	file_header(&g, 262144);
	records(&g, 700, 3000);
	size_t full = g.len;
	for (size_t cut = 0; cut < 4000; cut += 1 + cut / 50) {
		write_file(path, g.buf, full - cut);
		compare(path);
	}
	free(g.buf);
	unlink(path);
}

/* A snapshot length of 100 in the file header: longer records are cut to
 * it (and the bytes after them must still line up); records past the
 * 256 KiB maximum are an error; cut files with long records. */
static void test_snapshot_and_maximum(void **state)
{
	(void)state;
	char path[PATH_MAX_T];
	tmp_path(path);
	for (int sw = 0; sw < 2; sw++) {
		struct gen g = { .swapped = sw, .rng = 5u + (uint32_t)sw };
		file_header(&g, 100);
		records(&g, 3000, 262144);
		size_t good = g.len;
		write_file(path, g.buf, g.len);
		assert_int_equal(compare(path), 3000);
		for (size_t cut = 1; cut < 600; cut += 37) {
			write_file(path, g.buf, good - cut);
			compare(path);
		}
		record(&g, 1, 2, 262145, 262145);
		write_file(path, g.buf, g.len);
		assert_int_equal(compare(path), 3000);
		g.len = good;
		record(&g, 1, 2, 300, 300);
		write_file(path, g.buf, g.len - 150); /* cut inside the part skipped */
		assert_int_equal(compare(path), 3000);
		write_file(path, g.buf, g.len - 250); /* cut inside the part kept */
		assert_int_equal(compare(path), 3000);
		free(g.buf);
	}
	unlink(path);
}

/* Only version 2.4 with a known magic is taken; anything else stays with
 * libpcap. */
static void test_header_formats(void **state)
{
	(void)state;
	struct pcap_format f;
	uint8_t h[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	assert_true(pcap_format_from_header(h, &f));
	assert_false(f.swapped);
	assert_false(f.nsec);
	uint8_t be[24] = { 0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4 };
	assert_true(pcap_format_from_header(be, &f));
	assert_true(f.swapped);
	assert_true(f.nsec);
	h[6] = 3; /* 2.3: lengths may be swapped */
	assert_false(pcap_format_from_header(h, &f));
	uint8_t ng[24] = { 0x0a, 0x0d, 0x0d, 0x0a };
	assert_false(pcap_format_from_header(ng, &f));
	uint8_t kuz[24] = { 0x34, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0 };
	assert_false(pcap_format_from_header(kuz, &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_files),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_snapshot_and_maximum),
		cmocka_unit_test(test_header_formats),
		cmocka_unit_test(test_prep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
