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

/* ---- inside the parse: typed access to jansson values (json_get.c) ---- */
#include <jansson.h>

struct jc {
	char *err;
	size_t errlen;
	const char *where; /* the object a key is looked up in, for messages */
};

/* The message (prefixed with where) into c->err; returns false. */
bool jc_bad(struct jc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The member key of o if it has type (JSON_TRUE: a boolean, JSON_REAL: a
 * number); NULL with a message when it is missing and needed or mistyped. */
json_t *jc_member(struct jc *c, json_t *o, const char *key, bool need, json_type type, const char *tname);
/* Each: true when the value was read, or absent and not needed (out kept). */
bool jc_get_u64(struct jc *c, json_t *o, const char *key, uint64_t *out, bool need);
bool jc_get_u32(struct jc *c, json_t *o, const char *key, uint32_t *out, bool need);
bool jc_get_bool(struct jc *c, json_t *o, const char *key, bool *out, bool need);
/* A string into dst (cap with its NUL), marked bytes made bytes again
 * (from_json.c); *present (may be NULL) says whether it was there. */
bool jc_get_text(struct jc *c, json_t *o, const char *key, char *dst, size_t cap, bool need, bool *present);
bool jc_get_time(struct jc *c, json_t *o, const char *key, uint64_t *out, bool need);
/* A name from a fixed list: its index in 0..count-1. */
bool jc_get_name(struct jc *c, json_t *o, const char *key, const char *(*name_of)(int), int count, int *out,
	      bool need);
const char *jc_state_of(int i);
const char *jc_status_of(int i);
const char *jc_end_of(int i);
const char *jc_sev_of(int i);
const char *jc_rule_of(int i);

/* The stats record (from_json_stats.c). */
bool parse_stats(struct jc *c, json_t *o, struct jline *l);

#endif
