/*
 * json.c - the JSON lines sink: one object per event per line, in the
 * manner of Suricata's EVE (common fields first, then one object named
 * after the event type). Schema: src/output/JSON-SCHEMA.md.
 *
 * Events are written as they happen, except when the filter cannot decide
 * yet. A session may start to pass later (--only-flagged: its first error
 * or warning; --rule: the rule firing; --user: the USER command), so the
 * lines of an undecided session are kept, up to JSON_PEND_SESSION_MAX
 * bytes per session and JSON_PEND_TOTAL_MAX for the run, and written in
 * order the moment it passes; at its close they are written or dropped.
 * Lines over a cap are dropped and counted (pop3_session.json_lines_dropped
 * and stats.json). A session whose server does not match --server can
 * never pass: its events are dropped at once. A session's open is a record
 * (pop3_session_open: a reader of the lines knows a session before its
 * first transaction); updates are not written: pop3_session at close
 * carries the same facts.
 *
 * Write errors (EPIPE on a closed pipe, a full disk) stop the output: the
 * first one is kept and reported by finish; the pipeline runs on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "out_common.h"
#include "sinks.h"
#include "util.h"

#define JSON_PEND_SESSION_MAX (256u * 1024u)      /* held per undecided session */
#define JSON_PEND_TOTAL_MAX (64u * 1024u * 1024u)  /* held across sessions */
#define JSON_LISTING_MAX 1000                      /* listing entries written per txn */
#define JSON_OUT_CHUNK (192u * 1024u)              /* a write() per 192 KiB, not per 4 KiB */

struct pend {
	char *buf; /* whole lines, each ending in '\n' */
	size_t len, cap;
	uint64_t dropped;
};

/*
 * The flow fields of a session's records (flow_id, source, addresses,
 * ports, vlan, community id, schema version: everything from the comma
 * after the timestamp on, the event type aside) are the same bytes in
 * every record of the session, and were most of the cost of writing one.
 * They are escaped once per session and copied whole after that. buf is
 * those bytes as common() writes them with an empty event type, which
 * goes in at `type_at`.
 *
 * Before each use the session's fields are compared with the texts in
 * buf they were written from (a text is cached only when it came out of
 * the escaper unchanged, so buf holds it as it was): a field that changed
 * rebuilds the prefix, so it can never go stale, whatever the key. An
 * entry lives from the session's first written record to its close.
 */
struct jpre {
	struct ev_tunnel tun;
	uint16_t vlan, cport, sport;
	bool has_source;
	uint32_t len, type_at;
	uint32_t src_at, src_len, cli_at, cli_len, srv_at, srv_len, cid_at, cid_len;
	char buf[];
};

/* Where common() wrote the pieces a prefix is made of and checked against. */
struct marks {
	size_t ts_end;  /* past the timestamp's value: where the prefix begins */
	size_t type_at; /* where the event type's text goes */
	size_t src_at, cli_at, srv_at, cid_at; /* each text's first byte */
	size_t src_end, cli_end, srv_end, cid_end;
};

/* The last time written, as text: a transaction's record and its reply
 * mostly carry the same one, and the records that follow are mostly of the
 * same second, where only the microseconds change. */
struct tcache {
	uint64_t us;
	size_t len; /* 0: empty */
	size_t dot; /* the '.' before the microseconds; 0: none */
	char text[OUT_TIME_MAX];
};

struct json_sink {
	FILE *out;
	bool own;          /* fclose at free (not stdout) */
	bool gather;       /* own file: lines gathered in w, written a chunk at a time */
	char *name;        /* for error messages */
	struct json_opts o;
	struct jw w;       /* the line being written (own file: after the ones not yet written) */
	size_t line_at;    /* where in w it starts */
	int err;           /* errno of the first write error, 0 if none */
	bool failed;
	struct idmap pend; /* session id -> struct pend */
	struct idmap pre;  /* session id -> struct jpre */
	struct jw pw;      /* where prefixes are built */
	struct tcache tc;
	size_t pend_bytes;
	uint64_t lines_dropped;
	uint64_t lines_written;
	char *host;        /* --sensor: "host", each record's last key; NULL: none */
	const char *line_sensor; /* the event's own sensor (read from a stream): wins */
};

/* ---- output ---- */

