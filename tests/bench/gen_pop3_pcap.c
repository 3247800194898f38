/*
 * gen_pop3_pcap - fast generator of realistic synthetic POP3 captures with a
 * ground-truth file, for pop3mon's benchmark and its end-to-end truth check.
 *
 *   gen_pop3_pcap -o OUT.pcap -t TRUTH.tsv -s SIZE_MB [-S seed] [-c concurrent]
 *                 [-j inject_pct] [-m max_msg_kb] [-M mss] [-a] [-n noise_pct] [-q]
 *
 * Writes a classic pcap (microsecond timestamps, DLT_EN10MB) of about SIZE_MB
 * megabytes (MB = 10^6 bytes), deterministic for a given seed.  Every POP3
 * session is a full TCP connection (handshake, greeting, [CAPA,] USER/PASS,
 * STAT, UIDL, LIST, RETR..., sometimes DELE/RSET/TOP/LIST n, QUIT, FIN both
 * ways) interleaved with thousands of others, with a little reordering,
 * duplication and retransmission, IPv6 and VLAN/QinQ sessions, pipelined
 * commands and some non-POP3 noise (ARP, DNS, HTTP).  Traffic shapes: -a sends
 * every status line alone in its own segment, -M sets the MSS, -n makes a busy
 * link where that per cent of all frames are other TCP/UDP traffic.  A few per cent of the
 * sessions carry one injected contradiction; the truth TSV (format in
 * tests/FORMATS.md) lists, per session, the rule ids it must raise.
 * See tests/bench/README.md for the exact definitions.
 *
 * C11 + libc only.  Output is built in a large buffer and written in chunks.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GNUC__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF_LIKE(a, b)
#endif

#define MAXMSG 10
#define MAXEX 48
#define MAXPARTS 128
#define TEXTCAP 8192
#define OBUFCAP 8192
#define FRAME_MAX 1600
#define POOL 4096
#define OUTCAP (16u << 20)

/* anomaly rates, per 10000 data segments */
#define P_DUP 40
#define P_RTX 60
#define P_REORDER 120 /* per server 2-segment batch */
/* noise: per 1000 POP3 frames */
#define P_NOISE 45

/* ------------------------------------------------------------------ rng */
typedef struct {
	uint64_t s;
} rng_t;

