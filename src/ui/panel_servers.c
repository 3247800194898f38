/*
 * panel_servers.c - one row per server (address AND port), worst first,
 * each followed by its accounts, "(no login)" and "(other accounts)", so
 * the account rows add up to the server's sessions (ui_server_rows).
 * Enter lists the sessions of the row's server (and account); Esc in that
 * list comes back here. '+' folds or unfolds the selected server's
 * accounts, '*' all of them.
 *
 *   Server / account      Sessions Active Flagged Failed   p50    p90    p99  E/W/N     Rules broken
 * - 10.0.0.1:110                12      1       3      2  1.0ms  3.1ms  12ms  4/1/2     stat-uidl-count, retr-size
 *     bob                        5      -       3      0                      4/0/1     stat-uidl-count
 *     (no login)                 7      -       0      2                      0/0/2     login-failed
 * + 10.0.0.1:995                 4      0       0      0  ...                            (3 accounts folded)
 *
 * The rules column is cut at a rule boundary, never mid-word: what does
 * not fit is said as "+N more".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"
#include "util.h"

#define SRV_ROWS_MAX (UI_SERVERS_MAX * (UI_ACCOUNTS_PER_SERVER_MAX + UI_ACCT__EXTRA + 1) + 1)
#define NAME_W_MIN 22
#define NAME_W_MAX 48

static void rebuild(struct ui *u)
{
	size_t want = u->m->n_srv;
	for (size_t i = 0; i < u->m->n_srv; i++)
		want += u->m->srv[i]->n_acct + UI_ACCT__EXTRA;
	if (want > SRV_ROWS_MAX)
		want = SRV_ROWS_MAX;
	if (want > u->cap_rows) {
		u->cap_rows = want;
		u->rows = xrealloc(u->rows, u->cap_rows * sizeof(*u->rows));
	}
	u->n_rows = ui_server_rows(u->m, u->rows, u->cap_rows);
}

/* The rule names of `rules` that fit in `w` columns, whole, then "+N more". */
char *ui_rules_fit(uint64_t rules, int w, char *buf, size_t n)
{
	size_t o = 0;
	int total = 0, i = 0;
	buf[0] = '\0';
	for (int r = 0; r < R__COUNT; r++)
		total += (int)(rules >> r & 1);
	for (int r = 0; r < R__COUNT; r++) {
		if (!(rules >> r & 1))
			continue;
		const char *name = rule_name((enum rule_id)r);
		char more[32] = "";
		if (i < total - 1)
			snprintf(more, sizeof(more), ", +%d more", total - i - 1);
		size_t need = o + (o ? 2 : 0) + strlen(name) + strlen(more);
		if (need > (size_t)(w > 0 ? w : 0) || need >= n) {
			snprintf(more, sizeof(more), "%s+%d more", o ? ", " : "", total - i);
			if (o + strlen(more) <= (size_t)(w > 0 ? w : 0) && o + strlen(more) < n)
				strlcpy_safe(buf + o, more, n - o);
			return buf;
		}
		o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", name);
		i++;
	}
	return buf;
}

static int name_width(const struct ui *u)
{
	int w = NAME_W_MIN;
	for (size_t i = 0; i < u->n_rows; i++) {
		const char *s = u->rows[i].acct ? u->rows[i].acct->user : u->rows[i].srv->name;
		int l = (int)strlen(s) + (u->rows[i].acct ? 4 : 2);
		if (l > w)
			w = l;
	}
	return w < NAME_W_MAX ? w : NAME_W_MAX;
}

