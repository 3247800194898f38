/*
 * run.c - the run loop, out of main.c: each frame from a source through
 * decode and the flow table, the periodic work (stats events, the
 * dashboard's tick, live expiry and kernel counters), and the --from
 * replay. main.c keeps the command line, the wiring and the exit status.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "run.h"

volatile sig_atomic_t stop_requested;
struct source *current_source;

uint64_t wall_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

void emit_stats(struct run *r, bool final)
{
	struct ev_stats st;
	memset(&st, 0, sizeof(st));
	st.ts_us = r->last_ts;
	st.first_ts_us = r->first_ts;
	st.wall_us = wall_now_us();
	st.final = final;
	st.source = r->source_name ? r->source_name : "";
	st.src = r->src_stats;
	st.frames = r->frames;
	st.bytes = r->bytes;
	st.dec = r->dec;
	st.flows = *flow_table_stats(r->flows);
	st.reasm = *flow_table_reasm_stats(r->flows);
	session_mgr_stats(r->sessions, &st);
	publisher_stats(r->pub, &st.publish);
	struct event e = { .type = EV_STATS, .ts_us = st.ts_us, .stats = &st };
	event_bus_emit(&r->bus, &e);
}

static void realtime_wait(uint64_t *base_ts, uint64_t *base_wall, uint64_t ts)
{
	if (!*base_ts) {
		*base_ts = ts;
		*base_wall = wall_now_us();
		return;
	}
	uint64_t due = *base_wall + (ts > *base_ts ? ts - *base_ts : 0);
	uint64_t now = wall_now_us();
	if (due > now) {
		uint64_t d = due - now;
		if (d > 1000000)
			d = 1000000; /* never sleep long on a gap in the capture */
		struct timespec sl = { (time_t)(d / 1000000), (long)(d % 1000000) * 1000 };
		nanosleep(&sl, NULL);
	}
}

/* One frame through the pipeline. */
static void handle_frame(struct run *r, const struct frame *fr)
{
	struct prepared here;
	const struct prepared *pp = fr->prep;
	r->frames++;
	r->bytes += fr->wirelen;
	if (!r->first_ts || fr->ts_us < r->first_ts)
		r->first_ts = fr->ts_us;
	if (fr->ts_us > r->last_ts)
		r->last_ts = fr->ts_us;
	if (!pp) {
		frame_decode_and_hash(&r->hasher, fr, &here); /* on this thread: no line counts ahead */
		pp = &here;
	}
	decode_count(&r->dec, pp->dr, &pp->pkt);
	if (pp->dr == DEC_OK || pp->dr == DEC_PAYLOAD_TRUNC) {
		struct seg_meta m = { .frame = fr->number, .ts_us = fr->ts_us,
				      .payload_note = pp->lines.data ? &pp->lines : NULL };
		uint64_t id = flow_table_packet_hashed(r->flows, &pp->pkt, &m, &pp->fh);
		if (r->flagged && id)
			flagged_writer_packet(r->flagged, id, fr);
	}
	if (fr->ts_us >= r->next_expire_ts) {
		flow_table_expire(r->flows, fr->ts_us);
		r->next_expire_ts = fr->ts_us + 1000000;
	}
}

static void maybe_periodic(struct run *r, bool ui_due)
{
	uint64_t now = wall_now_us();
	uint64_t interval = r->o->stats_interval_s ? r->o->stats_interval_s * 1000000
			  : r->ui ? 1000000 : PUBLISH_HEARTBEAT_S * 1000000ull;
	if ((r->ui || r->o->stats_interval_s || r->pub) && now >= r->next_stats_wall) {
		emit_stats(r, false);
		r->next_stats_wall = now + interval;
	}
	if (r->ui && ui_due && !ui_tick(r->ui, now))
		stop_requested = 1;
}

/* Live, once a second by the wall clock: the kernel's counters, and flows
 * idle past their timeout expired (when the ring is empty, no packet
 * timestamp moves the flow table's clock). */
static void live_second(struct run *r, struct source *s, bool idle)
{
	uint64_t now = wall_now_us();
	if (now < r->next_live_second)
		return;
	if (idle)
		flow_table_expire(r->flows, now);
	source_get_stats(s, &r->src_stats);
	r->next_live_second = now + 1000000;
}

/* The ring is empty: wait for frames, a key or the timer, whichever comes
 * first, at most LIVE_WAIT_MS, instead of asking the source again at once
 * (a quiet network then costs a few wakeups a second, not a core). On the
 * timer, once a second: the kernel's counters and idle flows expired by
 * the wall clock. A signal ends the wait early (EINTR). */
