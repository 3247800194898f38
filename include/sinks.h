/*
 * sinks.h - constructors of the sinks that render events.
 * Each returns a struct sink for event_bus_add(); errors at open time
 * fill errbuf ("FILE: reason") and return a sink with ops == NULL.
 */
#ifndef POP3MON_SINKS_H
#define POP3MON_SINKS_H

#include <stdio.h>

#include "event.h"

/* What the report and the JSON show (--only-flagged, --rule, --server, --user). */
struct sink_filter {
	bool only_flagged;
	int rule;              /* enum rule_id, or -1 */
	const char *server;    /* address text, or NULL */
	const char *user;      /* or NULL */
};

struct ledger;
struct ledger_opts;
struct report_opts {
	struct sink_filter filter;
	bool verbose;          /* -v: transcripts of clean sessions too */
	bool localtime;        /* --localtime instead of UTC */
	const char *const *sources; /* capture names read, for the summary */
	size_t nsources;
	/* Borrowed, may be NULL: the session ledger the report renders from,
	 * made with report_ledger_opts and applied by the bus that runs the
	 * report (event_bus.ledger, ledger_silent). NULL: the report makes its
	 * own and applies each event to it itself. */
	struct ledger *ledger;
};

/* The text report, written at finish (it is a summary of the whole run). */
struct sink report_sink_new(FILE *out, const struct report_opts *o);
/* What the report needs its ledger to keep (ledger.h): the sessions it
 * shows in full, kept whole to the end; the first lines of every open
 * one; nothing of the others past their close. The filter is read
 * through o (select_ctx): o must outlive the ledger. */
void report_ledger_opts(const struct report_opts *o, struct ledger_opts *lo);

struct json_opts {
	struct sink_filter filter;
	bool stats_events;     /* emit periodic "stats" events */
	/* Live: each session's lines reach the reader when it closes. Reading a
	 * file, output is only flushed at stats events and the end (a flush per
	 * session was a write() per session). */
	bool flush_sessions;
	/* --sensor: written as "host", each record's last key (EVE's place). */
	const char *host;
	/* With path NULL: each line (without its newline) goes here instead
	 * of to a file (--publish). With a path: each session line written
	 * (not the stats lines) goes here too, so --json and --publish share
	 * one serialisation (only without a filter: every line is written). */
	void (*line_fn)(void *ctx, const char *line, size_t n);
	void *line_ctx;
	/* Borrowed, may be NULL: the session ledger of the bus that runs the
	 * writer (event_bus.ledger, applied before it), in whose entries it
	 * keeps its per-session data (a reader slot, ledger.h). NULL, or no
	 * slot left: the writer makes its own (json_ledger_opts) and applies
	 * each event to it itself. It must outlive the writer. */
	struct ledger *ledger;
};
/* JSON lines; path "-" is stdout, NULL the line_fn. */
struct sink json_sink_new(const char *path, const struct json_opts *o, char *errbuf, size_t errlen);
/* A ledger for a bus whose only readers are JSON writers: ids and their
 * slots, nothing else (ledger_opts.slots_only), no cap or budget (what
 * it holds is bounded by the open sessions and JSON_PEND_*). */
void json_ledger_opts(struct ledger_opts *lo);

/* --streams: one line per flow as it closes (endpoints, bytes, gaps, end). */
struct sink streams_sink_new(FILE *out);

/* Does a session pass the filter? (The dashboard has its own, interactive.) */
bool sink_filter_pass(const struct sink_filter *f, const struct ev_session *s);
/* The same asked of a session not over yet, at each event: it passes now,
 * it never will (its server does not match), or it may still (it may be
 * flagged, a rule may fire, the user may be seen). */
enum sink_verdict { SINK_UNDECIDED, SINK_PASS, SINK_NEVER };
enum sink_verdict sink_filter_decide(const struct sink_filter *f, const struct ev_session *s);
/* --server's value: "192.0.2.1", "192.0.2.1:110", "2001:db8::1",
 * "[2001:db8::1]:995". False when it is not an address (or a bad port). */
struct sink_server {
	uint8_t ipver;     /* 4 or 6 */
	uint8_t addr[16];  /* network order; IPv4 in the first 4 */
	uint16_t port;     /* 0: any */
};
bool sink_filter_parse_server(const char *text, struct sink_server *out);

#endif
