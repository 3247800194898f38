/*
 * publish.c - JSON lines to a Redis Stream from a thread of its own
 * (see publish.h).
 *
 * The sinks' thread appends each line to a ring of bytes (a record is its
 * sequence number, its length and its bytes) under a mutex, and drops it
 * if the ring is full: it never waits for Redis. The publishing thread
 * takes up to PUBLISH_BATCH_LINES lines at a time into a batch of its own,
 * sends them as one pipeline of XADDs, lines in a row packed into an entry
 * (Redis takes about 110,000 XADDs a second on the 2-core test machine,
 * fewer than the events a file read at full speed makes), and reads the
 * replies; a batch stays until Redis has answered each of its entries, so a connection lost
 * mid-batch loses nothing: after reconnecting, the tail of the stream
 * tells which of them arrived (this run's highest seq there) and the rest
 * are sent again. Connection attempts back off from 100 ms to 5 s.
 *
 * Messages: Redis unreachable at the start or lost later is said once
 * each time it happens (and that it came back), on stderr, or kept for
 * the end when a dashboard owns the terminal.
 */
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "publish.h"
#include "sinks.h"
#include "util.h"

#define PUBLISH_BATCH_LINES 512
#define PUBLISH_BATCH_BYTES (1u << 20)
#define PUBLISH_ENTRY_LINES 64         /* lines one stream entry may carry */
#define PUBLISH_ENTRY_BYTES (256u * 1024)
#define PUBLISH_TIMEOUT_MS 2000        /* connect, and each reply */
#define PUBLISH_BACKOFF_MIN_MS 100
#define PUBLISH_BACKOFF_MAX_MS 5000
#define PUBLISH_DRAIN_STALL_MS 3000    /* at the end: give up after this long without progress */
#define PUBLISH_LINGER_MS 20          /* lines this young wait for company (see publisher_main) */
#define PUBLISH_DEDUPE_SCAN 2000       /* stream entries read back after a lost connection */
#define PUBLISH_MSG_MAX 2048

struct rec_hdr {
	uint64_t seq;
	uint32_t len;
};

struct batch_line {
	uint64_t seq;
	size_t off, len;
};

struct publisher {
	struct redis_target t;
	char sensor[SENSOR_NAME_MAX];
	char run[40];
	char maxlen[24];
	bool quiet;

	pthread_mutex_t mu;
	pthread_cond_t cv;           /* lines arrived, or stop */
	pthread_cond_t space;        /* the ring has room again, or Redis went away */
	bool wait_for_room;          /* a file: a full ring waits while Redis takes lines */
	bool producer_waiting;
	uint8_t *ring;
	size_t cap, head, used;      /* head: oldest byte */
	size_t nrec;                 /* lines in the ring */
	bool waiting;                /* the thread sleeps on cv: the ring is empty */
	bool lingering;              /* the thread waits for a fuller batch */
	bool stop;                   /* finish: send what is left, then end */
	pthread_t thread;
	bool started;

	/* the thread's own */
	redisContext *c;
	char *bbuf;
	size_t blen;
	struct batch_line blines[PUBLISH_BATCH_LINES];
	size_t bn;
	bool unacked;                /* the batch was sent, not every reply read */
	unsigned backoff_ms;
	bool said_down;

	char msg[PUBLISH_MSG_MAX];   /* kept messages (quiet), under mu */

	_Atomic uint64_t events, sent, dropped, rejected, reconnects, buffered;
	_Atomic bool connected;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void say(struct publisher *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct publisher *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!p->quiet) {
		fprintf(stderr, "pop3mon: %s\n", line);
		return;
	}
	pthread_mutex_lock(&p->mu);
	size_t have = strlen(p->msg);
	if (have + strlen(line) + 2 < sizeof(p->msg))
		snprintf(p->msg + have, sizeof(p->msg) - have, "%s%s", have ? "\n" : "", line);
	pthread_mutex_unlock(&p->mu);
}

/* ---- the ring (under mu) ---- */

static void ring_put(struct publisher *p, const void *src, size_t n)
{
	size_t at = (p->head + p->used) % p->cap;
	size_t first = n < p->cap - at ? n : p->cap - at;
	memcpy(p->ring + at, src, first);
	memcpy(p->ring, (const uint8_t *)src + first, n - first);
	p->used += n;
}

