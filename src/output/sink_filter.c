/*
 * sink_filter.c - the --only-flagged / --rule / --server / --user filter
 * the report and the JSON share. Criteria combine with AND. --server
 * matches the server address text ("192.0.2.1", "2001:db8::1") or
 * "address:port" ("[v6]:port" for IPv6), compared as addresses (so
 * "2001:DB8::1" is "2001:db8::1"); --user matches the login name without
 * regard to case (mail systems mostly treat user names so, and a help
 * desk types what the ticket says).
 *
 * One place decides: sink_filter_pass (the report asks once, at a
 * session's close, through its ledger's select()) and sink_filter_decide
 * (the JSON writer asks at each event: pass now, never, or not yet).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sinks.h"

bool sink_filter_parse_server(const char *text, struct sink_server *out)
{
	char a[ADDR_STR_MAX + 1];
	const char *port = NULL;
	size_t n = strlen(text);
	memset(out, 0, sizeof(*out));
	if (text[0] == '[') { /* [v6] or [v6]:port */
		const char *end = strchr(text, ']');
		if (!end || (size_t)(end - text - 1) >= sizeof a)
			return false;
		memcpy(a, text + 1, (size_t)(end - text - 1));
		a[end - text - 1] = '\0';
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return false;
	} else {
		const char *colon = strchr(text, ':');
		if (colon && !strchr(colon + 1, ':')) { /* v4:port */
			n = (size_t)(colon - text);
			port = colon + 1;
		}
		if (n >= sizeof a)
			return false;
		memcpy(a, text, n);
		a[n] = '\0';
	}
	if (inet_pton(AF_INET, a, out->addr) == 1)
		out->ipver = 4;
	else if (inet_pton(AF_INET6, a, out->addr) == 1)
		out->ipver = 6;
	else
		return false;
	if (port) {
		char *e;
		unsigned long p = strtoul(port, &e, 10);
		if (!*port || *e || p == 0 || p > 65535)
			return false;
		out->port = (uint16_t)p;
	}
	return true;
}

static bool server_match(const char *want, const struct ev_session *s)
{
	struct sink_server w, have;
	if (!sink_filter_parse_server(want, &w) || !sink_filter_parse_server(s->srv, &have))
		return false;
	return w.ipver == have.ipver && !memcmp(w.addr, have.addr, sizeof w.addr) &&
	       (!w.port || w.port == s->sport);
}

bool sink_filter_pass(const struct sink_filter *f, const struct ev_session *s)
{
	if (!f)
		return true;
	if (!s)
		return false;
	if (f->only_flagged && !s->flagged)
		return false;
	if (f->rule >= 0 && (f->rule >= 64 || !(s->rules_hit & (1ull << f->rule))))
		return false;
	if (f->server && !server_match(f->server, s))
		return false;
	if (f->user && strcasecmp(f->user, s->pop3.user))
		return false;
	return true;
}

enum sink_verdict sink_filter_decide(const struct sink_filter *f, const struct ev_session *s)
{
	if (sink_filter_pass(f, s))
		return SINK_PASS;
	/* Flagged, a rule firing, the user: each may still come. The server
	 * never changes: when it does not match, the session never passes. */
	if (s && (!f->server || server_match(f->server, s)))
		return SINK_UNDECIDED;
	return SINK_NEVER;
}
