/*
 * fuzz_pipeline.c - libFuzzer target for the whole pipeline from a capture
 * file, wired the way src/main.c wires it, minus main.c and the UI:
 *
 *   pcap_fopen_offline(fmemopen(input)) -> decode_frame -> flow_table_packet
 *   -> session manager (dissector, checks) -> event bus -> JSON sink and
 *   text report sink, both writing to /dev/null.
 *
 * The input is a pcap or pcapng file (libpcap parses the file header and
 * record headers, so lying record lengths are exercised too). Caps are
 * small (8 flows, 4 KiB per direction, 16 KiB in all, 4 accounts) so the
 * eviction and cap paths run on small inputs. A stats event is emitted
 * periodically and at the end, as main.c does.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode.h"
#include "event.h"
#include "flow.h"
#include "ledger.h"
#include "session.h"
#include "sinks.h"

static FILE *devnull;

static void emit_stats(struct event_bus *bus, struct flow_table *ft, struct session_mgr *sm,
		       const struct decode_stats *dec, uint64_t frames, uint64_t bytes,
		       uint64_t ts, bool final)
{
	struct ev_stats st;
	memset(&st, 0, sizeof(st));
	st.ts_us = ts;
	st.wall_us = 1700000000000000ull;
	st.final = final;
	st.source = "fuzz";
	st.src.received = frames;
	st.frames = frames;
	st.bytes = bytes;
	st.dec = *dec;
	st.flows = *flow_table_stats(ft);
	st.reasm = *flow_table_reasm_stats(ft);
	session_mgr_stats(sm, &st);
	struct event e = { .type = EV_STATS, .ts_us = ts, .stats = &st };
	event_bus_emit(bus, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 24 || size > (4u << 20))
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");

	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	char pe[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(f, pe); /* owns f on success only */
	if (!p) {
		fclose(f);
		return 0;
	}
	int lt = pcap_datalink(p);
	if (!decode_linktype_supported(lt)) {
		pcap_close(p);
		return 0;
	}

	struct event_bus bus;
	memset(&bus, 0, sizeof(bus));
	char errbuf[512];
	struct sink_filter filt = { false, -1, NULL, NULL };
	struct json_opts jo = { .filter = filt, .stats_events = true };
	struct sink js = json_sink_new("/dev/null", &jo, errbuf, sizeof(errbuf));
	if (js.ops)
		event_bus_add(&bus, js);
	static const char *const srcname[] = { "fuzz" };
	/* the report reads a ledger the bus applies, as main.c wires it */
	struct report_opts ro = { filt, true, false, srcname, 1, NULL };
	struct ledger_opts lo;
	report_ledger_opts(&ro, &lo);
	struct ledger *lg = ro.ledger = bus.ledger = ledger_new(&lo);
	bus.ledger_silent = true;
	event_bus_add(&bus, report_sink_new(devnull, &ro));
	event_bus_add(&bus, streams_sink_new(devnull));

	struct session_opts so;
	memset(&so, 0, sizeof(so));
	so.checks.slow_reply_us = 5000000;
	so.checks.account_max = 4;
	so.checks.uids_per_account_max = 64;
	static const uint16_t tls_ports[] = { 995 };
	so.tls_ports = tls_ports;
	so.ntls_ports = 1;
	struct session_mgr *sm = session_mgr_new(&so, &bus);
	session_mgr_set_source(sm, "fuzz");

	static const uint16_t ports[] = { 110, 995 };
	struct flow_opts fo;
	memset(&fo, 0, sizeof(fo));
	fo.max_flows = 8;
	fo.idle_timeout_us = 600ull * 1000000;
	fo.reasm.per_dir_bytes = 4096;
	fo.reasm.total_bytes = 16384;
	fo.ports = ports;
	fo.nports = 2;
	fo.all_ports = true; /* detection by content, as a file is read by default */
	fo.no_answer_us = 3000000;
	fo.no_greeting_us = 10000000;
	struct flow_hasher hz;
	flow_hasher_init(&hz);
	fo.hasher = &hz;
	struct flow_cb cb = { session_flow_open, session_flow_close, session_flow_data,
			      session_flow_gap, sm, session_flow_prefetch };
	struct flow_table *ft = flow_table_new(&fo, &cb);

	struct decode_stats dec;
	memset(&dec, 0, sizeof(dec));
	uint64_t frames = 0, bytes = 0, last_ts = 0, next_expire = 0;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	while (pcap_next_ex(p, &h, &pkt) == 1) {
		frames++;
		bytes += h->len;
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		if (ts > last_ts)
			last_ts = ts;
		/* Exact-size copy: libpcap's buffer is larger than caplen. */
		uint8_t *copy = malloc(h->caplen ? h->caplen : 1);
		memcpy(copy, pkt, h->caplen);
		struct packet pk;
		enum decode_reason dr = decode_frame(lt, copy, h->caplen, h->len, &pk, &dec);
		if (dr == DEC_OK || dr == DEC_PAYLOAD_TRUNC) {
			struct seg_meta m = { .frame = frames, .ts_us = ts };
			/* the run loop's look-ahead, here on the packet itself:
			 * whatever the table holds, it only reads */
			struct flow_hash fh;
			flow_hasher_hash(&hz, &pk, &fh);
			flow_table_prefetch_bucket(ft, &fh);
			flow_table_prefetch_flow(ft, &fh);
			flow_table_prefetch_links(ft, &fh, true);
			flow_table_prefetch_user(ft, &fh);
			flow_table_packet_hashed(ft, &pk, &m, &fh);
		}
		free(copy);
		if (ts >= next_expire) {
			flow_table_expire(ft, ts);
			next_expire = ts + 1000000;
		}
		if ((frames & 63) == 0)
			emit_stats(&bus, ft, sm, &dec, frames, bytes, last_ts, false);
	}
	flow_table_close_all(ft, FLOW_END_EOF);
	emit_stats(&bus, ft, sm, &dec, frames, bytes, last_ts, true);
	(void)event_bus_finish(&bus, errbuf, sizeof(errbuf));
	flow_table_free(ft);
	session_mgr_free(sm);
	event_bus_free(&bus);
	ledger_free(lg);
	pcap_close(p);
	return 0;
}
