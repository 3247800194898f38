/*
 * panel_session.c - one session as a ladder (ui_ladder.c builds it):
 * findings and their evidence on top, then client commands on the left
 * and server replies on the right, with relative times, frames and reply
 * latency. A cursor picks a line; Enter on a folded LIST/UIDL body expands
 * it. Lines cited as evidence are marked '!' and drawn in their severity.
 *
 *   ! +0.020  #7    STAT                     ──►│
 *   ! +0.021  #8                       1.0ms    │◄── +OK 1 554
 */
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

static void draw_line(struct ui *u, int y, const struct ui_ll *l, bool sel)
{
	const struct ui_glyphs *g = u->g;
	attr_t base = sel ? A_REVERSE : A_NORMAL;
	attr_t sev = l->sev >= 0 ? ui_role(u, ui_sev_role(l->sev)) : A_NORMAL;
	attr_t ev = l->evidence ? sev | A_BOLD : A_NORMAL;
	int L0 = 19;                       /* after mark, time, frame */
	int lw = (COLS - L0) / 2;          /* client column */
	int D = L0 + lw;                   /* the divider */
	ui_fill(y, 0, COLS, base);
	switch (l->kind) {
	case UI_LL_TITLE:
		ui_put(u, y, 0, COLS, base | A_BOLD, l->text);
		return;
	case UI_LL_FINDING: {
		/* folded findings: one line each, [+] opens the basis and evidence */
		int x = 0;
		if (l->expandable)
			x = ui_put(u, y, 0, 4, base | sev | A_BOLD, l->expanded ? "[-] " : "[+] ");
		ui_put(u, y, x, COLS - x, base | sev | A_BOLD, l->text);
		return;
	}
	case UI_LL_INFO:
		ui_put(u, y, 6, COLS - 6, base | ui_role(u, UI_R_DIM), l->text);
		return;
	case UI_LL_EVIDENCE: {
		ui_put(u, y, 4, 2, base | sev | A_BOLD, "!");
		ui_put(u, y, 6, 9, base, l->frame);
		ui_put(u, y, 15, 13, base, l->time);
		ui_put(u, y, 29, COLS - 29, base | sev | A_BOLD, l->text);
		return;
	}
	case UI_LL_HEADER: {
		char left[64];
		snprintf(left, sizeof(left), "%-9s %-7s", "time", "frame");
		ui_fill(y, 0, COLS, A_UNDERLINE);
		ui_put(u, y, 2, 17, A_UNDERLINE | A_BOLD, left);
		ui_put(u, y, L0, COLS - L0, A_UNDERLINE | A_BOLD, l->text);
		return;
	}
	case UI_LL_NOTE:
		ui_put(u, y, 2, COLS - 2, base | ui_role(u, UI_R_DIM), l->text);
		return;
	default:
		break;
	}
	/* transcript lines */
	if (l->evidence)
		ui_put(u, y, 0, 1, base | ev, "!");
	ui_put(u, y, 2, 9, base, l->time);
	ui_put(u, y, 11, 7, base, l->frame);
	ui_put(u, y, D, 1, base | ui_role(u, UI_R_DIM), g->vline);
	switch (l->kind) {
	case UI_LL_REQ:
		ui_put(u, y, L0, lw - 5, base | ev, l->text);
		ui_put(u, y, D - 4, 3, base | ev, g->req);
		break;
	case UI_LL_REP: {
		int ll = (int)strlen(l->lat);
		ui_put(u, y, D - 5 - ll, ll, base | ui_role(u, UI_R_DIM), l->lat);
		ui_put(u, y, D + 1, 3, base | ev, g->rep);
		attr_t st = l->text[0] == '-' ? ui_role(u, UI_R_WARN) : A_NORMAL;
		ui_put(u, y, D + 5, COLS - D - 5, base | (l->evidence ? ev : st), l->text);
		break;
	}
	case UI_LL_BODY: {
		char t[UI_LL_TEXT + 8];
		snprintf(t, sizeof(t), "%s%s", l->text, l->expandable ? (l->expanded ? "  [-]" : "  [+]") : "");
		ui_put(u, y, D + 5, COLS - D - 5, base | (l->evidence ? ev : ui_role(u, UI_R_DIM)), t);
		break;
	}
	case UI_LL_ENTRY:
		ui_put(u, y, D + 7, COLS - D - 7, base, l->text);
		break;
	case UI_LL_WAIT: {
		/* like a reply, in the warning colour: how long, and what came so far */
		int tl = (int)strlen(l->text);
		if (D + 5 + tl <= COLS) {
			int ll = (int)strlen(l->lat);
			ui_put(u, y, D - 5 - ll, ll, base | ui_role(u, UI_R_WARN), l->lat);
			ui_put(u, y, D + 1, 3, base | ui_role(u, UI_R_WARN), "...");
			ui_put(u, y, D + 5, COLS - D - 5, base | ui_role(u, UI_R_WARN), l->text);
		} else {
			/* narrow: the whole sentence matters more than the column, so it
			 * may start in the client's (empty on this line) */
			int x = COLS - tl - 1 > L0 ? COLS - tl - 1 : L0;
			ui_put(u, y, x, COLS - x, base | ui_role(u, UI_R_WARN), l->text);
		}
		break;
	}
	default:
		break;
	}
}

