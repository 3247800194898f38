/*
 * checks_conform.c - protocol conformance rules and notices: reply syntax,
 * multi-line framing, state, CAPA, STLS, SASL; and the notices an admin
 * wants beside them (response codes, failed logins, clear-text passwords,
 * slow replies). Pure reads of one transaction plus the session's facts.
 */
#include <string.h>

#include "checks_priv.h"

static bool text_has(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; *p; p++)
		if (!strncasecmp(p, word, n))
			return true;
	return false;
}

static void syntax(struct checks *k, const struct pop3_txn *t)
{
	if (t->status == POP3_ST_BAD && !(t->flags & POP3_TF_AFTER_GAP))
		checks_fire_txn(k, R_REPLY_SYNTAX, SEV_ERROR, t,
		      "the server sent a line that is neither +OK nor -ERR");
	if (t->flags & POP3_TF_STATUS_LOWER)
		checks_fire_txn(k, R_REPLY_SYNTAX, SEV_ERROR, t,
		      "the status indicator is lower case (%s); RFC 1939 requires \"+OK\"/\"-ERR\"",
		      t->status == POP3_ST_OK ? "+ok" : "-err");
	if (t->flags & POP3_TF_REPLY_TOO_LONG) {
		checks_fire_txn(k, R_REPLY_SYNTAX, SEV_ERROR, t,
		      "a reply's first line is longer than 512 octets");
		checks_fire_txn(k, R_REPLY_TOO_LONG, SEV_WARNING, t,
		      "a reply's first line is longer than 512 octets (RFC 2449 section 4)");
	}
	if (t->flags & POP3_TF_CMD_TOO_LONG)
		checks_fire_txn(k, R_COMMAND_TOO_LONG, SEV_WARNING, t,
		      "the client sent a command longer than 255 octets");
	if (t->flags & POP3_TF_MULTI_UNEXPECTED)
		checks_fire_txn(k, R_MULTILINE_FRAMING, SEV_ERROR, t,
				"data lines followed a single-line reply (the command takes a "
				"single-line answer)");
	else if (t->flags & POP3_TF_NO_TERMINATOR)
		checks_fire_txn(k, R_MULTILINE_FRAMING, SEV_ERROR, t,
		      "the multi-line reply to %s had no terminating \".\" before the next reply", t->keyword);
	else if (t->flags & POP3_TF_DOT_CR_NO_LF)
		checks_fire_txn(k, R_MULTILINE_FRAMING, SEV_ERROR, t,
		      "the multi-line reply to %s ended with \".\\r\" without LF", t->keyword);
	else if (t->flags & POP3_TF_UNSTUFFED_DOT)
		checks_fire_txn(k, R_MULTILINE_FRAMING, SEV_ERROR, t,
		      "a data line of the reply to %s begins with \".\" but is not dot-stuffed", t->keyword);
}

static void state_rules(struct checks *k, const struct pop3_txn *t, const struct pop3_conn_info *ci)
{
	unsigned f = pop3_cmd_flags(t->cmd);
	if (t->status == POP3_ST_OK && t->state_before == POP3_STATE_AUTHORIZATION &&
	    (f & POP3_CF_TRANS))
		checks_fire_txn(k, R_WRONG_STATE, SEV_ERROR, t,
		      "%s was answered +OK before login (AUTHORIZATION state)", t->keyword);
	if (t->status == POP3_ST_OK && t->state_before == POP3_STATE_TRANSACTION &&
	    (f & POP3_CF_AUTHZ))
		checks_fire_txn(k, R_WRONG_STATE, SEV_ERROR, t,
		      "%s was answered +OK after login (TRANSACTION state)", t->keyword);
	if (t->cmd == POP3_CMD_STLS && t->status == POP3_ST_OK && ++k->stls_ok > 1)
		checks_fire_txn(k, R_STLS_NOT_HONOURED, SEV_ERROR, t, "STLS was accepted twice");
	if (ci->stls_cleartext && t->cmd != POP3_CMD_STLS)
		checks_fire_txn(k, R_STLS_NOT_HONOURED, SEV_ERROR, t,
		      "STLS was accepted (+OK) but the session went on in clear text (%s)", t->keyword[0] ? t->keyword : "reply");
}

