/*
 * redis_conn.h - the Redis address (redis://[USER@]HOST[:PORT][/DB]/KEY),
 * its password and the connection, shared by the publisher (--publish, a
 * sink: publish.h) and the stream reader (--from redis://, the event
 * stage: event_reader.h); in src/util/ (redis_conn.c), below both, so
 * neither reaches into the other's stage for it.
 */
#ifndef POP3MON_REDIS_CONN_H
#define POP3MON_REDIS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REDIS_PORT_DEFAULT 6379
#define REDIS_HOST_MAX 256
#define REDIS_USER_MAX 128
#define REDIS_KEY_MAX 512
#define REDIS_PASSWORD_MAX 512

/* redis://[USER@]HOST[:PORT][/DB]/KEY */
struct redis_target {
	char host[REDIS_HOST_MAX];
	uint16_t port;
	char user[REDIS_USER_MAX];   /* "" : the default user */
	unsigned db;
	char key[REDIS_KEY_MAX];
	char password[REDIS_PASSWORD_MAX]; /* "" : no AUTH; never printed */
	char url[REDIS_USER_MAX + REDIS_HOST_MAX + REDIS_KEY_MAX + 48]; /* for messages, no secret */
};

/* Is s a redis:// address (as opposed to a file name)? */
bool redis_is_url(const char *s);

/* Parses url into t (a password in the URL is refused: it would sit on the
 * command line). Returns 0, or -1 with errbuf filled. */
int redis_target_parse(const char *url, struct redis_target *t, char *errbuf, size_t errlen);

/* The password: the first line of auth_file if given (a file others may
 * read is refused), else REDISCLI_AUTH, else none. Returns 0 or -1. */
int redis_target_auth(struct redis_target *t, const char *auth_file, char *errbuf, size_t errlen);

struct redisContext;
/* Connect (timeout in ms for the connect and every reply), AUTH, SELECT.
 * NULL with errbuf filled on failure. */
struct redisContext *redis_target_connect(const struct redis_target *t, unsigned timeout_ms,
					  char *errbuf, size_t errlen);

/* Commands written as RESP by the caller, for bytes that already lie
 * where they are (hiredis would copy each argument twice): */
/* Appends "$LEN\r\nTEXT\r\n" at o (room: n + 24) and returns its end. */
char *redis_resp_bulk(char *o, const char *text, size_t n);
struct iovec;
/* Writes every iovec on c's socket (blocking, c's timeout); -1 with c->err
 * and c->errstr set. hiredis reads the replies (redisGetReply) as usual,
 * so c's own output buffer must be empty. */
int redis_send_iov(struct redisContext *c, struct iovec *iov, size_t n);

/* The sensor's name when --sensor is not given: the host name. */
void sensor_default_name(char *dst, size_t size);

#endif
