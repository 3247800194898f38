/*
 * main.c - wiring and the exit status (the run loop is src/pipeline/run.c). The command line is
 * src/cli/options.c; the reader's prep step and the --streams-dir tap are
 * in src/pipeline/. No protocol logic lives here: each frame goes source ->
 * decode -> flow table (which drives reassembly, the dissector and the
 * checks through the session manager's callbacks) -> events -> sinks.
 *
 * Exit status (tcpdump's habits): 0 no contradiction, 1 contradictions
 * found (a session with an error or warning finding), 2 usage or input
 * error. Fatal exits happen only here, after the terminal is restored.
 */
#include <errno.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "checks.h"
#include "decode.h"
#include "event.h"
#include "event_reader.h"
#include "flagged.h"
#include "save_dir.h"
#include "flow.h"
#include "ledger.h"
#include "options.h"
#include "pop3.h"
#include "publish.h"
#include "session.h"
#include "sinks.h"
#include "ui.h"
#include "util.h"
#include "pipeline/pipeline.h"
#include "pipeline/run.h"

#define MAX_SOURCES OPTIONS_MAX_SOURCES
#define EXIT_CLEAN 0
#define EXIT_FLAGGED 1
#define EXIT_INPUT 2


static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (current_source)
		source_breakloop(current_source);
}

static void on_crash_signal(int sig)
{
	ui_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The catalogue, from rules.def: id, severity (a range "error/warning",
 * the usual first, for a rule whose findings take either), RFC basis,
 * client symptom. */
static void list_rules(void)
{
	for (int r = 0; r < R__COUNT; r++) {
		printf("%-26s %-14s %s\n", rule_name(r), rule_severity_range(r), rule_rfc(r));
		if (rule_symptom(r))
			printf("%-26s %-14s %s\n", "", "", rule_symptom(r));
	}
}

/* Live default filter: the watched ports, also behind one or two VLAN tags
 * (a plain "tcp port 110" misses 802.1Q frames); `tagged` false gives it
 * without them, for links with no tags where libpcap refuses `vlan`. Each
 * `vlan` moves the offsets of everything after it in the expression, the
 * other side of an `or` included, so the tagged cases nest: written side
 * by side, "(vlan and vlan and tcp ...)" after "(vlan and tcp ...)" never
 * matched a QinQ frame (802.1ad outer tag, which the kernel strips). */
static char *default_live_filter(const struct options *o, bool tagged)
{
	char ports[OPTIONS_MAX_PORTS * 16] = "";
	for (size_t i = 0; i < o->nports; i++) {
		char one[16];
		snprintf(one, sizeof(one), "%sport %u", i ? " or " : "", o->ports[i]);
		strcat(ports, one);
	}
	size_t len = strlen(ports) * 3 + 128;
	char *f = xmalloc(len);
	if (tagged)
		snprintf(f, len, "(tcp and (%s)) or (vlan and ((tcp and (%s)) or (vlan and tcp and (%s))))",
			 ports, ports, ports);
	else
		snprintf(f, len, "tcp and (%s)", ports);
	return f;
}

/* ---- the run ------------------------------------------------------------- */


/* The dashboard's w/W: NAME in the save directory, created 0600 (by the
 * creator kept before the privilege drop, if any). */
static const char *ui_save(void *ctx, const uint64_t *ids, size_t n, const char *name)
{
	static char msg[1200];
	struct run *r = ctx;
	char errbuf[700], path[600];
	if (!r->flagged || !r->save)
		return "saving needs the packet spool (not available)";
	int fd = save_dir_create(r->save, name, errbuf, sizeof(errbuf));
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "Not saved: %s", errbuf);
		return msg;
	}
	const char *dir = save_dir_path(r->save);
	snprintf(path, sizeof(path), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
	FILE *fp = fdopen(fd, "wb");
	if (!fp) {
		close(fd);
		snprintf(msg, sizeof(msg), "Not saved: %s: %s", path, strerror(errno));
		return msg;
	}
	if (flagged_writer_save_fp(r->flagged, ids, n, fp, path, errbuf, sizeof(errbuf)) < 0)
		snprintf(msg, sizeof(msg), "Not saved: %s", errbuf);
	else
		snprintf(msg, sizeof(msg), "Saved %zu session%s to %s (mode 0600: it holds passwords)", n,
			 n == 1 ? "" : "s", path);
	return msg;
}


