/*
 * dissect_fx.h - the fixture of the POP3 dissector's tests
 * (test_pop3_dissect*.c): one connection fed by hand, each call's bytes
 * a frame of their own, and every transaction it reports copied deep
 * (its listing too) for the assertions.
 */
#ifndef TESTS_DISSECT_FX_H
#define TESTS_DISSECT_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pop3.h"

#define MAX_TXNS 256

struct rtxn {
	struct pop3_txn t;
	struct pop3_entry *entries;
	char uid[8][POP3_UID_MAX + 2]; /* the first uids, as text */
};

struct fx {
	struct pop3_conn *c;
	struct rtxn tx[MAX_TXNS];
	int n;
	uint64_t frame;
};

struct fx *dfx_new(bool show_secrets, bool tls_port, bool midstream);
void dfx_free(struct fx *x);
int dfx_setup(void **state);
int dfx_teardown(void **state);
void dfx_feed(struct fx *x, int dir, const void *p, size_t n);
void dfx_cli(struct fx *x, const char *s);
void dfx_srv(struct fx *x, const char *s);
void dfx_gap(struct fx *x, int dir, uint64_t n);
void dfx_finish(struct fx *x);
const struct pop3_conn_info *dfx_info(struct fx *x);
const struct pop3_txn *dfx_tx(struct fx *x, int i);
void dfx_greet_login(struct fx *x);

#endif
