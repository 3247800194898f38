/*
 * from_redis.c - --from redis://HOST[:PORT][/DB]/KEY: the entries a
 * --publish sensor added to a Redis Stream (see publish.h for their form),
 * each of their JSON lines handed to the event reader as a line of a file
 * would be.
 *
 * Each (stream, sensor, run) is an origin of its own for the reader, named
 * "URL[SENSOR]", so two sensors' flow ids never meet; a line's number in
 * messages is the sensor's own count of its events (seq). Without follow
 * the stream is read from the start (or --since) to the last entry it had
 * when the read began, a page of XRANGE at a time; with follow, XREAD BLOCK
 * goes on after it. A connection lost is said once and made again with
 * backoff; reading resumes after the last entry read, so nothing is read
 * twice. Entries gone before they were read are said: a jump in a sensor's
 * seq (trimmed by MAXLEN, or dropped by the sensor, whose stats count
 * those), and after a reconnect Redis's own max-deleted-entry-id.
 */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_reader.h"
#include "redis_conn.h"
#include "util.h"

#define FROM_REDIS_PAGE 25           /* entries per XRANGE/XREAD (each at most 256 KiB: a reply under 6.25 MiB) */
#define FROM_REDIS_TIMEOUT_MS 5000   /* connect, and replies (XREAD BLOCK is shorter) */
#define FROM_REDIS_BLOCK_MS 200      /* follow: how long one XREAD waits, all streams */
#define FROM_REDIS_BACKOFF_MAX_MS 5000
#define ID_MAX 48                    /* "ms-seq" */

struct sensor_run {
	char *sensor, *run;
	char *origin;                /* "URL[SENSOR]" */
	uint64_t next_seq;           /* 0: none read yet */
};

