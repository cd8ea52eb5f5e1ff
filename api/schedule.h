/* schedule.h — what the server starts by itself: the engine's due timers
 * (fired through the writer when the earliest falls due) and the delivery
 * worker's passes over the outbox (office/delivery.h, in the thread pool,
 * its outcomes recorded through the writer). */
#ifndef MOTCUA_API_SCHEDULE_H
#define MOTCUA_API_SCHEDULE_H

#include <stdbool.h>

typedef struct srv srv;

int srv_schedule_open(srv *s);
/* No more firing (the server stops); the handles close with the loop. */
void srv_schedule_stop(srv *s);
void srv_schedule_close(srv *s);

/* Arms the due timer on the earliest engine timer (after every completion,
 * every sweep, and when the clock of a rehearsal moves). */
void srv_arm_due(srv *s);

/* Wakes the delivery worker (a message or a code is waiting). */
void srv_deliver_soon(srv *s);
bool srv_delivery_configured(const srv *s);

#endif
