/*
 * ledger_txn.c - a ledger entry's transcript: each kept transaction packed
 * into one byte record, appended to the entry's buffer, and unpacked on
 * demand (ledger_tx) into a struct ledger_txn whose texts point into it.
 *
 * A transcript is written once, line by line, and most are never read
 * (the report shows a few sessions; the dashboard the one selected), so
 * it is kept small rather than ready: a struct per line with its texts
 * apart took about 250 bytes and two mallocs a line; packed, numbers as
 * LEB128 (the times as differences from the command's), a line takes
 * about 40 bytes plus its texts, and its session's buffer a realloc now
 * and then. Packing costs about what the report's own line records did:
 * the command's time as 8 plain bytes, the reply's frame and the times
 * after it as differences, the texts copied a word at a time, not by
 * calls. The texts are packed as they came (raw wire text: each reader
 * sanitises or escapes as it renders).
 */
#include <stdlib.h>
#include <string.h>

#include "ledger_priv.h"
#include "util.h"

/* A record: bits, the command's time (8 bytes), then numbers, then
 * (TX_ENTRIES) the listing's count, its uids' length and the two
 * pointers, then keyword, code, args and text, each with its NUL. */
enum { TX_MULTI = 1, TX_TERM = 2, TX_SECRET = 4, TX_ARGS = 8, TX_ENTRIES = 16 };
#define TX_NUMS 12 /* varints after the time, before the listing */
#define TEXT_SLACK 8 /* put_text writes whole words */
#define TXREC_MAX                                                                                      \
	(1 + 8 + 10 * (TX_NUMS + 2) + 2 * sizeof(void *) + POP3_KEYWORD_MAX + 1 + 32 + POP3_ARGS_MAX + 1 + \
	 POP3_TEXT_MAX + 1 + TEXT_SLACK)
#define REC_FIRST 512 /* bytes: a session of ten lines (the bulk shape: 10.5) in one */
#define REC_SECOND (2 * REC_FIRST) /* what a buffer of REC_FIRST grows to */
#define AT_FIRST 16   /* records: the same, with room */

static inline uint8_t *put_var(uint8_t *o, uint64_t v)
{
	if (v < 0x80) { /* most: statuses, commands, deltas, short counts */
		*o = (uint8_t)v;
		return o + 1;
	}
	/* frame numbers, times apart and sizes: mostly two or three bytes,
	 * written without the loop's test a byte */
	if (v < (1u << 14)) {
		o[0] = (uint8_t)(v | 0x80);
		o[1] = (uint8_t)(v >> 7);
		return o + 2;
	}
	if (v < (1u << 21)) {
		o[0] = (uint8_t)(v | 0x80);
		o[1] = (uint8_t)((v >> 7) | 0x80);
		o[2] = (uint8_t)(v >> 14);
		return o + 3;
	}
	while (v >= 0x80) {
		*o++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*o++ = (uint8_t)v;
	return o;
}

static inline const uint8_t *get_var(const uint8_t *p, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned sh = 0;; sh += 7) {
		x |= (uint64_t)(*p & 0x7f) << sh;
		if (!(*p++ & 0x80))
			break;
	}
	*v = x;
	return p;
}

/* Differences of times, either sign (a reply stamped before its command
 * when the capture's clock stepped). */
static uint64_t zz(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;
	return (d << 1) ^ (uint64_t)-(int64_t)(d >> 63);
}

static uint64_t unzz(uint64_t z)
{
	return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
}

/* A text field (an array of `size`: its string, at most size - 1 bytes)
 * with its NUL at o; returns past it. A word at a time, the word's first
 * zero byte found by the usual bit trick (exact for the lowest one): a
 * loop a byte cost twice as much for a keyword, a code or a command's
 * arguments, and strnlen and memcpy more for a reply's text (callgrind,
 * the 300 MB shapes: +1.3 M on small). Whole words are written, so o has
 * TEXT_SLACK bytes of room past the string's NUL. */
static inline uint8_t *put_text(uint8_t *o, const char *s, size_t size)
{
	size_t max = size - 1, i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; i + 8 <= max; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		memcpy(o + i, &w, 8);
		uint64_t z = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
		if (z) {
			size_t n = i + ((size_t)__builtin_ctzll(z) >> 3);
			o[n] = '\0';
			return o + n + 1;
		}
	}
#endif
	for (; i < max && s[i]; i++)
		o[i] = (uint8_t)s[i];
	o[i] = '\0';
	return o + i + 1;
}

static size_t uids_len(const struct pop3_txn *t, size_t keep)
{
	size_t n = 0;
	for (size_t i = 0; i < keep; i++) {
		size_t end = (size_t)t->entries[i].uid_off + t->entries[i].uid_len;
		if (t->entries[i].uid_len && end > n)
			n = end;
	}
	return n;
}

