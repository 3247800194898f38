/*
 * json_records.c - each JSON record's own object after the common fields:
 * pop3 (a transaction), pop3_finding, pop3_session, pop3_session_open,
 * stats (its counters from include/stats.def). Field by field in
 * JSON-SCHEMA.md.
 */
#include <inttypes.h>
#include <string.h>

#include "json_sink.h"
#include "stats.h"

/*
 * A LIST or UIDL listing, by cursor as the rest of the record (a listing
 * of a thousand entries cost a thousand rounds of the writer's steps):
 * room made per entry for its worst case, and at the end for what
 * follows, up to the flags.
 */
#define LISTING_ENTRY_MAX (64 + 2 * JW_U64_MAX + 48)

static char *txn_listing(struct jw *w, char *o, const struct pop3_txn *t)
{
	bool uidl = t->cmd == POP3_CMD_UIDL;
	uint32_t n = t->n_entries < JSON_LISTING_MAX ? t->n_entries : JSON_LISTING_MAX;
	o = jw_more(w, o, 16);
	o = JC_LIT(o, ",\"listing\":[");
	for (uint32_t i = 0; i < n; i++) {
		const struct pop3_entry *e = &t->entries[i];
		const char *uid = uidl && t->uids ? t->uids + e->uid_off : "";
		size_t uid_len = uidl && t->uids ? e->uid_len : 0;
		o = jw_more(w, o, LISTING_ENTRY_MAX + JW_ESCAPED_MAX(uid_len));
		if (i)
			*o++ = ',';
		o = JC_LIT(o, "{\"number\":");
		o = jc_u64(o, e->num);
		if (uidl) {
			o = JC_LIT(o, ",\"uid\":");
			o = jc_str(o, uid, uid_len);
		} else {
			o = JC_LIT(o, ",\"size\":");
			o = jc_u64(o, e->size);
		}
		if (e->flags) {
			const char *sep = "";
			o = JC_LIT(o, ",\"invalid\":[");
			if (e->flags & POP3_LE_BADNUM) {
				o = JC_LIT(o, "\"number\"");
				sep = ",";
			}
			if (e->flags & POP3_LE_BADVAL) {
				o = jc_lit(o, sep, strlen(sep));
				o = uidl ? JC_LIT(o, "\"uid_missing\"") : JC_LIT(o, "\"size\"");
				sep = ",";
			}
			if (e->flags & POP3_LE_UID_BAD) {
				o = jc_lit(o, sep, strlen(sep));
				o = JC_LIT(o, "\"uid_syntax\"");
			}
			*o++ = ']';
		}
		*o++ = '}';
	}
	o = jw_more(w, o, 128);
	*o++ = ']';
	uint64_t listed = (uint64_t)t->n_entries + t->n_entries_more;
	o = JC_LIT(o, ",\"listing_count\":");
	o = jc_u64(o, listed);
	o = JC_LIT(o, ",\"listing_truncated\":");
	return jc_bool(o, n < listed || (t->flags & POP3_TF_LISTING_CAPPED));
}

static void txn_caps(struct jw *w, const struct pop3_txn *t)
{
	static const struct {
		unsigned bit;
		const char *name;
	} caps[] = {
#define X(id, bit, name) { id, name },
#include "pop3_caps.def"
#undef X
	};
	jw_arr_begin(w, "capabilities");
	for (size_t i = 0; i < ARRAY_LEN(caps); i++)
		if (t->caps & caps[i].bit)
			jw_str(w, NULL, caps[i].name);
	jw_arr_end(w);
	if (t->sasl[0])
		jw_str(w, "sasl", t->sasl);
}

/*
 * The transaction record, most of the JSON: written by cursor (see
 * json_write.h), each key with its comma and brackets one literal. Room is
 * made once for everything up to the listing: the literals and numbers
 * take less than TXN_FIXED_MAX, the texts their escaped worst case.
 */
#define TXN_FIXED_MAX 1024

