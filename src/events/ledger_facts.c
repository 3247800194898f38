/*
 * ledger_facts.c - a ledger entry's snapshot past its head (ledger.h:
 * the POP3 facts by value, then the user, banner and sensor as strings),
 * packed in a buffer sized to its texts and taken from pools of a few
 * sizes, and given back whole by ledger_snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "ledger_priv.h"
#include "util.h"

/* A session's facts buffer, from the pool of its size when it has one
 * (ledger_priv.h: LEDGER_FACTS_POOLS): each session took a malloc, a
 * realloc when its user came and a free, 8 M instructions on the small
 * bench shape, where the buffers of a few sizes serve every session. */
static struct ledger_pool *facts_pool(struct ledger *lg, size_t cap)
{
	size_t k = (cap - LEDGER_FACTS_POOL_FROM) / 32;
	return cap >= LEDGER_FACTS_POOL_FROM && k < LEDGER_FACTS_POOLS ? &lg->pool_facts[k] : NULL;
}

static void *facts_take(struct ledger *lg, size_t cap)
{
	struct ledger_pool *p = facts_pool(lg, cap);
	return p ? ledger_pool_take(p, cap) : xmalloc(cap);
}

static void facts_give(struct ledger *lg, void *b, size_t cap)
{
	struct ledger_pool *p = b ? facts_pool(lg, cap) : NULL;
	if (p && p->n < LEDGER_FACTS_POOL_MAX)
		ledger_pool_give(p, b);
	else
		free(b);
}

void ledger_facts_free(struct ledger *lg, struct ledger_entry *le)
{
	if (le->facts_cap)
		lg->mem -= le->facts_cap + LEDGER_ALLOC_OVERHEAD;
	facts_give(lg, le->facts, le->facts_cap);
}

/* What `facts` holds: the POP3 facts up to their texts, then user, banner
 * and sensor, each a string with its NUL. The texts must stay last in
 * struct ev_pop3, and the sensor after it: */
#define FACTS_FIXED offsetof(struct ev_pop3, user)
_Static_assert(((FACTS_FIXED + 3 + 31) & ~(size_t)31) == LEDGER_FACTS_POOL_FROM,
	       "the facts pools start at the smallest facts buffer");
_Static_assert(offsetof(struct ev_pop3, banner) ==
		       offsetof(struct ev_pop3, user) + sizeof(((struct ev_pop3 *)0)->user) &&
	       sizeof(struct ev_pop3) - offsetof(struct ev_pop3, banner) -
			       sizeof(((struct ev_pop3 *)0)->banner) < 8,
	       "ev_pop3: user then banner, last (else pack them here too)");
_Static_assert(offsetof(struct ev_session, sensor) > offsetof(struct ev_session, pop3) &&
	       sizeof(struct ev_session) - offsetof(struct ev_session, sensor) - SENSOR_NAME_MAX < 8,
	       "ev_session: the sensor last (else pack it here too)");

void ledger_facts_put(struct ledger *lg, struct ledger_entry *le, const struct ev_session *es)
{
	/* The texts (user, banner, sensor) rarely change within a session:
	 * when they are as kept, only the numbers before them are copied. */
	if (le->facts_len) {
		const uint8_t *t = le->facts + FACTS_FIXED;
		size_t lu = le->facts_lu, lb = le->facts_lb;
		if (text_same(t, lu, es->pop3.user) && text_same(t + lu + 1, lb, es->pop3.banner) &&
		    text_same(t + lu + 1 + lb + 1, le->facts_ls, es->sensor)) {
			memcpy(le->facts, &es->pop3, FACTS_FIXED);
			return;
		}
	}
	size_t lu = strnlen(es->pop3.user, sizeof es->pop3.user - 1);
	size_t lb = strnlen(es->pop3.banner, sizeof es->pop3.banner - 1);
	size_t ls = es->sensor[0] ? strnlen(es->sensor, sizeof es->sensor - 1) : 0; /* a capture's: none */
	size_t n = FACTS_FIXED + lu + 1 + lb + 1 + ls + 1;
	if (n > le->facts_cap) {
		size_t cap = (n + 31) & ~(size_t)31; /* a little room: a user name arrives late */
		if (le->facts_cap)
			lg->mem -= le->facts_cap + LEDGER_ALLOC_OVERHEAD;
		/* all of it is written below: nothing to carry over */
		facts_give(lg, le->facts, le->facts_cap);
		le->facts = facts_take(lg, cap);
		le->facts_cap = (uint32_t)cap;
		lg->mem += cap + LEDGER_ALLOC_OVERHEAD;
	}
	uint8_t *at = le->facts;
	memcpy(at, &es->pop3, FACTS_FIXED);
	at += FACTS_FIXED;
	memcpy(at, es->pop3.user, lu);
	at[lu] = '\0';
	at += lu + 1;
	memcpy(at, es->pop3.banner, lb);
	at[lb] = '\0';
	at += lb + 1;
	memcpy(at, es->sensor, ls);
	at[ls] = '\0';
	le->facts_len = (uint32_t)n;
	le->facts_lu = (uint16_t)lu;
	le->facts_lb = (uint16_t)lb;
	le->facts_ls = (uint16_t)ls;
}

void ledger_snapshot(const struct ledger_entry *le, struct ev_session *out)
{
	memset(out, 0, sizeof *out);
	memcpy(out, &le->snap, sizeof le->snap);
	if (!le->facts_len)
		return;
	const uint8_t *at = le->facts;
	memcpy(&out->pop3, at, FACTS_FIXED);
	at += FACTS_FIXED;
	size_t n = strlen((const char *)at);
	memcpy(out->pop3.user, at, n + 1);
	at += n + 1;
	n = strlen((const char *)at);
	memcpy(out->pop3.banner, at, n + 1);
	at += n + 1;
	n = strlen((const char *)at);
	memcpy(out->sensor, at, n + 1);
}
