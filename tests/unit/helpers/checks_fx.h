/*
 * checks_fx.h - the fixture of the session-rule tests (test_checks*.c):
 * one checks instance over an account store, transactions built by hand
 * in TRANSACTION state, and the findings they raise collected for the
 * expectations (cfx_expect: exactly one finding of a rule).
 */
#ifndef TESTS_CHECKS_FX_H
#define TESTS_CHECKS_FX_H

#include <stdbool.h>
#include <stdint.h>

#include "checks.h"
#include "event.h"
#include "../../src/session/checks_priv.h"

#define MAX_F 64

struct fx {
	struct checks_opts o;
	struct account_store *store;
	struct checks *k;
	struct pop3_conn_info ci;
	struct finding f[MAX_F];
	int nf;
	uint64_t index, frame;
	/* listing storage for the txn being built */
	struct pop3_entry ent[64];
	char uids[4096];
};

void cfx_session(struct fx *x);
int cfx_setup(void **state);
int cfx_teardown(void **state);
struct pop3_txn cfx_mk(struct fx *x, enum pop3_cmd cmd, const char *args, enum pop3_status st,
		       const char *text);
void cfx_run(struct fx *x, const struct pop3_txn *t);
void cfx_cmd(struct fx *x, enum pop3_cmd c, const char *args, enum pop3_status st,
	     const char *text);
void cfx_listing(struct fx *x, bool uidl, const char *const *lines, int n);
const struct finding *cfx_find(struct fx *x, enum rule_id r);
void cfx_expect(struct fx *x, enum rule_id r, enum severity sev, const char *part);
void cfx_expect_none(struct fx *x);
void cfx_retr(struct fx *x, const char *n, uint64_t octets, uint64_t lines, const char *text);
void cfx_authz(struct fx *x, enum pop3_cmd c, const char *args, enum pop3_status st,
	       const char *text);

/* cmocka_unit_test with the fixture made and freed around the test */
#define T(f) cmocka_unit_test_setup_teardown(f, cfx_setup, cfx_teardown)

#endif