static void ring_get(struct publisher *p, void *dst, size_t n)
{
	size_t first = n < p->cap - p->head ? n : p->cap - p->head;
	memcpy(dst, p->ring + p->head, first);
	memcpy((uint8_t *)dst + first, p->ring, n - first);
	p->head = (p->head + n) % p->cap;
	p->used -= n;
}

/* Enough lines wait to fill a batch well: the thread sends without
 * lingering. Under mu. */
static bool batch_ready(const struct publisher *p)
{
	return p->nrec >= PUBLISH_BATCH_LINES / 2 || p->used >= PUBLISH_BATCH_BYTES / 2;
}

void publisher_line(struct publisher *p, const char *line, size_t n)
{
	struct rec_hdr h = { 0, (uint32_t)n };
	if (n >= PUBLISH_BATCH_BYTES) { /* cannot travel in a batch: counted, not sent */
		atomic_fetch_add(&p->events, 1);
		atomic_fetch_add(&p->dropped, 1);
		return;
	}
	pthread_mutex_lock(&p->mu);
	h.seq = atomic_fetch_add(&p->events, 1) + 1;
	while (p->wait_for_room && p->cap - p->used < sizeof(h) + n && !p->stop &&
	       atomic_load(&p->connected)) {
		p->producer_waiting = true;
		pthread_cond_wait(&p->space, &p->mu);
		p->producer_waiting = false;
	}
	if (p->cap - p->used < sizeof(h) + n || p->stop) {
		atomic_fetch_add(&p->dropped, 1);
	} else {
		ring_put(p, &h, sizeof(h));
		ring_put(p, line, n);
		p->nrec++;
		atomic_store(&p->buffered, p->used);
		if (p->waiting || (p->lingering && batch_ready(p)))
			pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}

/* Moves lines from the ring into the (empty) batch. Under mu. */
static void batch_fill(struct publisher *p)
{
	p->blen = 0;
	p->bn = 0;
	while (p->used && p->bn < PUBLISH_BATCH_LINES) {
		struct rec_hdr h;
		size_t save_head = p->head, save_used = p->used;
		ring_get(p, &h, sizeof(h));
		if (p->bn && p->blen + h.len + 1 > PUBLISH_BATCH_BYTES) {
			p->head = save_head; /* the next batch's */
			p->used = save_used;
			break;
		}
		ring_get(p, p->bbuf + p->blen, h.len);
		p->nrec--;
		p->blines[p->bn++] = (struct batch_line){ h.seq, p->blen, h.len };
		p->blen += h.len;
		p->bbuf[p->blen++] = '\n'; /* so lines in a row are one entry's value */
	}
	atomic_store(&p->buffered, p->used);
	if (p->producer_waiting)
		pthread_cond_signal(&p->space);
}

/* ---- the connection (the thread's) ---- */

static void disconnect(struct publisher *p, const char *why)
{
	if (!p->c)
		return;
	say(p, "%s: lost Redis (%s); reconnecting, events are buffered", p->t.url, why);
	redisFree(p->c);
	p->c = NULL;
	atomic_store(&p->connected, false);
	pthread_mutex_lock(&p->mu);
	pthread_cond_signal(&p->space); /* a waiting producer drops instead */
	pthread_mutex_unlock(&p->mu);
	p->backoff_ms = PUBLISH_BACKOFF_MIN_MS;
	p->said_down = true; /* said: the failed attempts that follow say nothing more */
}

/* After a lost connection: drop from the batch the lines the stream
 * already has (this run's highest seq among its last entries). */
static int batch_dedupe(struct publisher *p)
{
	redisReply *r = redisCommand(p->c, "XREVRANGE %s + - COUNT %d", p->t.key, PUBLISH_DEDUPE_SCAN);
	if (!r)
		return -1;
	uint64_t have = 0;
	if (r->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i < r->elements && !have; i++) {
			redisReply *e = r->element[i];
			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
			    e->element[1]->type != REDIS_REPLY_ARRAY)
				continue;
			redisReply *f = e->element[1];
			bool me = false, run = false;
			uint64_t seq = 0, n = 1;
			for (size_t k = 0; k + 1 < f->elements; k += 2) {
				const char *name = f->element[k]->str, *val = f->element[k + 1]->str;
				if (!name || !val)
					continue;
				if (!strcmp(name, "sensor"))
					me = !strcmp(val, p->sensor);
				else if (!strcmp(name, "run"))
					run = !strcmp(val, p->run);
				else if (!strcmp(name, "seq"))
					seq = strtoull(val, NULL, 10);
				else if (!strcmp(name, "n"))
					n = strtoull(val, NULL, 10);
			}
			if (me && run && seq && n)
				have = seq + n - 1;
		}
	}
	freeReplyObject(r);
	size_t skip = 0;
	while (skip < p->bn && p->blines[skip].seq <= have)
		skip++;
	if (skip) {
		atomic_fetch_add(&p->sent, skip);
		memmove(p->blines, p->blines + skip, (p->bn - skip) * sizeof(p->blines[0]));
		p->bn -= skip;
	}
	p->unacked = false;
	return 0;
}

