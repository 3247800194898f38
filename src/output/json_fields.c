/*
 * json_fields.c - the fields every JSON record starts with (timestamp, flow
 * id, source, event type, addresses, ports, VLAN, tunnel, Community ID,
 * schema version), and the per-session cache of their escaped bytes (see
 * struct jsess in json_sink.h: kept in the session's ledger entry).
 */
#include <string.h>

#include "json_sink.h"

/* ---- fields ---- */

/* jw_str, noting where the escaped text starts and ends. */
static void text_at(struct jw *w, const char *key, const char *s, size_t *at, size_t *end)
{
	size_t n = strlen(s);
	char *o = jw_key(w, key, JW_ESCAPED_MAX(n));
	*at = (size_t)(o - w->buf) + 1;
	jw_strn_at(w, o, s, n);
	*end = w->len - 1;
}

/* A time as JSON: its text needs no escaping (out_time_str). */
void json_time_field(struct jw *w, const char *key, uint64_t ts_us)
{
	char *o = jw_key(w, key, OUT_TIME_MAX + 2);
	*o++ = '"';
	o += out_time_str(o, OUT_TIME_MAX, ts_us, OUT_TIME_EVE);
	jw_raw_at(w, o, "\"", 1);
}

void json_tcache_fill(struct tcache *c, uint64_t ts_us)
{
	/* another second of the same day: its time of day rewritten in place */
	if (c->len && c->dot && out_time_eve_same_day(c->text, c->len, c->us, ts_us)) {
		c->us = ts_us;
		return;
	}
	c->len = out_time_str(c->text, sizeof c->text, ts_us, OUT_TIME_EVE);
	c->us = ts_us;
	/* An EVE time ends in ".dddddd+0000": no search for its dot ("?", the
	 * text of a time gmtime cannot take, has none). */
	c->dot = c->len >= 12 && c->text[c->len - 12] == '.' ? c->len - 12 : 0;
}


/* EVE's tunnel object: our own names and formatted addresses, no wire text. */
static void tunnel_obj(struct jw *w, const struct ev_tunnel *t)
{
	jw_obj_begin(w, "tunnel");
	jw_str(w, "type", t->type);
	if (t->src[0]) {
		jw_str(w, "src_ip", t->src);
		jw_str(w, "dest_ip", t->dst);
	}
	if (t->has_id)
		jw_u64(w, "id", t->id);
	jw_u64(w, "depth", t->depth);
	jw_obj_end(w);
}

/* The fields every record starts with, the whole line's start: the one
 * place their order and form are written down (the prefix cache copies
 * what this writes). */
static void common_fields(struct jw *w, const char *type, uint64_t ts_us, const struct ev_session *s,
			  struct marks *m)
{
	jw_line(w);
	jw_obj_begin(w, NULL);
	json_time_field(w, "timestamp", ts_us);
	m->ts_end = w->len;
	if (s)
		jw_u64(w, "flow_id", s->id);
	if (s && s->source)
		text_at(w, "source", s->source, &m->src_at, &m->src_end);
	jw_str(w, "event_type", type);
	m->type_at = w->len - 1 - strlen(type);
	if (s) {
		if (s->vlan) {
			jw_arr_begin(w, "vlan");
			jw_u64(w, NULL, s->vlan);
			jw_arr_end(w);
		}
		text_at(w, "src_ip", s->cli, &m->cli_at, &m->cli_end);
		jw_u64(w, "src_port", s->cport);
		text_at(w, "dest_ip", s->srv, &m->srv_at, &m->srv_end);
		jw_u64(w, "dest_port", s->sport);
		jw_str(w, "proto", "TCP");
		if (s->community_id[0])
			text_at(w, "community_id", s->community_id, &m->cid_at, &m->cid_end);
		else
			m->cid_at = m->cid_end = m->type_at; /* empty: checked as "" */
		if (s->tunnel.depth)
			tunnel_obj(w, &s->tunnel);
	}
	jw_u64(w, "schema_version", EVENT_SCHEMA_VERSION);
}

/* Did the text s come out of the escaper as itself, at [at, end) of w? */
static bool kept_as_is(const struct jw *w, size_t at, size_t end, const char *s, size_t size)
{
	size_t n = strnlen(s, size);
	return n < size && end - at == n && memcmp(w->buf + at, s, n) == 0;
}

/* Build the session's prefix in p (made, or grown, as needed: the slot is
 * set again); false when it cannot be cached (a text the escaper changes,
 * an address with no NUL). */
