/*
 * ui_view.c - view models for the session list, the servers view and the
 * wall.
 *
 * (The number and time formatting is in ui_fmt.c.)
 *
 * Rebuilding the list is a filter pass and a qsort over at most
 * UI_SESSIONS_MAX pointers, done only when the model's generation moved
 * and a redraw is due (at most ~10 times a second).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ctype.h>
#include <inttypes.h>

#include "ui_view.h"
#include "util.h"

/* ---- filter ------------------------------------------------------------------ */

static const char *const sort_names[UI_SORT__COUNT] = { "time", "server", "user", "flags", "latency" };

const char *ui_sort_name(enum ui_sort s)
{
	return (unsigned)s < UI_SORT__COUNT ? sort_names[s] : "?";
}

const char *ui_sort_dir(enum ui_sort s, bool reverse)
{
	static const char *const dir[UI_SORT__COUNT][2] = {
		{ "oldest first", "newest first" }, { "A to Z", "Z to A" }, { "A to Z", "Z to A" },
		{ "worst first", "worst last" },    { "slowest first", "fastest first" },
	};
	return (unsigned)s < UI_SORT__COUNT ? dir[s][reverse ? 1 : 0] : "?";
}

void ui_filter_clear(struct ui_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->rule = -1;
}

bool ui_filter_active(const struct ui_filter *f)
{
	return f->only_flagged || f->server[0] || f->user[0] || f->no_user || f->rule >= 0 || f->search[0];
}

static bool ci_contains(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);
	if (nl == 0)
		return true;
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, nl))
			return true;
	return false;
}

static bool search_match(const char *q, const struct ui_session *s)
{
	char buf[64];
	if (ci_contains(s->cli, q) || ci_contains(s->srv, q) || ci_contains(s->user, q) ||
	    ci_contains(s->banner, q) || ci_contains(s->last_cmd, q) || ci_contains(s->sensor, q) ||
	    ci_contains(pop3_state_name(s->state), q))
		return true;
	snprintf(buf, sizeof(buf), "%s:%u", s->cli, s->h->cport);
	if (ci_contains(buf, q))
		return true;
	snprintf(buf, sizeof(buf), "%s:%u", s->srv, s->h->sport);
	if (ci_contains(buf, q))
		return true;
	/* the endpoints as shown: "[2001:db8::1]:110" */
	if (ci_contains(ui_fmt_endpoint(buf, sizeof(buf), s->cli, s->h->cport, 0), q) ||
	    ci_contains(ui_fmt_endpoint(buf, sizeof(buf), s->srv, s->h->sport, 0), q) ||
	    ci_contains(ui_user_label(s), q))
		return true;
	snprintf(buf, sizeof(buf), "#%" PRIu64, s->id);
	if (!strcasecmp(buf, q))
		return true;
	/* a rule hit: its id, or what clients show for it (a help-desk ticket's "0x800CCC97") */
	for (int r = 0; r < R__COUNT; r++) {
		if (!(s->h->rules_hit >> r & 1))
			continue;
		const char *sym = rule_symptom((enum rule_id)r);
		if (ci_contains(rule_name((enum rule_id)r), q) || (sym && ci_contains(sym, q)))
			return true;
	}
	for (size_t i = 0; s->le && i < s->le->n_fx; i++) {
		char sum[4 * FINDING_SUMMARY_MAX + 1]; /* as drawn */
		if (ci_contains(sanitize_text(sum, sizeof(sum), s->le->fx[i].summary), q))
			return true;
	}
	return false;
}

bool ui_filter_match(const struct ui_filter *f, const struct ui_session *s)
{
	if (f->only_flagged && !s->h->flagged)
		return false;
	if (f->server[0] && (strcmp(f->server, s->srv) || (f->sport && f->sport != s->h->sport)))
		return false;
	if (f->user[0] && strcmp(f->user, s->user))
		return false;
	if (f->no_user && s->user[0])
		return false;
	if (f->rule >= 0 && f->rule < 64 && !(s->h->rules_hit >> f->rule & 1))
		return false;
	if (f->search[0] && !search_match(f->search, s))
		return false;
	return true;
}

