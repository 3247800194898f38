/*
 * ui_model_priv.h - the seam between the session store (ui_model.c) and
 * the per-server aggregates (ui_model_srv.c). Only those two files
 * include it. The store calls these hooks on the transitions it sees;
 * the aggregates never reach into the store.
 */
#ifndef POP3MON_UI_MODEL_PRIV_H
#define POP3MON_UI_MODEL_PRIV_H

#include "ui_model.h"

/* A new session of the store: finds (or makes) its server and counts it. */
void ui_srv_session_new(struct ui_model *m, struct ui_session *s, const struct ev_session *es);
/* The session's snapshot was refreshed: account, greeting, login, flagged. */
void ui_srv_session_facts(struct ui_model *m, struct ui_session *s);
/* A finding of the session (sev already clamped); counts the server's and account's share. */
void ui_srv_finding(struct ui_model *m, struct ui_session *s, const struct finding *f, enum severity sev);
/* The session closed with s->end. */
void ui_srv_session_close(struct ui_model *m, struct ui_session *s);
void ui_srv_free_all(struct ui_model *m);

#endif
