/*
 * panel_list.c - the session list, one row per session, coloured by the
 * worst finding, from the list view model (ui_view.c):
 *
 *   ID   Start        Client               Server            User    State  STAT      Txns  Last Latency Flags
 *   12   13:04:05.120 10.0.0.2:51234       [2001:db8::1]:110 bob     TRANS* 1/554       14  QUIT 1.2ms  ERR stat-uidl-count, listing-numbers
 *
 * Columns that do not fit are dropped, least useful first. Extra width
 * goes first to the endpoint columns (up to the longest endpoint listed,
 * so an IPv6 address is whole), then to Flags, which names as many rules
 * as fit. A cut endpoint loses the end of its address, never its port.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

enum col { C_ID, C_START, C_CLIENT, C_SERVER, C_USER, C_STATE, C_STAT, C_TXNS, C_LAST, C_LAT, C__COUNT };

static const struct {
	const char *title;
	int width;
	int keep; /* higher: dropped later */
} cols[C__COUNT] = {
	[C_ID] = { "ID", 5, 10 },         [C_START] = { "Start", 13, 6 },  [C_CLIENT] = { "Client", 22, 3 },
	[C_SERVER] = { "Server", 22, 9 }, [C_USER] = { "User", 12, 8 },    [C_STATE] = { "State", 7, 7 },
	[C_STAT] = { "STAT", 11, 2 },     [C_TXNS] = { "Txns", 6, 4 },     [C_LAST] = { "Last", 5, 1 },
	[C_LAT] = { "Latency", 8, 5 },
};
#define FLAGS_MIN 19 /* at 80 columns: ID, Start, Server, User, State and Flags */
#define ENDPOINT_MAX 49 /* "[" 39-char IPv6 "]:" 5-digit port, and a space */

struct layout {
	bool show[C__COUNT];
	int width[C__COUNT];
	int flags_w;
};

/* The widest endpoint among the listed sessions, plus the gap after it. */
static int endpoint_need(struct ui *u, bool server)
{
	int need = 0;
	char b[80];
	for (size_t i = 0; i < u->list.n; i++) {
		const struct ui_session *s = ui_list_row(&u->list, u->m, i);
		if (!s)
			continue;
		int l = (int)strlen(server ? ui_fmt_endpoint(b, sizeof(b), s->srv, s->h->sport, 0)
					   : ui_fmt_endpoint(b, sizeof(b), s->cli, s->h->cport, 0));
		if (l + 1 > need)
			need = l + 1;
	}
	return need < ENDPOINT_MAX ? need : ENDPOINT_MAX;
}