void json_write_txn(struct json_sink *j, const struct event *e)
{
	const struct pop3_txn *t = e->txn;
	struct jw *w = &j->w;
	uint64_t cnt = t->end_frame ? t->end_frame : t->rep_frame ? t->rep_frame : t->req_frame;
	struct jname state = jname_of(pop3_state_name(t->state_before));
	struct jname status = jname_of(pop3_status_str(t->status));
	/* measured only when written (most replies have no code) */
	size_t kw_n = t->cmd != POP3_CMD_NONE ? strlen(t->keyword) : 0;
	size_t args_n = t->cmd != POP3_CMD_NONE && t->has_args ? strlen(t->args) : 0;
	size_t text_n = t->status != POP3_ST_NONE ? strlen(t->text) : 0;
	size_t code_n = t->status != POP3_ST_NONE && t->code[0] ? strlen(t->code) : 0;
	COMMON(j, "pop3", e->ts_us, e->sess);
	char *o = jw_at(w, TXN_FIXED_MAX + jname_room(state) + jname_room(status) +
				   JW_ESCAPED_MAX(kw_n) + JW_ESCAPED_MAX(args_n) + JW_ESCAPED_MAX(text_n) +
				   JW_ESCAPED_MAX(code_n));
	const char *cnt_at = NULL; /* where cnt's digits are, for the frames equal to it */
	size_t cnt_len = 0;
	if (cnt) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		cnt_at = o;
		o = jc_u64(o, cnt);
		cnt_len = (size_t)(o - cnt_at);
	}
	o = JC_LIT(o, ",\"pop3\":{\"tx_id\":");
	o = jc_u64(o, t->index);
	o = JC_LIT(o, ",\"state\":");
	o = jc_name(o, state);
	if (t->cmd != POP3_CMD_NONE) {
		o = JC_LIT(o, ",\"request\":{\"command\":");
		o = jc_str(o, t->keyword, kw_n);
		if (t->has_args) {
			o = JC_LIT(o, ",\"args\":");
			o = jc_str(o, t->args, args_n);
		}
		if (t->secret)
			o = JC_LIT(o, ",\"redacted\":true");
		if (t->has_msgnum) {
			o = JC_LIT(o, ",\"msgnum\":");
			o = jc_u64(o, t->msgnum);
		}
		o = JC_LIT(o, ",\"frame\":");
		o = jc_u64(o, t->req_frame);
		if (t->req_ts_us) {
			o = JC_LIT(o, ",\"timestamp\":\"");
			o = put_time(&j->tc, o, t->req_ts_us);
			*o++ = '"';
		}
		*o++ = '}';
	}
	if (t->status != POP3_ST_NONE) {
		o = JC_LIT(o, ",\"response\":{\"success\":");
		o = jc_bool(o, t->status == POP3_ST_OK);
		o = JC_LIT(o, ",\"status\":");
		o = jc_name(o, status);
		o = JC_LIT(o, ",\"header\":");
		o = jc_str(o, t->text, text_n);
		if (t->code[0]) {
			o = JC_LIT(o, ",\"code\":");
			o = jc_str(o, t->code, code_n);
		}
		o = JC_LIT(o, ",\"frame\":");
		o = jc_u64_again(o, t->rep_frame, cnt, cnt_at, cnt_len);
		o = JC_LIT(o, ",\"end_frame\":");
		o = jc_u64_again(o, t->end_frame, cnt, cnt_at, cnt_len);
		o = JC_LIT(o, ",\"timestamp\":\"");
		o = put_time(&j->tc, o, t->rep_ts_us);
		o = JC_LIT(o, "\",\"multiline\":");
		o = jc_bool(o, t->multiline);
		if (t->multiline) {
			o = JC_LIT(o, ",\"terminated\":");
			o = jc_bool(o, t->terminated);
			o = JC_LIT(o, ",\"data_lines\":");
			o = jc_u64(o, t->data_lines);
			o = JC_LIT(o, ",\"data_octets\":");
			o = jc_u64(o, t->data_octets);
		}
		if (t->auth_steps) {
			o = JC_LIT(o, ",\"auth_steps\":");
			o = jc_u64(o, t->auth_steps);
		}
		*o++ = '}';
	}
	if (t->req_ts_us && t->rep_ts_us && t->rep_ts_us >= t->req_ts_us) {
		uint64_t us = t->rep_ts_us - t->req_ts_us;
		o = JC_LIT(o, ",\"latency_ms\":");
		o = jc_fixed(o, us / 1000, us % 1000, 3);
	}
	bool listing = t->n_entries && t->entries && (t->cmd == POP3_CMD_LIST || t->cmd == POP3_CMD_UIDL);
	bool caps = t->cmd == POP3_CMD_CAPA && t->status == POP3_ST_OK;
	if (listing)
		o = txn_listing(w, o, t);
	if (caps) { /* rare: by the writer's steps, inside "pop3" */
		jw_at_end(w, o, 2);
		txn_caps(w, t);
		o = jw_at(w, 16);
	}
	o = JC_LIT(o, ",\"flags\":[");
	bool first = true;
	for (uint32_t f = t->flags; f; f &= f - 1) { /* the set bits, lowest first */
		const char *n = pop3_txn_flag_name(f & -f);
		if (!n)
			continue;
		struct jname name = jname_of(n);
		o = jw_more(w, o, 1 + jname_room(name) + 8);
		if (!first)
			*o++ = ',';
		o = jc_name(o, name);
		first = false;
	}
	o = JC_LIT(o, "]}}");
	jw_at_end(w, o, 0);
}

