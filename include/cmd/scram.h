/* scram.h - the server side of SASL SCRAM-SHA-256 (RFC 5802, RFC 7677) on
 * GNU SASL (libgsasl), for AUTHENTICATE (cmd/account.c).
 *
 * The account's stored secrets (salt, iteration count, StoredKey,
 * ServerKey: store/store.h, made by core/password.h off the loop) are
 * handed to libgsasl, so a login runs no PBKDF2 at all: one exchange costs
 * two HMACs and a hash on the loop (microseconds; docs/PERFORMANCE.md). A
 * name without secrets (no such account, or one made before schema 2 that
 * has not logged in with a password since) gets a server-first message
 * with a salt derived from the name, so the exchange looks the same until
 * the proof fails (RFC 5802 §9: no account enumeration), then 904.
 * SCRAM-SHA-256-PLUS (channel binding) is not offered. */
#ifndef EVIRCD_SCRAM_H
#define EVIRCD_SCRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/client.h"

struct server;

/* scram_available: does srv offer SCRAM-SHA-256 (built with libgsasl and
 * its context made; made on the first call)? */
bool scram_available(struct server *srv);
/* scram_start: begin an exchange in s for c (s->gs). 0, or -1 (libgsasl
 * failed: answer 904). */
int scram_start(struct client *c, struct client_sasl *s);

enum scram_result {
	SCRAM_CHALLENGE, /* out is the server-first message: send it */
	SCRAM_VERIFIED, /* the proof is right: out is the server-final
				 * message; send it, and log in to scram_account
				 * when the client answers it with an empty response */
	SCRAM_FAILED, /* a bad proof, a malformed message, an authzid that
				 * is not the authcid, or an account without secrets: 904 */
};
/* scram_step: feed the client's decoded message (in, len bytes) to c's
 * exchange; the server's answer goes to out (outsize bytes, NUL-terminated,
 * *outlen without the NUL). */
enum scram_result scram_step(struct client *c, const unsigned char *in, size_t len, char *out,
    size_t outsize, size_t *outlen);
/* scram_account: after SCRAM_VERIFIED, the account's name as registered
 * (valid until the store changes), or NULL when it was dropped since. */
const char *scram_account(struct client *c);
/* scram_free: free srv's libgsasl context (server_free; the clients and
 * their sessions are gone). NULL-safe. */
void scram_free(struct server *srv);

#endif
