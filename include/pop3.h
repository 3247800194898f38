/*
 * pop3.h - the POP3 dissector: two reassembled byte streams in, a sequence
 * of transactions (command + the reply it got) out.
 *
 * The dissector is streaming: it keeps no pointer into its input, buffers
 * at most one partial line per direction (capped), and scans message bodies
 * for their terminator without storing them. Replies are paired with the
 * oldest unanswered command (a capped FIFO: RFC 2449 pipelining). Which
 * reply is multi-line depends on the command, its argument and the status.
 * Secrets (PASS, APOP digest, AUTH payloads) are redacted here, before any
 * later stage can see them, unless the caller opts in (show_secrets).
 *
 * A transaction is handed up when it completes (reply fully read), or when
 * the stream ends/gaps with it incomplete; it is borrowed for the callback.
 */
#ifndef POP3MON_POP3_H
#define POP3MON_POP3_H

#include <stdbool.h>
#include <stdint.h>

#include "reasm.h"

/* Command properties (pop3_cmd.def). */
#define POP3_CF_AUTHZ 0x01       /* valid only in AUTHORIZATION */
#define POP3_CF_TRANS 0x02       /* valid only in TRANSACTION */
#define POP3_CF_ANY 0x04         /* valid in both */
#define POP3_CF_MULTI 0x08       /* +OK reply is multi-line */
#define POP3_CF_MULTI_NOARG 0x10 /* +OK reply is multi-line without an argument */
#define POP3_CF_MSGNUM 0x20      /* first argument is a message number */
#define POP3_CF_MSGNUM_OPT 0x40  /* optional message-number argument */
#define POP3_CF_LOGIN 0x80       /* +OK moves to TRANSACTION */

enum pop3_cmd {
	POP3_CMD_NONE = 0,     /* a reply with no command (greeting, unsolicited) */
#define X(id, kw, fl) id,
#include "pop3_cmd.def"
#undef X
	POP3_CMD_UNKNOWN,      /* a keyword not in the table: kept, never breaks pairing */
	POP3_CMD__COUNT
};

const char *pop3_cmd_name(enum pop3_cmd c);
unsigned pop3_cmd_flags(enum pop3_cmd c);
enum pop3_cmd pop3_cmd_lookup(const char *kw, size_t len);

/* Limits. */
#define POP3_CMD_LINE_MAX 255        /* RFC 2449 s4: command line incl. CRLF */
#define POP3_REPLY_LINE_MAX 512      /* RFC 2449 s4: first reply line incl. CRLF */
#define POP3_LINE_BUF 1024           /* kept of one line; the rest is counted */
#define POP3_KEYWORD_MAX 16
#define POP3_ARGS_MAX 512
#define POP3_TEXT_MAX 512
#define POP3_UID_MAX 70              /* RFC 1939 s7 */
#define POP3_APOP_TS_MAX 127         /* kept of the greeting's <...> */
#define POP3_PENDING_MAX 64          /* unanswered commands kept (pipelining) */
#define POP3_LISTING_MAX 100000      /* LIST/UIDL entries kept per reply */
#define POP3_REDACTED "<redacted>"

enum pop3_status {
	POP3_ST_NONE = 0,   /* no reply (yet) */
	POP3_ST_OK,         /* +OK */
	POP3_ST_ERR,        /* -ERR */
	POP3_ST_CONT,       /* "+ " SASL continuation (only as AUTH's last step) */
	POP3_ST_BAD,        /* neither: garbage where a status line belongs */
};
const char *pop3_status_str(enum pop3_status s); /* "+OK", "-ERR", "+", "?", "" */

enum pop3_state {
	POP3_STATE_UNKNOWN = 0,    /* capture began mid-session: judge only what is seen */
	POP3_STATE_AUTHORIZATION,
	POP3_STATE_TRANSACTION,
	POP3_STATE_UPDATE,
	POP3_STATE_TLS,            /* after STLS +OK, or TLS seen: opaque bytes */
	POP3_STATE_CONNECT,        /* no payload yet: the TCP handshake, before the greeting */
};
const char *pop3_state_name(enum pop3_state s);

/* Transaction flags: what was odd about it. */
enum pop3_txn_flag {
#define X(id, bit, name, desc) id = bit,
#include "pop3_flags.def"
#undef X
};
/* The name of one POP3_TF_* bit ("cut", "bare_lf"...) in the JSON and the
 * report; NULL for an unknown bit (src/pop3/pop3_flags.c). */
