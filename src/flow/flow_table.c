/*
 * flow_table.c - connections on watched ports, keyed by a seeded SipHash.
 *
 * The key is the two endpoints in a canonical order, so both directions
 * find the same entry with one lookup; the client/server roles are decided
 * once, when the flow is created. Chained buckets, power of two, doubled
 * when the load passes 1. An LRU list (most recent first) gives O(1)
 * eviction at the cap and lets expiry stop at the first live flow.
 * A packet without payload never creates a flow unless it is a SYN: the
 * last ACK of a closed connection must not open a phantom session.
 *
 * Connections that never became sessions are ended by their handshake: a
 * SYN answered by RST (refused), a SYN never answered within no_answer_us
 * (no_answer), a connection accepted whose server sent nothing within
 * no_greeting_us or closed first (no_greeting), an RST before the server's
 * first byte (reset_before_greeting). Two FIFO timer lists (flows waiting
 * for the SYN-ACK, flows waiting for the server's first byte) are ordered
 * by their deadline, since every deadline is its event's time plus one
 * fixed timeout: expiry pops their heads. A refused or unanswered flow is
 * kept after its close, "ended", so that the client's SYN retransmissions
 * (same ISN) are absorbed instead of opening one session each; it is freed
 * silently at the idle timeout, at eviction or at the end of input.
 */
#include "flow.h"
#include "flow_table_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"


enum { HS_NONE, HS_SYN_WAIT, HS_GREET_WAIT };

static void hs_expire(struct flow_table *t, uint64_t now_us);

static const char *const end_names[] = {
#define X(id, name) name,
	FLOW_END_LIST(X)
#undef X
};

const char *flow_end_name(enum flow_end e)
{
	return (unsigned)e < ARRAY_LEN(end_names) ? end_names[e] : "?";
}

bool flow_table_port_watched(const struct flow_table *t, uint16_t port)
{
	return t->watched[port >> 3] & (1u << (port & 7));
}

static void reasm_data_cb(void *ctx, void *obj, int dir, const uint8_t *p, size_t n,
			  const struct seg_meta *m)
{
	struct flow_table *t = ctx;
	t->cb.data(t->cb.ctx, obj, dir, p, n, m);
}

static void reasm_gap_cb(void *ctx, void *obj, int dir, uint64_t len, const struct seg_meta *m)
{
	struct flow_table *t = ctx;
	t->cb.gap(t->cb.ctx, obj, dir, len, m);
}

