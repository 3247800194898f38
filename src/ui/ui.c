/*
 * ui.c - the dashboard manager: the terminal, the sink, the clock, the key
 * dispatch and the redraw policy. Panels (panel_*.c) draw; this file only
 * decides when, and routes keys through the action table (ui_keys.c).
 *
 * Redraw policy: keys and resizes redraw at once; model changes redraw at
 * most every 100 ms; otherwise once a second (the uptime clock). While the
 * display is paused, model changes do not redraw and the list is not
 * rebuilt, but events still update the model.
 *
 * The terminal is a process-wide resource, so one static pointer remembers
 * the running dashboard for ui_emergency_restore() (called from main's
 * signal handlers). It calls endwin(), which is not async-signal-safe in
 * theory; every curses program does it, and the alternative is leaving the
 * user's terminal in raw mode.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui_internal.h"
#include "util.h"

#define UI_FRAME_US 100000   /* at most ~10 redraws per second */
#define UI_IDLE_US 1000000   /* redraw at least once a second */
#define UI_KEYS_PER_TICK 256 /* a pasted flood cannot stall the capture */

static struct ui *ui_running;

static const struct ui_panel_ops *const panels[UI_P__COUNT] = {
	[UI_P_LIST] = &ui_panel_list,
	[UI_P_SESSION] = &ui_panel_session,
	[UI_P_SERVERS] = &ui_panel_servers,
	[UI_P_HELP] = &ui_panel_help,
	[UI_P_WALL] = &ui_panel_wall,
};

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the sink ---------------------------------------------------------------- */

static void sink_event(void *self, const struct event *e)
{
	struct ui *u = self;
	/* the reader's clock, for when a sensor was last heard: the latest
	 * tick's (at most a page of a stream old), or now before the first */
	if (u->started) {
		u->m->clock_us = u->now_us;
	} else {
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		u->m->clock_us = (uint64_t)rt.tv_sec * 1000000u + (uint64_t)rt.tv_nsec / 1000u;
	}
	ui_model_event(u->m, e);
}

static const struct sink_ops ui_sink_ops = {
	.name = "dashboard",
	.event = sink_event,
	/* No finish and no free: main owns the dashboard (ui_browse marks the end
	 * of input, ui_free releases it), and may finish the bus after ui_free. */
	.finish = NULL,
	.free = NULL,
};

struct ledger *ui_ledger(struct ui *u)
{
	return u ? u->lg : NULL;
}

struct sink ui_sink(struct ui *u)
{
	struct sink s = { .ops = u ? &ui_sink_ops : NULL, .self = u };
	return s;
}

/* ---- start and stop --------------------------------------------------------------- */

static void fail(char *errbuf, size_t errlen, const char *msg)
{
	if (errbuf && errlen)
		strlcpy_safe(errbuf, msg, errlen);
}

struct ui *ui_new(const struct ui_opts *o, char *errbuf, size_t errlen)
{
	const char *term = getenv("TERM");
	if (!term || !*term) {
		fail(errbuf, errlen, "dashboard: TERM is not set (use --report or a pipe for the text report)");
		return NULL;
	}
	if (!isatty(STDOUT_FILENO)) {
		fail(errbuf, errlen, "dashboard: standard output is not a terminal");
		return NULL;
	}
	struct ui *u = xcalloc(1, sizeof(*u));
	if (o)
		u->o = *o;
	strlcpy_safe(u->source, o && o->source ? o->source : "", sizeof(u->source));
	strlcpy_safe(u->filter, o && o->filter ? o->filter : "", sizeof(u->filter));
	u->o.source = u->source;
	u->o.filter = u->filter;
	/* The capture may come from stdin (-r -): read keys from the terminal itself. */
	FILE *in = stdin;
	if (!isatty(STDIN_FILENO)) {
		u->tty_in = fopen("/dev/tty", "r");
		if (!u->tty_in) {
			fail(errbuf, errlen, "dashboard: cannot open /dev/tty for keyboard input");
			goto fail;
		}
		in = u->tty_in;
	}
	/* ncursesw needs the locale to draw UTF-8; the rest of pop3mon only prints ASCII. */
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	u->utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	u->g = ui_glyphs_get(u->utf8);
	u->scr = newterm(NULL, stdout, in);
	if (!u->scr) {
		char msg[160];
		snprintf(msg, sizeof(msg), "dashboard: cannot start curses on terminal type '%s'", term);
		fail(errbuf, errlen, msg);
		goto fail;
	}
	set_term(u->scr);
	u->active = true;
	ui_running = u;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	u->color = !u->o.no_color && has_colors();
	ui_colors_init(u);

