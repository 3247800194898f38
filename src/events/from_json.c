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
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "events_in.h"
#include "util.h"
#include "../output/out_common.h"

struct jc {
	char *err;
	size_t errlen;
	const char *where; /* the object a key is looked up in, for messages */
};

static bool bad(struct jc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool bad(struct jc *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->where && c->where[0])
		snprintf(c->err, c->errlen, "%s: %s", c->where, msg);
	else
		snprintf(c->err, c->errlen, "%s", msg);
	return false;
}

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

/* ---- typed access ---- */

static json_t *member(struct jc *c, json_t *o, const char *key, bool need, json_type type, const char *tname)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		if (need)
			bad(c, "missing \"%s\"", key);
		return NULL;
	}
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)) &&
	    !(type == JSON_REAL && json_is_number(v))) {
		bad(c, "\"%s\" is not %s", key, tname);
		return NULL;
	}
	return v;
}

/* *out keeps its value when the key is absent and not needed. */
static bool get_u64(struct jc *c, json_t *o, const char *key, uint64_t *out, bool need)
{
	json_t *v = member(c, o, key, need, JSON_INTEGER, "an integer");
	if (!v)
		return !json_object_get(o, key) && !need;
	json_int_t x = json_integer_value(v);
	if (x < 0)
		return bad(c, "\"%s\" is negative", key);
	*out = (uint64_t)x;
	return true;
}

static bool get_u32(struct jc *c, json_t *o, const char *key, uint32_t *out, bool need)
{
	uint64_t v = *out;
	if (!get_u64(c, o, key, &v, need))
		return false;
	if (v > UINT32_MAX)
		return bad(c, "\"%s\" is out of range", key);
	*out = (uint32_t)v;
	return true;
}

static bool get_bool(struct jc *c, json_t *o, const char *key, bool *out, bool need)
{
	json_t *v = member(c, o, key, need, JSON_TRUE, "true or false");
	if (!v)
		return !json_object_get(o, key) && !need;
	*out = json_is_true(v);
	return true;
}

/* A string into dst (cap bytes with its NUL), marked bytes made bytes again.
 * *present (may be NULL) says whether the key was there. */
static bool get_text(struct jc *c, json_t *o, const char *key, char *dst, size_t cap, bool need,
		     bool *present)
{
	if (present)
		*present = false;
	json_t *v = member(c, o, key, need, JSON_STRING, "a string");
	if (!v)
		return !json_object_get(o, key) && !need;
	const unsigned char *s = (const unsigned char *)json_string_value(v);
	size_t n = json_string_length(v), k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = s[i];
		if (b == 0) {
			/* the mark: the next character is U+0080-U+00FF (C2/C3 xx) */
			if (i + 2 >= n || (s[i + 1] != 0xc2 && s[i + 1] != 0xc3))
				return bad(c, "\"%s\" holds a NUL", key);
			b = (unsigned char)(((s[i + 1] & 0x1f) << 6) | (s[i + 2] & 0x3f));
			i += 2;
		}
		if (k + 1 >= cap)
			return bad(c, "\"%s\" is longer than %zu bytes", key, cap - 1);
		dst[k++] = (char)b;
	}
	dst[k] = '\0';
	if (present)
		*present = true;
	return true;
}

static bool get_time(struct jc *c, json_t *o, const char *key, uint64_t *out, bool need)
{
	json_t *v = member(c, o, key, need, JSON_STRING, "a string");
	if (!v)
		return !json_object_get(o, key) && !need;
	if (!event_parse_time(json_string_value(v), json_string_length(v), out))
		return bad(c, "\"%s\" is not a time as --json writes it", key);
	return true;
}

/* A name from a fixed list (state, status, reason...): its index. */
static bool get_name(struct jc *c, json_t *o, const char *key, const char *(*name_of)(int), int count,
		     int *out, bool need)
{
	char buf[64];
	bool present;
	if (!get_text(c, o, key, buf, sizeof buf, need, &present))
		return false;
	if (!present)
		return true;
	for (int i = 0; i < count; i++) {
		const char *nm = name_of(i);
		if (nm && !strcmp(nm, buf)) {
			*out = i;
			return true;
		}
	}
	return bad(c, "\"%s\": unknown value \"%.40s\"", key, buf);
}