static uint64_t rnext(rng_t *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t rbelow(rng_t *r, uint32_t n)
{
	return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

/* roughly log-uniform integer in [lo, hi] (no libm: 2^f ~ 1+f) */
static uint32_t rlogu(rng_t *r, uint32_t lo, uint32_t hi)
{
	double ratio = (double)hi / lo, l = 0;
	while (ratio >= 2) {
		ratio /= 2;
		l += 1;
	}
	l += ratio - 1;
	double u = (double)(rnext(r) >> 11) / 9007199254740992.0 * l;
	int e = (int)u;
	double v = (double)lo * (double)(1u << e) * (1 + (u - e));
	uint32_t x = (uint32_t)v;
	return x < lo ? lo : x > hi ? hi : x;
}

/* ------------------------------------------------------------ text pool */
static const char *const words[] = {
	"the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was",
	"with", "be", "by", "on", "not", "he", "this", "are", "or", "his",
	"from", "at", "which", "but", "have", "an", "had", "they", "you",
	"were", "their", "one", "all", "we", "can", "her", "has", "there",
	"been", "if", "more", "when", "will", "would", "who", "so", "no",
	"meeting", "budget", "server", "mailbox", "quarterly", "report",
	"attached", "please", "review", "invoice", "schedule", "project",
	"update", "Thursday", "office", "network", "customer", "delivery",
	"thanks", "regards", "deadline", "draft", "version", "figures",
	"agenda", "minutes", "contract", "shipment", "warehouse", "forecast",
	"colleagues", "holiday", "training", "password", "backup", "storage",
	"2024", "Q3", "14:30", "42", "EUR", "approx.", "e.g.", "i.e.,",
};
#define NWORDS (sizeof words / sizeof words[0])

static char pool_arena[POOL * 96];
static const char *pool_line[POOL];
static uint8_t pool_len[POOL];
static uint64_t pool_chars;

static void build_pool(void)
{
	rng_t r = { 0x706f70336d6f6eull };
	char *p = pool_arena;
	static const char *const dotl[] = {
		".", "..", "...", ".signature", ". indented with a leading dot",
		"...and so the story goes on", ".hidden line starting with a period",
		".PS: see you at the meeting", ". . .", ".\t(tab after dot)",
	};
	for (uint32_t i = 0; i < POOL; i++) {
		uint32_t k = rbelow(&r, 1000);
		char line[96];
		size_t n = 0;
		if (i == 7 || i == 11 || (k >= 40 && k < 62)) {
			/* about 2% of lines start with '.' (dot-stuffed on the wire) */
			const char *d = i == 7 ? "." : i == 11 ? ".." : dotl[rbelow(&r, 10)];
			n = strlen(d);
			memcpy(line, d, n);
			if (k & 1) {
				while (n < 30) {
					const char *w = words[rbelow(&r, NWORDS)];
					size_t wl = strlen(w);
					line[n++] = ' ';
					memcpy(line + n, w, wl);
					n += wl;
				}
			}
		} else if (k < 40) {
			n = 0; /* empty line */
		} else {
			size_t want = 40 + rbelow(&r, 36);
			if (k < 90) {
				line[n++] = '>';
				line[n++] = ' ';
			}
			while (n < want) {
				const char *w = words[rbelow(&r, NWORDS)];
				size_t wl = strlen(w);
				if (n && line[n - 1] != ' ')
					line[n++] = ' ';
				memcpy(line + n, w, wl);
				n += wl;
			}
		}
		memcpy(p, line, n);
		pool_line[i] = p;
		pool_len[i] = (uint8_t)n;
		pool_chars += n;
		p += n;
	}
}

/* --------------------------------------------------------------- output */
static FILE *g_out;
static uint8_t *g_buf;
static size_t g_blen;
static uint64_t g_written;     /* bytes of the pcap file so far */
static uint64_t g_now_us;      /* capture clock */
static rng_t g_rng;            /* scheduling / noise */
static uint64_t g_frames, g_noise_frames, g_dups, g_rtx, g_reorders;
static uint64_t g_noise_bytes;      /* bytes of noise records (busy link) */
static int g_alone;                 /* -a: status lines alone in a segment */
static uint16_t g_mss4 = 1448;      /* -M: IPv4 MSS (IPv6: 20 less) */
static uint32_t g_noise_pct;        /* -n: per cent of frames not POP3 */
static uint32_t g_noise_whole, g_noise_frac; /* noise frames per POP3 frame */
static uint64_t g_status_alone;     /* segments holding only a status line */

static void out_flush(void)
{
	if (g_blen && fwrite(g_buf, 1, g_blen, g_out) != g_blen) {
		perror("gen_pop3_pcap: write");
		exit(2);
	}
	g_blen = 0;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* one pcap record; returns record size */
static uint32_t emit_frame(const uint8_t *f, uint32_t len)
{
	if (OUTCAP - g_blen < FRAME_MAX + 16)
		out_flush();
	g_now_us += 2 + rbelow(&g_rng, 200);
	uint32_t hdr[4] = { (uint32_t)(g_now_us / 1000000u), (uint32_t)(g_now_us % 1000000u),
		len, len };
	memcpy(g_buf + g_blen, hdr, 16);
	memcpy(g_buf + g_blen + 16, f, len);
	g_blen += 16 + len;
	g_written += 16 + len;
	g_frames++;
	return 16 + len;
}

/* ones' complement sum in native byte order (RFC 1071); buffers are in
 * network order, the folded result is stored back with memcpy */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		sum += (v >> 32) + (v & 0xffffffffu);
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		sum += v;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t v;
		memcpy(&v, p, 2);
		sum += v;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint16_t v = 0;
		memcpy(&v, p, 1);
		sum += v;
	}
	return sum;
}

static void csum_store(uint8_t *dst, uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	memcpy(dst, &c, 2);
}

/* -------------------------------------------------------- connections */
typedef struct {
	uint8_t v6, vlan_mode; /* vlan_mode: 0 none, 1 802.1Q, 2 QinQ */
	uint16_t vlan, svlan;
	uint8_t cmac[6], smac[6];
	uint8_t cip[16], sip[16];
	uint16_t cport, sport;
	uint16_t cipid, sipid;
	uint32_t flow;
	uint32_t ts_c, ts_s; /* last TSval sent by client / server */
	uint32_t ts_off_c, ts_off_s;
} conn_t;

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

static uint8_t *l2(uint8_t *p, const conn_t *c, int from_srv)
{
	memcpy(p, from_srv ? c->cmac : c->smac, 6);
	memcpy(p + 6, from_srv ? c->smac : c->cmac, 6);
	p += 12;
	if (c->vlan_mode == 2) {
		put16(p, 0x88a8);
		put16(p + 2, c->svlan);
		p += 4;
	}
	if (c->vlan_mode) {
		put16(p, 0x8100);
		put16(p + 2, c->vlan);
		p += 4;
	}
	put16(p, c->v6 ? 0x86dd : 0x0800);
	return p + 2;
}

static uint32_t build_tcp(uint8_t *f, conn_t *c, int from_srv, uint8_t flags, uint32_t seq,
                          uint32_t ack, const uint8_t *pl, uint32_t plen, uint16_t mss)
{
	uint8_t *p = l2(f, c, from_srv);
	uint32_t th = (flags & F_SYN) ? 40 : 32;
	uint8_t *src = from_srv ? c->sip : c->cip, *dst = from_srv ? c->cip : c->sip;
	uint8_t ph[40];
	uint64_t sum;
	if (!c->v6) {
		p[0] = 0x45;
		p[1] = 0;
		put16(p + 2, 20 + th + plen);
		put16(p + 4, from_srv ? c->sipid++ : c->cipid++);
		put16(p + 6, 0x4000);
		p[8] = from_srv ? 64 : 128;
		p[9] = 6;
		p[10] = p[11] = 0;
		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
		csum_store(p + 10, csum_add(0, p, 20));
		memcpy(ph, src, 4);
		memcpy(ph + 4, dst, 4);
		ph[8] = 0;
		ph[9] = 6;
		put16(ph + 10, th + plen);
		sum = csum_add(0, ph, 12);
		p += 20;
	} else {
		put32(p, 0x60000000u | (c->flow & 0xfffff));
		put16(p + 4, th + plen);
		p[6] = 6;
		p[7] = 64;
		memcpy(p + 8, src, 16);
		memcpy(p + 24, dst, 16);
		memcpy(ph, src, 16);
		memcpy(ph + 16, dst, 16);
		put32(ph + 32, th + plen);
		put32(ph + 36, 6);
		sum = csum_add(0, ph, 40);
		p += 40;
	}
	uint8_t *t = p;
	put16(t, from_srv ? c->sport : c->cport);
	put16(t + 2, from_srv ? c->cport : c->sport);
	put32(t + 4, seq);
	put32(t + 8, (flags & F_ACK) ? ack : 0);
	t[12] = (uint8_t)((th / 4) << 4);
	t[13] = flags;
	put16(t + 14, from_srv ? 509 : 2052);
	t[16] = t[17] = t[18] = t[19] = 0;
	uint32_t tsv = (uint32_t)(g_now_us / 1000u) + (from_srv ? c->ts_off_s : c->ts_off_c);
	uint32_t tse = from_srv ? c->ts_c : c->ts_s;
	if (from_srv)
		c->ts_s = tsv;
	else
		c->ts_c = tsv;
	uint8_t *o = t + 20;
	if (flags & F_SYN) {
		o[0] = 2; o[1] = 4; put16(o + 2, mss);      /* MSS */
		o[4] = 4; o[5] = 2;                          /* SACK permitted */
		o[6] = 8; o[7] = 10; put32(o + 8, tsv);      /* timestamps */
		put32(o + 12, (flags & F_ACK) ? tse : 0);
		o[16] = 1;                                   /* NOP */
		o[17] = 3; o[18] = 3; o[19] = 7;             /* window scale 7 */
	} else {
		o[0] = 1; o[1] = 1; o[2] = 8; o[3] = 10;
		put32(o + 4, tsv);
		put32(o + 8, tse);
	}
	if (plen)
		memcpy(t + th, pl, plen);
	sum = csum_add(sum, t, th + plen);
	csum_store(t + 16, sum);
	return (uint32_t)(t + th + plen - f);
}

/* ---------------------------------------------------------------- noise */
static conn_t http_conn[8];
static uint32_t http_cseq[8], http_sseq[8];
static uint8_t http_body[1448];

static void noise_init(void)
{
	for (int i = 0; i < 8; i++) {
		conn_t *c = &http_conn[i];
		memset(c, 0, sizeof *c);
		uint8_t cm[6] = { 0x02, 0x42, 0xc6, 0x13, 0x80, (uint8_t)i };
		uint8_t sm[6] = { 0x00, 0x1b, 0x21, 0x0a, 0x00, 0x01 };
		memcpy(c->cmac, cm, 6);
		memcpy(c->smac, sm, 6);
		uint8_t ci[4] = { 198, 19, 128, (uint8_t)(10 + i) }, si[4] = { 203, 0, 113, 80 };
		memcpy(c->cip, ci, 4);
		memcpy(c->sip, si, 4);
		c->cport = (uint16_t)(40000 + 17 * i);
		c->sport = 80;
		http_cseq[i] = (uint32_t)rnext(&g_rng);
		http_sseq[i] = (uint32_t)rnext(&g_rng);
	}
	for (size_t i = 0; i < sizeof http_body; i++)
		http_body[i] = (uint8_t)("abcdefghijklmnopqrstuvwxyz0123456789+/"[i % 38]);
	static const char h[] = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: image/png\r\n"
	                        "Content-Length: 48213\r\n\r\n";
	memcpy(http_body, h, sizeof h - 1);
}

static void emit_noise(void)
{
	uint8_t f[FRAME_MAX];
	uint32_t k = rbelow(&g_rng, 100);
	if (k < 30) { /* ARP who-has */
		memset(f, 0, 60);
		memset(f, 0xff, 6);
		uint8_t sm[6] = { 0x00, 0x1b, 0x21, 0x0a, 0x00, 0x01 };
		memcpy(f + 6, sm, 6);
		put16(f + 12, 0x0806);
		put16(f + 14, 1);
		put16(f + 16, 0x0800);
		f[18] = 6;
		f[19] = 4;
		put16(f + 20, 1);
		memcpy(f + 22, sm, 6);
		f[28] = 198; f[29] = 18; f[30] = 0; f[31] = 1;
		f[38] = 198; f[39] = 18; f[40] = (uint8_t)rbelow(&g_rng, 32);
		f[41] = (uint8_t)(1 + rbelow(&g_rng, 250));
		emit_frame(f, 60);
		g_noise_frames++;
	} else if (k < 60) { /* DNS query + response */
		uint16_t id = (uint16_t)rnext(&g_rng);
		uint32_t host = rbelow(&g_rng, 5000);
		uint16_t cport = (uint16_t)(1024 + rbelow(&g_rng, 60000));
		for (int resp = 0; resp < 2; resp++) {
			uint8_t *p = f;
			uint8_t cm[6] = { 0x02, 0x42, 0xc6, 0x12, 0x00, 0x35 };
			uint8_t sm[6] = { 0x00, 0x1b, 0x21, 0x0a, 0x00, 0x53 };
			memcpy(p, resp ? cm : sm, 6);
			memcpy(p + 6, resp ? sm : cm, 6);
			put16(p + 12, 0x0800);
			p += 14;
			uint8_t *ip = p, *u = p + 20, *d = p + 28;
			uint8_t *q = d + 12;
			char name[40];
			int nl = snprintf(name, sizeof name, "host%u", host);
			*q++ = (uint8_t)nl;
			memcpy(q, name, (size_t)nl);
			q += nl;
			*q++ = 7;
			memcpy(q, "example", 7);
			q += 7;
			*q++ = 3;
			memcpy(q, "com", 3);
			q += 3;
			*q++ = 0;
			put16(q, 1);
			put16(q + 2, 1);
			q += 4;
			put16(d, id);
			put16(d + 2, resp ? 0x8180 : 0x0100);
			put16(d + 4, 1);
			put16(d + 6, (uint32_t)resp);
			put16(d + 8, 0);
			put16(d + 10, 0);
			if (resp) {
				put16(q, 0xc00c);
				put16(q + 2, 1);
				put16(q + 4, 1);
				put32(q + 6, 300);
				put16(q + 10, 4);
				q[12] = 203; q[13] = 0; q[14] = 113; q[15] = (uint8_t)(host % 250 + 1);
				q += 16;
			}
			uint32_t ulen = (uint32_t)(q - u);
			uint8_t a[4] = { 198, 18, (uint8_t)(host % 32), (uint8_t)(host % 250 + 1) };
			uint8_t b[4] = { 192, 0, 2, 53 };
			ip[0] = 0x45; ip[1] = 0;
			put16(ip + 2, 20 + ulen);
			put16(ip + 4, id);
			put16(ip + 6, 0);
			ip[8] = 64; ip[9] = 17; ip[10] = ip[11] = 0;
			memcpy(ip + 12, resp ? b : a, 4);
			memcpy(ip + 16, resp ? a : b, 4);
			csum_store(ip + 10, csum_add(0, ip, 20));
			put16(u, resp ? 53 : cport);
			put16(u + 2, resp ? cport : 53);
			put16(u + 4, ulen);
			put16(u + 6, 0);
			emit_frame(f, (uint32_t)(q - f));
			g_noise_frames++;
		}
	} else { /* HTTP, mid-stream */
		int i = (int)rbelow(&g_rng, 8);
		uint32_t len;
		if (rbelow(&g_rng, 5) == 0) {
			char req[200];
			int n = snprintf(req, sizeof req,
			                 "GET /img/%u.png HTTP/1.1\r\nHost: www.example.com\r\n"
			                 "User-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n",
			                 rbelow(&g_rng, 100000));
			len = build_tcp(f, &http_conn[i], 0, F_ACK | F_PSH, http_cseq[i], http_sseq[i],
			                (const uint8_t *)req, (uint32_t)n, 1460);
			http_cseq[i] += (uint32_t)n;
		} else {
			len = build_tcp(f, &http_conn[i], 1, F_ACK, http_sseq[i], http_cseq[i],
			                http_body, sizeof http_body, 1460);
			http_sseq[i] += sizeof http_body;
		}
		emit_frame(f, len);
		g_noise_frames++;
	}
}

/* busy link (-n): other TCP flows (TLS, HTTP, SSH, IMAPS, databases) on
 * many connections, UDP (DNS, QUIC, NTP, syslog) and ARP.  No frame uses
 * port 110 or 995 or carries text a POP3 detector could take for POP3. */
#define NBUSY 2048
static conn_t busy_conn[NBUSY];
static uint32_t busy_cseq[NBUSY], busy_sseq[NBUSY];
static uint8_t busy_tls[1448];

static void busy_init(void)
{
	static const uint16_t ports[] = { 443, 443, 443, 443, 80, 8080, 22, 993, 5432, 3389 };
	rng_t r = { 0x6275737921ull };
	for (uint32_t i = 0; i < NBUSY; i++) {
		conn_t *c = &busy_conn[i];
		memset(c, 0, sizeof *c);
		uint8_t cm[6] = { 0x02, 0x42, 0xc6, 0x13, (uint8_t)(i >> 8), (uint8_t)i };
		uint8_t sm[6] = { 0x00, 0x1b, 0x21, 0x0a, 0x00, 0x02 };
		memcpy(c->cmac, cm, 6);
		memcpy(c->smac, sm, 6);
		c->v6 = rbelow(&r, 10) == 0;
		if (!c->v6) {
			uint8_t ci[4] = { 198, 19, (uint8_t)(130 + i / 250), (uint8_t)(1 + i % 250) };
			uint8_t si[4] = { 203, 0, 113, (uint8_t)(100 + rbelow(&r, 100)) };
			memcpy(c->cip, ci, 4);
			memcpy(c->sip, si, 4);
		} else {
			uint8_t ci[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0xbe, 0xef,
				           (uint8_t)(i >> 8), (uint8_t)i };
			uint8_t si[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x04, 0x43, 0, 0, 0, 0, 0, 0, 0,
				           (uint8_t)(1 + rbelow(&r, 200)) };
			memcpy(c->cip, ci, 16);
			memcpy(c->sip, si, 16);
		}
		c->cport = (uint16_t)(1024 + rbelow(&r, 60000));
		c->sport = ports[rbelow(&r, sizeof ports / sizeof ports[0])];
		c->cipid = (uint16_t)rnext(&r);
		c->sipid = (uint16_t)rnext(&r);
		c->flow = (uint32_t)rnext(&r);
		busy_cseq[i] = (uint32_t)rnext(&r);
		busy_sseq[i] = (uint32_t)rnext(&r);
	}
	/* a TLS 1.2 application-data record header, then pseudo-random bytes */
	for (size_t i = 0; i < sizeof busy_tls; i++)
		busy_tls[i] = (uint8_t)rnext(&r);
	busy_tls[0] = 0x17;
	busy_tls[1] = 0x03;
	busy_tls[2] = 0x03;
}

static void busy_udp(uint8_t *f, uint16_t sport, uint16_t dport, const uint8_t *pl, uint32_t plen)
{
	uint8_t cm[6] = { 0x02, 0x42, 0xc6, 0x12, 0x01, 0x00 };
	uint8_t sm[6] = { 0x00, 0x1b, 0x21, 0x0a, 0x00, 0x03 };
	uint8_t a[4] = { 198, 19, (uint8_t)(200 + rbelow(&g_rng, 50)), (uint8_t)(1 + rbelow(&g_rng, 250)) };
	uint8_t b[4] = { 203, 0, 113, (uint8_t)(1 + rbelow(&g_rng, 99)) };
	int up = rbelow(&g_rng, 2);
	memcpy(f, up ? sm : cm, 6);
	memcpy(f + 6, up ? cm : sm, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14, *u = ip + 20;
	uint32_t ulen = 8 + plen;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, 20 + ulen);
	put16(ip + 4, (uint32_t)rnext(&g_rng));
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 17;
	ip[10] = ip[11] = 0;
	memcpy(ip + 12, up ? a : b, 4);
	memcpy(ip + 16, up ? b : a, 4);
	csum_store(ip + 10, csum_add(0, ip, 20));
	put16(u, up ? sport : dport);
	put16(u + 2, up ? dport : sport);
	put16(u + 4, ulen);
	put16(u + 6, 0);
	memcpy(u + 8, pl, plen);
	uint32_t len = 14 + 20 + ulen;
	if (len < 60) {
		memset(f + len, 0, 60 - len);
		len = 60;
	}
	g_noise_bytes += emit_frame(f, len);
}

static void emit_busy(void)
{
	uint8_t f[FRAME_MAX];
	uint32_t k = rbelow(&g_rng, 100);
	g_noise_frames++;
	if (k < 75) { /* TCP: server data, client request, or a pure ACK */
		uint32_t i = rbelow(&g_rng, NBUSY), t = rbelow(&g_rng, 10), len;
		conn_t *c = &busy_conn[i];
		uint16_t mss = c->v6 ? 1428 : 1448;
		if (t < 6) {
			uint32_t n = rbelow(&g_rng, 4) ? mss : 100 + rbelow(&g_rng, (uint32_t)mss - 100);
			len = build_tcp(f, c, 1, F_ACK | (n < mss ? F_PSH : 0), busy_sseq[i], busy_cseq[i],
			                busy_tls, n, mss);
			busy_sseq[i] += n;
		} else if (t < 7) {
			uint32_t n = 40 + rbelow(&g_rng, 500);
			len = build_tcp(f, c, 0, F_ACK | F_PSH, busy_cseq[i], busy_sseq[i], busy_tls, n, mss);
			busy_cseq[i] += n;
		} else {
			len = build_tcp(f, c, 0, F_ACK, busy_cseq[i], busy_sseq[i], NULL, 0, mss);
		}
		g_noise_bytes += emit_frame(f, len);
	} else if (k < 97) { /* UDP: DNS, QUIC, NTP, syslog */
		uint32_t u = rbelow(&g_rng, 10);
		uint16_t eph = (uint16_t)(1024 + rbelow(&g_rng, 60000));
		if (u < 4)
			busy_udp(f, eph, 53, busy_tls + 3, 30 + rbelow(&g_rng, 60));
		else if (u < 8)
			busy_udp(f, eph, 443, busy_tls + 3, 1200 + rbelow(&g_rng, 52));
		else if (u < 9)
			busy_udp(f, 123, 123, busy_tls + 5, 48);
		else
			busy_udp(f, eph, 514, (const uint8_t *)"<134>Mar  1 08:00:00 fw1 kernel: ACCEPT", 39);
	} else { /* ARP who-has */
		memset(f, 0, 60);
		memset(f, 0xff, 6);
		uint8_t sm[6] = { 0x00, 0x1b, 0x21, 0x0a, 0x00, 0x04 };
		memcpy(f + 6, sm, 6);
		put16(f + 12, 0x0806);
		put16(f + 14, 1);
		put16(f + 16, 0x0800);
		f[18] = 6;
		f[19] = 4;
		put16(f + 20, 1);
		memcpy(f + 22, sm, 6);
		f[28] = 203; f[29] = 0; f[30] = 113; f[31] = 1;
		f[38] = 203; f[39] = 0; f[40] = 113;
		f[41] = (uint8_t)(1 + rbelow(&g_rng, 250));
		g_noise_bytes += emit_frame(f, 60);
	}
}

/* ------------------------------------------------------------- sessions */
enum { P_TEXT, P_BODY, P_TOP };
typedef struct {
	const char *ptr;
	uint16_t len;
	uint8_t type, msg;
} part_t;

typedef struct {
	const char *cli;
	uint16_t clen;
	uint16_t p0, p1;
} exch_t;

typedef struct {
	uint64_t seed;
	uint32_t nlines, size, lsize, hdrlen, ndots;
	char uid[48];
} msg_t;

enum { ST_SYN, ST_SYNACK, ST_CMD, ST_REPLY, ST_FIN, ST_LASTACK, ST_DONE };

/* injected contradictions */
enum {
	K_NONE = -1,
	K_STAT_UIDL,    /* UIDL omits the last message (LIST sent) */
	K_STAT_LIST,    /* LIST omits the last message (UIDL sent) */
	K_STAT_OCTETS,  /* STAT octets != sum of LIST sizes */
	K_RETR_SIZE,    /* one RETR body != its LIST size */
	K_LIST_ZERO,    /* LIST and UIDL numbered from 0 */
	K_INTERMAIL,    /* the InterMail hidden control message */
	K_STAT_UIDL_NL, /* as K_STAT_UIDL, no LIST command */
	K_STAT_LIST_NU, /* as K_STAT_LIST, no UIDL command */
	NKIND
};
static const char *const kind_name[NKIND] = {
	"stat-uidl-count+list", "stat-list-count+uidl", "stat-list-octets", "retr-size",
	"listing-numbers", "intermail", "stat-uidl-count", "stat-list-count",
};
static const char *const kind_rules[NKIND] = {
	"list-uidl-numbers,stat-uidl-count",
	"list-uidl-numbers,stat-list-count",
	"stat-list-octets",
	"retr-size",
	"listing-numbers",
	"announced-counts,impossible-drop-listing,stat-list-count,stat-list-octets,stat-uidl-count",
	"stat-uidl-count",
	"stat-list-count",
};

typedef struct {
	conn_t c;
	rng_t rng;
	int st, ex, nex, nparts, kind, pers;
	uint16_t mss;
	uint32_t cseq, sseq;
	/* server output of the current exchange */
	int part;
	uint32_t ppos;
	int bphase; /* body: 0 headers to emit, 1 lines */
	rng_t brng;
	uint32_t bline, blines;
	char obuf[OBUFCAP];
	uint32_t opos, olen;
	uint32_t ocut; /* -a: the current segment ends here (0: no cut) */
	/* retransmission copy */
	uint8_t rtx[FRAME_MAX];
	uint32_t rtxlen;
	int rtx_wait;
	int64_t planned, written;
	int nmsg;
	char user[32];
	msg_t msgs[MAXMSG];
	exch_t exs[MAXEX];
	part_t parts[MAXPARTS];
	char text[TEXTCAP];
	uint32_t tlen;
} sess_t;

static int64_t g_outstanding; /* planned - written over active sessions */
static uint32_t g_maxmsg_kb = 200;
static uint32_t g_inject_bp = 300; /* basis points */
static uint32_t g_next_kind;
static uint64_t g_sessions, g_v6, g_vlan, g_qinq, g_pipe, g_dele, g_kind[NKIND];
static uint64_t g_msgs_retr, g_body_bytes;
static uint32_t g_max_active;

static const char *const first_names[] = {
	"anna", "ben", "chloe", "david", "emma", "felix", "greta", "hugo",
	"ines", "jonas", "karin", "leon", "mia", "noah", "olga", "paul",
};

/* message headers, deterministic from the message seed */
static uint32_t gen_headers(char *b, size_t cap, uint64_t seed, const char *user)
{
	rng_t r = { seed ^ 0x68656164657273ull };
	const char *fn = first_names[rbelow(&r, 16)];
	uint32_t dom = rbelow(&r, 300), hh = rbelow(&r, 24), mm = rbelow(&r, 60),
	         ss = rbelow(&r, 60), mx = 1 + rbelow(&r, 4);
	uint64_t id = rnext(&r);
	const char *subj[] = { "Re: quarterly report", "Invoice", "Meeting agenda",
		"Fwd: project update", "Your delivery", "Holiday schedule", "Backup status",
		"Re: Re: draft contract" };
	int n = snprintf(b, cap,
	                 "Return-Path: <%s@corp%u.example.org>\r\n"
	                 "Received: from mx%u.corp%u.example.org (mx%u.corp%u.example.org [203.0.113.%u])\r\n"
	                 "\tby mail.example.net with ESMTPS id %016" PRIx64 "\r\n"
	                 "\tfor <%s@example.net>; Fri, 01 Mar 2024 %02u:%02u:%02u +0000\r\n"
	                 "Message-ID: <%016" PRIx64 "@corp%u.example.org>\r\n"
	                 "Date: Fri, 01 Mar 2024 %02u:%02u:%02u +0000\r\n"
	                 "From: \"%s\" <%s@corp%u.example.org>\r\n"
	                 "To: <%s@example.net>\r\n"
	                 "Subject: %s %u\r\n"
	                 "MIME-Version: 1.0\r\n"
	                 "Content-Type: text/plain; charset=UTF-8\r\n"
	                 "Content-Transfer-Encoding: 8bit\r\n"
	                 "\r\n",
	                 fn, dom, mx, dom, mx, dom, 1 + dom % 250, id, user, hh, mm, ss, id, dom,
	                 hh, mm, ss, fn, fn, dom, user, subj[rbelow(&r, 8)], rbelow(&r, 1000));
	return (uint32_t)n;
}

static void msg_init(msg_t *m, uint64_t seed, uint32_t target, const char *user, uint64_t gid,
                     int pers)
{
	char hb[1024];
	m->seed = seed;
	m->hdrlen = gen_headers(hb, sizeof hb, seed, user);
	rng_t r = { seed };
	uint32_t size = m->hdrlen, n = 0, dots = 0;
	while (size < target) {
		uint32_t i = rbelow(&r, POOL);
		size += pool_len[i] + 2u;
		dots += pool_len[i] && pool_line[i][0] == '.';
		n++;
	}
	m->nlines = n;
	m->size = m->lsize = size;
	m->ndots = dots;
	uint64_t h = seed * 0x9E3779B97F4A7C15ull;
	switch (pers) {
	case 0: snprintf(m->uid, sizeof m->uid, "%08" PRIx64 "%08" PRIx64, gid & 0xffffffffu,
		         h >> 32);
		break;
	case 1: snprintf(m->uid, sizeof m->uid, "%016" PRIx64 "%016" PRIx64, h, seed); break;
	case 2: snprintf(m->uid, sizeof m->uid, "UID%" PRIu64 "-%" PRIu64, gid, h % 1000000007u);
		break;
	default: snprintf(m->uid, sizeof m->uid, "<%" PRIx64 ".%" PRIu64 "@pop.example.net>", h,
		          gid);
		break;
	}
}

/* --- script building */
static const char *PRINTF_LIKE(3, 0) tput(sess_t *s, uint16_t *lenp, const char *fmt, va_list ap)
{
	size_t room = TEXTCAP - s->tlen;
	int n = vsnprintf(s->text + s->tlen, room, fmt, ap);
	if (n < 0 || (size_t)n >= room) {
		fprintf(stderr, "gen_pop3_pcap: session text overflow\n");
		exit(2);
	}
	const char *p = s->text + s->tlen;
	s->tlen += (uint32_t)n;
	*lenp = (uint16_t)n;
	return p;
}

static void add_part(sess_t *s, int type, const char *ptr, uint16_t len, int msg)
{
	if (s->nparts >= MAXPARTS) {
		fprintf(stderr, "gen_pop3_pcap: too many parts\n");
		exit(2);
	}
	part_t *p = &s->parts[s->nparts++];
	p->type = (uint8_t)type;
	p->ptr = ptr;
	p->len = len;
	p->msg = (uint8_t)msg;
	s->planned += len;
}

static void PRINTF_LIKE(2, 3) reply(sess_t *s, const char *fmt, ...)
{
	va_list ap;
	uint16_t n;
	va_start(ap, fmt);
	const char *p = tput(s, &n, fmt, ap);
	va_end(ap);
	add_part(s, P_TEXT, p, n, 0);
}

/* client commands of one exchange are contiguous in s->text */
static void PRINTF_LIKE(2, 3) cmd(sess_t *s, const char *fmt, ...)
{
	va_list ap;
	uint16_t n;
	va_start(ap, fmt);
	const char *p = tput(s, &n, fmt, ap);
	va_end(ap);
	exch_t *e = &s->exs[s->nex];
	if (!e->clen)
		e->cli = p;
	e->clen = (uint16_t)(e->clen + n);
	s->planned += n;
}

enum { O_GREET, O_CAPA, O_USER, O_PASS, O_STAT, O_UIDL, O_LIST, O_LISTN, O_UIDLN, O_TOP,
	O_RETR, O_DELE, O_RSET, O_NOOP, O_QUIT };
typedef struct {
	uint8_t op, arg;
} op_t;

typedef struct {
	op_t ops[MAXEX * 2];
	uint8_t grp[MAXEX * 2];
	int n, g;
} script_t;

static void sc_add(script_t *sc, int op, int arg, int newgrp)
{
	if (newgrp && sc->n)
		sc->g++;
	sc->ops[sc->n].op = (uint8_t)op;
	sc->ops[sc->n].arg = (uint8_t)arg;
	sc->grp[sc->n] = (uint8_t)sc->g;
	sc->n++;
}

typedef struct {
	uint32_t ndel, sdel; /* DELE'd count and (listed) size */
	uint32_t n, s;       /* totals as listed */
	int quit_dele;
} mstate_t;

static void do_cmd(sess_t *s, const op_t *o)
{
	switch (o->op) {
	case O_GREET: break;
	case O_CAPA: cmd(s, "CAPA\r\n"); break;
	case O_USER: cmd(s, "USER %s\r\n", s->user); break;
	case O_PASS: {
		uint32_t h = 5381;
		for (const char *q = s->user; *q; q++)
			h = h * 33u + (uint8_t)*q;
		cmd(s, "PASS %c%s%u!\r\n", 'A' + (int)(h % 26u), "secret", (unsigned)(h % 1000u));
		break;
	}
	case O_STAT: cmd(s, "STAT\r\n"); break;
	case O_UIDL: cmd(s, "UIDL\r\n"); break;
	case O_LIST: cmd(s, "LIST\r\n"); break;
	case O_LISTN: cmd(s, "LIST %u\r\n", o->arg + 1u); break;
	case O_UIDLN: cmd(s, "UIDL %u\r\n", o->arg + 1u); break;
	case O_TOP: cmd(s, "TOP %u 0\r\n", o->arg + 1u); break;
	case O_RETR: cmd(s, "RETR %u\r\n", o->arg + 1u); break;
	case O_DELE: cmd(s, "DELE %u\r\n", o->arg + 1u); break;
	case O_RSET: cmd(s, "RSET\r\n"); break;
	case O_NOOP: cmd(s, "NOOP\r\n"); break;
	case O_QUIT: cmd(s, "QUIT\r\n"); break;
	}
}

static const char dot_crlf[] = ".\r\n";

static void do_reply(sess_t *s, const op_t *o, mstate_t *ms)
{
	int p = s->pers, k = s->kind;
	int nlisted_u = s->nmsg, nlisted_l = s->nmsg;
	if (k == K_STAT_UIDL || k == K_STAT_UIDL_NL)
		nlisted_u = s->nmsg - 1;
	if (k == K_STAT_LIST || k == K_STAT_LIST_NU)
		nlisted_l = s->nmsg - 1;
	int base = k == K_LIST_ZERO ? 0 : 1;
	uint32_t lsum = 0;
	for (int i = 0; i < nlisted_l; i++)
		lsum += s->msgs[i].lsize;
	switch (o->op) {
	case O_GREET:
		if (k == K_INTERMAIL)
			reply(s, "+OK InterMail POP3 server ready.\r\n");
		else if (p == 0)
			reply(s, "+OK Dovecot ready.\r\n");
		else if (p == 1)
			reply(s, "+OK QPOP (version 4.1.0) at mail.example.net starting.  "
			         "<%u.%u@mail.example.net>\r\n",
			      (unsigned)(s->c.cport * 13u % 65000u), 1709280000u + s->c.cport);
		else if (p == 2)
			reply(s, "+OK Hello there.\r\n");
		else
			reply(s, "+OK POP3 server ready <%u.%u@pop.example.net>\r\n",
			      (unsigned)(s->c.cport * 31u % 9000u + 1000u), 697170952u + s->c.cport);
		break;
	case O_CAPA:
		reply(s, "+OK%s\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n%sUSER\r\n"
		         "SASL PLAIN LOGIN\r\n.\r\n",
		      p == 0 ? "" : " Capability list follows",
		      p == 0 ? "AUTH-RESP-CODE\r\n" : "EXPIRE NEVER\r\n");
		break;
	case O_USER:
		if (k == K_INTERMAIL)
			reply(s, "+OK please send PASS command\r\n");
		else if (p == 0)
			reply(s, "+OK\r\n");
		else if (p == 1)
			reply(s, "+OK Password required for %s.\r\n", s->user);
		else if (p == 2)
			reply(s, "+OK Password required.\r\n");
		else
			reply(s, "+OK %s is a valid mailbox\r\n", s->user);
		break;
	case O_PASS:
		if (k == K_INTERMAIL)
			reply(s, "+OK You have 0 messages totaling 554 octets\r\n");
		else if (p == 0)
			reply(s, "+OK Logged in.\r\n");
		else if (p == 1)
			reply(s, "+OK %s has %u visible messages (0 hidden) in %u octets.\r\n", s->user,
			      ms->n, ms->s);
		else if (p == 2)
			reply(s, "+OK logged in.\r\n");
		else
			reply(s, "+OK %s's maildrop has %u messages (%u octets)\r\n", s->user, ms->n,
			      ms->s);
		break;
	case O_STAT:
		if (k == K_INTERMAIL)
			reply(s, "+OK 1 554\r\n");
		else if (k == K_STAT_OCTETS)
			reply(s, "+OK %u %u\r\n", (unsigned)s->nmsg,
			      lsum + 1u + (uint32_t)(s->c.cport % 997u));
		else /* K_STAT_LIST*: octets of the listed messages only */
			reply(s, "+OK %u %u\r\n", (unsigned)s->nmsg - ms->ndel, lsum - ms->sdel);
		break;
	case O_UIDL:
		if (k == K_INTERMAIL || p != 1)
			reply(s, "+OK\r\n");
		else
			reply(s, "+OK uidl command accepted.\r\n");
		for (int i = 0; i < nlisted_u; i++)
			reply(s, "%d %s\r\n", i + base, s->msgs[i].uid);
		add_part(s, P_TEXT, dot_crlf, 3, 0);
		break;
	case O_LIST:
		if (k == K_INTERMAIL)
			reply(s, "+OK 0 messages (554 octets) [1 control message(s) hidden]\r\n");
		else if (k != K_NONE)
			reply(s, "+OK\r\n");
		else if (p == 0)
			reply(s, "+OK %d messages:\r\n", nlisted_l);
		else if (p == 1)
			reply(s, "+OK %d visible messages (%u octets)\r\n", nlisted_l, lsum);
		else if (p == 2)
			reply(s, "+OK POP3 clients that break here, they violate STD53.\r\n");
		else
			reply(s, "+OK %d messages (%u octets)\r\n", nlisted_l, lsum);
		for (int i = 0; i < nlisted_l; i++)
			reply(s, "%d %u\r\n", i + base, s->msgs[i].lsize);
		add_part(s, P_TEXT, dot_crlf, 3, 0);
		break;
	case O_LISTN:
		reply(s, "+OK %u %u\r\n", o->arg + 1u, s->msgs[o->arg].lsize);
		break;
	case O_UIDLN:
		reply(s, "+OK %u %s\r\n", o->arg + 1u, s->msgs[o->arg].uid);
		break;
	case O_TOP:
		reply(s, "+OK\r\n");
		add_part(s, P_TOP, NULL, 0, o->arg);
		s->planned += s->msgs[o->arg].hdrlen;
		add_part(s, P_TEXT, dot_crlf, 3, 0);
		break;
	case O_RETR: {
		const msg_t *m = &s->msgs[o->arg];
		if (p == 2)
			reply(s, "+OK %u octets follow.\r\n", m->lsize);
		else
			reply(s, "+OK %u octets\r\n", m->lsize);
		add_part(s, P_BODY, NULL, 0, o->arg);
		s->planned += m->size + m->ndots;
		add_part(s, P_TEXT, dot_crlf, 3, 0);
		g_msgs_retr++;
		g_body_bytes += m->size;
		break;
	}
	case O_DELE:
		ms->ndel++;
		ms->sdel += s->msgs[o->arg].lsize;
		ms->quit_dele = 1;
		if (p == 0)
			reply(s, "+OK Marked to be deleted.\r\n");
		else if (p == 1)
			reply(s, "+OK Message %u has been deleted.\r\n", o->arg + 1u);
		else if (p == 2)
			reply(s, "+OK Deleted.\r\n");
		else
			reply(s, "+OK message %u deleted\r\n", o->arg + 1u);
		break;
	case O_RSET:
		ms->ndel = ms->sdel = 0;
		ms->quit_dele = 0;
		if (p == 0)
			reply(s, "+OK\r\n");
		else if (p == 1)
			reply(s, "+OK %s has %u visible messages (0 hidden) in %u octets.\r\n", s->user,
			      ms->n, ms->s);
		else if (p == 2)
			reply(s, "+OK Resurrected.\r\n");
		else
			reply(s, "+OK maildrop has %u messages (%u octets)\r\n", ms->n, ms->s);
		break;
	case O_NOOP: reply(s, "+OK\r\n"); break;
	case O_QUIT:
		if (k == K_INTERMAIL)
			reply(s, "+OK InterMail POP3 server signing off.\r\n");
		else if (p == 0)
			reply(s, ms->quit_dele ? "+OK Logging out, messages deleted.\r\n"
			                       : "+OK Logging out.\r\n");
		else if (p == 1)
			reply(s, "+OK Pop server at mail.example.net signing off.\r\n");
		else if (p == 2)
			reply(s, "+OK Bye-bye.\r\n");
		else
			reply(s, "+OK dewey POP3 server signing off\r\n");
		break;
	}
}

static void fmt_ip(char *b, size_t cap, const uint8_t *ip, int v6)
{
	if (!v6) {
		snprintf(b, cap, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
		return;
	}
	/* RFC 5952: longest run (>= 2) of zero groups compressed */
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(ip[2 * i] << 8 | ip[2 * i + 1]);
	int bs = -1, bl = 0;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bl && j - i >= 2) {
			bs = i;
			bl = j - i;
		}
		i = j;
	}
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (i == bs) {
			n += (size_t)snprintf(b + n, cap - n, "::");
			i += bl - 1;
			continue;
		}
		if (n && b[n - 1] != ':')
			n += (size_t)snprintf(b + n, cap - n, ":");
		n += (size_t)snprintf(b + n, cap - n, "%x", g[i]);
	}
}

