/*
 * ui_ladder.c - the layout of one session as a ladder, from the model:
 *
 *   Session #3  10.0.0.2:51234 -> 10.0.0.1:110  user bob  ...
 *   ERROR stat-uidl-count: STAT said 1 message (554 octets); UIDL listed 0
 *         RFC 1939 sections 5 and 7; Outlook typically shows 0x800CCC97
 *         #12 13:04:05.123 STAT -> +OK 1 554
 *   time     frame  client                      server
 *   +0.010   #5     USER bob  ──►
 *   +0.011   #6     1.0ms                  ◄──  +OK
 *                                               RETR 3 → 4 211 octets, 87 lines
 *
 * The transcript and the findings are the session ledger's (ledger.h),
 * kept as the wire sent them: every piece of wire text is sanitised here
 * as its line is built. Lines cited as evidence carry the worst severity
 * of the findings citing them, so the panel can highlight them. Bodies are folded into one line;
 * LIST/UIDL bodies can be expanded into their (kept) entries.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_view.h"
#include "util.h"

bool ui_expand_has(const struct ui_expand *x, uint64_t idx)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->idx[i] == idx)
			return true;
	return false;
}

void ui_expand_toggle(struct ui_expand *x, uint64_t idx)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->idx[i] == idx) {
			x->idx[i] = x->idx[--x->n];
			return;
		}
	if (x->n < UI_EXPAND_MAX)
		x->idx[x->n++] = idx;
}

void ui_ladder_fini(struct ui_ladder *ld)
{
	free(ld->l);
	memset(ld, 0, sizeof(*ld));
}

static struct ui_ll *add(struct ui_ladder *ld, enum ui_ll_kind k)
{
	if (ld->n == ld->cap) {
		ld->cap = ld->cap ? ld->cap * 2 : 64;
		ld->l = xrealloc(ld->l, ld->cap * sizeof(*ld->l));
	}
	struct ui_ll *l = &ld->l[ld->n++];
	memset(l, 0, sizeof(*l));
	l->kind = k;
	l->sev = -1;
	return l;
}

/* Wire text, safe for the terminal: at most what a ladder line shows. */
#define SAN_MAX (UI_LL_TEXT + 1)
static const char *san(char *buf, const char *raw)
{
	return sanitize_text(buf, SAN_MAX, raw);
}

static enum severity sev_of(const struct finding *f)
{
	return f->sev <= SEV_ERROR ? f->sev : SEV_ERROR;
}

/* "KEYWORD args" of a transaction, sanitised. */
static const char *command_text(char *buf, size_t n, const struct ledger_txn *t)
{
	char kw[SAN_MAX], args[SAN_MAX];
	snprintf(buf, n, "%s%s%s", san(kw, t->keyword), t->args[0] ? " " : "", san(args, t->args));
	return buf;
}

char *ui_fold_text(char *buf, size_t n, const struct ledger_txn *t, const struct ui_glyphs *g)
{
	char oct[32], lines[32], cmd[SAN_MAX];
	ui_fmt_group(oct, sizeof(oct), t->data_octets);
	ui_fmt_group(lines, sizeof(lines), t->data_lines);
	snprintf(buf, n, "%s %s %s octets, %s line%s%s", command_text(cmd, sizeof(cmd), t),
		 g->right, oct, lines, t->data_lines == 1 ? "" : "s",
		 t->terminated ? "" : ", no terminator");
	return buf;
}

static void rel_time(char *buf, size_t n, const struct ui_session *s, uint64_t ts)
{
	if (!ts)
		buf[0] = '\0';
	else if (ts >= s->h->start_ts)
		snprintf(buf, n, "+%" PRIu64 ".%03u", (ts - s->h->start_ts) / 1000000,
			 (unsigned)((ts - s->h->start_ts) % 1000000 / 1000));
	else
		ui_fmt_hmsm(buf, n, ts);
}

