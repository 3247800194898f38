/*
 * idmap.h - a map from a session id to a per-session record, for the
 * sinks and the --from reader (which keeps the sessions open between
 * their lines). Below both, in src/util/, so the reader in the event
 * stage does not reach up into the sinks for it.
 */
#ifndef POP3MON_IDMAP_H
#define POP3MON_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Open addressing, linear probing, power-of-two slots, backward-shift
 * delete. Keys are flow ids: assigned 1, 2, 3... by our own flow table,
 * never chosen on the wire, so a multiplicative hash is enough here (the
 * seeded SipHash guards the flow table, whose keys strangers choose).
 * Key 0 marks an empty slot.
 */
struct idmap {
	uint64_t *keys;
	void **vals;
	size_t cap, n;
};

void idmap_init(struct idmap *m);
void idmap_fini(struct idmap *m);   /* values are the caller's to free first */
void *idmap_get(const struct idmap *m, uint64_t id);
void idmap_put(struct idmap *m, uint64_t id, void *v); /* id != 0; replaces */
void *idmap_del(struct idmap *m, uint64_t id);         /* returns the value or NULL */

#endif
