/*
 * announce.c - message counts announced in the free text of +OK replies.
 *
 * Servers are free to say anything after "+OK ", and many state the
 * maildrop's totals there (greeting, PASS/APOP/AUTH, LIST/UIDL/RSET
 * headers). The text is not normative, so the parser recognises a small
 * grammar built from phrasings seen on real servers (catalogued with their
 * sources in tests/unit/announce_phrasings.md) and answers false for
 * everything else: a wrong count would flag a healthy server.
 *
 *   text    := [ "[" code "]" ] ws* body
 *   body    := num ws+ num ws*                       (bare "N M", whole text)
 *            | lead num ws+ ["visible" ws+] MSGS tail
 *   lead    := ""                                     ("2 messages ...")
 *            | any ws* ("has"|"have"|"contains") ws+  ("alice has", "You have")
 *            | text ("," | ":") ws*   ("Mailbox open, "; no number, no brackets)
 *   MSGS    := "message(s)" | "messages" | "message"
 *   tail    := clause* then: end | punctuation [.,;:!] + anything
 *              | (after at least one clause) anything
 *   clause  := "(" num UNIT ")"                        octets
 *            | ("totaling"|"totalling"|"in") num UNIT  octets
 *            | ("("|"[") num ["control" MSGS] "hidden" (")"|"]")  hidden
 *   UNIT    := "octets" | "octet" | "bytes" | "byte"
 *
 * Words are case-insensitive; ws is space or tab; a trailing CR/LF is
 * allowed (a line end), elsewhere CR and LF are ordinary bytes. The first
 * "<num> messages" in the body decides: a lead that is not one of the
 * above ("only 2 messages", "(2 messages left)", "1 of 3 messages") or a
 * word right after the count ("2 messages deleted", "3 new" is already not
 * a match) makes the answer false, and so does a second "<num> messages"
 * outside the hidden clause (two counts: ambiguous). Numbers that overflow
 * uint64 are not evidence. One pass over the text plus, at most, one look
 * back over the lead: linear; no allocation.
 */
#include <stddef.h>
#include <string.h>

#include "checks.h"

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c)
{
	return is_digit(c) || is_alpha(c);
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static const unsigned char *skip_ws(const unsigned char *p)
{
	while (is_ws(*p))
		p++;
	return p;
}

/* Only whitespace and a line end (CR, LF) remain. */
static bool at_end(const unsigned char *p)
{
	while (is_ws(*p) || *p == '\r' || *p == '\n')
		p++;
	return *p == '\0';
}

/* Case-insensitive prefix `w` (lowercase) at p, ending at a word boundary
 * (the next byte is not a letter or digit). Returns the end or NULL. Never
 * reads past a NUL: a mismatch stops at it. */
static const unsigned char *word(const unsigned char *p, const char *w)
{
	while (*w) {
		if (lower(*p) != (unsigned char)*w)
			return NULL;
		p++;
		w++;
	}
	return is_alnum(*p) ? NULL : p;
}

/* Case-insensitive prefix `w` (lowercase) at p, word boundary or not. */
static bool prefix_ci(const unsigned char *p, const char *w)
{
	for (; *w; p++, w++)
		if (lower(*p) != (unsigned char)*w)
			return false;
	return true;
}

/* "message(s)", "messages" or "message" at p; the end or NULL. */
static const unsigned char *msgs_word(const unsigned char *p)
{
	const unsigned char *e;

	if ((e = word(p, "message(s)")) != NULL)
		return e;
	if ((e = word(p, "messages")) != NULL)
		return e;
	return word(p, "message");
}

static const unsigned char *unit_word(const unsigned char *p)
{
	const unsigned char *e;

	if ((e = word(p, "octets")) != NULL || (e = word(p, "octet")) != NULL ||
	    (e = word(p, "bytes")) != NULL || (e = word(p, "byte")) != NULL)
		return e;
	return NULL;
}

/* A decimal number at p (at least one digit). Returns the end, or NULL when
 * p is not a digit; *overflow says the value does not fit uint64 (the end is
 * still returned so callers can skip the run). */
static const unsigned char *number(const unsigned char *p, uint64_t *v, bool *overflow)
{
	uint64_t n = 0;

	*overflow = false;
	if (!is_digit(*p))
		return NULL;
	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (n > (UINT64_MAX - d) / 10)
			*overflow = true;
		else if (!*overflow)
			n = n * 10 + d;
	}
	*v = *overflow ? 0 : n;
	return p;
}

