/*
 * ui_fmt.c - the number, time and address formatting every panel shares,
 * kept apart from the view models so each can be tested alone. Nothing
 * here touches the terminal: a width is a count of columns, and every
 * string is ASCII or one of the single-column glyphs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ui_view.h"

/* ---- formatting ---------------------------------------------------------- */

char *ui_fmt_group(char *buf, size_t n, uint64_t v)
{
	char raw[24];
	int len = snprintf(raw, sizeof(raw), "%" PRIu64, v);
	char out[32];
	size_t o = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ' ';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	snprintf(buf, n, "%s", out);
	return buf;
}

static void utc(uint64_t ts_us, struct tm *tm)
{
	time_t t = (time_t)(ts_us / 1000000);
	gmtime_r(&t, tm);
}

char *ui_fmt_hms(char *buf, size_t n, uint64_t ts_us)
{
	struct tm tm;
	utc(ts_us, &tm);
	snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

char *ui_fmt_hmsm(char *buf, size_t n, uint64_t ts_us)
{
	struct tm tm;
	utc(ts_us, &tm);
	snprintf(buf, n, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(ts_us % 1000000 / 1000));
	return buf;
}

char *ui_fmt_dur(char *buf, size_t n, uint64_t us)
{
	if (us < 1000)
		snprintf(buf, n, "%" PRIu64 "us", us);
	else if (us < 10000)
		snprintf(buf, n, "%.1fms", (double)us / 1e3);
	else if (us < 1000000)
		snprintf(buf, n, "%" PRIu64 "ms", us / 1000);
	else if (us < 60000000)
		snprintf(buf, n, "%.2fs", (double)us / 1e6);
	else
		snprintf(buf, n, "%" PRIu64 "m%02" PRIu64 "s", us / 60000000, us / 1000000 % 60);
	return buf;
}

char *ui_fmt_rate(char *buf, size_t n, double v)
{
	if (v < 1000)
		snprintf(buf, n, "%.0f", v);
	else if (v < 1e6)
		snprintf(buf, n, "%.1fk", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, n, "%.1fM", v / 1e6);
	else
		snprintf(buf, n, "%.1fG", v / 1e9);
	return buf;
}

char *ui_fmt_uptime(char *buf, size_t n, uint64_t us)
{
	uint64_t s = us / 1000000;
	snprintf(buf, n, "%" PRIu64 ":%02u:%02u", s / 3600, (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	return buf;
}

static const struct ui_glyphs glyphs_utf8 = { "\u2192", "\u2500\u2500\u25ba", "\u25c4\u2500\u2500",
					      "\u2502", "\u2588", "\u25cf" };
static const struct ui_glyphs glyphs_ascii = { "->", "-->", "<--", "|", "#", "*" };

const struct ui_glyphs *ui_glyphs_get(bool utf8)
{
	return utf8 ? &glyphs_utf8 : &glyphs_ascii;
}

char *ui_fmt_count(char *buf, size_t n, uint64_t v)
{
	/* truncated, never rounded up: 999,999 is "999k", not "1000k" */
	static const struct { uint64_t unit; char sym; } u[] = { { 1000, 'k' }, { 1000000, 'M' }, { 1000000000, 'G' } };
	if (v < 10000) {
		snprintf(buf, n, "%" PRIu64, v);
		return buf;
	}
	size_t i = v < 1000000 ? 0 : v < 1000000000 ? 1 : 2;
	uint64_t whole = v / u[i].unit;
	if (whole < 100)
		snprintf(buf, n, "%" PRIu64 ".%" PRIu64 "%c", whole, v / (u[i].unit / 10) % 10, u[i].sym);
	else
		snprintf(buf, n, "%" PRIu64 "%c", whole, u[i].sym);
	return buf;
}

/* "192.0.2.1:110", "[2001:db8::1]:110": the form the report and URLs use. */
char *ui_fmt_endpoint(char *buf, size_t n, const char *addr, uint16_t port, int maxw)
{
	bool v6 = strchr(addr, ':') != NULL;
	char p[8];
	snprintf(p, sizeof(p), "%u", (unsigned)port);
	int full = (int)strlen(addr) + (v6 ? 2 : 0) + 1 + (int)strlen(p);
	if (maxw <= 0 || full <= maxw) {
		snprintf(buf, n, v6 ? "[%s]:%s" : "%s:%s", addr, p);
		return buf;
	}
	/* Too wide: cut the address, never the port; '~' marks the cut (the
	 * address's start, where a network's prefix is, stays). */
	int room = maxw - (v6 ? 2 : 0) - 1 - (int)strlen(p) - 1; /* address chars kept */
	if (room < 1)
		room = 1;
	snprintf(buf, n, v6 ? "[%.*s~]:%s" : "%.*s~:%s", room, addr, p);
	return buf;
}

const char *ui_user_label(const struct ui_session *s)
{
	if (s->user[0])
		return s->user;
	return s->h->midstream && !s->login_seen ? "(mid-stream)" : "(no login)";
}
