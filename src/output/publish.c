/*
 * publish.c - JSON lines to a Redis Stream from a thread of its own
 * (see publish.h).
 *
 * The sinks' thread appends each line to a ring of bytes (a record is its
 * sequence number, its length, its bytes and a '\n') under a mutex, and
 * drops it if the ring is full: live, it never waits for Redis. The
 * publishing thread takes up to PUBLISH_BATCH_LINES lines at a time as its
 * batch, sends them from where they lie in the ring as one pipeline of
 * XADDs written as RESP (lines in a row packed into an entry: Redis takes
 * about 110,000 XADDs a second on the 2-core test machine, fewer than the
 * events a file read at full speed makes), and reads the replies. The
 * batch's lines stay in the ring until Redis has answered each of its
 * entries, so a connection lost mid-batch loses nothing: after
 * reconnecting, the tail of the stream tells which of them arrived (this
 * run's highest seq there) and the rest are sent again. Connection
 * attempts back off from 100 ms to 5 s.
 *
 * Messages: Redis unreachable at the start or lost later is said once
 * each time it happens (and that it came back), on stderr, or kept for
 * the end when a dashboard owns the terminal.
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "publish.h"
#include "sinks.h"
#include "util.h"

#define PUBLISH_BATCH_LINES 512
#define PUBLISH_BATCH_BYTES (1u << 20)
#define PUBLISH_ENTRY_LINES 256        /* lines one stream entry may carry (see entry_lines) */
#define PUBLISH_ENTRY_BYTES (256u * 1024)
#define PUBLISH_TIMEOUT_MS 2000        /* connect, and each reply */
#define PUBLISH_BACKOFF_MIN_MS 100
#define PUBLISH_BACKOFF_MAX_MS 5000
#define PUBLISH_DRAIN_STALL_MS 3000    /* at the end: give up after this long without progress */
#define PUBLISH_LINGER_MS 20          /* lines this young wait for company (see publisher_main) */
#define PUBLISH_DEDUPE_SCAN 2000       /* stream entries read back after a lost connection */
#define PUBLISH_MSG_MAX 2048
#define PUBLISH_NICE 10                /* the thread's nice, added to the process's: below the analysis */
#define PUBLISH_HEAD_MAX 96            /* an entry's seq, n and the events length, as RESP */

struct rec_hdr {
	uint64_t seq;
	uint32_t len;
};

struct batch_line {
	uint64_t seq;
	size_t off, len;             /* the line's bytes in the ring (off: a ring position) */
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
	size_t cap, head, used;      /* head: oldest byte; used counts the batch's lines too */
	size_t taken;                /* bytes at head that are the batch's lines (in flight) */
	size_t nrec;                 /* lines in the ring not taken into the batch */
	bool waiting;                /* the thread sleeps on cv: the ring is empty */
	bool lingering;              /* the thread waits for a fuller batch */
	bool stop;                   /* finish: send what is left, then end */
	pthread_t thread;
	bool started;