/* Worst severity of the findings citing this transaction, -1 if none. */
static int evidence_sev(const struct ledger_entry *le, const struct ledger_txn *t)
{
	int sev = -1;
	for (size_t i = 0; i < le->n_fx; i++) {
		const struct finding *f = &le->fx[i];
		for (unsigned k = 0; k < f->n_ev && k < FINDING_EVIDENCE_MAX; k++) {
			const struct evidence *e = &f->ev[k];
			bool hit = e->frame ? (e->frame == t->req_frame || e->frame == t->rep_frame ||
					       e->frame == t->end_frame)
					    : e->txn_index == t->index;
			if (hit && (int)sev_of(f) > sev)
				sev = (int)sev_of(f);
		}
	}
	return sev;
}

static void title(struct ui_ladder *ld, const struct ui_session *s)
{
	char t[16], c[32], o[32], ce[80], se[80];
	struct ui_ll *l = add(ld, UI_LL_TITLE);
	snprintf(l->text, sizeof(l->text), "Session #%" PRIu64 "  %s -> %s  user %s  %s%s  started %s UTC  %" PRIu64 " txns  %s",
		 s->id, ui_fmt_endpoint(ce, sizeof(ce), s->cli, s->h->cport, 0),
		 ui_fmt_endpoint(se, sizeof(se), s->srv, s->h->sport, 0), ui_user_label(s),
		 pop3_state_name(s->state), s->tls ? " (TLS)" : "", ui_fmt_hmsm(t, sizeof(t), s->h->start_ts),
		 s->h->txns, s->closed ? flow_end_name(s->h->end) : "open");
	if (s->sensor[0]) { /* read from a stream: which sensor saw it */
		size_t n = strlen(l->text);
		snprintf(l->text + n, sizeof(l->text) - n, "  sensor %s", s->sensor);
	}
	if (s->h->midstream && !s->login_seen) {
		l = add(ld, UI_LL_NOTE);
		snprintf(l->text, sizeof(l->text),
			 "Mid-stream: the capture began after this session's login; user and state unknown, only what was seen is judged.");
	}
	if (s->banner[0]) {
		l = add(ld, UI_LL_NOTE);
		snprintf(l->text, sizeof(l->text), "Greeting: %s", s->banner);
	}
	if (s->h->stat_seen) {
		l = add(ld, UI_LL_NOTE);
		snprintf(l->text, sizeof(l->text), "First STAT: %s message%s, %s octets",
			 ui_fmt_group(c, sizeof(c), s->h->stat_count), s->h->stat_count == 1 ? "" : "s",
			 ui_fmt_group(o, sizeof(o), s->h->stat_octets));
	}
}

size_t ui_findings_lines(const struct ui_session *s)
{
	size_t n = 0;
	for (size_t i = 0; s->le && i < s->le->n_fx; i++)
		n += 2 + s->le->fx[i].n_ev;
	return n;
}

static void findings(struct ui_ladder *ld, const struct ledger_entry *le, const struct ui_expand *x)
{
	struct ui_ll *l;
	char buf[SAN_MAX];
	if (le->n_fx == 0) {
		l = add(ld, UI_LL_NOTE);
		snprintf(l->text, sizeof(l->text), "No findings.");
	}
	/* worst first: at 80x24 the errors are the lines that fit */
	for (int sev = SEV_ERROR; sev >= SEV_NOTICE; sev--)
	for (size_t i = 0; i < le->n_fx; i++) {
		const struct finding *f = &le->fx[i];
		if ((int)sev_of(f) != sev)
			continue;
		l = add(ld, UI_LL_FINDING);
		l->sev = sev;
		l->txn_index = UI_FX_KEY(i);
		l->expandable = x->fold_findings;
		l->expanded = !x->fold_findings || ui_expand_has(x, UI_FX_KEY(i));
		snprintf(l->text, sizeof(l->text), "%s %s: %s", sev == SEV_ERROR ? "ERROR" : sev == SEV_WARNING ? "WARNING" : "notice",
			 rule_name(f->rule), san(buf, f->summary));
		if (!l->expanded)
			continue;
		l = add(ld, UI_LL_INFO);
		l->sev = sev;
		const char *sym = rule_symptom(f->rule);
		snprintf(l->text, sizeof(l->text), "%s%s%s", rule_rfc(f->rule), sym ? "; " : "", sym ? sym : "");
		for (unsigned k = 0; k < f->n_ev && k < FINDING_EVIDENCE_MAX; k++) {
			l = add(ld, UI_LL_EVIDENCE);
			l->sev = sev;
			l->evidence = true;
			l->txn_index = f->ev[k].txn_index;
			snprintf(l->frame, sizeof(l->frame), "#%" PRIu64, f->ev[k].frame);
			ui_fmt_hmsm(l->time, sizeof(l->time), f->ev[k].ts_us);
			char line[FINDING_LINE_MAX + 1];
			snprintf(line, sizeof(line), "%.*s", (int)(sizeof(f->ev[k].line) - 1), f->ev[k].line);
			snprintf(l->text, sizeof(l->text), "%s", san(buf, line));
		}
	}
	if (le->fx_dropped) {
		l = add(ld, UI_LL_NOTE);
		snprintf(l->text, sizeof(l->text), "%" PRIu64 " more findings not kept", le->fx_dropped);
	}
}

