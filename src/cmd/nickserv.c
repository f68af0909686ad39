/* nickserv.c - the built-in NickServ (see cmd/nickserv.h). Replies and
 * command names follow Atheme's NickServ (and Ergo's, which copies it), so
 * that "/msg NickServ HELP" and client scripts that IDENTIFY work. Reads
 * come from the store's cache; hashes are made and checked on the password
 * pool; a change is answered once its database write is committed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/server.h"
#include "store/store.h"
#include "net/close.h"
#include "net/output.h"
#include "proto/message.h"
#include "cmd/account.h"
#include "cmd/command.h"
#include "cmd/nickserv.h"
#include "cmd/pwcheck.h"

#define NS_NAME	  "NickServ"
#define NS_SOURCE "NickServ!NickServ@services."

/* ns: one NOTICE from NickServ to c. */
static void __attribute__((format(printf, 2, 3))) ns(struct client *c, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	reply_raw(c, ":" NS_SOURCE " NOTICE %s :%s", c->nick, text);
}

bool
nickserv_is(struct server *srv, const char *name)
{
	return srv->store != NULL && casemap_cmp(srv->cfg->casemapping, name, NS_NAME) == 0;
}

static void
ns_help(struct client *c)
{
	static const char *const lines[] = {
		"***** NickServ Help *****",
		"NickServ keeps accounts. Commands:",
		"REGISTER <password> [email]   register an account named like your nick",
		"IDENTIFY [account] <password> log in to an account",
		"LOGOUT                        log out",
		"INFO [account]                show information about an account",
		"SET PASSWORD <new password>   change your account's password",
		"CERT ADD [fingerprint]        let a TLS client certificate log you in",
		"CERT DEL <fingerprint>        remove a certificate fingerprint",
		"CERT LIST                     list your certificate fingerprints",
		"DROP <account>                delete the account you are logged in to",
		"GHOST <nick>                  disconnect a client using your nick or account",
		"REGAIN <nick>                 the same, then take the nick",
		"SASL PLAIN and EXTERNAL work too; so does REGISTER (draft/account-registration).",
		"***** End of Help *****",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ns(c, "%s", lines[i]);
}

void
nickserv_registered(struct client *c, const char *account, bool ok)
{
	if (!ok) {
		ns(c, "%s could not be registered: try again later.", account);
		return;
	}
	ns(c, "%s is now registered.", account);
	account_login(c, account);
	ns(c, "You are now logged in as %s.", account);
}

void
nickserv_register_refused(struct client *c, const char *account, bool exists)
{
	if (exists)
		ns(c, "%s is already registered.", account);
	else
		ns(c, "%s could not be registered: try again later.", account);
}

static void
ns_register(struct client *c, char *args)
{
	char *pass = strsep(&args, " ");

	if (pass == NULL || *pass == '\0') {
		ns(c, "Insufficient parameters for REGISTER.");
		ns(c, "Syntax: REGISTER <password> [email]");
		return;
	}
	if (c->account != NULL) {
		ns(c, "You are already logged in as %s.", c->account);
		return;
	}
	if (strlen(c->nick) > STORE_NAME_MAX) {
		ns(c, "%s cannot be registered.", c->nick);
		return;
	}
	if (store_account_find(c->srv->store, c->nick) != NULL) {
		ns(c, "%s is already registered.", c->nick);
		return;
	}
	if (strlen(pass) < 5 || strlen(pass) > ACCOUNT_PASSWORD_MAX) {
		ns(c, "Passwords are 5 to " ACCOUNT_PASSWORD_MAX_S " bytes.");
		return;
	}
	if (pwcheck_hash_start(c, PW_NS_REGISTER, pass, c->nick) != PWCHECK_PENDING)
		ns(c, "%s could not be registered: try again later.", c->nick);
}

enum cmd_result
nickserv_identified(struct client *c, const char *account, bool ok)
{
	const struct store_account *a = store_account_find(c->srv->store, account);

	if (!ok || a == NULL) {
		if (c->fakelag < c->srv->now)
			c->fakelag = c->srv->now;
		c->fakelag += SASL_FAIL_PENALTY;
		ns(c, "Invalid password for %s.", account);
		return CMD_OK;
	}
	account_login(c, a->name);
	ns(c, "You are now identified for %s.", a->name);
	return CMD_OK;
}

static void
ns_identify(struct client *c, char *args)
{
	char *first = strsep(&args, " "), *second = strsep(&args, " ");
	const char *name = c->nick, *pass = first;
	const struct store_account *a;

	if (second != NULL && *second != '\0') {
		name = first;
		pass = second;
	}
	if (pass == NULL || *pass == '\0') {
		ns(c, "Insufficient parameters for IDENTIFY.");
		ns(c, "Syntax: IDENTIFY [account] <password>");
		return;
	}
	if (c->account != NULL) {
		ns(c, "You are already logged in as %s.", c->account);
		return;
	}
	if ((a = store_account_find(c->srv->store, name)) == NULL) {
		ns(c, "%s is not a registered nickname.", name);
		return;
	}
	switch (pwcheck_start(c, PW_NS_IDENTIFY, a->hash, pass, a->name)) {
	case PWCHECK_OK:
		nickserv_identified(c, a->name, true);
		break;
	case PWCHECK_BAD:
		nickserv_identified(c, a->name, false);
		break;
	case PWCHECK_PENDING:
		break; /* nickserv_identified answers */
	case PWCHECK_BUSY:
		ns(c, "Try again later.");
		break;
	}
}

static void
ns_info(struct client *c, char *args)
{
	char *name = strsep(&args, " ");
	const struct store_account *a;
	char when[64];
	time_t t;

	if (name == NULL || *name == '\0')
		name = c->account != NULL ? c->account : c->nick;
	if ((a = store_account_find(c->srv->store, name)) == NULL) {
		ns(c, "%s is not registered.", name);
		return;
	}
	t = (time_t)a->created;
	strftime(when, sizeof(when), "%b %d %H:%M:%S %Y", gmtime(&t));
	ns(c, "Information on %s (account %s):", a->name, a->name);
	ns(c, "Registered : %s (UTC)", when);
	if (c->account != NULL && casemap_cmp(c->srv->cfg->casemapping, c->account, a->name) == 0)
		ns(c, "Certificates: %u", a->ncerts);
	ns(c, "*** End of Info ***");
}

/* setpass_done: the write behind SET PASSWORD, CERT ADD/DEL or DROP. */
static void
setpass_done(void *arg, enum store_result r)
{
	struct client *c = pwcheck_store_done(arg);

	if (c == NULL)
		return;
	if (r == STORE_OK)
		ns(c, "The password for %s has been changed.", c->account ? c->account : "*");
	else
		ns(c, "The password could not be saved: try again later.");
	pwcheck_answer_end(c, CMD_OK);
}

void
nickserv_setpass_hashed(struct client *c, struct client_pwwait *w, const char *hash,
    const char *scram)
{
	if (hash != NULL && c->account != NULL) {
		w->store_wait = true;
		if (store_account_set_hash(c->srv->store, w->oper, hash, scram, setpass_done, w,
			NULL) != NULL)
			return;
		w->store_wait = false;
	}
	pwcheck_answer_begin(c);
	ns(c, "The password could not be saved: try again later.");
	pwcheck_answer_end(c, CMD_OK);
}

static void
ns_set(struct client *c, char *args)
{
	char *what = strsep(&args, " "), *pass = strsep(&args, " ");

	if (what == NULL || strcasecmp(what, "PASSWORD") != 0) {
		ns(c, "Syntax: SET PASSWORD <new password>");
		return;
	}
	if (c->account == NULL) {
		ns(c, "You are not logged in.");
		return;
	}
	if (pass == NULL || strlen(pass) < 5 || strlen(pass) > ACCOUNT_PASSWORD_MAX) {
		ns(c, "Passwords are 5 to " ACCOUNT_PASSWORD_MAX_S " bytes.");
		return;
	}
	if (pwcheck_hash_start(c, PW_NS_SETPASS, pass, c->account) != PWCHECK_PENDING)
		ns(c, "Try again later.");
}

static void
certadd_done(void *arg, enum store_result r)
{
	struct client_pwwait *w = arg;
	struct client *c = pwcheck_store_done(w);

	if (c == NULL)
		return;
	if (r == STORE_OK)
		ns(c, "Added fingerprint %s to your fingerprint list.", w->oper);
	else
		ns(c, "The fingerprint could not be saved: try again later.");
	pwcheck_answer_end(c, CMD_OK);
}

static void
certdel_done(void *arg, enum store_result r)
{
	struct client_pwwait *w = arg;
	struct client *c = pwcheck_store_done(w);

	if (c == NULL)
		return;
	if (r == STORE_OK)
		ns(c, "Deleted fingerprint %s from your fingerprint list.", w->oper);
	else
		ns(c, "The fingerprint could not be removed: try again later.");
	pwcheck_answer_end(c, CMD_OK);
}

static void
ns_cert(struct client *c, char *args)
{
	struct store *st = c->srv->store;
	char *sub = strsep(&args, " "), *fp = strsep(&args, " ");
	const struct store_account *a;
	struct client_pwwait *w;
	enum store_refusal why = STORE_REFUSED_NONE;
	bool add;
	unsigned i;

	if (c->account == NULL || (a = store_account_find(st, c->account)) == NULL) {
		ns(c, "You are not logged in.");
		return;
	}
	if (sub != NULL && strcasecmp(sub, "LIST") == 0) {
		ns(c, "Fingerprint list for %s:", a->name);
		for (i = 0; i < a->ncerts; i++)
			ns(c, "- %s", a->certs[i]);
		ns(c, "End of %s fingerprint list.", a->name);
		return;
	}
	if (sub == NULL || (strcasecmp(sub, "ADD") != 0 && strcasecmp(sub, "DEL") != 0)) {
		ns(c, "Syntax: CERT ADD|DEL|LIST [fingerprint]");
		return;
	}
	add = strcasecmp(sub, "ADD") == 0;
	if (fp == NULL || *fp == '\0') {
		if (!add || c->certfp == NULL) {
			ns(c, "Give a fingerprint (or connect with a TLS client certificate).");
			return;
		}
		fp = c->certfp;
	}
	/* fingerprints are stored in lower case (store/store.h) */
	for (i = 0; fp[i] != '\0'; i++)
		if (fp[i] >= 'A' && fp[i] <= 'F')
			fp[i] = (char)(fp[i] - 'A' + 'a');
	if ((w = pwcheck_store_wait(c, PW_NS_STORE, fp)) == NULL) {
		ns(c, "Try again later.");
		return;
	}
	if ((add ? store_cert_add(st, a->name, fp, certadd_done, w, &why)
		 : store_cert_del(st, a->name, fp, certdel_done, w, &why)) != NULL)
		return;
	pwcheck_store_unwait(c);
	if (why == STORE_REFUSED_BADARG)
		ns(c, "%s is not a SHA-256 fingerprint (64 hex digits).", fp);
	else if (why == STORE_REFUSED_CERT_TAKEN)
		ns(c, "%s is already on a fingerprint list, or yours is full (%d).", fp,
		    STORE_CERTS_MAX);
	else if (why == STORE_REFUSED_MISSING)
		ns(c, "%s is not on your fingerprint list.", fp);
	else
		ns(c, "Try again later.");
}

static void
drop_done(void *arg, enum store_result r)
{
	struct client_pwwait *w = arg;
	struct client *c = pwcheck_store_done(w);

	if (c == NULL)
		return;
	if (r == STORE_OK)
		ns(c, "The account %s has been dropped.", w->oper);
	else
		ns(c, "The account %s could not be dropped: try again later.", w->oper);
	pwcheck_answer_end(c, CMD_OK);
}

/* DROP <account>: the name is the confirmation (Ergo asks for it too); only
 * the account one is logged in to. Other clients logged in to it stay so
 * until they disconnect (docs/ACCOUNTS.md). */
static void
ns_drop(struct client *c, char *args)
{
	char *name = strsep(&args, " ");
	char acct[STORE_NAME_MAX + 1];
	struct client_pwwait *w;

	if (c->account == NULL) {
		ns(c, "You are not logged in.");
		return;
	}
	if (name == NULL || casemap_cmp(c->srv->cfg->casemapping, name, c->account) != 0) {
		ns(c, "Syntax: DROP <account> (the account you are logged in to: %s)", c->account);
		return;
	}
	snprintf(acct, sizeof(acct), "%s", c->account);
	if ((w = pwcheck_store_wait(c, PW_NS_STORE, acct)) == NULL) {
		ns(c, "Try again later.");
		return;
	}
	if (store_account_drop(c->srv->store, acct, drop_done, w, NULL) == NULL) {
		pwcheck_store_unwait(c);
		ns(c, "Try again later.");
		return;
	}
	account_login(c, NULL);
}

/* GHOST <nick> / REGAIN <nick>: disconnect a client using a nick that is
 * yours (the nick is your account's name, or its user is logged in to your
 * account: Atheme's and Ergo's rule without the password form); REGAIN
 * then gives you the nick. No nick hold follows, unlike KILL. Local users
 * only: accounts are not propagated over links yet. Returns CMD_CLOSE
 * never (the caller is not the one closed). */
static void
ns_ghost(struct client *c, char *args, bool regain)
{
	struct server *srv = c->srv;
	char *nick = strsep(&args, " "), reason[128], target[NICKLEN_MAX + 1];
	struct client *t;
	enum casemapping cm = srv->cfg->casemapping;

	if (nick == NULL || *nick == '\0') {
		ns(c, "Syntax: %s <nick>", regain ? "REGAIN" : "GHOST");
		return;
	}
	if (c->account == NULL) {
		ns(c, "You are not logged in.");
		return;
	}
	if ((t = server_find_nick(srv, nick)) == NULL) {
		ns(c, "%s is not online.", nick);
		return;
	}
	if (t == c) {
		ns(c, "You may not ghost yourself.");
		return;
	}
	if ((t->flags & CF_REMOTE) ||
	    !(casemap_cmp(cm, t->nick, c->account) == 0 ||
		(t->account != NULL && casemap_cmp(cm, t->account, c->account) == 0))) {
		ns(c, "You are not authorized to ghost %s.", t->nick);
		return;
	}
	snprintf(target, sizeof(target), "%s", t->nick);
	snprintf(reason, sizeof(reason), "%s command used by %s", regain ? "REGAIN" : "GHOST",
	    c->nick);
	client_close(t, reason, reason);
	ns(c, "%s has been ghosted.", target);
	if (regain) {
		struct irc_msg m;
		memset(&m, 0, sizeof(m));
		m.verb = (char *)"NICK";
		m.params[0] = target;
		m.nparams = 1;
		(void)cmd_nick(c, &m);
	}
}

void
nickserv_message(struct client *c, const char *text)
{
	char buf[512], *args = buf, *cmd;

	snprintf(buf, sizeof(buf), "%s", text);
	while (*args == ' ')
		args++;
	cmd = strsep(&args, " ");
	if (args == NULL)
		args = buf + strlen(buf); /* "" */
	if (strcasecmp(cmd, "HELP") == 0)
		ns_help(c);
	else if (strcasecmp(cmd, "REGISTER") == 0)
		ns_register(c, args);
	else if (strcasecmp(cmd, "IDENTIFY") == 0 || strcasecmp(cmd, "LOGIN") == 0)
		ns_identify(c, args);
	else if (strcasecmp(cmd, "LOGOUT") == 0) {
		if (c->account == NULL)
			ns(c, "You are not logged in.");
		else {
			account_login(c, NULL);
			ns(c, "You have been logged out.");
		}
	} else if (strcasecmp(cmd, "INFO") == 0)
		ns_info(c, args);
	else if (strcasecmp(cmd, "SET") == 0)
		ns_set(c, args);
	else if (strcasecmp(cmd, "CERT") == 0)
		ns_cert(c, args);
	else if (strcasecmp(cmd, "DROP") == 0)
		ns_drop(c, args);
	else if (strcasecmp(cmd, "GHOST") == 0)
		ns_ghost(c, args, false);
	else if (strcasecmp(cmd, "REGAIN") == 0 || strcasecmp(cmd, "RECOVER") == 0)
		ns_ghost(c, args, true);
	else
		ns(c, "Invalid command. Use /msg NickServ HELP for a command listing.");
	explicit_bzero(buf, sizeof(buf));
}
