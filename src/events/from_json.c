/*
 * from_json.c - one JSON line, as --json writes it, back into the event it
 * was written from (struct jline). Parsing is jansson's (a maintained,
 * fuzzed parser: duplicate keys refused, depth limited); this file only
 * maps its values onto the event structs and refuses what does not fit.
 *
 * Wire text round trip: the writer keeps valid UTF-8 and writes every byte
 * that is not part of it, and the C0/C1 controls, as \u00XX. jansson would
 * decode \u00ff as the character U+00FF (two bytes), which the writer would
 * then keep as such: so before parsing, each \u0080-\u00ff escape is
 * marked with a NUL in front (\u0000\u00XX), and text() turns a marked
 * character back into its one byte. Texts from the wire never hold a NUL,
 * so the mark cannot be confused. A valid C1 character (U+0080-U+009F) on
 * the wire comes back as its one byte: the JSON is the same, a report
 * shows \x80 for \xc2\x80.
 */
#include <jansson.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "events_in.h"
#include "util.h"

#define POP3_STATES (POP3_STATE_CONNECT + 1)
#define ONE(id, name) +1
enum { FLOW_ENDS = 0 FLOW_END_LIST(ONE) };
#undef ONE

void jl_init(struct jline *l)
{
	memset(l, 0, sizeof *l);
}

void jl_fini(struct jline *l)
{
	free(l->entries);
	free(l->uids);
	free(l->work);
	memset(l, 0, sizeof *l);
}

/* ---- the line before jansson sees it ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copy the line, each \u0080-\u00ff escape marked (see the top). */
static const char *mark_bytes(struct jline *l, const char *p, size_t n, size_t *outn)
{
	size_t need = n + n / 6 * 6 + 1; /* each 6-byte escape grows to 12 */
	if (need > l->work_cap) {
		l->work = xrealloc(l->work, need);
		l->work_cap = need;
	}
	char *o = l->work;
	for (size_t i = 0; i < n;) {
		if (p[i] != '\\' || i + 1 >= n) {
			*o++ = p[i++];
			continue;
		}
		if (p[i + 1] == 'u' && i + 5 < n && p[i + 2] == '0' && p[i + 3] == '0' &&
		    hexval(p[i + 4]) >= 8 && hexval(p[i + 5]) >= 0) {
			memcpy(o, "\\u0000", 6);
			memcpy(o + 6, p + i, 6);
			o += 12;
			i += 6;
			continue;
		}
		*o++ = p[i++]; /* the backslash and what it escapes, as they are */
		*o++ = p[i++];
	}
	*o = '\0';
	*outn = (size_t)(o - l->work);
	return l->work;
}

/* ---- the common fields ---- */

static bool common(struct jc *c, json_t *root, struct jline *l)
{
	struct ev_session *s = &l->sess;
	uint64_t v = 0;
	c->where = "";
	if (!jc_get_u64(c, root, "flow_id", &l->flow_id, true))
		return false;
	if (l->flow_id == 0)
		return jc_bad(c, "\"flow_id\" is 0");
	s->id = l->flow_id;
	if (!jc_get_text(c, root, "source", l->source, sizeof l->source, false, &l->has_source))
		return false;
	json_t *vl = jc_member(c, root, "vlan", false, JSON_ARRAY, "an array");
	if (vl) {
		json_t *x = json_array_get(vl, 0);
		if (json_array_size(vl) != 1 || !json_is_integer(x) || json_integer_value(x) <= 0 ||
		    json_integer_value(x) > 4095)
			return jc_bad(c, "\"vlan\" is not [one VLAN id]");
		s->vlan = (uint16_t)json_integer_value(x);
	} else if (json_object_get(root, "vlan"))
		return false;
	if (!jc_get_text(c, root, "src_ip", s->cli, sizeof s->cli, true, NULL) ||
	    !jc_get_text(c, root, "dest_ip", s->srv, sizeof s->srv, true, NULL))
		return false;
	s->ipver = strchr(s->srv, ':') || strchr(s->cli, ':') ? 6 : 4;
	if (!jc_get_u64(c, root, "src_port", &v, true) || v > 65535)
		return v > 65535 ? jc_bad(c, "\"src_port\" is out of range") : false;
	s->cport = (uint16_t)v;
	if (!jc_get_u64(c, root, "dest_port", &v, true) || v > 65535)
		return v > 65535 ? jc_bad(c, "\"dest_port\" is out of range") : false;
	s->sport = (uint16_t)v;
	if (!jc_get_text(c, root, "community_id", s->community_id, sizeof s->community_id, false, NULL))
		return false;
	json_t *tu = jc_member(c, root, "tunnel", false, JSON_OBJECT, "an object");
	if (!tu)
		return !json_object_get(root, "tunnel");
	struct ev_tunnel *t = &s->tunnel;
	uint64_t depth = 0;
	c->where = "tunnel";
	t->has_id = json_object_get(tu, "id") != NULL;
	if (!jc_get_text(c, tu, "type", t->type, sizeof t->type, true, NULL) ||
	    !jc_get_text(c, tu, "src_ip", t->src, sizeof t->src, false, NULL) ||
	    !jc_get_text(c, tu, "dest_ip", t->dst, sizeof t->dst, false, NULL) ||
	    !jc_get_u32(c, tu, "id", &t->id, t->has_id) || !jc_get_u64(c, tu, "depth", &depth, true))
		return false;
	if (depth == 0 || depth > 255)
		return jc_bad(c, "\"depth\" is out of range");
	t->depth = (uint8_t)depth;
	return true;
}