struct stream_in {
	struct redis_target t;
	redisContext *c;
	char last[ID_MAX];           /* the last entry read: reading resumes after it */
	char end[ID_MAX];            /* without follow: the last entry when the read began */
	bool done;
	bool said_down;
	unsigned backoff_ms;
	uint64_t retry_at_ms;
	struct sensor_run runs[FROM_REDIS_SENSORS_MAX];
	size_t nruns;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct from_redis_counts *kept_to; /* the read's counts, for notes kept */

static void note(const struct redis_from_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(const struct redis_from_opts *o, const char *fmt, ...)
{
	char line[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (o->notes) {
		fprintf(o->notes, "pop3mon: %s\n", line);
		fflush(o->notes);
	} else if (kept_to) {
		size_t have = strlen(kept_to->msgs);
		if (have + strlen(line) + 11 < sizeof(kept_to->msgs))
			snprintf(kept_to->msgs + have, sizeof(kept_to->msgs) - have, "pop3mon: %s\n", line);
	}
}

/* "ms-seq" into two numbers; false if it is not one. */
static bool id_parse(const char *s, uint64_t *ms, uint64_t *seq)
{
	char *end;
	*ms = strtoull(s, &end, 10);
	if (end == s || *end != '-')
		return false;
	const char *q = end + 1;
	*seq = strtoull(q, &end, 10);
	return end != q && *end == '\0';
}

static int id_cmp(const char *a, const char *b)
{
	uint64_t am, as, bm, bs;
	if (!id_parse(a, &am, &as) || !id_parse(b, &bm, &bs))
		return strcmp(a, b);
	if (am != bm)
		return am < bm ? -1 : 1;
	return as < bs ? -1 : as > bs;
}

static void disconnect(struct stream_in *s, const struct redis_from_opts *o, const char *why)
{
	if (s->c) {
		note(o, "%s: lost Redis (%s); reconnecting, reading resumes after entry %s", s->t.url, why,
		     s->last);
		redisFree(s->c);
		s->c = NULL;
		s->said_down = true;
	}
	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : 100;
	if (s->backoff_ms > FROM_REDIS_BACKOFF_MAX_MS)
		s->backoff_ms = FROM_REDIS_BACKOFF_MAX_MS;
	s->retry_at_ms = mono_ms() + s->backoff_ms;
}

/* After a reconnect: were entries past the last one read deleted (MAXLEN
 * trimming) while away? Redis 7 keeps the highest deleted id. */
static void check_trimmed(struct stream_in *s, const struct redis_from_opts *o)
{
	redisReply *r = redisCommand(s->c, "XINFO STREAM %s", s->t.key);
	if (!r)
		return;
	if (r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i + 1 < r->elements; i += 2) {
			redisReply *k = r->element[i], *v = r->element[i + 1];
			if (k->str && !strcmp(k->str, "max-deleted-entry-id") && v->str &&
			    id_cmp(v->str, s->last) > 0)
				note(o, "%s: entries after %s were trimmed from the stream before they were read "
				     "(up to %s)", s->t.url, s->last, v->str);
		}
	freeReplyObject(r);
}

static bool connect_stream(struct stream_in *s, const struct redis_from_opts *o, bool first)
{
	char err[600];
	if (!first && mono_ms() < s->retry_at_ms)
		return false;
	s->c = redis_target_connect(&s->t, FROM_REDIS_TIMEOUT_MS, err, sizeof(err));
	if (!s->c) {
		if (!s->said_down)
			note(o, "%s; %s", err, o->follow ? "retrying" : "retrying (the read waits for it)");
		s->said_down = true;
		disconnect(s, o, err);
		return false;
	}
	if (s->said_down) {
		note(o, "%s: connected; reading after entry %s", s->t.url, s->last);
		if (!first)
			check_trimmed(s, o);
	}
	s->said_down = false;
	s->backoff_ms = 0;
	return true;
}

static struct sensor_run *run_of(struct stream_in *s, const char *sensor, const char *run)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (!strcmp(s->runs[i].sensor, sensor) && !strcmp(s->runs[i].run, run))
			return &s->runs[i];
	if (s->nruns == FROM_REDIS_SENSORS_MAX)
		return NULL;
	struct sensor_run *sr = &s->runs[s->nruns++];
	sr->sensor = xstrdup(sensor);
	sr->run = xstrdup(run);
	size_t n = strlen(s->t.url) + strlen(sensor) + 3;
	sr->origin = xmalloc(n);
	snprintf(sr->origin, n, "%s[%s]", s->t.url, sensor);
	return sr;
}

static const redisReply *field(const redisReply *f, const char *name)
{
	for (size_t k = 0; k + 1 < f->elements; k += 2)
		if (f->element[k]->str && !strcmp(f->element[k]->str, name))
			return f->element[k + 1];
	return NULL;
}

/* One entry [id, [field, value, ...]] into the reader. */
static void take_entry(struct stream_in *s, struct event_reader *er, const redisReply *e,
		       const struct redis_from_opts *o, struct from_redis_counts *cnt)
{
	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || !e->element[0]->str)
		return;
	const char *id = e->element[0]->str;
	strlcpy_safe(s->last, id, sizeof(s->last));
	cnt->entries++;
	const redisReply *f = e->element[1];
	char prob[200];
	const redisReply *sensor = f->type == REDIS_REPLY_ARRAY ? field(f, "sensor") : NULL;
	const redisReply *run = sensor ? field(f, "run") : NULL;
	const redisReply *seq = run ? field(f, "seq") : NULL;
	const redisReply *n = seq ? field(f, "n") : NULL;
	const redisReply *ev = n ? field(f, "events") : NULL;
	char *end;
	uint64_t first = seq && seq->str ? strtoull(seq->str, &end, 10) : 0;
	uint64_t count = n && n->str ? strtoull(n->str, &end, 10) : 0;
	if (!ev || !ev->str || !sensor->str || !run->str || first == 0 || count == 0) {
		snprintf(prob, sizeof(prob), "entry %s is not a pop3mon entry (sensor, run, seq, n, events)", id);
		event_reader_refuse(er, s->t.url, cnt->entries, prob);
		cnt->refused++;
		return;
	}
	struct sensor_run *sr = run_of(s, sensor->str, run->str);
	if (!sr) {
		snprintf(prob, sizeof(prob), "entry %s: more than %d sensor runs in one stream (skipped)", id,
			 FROM_REDIS_SENSORS_MAX);
		event_reader_refuse(er, s->t.url, cnt->entries, prob);
		cnt->refused++;
		return;
	}
	if (!sr->next_seq && first > 1 && !o->since_us) {
		note(o, "%s: the first %" PRIu64 " event%s of sensor %s are no longer in the stream "
		     "(trimmed before they were read)", s->t.url, first - 1, first == 2 ? "" : "s", sr->sensor);
		cnt->missing += first - 1;
	} else if (sr->next_seq && first > sr->next_seq) {
		note(o, "%s: %" PRIu64 " event%s of sensor %s missing before entry %s (trimmed from the "
		     "stream before they were read, or dropped by the sensor: its stats count those)",
		     s->t.url, first - sr->next_seq, first - sr->next_seq == 1 ? "" : "s", sr->sensor, id);
		cnt->missing += first - sr->next_seq;
	} else if (sr->next_seq && first < sr->next_seq) {
		snprintf(prob, sizeof(prob), "entry %s repeats events already read (skipped)", id);
		event_reader_refuse(er, sr->origin, first, prob);
		cnt->refused++;
		return;
	}
	sr->next_seq = first + count;
	const char *p = ev->str, *stop = ev->str + ev->len;
	uint64_t i = 0;
	while (p <= stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(stop - p);
		if (len)
			event_json_feed(er, p, len, sr->origin, first + i);
		cnt->lines++;
		i++;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (i != count) {
		snprintf(prob, sizeof(prob), "entry %s says n %" PRIu64 " but holds %" PRIu64 " lines", id,
			 count, i);
		event_reader_refuse(er, sr->origin, first, prob);
		cnt->refused++;
	}
}

/* The stream's last entry id now, into s->end ("" when empty). -1: the
 * connection failed; -2: Redis refused (WRONGTYPE, NOPERM), said. */
static int read_end(struct stream_in *s, const struct redis_from_opts *o)
{
	redisReply *r = redisCommand(s->c, "XREVRANGE %s + - COUNT 1", s->t.key);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		note(o, "%s: %.*s", s->t.url, (int)(r->len > 200 ? 200 : r->len), r->str);
		freeReplyObject(r);
		return -2;
	}
	s->end[0] = '\0';
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->elements == 2 &&
	    r->element[0]->element[0]->str)
		strlcpy_safe(s->end, r->element[0]->element[0]->str, sizeof(s->end));
	freeReplyObject(r);
	return 0;
}

