/*
 * test_stats_keys.c - the statistics' one list (include/stats.def) and
 * what is made from it: a stats record with every counter set to a value
 * of its own is written by the JSON sink and read back by the --from
 * reader, and every field compared (the fields are set and compared
 * through the struct fields stats.def declares, not through the table the
 * writer and reader walk, so a counter one of them skips fails here); two
 * inputs' final statistics merged are the sum of every counter; the keys
 * written only live, with --publish or with a ledger are absent otherwise and read back
 * as absent; each report rank is one line; and src/output/JSON-SCHEMA.md
 * names every key (and the man page and README name no key that is not).
 * Run from the top of the tree (make unit does), or with POP3MON_SRCDIR.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/files.h"

#include "event_reader.h"
#include "sinks.h"
#include "stats.h"

#define T_PORTS 8 /* ARRAY_LEN(ev_stats.other_ports) */
_Static_assert(sizeof(((struct ev_stats *)0)->other_ports) / sizeof(((struct ev_stats *)0)->other_ports[0]) ==
		       T_PORTS,
	       "the test fills every port");

/* Every counter of stats.def a value of its own, from base up (the list
 * arrays too), the conditional ones present. */
static void fill(struct ev_stats *st, uint64_t base)
{
	memset(st, 0, sizeof *st);
	uint64_t v = base;
	st->ts_us = 1795554399123456ull;
	st->first_ts_us = 1795554300000001ull;
	st->final = true;
	st->src.have_kernel_stats = true;
	st->publish.enabled = true;
	st->ledger.enabled = true;
#define STAT_LEDGER(o, f, ...) st->ledger.f = v++;
#define STAT_EV(o, f, ...) st->f = v++;
#define STAT_SRC(o, f, ...) st->src.f = v++;
#define STAT_FLOW(o, f, ...) st->flows.f = v++;
#define STAT_REASM(o, f, ...) st->reasm.f = v++;
#define STAT_PUB(o, f, ...) st->publish.f = v++;
#define STAT_PUB_FLAG(o, f, ...) st->publish.f = true;
#define STAT_SEV(o, s, ...) st->findings[s] = v++;
#include "stats.def"
	for (int i = 0; i < DEC__COUNT; i++)
		st->dec.count[i] = v++;
	for (int i = 0; i < R__COUNT; i++)
		st->rule_counts[i] = v++;
	for (unsigned i = 0; i < T_PORTS; i++) { /* the busiest first */
		st->other_ports[i].port = (uint16_t)(1000 + 7 * i);
		st->other_ports[i].flows = base + 1000 - i;
	}
}

static void eq(const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		fail_msg("stats %s: read back %" PRIu64 ", written %" PRIu64, what, got, want);
}

/* Every field of b is mul times a's (1: the same; 2: two inputs summed).
 * With pub false, the publisher's and the ledger's figures must be absent
 * (zero) in b: each process's own, never summed. */
static void compare(const struct ev_stats *b, const struct ev_stats *a, uint64_t mul, bool pub)
{
#define STAT_EV(o, f, ...) eq(#f, b->f, mul * a->f);
#define STAT_SRC(o, f, ...) eq("src." #f, b->src.f, mul * a->src.f);
#define STAT_FLOW(o, f, ...) eq("flows." #f, b->flows.f, mul * a->flows.f);
#define STAT_REASM(o, f, ...) eq("reasm." #f, b->reasm.f, mul * a->reasm.f);
#define STAT_PUB(o, f, ...) eq("publish." #f, b->publish.f, pub ? mul * a->publish.f : 0);
#define STAT_PUB_FLAG(o, f, ...) eq("publish." #f, b->publish.f, pub && a->publish.f);
#define STAT_LEDGER(o, f, ...) eq("ledger." #f, b->ledger.f, pub ? a->ledger.f : 0);
#define STAT_SEV(o, s, ...) eq("findings[" #s "]", b->findings[s], mul * a->findings[s]);
#include "stats.def"
	eq("src.have_kernel_stats", b->src.have_kernel_stats, a->src.have_kernel_stats);
	eq("publish.enabled", b->publish.enabled, pub && a->publish.enabled);
	eq("ledger.enabled", b->ledger.enabled, pub && a->ledger.enabled);
	for (int i = 0; i < DEC__COUNT; i++)
		eq(decode_reason_name((enum decode_reason)i), b->dec.count[i], mul * a->dec.count[i]);
	for (int i = 0; i < R__COUNT; i++)
		eq(rule_name((enum rule_id)i), b->rule_counts[i], mul * a->rule_counts[i]);
	for (unsigned i = 0; i < T_PORTS; i++) {
		eq("other_ports[].port", b->other_ports[i].port, a->other_ports[i].port);
		eq("other_ports[].flows", b->other_ports[i].flows, mul * a->other_ports[i].flows);
	}
	eq("final", b->final, a->final);
	eq("first_ts_us", b->first_ts_us, a->first_ts_us);
}