/* ---- pop3_session_open, pop3_session ---- */

static bool parse_open(struct jc *c, json_t *o, struct jline *l)
{
	struct ev_session *s = &l->sess;
	int st = POP3_STATE_UNKNOWN;
	c->where = "pop3_session_open";
	if (!jc_get_u64(c, o, "first_frame", &s->first_frame, true) ||
	    !jc_get_bool(c, o, "midstream", &s->midstream, true) ||
	    !jc_get_name(c, o, "state", jc_state_of, POP3_STATES, &st, true))
		return false;
	s->pop3.state = (enum pop3_state)st;
	s->start_ts = s->last_ts = l->ts_us;
	s->last_frame = s->first_frame;
	return true;
}

static bool latency_ms(struct jc *c, json_t *o, const char *key, uint64_t *us)
{
	json_t *v = jc_member(c, o, key, true, JSON_REAL, "a number");
	if (!v)
		return false;
	double ms = json_number_value(v);
	if (!(ms >= 0) || ms > 1e12)
		return jc_bad(c, "\"%s\" is out of range", key);
	*us = (uint64_t)llround(ms * 1000.0);
	return true;
}

static bool found_by(struct jc *c, json_t *o, bool *by_content)
{
	char how[16];
	bool present;
	if (!jc_get_text(c, o, "found_by", how, sizeof how, false, &present))
		return false;
	if (present && strcmp(how, "content"))
		return jc_bad(c, "\"found_by\": unknown value");
	*by_content = present;
	return true;
}