static const char *state_of(int i) { return pop3_state_name((enum pop3_state)i); }
static const char *status_of(int i) { return pop3_status_str((enum pop3_status)i); }
static const char *end_of(int i) { return flow_end_name((enum flow_end)i); }
static const char *sev_of(int i) { return severity_name((enum severity)i); }
static const char *rule_of(int i) { return rule_name((enum rule_id)i); }

#define POP3_STATES (POP3_STATE_CONNECT + 1)
#define ONE(id, name) +1
enum { FLOW_ENDS = 0 FLOW_END_LIST(ONE) };
#undef ONE

/* ---- the common fields ---- */

static bool common(struct jc *c, json_t *root, struct jline *l)
{
	struct ev_session *s = &l->sess;
	uint64_t v = 0;
	c->where = "";
	if (!get_u64(c, root, "flow_id", &l->flow_id, true))
		return false;
	if (l->flow_id == 0)
		return bad(c, "\"flow_id\" is 0");
	s->id = l->flow_id;
	if (!get_text(c, root, "source", l->source, sizeof l->source, false, &l->has_source))
		return false;
	json_t *vl = member(c, root, "vlan", false, JSON_ARRAY, "an array");
	if (vl) {
		json_t *x = json_array_get(vl, 0);
		if (json_array_size(vl) != 1 || !json_is_integer(x) || json_integer_value(x) <= 0 ||
		    json_integer_value(x) > 4095)
			return bad(c, "\"vlan\" is not [one VLAN id]");
		s->vlan = (uint16_t)json_integer_value(x);
	} else if (json_object_get(root, "vlan"))
		return false;
	if (!get_text(c, root, "src_ip", s->cli, sizeof s->cli, true, NULL) ||
	    !get_text(c, root, "dest_ip", s->srv, sizeof s->srv, true, NULL))
		return false;
	s->ipver = strchr(s->srv, ':') || strchr(s->cli, ':') ? 6 : 4;
	if (!get_u64(c, root, "src_port", &v, true) || v > 65535)
		return v > 65535 ? bad(c, "\"src_port\" is out of range") : false;
	s->cport = (uint16_t)v;
	if (!get_u64(c, root, "dest_port", &v, true) || v > 65535)
		return v > 65535 ? bad(c, "\"dest_port\" is out of range") : false;
	s->sport = (uint16_t)v;
	if (!get_text(c, root, "community_id", s->community_id, sizeof s->community_id, false, NULL))
		return false;
	json_t *tu = member(c, root, "tunnel", false, JSON_OBJECT, "an object");
	if (!tu)
		return !json_object_get(root, "tunnel");
	struct ev_tunnel *t = &s->tunnel;
	uint64_t depth = 0;
	c->where = "tunnel";
	t->has_id = json_object_get(tu, "id") != NULL;
	if (!get_text(c, tu, "type", t->type, sizeof t->type, true, NULL) ||
	    !get_text(c, tu, "src_ip", t->src, sizeof t->src, false, NULL) ||
	    !get_text(c, tu, "dest_ip", t->dst, sizeof t->dst, false, NULL) ||
	    !get_u32(c, tu, "id", &t->id, t->has_id) || !get_u64(c, tu, "depth", &depth, true))
		return false;
	if (depth == 0 || depth > 255)
		return bad(c, "\"depth\" is out of range");
	t->depth = (uint8_t)depth;
	return true;
}

/* ---- pop3_session_open, pop3_session ---- */

static bool parse_open(struct jc *c, json_t *o, struct jline *l)
{
	struct ev_session *s = &l->sess;
	int st = POP3_STATE_UNKNOWN;
	c->where = "pop3_session_open";
	if (!get_u64(c, o, "first_frame", &s->first_frame, true) ||
	    !get_bool(c, o, "midstream", &s->midstream, true) ||
	    !get_name(c, o, "state", state_of, POP3_STATES, &st, true))
		return false;
	s->pop3.state = (enum pop3_state)st;
	s->start_ts = s->last_ts = l->ts_us;
	s->last_frame = s->first_frame;
	return true;
}

static bool latency_ms(struct jc *c, json_t *o, const char *key, uint64_t *us)
{
	json_t *v = member(c, o, key, true, JSON_REAL, "a number");
	if (!v)
		return false;
	double ms = json_number_value(v);
	if (!(ms >= 0) || ms > 1e12)
		return bad(c, "\"%s\" is out of range", key);
	*us = (uint64_t)llround(ms * 1000.0);
	return true;
}