static void entries(struct ui_ladder *ld, const struct ledger_txn *t)
{
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		struct ui_ll *l = add(ld, UI_LL_ENTRY);
		l->txn_index = t->index;
		const char *bad = e->flags ? "  (malformed)" : "";
		if (t->cmd == POP3_CMD_UIDL && t->uids) {
			char raw[POP3_UID_MAX + 2], buf[SAN_MAX];
			size_t ul = e->uid_len < sizeof(raw) - 1 ? e->uid_len : sizeof(raw) - 1;
			memcpy(raw, t->uids + e->uid_off, ul);
			raw[ul] = '\0';
			snprintf(l->text, sizeof(l->text), "%" PRIu32 " %s%s", e->num, san(buf, raw), bad);
		} else
			snprintf(l->text, sizeof(l->text), "%" PRIu32 " %" PRIu64 "%s", e->num, e->size, bad);
	}
	if (t->n_entries_seen > t->n_entries) {
		struct ui_ll *l = add(ld, UI_LL_ENTRY);
		l->txn_index = t->index;
		snprintf(l->text, sizeof(l->text), "... %" PRIu32 " more entries not kept",
			 t->n_entries_seen - t->n_entries);
	}
}

static void reply_text(char *buf, size_t n, const struct ledger_txn *t)
{
	const char *st = pop3_status_str(t->status);
	if (t->status == POP3_ST_NONE) {
		snprintf(buf, n, "(no reply%s)", t->flags & POP3_TF_CUT ? ": cut" : "");
		return;
	}
	char code[SAN_MAX], text[SAN_MAX];
	snprintf(buf, n, "%s%s%s%s%s%s%s%s", st, t->code[0] ? " [" : "", san(code, t->code), t->code[0] ? "]" : "",
		 t->text[0] ? " " : "", san(text, t->text), t->flags & POP3_TF_CUT ? "  (cut)" : "",
		 t->flags & POP3_TF_UNSOLICITED ? "  (unsolicited)" : "");
}

