/*
 * wall_sensor_lines.c - the wall's sensor band, between the big counters
 * and the tiles, when the events come from named sensors (--from a stream,
 * or files whose events carry a "host"): a line per sensor, the SILENT
 * ones first, in white on red.
 *
 *  SENSORS 2, 1 SILENT   heartbeat 5 s, SILENT after 15 s unheard (reader's clock)
 *   b     SILENT  not heard for 23 s (last 14:02:11)  ended  336 frames  drops 0
 *   a     heard 1 s ago  12.3 frames/s  648 frames  drops 0
 *
 * Wide screens put the lines side by side; when they do not all fit, the
 * worst come first and "+N more" says what is left out. The figures and
 * the judgement are wall_sensors.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"
#include "util.h"

#define SENSOR_COL_W 72   /* one line's width, side by side */

bool wall_sensors_follow(const struct ui *u)
{
	return u->o.follow && !u->input_done;
}

uint64_t wall_sensors_clock(const struct ui *u)
{
	return wall_sensors_now(&u->m->sensors, wall_sensors_follow(u), u->now_us);
}

struct line {
	const struct wall_sensor *s;
	bool silent;
	uint64_t age;
};

static int line_cmp(const void *pa, const void *pb)
{
	const struct line *a = pa, *b = pb;
	if (a->silent != b->silent)
		return a->silent ? -1 : 1;
	if (a->silent && a->age != b->age)
		return a->age > b->age ? -1 : 1;
	return strcmp(a->s->name, b->s->name);
}

static void sensor_text(const struct ui *u, const struct line *l, int namew, char *b, size_t n)
{
	const struct wall_sensor *s = l->s;
	struct wall_sensor_run t;
	wall_sensor_total(s, &t);
	char ago[32], at[16], rate[32], drops[96];
	uint64_t d = t.fig.kernel_drops + t.fig.iface_drops + t.fig.publish_dropped;
	if (d)
		snprintf(drops, sizeof(drops), "drops %" PRIu64 " (capture %" PRIu64 ", publish %" PRIu64 ")", d,
			 t.fig.kernel_drops + t.fig.iface_drops, t.fig.publish_dropped);
	else
		snprintf(drops, sizeof(drops), "drops 0");
	wall_fmt_ago(ago, sizeof(ago), l->age);
	if (l->silent) {
		bool f = wall_sensors_follow(u);
		ui_fmt_hms(at, sizeof(at), f ? s->heard_us : s->spoke_us);
		snprintf(b, n, " %-*s SILENT  not heard for %s (last %s)%s  %" PRIu64 " frames  %s", namew, s->name,
			 ago, at, s->ended ? "  ended" : "", t.fig.frames, drops);
		return;
	}
	if (s->have_fps && !s->ended)
		snprintf(rate, sizeof(rate), "%s frames/s", ui_fmt_rate(at, sizeof(at), s->fps));
	else
		snprintf(rate, sizeof(rate), s->ended ? "ended" : "- frames/s");
	snprintf(b, n, " %-*s heard %s ago  %s  %" PRIu64 " frames  %s", namew, s->name, ago, rate, t.fig.frames, drops);
}

