/*
 * event.h - the event model every sink (dashboard, report, JSON, pcap
 * writer) renders from. Events carry plain values (no pointer into a
 * producer's live state) and borrowed pointers to those values, valid only
 * for the call; a sink copies what it keeps. What any sink renders is in
 * the event, so an event can leave the process as a JSON line and come
 * back (--from, src/events/from_json.c) and drive the same sinks. (Only
 * the sinks' thread, which copies each event at once, may get a session
 * as its producer's parts instead of its snapshot: see struct event.)
 * EVENT_SCHEMA_VERSION is written into the JSON; bump it on any change.
 */
#ifndef POP3MON_EVENT_H
#define POP3MON_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "checks.h"
#include "decode.h"
#include "flow.h"
#include "pop3.h"

#define EVENT_SCHEMA_VERSION 2
#define ADDR_STR_MAX 46

enum event_type {
	EV_SESSION_OPEN,   /* a POP3 connection was seen (SYN or mid-stream) */
	EV_SESSION_UPDATE, /* bytes moved but no transaction ended: at most once a second
			    * of capture time per session (a 2 GB RETR shows progress) */
	EV_TXN,            /* a command/reply pair completed */
	EV_FINDING,        /* a rule fired */
	EV_SESSION_CLOSE,  /* the connection ended (how: sess->end) */
	EV_STATS,          /* periodic and final capture statistics */
};

/* The encapsulation a session came through (EVE's `tunnel` object). */
struct ev_tunnel {
	uint8_t depth;               /* layers; 0: not tunnelled */
	bool has_id;
	uint32_t id;                 /* innermost VNI, key, session id, TEID, label */
	char type[48];               /* layers outermost first: "vxlan", "gre/erspan2" */
	char src[ADDR_STR_MAX], dst[ADDR_STR_MAX]; /* outer IP header, the client's
				      * side first; "" when none (MPLS, PPPoE) */
};

/* A session's POP3 facts as of the event, by value: the dissector's
 * counters and texts that sinks show (copied from struct pop3_conn_info
 * when the event goes out). The text last: an event copy cuts it to its
 * strings. */
struct ev_pop3 {
	enum pop3_state state;
	bool greeted;
	bool tls;                        /* encrypted (STLS, port 995, TLS seen) */
	bool stls_accepted;
	bool login_seen;
	bool quit_seen;
	uint64_t bytes[2];               /* per direction, incl. TLS (--streams only) */
	uint64_t gaps[2], gap_bytes[2];
	uint64_t resyncs, unanswered, unsolicited, garbage_lines, pending_dropped;
	uint64_t bare_lf[2], long_lines[2];
	char user[POP3_ARGS_MAX + 1];
	char banner[POP3_TEXT_MAX + 1];  /* greeting text */
};

/* What a sink knows about one session: a snapshot, borrowed for the call. */
#define SENSOR_NAME_MAX 64

/* A session's fields but its POP3 facts: what a producer keeps per session
 * (struct ev_session_head); the snapshot adds the facts as it goes out. */
#define EV_SESSION_HEAD_FIELDS \
	uint64_t id;                 /* flow id, unique in the run */ \
	const char *source;          /* capture file or interface */ \
	uint8_t ipver; \
	char cli[ADDR_STR_MAX], srv[ADDR_STR_MAX]; \
	uint16_t cport, sport, vlan; \
	char community_id[64];       /* "1:..." Community ID v1 */ \
	struct ev_tunnel tunnel; \
	uint64_t start_ts, last_ts;  /* microseconds */ \
	uint64_t first_frame, last_frame; \
	uint64_t pkts[2], bytes[2];  /* per direction, 0 = client->server */ \
	bool midstream; \
	bool by_content;             /* on a port not watched: POP3 found by its content */ \
	bool stat_seen;              /* first STAT of the session */ \
	uint64_t stat_count, stat_octets; \
	uint64_t txns; \
	char last_cmd[POP3_KEYWORD_MAX + 1]; \
	uint64_t worst_latency_us; \
	unsigned findings[3];        /* by severity */ \
	uint64_t rules_hit;          /* bit per enum rule_id */ \
	enum severity worst;         /* meaningful when any finding */ \
	bool flagged;                /* an error or warning finding */ \
	enum flow_end end;           /* FLOW_END_NONE while open */ \
	/* EV_SESSION_UPDATE only (n = 0 in the others): the command waiting \
	 * for its reply, for the dashboard; no other sink reads it. */ \
	struct pop3_wait wait;

