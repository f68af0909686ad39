/* throttle.h - per-address limits on account work: failed logins (SASL,
 * NickServ IDENTIFY), account registrations, and each address's share of
 * the password hash worker (core/password.h). One address is an IPv4
 * address or an IPv6 /64 (the default per-CIDR grouping of [class]
 * cidr_v6, core/connlimit.h): a client with many connections gets one
 * budget, not one per connection.
 *
 * O(1) per event: a uthash table keyed by address, an LRU list so expired
 * entries are dropped from its old end as new ones come, and at most
 * THROTTLE_MAX entries (the least recently used idle one goes first). */
#ifndef EVIRCD_THROTTLE_H
#define EVIRCD_THROTTLE_H

#include <stdbool.h>
#include <time.h>

struct server;
struct client;
struct throttle;
struct throttle_entry;

/* Addresses tracked at once; past it the least recently used entry without
 * a hash job is forgotten (an attacker with more addresses than this can
 * make the oldest forget their counts, never grow memory). */
#define THROTTLE_MAX 16384

/* throttle_free: free the table of srv (NULL-safe). Call after every
 * client (and so every hash job share) is gone. */
void throttle_free(struct throttle *t);

/* throttle_login_wait: seconds until c's address may try a login again
 * (it failed [accounts] login_failures times within login_window s), or
 * 0 when it may now. */
time_t throttle_login_wait(struct server *srv, const struct client *c);
/* throttle_login_failed: count a failed login of c's address. */
void throttle_login_failed(struct server *srv, const struct client *c);

/* throttle_register_wait: seconds until c's address may register another
 * account ([accounts] register_limit per register_window), or 0. */
time_t throttle_register_wait(struct server *srv, const struct client *c);
/* throttle_registered: count an account registered from c's address. */
void throttle_registered(struct server *srv, const struct client *c);

/* throttle_hash_acquire: take one of the [accounts] hash_jobs_per_ip
 * slots of c's address in the hash worker's queue. False when they are
 * all taken (the caller answers "try again"). *share is what to give back
 * with throttle_hash_release (NULL when nothing needs giving back: no
 * limit, or out of memory). */
bool throttle_hash_acquire(struct server *srv, const struct client *c,
    struct throttle_entry **share);
/* throttle_hash_release: the job that took share has ended (NULL-safe). */
void throttle_hash_release(struct throttle_entry *share);

#endif
