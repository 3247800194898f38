/*
 * rules.c - the rule table generated from rules.def: names, severities,
 * RFC basis and client symptoms, all from one list.
 */
#include <string.h>

#include "checks.h"

static const struct {
	const char *name;
	enum severity sev;
	const char *rfc;
	const char *symptom;
} rules[R__COUNT] = {
#define X(id, name, sev, rfc, symptom) [id] = { name, sev, rfc, symptom },
#include "rules.def"
#undef X
};

const char *severity_name(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "notice";
}

const char *rule_name(enum rule_id r)
{
	return (unsigned)r < R__COUNT ? rules[r].name : "?";
}

enum severity rule_severity(enum rule_id r)
{
	return (unsigned)r < R__COUNT ? rules[r].sev : SEV_NOTICE;
}

const char *rule_rfc(enum rule_id r)
{
	return (unsigned)r < R__COUNT ? rules[r].rfc : "";
}

const char *rule_symptom(enum rule_id r)
{
	return (unsigned)r < R__COUNT ? rules[r].symptom : NULL;
}

int rule_lookup(const char *name)
{
	for (int r = 0; r < R__COUNT; r++)
		if (!strcmp(rules[r].name, name))
			return r;
	return -1;
}
