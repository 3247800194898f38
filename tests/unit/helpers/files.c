/*
 * files.c - a source-tree file as one string (see files.h).
 */
#include "helpers/files.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *test_slurp(const char *rel)
{
	const char *dir = getenv("POP3MON_SRCDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : ".", rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	static char buf[1 << 18];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	assert_true(n < sizeof(buf) - 1); /* the whole file */
	buf[n] = '\0';
	char *copy = malloc(n + 1);
	assert_non_null(copy);
	memcpy(copy, buf, n + 1);
	return copy;
}