#define LIVE_WAIT_MS 100
static void live_idle(struct run *r, struct source *s)
{
	struct pollfd pf[2];
	nfds_t n = 0;
	int fd = source_wait_fd(s);
	if (fd >= 0)
		pf[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	nfds_t tty = n;
	fd = r->ui ? ui_input_fd(r->ui) : -1;
	if (fd >= 0)
		pf[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (!stop_requested && poll(pf, n, LIVE_WAIT_MS) > 0 && tty < n &&
	    (pf[tty].revents & (POLLHUP | POLLERR | POLLNVAL)))
		stop_requested = 1; /* the terminal went away: finish, do not spin on it */
	live_second(r, s, true);
	maybe_periodic(r, true);
}

/* A file's frames come decoded and hashed by the reader thread: the
 * state each will touch is fetched a few frames ahead, each step reading
 * a pointer the step before fetched a frame or two earlier: the reader's
 * prep (written on the other core), then the flow table's four steps
 * (flow.h). Near a batch's end, where the farthest is not at hand, the
 * frame goes without (one in hundreds). */
#define PREP_AHEAD 10
static void prefetch_ahead(struct run *r, const struct source *s)
{
	const uint8_t *first;
	size_t stride;
	if (source_preps_ahead(s, &first, &stride) < PREP_AHEAD)
		return;
#define AHEAD(k) ((const struct prepared *)(const void *)(first + ((k) - 1) * stride))
	__builtin_prefetch(AHEAD(PREP_AHEAD));
	__builtin_prefetch(&AHEAD(PREP_AHEAD)->fh.key);
	if (AHEAD(8)->fetch_ahead)
		flow_table_prefetch_bucket(r->flows, &AHEAD(8)->fh);
	if (AHEAD(6)->fetch_ahead)
		flow_table_prefetch_flow(r->flows, &AHEAD(6)->fh);
	unsigned f4 = AHEAD(4)->fetch_ahead;
	if (f4)
		flow_table_prefetch_links(r->flows, &AHEAD(4)->fh, f4 & PREP_FETCH_SESSION);
	if (AHEAD(2)->fetch_ahead & PREP_FETCH_SESSION)
		flow_table_prefetch_user(r->flows, &AHEAD(2)->fh);
#undef AHEAD
}

/* Read one source to its end (or until stopped). */
void run_source(struct run *r, struct source *s)
{
	char errbuf[CAPTURE_ERRBUF_SIZE];
	struct frame fr;
	uint64_t rt_base_ts = 0, rt_base_wall = 0;
	bool live = source_is_live(s);
	/* Periodic work (the heartbeat a wall judges a sensor by, the
	 * dashboard) by the clock at every frame where frames may come slowly;
	 * every 1,024 frames of a file read at full speed. A pipe that stays
	 * silent blocks in read(): no heartbeat then (the wall says SILENT). */
	bool clock_each = r->o->realtime || source_is_pipe(s);
	/* in locals: handle_frame's calls could change *r->o as far as the
	 * compiler knows, so these were loaded again for every frame */
	const bool realtime_file = r->o->realtime && !live;
	const uint64_t count = r->o->count;

	current_source = s;
	r->source_name = source_name(s);
	session_mgr_set_source(r->sessions, r->source_name);
	while (!stop_requested) {
		enum source_status st = source_next(s, &fr, errbuf);
		if (st == SOURCE_FRAME) {
			prefetch_ahead(r, s);
			if (realtime_file)
				realtime_wait(&rt_base_ts, &rt_base_wall, fr.ts_us);
			handle_frame(r, &fr);
			if (count && r->frames >= count)
				break;
			if ((r->frames & 1023) == 0 || clock_each) {
				if (live)
					live_second(r, s, false);
				maybe_periodic(r, true);
			}
			continue;
		}
		if (st == SOURCE_TIMEOUT) {
			if (live)
				live_idle(r, s);
			else
				maybe_periodic(r, true);
			continue;
		}
		if (st == SOURCE_ERROR) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			r->input_error = true;
		}
		break;
	}
	source_get_stats(s, &r->src_stats);
	r->src_stats.received = r->frames;
	current_source = NULL;
}

static bool replay_tick(void *ctx)
{
	struct run *r = ctx;
	if (r->ui && !ui_tick(r->ui, wall_now_us()))
		stop_requested = 1;
	return !stop_requested;
}

/* --from: the events come from JSON lines instead of packets; the same
 * sinks render them. The dashboard owns the terminal: the messages about
 * refused lines wait for it (main prints them). */
void replay(struct run *r)
{
	const struct options *o = r->o;
	const char *files[OPTIONS_MAX_SOURCES], *streams[OPTIONS_MAX_SOURCES];
	size_t nf = 0, ns = 0;
	for (size_t i = 0; i < o->nfrom; i++) {
		if (redis_is_url(o->from[i]))
			streams[ns++] = o->from[i];
		else
			files[nf++] = o->from[i];
	}
	/* A stream holds one origin per sensor run (their flow ids apart). */
	struct event_reader_opts ro = { .bus = &r->bus,
					.origins = (unsigned)(nf + ns * FROM_REDIS_SENSORS_MAX),
					.errs = r->ui ? NULL : stderr };
	r->replay = event_reader_new(&ro);
	if (nf && event_read_files(r->replay, files, nf, replay_tick, r) < 0)
		r->input_error = true;
	if (ns && !stop_requested) {
		/* The dashboard and the wall follow the streams; --report and
		 * --json stop at the end they had at the start, unless --follow. */
		struct redis_from_opts fo = { o->redis_auth_file, r->ui || o->follow, o->since_us,
					      r->ui ? NULL : stderr };
		struct from_redis_counts *c = xcalloc(1, sizeof(*c));
		if (event_read_redis(r->replay, streams, ns, &fo, replay_tick, r, c) < 0)
			r->input_error = true;
		if (c->msgs[0])
			r->redis_msgs = xstrdup(c->msgs);
		free(c);
	}
	event_reader_finish(r->replay);
}
