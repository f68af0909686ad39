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

#include <event2/event.h>
#include <event2/util.h>

#include "core/casemap.h"
#include "core/client.h"
#include "core/event.h"
#include "core/log.h"
#include "core/server.h"
#include "core/throttle.h"
#include "store/store.h"
#include "net/close.h"
#include "net/output.h"
#include "proto/message.h"
#include "cmd/account.h"
#include "cmd/command.h"
#include "cmd/nickserv.h"
#include "cmd/pseudo.h"
#include "cmd/pwcheck.h"

#define NS_NAME	  "NickServ"
#define NS_SOURCE "NickServ!NickServ@services."

/* ns: one NOTICE from NickServ to c. */
static void __attribute__((format(printf, 2, 3))) ns(struct client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pseudo_vnotice(c, NS_SOURCE, fmt, ap);
	va_end(ap);
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
		"IDENTIFY [account] <password> log in to an account (or a nick grouped to it)",
		"LOGOUT                        log out",
		"INFO [account|nick]           show information about an account",
		"GROUP                         add your current nick to your account",
		"UNGROUP [nick]                remove a grouped nick from your account",
		"SET PASSWORD <new password>   change your account's password",
		"SET ENFORCE ON|OFF            rename others who use your nicks",
		"CERT ADD [fingerprint]        let a TLS client certificate log you in",
		"CERT DEL <fingerprint>        remove a certificate fingerprint",
		"CERT LIST                     list your certificate fingerprints",
		"DROP <account>                delete the account you are logged in to",
		"GHOST <nick>                  disconnect a client using your nick or account",
		"REGAIN <nick>                 the same, then take the nick",
		"For IRC operators:",
		"SAREGISTER <account> <password>  register an account for someone",
		"SADROP <account>              delete any account",
		"SUSPEND <account> [reason]    stop an account from logging in",
		"UNSUSPEND <account>           lift a suspension",
		"LIST <pattern>                list accounts matching a glob",
		"SASL PLAIN and EXTERNAL work too; so does REGISTER (draft/account-registration).",
		"***** End of Help *****",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ns(c, "%s", lines[i]);
}

/* is_mine: does account name the account c is logged in to? */
static bool
is_mine(struct client *c, const char *account)
{
	return c->account != NULL &&
	    casemap_cmp(c->srv->cfg->casemapping, c->account, account) == 0;
}

/* oper_only: c is an IRC operator, or is told it is not. */
static bool
oper_only(struct client *c)
{
	if (client_is_oper(c))
		return true;
	ns(c, "You are not authorized to perform this operation.");
	return false;
}

/* Set while every session of an account is logged out because it goes
 * (DROP): the enforcement subscriber then leaves those clients alone. */
static bool ns_dropping;

/* logout_all: log out every client logged in to account (its session list,
 * O(sessions)), telling each but except why with a NickServ NOTICE. */
