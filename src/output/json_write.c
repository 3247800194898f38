/*
 * json_write.c - the JSON writer and its string escaper (see the header
 * for the escaping policy). The UTF-8 check follows RFC 3629 section 4's
 * table of well-formed byte sequences, so overlongs and surrogates count
 * as invalid, as they do for every strict JSON reader.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json_write.h"
#include "timefmt.h"
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

/*
 * Writing is two steps: room() (or jw_key, for a value) makes space for at
 * most n bytes, the worst case of what follows, and says where they go;
 * the writer stores them with plain pointer moves, then done() sets the
 * length and the NUL. One capacity check per value, not per piece of it.
 */
static inline char *room(struct jw *w, size_t n)
{
	if (w->len + n + 1 > w->cap)
		reserve(w, n);
	return w->buf + w->len;
}

static inline void done(struct jw *w, char *end)
{
	w->len = (size_t)(end - w->buf);
	*end = '\0';
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

static char *put_u00(char *o, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	memcpy(o, "\\u00", 4);
	o[4] = hex[(v >> 4) & 15];
	o[5] = hex[v & 15];
	return o + 6;
}

static inline bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * Does any of the 8 bytes in x need more than a copy (< 0x20, '"', '\\',
 * >= 0x7f)? Per byte, the high bit of x - 0x20 is set below 0x20, of
 * (x ^ '"') - 1 at '"' (likewise for '\\'), of x + 1 from 0x7f on, of x
 * itself from 0x80 on.
 * Borrows and carries between bytes only start at a byte that is flagged
 * anyway, so the answer for the word is exact.
 */
static inline bool word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t t = (x - ones * 0x20) | ((x ^ ones * '"') - ones) | ((x ^ ones * '\\') - ones) | (x + ones) | x;
	return (t & ones * 0x80) != 0;
}

/* The escape of the byte(s) at *sp that need more than a copy; at most 6
 * output bytes per input byte. */
static char *escape_special(char *o, const unsigned char **sp, const unsigned char *end)
{
	const unsigned char *s = *sp;
	unsigned char c = *s;
	size_t l;
	if (c == '"' || c == '\\') {
		*o++ = '\\';
		*o++ = (char)c;
		l = 1;
	} else if (c < 0x20) {
		char e = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : 0;
		if (e) {
			*o++ = '\\';
			*o++ = e;
		} else
			o = put_u00(o, c);
		l = 1;
	} else if (c == 0x7f) {
		o = put_u00(o, c);
		l = 1;
	} else {
		l = utf8_len(s, (size_t)(end - s));
		if (l == 0) {
			o = put_u00(o, c); /* not UTF-8: the byte as U+00XX */
			l = 1;
		} else if (l == 2 && c == 0xc2 && s[1] < 0xa0) {
			o = put_u00(o, s[1]); /* C1 control: escaped as itself */
		} else {
			memcpy(o, s, l);
			o += l;
		}
	}
	*sp = s + l;
	return o;
}

/* Escape s..end to o (room for 6 bytes each), whatever the bytes: words
 * of 8 plain bytes are copied whole, the others gone through byte by byte. */
static char *escape_any(char *o, const unsigned char *s, const unsigned char *end)
{
	while (s < end) {
		uint64_t x;
		if (end - s >= 8) {
			memcpy(&x, s, 8);
			if (!word_needs_escape(x)) {
				memcpy(o, &x, 8);
				o += 8;
				s += 8;
				continue;
			}
		}
		const unsigned char *stop = end - s > 8 ? s + 8 : end;
		while (s < stop) {
			if (plain(*s))
				*o++ = (char)*s++;
			else
				o = escape_special(o, &s, end);
		}
	}
	return o;
}

/*
 * Fewer than 8 bytes (a keyword, a status, a state): the word test on two
 * overlapping halves, read with fixed-size loads (none past the text) and
 * padded with spaces; the test looks at each byte of the value, so which
 * end of the word a byte lands in does not matter. Plain halves are
 * stored as they were read.
 */
static inline char *escape_short(char *o, const unsigned char *s, size_t n)
{
	const uint64_t spaces = 0x2020202020202020u;
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		if (word_needs_escape(a | (uint64_t)b << 32))
			return escape_any(o, s, s + n);
		memcpy(o, &a, 4);
		memcpy(o + n - 4, &b, 4);
		return o + n;
	}
	if (n >= 2) {
		uint16_t a, b;
		memcpy(&a, s, 2);
		memcpy(&b, s + n - 2, 2);
		if (word_needs_escape(a | (uint64_t)b << 16 | (spaces << 32)))
			return escape_any(o, s, s + n);
		memcpy(o, &a, 2);
		memcpy(o + n - 2, &b, 2);
		return o + n;
	}
	if (n == 1) {
		if (!plain(*s))
			return escape_any(o, s, s + 1);
		*o = (char)*s;
		return o + 1;
	}
	return o;
}

