/*
 * redis_conn.c - the Redis address (redis://[USER@]HOST[:PORT][/DB]/KEY),
 * its password and the connection, shared by the publisher and the
 * stream reader. The password never comes from the command line: a
 * password in the URL is refused, it comes from --redis-auth-file or
 * REDISCLI_AUTH (redis-cli's own variable), and it is never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "redis_conn.h"
#include "util.h"

bool redis_is_url(const char *s)
{
	return s && !strncmp(s, "redis://", 8);
}

static int fail(char *errbuf, size_t errlen, const char *url, const char *why)
{
	snprintf(errbuf, errlen, "%s: %s", url, why);
	return -1;
}

/* The URL for a message: a password in it (refused) shown as <redacted>. */
static const char *url_shown(const char *url, char *buf, size_t size)
{
	const char *p = url + (redis_is_url(url) ? 8 : 0);
	size_t hostpart = strcspn(p, "/");
	const char *at = memchr(p, '@', hostpart);
	const char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	if (!colon)
		return url;
	snprintf(buf, size, "%.*s:<redacted>%s", (int)(colon - url), url, at);
	return buf;
}

int redis_target_parse(const char *url, struct redis_target *t, char *errbuf, size_t errlen)
{
	char shown[REDIS_USER_MAX + REDIS_HOST_MAX + REDIS_KEY_MAX + 48];
	memset(t, 0, sizeof(*t));
	t->port = REDIS_PORT_DEFAULT;
	url = url_shown(url, shown, sizeof(shown));
	if (!redis_is_url(url))
		return fail(errbuf, errlen, url, "not a redis:// address");
	const char *p = url + 8;
	const char *slash = strchr(p, '/');
	if (!slash)
		return fail(errbuf, errlen, url, "no stream key (redis://HOST[:PORT][/DB]/KEY)");
	const char *at = memchr(p, '@', (size_t)(slash - p));
	if (at) {
		if (memchr(p, ':', (size_t)(at - p)))
			return fail(errbuf, errlen, url, "a password does not go in the URL "
				    "(use --redis-auth-file or REDISCLI_AUTH)");
		if (at == p || (size_t)(at - p) >= sizeof(t->user))
			return fail(errbuf, errlen, url, "bad user name");
		memcpy(t->user, p, (size_t)(at - p));
		p = at + 1;
	}
	const char *hend = slash;
	const char *colon = NULL;
	if (*p == '[') { /* [IPv6]:port */
		const char *rb = memchr(p, ']', (size_t)(slash - p));
		if (!rb)
			return fail(errbuf, errlen, url, "bad IPv6 address");
		if (rb + 1 < slash && rb[1] == ':')
			colon = rb + 1;
		else if (rb + 1 != slash)
			return fail(errbuf, errlen, url, "bad host");
		p++;
		hend = rb;
	} else {
		colon = memchr(p, ':', (size_t)(slash - p));
		if (colon)
			hend = colon;
	}
	if (hend == p || (size_t)(hend - p) >= sizeof(t->host))
		return fail(errbuf, errlen, url, "bad host");
	memcpy(t->host, p, (size_t)(hend - p));
	if (colon) {
		char *end;
		errno = 0;
		unsigned long port = strtoul(colon + 1, &end, 10);
		if (errno || end != slash || colon + 1 == slash || port == 0 || port > 65535)
			return fail(errbuf, errlen, url, "bad port");
		t->port = (uint16_t)port;
	}
	const char *key = slash + 1;
	const char *s2 = strchr(key, '/');
	if (s2) { /* /DB/KEY */
		char *end;
		errno = 0;
		unsigned long db = strtoul(key, &end, 10);
		if (errno || end != s2 || key == s2 || db > 15)
			return fail(errbuf, errlen, url, "bad database number (0-15)");
		t->db = (unsigned)db;
		key = s2 + 1;
	}
	if (!*key || strlen(key) >= sizeof(t->key))
		return fail(errbuf, errlen, url, "no stream key (redis://HOST[:PORT][/DB]/KEY)");
	for (const char *k = key; *k; k++)
		if ((unsigned char)*k <= ' ' || *k == 0x7f)
			return fail(errbuf, errlen, url, "the stream key has a space or control byte");
	strlcpy_safe(t->key, key, sizeof(t->key));
	snprintf(t->url, sizeof(t->url), "redis://%s%s%s%s%s:%u/%u/%s", t->user, t->user[0] ? "@" : "",
		 strchr(t->host, ':') ? "[" : "", t->host, strchr(t->host, ':') ? "]" : "",
		 t->port, t->db, t->key);
	return 0;
}

