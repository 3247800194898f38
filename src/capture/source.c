/*
 * source.c - packet sources over libpcap: capture files and live devices.
 *
 * Files: pcap_open_offline handles pcap and pcapng, and "-" is stdin.
 * A truncated last record makes pcap_next_ex fail; we report it naming the
 * file and the frame that could not be read. Live: the handle is
 * non-blocking with immediate mode off, so the kernel ring (-B) absorbs
 * bursts while the consumer is busy; source_next() returns SOURCE_TIMEOUT
 * at once when the ring is empty, and the caller waits on
 * source_wait_fd() (with the terminal and its timer) before asking again.
 * The 100 ms packet-buffer timeout bounds how long a frame waits in a
 * partly filled ring block before that descriptor becomes readable.
 */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readahead.h"

#define LIVE_TIMEOUT_MS 100
#define FILE_BUFFER_SIZE (1u << 20)

struct source {
	pcap_t *pcap;
	char *name;
	bool live;
	int linktype;
	uint64_t frames;
	struct readahead *ra; /* regular files: read on a second thread */
	/* Files: the BPF filter run here (pcap_offline_filter), not by
	 * libpcap, so every record is counted and frame numbers stay the
	 * file's own, as tshark numbers the unfiltered file. */
	struct bpf_program prog;
	bool have_prog;
	uint64_t number;      /* records read (files without the thread) */
};

static struct source *source_wrap(pcap_t *p, const char *name, bool live)
{
	struct source *s = xcalloc(1, sizeof(*s));
	s->pcap = p;
	s->name = xstrdup(name);
	s->live = live;
	s->linktype = pcap_datalink(p);
	return s;
}

static int compile_filter(pcap_t *p, const char *name, const char *bpf, struct bpf_program *prog,
			  char *errbuf)
{
	if (pcap_compile(p, prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: bad filter '%s': %s", name, bpf,
			 pcap_geterr(p));
		return -1;
	}
	return 0;
}

static int apply_filter(pcap_t *p, const char *name, const char *bpf, char *errbuf)
{
	struct bpf_program prog;
	if (!bpf || !*bpf)
		return 0;
	if (compile_filter(p, name, bpf, &prog, errbuf) < 0)
		return -1;
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: cannot set filter: %s", name,
			 pcap_geterr(p));
		return -1;
	}
	return 0;
}

/* May the reader thread parse this file's records itself? Classic pcap
 * 2.4, a link type libpcap does not rewrite, and no BPF filter (libpcap
 * runs the filter as it reads). */
static bool direct_format(pcap_t *p, int fd, const struct source_opts *o, struct pcap_format *f)
{
	uint8_t hdr[24];
	if (o->bpf && *o->bpf)
		return false;
	if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr || !pcap_format_from_header(hdr, f))
		return false;
	if (!pcap_records_plain_linktype(pcap_datalink(p), f->swapped) || pcap_snapshot(p) <= 0)
		return false;
	f->snapshot = (uint32_t)pcap_snapshot(p);
	f->max_caplen = CAPTURE_SNAPLEN_DEFAULT; /* libpcap's maximum for these types */
	return true;
}

struct source *source_open_file(const char *path, const struct source_opts *o,
				char errbuf[CAPTURE_ERRBUF_SIZE])
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	/* Our own FILE with a 1 MiB buffer: stdio's 4 KiB means a read() per
	 * few packets, a visible share of the run on a large capture. */
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!fp) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, FILE_BUFFER_SIZE);
	pcap_t *p = pcap_fopen_offline(fp, pe);
	if (!p) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: %s", path, pe);
		if (fp != stdin)
			fclose(fp);
		return NULL;
	}
	struct bpf_program prog = { 0 };
	bool have_prog = o->bpf && *o->bpf;
	if (have_prog && compile_filter(p, path, o->bpf, &prog, errbuf) < 0) {
		pcap_close(p);
		return NULL;
	}
	struct source *s = source_wrap(p, path, false);
	s->prog = prog;
	s->have_prog = have_prog;
	struct stat sb;
	if (fp != stdin && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) {
		struct pcap_format fmt;
		bool direct = direct_format(p, fileno(fp), o, &fmt);
		s->ra = readahead_start(p, fileno(fp), direct ? &fmt : NULL,
					have_prog ? &s->prog : NULL, o, path);
	}
	return s;
}