/* What a listing's copies count in the budget. */
static size_t listing_mem(size_t n_entries, size_t ul)
{
	return (n_entries ? n_entries * sizeof(struct pop3_entry) + LEDGER_ALLOC_OVERHEAD : 0) +
	       (ul ? ul + LEDGER_ALLOC_OVERHEAD : 0);
}

void ledger_tx(const struct ledger_entry *le, size_t i, struct ledger_txn *t)
{
	const uint8_t *p = le->rec + le->tx_at[i];
	uint64_t v[TX_NUMS];
	unsigned bits = *p++;
	memset(t, 0, sizeof *t);
	memcpy(&t->req_ts_us, p, 8);
	p += 8;
	for (int k = 0; k < TX_NUMS; k++)
		p = get_var(p, &v[k]);
	t->multiline = bits & TX_MULTI;
	t->terminated = bits & TX_TERM;
	t->secret = bits & TX_SECRET;
	t->has_args = bits & TX_ARGS;
	t->status = (enum pop3_status)v[0];
	t->cmd = (enum pop3_cmd)v[1];
	t->index = v[2];
	t->req_frame = v[3];
	t->rep_frame = t->req_frame + unzz(v[4]);
	t->end_frame = t->rep_frame + unzz(v[5]);
	t->rep_ts_us = t->req_ts_us + unzz(v[6]);
	t->end_ts_us = t->rep_ts_us + unzz(v[7]);
	t->data_lines = v[8];
	t->data_octets = v[9];
	t->flags = (uint32_t)v[10];
	t->n_entries_seen = (uint32_t)v[11];
	if (bits & TX_ENTRIES) {
		uint64_t n, ul;
		p = get_var(p, &n);
		p = get_var(p, &ul);
		t->n_entries = (uint32_t)n;
		memcpy(&t->entries, p, sizeof t->entries);
		memcpy(&t->uids, p + sizeof t->entries, sizeof t->uids);
		p += sizeof t->entries + sizeof t->uids;
		if (!ul)
			t->uids = NULL;
	}
	size_t n = strlen((const char *)p);
	memcpy(t->keyword, p, n + 1);
	p += n + 1;
	n = strlen((const char *)p);
	memcpy(t->code, p, n + 1);
	p += n + 1;
	t->args = (const char *)p;
	p += strlen(t->args) + 1;
	t->text = (const char *)p;
}

/* Pack t into o (TXREC_MAX bytes); the listing's copies are made by the
 * caller once there is room. Returns the record's length. */
static size_t pack(uint8_t *o0, const struct pop3_txn *t, size_t n_entries, size_t ul,
		   const struct pop3_entry *entries, const char *uids)
{
	uint8_t *o = o0;
	*o++ = (uint8_t)((t->multiline ? TX_MULTI : 0) | (t->terminated ? TX_TERM : 0) |
			 (t->secret ? TX_SECRET : 0) | (t->has_args ? TX_ARGS : 0) | (n_entries ? TX_ENTRIES : 0));
	memcpy(o, &t->req_ts_us, 8);
	o += 8;
	o = put_var(o, (uint64_t)t->status);
	o = put_var(o, (uint64_t)t->cmd);
	o = put_var(o, t->index);
	o = put_var(o, t->req_frame);
	o = put_var(o, zz(t->rep_frame, t->req_frame));
	o = put_var(o, zz(t->end_frame, t->rep_frame));
	o = put_var(o, zz(t->rep_ts_us, t->req_ts_us));
	o = put_var(o, zz(t->end_ts_us, t->rep_ts_us));
	o = put_var(o, t->data_lines);
	o = put_var(o, t->data_octets);
	o = put_var(o, t->flags);
	o = put_var(o, t->n_entries);
	if (n_entries) {
		o = put_var(o, n_entries);
		o = put_var(o, ul);
		memcpy(o, &entries, sizeof entries);
		memcpy(o + sizeof entries, &uids, sizeof uids);
		o += sizeof entries + sizeof uids;
	}
	_Static_assert(sizeof t->code <= 32, "code: as TXREC_MAX counts it");
	o = put_text(o, t->keyword, sizeof t->keyword);
	o = put_text(o, t->code, sizeof t->code);
	o = put_text(o, t->args, sizeof t->args); /* mostly a number or a name */
	o = put_text(o, t->text, sizeof t->text);
	return (size_t)(o - o0);
}