char *ui_filter_describe(const struct ui_filter *f, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
#define ADD(...) do { if (o < n) o += (size_t)snprintf(buf + o, n - o, __VA_ARGS__); } while (0)
	if (f->only_flagged)
		ADD("%sflagged", o ? " " : "");
	if (f->server[0] && f->sport)
		ADD(strchr(f->server, ':') ? "%sserver=[%s]:%u" : "%sserver=%s:%u", o ? " " : "", f->server,
		    (unsigned)f->sport);
	else if (f->server[0])
		ADD("%sserver=%s", o ? " " : "", f->server);
	if (f->user[0])
		ADD("%suser=%s", o ? " " : "", f->user);
	if (f->no_user)
		ADD("%suser=%s", o ? " " : "", UI_NOLOGIN);
	if (f->rule >= 0)
		ADD("%srule=%s", o ? " " : "", rule_name((enum rule_id)f->rule));
	if (f->search[0])
		ADD("%s/%s", o ? " " : "", f->search);
#undef ADD
	return buf;
}

/* ---- the list ------------------------------------------------------------------ */

void ui_list_init(struct ui_list_view *v)
{
	memset(v, 0, sizeof(*v));
	v->follow = true;
	v->sort = UI_SORT_TIME;
	ui_filter_clear(&v->filter);
	v->built_gen = UINT64_MAX;
}

/* The frozen copies and what they own (heads, texts, waiting commands). */
static void frozen_free(struct ui_list_view *v)
{
	for (size_t i = 0; v->frozen && i < v->n_frozen; i++) {
		free(v->frozen[i].txt);
		free(v->frozen[i].wait);
	}
	free(v->frozen);
	free(v->frozen_h);
	v->frozen = NULL;
	v->frozen_h = NULL;
	v->n_frozen = 0;
}

void ui_list_fini(struct ui_list_view *v)
{
	free(v->ids);
	v->ids = NULL;
	frozen_free(v);
	v->n = v->cap = 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int tie(const struct ui_session *a, const struct ui_session *b)
{
	int c = cmp_u64(a->h->start_ts, b->h->start_ts);
	return c ? c : cmp_u64(a->seq, b->seq);
}

static int by_time(const void *pa, const void *pb)
{
	return tie(*(const struct ui_session *const *)pa, *(const struct ui_session *const *)pb);
}

static int by_server(const void *pa, const void *pb)
{
	const struct ui_session *a = *(const struct ui_session *const *)pa;
	const struct ui_session *b = *(const struct ui_session *const *)pb;
	int c = strcmp(a->srv, b->srv);
	return c ? c : tie(a, b);
}

static int by_user(const void *pa, const void *pb)
{
	const struct ui_session *a = *(const struct ui_session *const *)pa;
	const struct ui_session *b = *(const struct ui_session *const *)pb;
	if (!a->user[0] != !b->user[0])
		return a->user[0] ? -1 : 1; /* unknown users last */
	int c = strcasecmp(a->user, b->user);
	return c ? c : tie(a, b);
}

static unsigned rank(const struct ui_session *s)
{
	unsigned total = s->h->findings[0] + s->h->findings[1] + s->h->findings[2];
	return total ? (unsigned)s->h->worst + 1 : 0;
}

static int by_flags(const void *pa, const void *pb)
{
	const struct ui_session *a = *(const struct ui_session *const *)pa;
	const struct ui_session *b = *(const struct ui_session *const *)pb;
	int c = cmp_u64(rank(b), rank(a));
	if (c)
		return c;
	c = cmp_u64(b->h->findings[0] + b->h->findings[1] + b->h->findings[2],
		    a->h->findings[0] + a->h->findings[1] + a->h->findings[2]);
	return c ? c : tie(a, b);
}

static int by_latency(const void *pa, const void *pb)
{
	const struct ui_session *a = *(const struct ui_session *const *)pa;
	const struct ui_session *b = *(const struct ui_session *const *)pb;
	int c = cmp_u64(b->h->worst_latency_us, a->h->worst_latency_us);
	return c ? c : tie(a, b);
}

static int (*const comparators[UI_SORT__COUNT])(const void *, const void *) = {
	by_time, by_server, by_user, by_flags, by_latency,
};

void ui_list_rebuild(struct ui_list_view *v, const struct ui_model *m)
{
	const struct ui_session **tmp = xcalloc(m->n ? m->n : 1, sizeof(*tmp));
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		if (ui_filter_match(&v->filter, m->s[i]))
			tmp[n++] = m->s[i];
	qsort(tmp, n, sizeof(*tmp), comparators[v->sort < UI_SORT__COUNT ? v->sort : 0]);
	if (v->reverse)
		for (size_t i = 0; i < n / 2; i++) {
			const struct ui_session *t = tmp[i];
			tmp[i] = tmp[n - 1 - i];
			tmp[n - 1 - i] = t;
		}
	if (n > v->cap) {
		v->cap = n;
		v->ids = xrealloc(v->ids, v->cap * sizeof(*v->ids));
	}
	size_t newest = 0, found = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		v->ids[i] = tmp[i]->id;
		if (tmp[i]->seq > tmp[newest]->seq)
			newest = i;
		if (tmp[i]->id == v->sel_id)
			found = i;
	}
	v->n = n;
	if (n == 0)
		v->sel = 0;
	else if (v->follow && v->sort == UI_SORT_TIME)
		v->sel = newest;
	else if (found != SIZE_MAX)
		v->sel = found;
	else if (v->sel >= n)
		v->sel = n - 1;
	v->sel_id = n ? v->ids[v->sel] : 0;
	v->built_gen = m->gen;
	free(tmp);
	if (v->frozen) /* paused, and the user changed the view: take the rows again */
		ui_list_freeze(v, m);
}