static bool pre_build(struct json_sink *j, struct jsess **pp, const struct ev_session *s)
{
	struct jw *w = &j->pw;
	struct marks m;
	jw_reset(w);
	common_fields(w, "", 0, s, &m);
	if (!kept_as_is(w, m.cli_at, m.cli_end, s->cli, sizeof s->cli) ||
	    !kept_as_is(w, m.srv_at, m.srv_end, s->srv, sizeof s->srv) ||
	    !kept_as_is(w, m.cid_at, m.cid_end, s->community_id, sizeof s->community_id) ||
	    (s->source && !kept_as_is(w, m.src_at, m.src_end, s->source, SIZE_MAX)) || w->len > UINT32_MAX)
		return false;
	size_t len = w->len - m.ts_end, b = m.ts_end;
	struct jsess *p = *pp;
	if (!p || p->buf_cap < len) {
		bool fresh = !p;
		p = xrealloc(p, sizeof *p + len);
		if (fresh)
			memset(p, 0, sizeof *p);
		p->buf_cap = (uint32_t)len;
		ledger_set_slot(j->lg, j->le, j->rd, p, p->holding);
		*pp = p;
	}
	memcpy(p->buf, w->buf + b, len);
	p->len = (uint32_t)len;
	p->type_at = (uint32_t)(m.type_at - b);
	p->tun = s->tunnel;
	p->vlan = s->vlan;
	p->cport = s->cport;
	p->sport = s->sport;
	p->has_source = s->source != NULL;
	p->src_at = s->source ? (uint32_t)(m.src_at - b) : 0;
	p->src_len = s->source ? (uint32_t)(m.src_end - m.src_at) : 0;
	p->cli_at = (uint32_t)(m.cli_at - b);
	p->cli_len = (uint32_t)(m.cli_end - m.cli_at);
	p->srv_at = (uint32_t)(m.srv_at - b);
	p->srv_len = (uint32_t)(m.srv_end - m.srv_at);
	p->cid_at = (uint32_t)(m.cid_at - b);
	p->cid_len = (uint32_t)(m.cid_end - m.cid_at);
	p->pre_ok = true;
	return true;
}

/* Field by field: no padding, nothing past a string's NUL is read. */
static inline bool same_tunnel(const struct ev_tunnel *a, const struct ev_tunnel *b)
{
	return a->depth == b->depth &&
	       (!a->depth || (a->has_id == b->has_id && (!a->has_id || a->id == b->id) &&
			      !strcmp(a->type, b->type) && !strcmp(a->src, b->src) &&
			      !strcmp(a->dst, b->dst)));
}

/* Was p built from these fields? (The id is the entry's.) The source is
 * a pointer, not an array, so strncmp: nothing past its NUL is read. */
static bool pre_fits(const struct jsess *p, const struct ev_session *s)
{
	return p->vlan == s->vlan && p->cport == s->cport && p->sport == s->sport &&
	       same_tunnel(&p->tun, &s->tunnel) &&
	       text_same(p->buf + p->cli_at, p->cli_len, s->cli) &&
	       text_same(p->buf + p->srv_at, p->srv_len, s->srv) &&
	       text_same(p->buf + p->cid_at, p->cid_len, s->community_id) &&
	       (s->source ? p->has_source && strncmp(p->buf + p->src_at, s->source, p->src_len) == 0 &&
				    s->source[p->src_len] == '\0'
			  : !p->has_source);
}

/* The session's prefix, built or rebuilt as needed; NULL when it cannot be
 * cached, or the ledger holds no entry for the session (a lazy one at the
 * open record: nothing to keep it in, and nothing worth keeping). */
static const struct jsess *pre_get(struct json_sink *j, const struct ev_session *s)
{
	if (!j->le)
		return NULL;
	struct jsess *p = json_sess(j);
	if (p && p->pre_ok && pre_fits(p, s))
		return p;
	if (pre_build(j, &p, s))
		return p;
	if (p)
		p->pre_ok = false;
	return NULL;
}

/* The start of a record; the type, a literal, needs no escaping. */

void json_common(struct json_sink *j, const char *type, size_t tlen, uint64_t ts_us, const struct ev_session *s)
{
	struct jw *w = &j->w;
	const struct jsess *p = s ? pre_get(j, s) : NULL;
	j->line_at = w->len;
	if (!p) {
		struct marks m;
		common_fields(w, type, ts_us, s, &m);
		return;
	}
	/* by cursor (json_write.h): the line's start one literal, and the
	 * writer left one level deep, as common_fields leaves it */
	char *o = jw_at(w, 16 + OUT_TIME_MAX + p->len + tlen);
	o = JC_LIT(o, "{\"timestamp\":\"");
	o = put_time(&j->tc, o, ts_us);
	*o++ = '"';
	memcpy(o, p->buf, p->type_at);
	memcpy(o + p->type_at, type, tlen);
	o += p->type_at + tlen;
	memcpy(o, p->buf + p->type_at, p->len - p->type_at);
	jw_at_end(w, o + p->len - p->type_at, 1);
}

