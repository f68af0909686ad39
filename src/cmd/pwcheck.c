/* pwcheck.c - password checks for PASS and OPER that never run a hash on
 * the loop thread (issue 9 item 1). See cmd/pwcheck.h. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "cmd/account.h"
#include "cmd/command.h"
#include "cmd/nickserv.h"
#include "cmd/pwcheck.h"
#include "core/client.h"
#include "core/log.h"
#include "core/password.h"
#include "core/server.h"
#include "core/throttle.h"
#include "store/store.h"
#include "net/capture.h"
#include "net/conn.h"
#include "proto/reply.h"

/* pwcheck_answer_begin: see pwcheck.h. */
void
pwcheck_answer_begin(struct client *c)
{
	struct client_pwwait *w = c->pw;

	server_clock(c->srv);
	if (w->label != NULL) {
		if (w->capture == NULL)
			capture_begin(c);
		else {
			capture_resume(c, w->capture);
			w->capture = NULL;
		}
	}
}

/* pwcheck_answer_end: see pwcheck.h. */
void
pwcheck_answer_end(struct client *c, enum cmd_result r)
{
	struct client_pwwait *w = c->pw;

	c->pw = NULL;
	c->flags &= ~CF_PW_WAIT;
	if (r != CMD_CLOSE && c->state != CLIENT_DEAD && w->label != NULL)
		capture_end(c, w->label);
	client_pwwait_free(w);
	if (r != CMD_CLOSE && c->state < CLIENT_CLOSING)
		conn_process_input(c);
}

/* pw_gone: the client was closed meanwhile (registration timeout, KILL):
 * nothing is answered. True when that is so (w is freed). */
static bool
pw_gone(struct client *c)
{
	struct client_pwwait *w = c->pw;

	if (c->state < CLIENT_CLOSING)
		return false;
	c->pw = NULL;
	c->flags &= ~CF_PW_WAIT;
	client_pwwait_free(w);
	return true;
}

/* pwcheck_done: the pool's answer, on the loop thread. The client is
 * alive: client_free cancels the job first. A client closed meanwhile
 * (registration timeout, KILL) is left alone. Otherwise the command
 * completes, its labeled-response label (if any) gets the answer, and the
 * input that waited behind it runs. */
static void
pwcheck_done(void *arg, bool ok)
{
	struct client *c = arg;
	struct client_pwwait *w = c->pw;
	enum cmd_result r;

	w->job = NULL;
	throttle_hash_release(w->share);
	w->share = NULL;
	if (pw_gone(c))
		return;
	pwcheck_answer_begin(c);
	switch (w->kind) {
	case PW_REGISTER:
		r = register_verified(c, ok);
		break;
	case PW_OPER:
		r = oper_verified(c, w->oper, ok);
		break;
	case PW_NS_IDENTIFY:
		r = nickserv_identified(c, w->oper, ok);
		break;
	default:
		r = sasl_verified(c, w->oper, ok);
		break;
	}
	pwcheck_answer_end(c, r);
}

/* pwcheck_verified: an account password checked, with SCRAM secrets
 * derived from it when it matched (the account had none: made before
 * schema 2). They are stored beside the hash they were checked against,
 * unless the password changed meanwhile (store_account_set_scram), like
 * Ergo, which makes missing SCRAM credentials at a password login. */
static void
pwcheck_verified(void *arg, bool ok, const char *stored, const char *scram)
{
	struct client *c = arg;
	struct client_pwwait *w = c->pw;

	if (ok && scram != NULL && c->srv->store != NULL &&
	    store_account_set_scram(c->srv->store, w->oper, stored, scram, NULL, NULL, NULL) !=
		NULL)
		log_info("account %s: SCRAM-SHA-256 secrets added", w->oper);
	pwcheck_done(arg, ok);
}

/* pwcheck_hashed: a new account's hash is made (or NULL: failed), with
 * its SCRAM secrets (NULL: none). The answer may wait further for the
 * database (account_register_hashed leaves c->pw waiting then). */
static void
pwcheck_hashed(void *arg, const char *hash, const char *scram)
{
	struct client *c = arg;
	struct client_pwwait *w = c->pw;

	w->job = NULL;
	throttle_hash_release(w->share);
	w->share = NULL;
	if (pw_gone(c))
		return;
	if (w->kind == PW_NS_SETPASS || w->kind == PW_NS_SAREGISTER)
		nickserv_setpass_hashed(c, w, hash, scram);
	else
		account_register_hashed(c, w, hash, scram);
}

/* pwwait_new: a waiting record of kind for c (name copied, may be NULL);
 * NULL on out-of-memory. */