static void out_fwrite(struct json_sink *j, const char *p, size_t n)
{
	if (j->failed || n == 0)
		return;
	if (j->o.line_fn && !j->out) { /* whole lines, each to the callback */
		while (n) {
			const char *nl = memchr(p, '\n', n);
			size_t len = nl ? (size_t)(nl - p) : n;
			j->o.line_fn(j->o.line_ctx, p, len);
			len += nl != NULL;
			p += len;
			n -= len;
		}
		return;
	}
	errno = 0;
	if (fwrite(p, 1, n, j->out) != n) {
		j->failed = true;
		j->err = errno ? errno : EIO;
	}
}

/*
 * Lines for a file of our own are built one after the other in w and
 * written a chunk at a time, the stream unbuffered: an fwrite per line
 * (its lock, its checks) cost more than building the line's flow fields,
 * and a chunk through a stdio buffer would be copied twice. Standard
 * output is written line by line through stdio as before, as another sink
 * (--streams) may write there too, and the order of their lines must not
 * change. Called between lines only.
 */
static void out_drain(struct json_sink *j)
{
	if (!j->gather)
		return;
	out_fwrite(j, j->w.buf, j->w.len);
	jw_reset(&j->w);
}

static void out_write(struct json_sink *j, const char *p, size_t n)
{
	struct jw *w = &j->w;
	if (!j->gather) {
		out_fwrite(j, p, n);
		return;
	}
	if (j->failed || n == 0)
		return;
	if (w->len + n > JSON_OUT_CHUNK) {
		out_drain(j);
		if (n > JSON_OUT_CHUNK) {
			out_fwrite(j, p, n);
			return;
		}
	}
	jw_raw_at(w, jw_at(w, n), p, n);
}

static void out_flush(struct json_sink *j)
{
	out_drain(j);
	if (!j->failed && j->out && fflush(j->out) != 0) {
		j->failed = true;
		j->err = errno ? errno : EIO;
	}
}

static void pend_free(struct json_sink *j, uint64_t id)
{
	struct pend *p = idmap_del(&j->pend, id);
	if (!p)
		return;
	j->pend_bytes -= p->cap;
	free(p->buf);
	free(p);
}

/* Write what an undecided session held, then forget it. */
static uint64_t pend_flush(struct json_sink *j, uint64_t id)
{
	struct pend *p = idmap_get(&j->pend, id);
	if (!p)
		return 0;
	uint64_t dropped = p->dropped;
	out_write(j, p->buf, p->len);
	pend_free(j, id);
	return dropped;
}

static void pend_add(struct json_sink *j, uint64_t id, const char *line, size_t n)
{
	struct pend *p = idmap_get(&j->pend, id);
	if (!p) {
		p = xcalloc(1, sizeof *p);
		idmap_put(&j->pend, id, p);
	}
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 1024;
		while (p->len + n + 1 > cap)
			cap *= 2;
		if (cap > JSON_PEND_SESSION_MAX || j->pend_bytes + (cap - p->cap) > JSON_PEND_TOTAL_MAX) {
			p->dropped++;
			j->lines_dropped++;
			return;
		}
		p->buf = xrealloc(p->buf, cap);
		j->pend_bytes += cap - p->cap;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, line, n);
	p->buf[p->len + n] = '\n';
	p->len += n + 1;
}

/* Forget every undecided session. */
static void pend_clear(struct json_sink *j)
{
	for (size_t i = 0; i < j->pend.cap; i++) {
		struct pend *p = j->pend.keys[i] ? j->pend.vals[i] : NULL;
		if (p) {
			free(p->buf);
			free(p);
		}
	}
	idmap_fini(&j->pend);
	j->pend_bytes = 0;
}

/* Can this session still come to pass the filter? (Its server never changes.) */
static bool may_pass_later(const struct sink_filter *f, const struct ev_session *s)
{
	struct sink_filter fixed = { .only_flagged = false, .rule = -1, .server = f->server, .user = NULL };
	return sink_filter_pass(&fixed, s);
}

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
static void time_field(struct jw *w, const char *key, uint64_t ts_us)
{
	char *o = jw_key(w, key, OUT_TIME_MAX + 2);
	*o++ = '"';
	o += out_time_str(o, OUT_TIME_MAX, ts_us, OUT_TIME_EVE);
	jw_raw_at(w, o, "\"", 1);
}

static void tcache_fill(struct tcache *c, uint64_t ts_us)
{
	c->len = out_time_str(c->text, sizeof c->text, ts_us, OUT_TIME_EVE);
	c->us = ts_us;
	const char *d = memchr(c->text, '.', c->len);
	c->dot = d && c->len - (size_t)(d - c->text) > 6 ? (size_t)(d - c->text) : 0;
}

/* A time's text at o, which has room for OUT_TIME_MAX: returns its end.
 * The text of a second is its head, '.', six digits and its tail. */
