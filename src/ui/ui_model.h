/*
 * ui_model.h - what the dashboard knows, built only from events (event.h).
 *
 * The model copies what it keeps out of each borrowed event, sanitising
 * every piece of wire text on the way in (sanitize_text), so nothing the
 * renderer draws can carry an escape sequence. It is bounded everywhere:
 * sessions (the oldest closed clean ones are evicted first), transcript
 * lines and findings per session, LIST/UIDL entries per transaction, a
 * byte budget for the sessions (the session ledger's, ledger.h: closed
 * clean sessions lose their transcript first, then their row; flagged
 * ones are kept longest), servers, accounts per server and latency samples per
 * server. Every cap has a counter in struct ui_drops.
 *
 * The structures are public to the view code in src/ui only; nothing in
 * them points into an event.
 */
#ifndef POP3MON_UI_MODEL_H
#define POP3MON_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "event.h"
#include "ledger.h"
#include "ui.h"
#include "pop3.h"
#include "wall_sensors.h"

/* Defaults for struct ui_model_opts: the session ledger's (ledger.h),
 * which holds the sessions, transcripts and findings the dashboard shows. */
#define UI_SESSIONS_MAX LEDGER_SESSIONS_MAX
#define UI_TXNS_PER_SESSION_MAX LEDGER_TXNS_PER_SESSION_MAX
#define UI_FINDINGS_PER_SESSION_MAX LEDGER_FINDINGS_PER_SESSION_MAX
#define UI_ENTRIES_PER_TXN_MAX LEDGER_ENTRIES_PER_TXN_MAX
/* The ledger's budget (every kept session's entry and row, transcript and
 * findings): with the rest of the process (the capture ring or the file
 * reader, the flow table, the packet spool's index) the whole dashboard
 * stays under 64 MiB. ledger.h says what goes first. */
#define UI_STORE_BYTES_MAX ((size_t)UI_STORE_MIB_DEFAULT << 20) /* ui.h; --ui-memory */
#define UI_SERVERS_MAX 512            /* then sessions go to one "other servers" row */
#define UI_ACCOUNTS_PER_SERVER_MAX 64
#define UI_LAT_SAMPLES 1024           /* latest reply latencies kept per server */
#define UI_RECENT_FINDINGS 64         /* for the wall's rotating list */

#define UI_USER_MAX 96                /* sanitised user name kept */
#define UI_BANNER_MAX 200             /* ...greeting text */
#define UI_CODE_MAX 40
#define UI_OTHER_SERVERS "(other servers)"
#define UI_ROW_TEXT_TYPICAL 96        /* a row's texts, counted in the budget per row */

struct ui_model_opts {
	size_t sessions_max;
	size_t txns_per_session_max;
	size_t findings_per_session_max;
	size_t entries_per_txn_max;
	size_t store_bytes_max;     /* sessions, transcripts and findings together */
	size_t servers_max;
	size_t accounts_per_server_max;
};
void ui_model_opts_default(struct ui_model_opts *o);

struct ui_server;
struct ui_account;

struct ui_session {
	uint64_t id;
	uint64_t seq;               /* order of arrival in the model */
	/* The latest snapshot's head (addresses, ports, times, counters,
	 * findings, the end): the ledger entry's own (le->snap), read in
	 * place, never copied into the row; in a frozen copy (paused), the
	 * copy the list view took. The numbers are drawn as they are. */
	const struct ev_session_head *h;
	/* The wire text the row draws, sorts and searches by, sanitised once
	 * as it comes (the ledger keeps it raw): one allocation sized to what
	 * the texts hold (txt, owned; the pointers are into it, or "" when
	 * empty), so a session with no user or banner costs a few bytes, not
	 * the fixed arrays of the snapshot. */
	char *txt;
	const char *cli, *srv, *user, *banner, *sensor, *last_cmd;
	/* The POP3 facts the row needs (in the ledger they are packed with
	 * the texts, ledger.c facts_put): a few bytes. */
	enum pop3_state state;
	bool tls, login_seen, quit_seen;
	bool closed;
	/* The command waiting for its reply (NULL: none; owned, cmd
	 * sanitised): set by an update, cleared by its transaction or the
	 * close. Allocated only while one waits. */
	struct pop3_wait *wait;

	/* The session's entry in the ledger: its transcript and findings
	 * (raw, sanitised as drawn). Borrowed: the ledger tells the model
	 * before the entry goes, and the row goes with it. NULL in a frozen
	 * copy of the row. */
	const struct ledger_entry *le;

