/*
 * gen_hostile.c - writes hostile captures for tests/hostile/hostile.sh.
 *
 *   gen_hostile CASE OUT.pcap [SCALE]
 *
 * CASE is one of
 *   synflood  SCALE SYNs to port 110 from distinct (address, port) pairs
 *   longline  a server greeting of SCALE MiB without CRLF
 *   endless   RETR whose multi-line reply runs SCALE MiB and never ends
 *   overlap   SCALE windows: a hole, 8 segments ahead of it, 8 conflicting
 *             copies of them, then the hole filled
 *   ooo       SCALE server segments of 64 bytes, every other one missing
 *             until the end (no ACKs: the holes are only declared by caps)
 *   ooo-tiny  SCALE 1-byte segments, every other one missing, spread over
 *             1024 flows, all under the caps: what a buffered byte costs
 *   ooo-1byte SCALE 1-byte segments in one flow, every other one missing:
 *             the per-direction cap holds 256 Ki pieces, and every new
 *             segment is inserted behind all of them
 *   huge-caplen  a valid session, then a record with caplen 2^31
 *   caplen-gt-snaplen  snaplen 96 in the file header, a record of 2000 bytes
 *   len-lt-caplen  records whose wire length is smaller than caplen
 *   listing-drop  a UIDL listing of SCALE entries still open when the
 *             client has pipelined 66 commands (the FIFO drops the oldest)
 *   evil      one session whose banner, user name and replies carry ESC
 *             sequences, control bytes, NUL, invalid UTF-8 and quotes
 *
 * Frames are Ethernet/IPv4/TCP; checksums are left zero (pop3mon does not
 * check them). Timestamps advance 1 us per frame so nothing times out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static uint64_t ts_us = 1700000000ull * 1000000ull;

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void file_header(uint32_t snaplen)
{
	uint8_t h[24] = { 0 };
	le32(h, 0xa1b2c3d4);
	h[4] = 2; h[6] = 4;
	le32(h + 16, snaplen);
	le32(h + 20, 1); /* Ethernet */
	fwrite(h, 1, sizeof(h), out);
}