static bool found_by(struct jc *c, json_t *o, bool *by_content)
{
	char how[16];
	bool present;
	if (!get_text(c, o, "found_by", how, sizeof how, false, &present))
		return false;
	if (present && strcmp(how, "content"))
		return bad(c, "\"found_by\": unknown value");
	*by_content = present;
	return true;
}

static bool parse_close(struct jc *c, json_t *o, struct jline *l)
{
	struct ev_session *s = &l->sess;
	struct ev_pop3 *p = &s->pop3;
	int st = POP3_STATE_UNKNOWN, end = FLOW_END_NONE, worst = SEV_NOTICE;
	c->where = "pop3_session";
	if (!get_time(c, o, "start", &s->start_ts, true) || !get_time(c, o, "end", &s->last_ts, true) ||
	    !get_name(c, o, "end_reason", end_of, FLOW_ENDS, &end, true) ||
	    !get_u64(c, o, "first_frame", &s->first_frame, true) ||
	    !get_u64(c, o, "last_frame", &s->last_frame, true) ||
	    !get_bool(c, o, "midstream", &s->midstream, true) ||
	    !get_name(c, o, "state", state_of, POP3_STATES, &st, true) ||
	    !found_by(c, o, &s->by_content) ||
	    !get_text(c, o, "user", p->user, sizeof p->user, false, NULL) ||
	    !get_text(c, o, "banner", p->banner, sizeof p->banner, false, &p->greeted) ||
	    !get_bool(c, o, "tls", &p->tls, true) || !get_bool(c, o, "stls", &p->stls_accepted, true) ||
	    !get_bool(c, o, "login", &p->login_seen, true) || !get_bool(c, o, "quit", &p->quit_seen, true) ||
	    !get_u64(c, o, "txns", &s->txns, true) ||
	    !get_u64(c, o, "pkts_toserver", &s->pkts[DIR_C2S], true) ||
	    !get_u64(c, o, "pkts_toclient", &s->pkts[DIR_S2C], true) ||
	    !get_u64(c, o, "bytes_toserver", &s->bytes[DIR_C2S], true) ||
	    !get_u64(c, o, "bytes_toclient", &s->bytes[DIR_S2C], true) ||
	    !latency_ms(c, o, "worst_latency_ms", &s->worst_latency_us) ||
	    !get_bool(c, o, "flagged", &s->flagged, true) ||
	    !get_name(c, o, "worst_severity", sev_of, SEV_ERROR + 1, &worst, false))
		return false;
	if (end == FLOW_END_NONE)
		return bad(c, "\"end_reason\" is \"open\"");
	s->end = (enum flow_end)end;
	p->state = (enum pop3_state)st;
	s->worst = (enum severity)worst;
	json_t *stat = member(c, o, "stat", false, JSON_OBJECT, "an object");
	if (stat) {
		c->where = "pop3_session.stat";
		if (!get_u64(c, stat, "count", &s->stat_count, true) ||
		    !get_u64(c, stat, "octets", &s->stat_octets, true))
			return false;
		s->stat_seen = true;
		c->where = "pop3_session";
	} else if (json_object_get(o, "stat"))
		return false;
	json_t *fi = member(c, o, "findings", true, JSON_OBJECT, "an object");
	if (!fi)
		return false;
	uint64_t n[3] = { 0, 0, 0 };
	c->where = "pop3_session.findings";
	if (!get_u64(c, fi, "error", &n[SEV_ERROR], true) || !get_u64(c, fi, "warning", &n[SEV_WARNING], true) ||
	    !get_u64(c, fi, "notice", &n[SEV_NOTICE], true))
		return false;
	for (int i = 0; i < 3; i++) {
		if (n[i] > UINT32_MAX)
			return bad(c, "a count is out of range");
		s->findings[i] = (unsigned)n[i];
	}
	c->where = "pop3_session";
	json_t *rules = member(c, o, "rules", true, JSON_ARRAY, "an array");
	if (!rules)
		return false;
	for (size_t i = 0; i < json_array_size(rules); i++) {
		json_t *r = json_array_get(rules, i);
		int id = json_is_string(r) ? rule_lookup(json_string_value(r)) : -1;
		if (id < 0 || id >= 64)
			return bad(c, "\"rules\": an unknown rule");
		s->rules_hit |= 1ull << id;
	}
	json_t *an = member(c, o, "anomalies", true, JSON_OBJECT, "an object");
	if (!an)
		return false;
	c->where = "pop3_session.anomalies";
	return get_u64(c, an, "gaps_toserver", &p->gaps[DIR_C2S], true) &&
	       get_u64(c, an, "gaps_toclient", &p->gaps[DIR_S2C], true) &&
	       get_u64(c, an, "gap_bytes_toserver", &p->gap_bytes[DIR_C2S], true) &&
	       get_u64(c, an, "gap_bytes_toclient", &p->gap_bytes[DIR_S2C], true) &&
	       get_u64(c, an, "resyncs", &p->resyncs, true) && get_u64(c, an, "unanswered", &p->unanswered, true) &&
	       get_u64(c, an, "unsolicited", &p->unsolicited, true) &&
	       get_u64(c, an, "garbage_lines", &p->garbage_lines, true) &&
	       get_u64(c, an, "pending_dropped", &p->pending_dropped, true) &&
	       get_u64(c, an, "bare_lf", &p->bare_lf[0], true) && /* written as the sum */
	       get_u64(c, an, "long_lines", &p->long_lines[0], true);
}

