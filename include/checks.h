/*
 * checks.h - the rules (rules.def) applied to each session's transactions.
 *
 * The checks keep, per session, every statement the server made about the
 * maildrop in the TRANSACTION epoch: the first STAT (N0, S0), the messages
 * marked deleted (D), the latest listings; and compare each new statement
 * with what came before, after subtracting D (RFC 1939 section 4: the
 * maildrop is locked, so nothing else may change it). Across sessions of
 * one account on one server, a bounded LRU store keeps unique-id -> size
 * and the DELEs of sessions that ended without QUIT.
 */
#ifndef POP3MON_CHECKS_H
#define POP3MON_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "pop3.h"
#include "util.h"

enum severity { SEV_NOTICE = 0, SEV_WARNING = 1, SEV_ERROR = 2 };
const char *severity_name(enum severity s);
/* rules.def's severity column for a rule with two: the usual one, and the
 * other its findings take on some evidence (never used outside rules.def). */
#define SEV_RANGE(usual, other) ((usual) | ((other) + 1) << 4)

enum rule_id {
#define X(id, name, sev, rfc, symptom) id,
#include "rules.def"
#undef X
	R__COUNT
};

const char *rule_name(enum rule_id r);
enum severity rule_severity(enum rule_id r);      /* the usual severity */
/* The other severity a rule's findings may take (e.g. warning when the
 * numbers come from free text); false when it has only one. */
bool rule_severity_other(enum rule_id r, enum severity *other);
/* "error", or "error/warning" for a rule with two (the usual first). */
const char *rule_severity_range(enum rule_id r);
const char *rule_rfc(enum rule_id r);
const char *rule_symptom(enum rule_id r); /* NULL when no client symptom is known */
int rule_lookup(const char *name);         /* -1 when unknown */

#define FINDING_SUMMARY_MAX 256
#define FINDING_EVIDENCE_MAX 4
#define FINDING_LINE_MAX 160

struct evidence {
	uint64_t frame;
	uint64_t ts_us;
	uint64_t txn_index;
	char line[FINDING_LINE_MAX]; /* "STAT -> +OK 1 554": raw wire text, sanitised by sinks */
};

struct finding {
	enum rule_id rule;
	enum severity sev;                  /* may be lower than the rule's (free text) */
	char summary[FINDING_SUMMARY_MAX];  /* both sides in plain words */
	struct evidence ev[FINDING_EVIDENCE_MAX];
	unsigned n_ev;
	uint64_t ts_us;                     /* when it became known */
};

typedef void (*finding_fn)(void *ctx, const struct finding *f);

struct checks_opts {
	uint64_t slow_reply_us;     /* 0: no slow-reply notices */
	uint64_t octets_tolerance;  /* stat-list-octets slack */
	size_t account_max;         /* accounts kept across sessions (LRU) */
	size_t uids_per_account_max;
	/* Seed the cross-session store's hash at random (live capture), so a
	 * stranger cannot choose uids that push an account's records out. A
	 * file is read with a fixed seed: which records a full window evicts
	 * then depends on the input alone, and the report stays the same bytes
	 * from run to run. */
	bool random_seed;
};

/* State across sessions (per account on a server). One per run. */
struct account_store;
struct account_store *account_store_new(const struct checks_opts *o);
void account_store_free(struct account_store *s);
uint64_t account_store_evicted(const struct account_store *s);

/* Per session. `server` is the server address as text; the store is borrowed. */
struct checks;
struct checks *checks_new(const struct checks_opts *o, struct account_store *store,
			  const char *server, finding_fn fn, void *ctx);
void checks_free(struct checks *k);

void checks_txn(struct checks *k, const struct pop3_txn *t, const struct pop3_conn_info *ci);
/* The session ended; `cut` says by RST or with gaps. */
void checks_close(struct checks *k, const struct pop3_conn_info *ci, bool rst, bool gaps,
		  uint64_t ts_us, uint64_t frame);

/* Counts announced in free text, e.g. "You have 0 messages totaling 554 octets".
 * Returns true when the text states a message count (and *octets_known says
 * whether it states octets too). Unknown phrasing: false, never a guess. */
struct announce {
	uint64_t count;
	uint64_t octets;
	bool octets_known;
	uint64_t hidden;      /* "(1 control message(s) hidden)", "(H hidden)" */
	bool hidden_known;
};
bool announce_parse(const char *text, struct announce *a);

#endif
