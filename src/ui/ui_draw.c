/*
 * ui_draw.c - drawing primitives shared by the panels: colour roles (with
 * a plain-attribute fallback for monochrome terminals and --no-color),
 * column-safe text output, the header, the bottom bar and the wall's big
 * digits.
 *
 * Text reaching ui_put comes from the model, which sanitised it on the way
 * in; ui_put still refuses control bytes (defence in depth) and counts one
 * column per character, which holds for the ASCII the model keeps and for
 * the single-column glyphs of ui_glyphs.
 *
 *  pop3mon  eth0  bpf: port 110  up 0:00:12  PAUSED
 *  1.2k pkt/s  340kB/s  drops kernel 0 iface 0  sessions 2 active / 14 total  3 FLAGGED  findings E4 W1 N7
 *
 * With a file, the second line has the capture's span and frames instead
 * of the live fields (rates, drops, uptime):
 *  21:20:29.013-21:20:33.700 UTC (4.69s)  1 234 frames  14 sessions  3 FLAGGED  findings E4 W1 N7
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

enum {
	PAIR_HEADER = 1, PAIR_ALERT, PAIR_NOTICE, PAIR_WARN, PAIR_ERR, PAIR_KEY, PAIR_OK,
	PAIR_TILE_OK, PAIR_TILE_WARN, PAIR_TILE_ERR, PAIR_TILE_INFO,
};

void ui_colors_init(struct ui *u)
{
	attr_t *a = u->attr;
	a[UI_R_NORMAL] = A_NORMAL;
	a[UI_R_DIM] = A_DIM;
	a[UI_R_TITLE] = A_BOLD;
	if (u->color) {
		start_color();
		short bg = COLOR_BLACK;
		if (use_default_colors() == OK)
			bg = -1;
		init_pair(PAIR_HEADER, COLOR_WHITE, COLOR_BLUE);
		init_pair(PAIR_ALERT, COLOR_RED, COLOR_WHITE);
		init_pair(PAIR_NOTICE, COLOR_CYAN, bg);
		init_pair(PAIR_WARN, COLOR_YELLOW, bg);
		init_pair(PAIR_ERR, COLOR_RED, bg);
		init_pair(PAIR_KEY, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_OK, COLOR_GREEN, bg);
		init_pair(PAIR_TILE_OK, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_TILE_WARN, COLOR_BLACK, COLOR_YELLOW);
		init_pair(PAIR_TILE_ERR, COLOR_WHITE, COLOR_RED);
		init_pair(PAIR_TILE_INFO, COLOR_BLACK, COLOR_CYAN);
		a[UI_R_HEADER] = COLOR_PAIR(PAIR_HEADER);
		/* red, reversed: white on red, impossible to miss */
		a[UI_R_ALERT] = COLOR_PAIR(PAIR_ALERT) | A_REVERSE | A_BOLD;
		a[UI_R_NOTICE] = COLOR_PAIR(PAIR_NOTICE);
		a[UI_R_WARN] = COLOR_PAIR(PAIR_WARN) | A_BOLD;
		a[UI_R_ERR] = COLOR_PAIR(PAIR_ERR) | A_BOLD;
		a[UI_R_KEY] = COLOR_PAIR(PAIR_KEY);
		a[UI_R_OK] = COLOR_PAIR(PAIR_OK);
		a[UI_R_TILE_OK] = COLOR_PAIR(PAIR_TILE_OK);
		a[UI_R_TILE_WARN] = COLOR_PAIR(PAIR_TILE_WARN) | A_BOLD;
		a[UI_R_TILE_ERR] = COLOR_PAIR(PAIR_TILE_ERR) | A_BOLD;
		a[UI_R_TILE_INFO] = COLOR_PAIR(PAIR_TILE_INFO);
	} else {
		/* No colour: severity by weight, alerts reversed; the text always says it too. */
		a[UI_R_HEADER] = A_REVERSE;
		a[UI_R_ALERT] = A_REVERSE | A_BOLD | A_BLINK;
		a[UI_R_NOTICE] = A_NORMAL;
		a[UI_R_WARN] = A_BOLD;
		a[UI_R_ERR] = A_BOLD | A_UNDERLINE;
		a[UI_R_KEY] = A_REVERSE;
		a[UI_R_OK] = A_NORMAL;
		a[UI_R_TILE_OK] = A_NORMAL;
		a[UI_R_TILE_WARN] = A_BOLD;
		a[UI_R_TILE_ERR] = A_REVERSE | A_BOLD;
		a[UI_R_TILE_INFO] = A_DIM;
	}
}

