/*
 * timefmt.c - the time formats of timefmt.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

const char out_digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				  "25262728293031323334353637383940414243444546474849"
				  "50515253545556575859606162636465666768697071727374"
				  "75767778798081828384858687888990919293949596979899";

/*
 * The second's part of a time, in one style, cached: gmtime was most of
 * the cost. Times come nearly in order, but not quite: a transcript line
 * shows its request's time, and requests of the last second or two
 * interleave as their replies end; a session's record shows its start.
 * Slots by the second's low bits keep the recent seconds side by side
 * (on the 300 MB capture: 55 k misses with one slot, 3 k with 16).
 * Since the UTC styles are written by arithmetic (utc_time_str), this is
 * what local times and the days utc_date does not take go through.
 */
#define TIME_CACHE_SLOTS 16

struct time_cache {
	bool valid;
	time_t t;
	char head[40]; /* e.g. "2026-11-24T21:06:39" */
	char tail[8];  /* what follows the microseconds: "+0000", "Z", "+0100" */
	size_t hl, tl;
};

static char *two_digits(char *o, int v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
	return o + 2;
}

/* "%Y-%m-%d<sep>%H:%M:%S" (or only "%H:%M:%S" without a date) by hand:
 * strftime was most of a cache miss. Years outside 4 digits are left to it. */
static void fmt_head(struct time_cache *c, const struct tm *tm, char sep, bool date)
{
	int year = tm->tm_year + 1900;
	char *o = c->head;
	if (date && (year < 1000 || year > 9999)) {
		if (sep == 'T')
			c->hl = strftime(c->head, sizeof c->head, "%Y-%m-%dT%H:%M:%S", tm);
		else
			c->hl = strftime(c->head, sizeof c->head, "%Y-%m-%d %H:%M:%S", tm);
		return;
	}
	if (date) {
		o = two_digits(o, year / 100);
		o = two_digits(o, year % 100);
		*o++ = '-';
		o = two_digits(o, tm->tm_mon + 1);
		*o++ = '-';
		o = two_digits(o, tm->tm_mday);
		*o++ = sep;
	}
	o = two_digits(o, tm->tm_hour);
	*o++ = ':';
	o = two_digits(o, tm->tm_min);
	*o++ = ':';
	o = two_digits(o, tm->tm_sec);
	*o = '\0';
	c->hl = (size_t)(o - c->head);
}

static bool fmt_second(struct time_cache *c, time_t t, enum out_time_style style)
{
	if (c->valid && c->t == t)
		return true;
	struct tm tm;
	bool local = style == OUT_TIME_LOCAL || style == OUT_TIME_CLOCK_LOCAL;
	if (!(local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)))
		return false;
	c->tail[0] = '\0';
	switch (style) {
	case OUT_TIME_EVE:
		fmt_head(c, &tm, 'T', true);
		strcpy(c->tail, "+0000");
		break;
	case OUT_TIME_UTC:
		fmt_head(c, &tm, ' ', true);
		strcpy(c->tail, "Z");
		break;
	case OUT_TIME_LOCAL:
		fmt_head(c, &tm, ' ', true);
		strftime(c->tail, sizeof c->tail, "%z", &tm);
		break;
	case OUT_TIME_CLOCK_UTC:
	case OUT_TIME_CLOCK_LOCAL:
		fmt_head(c, &tm, ' ', false);
		break;
	}
	c->tl = strlen(c->tail);
	c->t = t;
	c->valid = true;
	return true;
}

/*
 * A UTC day's date, "YYYY-MM-DD", from gmtime once per day: a UTC time of
 * day is plain arithmetic, and a record's times (a request's can be many
 * seconds older than its reply) jump between seconds far more often than
 * between days. A day is taken as it is only when gmtime agrees with the
 * arithmetic at its first and last second (not so for a 5-digit year, or
 * for a zone file that counts leap seconds): NULL otherwise. Two days are
 * kept, the last two asked for: besides the records' own day there is the
 * JSON prefix built at time 0, once per session.
 */
struct utc_day {
	bool valid, ok;
	uint64_t day;
	char date[16];
};

static void utc_day_fill(struct utc_day *c, uint64_t day)
{
	c->valid = true;
	c->day = day;
	c->ok = false;
	time_t first = (time_t)(day * 86400), last = first + 86399;
	struct tm a, b;
	if (day > (uint64_t)1 << 40 || !gmtime_r(&first, &a) || !gmtime_r(&last, &b))
		return;
	int year = a.tm_year + 1900;
	if (year < 1000 || year > 9999 || a.tm_hour || a.tm_min || a.tm_sec || b.tm_hour != 23 ||
	    b.tm_min != 59 || b.tm_sec != 59 || b.tm_mday != a.tm_mday || b.tm_mon != a.tm_mon ||
	    b.tm_year != a.tm_year)
		return;
	char *o = c->date;
	o = two_digits(o, year / 100);
	o = two_digits(o, year % 100);
	*o++ = '-';
	o = two_digits(o, a.tm_mon + 1);
	*o++ = '-';
	o = two_digits(o, a.tm_mday);
	*o = '\0';
	c->ok = true;
}