/* ---- the JSON line of a stats event, and the events a reader makes ---- */

struct lines {
	char buf[1 << 16];
	size_t n;
	unsigned count;
};

static void take_line(void *ctx, const char *line, size_t n)
{
	struct lines *l = ctx;
	assert_true(l->n + n + 1 < sizeof l->buf);
	memcpy(l->buf + l->n, line, n);
	l->n += n;
	l->buf[l->n++] = '\n';
	l->buf[l->n] = '\0';
	l->count++;
}

static void write_stats(const struct ev_stats *st, struct lines *out)
{
	memset(out, 0, sizeof *out);
	char err[256];
	struct json_opts jo = { .filter = { .rule = -1 }, .stats_events = true, .line_fn = take_line, .line_ctx = out };
	struct sink s = json_sink_new(NULL, &jo, err, sizeof err);
	assert_non_null(s.ops);
	struct event e = { .type = EV_STATS, .ts_us = st->ts_us, .stats = st };
	s.ops->event(s.self, &e);
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
	assert_int_equal(out->count, 1);
}

struct got {
	struct ev_stats st;
	unsigned n;
	unsigned ended;  /* several origins: each one's own last record, passed on tagged */
};

static void got_event(void *self, const struct event *e)
{
	struct got *g = self;
	if (e->type == EV_STATS && e->stats->ended) {
		g->ended++;
		return;
	}
	if (e->type == EV_STATS) {
		g->st = *e->stats;
		g->n++;
	}
}
static int got_finish(void *self, char *errbuf, size_t errlen)
{
	(void)self, (void)errbuf, (void)errlen;
	return 0;
}
static void got_free(void *self)
{
	(void)self;
}
static const struct sink_ops got_ops = { "got", got_event, got_finish, got_free };

/* The line read by a reader of `origins` origins, fed once by each. */
static void read_stats(const struct lines *l, unsigned origins, struct got *g)
{
	memset(g, 0, sizeof *g);
	struct event_bus bus = { .n = 0 };
	event_bus_add(&bus, (struct sink){ .ops = &got_ops, .self = g });
	FILE *errs = tmpfile();
	assert_non_null(errs);
	struct event_reader_opts o = { .bus = &bus, .origins = origins, .errs = errs };
	struct event_reader *r = event_reader_new(&o);
	static const char *const names[] = { "a.json", "b.json", "c.json" };
	for (unsigned i = 0; i < origins; i++)
		if (event_json_feed(r, l->buf, l->n - 1, names[i], 1) != 0) {
			char msg[512] = "";
			rewind(errs);
			if (!fgets(msg, sizeof msg, errs))
				msg[0] = '\0';
			fail_msg("the reader refused the stats line: %s", msg);
		}
	event_reader_finish(r);
	assert_int_equal(event_reader_refused(r), 0);
	event_reader_free(r);
	fclose(errs);
	bus.n = 0; /* the sink is ours, on the stack */
}

/* Written, read back: every field as written. */
static void round_trip_every_counter(void **state)
{
	(void)state;
	static struct ev_stats st;
	fill(&st, 100);
	static struct lines l;
	write_stats(&st, &l);
	static struct got g;
	read_stats(&l, 1, &g);
	assert_int_equal(g.n, 1);
	compare(&g.st, &st, 1, true);
	/* and the reader's copy written again is the same line */
	static struct lines l2;
	write_stats(&g.st, &l2);
	assert_string_equal(l2.buf, l.buf);
}

/* Two inputs' final statistics: one stats event, every counter summed
 * (the publishers' figures are each input's own and left out). */
static void merge_sums_every_counter(void **state)
{
	(void)state;
	static struct ev_stats st;
	fill(&st, 5000);
	static struct lines l;
	write_stats(&st, &l);
	static struct got g;
	read_stats(&l, 2, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ended, 2); /* (each input's own, for a wall's sensor lines) */
	compare(&g.st, &st, 2, false);
}

