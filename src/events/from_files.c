/*
 * from_files.c - --from FILE...: each file read a block at a time, cut into
 * lines (a line over EVENT_READER_LINE_MAX is skipped unread, so memory
 * stays one line per file), the files' next lines merged by their
 * timestamps, each handed to the reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "util.h"

#define BLOCK (64u * 1024)

struct input {
	FILE *f;
	const char *name;    /* for messages: the path, "<stdin>" for "-" */
	bool own;
	char *blk;
	size_t bpos, blen;
	bool eof, failed;
	char *line;          /* the line being gathered, then the pending one */
	size_t len, cap;
	bool over;           /* the line is past the cap: skipped to its end */
	bool pending;        /* line holds a whole line not yet fed */
	uint64_t lineno;
	uint64_t ts;
};

static void append(struct input *in, const char *p, size_t n)
{
	if (in->over)
		return;
	if (in->len + n > EVENT_READER_LINE_MAX) {
		in->over = true;
		return;
	}
	if (in->len + n > in->cap) {
		size_t cap = in->cap ? in->cap : 4096;
		while (cap < in->len + n)
			cap *= 2;
		in->line = xrealloc(in->line, cap);
		in->cap = cap;
	}
	memcpy(in->line + in->len, p, n);
	in->len += n;
}

/* The input's next whole line into in->line (pending), refusing what is
 * no line; false at its end. */
static bool next_line(struct event_reader *r, struct input *in)
{
	in->pending = false;
	for (;;) {
		in->len = 0;
		in->over = false;
		bool got = false;
		while (!got) {
			if (in->bpos == in->blen) {
				if (in->eof)
					break;
				in->blen = fread(in->blk, 1, BLOCK, in->f);
				in->bpos = 0;
				if (in->blen == 0) {
					in->eof = true;
					if (ferror(in->f)) {
						in->failed = true;
						fprintf(stderr, "pop3mon: %s: read error: %s\n", in->name,
							strerror(errno ? errno : EIO));
					}
					break;
				}
			}
			const char *p = in->blk + in->bpos;
			size_t avail = in->blen - in->bpos;
			const char *nl = memchr(p, '\n', avail);
			size_t take = nl ? (size_t)(nl - p) : avail;
			append(in, p, take);
			in->bpos += take + (nl != NULL);
			got = nl != NULL;
		}
		if (!got && in->len == 0 && !in->over)
			return false; /* the end, after a whole last line */
		in->lineno++;
		if (!got) {
			event_reader_refuse(r, in->name, in->lineno, "the last line has no newline (cut short?)");
			return false;
		}
		if (in->over) {
			char m[96];
			snprintf(m, sizeof m, "a line longer than %u bytes (skipped)", EVENT_READER_LINE_MAX);
			event_reader_refuse(r, in->name, in->lineno, m);
			continue;
		}
		if (in->len && in->line[in->len - 1] == '\r')
			in->len--;
		if (in->len == 0)
			continue; /* a blank line: nothing to take, nothing wrong */
		in->pending = true;
		in->ts = event_json_line_time(in->line, in->len);
		return true;
	}
}

int event_read_files(struct event_reader *r, const char *const *paths, size_t n,
		     bool (*tick)(void *ctx), void *ctx)
{
	struct input *ins = xcalloc(n ? n : 1, sizeof *ins);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct input *in = &ins[i];
		if (!strcmp(paths[i], "-")) {
			in->f = stdin;
			in->name = "<stdin>";
		} else {
			in->f = fopen(paths[i], "rb");
			in->name = paths[i];
			in->own = true;
			if (!in->f) {
				fprintf(stderr, "pop3mon: %s: %s\n", paths[i], strerror(errno));
				rc = -1;
				goto out;
			}
		}
		in->blk = xmalloc(BLOCK);
	}
	for (size_t i = 0; i < n; i++)
		next_line(r, &ins[i]);
	for (uint64_t fed = 1;; fed++) {
		struct input *best = NULL;
		for (size_t i = 0; i < n; i++)
			if (ins[i].pending && (!best || ins[i].ts < best->ts))
				best = &ins[i];
		if (!best)
			break;
		event_json_feed(r, best->line, best->len, best->name, best->lineno);
		next_line(r, best);
		if ((fed & 1023) == 0 && tick && !tick(ctx))
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (ins[i].failed)
			rc = -1;
out:
	for (size_t i = 0; i < n; i++) {
		if (ins[i].own && ins[i].f)
			fclose(ins[i].f);
		free(ins[i].blk);
		free(ins[i].line);
	}
	free(ins);
	return rc;
}
