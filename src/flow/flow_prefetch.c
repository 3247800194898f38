/*
 * flow_prefetch.c - the run loop's look-ahead into the flow table: for a
 * packet a few frames on, whose hash the reader thread made, the lines its
 * lookup and its update will read are fetched now, each step reading a
 * pointer the step before fetched (flow.h). Only reads and prefetches:
 * a wrong guess costs a line fetched for nothing, never a wrong answer.
 */
#include "flow.h"
#include "flow_table_priv.h"

/* A packet reads and writes the flow up to its reassembly state. */
static void prefetch_flow(const struct flow *f)
{
	const char *p = (const char *)f;
	for (size_t off = 0; off < offsetof(struct flow, ipver); off += 64)
		__builtin_prefetch(p + off, 1);
}

static struct flow *const *bucket_of(const struct flow_table *t, const struct flow_hash *fh)
{
	return &t->buckets[fh->h & (t->nbuckets - 1)];
}

/* The flow by the hash alone: a rare wrong guess only fetches a line for
 * nothing. */
static const struct flow *guess_flow(const struct flow_table *t, const struct flow_hash *fh)
{
	const struct flow *f = *bucket_of(t, fh);
	while (f && f->hash != fh->h)
		f = f->hnext;
	return f;
}

void flow_table_prefetch_bucket(const struct flow_table *t, const struct flow_hash *fh)
{
	__builtin_prefetch(bucket_of(t, fh));
}

void flow_table_prefetch_flow(const struct flow_table *t, const struct flow_hash *fh)
{
	const struct flow *f = *bucket_of(t, fh);
	if (f)
		prefetch_flow(f);
}

void flow_table_prefetch_links(const struct flow_table *t, const struct flow_hash *fh, bool user)
{
	const struct flow *f = guess_flow(t, fh);
	if (!f)
		return;
	if (f != *bucket_of(t, fh))
		prefetch_flow(f); /* not the chain's first */
	/* the neighbours the move to the LRU list's front rewrites */
	if (f->lru_prev)
		__builtin_prefetch(&f->lru_prev->lru_next, 1);
	if (f->lru_next)
		__builtin_prefetch(&f->lru_next->lru_prev, 1);
	if (user && f->user)
		__builtin_prefetch(f->user);
}

void flow_table_prefetch_user(const struct flow_table *t, const struct flow_hash *fh)
{
	const struct flow *f = guess_flow(t, fh);
	if (f && f->user && t->cb.prefetch)
		t->cb.prefetch(t->cb.ctx, f->user);
}
