/*
 * ledger_pool.c - buffers of a session's first sizes, kept for the next
 * session (struct ledger_pool, ledger_priv.h).
 */
#include <stdlib.h>

#include "ledger_priv.h"
#include "util.h"

void *ledger_pool_take(struct ledger_pool *p, size_t size)
{
	return p->n ? p->b[--p->n] : xmalloc(size);
}

void ledger_pool_give(struct ledger_pool *p, void *b)
{
	if (!b)
		return;
	if (p->n < LEDGER_POOL_MAX)
		p->b[p->n++] = b;
	else
		free(b);
}

void ledger_pool_fini(struct ledger_pool *p)
{
	while (p->n)
		free(p->b[--p->n]);
}
