/*
 * event_reader.h - a source of events: JSON lines as written by --json
 * (src/output/JSON-SCHEMA.md, schema_version EVENT_SCHEMA_VERSION) turned
 * back into the events they were written from and handed to an event bus,
 * so the same sinks (dashboard, wall, report, JSON) render them. It never
 * reaches into the dissector: what a sink shows is in the lines.
 *
 * src/events/from_json.c parses one line (jansson), src/events/event_reader.c
 * keeps the sessions open between their lines and checks the order, and
 * src/events/from_files.c reads files (--from FILE, "-" for stdin), several
 * merged in time order.
 *
 * Every refused line is one message, "ORIGIN:LINE: problem" (no program
 * name): not JSON, another schema_version, a missing or mistyped field, an
 * event for a session never opened (or already closed), a duplicate line,
 * a line over EVENT_READER_LINE_MAX, a last line with no newline. The line
 * is skipped and the rest goes on. Memory is bounded: at most
 * sessions_max sessions open, a few hashes per session, one line.
 */
#ifndef POP3MON_EVENT_READER_H
#define POP3MON_EVENT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

#define EVENT_READER_LINE_MAX (4u << 20)       /* a longer line is refused unread */
#define EVENT_READER_SESSIONS_MAX 32768        /* open sessions kept (as FLOW_MAX_DEFAULT) */
#define EVENT_READER_MESSAGES_KEPT 50          /* with errs == NULL: the first ones kept */

struct event_reader_opts {
	struct event_bus *bus;  /* where the events go (borrowed) */
	/* How many origins (files, streams) will feed the reader: their flow
	 * ids are spread so two origins' sessions never share one (with one
	 * origin, ids are kept as they are, so --json writes them again).
	 * An origin past this many is refused. 0 means 1. */
	unsigned origins;
	size_t sessions_max;    /* 0: EVENT_READER_SESSIONS_MAX */
	/* Messages: written here as they come (one line each, prefixed with
	 * "pop3mon: "), or with NULL kept (the first EVENT_READER_MESSAGES_KEPT,
	 * the rest counted) for event_reader_print_messages (the dashboard
	 * owns the terminal while it runs). */
	FILE *errs;
};

struct event_reader;

struct event_reader *event_reader_new(const struct event_reader_opts *o);
void event_reader_free(struct event_reader *r);

/*
 * One JSON line (without its newline; need not be NUL-terminated) into
 * events delivered to the bus, at once, in the order the line implies.
 * origin names where the line came from ("file.json", "redis://host/chan")
 * and lineno its line or entry number; both only go into messages and
 * tell origins apart (their sessions are kept apart, as are their ids).
 * Returns 0 when the line was taken, -1 when it was refused (the message
 * is out; the reader is as it was before the line).
 */
int event_json_feed(struct event_reader *r, const char *line, size_t len, const char *origin,
		    uint64_t lineno);

/* Refuse a line the caller could not hand over (too long, cut at the end
 * of input): the same message and count as a refused line. */
void event_reader_refuse(struct event_reader *r, const char *origin, uint64_t lineno,
			 const char *problem);

/* End of input: with several origins, the final statistics of each, summed,
 * go out as one (each origin's own went on as it came, tagged with its
 * origin, final false and ended true: struct ev_stats). Sessions still
 * open stay so (the sinks show them open). */
void event_reader_finish(struct event_reader *r);

uint64_t event_reader_refused(const struct event_reader *r);  /* lines refused */
uint64_t event_reader_flagged(const struct event_reader *r);  /* sessions closed flagged */
/* The messages kept (errs == NULL), each "pop3mon: ..." on a line. */
void event_reader_print_messages(struct event_reader *r, FILE *f);

/* The time of a line as the reader would order it: its "timestamp", or 0
 * when it has none that parses (a bad line then goes first, and is refused
 * in its turn). Cheap: only the line's start is read. */
uint64_t event_json_line_time(const char *line, size_t len);

/* --from: read each file ("-" is standard input) to its end, lines merged
 * in time order (ties: the earlier file), into the reader. tick (may be
 * NULL) is called every 1024 lines and returns false to stop. Returns 0,
 * or -1 when a file could not be opened or read (message on stderr, or
 * kept as the reader's). */
int event_read_files(struct event_reader *r, const char *const *paths, size_t n,
		     bool (*tick)(void *ctx), void *ctx);

/* Parse a timestamp as --json writes it ("2026-11-24T21:06:39.123456+0000");
 * false unless it is exactly that form. */
bool event_parse_time(const char *s, size_t n, uint64_t *ts_us);

/* ---- --from redis://... (src/events/from_redis.c; the address: redis_conn.h) ---- */

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