static void capa_rules(struct checks *k, const struct pop3_txn *t)
{
	if (t->cmd == POP3_CMD_CAPA && t->status == POP3_ST_OK && t->terminated) {
		k->caps = t->caps;
		k->caps_state = t->state_before;
		k->caps_seen = true;
		return;
	}
	if (!k->caps_seen || t->status != POP3_ST_ERR || t->state_before != k->caps_state)
		return;
	/* Only refusals of the command itself: UIDL and TOP take no credentials. */
	if ((t->cmd == POP3_CMD_UIDL && (k->caps & POP3_CAP_UIDL) && !t->has_args) ||
	    (t->cmd == POP3_CMD_TOP && (k->caps & POP3_CAP_TOP) && !text_has(t->text, "no such")))
		checks_fire_txn(k, R_CAPA_CONTRADICTION, SEV_WARNING, t,
		      "CAPA advertised %s, then the server refused %s", t->keyword, t->keyword);
}

static void auth_rules(struct checks *k, const struct pop3_txn *t)
{
	if (t->cmd != POP3_CMD_AUTH)
		return;
	if (t->flags & POP3_TF_AUTH_NOT_B64)
		checks_fire_txn(k, R_AUTH_EXCHANGE, SEV_ERROR, t,
		      "a SASL continuation line is not base64");
	if ((t->flags & POP3_TF_AUTH_CANCEL) && t->status == POP3_ST_OK)
		checks_fire_txn(k, R_AUTH_EXCHANGE, SEV_ERROR, t,
		      "the client cancelled AUTH with \"*\" and the server answered +OK");
}

static void notices(struct checks *k, const struct pop3_txn *t, const struct pop3_conn_info *ci)
{
	const char *code = t->code; /* "" on nearly every reply: one test for all */
	bool in_use = (code[0] && !strcmp(code, "IN-USE")) ||
		      (t->status == POP3_ST_ERR && text_has(t->text, "lock"));
	if (in_use)
		checks_fire_txn(k, R_IN_USE, SEV_NOTICE, t, "the maildrop was locked: %s was refused", t->keyword);
	if (code[0]) {
		if (!strcmp(code, "LOGIN-DELAY"))
			checks_fire_txn(k, R_LOGIN_DELAY, SEV_NOTICE, t,
					"login refused: too soon after the last one");
		if (!strcmp(code, "SYS/TEMP"))
			checks_fire_txn(k, R_SYS_TEMP, SEV_NOTICE, t, "temporary server failure on %s",
					t->keyword[0] ? t->keyword : "greeting");
		if (!strcmp(code, "SYS/PERM"))
			checks_fire_txn(k, R_SYS_PERM, SEV_NOTICE, t, "permanent server failure on %s",
					t->keyword[0] ? t->keyword : "greeting");
		if (!strcmp(code, "AUTH"))
			checks_fire_txn(k, R_AUTH_CODE, SEV_NOTICE, t,
					"authentication failed ([AUTH]) on %s", t->keyword);
	}
	bool login_cmd = t->cmd == POP3_CMD_PASS || t->cmd == POP3_CMD_APOP ||
			 (t->cmd == POP3_CMD_AUTH && t->has_args);
	if (login_cmd && t->status == POP3_ST_ERR && !in_use)
		checks_fire_txn(k, R_LOGIN_FAILED, SEV_NOTICE, t, "login failed for user \"%s\" (%s)",
		      ci->user[0] ? ci->user : "?", t->keyword);
	bool plain_mech = t->cmd == POP3_CMD_AUTH &&
			  (!strncasecmp(t->args, "PLAIN", 5) || !strncasecmp(t->args, "LOGIN", 5));
	if ((t->cmd == POP3_CMD_PASS || plain_mech) && !ci->tls)
		checks_fire_txn(k, R_CLEARTEXT_CREDS, SEV_NOTICE, t,
		      "a password was sent in clear text (%s without STLS)", t->keyword);
	if (k->o.slow_reply_us && t->req_frame && t->rep_frame && t->rep_ts_us > t->req_ts_us &&
	    t->rep_ts_us - t->req_ts_us > k->o.slow_reply_us)
		checks_fire_txn(k, R_SLOW_REPLY, SEV_NOTICE, t, "the reply to %s was slow", t->keyword);
}

void checks_conformance(struct checks *k, const struct pop3_txn *t, const struct pop3_conn_info *ci)
{
	syntax(k, t);
	if (t->flags & (POP3_TF_AFTER_GAP | POP3_TF_UNSOLICITED))
		return;
	state_rules(k, t, ci);
	capa_rules(k, t);
	auth_rules(k, t);
	notices(k, t, ci);
}
