/*
 * json_fx.c - see json_fx.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "json_fx.h"

char json_fx_path[64];

int json_fx_setup(void **state)
{
	(void)state;
	snprintf(json_fx_path, sizeof json_fx_path, "/tmp/test_json_XXXXXX");
	int fd = mkstemp(json_fx_path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int json_fx_teardown(void **state)
{
	(void)state;
	unlink(json_fx_path);
	return 0;
}

struct sink json_fx_open(const struct json_opts *o)
{
	char err[256] = "";
	struct sink s = json_sink_new(json_fx_path, o, err, sizeof err);
	assert_non_null(s.ops);
	return s;
}

void json_fx_finish(struct sink s)
{
	char err[256] = "";
	assert_int_equal(s.ops->finish(s.self, err, sizeof err), 0);
	s.ops->free(s.self);
}