static int open_sources(struct run *r, struct options *o, struct source **srcs, size_t *n)
{
	char errbuf[CAPTURE_ERRBUF_SIZE];
	struct source_opts so = { o->snaplen, o->buffer_kib, o->promisc, o->bpf,
				  frame_prepare, &r->prep, sizeof(struct prepared), NULL };
	*n = 0;
	if (o->iface) {
		char *def = NULL, *untagged = NULL;
		if (!so.bpf) {
			so.bpf = def = default_live_filter(o, true);
			so.bpf_untagged = untagged = default_live_filter(o, false);
		}
		srcs[0] = source_open_live(o->iface, &so, errbuf);
		free(def);
		free(untagged);
		if (!srcs[0]) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return -1;
		}
		*n = 1;
		return 0;
	}
	for (size_t i = 0; i < o->nfiles; i++) {
		srcs[i] = source_open_file(o->files[i], &so, errbuf);
		if (!srcs[i]) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			goto fail;
		}
		*n = i + 1;
		if (!decode_linktype_supported(source_linktype(srcs[i]))) {
			fprintf(stderr, "pop3mon: %s: unsupported link type %d (supported: Ethernet, "
					"802.1Q/QinQ, Linux SLL/SLL2, BSD loopback, raw IP)\n",
				o->files[i], source_linktype(srcs[i]));
			goto fail;
		}
	}
	return 0;
fail:
	for (size_t i = 0; i < *n; i++)
		source_free(srcs[i]);
	*n = 0;
	return -1;
}