static FILE *g_truth;
static uint32_t g_nserv = 8;

static void sess_init(sess_t *s, uint64_t id)
{
	memset(s, 0, offsetof(sess_t, msgs));
	s->tlen = 0;
	s->rng.s = rnext(&g_rng);
	rng_t *r = &s->rng;
	conn_t *c = &s->c;

	/* who */
	uint32_t uidx = rbelow(r, 6000);
	snprintf(s->user, sizeof s->user, "%s.%u", first_names[uidx % 16], uidx);
	c->v6 = uidx % 10 == 3;
	uint32_t srv = uidx % g_nserv;
	s->pers = (int)(srv % 4);
	s->kind = K_NONE;
	if (rbelow(r, 10000) < g_inject_bp) {
		s->kind = (int)(g_next_kind++ % NKIND);
		s->pers = 0;
		g_kind[s->kind]++;
	}
	uint32_t vr = rbelow(r, 100);
	c->vlan_mode = vr < 9 ? 1 : vr < 10 ? 2 : 0;
	c->vlan = (uint16_t)(10 + uidx % 4000);
	c->svlan = (uint16_t)(100 + uidx % 7);
	uint32_t ci = (uint32_t)(id % 8000u), cport = 32768u + (uint32_t)((id / 8000u) % 28000u);
	if (!c->v6) {
		uint8_t a[4] = { 198, 18, (uint8_t)(ci / 250), (uint8_t)(ci % 250 + 1) };
		uint8_t b[4] = { 192, 0, 2, (uint8_t)(10 + srv) };
		if (s->kind == K_INTERMAIL)
			b[3] = 99;
		memcpy(c->cip, a, 4);
		memcpy(c->sip, b, 4);
		s->mss = g_mss4;
	} else {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, (uint8_t)(ci >> 8), 0, 0, 0, 0,
			          0xca, 0xfe, (uint8_t)(ci >> 8), (uint8_t)ci };
		uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x01, 0x10, 0, 0, 0, 0, 0, 0, 0,
			          (uint8_t)(1 + srv) };
		if (s->kind == K_INTERMAIL)
			b[15] = 0x99;
		memcpy(c->cip, a, 16);
		memcpy(c->sip, b, 16);
		s->mss = (uint16_t)(g_mss4 - 20);
	}
	c->cport = (uint16_t)cport;
	c->sport = 110;
	uint8_t cm[6] = { 0x02, 0x42, (uint8_t)(ci >> 8), (uint8_t)ci, 0x11, 0x22 };
	uint8_t sm[6] = { 0x00, 0x1b, 0x21, 0x3c, 0x9d, (uint8_t)srv };
	memcpy(c->cmac, cm, 6);
	memcpy(c->smac, sm, 6);
	c->cipid = (uint16_t)rnext(r);
	c->sipid = (uint16_t)rnext(r);
	c->flow = (uint32_t)rnext(r);
	c->ts_off_c = (uint32_t)rnext(r);
	c->ts_off_s = (uint32_t)rnext(r);
	s->cseq = (uint32_t)rnext(r);
	s->sseq = (uint32_t)rnext(r);
	if (rbelow(r, 100) == 0) /* exercise sequence wrap */
		s->sseq = 0xffffffffu - rbelow(r, 60000);

	/* mailbox */
	int k = s->kind;
	int empty = k == K_NONE && rbelow(r, 100) < 4;
	uint32_t w = rbelow(r, 100);
	int nretr = w < 35 ? 1 : w < 60 ? 2 : w < 78 ? 3 : w < 90 ? 4 : 5;
	int n = empty ? 0 : nretr + (int)rbelow(r, 6);
	if (n > MAXMSG)
		n = MAXMSG;
	if ((k == K_STAT_UIDL || k == K_STAT_LIST || k == K_STAT_UIDL_NL || k == K_STAT_LIST_NU) &&
	    n < 2)
		n = 2;
	if (k == K_INTERMAIL)
		n = 0;
	s->nmsg = n;
	uint32_t maxb = g_maxmsg_kb * 1000u;
	for (int i = 0; i < n; i++) {
		uint32_t t = rbelow(r, 100), sz;
		if (t < 70)
			sz = rlogu(r, 2000, 16000);
		else if (t < 95)
			sz = rlogu(r, 16000, 64000);
		else
			sz = rlogu(r, 64000, 200000);
		if (sz > maxb)
			sz = maxb < 2000 ? 2000 : maxb;
		msg_init(&s->msgs[i], rnext(r), sz, s->user, (id << 4) | (uint64_t)i, s->pers);
	}
	/* which messages may be retrieved */
	int nvalid = n;
	if (k == K_STAT_UIDL || k == K_STAT_LIST || k == K_STAT_UIDL_NL || k == K_STAT_LIST_NU)
		nvalid = n - 1;
	if (k == K_LIST_ZERO || k == K_INTERMAIL)
		nvalid = 0;
	if (nretr > nvalid)
		nretr = nvalid;
	int first = nvalid - nretr; /* the newest messages */
	if (k == K_RETR_SIZE) {
		msg_t *m = &s->msgs[first + (int)rbelow(r, (uint32_t)nretr)];
		int32_t d = 1 + (int32_t)rbelow(r, 300);
		if (rbelow(r, 2) && (uint32_t)d < m->size)
			d = -d;
		m->lsize = (uint32_t)((int32_t)m->size + d);
	}

	/* script */
	script_t sc;
	memset(&sc, 0, sizeof sc);
	int pipe = rbelow(r, 100) < 12;
	int capa = pipe || rbelow(r, 100) < 20;
	int uidl_first = (int)rbelow(r, 2);
	int clean = k == K_NONE;
	int dele = clean && nretr > 0 && rbelow(r, 100) < 30;
	int dele_batched = rbelow(r, 2);
	int stat_after = dele && rbelow(r, 100) < 25;
	int rset = stat_after && rbelow(r, 2);
	int single = clean && n > 0 && rbelow(r, 100) < 6;
	int top = (clean || k == K_STAT_OCTETS) && n > 0 && rbelow(r, 100) < 4;
	int noop = rbelow(r, 100) < 4;
	int send_uidl = k != K_STAT_LIST_NU;
	int send_list = k != K_STAT_UIDL_NL;
	g_pipe += (uint64_t)pipe;
	g_dele += (uint64_t)dele;

	sc_add(&sc, O_GREET, 0, 1);
	if (capa)
		sc_add(&sc, O_CAPA, 0, 1);
	sc_add(&sc, O_USER, 0, 1);
	sc_add(&sc, O_PASS, 0, 1);
	sc_add(&sc, O_STAT, 0, 1);
	if (uidl_first && send_uidl)
		sc_add(&sc, O_UIDL, 0, !pipe);
	if (send_list)
		sc_add(&sc, O_LIST, 0, !pipe);
	if (!uidl_first && send_uidl)
		sc_add(&sc, O_UIDL, 0, !pipe);
	if (single) {
		int m = (int)rbelow(r, (uint32_t)n);
		sc_add(&sc, O_LISTN, m, 1);
		sc_add(&sc, O_UIDLN, m, !pipe);
	}
	if (top)
		sc_add(&sc, O_TOP, (int)rbelow(r, (uint32_t)n), 1);
	if (noop)
		sc_add(&sc, O_NOOP, 0, 1);
	for (int i = 0; i < nretr; i++) {
		sc_add(&sc, O_RETR, first + i, !pipe || i % 3 == 0);
		if (dele && !dele_batched)
			sc_add(&sc, O_DELE, first + i, !pipe);
	}
	if (dele && dele_batched)
		for (int i = 0; i < nretr; i++)
			sc_add(&sc, O_DELE, first + i, !pipe || i == 0);
	if (stat_after)
		sc_add(&sc, O_STAT, 0, 1);
	if (rset) {
		sc_add(&sc, O_RSET, 0, 1);
		sc_add(&sc, O_STAT, 0, !pipe);
	}
	sc_add(&sc, O_QUIT, 0, 1);

	mstate_t ms = { 0, 0, (uint32_t)n, 0, 0 };
	for (int i = 0; i < n; i++)
		ms.s += s->msgs[i].lsize;
	s->planned = 0;
	for (int i = 0; i < sc.n;) {
		int j = i;
		while (j < sc.n && sc.grp[j] == sc.grp[i])
			j++;
		exch_t *e = &s->exs[s->nex];
		memset(e, 0, sizeof *e);
		for (int q = i; q < j; q++)
			do_cmd(s, &sc.ops[q]);
		e->p0 = (uint16_t)s->nparts;
		for (int q = i; q < j; q++)
			do_reply(s, &sc.ops[q], &ms);
		e->p1 = (uint16_t)s->nparts;
		s->nex++;
		i = j;
	}
	/* frame overhead estimate */
	int64_t payload = s->planned;
	int64_t ovh = 16 + 14 + 32 + (c->v6 ? 40 : 20) + (c->vlan_mode ? 4 * c->vlan_mode : 0);
	int64_t frames = payload / s->mss + 3 * s->nex + 8 + (g_alone ? s->nparts : 0);
	frames += frames / 2; /* client ACKs */
	s->planned = payload + frames * ovh;
	s->written = 0;
	g_outstanding += s->planned;

	g_sessions++;
	g_v6 += c->v6;
	g_vlan += c->vlan_mode == 1;
	g_qinq += c->vlan_mode == 2;

	char a[64], b[64];
	fmt_ip(a, sizeof a, c->cip, c->v6);
	fmt_ip(b, sizeof b, c->sip, c->v6);
	fprintf(g_truth, "%s\t%u\t%s\t%u\t%s\t%s\n", a, c->cport, b, c->sport, s->user,
	        k == K_NONE ? "-" : kind_rules[k]);
	s->st = ST_SYN;
}

