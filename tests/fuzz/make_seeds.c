/*
 * make_seeds.c - builds the fuzzers' seed corpora from capture files.
 *
 *   make_seeds OUTDIR FILE.pcap...
 *
 * writes
 *   OUTDIR/decode/    one seed per distinct frame (first FRAMES_PER_FILE of
 *                     each file): link-type selector, cut byte, frame bytes
 *   OUTDIR/reasm/     one seed per flow: its TCP segments as fuzz_reasm
 *                     records (payload bytes come from the target's own
 *                     truth function, so its content oracle stays armed)
 *   OUTDIR/pop3/      one seed per flow: the reassembled runs and gaps of
 *                     both directions, interleaved as they were delivered,
 *                     in fuzz_pop3's record format
 *   OUTDIR/pipeline/  each capture file whole (up to PIPELINE_MAX bytes)
 * plus a few hand-made seeds for the reassembler (reorder, overlap, SYN/FIN).
 * The real source -> decode -> flow table path does the reassembly, so the
 * pop3 seeds are exactly what the dissector sees when pop3mon runs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "decode.h"
#include "flow.h"
#include "util.h"

#define FRAMES_PER_FILE 64
#define SEED_MAX (256u * 1024u)
#define PIPELINE_MAX (1u << 20)

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_u8(struct buf *b, uint8_t v) { buf_put(b, &v, 1); }

static void buf_le16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	buf_put(b, x, 2);
}

static void buf_le32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	buf_put(b, x, 4);
}

/* FNV-1a, for content-addressed file names (dedup). */
static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static const char *outdir;
static unsigned written[4];

static void write_seed(int kind, const char *sub, const uint8_t *p, size_t n)
{
	char path[4096];
	if (n > SEED_MAX && kind != 3)
		n = SEED_MAX;
	snprintf(path, sizeof(path), "%s/%s/%016llx", outdir, sub,
		 (unsigned long long)fnv(p, n));
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fwrite(p, 1, n, f);
	fclose(f);
	written[kind]++;
}

/* Per flow: what the two seed kinds need. Indexed by flow id. */
struct fs {
	bool used;
	uint8_t cli[16];
	uint16_t cport;
	bool started[2];
	uint32_t last_end[2];
	struct buf reasm, pop3;
};
static struct fs *flows;
static size_t nflows;

static struct fs *fs_get(uint64_t id)
{
	if (id >= nflows) {
		size_t n = (size_t)id * 2 + 16;
		flows = xrealloc(flows, n * sizeof(*flows));
		memset(flows + nflows, 0, (n - nflows) * sizeof(*flows));
		nflows = n;
	}
	return &flows[id];
}

static void cb_open(void *ctx, struct flow *f)
{
	(void)ctx;
	struct fs *s = fs_get(f->id);
	s->used = true;
	memcpy(s->cli, f->cli, 16);
	s->cport = f->cport;
	uint8_t opts = f->sport == 995 ? 2 : 0;
	if (f->midstream)
		opts |= 4;
	buf_u8(&s->pop3, opts);
}

static void cb_close(void *ctx, struct flow *f, enum flow_end why, const struct seg_meta *m)
{
	(void)ctx; (void)f; (void)why; (void)m;
}

static void cb_data(void *ctx, struct flow *f, int dir, const uint8_t *p, size_t n,
		    const struct seg_meta *m)
{
	(void)ctx; (void)m;
	struct fs *s = fs_get(f->id);
	while (n) {
		size_t k = n > 65535 ? 65535 : n;
		buf_u8(&s->pop3, (uint8_t)dir);
		buf_le16(&s->pop3, (uint16_t)k);
		buf_put(&s->pop3, p, k);
		p += k;
		n -= k;
	}
}

static void cb_gap(void *ctx, struct flow *f, int dir, uint64_t len, const struct seg_meta *m)
{
	(void)ctx; (void)m;
	struct fs *s = fs_get(f->id);
	buf_u8(&s->pop3, (uint8_t)(dir | 2));
	buf_le16(&s->pop3, (uint16_t)(len > 65535 ? 65535 : len));
}

