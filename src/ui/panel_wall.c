/*
 * panel_wall.c - the NOC wall (--wall), readable from across the room:
 * states in words and colour, time on every tile, the newest errors
 * first. It draws what wall_view.c computes; the states come from
 * wall_state.c.
 *
 *  pop3mon wall  eth0  14:03:22 UTC   last packet 3 s ago  drops 0  1.2k pkt/s
 *
 *  SESSIONS            FLAGGED             FINDINGS (errors+warnings)  notices 40
 *  ███ ███             ███                 ███ ███      (5 rows at 80x30,
 *  ...                                                   a fifth of the height and more above)
 *
 *  >127.0.0.23:110         ACK  127.0.0.9:110               127.0.0.1:110
 *   ERROR stat-list-count x36   DOWN connects refused (12)   OK
 *   since 03:03:50 (12 min)     since 03:10:02 (1 min)       since 03:00:01 (15 min)
 *   36 sess 36 flagged          12 sess 0 flagged            4 sess 0 flagged
 *   trend ▁▂  ▅▇                trend      ▁▁                trend ▁ ▁
 *
 *  FINDINGS  errors and warnings first, newest first      notices 40      page 1/2
 *  error   127.0.0.23:110 stat-list-count ×36, 03:03:50–03:04:49  STAT said ...
 *  notice  127.0.0.9:110 conn-refused ×12, 03:10:02–03:11:40
 *
 *  ? help  a ack  Up/Down select  Tab dashboard  q quit
 *
 * With -r every "since" and "ago" is capture time (the newest event's);
 * live, the wall clock. With more servers than tiles, the worst come
 * first and the rest are paged ("+7 more, page 1/3"); pages turn every
 * 8 s unless a key was pressed in the last 30 s.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_internal.h"
#include "util.h"
#include "wall_font.h"

#define WALL_PAGE_US 8000000
#define WALL_HOLD_US 30000000        /* after a key, pages stay put this long */
#define WALL_GROUPS_MAX 2048
#define TILE_MIN_W 26
#define TILE_GOOD_W 36
#define TILE_MAX_W 80

static enum ui_role state_role(enum wall_state s)
{
	switch (s) {
	case WALL_DOWN:
	case WALL_ERROR: return UI_R_TILE_ERR;
	case WALL_DEGRADED: return UI_R_TILE_WARN;
	case WALL_RECOVERED: return UI_R_TILE_INFO;
	default: return UI_R_TILE_OK;
	}
}

/* ---- title: clock and capture health ----------------------------------------------- */

