/* hold.h - names held unavailable to local clients for a while: nicks lost
 * by KILL or in a netsplit (RFC 2813 §5.7 "nickname delay") and channels
 * emptied by a netsplit (RFC 2811 §3.2.2 "channel delay").
 *
 * A table is a uthash keyed by the casefolded name (O(1) lookups) plus a
 * list ordered by deadline; one libevent timer armed for the head drops
 * expired holds, so nothing scans the table per NICK or JOIN. */
#ifndef EVIRCD_HOLD_H
#define EVIRCD_HOLD_H

#include <stdbool.h>
#include <sys/queue.h>
#include <time.h>

#include <uthash.h>

struct server;

/* At most this many holds per table: past it the one that expires first
 * goes, so a link that makes KILLs or splits in a loop cannot grow memory
 * without bound. */
#define HOLD_MAX 65536

/* One held name. Owned by its table. */
struct hold {
	UT_hash_handle hh; /* table->map, key = key */
	TAILQ_ENTRY(hold) order; /* by until, earliest first */
	time_t until; /* srv->now at which the hold ends */
	char *tag; /* owned or NULL: what made it (channels: the lost server) */
	char key[]; /* casefolded name */
};

/* A table of holds. Made by hold_table_new, freed by hold_table_free. */
struct hold_table {
	struct hold *map;
	TAILQ_HEAD(hold_table_order, hold) order; /* by deadline */
	struct event *timer; /* owned: fires at the head's deadline */
	struct server *srv; /* for the clock */
	unsigned count;
};

/* hold_table_new: an empty table whose timer runs on srv->base; NULL when
 * out of memory. */
struct hold_table *hold_table_new(struct server *srv);
/* hold_table_free: free every hold, the timer and t (NULL-safe). */
void hold_table_free(struct hold_table *t);
/* hold_add: hold the casefolded key for secs seconds from srv->now (a
 * held key gets the later deadline and the new tag; tag may be NULL and is
 * copied). secs 0 holds nothing. 0 on success, -1 out of memory. */
int hold_add(struct hold_table *t, const char *key, unsigned secs, const char *tag);
/* hold_find: the hold of the casefolded key, or NULL (one whose deadline
 * has passed by srv->now is dropped here, so a test clock needs no timer). */
struct hold *hold_find(struct hold_table *t, const char *key);
/* hold_del: drop the hold of key; true if there was one. */
bool hold_del(struct hold_table *t, const char *key);
/* hold_del_tag: drop every hold tagged tag (a split server came back);
 * returns how many. O(holds): runs once per returning server. */
unsigned hold_del_tag(struct hold_table *t, const char *tag);

#endif