static void draw(struct ui *u, int y0, int rows)
{
	const struct ui_session *s = ui_model_find(u->m, u->sv_id);
	if (!s) {
		char b[96];
		snprintf(b, sizeof(b), "Session #%llu is no longer kept (evicted). Esc: back.",
			 (unsigned long long)u->sv_id);
		ui_put(u, y0 + 1, 2, COLS - 2, A_BOLD, b);
		return;
	}
	if (!u->paused || u->sv_ld.n == 0) {
		/* findings that would take more than half the panel fold to a line each */
		u->sv_x.fold_findings = ui_findings_lines(s) > (size_t)(rows > 0 ? rows : 1) / 2;
		u->sv_x.live = u->o.live;
		u->sv_x.now_us = ui_judge_now(u);
		ui_ladder_build(&u->sv_ld, s, &u->sv_x, u->g);
	}
	struct ui_ladder *ld = &u->sv_ld;
	if (u->sv_sel >= ld->n)
		u->sv_sel = ld->n ? ld->n - 1 : 0;
	size_t r = rows > 0 ? (size_t)rows : 1;
	if (u->sv_sel < u->sv_top)
		u->sv_top = u->sv_sel;
	if (u->sv_sel >= u->sv_top + r)
		u->sv_top = u->sv_sel - r + 1;
	for (size_t i = 0; i < r && u->sv_top + i < ld->n; i++)
		draw_line(u, y0 + (int)i, &ld->l[u->sv_top + i], u->sv_top + i == u->sv_sel);
}

static void sv_move(struct ui *u, long d)
{
	long n = (long)u->sv_ld.n;
	long s = (long)u->sv_sel + d;
	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	u->sv_sel = (size_t)s;
}

static bool action(struct ui *u, enum ui_action a)
{
	long page = LINES > 6 ? LINES - 5 : 1;
	switch (a) {
	case UI_ACT_UP: sv_move(u, -1); break;
	case UI_ACT_DOWN: sv_move(u, 1); break;
	case UI_ACT_PGUP: sv_move(u, -page); break;
	case UI_ACT_PGDN: sv_move(u, page); break;
	case UI_ACT_HOME: u->sv_sel = 0; break;
	case UI_ACT_END: sv_move(u, (long)u->sv_ld.n); break;
	case UI_ACT_OPEN:
		if (u->sv_sel < u->sv_ld.n) {
			const struct ui_ll *l = &u->sv_ld.l[u->sv_sel];
			if (l->expandable || l->kind == UI_LL_ENTRY) { /* a body, or a folded finding */
				ui_expand_toggle(&u->sv_x, l->txn_index);
				u->sv_ld.n = 0; /* rebuild even when paused */
			} else if (l->kind == UI_LL_EVIDENCE) {
				/* jump to the cited command/reply in the transcript */
				for (size_t i = u->sv_ld.first_txn_line; i < u->sv_ld.n; i++)
					if (u->sv_ld.l[i].evidence && u->sv_ld.l[i].txn_index == l->txn_index) {
						u->sv_sel = i;
						break;
					}
			}
		}
		break;
	case UI_ACT_NEXT:
	case UI_ACT_PREV: {
		/* the next/previous session of the list (the search's matches) */
		struct ui_list_view *v = &u->list;
		if (v->n == 0)
			break;
		ui_list_step(v, a == UI_ACT_NEXT ? 1 : -1);
		const struct ui_session *s = ui_list_row(v, u->m, v->sel);
		if (s) {
			ui_open_session(u, s->id);
			u->sv_ld.n = 0;
		}
		ui_msg(u, "Session %zu of %zu%s%s", v->sel + 1, v->n, v->filter.search[0] ? " matching /" : "",
		       v->filter.search);
		break;
	}
	case UI_ACT_BACK: u->panel = UI_P_LIST; break;
	case UI_ACT_SERVERS: u->panel = UI_P_SERVERS; break;
	case UI_ACT_SAVE: ui_save_ids(u, &u->sv_id, 1); break;
	default: return false;
	}
	return true;
}

const struct ui_panel_ops ui_panel_session = {
	.name = "session", .view = UI_V_SESSION, .draw = draw, .action = action,
};