static void
logout_all(struct server *srv, const char *account, struct client *except, const char *why)
{
	struct store_sessions *ss = store_account_sessions(srv->store, account);
	struct client *t;

	if (ss == NULL)
		return;
	while ((t = LIST_FIRST(ss)) != NULL) {
		account_login(t, NULL); /* unlinks t */
		if (t != except)
			ns(t, "You have been logged out: the account %s %s.", account, why);
	}
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

/* ns_penalty: a failed or refused login or registration costs the
 * connection SASL_FAIL_PENALTY s of fakelag, as SASL. */
static void
ns_penalty(struct client *c)
{
	if (c->fakelag < c->srv->now)
		c->fakelag = c->srv->now;
	c->fakelag += SASL_FAIL_PENALTY;
}

static void
ns_register(struct client *c, char *args)
{
	char *pass = strsep(&args, " ");
	time_t wait;

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
	if (store_account_by_nick(c->srv->store, c->nick) != NULL) {
		ns(c, "%s is already registered.", c->nick);
		return;
	}
	if (strlen(pass) < 5 || strlen(pass) > ACCOUNT_PASSWORD_MAX) {
		ns(c, "Passwords are 5 to " ACCOUNT_PASSWORD_MAX_S " bytes.");
		return;
	}
	/* registrations per address (core/throttle.h), as REGISTER */
	if ((wait = throttle_register_wait(c->srv, c)) > 0) {
		ns_penalty(c);
		ns(c, "Too many accounts registered from your address; try again in %lld s.",
		    (long long)wait);
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
		ns_penalty(c);
		throttle_login_failed(c->srv, c);
		ns(c, "Invalid password for %s.", account);
		return CMD_OK;
	}
	if (a->suspended != 0) {
		ns(c, "%s is suspended: you cannot log in to it.", a->name);
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
	time_t wait;

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
	/* a nick grouped to an account logs in to it (Atheme, Ergo) */
	if ((a = store_account_by_nick(c->srv->store, name)) == NULL) {
		ns(c, "%s is not a registered nickname.", name);
		return;
	}
	if (a->suspended != 0) {
		ns(c, "%s is suspended: you cannot log in to it.", a->name);
		return;
	}
	/* failed logins per address (core/throttle.h), as SASL: refused
	 * without checking the password */
	if ((wait = throttle_login_wait(c->srv, c)) > 0) {
		ns_penalty(c);
		ns(c, "Too many failed logins from your address; try again in %lld s.",
		    (long long)wait);
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

/* INFO [account|nick]: Atheme's layout. Grouped nicks are listed to
 * everyone (Atheme shows them too); the certificate count and the
 * enforcement setting to the account's own sessions and to operators; a
 * suspension to everyone, its reason to those same. */
static void
ns_info(struct client *c, char *args)
{
	char *name = strsep(&args, " ");
	const struct store_account *a;
	char when[64], nicks[STORE_NICKS_MAX * (STORE_NAME_MAX + 1) + 1];
	bool priv;
	unsigned i;
	size_t n = 0;
	time_t t;

	if (name == NULL || *name == '\0')
		name = c->account != NULL ? c->account : c->nick;
	if ((a = store_account_by_nick(c->srv->store, name)) == NULL) {
		ns(c, "%s is not registered.", name);
		return;
	}
	priv = is_mine(c, a->name) || client_is_oper(c);
	t = (time_t)a->created;
	strftime(when, sizeof(when), "%b %d %H:%M:%S %Y", gmtime(&t));
	ns(c, "Information on %s (account %s):", name, a->name);
	ns(c, "Registered : %s (UTC)", when);
	if (a->nnicks > 0) {
		nicks[0] = '\0';
		for (i = 0; i < a->nnicks; i++)
			n += (size_t)snprintf(nicks + n, sizeof(nicks) - n, "%s%s", i ? " " : "",
			    a->nicks[i]);
		ns(c, "Nicks      : %s", nicks);
	}
	if (priv) {
		ns(c, "Certificates: %u", a->ncerts);
		ns(c, "Enforce    : %s%s",
		    (a->enforce == STORE_ENFORCE_DEFAULT ? c->srv->cfg->enforce_default
							 : a->enforce == STORE_ENFORCE_ON)
			? "ON"
			: "OFF",
		    a->enforce == STORE_ENFORCE_DEFAULT ? " (default)" : "");
	}
	if (a->suspended != 0) {
		t = (time_t)a->suspended;
		strftime(when, sizeof(when), "%b %d %H:%M:%S %Y", gmtime(&t));
		if (priv)
			ns(c, "Suspended  : since %s (UTC) by %s: %s", when, a->suspended_by,
			    a->suspend_reason[0] ? a->suspend_reason : "no reason given");
		else
			ns(c, "Suspended  : since %s (UTC)", when);
	}
	ns(c, "*** End of Info ***");
}

/* store_answer: the generic end of a NickServ write: the waiting client
 * (or NULL: it went) is told ok_text or fail_text, formatted with w->oper. */
static void
store_answer(struct client_pwwait *w, enum store_result r, const char *ok_fmt, const char *fail_fmt)
{
	struct client *c = pwcheck_store_done(w);

	const char *t, *at;

	if (c == NULL)
		return;
	/* the templates hold one "%s" for the subject (no format string from
	 * a variable: -Wformat-nonliteral) */
	t = r == STORE_OK ? ok_fmt : fail_fmt;
	at = strstr(t, "%s");
	ns(c, "%.*s%s%s", (int)(at - t), t, w->oper, at + 2);
	pwcheck_answer_end(c, CMD_OK);
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

static void
saregister_done(void *arg, enum store_result r)
{
	store_answer(arg, r, "%s has been registered.",
	    "%s could not be registered: try again later.");
}

/* nickserv_setpass_hashed: the hash for SET PASSWORD or SAREGISTER is
 * made (NULL: failed); queue the write, answered after its commit. */
void
nickserv_setpass_hashed(struct client *c, struct client_pwwait *w, const char *hash,
    const char *scram)
{
	enum store_refusal why = STORE_REFUSED_NONE;

	if (hash != NULL && w->kind == PW_NS_SAREGISTER) {
		w->store_wait = true;
		if (store_account_create(c->srv->store, w->oper, hash, scram, (int64_t)c->srv->now,
			saregister_done, w, &why) != NULL)
			return;
		w->store_wait = false;
		pwcheck_answer_begin(c);
		if (why == STORE_REFUSED_EXISTS)
			ns(c, "%s is already registered.", w->oper);
		else
			ns(c, "%s could not be registered: try again later.", w->oper);
		pwcheck_answer_end(c, CMD_OK);
		return;
	}
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
enforce_done(void *arg, enum store_result r)
{
	store_answer(arg, r, "The ENFORCE setting of %s has been saved.",
	    "The ENFORCE setting of %s could not be saved: try again later.");
}

/* SET ENFORCE ON|OFF: Atheme's flag (Ergo: SET ENFORCE <method>): whether
 * others using this account's nicks are renamed after the grace period. */
static void
ns_set_enforce(struct client *c, const char *value)
{
	struct client_pwwait *w;
	int v;

	if (value != NULL && strcasecmp(value, "ON") == 0)
		v = STORE_ENFORCE_ON;
	else if (value != NULL && strcasecmp(value, "OFF") == 0)
		v = STORE_ENFORCE_OFF;
	else {
		ns(c, "Syntax: SET ENFORCE ON|OFF");
		return;
	}
	if ((w = pwcheck_store_wait(c, PW_NS_STORE, c->account)) == NULL) {
		ns(c, "Try again later.");
		return;
	}
	if (store_account_set_enforce(c->srv->store, c->account, v, enforce_done, w, NULL) ==
	    NULL) {
		pwcheck_store_unwait(c);
		ns(c, "Try again later.");
		return;
	}
	ns(c, "ENFORCE is now %s for %s.", v == STORE_ENFORCE_ON ? "ON" : "OFF", c->account);
}

static void
ns_set(struct client *c, char *args)
{
	char *what = strsep(&args, " "), *value = strsep(&args, " ");

	if (what == NULL ||
	    (strcasecmp(what, "PASSWORD") != 0 && strcasecmp(what, "ENFORCE") != 0)) {
		ns(c, "Syntax: SET PASSWORD <new password> | SET ENFORCE ON|OFF");
		return;
	}
	if (c->account == NULL) {
		ns(c, "You are not logged in.");
		return;
	}
	if (strcasecmp(what, "ENFORCE") == 0) {
		ns_set_enforce(c, value);
		return;
	}
	if (value == NULL || strlen(value) < 5 || strlen(value) > ACCOUNT_PASSWORD_MAX) {
		ns(c, "Passwords are 5 to " ACCOUNT_PASSWORD_MAX_S " bytes.");
		return;
	}
	if (pwcheck_hash_start(c, PW_NS_SETPASS, value, c->account) != PWCHECK_PENDING)
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
	store_answer(arg, r, "The account %s has been dropped.",
	    "The account %s could not be dropped: try again later.");
}

/* drop: log out every session of account (with account-notify ACCOUNT *),
 * then drop it with its grouped nicks and certificates; c waits for the
 * commit. The queue is checked first: once the sessions are logged out the
 * drop is not refused (but for out-of-memory). */
static void
drop(struct client *c, const char *account)
{
	char acct[STORE_NAME_MAX + 1];
	struct client_pwwait *w;

	snprintf(acct, sizeof(acct), "%s", account);
	if (store_pending(c->srv->store) >= STORE_QUEUE_MAX ||
	    (w = pwcheck_store_wait(c, PW_NS_STORE, acct)) == NULL) {
		ns(c, "Try again later.");
		return;
	}
	ns_dropping = true;
	logout_all(c->srv, acct, c, "has been dropped");
	ns_dropping = false;
	if (store_account_drop(c->srv->store, acct, drop_done, w, NULL) == NULL) {
		pwcheck_store_unwait(c);
		ns(c, "The account %s could not be dropped: try again later.", acct);
	}
}

/* DROP <account>: the name is the confirmation (Ergo asks for it too); only
 * the account one is logged in to. Every session of it is logged out. */
static void
ns_drop(struct client *c, char *args)
{
	char *name = strsep(&args, " ");

	if (c->account == NULL) {
		ns(c, "You are not logged in.");
		return;
	}
	if (name == NULL || !is_mine(c, name)) {
		ns(c, "Syntax: DROP <account> (the account you are logged in to: %s)", c->account);
		return;
	}
	drop(c, c->account);
}

/* SADROP <account> (Ergo): DROP of any account, for operators. */
static void
ns_sadrop(struct client *c, char *args)
{
	char *name = strsep(&args, " ");
	const struct store_account *a;

	if (!oper_only(c))
		return;
	if (name == NULL || *name == '\0') {
		ns(c, "Syntax: SADROP <account>");
		return;
	}
	if ((a = store_account_find(c->srv->store, name)) == NULL) {
		ns(c, "%s is not registered.", name);
		return;
	}
	log_info("NickServ SADROP %s by %s", a->name, c->nick);
	drop(c, a->name);
}

/* SAREGISTER <account> <password> (Ergo): register an account for someone
 * else, for operators; nobody is logged in to it. */
static void
ns_saregister(struct client *c, char *args)
{
	char *name = strsep(&args, " "), *pass = strsep(&args, " ");

	if (!oper_only(c))
		return;
	if (name == NULL || pass == NULL || *pass == '\0') {
		ns(c, "Syntax: SAREGISTER <account> <password>");
		return;
	}
	if (!nick_valid(name, c->srv->cfg->nicklen) || strlen(name) > STORE_NAME_MAX ||
	    nickserv_is(c->srv, name)) {
		ns(c, "%s cannot be registered: not a valid nick.", name);
		return;
	}
	if (store_account_by_nick(c->srv->store, name) != NULL) {
		ns(c, "%s is already registered.", name);
		return;
	}
	if (strlen(pass) < 5 || strlen(pass) > ACCOUNT_PASSWORD_MAX) {
		ns(c, "Passwords are 5 to " ACCOUNT_PASSWORD_MAX_S " bytes.");
		return;
	}
	log_info("NickServ SAREGISTER %s by %s", name, c->nick);
	if (pwcheck_hash_start(c, PW_NS_SAREGISTER, pass, name) != PWCHECK_PENDING)
		ns(c, "%s could not be registered: try again later.", name);
}

static void
suspend_done(void *arg, enum store_result r)
{
	store_answer(arg, r, "The suspension of %s has been saved.",
	    "The suspension of %s could not be saved: try again later.");
}

/* SUSPEND <account> [reason] / UNSUSPEND <account> (Anope's names; Atheme
 * calls it FREEZE): a suspended account cannot log in (904, or a NickServ
 * message) and every session of it is logged out at once; its nicks are
 * not enforced meanwhile. */
static void
ns_suspend(struct client *c, char *args, bool on)
{
	char *name = strsep(&args, " ");
	const struct store_account *a;
	struct client_pwwait *w;
	char acct[STORE_NAME_MAX + 1];

	if (!oper_only(c))
		return;
	if (name == NULL || *name == '\0') {
		ns(c, on ? "Syntax: SUSPEND <account> [reason]" : "Syntax: UNSUSPEND <account>");
		return;
	}
	if ((a = store_account_find(c->srv->store, name)) == NULL) {
		ns(c, "%s is not registered.", name);
		return;
	}
	if ((a->suspended != 0) == on) {
		ns(c, on ? "%s is already suspended." : "%s is not suspended.", a->name);
		return;
	}
	snprintf(acct, sizeof(acct), "%s", a->name);
	if ((w = pwcheck_store_wait(c, PW_NS_STORE, acct)) == NULL) {
		ns(c, "Try again later.");
		return;
	}
	if (store_account_suspend(c->srv->store, acct, on ? (int64_t)c->srv->now : 0, c->nick,
		args != NULL ? args : "", suspend_done, w, NULL) == NULL) {
		pwcheck_store_unwait(c);
		ns(c, "Try again later.");
		return;
	}
	log_info("NickServ %s %s by %s", on ? "SUSPEND" : "UNSUSPEND", acct, c->nick);
	if (on) {
		logout_all(c->srv, acct, NULL, "has been suspended");
		ns(c, "%s is now suspended.", acct);
	} else
		ns(c, "%s is no longer suspended.", acct);
}

/* LIST <pattern>: accounts whose name matches a glob, for operators
 * (Atheme, Anope). A scan of the accounts: an operator command, never per
 * message; at most LIST_MAX lines. */
#define LIST_MAX 100
struct list_ctx {
	struct client *c;
	const char *pattern;
	unsigned shown, matched;
};

static bool
list_one(void *arg, const struct store_account *a)
{
	struct list_ctx *x = arg;
	char when[32];
	time_t t = (time_t)a->created;

	if (!casemap_match(x->c->srv->cfg->casemapping, x->pattern, a->name))
		return true;
	x->matched++;
	if (x->shown < LIST_MAX) {
		x->shown++;
		strftime(when, sizeof(when), "%Y-%m-%d", gmtime(&t));
		ns(x->c, "- %s (registered %s)%s", a->name, when,
		    a->suspended ? " [suspended]" : "");
	}
	return true;
}

static void
ns_list(struct client *c, char *args)
{
	char *pattern = strsep(&args, " ");
	struct list_ctx x = { c, NULL, 0, 0 };

	if (!oper_only(c))
		return;
	if (pattern == NULL || *pattern == '\0') {
		ns(c, "Syntax: LIST <pattern>");
		return;
	}
	x.pattern = pattern;
	ns(c, "Accounts matching %s:", pattern);
	store_account_foreach(c->srv->store, list_one, &x);
	if (x.matched > x.shown)
		ns(c, "(%u more not shown)", x.matched - x.shown);
	ns(c, "End of list: %u match%s.", x.matched, x.matched == 1 ? "" : "es");
}

static void
group_done(void *arg, enum store_result r)
{
	store_answer(arg, r, "Nick %s is now registered to your account.",
	    "Nick %s could not be grouped: try again later.");
}

static void
ungroup_done(void *arg, enum store_result r)
{
	store_answer(arg, r, "Nick %s has been removed from your account.",
	    "Nick %s could not be removed: try again later.");
}

/* GROUP: add the current nick to the account one is logged in to (Atheme
 * and Ergo: the nick then logs in, is protected and shown by INFO).
 * UNGROUP [nick]: remove a grouped nick (default: the current one); the
 * account's own name cannot be removed (Atheme). */
static void
ns_group(struct client *c, char *args, bool group)
{
	struct store *st = c->srv->store;
	char *arg = strsep(&args, " "), nick[NICKLEN_MAX + 1];
	const struct store_account *a, *owner;
	struct client_pwwait *w;
	enum store_refusal why = STORE_REFUSED_NONE;

	if (c->account == NULL || (a = store_account_find(st, c->account)) == NULL) {
		ns(c, "You are not logged in.");
		return;
	}
	snprintf(nick, sizeof(nick), "%s", group || arg == NULL || *arg == '\0' ? c->nick : arg);
	owner = store_account_by_nick(st, nick);
	if (group && owner == a) {
		ns(c, "Nick %s is already registered to your account.", nick);
		return;
	}
	if (group && owner != NULL) {
		ns(c, "Nick %s is already registered to another account.", nick);
		return;
	}
	if (!group && owner != a) {
		ns(c, "Nick %s is not registered to your account.", nick);
		return;
	}
	if (!group && casemap_cmp(c->srv->cfg->casemapping, nick, a->name) == 0) {
		ns(c, "Nick %s is your account name; you may not remove it.", nick);
		return;
	}
	if ((w = pwcheck_store_wait(c, PW_NS_STORE, nick)) == NULL) {
		ns(c, "Try again later.");
		return;
	}
	if ((group ? store_nick_add(st, a->name, nick, (int64_t)c->srv->now, group_done, w, &why)
		   : store_nick_del(st, a->name, nick, ungroup_done, w, &why)) != NULL)
		return;
	pwcheck_store_unwait(c);
	if (why == STORE_REFUSED_NICKS_FULL)
		ns(c, "You have too many nicks registered (%d).", STORE_NICKS_MAX);
	else if (why == STORE_REFUSED_BADARG)
		ns(c, "Nick %s cannot be grouped.", nick);
	else
		ns(c, "Try again later.");
}

/* ns_nick: rename c to nick as its NICK command would (broadcast, EVENT_NICK). */
static void
ns_nick(struct client *c, char *nick)
{
	struct irc_msg m;

	memset(&m, 0, sizeof(m));
	m.verb = (char *)"NICK";
	m.params[0] = nick;
	m.nparams = 1;
	(void)cmd_nick(c, &m);
}

/* GHOST <nick> / REGAIN <nick>: disconnect a client using a nick that is
 * yours (the nick is your account's name or grouped to it, or its user is
 * logged in to your account: Atheme's and Ergo's rule without the password form); REGAIN
 * then gives you the nick. No nick hold follows, unlike KILL. Local users
 * only: accounts are not propagated over links yet. Returns CMD_CLOSE
 * never (the caller is not the one closed). */
static void
ns_ghost(struct client *c, char *args, bool regain)
{
	struct server *srv = c->srv;
	char *nick = strsep(&args, " "), reason[128], target[NICKLEN_MAX + 1];
	struct client *t;
	const struct store_account *owner;
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
	owner = store_account_by_nick(srv->store, t->nick);
	if ((t->flags & CF_REMOTE) ||
	    !((owner != NULL && is_mine(c, owner->name)) ||
		(t->account != NULL && casemap_cmp(cm, t->account, c->account) == 0))) {
		ns(c, "You are not authorized to ghost %s.", t->nick);
		return;
	}
	snprintf(target, sizeof(target), "%s", t->nick);
	snprintf(reason, sizeof(reason), "%s command used by %s", regain ? "REGAIN" : "GHOST",
	    c->nick);
	client_close(t, reason, reason);
	ns(c, "%s has been ghosted.", target);
	if (regain)
		ns_nick(c, target);
}

/* Nick protection (issue 11; Ergo's "timeout" nick reservation, Atheme's
 * ENFORCE): a registered client whose nick is owned by an account (its
 * name or a grouped nick) that protects it, and that is not logged in to
 * that account, is warned by NickServ and renamed to a guest nick after
 * [accounts] enforce_grace seconds unless it logs in or changes nick
 * first. The timer is a struct client_enforce on srv->enforceq, kept in
 * due order: arming (an append: one grace for everyone), cancelling and
 * firing are O(1) per client; one libevent timer serves the queue's head. Suspended accounts' nicks are not enforced (their
 * owner cannot log in). Local users only (accounts are not propagated over
 * links). */

/* protector: the account protecting c's nick against c, or NULL. */
static const struct store_account *
protector(struct client *c)
{
	struct server *srv = c->srv;
	const struct store_account *a;

	if (srv->store == NULL || !client_is_registered(c) || (c->flags & CF_REMOTE) ||
	    c->state >= CLIENT_CLOSING)
		return NULL;
	if ((a = store_account_by_nick(srv->store, c->nick)) == NULL || a->suspended != 0 ||
	    is_mine(c, a->name))
		return NULL;
	if (a->enforce == STORE_ENFORCE_DEFAULT ? !srv->cfg->enforce_default
						: a->enforce == STORE_ENFORCE_OFF)
		return NULL;
	return a;
}

static void enforce_cb(evutil_socket_t fd, short what, void *arg);

/* enforce_schedule: point the libevent timer at the queue's head. */
static void
enforce_schedule(struct server *srv)
{
	struct client_enforce *e = TAILQ_FIRST(&srv->enforceq);
	struct timeval tv = { 0, 0 };

	if (srv->enforce_ev == NULL &&
	    (srv->enforce_ev = evtimer_new(srv->base, enforce_cb, srv)) == NULL) {
		log_warnx("cannot create the nick enforcement timer");
		return;
	}
	if (e == NULL) {
		evtimer_del(srv->enforce_ev);
		return;
	}
	if (e->due > srv->now)
		tv.tv_sec = e->due - srv->now;
	evtimer_add(srv->enforce_ev, &tv);
}

static void
enforce_cancel(struct client *c)
{
	struct server *srv = c->srv;
	bool head;

	if (c->enforce == NULL)
		return;
	head = TAILQ_FIRST(&srv->enforceq) == c->enforce;
	TAILQ_REMOVE(&srv->enforceq, c->enforce, link);
	free(c->enforce);
	c->enforce = NULL;
	if (head)
		enforce_schedule(srv);
}

/* enforce_check: start or cancel c's enforcement for its current nick. A
 * client that moves from one protected nick to another keeps its first
 * deadline (changing nicks does not extend the grace). */
static void
enforce_check(struct client *c)
{
	struct server *srv = c->srv;
	const struct store_account *a = protector(c);
	struct client_enforce *e, *t;

	if (a == NULL) {
		enforce_cancel(c);
		return;
	}
	if (c->enforce != NULL)
		return;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	e->client = c;
	e->due = srv->now + (time_t)srv->cfg->enforce_grace;
	c->enforce = e;
	/* in due order: at the tail (O(1)) unless a REHASH shortened the
	 * grace, when the walk back passes the later ones */
	t = TAILQ_LAST(&srv->enforceq, client_enforceq);
	while (t != NULL && t->due > e->due)
		t = TAILQ_PREV(t, client_enforceq, link);
	if (t == NULL)
		TAILQ_INSERT_HEAD(&srv->enforceq, e, link);
	else
		TAILQ_INSERT_AFTER(&srv->enforceq, t, e, link);
	if (TAILQ_FIRST(&srv->enforceq) == e)
		enforce_schedule(srv);
	/* Atheme's wording */
	ns(c,
	    "This nickname is registered. Please choose a different nickname, or identify "
	    "via /msg NickServ IDENTIFY <password>.");
	ns(c, "You have %u seconds to identify to your nickname before it is changed.",
	    srv->cfg->enforce_grace);
}

/* guest_nick: a free guest nick (prefix + 5 digits, Atheme's "Guest12345")
 * into buf, or false after a few tries. */
static bool
guest_nick(struct server *srv, char *buf, size_t size)
{
	const char *prefix = srv->cfg->guest_prefix;
	char key[NICKLEN_MAX + 2];
	unsigned tries, r;

	if (prefix == NULL || strlen(prefix) + 5 > srv->cfg->nicklen)
		prefix = "Guest";
	for (tries = 0; tries < 20; tries++) {
		evutil_secure_rng_get_bytes(&r, sizeof(r));
		snprintf(buf, size, "%s%05u", prefix, r % 100000);
		server_fold(srv, key, buf, sizeof(key));
		if (nick_valid(buf, srv->cfg->nicklen) && server_find_nick(srv, buf) == NULL &&
		    !server_nick_held(srv, key) && store_account_by_nick(srv->store, buf) == NULL)
			return true;
	}
	return false;
}

/* enforce_rename: c's grace is over: rename it like a NICK command would
 * (the change is broadcast and published as EVENT_NICK). */
static void
enforce_rename(struct client *c)
{
	char guest[NICKLEN_MAX + 1];

	if (!guest_nick(c->srv, guest, sizeof(guest))) {
		log_warnx("no free guest nick to rename %s to", c->nick);
		return;
	}
	ns(c, "You failed to identify in time for the nickname %s.", c->nick);
	log_info("NickServ renamed %s to %s (nick protection)", c->nick, guest);
	ns_nick(c, guest);
}

void
nickserv_enforce_run(struct server *srv)
{
	struct client_enforce *e;
	struct client *c;

	server_clock(srv);
	while ((e = TAILQ_FIRST(&srv->enforceq)) != NULL && e->due <= srv->now) {
		c = e->client;
		TAILQ_REMOVE(&srv->enforceq, e, link);
		free(e);
		c->enforce = NULL;
		if (protector(c) != NULL)
			enforce_rename(c);
	}
	enforce_schedule(srv);
}

static void
enforce_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	nickserv_enforce_run(arg);
}

static void
on_registered(struct server *srv, const struct event_registered *ev)
{
	(void)srv;
	enforce_check(ev->client);
}

static void
on_nick(struct server *srv, const struct event_nick *ev)
{
	(void)srv;
	enforce_check(ev->client);
}

static void
on_account(struct server *srv, const struct event_account *ev)
{
	(void)srv;
	if (!ns_dropping)
		enforce_check(ev->client);
}

int
nickserv_subscribe(struct server *srv)
{
	if (event_subscribe_registered(srv, on_registered) != 0 ||
	    event_subscribe_nick(srv, on_nick) != 0 ||
	    event_subscribe_account(srv, on_account) != 0)
		return -1;
	return 0;
}

void
nickserv_message(struct client *c, const char *text)
{
	char buf[512], *args, *cmd = pseudo_split(buf, sizeof(buf), text, &args);

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
	else if (strcasecmp(cmd, "GROUP") == 0)
		ns_group(c, args, true);
	else if (strcasecmp(cmd, "UNGROUP") == 0)
		ns_group(c, args, false);
	else if (strcasecmp(cmd, "SADROP") == 0)
		ns_sadrop(c, args);
	else if (strcasecmp(cmd, "SAREGISTER") == 0)
		ns_saregister(c, args);
	else if (strcasecmp(cmd, "SUSPEND") == 0)
		ns_suspend(c, args, true);
	else if (strcasecmp(cmd, "UNSUSPEND") == 0)
		ns_suspend(c, args, false);
	else if (strcasecmp(cmd, "LIST") == 0)
		ns_list(c, args);
	else if (strcasecmp(cmd, "GHOST") == 0)
		ns_ghost(c, args, false);
	else if (strcasecmp(cmd, "REGAIN") == 0 || strcasecmp(cmd, "RECOVER") == 0)
		ns_ghost(c, args, true);
	else
		ns(c, "Invalid command. Use /msg NickServ HELP for a command listing.");
	explicit_bzero(buf, sizeof(buf));
}
