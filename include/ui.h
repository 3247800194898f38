/*
 * ui.h - the ncurses dashboard and the wall mode. The UI is a sink: it
 * builds its own model from events and renders from that model only. The
 * run loop owns the clock: it calls ui_tick() between packets (cheap when
 * nothing is due) and ui_browse() after a file has been read.
 */
#ifndef POP3MON_UI_H
#define POP3MON_UI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/* The session ledger's budget with a dashboard (--ui-memory): entries,
 * rows, transcripts and findings of the sessions it keeps (ledger.h). */
#define UI_STORE_MIB_DEFAULT 12

struct ui_opts {
	uint64_t store_bytes_max;  /* --ui-memory; 0: UI_STORE_MIB_DEFAULT MiB */
	bool wall;              /* --wall: read-only NOC layout */
	bool no_color;          /* NO_COLOR set or --no-color */
	const char *source;     /* shown in the header */
	const char *filter;     /* capture filter, shown in the header */
	bool live;              /* a live capture: the wall ages by the wall clock and shows capture health */
	bool follow;            /* following a stream (--from redis://): sensors age by the reader's clock */
	bool no_keys;           /* --no-keys: the wall takes no key at all (kiosk) */
	const volatile sig_atomic_t *stop; /* set by a signal handler: ui_browse ends (NULL: none) */
	/* The wall's thresholds (--wall-*); all zero: the defaults of wall_state.h. */
	unsigned wall_fail_pct, wall_fail_min, wall_slow_min;
	uint64_t wall_quiet_us, wall_ok_after_us, wall_stale_us;
};

struct ui;

/* Starts curses. Returns NULL with errbuf filled when there is no usable terminal. */
struct ui *ui_new(const struct ui_opts *o, char *errbuf, size_t errlen);
struct sink ui_sink(struct ui *u);   /* register with the bus; the bus does not free it */
/* The session ledger the dashboard reads (the dashboard's, freed by
 * ui_free): attach it to the bus that carries ui_sink, so each event is
 * applied to it on this thread before the dashboard sees the event. */
struct ledger *ui_ledger(struct ui *u);
/* Redraw if due (at most ~10 per second) and handle pending keys.
 * Returns false when the user asked to quit. Never blocks. */
bool ui_tick(struct ui *u, uint64_t wall_us);
/* The descriptor keys arrive on, for the run loop to wait on with the
 * capture's (-1 without a terminal). */
int ui_input_fd(const struct ui *u);
/* After the input ended: let the user browse until q. */
void ui_browse(struct ui *u);
/* Restore the terminal (idempotent; safe from a signal path via ui_emergency_restore). */
void ui_free(struct ui *u);
void ui_emergency_restore(void);

/* The 'w' key: write the selected / all flagged sessions' packets to a pcap.
 * The dashboard first asks for a file name (a default offered, editable;
 * Enter saves, Esc cancels), then calls fn, provided by main (it owns the
 * packet spool and the save directory, `dir`, shown in the prompt);
 * fn returns the message to show. */
typedef const char *(*ui_save_fn)(void *ctx, const uint64_t *session_ids, size_t n,
				  const char *name);
void ui_set_save(struct ui *u, ui_save_fn fn, void *ctx, const char *dir);

#endif
