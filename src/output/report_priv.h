/*
 * report_priv.h - what the parts of the text report share, private to
 * src/output/report*.c: the caps, the per-session record (struct rsess),
 * the report's state (struct report), and the functions one part calls in
 * another. The report's public face is report_sink_new in sinks.h.
 *
 *   report.c             the sink: events in, the session store, finish
 *   report_transcript.c  the transcript lines kept per session and printed
 *   report_sessions.c    time and endpoint formatting, one session's block
 *   report_summary.c     the summary: counts, rules, names, anomalies
 */
#ifndef POP3MON_REPORT_PRIV_H
#define POP3MON_REPORT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "idmap.h"
#include "sinks.h"
#include "timefmt.h"
#include "util.h"

#define REPORT_TXN_LINES_MAX 500                        /* transcript lines per session */
#define REPORT_TRANSCRIPT_TOTAL_MAX (8u * 1024u * 1024u)  /* bytes of transcript held: the process stays under 64 MiB */
#define REPORT_FINDINGS_MAX 32                          /* findings kept per session */
#define REPORT_FLAGGED_FULL_MAX 1000                    /* flagged sessions shown in full */
#define REPORT_CLEAN_MAX 1000                           /* clean sessions listed */
#define REPORT_CLEAN_FULL_MAX 200                       /* -v: clean transcripts shown */
#define REPORT_NAMES_MAX 1000                           /* distinct servers/accounts counted */
#define REPORT_NAMES_SHOWN 20                           /* ... of which listed */
#define SAN(n) (4 * (n) + 1)                            /* sanitize_text worst case */

struct rsess {
	uint64_t id;
	const char *source;     /* the report's (shared_source) */
	const char *sensor;     /* read from a stream: the sensor's name (shared_source); NULL: none */
	uint8_t ipver;
	char cli[ADDR_STR_MAX], srv[ADDR_STR_MAX];
	uint16_t cport, sport;
	char community_id[64];
	char *user;             /* owned, never NULL: sized to the text (a SYN flood */
	char *banner;           /* must not cost a kilobyte per session) */
	char *tunnel;           /* "vxlan 192.0.2.1 -> 192.0.2.2 id 100"; NULL: none */
	enum pop3_state state;
	bool tls, midstream, flagged, closed;
	bool by_content;        /* found by its content on a port not watched */
	bool brief;             /* listed on one line: details dropped at a cap */
	uint64_t start_ts, last_ts, first_frame, last_frame, txns;
	uint64_t pkts[2], bytes[2];
	unsigned nfind[3];
	uint64_t rules_hit;
	enum flow_end end;

	/* The transcript: its lines' fields (txrec_put), formatted when
	 * printed. tx_len and tx_cap are what the lines would take as text,
	 * and are what the caps count. */
	uint8_t *rec;
	size_t rec_len, rec_cap;
	size_t tx_len, tx_cap;
	uint32_t tx_lines;
	uint64_t tx_more;       /* transactions not kept (caps) */
	struct finding *f;
	unsigned nf;
	uint64_t f_more;
};

struct name_count {
	char *name;
	uint64_t n;
};

struct names {
	struct name_count *v;
	size_t n;
	uint64_t other; /* sessions whose name did not fit */
};

struct report {
	FILE *out;
	struct report_opts o;
	struct idmap open;          /* id -> struct rsess */
	struct rsess **flagged;
	size_t nflagged, capflagged;
	struct rsess **clean;
	size_t nclean, capclean;
	uint64_t flagged_more;      /* flagged sessions not listed at all */
	uint64_t clean_more;        /* clean sessions not listed */
	uint64_t filtered_out;
	uint64_t sessions, sessions_flagged;
	uint64_t not_pop3, by_content; /* of sessions: ended not_pop3; found by content */
	uint64_t findings[3];
	uint64_t rule_sessions[R__COUNT];
	int rule_worst[R__COUNT];   /* worst severity a finding of the rule had, -1 none */
	struct names servers, accounts;
	size_t tx_total;            /* transcript bytes held (as text) */
	char **srcnames;            /* the sessions' source names, one copy each */
	size_t nsrcnames;
	uint32_t flag_known;        /* the POP3_TF_* bits that have a name */
	uint8_t flag_len[32];       /* ... and the length of each name */
	uint8_t status_len[POP3_ST_BAD + 1]; /* of each pop3_status_str */
	uint64_t first_ts, last_ts;
	bool have_stats;
	struct ev_stats stats;      /* the last (final) stats event; .source not kept */
};

/* report_sessions.c */
void report_fmt_time(const struct report *r, char *b, size_t n, uint64_t ts, bool clock);
void report_endpoint(char *b, size_t n, uint8_t ipver, const char *addr, uint16_t port);
void report_print_detailed(struct report *r, FILE *o, const struct rsess *s);
void report_print_clean_line(FILE *o, const struct rsess *s);

/* report_transcript.c */
void report_txn_keep(struct report *r, struct rsess *s, const struct pop3_txn *t);
void report_print_transcript(const struct report *r, FILE *o, const struct rsess *s);

/* report_summary.c */
void report_print_summary(struct report *r, FILE *o);

#endif