/* One page of the stream after s->last. Returns entries taken, or -1 when
 * the connection failed (it is closed). */
static long read_page(struct stream_in *s, struct event_reader *er, const struct redis_from_opts *o,
		      unsigned block_ms, struct from_redis_counts *cnt)
{
	redisReply *r;
	char after[ID_MAX + 1];
	snprintf(after, sizeof(after), "(%s", s->last);
	if (o->follow)
		r = block_ms ? redisCommand(s->c, "XREAD COUNT %d BLOCK %u STREAMS %s %s", FROM_REDIS_PAGE,
					    block_ms, s->t.key, s->last)
			     : redisCommand(s->c, "XREAD COUNT %d STREAMS %s %s", FROM_REDIS_PAGE, s->t.key,
					    s->last);
	else
		r = redisCommand(s->c, "XRANGE %s %s %s COUNT %d", s->t.key, after, s->end, FROM_REDIS_PAGE);
	if (!r) {
		disconnect(s, o, s->c->errstr[0] ? s->c->errstr : "no reply");
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		note(o, "%s: %.*s", s->t.url, (int)(r->len > 200 ? 200 : r->len), r->str);
		freeReplyObject(r);
		s->done = true; /* WRONGTYPE, NOPERM: waiting will not help */
		cnt->failed = true;
		return 0;
	}
	const redisReply *list = r;
	if (o->follow) { /* [[key, [entries]]] or nil */
		list = NULL;
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->elements == 2)
			list = r->element[0]->element[1];
	}
	long taken = 0;
	if (list && list->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < list->elements; i++, taken++)
			take_entry(s, er, list->element[i], o, cnt);
	freeReplyObject(r);
	if (!o->follow && (taken < FROM_REDIS_PAGE || id_cmp(s->last, s->end) >= 0))
		s->done = true;
	return taken;
}