	/* the thread's own */
	redisContext *c;
	char prefix[REDIS_KEY_MAX + SENSOR_NAME_MAX + 256]; /* resp_prefix: the words, 150 bytes at most, and their RESP */
	size_t prefix_len;
	char heads[PUBLISH_BATCH_LINES * PUBLISH_HEAD_MAX];  /* each entry's own fields */
	struct iovec iov[PUBLISH_BATCH_LINES * 5]; /* per entry 3, per line at most 2 */
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

static void ring_peek(const struct publisher *p, size_t at, void *dst, size_t n)
{
	size_t first = n < p->cap - at ? n : p->cap - at;
	memcpy(dst, p->ring + at, first);
	memcpy((uint8_t *)dst + first, p->ring, n - first);
}

/* A record's bytes in the ring: its header, its line and the '\n' after it. */
static size_t rec_size(size_t len)
{
	return sizeof(struct rec_hdr) + len + 1;
}

/* Enough lines wait to fill a batch well: the thread sends without
 * lingering. Under mu. */
static bool batch_ready(const struct publisher *p)
{
	return p->nrec >= PUBLISH_BATCH_LINES / 2 || p->used - p->taken >= PUBLISH_BATCH_BYTES / 2;
}

void publisher_line(struct publisher *p, const char *line, size_t n)
{
	struct rec_hdr h = { 0, (uint32_t)n };
	if (n >= PUBLISH_BATCH_BYTES || rec_size(n) > p->cap) { /* cannot travel: counted, not sent */
		atomic_fetch_add(&p->events, 1);
		atomic_fetch_add(&p->dropped, 1);
		return;
	}
	pthread_mutex_lock(&p->mu);
	h.seq = atomic_fetch_add(&p->events, 1) + 1;
	while (p->wait_for_room && p->cap - p->used < rec_size(n) && !p->stop &&
	       atomic_load(&p->connected)) {
		p->producer_waiting = true;
		pthread_cond_wait(&p->space, &p->mu);
		p->producer_waiting = false;
	}
	if (p->cap - p->used < rec_size(n) || p->stop) {
		atomic_fetch_add(&p->dropped, 1);
	} else {
		ring_put(p, &h, sizeof(h));
		ring_put(p, line, n);
		ring_put(p, "\n", 1); /* so lines in a row are one entry's value as they lie */
		p->nrec++;
		atomic_store(&p->buffered, p->used);
		if (p->waiting || (p->lingering && batch_ready(p)))
			pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}

/* Takes the ring's lines into the (empty) batch: they stay in the ring,
 * where they are sent from, until Redis has answered (batch_release).
 * Nothing is copied, so the sinks' thread waits on mu only for this walk.
 * Under mu. */
static void batch_fill(struct publisher *p)
{
	size_t at = p->head, bytes = 0;
	p->bn = 0;
	p->taken = 0;
	while (p->nrec && p->bn < PUBLISH_BATCH_LINES) {
		struct rec_hdr h;
		ring_peek(p, at, &h, sizeof(h));
		if (p->bn && bytes + h.len + 1 > PUBLISH_BATCH_BYTES)
			break; /* the next batch's */
		p->blines[p->bn++] = (struct batch_line){ h.seq, (at + sizeof(h)) % p->cap, h.len };
		bytes += h.len + 1;
		at = (at + rec_size(h.len)) % p->cap;
		p->taken += rec_size(h.len);
		p->nrec--;
	}
}

/* The batch's first n lines are done with (answered, or in the stream
 * already): their ring bytes are free again. */
static void batch_release(struct publisher *p, size_t n)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += rec_size(p->blines[i].len);
	memmove(p->blines, p->blines + n, (p->bn - n) * sizeof(p->blines[0]));
	p->bn -= n;
	pthread_mutex_lock(&p->mu);
	p->head = (p->head + bytes) % p->cap;
	p->used -= bytes;
	p->taken -= bytes;
	atomic_store(&p->buffered, p->used);
	if (p->producer_waiting)
		pthread_cond_signal(&p->space);
	pthread_mutex_unlock(&p->mu);
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
		batch_release(p, skip);
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
 * PUBLISH_ENTRY_LINES and PUBLISH_ENTRY_BYTES. Redis pays a fixed part
 * per XADD on top of the bytes (an entry this large is a stream node of
 * its own): 256 lines an entry rather than 64 took its CPU for the 1 GB
 * bench capture from 0.214 to 0.153 s; 512 saved only 0.004 s more. */
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

/* The part of every XADD that never changes on this connection: from
 * "*16" to the "run" value, formatted once (publisher_new). */
static void resp_prefix(struct publisher *p)
{
	char *o = p->prefix;
	o += sprintf(o, "*16\r\n");
	const char *words[] = { "XADD", p->t.key, "MAXLEN", "~", p->maxlen, "*", "sensor", p->sensor, "run", p->run };
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		o = redis_resp_bulk(o, words[k], strlen(words[k]));
	p->prefix_len = (size_t)(o - p->prefix);
}

/* The iovecs of ring bytes [at, at + n): two where they wrap. */
static size_t ring_iov(const struct publisher *p, struct iovec *v, size_t at, size_t n)
{
	size_t first = n < p->cap - at ? n : p->cap - at;
	v[0] = (struct iovec){ p->ring + at, first };
	if (first == n)
		return 1;
	v[1] = (struct iovec){ p->ring, n - first };
	return 2;
}

/* The batch as one pipeline of XADDs, each entry carrying the lines that
 * queued together (one when traffic is light). The commands are written
 * as RESP straight from the ring, each line with the '\n' after it but the
 * entry's last: hiredis would copy every byte twice, into a command and
 * then into its output buffer, before the kernel's own copy. hiredis
 * reads the replies. Returns 0 when every entry was
 * answered; what was answered leaves the batch either way. */
static int batch_send(struct publisher *p)
{
	size_t groups[PUBLISH_BATCH_LINES], ng = 0;
	char *h = p->heads;
	size_t niov = 0;
	for (size_t i = 0; i < p->bn; i += groups[ng++]) {
		groups[ng] = entry_lines(p, i);
		const struct batch_line *first = &p->blines[i];
		size_t len = groups[ng] - 1; /* the lines, '\n' between */
		for (size_t k = 0; k < groups[ng]; k++)
			len += first[k].len;
		char seq[24], cnt[24];
		int ls = snprintf(seq, sizeof(seq), "%" PRIu64, first->seq);
		int lc = snprintf(cnt, sizeof(cnt), "%zu", groups[ng]);
		char *h0 = h;
		h = redis_resp_bulk(h, "seq", 3);
		h = redis_resp_bulk(h, seq, (size_t)ls);
		h = redis_resp_bulk(h, "n", 1);
		h = redis_resp_bulk(h, cnt, (size_t)lc);
		h = redis_resp_bulk(h, "events", 6);
		h += sprintf(h, "$%zu\r\n", len);
		p->iov[niov++] = (struct iovec){ p->prefix, p->prefix_len };
		p->iov[niov++] = (struct iovec){ h0, (size_t)(h - h0) };
		for (size_t k = 0; k < groups[ng]; k++)
			niov += ring_iov(p, p->iov + niov, first[k].off, first[k].len + (k + 1 < groups[ng]));
		p->iov[niov++] = (struct iovec){ (void *)"\r\n", 2 };
	}
	if (redis_send_iov(p->c, p->iov, niov) < 0)
		return -1;
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
	batch_release(p, lines);
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
	/* The analysis comes first: on a busy host this thread takes the CPU
	 * the others leave (its lines wait in the ring; a file's reader waits
	 * for room, live drops and counts). Linux's nice is per thread; it is
	 * raised from the process's own (under `nice -n 19` it stays 19). */
	id_t tid = (id_t)syscall(SYS_gettid);
	errno = 0;
	int nice_now = getpriority(PRIO_PROCESS, tid);
	if (errno == 0)
		setpriority(PRIO_PROCESS, tid, nice_now + PUBLISH_NICE > 19 ? 19 : nice_now + PUBLISH_NICE);
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
			while (!p->nrec && !p->stop) {
				p->waiting = true;
				pthread_cond_wait(&p->cv, &p->mu);
				p->waiting = false;
			}
			if (!p->nrec && p->stop) {
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
	resp_prefix(p);
	p->quiet = o->quiet;
	p->cap = o->buffer_bytes < 64 * 1024 ? 64 * 1024 : o->buffer_bytes;
	p->ring = xmalloc(p->cap);
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
	/* What is still in the ring (the batch's lines are there too) was not sent. */
	uint64_t left = p->bn + p->nrec;
	p->head = p->used = p->taken = 0;
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
	free(p);
}
