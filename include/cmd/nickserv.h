/* nickserv.h - the built-in NickServ pseudo-client (issue 11): accounts
 * managed with "/msg NickServ <command>", answering with NOTICEs from
 * NickServ!NickServ@services. as Atheme and Ergo do. It exists only with an
 * [accounts] database; the nick NickServ is then reserved. Commands:
 * HELP, REGISTER, IDENTIFY, LOGOUT, INFO, GROUP, UNGROUP, SET PASSWORD,
 * SET ENFORCE, CERT ADD/DEL/LIST, DROP, GHOST, REGAIN, and for operators
 * SAREGISTER, SADROP, SUSPEND, UNSUSPEND, LIST (docs/ACCOUNTS.md). It also
 * protects registered nicks: see nickserv_subscribe. */
#ifndef EVIRCD_NICKSERV_H
#define EVIRCD_NICKSERV_H

#include <stdbool.h>

#include "core/client.h"

struct server;

/* nickserv_is: is name NickServ on this server (accounts enabled)? */
bool nickserv_is(struct server *srv, const char *name);
/* nickserv_message: c sent text to NickServ with PRIVMSG. */
void nickserv_message(struct client *c, const char *text);
/* nickserv_identified: the IDENTIFY password check for account ended. */
enum cmd_result nickserv_identified(struct client *c, const char *account, bool ok);
/* nickserv_setpass_hashed: SET PASSWORD's or SAREGISTER's hash is made
 * (NULL: failed), with its SCRAM secrets (NULL: none; SET PASSWORD clears
 * the old ones). */
void nickserv_setpass_hashed(struct client *c, struct client_pwwait *w, const char *hash,
    const char *scram);
/* nickserv_registered: REGISTER's account is committed (ok) or not. */
void nickserv_registered(struct client *c, const char *account, bool ok);
/* nickserv_register_refused: REGISTER's account could not be queued
 * (exists: someone took the name meanwhile). */
void nickserv_register_refused(struct client *c, const char *account, bool exists);

/* nickserv_subscribe: nick protection: hear EVENT_REGISTERED, EVENT_NICK
 * and EVENT_ACCOUNT to start or cancel a client's enforcement timer
 * ([accounts] enforce_grace, enforce_default, guest_prefix). 0, or -1 when
 * the subscriber lists are full. */
int nickserv_subscribe(struct server *srv);
/* nickserv_enforce_run: rename every client whose grace period is over
 * (srv->now) and re-arm the timer; the timer's callback, and tests that
 * move the clock (harness h_advance) call it directly. */
void nickserv_enforce_run(struct server *srv);

#endif