/* --- server output generation */
static void body_start(sess_t *s, const part_t *p)
{
	const msg_t *m = &s->msgs[p->msg];
	s->olen += gen_headers(s->obuf + s->olen, OBUFCAP - s->olen, m->seed, s->user);
	s->brng.s = m->seed;
	s->bline = 0;
	s->blines = p->type == P_TOP ? 0 : m->nlines;
	s->bphase = 1;
}

/* fill the output buffer with at least one MSS of the current exchange's
 * reply, or with all of what is left of it */
static void fill(sess_t *s)
{
	const exch_t *e = &s->exs[s->ex];
	if (s->opos) {
		memmove(s->obuf, s->obuf + s->opos, s->olen - s->opos);
		s->olen -= s->opos;
		if (s->ocut)
			s->ocut -= s->opos;
		s->opos = 0;
	}
	if (s->ocut)
		return; /* -a: the segment up to the cut goes first */
	while (s->olen < s->mss && s->part < e->p1) {
		const part_t *p = &s->parts[s->part];
		if (p->type == P_TEXT && g_alone && s->ppos == 0 && p->len &&
		    (p->ptr[0] == '+' || p->ptr[0] == '-')) {
			/* -a: a status line goes alone in its own segment */
			if (s->olen) {
				s->ocut = s->olen;
				return;
			}
			const char *nl = memchr(p->ptr, '\n', p->len);
			uint32_t n = nl ? (uint32_t)(nl - p->ptr) + 1 : p->len;
			memcpy(s->obuf, p->ptr, n);
			s->olen = s->ocut = n;
			s->ppos = n;
			if (s->ppos == p->len) {
				s->part++;
				s->ppos = 0;
			}
			g_status_alone++;
			return;
		}
		if (p->type == P_TEXT) {
			uint32_t n = p->len - s->ppos;
			if (n > OBUFCAP - s->olen)
				n = OBUFCAP - s->olen;
			memcpy(s->obuf + s->olen, p->ptr + s->ppos, n);
			s->olen += n;
			s->ppos += n;
			if (s->ppos == p->len) {
				s->part++;
				s->ppos = 0;
			}
			continue;
		}
		if (s->bphase == 0) {
			body_start(s, p);
			continue;
		}
		while (s->bline < s->blines && s->olen < s->mss) {
			uint32_t i = rbelow(&s->brng, POOL);
			uint32_t n = pool_len[i];
			char *d = s->obuf + s->olen;
			if (n && pool_line[i][0] == '.')
				*d++ = '.';
			memcpy(d, pool_line[i], n);
			d[n] = '\r';
			d[n + 1] = '\n';
			s->olen = (uint32_t)(d + n + 2 - s->obuf);
			s->bline++;
		}
		if (s->bline >= s->blines) {
			s->bphase = 0;
			s->part++;
		}
	}
}

