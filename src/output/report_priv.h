/*
 * report_priv.h - what the parts of the text report share, private to
 * src/output/report*.c: the caps, the sessions listed (struct rlisted),
 * the report's state (struct report), and the functions one part calls in
 * another. The report's public face is report_sink_new in sinks.h.
 *
 * The sessions themselves (snapshots, transcripts, findings) are the
 * session ledger's (ledger.h): the report renders from it and keeps only
 * what the ledger has no business holding: the line of a session listed
 * briefly, the run's counts and the names of flagged servers and accounts.
 *
 *   report.c             the sink: events in, what is listed, finish
 *   report_transcript.c  a session's transcript lines, as printed
 *   report_sessions.c    time and endpoint formatting, one session's block
 *   report_summary.c     the summary: counts, rules, names, anomalies
 */
#ifndef POP3MON_REPORT_PRIV_H
#define POP3MON_REPORT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ledger.h"
#include "sinks.h"
#include "timefmt.h"
#include "util.h"

#define REPORT_TXN_LINES_MAX 500                        /* transcript lines per session */
/* The ledger's budget when the report reads it: what it holds of open
 * sessions (entries, findings, first lines) and of those shown in full.
 * On the small bench shape (6,000 sessions at once) 16 MiB cuts no
 * transcript and drops no finding, at a 58 MiB peak for the process; the
 * dashboard's 12 MiB cut 177 transcripts (the report's own store: 140)
 * and dropped notices in 76 sessions. The bulk shape peaks at 5 MiB. */
#define REPORT_LEDGER_BYTES ((size_t)16 << 20)
#define REPORT_FINDINGS_MAX 32                          /* findings kept per session */
#define REPORT_FLAGGED_FULL_MAX 1000                    /* flagged sessions shown in full */
#define REPORT_CLEAN_MAX 1000                           /* clean sessions listed */
#define REPORT_CLEAN_FULL_MAX 200                       /* -v: clean transcripts shown */
/* Sessions the ledger holds: 8,000 open at once (the dashboard's cap, so a
 * SYN flood stays under 64 MiB: an open session's entry is about 0.9 KiB)
 * and those kept to be shown in full. Past it the oldest open session's
 * entry goes; the session is still counted whole at its close (from the
 * close event) and listed, without findings or transcript. */
#define REPORT_SESSIONS_MAX (LEDGER_SESSIONS_MAX + REPORT_FLAGGED_FULL_MAX + REPORT_CLEAN_FULL_MAX)
#define REPORT_NAMES_MAX 1000                           /* distinct servers/accounts counted */
#define REPORT_NAMES_SHOWN 20                           /* ... of which listed */
#define SAN(n) (4 * (n) + 1)                            /* sanitize_text worst case */

/* A session listed: shown in full from the ledger's entry (kept whole by
 * the ledger, or open at the end of input), or as its one line, rendered
 * when it was done (the ledger may drop the entry after that). */
struct rlisted {
	uint64_t id;
	const struct ledger_entry *le; /* borrowed from the ledger until the report is freed; NULL: line */
	char *line;                    /* owned, with its newline */
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
	struct ledger *lg;          /* o.ledger (borrowed), or the report's own */
	bool own_lg;                /* no ledger given: the report applies each event to its own */
	bool finishing;             /* report_finish: the open sessions are being done */
	uint64_t dropped_open;      /* sessions whose entry the ledger dropped while open */
	struct rlisted *flagged;
	size_t nflagged, capflagged;
	struct rlisted *clean;
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
	uint32_t flag_known;        /* the POP3_TF_* bits that have a name */
	uint64_t first_ts, last_ts;
	bool have_stats;
	struct ev_stats stats;      /* the last (final) stats event; .source not kept */
};

/* report_sessions.c */
void report_fmt_time(const struct report *r, char *b, size_t n, uint64_t ts, bool clock);
void report_endpoint(char *b, size_t n, uint8_t ipver, const char *addr, uint16_t port);
void report_print_detailed(struct report *r, FILE *o, const struct ledger_entry *le);
char *report_clean_line(const struct ev_session *s, bool closed); /* owned by the caller */

/* report_transcript.c */
void report_print_transcript(const struct report *r, FILE *o, const struct ledger_entry *le);

/* report_summary.c */
void report_print_summary(struct report *r, FILE *o);

/*
 * A line built by appends (snprintf was most of the report's cost: the
 * transcript's lines, the one-line summary of each session that closes):
 * the text is cut at the end of the buffer, as snprintf would cut it.
 */
struct line {
	char *b;
	size_t len, cap; /* cap includes the NUL */
};

static inline void line_put(struct line *l, const char *s, size_t n)
{
	if (n > l->cap - 1 - l->len)
		n = l->cap - 1 - l->len;
	memcpy(l->b + l->len, s, n);
	l->len += n;
	l->b[l->len] = '\0';
}

static inline void line_str(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

static inline void line_u64(struct line *l, uint64_t v)
{
	char b[24], *p = b + sizeof b;
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	line_put(l, p, (size_t)(b + sizeof b - p));
}

/* Wire text, through sanitize_text straight into the line. */
static inline void line_san(struct line *l, const char *s)
{
	char *at = l->b + l->len;
	sanitize_text(at, l->cap - l->len, s);
	l->len += strlen(at);
}

#endif
