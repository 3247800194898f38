/*
 * util.h - allocation policy and small helpers shared by every stage.
 *
 * Out-of-memory aborts in exactly one place (xalloc_fail) with a message:
 * pop3mon's memory is capped by design, so running out means a bug or a
 * machine in trouble, and limping on would give silently wrong answers.
 */
#ifndef POP3MON_UTIL_H
#define POP3MON_UTIL_H

#include <stddef.h>
#include <stdint.h>

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

#endif