static void title(struct ui *u, uint64_t now)
{
	const struct ui_model *m = u->m;
	attr_t h = ui_role(u, UI_R_HEADER);
	char b[512], clk[16], t[32], r[32];
	ui_fill(0, 0, COLS, h);
	snprintf(b, sizeof(b), " pop3mon wall  %s UTC  ", ui_fmt_hms(clk, sizeof(clk), u->now_us));
	int x = ui_put(u, 0, 0, COLS, h | A_BOLD, b);
	if (u->o.live) {
		uint64_t lp = m->c.last_packet_wall_us ? m->c.last_packet_wall_us : u->start_us;
		bool stale = !u->input_done && wall_capture_stale(lp, u->now_us, &u->wth);
		if (!m->c.last_packet_wall_us)
			snprintf(b, sizeof(b), stale ? " NO PACKETS for %s " : "waiting for packets (%s)",
				 wall_fmt_ago(t, sizeof(t), u->now_us > lp ? u->now_us - lp : 0));
		else
			snprintf(b, sizeof(b), stale ? " CAPTURE STALE: last packet %s ago " : "last packet %s ago",
				 wall_fmt_ago(t, sizeof(t), u->now_us > lp ? u->now_us - lp : 0));
		x += ui_put(u, 0, x, COLS - x, stale ? ui_role(u, UI_R_ALERT) : h, b);
		uint64_t drops = m->c.fig.kernel_drops + m->c.fig.iface_drops;
		snprintf(b, sizeof(b), "  drops %" PRIu64, drops);
		x += ui_put(u, 0, x, COLS - x, drops ? ui_role(u, UI_R_ALERT) : h, b);
		snprintf(b, sizeof(b), "  %s pkt/s  up %s  %s", ui_fmt_rate(t, sizeof(t), m->c.pps),
			 ui_fmt_uptime(r, sizeof(r), u->now_us - u->start_us), u->source);
		ui_put(u, 0, x, COLS - x, h, b);
	} else if (m->sensors.named) {
		/* read from sensors: never all-clear while one is silent */
		size_t silent = wall_sensors_silent(&m->sensors, wall_sensors_follow(u), u->now_us);
		if (silent)
			snprintf(b, sizeof(b), " %zu of %zu SENSOR%s SILENT ", silent, m->sensors.named,
				 m->sensors.named == 1 ? "" : "S");
		else
			snprintf(b, sizeof(b), "%zu sensor%s heard", m->sensors.named, m->sensors.named == 1 ? "" : "s");
		x += ui_put(u, 0, x, COLS - x, silent ? ui_role(u, UI_R_ALERT) : h, b);
		uint64_t drops = m->c.fig.kernel_drops + m->c.fig.iface_drops + m->c.fig.publish_dropped;
		snprintf(b, sizeof(b), "  drops %" PRIu64, drops);
		x += ui_put(u, 0, x, COLS - x, drops ? ui_role(u, UI_R_ALERT) : h, b);
		char ct[48] = "";
		if (!wall_sensors_follow(u)) /* a replay: the tiles' times are capture times */
			snprintf(ct, sizeof(ct), "  capture time %s", ui_fmt_hms(r, sizeof(r), now));
		snprintf(b, sizeof(b), "%s  %" PRIu64 " frames  %s frames/s  %s%s", ct, m->c.fig.frames,
			 ui_fmt_rate(t, sizeof(t), m->c.pps), u->source, u->input_done ? "  [end of input]" : "");
		ui_put(u, 0, x, COLS - x, h, b);
	} else {
		snprintf(b, sizeof(b), "capture time %s%s  %" PRIu64 " frames  %s", ui_fmt_hms(t, sizeof(t), now),
			 u->input_done ? "  [end of input]" : "", m->c.fig.frames, u->source);
		ui_put(u, 0, x, COLS - x, h, b);
	}
}

/* ---- the big counters --------------------------------------------------------------- */

static int counters(struct ui *u, int y)
{
	const struct ui_model *m = u->m;
	uint64_t fl = ui_model_flagged(m);
	uint64_t fx = m->findings_total[SEV_ERROR] + m->findings_total[SEV_WARNING];
	uint64_t notices = m->findings_total[SEV_NOTICE];
	const char *label[3] = { "SESSIONS", "FLAGGED", "FINDINGS (errors+warnings)" };
	uint64_t val[3] = { ui_model_total(m), fl, fx };
	attr_t a[3] = { A_BOLD, fl ? ui_role(u, UI_R_ERR) | A_BOLD : ui_role(u, UI_R_OK) | A_BOLD,
			m->findings_total[SEV_ERROR] ? ui_role(u, UI_R_ERR) | A_BOLD
			: fx ? ui_role(u, UI_R_WARN) | A_BOLD : ui_role(u, UI_R_OK) | A_BOLD };
	char d[3][32], nb[64];
	snprintf(nb, sizeof(nb), "notices %" PRIu64, notices);
	for (int i = 0; i < 3; i++)
		snprintf(d[i], sizeof(d[i]), "%" PRIu64, val[i]);
	int cw = COLS / 3;
	/* the digits take a quarter of the height (a fifth and more), when it is tall enough */
	int vs = LINES >= 30 ? LINES / 20 : 0, hs = 0;
	for (; vs > 0; vs--) {
		for (hs = 2 * vs; hs >= vs; hs--) {
			bool fit = true;
			for (int i = 0; i < 3; i++)
				fit = fit && wall_big_width(d[i], hs) <= cw - 3;
			if (fit)
				break;
		}
		if (hs >= vs)
			break;
	}
	if (vs > 0) {
		for (int i = 0; i < 3; i++) {
			int x = 2 + i * cw;
			int lx = ui_put(u, y, x, cw - 2, A_BOLD, label[i]);
			if (i == 2)
				ui_put(u, y, x + lx + 2, cw - lx - 4, ui_role(u, UI_R_NOTICE), nb);
			wall_big_text(u, y + 1, x, hs, vs, a[i], d[i]);
		}
		return y + 2 + 5 * vs;
	}
	for (int i = 0; i < 3; i++) {
		char b[96];
		snprintf(b, sizeof(b), "%s %s", i == 2 ? "FINDINGS" : label[i], d[i]);
		int x = 2 + i * cw;
		int lx = ui_put(u, y, x, cw - 2, a[i], b);
		if (i == 2)
			ui_put(u, y, x + lx + 2, cw - lx - 4, ui_role(u, UI_R_NOTICE), nb);
	}
	return y + 2;
}