static _Thread_local struct utc_day utc_days[2];
static _Thread_local unsigned utc_last; /* the one asked for last */

/* Not the day asked for last: the other kept one, or a new one in its
 * place. Out of line (its gmtime calls need a frame the hit does not). */
static __attribute__((noinline)) const char *utc_date_other(uint64_t day)
{
	utc_last ^= 1;
	struct utc_day *c = &utc_days[utc_last];
	if (!c->valid || c->day != day)
		utc_day_fill(c, day);
	return c->ok ? c->date : NULL;
}

static inline const char *utc_date(uint64_t day)
{
	const struct utc_day *c = &utc_days[utc_last];
	if (c->valid && c->day == day)
		return c->ok ? c->date : NULL;
	return utc_date_other(day);
}

/* "HH:MM:SS.uuuuuu" at o (15 bytes, no NUL): sod seconds of the day, us
 * microseconds. */
static void put_clock(char *o, unsigned sod, unsigned us)
{
	memcpy(o, out_digit_pairs + 2 * (sod / 3600), 2);
	o[2] = ':';
	memcpy(o + 3, out_digit_pairs + 2 * (sod / 60 % 60), 2);
	o[5] = ':';
	memcpy(o + 6, out_digit_pairs + 2 * (sod % 60), 2);
	o[8] = '.';
	out_six_digits(o + 9, us);
}

/* A UTC style's text by arithmetic (buf has room for OUT_TIME_MAX): its
 * length, 0 when the day is not one utc_date takes. */
static size_t utc_time_str(char *buf, uint64_t ts_us, enum out_time_style style)
{
	uint64_t t = ts_us / 1000000;
	unsigned us = (unsigned)(ts_us % 1000000), sod = (unsigned)(t % 86400);
	const char *date = utc_date(t / 86400);
	char *o = buf;
	if (!date)
		return 0;
	if (style != OUT_TIME_CLOCK_UTC) {
		memcpy(o, date, 16); /* 10 and its slack: one fixed move */
		o[10] = style == OUT_TIME_EVE ? 'T' : ' ';
		o += 11;
	}
	put_clock(o, sod, us);
	o += 15;
	if (style == OUT_TIME_EVE) {
		memcpy(o, "+0000", 6);
		o += 5;
	} else if (style == OUT_TIME_UTC) {
		memcpy(o, "Z", 2);
		o += 1;
	} else
		*o = '\0';
	return (size_t)(o - buf);
}

bool out_time_eve_same_day(char *text, size_t len, uint64_t was_us, uint64_t ts_us)
{
	uint64_t t = ts_us / 1000000, day = t / 86400;
	if (len != 31 || day != was_us / 86400000000u || !utc_date(day))
		return false;
	put_clock(text + 11, (unsigned)(t % 86400), (unsigned)(ts_us % 1000000));
	return true;
}

size_t out_time_str(char *buf, size_t n, uint64_t ts_us, enum out_time_style style)
{
	if (n >= OUT_TIME_MAX &&
	    (style == OUT_TIME_EVE || style == OUT_TIME_UTC || style == OUT_TIME_CLOCK_UTC)) {
		size_t len = utc_time_str(buf, ts_us, style);
		if (len)
			return len;
	}

	/* Per thread: the sinks' thread is the one caller today, but nothing
	 * here should make that a rule. */
	static _Thread_local struct time_cache cache[OUT_TIME_CLOCK_LOCAL + 1][TIME_CACHE_SLOTS];
	time_t t = (time_t)(ts_us / 1000000);
	unsigned us = (unsigned)(ts_us % 1000000);
	struct time_cache *c = &cache[style][(uint64_t)t % TIME_CACHE_SLOTS];
	if (!fmt_second(c, t, style)) {
		snprintf(buf, n, "?");
		return strlen(buf);
	}
	char frac[8] = ".";
	out_six_digits(frac + 1, us);
	size_t hl = c->hl, tl = c->tl;
	if (n >= 24 + 7 + sizeof c->tail && hl <= 24) {
		/* Moves of fixed size, each over the slack of the one before: the
		 * head's 24 bytes, the fraction at its end, the tail's 8 with
		 * its NUL. */
		memcpy(buf, c->head, 24);
		memcpy(buf + hl, frac, 7);
		memcpy(buf + hl + 7, c->tail, sizeof c->tail);
		return hl + 7 + tl;
	}
	if (hl + 7 + tl + 1 > n) {
		snprintf(buf, n, "%s%s%s", c->head, frac, c->tail);
		return strlen(buf);
	}
	memcpy(buf, c->head, hl);
	memcpy(buf + hl, frac, 7);
	memcpy(buf + hl + 7, c->tail, tl + 1);
	return hl + 7 + tl;
}

char *out_fmt_time(char *buf, size_t n, uint64_t ts_us, enum out_time_style style)
{
	out_time_str(buf, n, ts_us, style);
	return buf;
}
