/*
 * rng.h - the unit tests' pseudo-random numbers: xorshift64 (Marsaglia
 * 2003, shifts 13, 7, 17), a fixed sequence per seed, so a failing case
 * is the same case on every run.
 */
#ifndef POP3MON_TEST_RNG_H
#define POP3MON_TEST_RNG_H

#include <stdint.h>

/* The next number of the sequence in *state (never 0 from a seed not 0). */
static inline uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

#endif
