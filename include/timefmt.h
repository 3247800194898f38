/*
 * timefmt.h - the timestamp formats the outputs write (EVE, UTC, local,
 * clock) and the digit helpers they are written with. In src/util/ so the
 * --from reader, in the event stage, can write a time as the JSON does
 * without including the sinks' headers; the out_ names stay, since what
 * they name is the output's format.
 */
#ifndef POP3MON_TIMEFMT_H
#define POP3MON_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum out_time_style {
	OUT_TIME_EVE,        /* 2026-11-24T21:06:39.123456+0000 (Suricata EVE) */
	OUT_TIME_UTC,        /* 2026-11-24 21:06:39.123456Z */
	OUT_TIME_LOCAL,      /* 2026-11-24 22:06:39.123456+0100 */
	OUT_TIME_CLOCK_UTC,  /* 21:06:39.123456 */
	OUT_TIME_CLOCK_LOCAL,
};
#define OUT_TIME_MAX 40
char *out_fmt_time(char *buf, size_t n, uint64_t ts_us, enum out_time_style style);
/* The same, returning the text's length, for a caller that copies it on.
 * The text is always printable ASCII with neither '"' nor '\\', so JSON
 * can take it as it is. */
size_t out_time_str(char *buf, size_t n, uint64_t ts_us, enum out_time_style style);
/* text (len bytes) is out_time_str's EVE text of was_us: rewrite it to
 * ts_us's in place when that is of the same UTC day, where only the time
 * of day and the microseconds differ. False, text untouched, otherwise:
 * another day, a text not of the usual form, a day out_time_str does not
 * write by arithmetic. */
bool out_time_eve_same_day(char *text, size_t len, uint64_t was_us, uint64_t ts_us);

/* "00" to "99", for numbers written two digits at a time. */
extern const char out_digit_pairs[201];

/* v (below 1000000) as six digits, zeros in front. */
static inline void out_six_digits(char *o, unsigned v)
{
	memcpy(o, out_digit_pairs + 2 * (v / 10000), 2);
	memcpy(o + 2, out_digit_pairs + 2 * (v / 100 % 100), 2);
	memcpy(o + 4, out_digit_pairs + 2 * (v % 100), 2);
}

/* How many decimal digits v has: the usual sizes (counts, frame numbers,
 * ports) in two or three comparisons, no division. */
static inline size_t out_digits(uint64_t v)
{
	if (v < 100000)
		return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : v < 10000 ? 4 : 5;
	if (v < 10000000000u)
		return v < 10000000 ? (v < 1000000 ? 6 : 7) : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
	size_t n = 11;
	for (uint64_t p = 100000000000u; n < 20 && v >= p; p *= 10)
		n++;
	return n;
}

#endif
