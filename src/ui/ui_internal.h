/*
 * ui_internal.h - the dashboard's manager state and the panel vtable
 * (sngrep's ui_panel, smaller): each panel draws a band of the screen from
 * the view models and handles the actions the key table sends it. The
 * manager owns the terminal, the clock, the header and the bottom bar.
 */
#ifndef POP3MON_UI_INTERNAL_H
#define POP3MON_UI_INTERNAL_H

#include <curses.h>
#include <stdio.h>

#include "ui.h"
#include "ui_keys.h"
#include "ui_model.h"
#include "ui_view.h"
#include "wall_view.h"

enum ui_panel_id { UI_P_LIST, UI_P_SESSION, UI_P_SERVERS, UI_P_HELP, UI_P_WALL, UI_P__COUNT };

struct ui_panel_ops {
	const char *name;
	unsigned view;                                     /* UI_V_*: key lookup and bar */
	void (*draw)(struct ui *u, int y0, int rows);      /* rows y0 .. y0+rows-1, full width */
	bool (*action)(struct ui *u, enum ui_action a);    /* true when handled */
};

extern const struct ui_panel_ops ui_panel_list, ui_panel_session, ui_panel_servers, ui_panel_help,
	ui_panel_wall;

/* Screen roles, mapped to colour pairs or to plain attributes without colour. */
enum ui_role {
	UI_R_NORMAL, UI_R_HEADER, UI_R_ALERT, UI_R_NOTICE, UI_R_WARN, UI_R_ERR, UI_R_DIM, UI_R_KEY,
	UI_R_TITLE, UI_R_OK, UI_R_TILE_OK, UI_R_TILE_WARN, UI_R_TILE_ERR, UI_R_TILE_INFO, UI_R__COUNT
};

struct ui {
	struct ui_opts o;
	char source[256], filter[256];
	SCREEN *scr;
	FILE *tty_in;                /* owned: /dev/tty when stdin is not a terminal */
	bool active;                 /* curses is running */
	bool color, utf8;
	const struct ui_glyphs *g;
	attr_t attr[UI_R__COUNT];

	struct ui_model *m;          /* owned */
	struct ledger *lg;           /* owned: the sessions m reads (the bus applies events to it) */
	enum ui_panel_id panel, back;

	struct ui_list_view list;

	uint64_t sv_id;              /* session view */
	size_t sv_sel, sv_top;
	struct ui_expand sv_x;
	struct ui_ladder sv_ld;

	struct ui_server_row *rows;  /* servers view, owned */
	size_t n_rows, cap_rows, srv_sel, srv_top;

	/* the list opened from another view: Esc goes back there, with the list's filter as it was */
	enum ui_panel_id list_back;  /* UI_P__COUNT: none */
	struct ui_filter list_saved;

	size_t help_top;
	/* the wall */
	struct wall_thresholds wth;
	struct wall_tracks wt;
	size_t wall_sel;             /* the selected tile's server index, SIZE_MAX: the first */
	bool wall_show_sel;          /* turn to the page of the selection */
	size_t wall_page, wall_fx_page, wall_pages, wall_fx_pages;
	uint64_t wall_page_us, wall_seen_flagged;

	bool paused, searching;
	char search_saved[UI_SEARCH_MAX];
	char msg[256];
	uint64_t msg_until_us;
	ui_save_fn save_fn;
	void *save_ctx;
	char save_dir[256];          /* shown in the save prompt */
	bool saving;                 /* the save prompt is open */
	char save_name[256];         /* its line, editable */
	uint64_t *save_ids;          /* owned: what the prompt will save */
	size_t save_n;

	uint64_t now_us, start_us, last_draw_us, drawn_gen;
	/* Following a stream, the newest event time and the reader's clock
	 * when it came: time goes on from there while the stream is quiet. */
	uint64_t newest_ts_us, newest_at_us;
	bool started, dirty, clear_next, input_done, quit;
};

/* ui_draw.c */
attr_t ui_role(const struct ui *u, enum ui_role r);
enum ui_role ui_sev_role(int sev);
/* Text at (y, x), at most maxw columns; control bytes shown as '?'. Returns columns drawn. */
int ui_put(struct ui *u, int y, int x, int maxw, attr_t a, const char *s);
void ui_fill(int y, int x, int w, attr_t a);
void ui_msg(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_draw_header(struct ui *u);
void ui_draw_bar(struct ui *u, unsigned view);
void ui_colors_init(struct ui *u);

/* wall_sensor_lines.c: the wall's sensor band (rows at most, from y;
 * returns the next free row), the clock sensors are judged by, and the
 * sensors that saw a tile's server ("" with fewer than two sensors). */
int wall_sensor_lines(struct ui *u, int y, int rows);
bool wall_sensors_follow(const struct ui *u);
uint64_t wall_sensors_clock(const struct ui *u);
char *wall_tile_sensors(const struct ui *u, const struct ui_server *v, char *b, size_t n);

/* ui.c: actions shared by panels, and the clock they judge by */
/* The time ages and states are judged by: the clock live; the newest
 * event time reading files; following a stream, that time moved on by the
 * reader's clock since it came (a quiet fleet's tiles still age). */
uint64_t ui_judge_now(const struct ui *u);
void ui_save_ids(struct ui *u, const uint64_t *ids, size_t n);
void ui_open_session(struct ui *u, uint64_t id);

#endif
