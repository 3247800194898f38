/*
 * wall_sensors.c - the sensors a reader hears, from their events (see
 * wall_sensors.h for the rules). A sensor is found by its name as read
 * (a short linear scan: a wall shows a handful, at most WALL_SENSORS_MAX);
 * a run within it by the reader's origin, and a new run also starts when
 * the same origin's previous run ended or its frame counter went back (a
 * sensor restarted, seen in one file).
 */
#include <stdlib.h>
#include <string.h>

#include "publish.h"
#include "util.h"
#include "wall_sensors.h"

_Static_assert(WALL_HEARTBEAT_US == PUBLISH_HEARTBEAT_S * 1000000ull, "the wall knows the sensors' heartbeat");

void wall_sensors_fini(struct wall_sensors *ss)
{
	free(ss->s);
	memset(ss, 0, sizeof(*ss));
}

static struct wall_sensor *find(struct wall_sensors *ss, const char *key)
{
	char k[SENSOR_NAME_MAX];
	strlcpy_safe(k, key, sizeof(k));
	for (size_t i = 0; i < ss->n; i++)
		if (!strcmp(ss->s[i].key, k))
			return &ss->s[i];
	if (ss->n == WALL_SENSORS_MAX) {
		ss->overflow++;
		return NULL;
	}
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 4;
		ss->s = xrealloc(ss->s, ss->cap * sizeof(*ss->s));
	}
	struct wall_sensor *s = &ss->s[ss->n++];
	memset(s, 0, sizeof(*s));
	memcpy(s->key, k, sizeof(k));
	if (k[0]) {
		sanitize_text(s->name, sizeof(s->name), k);
		ss->named++;
	}
	return s;
}

static void heard(struct wall_sensor *s, uint64_t heard_us, uint64_t spoke_us, bool wall)
{
	if (heard_us > s->heard_us)
		s->heard_us = heard_us;
	/* a stats wall_time outranks event timestamps (another clock) */
	if (wall && !s->spoke_wall) {
		s->spoke_wall = true;
		s->spoke_us = spoke_us;
	} else if (spoke_us > s->spoke_us && (wall || !s->spoke_wall)) {
		s->spoke_us = spoke_us;
	}
}

int wall_sensors_event(struct wall_sensors *ss, const char *sensor, uint64_t ts_us, uint64_t heard_us)
{
	if (!sensor || !sensor[0])
		return -1;
	struct wall_sensor *s = find(ss, sensor);
	if (!s)
		return -1;
	heard(s, heard_us, ts_us, false);
	return (int)(s - ss->s);
}

void run_figures_of(struct run_figures *f, const struct ev_stats *st)
{
	f->frames = st->frames;
	f->bytes = st->bytes;
	f->kernel_drops = st->src.kernel_drops;
	f->iface_drops = st->src.iface_drops;
	f->publish_dropped = st->publish.dropped;
	f->sessions_total = st->sessions_total;
	f->sessions_active = st->sessions_active;
	f->sessions_flagged = st->sessions_flagged;
	memcpy(f->findings, st->findings, sizeof(f->findings));
}

void run_figures_add(struct run_figures *a, const struct run_figures *b)
{
	a->frames += b->frames;
	a->bytes += b->bytes;
	a->kernel_drops += b->kernel_drops;
	a->iface_drops += b->iface_drops;
	a->publish_dropped += b->publish_dropped;
	a->sessions_total += b->sessions_total;
	a->sessions_active += b->sessions_active;
	a->sessions_flagged += b->sessions_flagged;
	for (int i = 0; i < 3; i++)
		a->findings[i] += b->findings[i];
}

static void add_run(struct wall_sensor_run *a, const struct wall_sensor_run *b)
{
	run_figures_add(&a->fig, &b->fig);
	if (b->wall_us > a->wall_us)
		a->wall_us = b->wall_us;
}

/* The run the record belongs to: its origin's latest, or a new one. */
static struct wall_sensor_run *run_for(struct wall_sensor *s, const struct ev_stats *st)
{
	for (size_t i = s->nrun; i-- > 0;) {
		struct wall_sensor_run *r = &s->run[i];
		if (r->origin != st->origin)
			continue;
		if (!r->ended && st->frames >= r->fig.frames)
			return r;
		break; /* that run is over (or the counters restarted): a new one */
	}
	if (s->nrun == WALL_SENSOR_RUNS_MAX) { /* the oldest gives way, its latest kept in the sum */
		s->folded.ended = true;
		add_run(&s->folded, &s->run[0]);
		memmove(&s->run[0], &s->run[1], (WALL_SENSOR_RUNS_MAX - 1) * sizeof(s->run[0]));
		s->nrun--;
	}
	struct wall_sensor_run *r = &s->run[s->nrun++];
	memset(r, 0, sizeof(*r));
	r->origin = st->origin;
	return r;
}