	struct ui_model_opts mo;
	ui_model_opts_default(&mo);
	if (u->o.store_bytes_max)
		mo.store_bytes_max = (size_t)u->o.store_bytes_max;
	struct ledger_opts lo;
	ui_model_ledger_opts(&mo, &lo);
	u->lg = ledger_new(&lo);
	u->m = ui_model_new_shared(&mo, u->lg);
	ui_list_init(&u->list);
	u->panel = u->o.wall ? UI_P_WALL : UI_P_LIST;
	u->back = u->panel;
	u->list_back = UI_P__COUNT;
	u->wall_sel = SIZE_MAX;
	wall_thresholds_default(&u->wth);
	if (u->o.wall_ok_after_us) {
		u->wth.fail_pct = u->o.wall_fail_pct;
		u->wth.fail_min = u->o.wall_fail_min;
		u->wth.slow_min = u->o.wall_slow_min;
		u->wth.quiet_us = u->o.wall_quiet_us;
		u->wth.ok_after_us = u->o.wall_ok_after_us;
		u->wth.stale_us = u->o.wall_stale_us;
	}
	u->dirty = true;
	return u;
fail:
	if (u->tty_in)
		fclose(u->tty_in);
	free(u);
	return NULL;
}

void ui_emergency_restore(void)
{
	struct ui *u = ui_running;
	if (u && u->active && !isendwin())
		endwin();
}

void ui_free(struct ui *u)
{
	if (!u)
		return;
	if (u->active) {
		endwin();
		delscreen(u->scr);
		u->active = false;
	}
	if (ui_running == u)
		ui_running = NULL;
	if (u->tty_in)
		fclose(u->tty_in);
	ui_model_free(u->m);
	ledger_free(u->lg);
	ui_list_fini(&u->list);
	ui_ladder_fini(&u->sv_ld);
	wall_tracks_fini(&u->wt);
	free(u->save_ids);
	free(u->rows);
	free(u);
}

int ui_input_fd(const struct ui *u)
{
	if (!u || !u->active)
		return -1;
	return u->tty_in ? fileno(u->tty_in) : STDIN_FILENO;
}

void ui_set_save(struct ui *u, ui_save_fn fn, void *ctx, const char *dir)
{
	if (!u)
		return;
	u->save_fn = fn;
	u->save_ctx = ctx;
	strlcpy_safe(u->save_dir, dir ? dir : ".", sizeof(u->save_dir));
}

/* ---- shared actions -------------------------------------------------------------- */

/* Open the save prompt for these sessions, with a default name. */
void ui_save_ids(struct ui *u, const uint64_t *ids, size_t n)
{
	if (!u->save_fn) {
		ui_msg(u, "Saving is not available in this run (no packet spool).");
		return;
	}
	if (n == 0) {
		ui_msg(u, "Nothing to save.");
		return;
	}
	free(u->save_ids);
	u->save_ids = xcalloc(n, sizeof(*ids));
	memcpy(u->save_ids, ids, n * sizeof(*ids));
	u->save_n = n;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(u->save_name, sizeof(u->save_name), "pop3mon-%Y%m%dT%H%M%SZ.pcap", &tm);
	u->saving = true;
}

