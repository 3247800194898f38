/*
 * sanitize.c - wire text made harmless before it reaches a terminal, a
 * report or a log: printable ASCII passes, backslash is doubled, every
 * other byte (ESC, control characters, bytes >= 0x80 including valid UTF-8)
 * becomes \xNN. Escaping all non-ASCII is deliberate: the text is evidence,
 * and an exact, unambiguous rendering beats a pretty one.
 */
#include "event.h"

char *sanitize_text(char *dst, size_t dstsize, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (dstsize == 0)
		return dst;
	for (const unsigned char *s = (const unsigned char *)src; *s; s++) {
		if (*s >= 0x20 && *s < 0x7f && *s != '\\') {
			if (o + 1 >= dstsize)
				break;
			dst[o++] = (char)*s;
		} else if (*s == '\\') {
			if (o + 2 >= dstsize)
				break;
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else {
			if (o + 4 >= dstsize)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[*s >> 4];
			dst[o++] = hex[*s & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}
