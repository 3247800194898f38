/*
 * streams_tap.c - --streams-dir: a tap in front of the session manager that
 * appends each flow's reassembled bytes to DIR/ID.c2s and DIR/ID.s2c.
 */
#include <inttypes.h>
#include <stdio.h>

#include "pipeline.h"

static void tap_data(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
		     const struct seg_meta *m)
{
	struct streams_tap *t = ctx;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%" PRIu64 ".%s", t->dir, f->id,
		 dir == DIR_C2S ? "c2s" : "s2c");
	FILE *fp = fopen(path, "ab");
	if (fp) {
		fwrite(p, 1, n, fp);
		fclose(fp);
	}
	session_flow_data(t->sessions, f, dir, p, n, m);
}

static void tap_gap(void *ctx, struct flow *f, int dir, uint64_t len, const struct seg_meta *m)
{
	struct streams_tap *t = ctx;
	session_flow_gap(t->sessions, f, dir, len, m);
}

static void tap_open(void *ctx, struct flow *f)
{
	struct streams_tap *t = ctx;
	session_flow_open(t->sessions, f);
}

static void tap_close(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m)
{
	struct streams_tap *t = ctx;
	session_flow_close(t->sessions, f, why, m);
}

struct flow_cb streams_tap_callbacks(struct streams_tap *tap)
{
	return (struct flow_cb){ tap_open, tap_close, tap_data, tap_gap, tap, NULL };
}
