/*
 * panel_help.c - the help screen, generated from the key table
 * (ui_actions.def) so it cannot drift from the keys, plus a legend.
 */
#include <stdio.h>

#include "ui_internal.h"

#define HELP_LEGEND 9

static size_t help_lines(void)
{
	return 2 + UI_ACT__COUNT + 1 + HELP_LEGEND;
}

static void line(struct ui *u, size_t i, int y)
{
	char b[512];
	if (i == 0) {
		ui_put(u, y, 0, COLS, A_BOLD, "Keys (from the action table)");
		return;
	}
	if (i == 1) {
		snprintf(b, sizeof(b), "  %-10s %-13s %s", "key", "action", "what it does");
		ui_put(u, y, 0, COLS, A_UNDERLINE, b);
		return;
	}
	i -= 2;
	if (i < UI_ACT__COUNT) {
		ui_put(u, y, 0, COLS, A_NORMAL, ui_help_line((enum ui_action)i, b, sizeof(b)));
		return;
	}
	i -= UI_ACT__COUNT;
	switch (i) {
	case 1: ui_put(u, y, 0, COLS, A_BOLD, "Legend"); break;
	case 2: ui_put(u, y, 2, COLS - 2, ui_role(u, UI_R_ERR), "! ERR  error: the server contradicts itself or breaks a normative rule"); break;
	case 3: ui_put(u, y, 2, COLS - 2, ui_role(u, UI_R_WARN), "~ WRN  warning: free text disagrees with the numbers, or the RFC allows slack"); break;
	case 4: ui_put(u, y, 2, COLS - 2, ui_role(u, UI_R_NOTICE), ". ntc  notice: response codes, failed logins, clear-text credentials"); break;
	case 5: ui_put(u, y, 2, COLS - 2, ui_role(u, UI_R_ALERT), " N FLAGGED "); ui_put(u, y, 14, COLS - 14, A_NORMAL, " sessions with an error or warning finding"); break;
	case 6: ui_put(u, y, 2, COLS - 2, A_NORMAL, "State '*': the session is still open. Times are UTC; in a session, relative to its start."); break;
	case 7: ui_put(u, y, 2, COLS - 2, A_NORMAL, "Session view: '!' marks lines cited as evidence; [+] bodies expand with Enter."); break;
	case 8: ui_put(u, y, 2, COLS - 2, A_NORMAL, "Esc or Left returns; q quits."); break;
	default: break;
	}
}

static void draw(struct ui *u, int y0, int rows)
{
	size_t n = help_lines();
	if (rows > 0 && u->help_top + (size_t)rows > n)
		u->help_top = n > (size_t)rows ? n - (size_t)rows : 0;
	for (int r = 0; r < rows && u->help_top + (size_t)r < n; r++)
		line(u, u->help_top + (size_t)r, y0 + r);
}

static bool action(struct ui *u, enum ui_action a)
{
	switch (a) {
	case UI_ACT_UP: if (u->help_top) u->help_top--; break;
	case UI_ACT_DOWN: u->help_top++; break;
	case UI_ACT_PGUP: u->help_top = u->help_top > 10 ? u->help_top - 10 : 0; break;
	case UI_ACT_PGDN: u->help_top += 10; break;
	case UI_ACT_HOME: u->help_top = 0; break;
	case UI_ACT_END: u->help_top = help_lines(); break;
	case UI_ACT_BACK: u->panel = u->back == UI_P_HELP ? UI_P_LIST : u->back; break;
	default: return false;
	}
	return true;
}

const struct ui_panel_ops ui_panel_help = {
	.name = "help", .view = UI_V_HELP, .draw = draw, .action = action,
};