void ledger_add_txn(struct ledger *lg, struct ledger_entry *le, const struct pop3_txn *t)
{
	if (le->n_tx >= lg->o.txns_per_session_max || le->transcript_evicted) {
		le->tx_dropped++;
		lg->st.txns_dropped++;
		return;
	}
	size_t keep = t->entries ? t->n_entries : 0;
	if (keep > lg->o.entries_per_txn_max) {
		lg->st.entries_dropped += keep - lg->o.entries_per_txn_max;
		keep = lg->o.entries_per_txn_max;
	}
	size_t ul = keep && t->uids ? uids_len(t, keep) : 0;
	uint8_t rec[TXREC_MAX];
	/* the listing's pointers are packed once made: sized here with NULLs */
	size_t rn = pack(rec, t, keep, ul, NULL, NULL);
	/* What it adds, counted as allocated: the buffer's and the index's growth. */
	size_t rcap = le->rec_cap, acap = le->cap_tx;
	if (le->rec_len + rn > rcap) {
		rcap = rcap ? 2 * rcap : REC_FIRST;
		while (le->rec_len + rn > rcap)
			rcap *= 2;
	}
	if (le->n_tx == acap) {
		acap = acap ? 2 * acap : AT_FIRST;
		if (acap > lg->o.txns_per_session_max)
			acap = lg->o.txns_per_session_max;
	}
	size_t grow = (rcap - le->rec_cap) + (le->rec_cap ? 0 : LEDGER_ALLOC_OVERHEAD) +
		      (acap - le->cap_tx) * sizeof *le->tx_at + (le->cap_tx ? 0 : LEDGER_ALLOC_OVERHEAD);
	size_t lm = listing_mem(keep, ul);
	if (!ledger_make_room(lg, grow + lm, le)) {
		le->tx_dropped++;
		lg->st.txns_dropped++;
		return;
	}
	if (rcap != le->rec_cap) {
		if (le->rec_cap == REC_FIRST && rcap == REC_SECOND) {
			/* most sessions of the small bench shape outgrow their
			 * first buffer once: a pooled one and a copy, not a
			 * realloc (its malloc, copy and free: 1,200 instructions) */
			uint8_t *r = ledger_pool_take(&lg->pool_rec2, rcap);
			memcpy(r, le->rec, le->rec_len);
			ledger_pool_give(&lg->pool_rec, le->rec);
			le->rec = r;
		} else {
			le->rec = le->rec_cap ? xrealloc(le->rec, rcap)
				  : rcap == REC_FIRST ? ledger_pool_take(&lg->pool_rec, rcap) : xmalloc(rcap);
		}
		le->rec_cap = rcap;
	}
	if (acap != le->cap_tx) {
		le->tx_at = le->cap_tx ? xrealloc(le->tx_at, acap * sizeof *le->tx_at)
			    : acap == AT_FIRST ? ledger_pool_take(&lg->pool_at, acap * sizeof *le->tx_at)
					       : xmalloc(acap * sizeof *le->tx_at);
		le->cap_tx = acap;
	}
	if (keep) {
		le->listings = true;
		struct pop3_entry *e = xmalloc(keep * sizeof *e);
		memcpy(e, t->entries, keep * sizeof *e);
		char *u = NULL;
		if (ul) {
			u = xmalloc(ul);
			memcpy(u, t->uids, ul);
		}
		rn = pack(rec, t, keep, ul, e, u);
	}
	memcpy(le->rec + le->rec_len, rec, rn);
	le->tx_at[le->n_tx++] = (uint32_t)le->rec_len;
	le->rec_len += rn;
	le->mem += grow + lm;
	lg->mem += grow + lm;
}

/* The listings' copies alone. */
static void ledger_listings_free(struct ledger *lg, struct ledger_entry *le)
{
	if (!le->listings)
		return;
	size_t m = 0;
	for (size_t i = 0; i < le->n_tx; i++) {
		const uint8_t *p = le->rec + le->tx_at[i];
		if (!(*p++ & TX_ENTRIES))
			continue;
		p += 8;
		uint64_t v, n, ul;
		for (int k = 0; k < TX_NUMS; k++)
			p = get_var(p, &v);
		p = get_var(p, &n);
		p = get_var(p, &ul);
		struct pop3_entry *e;
		char *u;
		memcpy(&e, p, sizeof e);
		memcpy(&u, p + sizeof e, sizeof u);
		m += listing_mem((size_t)n, (size_t)ul);
		free(e);
		free(u);
	}
	lg->mem -= m;
	le->mem -= m;
	le->listings = false;
}

void ledger_transcript_free(struct ledger *lg, struct ledger_entry *le)
{
	ledger_listings_free(lg, le);
	size_t m = 0;
	if (le->rec_cap)
		m += le->rec_cap + LEDGER_ALLOC_OVERHEAD;
	if (le->cap_tx)
		m += le->cap_tx * sizeof *le->tx_at + LEDGER_ALLOC_OVERHEAD;
	lg->mem -= m;
	le->mem -= m;
	if (le->rec_cap == REC_FIRST)
		ledger_pool_give(&lg->pool_rec, le->rec);
	else if (le->rec_cap == REC_SECOND)
		ledger_pool_give(&lg->pool_rec2, le->rec);
	else
		free(le->rec);
	if (le->cap_tx == AT_FIRST)
		ledger_pool_give(&lg->pool_at, le->tx_at);
	else
		free(le->tx_at);
	le->rec = NULL;
	le->tx_at = NULL;
	le->rec_len = le->rec_cap = 0;
	le->n_tx = le->cap_tx = 0;
}