static struct client_pwwait *
pwwait_new(struct client *c, enum client_pw_kind kind, const char *name)
{
	struct client_pwwait *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->kind = kind;
	w->client = c;
	if (name != NULL && (w->oper = strdup(name)) == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

/* pwcheck_store_wait: see pwcheck.h. */
struct client_pwwait *
pwcheck_store_wait(struct client *c, enum client_pw_kind kind, const char *name)
{
	struct client_pwwait *w;

	if (c->pw != NULL || (w = pwwait_new(c, kind, name)) == NULL)
		return NULL;
	w->store_wait = true;
	c->pw = w;
	c->flags |= CF_PW_WAIT;
	return w;
}

/* pwcheck_store_unwait: see pwcheck.h. */
void
pwcheck_store_unwait(struct client *c)
{
	struct client_pwwait *w = c->pw;

	w->store_wait = false;
	c->pw = NULL;
	c->flags &= ~CF_PW_WAIT;
	client_pwwait_free(w);
}

/* pwcheck_store_done: see pwcheck.h. */
struct client *
pwcheck_store_done(struct client_pwwait *w)
{
	struct client *c = w->client;

	w->store_wait = false;
	if (w->orphaned) {
		client_pwwait_free(w);
		return NULL;
	}
	if (pw_gone(c))
		return NULL;
	pwcheck_answer_begin(c);
	return c;
}

/* pw_wait: a waiting record for c with the password pool started and one
 * of its address's hash slots taken (core/throttle.h: so that one address
 * with many connections cannot fill the shared queue and starve other
 * people's logins); NULL on out-of-memory, when the pool cannot start or
 * when the address has all its slots (the caller answers "try again"). */
static struct client_pwwait *
pw_wait(struct client *c, enum client_pw_kind kind, const char *name)
{
	struct throttle_entry *share;
	struct client_pwwait *w;

	if (c->srv->pwpool == NULL && (c->srv->pwpool = password_pool_new(c->srv->base)) == NULL) {
		log_warnx("cannot start the password verification thread");
		return NULL;
	}
	if (!throttle_hash_acquire(c->srv, c, &share)) {
		log_debug("%s has %u password hash jobs queued; told to try again", c->host,
		    c->srv->cfg->hash_jobs_per_ip);
		return NULL;
	}
	if ((w = pwwait_new(c, kind, name)) == NULL)
		throttle_hash_release(share);
	else
		w->share = share;
	return w;
}

enum pwcheck_result
pwcheck_hash_start(struct client *c, enum client_pw_kind kind, const char *password,
    const char *account)
{
	struct client_pwwait *w;

	if (c->pw != NULL || (w = pw_wait(c, kind, account)) == NULL)
		return PWCHECK_BUSY;
	/* the cost is read at each hash, so a REHASH applies to the next one */
	password_pool_set_cost(c->srv->pwpool, c->srv->cfg->hash_passes, c->srv->cfg->hash_memory);
	w->job = password_hash_async(c->srv->pwpool, password, pwcheck_hashed, c);
	if (w->job == NULL) {
		client_pwwait_free(w);
		return PWCHECK_BUSY;
	}
	c->pw = w;
	c->flags |= CF_PW_WAIT;
	return PWCHECK_PENDING;
}

enum pwcheck_result
pwcheck_start(struct client *c, enum client_pw_kind kind, const char *stored, const char *given,
    const char *oper)
{
	const struct store_account *a;
	struct client_pwwait *w;

	if (!password_is_hash(stored))
		return password_check(stored, given) ? PWCHECK_OK : PWCHECK_BAD;
	if (c->pw != NULL)
		return PWCHECK_BUSY; /* cannot happen: input is paused */
	/* the worker thread starts with the first hash to check, so servers
	 * (and test or fuzz runs) without hashed passwords have none */
	if ((w = pw_wait(c, kind, oper)) == NULL)
		return PWCHECK_BUSY;
	/* an account password of an account without SCRAM secrets: the
	 * check derives them too (docs/ACCOUNTS.md "SCRAM-SHA-256") */
	if ((kind == PW_SASL || kind == PW_NS_IDENTIFY) && oper != NULL && c->srv->store != NULL &&
	    password_scram_supported() && (a = store_account_find(c->srv->store, oper)) != NULL &&
	    a->scram[0] == '\0')
		w->job =
		    password_verify_scram_async(c->srv->pwpool, stored, given, pwcheck_verified, c);
	else
		w->job = password_verify_async(c->srv->pwpool, stored, given, pwcheck_done, c);
	if (w->job == NULL) {
		log_warnx("password check queue full (%u pending); %s told to try again",
		    password_pool_pending(c->srv->pwpool), c->host);
		client_pwwait_free(w);
		return PWCHECK_BUSY;
	}
	c->pw = w;
	c->flags |= CF_PW_WAIT;
	return PWCHECK_PENDING;
}
