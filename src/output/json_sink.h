/*
 * json_sink.h - inside the JSON lines sink (json.c: the sink, its output
 * and the lines held for undecided sessions; json_fields.c: the flow
 * fields every record starts with, cached per session; json_records.c:
 * each record's own object). Not an interface for anyone else.
 *
 * What the writer keeps per session (struct jsess) lives in the session's
 * entry of a session ledger (ledger.h), in the writer's reader slot: the
 * ledger of the bus it runs on (json_opts.ledger), or one of its own,
 * slots only, when it runs with none. It keeps no map of sessions.
 */
#ifndef POP3MON_JSON_SINK_H
#define POP3MON_JSON_SINK_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "json_write.h"
#include "sinks.h"
#include "timefmt.h"
#include "util.h"


#define JSON_PEND_SESSION_MAX (256u * 1024u)      /* held per undecided session */
#define JSON_PEND_TOTAL_MAX (64u * 1024u * 1024u)  /* held across sessions */
#define JSON_LISTING_MAX 1000                      /* listing entries written per txn */
#define JSON_OUT_CHUNK (192u * 1024u)              /* a write() per 192 KiB, not per 4 KiB */

/*
 * A session's own, in its ledger entry's slot, from the first line held
 * or record written to its close (after its open record it goes unless
 * lines are held: a session that only opens and closes, a SYN flood's,
 * holds nothing between the two).
 *
 * Held lines: while the filter cannot decide (holding), the session's
 * lines wait here, whole, each ending in '\n'; the slot pins the entry,
 * so the ledger never drops it before the writer decides.
 *
 * The flow fields of a session's records (flow_id, source, addresses,
 * ports, vlan, community id, schema version: everything from the comma
 * after the timestamp on, the event type aside) are the same bytes in
 * every record of the session, and were most of the cost of writing one.
 * They are escaped once per session and copied whole after that. buf is
 * those bytes as json_common() writes them with an empty event type, which
 * goes in at `type_at`.
 *
 * Before each use the session's fields are compared with the texts in
 * buf they were written from (a text is cached only when it came out of
 * the escaper unchanged, so buf holds it as it was): a field that changed
 * rebuilds the prefix, so it can never go stale, whatever the key. An
 * entry lives from the session's first written record to its close.
 */
struct jsess {
	char *held;        /* the lines held */
	size_t held_len, held_cap;
	uint64_t dropped;  /* lines not held: over a cap */
	bool holding;      /* undecided: its lines are held (even when all were dropped) */
	bool pre_ok;       /* buf holds the prefix of these fields: */
	bool has_source;
	struct ev_tunnel tun;
	uint16_t vlan, cport, sport;
	uint32_t buf_cap;  /* buf's size */
	uint32_t len, type_at;
	uint32_t src_at, src_len, cli_at, cli_len, srv_at, srv_len, cid_at, cid_len;
	char buf[];
};

/* Where json_common() wrote the pieces a prefix is made of and checked against. */
struct marks {
	size_t ts_end;  /* past the timestamp's value: where the prefix begins */
	size_t type_at; /* where the event type's text goes */
	size_t src_at, cli_at, srv_at, cid_at; /* each text's first byte */
	size_t src_end, cli_end, srv_end, cid_end;
};

/* The last time written, as text: a transaction's record and its reply
 * mostly carry the same one, and the records that follow are mostly of the
 * same second, where only the microseconds change. */
struct tcache {
	uint64_t us;
	size_t len; /* 0: empty */
	size_t dot; /* the '.' before the microseconds; 0: none */
	char text[OUT_TIME_MAX];
};

struct json_sink {
	FILE *out;
	bool own;          /* fclose at free (not stdout) */
	bool gather;       /* own file: lines gathered in w, written a chunk at a time */
	char *name;        /* for error messages */
	struct json_opts o;
	bool filtered;     /* o.filter has a criterion: sessions may wait or never pass */
	struct jw w;       /* the line being written (own file: after the ones not yet written) */
	size_t line_at;    /* where in w it starts */
	int err;           /* errno of the first write error, 0 if none */
	bool failed;
	/* Each session's struct jsess: the slot `rd` of its entry in lg. */
	struct ledger *lg; /* json_opts.ledger (applied by the bus), or own_lg */
	bool own_lg;       /* made here (slots only) and applied here */
	int rd;            /* the reader slot; -1 after finish */
	const struct ledger_entry *le; /* the event's session's entry, NULL: none */
	struct jw pw;      /* where prefixes are built */
	struct tcache tc;
	size_t pend_bytes;
	uint64_t lines_dropped;
	uint64_t lines_written;
	char *host;        /* --sensor: "host", each record's last key; NULL: none */
	const char *line_sensor; /* the event's own sensor (read from a stream): wins */
};


/* json_fields.c */
void json_tcache_fill(struct tcache *c, uint64_t ts_us);
void json_time_field(struct jw *w, const char *key, uint64_t ts_us);
void json_common(struct json_sink *j, const char *type, size_t tlen, uint64_t ts_us, const struct ev_session *s);
/* The start of a record; the type, a literal, needs no escaping. */
#define COMMON(j, type, ts_us, s) json_common(j, type, sizeof(type) - 1, ts_us, s)
/* The event's session's own (slot), NULL when none. */
static inline struct jsess *json_sess(const struct json_sink *j)
{
	return j->le ? (struct jsess *)j->le->slot[j->rd] : NULL;
}

/* A time's text at o, which has room for OUT_TIME_MAX: returns its end.
 * The text of a second is its head, '.', six digits and its tail. */
static inline char *put_time(struct tcache *c, char *o, uint64_t ts_us)
{
	if (ts_us != c->us || !c->len) {
		if (c->len && c->dot && ts_us / 1000000 == c->us / 1000000) {
			out_six_digits(c->text + c->dot + 1, (unsigned)(ts_us % 1000000));
			c->us = ts_us;
		} else
			json_tcache_fill(c, ts_us);
	}
	memcpy(o, c->text, sizeof c->text);
	return o + c->len;
}

/* json_records.c: each appends one record (no newline) to j->w */
void json_write_txn(struct json_sink *j, const struct event *e);
void json_write_finding(struct json_sink *j, const struct event *e);
void json_write_session(struct json_sink *j, const struct event *e, uint64_t dropped);
void json_write_open(struct json_sink *j, const struct event *e);
void json_write_stats(struct json_sink *j, const struct event *e);

#endif
