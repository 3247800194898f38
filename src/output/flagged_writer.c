/*
 * flagged_writer.c - the pcap of flagged sessions (flagged.h).
 *
 * Every packet of a watched flow is appended to a spool file as a record:
 *
 *     struct spool_rec (flow id, link, ts, caplen, wirelen) + caplen bytes
 *
 * where `link` is the logical offset of the flow's previous record. Memory
 * holds one small struct per flow: the offsets of its first and last
 * record. The spool is a ring of spool_max bytes addressed by 64-bit
 * logical offsets (physical = logical % spool_max); a record is still held
 * when its offset >= write offset - spool_max. When the ring starts over,
 * the oldest records are lost and a session is written from its first
 * record still held (spool_truncated_sessions).
 *
 * To write a session in capture order without memory per packet, its
 * chain is reversed in place on disk (links point forward), walked from
 * the oldest record while each link is put back. Several sessions
 * (flagged_writer_save) are merged by logical offset, which is capture
 * order. The -w output gets each flagged session whole when it closes,
 * so packets of different sessions are grouped by session, not
 * interleaved by time (mergecap/reordercap restore global time order).
 *
 * A session counts as flagged when an error or warning finding names it.
 * Its close event arrives while the flow table handles the closing packet,
 * before flagged_writer_packet() sees that packet, so a closed flow waits
 * in `pending` until the next flagged_writer_packet() or the end. The
 * spool file is created in $TMPDIR (else /tmp) and unlinked at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flagged.h"
#include "idmap.h"
#include "util.h"

#define SPOOL_NONE UINT64_MAX
#define SPOOL_MIN (64u * 1024u)        /* smallest spool accepted */
#define SPOOL_BUF (256u * 1024u)       /* appends are batched into writes of this size */
#define FLAGGED_CLOSED_KEEP 1024       /* closed flows remembered for flagged_writer_save */

struct spool_rec {                     /* process-private: host byte order */
	uint64_t flow_id;
	uint64_t link;                 /* previous (or, reversed, next) record of the flow */
	uint64_t ts_us;
	uint32_t caplen, wirelen;
};

struct fflow {
	uint64_t id;
	uint64_t first, last;          /* logical offsets, SPOOL_NONE if none */
	uint64_t npkts;
	bool flagged, closed;
	bool skipped;                  /* a packet could not be spooled */
};

struct flagged_writer {
	int fd;
	uint64_t cap;                  /* spool_max */
	uint64_t wpos;                 /* logical offset of the next record */
	uint8_t *buf;                  /* appends not yet written; buf[0] is at bpos */
	size_t blen, bcap;             /* bcap <= cap: a flush wraps at most once */
	uint64_t bpos;
	bool io_failed;
	int io_err;

	struct idmap flows;            /* id -> struct fflow */
	uint64_t *pending;             /* ids closed, final packet not yet seen */
	size_t npending, cappending;
	uint64_t closed_ring[FLAGGED_CLOSED_KEEP]; /* closed flows kept, oldest first */
	size_t closed_head, nclosed;

	int linktype, snaplen;
	bool select;                   /* -w writes the selected sessions, not the flagged ones */
	struct sink_filter sel;
	char *out_path;
	pcap_t *dead;
	pcap_dumper_t *dump;

	uint8_t *rbuf;                 /* read buffer for one record's bytes */
	size_t rcap;
	struct flagged_stats st;
};

/* ---- spool I/O ---- */

static void io_fail(struct flagged_writer *w, int err)
{
	if (!w->io_failed) {
		w->io_failed = true;
		w->io_err = err ? err : EIO;
	}
}