/*
 * The next "<num> ws+ [visible ws+] MSGS" at or after p whose number is a
 * whole digit run. Sets *num_at, *val, *ovf and returns the end of MSGS, or
 * NULL when there is none. Each byte is looked at a bounded number of times:
 * a digit run and the spaces after it are passed over once.
 */
static const unsigned char *find_count(const unsigned char *start, const unsigned char *p,
				       const unsigned char **num_at, uint64_t *val, bool *ovf)
{
	while (*p) {
		if (!is_digit(*p) || (p > start && is_digit(p[-1]))) {
			p++;
			continue;
		}
		const unsigned char *n0 = p, *q, *e;
		uint64_t v;
		bool o;

		q = number(p, &v, &o);
		p = q;			/* resume after the run either way */
		if (!is_ws(*q))
			continue;
		q = skip_ws(q);
		if ((e = word(q, "visible")) != NULL && is_ws(*e))
			q = skip_ws(e);
		if ((e = msgs_word(q)) == NULL)
			continue;
		*num_at = n0;
		*val = v;
		*ovf = o;
		return e;
	}
	return NULL;
}

/* The lead before the count (body .. num_at) is one we know. */
static bool lead_ok(const unsigned char *body, const unsigned char *num_at)
{
	const unsigned char *q = num_at;

	if (q == body)
		return true;
	if (!is_ws(q[-1]))
		return false;		/* "v2 messages", "(2 messages", "-2 messages" */
	while (q > body && is_ws(q[-1]))
		q--;
	if (q == body)
		return true;

	unsigned char c = q[-1];
	if (c == ',' || c == ':') {
		/* "Mailbox open, 3 messages", "Logged in, 3 messages": a lead-in
		 * with no number of its own ("POP3" is a name, not a number) and
		 * nothing in brackets. */
		for (const unsigned char *r = body; r < q - 1; r++) {
			if (*r == '(' || *r == '[')
				return false;
			if (is_digit(*r) && (r == body || !is_alnum(r[-1])))
				return false;
		}
		return true;
	}
	if (!is_alpha(c))
		return false;

	const unsigned char *w = q;
	while (w > body && is_alpha(w[-1]))
		w--;
	if (w > body && is_alnum(w[-1]))
		return false;
	size_t len = (size_t)(q - w);
	static const char *const verbs[] = { "has", "have", "contains" };
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strlen(verbs[i]) != len)
			continue;
		size_t k = 0;
		while (k < len && lower(w[k]) == (unsigned char)verbs[i][k])
			k++;
		if (k == len)
			return true;
	}
	return false;
}

enum clause { CL_NONE, CL_OCTETS, CL_HIDDEN, CL_BAD };

/* A clause at p: "(M octets)", "totaling M octets", "in M octets",
 * "(H hidden)", "[H control message(s) hidden]". Returns the kind and sets
 * *end; CL_NONE when p starts none of them, CL_BAD when one starts but is
 * malformed or overflows. */
static enum clause clause(const unsigned char *p, uint64_t *v, const unsigned char **end)
{
	const unsigned char *q, *e;
	bool o;

	if (*p == '(' || *p == '[') {
		unsigned char close = *p == '(' ? ')' : ']';
		q = skip_ws(p + 1);
		if ((q = number(q, v, &o)) == NULL || !is_ws(*q))
			return CL_NONE;
		q = skip_ws(q);
		enum clause kind;
		if ((e = unit_word(q)) != NULL && close == ')') {
			kind = CL_OCTETS;
		} else {
			if ((e = word(q, "control")) != NULL && is_ws(*e)) {
				q = skip_ws(e);
				if ((e = msgs_word(q)) == NULL || !is_ws(*e))
					return CL_NONE;
				q = skip_ws(e);
			}
			if ((e = word(q, "hidden")) == NULL)
				return CL_NONE;
			kind = CL_HIDDEN;
		}
		e = skip_ws(e);
		if (*e != close)
			return CL_NONE;
		if (o)
			return CL_BAD;
		*end = e + 1;
		return kind;
	}
	if ((e = word(p, "totaling")) != NULL || (e = word(p, "totalling")) != NULL ||
	    (e = word(p, "in")) != NULL) {
		if (!is_ws(*e))
			return CL_NONE;
		q = skip_ws(e);
		if ((q = number(q, v, &o)) == NULL || !is_ws(*q))
			return CL_NONE;
		q = skip_ws(q);
		if ((e = unit_word(q)) == NULL)
			return CL_NONE;
		if (o)
			return CL_BAD;
		*end = e;
		return CL_OCTETS;
	}
	return CL_NONE;
}

