/* metadata.c - METADATA between servers (ngIRCd doc/Protocol.txt II.6).
 *
 * ngIRCd (irc-metadata.c) knows the keys accountname, certfp, cloakhost,
 * host, info and user; unknown keys are passed on untouched. Atheme and
 * Anope (protocol/ngircd) log users in and out with "accountname" (empty
 * value: logged out). What a link sends us is untrusted: every value is
 * checked here before it touches a client, and a refused value is neither
 * applied nor passed on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/client.h"
#include "core/config.h"
#include "core/event.h"
#include "core/log.h"
#include "core/netserver.h"
#include "core/server.h"
#include "proto/cap.h"
#include "proto/reply.h"
#include "net/output.h"
#include "cmd/account.h"
#include "link/metadata.h"

#define ACCOUNT_WIRE_MAX 64 /* bytes; Atheme's NICKLEN is 31, Anope's 31 */
#define CERTFP_MAX	 128 /* hex digits (SHA-512 is 128) */

/* word_ok: 1..max bytes, each printable (no space or control), none of
 * `bad`, not starting with ':'. */
static bool
word_ok(const char *s, size_t max, const char *bad)
{
	size_t n = 0;

	if (s[0] == '\0' || s[0] == ':')
		return false;
	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= 0x20 || s[n] == 0x7f || strchr(bad, s[n]) != NULL)
			return false;
	return n <= max;
}

/* metadata_account_valid: see metadata.h. An account name goes into
 * account-tag values, ACCOUNT lines and 330 parameters unescaped, so the
 * tag delimiters ; = \ and the prefix delimiters ! @ are refused. */
bool
metadata_account_valid(const char *s)
{
	return word_ok(s, ACCOUNT_WIRE_MAX, "!@;=\\,*?");
}

/* set_host: user and host change (CHGHOST, IRCv3 chghost): chghost peers
 * get ":old!prefix CHGHOST <user> <host>". Clients without the cap see
 * nothing (the QUIT+JOIN fallback of the spec is optional and not done). */
static void
set_host(struct client *u, const char *user, const char *host)
{
	char pfx[NICKLEN_MAX + USERLEN + HOSTLEN + 8], nu[sizeof(u->user)], nh[sizeof(u->host)];
	struct outline ol;

	/* copies first: user or host may be u's own field */
	snprintf(nu, sizeof(nu), "%s", user);
	snprintf(nh, sizeof(nh), "%s", host);
	if (strcmp(u->user, nu) == 0 && strcmp(u->host, nh) == 0)
		return;
	client_prefix(u, pfx, sizeof(pfx));
	outline_format(&ol, ":%s CHGHOST %s %s", pfx, nu, nh);
	ol.need_cap = CAP_CHGHOST;
	memcpy(u->user, nu, sizeof(nu));
	memcpy(u->host, nh, sizeof(nh));
	if (client_is_registered(u))
		send_common(u, !client_is_remote(u), &ol);
}

/* set_info: the real name (IRCv3 setname: SETNAME to setname peers). */
static void
set_info(struct client *u, const char *info)
{
	char pfx[NICKLEN_MAX + USERLEN + HOSTLEN + 8], *dup;
	struct outline ol;
	size_t n = strlen(info);

	if (n > REALLEN)
		n = (size_t)utf8_prefix(info, REALLEN);
	if (u->realname != NULL && strlen(u->realname) == n && memcmp(u->realname, info, n) == 0)
		return;
	if ((dup = strndup(info, n)) == NULL)
		return;
	free(u->realname);
	u->realname = dup;
	client_prefix(u, pfx, sizeof(pfx));
	outline_format(&ol, ":%s SETNAME :%s", pfx, dup);
	ol.need_cap = CAP_SETNAME;
	if (client_is_registered(u)) {
		struct event_setname ev = { u, dup };
		send_common(u, !client_is_remote(u), &ol);
		event_publish_setname(u->srv, &ev);
	}
}

/* metadata_apply: see metadata.h. */
enum metadata_result
metadata_apply(struct client *u, const char *key, const char *value)
{
	if (strcasecmp(key, "accountname") == 0) {
		if (value[0] == '\0') {
			if (u->account != NULL)
				account_login(u, NULL);
			return METADATA_APPLIED;
		}
		if (!metadata_account_valid(value))
			return METADATA_INVALID;
		if (u->account == NULL || strcmp(u->account, value) != 0)
			account_login(u, value);
		return METADATA_APPLIED;
	}
	if (strcasecmp(key, "host") == 0 || strcasecmp(key, "cloakhost") == 0) {
		/* ngIRCd: "host" can't be empty; an empty cloakhost means "no
		 * cloak", and we keep no separate cloak: nothing changes */
		if (value[0] == '\0' && key[0] != 'h' && key[0] != 'H')
			return METADATA_APPLIED;
		if (!word_ok(value, HOSTLEN, "!@,*?"))
			return METADATA_INVALID;
		set_host(u, u->user, value);
		return METADATA_APPLIED;
	}
	if (strcasecmp(key, "user") == 0) {
		if (!word_ok(value, USERLEN + 1, "!@,*?"))
			return METADATA_INVALID;
		set_host(u, value, u->host);
		return METADATA_APPLIED;
	}
	if (strcasecmp(key, "info") == 0) {
		set_info(u, value);
		return METADATA_APPLIED;
	}
	if (strcasecmp(key, "certfp") == 0) {
		char *dup;
		if (strlen(value) > CERTFP_MAX ||
		    strspn(value, "0123456789abcdefABCDEF:") != strlen(value) || value[0] == '\0')
			return METADATA_INVALID;
		if ((dup = strdup(value)) == NULL)
			return METADATA_INVALID;
		free(u->certfp);
		u->certfp = dup;
		return METADATA_APPLIED;
	}
	return METADATA_UNKNOWN;
}

/* metadata_send_user: see metadata.h (ngIRCd client.c Client_Announce
 * sends cloakhost, accountname and certfp after the NICK the same way). */
void
metadata_send_user(struct client *conn, const char *src, struct client *u)
{
	if (u->account != NULL)
		reply_raw(conn, ":%s METADATA %s accountname :%s", src, u->nick, u->account);
	if (u->certfp != NULL)
		reply_raw(conn, ":%s METADATA %s certfp :%s", src, u->nick, u->certfp);
}