/* A key in the save prompt: edit the name, Enter saves, Esc cancels. */
static void save_key(struct ui *u, int ch)
{
	size_t len = strlen(u->save_name);
	if (ch == 27) {
		u->saving = false;
		ui_msg(u, "Save cancelled.");
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		if (!len)
			return;
		u->saving = false;
		const char *msg = u->save_fn(u->save_ctx, u->save_ids, u->save_n, u->save_name);
		char safe[256];
		sanitize_text(safe, sizeof(safe), msg ? msg : "saved");
		ui_msg(u, "%s", safe);
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (len)
			u->save_name[len - 1] = '\0';
	} else if (ch == 21) { /* Ctrl-U: clear the line */
		u->save_name[0] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && len + 1 < sizeof(u->save_name)) {
		u->save_name[len] = (char)ch;
		u->save_name[len + 1] = '\0';
	}
	if (!u->saving) {
		free(u->save_ids);
		u->save_ids = NULL;
		u->save_n = 0;
	}
}

static void save_flagged(struct ui *u)
{
	uint64_t *ids = xcalloc(u->m->n ? u->m->n : 1, sizeof(*ids));
	size_t n = 0;
	for (size_t i = 0; i < u->m->n; i++)
		if (u->m->s[i]->h->flagged)
			ids[n++] = u->m->s[i]->id;
	if (n == 0)
		ui_msg(u, "No flagged sessions to save.");
	else
		ui_save_ids(u, ids, n);
	free(ids);
}

void ui_open_session(struct ui *u, uint64_t id)
{
	if (u->sv_id != id) {
		u->sv_id = id;
		u->sv_sel = u->sv_top = 0;
		memset(&u->sv_x, 0, sizeof(u->sv_x));
	}
	u->panel = UI_P_SESSION;
}

/* ---- keys ---------------------------------------------------------------------------- */

static void search_key(struct ui *u, int ch)
{
	struct ui_filter *f = &u->list.filter;
	size_t len = strlen(f->search);
	if (ch == 27) { /* Esc: cancel */
		strlcpy_safe(f->search, u->search_saved, sizeof(f->search));
		u->searching = false;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		u->searching = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (len)
			f->search[len - 1] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && len + 1 < sizeof(f->search)) {
		f->search[len] = (char)ch;
		f->search[len + 1] = '\0';
	}
	u->list.built_gen = UINT64_MAX; /* rebuild with the new text */
}

static void dispatch(struct ui *u, int ch)
{
	if (u->saving) {
		save_key(u, ch);
		return;
	}
	if (u->searching) {
		search_key(u, ch);
		return;
	}
	if (u->panel == UI_P_WALL && u->o.no_keys)
		return; /* a kiosk: signals stop it, keys do nothing */
	const struct ui_panel_ops *p = panels[u->panel];
	int a = ui_action_for_key(ch, p->view);
	if (a < 0)
		return;
	if (a == UI_ACT_BACK && u->panel == UI_P_LIST && u->list_back != UI_P__COUNT) {
		/* the list was opened from the servers view: back there, filter as it was */
		u->list.filter = u->list_saved;
		u->list.built_gen = UINT64_MAX;
		u->panel = u->list_back;
		u->list_back = UI_P__COUNT;
		return;
	}
	switch ((enum ui_action)a) {
	case UI_ACT_QUIT:
		u->quit = true;
		return;
	case UI_ACT_HELP:
		if (u->panel != UI_P_HELP) {
			u->back = u->panel;
			u->help_top = 0;
			u->panel = UI_P_HELP;
		}
		return;
	case UI_ACT_PAUSE:
		/* the rows freeze as they are, not only the list's order */
		u->paused = !u->paused;
		if (u->paused)
			ui_list_freeze(&u->list, u->m);
		else
			ui_list_thaw(&u->list);
		return;
	case UI_ACT_REDRAW:
		u->clear_next = true;
		return;
	case UI_ACT_SAVE_ALL:
		save_flagged(u);
		return;
	case UI_ACT_SEARCH:
		u->searching = true;
		strlcpy_safe(u->search_saved, u->list.filter.search, sizeof(u->search_saved));
		return;
	default:
		p->action(u, (enum ui_action)a);
	}
}

