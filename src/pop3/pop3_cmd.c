/*
 * pop3_cmd.c - the command vocabulary (from pop3_cmd.def) and the small
 * pure parsers every POP3 stage shares. Numbers are strict decimal: no
 * sign, no spaces, no overflow; RFC 1939 message numbers start at 1 but a
 * 0 still parses (so the checks can flag it).
 */
#include <stdio.h>
#include <stdlib.h>
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

/* a-z to A-Z in each byte of w at once; every other byte (0x80 and up
 * among them) as it was. Per byte h (its low 7 bits) + 0x1f carries into
 * bit 7 from 'a' on, h + 0x05 from '{' on, and neither carries further. */
static inline uint32_t fold4(uint32_t w)
{
	uint32_t h = w & 0x7f7f7f7fu;
	uint32_t lower = (h + 0x1f1f1f1fu) & ~(h + 0x05050505u) & ~w & 0x80808080u;
	return w ^ (lower >> 2);
}

/* A perfect hash of the keywords' words (their 4 bytes little-endian, a
 * 3-byte keyword's NUL the fourth): (word * KW_HASH_MUL) >> 27 gives each
 * keyword of pop3_cmd.def its own slot of 32; 0 (POP3_CMD_NONE) is none.
 * The slot only proposes: the keyword itself is compared. (The multiplier
 * was found by trying until the 17 slots were distinct.) */
#define KW_HASH_MUL 33311u
#define KW_SLOT(word) ((uint32_t)((word) * KW_HASH_MUL) >> 27)

static uint32_t kw_word(const char *k) /* 3 letters and the NUL, or 4 */
{
	const unsigned char *u = (const unsigned char *)k;
	return u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

/* Made from cmd_table (pop3_cmd.def, the one list) before main: a keyword
 * added there that takes a taken slot stops every program at once, saying
 * which, instead of going unrecognised. */
static uint8_t kw_slot[32];

__attribute__((constructor)) static void kw_slots_fill(void)
{
	for (int c = POP3_CMD_NONE + 1; c < POP3_CMD_UNKNOWN; c++) {
		unsigned s = KW_SLOT(kw_word(cmd_table[c].kw));
		if (kw_slot[s]) {
			fprintf(stderr, "pop3_cmd.def: %s and %s share a hash slot; change KW_HASH_MUL\n",
				cmd_table[kw_slot[s]].kw, cmd_table[c].kw);
			abort();
		}
		kw_slot[s] = (uint8_t)c;
	}
}

/* Every client line is looked up: the folded bytes make one word, hashed
 * to the one keyword it can be and compared with it, where walking the
 * table was ~130 instructions a command on the small bench shape's main
 * thread. Every keyword is 3 or 4 bytes; "@" or "`" stay no letter. */
enum pop3_cmd pop3_cmd_lookup(const char *kw, size_t len)
{
	if (len != 3 && len != 4)
		return POP3_CMD_UNKNOWN;
	const unsigned char *u = (const unsigned char *)kw;
	uint32_t w = u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16;
	if (len == 4) {
		if (u[3] == 0)
			return POP3_CMD_UNKNOWN; /* "TOP\0" is no "TOP" */
		w |= (uint32_t)u[3] << 24;
	}
	w = fold4(w);
	unsigned c = kw_slot[KW_SLOT(w)];
	if (c == POP3_CMD_NONE)
		return POP3_CMD_UNKNOWN;
	return kw_word(cmd_table[c].kw) == w ? (enum pop3_cmd)c : POP3_CMD_UNKNOWN;
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