static void draw(struct ui *u, int y0, int rows)
{
	if (!u->paused || u->n_rows == 0)
		rebuild(u);
	char b[1024], p50[16], p90[16], p99[16], rules[600];
	int nw = name_width(u);
	int hl = snprintf(b, sizeof(b), "  %-*s %8s %6s %7s %6s %7s %7s %7s  %-10s %s", nw - 2, "Server / account",
			  "Sessions", "Active", "Flagged", "Failed", "p50", "p90", "p99", "E/W/N", "Rules broken");
	if (hl > COLS && hl - 7 <= COLS)
		b[hl - 7] = '\0'; /* "Rules", not "Rules brok" */
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
		int n;
		if (w->acct) {
			const struct ui_account *ac = w->acct;
			n = snprintf(b, sizeof(b), "    %-*.*s %8" PRIu64 " %6s %7" PRIu64 " %6" PRIu64 " %7s %7s %7s  %-10s ",
				     nw - 4, nw - 4, ac->user, ac->sessions, "", ac->flagged, ac->failed_logins, "", "", "",
				     fw);
			if (n > 0 && (size_t)n < sizeof(b))
				ui_rules_fit(ac->rules_hit, COLS - n, b + n, sizeof(b) - (size_t)n);
		} else {
			size_t hidden = v->n_acct;
			for (int k = 0; k < UI_ACCT__EXTRA; k++)
				hidden += v->extra[k].sessions != 0;
			n = snprintf(b, sizeof(b), "%c %-*.*s %8" PRIu64 " %6" PRIu64 " %7" PRIu64 " %6" PRIu64 " %7s %7s %7s  %-10s ",
				     v->folded ? '+' : '-', nw - 2, nw - 2, v->name, v->sessions, v->active, v->flagged,
				     v->failed_logins, v->n_lat ? ui_fmt_dur(p50, sizeof(p50), w->p50) : "-",
				     v->n_lat ? ui_fmt_dur(p90, sizeof(p90), w->p90) : "-",
				     v->n_lat ? ui_fmt_dur(p99, sizeof(p99), w->p99) : "-", fw);
			if (v->folded && hidden)
				snprintf(rules, sizeof(rules), "(%zu account%s folded) ", hidden, hidden == 1 ? "" : "s");
			else
				rules[0] = '\0';
			if (n > 0 && (size_t)n < sizeof(b)) {
				int used = n + (int)strlen(rules);
				strlcpy_safe(b + n, rules, sizeof(b) - (size_t)n);
				ui_rules_fit(v->rules_hit, COLS - used, b + used, sizeof(b) - (size_t)used);
			}
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

/* Fold or unfold the selected row's server; the selection stays on it. */
static void fold(struct ui *u, bool all)
{
	if (u->srv_sel >= u->n_rows)
		return;
	struct ui_server *v = (struct ui_server *)u->rows[u->srv_sel].srv; /* the model's, view state only */
	bool to = !v->folded;
	if (all)
		for (size_t i = 0; i < u->m->n_srv; i++)
			u->m->srv[i]->folded = to;
	else
		v->folded = to;
	rebuild(u);
	for (size_t i = 0; i < u->n_rows; i++)
		if (u->rows[i].srv == v && !u->rows[i].acct)
			u->srv_sel = i;
}

static void drill_down(struct ui *u)
{
	if (u->srv_sel >= u->n_rows)
		return;
	const struct ui_server_row *w = &u->rows[u->srv_sel];
	struct ui_filter *f = &u->list.filter;
	u->list_saved = *f;
	u->list_back = UI_P_SERVERS;
	ui_filter_clear(f);
	if (strcmp(w->srv->addr, UI_OTHER_SERVERS)) {
		strlcpy_safe(f->server, w->srv->addr, sizeof(f->server));
		f->sport = w->srv->port;
	}
	if (w->acct == &w->srv->extra[UI_ACCT_NOLOGIN])
		f->no_user = true;
	else if (w->acct && w->acct != &w->srv->extra[UI_ACCT_OTHER])
		strlcpy_safe(f->user, w->acct->user, sizeof(f->user));
	u->list.built_gen = UINT64_MAX;
	u->panel = UI_P_LIST;
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
	case UI_ACT_OPEN: drill_down(u); break;
	case UI_ACT_FOLD: fold(u, false); break;
	case UI_ACT_FOLD_ALL: fold(u, true); break;
	case UI_ACT_CLEAR:
		ui_filter_clear(&u->list.filter);
		u->list.built_gen = UINT64_MAX;
		ui_msg(u, "Filters cleared.");
		break;
	case UI_ACT_BACK: u->panel = UI_P_LIST; break;
	case UI_ACT_SERVERS: u->panel = u->o.wall ? UI_P_WALL : UI_P_LIST; break;
	default: return false;
	}
	return true;
}

const struct ui_panel_ops ui_panel_servers = {
	.name = "servers", .view = UI_V_SERVERS, .draw = draw, .action = action,
};