/* ---- tiles ---------------------------------------------------------------------------- */

struct tile_geo {
	int per_row, w, h, rows;   /* tiles per row, width, height (without the gap), tile rows */
	bool big;                  /* the state word in big letters */
	size_t per_page, pages;
};

/*
 * Tiles as large as the rows allow: the big state word if all tiles fit
 * with it, else 5, 4 or 3 rows per tile, preferring tiles at least
 * TILE_GOOD_W wide (reasons read whole) over more rows; when nothing fits,
 * the most tiles per row and pages.
 */
static bool layout_try(struct tile_geo *g, size_t n, int avail, int h, bool big, int min_w)
{
	int max_per_row = (COLS - 1) / (TILE_MIN_W + 1);
	if (max_per_row < 1)
		max_per_row = 1;
	/* no narrower than needed to keep tiles under TILE_MAX_W, unless there are fewer tiles */
	int first = (COLS - 1 + TILE_MAX_W) / (TILE_MAX_W + 1);
	if ((size_t)first > n)
		first = (int)n;
	if (first < 1)
		first = 1;
	for (int per_row = first; per_row <= max_per_row; per_row++) {
		int w = (COLS - 1) / per_row - 1;
		if (w > TILE_MAX_W)
			w = TILE_MAX_W;
		if (w < min_w || (big && w < wall_big_width("RECOVERED", 1) + 3))
			break;
		int rows = (int)((n + (size_t)per_row - 1) / (size_t)per_row);
		if (rows * (h + 1) <= avail) {
			g->per_row = per_row;
			g->w = w;
			g->h = h;
			g->big = big;
			return true;
		}
	}
	return false;
}

static void tile_layout(struct tile_geo *g, size_t n, int avail)
{
	static const int heights[] = { 5, 4, 3 };
	memset(g, 0, sizeof(*g));
	if (n == 0)
		n = 1;
	bool ok = layout_try(g, n, avail, 10, true, 0);
	for (size_t i = 0; !ok && i < 3; i++)
		ok = layout_try(g, n, avail, heights[i], false, TILE_GOOD_W);
	for (size_t i = 0; !ok && i < 3; i++)
		ok = layout_try(g, n, avail, heights[i], false, 0);
	if (!ok) { /* more servers than tiles: the most per row, 3 rows each, paged */
		g->per_row = (COLS - 1) / (TILE_MIN_W + 1);
		if (g->per_row < 1)
			g->per_row = 1;
		g->w = (COLS - 1) / g->per_row - 1;
		g->h = 3;
	}
	g->rows = avail / (g->h + 1);
	if (g->rows < 1)
		g->rows = 1;
	size_t fit = (size_t)g->rows * (size_t)g->per_row;
	g->per_page = n <= fit ? n : fit > 1 ? fit - 1 : 1;
	g->pages = (n + g->per_page - 1) / g->per_page;
}

/* "since 03:03:50 (12 min)  last problem 11 min ago", shortened to fit w. */
static void since_text(const struct wall_track *t, uint64_t now, int w, char *b, size_t n)
{
	char s1[16], a1[32], a2[32];
	ui_fmt_hms(s1, sizeof(s1), t->since);
	wall_fmt_ago(a1, sizeof(a1), now > t->since ? now - t->since : 0);
	if (t->last_problem)
		wall_fmt_ago(a2, sizeof(a2), now > t->last_problem ? now - t->last_problem : 0);
	const char *what = t->last_problem ? "last problem" : "no problem seen";
	if (t->last_problem)
		snprintf(b, n, "since %s (%s)  %s %s ago", s1, a1, what, a2);
	else
		snprintf(b, n, "since %s (%s)  %s", s1, a1, what);
	if ((int)strlen(b) <= w)
		return;
	if (t->last_problem)
		snprintf(b, n, "since %s, last %s ago", s1, a2);
	else
		snprintf(b, n, "since %s (%s)", s1, a1);
	if ((int)strlen(b) <= w)
		return;
	snprintf(b, n, "%s, last %s", a1, t->last_problem ? a2 : "-");
}