/* One packet as fuzz_reasm records (payloads longer than 255 are split). */
static void reasm_records(struct fs *s, const struct packet *p)
{
	int dir = (memcmp(p->src, s->cli, 16) == 0 && p->sport == s->cport) ? 0 : 1;
	if (s->reasm.len == 0) {
		buf_u8(&s->reasm, 0x03); /* 128-byte per-direction cap, 256 total */
		buf_le32(&s->reasm, 0);
		buf_le32(&s->reasm, 0);
	}
	uint32_t seq = p->seq, wl = p->payload_wirelen;
	uint8_t flags = p->flags;
	if (!s->started[dir]) {
		/* The header holds both directions' first seq; patch it in. */
		uint8_t *h = s->reasm.p + 1 + 4 * dir;
		h[0] = (uint8_t)seq; h[1] = (uint8_t)(seq >> 8);
		h[2] = (uint8_t)(seq >> 16); h[3] = (uint8_t)(seq >> 24);
		s->last_end[dir] = seq;
		s->started[dir] = true;
	}
	do {
		uint32_t len = wl > 255 ? 255 : wl;
		int32_t delta = (int32_t)(seq - s->last_end[dir]);
		uint8_t ctl = (uint8_t)dir;
		if (flags & TCP_SYN)
			ctl |= 0x02;
		if ((flags & TCP_FIN) && len == wl)
			ctl |= 0x04;
		if (flags & TCP_ACK)
			ctl |= 0x08;
		if (delta < INT16_MIN || delta > INT16_MAX) {
			if (delta % 4096 == 0 && delta / 4096 >= INT16_MIN && delta / 4096 <= INT16_MAX) {
				ctl |= 0x40;
				delta /= 4096;
			} else {
				return; /* cannot express it: end this flow's seed here */
			}
		}
		buf_u8(&s->reasm, ctl);
		buf_le16(&s->reasm, (uint16_t)(int16_t)delta);
		buf_u8(&s->reasm, (uint8_t)len);
		buf_u8(&s->reasm, 0);
		buf_le16(&s->reasm, 0);
		uint32_t dseq = seq + ((flags & TCP_SYN) ? 1u : 0u);
		s->last_end[dir] = dseq + len;
		seq = dseq + len;
		wl -= len;
		flags &= (uint8_t)~TCP_SYN;
	} while (wl);
}

static int linktype_index(int lt)
{
	/* Must match fuzz_decode.c's table. */
	static const int lts[] = { 1, 113, 276, 0, 108, 12, 14, 101, 228, 229 };
	for (int i = 0; i < (int)(sizeof(lts) / sizeof(lts[0])); i++)
		if (lts[i] == lt)
			return i;
	return -1;
}