/* The command still waiting for its reply, last in the transcript. */
static void waiting(struct ui_ladder *ld, const struct ui_session *s, const struct ui_expand *x)
{
	const struct pop3_wait *w = s->wait;
	struct ui_ll *l = add(ld, UI_LL_REQ);
	l->txn_index = UINT64_MAX;
	rel_time(l->time, sizeof(l->time), s, w->req_ts_us);
	if (w->req_frame)
		snprintf(l->frame, sizeof(l->frame), "#%" PRIu64, w->req_frame);
	snprintf(l->text, sizeof(l->text), "%s", w->cmd[0] ? w->cmd : "(command)");
	l = add(ld, UI_LL_WAIT);
	l->txn_index = UINT64_MAX;
	char d[16] = "", so_far[96] = "", more[48] = "";
	if (x->now_us > w->req_ts_us && w->req_ts_us)
		ui_fmt_dur(d, sizeof(d), x->now_us - w->req_ts_us);
	snprintf(l->lat, sizeof(l->lat), "%s", d);
	if (w->replying) {
		char ln[32], oc[32];
		snprintf(so_far, sizeof(so_far), "reply begun, %s line%s (%s octets) so far",
			 ui_fmt_group(ln, sizeof(ln), w->lines), w->lines == 1 ? "" : "s",
			 ui_fmt_group(oc, sizeof(oc), w->octets));
	} else {
		snprintf(so_far, sizeof(so_far), "no reply yet");
	}
	if (w->n > 1)
		snprintf(more, sizeof(more), "; %u more command%s queued", w->n - 1, w->n == 2 ? "" : "s");
	if (x->live)
		snprintf(l->text, sizeof(l->text), "waiting %s: %s%s", d[0] ? d : "", so_far, more);
	else
		snprintf(l->text, sizeof(l->text), "still waiting at the end of the capture (%s): %s%s", d[0] ? d : "?",
			 so_far, more);
}

void ui_ladder_build(struct ui_ladder *ld, const struct ui_session *s, const struct ui_expand *x,
		     const struct ui_glyphs *g)
{
	static const struct ledger_entry none; /* a row no longer kept: no lines */
	const struct ledger_entry *le = s->le ? s->le : &none;
	ld->n = 0;
	title(ld, s);
	findings(ld, le, x);
	struct ui_ll *l = add(ld, UI_LL_HEADER);
	char ce[80], se[80];
	snprintf(l->text, sizeof(l->text), "client %s %s server %s", ui_fmt_endpoint(ce, sizeof(ce), s->cli, s->h->cport, 0),
		 g->right, ui_fmt_endpoint(se, sizeof(se), s->srv, s->h->sport, 0));
	ld->first_txn_line = ld->n;
	for (size_t i = 0; i < le->n_tx; i++) {
		struct ledger_txn tb;
		ledger_tx(le, i, &tb);
		const struct ledger_txn *t = &tb;
		int esev = evidence_sev(le, t);
		if (t->req_frame || t->keyword[0]) {
			l = add(ld, UI_LL_REQ);
			l->txn_index = t->index;
			l->sev = esev;
			l->evidence = esev >= 0;
			rel_time(l->time, sizeof(l->time), s, t->req_ts_us);
			if (t->req_frame)
				snprintf(l->frame, sizeof(l->frame), "#%" PRIu64, t->req_frame);
			command_text(l->text, sizeof(l->text), t);
		}
		l = add(ld, UI_LL_REP);
		l->txn_index = t->index;
		l->sev = esev;
		l->evidence = esev >= 0;
		rel_time(l->time, sizeof(l->time), s, t->rep_ts_us);
		if (t->rep_frame)
			snprintf(l->frame, sizeof(l->frame), "#%" PRIu64, t->rep_frame);
		if (t->req_ts_us && t->rep_ts_us >= t->req_ts_us)
			ui_fmt_dur(l->lat, sizeof(l->lat), t->rep_ts_us - t->req_ts_us);
		reply_text(l->text, sizeof(l->text), t);
		if (t->multiline) {
			l = add(ld, UI_LL_BODY);
			l->txn_index = t->index;
			l->sev = esev;
			l->evidence = esev >= 0;
			l->expandable = t->n_entries > 0;
			l->expanded = l->expandable && ui_expand_has(x, t->index);
			ui_fold_text(l->text, sizeof(l->text), t, g);
			if (l->expanded)
				entries(ld, t);
		}
	}
	if (s->wait && s->wait->n && !s->closed)
		waiting(ld, s, x);
	if (le->tx_dropped) {
		l = add(ld, UI_LL_NOTE);
		snprintf(l->text, sizeof(l->text), "%s%" PRIu64 " more transactions not kept",
			 le->transcript_evicted ? "transcript dropped to make room for newer sessions; " : "",
			 le->tx_dropped);
	}
}
