/*
 * pcap_records.c - classic pcap records parsed in place (see the header).
 * The checks and messages follow libpcap's sf-pcap.c record reader.
 */
#include "pcap_records.h"

#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du

static uint32_t get32(const uint8_t *p, bool swapped)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

bool pcap_format_from_header(const uint8_t hdr[24], struct pcap_format *f)
{
	uint32_t magic;
	memcpy(&magic, hdr, 4);
	f->swapped = magic == __builtin_bswap32(MAGIC_USEC) || magic == __builtin_bswap32(MAGIC_NSEC);
	if (f->swapped)
		magic = __builtin_bswap32(magic);
	if (magic != MAGIC_USEC && magic != MAGIC_NSEC)
		return false;
	f->nsec = magic == MAGIC_NSEC;
	uint16_t major, minor;
	memcpy(&major, hdr + 4, 2);
	memcpy(&minor, hdr + 6, 2);
	if (f->swapped) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	/* 2.3 and older may have caplen and len the other way round */
	return major == 2 && minor == 4;
}

bool pcap_records_plain_linktype(int dlt, bool swapped)
{
	switch (dlt) {
	case DLT_NULL: case DLT_EN10MB: case DLT_RAW: case DLT_LOOP:
	case DLT_IPV4: case DLT_IPV6:
		return true;
	case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
		return !swapped;
	default:
		return false;
	}
}

/* As libpcap 1.10 reads them: signed 32-bit fields from a file in host
 * byte order, unsigned ones from a byte-swapped file (its swap yields
 * unsigned values), nanoseconds scaled down by division in the same
 * signedness; so any value a damaged file holds gives the same time both
 * ways. */
static inline uint64_t ts_us(bool swapped, bool nsec, const uint8_t *h)
{
	uint32_t s = get32(h, swapped), u = get32(h + 4, swapped);
	int64_t sec = swapped ? (int64_t)s : (int64_t)(int32_t)s;
	int64_t frac = swapped ? (int64_t)u : (int64_t)(int32_t)u;
	if (nsec)
		frac /= 1000;
	return (uint64_t)sec * 1000000u + (uint64_t)frac;
}

/*
 * The loop of pcap_records_convert, compiled once for each byte order
 * (`swapped` a constant: no test per field) and with the lengths and the
 * format in locals: a store into buf, which may alias anything, made the
 * compiler reload them through their pointers for every record.
 */
static inline __attribute__((always_inline)) enum pcap_records_status
convert(const struct pcap_format *f, bool swapped, uint8_t *buf, size_t *lenp, size_t *done,
	size_t max, uint64_t *frames, char *err, size_t errlen)
{
	const bool nsec = f->nsec;
	const uint32_t snapshot = f->snapshot, max_caplen = f->max_caplen;
	size_t len = *lenp, at = 0, n = 0;
	enum pcap_records_status st = PCAP_RECORDS_MORE;
	for (; len - at >= sizeof(struct rec); n++) {
		if (n == max) {
			st = PCAP_RECORDS_FULL;
			break;
		}
		uint8_t *h = buf + at;
		uint32_t caplen = get32(h + 8, swapped);
		if (caplen > max_caplen) {
			if (caplen > snapshot)
				snprintf(err, errlen,
					 "invalid packet capture length %u, bigger than snaplen of %d",
					 caplen, (int)snapshot);
			else
				snprintf(err, errlen,
					 "invalid packet capture length %u, bigger than maximum of %u",
					 caplen, max_caplen);
			st = PCAP_RECORDS_BAD;
			break;
		}
		if (len - at - sizeof(struct rec) < caplen)
			break; /* the rest is in the next read */
		struct rec r = { ts_us(swapped, nsec, h), caplen, get32(h + 12, swapped) };
		if (caplen > snapshot) {
			/* libpcap hands on the first snapshot bytes and skips the rest */
			size_t cut = caplen - snapshot, end = at + sizeof r + caplen;
			memmove(buf + end - cut, buf + end, len - end);
			len -= cut;
			r.caplen = snapshot;
		}
		memcpy(h, &r, sizeof r);
		at += sizeof r + r.caplen;
	}
	*lenp = len;
	*done = at;
	*frames += n;
	return st;
}

enum pcap_records_status pcap_records_convert(const struct pcap_format *f, uint8_t *buf,
					      size_t *len, size_t *done, size_t max,
					      uint64_t *frames, char *err, size_t errlen)
{
	if (f->swapped)
		return convert(f, true, buf, len, done, max, frames, err, errlen);
	return convert(f, false, buf, len, done, max, frames, err, errlen);
}

void pcap_records_truncated(const struct pcap_format *f, const uint8_t *rec, size_t left,
			    char *err, size_t errlen)
{
	if (left < sizeof(struct rec)) {
		snprintf(err, errlen,
			 "truncated dump file; tried to read %zu header bytes, only got %zu",
			 sizeof(struct rec), left);
		return;
	}
	uint32_t caplen = get32(rec + 8, f->swapped);
	size_t got = left - sizeof(struct rec);
	if (caplen > f->snapshot && got < f->snapshot)
		snprintf(err, errlen,
			 "truncated dump file; tried to read %u captured bytes, only got %zu",
			 f->snapshot, got);
	else
		snprintf(err, errlen,
			 "truncated dump file; tried to read %u captured bytes, only got %zu",
			 caplen, got);
}
