/*
 * util.h - allocation policy and small helpers shared by every stage.
 *
 * Out-of-memory aborts in exactly one place (xalloc_fail) with a message:
 * pop3mon's memory is capped by design, so running out means a bug or a
 * machine in trouble, and limping on would give silently wrong answers.
 */
#ifndef POP3MON_UTIL_H
#define POP3MON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WARN_UNUSED __attribute__((warn_unused_result))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/*
 * Keyed 64-bit hash (SipHash-2-4). Flow keys are chosen by strangers, so
 * the table is seeded at start-up (DESIGN: flow table; Redis dict.c).
 * siphash13: SipHash-1-3, the same with 1 round per word and 3 at the end,
 * for hash tables (the hash is never shown; the flow table's per-packet
 * hash and the cross-session store use it).
 */
uint64_t siphash24(const void *data, size_t len, const uint8_t key[16]);
uint64_t siphash13(const void *data, size_t len, const uint8_t key[16]);
/* The same value, for data whose bytes from len up to the next multiple of
 * 8 are zeros and readable (a flow key in its zero-padded array): the last
 * word is loaded whole instead of copied byte-exact (the reader hashes
 * every frame's key). */
uint64_t siphash13_zpad(const void *data, size_t len, const uint8_t key[16]);
/* The same value for a message of 8 to 15 bytes held as two little-endian
 * words, the second zero past the message's end (a key built in registers). */
uint64_t siphash13_2w(uint64_t w0, uint64_t w1, size_t len, const uint8_t key[16]);

/* Bounded copy that always terminates; returns the length copied. */
size_t strlcpy_safe(char *dst, const char *src, size_t dstsize);

/* Whole words in a fixed byte order, one load each (a byte loop was a
 * tenth of the main thread's instructions in SipHash), so that a flow key
 * and its hash are the same on any machine. The bytes must be there:
 * these are for keys and hash input, not packet bytes (cursor.h). */
static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, sizeof v);
}

/* Big-endian: the little-endian load, its bytes the other way round. */
static inline uint64_t load_be64(const uint8_t *p)
{
	return __builtin_bswap64(load_le64(p));
}

/* byte by byte, which the compiler makes one load and a byte swap */
static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Are the n bytes at a and b the same? Inline: the texts compared (a
 * cached prefix's fields, a snapshot's user and banner) are short and
 * mostly equal, and a call to memcmp cost more than the compare. Words,
 * the last one overlapping the one before; under 8 bytes, two
 * overlapping halves. */
static inline bool bytes_same(const void *pa, const void *pb, size_t n)
{
	const unsigned char *a = pa, *b = pb;
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

/* Is the string s the n bytes kept at `have`? (s is an array longer than
 * n, so s[n] may be read.) */
static inline bool text_same(const void *have, size_t n, const char *s)
{
	return s[n] == '\0' && bytes_same(have, s, n);
}

#endif
