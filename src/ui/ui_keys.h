/*
 * ui_keys.h - named actions and the one key table (ui_actions.def) the key
 * lookup, the help screen and the bottom bar are generated from.
 */
#ifndef POP3MON_UI_KEYS_H
#define POP3MON_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Views an action applies to. */
#define UI_V_LIST 0x01
#define UI_V_SESSION 0x02
#define UI_V_SERVERS 0x04
#define UI_V_HELP 0x08
#define UI_V_WALL 0x10
#define UI_V_ALL 0x1f

enum ui_action {
#define X(id, name, k1, k2, k3, keys, bar, help, views) id,
#include "ui_actions.def"
#undef X
	UI_ACT__COUNT
};

/* The action bound to curses key `key` in `view` (a UI_V_* bit), or -1. */
int ui_action_for_key(int key, unsigned view);
const char *ui_action_name(enum ui_action a);
const char *ui_action_keys(enum ui_action a);   /* "? F1" */
const char *ui_action_bar(enum ui_action a);    /* "Help", "" when not on the bar */
const char *ui_action_help(enum ui_action a);
unsigned ui_action_views(enum ui_action a);
/* The action's i-th key (i < UI_ACTION_KEYS), 0 when none. */
#define UI_ACTION_KEYS 3
int ui_action_key(enum ui_action a, int i);

struct ui_bar_item {
	char key[16];        /* the first key as shown: "?" */
	const char *label;   /* "Help" */
};
/* The bottom bar of `view`: its actions that have a bar label, in table order. */
size_t ui_bar_items(unsigned view, struct ui_bar_item *out, size_t max);
/* The same as one line of text ("q Quit  ? Help ..."), for tests and narrow screens. */
char *ui_bar_text(unsigned view, char *buf, size_t n);
/* One help screen line per action: "  ? F1       Show this help ...". */
char *ui_help_line(enum ui_action a, char *buf, size_t n);

#endif
