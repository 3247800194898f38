/*
 * wall_state.c - a wall tile's state from a server's aggregates and a
 * "now" (see wall_state.h for the states). Pure functions of their
 * arguments: the wall passes capture time as "now" for a file and the
 * wall clock live, so a file ages exactly as the wire did.
 *
 * Design: the current condition is judged afresh at every update from the
 * aggregates (which only count up); the track remembers only what the
 * aggregates cannot say: since when the tile is in its state, the last
 * problem that justified a problem state (a failed login below the rate
 * threshold is not one), the episode before, and the acknowledgement.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "wall_state.h"

#define MINUTE_US 60000000ull

static const char *const state_names[WALL__COUNT] = {
	[WALL_OK] = "OK", [WALL_RECOVERED] = "RECOVERED", [WALL_DEGRADED] = "DEGRADED",
	[WALL_ERROR] = "ERROR", [WALL_DOWN] = "DOWN",
};

const char *wall_state_name(enum wall_state s)
{
	return (unsigned)s < WALL__COUNT ? state_names[s] : "?";
}

void wall_thresholds_default(struct wall_thresholds *th)
{
	th->fail_pct = WALL_FAIL_PCT;
	th->fail_min = WALL_FAIL_MIN;
	th->slow_min = WALL_SLOW_MIN;
	th->quiet_us = (uint64_t)WALL_QUIET_S * 1000000u;
	th->ok_after_us = (uint64_t)WALL_OK_AFTER_S * 1000000u;
	th->stale_us = (uint64_t)WALL_STALE_S * 1000000u;
}

void wall_input_from(struct wall_input *in, const struct ui_server *v, uint64_t now,
		     const struct wall_thresholds *th)
{
	memset(in, 0, sizeof(*in));
	memcpy(in->pb, v->pb, sizeof(in->pb));
	in->problems = v->problems;
	in->first_ts = v->first_ts;
	in->last_good_ts = v->last_good_ts;
	in->logins_ok_all = v->logins_ok;
	in->contradiction_rule = v->last_contradiction;
	in->warning_rule = v->last_warning;
	if (v->last_contradiction >= 0 && v->last_contradiction < R__COUNT)
		in->contradiction_n = v->rule[v->last_contradiction].n;
	if (v->last_warning >= 0 && v->last_warning < R__COUNT)
		in->warning_n = v->rule[v->last_warning].n;
	for (int r = 0; r < R__COUNT; r++)
		in->contradiction_rules += v->rule[r].n && rule_severity((enum rule_id)r) == SEV_ERROR;
	/* the minutes of the quiet time before now, this one included */
	uint64_t last = now / MINUTE_US;
	uint64_t span = th->quiet_us / MINUTE_US + 1;
	if (span > UI_TREND_MINUTES)
		span = UI_TREND_MINUTES;
	for (uint64_t k = 0; k < span && k <= last; k++) {
		const struct ui_minute *b = ui_server_minute(v, last - k);
		if (!b)
			continue;
		in->logins_ok += b->logins_ok;
		in->logins_failed += b->logins_failed;
		in->slow += b->slow;
		in->connects_failed += b->connects_failed;
		in->sessions += b->sessions;
	}
}

/* ---- the condition now ------------------------------------------------------- */

struct cond {
	enum wall_state st;      /* WALL_OK: none */
	uint64_t first, last;    /* of the problem(s) behind it */
	char reason[WALL_REASON_MAX];
};

static bool lately(uint64_t ts, uint64_t now, const struct wall_thresholds *th)
{
	return ts && (ts >= now || now - ts < th->quiet_us);
}

static const enum ui_problem connect_pb[] = { UI_PB_REFUSED, UI_PB_NO_ANSWER, UI_PB_NO_GREETING, UI_PB_RESET };
#define N_CONNECT_PB (sizeof(connect_pb) / sizeof(connect_pb[0]))

static const char *connect_words(enum ui_problem p)
{
	switch (p) {
	case UI_PB_REFUSED: return "refused";
	case UI_PB_NO_ANSWER: return "unanswered";
	case UI_PB_NO_GREETING: return "without greeting";
	default: return "reset before greeting";
	}
}

static void widen(struct cond *c, const struct ui_seen *s)
{
	if (!c->first || (s->first_ts && s->first_ts < c->first))
		c->first = s->first_ts;
	if (s->last_ts > c->last)
		c->last = s->last_ts;
}

