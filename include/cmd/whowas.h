/* whowas.h - WHOWAS history (RFC 2812 §3.6.3): a subscriber of the nick
 * and quit events (core/event.h) records each nick given up. */
#ifndef EVIRCD_WHOWAS_H
#define EVIRCD_WHOWAS_H

struct server;

/* whowas_subscribe: subscribe the recorder at start-up (src/daemon.c). 0,
 * or -1 when an event has no free subscriber slot. */
int whowas_subscribe(struct server *srv);

#endif
