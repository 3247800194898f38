/*
 * wall_view.h - what the wall shows, computed from the model without a
 * terminal (panel_wall.c only draws it; tests/unit/test_wall_state.c
 * checks it): the tiles in order, worst first, with their states kept
 * across updates, and the findings grouped by server and rule.
 */
#ifndef POP3MON_WALL_VIEW_H
#define POP3MON_WALL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui_model.h"
#include "wall_state.h"

/* The tracks of every server, by its index in the model (servers are never removed). */
struct wall_tracks {
	struct wall_track *t;   /* owned */
	size_t n;
};
void wall_tracks_fini(struct wall_tracks *w);
/* Judge every server again at `now`. */
void wall_tracks_update(struct wall_tracks *w, const struct ui_model *m, uint64_t now,
			const struct wall_thresholds *th);

struct wall_tile {
	size_t idx;                    /* the server's index in the model */
	const struct ui_server *srv;
	const struct wall_track *t;
};
/* Tiles worst first: state, then not acknowledged, then the latest problem, then name. */
size_t wall_tiles(const struct ui_model *m, const struct wall_tracks *w, struct wall_tile *out, size_t max);

/* One line of the findings list: a server's findings of one rule. */
struct wall_group {
	const struct ui_server *srv;
	enum rule_id rule;
	enum severity sev;
	struct ui_seen seen;
};
/* Errors and warnings first, then notices; newest first within each.
 * Returns the groups written (at most max); *total gets how many there are. */
size_t wall_groups(const struct ui_model *m, struct wall_group *out, size_t max, size_t *total);
/* "127.0.0.23:110 stat-list-count ×36, 03:03:50–03:04:49" (ASCII: "x36", "-") */
char *wall_group_text(const struct wall_group *g, bool utf8, char *buf, size_t n);
/* The newest recent finding of the group, NULL when the ring no longer holds one. */
const struct ui_recent *wall_group_latest(const struct ui_model *m, const struct wall_group *g);

/* Sparkline levels 0..8 of `vals` (0 stays 0, any other value at least 1). */
void wall_spark_levels(const uint32_t *vals, size_t n, unsigned *out);

#endif