/* The latest connect problem: its kind, or -1. */
static int latest_connect(const struct wall_input *in)
{
	int p = -1;
	for (size_t i = 0; i < N_CONNECT_PB; i++)
		if (in->pb[connect_pb[i]].n && (p < 0 || in->pb[connect_pb[i]].last_ts > in->pb[p].last_ts))
			p = (int)connect_pb[i];
	return p;
}

static void judge(struct cond *c, const struct wall_input *in, uint64_t now, const struct wall_thresholds *th)
{
	memset(c, 0, sizeof(*c));
	int lc = latest_connect(in);
	/* DOWN: nothing answered since the latest failed connect, however old */
	if (lc >= 0 && in->pb[lc].last_ts > in->last_good_ts) {
		c->st = WALL_DOWN;
		uint64_t n = 0;
		for (size_t i = 0; i < N_CONNECT_PB; i++) {
			const struct ui_seen *s = &in->pb[connect_pb[i]];
			if (s->n && s->last_ts > in->last_good_ts) {
				widen(c, s);
				n += s->n;
			}
		}
		if (c->first <= in->last_good_ts)
			c->first = in->last_good_ts + 1; /* it began after the last answer */
		snprintf(c->reason, sizeof(c->reason), "connects %s (%llu)", connect_words((enum ui_problem)lc),
			 (unsigned long long)n);
		return;
	}
	const struct ui_seen *ct = &in->pb[UI_PB_CONTRADICTION];
	if (lately(ct->last_ts, now, th)) {
		c->st = WALL_ERROR;
		widen(c, ct);
		const char *rn = in->contradiction_rule >= 0 ? rule_name((enum rule_id)in->contradiction_rule) : "contradiction";
		if (in->contradiction_rules > 1 && in->contradiction_n)
			snprintf(c->reason, sizeof(c->reason), "%s x%llu (+%u more rule%s)", rn,
				 (unsigned long long)in->contradiction_n, in->contradiction_rules - 1,
				 in->contradiction_rules > 2 ? "s" : "");
		else if (in->contradiction_n)
			snprintf(c->reason, sizeof(c->reason), "%s x%llu", rn, (unsigned long long)in->contradiction_n);
		else
			snprintf(c->reason, sizeof(c->reason), "%s x%llu", rn, (unsigned long long)ct->n);
		return;
	}
	/* DEGRADED: every reason that holds widens the episode; the first one named */
	size_t o = 0;
#define SAY(...) do { if (o < sizeof(c->reason)) \
	o += (size_t)snprintf(c->reason + o, sizeof(c->reason) - o, __VA_ARGS__); } while (0)
	uint64_t att = in->logins_failed + in->logins_ok;
	if (in->logins_failed >= th->fail_min && att && lately(in->pb[UI_PB_LOGIN_FAILED].last_ts, now, th) &&
	    in->logins_failed * 100 > (uint64_t)th->fail_pct * att) {
		c->st = WALL_DEGRADED;
		widen(c, &in->pb[UI_PB_LOGIN_FAILED]);
		SAY("failed logins %llu%% (%llu/%llu)", (unsigned long long)(in->logins_failed * 100 / att),
		    (unsigned long long)in->logins_failed, (unsigned long long)att);
	}
	if (in->slow >= th->slow_min && in->slow && lately(in->pb[UI_PB_SLOW].last_ts, now, th)) {
		c->st = WALL_DEGRADED;
		widen(c, &in->pb[UI_PB_SLOW]);
		SAY("%sslow replies (%llu)", o ? ", " : "", (unsigned long long)in->slow);
	}
	if (lc >= 0 && in->connects_failed && lately(in->pb[lc].last_ts, now, th)) {
		c->st = WALL_DEGRADED;
		for (size_t i = 0; i < N_CONNECT_PB; i++)
			if (lately(in->pb[connect_pb[i]].last_ts, now, th))
				widen(c, &in->pb[connect_pb[i]]);
		uint64_t all = in->sessions > in->connects_failed ? in->sessions : in->connects_failed;
		SAY("%s%llu of %llu connects %s", o ? ", " : "", (unsigned long long)in->connects_failed,
		    (unsigned long long)all, connect_words((enum ui_problem)lc));
	}
	const struct ui_seen *wn = &in->pb[UI_PB_WARNING];
	if (lately(wn->last_ts, now, th)) {
		c->st = WALL_DEGRADED;
		widen(c, wn);
		SAY("%s%s x%llu", o ? ", " : "",
		    in->warning_rule >= 0 ? rule_name((enum rule_id)in->warning_rule) : "warnings",
		    (unsigned long long)(in->warning_n ? in->warning_n : wn->n));
	}
#undef SAY
}