/* Without kernel statistics and without --publish their keys are not
 * written, and the reader says so. */
static void conditional_keys_absent(void **state)
{
	(void)state;
	static struct ev_stats st;
	fill(&st, 7);
	st.src.have_kernel_stats = false;
	st.src.kernel_drops = st.src.iface_drops = 0;
	st.publish = (struct publish_stats){ .enabled = false };
	st.ledger = (struct ledger_counts){ .enabled = false };
	st.other_flows = 0;
	memset(st.other_ports, 0, sizeof st.other_ports);
	static struct lines l;
	write_stats(&st, &l);
	assert_null(strstr(l.buf, "\"kernel_drops\""));
	assert_null(strstr(l.buf, "\"iface_drops\""));
	assert_null(strstr(l.buf, "\"publish\""));
	assert_null(strstr(l.buf, "\"ledger\""));
	assert_null(strstr(l.buf, "\"other_tcp_ports\""));
	static struct got g;
	read_stats(&l, 1, &g);
	assert_false(g.st.src.have_kernel_stats);
	assert_false(g.st.publish.enabled);
	assert_false(g.st.ledger.enabled);
	compare(&g.st, &st, 1, false);
}

/* A key the list has that the record lacks is refused, naming it. */
static void missing_key_refused(void **state)
{
	(void)state;
	static struct ev_stats st;
	fill(&st, 1);
	static struct lines l;
	write_stats(&st, &l);
	char *k = strstr(l.buf, "\"syn_absorbed\":");
	assert_non_null(k);
	memcpy(k, "\"syn_absorbeX\"", 14);
	struct event_bus bus = { .n = 0 };
	struct got g = { .n = 0 };
	event_bus_add(&bus, (struct sink){ .ops = &got_ops, .self = &g });
	FILE *errs = tmpfile();
	struct event_reader_opts o = { .bus = &bus, .errs = errs };
	struct event_reader *r = event_reader_new(&o);
	assert_int_equal(event_json_feed(r, l.buf, l.n - 1, "x.json", 3), -1);
	event_reader_free(r);
	char msg[512] = "";
	rewind(errs);
	assert_non_null(fgets(msg, sizeof msg, errs));
	fclose(errs);
	assert_non_null(strstr(msg, "x.json:3: stats.flow: missing \"syn_absorbed\""));
	assert_int_equal(g.n, 0);
}

/* Each report rank is one line: one labelled counter (or a list), the
 * others of its rank added into it; ranks from 1 without a hole. */
static void report_ranks_are_lines(void **state)
{
	(void)state;
	int max = 0;
	for (size_t i = 0; i < stats_keys_n; i++)
		if (stats_keys[i].rank > max)
			max = stats_keys[i].rank;
	assert_true(max > 10);
	for (int rank = 1; rank <= max; rank++) {
		unsigned labelled = 0, members = 0;
		for (size_t i = 0; i < stats_keys_n; i++) {
			const struct stats_key *k = &stats_keys[i];
			if (k->rank != rank)
				continue;
			members++;
			if (k->label && *k->label)
				labelled++;
			if (k->kind != STATS_U64 && k->kind != STATS_DECODER)
				fail_msg("stats.%s: a report line must be a counter or the decoder", k->obj);
		}
		if (labelled != 1)
			fail_msg("report rank %d: %u labelled entries of %u (must be one)", rank, labelled, members);
	}
}

/* ---- the documentation ---- */

/* The schema's table row for `stats.<name>` (the line), or NULL. */
static const char *row(const char *doc, const char *name, char *line, size_t cap)
{
	char tag[96];
	snprintf(tag, sizeof tag, "\n| `stats.%s` |", name);
	const char *p = strstr(doc, tag);
	if (!p)
		return NULL;
	p++;
	const char *e = strchr(p, '\n');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	if (n >= cap)
		n = cap - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	return line;
}

static void doc_key(const char *doc, const char *obj, const char *key)
{
	static char line[4096];
	char want[96];
	if (!*obj) {
		if (!row(doc, key, line, sizeof line))
			fail_msg("JSON-SCHEMA.md has no row for `stats.%s` (include/stats.def)", key);
		return;
	}
	if (!row(doc, obj, line, sizeof line))
		fail_msg("JSON-SCHEMA.md has no row for `stats.%s` (include/stats.def)", obj);
	snprintf(want, sizeof want, "`%s`", key);
	if (*key && !strstr(line, want))
		fail_msg("JSON-SCHEMA.md's row for `stats.%s` does not name `%s` (include/stats.def)", obj, key);
}

