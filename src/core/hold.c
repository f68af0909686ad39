/* hold.c - held names (nick delay, channel delay): see core/hold.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "core/hold.h"
#include "core/log.h"
#include "core/server.h"

static void
hold_drop(struct hold_table *t, struct hold *h)
{
	HASH_DELETE(hh, t->map, h);
	TAILQ_REMOVE(&t->order, h, order);
	free(h->tag);
	free(h);
	t->count--;
}

/* hold_arm: the timer for the earliest deadline (none when empty). */
static void
hold_arm(struct hold_table *t)
{
	struct hold *h = TAILQ_FIRST(&t->order);
	struct timeval tv = { 0, 0 };

	if (h == NULL) {
		evtimer_del(t->timer);
		return;
	}
	if (h->until > t->srv->now)
		tv.tv_sec = h->until - t->srv->now;
	evtimer_add(t->timer, &tv);
}

/* hold_expire: drop the holds whose deadline has passed (from the head). */
static void
hold_expire(struct hold_table *t)
{
	struct hold *h;

	while ((h = TAILQ_FIRST(&t->order)) != NULL && h->until <= t->srv->now)
		hold_drop(t, h);
}

static void
hold_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hold_table *t = arg;

	(void)fd;
	(void)what;
	server_clock(t->srv);
	hold_expire(t);
	hold_arm(t);
}

/* hold_table_new: see hold.h. */
struct hold_table *
hold_table_new(struct server *srv)
{
	struct hold_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->srv = srv;
	TAILQ_INIT(&t->order);
	t->timer = evtimer_new(srv->base, hold_timer_cb, t);
	if (t->timer == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

/* hold_table_free: see hold.h. */
void
hold_table_free(struct hold_table *t)
{
	struct hold *h;

	if (t == NULL)
		return;
	while ((h = TAILQ_FIRST(&t->order)) != NULL)
		hold_drop(t, h);
	event_free(t->timer);
	free(t);
}

/* hold_insert: h into the deadline order. Holds are made with the same
 * delay, so the new one almost always goes last: the walk from the tail is
 * O(1) then (a REHASH that shortens the delay makes it walk past the
 * longer ones made before). */
static void
hold_insert(struct hold_table *t, struct hold *h)
{
	struct hold *after = TAILQ_LAST(&t->order, hold_table_order);

	while (after != NULL && after->until > h->until)
		after = TAILQ_PREV(after, hold_table_order, order);
	if (after == NULL)
		TAILQ_INSERT_HEAD(&t->order, h, order);
	else
		TAILQ_INSERT_AFTER(&t->order, after, h, order);
}

/* hold_add: see hold.h. */
int
hold_add(struct hold_table *t, const char *key, unsigned secs, const char *tag)
{
	struct hold *h;
	size_t len = strlen(key);
	char *tcopy = NULL;

	if (secs == 0)
		return 0;
	if (tag != NULL && (tcopy = strdup(tag)) == NULL)
		return -1;
	HASH_FIND(hh, t->map, key, len, h);
	if (h != NULL) {
		TAILQ_REMOVE(&t->order, h, order);
	} else {
		if (t->count >= HOLD_MAX)
			hold_drop(t, TAILQ_FIRST(&t->order));
		if ((h = calloc(1, sizeof(*h) + len + 1)) == NULL) {
			free(tcopy);
			return -1;
		}
		memcpy(h->key, key, len + 1);
		HASH_ADD(hh, t->map, key[0], len, h);
		t->count++;
	}
	free(h->tag);
	h->tag = tcopy;
	h->until = t->srv->now + (time_t)secs;
	hold_insert(t, h);
	if (TAILQ_FIRST(&t->order) == h)
		hold_arm(t);
	return 0;
}

/* hold_find: see hold.h. */
struct hold *
hold_find(struct hold_table *t, const char *key)
{
	struct hold *h;

	HASH_FIND(hh, t->map, key, strlen(key), h);
	if (h != NULL && h->until <= t->srv->now) {
		hold_drop(t, h);
		return NULL;
	}
	return h;
}

/* hold_del: see hold.h. */
bool
hold_del(struct hold_table *t, const char *key)
{
	struct hold *h;

	HASH_FIND(hh, t->map, key, strlen(key), h);
	if (h == NULL)
		return false;
	hold_drop(t, h);
	return true;
}

/* hold_del_tag: see hold.h. */
unsigned
hold_del_tag(struct hold_table *t, const char *tag)
{
	struct hold *h, *next;
	unsigned n = 0;

	for (h = TAILQ_FIRST(&t->order); h != NULL; h = next) {
		next = TAILQ_NEXT(h, order);
		if (h->tag != NULL && strcasecmp(h->tag, tag) == 0) {
			hold_drop(t, h);
			n++;
		}
	}
	return n;
}
