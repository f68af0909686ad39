/* chanserv.h - the built-in ChanServ pseudo-client (issue 11): channel
 * registration managed with "/msg ChanServ <command>", answering with
 * NOTICEs from ChanServ!ChanServ@services. worded like Atheme's (whose
 * command names Ergo shares). It exists only with built-in accounts (an
 * [accounts] database, the switch NickServ uses); the nick ChanServ is then
 * reserved. Commands: HELP, REGISTER, DROP, INFO, OP, DEOP, VOICE, DEVOICE,
 * INVITE, UNBAN, GETKEY, ACCESS (Atheme's ADD/DEL/LIST with roles op and voice), FLAGS (Atheme's,
 * simple forms), AMODE (Ergo's), SET KEEPTOPIC (docs/ACCOUNTS.md).
 *
 * Registrations live in the store (store/chanreg.h, cached in memory). The
 * rest is done by event subscribers (chanserv_subscribe): a registered
 * channel's kept modes, key, limit, topic and b/e/I lists are restored
 * when a JOIN creates it again (EVENT_CHANNEL_NEW), members with access get
 * +o/+v when they join or log in (EVENT_JOIN, EVENT_ACCOUNT), and mode and
 * topic changes are kept (EVENT_MODE, EVENT_TOPIC). */
#ifndef EVIRCD_CHANSERV_H
#define EVIRCD_CHANSERV_H

#include <stdbool.h>

struct server;
struct client;

/* Channels one account may found (Atheme's maxchans is 5; Ergo's
 * max-channels-per-account 15). */
#define CHANSERV_MAX_PER_ACCOUNT 10

/* chanserv_is: is name ChanServ on this server (built-in accounts on)? */
bool chanserv_is(struct server *srv, const char *name);
/* chanserv_message: c sent text to ChanServ with PRIVMSG. */
void chanserv_message(struct client *c, const char *text);
/* chanserv_subscribe: subscribe ChanServ's event handlers (at start-up,
 * after the links so that a JOIN is relayed before the +o it earns). 0, or
 * -1 when the bus is full. The handlers do nothing without a store. */
int chanserv_subscribe(struct server *srv);

#endif