/* Is name a key of object obj ("" for "stats" itself: a key or an object)? */
static bool known(const char *obj, const char *name)
{
	static const char *const head[] = { "final", "source", "wall_time", "first_frame_time" };
	for (size_t i = 0; !*obj && i < sizeof head / sizeof head[0]; i++)
		if (!strcmp(name, head[i]))
			return true;
	for (size_t i = 0; i < stats_keys_n; i++) {
		const struct stats_key *k = &stats_keys[i];
		if (!*obj && (!strcmp(k->obj, name) || (!*k->obj && !strcmp(k->key, name))))
			return true;
		if (*obj && !strcmp(k->obj, obj) && !strcmp(k->key, name))
			return true;
		for (int r = 0; *obj && k->kind == STATS_DECODER && !strcmp(k->obj, obj) && r < DEC__COUNT; r++)
			if (!strcmp(decode_reason_name((enum decode_reason)r), name))
				return true;
	}
#define STAT_JSON(o, f, key, ...)                                          \
	if (*obj ? !strcmp(o, obj) && !strcmp(key, name) : !strcmp(o, name)) \
		return true;
#include "stats.def"
	return false;
}

/* Every key of the list is in its row of JSON-SCHEMA.md (a decoder row
 * names every decode reason). */
static void schema_names_every_key(void **state)
{
	(void)state;
	char *doc = test_slurp("src/output/JSON-SCHEMA.md");
	unsigned n = 0;
	for (size_t i = 0; i < stats_keys_n; i++) {
		const struct stats_key *k = &stats_keys[i];
		doc_key(doc, k->obj, k->key);
		for (int r = 0; k->kind == STATS_DECODER && r < DEC__COUNT; r++)
			doc_key(doc, k->obj, decode_reason_name((enum decode_reason)r));
		n++;
	}
#define STAT_JSON(o, f, key, ...) \
	doc_key(doc, o, key);     \
	n++;
#include "stats.def"
	assert_true(n > 50);
	free(doc);
}

/* Every `stats.X` and `stats.X.Y` the documents name is a key of the list
 * (a renamed or removed counter leaves no stale name behind). */
static void check_names_in(const char *rel, unsigned *found)
{
	char *doc = test_slurp(rel);
	for (char *p = doc; (p = strstr(p, "stats.")); p += 6) {
		bool troff = p - doc >= 3 && p[-3] == '\\' && p[-2] == 'f'; /* \fBstats.x */
		if (!troff && p > doc &&
		    (p[-1] == '_' || p[-1] == '/' || p[-1] == '-' || p[-1] == '.' || (p[-1] >= 'a' && p[-1] <= 'z') ||
		     (p[-1] >= 'A' && p[-1] <= 'Z')))
			continue; /* part of another name: include/stats.def */
		char a[64] = "", b[64] = "";
		size_t i = 0, j = 0;
		const char *q = p + 6;
		while (i < sizeof a - 1 && ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
			a[i++] = *q++;
		if (*q == '.')
			for (q++; j < sizeof b - 1 && ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_');)
				b[j++] = *q++;
		a[i] = b[j] = '\0';
		if (!i || !strcmp(a, "def") || !strcmp(a, "h") || !strcmp(a, "c"))
			continue;
		if (!known("", a))
			fail_msg("%s names stats.%s, which include/stats.def does not have", rel, a);
		if (j && !known(a, b))
			fail_msg("%s names stats.%s.%s, which include/stats.def does not have", rel, a, b);
		++*found;
	}
	free(doc);
}

static void docs_name_no_stale_key(void **state)
{
	(void)state;
	unsigned found = 0;
	check_names_in("src/output/JSON-SCHEMA.md", &found);
	assert_true(found > 15); /* the rows, at least */
	check_names_in("pop3mon.1", &found);
	check_names_in("README.md", &found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_every_counter),
		cmocka_unit_test(merge_sums_every_counter),
		cmocka_unit_test(conditional_keys_absent),
		cmocka_unit_test(missing_key_refused),
		cmocka_unit_test(report_ranks_are_lines),
		cmocka_unit_test(schema_names_every_key),
		cmocka_unit_test(docs_name_no_stale_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