attr_t ui_role(const struct ui *u, enum ui_role r)
{
	return (unsigned)r < UI_R__COUNT ? u->attr[r] : A_NORMAL;
}

enum ui_role ui_sev_role(int sev)
{
	return sev == SEV_ERROR ? UI_R_ERR : sev == SEV_WARNING ? UI_R_WARN : sev == SEV_NOTICE ? UI_R_NOTICE
												: UI_R_NORMAL;
}

int ui_put(struct ui *u, int y, int x, int maxw, attr_t a, const char *s)
{
	(void)u;
	if (y < 0 || y >= LINES || x < 0 || x >= COLS || maxw <= 0)
		return 0;
	if (maxw > COLS - x)
		maxw = COLS - x;
	char buf[1024];
	size_t o = 0;
	int cols = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o < sizeof(buf) - 1; p++) {
		unsigned char c = *p;
		if ((c & 0xc0) == 0x80) { /* UTF-8 continuation: no column */
			if (o)
				buf[o++] = (char)c;
			continue;
		}
		if (cols >= maxw)
			break;
		if (c < 0x20 || c == 0x7f)
			c = '?';
		buf[o++] = (char)c;
		cols++;
	}
	/* never end on a partial UTF-8 sequence */
	while (o && (unsigned char)buf[o - 1] >= 0xc0)
		o--;
	buf[o] = '\0';
	attrset(a);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return cols;
}

void ui_fill(int y, int x, int w, attr_t a)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	if (w > COLS - x)
		w = COLS - x;
	attrset(a);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

void ui_msg(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
	va_end(ap);
	u->msg_until_us = u->now_us + 5000000;
	u->dirty = true;
}

/* The header's second line is a row of items; when they do not fit, the
 * least important go first, and the flagged count is the last to go. */
struct hdr_item {
	char text[160];
	attr_t a;
	int prio; /* dropped in increasing order */
};

