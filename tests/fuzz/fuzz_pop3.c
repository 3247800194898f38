/*
 * fuzz_pop3.c - libFuzzer target for the POP3 dissector (pop3_dissect.c,
 * the framer and the data-line parsers behind it).
 *
 * Input: byte 0 = options (bit 0 show_secrets, bit 1 tls_port, bit 2
 * midstream), then records:
 *   ctl, len (u16 LE), then len bytes unless it is a gap
 *     ctl bit 0: direction (0 client->server, 1 server->client)
 *     ctl bit 1: a gap of len bytes instead of data
 *     ctl bit 2: feed the chunk split at a fuzzer-chosen point (ctl >> 3)
 * A truncated last record feeds what is there. Each chunk is copied into a
 * buffer of exactly its size, so ASan sees reads past it. The seed maker
 * writes real sessions in this format (one record per reassembled run).
 *
 * Oracles: every transaction and the connection info have terminated
 * strings within their arrays, entries and uids stay inside their arrays,
 * and counters stay consistent (data_octets only with multi-line replies).
 * A second connection is fed the same chunks, each with the line note the
 * file reader would make for it (pop3_payload_lines): it must hand on the
 * same transactions and end with the same counters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_pop3: check failed: %s\n", #cond); \
			abort();                                                \
		}                                                               \
	} while (0)

#define TERMINATED(arr) (memchr((arr), '\0', sizeof(arr)) != NULL)

struct ctx {
	uint64_t txns;
	bool show_secrets;
	uint64_t digest;  /* of what each transaction says about its lines */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static void on_txn(void *c_, const struct pop3_txn *t)
{
	struct ctx *c = c_;
	CHECK(t->index == c->txns);
	c->txns++;
	uint64_t h = mix(c->digest, t->cmd);
	h = mix(h, t->status);
	h = mix(h, t->flags);
	h = mix(h, t->data_lines);
	h = mix(h, t->data_octets);
	h = mix(h, t->data_stuffed);
	h = mix(h, t->end_frame);
	h = mix(h, t->terminated);
	c->digest = mix(h, t->n_entries);
	CHECK((unsigned)t->cmd < POP3_CMD__COUNT);
	CHECK(pop3_cmd_name(t->cmd) != NULL);
	CHECK(TERMINATED(t->keyword) && TERMINATED(t->args) && TERMINATED(t->code) &&
	      TERMINATED(t->text) && TERMINATED(t->sasl));
	CHECK(pop3_status_str(t->status) != NULL);
	CHECK(pop3_state_name(t->state_before) != NULL);
	if (!t->multiline)
		CHECK(!t->terminated);
	if (t->secret && !c->show_secrets)
		CHECK(strstr(t->args, POP3_REDACTED) != NULL || t->args[0] == '\0');
	if (t->cmd == POP3_CMD_PASS && t->has_args && !c->show_secrets)
		CHECK(strcmp(t->args, POP3_REDACTED) == 0);
	CHECK(t->n_entries <= POP3_LISTING_MAX);
	CHECK(t->n_entries == 0 || t->entries != NULL);
	/* Touch every entry and its uid: out-of-bounds trips ASan. */
	volatile uint64_t sum = 0;
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct pop3_entry *e = &t->entries[i];
		sum += e->num + e->size;
		CHECK(e->uid_len <= POP3_UID_MAX + 1);
		if (e->uid_len) {
			CHECK(t->uids != NULL);
			for (uint32_t k = 0; k < e->uid_len; k++)
				sum += (uint8_t)t->uids[e->uid_off + k];
		}
	}
	(void)sum;
}

static void check_info(const struct pop3_conn_info *ci)
{
	CHECK(strlen(ci->user) <= POP3_ARGS_MAX && strlen(ci->banner) <= POP3_TEXT_MAX &&
	      strlen(ci->apop_ts) <= POP3_APOP_TS_MAX);
	CHECK(pop3_state_name(ci->state) != NULL);
	for (int d = 0; d < 2; d++)
		CHECK(ci->tls_bytes[d] <= ci->bytes[d]);
}

static void feed(struct pop3_conn *pc, int dir, const uint8_t *p, size_t n, uint64_t frame,
		 bool noted)
{
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, p, n);
	struct pop3_payload_lines pl;
	struct seg_meta m = { .frame = frame, .ts_us = frame * 1000 };
	if (noted) {
		pop3_payload_lines(&pl, exact, n);
		m.payload_note = &pl;
	}
	pop3_feed(pc, dir, exact, n, &m);
	free(exact);
}

static void same_info(const struct pop3_conn_info *a, const struct pop3_conn_info *b)
{
	for (int d = 0; d < 2; d++)
		CHECK(a->bytes[d] == b->bytes[d] && a->lines[d] == b->lines[d] &&
		      a->bare_lf[d] == b->bare_lf[d] && a->long_lines[d] == b->long_lines[d]);
	CHECK(a->state == b->state && a->txns == b->txns && a->garbage_lines == b->garbage_lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct ctx c = { 0, (data[0] & 1) != 0, 0 }, cn = c;
	struct pop3_opts o = { (data[0] & 1) != 0, (data[0] & 2) != 0, NULL };
	struct pop3_cb cb = { on_txn, &c }, cbn = { on_txn, &cn };
	struct pop3_conn *pc = pop3_conn_new(&o, &cb, (data[0] & 4) != 0);
	struct pop3_conn *pn = pop3_conn_new(&o, &cbn, (data[0] & 4) != 0); /* with notes */
	size_t off = 1;
	uint64_t frame = 0;

	while (off < size) {
		uint8_t ctl = data[off++];
		int dir = ctl & 1;
		size_t len = 0;
		if (size - off >= 2) {
			len = (size_t)data[off] | (size_t)data[off + 1] << 8;
			off += 2;
		} else {
			off = size;
		}
		frame++;
		if (ctl & 2) {
			struct seg_meta m = { .frame = frame, .ts_us = frame * 1000 };
			pop3_gap(pc, dir, len ? len : 1, &m);
			pop3_gap(pn, dir, len ? len : 1, &m);
		} else {
			if (len > size - off)
				len = size - off;
			size_t split = (ctl & 4) ? ((size_t)(ctl >> 3) * 7) : len;
			if (split > len)
				split = len;
			for (int noted = 0; noted < 2; noted++) {
				struct pop3_conn *to = noted ? pn : pc;
				if (split)
					feed(to, dir, data + off, split, frame, noted);
				if (len - split)
					feed(to, dir, data + off + split, len - split, frame, noted);
			}
			off += len;
		}
		check_info(pop3_conn_info(pc));
	}
	struct seg_meta m = { .frame = frame + 1, .ts_us = (frame + 1) * 1000 };
	pop3_finish(pc, &m);
	pop3_finish(pn, &m);
	const struct pop3_conn_info *ci = pop3_conn_info(pc);
	check_info(ci);
	CHECK(ci->txns == c.txns);
	CHECK(cn.txns == c.txns && cn.digest == c.digest);
	same_info(ci, pop3_conn_info(pn));
	pop3_conn_free(pc);
	pop3_conn_free(pn);
	return 0;
}
