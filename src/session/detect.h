/*
 * detect.h - is this connection POP3? Decided from the first bytes of each
 * direction, before the dissector or any rule sees them (session.c).
 *
 * On a watched port the answer is "yes" unless the content says otherwise:
 * a server whose first bytes are not +OK/-ERR, a client whose first bytes
 * are not a POP3 command (an HTTP request, a TLS ClientHello without STLS,
 * a Redis command), a mid-session flow opening with another protocol's
 * signature. On any other port (found by content) it is "no" unless the
 * server spoke first with +OK/-ERR and the client answered with a POP3
 * command. Until the answer is known the bytes are kept (a few KiB at
 * most), then replayed to the dissector in their order.
 */
#ifndef POP3MON_DETECT_H
#define POP3MON_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reasm.h"

/* What the first bytes of one direction say. */
enum detect_says { DETECT_MORE, DETECT_YES, DETECT_NO };

/* A server's first bytes: "+OK" or "-ERR" (any case), then SP, CR, LF. */
enum detect_says detect_server_start(const uint8_t *p, size_t n);
/* A client's first bytes: a POP3 command keyword (any case), then SP, CR, LF. */
enum detect_says detect_client_start(const uint8_t *p, size_t n);
/* Another protocol's opening, recognisable even mid-session: HTTP, SSH,
 * a Redis (RESP) array. Returns its name, or NULL. */
const char *detect_foreign(const uint8_t *p, size_t n);
/* A TLS handshake record (ContentType 22, version 3.x). */
bool detect_tls_record(const uint8_t *p, size_t n);

enum detect_verdict { DETECT_WAIT, DETECT_POP3, DETECT_NOT_POP3 };

#define DETECT_PREFIX 8         /* bytes of each direction's start that decide */
#define DETECT_KEEP_MAX 4096    /* bytes kept for the replay while undecided */
#define DETECT_CHUNKS_MAX 16

struct detect_chunk {
	uint8_t dir;
	uint32_t off, len;
	uint64_t frame, ts_us;
};

struct detect {
	bool content_only;           /* not a watched port: POP3 must be shown */
	bool midstream;
	uint8_t start[2][DETECT_PREFIX];
	size_t nstart[2];
	int first_dir;               /* who sent the first byte (-1: nobody yet) */
	enum detect_says says[2];
	/* why not POP3: for the notice */
	int why_dir;
	const char *why;             /* static text */
	uint64_t why_frame, why_ts;
	uint8_t why_bytes[64];
	size_t why_len;
	/* kept for the replay */
	uint8_t *keep;
	size_t kept;
	struct detect_chunk chunk[DETECT_CHUNKS_MAX];
	unsigned nchunks;
};

void detect_init(struct detect *d, bool content_only, bool midstream);
void detect_fini(struct detect *d);
/* A run of in-order bytes of one direction. Returns the verdict so far.
 * While it says DETECT_WAIT the bytes are kept (detect_replay hands them
 * back); past DETECT_KEEP_MAX the verdict is forced (POP3 on a watched
 * port, not POP3 otherwise). The run that brings the verdict is not kept:
 * the caller replays the kept bytes, then passes this run on itself. */
enum detect_verdict detect_feed(struct detect *d, int dir, const uint8_t *p, size_t n,
				const struct seg_meta *m);
/* No more bytes will come (gap or close): the verdict with what was seen. */
enum detect_verdict detect_final(struct detect *d);

typedef void (*detect_replay_fn)(void *ctx, int dir, const uint8_t *p, size_t n,
				 const struct seg_meta *m);
/* Hand the kept bytes back in their order, then drop them. */
void detect_replay(struct detect *d, detect_replay_fn fn, void *ctx);

#endif
