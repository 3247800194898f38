/*
 * ui_view.h - view models: what each panel shows, computed from the model
 * without a terminal, so the tests can check it. Panels only draw these.
 *
 * The session list holds session ids, not pointers: a paused or stale
 * list stays safe when the model evicts a session (it is just skipped).
 */
#ifndef POP3MON_UI_VIEW_H
#define POP3MON_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui_model.h"

/* ---- formatting ---------------------------------------------------------- */

char *ui_fmt_group(char *buf, size_t n, uint64_t v);   /* 4211 -> "4 211" */
char *ui_fmt_hms(char *buf, size_t n, uint64_t ts_us); /* "13:04:05" UTC */
char *ui_fmt_hmsm(char *buf, size_t n, uint64_t ts_us);/* "13:04:05.123" UTC */
char *ui_fmt_dur(char *buf, size_t n, uint64_t us);    /* "850us", "1.2ms", "3.40s", "2m05s" */
char *ui_fmt_rate(char *buf, size_t n, double v);      /* "950", "12.3k", "4.5M" */
char *ui_fmt_uptime(char *buf, size_t n, uint64_t us); /* "1:02:03" */
char *ui_fmt_count(char *buf, size_t n, uint64_t v);   /* "9999", "12.3k", "123k", "1.1M" (5 columns at most below 1G) */
/* "10.0.0.1:110", "[2001:db8::1]:110"; with maxw > 0 at most maxw columns,
 * the address cut with '~' and the port never cut. */
char *ui_fmt_endpoint(char *buf, size_t n, const char *addr, uint16_t port, int maxw);
/* The user column: the user, "(mid-stream)" when the capture began after
 * the login, "(no login)" when no user was given. List and ladder alike. */
const char *ui_user_label(const struct ui_session *s);

/* The arrows and lines used: UTF-8 when the locale is, ASCII otherwise. */
struct ui_glyphs {
	const char *right;   /* "→" / "->" */
	const char *req;     /* "──►" / "-->" */
	const char *rep;     /* "◄──" / "<--" */
	const char *vline;   /* "│" / "|" */
	const char *block;   /* "█" / "#" (big digits) */
	const char *bullet;  /* "●" / "*" */
};
const struct ui_glyphs *ui_glyphs_get(bool utf8);

/* ---- the session list ------------------------------------------------------ */

enum ui_sort { UI_SORT_TIME, UI_SORT_SERVER, UI_SORT_USER, UI_SORT_FLAGS, UI_SORT_LATENCY, UI_SORT__COUNT };
const char *ui_sort_name(enum ui_sort s);
/* Which end comes first: "oldest first", "newest first", "worst first", ... */
const char *ui_sort_dir(enum ui_sort s, bool reverse);

#define UI_SEARCH_MAX 64
struct ui_filter {
	bool only_flagged;
	char server[ADDR_STR_MAX];   /* "" = any */
	uint16_t sport;              /* with server: its port, 0 = any */
	char user[UI_USER_MAX];      /* "" = any */
	bool no_user;                /* only sessions without a user ("(no login)") */
	int rule;                    /* enum rule_id, -1 = any */
	char search[UI_SEARCH_MAX];  /* case-insensitive substring, "" = none */
};
void ui_filter_clear(struct ui_filter *f);
bool ui_filter_active(const struct ui_filter *f);
bool ui_filter_match(const struct ui_filter *f, const struct ui_session *s);
/* "flagged server=1.2.3.4 rule=stat-list-count /bob" or "" */
char *ui_filter_describe(const struct ui_filter *f, char *buf, size_t n);

struct ui_list_view {
	uint64_t *ids;        /* owned: the rows, in display order */
	size_t n, cap;
	size_t sel, top;      /* selected row, first row shown */
	uint64_t sel_id;      /* the selection follows the session across rebuilds */
	bool follow;          /* select the newest session, until the user moves (time order only) */
	enum ui_sort sort;
	bool reverse;         /* the other end first (R) */
	/* Paused (Space): copies of the rows' sessions as they were (their
	 * transcript pointers cleared), drawn instead of the live ones. A
	 * live row reads its numbers from its ledger entry, which goes on
	 * changing: a copy reads them from its own copy of the entry's head
	 * (frozen_h[i]) and has its own texts. */
	struct ui_session *frozen; /* owned, n_frozen of them, row order; NULL when live */
	struct ev_session_head *frozen_h; /* owned, as many */
	size_t n_frozen;
	struct ui_filter filter;
	uint64_t built_gen;   /* model generation of the last rebuild */
};
void ui_list_init(struct ui_list_view *v);
void ui_list_fini(struct ui_list_view *v);
void ui_list_rebuild(struct ui_list_view *v, const struct ui_model *m);
/* Moves by delta rows (clamped); the user moved, so follow stops. */
void ui_list_move(struct ui_list_view *v, long delta);
void ui_list_home(struct ui_list_view *v);
void ui_list_end(struct ui_list_view *v);     /* last row, and follow again */
/* Keep the selection inside a window of `rows` rows. */
void ui_list_scroll(struct ui_list_view *v, size_t rows);
/* The selected session, NULL if none (or evicted). */
struct ui_session *ui_list_selected(const struct ui_list_view *v, const struct ui_model *m);
/* Row i as it is drawn: the frozen copy while paused, else the live session (NULL if evicted). */
const struct ui_session *ui_list_row(const struct ui_list_view *v, const struct ui_model *m, size_t i);
/* Space: freeze the rows as they are now / go live again. */
void ui_list_freeze(struct ui_list_view *v, const struct ui_model *m);
void ui_list_thaw(struct ui_list_view *v);
/* s: the next sort key (its natural direction); R: the other direction.
 * Sorting stops following, and selects the first row (the interesting
 * end), except in time order, where the newest session is followed. */
