/*
 * flow.h - the flow table: one entry per TCP connection on a POP3 port.
 *
 * Both directions of a connection map to one flow. The server is the side
 * whose port is watched (when both are, the side that answered the SYN, else
 * the lower port). Flows start on a SYN or mid-stream, end on FIN from both
 * sides, RST, idle timeout, LRU eviction at the cap, or end of input; every
 * end is reported once through flow_cb.close, and the layer above frees its
 * own state (flow->user) there. The hash is SipHash keyed at start-up, with
 * power-of-two buckets that grow (Redis dict.c habits).
 */
#ifndef POP3MON_FLOW_H
#define POP3MON_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "reasm.h"

enum { DIR_C2S = 0, DIR_S2C = 1 };

/* A flow's key: IP version, then both (address, port) ends (37 bytes for
 * IPv6), then for a tunnelled packet the tunnel's 8-byte identity
 * (decode.h struct tunnel.key): flows in different tunnels never merge. */
#define FLOW_KEY_BYTES 48

#define FLOW_END_LIST(X)                 \
	X(FLOW_END_NONE, "open")         \
	X(FLOW_END_FIN, "fin")           \
	X(FLOW_END_RST, "rst")           \
	X(FLOW_END_TIMEOUT, "timeout")   \
	X(FLOW_END_EVICTED, "evicted")   \
	X(FLOW_END_REUSED, "port_reused")   \
	X(FLOW_END_EOF, "end_of_capture") \
	X(FLOW_END_REFUSED, "refused")   \
	X(FLOW_END_NO_ANSWER, "no_answer") \
	X(FLOW_END_NO_GREETING, "no_greeting") \
	X(FLOW_END_RESET_BEFORE_GREETING, "reset_before_greeting") \
	X(FLOW_END_NOT_POP3, "not_pop3")

enum flow_end {
#define X(id, name) id,
	FLOW_END_LIST(X)
#undef X
};

const char *flow_end_name(enum flow_end e);

/* In the order a packet reads it: the lookup's first cache line, then
 * the per-packet counters, then the per-direction state; what only the
 * flow's start and the layers above read comes last. */
struct flow {
	/* table internals */
	uint64_t hash;
	struct flow *hnext;
	uint8_t key[FLOW_KEY_BYTES];  /* as flow_hash.key */
	uint8_t cli_first;           /* the client is the key's first endpoint */
	/* A packet's direction by its flow_hash.order (FLOW_SRC_FIRST ..
	 * FLOW_SAME_ENDS), worked out once from cli_first: one load a packet. */
	uint8_t dir_by_order[3];
	uint8_t key_short;           /* key bytes 16.. all zero (IPv4, no tunnel) */
	/* Read by every packet, so here, in the lookup's line: */
	uint8_t hs_list;             /* table internal: which handshake timer list */
	bool ended;  /* closed (refused, no_answer); kept to absorb the SYN's retransmissions */
	/* Set by the layer above: nobody is shown this flow (not POP3 on a port
	 * not watched); flow_table_packet returns 0 for its packets. */
	bool quiet;
	struct flow *lru_prev, *lru_next;

	uint64_t last_ts;            /* microseconds */
	uint64_t last_frame;
	uint64_t pkts[2], bytes[2];  /* payload bytes per direction */
	bool syn_seen, synack_seen, fin[2], rst;
	bool midstream;              /* first packet was not a SYN */
	/* Set by the layer above: it reads none of this flow's bytes (not POP3):
	 * no reassembly, no buffering; a FIN still ends its side. */
	bool ignore_bytes;
	bool bytes_dropped;          /* table internal: its buffers freed once */
	uint32_t isn;                /* client's SYN sequence number */
	void *user;                  /* owned by the layer above; freed in close */
	uint64_t id;                 /* 1.. in order of creation */
	struct reasm_dir dir[2];

	uint8_t ipver;
	uint8_t cli[16], srv[16];
	uint16_t cport, sport;
	uint16_t vlan;
	uint64_t first_ts, first_frame;

	/* The handshake, for the connections that never became sessions
	 * (FLOW_END_REFUSED .. FLOW_END_RESET_BEFORE_GREETING): the client's
	 * first SYN and how often it was sent, the SYN-ACK, the first RST. */
	struct flow_hs {
		uint64_t syn_frame, syn_ts;         /* first SYN (0: none seen) */
		uint64_t last_syn_frame, last_syn_ts;
		uint32_t syns;                      /* SYNs with the client's ISN, the first included */
		uint64_t synack_frame, synack_ts;   /* 0: none seen */
		uint64_t rst_frame, rst_ts;         /* first RST (0: none) */
		uint8_t rst_dir;                    /* DIR_C2S or DIR_S2C */
		int8_t first_fin_dir;               /* -1: no FIN yet */
	} hs;
	bool watched;  /* a watched port is on it (else tracked for detection by content) */
	/* table internals: the handshake timer list (flow_table.c) */
	struct flow *hs_prev, *hs_next;
	struct tunnel tun;           /* the first packet's; src is the client's side */
};

/* created, closed, active, peak_active, evicted (LRU at max_flows),
 * timed_out, not_watched, ignored_no_flow, the connections that never
 * became sessions (refused, no_answer, no_greeting, reset_before_greeting)
 * and syn_absorbed: each described in include/stats.def, the one list. */