#ifdef __SSE2__
/* Does any of the 16 bytes at s need more than a copy? The same bytes as
 * word_needs_escape: below 0x20 or from 0x80 on (below 0x20 as signed
 * bytes), 0x7f, '"' and '\\'. */
static inline bool block_needs_escape(__m128i x)
{
	__m128i ctl = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
	__m128i del = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f));
	__m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
	__m128i bslash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
	return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(ctl, del), _mm_or_si128(quote, bslash))) != 0;
}

/* 16 bytes or more: as escape_to's words, 16 bytes at a time (a header
 * line, a banner, a summary: a third of the word test's cost). */
static char *escape_long(char *o, const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n;
	for (;;) {
		size_t left = (size_t)(end - s);
		__m128i x;
		if (left < 16) {
			if (left == 0)
				return o;
			x = _mm_loadu_si128((const __m128i *)(const void *)(end - 16));
			if (block_needs_escape(x))
				return escape_any(o, s, end);
			_mm_storeu_si128((__m128i *)(void *)(o - (16 - left)), x);
			return o + left;
		}
		x = _mm_loadu_si128((const __m128i *)(const void *)s);
		if (block_needs_escape(x))
			return escape_any(o, s, end);
		_mm_storeu_si128((__m128i *)(void *)o, x);
		o += 16;
		s += 16;
	}
}
#endif

/*
 * Escape n bytes of s to o, which has room for 6 * n. Nearly all text is
 * plain ASCII of 8 bytes or more: this copies it a word at a time (16
 * bytes with SSE2, from 16 on) and checks a last partial word as the 8
 * bytes that end the text (when they are all plain, the ones already
 * written went out unchanged and are simply written again). Anything
 * else goes to escape_any.
 */
static inline char *escape_to(char *o, const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n;
	uint64_t x;
	if (n < 8)
		return escape_short(o, s, n);
#ifdef __SSE2__
	if (n >= 16)
		return escape_long(o, s, n);
#endif
	for (;;) {
		size_t left = (size_t)(end - s);
		if (left < 8) {
			if (left == 0)
				return o;
			memcpy(&x, end - 8, 8);
			if (word_needs_escape(x))
				return escape_any(o, s, end);
			memcpy(o - (8 - left), &x, 8);
			return o + left;
		}
		memcpy(&x, s, 8);
		if (word_needs_escape(x))
			return escape_any(o, s, end);
		memcpy(o, &x, 8);
		o += 8;
		s += 8;
	}
}

void jw_escape(struct jw *w, const char *s, size_t n)
{
	done(w, escape_to(room(w, 6 * n), (const unsigned char *)s, n));
}

char *jw_grow(struct jw *w, size_t n)
{
	return room(w, n);
}

void jw_open_at(struct jw *w, char *o, char c)
{
	*o++ = c;
	done(w, o);
	if (w->depth < JW_DEPTH_MAX)
		w->depth++;
	w->need_comma[w->depth] = false;
}

void jw_close(struct jw *w, char c)
{
	char *o = room(w, 1);
	*o++ = c;
	done(w, o);
	if (w->depth > 0)
		w->depth--;
}

char *jc_str(char *o, const char *s, size_t n)
{
	*o++ = '"';
	o = escape_to(o, (const unsigned char *)s, n);
	*o++ = '"';
	return o;
}

void jw_strn_at(struct jw *w, char *o, const char *s, size_t n)
{
	done(w, jc_str(o, s, n));
}

void jw_at_end(struct jw *w, char *o, unsigned depth)
{
	done(w, o);
	w->depth = depth < JW_DEPTH_MAX ? depth : JW_DEPTH_MAX;
	for (unsigned d = 0; d <= w->depth; d++)
		w->need_comma[d] = true;
}

void jw_bool_at(struct jw *w, char *o, bool v)
{
	memcpy(o, v ? "true" : "false", 5); /* "true" with its NUL: one fixed move */
	done(w, o + (v ? 4 : 5));
}

void jw_raw_at(struct jw *w, char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	done(w, o + n);
}

/* Decimal digits of v at o, which has room for 20: returns their end.
 * Counted first, then written from the end two at a time (one division
 * per pair, in 32 bits once the value fits), straight into place. */
