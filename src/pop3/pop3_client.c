/*
 * pop3_client.c - the POP3 dissector's client side: a client line becomes
 * a pending command (keyword, arguments, message number, the user name it
 * names), its secrets redacted before anything else sees them; during AUTH
 * a line is a SASL response instead.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pop3.h"
#include "pop3_data.h"
#include "pop3_dissect_priv.h"
#include "pop3_framer.h"
#include "util.h"

/* The secret from `at` on gives way to POP3_REDACTED, and none of it stays
 * past the new end either: the array is reused, not cleared, by later
 * commands, and its memory by others once freed. */
static void redact_from(struct pending *p, char *at)
{
	size_t room = sizeof(p->args) - (size_t)(at - p->args);
	size_t was = strnlen(at, room);
	strlcpy_safe(at, POP3_REDACTED, room);
	size_t now = strlen(at);
	if (was > now)
		memset(at + now, 0, was - now);
	p->secret = true;
}

static void redact_args(struct pending *p, bool show)
{
	if (show || !p->has_args)
		return;
	char *sp = strchr(p->args, ' ');
	switch (p->cmd) {
	case POP3_CMD_PASS:
		redact_from(p, p->args);
		break;
	case POP3_CMD_APOP: /* "name digest": keep the name */
	case POP3_CMD_AUTH: /* "mechanism initial-response": keep the mechanism */
		if (sp)
			redact_from(p, sp + 1);
		break;
	default:
		break;
	}
}

static void parse_msgnum(struct pending *p)
{
	unsigned f = pop3_cmd_flags(p->cmd);
	if (!(f & (POP3_CF_MSGNUM | POP3_CF_MSGNUM_OPT)) || !p->has_args)
		return;
	const char *a = p->args, *sp = strchr(a, ' ');
	size_t n = sp ? (size_t)(sp - a) : strlen(a);
	p->has_msgnum = pop3_parse_u32(a, n, &p->msgnum);
	if (sp && p->cmd == POP3_CMD_TOP)
		(void)pop3_parse_u32(sp + 1, strlen(sp + 1), &p->arg2);
}

/* The user in a PLAIN or LOGIN response, if there is one. */
static void sasl_user(struct pop3_conn *c, const char *mech, size_t mech_len, const char *resp,
		      size_t len)
{
	char user[POP3_ARGS_MAX + 1];
	if (pop3_data_sasl_user(mech, mech_len, resp, len, user, sizeof user))
		pop3d_set_info_text(&c->info.user, &c->info.user_len, user, strlen(user), POP3_ARGS_MAX);
}

void pop3d_client_line(struct pop3_conn *c, const struct pop3_line *l)
{
	if (c->client_gap && !(l->flags & LINE_CUT)) {
		/* If the gap only cut the tail of a line and the next bytes began a
		 * new one, no command was lost; otherwise mark the loss in the FIFO. */
		c->client_gap = false;
		if (!(c->client_gap_partial && c->fr[0].resumed_at_gap)) {
			struct pending *lost = pop3d_q_push(c);
			lost->lost = true;
			lost->m = c->client_gap_m;
		}
	}
	if (c->auth_wait) { /* a SASL continuation, never a command */
		c->auth_wait = false;
		if (l->len == 1 && l->p[0] == '*')
			c->cur->flags |= POP3_TF_AUTH_CANCEL;
		else if (!pop3_data_is_base64(l->p, l->len))
			c->cur->flags |= POP3_TF_AUTH_NOT_B64;
		else if (c->sasl_responses == 0)
			sasl_user(c, c->cur->args, strcspn(c->cur->args, " "), l->p, l->len);
		c->sasl_responses++;
		return;
	}
	struct pending *p = pop3d_q_push(c);
	size_t kw = 0;
	while (kw < l->len && l->p[kw] != ' ')
		kw++;
	p->cmd = pop3_cmd_lookup(l->p, kw);
	if (p->cmd != POP3_CMD_UNKNOWN) {
		/* A known keyword upper-cased is its name: 3 letters and the
		 * NUL, or 4 letters (pop3_cmd_lookup takes no other). */
		memcpy(p->keyword, pop3_cmd_name(p->cmd), 4);
		p->keyword[4] = '\0';
	} else {
		copy_text(p->keyword, sizeof(p->keyword), l->p, kw);
		for (char *k = p->keyword; *k; k++)
			if (*k >= 'a' && *k <= 'z')
				*k = (char)(*k - 'a' + 'A');
	}
	if (kw < l->len) {
		p->has_args = true;
		copy_text(p->args, sizeof(p->args), l->p + kw + 1, l->len - kw - 1);
	}
	p->state_before = c->info.state;
	p->m = l->m;
	if (l->octets > POP3_CMD_LINE_MAX)
		p->flags |= POP3_TF_CMD_TOO_LONG;
	if (l->flags & LINE_TRUNC)
		p->flags |= POP3_TF_LINE_TRUNCATED;
	if (l->flags & LINE_BARE_LF)
		p->flags |= POP3_TF_BARE_LF;
	parse_msgnum(p);
	if (p->cmd == POP3_CMD_USER && p->has_args)
		pop3d_set_info_text(&c->info.user, &c->info.user_len, p->args, strlen(p->args),
				    POP3_ARGS_MAX);
	if (p->cmd == POP3_CMD_APOP && p->has_args)
		pop3d_set_info_text(&c->info.user, &c->info.user_len, p->args, strcspn(p->args, " "),
				    POP3_ARGS_MAX);
	if (p->cmd == POP3_CMD_AUTH) {
		/* The user of PLAIN and LOGIN is in the (initial) response; the
		 * rest of the response is redacted just below. */
		size_t ml = strcspn(p->args, " ");
		c->sasl_responses = p->args[ml] ? 1 : 0;
		if (p->args[ml])
			sasl_user(c, p->args, ml, p->args + ml + 1, strlen(p->args + ml + 1));
	}
	redact_args(p, c->o.show_secrets);
}
