/*
 * test_save_dir.c - the save directory (src/output/save_dir.c): files made
 * 0600 whatever the umask, never over an existing file, only by a plain
 * name; the same through the creator process; messages name the path once
 * and say what to do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "save_dir.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/p3m-savedir-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void exercise(struct save_dir *sd)
{
	char err[1024], path[128];
	umask(022);
	int fd = save_dir_create(sd, "a.pcap", err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	struct stat st;
	snprintf(path, sizeof(path), "%s/a.pcap", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 1);
	/* never over an existing file */
	assert_int_equal(save_dir_create(sd, "a.pcap", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists already: give another name"));
	assert_int_equal(count(err, path), 1);
	/* only a plain name */
	const char *bad[] = { "../a.pcap", "/tmp/x.pcap", "", ".", "..", "sub/x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(save_dir_create(sd, bad[i], err, sizeof(err)), -1);
		assert_non_null(strstr(err, "--save-dir"));
	}
}

static void test_direct(void **state)
{
	(void)state;
	char err[256];
	struct save_dir *sd = save_dir_open(dir, err, sizeof(err));
	assert_non_null(sd);
	assert_string_equal(save_dir_path(sd), dir);
	exercise(sd);
	save_dir_close(sd);
}

static void test_creator(void **state)
{
	(void)state;
	char err[256];
	struct save_dir *sd = save_dir_open(dir, err, sizeof(err));
	assert_non_null(sd);
	assert_int_equal(save_dir_keep_creator(sd, err, sizeof(err)), 0);
	exercise(sd);
	save_dir_close(sd); /* the creator ends with the socket; close waits for it */
}

static void test_open_fails(void **state)
{
	(void)state;
	char err[256];
	assert_null(save_dir_open("/nonexistent-p3m-dir", err, sizeof(err)));
	assert_string_equal(err, "--save-dir /nonexistent-p3m-dir: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_creator, setup, teardown),
		cmocka_unit_test(test_open_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
