/* delivery.h — the delivery worker: sends the messages waiting in the
 * engine's outbox (engine.h, eng_outbox_pending) by e-mail over SMTP and by
 * text message through an HTTP gateway, and records each outcome through
 * the engine (ENG_CMD_DELIVERED).
 *
 * Delivery is at least once: the messages of a pass are sent, then their
 * outcomes recorded in one durable write; a worker killed between the two
 * sends them again on its next pass, with the same Message-ID
 * (<SEQ.INDEX.motcua@the sender's domain>), so a mail client drops the
 * duplicates.  A transient failure (a connection refused, an SMTP 4xx, an
 * HTTP 5xx or timeout) is retried with exponential backoff, the attempts
 * kept in the aux database "delivery" (outside the legal record); a
 * permanent one (an SMTP 5xx, an HTTP 4xx, no address, the attempts used
 * up) is recorded as failed, which alerts the agency.
 *
 * motcuad runs a pass whenever the outbox grows; until it exists,
 * `motcua deliver` runs one.
 */
#ifndef MOTCUA_API_DELIVERY_H
#define MOTCUA_API_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/instant.h"
#include "engine/engine.h"

typedef struct delivery_config {
  const char *smtp_url;       /* smtp://host:port or smtps://; NULL: no e-mail */
  const char *smtp_user;      /* with smtp_password: AUTH */
  const char *smtp_password;
  bool smtp_starttls;         /* require STARTTLS on smtp:// */
  const char *smtp_ca;        /* CA certificates to verify the server with; NULL: the system's */
  const char *mail_from;      /* the sender address */
  const char *sms_url;        /* the gateway's POST endpoint; NULL: no text messages */
  const char *sms_token;      /* sent as "Authorization: Bearer ..."; or NULL */
  long timeout_ms;            /* per message and channel; 0: 10 s */
  int max_attempts;           /* 0: 10 (30 s doubling: about 8.5 hours in all) */
  int64_t first_backoff_ms;   /* 0: 30 s, doubling each attempt */
  int batch;                  /* messages per pass; 0: 100 */
  /* How outcomes are recorded: NULL runs eng_execute on `e` directly (the
   * command line); the server passes its writer's (one writing thread). */
  int (*execute)(void *opaque, const eng_command *cmds, int n, eng_result *results);
  void *execute_opaque;
} delivery_config;

typedef struct delivery_stats {
  int sent, failed, retried, skipped;
} delivery_stats;

/* One pass over the outbox at `now`: every message that is due is sent (or
 * tried) and its outcome recorded; officials' alerts go to their agency's
 * address in the directory (its parent's when it has none) until accounts
 * give each official's.  Returns 0, or an error of the engine (the messages
 * stay in the outbox). */
int delivery_run(eng_engine *e, const delivery_config *cfg, mc_instant now, delivery_stats *stats);

#endif
