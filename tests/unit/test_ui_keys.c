/*
 * test_ui_keys.c - the one key table (src/ui/ui_actions.def): every action
 * is named and documented, no key means two things in one view, the help
 * lines and the bottom bar come from the same rows, and the wall answers
 * to nothing but q (and Ctrl-L).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "../../src/ui/ui_keys.h"

static const int keys_to_try[] = {
	'q', 'Q', '?', KEY_F(1), KEY_UP, KEY_DOWN, 'j', 'k', KEY_PPAGE, KEY_NPAGE, KEY_HOME, KEY_END, 'g', 'G',
	'\n', '\r', KEY_ENTER, 27, KEY_LEFT, KEY_BACKSPACE, '\t', 'f', '/', 's', 'r', 'c', ' ', 'w', 'W', 12,
};
static const unsigned views[] = { UI_V_LIST, UI_V_SESSION, UI_V_SERVERS, UI_V_HELP, UI_V_WALL };

static void test_every_action_documented(void **state)
{
	(void)state;
	for (int a = 0; a < UI_ACT__COUNT; a++) {
		assert_true(strlen(ui_action_name(a)) > 0);
		assert_true(strlen(ui_action_keys(a)) > 0);
		assert_true(strlen(ui_action_help(a)) > 5);
		assert_true(ui_action_views(a) != 0);
		for (int b = a + 1; b < UI_ACT__COUNT; b++)
			assert_string_not_equal(ui_action_name(a), ui_action_name(b));
	}
}

static void test_lookup(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++)
		assert_int_equal(ui_action_for_key('q', views[v]), UI_ACT_QUIT);
	assert_int_equal(ui_action_for_key('?', UI_V_LIST), UI_ACT_HELP);
	assert_int_equal(ui_action_for_key(KEY_F(1), UI_V_SESSION), UI_ACT_HELP);
	assert_int_equal(ui_action_for_key('\n', UI_V_LIST), UI_ACT_OPEN);
	assert_int_equal(ui_action_for_key('\r', UI_V_LIST), UI_ACT_OPEN);
	assert_int_equal(ui_action_for_key(KEY_ENTER, UI_V_SERVERS), UI_ACT_OPEN);
	assert_int_equal(ui_action_for_key(27, UI_V_SESSION), UI_ACT_BACK);
	assert_int_equal(ui_action_for_key('\t', UI_V_LIST), UI_ACT_SERVERS);
	assert_int_equal(ui_action_for_key('f', UI_V_LIST), UI_ACT_FLAGGED);
	assert_int_equal(ui_action_for_key('/', UI_V_LIST), UI_ACT_SEARCH);
	assert_int_equal(ui_action_for_key('s', UI_V_LIST), UI_ACT_SORT);
	assert_int_equal(ui_action_for_key(' ', UI_V_LIST), UI_ACT_PAUSE);
	assert_int_equal(ui_action_for_key('w', UI_V_SESSION), UI_ACT_SAVE);
	assert_int_equal(ui_action_for_key('c', UI_V_LIST), UI_ACT_CLEAR);
	assert_int_equal(ui_action_for_key(KEY_PPAGE, UI_V_LIST), UI_ACT_PGUP);
	assert_int_equal(ui_action_for_key(KEY_END, UI_V_LIST), UI_ACT_END);
	assert_int_equal(ui_action_for_key('x', UI_V_LIST), -1);
	assert_int_equal(ui_action_for_key(0, UI_V_LIST), -1);
	assert_int_equal(ui_action_for_key('f', UI_V_SESSION), -1); /* list only */
}

static void test_wall_keys(void **state)
{
	(void)state;
	/* the wall reads, moves the selection, pages, acknowledges and leaves; nothing else
	 * (and with --no-keys the manager ignores even these, tests/e2e/wall_tmux.sh) */
	for (size_t i = 0; i < sizeof(keys_to_try) / sizeof(keys_to_try[0]); i++) {
		int a = ui_action_for_key(keys_to_try[i], UI_V_WALL);
		assert_true(a == -1 || a == UI_ACT_QUIT || a == UI_ACT_REDRAW || a == UI_ACT_HELP ||
			    a == UI_ACT_UP || a == UI_ACT_DOWN || a == UI_ACT_PGUP || a == UI_ACT_PGDN ||
			    a == UI_ACT_SERVERS || a == UI_ACT_ACK);
	}
	assert_int_equal(ui_action_for_key('a', UI_V_WALL), UI_ACT_ACK);
	assert_int_equal(ui_action_for_key('?', UI_V_WALL), UI_ACT_HELP);
	assert_int_equal(ui_action_for_key('\t', UI_V_WALL), UI_ACT_SERVERS);
	assert_int_equal(ui_action_for_key('a', UI_V_LIST), -1);
	assert_int_equal(ui_action_for_key('+', UI_V_SERVERS), UI_ACT_FOLD);
	char b[256];
	assert_string_equal(ui_bar_text(UI_V_WALL, b, sizeof(b)), "q Quit  ? Help  Tab Servers  a Ack");
}

static void test_no_key_bound_twice_in_a_view(void **state)
{
	(void)state;
	/* the lookup takes the first match: a second binding in the same view would be dead */
	for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++)
		for (int a = 0; a < UI_ACT__COUNT; a++)
			for (int b = a + 1; b < UI_ACT__COUNT; b++) {
				if (!(ui_action_views(a) & ui_action_views(b) & views[v]))
					continue;
				for (int i = 0; i < UI_ACTION_KEYS; i++)
					for (int k = 0; k < UI_ACTION_KEYS; k++)
						if (ui_action_key(a, i))
							assert_int_not_equal(ui_action_key(a, i), ui_action_key(b, k));
			}
	/* and each bound key finds its own action */
	for (int a = 0; a < UI_ACT__COUNT; a++)
		for (int i = 0; i < UI_ACTION_KEYS; i++)
			if (ui_action_key(a, i))
				assert_int_equal(ui_action_for_key(ui_action_key(a, i), ui_action_views(a)), a);
}

static void test_help_and_bar_from_the_table(void **state)
{
	(void)state;
	char b[512];
	for (int a = 0; a < UI_ACT__COUNT; a++) {
		ui_help_line(a, b, sizeof(b));
		assert_non_null(strstr(b, ui_action_keys(a)));
		assert_non_null(strstr(b, ui_action_help(a)));
	}
	ui_bar_text(UI_V_LIST, b, sizeof(b));
	assert_string_equal(b, "q Quit  ? Help  Enter Open  Esc Back  Tab Servers  f Flagged  / Search  s Sort  r Rule  "
			       "c Clear  Space Pause  w Save");
	ui_bar_text(UI_V_SESSION, b, sizeof(b));
	assert_non_null(strstr(b, "Esc Back"));
	assert_null(strstr(b, "Flagged"));
	struct ui_bar_item it[UI_ACT__COUNT];
	size_t n = ui_bar_items(UI_V_HELP, it, UI_ACT__COUNT);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].key, "q");
	assert_string_equal(it[1].key, "Esc");
	assert_string_equal(it[1].label, "Back");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_action_documented),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_wall_keys),
		cmocka_unit_test(test_no_key_bound_twice_in_a_view),
		cmocka_unit_test(test_help_and_bar_from_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