const char *pop3_txn_flag_name(uint32_t bit);

/* One parsed line of a LIST or UIDL listing (or a single LIST n/UIDL n reply). */
#define POP3_LE_BADNUM 0x01  /* the number was not decimal / overflowed */
#define POP3_LE_BADVAL 0x02  /* the size was not decimal, or the uid was missing */
#define POP3_LE_UID_BAD 0x04 /* uid empty, > 70, a byte outside 0x21-0x7E, or text after */
struct pop3_entry {
	uint32_t num;
	uint64_t size;       /* LIST */
	uint32_t uid_off;    /* UIDL: offset into pop3_txn.uids */
	uint8_t uid_len;     /* kept length (at most POP3_UID_MAX + 1 to show "too long") */
	uint8_t flags;
};

/* Capabilities seen in a CAPA reply. */
enum pop3_cap {
#define X(id, bit, name) id = bit,
#include "pop3_caps.def"
#undef X
};

struct pop3_txn {
	uint64_t index;                  /* order in the session, 0-based */
	enum pop3_cmd cmd;
	char keyword[POP3_KEYWORD_MAX + 1]; /* as sent (upper-cased), "" for NONE */
	bool has_args;
	bool secret;                     /* args were redacted */
	bool has_msgnum;                 /* the first argument parsed as a message number */
	uint32_t msgnum;
	uint32_t arg2;                   /* TOP's line count */
	enum pop3_state state_before;    /* state when the server answered it */

	uint64_t req_frame, req_ts_us;   /* 0 when there was no command */
	uint64_t rep_frame, rep_ts_us;   /* first byte of the status line */
	uint64_t end_frame, end_ts_us;   /* last byte of the reply */

	enum pop3_status status;
	uint32_t first_line_len;         /* octets of the first line incl. CRLF */

	bool multiline;                  /* a data block followed */
	bool terminated;                 /* ...and ended with the lone "." line */
	uint64_t data_lines;             /* data lines, terminator excluded */
	uint64_t data_octets;            /* after unstuffing, CRLF = 2 octets */
	uint64_t data_stuffed;           /* data lines that were dot-stuffed on the wire */
	uint32_t auth_steps;             /* "+ " continuations in an AUTH exchange */
	uint32_t flags;                  /* POP3_TF_* */
	unsigned caps;                   /* POP3_CAP_* (CAPA) */

	struct pop3_entry *entries;      /* LIST/UIDL data, or one entry for LIST n/UIDL n */
	uint32_t n_entries;
	uint32_t n_entries_more;         /* listed but not carried: 0 from the dissector; a
					  * replayed event carries the JSON's first 1000 */
	char *uids;                      /* arena for UIDL unique-ids */

	/* The text last: a message body updates the counters above for every
	 * segment, and they share cache lines when the text is not between.
	 * Read them as strings: past the NUL they are not cleared. */
	char args[POP3_ARGS_MAX + 1];    /* as sent, secrets replaced by POP3_REDACTED */
	char code[32];                   /* RFC 2449/3206 response code, e.g. "SYS/TEMP" */
	char text[POP3_TEXT_MAX + 1];    /* first line after the status indicator */
	char sasl[128];                  /* CAPA's SASL mechanisms, space separated */
};

/* Per-connection counters and facts, readable at any time. */
struct pop3_conn_info {
	enum pop3_state state;
	bool greeted;
	bool tls;                        /* encrypted (STLS, port 995, TLS seen) */
	bool stls_accepted;
	bool stls_cleartext;             /* STLS +OK, then clear-text POP3 went on */
	bool login_seen;                 /* a successful login was seen */
	bool quit_seen;
	uint64_t bytes[2];               /* per direction, incl. TLS */
	uint64_t tls_bytes[2];
	uint64_t lines[2];
	uint64_t bare_lf[2];
	uint64_t long_lines[2];          /* lines longer than kept */
	uint64_t garbage_lines;          /* server lines that are no reply */
	uint64_t unsolicited;            /* replies with no pending command */
	uint64_t unanswered;             /* commands never answered */
	uint64_t pending_dropped;        /* commands dropped at POP3_PENDING_MAX */
	uint64_t gaps[2], gap_bytes[2];
	uint64_t resyncs;
	uint64_t txns;
	/* C strings sized to what they hold (a session's user and greeting are
	 * short; fixed arrays cost 1.1 KiB a session), owned by the dissector;
	 * "" when not seen, never NULL. */
	const char *user;                /* at most POP3_ARGS_MAX bytes */
	const char *banner;              /* greeting text, at most POP3_TEXT_MAX */
	const char *apop_ts;             /* <...> in the greeting, if any; at most POP3_APOP_TS_MAX */
	uint32_t user_len, banner_len;   /* their strlen: every event copies both */
};