static int pio(struct flagged_writer *w, bool wr, void *p, size_t n, uint64_t off)
{
	uint8_t *b = p;
	while (n > 0) {
		ssize_t k = wr ? pwrite(w->fd, b, n, (off_t)off) : pread(w->fd, b, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			io_fail(w, k < 0 ? errno : EIO);
			return -1;
		}
		b += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Read or write n bytes at logical offset l, split where the ring wraps. */
static int ring_io(struct flagged_writer *w, bool wr, void *p, size_t n, uint64_t l)
{
	uint64_t pos = l % w->cap;
	size_t first = n < w->cap - pos ? n : (size_t)(w->cap - pos);
	if (pio(w, wr, p, first, pos) < 0)
		return -1;
	if (n > first && pio(w, wr, (uint8_t *)p + first, n - first, 0) < 0)
		return -1;
	return 0;
}

static void spool_flush(struct flagged_writer *w)
{
	if (w->blen && !w->io_failed)
		ring_io(w, true, w->buf, w->blen, w->bpos);
	w->blen = 0;
	w->bpos = w->wpos;
}

static void spool_append(struct flagged_writer *w, const void *p, size_t n)
{
	if (w->blen + n > w->bcap)
		spool_flush(w);
	if (n > w->bcap) {
		if (!w->io_failed)
			ring_io(w, true, (void *)(uintptr_t)p, n, w->wpos);
		w->wpos += n;
		w->bpos = w->wpos;
		return;
	}
	memcpy(w->buf + w->blen, p, n);
	w->blen += n;
	w->wpos += n;
}

static bool held(const struct flagged_writer *w, uint64_t l)
{
	return l != SPOOL_NONE && l < w->wpos && l + w->cap >= w->wpos;
}

static int rec_read(struct flagged_writer *w, uint64_t l, struct spool_rec *r)
{
	return ring_io(w, false, r, sizeof *r, l);
}

static int rec_set_link(struct flagged_writer *w, uint64_t l, uint64_t link)
{
	return ring_io(w, true, &link, sizeof link, l + offsetof(struct spool_rec, link));
}

/* Reverse a flow's chain in place; returns the oldest record held (or NONE). */
static uint64_t chain_reverse(struct flagged_writer *w, const struct fflow *f)
{
	uint64_t cur = f->last, next = SPOOL_NONE;
	struct spool_rec r;
	while (held(w, cur) && rec_read(w, cur, &r) == 0 && r.flow_id == f->id) {
		uint64_t prev = r.link;
		if (rec_set_link(w, cur, next) < 0)
			break;
		next = cur;
		cur = prev;
		if (prev != SPOOL_NONE && prev >= next)
			break; /* links only point back: anything else is damage */
	}
	return next;
}

/* ---- per-flow state ---- */

static struct fflow *flow_get(struct flagged_writer *w, uint64_t id, bool create)
{
	struct fflow *f = idmap_get(&w->flows, id);
	if (!f && create) {
		f = xcalloc(1, sizeof *f);
		f->id = id;
		f->first = f->last = SPOOL_NONE;
		idmap_put(&w->flows, id, f);
	}
	return f;
}

static void flow_forget(struct flagged_writer *w, uint64_t id)
{
	free(idmap_del(&w->flows, id));
}

/* ---- writing sessions ---- */

struct cursor {
	uint64_t cur, back;
};

/* Write the given flows, merged in capture order, to dumper d. Returns packets written. */
static uint64_t write_flows(struct flagged_writer *w, struct fflow **fl, size_t n, pcap_dumper_t *d)
{
	uint64_t written = 0;
	struct cursor *c = xcalloc(n ? n : 1, sizeof *c);
	spool_flush(w);
	for (size_t i = 0; i < n; i++) {
		c[i].cur = w->io_failed ? SPOOL_NONE : chain_reverse(w, fl[i]);
		c[i].back = SPOOL_NONE;
		if (fl[i]->skipped || fl[i]->first == SPOOL_NONE || !held(w, fl[i]->first) || c[i].cur != fl[i]->first)
			w->st.spool_truncated_sessions++;
	}
	for (;;) {
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (c[i].cur != SPOOL_NONE && (best == n || c[i].cur < c[best].cur))
				best = i;
		if (best == n)
			break;
		struct cursor *k = &c[best];
		struct spool_rec r;
		if (rec_read(w, k->cur, &r) < 0)
			break;
		if (r.caplen > w->rcap) {
			w->rbuf = xrealloc(w->rbuf, r.caplen);
			w->rcap = r.caplen;
		}
		if (ring_io(w, false, w->rbuf, r.caplen, k->cur + sizeof r) < 0 ||
		    rec_set_link(w, k->cur, k->back) < 0)
			break;
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = (time_t)(r.ts_us / 1000000);
		h.ts.tv_usec = (suseconds_t)(r.ts_us % 1000000);
		h.caplen = r.caplen;
		h.len = r.wirelen;
		pcap_dump((u_char *)d, &h, w->rbuf);
		written++;
		k->back = k->cur;
		k->cur = r.link;
	}
	free(c);
	return written;
}

static void closed_keep(struct flagged_writer *w, uint64_t id)
{
	if (w->nclosed == FLAGGED_CLOSED_KEEP) {
		flow_forget(w, w->closed_ring[w->closed_head]);
		w->closed_head = (w->closed_head + 1) % FLAGGED_CLOSED_KEEP;
		w->nclosed--;
	}
	w->closed_ring[(w->closed_head + w->nclosed) % FLAGGED_CLOSED_KEEP] = id;
	w->nclosed++;
}

/* A closed flow's last packet is spooled: write it if flagged, then keep it for save(). */
static void finalize(struct flagged_writer *w, uint64_t id)
{
	struct fflow *f = flow_get(w, id, false);
	if (!f || f->closed)
		return;
	f->closed = true;
	if (f->flagged && w->dump) {
		w->st.packets_written += write_flows(w, &f, 1, w->dump);
		w->st.sessions_written++;
	}
	closed_keep(w, id);
}

static void run_pending(struct flagged_writer *w)
{
	for (size_t i = 0; i < w->npending; i++)
		finalize(w, w->pending[i]);
	w->npending = 0;
}

/* ---- public ---- */

/* A pcap output that holds clear-text passwords: created 0600, and made
 * 0600 if it existed; "-" is standard output. The message names the
 * path once. */
static FILE *open_private(const char *path, char *errbuf, size_t errlen)
{
	if (!strcmp(path, "-"))
		return stdout;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	struct stat sb;
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077) &&
	    fchmod(fd, 0600) < 0) {
		close(fd);
		fd = -1;
	}
	FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!fp) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return fp;
}

