/*
 * pop3_data.c - parsers for the data lines of multi-line replies and for
 * status lines: LIST scan lines ("n size"), UIDL lines ("n uid"), CAPA
 * capabilities, and the "[CODE]" response code of RFC 2449/3206.
 * Pure functions over a (pointer, length) line: no state, easy to test.
 */
#include "pop3_data.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static size_t span_token(const char *p, size_t len, size_t i)
{
	while (i < len && p[i] != ' ')
		i++;
	return i;
}

bool pop3_data_listing_line(const char *p, size_t len, bool uidl, struct pop3_entry *e,
			    const char **uid, size_t *uid_len)
{
	memset(e, 0, sizeof(*e));
	size_t i = span_token(p, len, 0);
	if (!pop3_parse_u32(p, i, &e->num))
		e->flags |= POP3_LE_BADNUM;
	while (i < len && p[i] == ' ')
		i++;
	if (uidl) {
		/* The unique-id's end and whether every byte is 0x21-0x7E in one
		 * pass, 8 bytes a step while all are (no space among them
		 * either: 0x20 is below): a UIDL line is mostly its id, and the
		 * two byte loops here cost ~200 instructions a line. */
		size_t j = i;
		bool bad = false;
		while (j + 8 <= len) {
			uint64_t w;
			memcpy(&w, p + j, 8);
			if (((w - 0x2121212121212121ull) & ~w & 0x8080808080808080ull) |
			    (((w + 0x0101010101010101ull) | w) & 0x8080808080808080ull))
				break; /* a byte below 0x21 or above 0x7E: bytewise from here */
			j += 8;
		}
		for (; j < len && p[j] != ' '; j++)
			if ((unsigned char)p[j] < 0x21 || (unsigned char)p[j] > 0x7e)
				bad = true;
		*uid = p + i;
		*uid_len = j - i;
		if (j == i)
			e->flags |= POP3_LE_BADVAL | POP3_LE_UID_BAD;
		else if (j - i > POP3_UID_MAX || j < len || bad)
			e->flags |= POP3_LE_UID_BAD; /* too long, text after it, a bad byte */
	} else {
		size_t j = span_token(p, len, i);
		/* RFC 1939 allows text after the size ("n size info"): ignore it. */
		if (!pop3_parse_u64(p + i, j - i, &e->size))
			e->flags |= POP3_LE_BADVAL;
	}
	return !(e->flags & (POP3_LE_BADNUM | POP3_LE_BADVAL));
}

static bool word_eq(const char *p, size_t len, const char *w)
{
	size_t n = strlen(w);
	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != w[i])
			return false;
	}
	return true;
}

void pop3_data_capa_line(const char *p, size_t len, unsigned *caps, char *sasl, size_t sasl_size)
{
	size_t i = span_token(p, len, 0);
	if (word_eq(p, i, "UIDL"))
		*caps |= POP3_CAP_UIDL;
	else if (word_eq(p, i, "TOP"))
		*caps |= POP3_CAP_TOP;
	else if (word_eq(p, i, "USER"))
		*caps |= POP3_CAP_USER;
	else if (word_eq(p, i, "PIPELINING"))
		*caps |= POP3_CAP_PIPELINING;
	else if (word_eq(p, i, "STLS"))
		*caps |= POP3_CAP_STLS;
	else if (word_eq(p, i, "SASL")) {
		*caps |= POP3_CAP_SASL;
		size_t o = strlen(sasl);
		for (size_t k = i + 1; k < len && o + 1 < sasl_size; k++) {
			char c = p[k];
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			sasl[o++] = (c >= 0x21 && c <= 0x7e) || c == ' ' ? c : '?';
		}
		if (o + 1 < sasl_size && o && sasl[o - 1] != ' ')
			sasl[o++] = ' ';
		sasl[o] = '\0';
	}
}

