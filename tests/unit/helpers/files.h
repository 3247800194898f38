/*
 * files.h - a file of the source tree as one string, for the unit tests
 * that keep documents in step with the code (test_rules_doc,
 * test_stats_keys). Run from the top of the tree (make unit does), or with
 * POP3MON_SRCDIR set.
 */
#ifndef POP3MON_TEST_FILES_H
#define POP3MON_TEST_FILES_H

/* The whole of `rel` (a path from the top of the tree), NUL-terminated,
 * malloc'd (the caller frees it); the test fails if it cannot be read or
 * is larger than 256 KiB. */
char *test_slurp(const char *rel);

#endif
