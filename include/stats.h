/*
 * stats.h - the keys of the JSON `stats` record as a table, made from
 * include/stats.def (the one list of the statistics): for each key, its
 * object, what it is, when it is written, where it lives in struct
 * ev_stats and its line in the report. The JSON writer, the --from
 * reader, the merge of several inputs' final statistics and the report
 * walk the table instead of naming counters one by one; the table lives
 * in the event stage (src/events/stats_keys.c), below the sinks.
 */
#ifndef POP3MON_STATS_H
#define POP3MON_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* What a key holds. */
enum stats_kind {
	STATS_U64,      /* a counter: uint64_t at off */
	STATS_BOOL,     /* bool at off */
	/* An object with a key per element of another list (STAT_LIST): */
	STATS_DECODER,  /* struct decode_stats: a counter per decode_reasons.def name */
	STATS_PORTS,    /* other_ports[]: port number -> flows, busiest first, 0-terminated */
	STATS_RULES,    /* rule_counts[]: a rule id per rule that fired */
};

/* When a key is written (see stats.def). */
enum stats_when {
	STATS_ALWAYS,
	STATS_LIVE,     /* src.have_kernel_stats: the key */
	STATS_PUBLISH,  /* publish.enabled: the whole object */
	STATS_OTHER,    /* other_flows > 0: the whole object */
	STATS_LEDGER,   /* ledger.enabled: the whole object */
};

/* stats.def's report column: (rank, label, why). */
#define NOREPORT (0, NULL, NULL)
#define REPORT(rank, label, why) (rank, label, why)
#define REPORT_ADD(rank) (rank, NULL, NULL)

struct stats_key {
	const char *obj;     /* object inside "stats"; "" for "stats" itself */
	const char *key;     /* "" for a STAT_LIST (its keys are its list's) */
	enum stats_kind kind;
	enum stats_when when;
	size_t off;          /* in struct ev_stats */
	/* The report's "Capture anomalies": 0 for none; entries of one rank
	 * make one line, named by the one with a label. */
	int rank;
	const char *label, *why;
	const char *desc;
};

extern const struct stats_key stats_keys[];
extern const size_t stats_keys_n;

/* Is the key written for these statistics? */
bool stats_when(const struct ev_stats *st, enum stats_when w);

static inline uint64_t *stats_u64(struct ev_stats *st, const struct stats_key *k)
{
	return (uint64_t *)(void *)((char *)st + k->off);
}
static inline uint64_t stats_u64_of(const struct ev_stats *st, const struct stats_key *k)
{
	return *(const uint64_t *)(const void *)((const char *)st + k->off);
}
static inline bool *stats_bool(struct ev_stats *st, const struct stats_key *k)
{
	return (bool *)(void *)((char *)st + k->off);
}
static inline bool stats_bool_of(const struct ev_stats *st, const struct stats_key *k)
{
	return *(const bool *)(const void *)((const char *)st + k->off);
}

/* Add b's counters into a's (the final statistics of several inputs as
 * one): every counter and list, summed; the busiest ports of both merged.
 * Neither the times, the sources nor the publisher's figures (a replay
 * does not publish theirs). */
void stats_add(struct ev_stats *a, const struct ev_stats *b);

#endif