/* The finding and session records, by cursor as the transaction's:
 * room for the literals and numbers, and each text's escaped worst case. */
#define RECORD_FIXED_MAX 2048

/* A text and its length; NULL is "", as jw_str writes it. */
struct text {
	const char *s;
	size_t n;
};

static inline struct text text_of(const char *s)
{
	struct text t = { s ? s : "", s ? strlen(s) : 0 };
	return t;
}

void json_write_finding(struct json_sink *j, const struct event *e)
{
	const struct finding *f = e->finding;
	struct jw *w = &j->w;
	uint64_t cnt = 0;
	for (unsigned i = 0; i < f->n_ev && i < FINDING_EVIDENCE_MAX; i++)
		if (f->ev[i].frame > cnt)
			cnt = f->ev[i].frame;
	const char *symptom = rule_symptom(f->rule);
	const char *user = e->sess && e->sess->pop3.user[0] ? e->sess->pop3.user : NULL;
	struct jname rule = jname_of(rule_name(f->rule)), sev = jname_of(severity_name(f->sev));
	struct jname rfc = jname_of(rule_rfc(f->rule)), sym = jname_of(symptom);
	struct text sum = text_of(f->summary), usr = text_of(user);
	COMMON(j, "pop3_finding", e->ts_us, e->sess);
	char *o = jw_at(w, RECORD_FIXED_MAX + jname_room(rule) + jname_room(sev) +
				   JW_ESCAPED_MAX(sum.n) + jname_room(rfc) + jname_room(sym) +
				   JW_ESCAPED_MAX(usr.n));
	if (cnt) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		o = jc_u64(o, cnt);
	}
	o = JC_LIT(o, ",\"finding\":{\"rule\":");
	o = jc_name(o, rule);
	o = JC_LIT(o, ",\"severity\":");
	o = jc_name(o, sev);
	o = JC_LIT(o, ",\"summary\":");
	o = jc_str(o, sum.s, sum.n);
	o = JC_LIT(o, ",\"rfc\":");
	o = jc_name(o, rfc);
	if (symptom) {
		o = JC_LIT(o, ",\"symptom\":");
		o = jc_name(o, sym);
	}
	if (user) {
		o = JC_LIT(o, ",\"user\":");
		o = jc_str(o, usr.s, usr.n);
	}
	o = JC_LIT(o, ",\"evidence\":[");
	for (unsigned i = 0; i < f->n_ev && i < FINDING_EVIDENCE_MAX; i++) {
		const struct evidence *v = &f->ev[i];
		size_t ln = strnlen(v->line, sizeof v->line);
		o = jw_more(w, o, 128 + OUT_TIME_MAX + JW_ESCAPED_MAX(ln));
		if (i)
			*o++ = ',';
		o = JC_LIT(o, "{\"frame\":");
		o = jc_u64(o, v->frame);
		o = JC_LIT(o, ",\"timestamp\":\"");
		o = put_time(&j->tc, o, v->ts_us);
		o = JC_LIT(o, "\",\"tx_id\":");
		o = jc_u64(o, v->txn_index);
		o = JC_LIT(o, ",\"line\":");
		o = jc_str(o, v->line, ln);
		*o++ = '}';
	}
	o = JC_LIT(o, "]}}");
	jw_at_end(w, o, 0);
}