void ui_list_sort_next(struct ui_list_view *v);
void ui_list_sort_reverse(struct ui_list_view *v);
/* n/N: the next/previous row, wrapping around; returns the new row index. */
size_t ui_list_step(struct ui_list_view *v, int dir);
/* Rules hit by any session, to cycle the rule filter: next after `cur` (-1 = first), -1 after the last. */
int ui_next_rule(const struct ui_model *m, int cur);

/* "ERR stat-uidl-count +2", "WRN retr-size", "ntc login-failed", "" */
char *ui_session_flags(const struct ui_session *s, char *buf, size_t n);
/* The same in at most w columns, naming as many rules as fit (worst
 * first; `first`, the rule filtered on, before all; -1 for none) and
 * "+k" for the rest: "ERR stat-uidl-count, listing-numbers +3". */
char *ui_session_flags_fit(const struct ui_session *s, int first, int w, char *buf, size_t n);

/* ---- the ladder of one session ---------------------------------------------- */

enum ui_ll_kind {
	UI_LL_TITLE,       /* session summary line */
	UI_LL_FINDING,     /* "ERROR stat-uidl-count: STAT said ..." */
	UI_LL_INFO,        /* RFC basis, client symptom */
	UI_LL_EVIDENCE,    /* "#12 13:04:05.123 STAT -> +OK 1 554" */
	UI_LL_HEADER,      /* column titles */
	UI_LL_REQ,         /* a client command (left) */
	UI_LL_REP,         /* a server reply (right) */
	UI_LL_BODY,        /* folded body: "RETR 3 → 4 211 octets, 87 lines" */
	UI_LL_ENTRY,       /* one LIST/UIDL entry, when expanded */
	UI_LL_NOTE,        /* "... 120 more entries not kept", drops, blank */
	UI_LL_WAIT,        /* the command still waiting: "waiting 3.20s, 412 lines so far" (server side) */
};

#define UI_LL_TEXT 600
struct ui_ll {
	enum ui_ll_kind kind;
	int sev;                  /* -1 none, else enum severity (findings, evidence marks) */
	bool evidence;            /* this command/reply is cited by a finding */
	bool expandable, expanded;
	uint64_t txn_index;       /* REQ/REP/BODY/ENTRY */
	char time[24];            /* "+1.234" relative to the session start */
	char frame[24];           /* "#123" */
	char lat[16];             /* REP: latency */
	char text[UI_LL_TEXT];
};

#define UI_EXPAND_MAX 64
/* What the session panel asks of the ladder: what is expanded, whether
 * findings fold to one line each, and the clock for a waiting command. */
struct ui_expand {
	uint64_t idx[UI_EXPAND_MAX]; /* expanded transactions, and findings as UI_FX_KEY(i) */
	size_t n;
	bool fold_findings;          /* each finding one line; Enter expands it */
	uint64_t now_us;             /* live: the wall clock; a file: the capture's last time */
	bool live;
};
#define UI_FX_KEY(i) (UINT64_MAX - (uint64_t)(i))
/* Lines the findings take unfolded (finding, basis, evidence). */
size_t ui_findings_lines(const struct ui_session *s);
bool ui_expand_has(const struct ui_expand *x, uint64_t idx);
void ui_expand_toggle(struct ui_expand *x, uint64_t idx);

struct ui_ladder {
	struct ui_ll *l;          /* owned */
	size_t n, cap;
	size_t first_txn_line;    /* where the transcript starts */
};
void ui_ladder_fini(struct ui_ladder *ld);
void ui_ladder_build(struct ui_ladder *ld, const struct ui_session *s, const struct ui_expand *x,
		     const struct ui_glyphs *g);
/* "RETR 3 → 4 211 octets, 87 lines" */
char *ui_fold_text(char *buf, size_t n, const struct ledger_txn *t, const struct ui_glyphs *g);

/* ---- servers ------------------------------------------------------------------ */

struct ui_server_row {
	const struct ui_server *srv;
	const struct ui_account *acct; /* NULL on a server row */
	uint64_t p50, p90, p99;        /* server rows: reply latency (us), 0 without samples */
};
/* Percentile (0..100) of the server's latency samples, nearest rank. */
uint64_t ui_server_percentile(const struct ui_server *v, unsigned pct);
/* Rows: servers (worst first, then by address and port), each followed by
 * its accounts unless folded (ui_server.folded), then "(no login)" and
 * "(other accounts)" when they hold sessions, so the rows add up. Returns the count. */
size_t ui_server_rows(const struct ui_model *m, struct ui_server_row *out, size_t max);
/* "stat-uidl-count, retr-size" */
char *ui_rules_text(uint64_t rules, char *buf, size_t n);
/* The same in at most w columns, cut between names: "stat-uidl-count, +2 more" (panel_servers.c). */
char *ui_rules_fit(uint64_t rules, int w, char *buf, size_t n);

/* ---- the wall ---------------------------------------------------------------------- */

/* "13:04:05 10.0.0.1 bob: STAT said 1 message (554 octets); UIDL listed 0" */
char *ui_recent_text(const struct ui_recent *r, char *buf, size_t n);

#endif