enum pop3_status pop3_data_status(const char *p, size_t len, bool *lower, size_t *text_at)
{
	*lower = false;
	if (len >= 3 && p[0] == '+' && (p[1] == 'O' || p[1] == 'o') && (p[2] == 'K' || p[2] == 'k') &&
	    (len == 3 || p[3] == ' ')) {
		*lower = p[1] != 'O' || p[2] != 'K';
		*text_at = len > 3 ? 4 : 3;
		return POP3_ST_OK;
	}
	if (len >= 4 && p[0] == '-' && (p[1] == 'E' || p[1] == 'e') &&
	    (p[2] == 'R' || p[2] == 'r') && (p[3] == 'R' || p[3] == 'r') && (len == 4 || p[4] == ' ')) {
		*lower = p[1] != 'E' || p[2] != 'R' || p[3] != 'R';
		*text_at = len > 4 ? 5 : 4;
		return POP3_ST_ERR;
	}
	if (len >= 1 && p[0] == '+' && (len == 1 || p[1] == ' ')) {
		*text_at = len > 1 ? 2 : 1;
		return POP3_ST_CONT;
	}
	*text_at = 0;
	return POP3_ST_BAD;
}

void pop3_data_code(const char *text, char *code, size_t size)
{
	code[0] = '\0';
	if (text[0] != '[')
		return;
	const char *end = strchr(text, ']');
	if (!end)
		return;
	size_t n = (size_t)(end - text - 1);
	if (n == 0 || n >= size)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = text[1 + i];
		if (c < 0x21 || c > 0x7e)
			return;
	}
	memcpy(code, text + 1, n);
	code[n] = '\0';
}

bool pop3_data_is_base64(const char *p, size_t len)
{
	if (len == 1 && p[0] == '=')
		return true; /* RFC 5034: empty initial response */
	if (len % 4)
		return false;
	size_t pad = 0;
	while (pad < 2 && pad < len && p[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++) {
		char c = p[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '+' || c == '/';
		if (!ok)
			return false;
	}
	return true;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

size_t pop3_data_b64_decode(const char *p, size_t len, unsigned char *out, size_t cap)
{
	if (!pop3_data_is_base64(p, len))
		return SIZE_MAX;
	if (len == 1) /* "=": the empty response */
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t k = 0;
		for (; k < 4 && p[i + k] != '='; k++)
			v[k] = b64_val(p[i + k]);
		/* k is 4, or 2..3 in the last quantum (is_base64 checked the rest) */
		if (k < 2 || n + (k - 1) > cap)
			return SIZE_MAX;
		out[n++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (k > 2)
			out[n++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (k > 3)
			out[n++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	return n;
}

static bool mech_is(const char *mech, size_t n, const char *name)
{
	return strlen(name) == n && !strncasecmp(mech, name, n);
}

bool pop3_data_sasl_user(const char *mech, size_t mech_len, const char *response, size_t len,
			 char *user, size_t user_size)
{
	bool plain = mech_is(mech, mech_len, "PLAIN"), login = mech_is(mech, mech_len, "LOGIN");
	if ((!plain && !login) || user_size == 0)
		return false;
	unsigned char dec[3 * (POP3_ARGS_MAX / 4) + 3];
	size_t n = pop3_data_b64_decode(response, len, dec, sizeof dec);
	bool found = false;
	if (n != SIZE_MAX && n > 0) {
		const unsigned char *u = dec;
		size_t ulen = n;
		if (plain) {
			const unsigned char *nul1 = memchr(dec, 0, n);
			const unsigned char *nul2 = nul1 ? memchr(nul1 + 1, 0, n - (size_t)(nul1 + 1 - dec)) : NULL;
			if (nul2) {
				bool authzid = nul1 > dec;
				u = authzid ? dec : nul1 + 1;
				ulen = (size_t)((authzid ? nul1 : nul2) - u);
			} else {
				ulen = 0;
			}
		}
		if (ulen > 0 && !memchr(u, 0, ulen)) {
			size_t take = ulen < user_size - 1 ? ulen : user_size - 1;
			memcpy(user, u, take);
			user[take] = '\0';
			found = true;
		}
	}
	explicit_bzero(dec, sizeof dec); /* the password was in it */
	return found;
}
