/*
 * json_get.c - typed access to the values jansson parsed (see events_in.h):
 * each getter says what was missing or mistyped, naming the object.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_reader.h"
#include "events_in.h"
#include "util.h"

bool jc_bad(struct jc *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->where && c->where[0])
		snprintf(c->err, c->errlen, "%s: %s", c->where, msg);
	else
		snprintf(c->err, c->errlen, "%s", msg);
	return false;
}

/* ---- typed access ---- */

json_t *jc_member(struct jc *c, json_t *o, const char *key, bool need, json_type type, const char *tname)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		if (need)
			jc_bad(c, "missing \"%s\"", key);
		return NULL;
	}
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)) &&
	    !(type == JSON_REAL && json_is_number(v))) {
		jc_bad(c, "\"%s\" is not %s", key, tname);
		return NULL;
	}
	return v;
}

/* *out keeps its value when the key is absent and not needed. */
bool jc_get_u64(struct jc *c, json_t *o, const char *key, uint64_t *out, bool need)
{
	json_t *v = jc_member(c, o, key, need, JSON_INTEGER, "an integer");
	if (!v)
		return !json_object_get(o, key) && !need;
	json_int_t x = json_integer_value(v);
	if (x < 0)
		return jc_bad(c, "\"%s\" is negative", key);
	*out = (uint64_t)x;
	return true;
}

bool jc_get_u32(struct jc *c, json_t *o, const char *key, uint32_t *out, bool need)
{
	uint64_t v = *out;
	if (!jc_get_u64(c, o, key, &v, need))
		return false;
	if (v > UINT32_MAX)
		return jc_bad(c, "\"%s\" is out of range", key);
	*out = (uint32_t)v;
	return true;
}

bool jc_get_bool(struct jc *c, json_t *o, const char *key, bool *out, bool need)
{
	json_t *v = jc_member(c, o, key, need, JSON_TRUE, "true or false");
	if (!v)
		return !json_object_get(o, key) && !need;
	*out = json_is_true(v);
	return true;
}

/* A string into dst (cap bytes with its NUL), marked bytes made bytes again.
 * *present (may be NULL) says whether the key was there. */
bool jc_get_text(struct jc *c, json_t *o, const char *key, char *dst, size_t cap, bool need,
		     bool *present)
{
	if (present)
		*present = false;
	json_t *v = jc_member(c, o, key, need, JSON_STRING, "a string");
	if (!v)
		return !json_object_get(o, key) && !need;
	const unsigned char *s = (const unsigned char *)json_string_value(v);
	size_t n = json_string_length(v), k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = s[i];
		if (b == 0) {
			/* the mark: the next character is U+0080-U+00FF (C2/C3 xx) */
			if (i + 2 >= n || (s[i + 1] != 0xc2 && s[i + 1] != 0xc3))
				return jc_bad(c, "\"%s\" holds a NUL", key);
			b = (unsigned char)(((s[i + 1] & 0x1f) << 6) | (s[i + 2] & 0x3f));
			i += 2;
		}
		if (k + 1 >= cap)
			return jc_bad(c, "\"%s\" is longer than %zu bytes", key, cap - 1);
		dst[k++] = (char)b;
	}
	dst[k] = '\0';
	if (present)
		*present = true;
	return true;
}

bool jc_get_time(struct jc *c, json_t *o, const char *key, uint64_t *out, bool need)
{
	json_t *v = jc_member(c, o, key, need, JSON_STRING, "a string");
	if (!v)
		return !json_object_get(o, key) && !need;
	if (!event_parse_time(json_string_value(v), json_string_length(v), out))
		return jc_bad(c, "\"%s\" is not a time as --json writes it", key);
	return true;
}

/* A name from a fixed list (state, status, reason...): its index. */
bool jc_get_name(struct jc *c, json_t *o, const char *key, const char *(*name_of)(int), int count,
		     int *out, bool need)
{
	char buf[64];
	bool present;
	if (!jc_get_text(c, o, key, buf, sizeof buf, need, &present))
		return false;
	if (!present)
		return true;
	for (int i = 0; i < count; i++) {
		const char *nm = name_of(i);
		if (nm && !strcmp(nm, buf)) {
			*out = i;
			return true;
		}
	}
	return jc_bad(c, "\"%s\": unknown value \"%.40s\"", key, buf);
}

const char *jc_state_of(int i) { return pop3_state_name((enum pop3_state)i); }
const char *jc_status_of(int i) { return pop3_status_str((enum pop3_status)i); }
const char *jc_end_of(int i) { return flow_end_name((enum flow_end)i); }
const char *jc_sev_of(int i) { return severity_name((enum severity)i); }
const char *jc_rule_of(int i) { return rule_name((enum rule_id)i); }