static void layout(struct ui *u, struct layout *L)
{
	int total = 2 + FLAGS_MIN;
	for (int c = 0; c < C__COUNT; c++) {
		L->show[c] = true;
		L->width[c] = cols[c].width;
		total += cols[c].width;
	}
	for (int k = 1; k <= 10 && total > COLS; k++)
		for (int c = 0; c < C__COUNT; c++)
			if (L->show[c] && cols[c].keep == k) {
				L->show[c] = false;
				total -= cols[c].width;
			}
	int extra = COLS - total;
	/* the server first: it names the server the finding is about */
	static const enum col ends[2] = { C_SERVER, C_CLIENT };
	for (int i = 0; i < 2 && extra > 0; i++) {
		enum col c = ends[i];
		if (!L->show[c])
			continue;
		int grow = endpoint_need(u, c == C_SERVER) - L->width[c];
		if (grow > extra)
			grow = extra;
		if (grow > 0) {
			L->width[c] += grow;
			extra -= grow;
		}
	}
	L->flags_w = FLAGS_MIN + (extra > 0 ? extra : 0);
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

static void cell(const struct ui_session *s, enum col c, int w, char *b, size_t n)
{
	char t[32], t2[32];
	switch (c) {
	case C_ID: snprintf(b, n, "%" PRIu64, s->id); break;
	case C_START: ui_fmt_hmsm(b, n, s->h->start_ts); break;
	case C_CLIENT: ui_fmt_endpoint(b, n, s->cli, s->h->cport, w - 1); break;
	case C_SERVER: ui_fmt_endpoint(b, n, s->srv, s->h->sport, w - 1); break;
	case C_USER: snprintf(b, n, "%s", ui_user_label(s)); break;
	/* '*': still open */
	case C_STATE: snprintf(b, n, "%s%s", state_short(s->state), s->closed ? "" : "*"); break;
	case C_STAT:
		if (s->h->stat_seen)
			snprintf(b, n, "%s/%s", ui_fmt_count(t, sizeof(t), s->h->stat_count),
				 ui_fmt_count(t2, sizeof(t2), s->h->stat_octets));
		else
			snprintf(b, n, "-");
		break;
	case C_TXNS: snprintf(b, n, "%5s", ui_fmt_count(t, sizeof(t), s->h->txns)); break;
	case C_LAST: snprintf(b, n, "%s", s->last_cmd); break;
	case C_LAT: snprintf(b, n, "%s", s->h->worst_latency_us ? ui_fmt_dur(t, sizeof(t), s->h->worst_latency_us) : "-"); break;
	default: b[0] = '\0';
	}
}

static void row(struct ui *u, int y, const struct layout *L, const struct ui_session *s, bool sel)
{
	unsigned total = s->h->findings[0] + s->h->findings[1] + s->h->findings[2];
	attr_t a = total ? ui_role(u, ui_sev_role((int)s->h->worst)) : A_NORMAL;
	if (sel)
		a |= A_REVERSE;
	ui_fill(y, 0, COLS, sel ? A_REVERSE : A_NORMAL);
	/* the mark: visible without colour too */
	ui_put(u, y, 0, 1, a, s->h->flagged ? (s->h->worst == SEV_ERROR ? "!" : "~") : total ? "." : " ");
	int x = 2;
	char b[128];
	for (int c = 0; c < C__COUNT; c++) {
		if (!L->show[c])
			continue;
		cell(s, (enum col)c, L->width[c], b, sizeof(b));
		ui_put(u, y, x, L->width[c] - 1, a, b);
		x += L->width[c];
	}
	char fl[512];
	ui_session_flags_fit(s, u->list.filter.rule, COLS - x, fl, sizeof(fl));
	ui_put(u, y, x, COLS - x, a, fl);
}

static void draw(struct ui *u, int y0, int rows)
{
	struct ui_list_view *v = &u->list;
	struct layout L;
	layout(u, &L);
	int x = 2;
	ui_fill(y0, 0, COLS, A_UNDERLINE);
	/* the sorted column's title carries the direction: up, the smallest
	 * (oldest, A) first; down, the largest (worst, slowest) first */
	static const enum col sort_col[UI_SORT__COUNT] = { C_START, C_SERVER, C_USER, C__COUNT, C_LAT };
	bool down = (v->sort == UI_SORT_FLAGS || v->sort == UI_SORT_LATENCY) != v->reverse;
	const char *arrow = u->utf8 ? (down ? "\u25bc" : "\u25b2") : (down ? "v" : "^");
	char title[64];
	for (int c = 0; c < C__COUNT; c++)
		if (L.show[c]) {
			bool sorted = v->sort < UI_SORT__COUNT && sort_col[v->sort] == (enum col)c;
			snprintf(title, sizeof(title), "%s%s", cols[c].title, sorted ? arrow : "");
			ui_put(u, y0, x, L.width[c] - 1, A_UNDERLINE | A_BOLD, title);
			x += L.width[c];
		}
	char ftitle[96];
	const char *fa = v->sort == UI_SORT_FLAGS ? arrow : "";
	if (v->filter.rule >= 0)
		snprintf(ftitle, sizeof(ftitle), "Flags%s (%s first)", fa, rule_name((enum rule_id)v->filter.rule));
	else
		snprintf(ftitle, sizeof(ftitle), "Flags%s", fa);
	int fx = x + ui_put(u, y0, x, COLS - x, A_UNDERLINE | A_BOLD, ftitle);
	char info[160];
	snprintf(info, sizeof(info), "sort: %s, %s%s  %zu of %zu ", ui_sort_name(v->sort),
		 ui_sort_dir(v->sort, v->reverse), v->follow && v->sort == UI_SORT_TIME ? ", following" : "",
		 v->n, u->m->n);
	int il = (int)strlen(info);
	if (COLS - il > fx + 1)
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
		const struct ui_session *s = ui_list_row(v, u->m, i);
		if (!s) {
			ui_put(u, y0 + 1 + r, 2, COLS - 2, ui_role(u, UI_R_DIM), "(no longer kept)");
			continue;
		}
		row(u, y0 + 1 + r, &L, s, i == v->sel);
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
	case UI_ACT_SORT_REVERSE:
		if (a == UI_ACT_SORT)
			ui_list_sort_next(v);
		else
			ui_list_sort_reverse(v);
		ui_msg(u, "Sorted by %s, %s (s: next key, S: reverse).", ui_sort_name(v->sort),
		       ui_sort_dir(v->sort, v->reverse));
		break;
	case UI_ACT_NEXT:
	case UI_ACT_PREV:
		if (!v->filter.search[0]) {
			ui_msg(u, "No search: / first.");
			break;
		}
		if (v->n) {
			size_t i = ui_list_step(v, a == UI_ACT_NEXT ? 1 : -1);
			ui_msg(u, "Match %zu of %zu for /%s", i + 1, v->n, v->filter.search);
		}
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
