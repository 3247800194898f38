/*
 * publish.h - events to a Redis Stream (--publish) and the Redis address
 * both the publisher and the stream reader use.
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

#define REDIS_PORT_DEFAULT 6379
#define REDIS_HOST_MAX 256
#define REDIS_USER_MAX 128
#define REDIS_KEY_MAX 512
#define REDIS_PASSWORD_MAX 512
#define PUBLISH_MAXLEN_DEFAULT 1000000
#define PUBLISH_BUFFER_MIB_DEFAULT 16
#define PUBLISH_HEARTBEAT_S 5        /* a stats event this often while publishing */

/* redis://[USER@]HOST[:PORT][/DB]/KEY */
struct redis_target {
	char host[REDIS_HOST_MAX];
	uint16_t port;
	char user[REDIS_USER_MAX];   /* "" : the default user */
	unsigned db;
	char key[REDIS_KEY_MAX];
	char password[REDIS_PASSWORD_MAX]; /* "" : no AUTH; never printed */
	char url[REDIS_USER_MAX + REDIS_HOST_MAX + REDIS_KEY_MAX + 48]; /* for messages, no secret */
};

/* Is s a redis:// address (as opposed to a file name)? */
bool redis_is_url(const char *s);

/* Parses url into t (a password in the URL is refused: it would sit on the
 * command line). Returns 0, or -1 with errbuf filled. */
int redis_target_parse(const char *url, struct redis_target *t, char *errbuf, size_t errlen);

/* The password: the first line of auth_file if given (a file others may
 * read is refused), else REDISCLI_AUTH, else none. Returns 0 or -1. */
int redis_target_auth(struct redis_target *t, const char *auth_file, char *errbuf, size_t errlen);

struct redisContext;
/* Connect (timeout in ms for the connect and every reply), AUTH, SELECT.
 * NULL with errbuf filled on failure. */
struct redisContext *redis_target_connect(const struct redis_target *t, unsigned timeout_ms,
					  char *errbuf, size_t errlen);

/* The sensor's name when --sensor is not given: the host name. */
void sensor_default_name(char *dst, size_t size);

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
 * on its options, which must have no filter), this one writes the stats. */
struct sink publisher_sink(struct publisher *p, const char *sensor, bool stats_only);
struct json_opts;
void publisher_tee(struct publisher *p, struct json_opts *jo);

/* ---- --from redis://... (src/events/from_redis.c) ---- */

#define FROM_REDIS_SENSORS_MAX 32 /* sensor runs one stream may hold (--from origins) */

struct redis_from_opts {
	const char *auth_file;       /* --redis-auth-file, or NULL (REDISCLI_AUTH) */
	bool follow;                 /* go on after the end (dashboard, --wall, --follow) */
	uint64_t since_us;           /* --since: entries Redis took from then on; 0: all */
	FILE *notes;                 /* reconnects, trimmed entries; NULL: kept in msgs */
};

struct from_redis_counts {
	uint64_t entries, lines, refused, missing;
	bool failed;                 /* a stream could not be read (WRONGTYPE, NOPERM) */
	char msgs[2048];             /* notes kept when opts.notes is NULL */
};

struct event_reader;
/* Each stream ("redis://...") read into the reader (see from_redis.c).
 * tick (may be NULL) is called between pages, and at least every 200 ms
 * while following; false stops the read. Returns 0, or -1 when a stream
 * could not be read. */
int event_read_redis(struct event_reader *er, const char *const *urls, size_t n,
		     const struct redis_from_opts *o, bool (*tick)(void *ctx), void *ctx,
		     struct from_redis_counts *cnt);

#endif
