/*
 * options.h - the command line, parsed into a struct by one option table
 * (src/cli/options.c). The table yields getopt_long's short string and long
 * array, the --help text and the names the man page test compares with
 * pop3mon.1 (tests/e2e/options_doc.sh).
 *
 * Adding an option: a field here, and one line in the table in
 * src/cli/options.c (OPT_FLAG, OPT_STR, OPT_NUM or OPT_FN).
 */
#ifndef POP3MON_OPTIONS_H
#define POP3MON_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "checks.h"
#include "flow.h"
#include "sinks.h"

#define POP3MON_VERSION "0.1.0"
#define OPTIONS_MAX_SOURCES 64
#define OPTIONS_MAX_PORTS 32

/* The wall's thresholds by default (src/ui/wall_state.h uses the same). */
#define WALL_FAIL_PCT_DEFAULT 50     /* failed logins over attempts, lately */
#define WALL_FAIL_MIN_DEFAULT 3      /* ...counted once at least this many failed */
#define WALL_SLOW_MIN_DEFAULT 3      /* slow-reply findings lately */
#define WALL_QUIET_S_DEFAULT 600     /* "lately"; problem-free this long: RECOVERED */
#define WALL_OK_AFTER_S_DEFAULT 3600 /* ...this long after the last problem: OK */
#define WALL_STALE_S_DEFAULT 30      /* live: no packet this long is a stale capture */

/* What the command line asks for besides a run. */
enum opt_action {
	OPT_ACTION_RUN = 0,
	OPT_ACTION_HELP,       /* -h, --help */
	OPT_ACTION_VERSION,    /* --version */
	OPT_ACTION_LIST_RULES, /* --list-rules */
};

struct options {
	enum opt_action action;
	const char *files[OPTIONS_MAX_SOURCES]; /* -r, in order */
	size_t nfiles;
	const char *from[OPTIONS_MAX_SOURCES]; /* --from: JSON lines, in order */
	size_t nfrom;
	const char *iface;
	const char *write_path;     /* -w: flagged sessions (or the selected ones) */
	const char *save_dir;       /* --save-dir: where the dashboard's w/W save; NULL: "." */
	const char *json_path;
	const char *drop_user;      /* -Z */
	const char *streams_dir;
	char *bpf;                  /* owned: the words after the options */
	uint64_t count;             /* -c */
	int buffer_kib, snaplen;
	uint16_t ports[OPTIONS_MAX_PORTS];
	size_t nports;
	bool report, verbose, localtime, realtime, show_secrets, no_color, streams;
	bool wall;                  /* --wall */
	bool promisc;
	bool ports_only;            /* --ports-only: no POP3 found by content on other ports */
	uint64_t stats_interval_s;
	struct sink_filter filter;
	struct checks_opts checks;
	struct flow_opts flow;
	uint64_t spool_max;
	uint64_t ui_store_max;      /* --ui-memory, bytes */
	const char *publish_url;    /* --publish redis://... (checked by the parse) */
	const char *sensor;         /* --sensor; the host name when publishing without it */
	const char *redis_auth_file;
	uint64_t stream_maxlen, publish_buffer_mib;
	char sensor_buf[64];        /* the host name, when it is the default */
	bool follow;                /* --follow: --report/--json keep reading a stream */
	uint64_t since_us;          /* --since: stream entries from then on (0: all) */
	bool no_keys;               /* --no-keys: a read-only wall (kiosk) */
	struct {                    /* --wall-*: the wall's thresholds (wall_state.h) */
		uint32_t fail_pct, fail_min, slow_min;
		uint64_t quiet_us, ok_after_us, stale_us;
	} wall_th;
};

/*
 * Parse argv into *o (which it first fills with the defaults). Returns 0,
 * or -1 with a one-line message in err (no "pop3mon: " prefix): unknown
 * option, missing argument, bad number, bad port list, unknown rule,
 * conflicting or missing inputs. o->action says whether to run or to print
 * help, version or the rules. Reentrant across calls (resets getopt).
 * Free with options_free() in both cases.
 */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
void options_free(struct options *o);

/* The --help text, from the table. */
void options_usage(FILE *f);

/* Every option name in the table, one per line ("-r", "--ports"), for the
 * test that keeps pop3mon.1 in step. */
void options_list_names(FILE *f);

#endif