static char *put_digits_long(char *o, uint64_t v)
{
	char *end = o + out_digits(v), *p = end;
	while (v > UINT32_MAX) {
		unsigned d = (unsigned)(v % 100);
		v /= 100;
		p -= 2;
		memcpy(p, out_digit_pairs + 2 * d, 2);
	}
	uint32_t u = (uint32_t)v;
	while (u >= 100) {
		unsigned d = u % 100;
		u /= 100;
		p -= 2;
		memcpy(p, out_digit_pairs + 2 * d, 2);
	}
	if (u >= 10)
		memcpy(p - 2, out_digit_pairs + 2 * u, 2);
	else
		p[-1] = (char)('0' + u);
	return end;
}

/* One or two digits of v (below 100) at o: returns their end. */
static inline char *put_small(char *o, unsigned v)
{
	if (v < 10) {
		*o = (char)('0' + v);
		return o + 1;
	}
	memcpy(o, out_digit_pairs + 2 * v, 2);
	return o + 2;
}

/* Four digits of v (below 10000), zeros in front. */
static inline void put_four(char *o, unsigned v)
{
	memcpy(o, out_digit_pairs + 2 * (v / 100), 2);
	memcpy(o + 2, out_digit_pairs + 2 * (v % 100), 2);
}

/*
 * The same for the sizes nearly every number has (counts, frame numbers,
 * sizes, latencies: a third of them 0 to 9, most of the rest 3 to 6
 * digits): by width, no count and no loop, the high part one or two
 * digits and the rest pairs; 7 digits and more go the long way.
 */
static char *put_digits(char *o, uint64_t v)
{
	if (v < 100)
		return put_small(o, (unsigned)v);
	if (v < 10000) {
		unsigned u = (unsigned)v;
		o = put_small(o, u / 100);
		memcpy(o, out_digit_pairs + 2 * (u % 100), 2);
		return o + 2;
	}
	if (v < 1000000) {
		unsigned u = (unsigned)v;
		o = put_small(o, u / 10000);
		put_four(o, u % 10000);
		return o + 4;
	}
	return put_digits_long(o, v);
}

char *jc_u64_digits(char *o, uint64_t v)
{
	return put_digits(o, v);
}

void jw_u64_at(struct jw *w, char *o, uint64_t v)
{
	done(w, put_digits(o, v));
}

void jw_fixed_at(struct jw *w, char *o, uint64_t whole, uint64_t frac, unsigned digits)
{
	done(w, jc_fixed(o, whole, frac, digits));
}

char *jc_fixed(char *o, uint64_t whole, uint64_t frac, unsigned digits)
{
	o = put_digits(o, whole);
	if (digits == 3 && frac < 1000) { /* milliseconds, nearly always */
		o[0] = '.';
		o[1] = (char)('0' + frac / 100);
		memcpy(o + 2, out_digit_pairs + 2 * (frac % 100), 2);
		return o + 4;
	}
	if (digits >= 1 && digits <= 18) {
		char f[20];
		size_t have = (size_t)(put_digits(f, frac) - f);
		*o++ = '.';
		for (size_t i = have; i < digits; i++)
			*o++ = '0';
		memcpy(o, f, have);
		o += have;
	}
	return o;
}

/* ---- names kept escaped (json_write.h) ---- */

_Thread_local struct jname_slot jname_slots[JNAME_SLOTS];

/* The name's slot from its home on, filled if it is new; NULL when the
 * table is full. */
static const struct jname_slot *jname_find(const char *name)
{
	size_t h = jname_home(name);
	for (size_t i = 0; i < JNAME_SLOTS; i++) {
		struct jname_slot *sl = &jname_slots[(h + i) % JNAME_SLOTS];
		if (sl->name == name)
			return sl;
		if (!sl->name) {
			sl->name = name;
			sl->n = strlen(name);
			sl->len = 0;
			if (sl->n + 2 <= JNAME_TEXT) { /* else its text cannot fit */
				char buf[JW_ESCAPED_MAX(JNAME_TEXT)];
				size_t len = (size_t)(jc_str(buf, name, sl->n) - buf);
				if (len <= JNAME_TEXT) {
					memset(sl->text, 0, sizeof sl->text);
					memcpy(sl->text, buf, len);
					sl->len = len;
				}
			}
			return sl;
		}
	}
	return NULL;
}

struct jname jname_slow(const char *name)
{
	const struct jname_slot *sl = jname_find(name);
	if (!sl)
		return (struct jname){ NULL, name, 0, strlen(name) };
	return (struct jname){ sl->text, name, sl->len, sl->n };
}
