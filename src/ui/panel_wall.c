/*
 * panel_wall.c - the NOC wall (--wall): read-only, readable from across
 * the room, at 80x24 and at any larger size. No keys but q.
 *
 *    pop3mon wall  eth0  up 1:02:03  1.2k pkt/s  drops 0
 *
 *    SESSIONS        FLAGGED         FINDINGS
 *    ### ###         ###             ### ###
 *    ...             (big digits when there is room)
 *
 *   [ 10.0.0.1              ] [ 10.0.0.7              ]
 *   [ ERROR   3 flagged     ] [ OK      0 flagged     ]
 *   [ 12 sessions, 2 failed ] [ 4 sessions            ]
 *
 *    Latest findings
 *    13:04:05 error bob@10.0.0.1: STAT said 1 message (554 octets); UIDL listed 0 [stat-uidl-count]
 *
 * Tiles are red (any error finding on that server), amber (warnings) or
 * green, and say so in words too. The findings list pages every 5 s when
 * there are more than fit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"
#include "util.h"

#define WALL_PAGE_US 5000000
#define WALL_TILES_MAX 256

static void title(struct ui *u)
{
	char b[512], t1[32], t2[32];
	attr_t h = ui_role(u, UI_R_HEADER);
	ui_fill(0, 0, COLS, h);
	snprintf(b, sizeof(b), " pop3mon wall  %s  up %s  %s pkt/s  drops %" PRIu64 "%s", u->source,
		 ui_fmt_uptime(t1, sizeof(t1), u->now_us - u->start_us), ui_fmt_rate(t2, sizeof(t2), u->m->c.pps),
		 u->m->c.kernel_drops + u->m->c.iface_drops, u->input_done ? "  [end of input]" : "");
	ui_put(u, 0, 0, COLS, h | A_BOLD, b);
}

/* Returns the first free row. */
static int counters(struct ui *u, int y, bool big)
{
	const struct ui_model *m = u->m;
	uint64_t fl = ui_model_flagged(m);
	uint64_t fx = m->findings_total[0] + m->findings_total[1] + m->findings_total[2];
	const char *label[3] = { "SESSIONS", "FLAGGED", "FINDINGS" };
	uint64_t val[3] = { ui_model_total(m), fl, fx };
	attr_t a[3] = { A_BOLD, fl ? ui_role(u, UI_R_ERR) | A_BOLD : ui_role(u, UI_R_OK) | A_BOLD,
			m->findings_total[SEV_ERROR] ? ui_role(u, UI_R_ERR) | A_BOLD
			: m->findings_total[SEV_WARNING] ? ui_role(u, UI_R_WARN) | A_BOLD : A_BOLD };
	int cw = COLS / 3;
	char d[32];
	for (int i = 0; i < 3; i++) {
		snprintf(d, sizeof(d), "%" PRIu64, val[i]);
		int x = 2 + i * cw;
		if (big && ui_big_width(d) < cw - 2) {
			ui_put(u, y, x, cw - 2, A_BOLD, label[i]);
			ui_big_number(u, y + 1, x, a[i], d);
		} else {
			char b[64];
			snprintf(b, sizeof(b), "%s %s", label[i], d);
			ui_put(u, y, x, cw - 2, a[i], b);
		}
	}
	return big ? y + 7 : y + 2;
}

static void tile(struct ui *u, int y, int x, int w, const struct ui_tile *t)
{
	static const enum ui_role role[] = { UI_R_TILE_OK, UI_R_TILE_WARN, UI_R_TILE_ERR };
	attr_t a = ui_role(u, role[t->level]);
	const struct ui_server *v = t->srv;
	char b[3][128];
	snprintf(b[0], sizeof(b[0]), " %s", v->addr);
	snprintf(b[1], sizeof(b[1]), " %-8s %" PRIu64 " flagged", ui_tile_label(t->level), v->flagged);
	if (v->failed_logins)
		snprintf(b[2], sizeof(b[2]), " %" PRIu64 " session%s, %" PRIu64 " failed login%s", v->sessions,
			 v->sessions == 1 ? "" : "s", v->failed_logins, v->failed_logins == 1 ? "" : "s");
	else
		snprintf(b[2], sizeof(b[2]), " %" PRIu64 " session%s, %" PRIu64 " open", v->sessions,
			 v->sessions == 1 ? "" : "s", v->active);
	for (int r = 0; r < 3; r++) {
		ui_fill(y + r, x, w, a);
		ui_put(u, y + r, x, w, a | (r < 2 ? A_BOLD : 0), b[r]);
	}
}

