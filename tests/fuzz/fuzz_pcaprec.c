/*
 * fuzz_pcaprec.c - libFuzzer target for the file reader's own classic-pcap
 * record parser (src/capture/pcap_records.c), with libpcap as the oracle.
 *
 * The input is a capture file. libpcap reads it (from fmemopen) and the
 * parser converts everything after the file header as one batch; the
 * frames must agree (time, lengths, bytes) and so must the end: clean, or
 * the same message for the same frame. Only the files the reader takes are
 * compared (version 2.4 and a link type libpcap passes through unchanged);
 * the carrying of records between batches is tests/unit/test_pcap_records.c's.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/capture/pcap_records.h"

#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "fuzz_pcaprec: check failed: %s\n", #cond); \
			abort();                                                  \
		}                                                                 \
	} while (0)

static void compare(pcap_t *p, struct pcap_format *f, const uint8_t *data, size_t size)
{
	size_t len = size - 24, done;
	uint8_t *buf = malloc(len ? len : 1);
	CHECK(buf);
	memcpy(buf, data + 24, len);
	uint64_t frames = 0;
	char err[PCAP_ERRBUF_SIZE] = "";
	enum pcap_records_status st =
		pcap_records_convert(f, buf, &len, &done, SIZE_MAX, &frames, err, sizeof err);
	CHECK(st != PCAP_RECORDS_FULL && done <= len);
	int clean = st == PCAP_RECORDS_MORE && len == done;
	if (st == PCAP_RECORDS_MORE && !clean)
		pcap_records_truncated(f, buf + done, len - done, err, sizeof err);

	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;
	for (size_t at = 0; at < done; n++) {
		struct rec r;
		memcpy(&r, buf + at, sizeof r);
		CHECK(r.caplen <= f->snapshot && at + sizeof r + r.caplen <= done);
		CHECK(pcap_next_ex(p, &h, &d) == 1);
		CHECK(r.ts_us == (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec);
		CHECK(r.caplen == h->caplen && r.wirelen == h->len);
		CHECK(memcmp(buf + at + sizeof r, d, r.caplen) == 0);
		at += sizeof r + r.caplen;
	}
	CHECK(n == frames);
	int rc = pcap_next_ex(p, &h, &d);
	if (clean) {
		CHECK(rc == PCAP_ERROR_BREAK);
	} else {
		CHECK(rc == PCAP_ERROR);
		CHECK(strcmp(err, pcap_geterr(p)) == 0);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_format f;
	if (size < 24 || !pcap_format_from_header(data, &f))
		return 0;
	FILE *fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	char pe[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(fp, pe); /* owns fp on success only */
	if (!p) {
		fclose(fp);
		return 0;
	}
	if (pcap_records_plain_linktype(pcap_datalink(p), f.swapped) && pcap_snapshot(p) > 0) {
		f.snapshot = (uint32_t)pcap_snapshot(p);
		f.max_caplen = 262144;
		compare(p, &f, data, size);
	}
	pcap_close(p);
	return 0;
}