int wall_sensors_stats(struct wall_sensors *ss, const struct ev_stats *st, uint64_t heard_us)
{
	if (!st->sensor[0] && !st->origin)
		return -1;
	struct wall_sensor *s = find(ss, st->sensor);
	if (!s)
		return -1;
	struct wall_sensor_run *r = run_for(s, st);
	r->ended = st->ended || st->final;
	run_figures_of(&r->fig, st);
	r->wall_us = st->wall_us;
	s->have_stats = true;
	s->ended = r->ended;
	/* frames/s between two records of one run, on the sensor's own clock;
	 * a record too close to the last base is not measured from (nor made one) */
	uint64_t t = st->wall_us ? st->wall_us : st->ts_us;
	bool same = s->rate_base && s->rate_origin == st->origin && t >= s->rate_us &&
		    st->frames >= s->rate_frames;
	if (!same || t - s->rate_us >= WALL_RATE_MIN_US) {
		if (same) {
			s->fps = (double)(st->frames - s->rate_frames) / ((double)(t - s->rate_us) / 1e6);
			s->have_fps = true;
		} else {
			s->have_fps = false; /* a new run: no rate until its next heartbeat */
		}
		s->rate_base = true;
		s->rate_origin = st->origin;
		s->rate_frames = st->frames;
		s->rate_us = t;
	}
	heard(s, heard_us, t, st->wall_us != 0);
	return (int)(s - ss->s);
}

void wall_sensor_total(const struct wall_sensor *s, struct wall_sensor_run *sum)
{
	*sum = s->folded;
	for (size_t i = 0; i < s->nrun; i++)
		add_run(sum, &s->run[i]);
}

void wall_sensors_sum(const struct wall_sensors *ss, struct wall_sensor_run *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < ss->n; i++) {
		struct wall_sensor_run t;
		wall_sensor_total(&ss->s[i], &t);
		add_run(sum, &t);
	}
}

double wall_sensors_fps(const struct wall_sensors *ss)
{
	double f = 0;
	for (size_t i = 0; i < ss->n; i++)
		if (ss->s[i].have_fps && !ss->s[i].ended)
			f += ss->s[i].fps;
	return f;
}

uint64_t wall_sensors_newest(const struct wall_sensors *ss, bool wall)
{
	uint64_t t = 0;
	for (size_t i = 0; i < ss->n; i++)
		if (ss->s[i].spoke_wall == wall && ss->s[i].spoke_us > t)
			t = ss->s[i].spoke_us;
	return t;
}

uint64_t wall_sensors_now(const struct wall_sensors *ss, bool follow, uint64_t reader_now)
{
	if (follow)
		return reader_now;
	uint64_t t = wall_sensors_newest(ss, true);
	return t ? t : wall_sensors_newest(ss, false);
}

uint64_t wall_sensor_age(const struct wall_sensor *s, bool follow, uint64_t now)
{
	uint64_t at = follow ? s->heard_us : s->spoke_us;
	return now > at ? now - at : 0;
}

uint64_t wall_sensor_age_in(const struct wall_sensors *ss, const struct wall_sensor *s, bool follow,
			    uint64_t reader_now)
{
	if (follow)
		return wall_sensor_age(s, true, reader_now);
	/* a replay: against the newest time of the same clock (wall times
	 * with wall times, event timestamps with event timestamps) */
	return wall_sensor_age(s, false, wall_sensors_newest(ss, s->spoke_wall));
}

bool wall_sensor_silent(const struct wall_sensors *ss, const struct wall_sensor *s, bool follow,
			uint64_t reader_now)
{
	return wall_sensor_age_in(ss, s, follow, reader_now) >= WALL_SILENT_US;
}

size_t wall_sensors_silent(const struct wall_sensors *ss, bool follow, uint64_t reader_now)
{
	size_t k = 0;
	for (size_t i = 0; i < ss->n; i++)
		k += ss->s[i].key[0] && wall_sensor_silent(ss, &ss->s[i], follow, reader_now);
	return k;
}
