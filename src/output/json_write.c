/*
 * json_write.c - the JSON writer and its string escaper (see the header
 * for the escaping policy). The UTF-8 check follows RFC 3629 section 4's
 * table of well-formed byte sequences, so overlongs and surrogates count
 * as invalid, as they do for every strict JSON reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "util.h"

/* Grow so that n more bytes and the NUL fit. */
static void reserve(struct jw *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 256;
	while (w->len + n + 1 > cap)
		cap *= 2;
	w->buf = xrealloc(w->buf, cap);
	w->cap = cap;
}

/* The hottest function of a JSON run: keep the common case to a compare
 * and a copy. */
static inline void put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap)
		reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void putc1(struct jw *w, char c)
{
	put(w, &c, 1);
}

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof *w);
}

void jw_fini(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	if (w->buf)
		w->buf[0] = '\0';
	w->depth = 0;
	w->need_comma[0] = false;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* > U+10FFFF */
	} else
		return 0;
	if (len > n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void put_u00(struct jw *w, unsigned v)
{
	char b[8];
	snprintf(b, sizeof b, "\\u%04x", v & 0xffff);
	put(w, b, 6);
}

void jw_escape(struct jw *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		size_t run = i; /* copy plain ASCII in runs */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			put(w, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			put(w, e, 2);
			i++;
		} else if (c < 0x20) {
			const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
			if (e)
				put(w, e, 2);
			else
				put_u00(w, c);
			i++;
		} else if (c == 0x7f) {
			put_u00(w, c);
			i++;
		} else {
			size_t l = utf8_len(s + i, n - i);
			if (l == 0) {
				put_u00(w, c); /* not UTF-8: the byte as U+00XX */
				i++;
			} else if (l == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
				put_u00(w, s[i + 1]); /* C1 control: escaped as itself */
				i += 2;
			} else {
				put(w, (const char *)s + i, l);
				i += l;
			}
		}
	}
}

static void sep(struct jw *w, const char *key)
{
	if (w->need_comma[w->depth])
		putc1(w, ',');
	w->need_comma[w->depth] = true;
	if (key) { /* keys are this program's ASCII literals: nothing to escape */
		putc1(w, '"');
		put(w, key, strlen(key));
		put(w, "\":", 2);
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	sep(w, key);
	putc1(w, c);
	if (w->depth < JW_DEPTH_MAX)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(struct jw *w, char c)
{
	putc1(w, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_begin(struct jw *w, const char *key)
{
	open_(w, key, '{');
}

void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}

void jw_arr_begin(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	sep(w, key);
	putc1(w, '"');
	jw_escape(w, s, n);
	putc1(w, '"');
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_strn(w, key, s ? s : "", s ? strlen(s) : 0);
}

/* Decimal digits of v, right-aligned in b[0..24): returns the first. */
static char *u64_digits(char b[24], uint64_t v)
{
	char *p = b + 24;
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return p;
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	char b[24];
	char *p = u64_digits(b, v);
	sep(w, key);
	put(w, p, (size_t)(b + 24 - p));
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	sep(w, key);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct jw *w, const char *key)
{
	sep(w, key);
	put(w, "null", 4);
}

void jw_fixed(struct jw *w, const char *key, uint64_t whole, uint64_t frac, unsigned digits)
{
	char b[24], f[24];
	char *p = u64_digits(b, whole);
	sep(w, key);
	put(w, p, (size_t)(b + 24 - p));
	if (digits == 0 || digits > 18)
		return;
	char *q = u64_digits(f, frac);
	putc1(w, '.');
	for (size_t have = (size_t)(f + 24 - q); have < digits; have++)
		putc1(w, '0');
	put(w, q, (size_t)(f + 24 - q));
}
