/*
 * test_redis_conn.c - the redis:// address and the password's sources
 * (redis_conn.c). The connection itself is tested against a real
 * redis-server in tests/e2e/redis.sh.
 */
#include <fcntl.h>
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

#include "publish.h"

static void parses(const char *url, const char *user, const char *host, unsigned port, unsigned db,
		   const char *key)
{
	struct redis_target t;
	char err[600];
	if (redis_target_parse(url, &t, err, sizeof(err)) < 0)
		fail_msg("%s: %s", url, err);
	assert_string_equal(t.user, user);
	assert_string_equal(t.host, host);
	assert_int_equal(t.port, port);
	assert_int_equal(t.db, db);
	assert_string_equal(t.key, key);
	assert_string_equal(t.password, "");
}

static void refuses(const char *url, const char *why)
{
	struct redis_target t;
	char err[600] = "";
	if (redis_target_parse(url, &t, err, sizeof(err)) == 0)
		fail_msg("%s parsed", url);
	if (!strstr(err, why))
		fail_msg("%s: \"%s\" does not say \"%s\"", url, err, why);
	assert_null(strstr(err, "s3cret")); /* a refused password is not echoed */
}

static void test_parse_forms(void **state)
{
	(void)state;
	parses("redis://localhost/pop3mon", "", "localhost", 6379, 0, "pop3mon");
	parses("redis://127.0.0.1:6380/pop3mon", "", "127.0.0.1", 6380, 0, "pop3mon");
	parses("redis://sensor@10.0.0.1:7000/3/site-a:events", "sensor", "10.0.0.1", 7000, 3,
	       "site-a:events");
	parses("redis://[::1]:6390/k", "", "::1", 6390, 0, "k");
	parses("redis://[::1]/2/k", "", "::1", 6379, 2, "k");
	assert_true(redis_is_url("redis://x/y"));
	assert_false(redis_is_url("events.json"));
	assert_false(redis_is_url("./redis://x"));
}

static void test_parse_refusals(void **state)
{
	(void)state;
	refuses("http://x/y", "not a redis:// address");
	refuses("redis://host", "no stream key");
	refuses("redis://host/", "no stream key");
	refuses("redis://host/3/", "no stream key");
	refuses("redis://user:s3cret@host/k", "password does not go in the URL");
	refuses("redis://host:0/k", "bad port");
	refuses("redis://host:65536/k", "bad port");
	refuses("redis://host:x/k", "bad port");
	refuses("redis://host/16/k", "bad database number");
	refuses("redis://host/x/k", "bad database number");
	refuses("redis://:6379/k", "bad host");
	refuses("redis://[::1/k", "bad IPv6");
	refuses("redis://@host/k", "bad user");
	refuses("redis://host/a key", "space or control");
}

static void test_auth_sources(void **state)
{
	(void)state;
	struct redis_target t;
	char err[600];
	assert_int_equal(redis_target_parse("redis://h/k", &t, err, sizeof(err)), 0);

	unsetenv("REDISCLI_AUTH");
	assert_int_equal(redis_target_auth(&t, NULL, err, sizeof(err)), 0);
	assert_string_equal(t.password, "");
	setenv("REDISCLI_AUTH", "from-env", 1);
	assert_int_equal(redis_target_auth(&t, NULL, err, sizeof(err)), 0);
	assert_string_equal(t.password, "from-env");

	char path[] = "/tmp/test_redis_conn_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret\nsecond line\n", 19), 19);
	close(fd);
	chmod(path, 0600);
	assert_int_equal(redis_target_auth(&t, path, err, sizeof(err)), 0);
	assert_string_equal(t.password, "s3cret"); /* the file wins over the variable */

	chmod(path, 0640);
	assert_int_equal(redis_target_auth(&t, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	chmod(path, 0600);
	assert_int_equal(redis_target_auth(&t, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	unlink(path);
	assert_int_equal(redis_target_auth(&t, path, err, sizeof(err)), -1);
	unsetenv("REDISCLI_AUTH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_auth_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