static void spark(struct ui *u, int y, int x, int w, const struct ui_server *v, uint64_t now)
{
	static const char *const utf[9] = { " ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
					    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };
	static const char *const asc[9] = { " ", "_", ".", "-", "=", "+", "*", "#", "@" };
	const char *const *gl = u->utf8 ? utf : asc;
	int lx = ui_put(u, y, x, w, ui_role(u, UI_R_DIM), "trend ");
	int cells = w - lx;
	if (cells > UI_TREND_MINUTES)
		cells = UI_TREND_MINUTES;
	if (cells < 1)
		return;
	uint32_t sess[UI_TREND_MINUTES], flag[UI_TREND_MINUTES];
	unsigned lv[UI_TREND_MINUTES];
	uint64_t last = now / 60000000u;
	for (int i = 0; i < cells; i++) {
		uint64_t back = (uint64_t)(cells - 1 - i);
		const struct ui_minute *b = back <= last ? ui_server_minute(v, last - back) : NULL;
		sess[i] = b ? b->sessions : 0;
		flag[i] = b ? b->flagged + b->connects_failed : 0;
	}
	wall_spark_levels(sess, (size_t)cells, lv);
	for (int i = 0; i < cells; i++) {
		unsigned l = lv[i] ? lv[i] : flag[i] ? 1 : 0;
		attr_t a = flag[i] ? ui_role(u, UI_R_ERR) : ui_role(u, UI_R_OK);
		ui_put(u, y, x + lx + i, 1, a, gl[l]);
	}
}

static void tile(struct ui *u, int y, int x, const struct tile_geo *g, const struct wall_tile *tl, bool sel,
		 uint64_t now)
{
	const struct wall_track *t = tl->t;
	const struct ui_server *v = tl->srv;
	attr_t a = ui_role(u, state_role(t->state));
	int w = g->w, row = 0;
	char b[512];
	for (int r = 0; r < g->h; r++)
		ui_fill(y + r, x, w, a);
	/* heading: the server, ACK on the right */
	char via[256];
	wall_tile_sensors(u, v, via, sizeof(via));
	snprintf(b, sizeof(b), "%s%s%s%s", sel ? ">" : " ", v->name, via[0] ? "  via " : "", via);
	ui_put(u, y, x, w - 5, a | A_BOLD | (sel ? A_UNDERLINE : 0), b);
	if (t->acked)
		ui_put(u, y, x + w - 5, 5, a | A_BOLD | A_REVERSE, " ACK ");
	row++;
	const char *word = wall_state_name(t->state);
	if (g->big) {
		wall_big_text(u, y + row, x + 2, 1, 1, a | A_BOLD, word);
		row += 5;
		snprintf(b, sizeof(b), " %s%s%s", word, t->reason[0] ? ": " : "", t->reason);
		ui_put(u, y + row++, x, w, a | A_BOLD, b);
	} else {
		snprintf(b, sizeof(b), " %s  %s", word, t->reason);
		ui_put(u, y + row++, x, w, a | A_BOLD, b);
	}
	if (row < g->h) {
		b[0] = ' ';
		since_text(t, now, w - 2, b + 1, sizeof(b) - 1);
		ui_put(u, y + row++, x, w, a, b);
	}
	if (row < g->h - 1 || (row < g->h && g->h >= 5)) {
		if (v->failed_logins)
			snprintf(b, sizeof(b), " %" PRIu64 " sess  %" PRIu64 " flagged  %" PRIu64 " failed logins", v->sessions,
				 v->flagged, v->failed_logins);
		else
			snprintf(b, sizeof(b), " %" PRIu64 " sess  %" PRIu64 " open  %" PRIu64 " flagged", v->sessions,
				 v->active, v->flagged);
		ui_put(u, y + row++, x, w, a, b);
	}
	if (row < g->h) {
		ui_fill(y + row, x, w, A_NORMAL);
		spark(u, y + row, x + 1, w - 1, v, now);
	}
}