static void handmade_reasm(void)
{
	/* cfg, seq0, seq1, then records: ctl, delta, len, extra, ackdelta */
	static const uint8_t seeds[][64] = {
		/* SYN, in-order data, FIN both ways */
		{ 0x02, 1, 0, 0, 0, 9, 0, 0, 0,
		  0x02, 0, 0, 0, 0, 0, 0,  0x08, 0, 0, 20, 0, 0, 0,
		  0x09, 0, 0, 30, 0, 0, 0,  0x0c, 0, 0, 10, 0, 0, 0,  0x0d, 0, 0, 0, 0, 0, 0 },
		/* reordered: second segment first, then the hole */
		{ 0x01, 0, 0, 1, 0, 0, 0, 0, 0,
		  0x00, 40, 0, 40, 0, 0, 0,  0x00, 0xb0, 0xff, 40, 0, 0, 0,  0x00, 0, 0, 10, 0, 0, 0 },
		/* overlapping garbage over buffered data */
		{ 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
		  0x00, 20, 0, 30, 0, 0, 0,  0x10, 0xf0, 0xff, 8, 0, 0, 0, 'x','x','x','x','x','x','x','x',
		  0x00, 0xc4, 0xff, 30, 0, 0, 0 },
		/* snaplen-cut segment, ack past a hole */
		{ 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
		  0x80, 0, 0, 10, 50, 0, 0,  0x00, 10, 0, 10, 0, 0, 0,  0x09, 0, 0, 0, 0, 100, 0 },
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t n = sizeof(seeds[i]);
		while (n > 9 && seeds[i][n - 1] == 0)
			n--;
		n = 9 + (n - 9 + 6) / 7 * 7;
		write_seed(1, "reasm", seeds[i], n > 64 ? 64 : n);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: make_seeds OUTDIR FILE.pcap...\n");
		return 2;
	}
	outdir = argv[1];
	const char *subs[] = { "decode", "reasm", "pop3", "pipeline" };
	mkdir(outdir, 0755);
	for (int i = 0; i < 4; i++) {
		char d[4096];
		snprintf(d, sizeof(d), "%s/%s", outdir, subs[i]);
		mkdir(d, 0755);
	}
	handmade_reasm();

	for (int a = 2; a < argc; a++) {
		char errbuf[CAPTURE_ERRBUF_SIZE];
		struct source_opts so = { 0 };
		struct source *src = source_open_file(argv[a], &so, errbuf);
		if (!src) {
			fprintf(stderr, "make_seeds: %s\n", errbuf);
			continue;
		}
		struct stat stt;
		if (stat(argv[a], &stt) == 0 && (size_t)stt.st_size <= PIPELINE_MAX) {
			FILE *f = fopen(argv[a], "rb");
			uint8_t *all = xmalloc((size_t)stt.st_size + 1);
			size_t n = fread(all, 1, (size_t)stt.st_size, f);
			fclose(f);
			write_seed(3, "pipeline", all, n);
			free(all);
		}
		static const uint16_t ports[] = { 110, 995 };
		struct flow_opts fo;
		memset(&fo, 0, sizeof(fo));
		fo.max_flows = FLOW_MAX_DEFAULT;
		fo.idle_timeout_us = (uint64_t)FLOW_IDLE_TIMEOUT_DEFAULT_S * 1000000;
		fo.reasm.per_dir_bytes = REASM_PER_DIR_DEFAULT;
		fo.reasm.total_bytes = REASM_TOTAL_DEFAULT;
		fo.ports = ports;
		fo.nports = 2;
		struct flow_cb cb = { cb_open, cb_close, cb_data, cb_gap, NULL, NULL };
		struct flow_table *ft = flow_table_new(&fo, &cb);
		struct decode_stats dec;
		memset(&dec, 0, sizeof(dec));
		struct frame fr;
		int lti = linktype_index(source_linktype(src));
		unsigned nframes = 0;
		while (source_next(src, &fr, errbuf) == SOURCE_FRAME) {
			if (lti >= 0 && nframes++ < FRAMES_PER_FILE) {
				struct buf b = { 0 };
				buf_u8(&b, (uint8_t)lti);
				buf_u8(&b, 0);
				buf_put(&b, fr.data, fr.caplen);
				write_seed(0, "decode", b.p, b.len);
				free(b.p);
			}
			struct packet pkt;
			enum decode_reason r = decode_frame(fr.linktype, fr.data, fr.caplen,
							    fr.wirelen, &pkt, &dec);
			if (r != DEC_OK && r != DEC_PAYLOAD_TRUNC)
				continue;
			struct seg_meta m = { .frame = fr.number, .ts_us = fr.ts_us };
			uint64_t id = flow_table_packet(ft, &pkt, &m);
			if (id && fs_get(id)->used)
				reasm_records(fs_get(id), &pkt);
		}
		flow_table_free(ft);
		source_free(src);
		for (size_t i = 0; i < nflows; i++) {
			struct fs *s = &flows[i];
			if (s->reasm.len > 9)
				write_seed(1, "reasm", s->reasm.p, s->reasm.len);
			if (s->pop3.len > 1)
				write_seed(2, "pop3", s->pop3.p, s->pop3.len);
			free(s->reasm.p);
			free(s->pop3.p);
		}
		free(flows);
		flows = NULL;
		nflows = 0;
	}
	printf("make_seeds: %u decode, %u reasm, %u pop3, %u pipeline seeds in %s\n",
	       written[0], written[1], written[2], written[3], outdir);
	return 0;
}
