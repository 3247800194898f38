/*
 * fuzz_from_json.c - libFuzzer target for the --from reader: the input is
 * cut into lines, each handed to event_json_feed() (src/events/), whose
 * events go to a JSON sink and a report sink (both to /dev/null), as
 * --from drives them. Each line is copied into a buffer of exactly its
 * length, so a read past it is an ASan report.
 * Oracles beyond "no crash, no leak": every line is taken or refused
 * (refused <= lines), and the same input read again by a fresh reader
 * refuses the same number of lines (no state leaks between readers).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "sinks.h"

#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "fuzz_from_json: check failed: %s\n", #cond); \
			abort();                                                  \
		}                                                                 \
	} while (0)

static uint64_t run(const uint8_t *data, size_t size, uint64_t *lines)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	struct event_bus bus = { .n = 0 };
	char err[256];
	struct json_opts jo = { .filter = { .rule = -1 }, .stats_events = true };
	struct sink js = json_sink_new("/dev/null", &jo, err, sizeof err);
	CHECK(js.ops != NULL);
	event_bus_add(&bus, js);
	struct report_opts ro = { .filter = { .rule = -1 }, .verbose = true };
	event_bus_add(&bus, report_sink_new(devnull, &ro));
	/* two origins, the second fed every third line: the id spreading and
	 * the summed final stats run too */
	struct event_reader_opts o = { .bus = &bus, .origins = 2, .sessions_max = 64, .errs = NULL };
	struct event_reader *r = event_reader_new(&o);
	*lines = 0;
	for (size_t at = 0; at < size;) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t n = nl ? (size_t)(nl - (data + at)) : size - at;
		char *copy = malloc(n ? n : 1);
		memcpy(copy, data + at, n);
		++*lines;
		event_json_feed(r, copy, n, *lines % 3 ? "a.json" : "b.json", *lines);
		free(copy);
		at += n + 1;
	}
	event_reader_finish(r);
	uint64_t refused = event_reader_refused(r);
	event_reader_print_messages(r, devnull);
	char e2[256];
	event_bus_finish(&bus, e2, sizeof e2);
	event_bus_free(&bus);
	event_reader_free(r);
	return refused;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t lines, lines2;
	uint64_t refused = run(data, size, &lines);
	CHECK(refused <= lines);
	CHECK(run(data, size, &lines2) == refused && lines2 == lines);
	return 0;
}