static void emit_seg(sess_t *s, int from_srv, uint8_t flags, uint32_t seq, uint32_t ack,
                     const uint8_t *pl, uint32_t plen, const uint8_t *prebuilt, uint32_t prelen);

static void sess_frame(sess_t *s, const uint8_t *f, uint32_t len)
{
	uint32_t n = emit_frame(f, len);
	s->written += n;
	g_outstanding -= n;
	if (g_noise_pct) {
		uint32_t k = g_noise_whole + (rbelow(&g_rng, 1000000) < g_noise_frac);
		while (k--)
			emit_busy();
	} else if (rbelow(&g_rng, 1000) < P_NOISE) {
		emit_noise();
	}
}

static void anomalies(sess_t *s, const uint8_t *f, uint32_t len)
{
	uint32_t u = rbelow(&s->rng, 10000);
	if (u < P_DUP) {
		sess_frame(s, f, len);
		g_dups++;
	} else if (u < P_DUP + P_RTX && !s->rtxlen) {
		memcpy(s->rtx, f, len);
		s->rtxlen = len;
		s->rtx_wait = 2 + (int)rbelow(&s->rng, 4);
	}
}

static void emit_seg(sess_t *s, int from_srv, uint8_t flags, uint32_t seq, uint32_t ack,
                     const uint8_t *pl, uint32_t plen, const uint8_t *prebuilt, uint32_t prelen)
{
	uint8_t f[FRAME_MAX];
	uint32_t len = prelen;
	if (prebuilt)
		memcpy(f, prebuilt, prelen);
	else
		len = build_tcp(f, &s->c, from_srv, flags, seq, ack, pl, plen, s->mss);
	sess_frame(s, f, len);
	if (plen)
		anomalies(s, f, len);
}