	struct ui_server *server;   /* borrowed from the model, never freed before it */
	struct ui_account *account; /* NULL until the user is known and an account slot exists */
	bool counted_flagged;       /* already added to server/account flagged counts */
	bool account_checked;       /* an account slot was looked for */
	bool greeted, login_ok;     /* counted in the server's connects_ok / logins_ok */
	bool end_counted;           /* the close's end reason counted */
	unsigned failed_logins;     /* login-failed findings */
	unsigned seen_fx[3];        /* EV_FINDING events by severity (not capped) */
	uint64_t seen_rules;        /* rules of those events */
};

struct ui_account {
	char user[UI_USER_MAX];
	uint64_t sessions, flagged, failed_logins;
	unsigned findings[3];
	uint64_t rules_hit;
	uint64_t last_ts;
};

/*
 * What the wall judges a server by (wall_state.c). Connection problems
 * come from the end reason of a session's close event, the others from
 * findings: failed logins, slow replies, warnings and error findings (the
 * server contradicted itself).
 */
#define UI_PROBLEM_LIST(X)                                   \
	X(UI_PB_REFUSED, "refused")                          \
	X(UI_PB_NO_ANSWER, "unanswered")                     \
	X(UI_PB_NO_GREETING, "no greeting")                  \
	X(UI_PB_RESET, "reset before greeting")              \
	X(UI_PB_LOGIN_FAILED, "failed logins")               \
	X(UI_PB_SLOW, "slow replies")                        \
	X(UI_PB_WARNING, "warnings")                         \
	X(UI_PB_CONTRADICTION, "contradictions")
enum ui_problem {
#define X(id, name) id,
	UI_PROBLEM_LIST(X)
#undef X
	UI_PB__COUNT
};

/* How often something was seen, and when first and last (capture time, us). */
struct ui_seen {
	uint64_t n, first_ts, last_ts;
};

/* One minute of a server's trend; `minute` is capture time / 60 s. */
#define UI_TREND_MINUTES 60
struct ui_minute {
	uint64_t minute;
	uint32_t sessions, flagged, logins_ok, logins_failed, connects_failed, slow;
};

/* The two account rows every server has besides its users, so that the
 * account rows add up to the server's sessions. */
enum { UI_ACCT_NOLOGIN, UI_ACCT_OTHER, UI_ACCT__EXTRA };
#define UI_NOLOGIN "(no login)"
#define UI_OTHER_ACCOUNTS "(other accounts)"

struct ui_server {
	char addr[ADDR_STR_MAX];
	uint16_t port;                /* servers are keyed by address AND port */
	char name[ADDR_STR_MAX + 8];  /* "192.0.2.1:110", "[2001:db8::1]:995" */
	uint64_t sessions, active, flagged, failed_logins;
	unsigned findings[3];
	uint64_t rules_hit;
	uint64_t last_ts;
	uint64_t lat[UI_LAT_SAMPLES]; /* ring of the latest reply latencies (us) */
	size_t n_lat;                 /* samples held (<= UI_LAT_SAMPLES) */
	uint64_t lat_total;           /* samples ever added */
	struct ui_account *acct;      /* owned array */
	size_t n_acct;
	uint64_t accounts_dropped;
	struct ui_account extra[UI_ACCT__EXTRA]; /* (no login), (other accounts) */
	bool folded;                  /* servers view: accounts hidden (view state, set by the panel) */

	/* For the wall: problems, per-rule findings, logins, the trend. */
	struct ui_seen pb[UI_PB__COUNT];
	struct ui_seen rule[R__COUNT];
	uint64_t problems;            /* problem events ever (sum of pb[].n) */
	uint64_t first_ts;            /* the first session's start */
	uint64_t logins_ok;
	uint64_t connects_ok;         /* sessions that got a greeting (or any reply) */
	uint64_t last_good_ts;        /* the latest sign the server answers */
	int last_contradiction;       /* enum rule_id of the latest error finding, -1 */
	int last_warning;             /* enum rule_id of the latest warning, -1 */
	uint64_t sensor_bits;         /* read from sensors: bit k, sensor k of the model's saw it */
	bool sensor_more;             /* ...and one past bit 63 did */
	struct ui_minute trend[UI_TREND_MINUTES]; /* ring by minute % UI_TREND_MINUTES */
};

struct ui_recent {
	uint64_t session_id, ts_us;
	char srv[ADDR_STR_MAX];
	uint16_t sport;
	char user[UI_USER_MAX];
	enum rule_id rule;
	enum severity sev;
	char summary[FINDING_SUMMARY_MAX];
};