/* ---- pop3 (a transaction) ---- */

static bool parse_listing(struct jc *c, json_t *o, struct jline *l)
{
	struct pop3_txn *t = &l->txn;
	json_t *ls = member(c, o, "listing", false, JSON_ARRAY, "an array");
	if (!ls)
		return !json_object_get(o, "listing");
	size_t n = json_array_size(ls);
	uint64_t count = 0;
	if (n > POP3_LISTING_MAX)
		return bad(c, "\"listing\" has more than %d entries", POP3_LISTING_MAX);
	if (!get_u64(c, o, "listing_count", &count, true))
		return false;
	if (count < n || count > POP3_LISTING_MAX)
		return bad(c, "\"listing_count\" does not fit the listing");
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
			return bad(c, "an entry is not an object");
		if (!get_u32(c, e, "number", &pe->num, true))
			return false;
		if (uidl) {
			char *u = l->uids + i * (POP3_UID_MAX + 2);
			if (!get_text(c, e, "uid", u, POP3_UID_MAX + 2, true, NULL))
				return false;
			pe->uid_off = (uint32_t)(i * (POP3_UID_MAX + 2));
			pe->uid_len = (uint8_t)strlen(u);
		} else if (!get_u64(c, e, "size", &pe->size, true))
			return false;
		json_t *inv = member(c, e, "invalid", false, JSON_ARRAY, "an array");
		for (size_t k = 0; inv && k < json_array_size(inv); k++) {
			const char *w = json_string_value(json_array_get(inv, k));
			if (w && !strcmp(w, "number"))
				pe->flags |= POP3_LE_BADNUM;
			else if (w && !strcmp(w, uidl ? "uid_missing" : "size"))
				pe->flags |= POP3_LE_BADVAL;
			else if (w && uidl && !strcmp(w, "uid_syntax"))
				pe->flags |= POP3_LE_UID_BAD;
			else
				return bad(c, "\"invalid\": an unknown value");
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
		{ POP3_CAP_UIDL, "UIDL" }, { POP3_CAP_TOP, "TOP" }, { POP3_CAP_USER, "USER" },
		{ POP3_CAP_PIPELINING, "PIPELINING" }, { POP3_CAP_STLS, "STLS" }, { POP3_CAP_SASL, "SASL" },
	};
	json_t *cs = member(c, o, "capabilities", false, JSON_ARRAY, "an array");
	if (!cs)
		return !json_object_get(o, "capabilities");
	for (size_t i = 0; i < json_array_size(cs); i++) {
		const char *w = json_string_value(json_array_get(cs, i));
		size_t k = 0;
		while (k < ARRAY_LEN(caps) && !(w && !strcmp(w, caps[k].name)))
			k++;
		if (k == ARRAY_LEN(caps))
			return bad(c, "\"capabilities\": an unknown capability");
		t->caps |= caps[k].bit;
	}
	return get_text(c, o, "sasl", t->sasl, sizeof t->sasl, false, NULL);
}

