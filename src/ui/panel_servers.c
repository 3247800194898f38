/*
 * panel_servers.c - one row per server, worst first, each followed by its
 * accounts (ui_server_rows). Enter lists the sessions of the row's server
 * (and account).
 *
 *   Server / account      Sessions Active Flagged Failed   p50    p90    p99  E/W/N     Rules broken
 *   10.0.0.1                    12      1       3      2  1.0ms  3.1ms  12ms  4/1/2     stat-uidl-count, retr-size
 *     bob                        5      -       3      0                      4/0/1     stat-uidl-count
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"
#include "util.h"

#define SRV_ROWS_MAX (UI_SERVERS_MAX * (UI_ACCOUNTS_PER_SERVER_MAX + 1) + 1)

static void rebuild(struct ui *u)
{
	size_t want = u->m->n_srv;
	for (size_t i = 0; i < u->m->n_srv; i++)
		want += u->m->srv[i]->n_acct;
	if (want > SRV_ROWS_MAX)
		want = SRV_ROWS_MAX;
	if (want > u->cap_rows) {
		u->cap_rows = want;
		u->rows = xrealloc(u->rows, u->cap_rows * sizeof(*u->rows));
	}
	u->n_rows = ui_server_rows(u->m, u->rows, u->cap_rows);
}

static void draw(struct ui *u, int y0, int rows)
{
	if (!u->paused || u->n_rows == 0)
		rebuild(u);
	char b[512], p50[16], p90[16], p99[16], rules[300];
	snprintf(b, sizeof(b), "  %-22s %8s %6s %7s %6s %7s %7s %7s  %-10s %s", "Server / account", "Sessions",
		 "Active", "Flagged", "Failed", "p50", "p90", "p99", "E/W/N", "Rules broken");
	ui_fill(y0, 0, COLS, A_UNDERLINE);
	ui_put(u, y0, 0, COLS, A_UNDERLINE | A_BOLD, b);
	if (u->n_rows == 0) {
		ui_put(u, y0 + 2, 2, COLS - 2, ui_role(u, UI_R_DIM), "No POP3 servers seen yet.");
		return;
	}
	size_t r = rows > 1 ? (size_t)rows - 1 : 1;
	if (u->srv_sel >= u->n_rows)
		u->srv_sel = u->n_rows - 1;
	if (u->srv_sel < u->srv_top)
		u->srv_top = u->srv_sel;
	if (u->srv_sel >= u->srv_top + r)
		u->srv_top = u->srv_sel - r + 1;
	for (size_t i = 0; i < r && u->srv_top + i < u->n_rows; i++) {
		const struct ui_server_row *w = &u->rows[u->srv_top + i];
		const struct ui_server *v = w->srv;
		const unsigned *fx = w->acct ? w->acct->findings : v->findings;
		int sev = fx[SEV_ERROR] ? SEV_ERROR : fx[SEV_WARNING] ? SEV_WARNING : fx[SEV_NOTICE] ? SEV_NOTICE : -1;
		attr_t a = sev >= 0 ? ui_role(u, ui_sev_role(sev)) : A_NORMAL;
		char fw[40];
		snprintf(fw, sizeof(fw), "%u/%u/%u", fx[SEV_ERROR], fx[SEV_WARNING], fx[SEV_NOTICE]);
		if (w->acct) {
			const struct ui_account *ac = w->acct;
			snprintf(b, sizeof(b), "    %-20.20s %8" PRIu64 " %6s %7" PRIu64 " %6" PRIu64 " %7s %7s %7s  %-10s %s",
				 ac->user, ac->sessions, "", ac->flagged, ac->failed_logins, "", "", "", fw,
				 ui_rules_text(ac->rules_hit, rules, sizeof(rules)));
		} else {
			snprintf(b, sizeof(b), "  %-22.22s %8" PRIu64 " %6" PRIu64 " %7" PRIu64 " %6" PRIu64 " %7s %7s %7s  %-10s %s%s",
				 v->addr, v->sessions, v->active, v->flagged, v->failed_logins,
				 v->n_lat ? ui_fmt_dur(p50, sizeof(p50), w->p50) : "-",
				 v->n_lat ? ui_fmt_dur(p90, sizeof(p90), w->p90) : "-",
				 v->n_lat ? ui_fmt_dur(p99, sizeof(p99), w->p99) : "-", fw,
				 ui_rules_text(v->rules_hit, rules, sizeof(rules)),
				 v->accounts_dropped ? "  (more accounts not kept)" : "");
			a |= A_BOLD;
		}
		bool sel = u->srv_top + i == u->srv_sel;
		ui_fill(y0 + 1 + (int)i, 0, COLS, sel ? A_REVERSE : A_NORMAL);
		ui_put(u, y0 + 1 + (int)i, 0, COLS, a | (sel ? A_REVERSE : A_NORMAL), b);
	}
}

static void srv_move(struct ui *u, long d)
{
	long s = (long)u->srv_sel + d;
	if (s >= (long)u->n_rows)
		s = (long)u->n_rows - 1;
	if (s < 0)
		s = 0;
	u->srv_sel = (size_t)s;
}

static bool action(struct ui *u, enum ui_action a)
{
	long page = LINES > 6 ? LINES - 5 : 1;
	switch (a) {
	case UI_ACT_UP: srv_move(u, -1); break;
	case UI_ACT_DOWN: srv_move(u, 1); break;
	case UI_ACT_PGUP: srv_move(u, -page); break;
	case UI_ACT_PGDN: srv_move(u, page); break;
	case UI_ACT_HOME: u->srv_sel = 0; break;
	case UI_ACT_END: srv_move(u, (long)u->n_rows); break;
	case UI_ACT_OPEN:
		if (u->srv_sel < u->n_rows) {
			const struct ui_server_row *w = &u->rows[u->srv_sel];
			struct ui_filter *f = &u->list.filter;
			if (strcmp(w->srv->addr, UI_OTHER_SERVERS))
				strlcpy_safe(f->server, w->srv->addr, sizeof(f->server));
			strlcpy_safe(f->user, w->acct ? w->acct->user : "", sizeof(f->user));
			u->list.built_gen = UINT64_MAX;
			u->panel = UI_P_LIST;
		}
		break;
	case UI_ACT_CLEAR:
		ui_filter_clear(&u->list.filter);
		u->list.built_gen = UINT64_MAX;
		ui_msg(u, "Filters cleared.");
		break;
	case UI_ACT_BACK:
	case UI_ACT_SERVERS: u->panel = UI_P_LIST; break;
	default: return false;
	}
	return true;
}

const struct ui_panel_ops ui_panel_servers = {
	.name = "servers", .view = UI_V_SERVERS, .draw = draw, .action = action,
};