static void drop_privileges(const struct options *o)
{
	char errbuf[CAPTURE_ERRBUF_SIZE];
	const char *user = o->drop_user;
	if (!user && geteuid() == 0)
		user = "nobody";
	if (!user)
		return;
	if (privdrop_to_user(user, errbuf) < 0) {
		ui_emergency_restore();
		fprintf(stderr, "pop3mon: %s\n", errbuf);
		exit(EXIT_INPUT);
	}
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed JSON pipe is a write error, not a death */
	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

int main(int argc, char **argv)
{
	struct options o;
	struct run r;
	struct source *srcs[MAX_SOURCES];
	size_t nsrc = 0;
	char errbuf[512];
	int status = EXIT_CLEAN;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
#ifdef __GLIBC__
	/* Sessions come and go by the thousand: without these the heap's top
	 * is handed back and taken again all the time, a brk each way, the
	 * shrink with a TLB shootdown that interrupts the other threads. The
	 * peak is the same. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
#endif
	if (options_parse(&o, argc, argv, errbuf, sizeof(errbuf)) < 0) {
		fprintf(stderr, "pop3mon: %s\nTry 'pop3mon --help'.\n", errbuf);
		options_free(&o);
		return EXIT_INPUT;
	}
	switch (o.action) {
	case OPT_ACTION_RUN: break;
	case OPT_ACTION_HELP: options_usage(stdout); options_free(&o); return EXIT_CLEAN;
	case OPT_ACTION_VERSION: printf("pop3mon %s\n", POP3MON_VERSION); options_free(&o); return EXIT_CLEAN;
	case OPT_ACTION_LIST_RULES: list_rules(); options_free(&o); return EXIT_CLEAN;
	}
	r.o = &o;
	install_signals();
	if (o.streams_dir && mkdir(o.streams_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "pop3mon: %s: %s\n", o.streams_dir, strerror(errno));
		return EXIT_INPUT;
	}
	struct redis_target publish_target;
	if (o.publish_url &&
	    (redis_target_parse(o.publish_url, &publish_target, errbuf, sizeof(errbuf)) < 0 ||
	     redis_target_auth(&publish_target, o.redis_auth_file, errbuf, sizeof(errbuf)) < 0)) {
		fprintf(stderr, "pop3mon: %s\n", errbuf);
		options_free(&o);
		return EXIT_INPUT;
	}
	flow_hasher_init(&r.hasher);
	o.flow.hasher = &r.hasher;
	prep_ctx_init(&r.prep, &r.hasher, o.flow.ports, o.flow.nports);
	if (!o.nfrom && open_sources(&r, &o, srcs, &nsrc) < 0) {
		options_free(&o);
		return EXIT_INPUT;
	}
	r.linktype = nsrc ? source_linktype(srcs[0]) : 0;

	/* Sinks: opened before privileges are dropped. Those that only render
	 * (JSON, report, streams) run on a thread of their own; the pcap writer
	 * takes frames from this thread and the dashboard owns the terminal,
	 * so they stay here. */
	struct event_bus rendered = { .n = 0 };
	bool json_stdout = o.json_path && !strcmp(o.json_path, "-");
	bool want_ui = isatty(STDOUT_FILENO) && !o.report && !o.streams && !json_stdout;
	if (o.wall)
		want_ui = true;
	/* --publish: the --json sink's session lines are shared when it writes
	 * every one (no filter), so each event is serialised once. */
	bool pub_shared = false;
	if (o.publish_url) {
		struct publish_opts po = { &publish_target, o.sensor, o.stream_maxlen,
					   (size_t)o.publish_buffer_mib << 20, want_ui, o.iface == NULL };
		r.pub = publisher_new(&po, errbuf, sizeof(errbuf));
		if (!r.pub) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return EXIT_INPUT;
		}
		pub_shared = o.json_path && !o.filter.only_flagged && o.filter.rule < 0 &&
			     !o.filter.server && !o.filter.user;
	}
	/* The session ledger of the sinks' thread, applied there before each
	 * of its sinks sees an event (silent: stats events go on unchanged):
	 * the report's, of its own policy, which the JSON writers read too, or
	 * for JSON writers alone one that holds only their slots. It lives
	 * (with ro, which the report's filter is read through) until the end. */
	struct report_opts ro = { o.filter, o.verbose, o.localtime, o.files, o.nfiles, NULL };
	bool want_report = !o.streams && !want_ui && !json_stdout;
	struct ledger *rendered_lg = NULL;
	struct ledger_opts lo;
	if (want_report) {
		report_ledger_opts(&ro, &lo);
		rendered_lg = ro.ledger = ledger_new(&lo);
	} else if (o.json_path || r.pub) {
		json_ledger_opts(&lo);
		rendered_lg = ledger_new(&lo);
	}
	rendered.ledger = rendered_lg;
	rendered.ledger_silent = true;
	if (o.json_path) {
		struct json_opts jo = { .filter = o.filter, .stats_events = o.stats_interval_s > 0,
					.flush_sessions = o.iface != NULL, .host = o.sensor, .ledger = rendered_lg };
		if (pub_shared)
			publisher_tee(r.pub, &jo);
		struct sink s = json_sink_new(o.json_path, &jo, errbuf, sizeof(errbuf));
		if (!s.ops) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			publisher_free(r.pub);
			ledger_free(rendered_lg);
			return EXIT_INPUT;
		}
		event_bus_add(&rendered, s);
	}
	if ((o.write_path || want_ui) && !o.nfrom) {
		r.flagged = flagged_writer_new(o.write_path, r.linktype,
					       o.snaplen > 0 ? o.snaplen : CAPTURE_SNAPLEN_DEFAULT,
					       o.spool_max, errbuf, sizeof(errbuf));
		if (!r.flagged) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			event_bus_free(&rendered);
			ledger_free(rendered_lg);
			return EXIT_INPUT;
		}
		if (o.write_path && (o.filter.only_flagged || o.filter.rule >= 0 || o.filter.server ||
				     o.filter.user))
			flagged_writer_select(r.flagged, &o.filter);
		event_bus_add(&r.bus, flagged_writer_sink(r.flagged));
	}
	if (o.streams) {
		event_bus_add(&rendered, streams_sink_new(stdout));
	} else if (want_report) {
		if (o.nfrom) {
			ro.sources = o.from;
			ro.nsources = o.nfrom;
		}
		if (o.iface) {
			ro.sources = &o.iface;
			ro.nsources = 1;
		}
		event_bus_add(&rendered, report_sink_new(stdout, &ro));
	}
	if (r.pub) /* after the --json sink: a shared line is written there first */
		event_bus_add(&rendered, publisher_sink(r.pub, o.sensor, pub_shared, rendered_lg));
	if (rendered.n)
		event_bus_add(&r.bus, event_thread_sink(&rendered, o.iface || o.nfrom ? EV_HANDOVER_PROMPT
							   : o.publish_url ? EV_HANDOVER_PACED : EV_HANDOVER_FULL));
	if (want_ui) {
		bool follow = false; /* the dashboard follows every stream it reads */
		for (size_t i = 0; i < o.nfrom; i++)
			follow |= redis_is_url(o.from[i]);
		struct ui_opts uo = { .store_bytes_max = o.ui_store_max, .wall = o.wall, .no_color = o.no_color,
				      .source = o.iface ? o.iface : o.nfrom ? o.from[0] : o.files[0],
				      .filter = o.bpf ? o.bpf : "", .live = o.iface != NULL,
				      .follow = follow, .no_keys = o.no_keys, .stop = &stop_requested, .wall_fail_pct = o.wall_th.fail_pct,
				      .wall_fail_min = o.wall_th.fail_min, .wall_slow_min = o.wall_th.slow_min,
				      .wall_quiet_us = o.wall_th.quiet_us, .wall_ok_after_us = o.wall_th.ok_after_us,
				      .wall_stale_us = o.wall_th.stale_us };
		r.ui = ui_new(&uo, errbuf, sizeof(errbuf));
		if (!r.ui) {
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return EXIT_INPUT;
		}
		event_bus_add(&r.bus, ui_sink(r.ui));
		/* The session ledger the dashboard reads: applied on this thread,
		 * where the dashboard draws, before any sink of r.bus. */
		r.bus.ledger = ui_ledger(r.ui);
		r.save = save_dir_open(o.save_dir, errbuf, sizeof(errbuf));
		if (!r.save) {
			ui_free(r.ui);
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return EXIT_INPUT;
		}
		ui_set_save(r.ui, ui_save, &r, save_dir_path(r.save));
	}
	if (o.iface) {
		/* Files saved after the drop are created by a process that keeps
		 * the starting user's rights for that one job (save_dir.h). */
		if (r.save && (o.drop_user || geteuid() == 0) &&
		    save_dir_keep_creator(r.save, errbuf, sizeof(errbuf)) < 0) {
			ui_free(r.ui);
			fprintf(stderr, "pop3mon: %s\n", errbuf);
			return EXIT_INPUT;
		}
		drop_privileges(&o);
	}
	if (o.nfrom) {
		replay(&r);
		goto rendered;
	}

	o.checks.random_seed = o.iface != NULL;
	struct session_opts so = { o.show_secrets, o.checks, NULL, 0, 0, 0 };
	static const uint16_t tls_ports[] = { 995 };
	so.tls_ports = tls_ports;
	so.ntls_ports = ARRAY_LEN(tls_ports);
	so.no_answer_us = o.flow.no_answer_us;
	so.no_greeting_us = o.flow.no_greeting_us;
	r.sessions = session_mgr_new(&so, &r.bus);
	struct flow_cb cb = { session_flow_open, session_flow_close, session_flow_data,
			      session_flow_gap, r.sessions, session_flow_prefetch };
	struct streams_tap tap = { o.streams_dir, r.sessions };
	if (o.streams_dir)
		cb = streams_tap_callbacks(&tap);
	r.flows = flow_table_new(&o.flow, &cb);

	for (size_t i = 0; i < nsrc && !stop_requested; i++) {
		run_source(&r, srcs[i]);
		if (o.count && r.frames >= o.count)
			break;
	}
	flow_table_close_all(r.flows, FLOW_END_EOF);
	emit_stats(&r, true);