static bool parse_close(struct jc *c, json_t *o, struct jline *l)
{
	struct ev_session *s = &l->sess;
	struct ev_pop3 *p = &s->pop3;
	int st = POP3_STATE_UNKNOWN, end = FLOW_END_NONE, worst = SEV_NOTICE;
	c->where = "pop3_session";
	if (!jc_get_time(c, o, "start", &s->start_ts, true) || !jc_get_time(c, o, "end", &s->last_ts, true) ||
	    !jc_get_name(c, o, "end_reason", jc_end_of, FLOW_ENDS, &end, true) ||
	    !jc_get_u64(c, o, "first_frame", &s->first_frame, true) ||
	    !jc_get_u64(c, o, "last_frame", &s->last_frame, true) ||
	    !jc_get_bool(c, o, "midstream", &s->midstream, true) ||
	    !jc_get_name(c, o, "state", jc_state_of, POP3_STATES, &st, true) ||
	    !found_by(c, o, &s->by_content) ||
	    !jc_get_text(c, o, "user", p->user, sizeof p->user, false, NULL) ||
	    !jc_get_text(c, o, "banner", p->banner, sizeof p->banner, false, &p->greeted) ||
	    !jc_get_bool(c, o, "tls", &p->tls, true) || !jc_get_bool(c, o, "stls", &p->stls_accepted, true) ||
	    !jc_get_bool(c, o, "login", &p->login_seen, true) || !jc_get_bool(c, o, "quit", &p->quit_seen, true) ||
	    !jc_get_u64(c, o, "txns", &s->txns, true) ||
	    !jc_get_u64(c, o, "pkts_toserver", &s->pkts[DIR_C2S], true) ||
	    !jc_get_u64(c, o, "pkts_toclient", &s->pkts[DIR_S2C], true) ||
	    !jc_get_u64(c, o, "bytes_toserver", &s->bytes[DIR_C2S], true) ||
	    !jc_get_u64(c, o, "bytes_toclient", &s->bytes[DIR_S2C], true) ||
	    !latency_ms(c, o, "worst_latency_ms", &s->worst_latency_us) ||
	    !jc_get_bool(c, o, "flagged", &s->flagged, true) ||
	    !jc_get_name(c, o, "worst_severity", jc_sev_of, SEV_ERROR + 1, &worst, false))
		return false;
	if (end == FLOW_END_NONE)
		return jc_bad(c, "\"end_reason\" is \"open\"");
	s->end = (enum flow_end)end;
	p->state = (enum pop3_state)st;
	s->worst = (enum severity)worst;
	json_t *stat = jc_member(c, o, "stat", false, JSON_OBJECT, "an object");
	if (stat) {
		c->where = "pop3_session.stat";
		if (!jc_get_u64(c, stat, "count", &s->stat_count, true) ||
		    !jc_get_u64(c, stat, "octets", &s->stat_octets, true))
			return false;
		s->stat_seen = true;
		c->where = "pop3_session";
	} else if (json_object_get(o, "stat"))
		return false;
	json_t *fi = jc_member(c, o, "findings", true, JSON_OBJECT, "an object");
	if (!fi)
		return false;
	uint64_t n[3] = { 0, 0, 0 };
	c->where = "pop3_session.findings";
	if (!jc_get_u64(c, fi, "error", &n[SEV_ERROR], true) || !jc_get_u64(c, fi, "warning", &n[SEV_WARNING], true) ||
	    !jc_get_u64(c, fi, "notice", &n[SEV_NOTICE], true))
		return false;
	for (int i = 0; i < 3; i++) {
		if (n[i] > UINT32_MAX)
			return jc_bad(c, "a count is out of range");
		s->findings[i] = (unsigned)n[i];
	}
	c->where = "pop3_session";
	json_t *rules = jc_member(c, o, "rules", true, JSON_ARRAY, "an array");
	if (!rules)
		return false;
	for (size_t i = 0; i < json_array_size(rules); i++) {
		json_t *r = json_array_get(rules, i);
		int id = json_is_string(r) ? rule_lookup(json_string_value(r)) : -1;
		if (id < 0 || id >= 64)
			return jc_bad(c, "\"rules\": an unknown rule");
		s->rules_hit |= 1ull << id;
	}
	json_t *an = jc_member(c, o, "anomalies", true, JSON_OBJECT, "an object");
	if (!an)
		return false;
	c->where = "pop3_session.anomalies";
	return jc_get_u64(c, an, "gaps_toserver", &p->gaps[DIR_C2S], true) &&
	       jc_get_u64(c, an, "gaps_toclient", &p->gaps[DIR_S2C], true) &&
	       jc_get_u64(c, an, "gap_bytes_toserver", &p->gap_bytes[DIR_C2S], true) &&
	       jc_get_u64(c, an, "gap_bytes_toclient", &p->gap_bytes[DIR_S2C], true) &&
	       jc_get_u64(c, an, "resyncs", &p->resyncs, true) && jc_get_u64(c, an, "unanswered", &p->unanswered, true) &&
	       jc_get_u64(c, an, "unsolicited", &p->unsolicited, true) &&
	       jc_get_u64(c, an, "garbage_lines", &p->garbage_lines, true) &&
	       jc_get_u64(c, an, "pending_dropped", &p->pending_dropped, true) &&
	       jc_get_u64(c, an, "bare_lf", &p->bare_lf[0], true) && /* written as the sum */
	       jc_get_u64(c, an, "long_lines", &p->long_lines[0], true);
}

/* ---- pop3 (a transaction) ---- */