struct flow_stats {
#define STAT_FLOW(o, field, ...) uint64_t field;
#include "stats.def"
};

typedef void (*flow_open_fn)(void *ctx, struct flow *f);
typedef void (*flow_close_fn)(void *ctx, struct flow *f, enum flow_end why,
			      const struct seg_meta *m);
typedef void (*flow_data_fn)(void *ctx, struct flow *f, int dir, const uint8_t *p,
			     size_t n, const struct seg_meta *m);
typedef void (*flow_gap_fn)(void *ctx, struct flow *f, int dir, uint64_t len,
			    const struct seg_meta *m);

struct flow_cb {
	flow_open_fn open;
	flow_close_fn close;
	flow_data_fn data;
	flow_gap_fn gap;
	void *ctx;
	/* flow_table_prefetch_user: fetch what flow->user leads to; NULL: none */
	void (*prefetch)(void *ctx, const void *user);
};

struct flow_opts {
	size_t max_flows;            /* LRU eviction beyond this */
	uint64_t idle_timeout_us;
	struct reasm_limits reasm;
	const uint16_t *ports;       /* watched ports (borrowed for the call) */
	size_t nports;
	const struct flow_hasher *hasher; /* NULL: a new random one */
	/* A SYN not answered within no_answer_us ends as no_answer; a connection
	 * accepted (SYN-ACK) whose server sends nothing within no_greeting_us
	 * ends as no_greeting. 0: that timer is off. On capture time for files,
	 * the clock the caller gives flow_table_expire live. */
	uint64_t no_answer_us, no_greeting_us;
	/* Track connections on every TCP port, not only the watched ones (POP3
	 * found by its content): flows on other ports are reported up like any
	 * other; the layer above decides what they are. */
	bool all_ports;
};

#define FLOW_NO_ANSWER_DEFAULT_MS 5000   /* Windows resends a SYN after 3 s, Linux after 1 and 3 s:
                                          * an answer to the resent SYN is slow, not missing */
#define FLOW_NO_GREETING_DEFAULT_MS 10000 /* RFC 1939 s4: the server greets once connected */

/* An idle flow costs about 1.4 KiB with its session and the sinks' records
 * (measured with a SYN flood): 32768 flows stay under 64 MiB. */
#define FLOW_MAX_DEFAULT 32768
#define FLOW_IDLE_TIMEOUT_DEFAULT_S 600 /* POP3 inactivity autologout >= 10 min, RFC 1939 s3 */

struct flow_table;

struct flow_table *flow_table_new(const struct flow_opts *o, const struct flow_cb *cb);
void flow_table_free(struct flow_table *t);

/* Feed one decoded packet: looks the flow up (or creates it) and reassembles.
 * Returns the flow's id (it may already be closed and freed), 0 if none. */
uint64_t flow_table_packet(struct flow_table *t, const struct packet *p, const struct seg_meta *m);

/* A packet's flow key and its keyed hash. The hasher is fixed once made,
 * so another thread may hash packets ahead (the file reader does, off the
 * main thread) for flow_table_packet_hashed, which is flow_table_packet
 * without the hashing. The table must be made with the same hasher. */
struct flow_hasher {
	uint8_t seed[16];
};
struct flow_hash {
	uint64_t h;
	uint8_t key[FLOW_KEY_BYTES];  /* keylen bytes, then zeros */
	uint8_t keylen;
	uint8_t order;  /* FLOW_SRC_FIRST, FLOW_DST_FIRST or FLOW_SAME_ENDS (in the key) */
};
enum { FLOW_SRC_FIRST, FLOW_DST_FIRST, FLOW_SAME_ENDS };
void flow_hasher_init(struct flow_hasher *hz); /* a random seed */
void flow_hasher_hash(const struct flow_hasher *hz, const struct packet *p, struct flow_hash *fh);
uint64_t flow_table_packet_hashed(struct flow_table *t, const struct packet *p,
				  const struct seg_meta *m, const struct flow_hash *fh);
/* Warm the caches for a packet a few frames on, whose hash the reader
 * thread made (a packet costs a miss on each of its flow's lines, its
 * session's and its dissector's otherwise). Only reads and prefetches, in
 * this order, each a frame or two after the one before, so that the
 * pointer it reads was fetched by the one before: the bucket; the flow it
 * leads to; the flow's LRU neighbours and, with `user`, the first line of
 * the layer above's state (flow->user); what that state leads to
 * (flow_cb.prefetch). */
void flow_table_prefetch_bucket(const struct flow_table *t, const struct flow_hash *fh);
void flow_table_prefetch_flow(const struct flow_table *t, const struct flow_hash *fh);
void flow_table_prefetch_links(const struct flow_table *t, const struct flow_hash *fh, bool user);
void flow_table_prefetch_user(const struct flow_table *t, const struct flow_hash *fh);
/* Close flows idle since before now - timeout. Cheap: walks the LRU tail. */
void flow_table_expire(struct flow_table *t, uint64_t now_us);
/* Close every flow (end of input). */
void flow_table_close_all(struct flow_table *t, enum flow_end why);

bool flow_table_port_watched(const struct flow_table *t, uint16_t port);
const struct flow_stats *flow_table_stats(const struct flow_table *t);
const struct reasm_stats *flow_table_reasm_stats(const struct flow_table *t);

#endif