void json_write_session(struct json_sink *j, const struct event *e, uint64_t dropped)
{
	const struct ev_session *s = e->sess;
	const struct ev_pop3 *ci = &s->pop3;
	struct jw *w = &j->w;
	bool any = s->findings[0] + s->findings[1] + s->findings[2] != 0;
	struct jname reason = jname_of(flow_end_name(s->end));
	struct jname state = jname_of(pop3_state_name(ci->state));
	struct text user = text_of(ci->user[0] ? ci->user : NULL);
	struct text banner = text_of(ci->greeted ? ci->banner : NULL);
	struct jname worst = jname_of(any ? severity_name(s->worst) : NULL);
	COMMON(j, "pop3_session", e->ts_us, s);
	char *o = jw_at(w, RECORD_FIXED_MAX + jname_room(reason) + jname_room(state) +
				   JW_ESCAPED_MAX(user.n) + JW_ESCAPED_MAX(banner.n) + jname_room(worst));
	if (s->last_frame) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		o = jc_u64(o, s->last_frame);
	}
	o = JC_LIT(o, ",\"pop3_session\":{\"start\":\"");
	o = put_time(&j->tc, o, s->start_ts);
	o = JC_LIT(o, "\",\"end\":\"");
	o = put_time(&j->tc, o, s->last_ts);
	o = JC_LIT(o, "\",\"end_reason\":");
	o = jc_name(o, reason);
	o = JC_LIT(o, ",\"first_frame\":");
	o = jc_u64(o, s->first_frame);
	o = JC_LIT(o, ",\"last_frame\":");
	o = jc_u64(o, s->last_frame);
	o = JC_LIT(o, ",\"midstream\":");
	o = jc_bool(o, s->midstream);
	if (s->by_content)
		o = JC_LIT(o, ",\"found_by\":\"content\"");
	o = JC_LIT(o, ",\"state\":");
	o = jc_name(o, state);
	if (ci->user[0]) {
		o = JC_LIT(o, ",\"user\":");
		o = jc_str(o, user.s, user.n);
	}
	if (ci->greeted) {
		o = JC_LIT(o, ",\"banner\":");
		o = jc_str(o, banner.s, banner.n);
	}
	o = JC_LIT(o, ",\"tls\":");
	o = jc_bool(o, ci->tls);
	o = JC_LIT(o, ",\"stls\":");
	o = jc_bool(o, ci->stls_accepted);
	o = JC_LIT(o, ",\"login\":");
	o = jc_bool(o, ci->login_seen);
	o = JC_LIT(o, ",\"quit\":");
	o = jc_bool(o, ci->quit_seen);
	o = JC_LIT(o, ",\"txns\":");
	o = jc_u64(o, s->txns);
	o = JC_LIT(o, ",\"pkts_toserver\":");
	o = jc_u64(o, s->pkts[DIR_C2S]);
	o = JC_LIT(o, ",\"pkts_toclient\":");
	o = jc_u64(o, s->pkts[DIR_S2C]);
	o = JC_LIT(o, ",\"bytes_toserver\":");
	o = jc_u64(o, s->bytes[DIR_C2S]);
	o = JC_LIT(o, ",\"bytes_toclient\":");
	o = jc_u64(o, s->bytes[DIR_S2C]);
	if (s->stat_seen) {
		o = JC_LIT(o, ",\"stat\":{\"count\":");
		o = jc_u64(o, s->stat_count);
		o = JC_LIT(o, ",\"octets\":");
		o = jc_u64(o, s->stat_octets);
		*o++ = '}';
	}
	o = JC_LIT(o, ",\"worst_latency_ms\":");
	o = jc_fixed(o, s->worst_latency_us / 1000, s->worst_latency_us % 1000, 3);
	o = JC_LIT(o, ",\"findings\":{\"error\":");
	o = jc_u64(o, s->findings[SEV_ERROR]);
	o = JC_LIT(o, ",\"warning\":");
	o = jc_u64(o, s->findings[SEV_WARNING]);
	o = JC_LIT(o, ",\"notice\":");
	o = jc_u64(o, s->findings[SEV_NOTICE]);
	o = JC_LIT(o, "},\"flagged\":");
	o = jc_bool(o, s->flagged);
	if (any) {
		o = JC_LIT(o, ",\"worst_severity\":");
		o = jc_name(o, worst);
	}
	o = JC_LIT(o, ",\"rules\":[");
	bool first = true;
	for (int r = 0; r < R__COUNT && r < 64; r++) {
		if (!(s->rules_hit & (1ull << r)))
			continue;
		struct jname rn = jname_of(rule_name((enum rule_id)r));
		o = jw_more(w, o, 1 + jname_room(rn) + RECORD_FIXED_MAX);
		if (!first)
			*o++ = ',';
		o = jc_name(o, rn);
		first = false;
	}
	*o++ = ']';
	{
		o = JC_LIT(o, ",\"anomalies\":{\"gaps_toserver\":");
		o = jc_u64(o, ci->gaps[DIR_C2S]);
		o = JC_LIT(o, ",\"gaps_toclient\":");
		o = jc_u64(o, ci->gaps[DIR_S2C]);
		o = JC_LIT(o, ",\"gap_bytes_toserver\":");
		o = jc_u64(o, ci->gap_bytes[DIR_C2S]);
		o = JC_LIT(o, ",\"gap_bytes_toclient\":");
		o = jc_u64(o, ci->gap_bytes[DIR_S2C]);
		o = JC_LIT(o, ",\"resyncs\":");
		o = jc_u64(o, ci->resyncs);
		o = JC_LIT(o, ",\"unanswered\":");
		o = jc_u64(o, ci->unanswered);
		o = JC_LIT(o, ",\"unsolicited\":");
		o = jc_u64(o, ci->unsolicited);
		o = JC_LIT(o, ",\"garbage_lines\":");
		o = jc_u64(o, ci->garbage_lines);
		o = JC_LIT(o, ",\"pending_dropped\":");
		o = jc_u64(o, ci->pending_dropped);
		o = JC_LIT(o, ",\"bare_lf\":");
		o = jc_u64(o, ci->bare_lf[DIR_C2S] + ci->bare_lf[DIR_S2C]);
		o = JC_LIT(o, ",\"long_lines\":");
		o = jc_u64(o, ci->long_lines[DIR_C2S] + ci->long_lines[DIR_S2C]);
		*o++ = '}';
	}
	if (dropped) {
		o = JC_LIT(o, ",\"json_lines_dropped\":");
		o = jc_u64(o, dropped);
	}
	o = JC_LIT(o, "}}");
	jw_at_end(w, o, 0);
}

