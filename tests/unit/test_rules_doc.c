/*
 * test_rules_doc.c - the rule catalogue (docs/RULES.md) and the man page's
 * rule list (pop3mon.1) kept in step with include/rules.def: every rule id
 * of rules.def is in both, with the same severity (or the same two), and
 * every id the catalogue's tables name is a rule of rules.def. Run from the
 * top of the tree (make unit does), or with POP3MON_SRCDIR set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/files.h"

#include "checks.h"

/* What the catalogue's severity cell must say: "error", or for a rule
 * with two, "error; warning when ..." (the usual one first). */
static void check_cell(enum rule_id r, const char *cell)
{
	const char *usual = severity_name(rule_severity(r));
	size_t ul = strlen(usual);
	if (strncmp(cell, usual, ul) || (cell[ul] != '\0' && cell[ul] != ';'))
		fail_msg("docs/RULES.md: %s has severity '%s', rules.def says %s", rule_name(r), cell, usual);
	enum severity other;
	if (rule_severity_other(r, &other)) {
		char want[32];
		snprintf(want, sizeof(want), "; %s ", severity_name(other));
		if (cell[ul] != ';' || strncmp(cell + ul, want, strlen(want)))
			fail_msg("docs/RULES.md: %s must say '%s... when' (rules.def: %s)", rule_name(r),
				 want, rule_severity_range(r));
	} else if (cell[ul] != '\0') {
		fail_msg("docs/RULES.md: %s has one severity in rules.def, the catalogue says '%s'",
			 rule_name(r), cell);
	}
}

/* Every table row of the catalogue that opens with a `rule-id`. */
static void catalogue_matches_rules_def(void **state)
{
	(void)state;
	char *doc = test_slurp("docs/RULES.md");
	unsigned seen[R__COUNT] = { 0 };
	unsigned rows = 0;
	for (char *line = strtok(doc, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "| `", 3))
			continue;
		char *id = line + 3, *end = strchr(id, '`');
		assert_non_null(end);
		*end = '\0';
		int r = rule_lookup(id);
		if (r < 0)
			fail_msg("docs/RULES.md names rule '%s', which rules.def does not have", id);
		seen[r]++;
		rows++;
		/* the severity: the last cell */
		char *last = strrchr(end + 1, '|');
		assert_non_null(last);
		*last = '\0';
		char *cell = strrchr(end + 1, '|');
		assert_non_null(cell);
		cell++;
		while (*cell == ' ')
			cell++;
		size_t cl = strlen(cell);
		while (cl && cell[cl - 1] == ' ')
			cell[--cl] = '\0';
		check_cell((enum rule_id)r, cell);
	}
	for (int r = 0; r < R__COUNT; r++)
		if (seen[r] != 1)
			fail_msg("docs/RULES.md has %u rows for rule %s (want 1)", seen[r], rule_name((enum rule_id)r));
	assert_int_equal(rows, R__COUNT);
	free(doc);
}

/* The man page lists every id ("stat\-list\-count   error/warning"). */
static void man_page_lists_every_rule(void **state)
{
	(void)state;
	char *man = test_slurp("pop3mon.1");
	for (int r = 0; r < R__COUNT; r++) {
		char want[128], *o = want;
		for (const char *p = rule_name((enum rule_id)r); *p && o < want + 100; p++) {
			if (*p == '-')
				*o++ = '\\';
			*o++ = *p;
		}
		*o = '\0';
		char *hit = NULL;
		for (char *p = man; (p = strstr(p, want)) != NULL; p++)
			if ((p == man || p[-1] == '\n') && p[strlen(want)] == ' ') {
				hit = p;
				break;
			}
		if (!hit)
			fail_msg("pop3mon.1 does not list rule %s at the start of a line", rule_name((enum rule_id)r));
		char *sev = hit + strlen(want);
		while (*sev == ' ')
			sev++;
		const char *range = rule_severity_range((enum rule_id)r);
		if (strncmp(sev, range, strlen(range)) || sev[strlen(range)] != '\n')
			fail_msg("pop3mon.1: rule %s listed with another severity (want %s)", rule_name((enum rule_id)r),
				 range);
	}
	free(man);
}

/* The severity range as --list-rules prints it. */
static void severity_ranges(void **state)
{
	(void)state;
	enum severity o;
	assert_string_equal(rule_severity_range(R_IMPOSSIBLE_DROP), "error/warning");
	assert_true(rule_severity_other(R_IMPOSSIBLE_DROP, &o));
	assert_int_equal(o, SEV_WARNING);
	assert_int_equal(rule_severity(R_IMPOSSIBLE_DROP), SEV_ERROR);
	assert_string_equal(rule_severity_range(R_UID_DUPLICATE), "warning/error");
	assert_string_equal(rule_severity_range(R_STAT_UIDL_COUNT), "error");
	assert_false(rule_severity_other(R_STAT_UIDL_COUNT, &o));
	assert_string_equal(rule_severity_range(R_NOT_POP3), "notice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalogue_matches_rules_def),
		cmocka_unit_test(man_page_lists_every_rule),
		cmocka_unit_test(severity_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