/* The rows read their numbers from the ledger's entries, which change as
 * events come: paused, each row is drawn from a copy of its entry's head
 * and of its texts taken now, so nothing moves under the user. */
void ui_list_freeze(struct ui_list_view *v, const struct ui_model *m)
{
	frozen_free(v);
	v->frozen = xcalloc(v->n ? v->n : 1, sizeof(*v->frozen));
	v->frozen_h = xcalloc(v->n ? v->n : 1, sizeof(*v->frozen_h));
	v->n_frozen = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const struct ui_session *s = ui_model_find(m, v->ids[i]);
		struct ui_session *f = &v->frozen[i];
		if (!s) {
			f->id = 0; /* evicted already: drawn as "(no longer kept)" */
			continue;
		}
		*f = *s;
		v->frozen_h[i] = *s->h;
		f->h = &v->frozen_h[i];
		ui_session_copy_texts(f, s);
		if (s->wait) {
			f->wait = xmalloc(sizeof(*f->wait));
			*f->wait = *s->wait;
		}
		/* only the row's fields: nothing that points into the model */
		f->le = NULL;
		f->server = NULL;
		f->account = NULL;
	}
}

void ui_list_thaw(struct ui_list_view *v)
{
	frozen_free(v);
	v->built_gen = UINT64_MAX;
}

const struct ui_session *ui_list_row(const struct ui_list_view *v, const struct ui_model *m, size_t i)
{
	if (i >= v->n)
		return NULL;
	if (v->frozen)
		return v->frozen[i].id ? &v->frozen[i] : NULL;
	return ui_model_find(m, v->ids[i]);
}

static void resort(struct ui_list_view *v)
{
	v->built_gen = UINT64_MAX;
	/* time order follows the newest session; any other order starts at its top */
	v->follow = v->sort == UI_SORT_TIME;
	if (!v->follow) {
		v->sel = v->top = 0;
		v->sel_id = 0; /* so the rebuild keeps row 0 */
	}
}

void ui_list_sort_next(struct ui_list_view *v)
{
	v->sort = (enum ui_sort)((v->sort + 1) % UI_SORT__COUNT);
	v->reverse = false;
	resort(v);
}

void ui_list_sort_reverse(struct ui_list_view *v)
{
	v->reverse = !v->reverse;
	resort(v);
}

size_t ui_list_step(struct ui_list_view *v, int dir)
{
	if (v->n == 0)
		return 0;
	size_t s = dir >= 0 ? (v->sel + 1) % v->n : (v->sel + v->n - 1) % v->n;
	ui_list_move(v, (long)s - (long)v->sel);
	return v->sel;
}

void ui_list_move(struct ui_list_view *v, long delta)
{
	v->follow = false;
	if (v->n == 0)
		return;
	long s = (long)v->sel + delta;
	if (s < 0)
		s = 0;
	if (s >= (long)v->n)
		s = (long)v->n - 1;
	v->sel = (size_t)s;
	v->sel_id = v->ids[v->sel];
}

/* Home and End: the newest session is at one of the ends in time order;
 * going there follows it again. */
