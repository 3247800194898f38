/*
 * checks_fire.c - how a rule becomes a finding: once per rule per session
 * (checks_fire, checks_fire_txn), the evidence line a finding quotes
 * (checks_evidence), and which replies may be judged at all
 * (checks_trusted). Shared by every checks*.c file.
 */
#include <stdio.h>
#include <string.h>

#include "checks_priv.h"

static void vfire(struct checks *k, enum rule_id r, enum severity sev, const struct evidence *ev,
		  unsigned n_ev, uint64_t ts, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

void checks_fire(struct checks *k, enum rule_id r, enum severity sev, const struct evidence *ev,
		 unsigned n_ev, uint64_t ts, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfire(k, r, sev, ev, n_ev, ts, fmt, ap);
	va_end(ap);
}

void checks_fire_txn(struct checks *k, enum rule_id r, enum severity sev, const struct pop3_txn *t,
		     const char *fmt, ...)
{
	if (k->fired & (1ull << r))
		return; /* once per session: vfire would drop it */
	struct evidence ev;
	checks_evidence(&ev, t);
	va_list ap;
	va_start(ap, fmt);
	vfire(k, r, sev, &ev, 1, ev.ts_us, fmt, ap);
	va_end(ap);
}

/* vsnprintf for a format of plain text and "%s" only (most summaries:
 * one per session, "a password was sent in clear text (%s ...)"), where
 * vsnprintf cost ~750 instructions; false, having written nothing
 * promised, at any other conversion or a NULL string, for vsnprintf. */
static bool format_strings(char *out, size_t size, const char *fmt, va_list ap)
{
	size_t o = 0;
	for (const char *p = fmt; *p;) {
		const char *s = p;
		size_t n;
		if (*p == '%') {
			if (p[1] != 's')
				return false;
			s = va_arg(ap, const char *);
			if (!s)
				return false;
			n = strlen(s);
			p += 2;
		} else {
			n = strcspn(p, "%"); /* the text up to the next conversion, not a byte loop */
			p += n;
		}
		size_t room = size - 1 - o;
		memcpy(out + o, s, n < room ? n : room);
		o += n < room ? n : room;
	}
	out[o] = '\0';
	return true;
}

static void vfire(struct checks *k, enum rule_id r, enum severity sev, const struct evidence *ev,
		  unsigned n_ev, uint64_t ts, const char *fmt, va_list ap)
{
	if (k->fired & (1ull << r))
		return;
	k->fired |= 1ull << r;
	struct finding f;
	memset(&f, 0, sizeof(f));
	f.rule = r;
	f.sev = sev;
	f.ts_us = ts;
	va_list aq;
	va_copy(aq, ap); /* format_strings may stop halfway: vsnprintf starts over */
	if (!format_strings(f.summary, sizeof(f.summary), fmt, aq))
		vsnprintf(f.summary, sizeof(f.summary), fmt, ap);
	va_end(aq);
	for (unsigned i = 0; i < n_ev && i < FINDING_EVIDENCE_MAX; i++)
		f.ev[f.n_ev++] = ev[i];
	k->fn(k->ctx, &f);
}

/* Append at most max bytes of s (up to its NUL) to e->line at *at, as
 * snprintf's "%.<max>s" would, keeping room for the NUL. */
static void line_put(struct evidence *e, size_t *at, const char *s, size_t max)
{
	size_t room = sizeof(e->line) - 1 - *at;
	size_t n = strnlen(s, max < room ? max : room);
	memcpy(e->line + *at, s, n);
	*at += n;
	e->line[*at] = '\0';
}

/* line_put for the few bytes of a separator or status word: a byte loop,
 * where strnlen and memcpy calls cost more than the bytes. */
static void line_put_short(struct evidence *e, size_t *at, const char *s)
{
	size_t o = *at;
	while (*s && o < sizeof(e->line) - 1)
		e->line[o++] = *s++;
	e->line[o] = '\0';
	*at = o;
}

/* Built for every judged reply (listings keep it for later findings), so
 * by plain copies: snprintf here was 7% of the main thread. */
void checks_evidence(struct evidence *e, const struct pop3_txn *t)
{
	size_t at = 0;
	e->frame = t->rep_frame ? t->rep_frame : t->req_frame;
	e->ts_us = t->rep_frame ? t->rep_ts_us : t->req_ts_us;
	e->txn_index = t->index;
	e->line[0] = '\0';
	if (t->cmd != POP3_CMD_NONE) {
		line_put(e, &at, t->keyword, 16);
		if (t->has_args)
			line_put_short(e, &at, " ");
		line_put(e, &at, t->args, 48);
		line_put_short(e, &at, " -> ");
	}
	line_put_short(e, &at, pop3_status_str(t->status));
	line_put_short(e, &at, " ");
	line_put(e, &at, t->text, t->cmd == POP3_CMD_NONE ? 150 : 80);
}

/* A reply we may judge: paired, not after a gap, not cut. */
bool checks_trusted(const struct pop3_txn *t)
{
	return t->status != POP3_ST_NONE && t->cmd != POP3_CMD_NONE &&
	       !(t->flags & (POP3_TF_AFTER_GAP | POP3_TF_UNSOLICITED | POP3_TF_CUT));
}