static bool try_connect(struct publisher *p)
{
	char err[400];
	p->c = redis_target_connect(&p->t, PUBLISH_TIMEOUT_MS, err, sizeof(err));
	if (!p->c) {
		if (!p->said_down)
			say(p, "%s; publishing will retry (local outputs go on)", err);
		p->said_down = true;
		return false;
	}
	if (p->unacked && batch_dedupe(p) < 0) {
		redisFree(p->c);
		p->c = NULL;
		return false;
	}
	if (p->said_down)
		say(p, "%s: connected; publishing", p->t.url);
	p->said_down = false;
	p->backoff_ms = PUBLISH_BACKOFF_MIN_MS;
	atomic_store(&p->connected, true);
	return true;
}

/* How many of the batch's lines from i go in one entry: consecutive
 * seqs (a line dropped between two starts a new entry), at most
 * PUBLISH_ENTRY_LINES and PUBLISH_ENTRY_BYTES. */
static size_t entry_lines(const struct publisher *p, size_t i)
{
	size_t n = 1, bytes = p->blines[i].len;
	while (i + n < p->bn && n < PUBLISH_ENTRY_LINES &&
	       p->blines[i + n].seq == p->blines[i].seq + n &&
	       bytes + p->blines[i + n].len + 1 <= PUBLISH_ENTRY_BYTES) {
		bytes += p->blines[i + n].len + 1;
		n++;
	}
	return n;
}

/* The batch as one pipeline of XADDs, each entry carrying the lines that
 * queued together (one when traffic is light). Returns 0 when every entry
 * was answered; what was answered leaves the batch either way. */
static int batch_send(struct publisher *p)
{
	char seq[24], cnt[12];
	size_t groups[PUBLISH_BATCH_LINES], ng = 0;
	for (size_t i = 0; i < p->bn; i += groups[ng++]) {
		groups[ng] = entry_lines(p, i);
		const struct batch_line *first = &p->blines[i], *last = &p->blines[i + groups[ng] - 1];
		snprintf(seq, sizeof(seq), "%" PRIu64, first->seq);
		snprintf(cnt, sizeof(cnt), "%zu", groups[ng]);
		const char *argv[16] = { "XADD", p->t.key, "MAXLEN", "~", p->maxlen, "*",
					 "sensor", p->sensor, "run", p->run, "seq", seq, "n", cnt,
					 "events", p->bbuf + first->off };
		size_t argl[16];
		for (int k = 0; k < 15; k++)
			argl[k] = strlen(argv[k]);
		argl[15] = last->off + last->len - first->off; /* the lines, '\n' between */
		if (redisAppendCommandArgv(p->c, 16, argv, argl) != REDIS_OK)
			return -1;
	}
	p->unacked = true;
	size_t done = 0, lines = 0;
	int rc = 0;
	while (done < ng) {
		redisReply *r = NULL;
		if (redisGetReply(p->c, (void **)&r) != REDIS_OK || !r) {
			rc = -1;
			break;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			uint64_t n = atomic_fetch_add(&p->rejected, groups[done]);
			if (n == 0)
				say(p, "%s: Redis refused an entry: %.*s (counted in stats, not retried)",
				    p->t.url, (int)(r->len > 200 ? 200 : r->len), r->str);
		} else {
			atomic_fetch_add(&p->sent, groups[done]);
		}
		freeReplyObject(r);
		lines += groups[done++];
	}
	memmove(p->blines, p->blines + lines, (p->bn - lines) * sizeof(p->blines[0]));
	p->bn -= lines;
	if (rc == 0)
		p->unacked = false;
	return rc;
}