int redis_target_auth(struct redis_target *t, const char *auth_file, char *errbuf, size_t errlen)
{
	t->password[0] = '\0';
	if (!auth_file) {
		const char *env = getenv("REDISCLI_AUTH");
		if (env && strlen(env) >= sizeof(t->password))
			return fail(errbuf, errlen, "REDISCLI_AUTH", "password too long");
		if (env)
			strlcpy_safe(t->password, env, sizeof(t->password));
		return 0;
	}
	int fd = open(auth_file, O_RDONLY | O_NOCTTY);
	if (fd < 0)
		return fail(errbuf, errlen, auth_file, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return fail(errbuf, errlen, auth_file, "not a regular file");
	}
	if (sb.st_mode & 0077) {
		close(fd);
		return fail(errbuf, errlen, auth_file, "others may read it (chmod 600)");
	}
	char buf[REDIS_PASSWORD_MAX + 2];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fail(errbuf, errlen, auth_file, strerror(errno));
	buf[n] = '\0';
	size_t len = strcspn(buf, "\r\n");
	if (len == 0)
		return fail(errbuf, errlen, auth_file, "empty: the first line is the password");
	if (len >= sizeof(t->password))
		return fail(errbuf, errlen, auth_file, "password too long");
	memcpy(t->password, buf, len);
	t->password[len] = '\0';
	memset(buf, 0, sizeof(buf));
	return 0;
}

/* A command's error reply, or the connection's error, as text. */
static int reply_check(redisContext *c, redisReply *r, const char *what, char *errbuf, size_t errlen)
{
	if (!r) {
		snprintf(errbuf, errlen, "%s: %s", what, c->errstr[0] ? c->errstr : "no reply");
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(errbuf, errlen, "%s: %.*s", what, (int)(r->len > 200 ? 200 : r->len), r->str);
		freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

struct redisContext *redis_target_connect(const struct redis_target *t, unsigned timeout_ms,
					  char *errbuf, size_t errlen)
{
	struct timeval tv = { (time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000 };
	redisContext *c = redisConnectWithTimeout(t->host, t->port, tv);
	if (!c) {
		snprintf(errbuf, errlen, "%s: out of memory", t->url);
		return NULL;
	}
	if (c->err) {
		snprintf(errbuf, errlen, "%s: %s", t->url, c->errstr);
		redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	char msg[300];
	if (t->password[0]) {
		redisReply *r = t->user[0]
			? redisCommand(c, "AUTH %s %s", t->user, t->password)
			: redisCommand(c, "AUTH %s", t->password);
		if (reply_check(c, r, "AUTH", msg, sizeof(msg)) < 0)
			goto fail;
	}
	if (t->db) {
		redisReply *r = redisCommand(c, "SELECT %u", t->db);
		if (reply_check(c, r, "SELECT", msg, sizeof(msg)) < 0)
			goto fail;
	}
	return c;
fail:
	snprintf(errbuf, errlen, "%s: %s", t->url, msg);
	redisFree(c);
	return NULL;
}

void sensor_default_name(char *dst, size_t size)
{
	char h[256];
	if (gethostname(h, sizeof(h)) < 0 || !h[0])
		strlcpy_safe(h, "sensor", sizeof(h));
	h[sizeof(h) - 1] = '\0';
	strlcpy_safe(dst, h, size);
}

char *redis_resp_bulk(char *o, const char *text, size_t n)
{
	o += sprintf(o, "$%zu\r\n", n);
	memcpy(o, text, n);
	o += n;
	*o++ = '\r';
	*o++ = '\n';
	return o;
}

int redis_send_iov(struct redisContext *c, struct iovec *iov, size_t n)
{
	while (n) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = n > IOV_MAX ? IOV_MAX : n };
		ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL); /* a closed peer is an error, not SIGPIPE */
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			c->err = REDIS_ERR_IO;
			snprintf(c->errstr, sizeof(c->errstr), "%s", strerror(errno));
			return -1;
		}
		while (n && (size_t)w >= iov->iov_len) { /* a short write goes on where it stopped */
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}
