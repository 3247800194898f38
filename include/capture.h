/*
 * capture.h - the packet source: the only module that touches libpcap.
 *
 * A source is a capture file (pcap or pcapng, "-" for stdin) or a live
 * interface. It hands out frames one at a time; the frame's bytes are
 * borrowed from libpcap until the next source_next() call, so nothing
 * downstream may keep a pointer into them. Open-time errors fill an error
 * buffer as libpcap does; the message names the file or interface.
 */
#ifndef POP3MON_CAPTURE_H
#define POP3MON_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define CAPTURE_ERRBUF_SIZE 512
#define CAPTURE_SNAPLEN_DEFAULT 262144 /* tcpdump's default */
/* The kernel ring of a live capture. libpcap's (and so tcpdump's) default
 * is 2 MiB, about 7 ms of a 300 MB/s burst: on a 2-core box where the
 * sender and a second capture share the cores, a few scheduler slices
 * were enough to drop frames in the benchmark's full-speed replay. 16 MiB
 * rides out ~11,000 full-size frames of stall. */
#define CAPTURE_BUFFER_KIB_DEFAULT (16 * 1024)

struct frame {
	uint64_t number;      /* 1-based, per source, as Wireshark numbers them */
	uint64_t ts_us;       /* microseconds since the epoch */
	uint32_t caplen;      /* bytes captured */
	uint32_t wirelen;     /* bytes on the wire */
	int linktype;         /* DLT_* of the source */
	const uint8_t *data;  /* borrowed until the next source_next() */
	const void *prep;     /* what source_opts.prep made of it, or NULL */
};

/* Work for each frame of a capture file that can run on the file's reader
 * thread, ahead of the caller: it fills `size` bytes at `out`, handed out
 * with the frame as frame.prep (valid as long as frame.data). Sources
 * without a reader thread (live, stdin) give prep NULL: the caller does
 * the work itself. It must not touch what the caller's thread changes. */
typedef void (*frame_prep_fn)(void *ctx, const struct frame *f, void *out);

/* The counters (received, kernel_drops, iface_drops): include/stats.def. */
struct source_stats {
#define STAT_SRC(o, field, ...) uint64_t field;
#include "stats.def"
	bool have_kernel_stats;  /* the drops are known (live only) */
};

struct source_opts {
	int snaplen;          /* 0: default */
	int buffer_kib;       /* -B, 0: CAPTURE_BUFFER_KIB_DEFAULT */
	bool promisc;         /* live only */
	const char *bpf;      /* borrowed; NULL: none */
	frame_prep_fn prep;   /* files: see frame_prep_fn; NULL: none */
	void *prep_ctx;
	size_t prep_size;
	/* Live: used instead of bpf when the link carries no 802.1Q tags
	 * (Linux cooked capture of -i any, raw IP), where libpcap refuses a
	 * filter that names `vlan`. NULL: bpf everywhere. */
	const char *bpf_untagged;
};

enum source_status {
	SOURCE_FRAME = 1,     /* *out holds a frame */
	SOURCE_EOF = 0,       /* end of file */
	SOURCE_TIMEOUT = -1,  /* live: nothing now; wait on source_wait_fd() */
	SOURCE_ERROR = -2,    /* errbuf says what; for files names the frame */
};

struct source;

/* Returns NULL with errbuf filled ("FILE: reason") on failure. */
struct source *source_open_file(const char *path, const struct source_opts *o,
				char errbuf[CAPTURE_ERRBUF_SIZE]);
struct source *source_open_live(const char *iface, const struct source_opts *o,
				char errbuf[CAPTURE_ERRBUF_SIZE]);
void source_free(struct source *s);

enum source_status source_next(struct source *s, struct frame *out,
			       char errbuf[CAPTURE_ERRBUF_SIZE]);
bool source_is_live(const struct source *s);
/* A file read as it is written (standard input, a FIFO: `tcpdump -w - |
 * pop3mon -r -`): its frames come at the writer's pace, so the clock is
 * worth reading at each (also a regular file read without the read-ahead
 * thread, where the reading costs more than the clock). */
bool source_is_pipe(const struct source *s);
/* The preps (source_opts.prep) of the frames after the one source_next()
 * gave last, as far as they are at hand (0 when none is, or the source
 * has no reader thread): the one k (>= 1) frames on is at
 * first + (k - 1) * stride, for k up to the count returned. They stay
 * valid as long as those frames' data; the caller may only read them, to
 * prefetch what the frames will touch. */
size_t source_preps_ahead(const struct source *s, const uint8_t **first, size_t *stride);

/* Live: a descriptor that polls readable when source_next() has frames
 * (pcap_get_selectable_fd); -1 for files, which never wait. */
int source_wait_fd(const struct source *s);
const char *source_name(const struct source *s);
int source_linktype(const struct source *s);
void source_get_stats(struct source *s, struct source_stats *st);
/* Ask a blocking source_next() to return soon (signal handlers may call it). */
void source_breakloop(struct source *s);

/* Privilege drop after the device is open (tcpdump -Z). */
int privdrop_to_user(const char *user, char errbuf[CAPTURE_ERRBUF_SIZE]) WARN_UNUSED;

#endif
