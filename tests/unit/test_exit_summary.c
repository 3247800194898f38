/*
 * test_exit_summary.c - the live capture's summary on exit
 * (src/pipeline/exit_summary.c): tcpdump's one figure a line, the
 * kernel's and the interface's drops when known, said unknown otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/pipeline/pipeline.h"

static char *render(const char *src, const struct source_stats *st, uint64_t s, uint64_t f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	exit_summary_print(fp, src, st, s, f);
	fclose(fp);
	return buf;
}

static void test_live_counters(void **state)
{
	(void)state;
	struct source_stats st = { .received = 123456, .kernel_drops = 7, .iface_drops = 1,
				   .have_kernel_stats = true };
	char *out = render("eth0", &st, 36, 2);
	assert_string_equal(out, "123456 frames received on eth0\n"
				 "7 frames dropped by kernel\n"
				 "1 frame dropped by interface\n"
				 "36 POP3 sessions, 2 flagged\n");
	free(out);
}

static void test_no_kernel_stats_and_singulars(void **state)
{
	(void)state;
	struct source_stats st = { .received = 1 };
	char *out = render("lo", &st, 1, 0);
	assert_string_equal(out, "1 frame received on lo\n"
				 "drops by kernel and interface: not known (no capture statistics)\n"
				 "1 POP3 session, 0 flagged\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_counters),
		cmocka_unit_test(test_no_kernel_stats_and_singulars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
