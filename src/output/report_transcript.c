/*
 * report_transcript.c - a session's transcript as the report prints it:
 * one line per transaction the session ledger kept (ledger.h), formatted
 * only when printed, since most sessions are never shown. What is kept,
 * and how much, is the ledger's policy (report_ledger_opts).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

#define LINE_BUF (SAN(POP3_ARGS_MAX) + SAN(POP3_TEXT_MAX) + 512)

/* The longest a line can be before its flags: "    frame " a/b, the time,
 * "C: " keyword args, "S: " status (at most "-ERR") text, the multiline
 * counts, each byte of wire text printed as 4. None of it is ever cut. */
#define LINE_HEAD_MAX                                                                              \
	(10 + 41 + 1 + OUT_TIME_MAX + 2 + 3 + 4 * POP3_KEYWORD_MAX + 1 + 4 * POP3_ARGS_MAX + 2 + 3 + 4 + \
	 1 + 4 * POP3_TEXT_MAX + 3 + 20 + 8 + 20 + 23)
_Static_assert(LINE_HEAD_MAX < LINE_BUF, "a transcript line is cut only in its flags");

/* What a transcript line shows of a transaction. */
struct txview {
	uint64_t frame, frame2; /* frame2: the reply's, when both are shown */
	bool two;
	uint64_t ts;
	bool cmd, args, multiline, terminated;
	enum pop3_status status;
	uint64_t data_lines, data_octets;
	uint32_t flags;           /* the named bits only */
	const char *kw, *arg, *text; /* "" when not shown */
};

static void txview_of(const struct report *r, struct txview *v, const struct ledger_txn *t)
{
	v->two = t->req_frame && t->rep_frame && t->rep_frame != t->req_frame;
	v->frame = t->req_frame ? t->req_frame : t->rep_frame;
	v->frame2 = v->two ? t->rep_frame : 0;
	v->ts = t->req_ts_us ? t->req_ts_us : t->rep_ts_us;
	v->cmd = t->cmd != POP3_CMD_NONE;
	v->args = v->cmd && t->has_args;
	v->status = t->status;
	v->multiline = t->multiline;
	v->terminated = t->terminated;
	v->data_lines = t->multiline ? t->data_lines : 0;
	v->data_octets = t->multiline ? t->data_octets : 0;
	v->flags = t->flags & r->flag_known;
	v->kw = v->cmd ? t->keyword : "";
	v->arg = v->args ? t->args : "";
	v->text = t->status != POP3_ST_NONE ? t->text : "";
}

/* One transaction as one line: frame, time, C: command, S: status + first line. */
static size_t format_line(const struct report *r, char *buf, const struct txview *v)
{
	char tm[OUT_TIME_MAX];
	struct line l = { buf, 0, LINE_BUF };
	line_str(&l, "    frame ");
	line_u64(&l, v->frame);
	if (v->two) {
		line_put(&l, "/", 1);
		line_u64(&l, v->frame2);
	}
	while (l.len < 10 + 11) /* "%-11s" */
		line_put(&l, " ", 1);
	line_put(&l, " ", 1);
	report_fmt_time(r, tm, sizeof tm, v->ts, true);
	line_str(&l, tm);
	line_put(&l, "  ", 2);
	if (v->cmd) {
		line_put(&l, "C: ", 3);
		line_san(&l, v->kw);
		if (v->args) {
			line_put(&l, " ", 1);
			line_san(&l, v->arg);
		}
		line_put(&l, "  ", 2);
	}
	if (v->status == POP3_ST_NONE)
		line_str(&l, "S: (no reply)");
	else {
		line_put(&l, "S: ", 3);
		line_str(&l, pop3_status_str(v->status));
		if (v->text[0]) {
			line_put(&l, " ", 1);
			line_san(&l, v->text);
		}
	}
	if (v->multiline) {
		line_put(&l, "  (", 3);
		line_u64(&l, v->data_lines);
		line_put(&l, " lines, ", 8);
		line_u64(&l, v->data_octets);
		line_str(&l, v->terminated ? " octets)" : " octets, no terminator)");
	}
	if (v->flags) {
		bool first = true;
		for (uint32_t b = 1; b; b <<= 1) {
			const char *fn = (v->flags & b) ? pop3_txn_flag_name(b) : NULL;
			if (!fn || l.len + strlen(fn) + 4 >= LINE_BUF)
				continue;
			line_str(&l, first ? "  [" : ", ");
			line_str(&l, fn);
			first = false;
		}
		if (!first && l.len + 2 < LINE_BUF)
			line_put(&l, "]", 1);
	}
	return l.len;
}

void report_print_transcript(const struct report *r, FILE *o, const struct ledger_entry *le)
{
	if (!le->n_tx && !le->tx_dropped)
		return;
	fprintf(o, "  Transcript\n");
	for (size_t i = 0; i < le->n_tx; i++) {
		char buf[LINE_BUF];
		struct txview v;
		struct ledger_txn t;
		ledger_tx(le, i, &t);
		txview_of(r, &v, &t);
		size_t n = format_line(r, buf, &v);
		buf[n] = '\n';
		fwrite(buf, 1, n + 1, o);
	}
	if (le->tx_dropped)
		fprintf(o, "    ... %" PRIu64 " more transaction%s not kept\n", le->tx_dropped,
			le->tx_dropped == 1 ? "" : "s");
}