static inline char *put_time(struct tcache *c, char *o, uint64_t ts_us)
{
	if (ts_us != c->us || !c->len) {
		if (c->len && c->dot && ts_us / 1000000 == c->us / 1000000) {
			out_six_digits(c->text + c->dot + 1, (unsigned)(ts_us % 1000000));
			c->us = ts_us;
		} else
			tcache_fill(c, ts_us);
	}
	memcpy(o, c->text, sizeof c->text);
	return o + c->len;
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
	time_field(w, "timestamp", ts_us);
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

static struct jpre *pre_build(struct json_sink *j, const struct ev_session *s)
{
	struct jw *w = &j->pw;
	struct marks m;
	jw_reset(w);
	common_fields(w, "", 0, s, &m);
	if (!kept_as_is(w, m.cli_at, m.cli_end, s->cli, sizeof s->cli) ||
	    !kept_as_is(w, m.srv_at, m.srv_end, s->srv, sizeof s->srv) ||
	    !kept_as_is(w, m.cid_at, m.cid_end, s->community_id, sizeof s->community_id) ||
	    (s->source && !kept_as_is(w, m.src_at, m.src_end, s->source, SIZE_MAX)) || w->len > UINT32_MAX)
		return NULL;
	size_t len = w->len - m.ts_end, b = m.ts_end;
	struct jpre *p = xmalloc(sizeof *p + len);
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
	return p;
}

/* Are the n bytes at a and b the same? Inline: the texts are short, and
 * a call to memcmp cost more than the compare. Words, the last one
 * overlapping the one before; under 8 bytes, two overlapping halves. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	if (n >= 8) {
		uint64_t x, y;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return false;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		uint32_t x1, y1, x2, y2;
		memcpy(&x1, a, 4);
		memcpy(&y1, b, 4);
		memcpy(&x2, a + n - 4, 4);
		memcpy(&y2, b + n - 4, 4);
		return x1 == y1 && x2 == y2;
	}
	if (n >= 2) {
		uint16_t x1, y1, x2, y2;
		memcpy(&x1, a, 2);
		memcpy(&y1, b, 2);
		memcpy(&x2, a + n - 2, 2);
		memcpy(&y2, b + n - 2, 2);
		return x1 == y1 && x2 == y2;
	}
	return n == 0 || *a == *b;
}

/* Is the array s the n bytes at have? (n is shorter than the array: it
 * was when the prefix was built.) */
static inline bool same_text(const char *have, size_t n, const char *s)
{
	return same_bytes(have, s, n) && s[n] == '\0';
}

/* Was p built from these fields? (The id is the map's key.) The source is
 * a pointer, not an array, so strncmp: nothing past its NUL is read. */
static bool pre_fits(const struct jpre *p, const struct ev_session *s)
{
	return p->vlan == s->vlan && p->cport == s->cport && p->sport == s->sport &&
	       ((!p->tun.depth && !s->tunnel.depth) || !memcmp(&p->tun, &s->tunnel, sizeof p->tun)) &&
	       same_text(p->buf + p->cli_at, p->cli_len, s->cli) &&
	       same_text(p->buf + p->srv_at, p->srv_len, s->srv) &&
	       same_text(p->buf + p->cid_at, p->cid_len, s->community_id) &&
	       (s->source ? p->has_source && strncmp(p->buf + p->src_at, s->source, p->src_len) == 0 &&
				    s->source[p->src_len] == '\0'
			  : !p->has_source);
}

static void pre_free(struct json_sink *j, uint64_t id)
{
	free(idmap_del(&j->pre, id));
}

static void pre_clear(struct json_sink *j)
{
	for (size_t i = 0; i < j->pre.cap; i++)
		if (j->pre.keys[i])
			free(j->pre.vals[i]);
	idmap_fini(&j->pre);
}

/* The session's prefix, built or rebuilt as needed; NULL when it cannot be
 * cached (a text the escaper changes, an address with no NUL). */
static const struct jpre *pre_get(struct json_sink *j, const struct ev_session *s)
{
	struct jpre *p = idmap_get(&j->pre, s->id);
	if (p && pre_fits(p, s))
		return p;
	free(p);
	p = pre_build(j, s);
	if (p)
		idmap_put(&j->pre, s->id, p);
	else
		idmap_del(&j->pre, s->id);
	return p;
}

/* The start of a record; the type, a literal, needs no escaping. */
#define COMMON(j, type, ts_us, s) common(j, type, sizeof(type) - 1, ts_us, s)

static void common(struct json_sink *j, const char *type, size_t tlen, uint64_t ts_us, const struct ev_session *s)
{
	struct jw *w = &j->w;
	const struct jpre *p = s ? pre_get(j, s) : NULL;
	j->line_at = w->len;
	if (!p) {
		struct marks m;
		common_fields(w, type, ts_us, s, &m);
		return;
	}
	jw_line(w);
	jw_obj_begin(w, NULL);
	char *o = jw_key(w, "timestamp", OUT_TIME_MAX + 2 + p->len + tlen);
	*o++ = '"';
	o = put_time(&j->tc, o, ts_us);
	*o++ = '"';
	memcpy(o, p->buf, p->type_at);
	memcpy(o + p->type_at, type, tlen);
	jw_raw_at(w, o + p->type_at + tlen, p->buf + p->type_at, p->len - p->type_at);
}

static void txn_listing(struct jw *w, const struct pop3_txn *t)
{
	bool uidl = t->cmd == POP3_CMD_UIDL;
	uint32_t n = t->n_entries < JSON_LISTING_MAX ? t->n_entries : JSON_LISTING_MAX;
	jw_arr_begin(w, "listing");
	for (uint32_t i = 0; i < n; i++) {
		const struct pop3_entry *e = &t->entries[i];
		jw_obj_begin(w, NULL);
		jw_u64(w, "number", e->num);
		if (uidl) {
			if (t->uids)
				jw_strn(w, "uid", t->uids + e->uid_off, e->uid_len);
			else
				jw_str(w, "uid", "");
		} else
			jw_u64(w, "size", e->size);
		if (e->flags) {
			jw_arr_begin(w, "invalid");
			if (e->flags & POP3_LE_BADNUM)
				jw_str(w, NULL, "number");
			if (e->flags & POP3_LE_BADVAL)
				jw_str(w, NULL, uidl ? "uid_missing" : "size");
			if (e->flags & POP3_LE_UID_BAD)
				jw_str(w, NULL, "uid_syntax");
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	uint64_t listed = (uint64_t)t->n_entries + t->n_entries_more;
	jw_u64(w, "listing_count", listed);
	jw_bool(w, "listing_truncated", n < listed || (t->flags & POP3_TF_LISTING_CAPPED));
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

/* A text as a JSON string, NULL as "" (as jw_str writes it). */
static inline char *jc_text(char *o, const char *s, size_t n)
{
	return jc_str(o, s ? s : "", n);
}

/*
 * The transaction record, most of the JSON: written by cursor (see
 * json_write.h), each key with its comma and brackets one literal. Room is
 * made once for everything up to the listing: the literals and numbers
 * take less than TXN_FIXED_MAX, the texts their escaped worst case.
 */
#define TXN_FIXED_MAX 1024

static void write_txn(struct json_sink *j, const struct event *e)
{
	const struct pop3_txn *t = e->txn;
	struct jw *w = &j->w;
	uint64_t cnt = t->end_frame ? t->end_frame : t->rep_frame ? t->rep_frame : t->req_frame;
	const char *state = pop3_state_name(t->state_before);
	const char *status = pop3_status_str(t->status);
	size_t state_n = state ? strlen(state) : 0, status_n = status ? strlen(status) : 0;
	size_t kw_n = strlen(t->keyword), args_n = t->has_args ? strlen(t->args) : 0;
	size_t text_n = strlen(t->text), code_n = strlen(t->code);
	COMMON(j, "pop3", e->ts_us, e->sess);
	char *o = jw_at(w, TXN_FIXED_MAX + JW_ESCAPED_MAX(state_n) + JW_ESCAPED_MAX(status_n) +
				   JW_ESCAPED_MAX(kw_n) + JW_ESCAPED_MAX(args_n) + JW_ESCAPED_MAX(text_n) +
				   JW_ESCAPED_MAX(code_n));
	if (cnt) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		o = jc_u64(o, cnt);
	}
	o = JC_LIT(o, ",\"pop3\":{\"tx_id\":");
	o = jc_u64(o, t->index);
	o = JC_LIT(o, ",\"state\":");
	o = jc_text(o, state, state_n);
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
		o = jc_text(o, status, status_n);
		o = JC_LIT(o, ",\"header\":");
		o = jc_str(o, t->text, text_n);
		if (t->code[0]) {
			o = JC_LIT(o, ",\"code\":");
			o = jc_str(o, t->code, code_n);
		}
		o = JC_LIT(o, ",\"frame\":");
		o = jc_u64(o, t->rep_frame);
		o = JC_LIT(o, ",\"end_frame\":");
		o = jc_u64(o, t->end_frame);
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
	if (listing || caps) { /* rare: by the writer's steps, inside "pop3" */
		jw_at_end(w, o, 2);
		if (listing)
			txn_listing(w, t);
		if (caps)
			txn_caps(w, t);
		o = jw_at(w, 16);
	}
	o = JC_LIT(o, ",\"flags\":[");
	bool first = true;
	for (uint32_t f = t->flags; f; f &= f - 1) { /* the set bits, lowest first */
		const char *n = out_txn_flag_name(f & -f);
		if (!n)
			continue;
		size_t nn = strlen(n);
		o = jw_more(w, o, 1 + JW_ESCAPED_MAX(nn) + 8);
		if (!first)
			*o++ = ',';
		o = jc_str(o, n, nn);
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

static void write_finding(struct json_sink *j, const struct event *e)
{
	const struct finding *f = e->finding;
	struct jw *w = &j->w;
	uint64_t cnt = 0;
	for (unsigned i = 0; i < f->n_ev && i < FINDING_EVIDENCE_MAX; i++)
		if (f->ev[i].frame > cnt)
			cnt = f->ev[i].frame;
	const char *symptom = rule_symptom(f->rule);
	const char *user = e->sess && e->sess->pop3.user[0] ? e->sess->pop3.user : NULL;
	struct text rule = text_of(rule_name(f->rule)), sev = text_of(severity_name(f->sev));
	struct text sum = text_of(f->summary), rfc = text_of(rule_rfc(f->rule));
	struct text sym = text_of(symptom), usr = text_of(user);
	COMMON(j, "pop3_finding", e->ts_us, e->sess);
	char *o = jw_at(w, RECORD_FIXED_MAX + JW_ESCAPED_MAX(rule.n) + JW_ESCAPED_MAX(sev.n) +
				   JW_ESCAPED_MAX(sum.n) + JW_ESCAPED_MAX(rfc.n) + JW_ESCAPED_MAX(sym.n) +
				   JW_ESCAPED_MAX(usr.n));
	if (cnt) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		o = jc_u64(o, cnt);
	}
	o = JC_LIT(o, ",\"finding\":{\"rule\":");
	o = jc_str(o, rule.s, rule.n);
	o = JC_LIT(o, ",\"severity\":");
	o = jc_str(o, sev.s, sev.n);
	o = JC_LIT(o, ",\"summary\":");
	o = jc_str(o, sum.s, sum.n);
	o = JC_LIT(o, ",\"rfc\":");
	o = jc_str(o, rfc.s, rfc.n);
	if (symptom) {
		o = JC_LIT(o, ",\"symptom\":");
		o = jc_str(o, sym.s, sym.n);
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

static void write_session(struct json_sink *j, const struct event *e, uint64_t dropped)
{
	const struct ev_session *s = e->sess;
	const struct ev_pop3 *ci = &s->pop3;
	struct jw *w = &j->w;
	bool any = s->findings[0] + s->findings[1] + s->findings[2] != 0;
	struct text reason = text_of(flow_end_name(s->end));
	struct text state = text_of(pop3_state_name(ci->state));
	struct text user = text_of(ci->user[0] ? ci->user : NULL);
	struct text banner = text_of(ci->greeted ? ci->banner : NULL);
	struct text worst = text_of(any ? severity_name(s->worst) : NULL);
	COMMON(j, "pop3_session", e->ts_us, s);
	char *o = jw_at(w, RECORD_FIXED_MAX + JW_ESCAPED_MAX(reason.n) + JW_ESCAPED_MAX(state.n) +
				   JW_ESCAPED_MAX(user.n) + JW_ESCAPED_MAX(banner.n) + JW_ESCAPED_MAX(worst.n));
	if (s->last_frame) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		o = jc_u64(o, s->last_frame);
	}
	o = JC_LIT(o, ",\"pop3_session\":{\"start\":\"");
	o = put_time(&j->tc, o, s->start_ts);
	o = JC_LIT(o, "\",\"end\":\"");
	o = put_time(&j->tc, o, s->last_ts);
	o = JC_LIT(o, "\",\"end_reason\":");
	o = jc_str(o, reason.s, reason.n);
	o = JC_LIT(o, ",\"first_frame\":");
	o = jc_u64(o, s->first_frame);
	o = JC_LIT(o, ",\"last_frame\":");
	o = jc_u64(o, s->last_frame);
	o = JC_LIT(o, ",\"midstream\":");
	o = jc_bool(o, s->midstream);
	if (s->by_content)
		o = JC_LIT(o, ",\"found_by\":\"content\"");
	o = JC_LIT(o, ",\"state\":");
	o = jc_str(o, state.s, state.n);
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
		o = jc_str(o, worst.s, worst.n);
	}
	o = JC_LIT(o, ",\"rules\":[");
	bool first = true;
	for (int r = 0; r < R__COUNT && r < 64; r++) {
		if (!(s->rules_hit & (1ull << r)))
			continue;
		struct text rn = text_of(rule_name((enum rule_id)r));
		o = jw_more(w, o, 1 + JW_ESCAPED_MAX(rn.n) + RECORD_FIXED_MAX);
		if (!first)
			*o++ = ',';
		o = jc_str(o, rn.s, rn.n);
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
static void write_open(struct json_sink *j, const struct event *e)
{
	const struct ev_session *s = e->sess;
	struct jw *w = &j->w;
	struct text state = text_of(pop3_state_name(s->pop3.state));
	COMMON(j, "pop3_session_open", e->ts_us, s);
	char *o = jw_at(w, RECORD_FIXED_MAX + JW_ESCAPED_MAX(state.n));
	if (s->first_frame) {
		o = JC_LIT(o, ",\"pcap_cnt\":");
		o = jc_u64(o, s->first_frame);
	}
	o = JC_LIT(o, ",\"pop3_session_open\":{\"first_frame\":");
	o = jc_u64(o, s->first_frame);
	o = JC_LIT(o, ",\"midstream\":");
	o = jc_bool(o, s->midstream);
	o = JC_LIT(o, ",\"state\":");
	o = jc_str(o, state.s, state.n);
	o = JC_LIT(o, "}}");
	jw_at_end(w, o, 0);
}

static void write_stats(struct json_sink *j, const struct event *e)
{
	const struct ev_stats *st = e->stats;
	struct jw *w = &j->w;
	COMMON(j, "stats", st->ts_us ? st->ts_us : e->ts_us, NULL);
	jw_obj_begin(w, "stats");
	jw_bool(w, "final", st->final);
	if (st->source)
		jw_str(w, "source", st->source);
	if (st->wall_us)
		time_field(w, "wall_time", st->wall_us);
	if (st->first_ts_us)
		time_field(w, "first_frame_time", st->first_ts_us);
	jw_obj_begin(w, "capture");
	jw_u64(w, "frames", st->frames);
	jw_u64(w, "bytes", st->bytes);
	jw_u64(w, "received", st->src.received);
	if (st->src.have_kernel_stats) {
		jw_u64(w, "kernel_drops", st->src.kernel_drops);
		jw_u64(w, "iface_drops", st->src.iface_drops);
	}
	jw_obj_end(w);
	jw_obj_begin(w, "decoder");
	for (int r = 0; r < DEC__COUNT; r++)
		jw_u64(w, decode_reason_name((enum decode_reason)r), st->dec.count[r]);
	jw_obj_end(w);
	jw_obj_begin(w, "flow");
	jw_u64(w, "created", st->flows.created);
	jw_u64(w, "closed", st->flows.closed);
	jw_u64(w, "active", st->flows.active);
	jw_u64(w, "peak_active", st->flows.peak_active);
	jw_u64(w, "evicted", st->flows.evicted);
	jw_u64(w, "timed_out", st->flows.timed_out);
	jw_u64(w, "not_watched", st->flows.not_watched);
	jw_u64(w, "ignored_no_flow", st->flows.ignored_no_flow);
	jw_u64(w, "refused", st->flows.refused);
	jw_u64(w, "no_answer", st->flows.no_answer);
	jw_u64(w, "no_greeting", st->flows.no_greeting);
	jw_u64(w, "reset_before_greeting", st->flows.reset_before_greeting);
	jw_u64(w, "syn_absorbed", st->flows.syn_absorbed);
	jw_obj_end(w);
	jw_obj_begin(w, "tcp_reassembly");
	jw_u64(w, "segments", st->reasm.segments);
	jw_u64(w, "delivered_bytes", st->reasm.delivered_bytes);
	jw_u64(w, "ooo_segments", st->reasm.ooo_segments);
	jw_u64(w, "retrans_bytes", st->reasm.retrans_bytes);
	jw_u64(w, "overlap_conflicts", st->reasm.overlap_conflicts);
	jw_u64(w, "gaps", st->reasm.gaps);
	jw_u64(w, "gap_bytes", st->reasm.gap_bytes);
	jw_u64(w, "flow_cap_hits", st->reasm.flow_cap_hits);
	jw_u64(w, "total_cap_hits", st->reasm.total_cap_hits);
	jw_u64(w, "buffered_bytes", st->reasm.buffered_bytes);
	jw_u64(w, "buffered_peak", st->reasm.buffered_peak);
	jw_u64(w, "dropped_far", st->reasm.dropped_far);
	jw_obj_end(w);
	jw_obj_begin(w, "sessions");
	jw_u64(w, "total", st->sessions_total);
	jw_u64(w, "active", st->sessions_active);
	jw_u64(w, "flagged", st->sessions_flagged);
	jw_u64(w, "not_pop3", st->sessions_not_pop3);
	jw_u64(w, "other_tcp_flows", st->other_flows);
	jw_obj_end(w);
	if (st->other_flows) {
		/* the busiest ports of the connections that were not POP3 */
		jw_obj_begin(w, "other_tcp_ports");
		for (size_t i = 0; i < ARRAY_LEN(st->other_ports) && st->other_ports[i].flows; i++) {
			char k[8];
			snprintf(k, sizeof(k), "%u", st->other_ports[i].port);
			jw_u64(w, k, st->other_ports[i].flows);
		}
		jw_obj_end(w);
	}
	jw_obj_begin(w, "findings");
	jw_u64(w, "error", st->findings[SEV_ERROR]);
	jw_u64(w, "warning", st->findings[SEV_WARNING]);
	jw_u64(w, "notice", st->findings[SEV_NOTICE]);
	jw_obj_end(w);
	jw_obj_begin(w, "rules");
	for (int r = 0; r < R__COUNT; r++)
		if (st->rule_counts[r])
			jw_u64(w, rule_name((enum rule_id)r), st->rule_counts[r]);
	jw_obj_end(w);
	jw_obj_begin(w, "pop3");
	jw_u64(w, "garbage_lines", st->pop3_garbage_lines);
	jw_u64(w, "long_lines", st->pop3_long_lines);
	jw_u64(w, "unsolicited", st->pop3_unsolicited);
	jw_u64(w, "unanswered", st->pop3_unanswered);
	jw_u64(w, "pending_dropped", st->pop3_pending_dropped);
	jw_u64(w, "resyncs", st->pop3_resyncs);
	jw_u64(w, "bare_lf", st->pop3_bare_lf);
	jw_obj_end(w);
	jw_u64(w, "accounts_evicted", st->accounts_evicted);
	if (st->publish.enabled) {
		jw_obj_begin(w, "publish");
		jw_bool(w, "connected", st->publish.connected);
		jw_u64(w, "events", st->publish.events);
		jw_u64(w, "sent", st->publish.sent);
		jw_u64(w, "dropped", st->publish.dropped);
		jw_u64(w, "rejected", st->publish.rejected);
		jw_u64(w, "reconnects", st->publish.reconnects);
		jw_u64(w, "buffered_bytes", st->publish.buffered_bytes);
		jw_obj_end(w);
	}
	jw_obj_begin(w, "json");
	jw_u64(w, "lines_written", j->lines_written);
	jw_u64(w, "lines_dropped", j->lines_dropped);
	jw_u64(w, "pending_bytes", j->pend_bytes);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* ---- the sink ---- */

static void emit_line(struct json_sink *j, const struct ev_session *s, bool pass)
{
	struct jw *w = &j->w;
	size_t at = j->line_at, n = w->len - at;
	if (n == 0)
		return;
	const char *host = j->line_sensor && j->line_sensor[0] ? j->line_sensor : j->host;
	if (host && w->buf[w->len - 1] == '}') { /* in the record's closing brace's place */
		size_t hn = strlen(host);
		w->len--;
		char *o = jw_at(w, JW_ESCAPED_MAX(hn) + 10);
		o = JC_LIT(o, ",\"host\":");
		o = jc_str(o, host, hn);
		*o++ = '}';
		jw_at_end(w, o, 0);
		n = w->len - at;
	}
	if (pass || !s) {
		if (s && j->o.line_fn && j->out)
			j->o.line_fn(j->o.line_ctx, w->buf + at, n); /* tee (--publish) */
		if (j->gather) {
			char *o = jw_at(w, 1);
			o[0] = '\n';
			o[1] = '\0';
			w->len++;
			if (w->len >= JSON_OUT_CHUNK)
				out_drain(j);
		} else {
			w->buf[w->len] = '\n'; /* in the NUL's place: one write per line */
			out_fwrite(j, w->buf + at, n + 1);
			w->len = at;
			w->buf[at] = '\0';
		}
		j->lines_written++;
	} else {
		pend_add(j, s->id, w->buf + at, n); /* undecided: keep it */
		w->len = at;
		w->buf[at] = '\0';
	}
}

static void json_event_1(struct json_sink *j, const struct event *e);

static void json_event(void *self, const struct event *e)
{
	struct json_sink *j = self;
	json_event_1(j, e);
	if (e->type == EV_SESSION_CLOSE && e->sess)
		pre_free(j, e->sess->id); /* its last record is written */
}

static void json_event_1(struct json_sink *j, const struct event *e)
{
	const struct ev_session *s = e->sess;
	j->line_sensor = s ? s->sensor : e->stats ? e->stats->sensor : NULL;

	if (e->type == EV_STATS) {
		if (!e->stats || !(e->stats->final || j->o.stats_events))
			return;
		write_stats(j, e);
		emit_line(j, NULL, true);
		out_flush(j);
		return;
	}
	if (!s || e->type == EV_SESSION_UPDATE)
		return;
	if ((e->type == EV_TXN && !e->txn) || (e->type == EV_FINDING && !e->finding))
		return;

	bool pass = sink_filter_pass(&j->o.filter, s);
	if (!pass && !may_pass_later(&j->o.filter, s)) {
		pend_free(j, s->id);
		return;
	}
	uint64_t dropped = 0;
	if (pass)
		dropped = pend_flush(j, s->id);

	switch (e->type) {
	case EV_SESSION_OPEN:
		write_open(j, e);
		emit_line(j, s, pass);
		break;
	case EV_TXN:
		write_txn(j, e);
		emit_line(j, s, pass);
		break;
	case EV_FINDING:
		write_finding(j, e);
		emit_line(j, s, pass);
		break;
	case EV_SESSION_CLOSE:
		if (pass) {
			write_session(j, e, dropped);
			emit_line(j, s, true);
			if (j->o.flush_sessions)
				out_flush(j);
		} else {
			pend_free(j, s->id); /* closed without passing: its lines go */
		}
		break;
	default:
		break;
	}
}

static int json_finish(void *self, char *errbuf, size_t errlen)
{
	struct json_sink *j = self;
	/* Sessions still undecided at the end never passed: drop what they held. */
	pend_clear(j);
	out_flush(j);
	if (!j->failed && j->out && ferror(j->out)) {
		j->failed = true;
		j->err = EIO;
	}
	if (j->failed) {
		snprintf(errbuf, errlen, "%s: write error: %s", j->name, strerror(j->err));
		return -1;
	}
	return 0;
}

static void json_free(void *self)
{
	struct json_sink *j = self;
	if (!j)
		return;
	pend_clear(j);
	pre_clear(j);
	jw_fini(&j->pw);
	out_drain(j); /* finish, when it came, left nothing */
	if (j->own && j->out)
		fclose(j->out);
	else if (j->out)
		fflush(j->out);
	jw_fini(&j->w);
	free(j->host);
	free(j->name);
	free(j);
}

static const struct sink_ops json_ops = {
	.name = "json",
	.event = json_event,
	.finish = json_finish,
	.free = json_free,
};

struct sink json_sink_new(const char *path, const struct json_opts *o, char *errbuf, size_t errlen)
{
	struct sink s = { 0 };
	FILE *f = NULL;
	bool own = path && strcmp(path, "-") != 0;
	if (!path) {
		if (!o || !o->line_fn) {
			snprintf(errbuf, errlen, "JSON: no output");
			return s;
		}
	} else if (own) {
		f = fopen(path, "w");
		if (!f) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			return s;
		}
	} else
		f = stdout;
	struct json_sink *j = xcalloc(1, sizeof *j);
	if (own) {
		setvbuf(f, NULL, _IONBF, 0);
		j->gather = true;
	}
	j->out = f;
	j->own = own;
	j->name = xstrdup(own ? path : path ? "<stdout>" : "<publish>");
	if (o)
		j->o = *o;
	else
		j->o.filter.rule = -1;
	if (j->o.host && j->o.host[0])
		j->host = xstrdup(j->o.host);
	j->o.host = NULL; /* borrowed: the copy is kept */
	jw_init(&j->w);
	idmap_init(&j->pend);
	idmap_init(&j->pre);
	jw_init(&j->pw);
	s.ops = &json_ops;
	s.self = j;
	s.skip = EV_BIT(EV_SESSION_UPDATE); /* no record of its own */
	return s;
}
