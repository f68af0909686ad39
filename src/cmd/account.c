/* account.c - AUTHENTICATE (SASL PLAIN, EXTERNAL, SCRAM-SHA-256), REGISTER and VERIFY
 * (draft/account-registration), login and logout. See cmd/account.h and
 * docs/ACCOUNTS.md. Accounts are read from the store's cache (never the
 * disk); passwords are hashed and verified on the password pool (never on
 * the loop); a new account is answered once its row is committed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/event.h"
#include "core/log.h"
#include "core/netserver.h"
#include "core/password.h"
#include "core/server.h"
#include "core/throttle.h"
#include "store/store.h"
#include "proto/cap.h"
#include "proto/message.h"
#include "proto/reply.h"
#include "net/output.h"
#include "cmd/account.h"
#include "cmd/command.h"
#include "cmd/nickserv.h"
#include "cmd/pwcheck.h"
#include "cmd/scram.h"

enum sasl_mech { SASL_NONE = 0, SASL_PLAIN, SASL_EXTERNAL, SASL_SCRAM };

/* sasl-3.1: "The response is encoded in Base64 (RFC 4648), then split to
 * 400-byte chunks"; a chunk of exactly 400 bytes means more follow, and
 * "+" ends a message whose length is a multiple of 400. */
#define SASL_CHUNK 400

/* b64_decode: RFC 4648 base64 (padding required, no whitespace) of src
 * into dst (room for 3 * len / 4 + 1 bytes); the decoded length, or -1. */
