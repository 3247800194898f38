/*
 * checks_message.c - the rules on commands about one message: LIST n and
 * UIDL n against the listings, RETR/TOP/DELE message numbers against the
 * maildrop, the deleted set DELE builds, and RETR's delivered size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks_priv.h"
#include "util.h"

/* ---- commands on one message ------------------------------------------- */

static bool count_known(const struct checks *k, uint64_t *count)
{
	if (k->have_stat) {
		*count = k->n0;
		return true;
	}
	if (k->list.have && k->list.complete) {
		*count = k->list.max_num;
		return true;
	}
	return false;
}

void checks_on_single_listing(struct checks *k, const struct pop3_txn *t, bool login_seen)
{
	bool uidl = t->cmd == POP3_CMD_UIDL;
	const char *name = uidl ? "UIDL" : "LIST";
	uint32_t n = t->msgnum;
	uint64_t count = 0;
	struct evidence ev;
	checks_evidence(&ev, t);
	struct listing *l = uidl ? &k->uidl : &k->list;
	bool listed = l->have && n < l->cap && (uidl ? l->uid[n] != 0 : l->size[n] != UINT64_MAX);

	if (t->status == POP3_ST_ERR) {
		if (listed && !is_deleted(k, n)) {
			struct evidence e2[2] = { kept_get(&l->ev), ev };
			checks_fire(k, R_SINGLE_VS_LISTING, SEV_WARNING, e2, 2, ev.ts_us,
				    "%s %u was refused, but the %s listing had message %u (may be "
				    "transient)", name, n, name, n);
		}
		return;
	}
	if (is_deleted(k, n)) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, &ev, 1, ev.ts_us,
			    "%s %u answered +OK for a message marked deleted", name, n);
		return;
	}
	if (login_seen && count_known(k, &count) && n > count) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, &ev, 1, ev.ts_us,
			    "%s %u answered +OK but the maildrop has %llu %s", name, n,
			    (unsigned long long)count, plural(count, "message", "messages"));
		return;
	}
	if (t->n_entries != 1 || (t->entries[0].flags & (POP3_LE_BADNUM | POP3_LE_BADVAL)))
		return; /* not "n value": nothing to compare */
	const struct pop3_entry *e = &t->entries[0];
	if (e->num != n) {
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, &ev, 1, ev.ts_us,
			    "%s %u was answered for message %u", name, n, e->num);
	} else if (listed && !uidl && l->size[n] != e->size) {
		struct evidence e2[2] = { kept_get(&l->ev), ev };
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, e2, 2, ev.ts_us,
			    "LIST %u said %llu octets; the LIST listing said %llu", n,
			    (unsigned long long)e->size, (unsigned long long)l->size[n]);
	} else if (listed && uidl &&
		   l->uid[n] != (account_uid_hash(t->uids + e->uid_off, e->uid_len) ?: 1)) {
		struct evidence e2[2] = { kept_get(&l->ev), ev };
		checks_fire(k, R_SINGLE_VS_LISTING, SEV_ERROR, e2, 2, ev.ts_us,
			    "UIDL %u gave another unique-id than the UIDL listing", n);
	}
}

/* RFC 1939 s11: a size may differ from what RETR delivers by the server's
 * end-of-line convention (LF-only storage: one octet less per line) and by
 * counting the stuffed dots. Exactly those values pass, not a range. */
static bool size_matches(const struct pop3_txn *t, uint64_t size)
{
	uint64_t got = t->data_octets, lf = got - t->data_lines, st = t->data_stuffed;
	return size == got || size == lf || size == got + st || size == lf + st;
}

void checks_on_message_cmd(struct checks *k, const struct pop3_txn *t, bool login_seen)
{
	uint32_t n = t->msgnum;
	uint64_t count = 0;
	bool known = login_seen && count_known(k, &count);

	if (t->status == POP3_ST_OK) {
		if (t->cmd == POP3_CMD_DELE && is_deleted(k, n)) {
			checks_fire_txn(k, R_DELE_NOT_APPLIED, SEV_ERROR, t,
				    "a second DELE %u was answered +OK", n);
			return;
		}
		if (n == 0 || is_deleted(k, n) || (known && n > count)) {
			checks_fire_txn(k, R_MSG_NUMBER_RANGE, SEV_ERROR, t,
				    "%s %u answered +OK although %s", t->keyword, n,
				    n == 0 ? "messages are numbered from 1"
				    : is_deleted(k, n) ? "the message is marked deleted"
						       : "it is past the maildrop's last message");
			return;
		}
	} else if (t->status == POP3_ST_ERR && known && n >= 1 && n <= count && !is_deleted(k, n)) {
		bool temp = !strcmp(t->code, "SYS/TEMP");
		checks_fire_txn(k, R_MSG_NUMBER_RANGE, temp ? SEV_WARNING : SEV_ERROR, t,
			    "%s %u was refused, but STAT said %llu %s", t->keyword, n,
			    (unsigned long long)count, plural(count, "message", "messages"));
		return;
	}
	if (t->status != POP3_ST_OK)
		return;
	if (t->cmd == POP3_CMD_DELE) {
		if (n < CHECKS_MSG_MAX) {
			grow((void **)&k->deleted, &k->deleted_cap, n, 1, 0);
			k->deleted[n] = 1;
			k->n_deleted++;
			k->dver++;
			uint64_t sz = listed_size(k, n);
			if (sz == UINT64_MAX)
				k->deleted_size_unknown = true;
			else
				k->deleted_octets += sz;
		}
		return;
	}
	if (t->cmd != POP3_CMD_RETR || !t->terminated)
		return;
	uint64_t sz = listed_size(k, n), got = t->data_octets;
	uint64_t said;
	const char *sp = strchr(t->text, ' ');
	bool text_size = sp && !strncmp(sp, " octets", 7) &&
			 pop3_parse_u64(t->text, (size_t)(sp - t->text), &said);
	if (sz != UINT64_MAX && !size_matches(t, sz)) {
		struct evidence e2[2] = { kept_get(&k->list.ev) };
		checks_evidence(&e2[1], t);
		checks_fire(k, R_RETR_SIZE, SEV_WARNING, e2, 2, e2[1].ts_us,
			    "LIST said message %u has %llu octets; RETR delivered %llu", n,
			    (unsigned long long)sz, (unsigned long long)got);
	} else if (text_size && !size_matches(t, said)) {
		checks_fire_txn(k, R_RETR_SIZE, SEV_WARNING, t,
			    "RETR %u announced %llu octets and delivered %llu", n,
			    (unsigned long long)said, (unsigned long long)got);
	}
}
