/*
 * flagged.h - the pcap of flagged sessions (-w FILE, and the dashboard's
 * 'w' key). Every packet of every watched flow is appended to a spool file
 * on disk as it is read, each record linked to the previous record of the
 * same flow; memory holds only one offset per open flow. When a flagged
 * session closes (or at the end), its records are walked back and written
 * to the output pcap in capture order; an unflagged session's are
 * forgotten. The spool is bounded (spool_max bytes): when full, it starts
 * over, and sessions whose early packets were dropped are written from the
 * first packet still held (counted in spool_truncated_sessions).
 */
#ifndef POP3MON_FLAGGED_H
#define POP3MON_FLAGGED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "event.h"
#include "sinks.h"

#define FLAGGED_SPOOL_MAX_DEFAULT (2ull << 30) /* 2 GiB of disk */

struct flagged_stats {
	uint64_t packets_spooled, spool_bytes, spool_wraps;
	uint64_t sessions_written, packets_written, spool_truncated_sessions;
	uint64_t linktype_mismatch; /* packets of a second input with another link type */
};

struct flagged_writer;

/* out_path may be NULL: spool only (for the dashboard's 'w'). */
struct flagged_writer *flagged_writer_new(const char *out_path, int linktype, int snaplen,
					  uint64_t spool_max, char *errbuf, size_t errlen);
/* Call after flow_table_packet() with the flow id it returned (0: skip). */
void flagged_writer_packet(struct flagged_writer *w, uint64_t flow_id, const struct frame *fr);
struct sink flagged_writer_sink(struct flagged_writer *w); /* the bus does not free it */
/* -w with a selection (--only-flagged, --rule, --server, --user): write
 * the sessions it picks, judged when each closes, instead of the flagged
 * ones. f is copied; its strings are borrowed. */
void flagged_writer_select(struct flagged_writer *w, const struct sink_filter *f);
/* Write the given sessions (open or closed, if still spooled) to path,
 * created 0600. Messages name the path once. */
int flagged_writer_save(struct flagged_writer *w, const uint64_t *ids, size_t n,
			const char *path, char *errbuf, size_t errlen);
/* The same into an open file (closed on return); path only names it. */
int flagged_writer_save_fp(struct flagged_writer *w, const uint64_t *ids, size_t n, FILE *fp,
			   const char *path, char *errbuf, size_t errlen);
const struct flagged_stats *flagged_writer_stats(const struct flagged_writer *w);
/* Flush and close the output (a complete pcap). 0 or -1 with errbuf. */
int flagged_writer_close(struct flagged_writer *w, char *errbuf, size_t errlen);
void flagged_writer_free(struct flagged_writer *w);

#endif
