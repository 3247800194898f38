/*
 * ui_keys.c - the key table, generated from ui_actions.def: lookup, the
 * help lines and the bottom bar come from the same rows, so a key cannot
 * be bound without being documented.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui_keys.h"

static const struct {
	const char *name;
	int key[UI_ACTION_KEYS];
	const char *keys, *bar, *help;
	unsigned views;
} actions[UI_ACT__COUNT] = {
#define X(id, name, k1, k2, k3, keys, bar, help, views) [id] = { name, { k1, k2, k3 }, keys, bar, help, views },
#include "ui_actions.def"
#undef X
};

int ui_action_for_key(int key, unsigned view)
{
	if (key == 0)
		return -1;
	for (int a = 0; a < UI_ACT__COUNT; a++) {
		if (!(actions[a].views & view))
			continue;
		for (int k = 0; k < UI_ACTION_KEYS; k++)
			if (actions[a].key[k] == key)
				return a;
	}
	return -1;
}

const char *ui_action_name(enum ui_action a)
{
	return (unsigned)a < UI_ACT__COUNT ? actions[a].name : "?";
}

const char *ui_action_keys(enum ui_action a)
{
	return (unsigned)a < UI_ACT__COUNT ? actions[a].keys : "";
}

const char *ui_action_bar(enum ui_action a)
{
	return (unsigned)a < UI_ACT__COUNT ? actions[a].bar : "";
}

const char *ui_action_help(enum ui_action a)
{
	return (unsigned)a < UI_ACT__COUNT ? actions[a].help : "";
}

unsigned ui_action_views(enum ui_action a)
{
	return (unsigned)a < UI_ACT__COUNT ? actions[a].views : 0;
}

int ui_action_key(enum ui_action a, int i)
{
	return (unsigned)a < UI_ACT__COUNT && i >= 0 && i < UI_ACTION_KEYS ? actions[a].key[i] : 0;
}

size_t ui_bar_items(unsigned view, struct ui_bar_item *out, size_t max)
{
	size_t n = 0;
	for (int a = 0; a < UI_ACT__COUNT && n < max; a++) {
		if (!(actions[a].views & view) || !actions[a].bar[0])
			continue;
		size_t kl = strcspn(actions[a].keys, " ");
		if (kl >= sizeof(out[n].key))
			kl = sizeof(out[n].key) - 1;
		memcpy(out[n].key, actions[a].keys, kl);
		out[n].key[kl] = '\0';
		out[n].label = actions[a].bar;
		n++;
	}
	return n;
}

char *ui_bar_text(unsigned view, char *buf, size_t n)
{
	struct ui_bar_item it[UI_ACT__COUNT];
	size_t k = ui_bar_items(view, it, UI_ACT__COUNT), o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < k && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s %s", i ? "  " : "", it[i].key, it[i].label);
	return buf;
}

char *ui_help_line(enum ui_action a, char *buf, size_t n)
{
	snprintf(buf, n, "  %-10s %-13s %s", ui_action_keys(a), ui_action_name(a), ui_action_help(a));
	return buf;
}
