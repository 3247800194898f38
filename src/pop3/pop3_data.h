/*
 * pop3_data.h - pure parsers for status lines and multi-line data lines.
 */
#ifndef POP3MON_POP3_DATA_H
#define POP3MON_POP3_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "pop3.h"

/* Parse a LIST ("n size") or UIDL ("n uid") line into *e; flags say what
 * was wrong. For UIDL, uid and uid_len point at the unique-id in p. */
bool pop3_data_listing_line(const char *p, size_t len, bool uidl, struct pop3_entry *e,
			    const char **uid, size_t *uid_len);
void pop3_data_capa_line(const char *p, size_t len, unsigned *caps, char *sasl, size_t sasl_size);
/* Status of a reply line; *text_at is where the text starts. */
enum pop3_status pop3_data_status(const char *p, size_t len, bool *lower, size_t *text_at);
/* "[SYS/TEMP] ..." -> "SYS/TEMP"; "" when the text has no code. */
void pop3_data_code(const char *text, char *code, size_t size);
bool pop3_data_is_base64(const char *p, size_t len);
/* Decode base64 (RFC 4648, padded, as SASL sends it) into out; returns the
 * length, or SIZE_MAX if p is not base64 or does not fit in cap. */
size_t pop3_data_b64_decode(const char *p, size_t len, unsigned char *out, size_t cap);
/*
 * The account a SASL response names, for mechanisms that carry it in the
 * clear: PLAIN ("authzid NUL authcid NUL password", RFC 4616: the authzid
 * when given, else the authcid) and LOGIN (the first response is the user
 * name). `response` is the client's base64 line. Returns false when the
 * mechanism carries no user name or the response does not decode. The
 * decoded password is wiped before returning.
 */
bool pop3_data_sasl_user(const char *mech, size_t mech_len, const char *response, size_t len,
			 char *user, size_t user_size);

#endif
