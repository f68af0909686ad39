/* account.h - accounts on the client: SASL (AUTHENTICATE, PLAIN,
 * EXTERNAL and SCRAM-SHA-256 (cmd/scram.h); the mechanisms offered are
 * core/password.h password_sasl_mechs), account registration (REGISTER, VERIFY), login and logout
 * with everything that shows them (900/901, account-notify, +r,
 * EVENT_ACCOUNT). The accounts themselves live in store/store.h.
 * Specs: ircv3.net/specs/extensions/sasl-3.1 and sasl-3.2,
 * ircv3.net/specs/extensions/account-registration (draft),
 * ircv3.net/specs/extensions/account-notify. docs/ACCOUNTS.md says what
 * exists and what does not yet. */
#ifndef EVIRCD_ACCOUNT_H
#define EVIRCD_ACCOUNT_H

#include <stdbool.h>

#include "core/client.h"

/* Longest password accepted by REGISTER and SASL PLAIN, bytes. */
#define ACCOUNT_PASSWORD_MAX   300
#define ACCOUNT_PASSWORD_MAX_S "300"
/* Wrong SASL attempts cost this much fakelag each (RFC 1459 §8.10; like
 * OPER_FAIL_PENALTY), so guessing is slow. */
#define SASL_FAIL_PENALTY      4

/* account_login: c is now logged in to account (copied; NULL = log out):
 * sets c->account and +r, sends 900 (or 901) to c, ACCOUNT to its
 * account-notify peers once registered, and publishes EVENT_ACCOUNT. */
void account_login(struct client *c, const char *account);
/* account_login_sasl: account_login by a SASL exchange of mechanism mech
 * (a static string; EVENT_ACCOUNT carries it to the event log). */
void account_login_sasl(struct client *c, const char *account, const char *mech);
/* sasl_verified: the PLAIN password check for account ended (cmd/pwcheck.c). */
enum cmd_result sasl_verified(struct client *c, const char *account, bool ok);
/* account_register_hashed: REGISTER's password is hashed (hash NULL:
 * failed) and its SCRAM secrets made (scram NULL: none). Queues the account to the database and keeps w (c->pw) waiting
 * for the commit, or answers now. */
void account_register_hashed(struct client *c, struct client_pwwait *w, const char *hash,
    const char *scram);
/* account_sasl_abort: forget an AUTHENTICATE exchange in progress (sends
 * 906 when tell). Called by CAP END (sasl-3.1: registration ends it). */
void account_sasl_abort(struct client *c, bool tell);

#endif
