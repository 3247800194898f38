/*
 * conn_notice.h - notices of connections that never became POP3 sessions
 * and of traffic that is not POP3 (conn_notice.c). Private to src/session.
 */
#ifndef POP3MON_CONN_NOTICE_H
#define POP3MON_CONN_NOTICE_H

#include <stdarg.h>
#include <stdbool.h>

#include "checks.h"
#include "detect.h"
#include "flow.h"

struct conn_notice_opts {
	uint64_t no_answer_us, no_greeting_us; /* the flow table's timers, for the words */
};

/* The notice for a flow that ended `why`; false when the end has none. */
bool conn_notice(const struct flow *f, enum flow_end why, const struct conn_notice_opts *o,
		 struct finding *out);
/* The not-pop3 notice: what the first bytes were, from whom, where. */
void not_pop3_notice(const struct detect *d, struct finding *out);

#endif