static bool parse_flags(struct jc *c, json_t *o, uint32_t *flags)
{
	json_t *fl = member(c, o, "flags", true, JSON_ARRAY, "an array");
	if (!fl)
		return false;
	for (size_t i = 0; i < json_array_size(fl); i++) {
		const char *w = json_string_value(json_array_get(fl, i));
		uint32_t bit = 0;
		for (unsigned b = 0; b < 32 && w && !bit; b++) {
			const char *nm = out_txn_flag_name(1u << b);
			if (nm && !strcmp(nm, w))
				bit = 1u << b;
		}
		if (!bit)
			return bad(c, "\"flags\": an unknown flag");
		*flags |= bit;
	}
	return true;
}

static bool parse_txn(struct jc *c, json_t *o, struct jline *l)
{
	struct pop3_txn *t = &l->txn;
	int st = POP3_STATE_UNKNOWN;
	c->where = "pop3";
	if (!get_u64(c, o, "tx_id", &t->index, true) ||
	    !get_name(c, o, "state", state_of, POP3_STATES, &st, true))
		return false;
	t->state_before = (enum pop3_state)st;
	json_t *rq = member(c, o, "request", false, JSON_OBJECT, "an object");
	if (rq) {
		c->where = "pop3.request";
		bool has_num = false;
		if (!get_text(c, rq, "command", t->keyword, sizeof t->keyword, true, NULL) ||
		    !get_text(c, rq, "args", t->args, sizeof t->args, false, &t->has_args) ||
		    !get_bool(c, rq, "redacted", &t->secret, false) ||
		    !get_u64(c, rq, "frame", &t->req_frame, true) ||
		    !get_time(c, rq, "timestamp", &t->req_ts_us, false))
			return false;
		has_num = json_object_get(rq, "msgnum") != NULL;
		if (has_num && !get_u32(c, rq, "msgnum", &t->msgnum, true))
			return false;
		t->has_msgnum = has_num;
		t->cmd = pop3_cmd_lookup(t->keyword, strlen(t->keyword));
		if (t->cmd == POP3_CMD_NONE)
			t->cmd = POP3_CMD_UNKNOWN;
	} else if (json_object_get(o, "request"))
		return false;
	c->where = "pop3";
	json_t *rp = member(c, o, "response", false, JSON_OBJECT, "an object");
	if (rp) {
		int status = POP3_ST_NONE;
		c->where = "pop3.response";
		if (!get_name(c, rp, "status", status_of, POP3_ST_BAD + 1, &status, true) ||
		    !get_text(c, rp, "header", t->text, sizeof t->text, true, NULL) ||
		    !get_text(c, rp, "code", t->code, sizeof t->code, false, NULL) ||
		    !get_u64(c, rp, "frame", &t->rep_frame, true) ||
		    !get_u64(c, rp, "end_frame", &t->end_frame, true) ||
		    !get_time(c, rp, "timestamp", &t->rep_ts_us, true) ||
		    !get_bool(c, rp, "multiline", &t->multiline, true) ||
		    !get_bool(c, rp, "terminated", &t->terminated, t->multiline) ||
		    !get_u64(c, rp, "data_lines", &t->data_lines, t->multiline) ||
		    !get_u64(c, rp, "data_octets", &t->data_octets, t->multiline) ||
		    !get_u32(c, rp, "auth_steps", &t->auth_steps, false))
			return false;
		if (status == POP3_ST_NONE)
			return bad(c, "\"status\" is empty");
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
	if (!get_name(c, o, "rule", rule_of, R__COUNT, &rule, true) ||
	    !get_name(c, o, "severity", sev_of, SEV_ERROR + 1, &sev, true) ||
	    !get_text(c, o, "summary", f->summary, sizeof f->summary, true, NULL) ||
	    !get_text(c, o, "user", l->sess.pop3.user, sizeof l->sess.pop3.user, false, &l->has_user))
		return false;
	f->rule = (enum rule_id)rule;
	f->sev = (enum severity)sev;
	f->ts_us = l->ts_us;
	json_t *ev = member(c, o, "evidence", true, JSON_ARRAY, "an array");
	if (!ev)
		return false;
	if (json_array_size(ev) > FINDING_EVIDENCE_MAX)
		return bad(c, "\"evidence\" has more than %d entries", FINDING_EVIDENCE_MAX);
	c->where = "finding.evidence";
	for (size_t i = 0; i < json_array_size(ev); i++) {
		json_t *e = json_array_get(ev, i);
		struct evidence *v = &f->ev[i];
		if (!json_is_object(e))
			return bad(c, "an entry is not an object");
		if (!get_u64(c, e, "frame", &v->frame, true) || !get_time(c, e, "timestamp", &v->ts_us, true) ||
		    !get_u64(c, e, "tx_id", &v->txn_index, true) ||
		    !get_text(c, e, "line", v->line, sizeof v->line, true, NULL))
			return false;
		f->n_ev++;
	}
	return true;
}

/* ---- stats ---- */

static bool u64s(struct jc *c, json_t *o, const char *obj, const char *const *keys, uint64_t *const *dst,
		 size_t n, bool need)
{
	json_t *x = member(c, o, obj, need, JSON_OBJECT, "an object");
	if (!x)
		return !need && !json_object_get(o, obj);
	const char *was = c->where;
	c->where = obj;
	for (size_t i = 0; i < n; i++)
		if (!get_u64(c, x, keys[i], dst[i], true))
			return false;
	c->where = was;
	return true;
}

static bool parse_stats(struct jc *c, json_t *o, struct jline *l)
{
	struct ev_stats *st = &l->stats;
	c->where = "stats";
	if (!get_bool(c, o, "final", &st->final, true) ||
	    !get_text(c, o, "source", l->source, sizeof l->source, false, &l->has_source) ||
	    !get_time(c, o, "wall_time", &st->wall_us, false) ||
	    !get_u64(c, o, "accounts_evicted", &st->accounts_evicted, true))
		return false;
	st->ts_us = l->ts_us;
	json_t *cap = member(c, o, "capture", true, JSON_OBJECT, "an object");
	if (!cap)
		return false;
	c->where = "stats.capture";
	if (!get_u64(c, cap, "frames", &st->frames, true) || !get_u64(c, cap, "bytes", &st->bytes, true) ||
	    !get_u64(c, cap, "received", &st->src.received, true))
		return false;
	st->src.have_kernel_stats = json_object_get(cap, "kernel_drops") != NULL;
	if (st->src.have_kernel_stats && (!get_u64(c, cap, "kernel_drops", &st->src.kernel_drops, true) ||
					  !get_u64(c, cap, "iface_drops", &st->src.iface_drops, true)))
		return false;
	c->where = "stats";
	const char *dk[DEC__COUNT];
	uint64_t *dv[DEC__COUNT];
	for (int i = 0; i < DEC__COUNT; i++) {
		dk[i] = decode_reason_name((enum decode_reason)i);
		dv[i] = &st->dec.count[i];
	}
	static const char *const fk[] = { "created", "closed", "active", "peak_active", "evicted",
					  "timed_out", "not_watched", "ignored_no_flow", "refused",
					  "no_answer", "no_greeting", "reset_before_greeting",
					  "syn_absorbed" };
	struct flow_stats *fs = &st->flows;
	uint64_t *fv[] = { &fs->created, &fs->closed, &fs->active, &fs->peak_active, &fs->evicted,
			   &fs->timed_out, &fs->not_watched, &fs->ignored_no_flow, &fs->refused,
			   &fs->no_answer, &fs->no_greeting, &fs->reset_before_greeting,
			   &fs->syn_absorbed };
	_Static_assert(sizeof *fs == sizeof fv, "every flow counter is read");
	static const char *const rk[] = { "segments", "delivered_bytes", "ooo_segments", "retrans_bytes",
					  "overlap_conflicts", "gaps", "gap_bytes", "flow_cap_hits",
					  "total_cap_hits", "buffered_bytes", "buffered_peak", "dropped_far" };
	struct reasm_stats *ra = &st->reasm;
	uint64_t *rv[] = { &ra->segments, &ra->delivered_bytes, &ra->ooo_segments, &ra->retrans_bytes,
			   &ra->overlap_conflicts, &ra->gaps, &ra->gap_bytes, &ra->flow_cap_hits,
			   &ra->total_cap_hits, &ra->buffered_bytes, &ra->buffered_peak, &ra->dropped_far };
	static const char *const sk[] = { "total", "active", "flagged", "not_pop3", "other_tcp_flows" };
	uint64_t *sv[] = { &st->sessions_total, &st->sessions_active, &st->sessions_flagged,
			   &st->sessions_not_pop3, &st->other_flows };
	static const char *const ek[] = { "error", "warning", "notice" };
	uint64_t *ev[] = { &st->findings[SEV_ERROR], &st->findings[SEV_WARNING], &st->findings[SEV_NOTICE] };
	static const char *const pk[] = { "garbage_lines", "long_lines", "unsolicited", "unanswered",
					  "pending_dropped", "resyncs", "bare_lf" };
	uint64_t *pv[] = { &st->pop3_garbage_lines, &st->pop3_long_lines, &st->pop3_unsolicited,
			   &st->pop3_unanswered, &st->pop3_pending_dropped, &st->pop3_resyncs,
			   &st->pop3_bare_lf };
	if (!u64s(c, o, "decoder", dk, dv, DEC__COUNT, true) || !u64s(c, o, "flow", fk, fv, ARRAY_LEN(fk), true) ||
	    !u64s(c, o, "tcp_reassembly", rk, rv, ARRAY_LEN(rk), true) ||
	    !u64s(c, o, "sessions", sk, sv, ARRAY_LEN(sk), true) ||
	    !u64s(c, o, "findings", ek, ev, ARRAY_LEN(ek), true) || !u64s(c, o, "pop3", pk, pv, ARRAY_LEN(pk), true))
		return false;
	const char *key;
	json_t *val;
	json_t *ports = member(c, o, "other_tcp_ports", false, JSON_OBJECT, "an object");
	if (!ports && json_object_get(o, "other_tcp_ports"))
		return false;
	size_t np = 0;
	json_object_foreach(ports, key, val) {
		char *end;
		unsigned long port = strtoul(key, &end, 10);
		if (np == ARRAY_LEN(st->other_ports) || *end || end == key || port > 65535 ||
		    !json_is_integer(val) || json_integer_value(val) <= 0)
			return bad(c, "\"other_tcp_ports\": a bad port or count");
		st->other_ports[np].port = (uint16_t)port;
		st->other_ports[np++].flows = (uint64_t)json_integer_value(val);
	}
	json_t *pub = member(c, o, "publish", false, JSON_OBJECT, "an object");
	if (pub) {
		struct publish_stats *ps = &st->publish;
		static const char *const pk2[] = { "events", "sent", "dropped", "rejected", "reconnects",
						   "buffered_bytes" };
		uint64_t *pv2[] = { &ps->events, &ps->sent, &ps->dropped, &ps->rejected, &ps->reconnects,
				    &ps->buffered_bytes };
		ps->enabled = true;
		c->where = "stats.publish";
		if (!get_bool(c, pub, "connected", &ps->connected, true))
			return false;
		for (size_t i = 0; i < ARRAY_LEN(pk2); i++)
			if (!get_u64(c, pub, pk2[i], pv2[i], true))
				return false;
		c->where = "stats";
	} else if (json_object_get(o, "publish"))
		return false;
	json_t *rules = member(c, o, "rules", true, JSON_OBJECT, "an object");
	if (!rules)
		return false;
	json_object_foreach(rules, key, val) {
		int id = rule_lookup(key);
		if (id < 0 || !json_is_integer(val) || json_integer_value(val) < 0)
			return bad(c, "\"rules\": an unknown rule or a bad count");
		st->rule_counts[id] = (uint64_t)json_integer_value(val);
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
		bad(&c, "not JSON: %s (column %d)", je.text, je.column);
		return -1;
	}
	bool ok = false;
	char type[32];
	uint64_t schema = 0;
	if (!json_is_object(root)) {
		bad(&c, "not a JSON object");
		goto out;
	}
	if (!get_u64(&c, root, "schema_version", &schema, true))
		goto out;
	if (schema != EVENT_SCHEMA_VERSION) {
		bad(&c, "schema_version %llu, this pop3mon reads %d", (unsigned long long)schema,
		    EVENT_SCHEMA_VERSION);
		goto out;
	}
	if (!get_text(&c, root, "event_type", type, sizeof type, true, NULL) ||
	    !get_time(&c, root, "timestamp", &l->ts_us, true))
		goto out;
	if (!strcmp(type, "stats")) {
		l->kind = JL_STATS;
		json_t *o = member(&c, root, "stats", true, JSON_OBJECT, "an object");
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
		json_t *o = member(&c, root, kinds[i].obj, true, JSON_OBJECT, "an object");
		ok = o && kinds[i].parse(&c, o, l);
		goto out;
	}
	c.where = "";
	bad(&c, "unknown event_type \"%.40s\"", type);
out:
	json_decref(root);
	return ok ? 0 : -1;
}