static void record(const uint8_t *frame, uint32_t caplen, uint32_t wirelen)
{
	uint8_t h[16];
	ts_us++;
	le32(h, (uint32_t)(ts_us / 1000000));
	le32(h + 4, (uint32_t)(ts_us % 1000000));
	le32(h + 8, caplen);
	le32(h + 12, wirelen);
	fwrite(h, 1, sizeof(h), out);
	fwrite(frame, 1, caplen, out);
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

struct ep {
	uint32_t ip;
	uint16_t port;
};

static uint8_t frame_buf[14 + 20 + 20 + 65536];

static void tcp(struct ep s, struct ep d, uint32_t seq, uint32_t ack, uint8_t flags,
		const void *payload, uint32_t len)
{
	uint8_t *f = frame_buf;
	memset(f, 0, 54);
	f[0] = 0x02; f[5] = 0x02; f[6] = 0x02; f[11] = 0x01;
	be16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	be16(ip + 2, (uint16_t)(40 + len));
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 6;
	be32(ip + 12, s.ip);
	be32(ip + 16, d.ip);
	uint8_t *t = ip + 20;
	be16(t, s.port);
	be16(t + 2, d.port);
	be32(t + 4, seq);
	be32(t + 8, ack);
	t[12] = 0x50;
	t[13] = flags;
	be16(t + 14, 65535);
	if (len)
		memcpy(t + 20, payload, len);
	record(f, 54 + len, 54 + len);
}

/* A connection: both ends and their next sequence numbers. */
struct conn {
	struct ep c, s;
	uint32_t cseq, sseq;
};

static void handshake(struct conn *k, uint32_t cip, uint16_t cport)
{
	k->c.ip = cip; k->c.port = cport;
	k->s.ip = 0x0a000002; k->s.port = 110;
	k->cseq = 1000; k->sseq = 500000;
	tcp(k->c, k->s, k->cseq, 0, F_SYN, NULL, 0);
	tcp(k->s, k->c, k->sseq, k->cseq + 1, F_SYN | F_ACK, NULL, 0);
	k->cseq++; k->sseq++;
	tcp(k->c, k->s, k->cseq, k->sseq, F_ACK, NULL, 0);
}

static void srv(struct conn *k, const void *p, uint32_t n)
{
	tcp(k->s, k->c, k->sseq, k->cseq, F_ACK | F_PSH, p, n);
	k->sseq += n;
}

static void cli(struct conn *k, const void *p, uint32_t n)
{
	tcp(k->c, k->s, k->cseq, k->sseq, F_ACK | F_PSH, p, n);
	k->cseq += n;
}

static void srvs(struct conn *k, const char *s) { srv(k, s, (uint32_t)strlen(s)); }
static void clis(struct conn *k, const char *s) { cli(k, s, (uint32_t)strlen(s)); }

static void fin(struct conn *k)
{
	tcp(k->c, k->s, k->cseq, k->sseq, F_FIN | F_ACK, NULL, 0);
	tcp(k->s, k->c, k->sseq, k->cseq + 1, F_FIN | F_ACK, NULL, 0);
	tcp(k->c, k->s, k->cseq + 1, k->sseq + 1, F_ACK, NULL, 0);
}

static void gen_synflood(uint64_t n)
{
	file_header(262144);
	struct ep d = { 0x0a000002, 110 };
	for (uint64_t i = 0; i < n; i++) {
		/* distinct (address, port) pairs: 60000 ports per address */
		struct ep s = { 0xc0000000u + (uint32_t)(i / 60000), (uint16_t)(1024 + i % 60000) };
		tcp(s, d, (uint32_t)(i * 7919u), 0, F_SYN, NULL, 0);
	}
}

static void gen_longline(uint64_t mib)
{
	file_header(262144);
	struct conn k;
	handshake(&k, 0x0a000001, 40000);
	uint8_t chunk[1460];
	memset(chunk, 'A', sizeof(chunk));
	memcpy(chunk, "+OK ", 4);
	uint64_t total = mib << 20;
	for (uint64_t sent = 0; sent < total; sent += sizeof(chunk)) {
		srv(&k, chunk, sizeof(chunk));
		memset(chunk, 'A', 4);
	}
	/* and the client sends one too */
	memset(chunk, 'B', sizeof(chunk));
	for (int i = 0; i < 2000; i++)
		cli(&k, chunk, sizeof(chunk));
	fin(&k);
}

static void gen_endless(uint64_t mib)
{
	file_header(262144);
	struct conn k;
	handshake(&k, 0x0a000001, 40001);
	srvs(&k, "+OK POP3 ready\r\n");
	clis(&k, "USER alice\r\n");
	srvs(&k, "+OK\r\n");
	clis(&k, "PASS secret\r\n");
	srvs(&k, "+OK 1 messages\r\n");
	clis(&k, "RETR 1\r\n");
	srvs(&k, "+OK message follows\r\n");
	/* 19 lines of 76 chars + CRLF per segment; never a lone "." */
	uint8_t chunk[19 * 78];
	for (int l = 0; l < 19; l++) {
		memset(chunk + l * 78, 'a' + l, 76);
		chunk[l * 78 + 76] = '\r';
		chunk[l * 78 + 77] = '\n';
	}
	chunk[0] = '.'; /* a stuffed-looking line now and then */
	chunk[1] = '.';
	uint64_t total = mib << 20;
	for (uint64_t sent = 0; sent < total; sent += sizeof(chunk)) {
		srv(&k, chunk, sizeof(chunk));
		if ((sent / sizeof(chunk)) % 16 == 0)
			tcp(k.c, k.s, k.cseq, k.sseq, F_ACK, NULL, 0);
	}
	/* the capture ends with the reply still open */
}

static void gen_overlap(uint64_t windows)
{
	file_header(262144);
	struct conn k;
	handshake(&k, 0x0a000001, 40002);
	srvs(&k, "+OK POP3 ready\r\n");
	clis(&k, "CAPA\r\n");
	srvs(&k, "+OK\r\n");
	uint8_t good[100], bad[100];
	memset(good, 'g', sizeof(good));
	memcpy(good + 96, "\r\n\r\n", 4);
	memset(bad, 'X', sizeof(bad));
	for (uint64_t w = 0; w < windows; w++) {
		uint32_t hole = k.sseq;
		/* 8 segments ahead of the hole... */
		for (int i = 1; i <= 8; i++)
			tcp(k.s, k.c, hole + 100u * (uint32_t)i, k.cseq, F_ACK, good, 100);
		/* ...8 copies with other bytes, shifted by half a segment... */
		for (int i = 1; i <= 8; i++)
			tcp(k.s, k.c, hole + 100u * (uint32_t)i + 50, k.cseq, F_ACK, bad, 100);
		/* ...then the hole. */
		tcp(k.s, k.c, hole, k.cseq, F_ACK, good, 100);
		k.sseq = hole + 900 + 50;
		tcp(k.c, k.s, k.cseq, k.sseq, F_ACK, NULL, 0);
	}
	fin(&k);
}

static void gen_ooo(uint64_t nseg, uint32_t segsize, int nflows)
{
	file_header(262144);
	struct conn *k = calloc((size_t)nflows, sizeof(*k));
	uint8_t data[64];
	memset(data, 'o', sizeof(data));
	for (int f = 0; f < nflows; f++) {
		handshake(&k[f], 0x0a000001 + (uint32_t)(f >> 12), (uint16_t)(41000 + (f & 4095)));
		srvs(&k[f], "+OK POP3 ready\r\n");
		clis(&k[f], "UIDL\r\n");
	}
	for (uint64_t i = 0; i < nseg; i++) {
		struct conn *c = &k[i % (uint64_t)nflows];
		uint64_t j = i / (uint64_t)nflows;
		/* segment 2j+1 is sent, 2j is missing */
		tcp(c->s, c->c, c->sseq + (uint32_t)((2 * j + 1) * segsize), c->cseq, F_ACK, data,
		    segsize);
	}
	/* no FIN: the capture just ends */
	free(k);
}

static void gen_bad_records(int which)
{
	struct conn k;
	if (which == 1) {
		file_header(96);
	} else {
		file_header(262144);
	}
	handshake(&k, 0x0a000001, 40003);
	srvs(&k, "+OK POP3 ready\r\n");
	clis(&k, "STAT\r\n");
	srvs(&k, "+OK 1 100\r\n");
	uint8_t h[16];
	ts_us++;
	le32(h, (uint32_t)(ts_us / 1000000));
	le32(h + 4, 0);
	if (which == 0) { /* caplen 2^31 */
		le32(h + 8, 0x80000000u);
		le32(h + 12, 0x80000000u);
		fwrite(h, 1, 16, out);
		static uint8_t junk[4096];
		fwrite(junk, 1, sizeof(junk), out);
	} else if (which == 1) { /* caplen 2000 > snaplen 96 */
		le32(h + 8, 2000);
		le32(h + 12, 2000);
		fwrite(h, 1, 16, out);
		static uint8_t junk[2000];
		memcpy(junk, frame_buf, 54);
		fwrite(junk, 1, sizeof(junk), out);
		srvs(&k, "+OK after the big one\r\n");
	} else { /* wirelen < caplen, and wirelen 0xffffffff */
		tcp(k.c, k.s, k.cseq, k.sseq, F_ACK | F_PSH, "LIST\r\n", 6);
		k.cseq += 6;
		/* rewrite: same frame, lying lengths */
		le32(h + 8, 54 + 6);
		le32(h + 12, 10);
		fwrite(h, 1, 16, out);
		fwrite(frame_buf, 1, 60, out);
		le32(h + 12, 0xffffffffu);
		fwrite(h, 1, 16, out);
		fwrite(frame_buf, 1, 60, out);
		srvs(&k, "+OK\r\n1 100\r\n.\r\n");
		fin(&k);
	}
}

/* A UIDL listing still open when the client has pipelined more than
 * POP3_PENDING_MAX commands: dropping the oldest emits a transaction. */
static void gen_listing_drop(uint64_t entries)
{
	file_header(262144);
	struct conn k;
	handshake(&k, 0x0a000001, 40005);
	srvs(&k, "+OK ready\r\n");
	clis(&k, "USER a\r\n");
	srvs(&k, "+OK\r\n");
	clis(&k, "PASS b\r\n");
	srvs(&k, "+OK\r\n");
	clis(&k, "UIDL\r\n");
	srvs(&k, "+OK\r\n");
	char line[128];
	for (uint64_t i = 1; i <= entries; i++) {
		int n = snprintf(line, sizeof(line), "%llu uid%llu\r\n", (unsigned long long)i,
				 (unsigned long long)i);
		srv(&k, line, (uint32_t)n);
	}
	for (int i = 0; i < 66; i++)
		clis(&k, "NOOP\r\n");
	srvs(&k, "99999 late\r\n.\r\n");
	fin(&k);
}

static void gen_evil(void)
{
	file_header(262144);
	struct conn k;
	handshake(&k, 0x0a000001, 40004);
	srvs(&k, "+OK \x1b]0;pwned\x07 \x1b[2J\x1b[31mPOP3\x1b[0m \"ready\" \\ \xff\xfe\xc0\xaf "
		 "\xe2\x80\xae rtl \x9b" "31m <1.2@\x1b[5m>\r\n");
	clis(&k, "CAPA\r\n");
	srvs(&k, "+OK \x1b[?1049h\r\nUIDL\r\nSASL PLAIN \x1b]52;c;cHduZWQ=\x07\r\n.\r\n");
	clis(&k, "USER \x1b]0;owned\x07\"bob\\\x1b[2J\xc3\x28\x01\x7f\r\n");
	srvs(&k, "+OK hi \x1b[H\x1b[2J\x08\x08\x08\r\n");
	clis(&k, "PASS \x1b[31mhunter2\r\n");
	srvs(&k, "+OK You have 0 messages totaling 554 octets \x1b[6n\r\n");
	clis(&k, "STAT\r\n");
	srvs(&k, "+OK 1 554\r\n");
	clis(&k, "LIST\r\n");
	srvs(&k, "+OK 0 messages \x1b]8;;http://evil/\x07link\x1b]8;;\x07\r\n.\r\n");
	clis(&k, "UIDL\r\n");
	srvs(&k, "+OK\r\n1 \x1b[2Juid\x07\r\n2 uid\xff\xfe\r\n.\r\n");
	clis(&k, "X\x1b[2J\x7f\x01\r\n");
	static const char nul[] = "-ERR [SYS/\x1b[2J] unknown \"command\" \x00 nul \r\n";
	srv(&k, nul, sizeof(nul) - 1);
	clis(&k, "RETR 1\r\n");
	srvs(&k, "+OK \x1b[1;1H\r\nSubject: \x1b]0;x\x07\r\n\r\nbody\r\n.\r\n");
	clis(&k, "QUIT\r\n");
	srvs(&k, "+OK bye \x1b" "c\r\n");
	fin(&k);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: gen_hostile CASE OUT.pcap [SCALE]\n");
		return 2;
	}
	const char *c = argv[1];
	uint64_t scale = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	static char iobuf[1 << 20];
	setvbuf(out, iobuf, _IOFBF, sizeof(iobuf));
	if (!strcmp(c, "synflood"))
		gen_synflood(scale ? scale : 200000);
	else if (!strcmp(c, "longline"))
		gen_longline(scale ? scale : 50);
	else if (!strcmp(c, "endless"))
		gen_endless(scale ? scale : 200);
	else if (!strcmp(c, "overlap"))
		gen_overlap(scale ? scale : 20000);
	else if (!strcmp(c, "ooo"))
		gen_ooo(scale ? scale : 2000000, 64, 1);
	else if (!strcmp(c, "ooo-tiny"))
		gen_ooo(scale ? scale : 1500000, 1, 1024);
	else if (!strcmp(c, "ooo-1byte"))
		gen_ooo(scale ? scale : 400000, 1, 1);
	else if (!strcmp(c, "huge-caplen"))
		gen_bad_records(0);
	else if (!strcmp(c, "caplen-gt-snaplen"))
		gen_bad_records(1);
	else if (!strcmp(c, "len-lt-caplen"))
		gen_bad_records(2);
	else if (!strcmp(c, "listing-drop"))
		gen_listing_drop(scale ? scale : 5000);
	else if (!strcmp(c, "evil"))
		gen_evil();
	else {
		fprintf(stderr, "gen_hostile: unknown case %s\n", c);
		return 2;
	}
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
