/*
 * events_in.h - inside the JSON reader: one parsed line (from_json.c),
 * before the reader (event_reader.c) checks it against the sessions it
 * knows and hands its event on.
 */
#ifndef POP3MON_EVENTS_IN_H
#define POP3MON_EVENTS_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define JL_SOURCE_MAX 1024 /* a source name (capture file, interface) */

enum jl_kind { JL_OPEN, JL_TXN, JL_FINDING, JL_CLOSE, JL_STATS };

struct jline {
	enum jl_kind kind;
	uint64_t ts_us;
	uint64_t flow_id;          /* all but JL_STATS */
	bool has_source;
	char source[JL_SOURCE_MAX];
	bool has_user;             /* JL_FINDING: the session's user then */
	struct ev_session sess;    /* the flow fields; JL_OPEN/JL_CLOSE: the rest */
	struct pop3_txn txn;       /* JL_TXN; entries and uids point below */
	struct finding finding;    /* JL_FINDING */
	struct ev_stats stats;     /* JL_STATS; .source is source, when has_source */
	struct pop3_entry *entries; /* owned, grown as needed */
	uint32_t entries_cap;
	char *uids;                /* owned */
	size_t uids_cap;
	char *work;                /* the line with the escapes of bytes marked */
	size_t work_cap;
};

void jl_init(struct jline *l);
void jl_fini(struct jline *l);

/* Parse one line into *l. Returns 0, or -1 with a one-line problem in err. */
int jl_parse(struct jline *l, const char *line, size_t len, char *err, size_t errlen);

#endif
