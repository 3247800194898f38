/*
 * readahead.h - private to src/capture: a capture file read on a thread of
 * its own, so the read() system calls and the record parsing run on the
 * second core while the pipeline works on the frames before them.
 *
 * Frames are copied into a few fixed batches (READAHEAD_BATCHES of
 * READAHEAD_BATCH_BYTES: memory does not follow the file's size) and handed
 * over in order; the end of the file or its first bad record travels as
 * the last batch, so an error is reported after every frame before it, with
 * its frame number, exactly as without the thread. Only regular files use
 * it: a pipe could block the thread in read() where it cannot be stopped.
 */
#ifndef POP3MON_READAHEAD_H
#define POP3MON_READAHEAD_H

#include <pcap/pcap.h>

#include "capture.h"
#include "pcap_records.h"

/* 3: the frames the analysis thread reads were written by the reader a
 * batch or two before, closer in cache than with 4, and each batch (with
 * its preps) is about 1.6 MiB of resident memory. 15 interleaved runs:
 * small 0.252 -> 0.238 s, bulk 0.157 -> 0.138, busy 0.074 -> 0.067; 2
 * was slower on the busy shape, where the reader is the busier thread
 * (0.082 s). */
#define READAHEAD_BATCHES 3
#define READAHEAD_BATCH_BYTES (1u << 19) /* > libpcap's largest record (256 KiB) */
/* With a prep function, its results for a batch's frames follow the
 * records in the batch's buffer, room for this many. */
#define READAHEAD_PREP_FRAMES 4096

struct readahead;

/* Start reading `p` (borrowed until readahead_stop); `name` for messages.
 * With `direct`, a classic pcap file whose header libpcap has read, the
 * records are read from `fd` past that header instead, without libpcap.
 * With `filter` (borrowed; not with `direct`), only the frames it passes
 * are handed out, each still numbered as the file's record (as tshark
 * numbers the unfiltered file).
 * o->prep, if set, runs on the thread for each frame (see capture.h).
 * NULL if the thread cannot be started (the caller reads directly). */
struct readahead *readahead_start(pcap_t *p, int fd, const struct pcap_format *direct,
				  const struct bpf_program *filter, const struct source_opts *o,
				  const char *name);

/* The next frame (data valid until the next call; out->number is its
 * record number in the file), SOURCE_EOF, or
 * SOURCE_ERROR with errbuf naming the file and frame. */
enum source_status readahead_next(struct readahead *r, struct frame *out,
				  char errbuf[CAPTURE_ERRBUF_SIZE]);

/* source_preps_ahead: the preps after the frame readahead_next gave last,
 * those of its batch. */
size_t readahead_preps_ahead(const struct readahead *r, const uint8_t **first, size_t *stride);

/* Stop the thread (it may be mid-file), wait for it, free everything. */
void readahead_stop(struct readahead *r);

#endif