rendered:
	if (r.ui && !o.iface && !stop_requested)
		ui_browse(r.ui);
	/* Sinks finish while the UI still exists; messages wait for the terminal. */
	char finish_err[512] = "", close_err[512] = "";
	if (event_bus_finish(&r.bus, finish_err, sizeof(finish_err)) < 0)
		status = EXIT_INPUT;
	if (r.flagged && flagged_writer_close(r.flagged, close_err, sizeof(close_err)) < 0)
		status = EXIT_INPUT;
	if (r.ui)
		ui_free(r.ui);
	if (finish_err[0])
		fprintf(stderr, "pop3mon: %s\n", finish_err);
	if (close_err[0])
		fprintf(stderr, "pop3mon: %s\n", close_err);
	if (publisher_message(r.pub) && want_ui)
		fprintf(stderr, "pop3mon: %s\n", publisher_message(r.pub));
	if (o.iface) {
		struct ev_stats fin;
		memset(&fin, 0, sizeof(fin));
		session_mgr_stats(r.sessions, &fin);
		exit_summary_print(stderr, o.iface, &r.src_stats, fin.sessions_total,
				   session_mgr_flagged(r.sessions));
	}
	if (!o.iface && !r.replay && !r.input_error && !stop_requested) {
		/* No silent all-clear: exit 0 also when nothing was POP3. */
		struct ev_stats fin;
		memset(&fin, 0, sizeof(fin));
		session_mgr_stats(r.sessions, &fin);
		if (fin.sessions_total == fin.sessions_not_pop3)
			fprintf(stderr, "pop3mon: no POP3 session in the input (%" PRIu64 " frames, %" PRIu64
					" other TCP connections, %" PRIu64 " not POP3 on POP3 ports); "
					"POP3 on a port not watched needs its greeting or -p PORT\n",
				r.frames, fin.other_flows, fin.sessions_not_pop3);
	}
	if (r.replay)
		event_reader_print_messages(r.replay, stderr);
	if (r.redis_msgs)
		fputs(r.redis_msgs, stderr);
	free(r.redis_msgs);
	uint64_t flagged = r.replay ? event_reader_flagged(r.replay) : session_mgr_flagged(r.sessions);
	if (status == EXIT_CLEAN && flagged > 0)
		status = EXIT_FLAGGED;
	if (r.input_error || (r.replay && event_reader_refused(r.replay)))
		status = EXIT_INPUT;

	event_reader_free(r.replay);
	flow_table_free(r.flows);
	session_mgr_free(r.sessions);
	event_bus_free(&r.bus);
	ledger_free(rendered_lg); /* after the sinks that read it */
	flagged_writer_free(r.flagged);
	save_dir_close(r.save);
	for (size_t i = 0; i < nsrc; i++)
		source_free(srcs[i]);
	options_free(&o);
	return status;
}