/*
 * The latest problem in the server's history: connect failures, errors and
 * warnings whatever their number; failed logins and slow replies when all
 * of them together cross the thresholds (a track that starts late, on a
 * file or after a restart, did not see them cross it lately).
 */
static uint64_t last_hard_problem(const struct wall_input *in, const struct wall_thresholds *th)
{
	static const enum ui_problem hard[] = { UI_PB_REFUSED, UI_PB_NO_ANSWER, UI_PB_NO_GREETING, UI_PB_RESET,
						UI_PB_CONTRADICTION, UI_PB_WARNING };
	uint64_t last = 0;
	for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++)
		if (in->pb[hard[i]].last_ts > last)
			last = in->pb[hard[i]].last_ts;
	const struct ui_seen *lf = &in->pb[UI_PB_LOGIN_FAILED];
	uint64_t att = lf->n + in->logins_ok_all;
	if (lf->n >= th->fail_min && lf->n && lf->n * 100 > (uint64_t)th->fail_pct * att && lf->last_ts > last)
		last = lf->last_ts;
	const struct ui_seen *sl = &in->pb[UI_PB_SLOW];
	if (sl->n >= th->slow_min && sl->n && sl->last_ts > last)
		last = sl->last_ts;
	return last;
}

char *wall_fmt_ago(char *buf, size_t n, uint64_t us)
{
	uint64_t s = us / 1000000u;
	if (s < 120)
		snprintf(buf, n, "%llu s", (unsigned long long)s);
	else if (s < 7200)
		snprintf(buf, n, "%llu min", (unsigned long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(buf, n, "%llu h %llu min", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, n, "%llu d", (unsigned long long)(s / 86400));
	return buf;
}

bool wall_state_update(struct wall_track *t, const struct wall_input *in, uint64_t now,
		       const struct wall_thresholds *th)
{
	struct cond c;
	judge(&c, in, now, th);
	enum wall_state old = t->init ? t->state : WALL__COUNT;
	if (!t->init) {
		memset(t, 0, sizeof(*t));
		t->init = true;
		t->state = WALL_OK;
	}
	if (t->acked && in->problems > t->ack_problems)
		t->acked = false;
	if (c.st >= WALL_DEGRADED) {
		if (c.last > t->last_problem)
			t->last_problem = c.last;
		if (c.st != t->state || old == WALL__COUNT) {
			/* a new episode starts with its first problem after the last one */
			t->since = c.first > t->floor ? c.first : c.last;
			t->state = c.st;
		}
		memcpy(t->reason, c.reason, sizeof(t->reason));
		return old != t->state;
	}
	uint64_t hard = last_hard_problem(in, th);
	if (hard > t->last_problem)
		t->last_problem = hard;
	if (t->state >= WALL_DEGRADED)
		t->was = t->state;
	else if (t->was == WALL_OK && hard) /* problems from before this track began */
		t->was = in->pb[UI_PB_CONTRADICTION].last_ts == hard ? WALL_ERROR
			 : latest_connect(in) >= 0 && in->pb[latest_connect(in)].last_ts == hard ? WALL_DOWN
										 : WALL_DEGRADED;
	enum wall_state ns;
	uint64_t since;
	uint64_t lp = t->last_problem;
	if (!lp) {
		ns = WALL_OK;
		since = in->first_ts ? in->first_ts : now;
		t->reason[0] = '\0';
	} else if (now < lp + th->ok_after_us) {
		ns = WALL_RECOVERED;
		since = lp + th->quiet_us < now ? lp + th->quiet_us : now;
		char ago[32];
		snprintf(t->reason, sizeof(t->reason), "recovered %s ago (was %s)",
			 wall_fmt_ago(ago, sizeof(ago), now > lp ? now - lp : 0), wall_state_name(t->was));
	} else {
		ns = WALL_OK;
		since = lp + th->ok_after_us;
		t->reason[0] = '\0';
	}
	if (t->state >= WALL_DEGRADED)
		t->floor = t->last_problem;
	if (ns != t->state || old == WALL__COUNT) {
		t->state = ns;
		t->since = since;
	}
	if (ns == WALL_OK)
		t->acked = false;
	return old != t->state;
}

void wall_state_ack(struct wall_track *t, const struct wall_input *in)
{
	if (!t->init || t->state == WALL_OK)
		return;
	t->acked = true;
	t->ack_problems = in->problems;
}

bool wall_capture_stale(uint64_t last_packet, uint64_t now, const struct wall_thresholds *th)
{
	return now > last_packet && now - last_packet >= th->stale_us;
}