static long
b64_decode(const char *src, size_t len, unsigned char *dst)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long acc = 0;
	size_t i, pad = 0;
	long n = 0;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i++) {
		const char *p;
		unsigned v;
		if (src[i] == '=') {
			if (i < len - 2 || (i == len - 2 && src[len - 1] != '='))
				return -1;
			pad++;
			v = 0;
		} else if (src[i] != '\0' && (p = strchr(alpha, src[i])) != NULL)
			v = (unsigned)(p - alpha);
		else
			return -1;
		acc = (acc << 6) | v;
		if (i % 4 == 3) {
			dst[n++] = (unsigned char)(acc >> 16);
			dst[n++] = (unsigned char)(acc >> 8);
			dst[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	n -= (long)pad;
	dst[n] = '\0';
	return n;
}

/* acct_fail: "FAIL <command> <code> <account> :<text>" (standard-replies
 * with the account as context, as draft/account-registration gives it).
 * reply_fail has no context parameter, hence reply_server. */
static void
acct_fail(struct client *c, const char *command, const char *code, const char *account,
    const char *text)
{
	reply_server(c, "FAIL %s %s %s :%s", command, code, account[0] ? account : "*", text);
}

void
account_login(struct client *c, const char *account)
{
	account_login_sasl(c, account, NULL);
}

void
account_login_sasl(struct client *c, const char *account, const char *mech)
{
	struct server *srv = c->srv;
	char pfx[NICKLEN_MAX + USERLEN + HOSTLEN + 8], *old = c->account;
	struct outline ol;

	if (account != NULL && (c->account = strdup(account)) == NULL) {
		c->account = old;
		return;
	}
	if (account == NULL)
		c->account = NULL;
	/* the account's session list (store/store.h), so that DROP and
	 * SUSPEND reach every client logged in to it */
	if (c->alink.le_prev != NULL) {
		LIST_REMOVE(c, alink);
		c->alink.le_prev = NULL;
	}
	if (account != NULL && srv->store != NULL) {
		struct store_sessions *ss = store_account_sessions(srv->store, account);
		if (ss != NULL)
			LIST_INSERT_HEAD(ss, c, alink);
	}
	client_prefix(c, pfx, sizeof(pfx));
	/* a remote user (METADATA accountname from a link, link/metadata.c)
	 * hears 900/901 and its MODE from its own server, not from us */
	if (account != NULL && !client_is_remote(c))
		numeric(c, RPL_LOGGEDIN, pfx, account, account);
	else if (!client_is_remote(c))
		numeric(c, RPL_LOGGEDOUT, pfx);
	/* +r while logged in, as Solanum (+r is not set there: services
	 * do it), InspIRCd (m_services +r) and Ergo do; the client sees
	 * the change once registered (before, 004/221 show it) */
	if ((account != NULL) != ((c->umodes & UMODE_REGISTERED) != 0)) {
		c->umodes ^= UMODE_REGISTERED;
		if (client_is_registered(c) && !client_is_remote(c))
			reply_raw(c, ":%s MODE %s :%cr", c->nick, c->nick, account ? '+' : '-');
	}
	/* a reauthentication (sasl-3.2) to the account one is already in
	 * changes nothing others see: 900 only */
	if (old != NULL && account != NULL && strcmp(old, account) == 0) {
		free(old);
		return;
	}
	if (client_is_registered(c)) {
		/* account-notify: "ACCOUNT <accountname>", "*" when logged out,
		 * to every client sharing a channel that has the cap */
		outline_format(&ol, ":%s ACCOUNT %s", pfx, account ? account : "*");
		ol.need_cap = CAP_ACCOUNT_NOTIFY;
		send_common(c, false, &ol);
	}
	{
		struct event_account ev = { c, account, old, mech };
		event_publish_account(srv, &ev);
	}
	free(old);
}

void
account_sasl_abort(struct client *c, bool tell)
{
	if (c->sasl == NULL)
		return;
	client_sasl_free(c->sasl);
	c->sasl = NULL;
	if (tell)
		numeric(c, ERR_SASLABORTED);
}

/* sasl_penalty: bad SASL input costs the connection SASL_FAIL_PENALTY s
 * of fakelag. */
static void
sasl_penalty(struct client *c)
{
	if (c->fakelag < c->srv->now)
		c->fakelag = c->srv->now;
	c->fakelag += SASL_FAIL_PENALTY;
}

/* sasl_fail: 904, the exchange ends, and the failure costs fakelag and
 * counts against the address (core/throttle.h). */
static void
sasl_fail(struct client *c)
{
	account_sasl_abort(c, false);
	sasl_penalty(c);
	throttle_login_failed(c->srv, c);
	numeric(c, ERR_SASLFAIL);
}

/* sasl_toolong: 905 (sasl-3.1: a chunk over 400 bytes, or a message over
 * what we take), the exchange ends, and it costs fakelag. */
static void
sasl_toolong(struct client *c)
{
	account_sasl_abort(c, false);
	sasl_penalty(c);
	numeric(c, ERR_SASLTOOLONG);
}

/* sasl_throttled: c's address failed too many logins lately (core/
 * throttle.h): answer 904 with the wait, charge fakelag, end the exchange,
 * and say true. No hash is checked, so the refusal is cheap and tells
 * nothing about the password. The SASL spec has no numeric of its own for
 * this; Ergo answers 904 with its reason, as here. */
static bool
sasl_throttled(struct client *c)
{
	time_t wait = throttle_login_wait(c->srv, c);

	if (wait == 0)
		return false;
	account_sasl_abort(c, false);
	sasl_penalty(c);
	reply_numeric(c, ERR_SASLFAIL,
	    ":SASL authentication failed: too many failed logins from your address, try again in "
	    "%lld s",
	    (long long)wait);
	return true;
}

static void
sasl_success(struct client *c, const char *account)
{
	static const char *const names[] = { [SASL_PLAIN] = "PLAIN",
		[SASL_EXTERNAL] = "EXTERNAL",
		[SASL_SCRAM] = "SCRAM-SHA-256" };
	const char *mech = c->sasl != NULL && c->sasl->mech < sizeof(names) / sizeof(names[0])
	    ? names[c->sasl->mech]
	    : NULL;
	const struct store_account *a = store_account_find(c->srv->store, account);

	/* a suspended account cannot log in (NickServ SUSPEND): 904 */
	if (a != NULL && a->suspended != 0) {
		sasl_fail(c);
		return;
	}
	account_sasl_abort(c, false);
	account_login_sasl(c, account, mech);
	numeric(c, RPL_SASLSUCCESS);
}

enum cmd_result
sasl_verified(struct client *c, const char *account, bool ok)
{
	/* the account may have been dropped while its hash was checked */
	if (ok && c->srv->store != NULL && store_account_find(c->srv->store, account) != NULL)
		sasl_success(c, store_account_find(c->srv->store, account)->name);
	else
		sasl_fail(c);
	return CMD_OK;
}

/* sasl_plain: RFC 4616 "authzid NUL authcid NUL passwd". An authzid other
 * than the authcid (acting as someone else) is refused. */
static void
sasl_plain(struct client *c, const unsigned char *msg, size_t len)
{
	const char *authz = (const char *)msg, *authc, *pass;
	const struct store_account *a;
	size_t n1, n2;

	n1 = strnlen(authz, len);
	if (n1 >= len)
		goto fail;
	authc = authz + n1 + 1;
	n2 = strnlen(authc, len - n1 - 1);
	if (n1 + 1 + n2 >= len)
		goto fail;
	pass = authc + n2 + 1;
	if (strlen(pass) != len - n1 - n2 - 2 || pass[0] == '\0' ||
	    strlen(pass) > ACCOUNT_PASSWORD_MAX)
		goto fail;
	if (n1 > 0 && casemap_cmp(c->srv->cfg->casemapping, authz, authc) != 0)
		goto fail;
	/* the authcid may be a nick grouped to the account (Atheme, Ergo) */
	if ((a = store_account_by_nick(c->srv->store, authc)) == NULL)
		goto fail;
	if (sasl_throttled(c))
		return;
	switch (pwcheck_start(c, PW_SASL, a->hash, pass, a->name)) {
	case PWCHECK_OK:
		sasl_success(c, a->name);
		return;
	case PWCHECK_BAD:
		goto fail;
	case PWCHECK_PENDING:
		return; /* sasl_verified answers */
	case PWCHECK_BUSY:
		account_sasl_abort(c, false);
		numeric(c, ERR_SASLFAIL); /* no penalty: our queue is full */
		return;
	}
fail:
	sasl_fail(c);
}

/* sasl_external: the TLS client certificate's fingerprint names the
 * account; the message is an optional authzid that must be that account. */
static void
sasl_external(struct client *c, const unsigned char *msg, size_t len)
{
	const struct store_account *a;

	if (c->certfp == NULL || (a = store_account_by_cert(c->srv->store, c->certfp)) == NULL ||
	    strlen((const char *)msg) != len ||
	    (len > 0 && casemap_cmp(c->srv->cfg->casemapping, (const char *)msg, a->name) != 0)) {
		sasl_fail(c);
		return;
	}
	sasl_success(c, a->name);
}

/* sasl_send: one server message of an exchange, base64 in 400-byte
 * AUTHENTICATE chunks; "+" alone for an empty one or after a last chunk of
 * exactly 400 (sasl-3.1, the same framing as the client's). */
static void
sasl_send(struct client *c, const char *data, size_t len)
{
	unsigned char b64[(SASL_MSG_MAX + 2) / 3 * 4 + 1];
	size_t n, off;

	if (len > SASL_MSG_MAX) /* cannot happen: scram_step bounds it */
		len = SASL_MSG_MAX;
	n = (size_t)EVP_EncodeBlock(b64, (const unsigned char *)data, (int)len);
	for (off = 0; off < n; off += SASL_CHUNK)
		reply_raw(c, "AUTHENTICATE %.*s", SASL_CHUNK, (const char *)b64 + off);
	if (n % SASL_CHUNK == 0)
		reply_raw(c, "AUTHENTICATE +");
}

/* sasl_scram: one client message of a SCRAM-SHA-256 exchange (RFC 5802
 * §5): client-first, client-final, then the empty response to the
 * server-final message (the server's "additional data with success",
 * which IRC can only send as a challenge, as Atheme and Ergo do). */
static void
sasl_scram(struct client *c, const unsigned char *msg, size_t len)
{
	char out[SASL_MSG_MAX + 1];
	const char *account;
	size_t outlen;

	if (c->sasl->step == 0 && len == 0) {
		sasl_fail(c); /* SCRAM is client-first: an empty one is no message */
		return;
	}
	if (c->sasl->step == 2) {
		if (len != 0 || (account = scram_account(c)) == NULL) {
			sasl_fail(c);
			return;
		}
		sasl_success(c, account);
		return;
	}
	switch (scram_step(c, msg, len, out, sizeof(out), &outlen)) {
	case SCRAM_CHALLENGE:
	case SCRAM_VERIFIED:
		sasl_send(c, out, outlen);
		break;
	case SCRAM_FAILED:
		sasl_fail(c);
		break;
	}
	explicit_bzero(out, sizeof(out));
}

/* sasl_mech: the mechanism named by an initial AUTHENTICATE, if offered
 * to c: EXTERNAL only with a client certificate, SCRAM-SHA-256 only when
 * built with libgsasl. */
static enum sasl_mech
sasl_mech(struct client *c, const char *name)
{
	if (strcasecmp(name, "PLAIN") == 0)
		return SASL_PLAIN;
	if (strcasecmp(name, "EXTERNAL") == 0 && c->certfp != NULL)
		return SASL_EXTERNAL;
	if (strcasecmp(name, "SCRAM-SHA-256") == 0 && scram_available(c->srv))
		return SASL_SCRAM;
	return SASL_NONE;
}

/* AUTHENTICATE <mechanism> | <base64 chunk> | + | *  (sasl-3.1).
 * Reauthentication (sasl-3.2 "Servers SHOULD allow a client, authenticated
 * or otherwise, to reauthenticate by sending a new AUTHENTICATE message at
 * any time"): a client logged in, registered or not, may start a new
 * exchange with any mechanism; success logs it in to the new account (900,
 * ACCOUNT to account-notify peers), failure (904, 906) leaves it in the old
 * one. Solanum and Ergo answer 907 instead; InspIRCd and Ergo allow an
 * exchange after registration; docs/ACCOUNTS.md. */
enum cmd_result
cmd_authenticate(struct client *c, struct irc_msg *m)
{
	const char *p = m->params[0];
	size_t len = strlen(p);
	struct client_sasl *s = c->sasl;
	unsigned char *msg;
	size_t msgsize;
	long n;

	if (c->srv->store == NULL || !(c->caps & CAP_SASL)) {
		numeric(c, ERR_SASLFAIL);
		return CMD_OK;
	}
	if (strcmp(p, "*") == 0) {
		if (s != NULL)
			account_sasl_abort(c, true);
		else
			numeric(c, ERR_SASLABORTED);
		return CMD_OK;
	}
	if (s == NULL) {
		enum sasl_mech mech = sasl_mech(c, p);
		if (sasl_throttled(c))
			return CMD_OK;
		if (mech == SASL_NONE) {
			numeric(c, RPL_SASLMECHS, password_sasl_mechs());
			sasl_fail(c);
			return CMD_OK;
		}
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			numeric(c, ERR_SASLFAIL);
			return CMD_OK;
		}
		s->mech = (uint8_t)mech;
		c->sasl = s;
		if (mech == SASL_SCRAM && scram_start(c, s) != 0) {
			account_sasl_abort(c, false);
			numeric(c, ERR_SASLFAIL);
			return CMD_OK;
		}
		reply_raw(c, "AUTHENTICATE +");
		return CMD_OK;
	}
	if (len > SASL_CHUNK) {
		sasl_toolong(c);
		return CMD_OK;
	}
	if (strcmp(p, "+") != 0) {
		if (s->len + len > SASL_MSG_MAX) {
			sasl_toolong(c);
			return CMD_OK;
		}
		memcpy(s->buf + s->len, p, len);
		s->len = (uint16_t)(s->len + len);
		s->buf[s->len] = '\0';
		if (len == SASL_CHUNK)
			return CMD_OK; /* more follows */
	}
	msgsize = (size_t)s->len / 4 * 3 + 1;
	if ((msg = malloc(msgsize)) == NULL) {
		numeric(c, ERR_SASLFAIL);
		account_sasl_abort(c, false);
		return CMD_OK;
	}
	n = b64_decode(s->buf, s->len, msg);
	/* the message is decoded: the buffer takes the next one */
	explicit_bzero(s->buf, s->len);
	s->len = 0;
	if (n < 0)
		sasl_fail(c);
	else if (s->mech == SASL_PLAIN)
		sasl_plain(c, msg, (size_t)n);
	else if (s->mech == SASL_SCRAM)
		sasl_scram(c, msg, (size_t)n);
	else
		sasl_external(c, msg, (size_t)n);
	/* s may be gone now (the exchange ended) */
	explicit_bzero(msg, msgsize);
	free(msg);
	return CMD_OK;
}

/* register_done: the new account's row is committed (or failed). */
static void
register_done(void *arg, enum store_result r)
{
	struct client_pwwait *w = arg;
	struct client *c = pwcheck_store_done(w);

	if (c == NULL)
		return;
	if (w->kind == PW_NS_REGISTER) {
		if (r == STORE_OK)
			throttle_registered(c->srv, c);
		nickserv_registered(c, w->oper, r == STORE_OK);
		pwcheck_answer_end(c, CMD_OK);
		return;
	}
	if (r == STORE_OK) {
		throttle_registered(c->srv, c);
		reply_server(c, "REGISTER SUCCESS %s :Account created", w->oper);
		account_login(c, w->oper);
	} else
		acct_fail(c, "REGISTER", "TEMPORARILY_UNAVAILABLE", w->oper,
		    "Could not save the account");
	pwcheck_answer_end(c, CMD_OK);
}

void
account_register_hashed(struct client *c, struct client_pwwait *w, const char *hash,
    const char *scram)
{
	struct server *srv = c->srv;
	enum store_refusal why = STORE_REFUSED_NONE;

	if (hash != NULL && srv->store != NULL) {
		w->store_wait = true;
		if (store_account_create(srv->store, w->oper, hash, scram, (int64_t)srv->now,
			register_done, w, &why) != NULL)
			return; /* register_done answers */
		w->store_wait = false;
	}
	pwcheck_answer_begin(c);
	if (w->kind == PW_NS_REGISTER)
		nickserv_register_refused(c, w->oper, why == STORE_REFUSED_EXISTS);
	else if (why == STORE_REFUSED_EXISTS)
		acct_fail(c, "REGISTER", "ACCOUNT_EXISTS", w->oper, "Account already exists");
	else
		acct_fail(c, "REGISTER", "TEMPORARILY_UNAVAILABLE", w->oper, "Try again later");
	pwcheck_answer_end(c, CMD_OK);
}

/* REGISTER <account> {<email> | "*"} <password> (draft/account-registration).
 * The account is named like a nick ("*": the current nick), as Ergo does;
 * no e-mail is sent, so the address is ignored and no verification is
 * needed (the spec's VERIFICATION_REQUIRED never happens). */
enum cmd_result
cmd_register(struct client *c, struct irc_msg *m)
{
	struct server *srv = c->srv;
	const char *name, *pass;
	time_t wait;

	if (m->nparams < 3) {
		numeric(c, ERR_NEEDMOREPARAMS, "REGISTER");
		return CMD_OK;
	}
	name = m->params[0];
	pass = m->params[2];
	if (srv->store == NULL) {
		acct_fail(c, "REGISTER", "TEMPORARILY_UNAVAILABLE", name,
		    "Accounts are not enabled");
		return CMD_OK;
	}
	if (strcmp(name, "*") == 0) {
		if (!(c->flags & CF_GOT_NICK)) {
			acct_fail(c, "REGISTER", "NEED_NICK", "*", "Send NICK first");
			return CMD_OK;
		}
		name = c->nick;
	}
	if (c->account != NULL) {
		acct_fail(c, "REGISTER", "ALREADY_AUTHENTICATED", c->account,
		    "You are already logged in");
		return CMD_OK;
	}
	if (!nick_valid(name, srv->cfg->nicklen) || strlen(name) > STORE_NAME_MAX) {
		acct_fail(c, "REGISTER", "BAD_ACCOUNT_NAME", name, "Invalid account name");
		return CMD_OK;
	}
	if (store_account_by_nick(srv->store, name) != NULL) { /* grouped nicks too */
		acct_fail(c, "REGISTER", "ACCOUNT_EXISTS", name, "Account already exists");
		return CMD_OK;
	}
	if (strlen(pass) < 5 || strlen(pass) > ACCOUNT_PASSWORD_MAX || strcmp(pass, "*") == 0) {
		acct_fail(c, "REGISTER", "UNACCEPTABLE_PASSWORD", name,
		    "Passwords are 5 to " ACCOUNT_PASSWORD_MAX_S " bytes");
		return CMD_OK;
	}
	/* registrations per address (core/throttle.h); the spec's code for
	 * "not now" is TEMPORARILY_UNAVAILABLE (Ergo answers the same) */
	if ((wait = throttle_register_wait(srv, c)) > 0) {
		sasl_penalty(c);
		reply_server(c,
		    "FAIL REGISTER TEMPORARILY_UNAVAILABLE %s :Too many accounts registered from "
		    "your address; try again in %lld s",
		    name, (long long)wait);
		return CMD_OK;
	}
	if (pwcheck_hash_start(c, PW_ACCOUNT_NEW, pass, name) != PWCHECK_PENDING)
		acct_fail(c, "REGISTER", "TEMPORARILY_UNAVAILABLE", name, "Try again later");
	return CMD_OK;
}

/* VERIFY <account> <code>: codes are never sent (no e-mail delivery is
 * configured), so every account is verified when created. */
enum cmd_result
cmd_verify(struct client *c, struct irc_msg *m)
{
	if (m->nparams < 2) {
		numeric(c, ERR_NEEDMOREPARAMS, "VERIFY");
		return CMD_OK;
	}
	if (c->srv->store != NULL && store_account_find(c->srv->store, m->params[0]) != NULL)
		acct_fail(c, "VERIFY", "ACCOUNT_ALREADY_VERIFIED", m->params[0],
		    "Account already verified");
	else
		acct_fail(c, "VERIFY", "INVALID_CODE", m->params[0], "Invalid verification code");
	return CMD_OK;
}
