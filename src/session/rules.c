/*
 * rules.c - the rule table generated from rules.def: names, severities,
 * RFC basis and client symptoms, all from one list.
 */
#include <string.h>

#include "checks.h"

static const struct {
	const char *name;
	int sev; /* enum severity, or SEV_RANGE(usual, other) */
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
	return (unsigned)r < R__COUNT ? (enum severity)(rules[r].sev & 0xf) : SEV_NOTICE;
}

bool rule_severity_other(enum rule_id r, enum severity *other)
{
	if ((unsigned)r >= R__COUNT || !(rules[r].sev >> 4))
		return false;
	*other = (enum severity)((rules[r].sev >> 4) - 1);
	return true;
}

const char *rule_severity_range(enum rule_id r)
{
	static const char *const one[3] = { "notice", "warning", "error" };
	static const char *const two[3][3] = {
		{ "notice", "notice/warning", "notice/error" },
		{ "warning/notice", "warning", "warning/error" },
		{ "error/notice", "error/warning", "error" },
	};
	enum severity u = rule_severity(r), o;
	return rule_severity_other(r, &o) ? two[u][o] : one[u];
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