static int tiles(struct ui *u, int y, int avail, uint64_t now)
{
	size_t n = u->m->n_srv;
	if (n == 0) {
		ui_put(u, y, 2, COLS - 2, ui_role(u, UI_R_DIM), "No POP3 servers seen yet.");
		return y + 2;
	}
	struct wall_tile *t = xcalloc(n, sizeof(*t));
	n = wall_tiles(u->m, &u->wt, t, n);
	struct tile_geo g;
	tile_layout(&g, n, avail);
	u->wall_pages = g.pages;
	/* the selection, by server, and its position in the order */
	size_t sel = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].idx == u->wall_sel)
			sel = i;
	if (u->wall_sel == SIZE_MAX || sel >= n)
		sel = 0;
	u->wall_sel = t[sel].idx;
	if (u->wall_show_sel && g.per_page)
		u->wall_page = sel / g.per_page;
	u->wall_show_sel = false;
	if (u->wall_page >= g.pages)
		u->wall_page = 0;
	size_t first = u->wall_page * g.per_page, i;
	for (i = 0; i < g.per_page && first + i < n; i++) {
		int ty = y + (int)(i / (size_t)g.per_row) * (g.h + 1);
		int tx = 1 + (int)(i % (size_t)g.per_row) * (g.w + 1);
		tile(u, ty, tx, &g, &t[first + i], first + i == sel && !u->o.no_keys, now);
	}
	if (g.pages > 1) {
		char b[96];
		int ty = y + (int)(i / (size_t)g.per_row) * (g.h + 1);
		int tx = 1 + (int)(i % (size_t)g.per_row) * (g.w + 1);
		snprintf(b, sizeof(b), " +%zu more", n - i);
		ui_put(u, ty, tx, g.w, A_BOLD, b);
		snprintf(b, sizeof(b), " page %zu/%zu (worst first)", u->wall_page + 1, g.pages);
		ui_put(u, ty + 1, tx, g.w, A_BOLD, b);
		i++;
	}
	free(t);
	return y + (int)((i + (size_t)g.per_row - 1) / (size_t)g.per_row) * (g.h + 1);
}

/* ---- findings, grouped --------------------------------------------------------------------- */

static void findings(struct ui *u, int y, int rows)
{
	const struct ui_model *m = u->m;
	char b[1024], g1[512];
	struct wall_group *gr = xcalloc(WALL_GROUPS_MAX, sizeof(*gr));
	size_t total = 0;
	size_t n = wall_groups(m, gr, WALL_GROUPS_MAX, &total);
	size_t per = rows > 1 ? (size_t)rows - 1 : 1;
	size_t pages = n ? (n + per - 1) / per : 1;
	u->wall_fx_pages = pages;
	if (u->wall_fx_page >= pages)
		u->wall_fx_page = 0;
	int x = ui_put(u, y, 1, COLS - 1, A_BOLD | A_UNDERLINE, "FINDINGS");
	snprintf(b, sizeof(b), "  errors and warnings first, newest first  notices %" PRIu64 "%s",
		 m->findings_total[SEV_NOTICE], total > n ? "  (more not listed)" : "");
	x += ui_put(u, y, 1 + x, COLS - 1 - x, ui_role(u, UI_R_DIM), b);
	if (pages > 1) {
		snprintf(b, sizeof(b), "page %zu/%zu", u->wall_fx_page + 1, pages);
		int bw = (int)strlen(b);
		ui_put(u, y, COLS - bw - 1 > x + 2 ? COLS - bw - 1 : x + 3, bw, A_BOLD, b);
	}
	if (n == 0)
		ui_put(u, y + 1, 2, COLS - 2, ui_role(u, UI_R_OK), "None.");
	for (size_t i = 0; i < per && u->wall_fx_page * per + i < n; i++) {
		const struct wall_group *g = &gr[u->wall_fx_page * per + i];
		const struct ui_recent *r = wall_group_latest(m, g);
		wall_group_text(g, u->utf8, g1, sizeof(g1));
		snprintf(b, sizeof(b), "%-8s%s%s%s", severity_name(g->sev), g1, r ? "  " : "", r ? r->summary : "");
		ui_put(u, y + 1 + (int)i, 2, COLS - 2, ui_role(u, ui_sev_role((int)g->sev)), b);
	}
	free(gr);
}

/* ---- the screen ------------------------------------------------------------------------------- */

static void hint(struct ui *u)
{
	int y = LINES - 1;
	ui_fill(y, 0, COLS, A_NORMAL);
	if (u->msg[0] && u->now_us < u->msg_until_us) {
		ui_put(u, y, 1, COLS - 1, ui_role(u, UI_R_TITLE), u->msg);
		return;
	}
	ui_put(u, y, 1, COLS - 1, ui_role(u, UI_R_DIM),
	       u->o.no_keys ? "read-only wall (--no-keys)"
			    : "? help  a ack  Up/Down select  PgUp/PgDn page  Tab dashboard  q quit");
}

