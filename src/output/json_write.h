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

/*
 * The writers below take the key's length too; these wrappers pass it, so
 * for the usual literal key the compiler folds strlen away (a run writes
 * millions of keys). key is NULL at the top level and inside arrays.
 */
void jwk_open(struct jw *w, const char *key, size_t klen, char c);
void jwk_strn(struct jw *w, const char *key, size_t klen, const char *s, size_t n);
void jwk_u64(struct jw *w, const char *key, size_t klen, uint64_t v);
void jwk_bool(struct jw *w, const char *key, size_t klen, bool v);
void jwk_null(struct jw *w, const char *key, size_t klen);
void jwk_fixed(struct jw *w, const char *key, size_t klen, uint64_t whole, uint64_t frac, unsigned digits);
void jw_close(struct jw *w, char c);

static inline size_t jw_klen(const char *key)
{
	return key ? strlen(key) : 0;
}

static inline void jw_obj_begin(struct jw *w, const char *key)
{
	jwk_open(w, key, jw_klen(key), '{');
}

static inline void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

static inline void jw_arr_begin(struct jw *w, const char *key)
{
	jwk_open(w, key, jw_klen(key), '[');
}

static inline void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

static inline void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	jwk_strn(w, key, jw_klen(key), s, n);
}

static inline void jw_str(struct jw *w, const char *key, const char *s)
{
	jwk_strn(w, key, jw_klen(key), s ? s : "", s ? strlen(s) : 0);
}

static inline void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jwk_u64(w, key, jw_klen(key), v);
}

static inline void jw_bool(struct jw *w, const char *key, bool v)
{
	jwk_bool(w, key, jw_klen(key), v);
}

static inline void jw_null(struct jw *w, const char *key)
{
	jwk_null(w, key, jw_klen(key));
}

/* A decimal fixed-point number: whole + frac / 10^digits (no locale, no float). */
static inline void jw_fixed(struct jw *w, const char *key, uint64_t whole, uint64_t frac, unsigned digits)
{
	jwk_fixed(w, key, jw_klen(key), whole, frac, digits);
}

/* Append the escaped body of a JSON string (no quotes) for n bytes of s. */
void jw_escape(struct jw *w, const char *s, size_t n);

#endif
