/*
 * cursor.h - the only way pop3mon reads packet bytes.
 *
 * A cursor is a window (pointer + length) and a read offset. Every read
 * checks `need <= remaining` before touching memory, so a truncated or lying
 * header can never make us read past what libpcap captured. Reads return
 * false instead of data when the bytes are not there; callers count that as
 * TRUNCATED. Modelled on tcpdump's GET_* / ND_TTEST_LEN, but as a value the
 * caller owns, so each layer can narrow it to min(declared, captured).
 */
#ifndef POP3MON_CURSOR_H
#define POP3MON_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *base; /* borrowed: start of the window */
	size_t len;          /* bytes in the window */
	size_t off;          /* next byte to read */
};

static inline struct cursor cursor_make(const uint8_t *p, size_t len)
{
	struct cursor c = { p, len, 0 };
	return c;
}

static inline size_t cursor_remaining(const struct cursor *c)
{
	return c->len - c->off;
}

static inline bool cursor_has(const struct cursor *c, size_t need)
{
	return need <= c->len - c->off;
}

static inline const uint8_t *cursor_ptr(const struct cursor *c)
{
	return c->base + c->off;
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (!cursor_has(c, n))
		return false;
	c->off += n;
	return true;
}

static inline bool cursor_u8(struct cursor *c, uint8_t *v)
{
	if (!cursor_has(c, 1))
		return false;
	*v = c->base[c->off++];
	return true;
}

static inline bool cursor_be16(struct cursor *c, uint16_t *v)
{
	if (!cursor_has(c, 2))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint16_t)((uint16_t)p[0] << 8 | p[1]);
	c->off += 2;
	return true;
}

static inline bool cursor_le16(struct cursor *c, uint16_t *v)
{
	if (!cursor_has(c, 2))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint16_t)((uint16_t)p[1] << 8 | p[0]);
	c->off += 2;
	return true;
}

static inline bool cursor_be32(struct cursor *c, uint32_t *v)
{
	if (!cursor_has(c, 4))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	c->off += 4;
	return true;
}

static inline bool cursor_le32(struct cursor *c, uint32_t *v)
{
	if (!cursor_has(c, 4))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	c->off += 4;
	return true;
}

static inline bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cursor_has(c, n))
		return false;
	const uint8_t *s = c->base + c->off;
	uint8_t *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	c->off += n;
	return true;
}

/*
 * A fixed-layout header read at constant offsets (decode's fast path for
 * plain TCP/IP): the bytes are checked once, by cursor_span, and each
 * read of the span checks itself against the span's length. Those checks
 * cost nothing where it is used: inlined, with the span's length and the
 * offsets constants, the compiler proves them and drops them, so the
 * header costs one length test, not one per field, and still no read can
 * pass what was checked. A span that failed its check is empty (p NULL).
 */
struct span {
	const uint8_t *p;
	size_t n;
};

/* The next `n` bytes (the offset does not move), or an empty span. */
static inline struct span cursor_span(const struct cursor *c, size_t n)
{
	if (!cursor_has(c, n))
		return (struct span){ NULL, 0 };
	return (struct span){ c->base + c->off, n };
}

/* The span from `at` on (empty when `at` is past its end). */
static inline struct span span_from(struct span s, size_t at)
{
	if (at > s.n)
		return (struct span){ NULL, 0 };
	return (struct span){ s.p + at, s.n - at };
}

/* Fields; 0 past the span's end. */
static inline uint8_t span_u8(struct span s, size_t at)
{
	return at < s.n ? s.p[at] : 0;
}

static inline uint16_t span_be16(struct span s, size_t at)
{
	if (at > s.n || s.n - at < 2)
		return 0;
	return (uint16_t)((uint16_t)s.p[at] << 8 | s.p[at + 1]);
}

static inline uint32_t span_be32(struct span s, size_t at)
{
	if (at > s.n || s.n - at < 4)
		return 0;
	return (uint32_t)s.p[at] << 24 | (uint32_t)s.p[at + 1] << 16 |
	       (uint32_t)s.p[at + 2] << 8 | s.p[at + 3];
}

/* `n` bytes at `at` into dst; zeros past the span's end. */
static inline void span_copy(void *dst, struct span s, size_t at, size_t n)
{
	if (at > s.n || s.n - at < n) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, s.p + at, n);
}

/* Peek at byte `at` past the read offset without consuming it. */
static inline bool cursor_peek_u8(const struct cursor *c, size_t at, uint8_t *v)
{
	if (!cursor_has(c, at) || !cursor_has(c, at + 1))
		return false;
	*v = c->base[c->off + at];
	return true;
}

/*
 * Split off the next `n` bytes as a cursor of their own, clamped to what is
 * there; *clamped says whether the declared length was more than captured.
 * This is how a layer narrows to min(declared length, captured length).
 */
static inline struct cursor cursor_sub(const struct cursor *c, size_t n, bool *clamped)
{
	size_t rem = cursor_remaining(c);
	*clamped = n > rem;
	return cursor_make(c->base + c->off, *clamped ? rem : n);
}

#endif