struct source *source_open_live(const char *iface, const struct source_opts *o,
				char errbuf[CAPTURE_ERRBUF_SIZE])
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(iface, pe);
	if (!p) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: %s", iface, pe);
		return NULL;
	}
	pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : CAPTURE_SNAPLEN_DEFAULT);
	pcap_set_promisc(p, o->promisc);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	pcap_set_buffer_size(p, (o->buffer_kib > 0 ? o->buffer_kib : CAPTURE_BUFFER_KIB_DEFAULT) * 1024);
	int rc = pcap_activate(p);
	if (rc < 0) {
		const char *why = pcap_geterr(p);
		if (rc == PCAP_ERROR_PERM_DENIED)
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE,
				 "%s: permission denied (run as root or give the binary "
				 "cap_net_raw,cap_net_admin): %s", iface, why);
		else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: no such device: %s", iface, why);
		else
			snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: %s", iface,
				 *why ? why : pcap_statustostr(rc));
		pcap_close(p);
		return NULL;
	}
	const char *bpf = o->bpf;
	if (o->bpf_untagged && pcap_datalink(p) != DLT_EN10MB)
		bpf = o->bpf_untagged;
	if (apply_filter(p, iface, bpf, errbuf) < 0) {
		pcap_close(p);
		return NULL;
	}
	if (pcap_setnonblock(p, 1, pe) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: %s", iface, pe);
		pcap_close(p);
		return NULL;
	}
	return source_wrap(p, iface, true);
}

void source_free(struct source *s)
{
	if (!s)
		return;
	readahead_stop(s->ra);
	if (s->have_prog)
		pcap_freecode(&s->prog);
	pcap_close(s->pcap);
	free(s->name);
	free(s);
}

size_t source_preps_ahead(const struct source *s, const uint8_t **first, size_t *stride)
{
	return s->ra ? readahead_preps_ahead(s->ra, first, stride) : 0;
}

enum source_status source_next(struct source *s, struct frame *out,
			       char errbuf[CAPTURE_ERRBUF_SIZE])
{
	if (s->ra) {
		enum source_status st = readahead_next(s->ra, out, errbuf);
		if (st == SOURCE_FRAME) {
			s->frames++;
			out->linktype = s->linktype;
		}
		return st;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	do {
		rc = pcap_next_ex(s->pcap, &h, &data);
		s->number += rc == 1;
	} while (rc == 1 && s->have_prog && !pcap_offline_filter(&s->prog, h, data));

	if (rc == 1) {
		s->frames++;
		out->number = s->live ? s->frames : s->number;
		out->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		out->caplen = h->caplen;
		out->wirelen = h->len;
		out->linktype = s->linktype;
		out->data = data;
		out->prep = NULL;
		return SOURCE_FRAME;
	}
	if (rc == 0)
		return SOURCE_TIMEOUT;
	if (rc == PCAP_ERROR_BREAK)
		return s->live ? SOURCE_TIMEOUT : SOURCE_EOF;
	snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "%s: frame %llu: %s", s->name,
		 (unsigned long long)(s->live ? s->frames : s->number) + 1, pcap_geterr(s->pcap));
	return SOURCE_ERROR;
}

bool source_is_pipe(const struct source *s)
{
	return !s->live && !s->ra;
}

int source_wait_fd(const struct source *s)
{
	return s->live ? pcap_get_selectable_fd(s->pcap) : -1;
}

bool source_is_live(const struct source *s)
{
	return s->live;
}

const char *source_name(const struct source *s)
{
	return s->name;
}

int source_linktype(const struct source *s)
{
	return s->linktype;
}

void source_get_stats(struct source *s, struct source_stats *st)
{
	struct pcap_stat ps;
	st->received = s->frames;
	st->have_kernel_stats = false;
	if (s->live && pcap_stats(s->pcap, &ps) == 0) {
		st->kernel_drops = ps.ps_drop;
		st->iface_drops = ps.ps_ifdrop;
		st->have_kernel_stats = true;
	}
}

void source_breakloop(struct source *s)
{
	/* With a reader thread the main loop sees the stop flag between
	 * frames, and the thread is stopped when the source is freed. */
	if (!s->ra)
		pcap_breakloop(s->pcap);
}