static bool parse_listing(struct jc *c, json_t *o, struct jline *l)
{
	struct pop3_txn *t = &l->txn;
	json_t *ls = jc_member(c, o, "listing", false, JSON_ARRAY, "an array");
	if (!ls)
		return !json_object_get(o, "listing");
	size_t n = json_array_size(ls);
	uint64_t count = 0;
	if (n > POP3_LISTING_MAX)
		return jc_bad(c, "\"listing\" has more than %d entries", POP3_LISTING_MAX);
	if (!jc_get_u64(c, o, "listing_count", &count, true))
		return false;
	if (count < n || count > POP3_LISTING_MAX)
		return jc_bad(c, "\"listing_count\" does not fit the listing");
	if (n > l->entries_cap) {
		l->entries = xrealloc(l->entries, n * sizeof *l->entries);
		l->entries_cap = (uint32_t)n;
	}
	bool uidl = t->cmd == POP3_CMD_UIDL;
	size_t ucap = uidl ? n * (POP3_UID_MAX + 2) : 0;
	if (ucap > l->uids_cap) {
		l->uids = xrealloc(l->uids, ucap);
		l->uids_cap = ucap;
	}
	c->where = "pop3.listing";
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(ls, i);
		struct pop3_entry *pe = &l->entries[i];
		memset(pe, 0, sizeof *pe);
		if (!json_is_object(e))
			return jc_bad(c, "an entry is not an object");
		if (!jc_get_u32(c, e, "number", &pe->num, true))
			return false;
		if (uidl) {
			char *u = l->uids + i * (POP3_UID_MAX + 2);
			if (!jc_get_text(c, e, "uid", u, POP3_UID_MAX + 2, true, NULL))
				return false;
			pe->uid_off = (uint32_t)(i * (POP3_UID_MAX + 2));
			pe->uid_len = (uint8_t)strlen(u);
		} else if (!jc_get_u64(c, e, "size", &pe->size, true))
			return false;
		json_t *inv = jc_member(c, e, "invalid", false, JSON_ARRAY, "an array");
		for (size_t k = 0; inv && k < json_array_size(inv); k++) {
			const char *w = json_string_value(json_array_get(inv, k));
			if (w && !strcmp(w, "number"))
				pe->flags |= POP3_LE_BADNUM;
			else if (w && !strcmp(w, uidl ? "uid_missing" : "size"))
				pe->flags |= POP3_LE_BADVAL;
			else if (w && uidl && !strcmp(w, "uid_syntax"))
				pe->flags |= POP3_LE_UID_BAD;
			else
				return jc_bad(c, "\"invalid\": an unknown value");
		}
		if (!inv && json_object_get(e, "invalid"))
			return false;
	}
	t->entries = l->entries;
	t->uids = uidl ? l->uids : NULL;
	t->n_entries = (uint32_t)n;
	t->n_entries_more = (uint32_t)(count - n);
	c->where = "pop3";
	return true;
}

static bool parse_caps(struct jc *c, json_t *o, struct pop3_txn *t)
{
	static const struct {
		unsigned bit;
		const char *name;
	} caps[] = {
#define X(id, bit, name) { id, name },
#include "pop3_caps.def"
#undef X
	};
	json_t *cs = jc_member(c, o, "capabilities", false, JSON_ARRAY, "an array");
	if (!cs)
		return !json_object_get(o, "capabilities");
	for (size_t i = 0; i < json_array_size(cs); i++) {
		const char *w = json_string_value(json_array_get(cs, i));
		size_t k = 0;
		while (k < ARRAY_LEN(caps) && !(w && !strcmp(w, caps[k].name)))
			k++;
		if (k == ARRAY_LEN(caps))
			return jc_bad(c, "\"capabilities\": an unknown capability");
		t->caps |= caps[k].bit;
	}
	return jc_get_text(c, o, "sasl", t->sasl, sizeof t->sasl, false, NULL);
}

static bool parse_flags(struct jc *c, json_t *o, uint32_t *flags)
{
	json_t *fl = jc_member(c, o, "flags", true, JSON_ARRAY, "an array");
	if (!fl)
		return false;
	for (size_t i = 0; i < json_array_size(fl); i++) {
		const char *w = json_string_value(json_array_get(fl, i));
		uint32_t bit = 0;
		for (unsigned b = 0; b < 32 && w && !bit; b++) {
			const char *nm = pop3_txn_flag_name(1u << b);
			if (nm && !strcmp(nm, w))
				bit = 1u << b;
		}
		if (!bit)
			return jc_bad(c, "\"flags\": an unknown flag");
		*flags |= bit;
	}
	return true;
}

