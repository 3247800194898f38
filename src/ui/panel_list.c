/*
 * panel_list.c - the session list, one row per session, coloured by the
 * worst finding, from the list view model (ui_view.c):
 *
 *   ID     Start     Client                 Server                User        State Txns Last  Latency Flags
 *   12     13:04:05  10.0.0.2:51234         10.0.0.1:110          bob         TRANS   14 QUIT  1.2ms   ERR stat-uidl-count +1
 *
 * Columns that do not fit are dropped, least useful first; Flags takes
 * what is left.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

enum col { C_ID, C_START, C_CLIENT, C_SERVER, C_USER, C_STATE, C_TXNS, C_LAST, C_LAT, C__COUNT };

static const struct {
	const char *title;
	int width;
	int keep; /* higher: dropped later */
} cols[C__COUNT] = {
	[C_ID] = { "ID", 6, 9 },        [C_START] = { "Start", 9, 6 },  [C_CLIENT] = { "Client", 22, 3 },
	[C_SERVER] = { "Server", 22, 8 }, [C_USER] = { "User", 14, 7 },  [C_STATE] = { "State", 6, 2 },
	[C_TXNS] = { "Txns", 5, 4 },    [C_LAST] = { "Last", 5, 1 },    [C_LAT] = { "Latency", 8, 5 },
};
#define FLAGS_MIN 24

static void choose(bool show[C__COUNT])
{
	int total = 2 + FLAGS_MIN;
	for (int c = 0; c < C__COUNT; c++) {
		show[c] = true;
		total += cols[c].width;
	}
	for (int k = 1; k <= 9 && total > COLS; k++)
		for (int c = 0; c < C__COUNT; c++)
			if (show[c] && cols[c].keep == k) {
				show[c] = false;
				total -= cols[c].width;
			}
}

static const char *state_short(enum pop3_state s)
{
	switch (s) {
	case POP3_STATE_AUTHORIZATION: return "AUTH";
	case POP3_STATE_TRANSACTION: return "TRANS";
	case POP3_STATE_UPDATE: return "UPDT";
	case POP3_STATE_TLS: return "TLS";
	case POP3_STATE_CONNECT: return "CONN";
	default: return "?";
	}
}

static void cell(const struct ui_session *s, enum col c, char *b, size_t n)
{
	char t[32];
	switch (c) {
	case C_ID: snprintf(b, n, "%" PRIu64, s->id); break;
	case C_START: ui_fmt_hms(b, n, s->start_ts); break;
	case C_CLIENT: snprintf(b, n, "%s:%u", s->cli, s->cport); break;
	case C_SERVER: snprintf(b, n, "%s:%u", s->srv, s->sport); break;
	case C_USER: snprintf(b, n, "%s", s->user[0] ? s->user : "-"); break;
	case C_STATE: snprintf(b, n, "%s%s", state_short(s->state), s->closed ? "" : "*"); break;
	case C_TXNS: snprintf(b, n, "%" PRIu64, s->txns); break;
	case C_LAST: snprintf(b, n, "%s", s->last_cmd); break;
	case C_LAT: snprintf(b, n, "%s", s->worst_latency_us ? ui_fmt_dur(t, sizeof(t), s->worst_latency_us) : "-"); break;
	default: b[0] = '\0';
	}
}

static void row(struct ui *u, int y, const bool show[C__COUNT], const struct ui_session *s, bool sel)
{
	unsigned total = s->findings[0] + s->findings[1] + s->findings[2];
	attr_t a = total ? ui_role(u, ui_sev_role((int)s->worst)) : A_NORMAL;
	if (sel)
		a |= A_REVERSE;
	ui_fill(y, 0, COLS, sel ? A_REVERSE : A_NORMAL);
	/* the mark: visible without colour too */
	ui_put(u, y, 0, 1, a, s->flagged ? (s->worst == SEV_ERROR ? "!" : "~") : total ? "." : " ");
	int x = 2;
	char b[128];
	for (int c = 0; c < C__COUNT; c++) {
		if (!show[c])
			continue;
		cell(s, (enum col)c, b, sizeof(b));
		ui_put(u, y, x, cols[c].width - 1, a, b);
		x += cols[c].width;
	}
	ui_session_flags(s, b, sizeof(b));
	ui_put(u, y, x, COLS - x, a, b);
}

