/* nickserv.h - the built-in NickServ pseudo-client (issue 11): accounts
 * managed with "/msg NickServ <command>", answering with NOTICEs from
 * NickServ!NickServ@services. as Atheme and Ergo do. It exists only with an
 * [accounts] database; the nick NickServ is then reserved. Commands:
 * HELP, REGISTER, IDENTIFY, LOGOUT, INFO, SET PASSWORD, CERT ADD/DEL/LIST,
 * DROP (docs/ACCOUNTS.md). */
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
/* nickserv_setpass_hashed: SET PASSWORD's new hash is made (NULL: failed),
 * with its SCRAM secrets (NULL: none; the old ones are cleared). */
void nickserv_setpass_hashed(struct client *c, struct client_pwwait *w, const char *hash,
    const char *scram);
/* nickserv_registered: REGISTER's account is committed (ok) or not. */
void nickserv_registered(struct client *c, const char *account, bool ok);
/* nickserv_register_refused: REGISTER's account could not be queued
 * (exists: someone took the name meanwhile). */
void nickserv_register_refused(struct client *c, const char *account, bool exists);

#endif
