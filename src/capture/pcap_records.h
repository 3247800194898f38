/*
 * pcap_records.h - private to src/capture: classic pcap records parsed in
 * place, for the file reader thread.
 *
 * libpcap reads a file a record at a time: two fread()s per frame through
 * stdio, then we copied the frame again into a batch. For the classic
 * format (not pcapng, no BPF filter) the reader thread read()s the file
 * straight into its batches instead, and this turns each complete record
 * header, where it lies, into the batch's own record header: one copy of
 * each byte (the kernel's) in all. What libpcap checks and says about a
 * record is checked and said here in the same words, so a bad file reports
 * the same frame and message either way (tests/unit/test_pcap_records.c
 * compares the two on damaged files).
 */
#ifndef POP3MON_PCAP_RECORDS_H
#define POP3MON_PCAP_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame in a batch: this header, then caplen bytes (no padding). The
 * same size as a pcap record header, so one can become the other. */
struct rec {
	uint64_t ts_us;
	uint32_t caplen, wirelen;
};

struct pcap_format {
	bool swapped;        /* written on a host of the other byte order */
	bool nsec;           /* nanosecond timestamps (magic a1b23c4d) */
	uint32_t snapshot;   /* libpcap's pcap_snapshot(): longer records are cut */
	uint32_t max_caplen; /* longer records are an error (libpcap: 262144) */
};

/* Classic pcap files this reader takes, from the 24-byte file header:
 * version 2.4 with the micro- or nanosecond magic; false for anything else
 * (pcapng, the old length-swapped versions, modified formats), which libpcap
 * reads as before. */
bool pcap_format_from_header(const uint8_t hdr[24], struct pcap_format *f);

/* Link types whose records libpcap hands on unchanged: for others (USB,
 * NFLOG, and Linux cooked captures from the other byte order) it rewrites
 * pseudo-headers, so they keep going through libpcap. `dlt` as
 * pcap_datalink() gives it. */
bool pcap_records_plain_linktype(int dlt, bool swapped);

enum pcap_records_status {
	PCAP_RECORDS_MORE,   /* a partial record (or none) is left: read on */
	PCAP_RECORDS_BAD,    /* the record after the converted ones is invalid */
	PCAP_RECORDS_FULL,   /* `max` records converted; complete ones may follow */
};

/*
 * buf[0..*len) is file data beginning at a record. Converts each complete
 * record, at most `max` of them, in place into a struct rec and its frame,
 * and returns in *done the length of the converted prefix; a record longer
 * than the snapshot is cut, which moves the rest of the buffer down and
 * shrinks *len. *frames counts the records converted. On PCAP_RECORDS_BAD,
 * err holds libpcap's message for the next record.
 */
enum pcap_records_status pcap_records_convert(const struct pcap_format *f, uint8_t *buf,
					      size_t *len, size_t *done, size_t max,
					      uint64_t *frames, char *err, size_t errlen);

/* The message for data that ends inside a record of `left` bytes (at EOF). */
void pcap_records_truncated(const struct pcap_format *f, const uint8_t *rec, size_t left,
			    char *err, size_t errlen);

#endif
