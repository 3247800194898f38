/*
 * json_write.h - a small JSON writer into a growable buffer, one object at
 * a time (the JSON lines sink builds a line, then writes it whole).
 *
 * Strings are escaped so the output is always valid UTF-8 JSON whatever
 * the wire sent: '"', '\\' and control characters are escaped, DEL and the
 * C1 controls (U+0080-U+009F) as \u00XX, valid UTF-8 otherwise passes,
 * and each byte that is not part of a valid UTF-8 sequence (stray
 * continuation, overlong, surrogate, > U+10FFFF, cut sequence) becomes
 * \u00XX of that byte, so "\xff" reads back as U+00FF: lossy, unambiguous
 * enough for evidence, and never a parse error downstream.
 */
#ifndef POP3MON_JSON_WRITE_H
#define POP3MON_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JW_DEPTH_MAX 8

struct jw {
	char *buf;                      /* owned, NUL-terminated */
	size_t len, cap;
	unsigned depth;
	bool need_comma[JW_DEPTH_MAX + 1];
};

void jw_init(struct jw *w);
void jw_fini(struct jw *w);
void jw_reset(struct jw *w);      /* empty the buffer, keep its memory */

/* A new top-level value after what the buffer holds (lines gathered for
 * one write). */
static inline void jw_line(struct jw *w)
{
	w->depth = 0;
	w->need_comma[0] = false;
}

/*
 * Each value is written in two steps: jw_key() writes the comma and the
 * key and makes room for the value's worst case, then a jw_*_at function
 * stores the value there. jw_key is inline, so a literal key (nearly all
 * of them) is measured and copied with a few moves where it is used: a
 * run writes millions of keys. key is NULL at the top level and in arrays.
 */
char *jw_grow(struct jw *w, size_t n); /* room for n more bytes: where they go */

static inline char *jw_key(struct jw *w, const char *key, size_t more)
{
	size_t klen = key ? strlen(key) : 0, n = klen + 4 + more;
	char *o = w->len + n + 1 > w->cap ? jw_grow(w, n) : w->buf + w->len;
	if (w->need_comma[w->depth])
		*o++ = ',';
	w->need_comma[w->depth] = true;
	if (key) { /* keys are this program's ASCII literals: nothing to escape */
		*o++ = '"';
		memcpy(o, key, klen);
		o += klen;
		*o++ = '"';
		*o++ = ':';
	}
	return o;
}

void jw_open_at(struct jw *w, char *o, char c);
void jw_strn_at(struct jw *w, char *o, const char *s, size_t n);
void jw_u64_at(struct jw *w, char *o, uint64_t v);
void jw_fixed_at(struct jw *w, char *o, uint64_t whole, uint64_t frac, unsigned digits);
void jw_raw_at(struct jw *w, char *o, const char *s, size_t n); /* s as it is */
void jw_bool_at(struct jw *w, char *o, bool v);
void jw_close(struct jw *w, char c);

/* Worst cases of the values, for jw_key. */
#define JW_U64_MAX 20
#define JW_ESCAPED_MAX(n) (6 * (n) + 2)

static inline void jw_obj_begin(struct jw *w, const char *key)
{
	jw_open_at(w, jw_key(w, key, 1), '{');
}

static inline void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

static inline void jw_arr_begin(struct jw *w, const char *key)
{
	jw_open_at(w, jw_key(w, key, 1), '[');
}

static inline void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

static inline void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	jw_strn_at(w, jw_key(w, key, JW_ESCAPED_MAX(n)), s, n);
}

static inline void jw_str(struct jw *w, const char *key, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	jw_strn_at(w, jw_key(w, key, JW_ESCAPED_MAX(n)), s ? s : "", n);
}

static inline void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_u64_at(w, jw_key(w, key, JW_U64_MAX), v);
}

static inline void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_bool_at(w, jw_key(w, key, 5), v);
}

static inline void jw_null(struct jw *w, const char *key)
{
	jw_raw_at(w, jw_key(w, key, 4), "null", 4);
}

/* A decimal fixed-point number: whole + frac / 10^digits (no locale, no float). */
static inline void jw_fixed(struct jw *w, const char *key, uint64_t whole, uint64_t frac, unsigned digits)
{
	jw_fixed_at(w, jw_key(w, key, 2 * JW_U64_MAX + 1), whole, frac, digits);
}