/* What the caps dropped. */
struct ui_drops {
	uint64_t sessions_evicted;         /* of which: */
	uint64_t sessions_evicted_flagged; /* ...had a warning or error */
	uint64_t sessions_evicted_open;    /* ...were still open */
	uint64_t events_for_evicted;       /* late events for an evicted session, ignored */
	uint64_t transcripts_evicted;      /* transcripts freed for the byte budget */
	uint64_t txns_dropped;             /* transcript lines not kept */
	uint64_t findings_dropped;
	uint64_t entries_dropped;          /* LIST/UIDL entries not kept */
	uint64_t servers_overflow;         /* sessions put in the "other servers" row */
	uint64_t accounts_dropped;
};

/* The header line: from EV_STATS, with rates from successive events. */
struct ui_counters {
	bool have_stats;
	bool final;
	struct run_figures fig;            /* the latest record's (with sensors: summed over them) */
	double pps, bps;                   /* packets and bytes per second */
	bool have_kernel_stats;
	uint64_t prev_frames, prev_bytes, prev_wall_us;
	uint64_t last_ts_us;               /* capture time of the latest event */
	uint64_t last_packet_wall_us;      /* wall clock of the stats event that first counted the latest frame */
	uint64_t first_ts_us;              /* ...and of the earliest (the header's span in file mode) */
};

struct ui_model {
	struct ui_model_opts o;
	struct ledger *lg;          /* the sessions' entries; owned when own_lg */
	bool own_lg;                /* ...and then this model applies each event to it */
	struct ui_session **s;      /* owned, sorted by id */
	size_t n, cap;
	uint64_t next_seq;
	uint64_t max_evicted_id;

	struct ui_server **srv;     /* owned; each allocated once, so pointers stay valid */
	size_t n_srv, cap_srv;      /* at most servers_max + the "other servers" row */

	struct ui_recent recent[UI_RECENT_FINDINGS]; /* ring */
	size_t n_recent;
	uint64_t recent_total;

	/* Counted from events, never lowered by eviction. */
	uint64_t sessions_total, sessions_active, sessions_flagged;
	uint64_t findings_total[3];
	uint64_t rules_hit;         /* any session */

	struct ui_counters c;
	struct ui_drops drops;
	/* Read from sensors (--from): each one's latest figures; with any,
	 * the counters above are their sum (wall_sensors.h). */
	struct wall_sensors sensors;
	uint64_t clock_us;          /* the reader's clock at the event (the sink sets it) */
	uint64_t gen;               /* bumped on every change: the renderer redraws when it moves */
};

/* A model with a ledger of its own, made from o, to which it applies each
 * event (tests, and a dashboard alone). */
struct ui_model *ui_model_new(const struct ui_model_opts *o);
/* A model reading `lg` (borrowed), to which the bus applies each event
 * before the model sees it. */
struct ui_model *ui_model_new_shared(const struct ui_model_opts *o, struct ledger *lg);
/* The ledger's options for what the model keeps (o's caps and budget,
 * the row counted per entry). */
void ui_model_ledger_opts(const struct ui_model_opts *o, struct ledger_opts *lo);
void ui_model_free(struct ui_model *m);
void ui_model_event(struct ui_model *m, const struct event *e);

struct ui_session *ui_model_find(const struct ui_model *m, uint64_t id);
/* A row and what it owns (its texts, its waiting command). */
void ui_session_free(struct ui_session *s);
/* to's texts: a copy of from's in an allocation of to's own (to->txt). */
void ui_session_copy_texts(struct ui_session *to, const struct ui_session *from);
/* The server at addr, port (the overflow row: UI_OTHER_SERVERS, 0). */
const struct ui_server *ui_model_server(const struct ui_model *m, const char *addr, uint16_t port);
/* The trend bucket of `minute` (capture time / 60 s), NULL when not held. */
const struct ui_minute *ui_server_minute(const struct ui_server *v, uint64_t minute);
/* Recent findings, 0 = newest; NULL past the end. */
const struct ui_recent *ui_model_recent(const struct ui_model *m, size_t i);
/* Header figures: the stats event's when it had them, the model's own otherwise. */
uint64_t ui_model_total(const struct ui_model *m);
uint64_t ui_model_active(const struct ui_model *m);
uint64_t ui_model_flagged(const struct ui_model *m);
/* Bytes the ledger holds (its budget's count, rows included). */
size_t ui_model_store_bytes(const struct ui_model *m);
/* What the list holds of what was seen, when the ledger's budget or cap
 * dropped sessions: "8,000 of 19,123 sessions held; 11,123 clean ones
 * dropped" (and the flagged ones dropped, and the transcripts freed, if
 * any: "; 4,012 transcripts freed"); with transcripts only, "all sessions held;
 * 12 transcripts dropped for memory". "" when nothing was dropped. */
void ui_model_held_text(const struct ui_model *m, char *buf, size_t n);

#endif