void ui_draw_header(struct ui *u)
{
	const struct ui_model *m = u->m;
	char buf[1024], t1[32], t2[32];
	attr_t h = ui_role(u, UI_R_HEADER);
	ui_fill(0, 0, COLS, h);
	ui_fill(1, 0, COLS, h);
	char fdesc[200], up[48] = "";
	ui_filter_describe(&u->list.filter, fdesc, sizeof(fdesc));
	if (u->o.live) /* uptime is a live field; a file's time is its span, below */
		snprintf(up, sizeof(up), "  up %s", ui_fmt_uptime(t1, sizeof(t1), u->now_us - u->start_us));
	snprintf(buf, sizeof(buf), " pop3mon  %s%s%s%s%s%s%s%s", u->source, u->filter[0] ? "  bpf: " : "",
		 u->filter, up, fdesc[0] ? "  view: " : "", fdesc, u->input_done ? "  [end of input]" : "",
		 m->c.final && !u->input_done ? "  [final]" : "");
	int x = ui_put(u, 0, 0, COLS, h | A_BOLD, buf);
	if (u->paused)
		ui_put(u, 0, x + 2, COLS - x - 2, ui_role(u, UI_R_ALERT), " PAUSED ");

	struct hdr_item it[6];
	int n = 0;
	if (u->o.live) {
		snprintf(it[n].text, sizeof(it[n].text), " %s pkt/s  %sB/s ", ui_fmt_rate(t1, sizeof(t1), m->c.pps),
			 ui_fmt_rate(t2, sizeof(t2), m->c.bps));
		it[n].a = h, it[n].prio = 1, n++;
		snprintf(it[n].text, sizeof(it[n].text), " drops kernel %" PRIu64 " iface %" PRIu64 " ",
			 m->c.fig.kernel_drops, m->c.fig.iface_drops);
		/* lost packets mean missed evidence: as loud as flagged sessions */
		it[n].a = m->c.fig.kernel_drops || m->c.fig.iface_drops ? ui_role(u, UI_R_ALERT) : h;
		it[n].prio = 4, n++;
	} else if (m->c.first_ts_us) {
		char t3[32];
		snprintf(it[n].text, sizeof(it[n].text), " %s-%s UTC (%s) ", ui_fmt_hmsm(t1, sizeof(t1), m->c.first_ts_us),
			 ui_fmt_hmsm(t2, sizeof(t2), m->c.last_ts_us),
			 ui_fmt_dur(t3, sizeof(t3), m->c.last_ts_us - m->c.first_ts_us));
		it[n].a = h, it[n].prio = 2, n++;
		if (m->c.have_stats) {
			snprintf(it[n].text, sizeof(it[n].text), " %s frames ", ui_fmt_group(t1, sizeof(t1), m->c.fig.frames));
			it[n].a = h, it[n].prio = 1, n++;
		}
	}
	if (u->o.live)
		snprintf(it[n].text, sizeof(it[n].text), " sessions %" PRIu64 " active / %" PRIu64 " total ",
			 ui_model_active(m), ui_model_total(m));
	else
		snprintf(it[n].text, sizeof(it[n].text), " %" PRIu64 " session%s ", ui_model_total(m),
			 ui_model_total(m) == 1 ? "" : "s");
	it[n].a = h, it[n].prio = 3, n++;
	uint64_t fl = ui_model_flagged(m);
	snprintf(it[n].text, sizeof(it[n].text), fl ? " %" PRIu64 " FLAGGED " : " %" PRIu64 " flagged ", fl);
	it[n].a = fl ? ui_role(u, UI_R_ALERT) : h, it[n].prio = 9, n++;
	if (m->sensors.named) { /* read from sensors: a silent one as loud as flagged sessions */
		size_t k = wall_sensors_silent(&m->sensors, wall_sensors_follow(u), u->now_us);
		size_t ns = m->sensors.named;
		if (k)
			snprintf(it[n].text, sizeof(it[n].text), " %zu of %zu SENSOR%s SILENT ", k, ns, ns == 1 ? "" : "S");
		else
			snprintf(it[n].text, sizeof(it[n].text), " %zu sensor%s heard ", ns, ns == 1 ? "" : "s");
		it[n].a = k ? ui_role(u, UI_R_ALERT) : h, it[n].prio = k ? 8 : 2, n++;
	}
	snprintf(it[n].text, sizeof(it[n].text), " findings E%" PRIu64 " W%" PRIu64 " N%" PRIu64 " ",
		 m->findings_total[SEV_ERROR], m->findings_total[SEV_WARNING], m->findings_total[SEV_NOTICE]);
	it[n].a = h, it[n].prio = 0, n++;

	bool show[6];
	int total = 0;
	for (int i = 0; i < n; i++) {
		show[i] = true;
		total += (int)strlen(it[i].text);
	}
	for (int p = 0; p < 9 && total > COLS; p++)
		for (int i = 0; i < n; i++)
			if (show[i] && it[i].prio == p) {
				show[i] = false;
				total -= (int)strlen(it[i].text);
			}
	x = 0;
	for (int i = 0; i < n; i++)
		if (show[i])
			x += ui_put(u, 1, x, COLS - x, it[i].a, it[i].text);
}

void ui_draw_bar(struct ui *u, unsigned view)
{
	int y = LINES - 1;
	ui_fill(y, 0, COLS, A_NORMAL);
	if (u->searching) {
		char buf[UI_SEARCH_MAX + 64];
		snprintf(buf, sizeof(buf), "Search: %s_   (Enter keeps, Esc cancels)", u->list.filter.search);
		ui_put(u, y, 0, COLS, ui_role(u, UI_R_TITLE), buf);
		return;
	}
	if (u->saving) {
		char buf[700];
		snprintf(buf, sizeof(buf), "Save %zu session%s in %s as: %s_   (Enter saves, Esc cancels)",
			 u->save_n, u->save_n == 1 ? "" : "s", u->save_dir, u->save_name);
		ui_put(u, y, 0, COLS, ui_role(u, UI_R_TITLE), buf);
		return;
	}
	if (u->msg[0] && u->now_us < u->msg_until_us) {
		ui_put(u, y, 0, COLS, ui_role(u, UI_R_TITLE), u->msg);
		return;
	}
	struct ui_bar_item it[UI_ACT__COUNT];
	size_t n = ui_bar_items(view, it, UI_ACT__COUNT);
	int x = 0;
	for (size_t i = 0; i < n && x < COLS; i++) {
		int need = (int)strlen(it[i].key) + (int)strlen(it[i].label) + 2;
		if (x + need > COLS)
			break;
		x += ui_put(u, y, x, COLS - x, ui_role(u, UI_R_KEY), it[i].key);
		x += ui_put(u, y, x, COLS - x, A_NORMAL, " ");
		x += ui_put(u, y, x, COLS - x, A_NORMAL, it[i].label);
		x += ui_put(u, y, x, COLS - x, A_NORMAL, " ");
	}
}

