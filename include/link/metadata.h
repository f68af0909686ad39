/* metadata.h - the IRC+ METADATA command between servers (ngIRCd
 * doc/Protocol.txt II.6, irc-metadata.c): "METADATA <target> <key>
 * :<value>" changes a user's account name, host, user name, real name or
 * certificate fingerprint on every server of the network. Only links whose
 * PASS carried the IRC+ flag M get it (link/link.c keeps the flag). */
#ifndef EVIRCD_METADATA_H
#define EVIRCD_METADATA_H

#include <stdbool.h>

#include "core/client.h"

/* What metadata_apply did with one key. */
enum metadata_result {
	METADATA_APPLIED = 0, /* known key, valid value: taken (maybe unchanged) */
	METADATA_UNKNOWN, /* a key we do not keep: passed on, as the spec says */
	METADATA_INVALID, /* a known key with a value we refuse: not passed on */
};

/* metadata_apply: key=value from a link for user u (local or remote):
 * "accountname" (account_login: 330, account-notify, extended-join and
 * account-tag follow; "" logs out), "host"/"cloakhost" (CHGHOST to
 * chghost peers), "user", "info" (real name; SETNAME to setname peers),
 * "certfp". Values are untrusted: checked for length and characters. */
enum metadata_result metadata_apply(struct client *u, const char *key, const char *value);
/* metadata_send_user: the METADATA lines that describe u (account name,
 * certificate fingerprint) to link connection conn, after u's NICK
 * introduction: in the burst and when u registers. src is our server name. */
void metadata_send_user(struct client *conn, const char *src, struct client *u);
/* metadata_account_valid: may s be an account name on the wire (1..64
 * printable bytes, no space, no tag or prefix delimiters)? */
bool metadata_account_valid(const char *s);

#endif