struct ev_session_head {
	EV_SESSION_HEAD_FIELDS
};

struct ev_session {
	EV_SESSION_HEAD_FIELDS
	struct ev_pop3 pop3;         /* state, user, banner, tls, counters (last: text) */
	/* Read from a stream: the sensor that saw it ("host"). Not in the head:
	 * a capture's sessions have none, and 64 bytes a flow add up. */
	char sensor[SENSOR_NAME_MAX];
};
_Static_assert(offsetof(struct ev_session, pop3) == sizeof(struct ev_session_head),
	       "an ev_session is its head, then the POP3 facts");

/* --publish: what the publisher did (all zero when not publishing):
 * connected, events, sent, dropped, rejected, reconnects, buffered_bytes
 * (include/stats.def). */
struct publish_stats {
	bool enabled;             /* publishing: the JSON has a "publish" object */
#define STAT_PUB_FLAG(o, field, ...) bool field;
#define STAT_PUB(o, field, ...) uint64_t field;
#include "stats.def"
};

/* What the session ledger (ledger.h) dropped and holds, stamped into each
 * stats event by the bus that carries the ledger (all zero, enabled
 * false, when none does): include/stats.def's STAT_LEDGER entries. */
struct ledger_counts {
	bool enabled;             /* a ledger was attached: the JSON has a "ledger" object */
#define STAT_LEDGER(o, field, ...) uint64_t field;
#include "stats.def"
};

/* The statistics: the counters are include/stats.def's (each with its
 * JSON key and what it means), the table of them include/stats.h. */
struct ev_stats {
	uint64_t ts_us;              /* capture time */
	uint64_t first_ts_us;        /* capture time of the first frame (0: none yet) */
	uint64_t wall_us;            /* wall clock at the event */
	bool final;
	const char *source;
	char sensor[SENSOR_NAME_MAX]; /* read from a stream: the sensor's ("host") */
	/* Read from several origins (--from, event_reader.h): which one (1..n;
	 * 0 otherwise), and ended: that origin's last record, passed on with
	 * final false (the sum of every origin's last is the one final). */
	uint32_t origin;
	bool ended;
	struct source_stats src;
	struct decode_stats dec;
	struct flow_stats flows;
	struct reasm_stats reasm;
	/* TCP connections that were not POP3 sessions (ports not watched), by
	 * server port, the busiest first: what a capture with no POP3 held. */
	struct { uint16_t port; uint64_t flows; } other_ports[8];
	uint64_t findings[3];        /* by enum severity (stats.def: STAT_SEV) */
	uint64_t rule_counts[R__COUNT];
	struct publish_stats publish;
	struct ledger_counts ledger;
	/* frames, bytes (all frames read), sessions_total, sessions_active,
	 * sessions_flagged, sessions_not_pop3, other_flows, pop3_garbage_lines,
	 * pop3_long_lines, pop3_unsolicited, pop3_unanswered,
	 * pop3_pending_dropped, pop3_resyncs, pop3_bare_lf, accounts_evicted */
#define STAT_EV(o, field, ...) uint64_t field;
#include "stats.def"
};

struct event {
	enum event_type type;
	uint64_t ts_us;
	const struct ev_session *sess;   /* all but EV_STATS */
	const struct pop3_txn *txn;      /* EV_TXN */
	const struct finding *finding;   /* EV_FINDING */
	const struct ev_stats *stats;    /* EV_STATS */
	/* Instead of sess, on a bus whose every sink copies events whole
	 * (event_bus_takes_parts: the event thread): the session as its
	 * producer keeps it, its head and the dissector's facts, joined only
	 * in the copy (ev_session_join's values), so the snapshot is not
	 * built and then copied again. A sink that renders gets sess, never
	 * these (NULL). */
	const struct ev_session_head *sess_head;
	const struct pop3_conn_info *sess_info;
};

/* The POP3 facts of a session by value from the dissector's, the user and
 * the banner left out (ev_session_join copies those too). */
void ev_pop3_counters(struct ev_pop3 *p, const struct pop3_conn_info *ci);
/* A session's snapshot from its head and the dissector's facts (the
 * sensor left as it is). */