/* A session began: what the records before its close need to be read
 * back on their own (--from). */
void json_write_open(struct json_sink *j, const struct event *e)
{
	const struct ev_session *s = e->sess;
	struct jw *w = &j->w;
	struct jname state = jname_of(pop3_state_name(s->pop3.state));
	COMMON(j, "pop3_session_open", e->ts_us, s);
	char *o = jw_at(w, RECORD_FIXED_MAX + jname_room(state));
	if (s->first_frame) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		o = jc_u64(o, s->first_frame);
	}
	o = JC_LIT(o, ",\"pop3_session_open\":{\"first_frame\":");
	o = jc_u64(o, s->first_frame);
	o = JC_LIT(o, ",\"midstream\":");
	o = jc_bool(o, s->midstream);
	o = JC_LIT(o, ",\"state\":");
	o = jc_name(o, state);
	o = JC_LIT(o, "}}");
	jw_at_end(w, o, 0);
}

/* Close the object open in "stats" (open: its name, "" for none) and open
 * obj ("" for "stats" itself), unless obj is the one open. */
static void stats_obj(struct jw *w, const char **open, const char *obj)
{
	if (!strcmp(*open, obj))
		return;
	if (**open)
		jw_obj_end(w);
	*open = obj;
	if (*obj)
		jw_obj_begin(w, obj);
}

/* The counters in include/stats.def's order, through its table
 * (include/stats.h); the head (final, source, times) is no counter. */
void json_write_stats(struct json_sink *j, const struct event *e)
{
	const struct ev_stats *st = e->stats;
	struct jw *w = &j->w;
	COMMON(j, "stats", st->ts_us ? st->ts_us : e->ts_us, NULL);
	jw_obj_begin(w, "stats");
	jw_bool(w, "final", st->final);
	if (st->source)
		jw_str(w, "source", st->source);
	if (st->wall_us)
		json_time_field(w, "wall_time", st->wall_us);
	if (st->first_ts_us)
		json_time_field(w, "first_frame_time", st->first_ts_us);
	const char *open = "";
	for (size_t i = 0; i < stats_keys_n; i++) {
		const struct stats_key *k = &stats_keys[i];
		if (!stats_when(st, k->when))
			continue;
		stats_obj(w, &open, k->obj);
		switch (k->kind) {
		case STATS_U64:
			jw_u64(w, k->key, stats_u64_of(st, k));
			break;
		case STATS_BOOL:
			jw_bool(w, k->key, stats_bool_of(st, k));
			break;
		case STATS_DECODER:
			for (int r = 0; r < DEC__COUNT; r++)
				jw_u64(w, decode_reason_name((enum decode_reason)r), st->dec.count[r]);
			break;
		case STATS_PORTS:
			for (size_t p = 0; p < ARRAY_LEN(st->other_ports) && st->other_ports[p].flows; p++) {
				char port[8];
				snprintf(port, sizeof(port), "%u", st->other_ports[p].port);
				jw_u64(w, port, st->other_ports[p].flows);
			}
			break;
		case STATS_RULES:
			for (int r = 0; r < R__COUNT; r++)
				if (st->rule_counts[r])
					jw_u64(w, rule_name((enum rule_id)r), st->rule_counts[r]);
			break;
		}
	}
	/* this writer's own, last */
#define STAT_JSON(o, field, key, ...)      \
	stats_obj(w, &open, o);             \
	jw_u64(w, key, (uint64_t)j->field);
#include "stats.def"
	stats_obj(w, &open, "");
	jw_obj_end(w);
	jw_obj_end(w);
}
