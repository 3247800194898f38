/*
 * idmap.c - the id map of idmap.h.
 */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "util.h"

#define IDMAP_MIN 16

static size_t slot_of(const struct idmap *m, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 17) & (m->cap - 1);
}

void idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof *m);
}

void idmap_fini(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

void *idmap_get(const struct idmap *m, uint64_t id)
{
	if (m->cap == 0 || id == 0)
		return NULL;
	for (size_t i = slot_of(m, id);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == id)
			return m->vals[i];
		if (m->keys[i] == 0)
			return NULL;
	}
}

static void idmap_grow(struct idmap *m)
{
	struct idmap old = *m;
	m->cap = old.cap ? old.cap * 2 : IDMAP_MIN;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->vals = xcalloc(m->cap, sizeof *m->vals);
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i])
			idmap_put(m, old.keys[i], old.vals[i]);
	free(old.keys);
	free(old.vals);
}

void idmap_put(struct idmap *m, uint64_t id, void *v)
{
	if (id == 0)
		return;
	if ((m->n + 1) * 4 > m->cap * 3)
		idmap_grow(m);
	size_t i = slot_of(m, id);
	while (m->keys[i] && m->keys[i] != id)
		i = (i + 1) & (m->cap - 1);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = id;
	m->vals[i] = v;
}

void *idmap_del(struct idmap *m, uint64_t id)
{
	if (m->cap == 0 || id == 0)
		return NULL;
	size_t mask = m->cap - 1, i = slot_of(m, id);
	while (m->keys[i] != id) {
		if (!m->keys[i])
			return NULL;
		i = (i + 1) & mask;
	}
	void *v = m->vals[i];
	/* Backward-shift: move later entries of the probe run into the hole. */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->keys[j]);
		/* j may move to hole unless its home lies cyclically in (hole, j]. */
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (!stays) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			hole = j;
		}
	}
	m->keys[hole] = 0;
	m->vals[hole] = NULL;
	m->n--;
	return v;
}