void ev_session_join(struct ev_session *out, const struct ev_session_head *head,
		     const struct pop3_conn_info *ci);
/* The length of a POP3 text as a snapshot keeps it (cut to its field). */
static inline size_t ev_text_len(uint32_t len, size_t field_size)
{
	return len < field_size - 1 ? len : field_size - 1;
}

/* A sink: one vtable, one object. */
struct sink_ops {
	const char *name;
	void (*event)(void *self, const struct event *e);
	/* End of input: write what is pending. Returns 0 or -1 (errbuf filled). */
	int (*finish)(void *self, char *errbuf, size_t errlen);
	void (*free)(void *self);
};

#define EV_BIT(type) (1u << (type))

struct sink {
	const struct sink_ops *ops;
	void *self;
	/* EV_BIT()s of the types the sink does nothing with: no one builds an
	 * event that every sink skips (0, the default, takes them all). */
	unsigned skip;
	/* The sink copies each event whole and takes a session as its parts
	 * (struct event's sess_head and sess_info): the event thread. */
	bool takes_parts;
};

#define EVENT_SINKS_MAX 8
struct ledger;
struct event_bus {
	struct sink sinks[EVENT_SINKS_MAX];
	int n;
	unsigned skip;  /* the types every sink skips (all of them with no sink) */
	/* Borrowed, may be NULL: the session ledger (ledger.h) these sinks
	 * read. Each event is applied to it once, before the sinks, on the
	 * thread that runs them. */
	struct ledger *ledger;
	/* The ledger is a renderer's own store (the report's), not the run's:
	 * its counts are not stamped into stats events, so --json writes the
	 * same with --report or without. */
	bool ledger_silent;
	bool parts;     /* every sink takes a session as its parts */
};

void event_bus_add(struct event_bus *b, struct sink s);
void event_bus_emit(const struct event_bus *b, const struct event *e);
/* An event of session id comes a few events on: its ledger state is
 * fetched ahead (ledger_prefetch's stages). */
void event_bus_prefetch(const struct event_bus *b, uint64_t id, int stage);
/* Does any sink take events of this type? A producer asks before it makes one. */
static inline bool event_bus_wants(const struct event_bus *b, enum event_type type)
{
	return b->n > 0 && !(b->skip & EV_BIT(type));
}
/* May a producer send a session as its parts (struct event's sess_head)?
 * Only when every sink copies events whole and no ledger reads them here. */
static inline bool event_bus_takes_parts(const struct event_bus *b)
{
	return b->parts && !b->ledger;
}
int event_bus_finish(struct event_bus *b, char *errbuf, size_t errlen);
void event_bus_free(struct event_bus *b);

/* When the producer hands a batch of events to the sinks' thread besides
 * when it is full (see event_thread_sink). */
enum ev_handover {
	EV_HANDOVER_FULL,    /* only full batches (a file read at full speed) */
	EV_HANDOVER_PACED,   /* also at a session's close or a stats event, at most
			      * once per EVENT_HANDOVER_PACE_MS (a file that may come
			      * slowly, being published: a pipe from tcpdump) */
	EV_HANDOVER_PROMPT,  /* also at every session's close and stats event (live) */
};
#define EVENT_HANDOVER_PACE_MS 5

/* The sinks of `inner` and its ledger (moved out of it) on a thread of their own: the
 * returned sink copies each event, with everything it points to, into a
 * ring of batches, and the thread hands the copies to those sinks in
 * order. finish() waits until every event is rendered, then finishes them.
 * Events reach the thread a batch at a time, and as `when` says, so a
 * finished session's lines need not wait for a batch to fill (a hand-over
 * per event would cost a wake-up each: paced, a 300 MB file published
 * makes about 100 hand-overs instead of one per session, 5,600). If no
 * thread can be started, the sinks run on the caller's. */
struct sink event_thread_sink(struct event_bus *inner, enum ev_handover when);

/* Text from the wire, made safe for a terminal or a log line: printable
 * ASCII kept, everything else as \xNN (so escape sequences, control bytes
 * and invalid UTF-8 cannot reach a terminal). Returns dst. */
char *sanitize_text(char *dst, size_t dstsize, const char *src);

#endif