int event_read_redis(struct event_reader *er, const char *const *urls, size_t n,
		     const struct redis_from_opts *o, bool (*tick)(void *ctx), void *ctx,
		     struct from_redis_counts *cnt)
{
	struct stream_in *ss = xcalloc(n ? n : 1, sizeof(*ss));
	int rc = 0;
	char err[600];
	memset(cnt, 0, sizeof(*cnt));
	kept_to = cnt;
	for (size_t i = 0; i < n; i++) {
		struct stream_in *s = &ss[i];
		if (redis_target_parse(urls[i], &s->t, err, sizeof(err)) < 0 ||
		    redis_target_auth(&s->t, o->auth_file, err, sizeof(err)) < 0) {
			fprintf(stderr, "pop3mon: %s\n", err);
			rc = -1;
			goto out;
		}
		if (o->since_us >= 1000) /* entry ids are Redis's arrival times in ms */
			snprintf(s->last, sizeof(s->last), "%" PRIu64 "-%" PRIu64, o->since_us / 1000 - 1,
				 UINT64_MAX);
		else
			strlcpy_safe(s->last, "0-0", sizeof(s->last));
	}
	/* Without follow the read ends where each stream ended when it began:
	 * that needs Redis now; a stream whose Redis is away is waited for. */
	for (size_t i = 0; i < n; i++) {
		struct stream_in *s = &ss[i];
		bool first = true;
		while (!s->c) {
			int e = 0;
			if (connect_stream(s, o, first) && (o->follow || (e = read_end(s, o)) == 0))
				break;
			if (e == -2) { /* waiting will not help */
				cnt->failed = true;
				s->done = true;
				break;
			}
			if (s->c) {
				redisFree(s->c);
				s->c = NULL;
			}
			first = false;
			if (tick && !tick(ctx))
				goto out;
			struct timespec sl = { 0, 50 * 1000000L };
			nanosleep(&sl, NULL);
		}
		if (!o->follow && !s->end[0])
			s->done = true; /* empty, or no such key (or refused, said) */
	}
	for (;;) {
		size_t live = 0;
		long got = 0;
		for (size_t i = 0; i < n; i++) {
			struct stream_in *s = &ss[i];
			if (s->done)
				continue;
			live++;
			if (!s->c && !connect_stream(s, o, false))
				continue;
			long k = read_page(s, er, o, 0, cnt);
			if (k > 0)
				got += k;
		}
		if (!live)
			break;
		if (tick && !tick(ctx))
			break;
		if (got)
			continue;
		/* Nothing new anywhere: wait on the first stream that is up (follow),
		 * or for a reconnect's backoff. */
		struct stream_in *w = NULL;
		for (size_t i = 0; i < n && !w; i++)
			if (!ss[i].done && ss[i].c)
				w = &ss[i];
		if (w && o->follow) {
			read_page(w, er, o, FROM_REDIS_BLOCK_MS, cnt);
		} else {
			struct timespec sl = { 0, 50 * 1000000L };
			nanosleep(&sl, NULL);
		}
	}
out:
	for (size_t i = 0; i < n; i++) {
		if (ss[i].c)
			redisFree(ss[i].c);
		for (size_t k = 0; k < ss[i].nruns; k++) {
			free(ss[i].runs[k].sensor);
			free(ss[i].runs[k].run);
			free(ss[i].runs[k].origin);
		}
		memset(ss[i].t.password, 0, sizeof(ss[i].t.password));
	}
	free(ss);
	kept_to = NULL;
	if (cnt->failed)
		rc = -1;
	return rc;
}
