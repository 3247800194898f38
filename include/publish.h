/*
 * publish.h - events to a Redis Stream (--publish). The Redis address and
 * connection, which the stream reader (--from redis://) uses too, are in
 * redis_conn.h, below both.
 *
 * The publisher takes finished JSON lines (the --json writer's own output,
 * never a second serialiser) from the sinks' thread into a bounded buffer
 * and adds them to the stream from a thread of its own, pipelined, so a
 * slow or dead Redis never slows the capture: when the buffer is full a
 * line is dropped and counted, never waited for. Each stream entry is
 *
 *     XADD KEY MAXLEN ~ N * sensor NAME run RUN seq SEQ n COUNT events LINES
 *
 * LINES being COUNT JSON lines joined by '\n' (at most 64: the lines that
 * queued within PUBLISH_LINGER_MS of the first, or while the previous
 * round trip was in flight; one when traffic is light), RUN naming the sensor's process (start time and
 * pid) and SEQ the first line's number, counted from 1 for the run: after a
 * lost connection the publisher reads the stream's tail to see which of
 * the entries it had sent unanswered arrived, so a reconnect adds no
 * duplicate, and a reader sees a gap as a jump in SEQ.
 */
#ifndef POP3MON_PUBLISH_H
#define POP3MON_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "redis_conn.h"

#define PUBLISH_MAXLEN_DEFAULT 1000000
#define PUBLISH_BUFFER_MIB_DEFAULT 16
#define PUBLISH_HEARTBEAT_S 5        /* a stats event this often while publishing */

struct publish_opts {
	const struct redis_target *target; /* parsed, password loaded */
	const char *sensor;          /* written as "host" in each event */
	uint64_t maxlen;             /* MAXLEN ~ */
	size_t buffer_bytes;
	bool quiet;                  /* a dashboard owns the terminal: keep stderr for the end */
	/* Reading files: a full buffer waits while Redis is up and taking
	 * lines (nothing is lost to a race no one is in); live, it drops. */
	bool wait_for_room;
};

struct publisher;

struct publisher *publisher_new(const struct publish_opts *o, char *errbuf, size_t errlen);
/* One JSON line (no newline). Live, never blocks on Redis: a full buffer
 * drops it; reading files (wait_for_room) it waits while Redis is up. */
void publisher_line(struct publisher *p, const char *line, size_t n);
/* Counters for the stats event (any thread). */
void publisher_stats(const struct publisher *p, struct publish_stats *st);
/* Sends what is buffered: waits while Redis takes it (at most a few
 * seconds without progress), gives up at once if Redis is unreachable.
 * Returns the number of lines that were not sent (dropped included). */
uint64_t publisher_drain(struct publisher *p);
void publisher_free(struct publisher *p);
/* The messages kept while quiet (NULL when none), for the end. */
const char *publisher_message(const struct publisher *p);

/* The sink that feeds it: a JSON lines writer (every event, stats events
 * on) whose lines go to the publisher; finish drains it. The sink owns p.
 * stats_only: the session lines come from the --json sink (publisher_tee
 * on its options, which must have no filter), this one writes the stats.
 * ledger: the session ledger of the bus that runs the sink, in whose
 * entries its JSON writer keeps its sessions' own (json_opts.ledger);
 * NULL: the writer's own. */
struct ledger;
struct sink publisher_sink(struct publisher *p, const char *sensor, bool stats_only, struct ledger *ledger);
struct json_opts;
void publisher_tee(struct publisher *p, struct json_opts *jo);

#endif