static void flush_rtx(sess_t *s)
{
	if (s->rtxlen) {
		sess_frame(s, s->rtx, s->rtxlen);
		s->rtxlen = 0;
		g_rtx++;
	}
}

static void step(sess_t *s)
{
	if (s->rtxlen && --s->rtx_wait <= 0)
		flush_rtx(s);
	switch (s->st) {
	case ST_SYN:
		emit_seg(s, 0, F_SYN, s->cseq, 0, NULL, 0, NULL, 0);
		s->cseq++;
		s->st = ST_SYNACK;
		return;
	case ST_SYNACK:
		emit_seg(s, 1, F_SYN | F_ACK, s->sseq, s->cseq, NULL, 0, NULL, 0);
		s->sseq++;
		emit_seg(s, 0, F_ACK, s->cseq, s->sseq, NULL, 0, NULL, 0);
		s->st = ST_CMD;
		s->ex = 0;
		return;
	case ST_CMD: {
		const exch_t *e = &s->exs[s->ex];
		s->part = e->p0;
		s->ppos = 0;
		s->bphase = 0;
		s->st = ST_REPLY;
		if (e->clen) {
			emit_seg(s, 0, F_PSH | F_ACK, s->cseq, s->sseq, (const uint8_t *)e->cli, e->clen,
			         NULL, 0);
			s->cseq += e->clen;
			return;
		}
	}
	/* fall through: the greeting needs no command */
	/* FALLTHROUGH */
	case ST_REPLY: {
		const exch_t *e = &s->exs[s->ex];
		uint8_t f[2][FRAME_MAX];
		uint32_t fl[2], pl[2];
		int nseg = 0, done = 0;
		while (nseg < 2 && !done) {
			fill(s);
			uint32_t avail = s->olen - s->opos;
			uint32_t n = avail < s->mss ? avail : s->mss;
			if (s->ocut && s->ocut - s->opos < n)
				n = s->ocut - s->opos;
			done = n == avail && s->part >= e->p1;
			fl[nseg] = build_tcp(f[nseg], &s->c, 1, (uint8_t)(F_ACK | (done ? F_PSH : 0)),
			                     s->sseq, s->cseq, (const uint8_t *)s->obuf + s->opos, n,
			                     s->mss);
			pl[nseg] = n;
			s->sseq += n;
			s->opos += n;
			if (s->ocut && s->opos >= s->ocut)
				s->ocut = 0;
			nseg++;
		}
		int order[2] = { 0, 1 };
		if (nseg == 2 && rbelow(&s->rng, 10000) < P_REORDER) {
			order[0] = 1;
			order[1] = 0;
			g_reorders++;
		}
		for (int i = 0; i < nseg; i++)
			emit_seg(s, 1, 0, 0, 0, NULL, pl[order[i]], f[order[i]], fl[order[i]]);
		if (!done) {
			emit_seg(s, 0, F_ACK, s->cseq, s->sseq, NULL, 0, NULL, 0);
		} else {
			s->ex++;
			s->opos = s->olen = 0;
			s->st = s->ex >= s->nex ? ST_FIN : ST_CMD;
		}
		return;
	}
	case ST_FIN:
		flush_rtx(s);
		emit_seg(s, 1, F_FIN | F_ACK, s->sseq, s->cseq, NULL, 0, NULL, 0);
		s->sseq++;
		emit_seg(s, 0, F_FIN | F_ACK, s->cseq, s->sseq, NULL, 0, NULL, 0);
		s->cseq++;
		s->st = ST_LASTACK;
		return;
	case ST_LASTACK:
		emit_seg(s, 1, F_ACK, s->sseq, s->cseq, NULL, 0, NULL, 0);
		s->st = ST_DONE;
		return;
	default:
		return;
	}
}

