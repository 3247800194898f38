/*
 * wall_state.h - the state of one wall tile, in words, from a server's
 * aggregates and a "now". Pure: no terminal, no clock of its own, so every
 * transition is unit-tested (tests/unit/test_wall_state.c).
 *
 *   DOWN       the latest connects were refused, unanswered, got no
 *              greeting or were reset before it, and nothing answered since
 *              (whatever their age: an unreachable server is never OK)
 *   ERROR      the server contradicted itself (an error finding) lately
 *   DEGRADED   failed-login rate or slow replies above a threshold, some
 *              connects failed, or warning findings, lately
 *   RECOVERED  none of that for the quiet time, until ok_after
 *   OK         no problem, or none for ok_after
 *
 * "Lately" is the quiet time. A tile can be acknowledged: it shows ACK
 * until the server's next problem.
 */
#ifndef POP3MON_WALL_STATE_H
#define POP3MON_WALL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui_model.h"

/* Worse states compare greater. */
enum wall_state { WALL_OK, WALL_RECOVERED, WALL_DEGRADED, WALL_ERROR, WALL_DOWN, WALL__COUNT };
const char *wall_state_name(enum wall_state s); /* "OK", "RECOVERED", ... */

/* Defaults of struct wall_thresholds (flags --wall-*). */
#define WALL_FAIL_PCT 50             /* failed logins over attempts, lately */
#define WALL_FAIL_MIN 3              /* ...counted once at least this many failed */
#define WALL_SLOW_MIN 3              /* slow-reply findings lately */
#define WALL_QUIET_S 600             /* problem-free this long: RECOVERED */
#define WALL_OK_AFTER_S 3600         /* ...and this long after the last problem: OK */
#define WALL_STALE_S 30              /* capture health: no packet this long is red */

struct wall_thresholds {
	unsigned fail_pct, fail_min, slow_min;
	uint64_t quiet_us, ok_after_us, stale_us;
};
void wall_thresholds_default(struct wall_thresholds *th);

/* What the state is judged from: a server's aggregates, reduced. */
struct wall_input {
	struct ui_seen pb[UI_PB__COUNT];
	uint64_t problems;               /* problem events ever: a new one clears ACK */
	uint64_t first_ts;               /* the server's first session */
	uint64_t last_good_ts;           /* the latest sign it answers */
	uint64_t logins_ok, logins_failed, slow, connects_failed, sessions; /* within the quiet time */
	int contradiction_rule, warning_rule; /* enum rule_id, -1 */
	uint64_t contradiction_n, warning_n;  /* findings of those rules, ever */
	unsigned contradiction_rules;         /* error rules the server broke, ever */
	uint64_t logins_ok_all;               /* ever (failed logins ever: pb[UI_PB_LOGIN_FAILED].n) */
};
/* Fill `in` from server v's aggregates; "lately" counts its trend buckets
 * over the quiet time before now. */
void wall_input_from(struct wall_input *in, const struct ui_server *v, uint64_t now,
		     const struct wall_thresholds *th);

#define WALL_REASON_MAX 80
/* One tile's state, kept across updates (the wall holds one per server). */
struct wall_track {
	bool init;
	enum wall_state state;
	uint64_t since;          /* in this state since (capture time or wall clock, as now) */
	uint64_t last_problem;   /* the latest problem seen, 0 = never */
	uint64_t floor;          /* the last problem of the episode before; older problems are history */
	enum wall_state was;     /* the problem state RECOVERED recovered from */
	bool acked;
	uint64_t ack_problems;   /* in->problems when acknowledged */
	char reason[WALL_REASON_MAX];
};

/* Judge again at `now`; returns true when the state changed. */
bool wall_state_update(struct wall_track *t, const struct wall_input *in, uint64_t now,
		       const struct wall_thresholds *th);
/* Acknowledge: ACK until in->problems grows. Not on an OK tile. */
void wall_state_ack(struct wall_track *t, const struct wall_input *in);

/* "12 s", "4 min", "2 h 5 min", "3 d" */
char *wall_fmt_ago(char *buf, size_t n, uint64_t us);

/* Capture health: stale when no packet for th->stale_us (live only). */
bool wall_capture_stale(uint64_t last_packet, uint64_t now, const struct wall_thresholds *th);

#endif
