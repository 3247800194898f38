/*
 * wall_sensors.h - the sensors a reader hears (--from: a Redis stream, or
 * files whose events carry a "host"), built from events only: per sensor
 * its latest stats of each of its runs, its frames per second between two
 * heartbeats, its drops, when it was last heard. Pure: no terminal, no
 * clock of its own (the caller says "now"), so every rule is unit-tested
 * (tests/unit/test_wall_sensors.c).
 *
 * Silence: a sensor publishing sends a stats record every heartbeat
 * (PUBLISH_HEARTBEAT_S); one not heard for WALL_SILENT_BEATS of them
 * (neither an event nor stats) is SILENT. How long it has not been heard
 * is judged
 *   - following a stream: on the reader's clock, from when its latest
 *     event arrived (sensors' clocks are not compared with the reader's);
 *   - reading files (or once the input ended): against the newest time
 *     any sensor spoke, so a replay shows the fleet as it stood when the
 *     recording ended: not everything SILENT because the file is old, not
 *     everything fresh because it was just read. A sensor's time is the
 *     wall_time of its stats records (its own clock when it spoke), or,
 *     with none yet, its events' timestamps: capture times of sensors that
 *     replayed captures (-r) are not comparable, their wall times are.
 *
 * Sums: each run of a sensor (an origin of the reader, or a restart seen
 * in one file) counts with its latest record only; the header is the sum
 * over sensors and runs, so nothing is counted twice.
 */
#ifndef POP3MON_WALL_SENSORS_H
#define POP3MON_WALL_SENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define WALL_SENSORS_MAX 64           /* sensors kept (a stream holds at most 32 runs); more: counted */
#define WALL_SENSOR_RUNS_MAX 8        /* runs kept apart per sensor; older ones folded into one sum */
#define WALL_HEARTBEAT_US 5000000ull  /* PUBLISH_HEARTBEAT_S (publish.h) */
#define WALL_SILENT_BEATS 3
#define WALL_SILENT_US (WALL_SILENT_BEATS * WALL_HEARTBEAT_US)
#define WALL_RATE_MIN_US 500000       /* frames/s over at least this much of the sensor's time */

/* What a stats record says that the header and a sensor's line show: one
 * list, taken from the record (run_figures_of) and summed over runs and
 * sensors (run_figures_add). */
struct run_figures {
	uint64_t frames, bytes;
	uint64_t kernel_drops, iface_drops, publish_dropped;
	uint64_t sessions_total, sessions_active, sessions_flagged;
	uint64_t findings[3];
};
void run_figures_of(struct run_figures *f, const struct ev_stats *st);
void run_figures_add(struct run_figures *a, const struct run_figures *b);

/* One run's latest figures (or the sum of those folded). */
struct wall_sensor_run {
	uint32_t origin;              /* the reader's origin (0: one origin) */
	bool ended;                   /* its last record came (the run is over) */
	struct run_figures fig;
	uint64_t wall_us;             /* its record's wall_time (0: none) */
};

struct wall_sensor {
	char key[SENSOR_NAME_MAX];    /* as read; "" collects the records that name no sensor */
	char name[4 * SENSOR_NAME_MAX]; /* sanitised for the screen */
	struct wall_sensor_run run[WALL_SENSOR_RUNS_MAX];
	size_t nrun;
	struct wall_sensor_run folded; /* runs that gave way, summed */
	bool have_stats;
	uint64_t heard_us;            /* the reader's clock at its latest event */
	uint64_t spoke_us;            /* its own time at its latest event (see above) */
	bool spoke_wall;              /* spoke_us is a stats wall_time */
	uint64_t rate_frames, rate_us; /* the heartbeat the next rate is measured from */
	uint32_t rate_origin;
	bool rate_base;
	double fps;                   /* frames/s between its last two heartbeats */
	bool have_fps;
	bool ended;                   /* its latest record was its run's last */
};

struct wall_sensors {
	struct wall_sensor *s;        /* owned; in order of first appearance */
	size_t n, cap;
	size_t named;                 /* sensors with a name */
	uint64_t overflow;            /* records of sensors past WALL_SENSORS_MAX (not kept) */
};

void wall_sensors_fini(struct wall_sensors *ss);

/*
 * A stats record. Returns the sensor's index, or -1 when the record is not
 * a sensor's: no name and no origin (a capture's own figures, or the one
 * final sum the reader makes of several origins: the caller tells them
 * apart by whether sensors exist).
 */
int wall_sensors_stats(struct wall_sensors *ss, const struct ev_stats *st, uint64_t heard_us);
/* Any other event of a named sensor (ts_us: its timestamp). Returns its index, -1 when not kept. */
int wall_sensors_event(struct wall_sensors *ss, const char *sensor, uint64_t ts_us, uint64_t heard_us);

/* Every sensor's every run, latest figures summed. */
void wall_sensors_sum(const struct wall_sensors *ss, struct wall_sensor_run *sum);
/* Frames per second of the sensors whose latest record was not their last. */
double wall_sensors_fps(const struct wall_sensors *ss);
/* A sensor's runs summed. */
void wall_sensor_total(const struct wall_sensor *s, struct wall_sensor_run *sum);

/* The newest time any sensor spoke, of stats wall times (wall) or of
 * event timestamps (a sensor with no stats yet); 0: none. */
uint64_t wall_sensors_newest(const struct wall_sensors *ss, bool wall);
/* "now" for the judgement: the reader's clock when following, else the
 * newest time a sensor spoke (wall times first). */
uint64_t wall_sensors_now(const struct wall_sensors *ss, bool follow, uint64_t reader_now);
/* How long s has not been heard at now: from heard_us following, else from spoke_us. */
uint64_t wall_sensor_age(const struct wall_sensor *s, bool follow, uint64_t now);
/* The same judged as the wall does: following, at the reader's clock;
 * else against the newest time of s's own kind (wall times are not
 * compared with capture times). */
uint64_t wall_sensor_age_in(const struct wall_sensors *ss, const struct wall_sensor *s, bool follow,
			    uint64_t reader_now);
bool wall_sensor_silent(const struct wall_sensors *ss, const struct wall_sensor *s, bool follow,
			uint64_t reader_now);
/* Named sensors SILENT. */
size_t wall_sensors_silent(const struct wall_sensors *ss, bool follow, uint64_t reader_now);

#endif