void flagged_writer_select(struct flagged_writer *w, const struct sink_filter *f)
{
	w->select = f != NULL;
	if (f)
		w->sel = *f;
}

struct flagged_writer *flagged_writer_new(const char *out_path, int linktype, int snaplen,
					  uint64_t spool_max, char *errbuf, size_t errlen)
{
	struct flagged_writer *w = xcalloc(1, sizeof *w);
	w->fd = -1;
	w->linktype = linktype;
	w->snaplen = snaplen > 0 ? snaplen : CAPTURE_SNAPLEN_DEFAULT;
	w->cap = spool_max ? spool_max : FLAGGED_SPOOL_MAX_DEFAULT;
	if (w->cap < SPOOL_MIN)
		w->cap = SPOOL_MIN;
	idmap_init(&w->flows);

	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/pop3mon-spool-XXXXXX", dir && *dir ? dir : "/tmp");
	w->fd = mkstemp(tmpl);
	if (w->fd < 0) {
		snprintf(errbuf, errlen, "%s: cannot create spool file: %s", tmpl, strerror(errno));
		goto fail;
	}
	unlink(tmpl);
	w->bcap = w->cap < SPOOL_BUF ? (size_t)w->cap : SPOOL_BUF;
	w->buf = xmalloc(w->bcap);

	if (out_path) {
		w->dead = pcap_open_dead(linktype, w->snaplen);
		if (!w->dead) {
			snprintf(errbuf, errlen, "%s: pcap_open_dead failed for link type %d", out_path, linktype);
			goto fail;
		}
		FILE *fp = open_private(out_path, errbuf, errlen);
		if (!fp)
			goto fail;
		w->dump = pcap_dump_fopen(w->dead, fp);
		if (!w->dump) {
			snprintf(errbuf, errlen, "%s: %s", out_path, pcap_geterr(w->dead));
			if (fp != stdout)
				fclose(fp);
			goto fail;
		}
		w->out_path = xstrdup(out_path);
	}
	return w;
fail:
	flagged_writer_free(w);
	return NULL;
}

void flagged_writer_packet(struct flagged_writer *w, uint64_t flow_id, const struct frame *fr)
{
	if (!w)
		return;
	if (flow_id && fr) {
		if (fr->linktype != w->linktype) {
			w->st.linktype_mismatch++;
		} else {
			struct fflow *f = flow_get(w, flow_id, true);
			struct spool_rec r = { flow_id, f->last, fr->ts_us, fr->caplen, fr->wirelen };
			uint64_t size = sizeof r + (uint64_t)fr->caplen;
			if (size > w->cap || w->io_failed) {
				f->skipped = true;
			} else {
				uint64_t at = w->wpos;
				spool_append(w, &r, sizeof r);
				spool_append(w, fr->data, fr->caplen);
				if (f->first == SPOOL_NONE)
					f->first = at;
				f->last = at;
				f->npkts++;
				w->st.packets_spooled++;
				w->st.spool_wraps = w->wpos / w->cap;
				w->st.spool_bytes = w->wpos < w->cap ? w->wpos : w->cap;
			}
		}
	}
	run_pending(w);
}

static void fw_event(void *self, const struct event *e)
{
	struct flagged_writer *w = self;
	if (!e->sess)
		return;
	if (w->select) {
		/* The sessions the selection picks, judged on the whole session. */
		if (e->type == EV_SESSION_CLOSE && sink_filter_pass(&w->sel, e->sess))
			flow_get(w, e->sess->id, true)->flagged = true;
	} else if ((e->type == EV_FINDING && e->finding && e->finding->sev >= SEV_WARNING) ||
		   e->sess->flagged) {
		flow_get(w, e->sess->id, true)->flagged = true;
	}
	if (e->type == EV_SESSION_CLOSE && idmap_get(&w->flows, e->sess->id)) {
		if (w->npending == w->cappending) {
			w->cappending = w->cappending ? 2 * w->cappending : 16;
			w->pending = xrealloc(w->pending, w->cappending * sizeof *w->pending);
		}
		w->pending[w->npending++] = e->sess->id;
	}
}

