/*
 * exit_summary.c - what a live capture prints on standard error when it
 * ends, as tcpdump does: the frames pop3mon received, those the kernel
 * and the interface dropped (pcap_stats), and the sessions seen and
 * flagged. One figure a line, so a script can grep for it. The figures
 * are include/stats.def's capture keys, but the words are tcpdump's (a
 * script written for tcpdump's summary reads this one), not the list's
 * report labels, so they stay written out here.
 */
#include <inttypes.h>
#include <stdio.h>

#include "pipeline.h"

void exit_summary_print(FILE *fp, const char *source, const struct source_stats *st,
			uint64_t sessions, uint64_t flagged)
{
	fprintf(fp, "%" PRIu64 " frame%s received on %s\n", st->received,
		st->received == 1 ? "" : "s", source && *source ? source : "the capture");
	if (st->have_kernel_stats) {
		fprintf(fp, "%" PRIu64 " frame%s dropped by kernel\n", st->kernel_drops,
			st->kernel_drops == 1 ? "" : "s");
		fprintf(fp, "%" PRIu64 " frame%s dropped by interface\n", st->iface_drops,
			st->iface_drops == 1 ? "" : "s");
	} else {
		fputs("drops by kernel and interface: not known (no capture statistics)\n", fp);
	}
	fprintf(fp, "%" PRIu64 " POP3 session%s, %" PRIu64 " flagged\n", sessions,
		sessions == 1 ? "" : "s", flagged);
}