void ui_list_home(struct ui_list_view *v)
{
	ui_list_move(v, -(long)v->n);
	v->follow = v->sort == UI_SORT_TIME && v->reverse;
}

void ui_list_end(struct ui_list_view *v)
{
	ui_list_move(v, (long)v->n);
	v->follow = v->sort == UI_SORT_TIME && !v->reverse;
}

void ui_list_scroll(struct ui_list_view *v, size_t rows)
{
	if (rows == 0)
		rows = 1;
	if (v->top + rows > v->n)
		v->top = v->n > rows ? v->n - rows : 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + rows)
		v->top = v->sel - rows + 1;
}

struct ui_session *ui_list_selected(const struct ui_list_view *v, const struct ui_model *m)
{
	return v->n ? ui_model_find(m, v->sel_id) : NULL;
}

int ui_next_rule(const struct ui_model *m, int cur)
{
	for (int r = cur + 1; r < R__COUNT; r++)
		if (m->rules_hit >> r & 1)
			return r;
	return -1;
}

char *ui_session_flags(const struct ui_session *s, char *buf, size_t n)
{
	unsigned total = s->h->findings[0] + s->h->findings[1] + s->h->findings[2];
	buf[0] = '\0';
	if (!total)
		return buf;
	/* the first rule hit at the worst severity names the session */
	int first = -1;
	for (int r = 0; r < R__COUNT && first < 0; r++)
		if ((s->h->rules_hit >> r & 1) && rule_severity((enum rule_id)r) == s->h->worst)
			first = r;
	for (int r = 0; r < R__COUNT && first < 0; r++)
		if (s->h->rules_hit >> r & 1)
			first = r;
	unsigned nrules = 0;
	for (int r = 0; r < R__COUNT; r++)
		nrules += s->h->rules_hit >> r & 1;
	static const char *const tag[3] = { "ntc", "WRN", "ERR" };
	if (nrules > 1)
		snprintf(buf, n, "%s %s +%u", tag[s->h->worst <= SEV_ERROR ? s->h->worst : 2],
			 first >= 0 ? rule_name((enum rule_id)first) : "?", nrules - 1);
	else
		snprintf(buf, n, "%s %s", tag[s->h->worst <= SEV_ERROR ? s->h->worst : 2],
			 first >= 0 ? rule_name((enum rule_id)first) : "?");
	return buf;
}

char *ui_session_flags_fit(const struct ui_session *s, int first, int w, char *buf, size_t n)
{
	unsigned total = s->h->findings[0] + s->h->findings[1] + s->h->findings[2];
	buf[0] = '\0';
	if (!total || w <= 0)
		return buf;
	/* the order rules are named in: the filtered one, then by severity, worst first */
	int order[R__COUNT], k = 0, nrules = 0;
	if (first >= 0 && first < R__COUNT && (s->h->rules_hit >> first & 1))
		order[k++] = first;
	for (int sev = SEV_ERROR; sev >= SEV_NOTICE; sev--)
		for (int r = 0; r < R__COUNT; r++)
			if ((s->h->rules_hit >> r & 1) && r != first && (int)rule_severity((enum rule_id)r) == sev)
				order[k++] = r;
	nrules = k;
	static const char *const tag[3] = { "ntc", "WRN", "ERR" };
	size_t o = (size_t)snprintf(buf, n, "%s", tag[s->h->worst <= SEV_ERROR ? s->h->worst : 2]);
	for (int i = 0; i < nrules && o < n; i++) {
		const char *name = rule_name((enum rule_id)order[i]);
		char more[16] = "";
		if (i + 1 < nrules)
			snprintf(more, sizeof(more), " +%d", nrules - i - 1);
		/* this name, and room for the "+k" of those after it */
		size_t need = o + (i ? 2 : 1) + strlen(name) + strlen(more);
		if (i > 0 && need > (size_t)w) {
			snprintf(buf + o, n - o, " +%d", nrules - i);
			break;
		}
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : " ", name);
	}
	return buf;
}

/* ---- servers -------------------------------------------------------------------- */

static int cmp_lat(const void *a, const void *b)
{
	return cmp_u64(*(const uint64_t *)a, *(const uint64_t *)b);
}

