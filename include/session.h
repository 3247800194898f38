/*
 * session.h - one POP3 session per flow: the dissector, the checks and the
 * ev_session snapshot the sinks see. The session manager is the flow
 * table's listener (its callbacks match flow_cb) and the only producer of
 * session, transaction and finding events.
 */
#ifndef POP3MON_SESSION_H
#define POP3MON_SESSION_H

#include "checks.h"
#include "event.h"
#include "flow.h"
#include "pop3.h"

struct session_opts {
	bool show_secrets;
	struct checks_opts checks;
	const uint16_t *tls_ports;  /* ports where everything is TLS (995); borrowed */
	size_t ntls_ports;
	uint64_t no_answer_us, no_greeting_us; /* the flow table's timers, for the notices' words */
};

struct session_mgr;

/* The bus is borrowed for the manager's lifetime. */
struct session_mgr *session_mgr_new(const struct session_opts *o, struct event_bus *bus);
void session_mgr_free(struct session_mgr *m);
/* The name of the current capture source, for the sessions that open from
 * now on. Every name set stays valid until session_mgr_free: a session
 * that began in one file may end while the next is read. */
void session_mgr_set_source(struct session_mgr *m, const char *name);

/* Fill the session part of a stats event. */
void session_mgr_stats(const struct session_mgr *m, struct ev_stats *st);
/* Sessions with an error or warning finding so far. */
uint64_t session_mgr_flagged(const struct session_mgr *m);

/* flow_cb callbacks: pass the manager as ctx. */
void session_flow_open(void *ctx, struct flow *f);
void session_flow_close(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m);
void session_flow_data(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
		       const struct seg_meta *m);
/* flow_cb.prefetch: the dissector's state the session leads to. */
void session_flow_prefetch(void *ctx, const void *user);
void session_flow_gap(void *ctx, struct flow *f, int dir, uint64_t len, const struct seg_meta *m);

#endif