static int fw_report(struct flagged_writer *w, char *errbuf, size_t errlen)
{
	if (w->io_failed) {
		snprintf(errbuf, errlen, "flagged-session spool: write error: %s", strerror(w->io_err));
		return -1;
	}
	if (w->dump && (pcap_dump_flush(w->dump) != 0 || ferror(pcap_dump_file(w->dump)))) {
		snprintf(errbuf, errlen, "%s: write error: %s", w->out_path, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static int fw_finish(void *self, char *errbuf, size_t errlen)
{
	struct flagged_writer *w = self;
	run_pending(w);
	return fw_report(w, errbuf, errlen);
}

static const struct sink_ops fw_ops = {
	.name = "pcap",
	.event = fw_event,
	.finish = fw_finish,
	.free = NULL, /* the owner calls flagged_writer_free */
};

struct sink flagged_writer_sink(struct flagged_writer *w)
{
	/* A session turns flagged with a finding, which is never skipped; it
	 * is not flagged when it opens. */
	return (struct sink){ .ops = w ? &fw_ops : NULL, .self = w,
			      .skip = EV_BIT(EV_SESSION_OPEN) | EV_BIT(EV_SESSION_UPDATE) };
}

int flagged_writer_save(struct flagged_writer *w, const uint64_t *ids, size_t n, const char *path,
			char *errbuf, size_t errlen)
{
	FILE *fp = open_private(path, errbuf, errlen);
	if (!fp)
		return -1;
	return flagged_writer_save_fp(w, ids, n, fp, path, errbuf, errlen);
}

int flagged_writer_save_fp(struct flagged_writer *w, const uint64_t *ids, size_t n, FILE *fp,
			   const char *path, char *errbuf, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(w->linktype, w->snaplen);
	if (!dead) {
		snprintf(errbuf, errlen, "%s: pcap_open_dead failed", path);
		fclose(fp);
		return -1;
	}
	pcap_dumper_t *d = pcap_dump_fopen(dead, fp);
	if (!d) {
		snprintf(errbuf, errlen, "%s: %s", path, pcap_geterr(dead));
		fclose(fp);
		pcap_close(dead);
		return -1;
	}
	struct fflow **fl = xcalloc(n ? n : 1, sizeof *fl);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct fflow *f = flow_get(w, ids[i], false);
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup |= fl[j] == f;
		if (f && !dup)
			fl[k++] = f;
	}
	uint64_t truncated = w->st.spool_truncated_sessions;
	write_flows(w, fl, k, d);
	w->st.spool_truncated_sessions = truncated; /* counted for -w only */
	free(fl);
	int rc = 0;
	errno = 0;
	if (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))) {
		snprintf(errbuf, errlen, "%s: write error: %s", path, strerror(errno ? errno : EIO));
		rc = -1;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	if (rc == 0 && w->io_failed) {
		snprintf(errbuf, errlen, "%s: spool read error: %s", path, strerror(w->io_err));
		rc = -1;
	}
	return rc;
}

const struct flagged_stats *flagged_writer_stats(const struct flagged_writer *w)
{
	return &w->st;
}

int flagged_writer_close(struct flagged_writer *w, char *errbuf, size_t errlen)
{
	if (!w)
		return 0;
	run_pending(w);
	/* Flagged sessions still open at the end are written as they are. */
	for (size_t i = 0; i < w->flows.cap; i++) {
		struct fflow *f = w->flows.keys[i] ? w->flows.vals[i] : NULL;
		if (f && f->flagged && !f->closed && w->dump) {
			w->st.packets_written += write_flows(w, &f, 1, w->dump);
			w->st.sessions_written++;
			f->closed = true;
		}
	}
	int rc = fw_report(w, errbuf, errlen);
	if (w->dump) {
		pcap_dump_close(w->dump);
		w->dump = NULL;
	}
	return rc;
}

void flagged_writer_free(struct flagged_writer *w)
{
	if (!w)
		return;
	if (w->dump)
		pcap_dump_close(w->dump);
	if (w->dead)
		pcap_close(w->dead);
	for (size_t i = 0; i < w->flows.cap; i++)
		if (w->flows.keys[i])
			free(w->flows.vals[i]);
	idmap_fini(&w->flows);
	if (w->fd >= 0)
		close(w->fd);
	free(w->pending);
	free(w->buf);
	free(w->rbuf);
	free(w->out_path);
	free(w);
}
