/* pwcheck.h - PASS and OPER password checks without blocking the loop: a
 * plain-text password is compared at once; a hash goes to the worker pool
 * (core/password.h) while the client's input is paused, and the command
 * completes when the result is back. */
#ifndef EVIRCD_PWCHECK_H
#define EVIRCD_PWCHECK_H

#include "core/client.h"

enum pwcheck_result {
	PWCHECK_OK = 0, /* decided now: it matches */
	PWCHECK_BAD, /* decided now: it does not */
	PWCHECK_PENDING, /* a worker checks it; input of c paused until
				 * register_verified / oper_verified run */
	PWCHECK_BUSY, /* the pool's queue is full: try again later */
};

/* pwcheck_start: check given against stored for c (kind says what for;
 * oper is the [oper] name for PW_OPER, copied). given is copied. */
enum pwcheck_result pwcheck_start(struct client *c, enum client_pw_kind kind, const char *stored,
    const char *given, const char *oper);

/* pwcheck_hash_start: hash password for a new account called account
 * (copied) on the pool while c's input is paused; account_register_hashed
 * (cmd/account.c) continues. PWCHECK_PENDING or PWCHECK_BUSY. */
enum pwcheck_result pwcheck_hash_start(struct client *c, enum client_pw_kind kind,
    const char *password, const char *account);
/* pwcheck_store_wait: pause c's input while an account database write
 * runs; the returned record (c->pw, NULL on out-of-memory or when c already
 * waits) is the store callback's argument, and the callback starts with
 * pwcheck_store_done. If the write is refused, pwcheck_store_unwait. */
struct client_pwwait *pwcheck_store_wait(struct client *c, enum client_pw_kind kind,
    const char *name);
/* pwcheck_store_unwait: undo pwcheck_store_wait (nothing was queued). */
void pwcheck_store_unwait(struct client *c);
/* pwcheck_store_done: the write of w is committed: the waiting client,
 * with its answer begun (pwcheck_answer_begin), or NULL when it went (w is
 * freed then). The caller answers and ends with pwcheck_answer_end. */
struct client *pwcheck_store_done(struct client_pwwait *w);
/* pwcheck_answer_begin: c->pw's command is about to answer: restore its
 * labeled-response capture. */
void pwcheck_answer_begin(struct client *c);
/* pwcheck_answer_end: the command answered with r: close the capture, free
 * c->pw, end the wait and run the input that waited. */
void pwcheck_answer_end(struct client *c, enum cmd_result r);

#endif
