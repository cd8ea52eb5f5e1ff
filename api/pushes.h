/* pushes.h — events to subscribers (docs/PROTOCOL.md "Operations", `subscribe`).
 *
 * A push leaves only once its event is durable.  Live events come from the
 * engine's tap (engine.h, eng_set_tap): the writer hands the loop every
 * event of each committed batch, with the dossier after it, so nothing is
 * read back; each reaches the subscriptions filed under its dossier in the
 * index (api/subs.h), never a scan of every connection.  Events the tap did
 * not hand over (a copy that failed) are read from the log.  A new
 * subscription first catches up from the log, paced by what its client
 * reads, then goes live; the loop thread does both, so nothing comes
 * between and nothing twice. */
#ifndef MOTCUA_API_PUSHES_H
#define MOTCUA_API_PUSHES_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/engine.h"

typedef struct srv srv;
typedef struct conn conn;

/* Pushes the durable events not pushed yet (after each completion). */
void srv_publish(srv *s);
/* Pushes one event: a dossier event to its subscribers; a publication or a
 * retirement marks the catalogue for a rebuild (*refresh); a disabled
 * account's sockets are revoked, and those of an account whose roles were
 * set take its new roles. */
void srv_push_event(srv *s, const eng_event_view *v, bool *refresh);
/* Moves the connection's catching-up subscriptions on: reads the log in
 * chunks while the client's queue has room (called again as it drains),
 * and sends `caught_up` and goes live once at the pushed head. */
void srv_catch_up(conn *c);

/* Ends at once the sockets of a session (a token) or of every session of an
 * account, telling them `revoked` (the aux records are the caller's). */
void srv_revoke_token(srv *s, const char *token, const char *why);
void srv_revoke_account(srv *s, const char *account, const char *why);
/* The open sockets of an account take the account as it now stands (its
 * roles set: account.roles_set). */
void srv_refresh_account(srv *s, const char *account);
/* One socket: told `revoked`, closed. */
void srv_revoke_conn(conn *c, const char *why);

/* A work queue's row as the protocol gives it, at `now` (due soon,
 * overdue), with the procedure's name from the catalogue: the rows of
 * `queue` and of a queue subscription's pushes. */
json_t *srv_queue_row_json(const srv *s, const eng_queue_row *x, mc_instant now);

#endif