static void draw(struct ui *u, int y0, int rows)
{
	struct ui_list_view *v = &u->list;
	bool show[C__COUNT];
	choose(show);
	int x = 2;
	ui_fill(y0, 0, COLS, A_UNDERLINE);
	for (int c = 0; c < C__COUNT; c++)
		if (show[c]) {
			ui_put(u, y0, x, cols[c].width - 1, A_UNDERLINE | A_BOLD, cols[c].title);
			x += cols[c].width;
		}
	ui_put(u, y0, x, COLS - x, A_UNDERLINE | A_BOLD, "Flags");
	char info[160];
	snprintf(info, sizeof(info), "sort: %s%s  %zu of %zu ", ui_sort_name(v->sort), v->follow ? ", following" : "",
		 v->n, u->m->n);
	int il = (int)strlen(info);
	if (COLS - il > x + 7)
		ui_put(u, y0, COLS - il, il, A_UNDERLINE, info);
	rows--;
	/* The memory budget dropped sessions: say how many are held of how
	 * many seen, on the list's last line. */
	char held[160];
	ui_model_held_text(u->m, held, sizeof(held));
	if (held[0] && rows > 1) {
		rows--;
		ui_put(u, y0 + 1 + rows, 2, COLS - 2, ui_role(u, UI_R_DIM), held);
	}
	if (rows <= 0)
		return;
	if (v->n == 0) {
		ui_put(u, y0 + 2, 2, COLS - 2, ui_role(u, UI_R_DIM),
		       u->m->n ? "No session matches the view (c clears the filters)." : "No POP3 sessions yet.");
		return;
	}
	ui_list_scroll(v, (size_t)rows);
	for (int r = 0; r < rows && v->top + (size_t)r < v->n; r++) {
		size_t i = v->top + (size_t)r;
		const struct ui_session *s = ui_model_find(u->m, v->ids[i]);
		if (!s) {
			ui_put(u, y0 + 1 + r, 2, COLS - 2, ui_role(u, UI_R_DIM), "(no longer kept)");
			continue;
		}
		row(u, y0 + 1 + r, show, s, i == v->sel);
	}
}

static bool action(struct ui *u, enum ui_action a)
{
	struct ui_list_view *v = &u->list;
	long page = LINES > 6 ? LINES - 5 : 1;
	switch (a) {
	case UI_ACT_UP: ui_list_move(v, -1); break;
	case UI_ACT_DOWN: ui_list_move(v, 1); break;
	case UI_ACT_PGUP: ui_list_move(v, -page); break;
	case UI_ACT_PGDN: ui_list_move(v, page); break;
	case UI_ACT_HOME: ui_list_home(v); break;
	case UI_ACT_END: ui_list_end(v); break;
	case UI_ACT_OPEN: {
		const struct ui_session *s = ui_list_selected(v, u->m);
		if (s)
			ui_open_session(u, s->id);
		break;
	}
	case UI_ACT_SERVERS: u->panel = UI_P_SERVERS; break;
	case UI_ACT_FLAGGED:
		v->filter.only_flagged = !v->filter.only_flagged;
		v->built_gen = UINT64_MAX;
		break;
	case UI_ACT_SORT:
		v->sort = (enum ui_sort)((v->sort + 1) % UI_SORT__COUNT);
		v->built_gen = UINT64_MAX;
		ui_msg(u, "Sorted by %s.", ui_sort_name(v->sort));
		break;
	case UI_ACT_RULE:
		v->filter.rule = ui_next_rule(u->m, v->filter.rule);
		v->built_gen = UINT64_MAX;
		ui_msg(u, "Rule filter: %s", v->filter.rule >= 0 ? rule_name((enum rule_id)v->filter.rule) : "off");
		break;
	case UI_ACT_CLEAR:
		ui_filter_clear(&v->filter);
		v->built_gen = UINT64_MAX;
		ui_msg(u, "Filters cleared.");
		break;
	case UI_ACT_SAVE: {
		const struct ui_session *s = ui_list_selected(v, u->m);
		if (s)
			ui_save_ids(u, &s->id, 1);
		else
			ui_msg(u, "No session selected.");
		break;
	}
	default: return false;
	}
	return true;
}

const struct ui_panel_ops ui_panel_list = {
	.name = "sessions", .view = UI_V_LIST, .draw = draw, .action = action,
};