/*
 * A run of fields by cursor, for the record written most (a transaction):
 * there a key, its comma and the brackets around it are one literal, and
 * the steps jw_key takes per value (the comma state, a capacity check, a
 * call that sets the length) were most of the cost. jw_at() makes room
 * for at most n bytes and gives where they go (jw_more() the same part
 * way through); the jc_* functions store literal text, numbers and
 * escaped strings with no checks and return where they end; jw_at_end()
 * sets the length, and the depth the run ends at, where every level
 * holds a value.
 */
static inline char *jw_at(struct jw *w, size_t n)
{
	return w->len + n + 1 > w->cap ? jw_grow(w, n) : w->buf + w->len;
}

static inline char *jw_more(struct jw *w, char *o, size_t n)
{
	w->len = (size_t)(o - w->buf);
	return jw_at(w, n);
}

static inline char *jc_lit(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}
#define JC_LIT(o, lit) jc_lit(o, lit, sizeof(lit) - 1)

static inline char *jc_bool(char *o, bool v)
{
	memcpy(o, v ? "true" : "false", 5);
	return o + (v ? 4 : 5);
}

char *jc_u64_digits(char *o, uint64_t v);             /* at most JW_U64_MAX */

/* A number: one digit inline (a third of them, zeros above all), the
 * rest by call. */
static inline char *jc_u64(char *o, uint64_t v)
{
	if (v < 10) {
		*o = (char)('0' + v);
		return o + 1;
	}
	return jc_u64_digits(o, v);
}

/* The number v, which may be the one written before at was_at (was_len
 * bytes, still in the buffer, ahead of o): then copied as it was written,
 * one fixed move, not written again. A transaction's pcap_cnt is its
 * end_frame, and often its reply's frame. */
static inline char *jc_u64_again(char *o, uint64_t v, uint64_t was, const char *was_at, size_t was_len)
{
	if (was_at && v == was && o - was_at >= JW_U64_MAX) {
		memcpy(o, was_at, JW_U64_MAX);
		return o + was_len;
	}
	return jc_u64(o, v);
}
char *jc_str(char *o, const char *s, size_t n);       /* at most JW_ESCAPED_MAX(n) */
char *jc_fixed(char *o, uint64_t whole, uint64_t frac, unsigned digits); /* 2 * JW_U64_MAX + 1 */
void jw_at_end(struct jw *w, char *o, unsigned depth);

/*
 * This program's names (a state, a status, a rule, a severity, an end
 * reason) as JSON strings, escaped once per name and kept: a record has
 * several, and measuring and escaping each every time cost more than the
 * rest of its field. Only for names the functions of other modules return
 * from static storage, which never change: the key is the name's address.
 * The table (per thread) never evicts (names are a few dozen), so a name's
 * text stays where it is for the thread's life; when full, or for a name
 * whose text is longer than a slot, the name is measured and escaped as
 * any text.
 */
#define JNAME_TEXT 48  /* a slot's text, quotes included, padded */
#define JNAME_SLOTS 256

struct jname_slot {
	const char *name; /* NULL: free */
	size_t n;         /* the name's length */
	size_t len;       /* its JSON text's; 0: too long to keep */
	char text[JNAME_TEXT];
};

/* A name to write: its kept text (len != 0), or the name itself. */
struct jname {
	const char *text, *name;
	size_t len, n;
};

extern _Thread_local struct jname_slot jname_slots[JNAME_SLOTS];
struct jname jname_slow(const char *name); /* found or kept from its home slot on */

static inline size_t jname_home(const char *name)
{
	return (size_t)(((uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15u) >> 56);
}

/* Inline, the name at its home slot (nearly always): a compare and loads.
 * NULL is "", as jw_str writes it. */
static inline struct jname jname_of(const char *name)
{
	if (!name)
		name = "";
	const struct jname_slot *sl = &jname_slots[jname_home(name)];
	if (sl->name == name)
		return (struct jname){ sl->text, name, sl->len, sl->n };
	return jname_slow(name);
}

/* Room for a name's text at most. */
static inline size_t jname_room(struct jname v)
{
	return v.len ? JNAME_TEXT : JW_ESCAPED_MAX(v.n);
}

/* The name's JSON text at o (room for jname_room): a kept text is one
 * fixed-size move of the whole slot. */
static inline char *jc_name(char *o, struct jname v)
{
	if (v.len) {
		memcpy(o, v.text, JNAME_TEXT);
		return o + v.len;
	}
	return jc_str(o, v.name, v.n);
}

/* Append the escaped body of a JSON string (no quotes) for n bytes of s. */
void jw_escape(struct jw *w, const char *s, size_t n);

#endif