int wall_sensor_lines(struct ui *u, int y, int rows)
{
	const struct wall_sensors *ss = &u->m->sensors;
	if (!ss->named || rows < 3)
		return y;
	bool follow = wall_sensors_follow(u);
	uint64_t now = wall_sensors_clock(u);
	struct line *l = xcalloc(ss->n, sizeof(*l));
	size_t n = 0, silent = 0;
	int namew = 4;
	for (size_t i = 0; i < ss->n; i++) {
		const struct wall_sensor *s = &ss->s[i];
		if (!s->key[0])
			continue;
		l[n].s = s;
		l[n].silent = wall_sensor_silent(ss, s, follow, u->now_us);
		l[n].age = wall_sensor_age_in(ss, s, follow, u->now_us);
		silent += l[n].silent;
		int w = (int)strlen(s->name);
		if (w > namew)
			namew = w > 24 ? 24 : w;
		n++;
	}
	qsort(l, n, sizeof(*l), line_cmp);
	char b[512], t[16];
	int x = ui_put(u, y, 1, COLS - 1, silent ? ui_role(u, UI_R_TILE_ERR) : A_BOLD | A_UNDERLINE, "SENSORS");
	if (silent)
		snprintf(b, sizeof(b), " %zu, %zu SILENT", n, silent);
	else
		snprintf(b, sizeof(b), " %zu, all heard", n);
	x += ui_put(u, y, 1 + x, COLS - 1 - x, silent ? ui_role(u, UI_R_TILE_ERR) : A_BOLD, b);
	if (follow)
		snprintf(b, sizeof(b), "   heartbeat %llu s, SILENT after %llu s unheard (reader's clock)",
			 (unsigned long long)(WALL_HEARTBEAT_US / 1000000), (unsigned long long)(WALL_SILENT_US / 1000000));
	else
		snprintf(b, sizeof(b), "   heartbeat %llu s, SILENT after %llu s unheard, as of %s (the newest sensor time)",
			 (unsigned long long)(WALL_HEARTBEAT_US / 1000000), (unsigned long long)(WALL_SILENT_US / 1000000),
			 ui_fmt_hms(t, sizeof(t), now));
	ui_put(u, y, 1 + x, COLS - 1 - x, ui_role(u, UI_R_DIM), b);
	/* side by side when wide; the worst first, "+N more" for the rest */
	int cols = (COLS - 1) / (SENSOR_COL_W + 1);
	if (cols < 1)
		cols = 1;
	int lines = rows - 2; /* the heading and a blank line after */
	if (lines < 1)
		lines = 1;
	if ((size_t)cols > n)
		cols = (int)n;
	int per = (int)((n + (size_t)cols - 1) / (size_t)cols);
	if (per > lines)
		per = lines;
	size_t fit = (size_t)per * (size_t)cols;
	size_t shown = n <= fit ? n : fit - 1;
	int cw = cols > 1 ? (COLS - 1) / cols : COLS - 1;
	for (size_t i = 0; i < shown; i++) {
		int ly = y + 1 + (int)(i % (size_t)per), lx = 1 + (int)(i / (size_t)per) * cw;
		sensor_text(u, &l[i], namew, b, sizeof(b));
		attr_t a = l[i].silent ? ui_role(u, UI_R_TILE_ERR) : A_NORMAL;
		if (l[i].silent)
			ui_fill(ly, lx, cw - 1, a);
		ui_put(u, ly, lx, cw - 1, a, b);
	}
	if (shown < n) {
		size_t i = shown;
		int ly = y + 1 + (int)(i % (size_t)per), lx = 1 + (int)(i / (size_t)per) * cw;
		size_t more_silent = 0;
		for (size_t k = shown; k < n; k++)
			more_silent += l[k].silent;
		snprintf(b, sizeof(b), " +%zu more sensors%s", n - shown, more_silent ? ", some SILENT" : "");
		ui_put(u, ly, lx, cw - 1, more_silent ? ui_role(u, UI_R_TILE_ERR) : A_BOLD, b);
	}
	free(l);
	return y + 1 + per + 1;
}

static int name_cmp(const void *pa, const void *pb)
{
	const struct wall_sensor *const *a = pa, *const *b = pb;
	return strcmp((*a)->name, (*b)->name);
}

/* "a,b" (the sensors that saw v, by name), when there are several; "" otherwise. */
char *wall_tile_sensors(const struct ui *u, const struct ui_server *v, char *b, size_t n)
{
	const struct wall_sensors *ss = &u->m->sensors;
	const struct wall_sensor *saw[64];
	size_t o = 0, k = 0;
	b[0] = '\0';
	if (ss->named < 2)
		return b;
	for (size_t i = 0; i < ss->n && i < 64; i++)
		if (v->sensor_bits & (1ull << i))
			saw[k++] = &ss->s[i];
	qsort(saw, k, sizeof(saw[0]), name_cmp);
	for (size_t i = 0; i < k && o + 1 < n; i++)
		o += (size_t)snprintf(b + o, n - o, "%s%s", o ? "," : "", saw[i]->name);
	if (v->sensor_more && o + 1 < n)
		snprintf(b + o, n - o, "%s+more", o ? "," : "");
	return b;
}
