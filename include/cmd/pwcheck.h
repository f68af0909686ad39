/* pwcheck.h - PASS and OPER password checks without blocking the loop: a
 * plain-text password is compared at once; a hash goes to the worker pool
 * (core/password.h) while the client's input is paused, and the command
 * completes when the result is back. */
#ifndef EVIRCD_PWCHECK_H
#define EVIRCD_PWCHECK_H

#include "core/client.h"

enum pwcheck_result {
	PWCHECK_OK = 0,		/* decided now: it matches */
	PWCHECK_BAD,		/* decided now: it does not */
	PWCHECK_PENDING,	/* a worker checks it; input of c paused until
				 * register_verified / oper_verified run */
	PWCHECK_BUSY,		/* the pool's queue is full: try again later */
};

/* pwcheck_start: check given against stored for c (kind says what for;
 * oper is the [oper] name for PW_OPER, copied). given is copied. */
enum pwcheck_result pwcheck_start(struct client *c, enum client_pw_kind kind, const char *stored,
    const char *given, const char *oper);

/* pwcheck_hash_start: hash password for a new account called account
 * (copied) on the pool while c's input is paused; account_register_hashed
 * (cmd/account.c) continues. PWCHECK_PENDING or PWCHECK_BUSY. */
enum pwcheck_result pwcheck_hash_start(struct client *c, const char *password,
    const char *account);
/* pwcheck_answer_begin: c->pw's command is about to answer: restore its
 * labeled-response capture. */
void pwcheck_answer_begin(struct client *c);
/* pwcheck_answer_end: the command answered with r: close the capture, free
 * c->pw, end the wait and run the input that waited. */
void pwcheck_answer_end(struct client *c, enum cmd_result r);

#endif