static bool handle_keys(struct ui *u)
{
	int ch, n = 0;
	bool any = false;
	while (n++ < UI_KEYS_PER_TICK && (ch = getch()) != ERR) {
		any = true;
		if (ch == KEY_RESIZE) {
			u->clear_next = true;
			continue;
		}
		dispatch(u, ch);
		if (u->quit)
			break;
	}
	return any;
}

/* ---- drawing ---------------------------------------------------------------------------- */

static void draw(struct ui *u)
{
	if (u->clear_next) {
		clear();
		u->clear_next = false;
	} else {
		erase();
	}
	const struct ui_panel_ops *p = panels[u->panel];
	if (LINES < 6 || COLS < 24) {
		ui_put(u, 0, 0, COLS, A_BOLD, "pop3mon: terminal too small");
		refresh();
		return;
	}
	/* paused: rebuilt only when the user changed the view (sort, filter) */
	if (u->list.built_gen != u->m->gen && (!u->paused || u->list.built_gen == UINT64_MAX))
		ui_list_rebuild(&u->list, u->m);
	if (u->panel == UI_P_WALL) {
		p->draw(u, 0, LINES);
	} else {
		p->draw(u, 2, LINES - 3);
		ui_draw_header(u);
		ui_draw_bar(u, p->view);
	}
	refresh();
	u->drawn_gen = u->m->gen;
}

uint64_t ui_judge_now(const struct ui *u)
{
	if (u->o.live || !u->m->c.last_ts_us)
		return u->now_us;
	if (wall_sensors_follow(u) && u->newest_ts_us == u->m->c.last_ts_us && u->now_us > u->newest_at_us)
		return u->m->c.last_ts_us + (u->now_us - u->newest_at_us);
	return u->m->c.last_ts_us;
}

bool ui_tick(struct ui *u, uint64_t wall_us)
{
	if (!u || !u->active)
		return false;
	if (!u->started || wall_us < u->now_us) {
		u->start_us = wall_us - (u->started ? u->now_us - u->start_us : 0);
		u->started = true;
		u->last_draw_us = 0;
	}
	u->now_us = wall_us;
	if (u->m->c.last_ts_us != u->newest_ts_us) {
		u->newest_ts_us = u->m->c.last_ts_us;
		u->newest_at_us = wall_us;
	}
	if (handle_keys(u))
		u->dirty = true;
	if (u->quit)
		return false;
	uint64_t since = u->now_us - u->last_draw_us;
	bool changed = !u->paused && u->m->gen != u->drawn_gen;
	if (u->dirty || u->last_draw_us == 0 || (changed && since >= UI_FRAME_US) || since >= UI_IDLE_US) {
		draw(u);
		u->dirty = false;
		u->last_draw_us = u->now_us ? u->now_us : 1;
	}
	return true;
}

void ui_browse(struct ui *u)
{
	if (!u || !u->active)
		return;
	u->input_done = true;
	u->dirty = true;
	/* the run loop's clock is the wall clock; a file read before the first
	 * tick has none yet (the wall's title shows it) */
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	uint64_t base = u->started ? u->now_us : (uint64_t)rt.tv_sec * 1000000u + (uint64_t)rt.tv_nsec / 1000u;
	uint64_t m0 = mono_us();
	timeout(200); /* block up to 200 ms per key wait: idle, but the clock still ticks */
	/* A key wait that returns at once, again and again, means the terminal
	 * is gone (hangup, tmux killed): stop instead of spinning. */
	unsigned instant = 0;
	for (;;) {
		uint64_t t0 = mono_us();
		if (u->o.stop && *u->o.stop)
			break; /* SIGINT, SIGTERM, SIGHUP: the only way out of a --no-keys wall */
		if (!ui_tick(u, base + (t0 - m0)))
			break;
		instant = mono_us() - t0 < 1000 ? instant + 1 : 0;
		if (instant > 1000)
			break;
	}
	nodelay(stdscr, TRUE);
}