static bool is_punct_end(unsigned char c)
{
	return c == '.' || c == ',' || c == ';' || c == ':' || c == '!';
}

/* Whole body is exactly "N M" plus whitespace (a LIST/UIDL header mirroring
 * STAT, "+OK 2 320"). */
static bool bare_pair(const unsigned char *p, struct announce *a)
{
	uint64_t n, m;
	bool o1, o2;

	if ((p = number(p, &n, &o1)) == NULL || !is_ws(*p))
		return false;
	p = skip_ws(p);
	if ((p = number(p, &m, &o2)) == NULL)
		return false;
	if (!at_end(p) || o1 || o2)
		return false;
	a->count = n;
	a->octets = m;
	a->octets_known = true;
	return true;
}

bool announce_parse(const char *text, struct announce *a)
{
	if (a == NULL)
		return false;
	memset(a, 0, sizeof *a);
	if (text == NULL)
		return false;

	const unsigned char *p = skip_ws((const unsigned char *)text);

	/* RFC 2449 response code, "[SYS/TEMP] ": printable, no spaces. */
	if (*p == '[') {
		const unsigned char *q = p + 1;
		while (*q > 0x20 && *q < 0x7f && *q != ']' && *q != '[')
			q++;
		if (*q == ']' && q > p + 1)
			p = skip_ws(q + 1);
	}
	const unsigned char *body = p;

	if (bare_pair(body, a))
		return true;

	const unsigned char *num_at, *e;
	uint64_t count;
	bool ovf;

	/* Every announcement has the word "message" (msgs_word): a reply
	 * without one (most of them: "Logged in.", "1234 octets") is turned
	 * away by one vector scan instead of find_count's walk, which this
	 * call made for every judged reply. */
	const char *m = (const char *)body;
	while ((m = strpbrk(m, "mM")) != NULL && !prefix_ci((const unsigned char *)m, "message"))
		m++;
	if (m == NULL)
		return false;

	e = find_count(body, body, &num_at, &count, &ovf);
	if (e == NULL || ovf || !lead_ok(body, num_at))
		return false;

	/* What follows the count word: an optional run of clauses, then the end,
	 * punctuation, or (after a clause) free text. */
	bool have_octets = false, have_hidden = false;
	uint64_t octets = 0, hidden = 0;
	unsigned clauses = 0;
	const unsigned char *tail;

	if (!at_end(e) && !is_ws(*e) && !is_punct_end(*e) && *e != '(' && *e != '[')
		return false;		/* "2 messages-ish", "2 messages)" */
	for (;;) {
		const unsigned char *q = skip_ws(e), *ce;
		uint64_t v = 0;
		enum clause k = clause(q, &v, &ce);

		if (k == CL_BAD)
			return false;
		if (k == CL_OCTETS || k == CL_HIDDEN) {
			if ((k == CL_OCTETS && have_octets) || (k == CL_HIDDEN && have_hidden))
				return false;	/* said twice: not a phrasing we know */
			if (k == CL_OCTETS) {
				have_octets = true;
				octets = v;
			} else {
				have_hidden = true;
				hidden = v;
			}
			clauses++;
			e = ce;
			continue;
		}
		/* No clause here. */
		if (at_end(q) || clauses > 0 || is_punct_end(*q)) {
			tail = q;
			break;
		}
		return false;		/* "2 messages deleted", "3 messages in trash" */
	}

	/* A second count in what is left makes the text ambiguous. */
	const unsigned char *n2;
	uint64_t v2;
	bool o2;
	if (find_count(body, tail, &n2, &v2, &o2) != NULL)
		return false;

	a->count = count;
	a->octets = octets;
	a->octets_known = have_octets;
	a->hidden = hidden;
	a->hidden_known = have_hidden;
	return true;
}