/* Sleeps the backoff (a stop wakes it early) and doubles it. */
static void backoff_wait(struct publisher *p)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)(p->backoff_ms % 1000) * 1000000L;
	until.tv_sec += p->backoff_ms / 1000 + until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&p->mu);
	if (!p->stop)
		pthread_cond_timedwait(&p->cv, &p->mu, &until);
	pthread_mutex_unlock(&p->mu);
	p->backoff_ms = p->backoff_ms * 2 > PUBLISH_BACKOFF_MAX_MS ? PUBLISH_BACKOFF_MAX_MS : p->backoff_ms * 2;
}

/* Lines that just came wait up to PUBLISH_LINGER_MS for more, unless a
 * batch's worth is already there: one wake-up and one round trip then
 * carry many lines in full entries. Sending each line as it came cost a
 * context switch on both sides and an XADD per few lines: +49 % wall
 * time on a file read at full speed on two cores shared with Redis. Live,
 * 20 ms more delay on the way to a wall is nothing. Under mu. */
static void linger(struct publisher *p)
{
	if (p->stop || batch_ready(p))
		return;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += PUBLISH_LINGER_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	p->lingering = true;
	while (!p->stop && !batch_ready(p))
		if (pthread_cond_timedwait(&p->cv, &p->mu, &until) != 0)
			break; /* the time is up */
	p->lingering = false;
}

static void *publisher_main(void *arg)
{
	struct publisher *p = arg;
	uint64_t last_progress = 0;
	prctl(PR_SET_NAME, "pop3mon-publish"); /* for top -H and perf; a name is a help, not a need */
	for (;;) {
		pthread_mutex_lock(&p->mu);
		bool stopping = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (!p->c && !try_connect(p)) {
			if (stopping)
				break; /* unreachable at the end: give up at once */
			backoff_wait(p);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		if (p->bn == 0) {
			while (!p->used && !p->stop) {
				p->waiting = true;
				pthread_cond_wait(&p->cv, &p->mu);
				p->waiting = false;
			}
			if (!p->used && p->stop) {
				pthread_mutex_unlock(&p->mu);
				break;
			}
			linger(p);
			batch_fill(p);
		}
		if (p->stop && !stopping) {
			stopping = true;
			last_progress = mono_ms();
		}
		pthread_mutex_unlock(&p->mu);

		size_t before = p->bn;
		if (batch_send(p) < 0) {
			char why[200];
			snprintf(why, sizeof(why), "%s", p->c->errstr[0] ? p->c->errstr : "no reply");
			disconnect(p, why);
			atomic_fetch_add(&p->reconnects, 1);
		}
		if (p->bn < before)
			last_progress = mono_ms();
		if (stopping && mono_ms() - last_progress > PUBLISH_DRAIN_STALL_MS)
			break;
	}
	return NULL;
}

struct publisher *publisher_new(const struct publish_opts *o, char *errbuf, size_t errlen)
{
	struct publisher *p = xcalloc(1, sizeof(*p));
	p->t = *o->target;
	strlcpy_safe(p->sensor, o->sensor, sizeof(p->sensor));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(p->run, sizeof(p->run), "%lld.%06ld-%ld", (long long)now.tv_sec, now.tv_nsec / 1000,
		 (long)getpid());
	snprintf(p->maxlen, sizeof(p->maxlen), "%" PRIu64, o->maxlen);
	p->quiet = o->quiet;
	p->cap = o->buffer_bytes < 64 * 1024 ? 64 * 1024 : o->buffer_bytes;
	p->ring = xmalloc(p->cap);
	p->bbuf = xmalloc(PUBLISH_BATCH_BYTES + 1);
	p->backoff_ms = PUBLISH_BACKOFF_MIN_MS;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->space, NULL);
	p->wait_for_room = o->wait_for_room;
	if (pthread_create(&p->thread, NULL, publisher_main, p) != 0) {
		snprintf(errbuf, errlen, "%s: cannot start the publishing thread", p->t.url);
		publisher_free(p);
		return NULL;
	}
	p->started = true;
	return p;
}