static bool parse_txn(struct jc *c, json_t *o, struct jline *l)
{
	struct pop3_txn *t = &l->txn;
	int st = POP3_STATE_UNKNOWN;
	c->where = "pop3";
	if (!jc_get_u64(c, o, "tx_id", &t->index, true) ||
	    !jc_get_name(c, o, "state", jc_state_of, POP3_STATES, &st, true))
		return false;
	t->state_before = (enum pop3_state)st;
	json_t *rq = jc_member(c, o, "request", false, JSON_OBJECT, "an object");
	if (rq) {
		c->where = "pop3.request";
		bool has_num = false;
		if (!jc_get_text(c, rq, "command", t->keyword, sizeof t->keyword, true, NULL) ||
		    !jc_get_text(c, rq, "args", t->args, sizeof t->args, false, &t->has_args) ||
		    !jc_get_bool(c, rq, "redacted", &t->secret, false) ||
		    !jc_get_u64(c, rq, "frame", &t->req_frame, true) ||
		    !jc_get_time(c, rq, "timestamp", &t->req_ts_us, false))
			return false;
		has_num = json_object_get(rq, "msgnum") != NULL;
		if (has_num && !jc_get_u32(c, rq, "msgnum", &t->msgnum, true))
			return false;
		t->has_msgnum = has_num;
		t->cmd = pop3_cmd_lookup(t->keyword, strlen(t->keyword));
		if (t->cmd == POP3_CMD_NONE)
			t->cmd = POP3_CMD_UNKNOWN;
	} else if (json_object_get(o, "request"))
		return false;
	c->where = "pop3";
	json_t *rp = jc_member(c, o, "response", false, JSON_OBJECT, "an object");
	if (rp) {
		int status = POP3_ST_NONE;
		c->where = "pop3.response";
		if (!jc_get_name(c, rp, "status", jc_status_of, POP3_ST_BAD + 1, &status, true) ||
		    !jc_get_text(c, rp, "header", t->text, sizeof t->text, true, NULL) ||
		    !jc_get_text(c, rp, "code", t->code, sizeof t->code, false, NULL) ||
		    !jc_get_u64(c, rp, "frame", &t->rep_frame, true) ||
		    !jc_get_u64(c, rp, "end_frame", &t->end_frame, true) ||
		    !jc_get_time(c, rp, "timestamp", &t->rep_ts_us, true) ||
		    !jc_get_bool(c, rp, "multiline", &t->multiline, true) ||
		    !jc_get_bool(c, rp, "terminated", &t->terminated, t->multiline) ||
		    !jc_get_u64(c, rp, "data_lines", &t->data_lines, t->multiline) ||
		    !jc_get_u64(c, rp, "data_octets", &t->data_octets, t->multiline) ||
		    !jc_get_u32(c, rp, "auth_steps", &t->auth_steps, false))
			return false;
		if (status == POP3_ST_NONE)
			return jc_bad(c, "\"status\" is empty");
		t->status = (enum pop3_status)status;
		t->end_ts_us = l->ts_us; /* the record's time is the reply's end */
	} else if (json_object_get(o, "response"))
		return false;
	c->where = "pop3";
	return parse_listing(c, o, l) && parse_caps(c, o, t) && parse_flags(c, o, &t->flags);
}

/* ---- pop3_finding ---- */