static int tiles(struct ui *u, int y, int rows)
{
	struct ui_tile t[WALL_TILES_MAX];
	size_t n = ui_wall_tiles(u->m, t, WALL_TILES_MAX);
	if (n == 0) {
		ui_put(u, y, 2, COLS - 2, ui_role(u, UI_R_DIM), "No POP3 servers seen yet.");
		return y + 2;
	}
	int tw = COLS >= 160 ? 34 : COLS >= 100 ? 30 : 25;
	if (tw > COLS - 2)
		tw = COLS - 2;
	int per_row = (COLS - 1) / (tw + 1);
	if (per_row < 1)
		per_row = 1;
	int tile_rows = rows / 4;
	if (tile_rows < 1)
		tile_rows = 1;
	size_t fit = (size_t)per_row * (size_t)tile_rows;
	size_t show = n <= fit ? n : fit - 1;
	size_t i;
	for (i = 0; i < show; i++)
		tile(u, y + (int)(i / (size_t)per_row) * 4, 1 + (int)(i % (size_t)per_row) * (tw + 1), tw, &t[i]);
	if (show < n) {
		char b[64];
		snprintf(b, sizeof(b), "+%zu more servers", n - show);
		ui_put(u, y + (int)(i / (size_t)per_row) * 4 + 1, 2 + (int)(i % (size_t)per_row) * (tw + 1), tw,
		       A_BOLD, b);
		i++;
	}
	return y + (int)((i + (size_t)per_row - 1) / (size_t)per_row) * 4;
}

static void recent(struct ui *u, int y, int rows)
{
	const struct ui_model *m = u->m;
	ui_put(u, y, 1, COLS - 1, A_BOLD | A_UNDERLINE, "Latest findings");
	rows--;
	if (m->n_recent == 0) {
		ui_put(u, y + 1, 2, COLS - 2, ui_role(u, UI_R_OK), "None.");
		return;
	}
	if (rows < 1)
		return;
	if (u->now_us - u->wall_page_us >= WALL_PAGE_US) {
		u->wall_page++;
		u->wall_page_us = u->now_us;
	}
	size_t per = (size_t)rows;
	size_t pages = (m->n_recent + per - 1) / per;
	size_t first = pages > 1 ? (u->wall_page % pages) * per : 0;
	char b[512];
	for (size_t i = 0; i < per; i++) {
		const struct ui_recent *r = ui_model_recent(m, first + i);
		if (!r)
			break;
		ui_put(u, y + 1 + (int)i, 2, COLS - 2, ui_role(u, ui_sev_role((int)r->sev)),
		       ui_recent_text(r, b, sizeof(b)));
	}
}

static void draw(struct ui *u, int y0, int rows)
{
	(void)y0;
	(void)rows;
	title(u);
	bool big = LINES >= 22 && COLS >= 60;
	int y = counters(u, 2, big);
	int rest = LINES - y - 1;          /* the last row is the hint */
	int fr = rest / 3 > 4 ? rest / 3 : 4;
	int tr = rest - fr - 1;
	if (tr < 4)
		tr = 4;
	int y2 = tiles(u, y, tr);
	if (y2 < LINES - 2)
		recent(u, y2, LINES - 1 - y2);
	ui_put(u, LINES - 1, 1, COLS - 1, ui_role(u, UI_R_DIM), "q quit");
}

static bool action(struct ui *u, enum ui_action a)
{
	(void)u;
	(void)a;
	return false; /* read-only; q and Ctrl-L are handled by the manager */
}

const struct ui_panel_ops ui_panel_wall = {
	.name = "wall", .view = UI_V_WALL, .draw = draw, .action = action,
};