void publisher_stats(const struct publisher *p, struct publish_stats *st)
{
	struct publisher *q = (struct publisher *)p; /* atomics are read, not changed */
	memset(st, 0, sizeof(*st));
	if (!p)
		return;
	st->enabled = true;
	st->connected = atomic_load(&q->connected);
	st->events = atomic_load(&q->events);
	st->sent = atomic_load(&q->sent);
	st->dropped = atomic_load(&q->dropped);
	st->rejected = atomic_load(&q->rejected);
	st->reconnects = atomic_load(&q->reconnects);
	st->buffered_bytes = atomic_load(&q->buffered);
}

uint64_t publisher_drain(struct publisher *p)
{
	if (!p || !p->started)
		return 0;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cv);
	pthread_cond_signal(&p->space);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	p->started = false;
	/* What is still in the ring or the batch was not sent. */
	uint64_t left = p->bn;
	while (p->used) {
		struct rec_hdr h;
		ring_get(p, &h, sizeof(h));
		p->head = (p->head + h.len) % p->cap;
		p->used -= h.len;
		left++;
	}
	p->nrec = 0;
	p->bn = 0;
	atomic_fetch_add(&p->dropped, left);
	atomic_store(&p->buffered, 0);
	if (p->c) {
		redisFree(p->c);
		p->c = NULL;
		atomic_store(&p->connected, false);
	}
	if (left)
		say(p, "%s: %" PRIu64 " event%s not published (Redis unreachable)", p->t.url, left,
		    left == 1 ? "" : "s");
	return atomic_load(&p->dropped) + atomic_load(&p->rejected);
}

const char *publisher_message(const struct publisher *p)
{
	return p && p->msg[0] ? p->msg : NULL;
}

void publisher_free(struct publisher *p)
{
	if (!p)
		return;
	publisher_drain(p);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->space);
	memset(p->t.password, 0, sizeof(p->t.password));
	free(p->ring);
	free(p->bbuf);
	free(p);
}

/* ---- the sink: a JSON writer whose lines go to the publisher ---- */

struct pub_sink {
	struct sink json;
	struct publisher *p;
};

static void line_to_publisher(void *ctx, const char *line, size_t n)
{
	publisher_line(ctx, line, n);
}

static void pub_event(void *self, const struct event *e)
{
	struct pub_sink *s = self;
	if (e->type == EV_STATS && e->stats) {
		/* The publisher's counters as they are now, at this line (the
		 * copy main filled was taken before the lines ahead of it came). */
		struct ev_stats st = *e->stats;
		struct event e2 = *e;
		publisher_stats(s->p, &st.publish);
		e2.stats = &st;
		s->json.ops->event(s->json.self, &e2);
		return;
	}
	s->json.ops->event(s->json.self, e);
}

static int pub_finish(void *self, char *errbuf, size_t errlen)
{
	struct pub_sink *s = self;
	int rc = s->json.ops->finish(s->json.self, errbuf, errlen);
	publisher_drain(s->p); /* an unreachable Redis is said, not an error of the run */
	return rc;
}

static void pub_free(void *self)
{
	struct pub_sink *s = self;
	if (!s)
		return;
	s->json.ops->free(s->json.self);
	publisher_free(s->p);
	free(s);
}

static const struct sink_ops pub_ops = {
	.name = "publish",
	.event = pub_event,
	.finish = pub_finish,
	.free = pub_free,
};

void publisher_tee(struct publisher *p, struct json_opts *jo)
{
	jo->line_fn = line_to_publisher;
	jo->line_ctx = p;
}

struct sink publisher_sink(struct publisher *p, const char *sensor, bool stats_only)
{
	struct sink out = { 0 };
	struct json_opts jo = { .stats_events = true, .flush_sessions = false, .host = sensor,
				.line_fn = line_to_publisher, .line_ctx = p };
	jo.filter.rule = -1;
	char err[64];
	struct pub_sink *s = xcalloc(1, sizeof(*s));
	s->json = json_sink_new(NULL, &jo, err, sizeof(err));
	s->p = p;
	out.ops = &pub_ops;
	out.self = s;
	out.skip = stats_only ? ~EV_BIT(EV_STATS) : s->json.skip;
	return out;
}
