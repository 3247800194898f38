/*
 * run.h - the run's state and its loop (run.c), shared with main.c, which
 * fills struct run from the options and wires the sinks, then calls
 * run_source() for each source or run_replay() for --from.
 */
#ifndef POP3MON_RUN_H
#define POP3MON_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "decode.h"
#include "event.h"
#include "event_reader.h"
#include "flagged.h"
#include "flow.h"
#include "options.h"
#include "publish.h"
#include "save_dir.h"
#include "session.h"
#include "ui.h"
#include "pipeline.h"

/* Set by the signal handlers and the dashboard's q; read by the loop.
 * current_source lets the stop handler break a blocking read. */
extern volatile sig_atomic_t stop_requested;
extern struct source *current_source;

struct run {
	struct options *o;
	struct event_bus bus;
	struct session_mgr *sessions;
	struct flow_table *flows;
	struct flagged_writer *flagged;
	struct save_dir *save;      /* the dashboard's w/W; NULL without a dashboard */
	struct publisher *pub;      /* owned by its sink */
	struct ui *ui;
	struct decode_stats dec;
	uint64_t frames, bytes, last_ts, first_ts;
	uint64_t next_expire_ts, next_stats_wall;
	uint64_t next_live_second; /* live: wall time of the next counters read and expiry */
	struct source_stats src_stats;
	const char *source_name;
	bool input_error;
	int linktype;
	struct flow_hasher hasher; /* fixed before the sources open: the reader uses it */
	struct prep_ctx prep;      /* the reader's: the hasher and the watched ports */
	struct event_reader *replay; /* --from */
	char *redis_msgs;          /* --from redis://: notes kept while the dashboard ran */
};

uint64_t wall_now_us(void);
/* One EV_STATS event with every counter of the run (final: the last). */
void emit_stats(struct run *r, bool final);
/* Read one source to its end (or until stopped). */
void run_source(struct run *r, struct source *s);
/* --from: the events from JSON lines or redis streams, not packets. */
void replay(struct run *r);

#endif
