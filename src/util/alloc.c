/*
 * alloc.c - the one place out-of-memory is handled: abort with a message.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void xalloc_fail(size_t n)
{
	fprintf(stderr, "pop3mon: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		xalloc_fail(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		xalloc_fail(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		xalloc_fail(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

/* The C library's word-at-a-time scan and copy, not a byte loop: every
 * event's snapshot copies the user and the banner (a byte loop cost ~80
 * instructions a frame on the small bench shape). */
size_t strlcpy_safe(char *dst, const char *src, size_t dstsize)
{
	if (dstsize == 0)
		return 0;
	size_t n = strnlen(src, dstsize - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}
