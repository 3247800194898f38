/*
 * pop3_cmd.c - the command vocabulary (from pop3_cmd.def) and the small
 * pure parsers every POP3 stage shares. Numbers are strict decimal: no
 * sign, no spaces, no overflow; RFC 1939 message numbers start at 1 but a
 * 0 still parses (so the checks can flag it).
 */
#include <string.h>

#include "pop3.h"
#include "util.h"

static const struct {
	const char *kw;
	unsigned flags;
} cmd_table[POP3_CMD__COUNT] = {
	[POP3_CMD_NONE] = { "", 0 },
#define X(id, kw, fl) [id] = { kw, fl },
#include "pop3_cmd.def"
#undef X
	[POP3_CMD_UNKNOWN] = { "?", POP3_CF_ANY },
};

const char *pop3_cmd_name(enum pop3_cmd c)
{
	return (unsigned)c < POP3_CMD__COUNT ? cmd_table[c].kw : "?";
}

unsigned pop3_cmd_flags(enum pop3_cmd c)
{
	return (unsigned)c < POP3_CMD__COUNT ? cmd_table[c].flags : 0;
}

static inline char upper(char ch)
{
	return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

/* Every client line is looked up: the first letter is folded once and
 * most keywords are passed on it, instead of folding the input again for
 * each keyword (about 140 instructions a command on the small bench
 * shape's main thread). */
enum pop3_cmd pop3_cmd_lookup(const char *kw, size_t len)
{
	if (len == 0)
		return POP3_CMD_UNKNOWN; /* no keyword is empty */
	char first = upper(kw[0]);
	for (int c = POP3_CMD_NONE + 1; c < POP3_CMD_UNKNOWN; c++) {
		const char *k = cmd_table[c].kw;
		if (k[0] != first)
			continue;
		size_t i = 1;
		for (; i < len && k[i]; i++)
			if (upper(kw[i]) != k[i])
				break;
		if (i == len && !k[i])
			return (enum pop3_cmd)c;
	}
	return POP3_CMD_UNKNOWN;
}

const char *pop3_status_str(enum pop3_status s)
{
	switch (s) {
	case POP3_ST_OK: return "+OK";
	case POP3_ST_ERR: return "-ERR";
	case POP3_ST_CONT: return "+";
	case POP3_ST_BAD: return "?";
	default: return "";
	}
}

const char *pop3_state_name(enum pop3_state s)
{
	switch (s) {
	case POP3_STATE_AUTHORIZATION: return "AUTHORIZATION";
	case POP3_STATE_TRANSACTION: return "TRANSACTION";
	case POP3_STATE_UPDATE: return "UPDATE";
	case POP3_STATE_TLS: return "TLS";
	case POP3_STATE_CONNECT: return "CONNECT";
	default: return "UNKNOWN";
	}
}

bool pop3_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool pop3_parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v;
	if (!pop3_parse_u64(s, len, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}