uint64_t ui_server_percentile(const struct ui_server *v, unsigned pct)
{
	if (v->n_lat == 0)
		return 0;
	uint64_t tmp[UI_LAT_SAMPLES];
	memcpy(tmp, v->lat, v->n_lat * sizeof(tmp[0]));
	qsort(tmp, v->n_lat, sizeof(tmp[0]), cmp_lat);
	size_t rank_ = (v->n_lat * pct + 99) / 100; /* nearest rank: ceil(p/100 * n) */
	if (rank_ < 1)
		rank_ = 1;
	if (rank_ > v->n_lat)
		rank_ = v->n_lat;
	return tmp[rank_ - 1];
}

/* 2: an error finding, 1: a warning, 0: neither */
static unsigned server_level(const struct ui_server *v)
{
	return v->findings[SEV_ERROR] ? 2 : v->findings[SEV_WARNING] ? 1 : 0;
}

static int srv_cmp(const void *pa, const void *pb)
{
	const struct ui_server *a = *(const struct ui_server *const *)pa;
	const struct ui_server *b = *(const struct ui_server *const *)pb;
	int c = cmp_u64(server_level(b), server_level(a));
	if (!c)
		c = cmp_u64(b->flagged, a->flagged);
	if (!c)
		c = cmp_u64(b->sessions, a->sessions);
	if (!c)
		c = strcmp(a->addr, b->addr);
	return c ? c : cmp_u64(a->port, b->port);
}

static int acct_cmp(const void *pa, const void *pb)
{
	const struct ui_account *a = *(const struct ui_account *const *)pa;
	const struct ui_account *b = *(const struct ui_account *const *)pb;
	int c = cmp_u64(b->flagged, a->flagged);
	if (!c)
		c = cmp_u64(b->failed_logins, a->failed_logins);
	return c ? c : strcmp(a->user, b->user);
}

static const struct ui_server **sorted_servers(const struct ui_model *m)
{
	const struct ui_server **v = xcalloc(m->n_srv ? m->n_srv : 1, sizeof(*v));
	for (size_t i = 0; i < m->n_srv; i++)
		v[i] = m->srv[i];
	qsort(v, m->n_srv, sizeof(*v), srv_cmp);
	return v;
}

size_t ui_server_rows(const struct ui_model *m, struct ui_server_row *out, size_t max)
{
	const struct ui_server **sv = sorted_servers(m);
	size_t n = 0;
	for (size_t i = 0; i < m->n_srv && n < max; i++) {
		const struct ui_server *v = sv[i];
		out[n].srv = v;
		out[n].acct = NULL;
		out[n].p50 = ui_server_percentile(v, 50);
		out[n].p90 = ui_server_percentile(v, 90);
		out[n].p99 = ui_server_percentile(v, 99);
		n++;
		const struct ui_account **ac = xcalloc(v->n_acct ? v->n_acct : 1, sizeof(*ac));
		for (size_t k = 0; k < v->n_acct; k++)
			ac[k] = &v->acct[k];
		qsort(ac, v->n_acct, sizeof(*ac), acct_cmp);
		for (size_t k = 0; k < v->n_acct && n < max && !v->folded; k++) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].srv = v;
			out[n].acct = ac[k];
			n++;
		}
		for (int k = 0; k < UI_ACCT__EXTRA && n < max && !v->folded; k++) {
			if (!v->extra[k].sessions)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			out[n].srv = v;
			out[n].acct = &v->extra[k];
			n++;
		}
		free(ac);
	}
	free(sv);
	return n;
}

char *ui_rules_text(uint64_t rules, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int r = 0; r < R__COUNT && o < n; r++)
		if (rules >> r & 1)
			o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", rule_name((enum rule_id)r));
	return buf;
}

/* ---- the wall -------------------------------------------------------------------- */

char *ui_recent_text(const struct ui_recent *r, char *buf, size_t n)
{
	char t[16];
	if (r->user[0])
		snprintf(buf, n, "%s %s %s@%s: %s [%s]", ui_fmt_hms(t, sizeof(t), r->ts_us),
			 severity_name(r->sev), r->user, r->srv, r->summary, rule_name(r->rule));
	else
		snprintf(buf, n, "%s %s %s: %s [%s]", ui_fmt_hms(t, sizeof(t), r->ts_us),
			 severity_name(r->sev), r->srv, r->summary, rule_name(r->rule));
	return buf;
}