static void draw(struct ui *u, int y0, int rows)
{
	(void)y0;
	(void)rows;
	uint64_t now = ui_judge_now(u);
	wall_tracks_update(&u->wt, u->m, now, &u->wth);
	/* pages turn on their own, unless someone is at the keyboard; a new
	 * error or warning brings the findings back to their first page */
	uint64_t fx = u->m->findings_total[SEV_ERROR] + u->m->findings_total[SEV_WARNING];
	if (fx != u->wall_seen_flagged) {
		u->wall_seen_flagged = fx;
		u->wall_fx_page = 0;
	}
	if (u->now_us >= u->wall_page_us + WALL_PAGE_US) {
		u->wall_page_us = u->now_us;
		u->wall_page = u->wall_pages > 1 ? (u->wall_page + 1) % u->wall_pages : 0;
		u->wall_fx_page = u->wall_fx_pages > 1 ? (u->wall_fx_page + 1) % u->wall_fx_pages : 0;
	}
	title(u, now);
	int y = counters(u, 2);
	if (u->m->sensors.named) { /* a line per sensor, up to a fifth of the screen */
		int sr = (int)u->m->sensors.named + 2, cap = LINES / 5 > 4 ? LINES / 5 : 4;
		y = wall_sensor_lines(u, y, sr < cap ? sr : cap);
	}
	int rest = LINES - y - 1; /* the last row is the hint */
	int fr = rest / 3 > 5 ? rest / 3 : 5;
	int tr = rest - fr;
	if (tr < 4)
		tr = 4;
	int y2 = tiles(u, y, tr, now);
	if (y2 < LINES - 2)
		findings(u, y2, LINES - 1 - y2);
	hint(u);
}

static void move_sel(struct ui *u, long d)
{
	size_t n = u->m->n_srv;
	if (!n)
		return;
	struct wall_tile *t = xcalloc(n, sizeof(*t));
	n = wall_tiles(u->m, &u->wt, t, n);
	long at = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].idx == u->wall_sel)
			at = (long)i;
	at += d;
	if (at < 0)
		at = 0;
	if (at >= (long)n)
		at = (long)n - 1;
	u->wall_sel = t[at].idx;
	u->wall_show_sel = true; /* tiles() turns to the page that holds it */
	free(t);
}

static bool action(struct ui *u, enum ui_action a)
{
	u->wall_page_us = u->now_us + WALL_HOLD_US - WALL_PAGE_US; /* someone is here: hold the pages */
	switch (a) {
	case UI_ACT_UP: move_sel(u, -1); break;
	case UI_ACT_DOWN: move_sel(u, 1); break;
	case UI_ACT_PGUP:
		if (u->wall_pages > 1)
			u->wall_page = (u->wall_page + u->wall_pages - 1) % u->wall_pages;
		if (u->wall_fx_pages > 1)
			u->wall_fx_page = (u->wall_fx_page + u->wall_fx_pages - 1) % u->wall_fx_pages;
		break;
	case UI_ACT_PGDN:
		if (u->wall_pages > 1)
			u->wall_page = (u->wall_page + 1) % u->wall_pages;
		if (u->wall_fx_pages > 1)
			u->wall_fx_page = (u->wall_fx_page + 1) % u->wall_fx_pages;
		break;
	case UI_ACT_ACK:
		if (u->wall_sel < u->wt.n && u->wall_sel < u->m->n_srv) {
			struct wall_input in;
			wall_input_from(&in, u->m->srv[u->wall_sel], ui_judge_now(u), &u->wth);
			struct wall_track *t = &u->wt.t[u->wall_sel];
			if (t->state == WALL_OK)
				ui_msg(u, "%s is OK: nothing to acknowledge.", u->m->srv[u->wall_sel]->name);
			else {
				wall_state_ack(t, &in);
				ui_msg(u, "%s acknowledged: ACK until its next problem.", u->m->srv[u->wall_sel]->name);
			}
		}
		break;
	case UI_ACT_SERVERS: u->panel = UI_P_LIST; break;
	default: return false;
	}
	return true;
}

const struct ui_panel_ops ui_panel_wall = {
	.name = "wall", .view = UI_V_WALL, .draw = draw, .action = action,
};
