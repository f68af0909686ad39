/* throttle.c - per-address limits on account work. See core/throttle.h.
 *
 * Why per address and not per connection: fakelag and the per-connection
 * penalties (cmd/account.c SASL_FAIL_PENALTY) slow one connection, but an
 * address with many connections would guess passwords at the rate of its
 * connections, fill the shared hash queue so other people's logins get
 * "try again", and register accounts without bound. Ergo throttles logins
 * ([accounts] login-throttling) and registrations (registration
 * throttling) the same way, with fixed windows; so do we. */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <uthash.h>

#include "core/client.h"
#include "core/config.h"
#include "core/connlimit.h"
#include "core/server.h"
#include "core/throttle.h"

struct throttle_entry {
	unsigned char key[16]; /* IPv4-mapped address, or IPv6 /64 */
	time_t touched; /* last change: the LRU order */
	time_t fail_start; /* start of the failed-login window */
	time_t reg_start; /* start of the registration window */
	unsigned fails, regs;
	unsigned hash_jobs; /* jobs queued or running; never dropped while > 0 */
	struct throttle *t;
	TAILQ_ENTRY(throttle_entry) lru; /* most recent first */
	UT_hash_handle hh;
};

struct throttle {
	struct throttle_entry *map;
	TAILQ_HEAD(throttle_lru, throttle_entry) lru;
	unsigned count;
	time_t now; /* the clock at the last call (for release) */
};

/* addr_key: c's address as a key: IPv4 whole, IPv6 cut to its /64. */
static void
addr_key(const struct client *c, unsigned char key[16])
{
	static const unsigned char v4pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	sockaddr_to16((const struct sockaddr *)&c->addr, key);
	if (memcmp(key, v4pfx, 12) != 0)
		memset(key + 8, 0, 8);
}

/* longest: how long an untouched entry can still matter (s). */
static time_t
longest(const struct config *cfg)
{
	return (time_t)(cfg->login_window > cfg->register_window ? cfg->login_window
								 : cfg->register_window);
}

static void
entry_drop(struct throttle *t, struct throttle_entry *e)
{
	HASH_DEL(t->map, e);
	TAILQ_REMOVE(&t->lru, e, lru);
	t->count--;
	free(e);
}

static void
entry_touch(struct throttle *t, struct throttle_entry *e)
{
	e->touched = t->now;
	TAILQ_REMOVE(&t->lru, e, lru);
	TAILQ_INSERT_HEAD(&t->lru, e, lru);
}

/* expire: drop entries from the old end whose windows have all passed.
 * Amortised O(1): each entry is dropped once. One holding a hash job
 * stops the walk; it moves to the front when the job ends. */
static void
expire(struct throttle *t, time_t keep)
{
	struct throttle_entry *e;

	while ((e = TAILQ_LAST(&t->lru, throttle_lru)) != NULL && e->hash_jobs == 0 &&
	    t->now - e->touched >= keep)
		entry_drop(t, e);
}

/* entry_get: the entry of c's address, made when create (NULL when not
 * there, or out of memory). */
static struct throttle_entry *
entry_get(struct server *srv, const struct client *c, bool create)
{
	struct throttle *t = srv->throttle;
	struct throttle_entry *e;
	unsigned char key[16];

	if (t == NULL) {
		if (!create || (t = calloc(1, sizeof(*t))) == NULL)
			return NULL;
		TAILQ_INIT(&t->lru);
		srv->throttle = t;
	}
	t->now = srv->now;
	expire(t, longest(srv->cfg));
	addr_key(c, key);
	HASH_FIND(hh, t->map, key, sizeof(key), e);
	if (e != NULL || !create)
		return e;
	if (t->count >= THROTTLE_MAX) {
		/* forget the least recently used idle entry; those with a
		 * hash job (at most PASSWORD_QUEUE_MAX) are skipped */
		TAILQ_FOREACH_REVERSE(e, &t->lru, throttle_lru, lru)
			if (e->hash_jobs == 0)
				break;
		if (e == NULL)
			return NULL;
		entry_drop(t, e);
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	memcpy(e->key, key, sizeof(key));
	e->t = t;
	e->touched = t->now;
	HASH_ADD(hh, t->map, key, sizeof(e->key), e);
	TAILQ_INSERT_HEAD(&t->lru, e, lru);
	t->count++;
	return e;
}

void
throttle_free(struct throttle *t)
{
	struct throttle_entry *e;

	if (t == NULL)
		return;
	while ((e = TAILQ_FIRST(&t->lru)) != NULL)
		entry_drop(t, e);
	free(t);
}

/* window_wait: seconds left of a window of len s started at start that has
 * used count of limit, or 0 when it allows one more (limit 0: no limit). */
static time_t
window_wait(time_t now, time_t start, unsigned count, unsigned limit, unsigned len)
{
	if (limit == 0 || count < limit || now - start >= (time_t)len)
		return 0;
	return start + (time_t)len - now;
}

time_t
throttle_login_wait(struct server *srv, const struct client *c)
{
	struct throttle_entry *e = entry_get(srv, c, false);

	return e == NULL ? 0
			 : window_wait(srv->now, e->fail_start, e->fails, srv->cfg->login_failures,
			       srv->cfg->login_window);
}

/* window_count: count one event in a fixed window of len s. */
static void
window_count(time_t now, time_t *start, unsigned *count, unsigned len)
{
	if (now - *start >= (time_t)len) {
		*start = now;
		*count = 0;
	}
	(*count)++;
}

void
throttle_login_failed(struct server *srv, const struct client *c)
{
	struct throttle_entry *e;

	if (srv->cfg->login_failures == 0 || (e = entry_get(srv, c, true)) == NULL)
		return;
	window_count(srv->now, &e->fail_start, &e->fails, srv->cfg->login_window);
	entry_touch(e->t, e);
}

time_t
throttle_register_wait(struct server *srv, const struct client *c)
{
	struct throttle_entry *e = entry_get(srv, c, false);

	return e == NULL ? 0
			 : window_wait(srv->now, e->reg_start, e->regs, srv->cfg->register_limit,
			       srv->cfg->register_window);
}

void
throttle_registered(struct server *srv, const struct client *c)
{
	struct throttle_entry *e;

	if (srv->cfg->register_limit == 0 || (e = entry_get(srv, c, true)) == NULL)
		return;
	window_count(srv->now, &e->reg_start, &e->regs, srv->cfg->register_window);
	entry_touch(e->t, e);
}

bool
throttle_hash_acquire(struct server *srv, const struct client *c, struct throttle_entry **share)
{
	struct throttle_entry *e;

	*share = NULL;
	if (srv->cfg->hash_jobs_per_ip == 0 || (e = entry_get(srv, c, true)) == NULL)
		return true;
	if (e->hash_jobs >= srv->cfg->hash_jobs_per_ip)
		return false;
	e->hash_jobs++;
	entry_touch(e->t, e);
	*share = e;
	return true;
}

void
throttle_hash_release(struct throttle_entry *share)
{
	if (share == NULL)
		return;
	if (share->hash_jobs > 0)
		share->hash_jobs--;
	entry_touch(share->t, share);
}