struct pop3_cb {
	void (*txn)(void *ctx, const struct pop3_txn *t); /* t borrowed for the call */
	void *ctx;
};

/* Spare buffers shared by the connections of one owner: a transaction
 * for a reply that spans lines (a multi-line block, an AUTH exchange),
 * taken while it is read and given back when it is handed on, and a
 * one-entry pending-command queue, taken while a command waits. Memory
 * follows the replies open and the commands waiting at once, not the
 * connections, and the buffers come from a list instead of malloc (about
 * 250 instructions a malloc/free pair, on every transaction). */
struct pop3_spares;
struct pop3_spares *pop3_spares_new(void);
void pop3_spares_free(struct pop3_spares *sp); /* after its connections */

struct pop3_opts {
	bool show_secrets;
	bool tls_port;     /* port 995: everything is TLS */
	struct pop3_spares *spares; /* borrowed, may be NULL (then malloc and free) */
};

struct pop3_conn;

struct pop3_conn *pop3_conn_new(const struct pop3_opts *o, const struct pop3_cb *cb,
				bool midstream);
void pop3_conn_free(struct pop3_conn *c);
/* Fetch into cache, a few frames ahead, what feeding the connection a
 * segment reads: its modes, framers, queue, counters and the open
 * transaction's pointer (the whole of its state, which it alone knows
 * the size of). Only prefetches. */
void pop3_conn_prefetch(const struct pop3_conn *c);

/* In-order bytes of direction dir (0 client->server, 1 server->client). */
void pop3_feed(struct pop3_conn *c, int dir, const uint8_t *p, size_t n, const struct seg_meta *m);
/* A hole of len bytes in direction dir. */
void pop3_gap(struct pop3_conn *c, int dir, uint64_t len, const struct seg_meta *m);
/* The connection ended: flush what is pending (unanswered commands, cut replies). */
void pop3_finish(struct pop3_conn *c, const struct seg_meta *m);

const struct pop3_conn_info *pop3_conn_info(const struct pop3_conn *c);

/* The command the session is waiting on: the oldest one not answered yet,
 * or the one whose reply is being read (a RETR body still arriving). Read
 * on demand (the dashboard's session updates), so it costs nothing per
 * segment. */
struct pop3_wait {
	uint32_t n;                      /* commands waiting, this one included; 0: none */
	bool replying;                   /* its reply has begun */
	uint64_t req_frame, req_ts_us;   /* when the command was sent */
	uint64_t lines, octets;          /* data lines and octets of the reply so far */
	char cmd[POP3_KEYWORD_MAX + 1];  /* "RETR" */
};
void pop3_conn_wait(const struct pop3_conn *c, struct pop3_wait *w);
/* Cheaply, what changed: 0 when nothing waits, else (commands without a
 * reply yet << 1) | (a reply being read). */
unsigned pop3_conn_waiting(const struct pop3_conn *c);

/*
 * A TCP payload's lines, worked out before the dissector sees it: the file
 * reader's thread makes one per packet (the main thread is the one the run
 * waits for), and seg_meta.payload_note carries it up. A message body then
 * takes its line counts from here instead of reading its bytes again.
 * Each run counts, from a line start, the lines up to and including the
 * first one followed by a '.' line that is not dot-stuffed, as the body's
 * scan would.
 */
#define POP3_PAYLOAD_RUNS 4
struct pop3_line_run {
	uint32_t start, end;   /* a line start; just past the last LF counted */
	uint32_t lines, bare_lf, long_lines;
	uint32_t stuffed, last_stuffed; /* lines begun with "..", where the last begins */
	bool dot;              /* stopped at a '.' line that is not dot-stuffed */
};
struct pop3_payload_lines {
	const uint8_t *data;   /* the bytes it describes, and how many */
	uint32_t len;
	uint32_t nruns;
	struct pop3_line_run run[POP3_PAYLOAD_RUNS];
};
void pop3_payload_lines(struct pop3_payload_lines *pl, const uint8_t *p, size_t n);

/* Pure parsing helpers (also used by the checks and tests). */
bool pop3_parse_u32(const char *s, size_t len, uint32_t *out);
bool pop3_parse_u64(const char *s, size_t len, uint64_t *out);

#endif