struct flow_table *flow_table_new(const struct flow_opts *o, const struct flow_cb *cb)
{
	struct flow_table *t = xcalloc(1, sizeof(*t));
	t->o = *o;
	t->o.ports = NULL;
	t->cb = *cb;
	t->nbuckets = 1024;
	t->hs_due = UINT64_MAX;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	if (o->hasher)
		t->hz = *o->hasher;
	else
		flow_hasher_init(&t->hz);
	t->o.hasher = NULL;
	for (size_t i = 0; i < o->nports; i++)
		t->watched[o->ports[i] >> 3] |= (uint8_t)(1u << (o->ports[i] & 7));
	struct reasm_cb rcb = { reasm_data_cb, reasm_gap_cb, t };
	reasm_init(&t->reasm, &o->reasm, &rcb);
	return t;
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_push_front(struct flow_table *t, struct flow *f)
{
	f->lru_prev = NULL;
	f->lru_next = t->lru_head;
	if (t->lru_head)
		t->lru_head->lru_prev = f;
	t->lru_head = f;
	if (!t->lru_tail)
		t->lru_tail = f;
}

static void hash_grow(struct flow_table *t)
{
	size_t n = t->nbuckets * 2;
	struct flow **nb = xcalloc(n, sizeof(*nb));
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct flow *f = t->buckets[i];
		while (f) {
			struct flow *next = f->hnext;
			size_t b = f->hash & (n - 1);
			f->hnext = nb[b];
			nb[b] = f;
			f = next;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

/* Unlink from hash and LRU (step one), then free (step two): see flow_close. */
static void flow_unlink(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(t, f);
}

/* Every packet compares its time with one word instead of testing both
 * lists' heads (16 instructions a packet): kept by whatever moves a head. */
static void hs_due_update(struct flow_table *t)
{
	const struct flow *a = t->hs_head[HS_SYN_WAIT], *b = t->hs_head[HS_GREET_WAIT];
	uint64_t da = a ? a->hs.syn_ts + t->o.no_answer_us : UINT64_MAX;
	uint64_t db = b ? b->hs.synack_ts + t->o.no_greeting_us : UINT64_MAX;
	t->hs_due = da < db ? da : db;
}

static void hs_unlink(struct flow_table *t, struct flow *f)
{
	int l = f->hs_list;
	if (l == HS_NONE)
		return;
	if (f->hs_prev)
		f->hs_prev->hs_next = f->hs_next;
	else
		t->hs_head[l] = f->hs_next;
	if (f->hs_next)
		f->hs_next->hs_prev = f->hs_prev;
	else
		t->hs_tail[l] = f->hs_prev;
	f->hs_prev = f->hs_next = NULL;
	f->hs_list = HS_NONE;
	hs_due_update(t);
}

/* Append: deadlines are event time + a fixed timeout, so the list stays
 * in deadline order (capture time only moves forward, near enough). */
static void hs_push(struct flow_table *t, struct flow *f, int l)
{
	hs_unlink(t, f);
	f->hs_list = (uint8_t)l;
	f->hs_prev = t->hs_tail[l];
	f->hs_next = NULL;
	if (t->hs_tail[l])
		t->hs_tail[l]->hs_next = f;
	else
		t->hs_head[l] = f;
	t->hs_tail[l] = f;
	hs_due_update(t);
}

/* An ended flow goes without a word: its close was reported already. */
static void ended_free(struct flow_table *t, struct flow *f)
{
	flow_unlink(t, f);
	t->nended--;
	free(f);
}

/* Why did it really end? The handshake can say more than the event that
 * closed it: a RST to the SYN, a SYN never answered, a server that never
 * greeted. Only flows on a watched port are judged so (content detection
 * of other ports is the layer above's). */
static enum flow_end refine_end(const struct flow_table *t, const struct flow *f,
				enum flow_end why)
{
	bool no_bytes = !f->bytes[DIR_C2S] && !f->bytes[DIR_S2C];
	if (!f->watched || why == FLOW_END_REUSED)
		return f->rst ? FLOW_END_RST : why;
	if (f->rst) {
		if (f->syn_seen && !f->synack_seen && no_bytes && f->hs.rst_dir == DIR_S2C)
			return FLOW_END_REFUSED;
		if (f->synack_seen && !f->bytes[DIR_S2C])
			return FLOW_END_RESET_BEFORE_GREETING;
		return FLOW_END_RST;
	}
	if (f->synack_seen && !f->bytes[DIR_S2C]) {
		if (why == FLOW_END_FIN && f->hs.first_fin_dir == DIR_S2C)
			return FLOW_END_NO_GREETING; /* the server closed instead of greeting */
		if (t->o.no_greeting_us && t->clock >= f->hs.synack_ts + t->o.no_greeting_us)
			return FLOW_END_NO_GREETING;
	}
	if (f->syn_seen && !f->synack_seen && no_bytes && !f->fin[DIR_S2C] && t->o.no_answer_us &&
	    t->clock >= f->hs.syn_ts + t->o.no_answer_us)
		return FLOW_END_NO_ANSWER;
	return why;
}

static void flow_close(struct flow_table *t, struct flow *f, enum flow_end why,
		       const struct seg_meta *m)
{
	struct seg_meta last = { .frame = f->last_frame, .ts_us = f->last_ts };
	why = refine_end(t, f, why);
	if (!m)
		m = &last;
	/* Deliver what is still buffered (declaring holes) before the close. */
	reasm_flush(&t->reasm, &f->dir[DIR_C2S], f, DIR_C2S, m);
	reasm_flush(&t->reasm, &f->dir[DIR_S2C], f, DIR_S2C, m);
	hs_unlink(t, f);
	t->st.active--;
	t->st.closed++;
	switch (why) {
	case FLOW_END_REFUSED: t->st.refused++; break;
	case FLOW_END_NO_ANSWER: t->st.no_answer++; break;
	case FLOW_END_NO_GREETING: t->st.no_greeting++; break;
	case FLOW_END_RESET_BEFORE_GREETING: t->st.reset_before_greeting++; break;
	default: break;
	}
	/* kept ended: a refused or unanswered attempt (its SYN retransmissions
	 * are absorbed), a connection nobody shows (the rest of it is) */
	bool keep = why == FLOW_END_REFUSED || why == FLOW_END_NO_ANSWER ||
		    (f->quiet && why == FLOW_END_NOT_POP3);
	if (!keep)
		flow_unlink(t, f);
	t->cb.close(t->cb.ctx, f, why, m);
	reasm_dir_fini(&t->reasm, &f->dir[0]);
	reasm_dir_fini(&t->reasm, &f->dir[1]);
	if (keep) {
		f->ended = true;
		f->user = NULL;
		t->nended++;
	} else {
		free(f);
	}
}

/* Which way a packet goes on its flow. Both ends the same (a connection
 * to itself): all of it is the client's. */
static int dir_of(const struct flow_hash *fh, const struct flow *f)
{
	return f->dir_by_order[fh->order];
}

/* The whole key compared, in two parts: an IPv4 key without a tunnel
 * fits in the first 16 bytes, zeros after, and matches only a flow whose
 * key is zero there too (key_short), so its lookup reads 16 bytes, not 48. */
static struct flow *flow_lookup(struct flow_table *t, const struct flow_hash *fh)
{
	bool fh_short = fh->keylen <= 16; /* make_key zeroes the key past keylen */
	for (struct flow *f = t->buckets[fh->h & (t->nbuckets - 1)]; f; f = f->hnext)
		if (f->hash == fh->h && !memcmp(f->key, fh->key, 16) &&
		    (fh_short ? f->key_short
			      : !memcmp(f->key + 16, fh->key + 16, sizeof(f->key) - 16)))
			return f;
	return NULL;
}

/* Is the packet's source the client? Decided once per flow. */
static bool src_is_client(const struct flow_table *t, const struct packet *p)
{
	if ((p->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return true;
	if ((p->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return false;
	bool sw = flow_table_port_watched(t, p->sport), dw = flow_table_port_watched(t, p->dport);
	if (dw != sw)
		return dw;
	return p->dport <= p->sport;
}

static struct flow *flow_create(struct flow_table *t, const struct packet *p,
				const struct flow_hash *fh, const struct seg_meta *m)
{
	if (t->st.active + t->nended >= t->o.max_flows && t->lru_tail) {
		if (t->lru_tail->ended) {
			ended_free(t, t->lru_tail);
		} else {
			t->st.evicted++;
			flow_close(t, t->lru_tail, FLOW_END_EVICTED, m);
		}
	}
	struct flow *f = xcalloc(1, sizeof(*f));
	f->id = ++t->next_id;
	f->ipver = p->ipver;
	bool cli = src_is_client(t, p);
	memcpy(f->cli, cli ? p->src : p->dst, 16);
	memcpy(f->srv, cli ? p->dst : p->src, 16);
	f->cport = cli ? p->sport : p->dport;
	f->sport = cli ? p->dport : p->sport;
	f->vlan = p->vlan;
	if (p->tun.depth) {
		f->tun = p->tun;
		if (!cli) { /* outer addresses as seen from the client's side */
			memcpy(f->tun.src, p->tun.dst, 16);
			memcpy(f->tun.dst, p->tun.src, 16);
		}
	}
	f->first_ts = f->last_ts = m->ts_us;
	f->first_frame = f->last_frame = m->frame;
	f->midstream = !(p->flags & TCP_SYN);
	f->watched = flow_table_port_watched(t, f->sport) || flow_table_port_watched(t, f->cport);
	f->hs.first_fin_dir = -1;
	f->hash = fh->h;
	memcpy(f->key, fh->key, sizeof(f->key));
	f->key_short = 1;
	for (size_t i = 16; i < sizeof(f->key); i++)
		f->key_short &= f->key[i] == 0;
	f->cli_first = cli == (fh->order == FLOW_SRC_FIRST);
	f->dir_by_order[FLOW_SRC_FIRST] = f->cli_first ? DIR_C2S : DIR_S2C;
	f->dir_by_order[FLOW_DST_FIRST] = f->cli_first ? DIR_S2C : DIR_C2S;
	f->dir_by_order[FLOW_SAME_ENDS] = DIR_C2S;
	size_t b = f->hash & (t->nbuckets - 1);
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	lru_push_front(t, f);
	t->st.created++;
	if (++t->st.active > t->st.peak_active)
		t->st.peak_active = t->st.active;
	if (t->st.active > t->nbuckets)
		hash_grow(t);
	t->cb.open(t->cb.ctx, f);
	return f;
}

uint64_t flow_table_packet(struct flow_table *t, const struct packet *p, const struct seg_meta *m)
{
	struct flow_hash fh;
	flow_hasher_hash(&t->hz, p, &fh);
	return flow_table_packet_hashed(t, p, m, &fh);
}

uint64_t flow_table_packet_hashed(struct flow_table *t, const struct packet *p,
				  const struct seg_meta *m, const struct flow_hash *fh)
{
	if (!flow_table_port_watched(t, p->sport) && !flow_table_port_watched(t, p->dport)) {
		t->st.not_watched++;
		if (!t->o.all_ports)
			return 0;
	}
	if (m->ts_us > t->clock)
		t->clock = m->ts_us;
	/* A handshake timer due before this packet fires first, so a late
	 * retransmission finds the flow ended. */
	if (t->hs_due <= m->ts_us)
		hs_expire(t, m->ts_us);
	struct flow *f = flow_lookup(t, fh);
	bool syn_only = (p->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;

	if (f && f->ended && f->quiet) {
		/* the rest of a connection nobody shows: absorbed until its end
		 * (a new SYN on the same ports is a new connection) */
		if (!(syn_only && !(f->syn_seen && p->seq == f->isn))) {
			if (p->flags & TCP_FIN)
				f->fin[dir_of(fh, f)] = true;
			f->last_ts = m->ts_us;
			if ((p->flags & TCP_RST) || (f->fin[0] && f->fin[1])) {
				ended_free(t, f);
			} else if (t->lru_head != f) {
				lru_unlink(t, f);
				lru_push_front(t, f);
			}
			return 0;
		}
		ended_free(t, f);
		f = NULL;
	}
	if (f && f->ended) {
		/* The client retrying the refused or unanswered SYN, or the RST
		 * to such a retry: part of the attempt already reported. */
		if (p->payload_wirelen == 0 && !(p->flags & TCP_FIN) &&
		    ((syn_only && p->seq == f->isn) || (p->flags & (TCP_SYN | TCP_RST)) == TCP_RST)) {
			t->st.syn_absorbed++;
			f->last_ts = m->ts_us;
			if (t->lru_head != f) {
				lru_unlink(t, f);
				lru_push_front(t, f);
			}
			return 0;
		}
		ended_free(t, f); /* anything else: a late answer, a new connection */
		f = NULL;
	}

	/* A SYN with a new ISN on a used flow is a new connection; the same ISN
	 * is a retransmitted attempt (Zeek counts those as one connection). */
	if (f && syn_only && (f->bytes[0] || f->bytes[1] || f->fin[0] || f->fin[1] || f->rst) &&
	    !(f->syn_seen && p->seq == f->isn)) {
		flow_close(t, f, FLOW_END_REUSED, m); /* a new connection on the same ports */
		f = NULL;
	}
	if (!f) {
		if (!(p->flags & TCP_SYN) && p->payload_wirelen == 0) {
			t->st.ignored_no_flow++;
			return 0;
		}
		f = flow_create(t, p, fh, m);
	} else if (t->lru_head != f) {
		lru_unlink(t, f);
		lru_push_front(t, f);
	}

	int dir = dir_of(fh, f);
	f->last_ts = m->ts_us;
	f->last_frame = m->frame;
	f->pkts[dir]++;
	f->bytes[dir] += p->payload_wirelen;
	if (p->flags & (TCP_SYN | TCP_RST | TCP_FIN)) {
		/* the handshake and the ends, a few packets a connection: one
		 * test for the others */
		if (p->flags & TCP_SYN) {
			if (p->flags & TCP_ACK) {
				if (!f->synack_seen) {
					f->hs.synack_frame = m->frame;
					f->hs.synack_ts = m->ts_us;
					hs_unlink(t, f);
					if (f->watched && t->o.no_greeting_us && !f->bytes[DIR_S2C])
						hs_push(t, f, HS_GREET_WAIT);
				}
				f->synack_seen = true;
			} else if (f->syn_seen && p->seq == f->isn) {
				f->hs.syns++;
				f->hs.last_syn_frame = m->frame;
				f->hs.last_syn_ts = m->ts_us;
			} else {
				f->syn_seen = true;
				f->isn = p->seq;
				f->hs.syns = 1;
				f->hs.syn_frame = f->hs.last_syn_frame = m->frame;
				f->hs.syn_ts = f->hs.last_syn_ts = m->ts_us;
				hs_due_update(t); /* were it a head, its deadline moved */
				if (f->watched && t->o.no_answer_us && !f->synack_seen && !f->bytes[0] &&
				    !f->bytes[1])
					hs_push(t, f, HS_SYN_WAIT);
			}
		}
		if ((p->flags & TCP_RST) && !f->hs.rst_frame) {
			f->hs.rst_frame = m->frame;
			f->hs.rst_ts = m->ts_us;
			f->hs.rst_dir = (uint8_t)dir;
		}
		if (p->flags & TCP_FIN) {
			if (f->hs.first_fin_dir < 0)
				f->hs.first_fin_dir = (int8_t)dir;
			f->fin[dir] = true;
		}
	}
	if (f->hs_list != HS_NONE) { /* a handshake timer runs */
		if (f->hs_list == HS_SYN_WAIT && !(p->flags & TCP_SYN) && dir == DIR_C2S &&
		    (p->flags & TCP_ACK))
			hs_unlink(t, f); /* the client goes on: answered, the SYN-ACK not captured */
		if (f->hs_list != HS_NONE && p->payload_wirelen && dir == DIR_S2C)
			hs_unlink(t, f); /* the server spoke */
	}

	if (f->ignore_bytes) {
		/* nobody reads these bytes: not reassembled, not buffered (a
		 * lossy download on another port must not spend the buffer
		 * POP3 flows share); a FIN ends its side */
		if (!f->bytes_dropped) {
			reasm_dir_fini(&t->reasm, &f->dir[0]);
			reasm_dir_fini(&t->reasm, &f->dir[1]);
			f->bytes_dropped = true;
		}
		if (p->flags & TCP_FIN)
			f->dir[dir].closed = true;
	} else {
		reasm_segment(&t->reasm, &f->dir[dir], f, dir, p->seq, p->flags, p->payload,
			      p->payload_len, p->payload_wirelen, m);
		if (p->flags & TCP_ACK)
			reasm_ack(&t->reasm, &f->dir[!dir], f, !dir, p->ack, m);
	}

	if (f->quiet && f->ignore_bytes) {
		/* Decided: not POP3, shown to nobody. The session goes now (its
		 * memory with it); the flow stays, ended, to absorb the rest. */
		flow_close(t, f, FLOW_END_NOT_POP3, m);
		return 0;
	}
	uint64_t id = f->quiet ? 0 : f->id;
	if (p->flags & TCP_RST) {
		f->rst = true;
		/* Refused, or reset before the greeting, ends now (a refused flow
		 * is kept ended, absorbing the SYN's retransmissions); any other
		 * RST with no payload yet lingers, so its retransmitted SYNs join it. */
		enum flow_end why = refine_end(t, f, FLOW_END_RST);
		if (f->bytes[0] || f->bytes[1] || why != FLOW_END_RST)
			flow_close(t, f, why, m);
	} else if (f->dir[0].closed && f->dir[1].closed) {
		flow_close(t, f, FLOW_END_FIN, m);
	}
	return id;
}

/* The handshake timers: unanswered SYNs, servers that never greeted. */
static void hs_expire(struct flow_table *t, uint64_t now_us)
{
	struct flow *f;
	if (now_us > t->clock)
		t->clock = now_us;
	while ((f = t->hs_head[HS_SYN_WAIT]) && f->hs.syn_ts + t->o.no_answer_us <= now_us)
		flow_close(t, f, FLOW_END_NO_ANSWER, NULL);
	while ((f = t->hs_head[HS_GREET_WAIT]) && f->hs.synack_ts + t->o.no_greeting_us <= now_us)
		flow_close(t, f, FLOW_END_NO_GREETING, NULL);
}

void flow_table_expire(struct flow_table *t, uint64_t now_us)
{
	hs_expire(t, now_us);
	while (t->lru_tail && t->lru_tail->last_ts + t->o.idle_timeout_us < now_us) {
		if (t->lru_tail->ended) {
			ended_free(t, t->lru_tail);
			continue;
		}
		t->st.timed_out++;
		flow_close(t, t->lru_tail, FLOW_END_TIMEOUT, NULL);
	}
}

void flow_table_close_all(struct flow_table *t, enum flow_end why)
{
	/* The timers first, on the latest time seen: a capture ends between two
	 * expire() calls. */
	hs_expire(t, t->clock);
	/* Oldest first, so sessions end in the order they went quiet. */
	while (t->lru_tail) {
		if (t->lru_tail->ended)
			ended_free(t, t->lru_tail);
		else
			flow_close(t, t->lru_tail, why, NULL);
	}
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	flow_table_close_all(t, FLOW_END_EOF);
	free(t->buckets);
	free(t);
}

const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
	return &t->st;
}

const struct reasm_stats *flow_table_reasm_stats(const struct flow_table *t)
{
	return &t->reasm.st;
}
