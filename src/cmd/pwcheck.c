/* pwcheck.c - password checks for PASS and OPER that never run a hash on
 * the loop thread (issue 9 item 1). See cmd/pwcheck.h. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "cmd/command.h"
#include "cmd/pwcheck.h"
#include "core/client.h"
#include "core/log.h"
#include "core/password.h"
#include "core/server.h"
#include "net/capture.h"
#include "net/conn.h"
#include "proto/reply.h"

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
	c->pw = NULL;
	c->flags &= ~CF_PW_WAIT;
	if (c->state >= CLIENT_CLOSING) {
		client_pwwait_free(w);
		return;
	}
	server_clock(c->srv);
	if (w->label != NULL) {
		if (w->capture == NULL)
			capture_begin(c);
		else {
			capture_resume(c, w->capture);
			w->capture = NULL;
		}
	}
	r = w->kind == PW_REGISTER ? register_verified(c, ok) : oper_verified(c, w->oper, ok);
	if (r != CMD_CLOSE && c->state != CLIENT_DEAD && w->label != NULL)
		capture_end(c, w->label);
	client_pwwait_free(w);
	if (r != CMD_CLOSE && c->state < CLIENT_CLOSING)
		conn_process_input(c);
}

enum pwcheck_result
pwcheck_start(struct client *c, enum client_pw_kind kind, const char *stored, const char *given,
    const char *oper)
{
	struct client_pwwait *w;

	if (!password_is_hash(stored))
		return password_check(stored, given) ? PWCHECK_OK : PWCHECK_BAD;
	if (c->pw != NULL)
		return PWCHECK_BUSY;	/* cannot happen: input is paused */
	/* the worker thread starts with the first hash to check, so servers
	 * (and test or fuzz runs) without hashed passwords have none */
	if (c->srv->pwpool == NULL && (c->srv->pwpool = password_pool_new(c->srv->base)) == NULL) {
		log_warnx("cannot start the password verification thread");
		return PWCHECK_BUSY;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return PWCHECK_BUSY;
	w->kind = kind;
	if (oper != NULL && (w->oper = strdup(oper)) == NULL) {
		free(w);
		return PWCHECK_BUSY;
	}
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