/* ----------------------------------------------------------------- main */
static void usage(void)
{
	fprintf(stderr,
	        "usage: gen_pop3_pcap -o OUT.pcap -t TRUTH.tsv -s SIZE_MB [-S seed] [-c concurrent]\n"
	        "                     [-j inject_pct] [-m max_msg_kb] [-M mss] [-a] [-n noise_pct] [-q]\n"
	        "  -s  approximate output size in MB (10^6 bytes)\n"
	        "  -S  seed (default 1); same seed and options -> same bytes\n"
	        "  -c  sessions active at once (default 2000)\n"
	        "  -j  per cent of sessions with one injected contradiction (default 3)\n"
	        "  -m  largest message in kB (default 200)\n"
	        "  -M  IPv4 MSS (default 1448; IPv6 20 less)\n"
	        "  -a  every status line alone in its own segment\n"
	        "  -n  busy link: per cent of all frames that are other TCP/UDP traffic (1-95)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *outp = NULL, *truthp = NULL;
	double size_mb = 0;
	uint64_t seed = 1;
	uint32_t conc = 2000;
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-q")) {
			quiet = 1;
			continue;
		}
		if (!strcmp(a, "-a")) {
			g_alone = 1;
			continue;
		}
		if (a[0] != '-' || !a[1] || a[2] || i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		char *end;
		switch (a[1]) {
		case 'o': outp = v; break;
		case 't': truthp = v; break;
		case 's': size_mb = strtod(v, &end); if (*end || size_mb <= 0) usage(); break;
		case 'S': seed = strtoull(v, &end, 0); if (*end) usage(); break;
		case 'c': conc = (uint32_t)strtoul(v, &end, 0); if (*end || !conc) usage(); break;
		case 'j': g_inject_bp = (uint32_t)(strtod(v, &end) * 100); if (*end || g_inject_bp > 10000) usage(); break;
		case 'M': g_mss4 = (uint16_t)strtoul(v, &end, 0); if (*end || g_mss4 < 200 || g_mss4 > 1448) usage(); break;
		case 'n': g_noise_pct = (uint32_t)strtoul(v, &end, 0); if (*end || g_noise_pct > 95) usage(); break;
		case 'm': g_maxmsg_kb = (uint32_t)strtoul(v, &end, 0); if (*end || g_maxmsg_kb < 2) usage(); break;
		default: usage();
		}
	}
	if (!outp || !truthp || size_mb <= 0)
		usage();
	g_out = !strcmp(outp, "-") ? stdout : fopen(outp, "wb");
	if (!g_out) {
		perror(outp);
		return 2;
	}
	g_truth = fopen(truthp, "w");
	if (!g_truth) {
		perror(truthp);
		return 2;
	}
	g_buf = malloc(OUTCAP);
	sess_t *pool = calloc(conc, sizeof *pool);
	sess_t **act = calloc(conc, sizeof *act), **freel = calloc(conc, sizeof *freel);
	if (!g_buf || !pool || !act || !freel) {
		fprintf(stderr, "gen_pop3_pcap: out of memory\n");
		return 2;
	}
	struct timespec t0, t1;
	timespec_get(&t0, TIME_UTC);

	build_pool();
	g_rng.s = seed * 0xD1B54A32D192ED03ull + 0x1234567;
	noise_init();
	if (g_noise_pct) {
		busy_init();
		/* noise frames per POP3 frame: pct / (100 - pct), in millionths */
		uint64_t r6 = (uint64_t)g_noise_pct * 1000000u / (100u - g_noise_pct);
		g_noise_whole = (uint32_t)(r6 / 1000000u);
		g_noise_frac = (uint32_t)(r6 % 1000000u);
	}
	g_now_us = 1709280000ull * 1000000u + (seed % 1000u) * 1000u; /* 2024-03-01 08:00 UTC */

	uint32_t magic = 0xa1b2c3d4u;
	uint16_t ver[2] = { 2, 4 };
	uint32_t rest[4] = { 0, 0, 262144, 1 }; /* thiszone, sigfigs, snaplen, DLT_EN10MB */
	memcpy(g_buf, &magic, 4);
	memcpy(g_buf + 4, ver, 4);
	memcpy(g_buf + 8, rest, 16);
	g_blen = g_written = 24;

	int64_t target = (int64_t)(size_mb * 1e6);
	uint32_t nact = 0, nfree = conc;
	for (uint32_t i = 0; i < conc; i++)
		freel[i] = &pool[conc - 1 - i];
	uint64_t next_id = 0;
	for (;;) {
		/* on a busy link the sessions still to be written bring their noise */
		int64_t ahead = g_outstanding;
		if (g_noise_bytes && g_written > g_noise_bytes)
			ahead += (int64_t)((double)g_outstanding * (double)g_noise_bytes /
			                   (double)(g_written - g_noise_bytes));
		int can_start = nact < conc && (int64_t)g_written + ahead < target;
		if (can_start && (nact == 0 || rbelow(&g_rng, 4) == 0)) {
			sess_t *s = freel[--nfree];
			sess_init(s, next_id++);
			act[nact++] = s;
			if (nact > g_max_active)
				g_max_active = nact;
		}
		if (!nact)
			break;
		uint32_t i = rbelow(&g_rng, nact);
		sess_t *s = act[i];
		step(s);
		if (s->st == ST_DONE) {
			g_outstanding -= s->planned - s->written;
			act[i] = act[--nact];
			freel[nfree++] = s;
		}
	}
	out_flush();
	if ((g_out != stdout && fclose(g_out)) || fclose(g_truth)) {
		perror("gen_pop3_pcap: close");
		return 2;
	}
	timespec_get(&t1, TIME_UTC);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!quiet) {
		fprintf(stderr,
		        "gen_pop3_pcap: bytes=%" PRIu64 " frames=%" PRIu64 " noise_frames=%" PRIu64
		        " sessions=%" PRIu64 " max_active=%u ipv6=%" PRIu64 " vlan=%" PRIu64 " qinq=%" PRIu64
		        " pipelined=%" PRIu64 " dele=%" PRIu64 " retr=%" PRIu64 " body_bytes=%" PRIu64
		        " reorders=%" PRIu64 " dups=%" PRIu64 " rtx=%" PRIu64 " status_alone=%" PRIu64
		        " noise_bytes=%" PRIu64 " seconds=%.2f mbps=%.0f\n",
		        g_written, g_frames, g_noise_frames, g_sessions, g_max_active, g_v6, g_vlan, g_qinq, g_pipe,
		        g_dele, g_msgs_retr, g_body_bytes, g_reorders, g_dups, g_rtx, g_status_alone,
		        g_noise_bytes, secs,
		        secs > 0 ? g_written / 1e6 / secs : 0.0);
		fprintf(stderr, "gen_pop3_pcap: injected:");
		for (int k = 0; k < NKIND; k++)
			fprintf(stderr, " %s=%" PRIu64, kind_name[k], g_kind[k]);
		fprintf(stderr, "\n");
	}
	free(pool);
	free(act);
	free(freel);
	free(g_buf);
	return 0;
}
