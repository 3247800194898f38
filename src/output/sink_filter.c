/*
 * sink_filter.c - the --only-flagged / --rule / --server / --user filter
 * the report and the JSON share. Criteria combine with AND. --server
 * matches the server address text ("192.0.2.1", "2001:db8::1") or
 * "address:port" ("[v6]:port" for IPv6); --user matches the login name
 * exactly (POP3 user names are case-sensitive on most servers).
 */
#include <stdio.h>
#include <string.h>

#include "sinks.h"

static bool server_match(const char *want, const struct ev_session *s)
{
	if (!strcmp(want, s->srv))
		return true;
	char ap[ADDR_STR_MAX + 16];
	if (s->ipver == 6)
		snprintf(ap, sizeof ap, "[%s]:%u", s->srv, s->sport);
	else
		snprintf(ap, sizeof ap, "%s:%u", s->srv, s->sport);
	return !strcmp(want, ap);
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
	if (f->user && (!s->pop3 || strcmp(f->user, s->pop3->user)))
		return false;
	return true;
}