static bool parse_finding(struct jc *c, json_t *o, struct jline *l)
{
	struct finding *f = &l->finding;
	int rule = -1, sev = SEV_NOTICE;
	c->where = "finding";
	if (!jc_get_name(c, o, "rule", jc_rule_of, R__COUNT, &rule, true) ||
	    !jc_get_name(c, o, "severity", jc_sev_of, SEV_ERROR + 1, &sev, true) ||
	    !jc_get_text(c, o, "summary", f->summary, sizeof f->summary, true, NULL) ||
	    !jc_get_text(c, o, "user", l->sess.pop3.user, sizeof l->sess.pop3.user, false, &l->has_user))
		return false;
	f->rule = (enum rule_id)rule;
	f->sev = (enum severity)sev;
	f->ts_us = l->ts_us;
	json_t *ev = jc_member(c, o, "evidence", true, JSON_ARRAY, "an array");
	if (!ev)
		return false;
	if (json_array_size(ev) > FINDING_EVIDENCE_MAX)
		return jc_bad(c, "\"evidence\" has more than %d entries", FINDING_EVIDENCE_MAX);
	c->where = "finding.evidence";
	for (size_t i = 0; i < json_array_size(ev); i++) {
		json_t *e = json_array_get(ev, i);
		struct evidence *v = &f->ev[i];
		if (!json_is_object(e))
			return jc_bad(c, "an entry is not an object");
		if (!jc_get_u64(c, e, "frame", &v->frame, true) || !jc_get_time(c, e, "timestamp", &v->ts_us, true) ||
		    !jc_get_u64(c, e, "tx_id", &v->txn_index, true) ||
		    !jc_get_text(c, e, "line", v->line, sizeof v->line, true, NULL))
			return false;
		f->n_ev++;
	}
	return true;
}

/* ---- the line ---- */

int jl_parse(struct jline *l, const char *line, size_t len, char *err, size_t errlen)
{
	struct jc c = { err, errlen, "" };
	json_error_t je;
	size_t n;
	const char *text = mark_bytes(l, line, len, &n);

	/* what a previous line left, except the buffers */
	struct pop3_entry *entries = l->entries;
	char *uids = l->uids, *work = l->work;
	uint32_t ecap = l->entries_cap;
	size_t ucap = l->uids_cap, wcap = l->work_cap;
	memset(l, 0, sizeof *l);
	l->entries = entries;
	l->uids = uids;
	l->work = work;
	l->entries_cap = ecap;
	l->uids_cap = ucap;
	l->work_cap = wcap;

	json_t *root = json_loadb(text, n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		jc_bad(&c, "not JSON: %s (column %d)", je.text, je.column);
		return -1;
	}
	bool ok = false;
	char type[32];
	uint64_t schema = 0;
	if (!json_is_object(root)) {
		jc_bad(&c, "not a JSON object");
		goto out;
	}
	if (!jc_get_u64(&c, root, "schema_version", &schema, true))
		goto out;
	if (schema != EVENT_SCHEMA_VERSION) {
		jc_bad(&c, "schema_version %llu, this pop3mon reads %d", (unsigned long long)schema,
		    EVENT_SCHEMA_VERSION);
		goto out;
	}
	if (!jc_get_text(&c, root, "event_type", type, sizeof type, true, NULL) ||
	    !jc_get_time(&c, root, "timestamp", &l->ts_us, true) ||
	    !jc_get_text(&c, root, "host", l->sess.sensor, sizeof l->sess.sensor, false, NULL))
		goto out; /* host: the sensor's name (--sensor, --publish) */
	memcpy(l->stats.sensor, l->sess.sensor, sizeof l->stats.sensor);
	if (!strcmp(type, "stats")) {
		l->kind = JL_STATS;
		json_t *o = jc_member(&c, root, "stats", true, JSON_OBJECT, "an object");
		ok = o && parse_stats(&c, o, l);
		if (ok && l->has_source)
			l->stats.source = l->source;
		goto out;
	}
	if (!common(&c, root, l))
		goto out;
	if (l->has_source)
		l->sess.source = l->source;
	l->sess.start_ts = l->sess.last_ts = l->ts_us;
	static const struct {
		const char *type, *obj;
		enum jl_kind kind;
		bool (*parse)(struct jc *, json_t *, struct jline *);
	} kinds[] = {
		{ "pop3_session_open", "pop3_session_open", JL_OPEN, parse_open },
		{ "pop3", "pop3", JL_TXN, parse_txn },
		{ "pop3_finding", "finding", JL_FINDING, parse_finding },
		{ "pop3_session", "pop3_session", JL_CLOSE, parse_close },
	};
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		if (strcmp(type, kinds[i].type))
			continue;
		l->kind = kinds[i].kind;
		c.where = "";
		json_t *o = jc_member(&c, root, kinds[i].obj, true, JSON_OBJECT, "an object");
		ok = o && kinds[i].parse(&c, o, l);
		goto out;
	}
	c.where = "";
	jc_bad(&c, "unknown event_type \"%.40s\"", type);
out:
	json_decref(root);
	return ok ? 0 : -1;
}
